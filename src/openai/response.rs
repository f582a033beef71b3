//! `ir::ChatResponse` → `chat.completion`, the non-streaming reply.
//!
//! The reply borrows ids, names and (when there is a single block) text from the IR response, so
//! building it copies only tool arguments, which OpenAI wants as a JSON string.

use std::borrow::Cow;

use super::stream::finish_reason;
use super::types::{
    AssistantMessage, ChatCompletion, Choice, CompletionUsage, FunctionCallOut, ToolCallOut,
};
use crate::ir::{ChatResponse, Part};

/// Builds the reply body; `model` is the alias the client asked for, never the Bedrock id.
pub fn completion<'a>(
    resp: &'a ChatResponse,
    id: &'a str,
    model: &'a str,
    created: u64,
) -> ChatCompletion<'a> {
    let mut text: Option<Cow<'a, str>> = None;
    let mut reasoning: Option<Cow<'a, str>> = None;
    let mut signature = None;
    let mut tool_calls = Vec::new();
    for part in &resp.content {
        match part {
            Part::Text(t) => append(&mut text, t),
            Part::Reasoning {
                text: r,
                signature: s,
            } => {
                append(&mut reasoning, r);
                if s.is_some() {
                    signature = s.as_deref();
                }
            }
            Part::ToolUse { id, name, input } => tool_calls.push(ToolCallOut {
                id,
                kind: "function",
                function: FunctionCallOut {
                    name,
                    // Serialising a `Value` cannot fail; the fallback only keeps this total.
                    arguments: serde_json::to_string(input).unwrap_or_else(|_| "{}".to_owned()),
                },
            }),
            _ => {}
        }
    }
    let content = match text {
        Some(t) => Some(t),
        None if tool_calls.is_empty() => Some(Cow::Borrowed("")),
        None => None,
    };
    ChatCompletion {
        id,
        object: "chat.completion",
        created,
        model,
        choices: [Choice {
            index: 0,
            message: AssistantMessage {
                role: "assistant",
                content,
                refusal: None,
                tool_calls,
                reasoning_content: reasoning,
                reasoning_signature: signature,
            },
            logprobs: None,
            finish_reason: finish_reason(&resp.stop_reason),
        }],
        usage: CompletionUsage::from(&resp.usage),
    }
}

/// Concatenates without copying in the common single-block case.
fn append<'a>(acc: &mut Option<Cow<'a, str>>, s: &'a str) {
    match acc {
        None => *acc = Some(Cow::Borrowed(s)),
        Some(cur) => cur.to_mut().push_str(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{StopReason, Usage};
    use serde_json::{Value, json};

    fn render(resp: &ChatResponse) -> Value {
        serde_json::to_value(completion(resp, "chatcmpl-1", "claude", 1_700_000_000)).unwrap()
    }

    #[test]
    fn text_reply_with_cache_usage() {
        let resp = ChatResponse {
            content: vec![Part::Text("Hello, ".into()), Part::Text("world".into())],
            stop_reason: StopReason::EndTurn,
            usage: Usage {
                input: 12,
                output: 7,
                cache_read: 1000,
                cache_write: 50,
            },
        };
        assert_eq!(
            render(&resp),
            json!({
                "id": "chatcmpl-1", "object": "chat.completion", "created": 1_700_000_000u64,
                "model": "claude",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello, world",
                    "refusal": null}, "logprobs": null, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1062, "completion_tokens": 7, "total_tokens": 1069,
                    "prompt_tokens_details": {"cached_tokens": 1000},
                    "cache_creation_input_tokens": 50}
            })
        );
    }

    #[test]
    fn tool_calls_with_reasoning_and_null_content() {
        let resp = ChatResponse {
            content: vec![
                Part::Reasoning {
                    text: "need weather".into(),
                    signature: Some("sig==".into()),
                },
                Part::ToolUse {
                    id: "tooluse_a".into(),
                    name: "get_weather".into(),
                    input: json!({"city": "Paris", "unit": "c"}),
                },
                Part::ToolUse {
                    id: "tooluse_b".into(),
                    name: "get_time".into(),
                    input: json!({}),
                },
            ],
            stop_reason: StopReason::ToolUse,
            usage: Usage::default(),
        };
        let v = render(&resp);
        let msg = &v["choices"][0]["message"];
        assert_eq!(msg["content"], Value::Null);
        assert_eq!(msg["reasoning_content"], "need weather");
        assert_eq!(msg["reasoning_signature"], "sig==");
        assert_eq!(v["choices"][0]["finish_reason"], "tool_calls");
        assert_eq!(
            msg["tool_calls"],
            json!([
                {"id": "tooluse_a", "type": "function",
                 "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\",\"unit\":\"c\"}"}},
                {"id": "tooluse_b", "type": "function",
                 "function": {"name": "get_time", "arguments": "{}"}}
            ])
        );
    }

    #[test]
    fn empty_reply_has_empty_string_content_and_no_extensions() {
        let resp = ChatResponse {
            content: vec![],
            stop_reason: StopReason::MaxTokens,
            usage: Usage::default(),
        };
        let v = render(&resp);
        let msg = &v["choices"][0]["message"];
        assert_eq!(msg["content"], "");
        assert!(msg.get("tool_calls").is_none());
        assert!(msg.get("reasoning_content").is_none());
        assert_eq!(v["choices"][0]["finish_reason"], "length");
    }

    #[test]
    fn text_and_tool_call_keeps_text() {
        let resp = ChatResponse {
            content: vec![
                Part::Text("Let me check.".into()),
                Part::ToolUse {
                    id: "t".into(),
                    name: "f".into(),
                    input: json!({"a": [1, 2]}),
                },
            ],
            stop_reason: StopReason::ToolUse,
            usage: Usage::default(),
        };
        let v = render(&resp);
        assert_eq!(v["choices"][0]["message"]["content"], "Let me check.");
        assert_eq!(
            v["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"],
            "{\"a\":[1,2]}"
        );
    }
}
