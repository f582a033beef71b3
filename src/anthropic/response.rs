//! `ir::ChatResponse` → the Messages API `message` object (non-streaming replies), plus the
//! pieces the stream encoder shares with it (stop reasons, usage) so the two never disagree.

use serde::Serialize;
use serde_json::Value;

use crate::ir::{ChatResponse, Part, StopReason, Usage};
use crate::media;

/// The Anthropic `stop_reason` for a Bedrock stop reason.
pub fn stop_reason(reason: &StopReason) -> &'static str {
    match reason {
        StopReason::EndTurn => "end_turn",
        StopReason::ToolUse => "tool_use",
        StopReason::MaxTokens => "max_tokens",
        StopReason::StopSequence => "stop_sequence",
        StopReason::ContextWindowExceeded => "model_context_window_exceeded",
        StopReason::GuardrailIntervened | StopReason::ContentFiltered => "refusal",
        StopReason::MalformedModelOutput | StopReason::MalformedToolUse | StopReason::Other(_) => {
            "end_turn"
        }
    }
}

/// Which stop sequence ended the reply. Bedrock does not say, so it is only known when the
/// request had exactly one; otherwise `null`, which Anthropic clients accept.
pub(crate) fn stop_sequence<'a>(reason: &StopReason, stops: &'a [String]) -> Option<&'a str> {
    match (reason, stops) {
        (StopReason::StopSequence, [only]) => Some(only),
        _ => None,
    }
}

/// `usage`: Bedrock's `input` already excludes cache reads and writes, as Anthropic's does.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct UsageOut {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_creation_input_tokens: u64,
    pub cache_read_input_tokens: u64,
}

impl From<&Usage> for UsageOut {
    fn from(u: &Usage) -> Self {
        Self {
            input_tokens: u.input,
            output_tokens: u.output,
            cache_creation_input_tokens: u.cache_write,
            cache_read_input_tokens: u.cache_read,
        }
    }
}

/// The `message` object, borrowing from the reply.
#[derive(Debug, Serialize)]
pub struct MessageOut<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    role: &'static str,
    model: &'a str,
    content: Vec<BlockOut<'a>>,
    stop_reason: Option<&'static str>,
    stop_sequence: Option<&'a str>,
    usage: UsageOut,
}

/// A content block as Anthropic returns it (also the `content_block` of a stream start).
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum BlockOut<'a> {
    Text {
        text: &'a str,
    },
    ToolUse {
        id: &'a str,
        name: &'a str,
        input: &'a Value,
    },
    Thinking {
        thinking: &'a str,
        signature: &'a str,
    },
    /// Bedrock's opaque bytes as base64, which gw decodes again when the client echoes them.
    RedactedThinking {
        data: String,
    },
}

/// `POST /v1/messages/count_tokens` reply.
#[derive(Debug, Serialize)]
pub struct CountTokensResponse {
    /// Tokens the request's system, tools and messages take.
    pub input_tokens: u64,
}

/// Renders a whole reply. `id` is `msg_…`, `model` the client's name for it, `stops` the
/// request's stop sequences (to name the one that matched).
pub fn message<'a>(
    resp: &'a ChatResponse,
    id: &'a str,
    model: &'a str,
    stops: &'a [String],
) -> MessageOut<'a> {
    let content = resp
        .content
        .iter()
        .filter_map(|p| match p {
            Part::Text(text) => Some(BlockOut::Text { text }),
            Part::ToolUse { id, name, input } => Some(BlockOut::ToolUse { id, name, input }),
            Part::Reasoning { text, signature } => Some(BlockOut::Thinking {
                thinking: text,
                signature: signature.as_deref().unwrap_or_default(),
            }),
            Part::RedactedReasoning { data } => Some(BlockOut::RedactedThinking {
                data: media::encode_base64(data),
            }),
            _ => None,
        })
        .collect();
    MessageOut {
        id,
        kind: "message",
        role: "assistant",
        model,
        content,
        stop_reason: Some(stop_reason(&resp.stop_reason)),
        stop_sequence: stop_sequence(&resp.stop_reason, stops),
        usage: UsageOut::from(&resp.usage),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use serde_json::json;

    #[test]
    fn renders_every_block_and_usage() {
        let resp = ChatResponse {
            content: vec![
                Part::Reasoning {
                    text: "hmm".into(),
                    signature: Some("sig".into()),
                },
                Part::RedactedReasoning {
                    data: Bytes::from_static(b"\x00\x01"),
                },
                Part::Text("hi".into()),
                Part::ToolUse {
                    id: "tooluse_1".into(),
                    name: "f".into(),
                    input: json!({"a": 1}),
                },
            ],
            stop_reason: StopReason::ToolUse,
            usage: Usage {
                input: 10,
                output: 5,
                cache_read: 2,
                cache_write: 3,
            },
        };
        let v = serde_json::to_value(message(&resp, "msg_1", "claude", &[])).unwrap();
        assert_eq!(
            v,
            json!({"id": "msg_1", "type": "message", "role": "assistant", "model": "claude",
                "content": [
                    {"type": "thinking", "thinking": "hmm", "signature": "sig"},
                    {"type": "redacted_thinking", "data": "AAE="},
                    {"type": "text", "text": "hi"},
                    {"type": "tool_use", "id": "tooluse_1", "name": "f", "input": {"a": 1}}],
                "stop_reason": "tool_use", "stop_sequence": null,
                "usage": {"input_tokens": 10, "output_tokens": 5,
                          "cache_creation_input_tokens": 3, "cache_read_input_tokens": 2}})
        );
    }

    #[test]
    fn stop_reasons_and_sequences() {
        assert_eq!(stop_reason(&StopReason::ContentFiltered), "refusal");
        assert_eq!(stop_reason(&StopReason::MaxTokens), "max_tokens");
        let one = vec!["END".to_owned()];
        assert_eq!(stop_sequence(&StopReason::StopSequence, &one), Some("END"));
        let two = vec!["A".to_owned(), "B".to_owned()];
        assert_eq!(stop_sequence(&StopReason::StopSequence, &two), None);
        assert_eq!(stop_sequence(&StopReason::EndTurn, &one), None);
    }
}
