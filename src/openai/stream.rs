//! `ir::StreamEvent` → `chat.completion.chunk` SSE frames.
//!
//! This runs once per token, so chunks are borrowed structs serialised straight into the output
//! buffer: no `serde_json::Value`, no intermediate `String`. It also owns the one piece of state
//! OpenAI clients depend on and Bedrock does not provide: the tool-call index, which must count
//! tool calls (0, 1, …), never reuse Bedrock's content-block index.

use bytes::{BufMut, BytesMut};
use serde::Serialize;

use super::types::CompletionUsage;
use crate::error::ApiError;
use crate::ir::{StopReason, StreamEvent};
use crate::sse::SseEncoder;

/// The OpenAI `finish_reason` for a Bedrock stop reason; shared by streaming and non-streaming
/// replies so they can never disagree.
pub fn finish_reason(reason: &StopReason) -> &'static str {
    match reason {
        StopReason::EndTurn | StopReason::StopSequence => "stop",
        StopReason::ToolUse => "tool_calls",
        StopReason::MaxTokens | StopReason::ContextWindowExceeded => "length",
        StopReason::GuardrailIntervened | StopReason::ContentFiltered => "content_filter",
        StopReason::MalformedModelOutput | StopReason::MalformedToolUse | StopReason::Other(_) => {
            "stop"
        }
    }
}

/// Appends the terminating `data: [DONE]` frame; only after a clean finish, never after an error.
pub fn done(out: &mut BytesMut) {
    out.extend_from_slice(b"data: [DONE]\n\n");
}

/// Encodes one streamed reply. One per response: it remembers which Bedrock blocks are tool
/// calls and which OpenAI tool index each got.
#[derive(Debug)]
pub struct ChunkEncoder {
    id: String,
    model: String,
    created: u64,
    include_usage: bool,
    tools: Vec<ToolBlock>,
}

#[derive(Debug)]
struct ToolBlock {
    block: u32,
    got_args: bool,
}

impl ChunkEncoder {
    /// `id` and `created` are repeated on every chunk, as OpenAI does; `model` is the client's
    /// alias; `include_usage` is `stream_options.include_usage`.
    pub fn new(
        id: impl Into<String>,
        model: impl Into<String>,
        created: u64,
        include_usage: bool,
    ) -> Self {
        Self {
            id: id.into(),
            model: model.into(),
            created,
            include_usage,
            tools: Vec::new(),
        }
    }
}

impl SseEncoder for ChunkEncoder {
    /// Appends the frames (zero or more) for one event.
    fn encode(&mut self, ev: &StreamEvent, out: &mut BytesMut) {
        match ev {
            StreamEvent::MessageStart => self.delta(
                out,
                Delta {
                    role: Some("assistant"),
                    content: Some(""),
                    ..Delta::default()
                },
            ),
            StreamEvent::TextDelta { text, .. } if !text.is_empty() => self.delta(
                out,
                Delta {
                    content: Some(text),
                    ..Delta::default()
                },
            ),
            StreamEvent::ReasoningDelta { text, .. } if !text.is_empty() => self.delta(
                out,
                Delta {
                    reasoning_content: Some(text),
                    ..Delta::default()
                },
            ),
            StreamEvent::SignatureDelta { signature, .. } => self.delta(
                out,
                Delta {
                    reasoning_signature: Some(signature),
                    ..Delta::default()
                },
            ),
            StreamEvent::ToolUseStart { index, id, name } => {
                if self.tool_index(*index).is_some() {
                    return;
                }
                let k = self.tools.len() as u32;
                self.tools.push(ToolBlock {
                    block: *index,
                    got_args: false,
                });
                self.tool_delta(
                    out,
                    ToolCallDelta {
                        index: k,
                        id: Some(id),
                        kind: Some("function"),
                        function: FunctionDelta {
                            name: Some(name),
                            arguments: "",
                        },
                    },
                );
            }
            StreamEvent::ToolInputDelta { index, json } if !json.is_empty() => {
                let Some(k) = self.tool_index(*index) else {
                    return;
                };
                self.tools[k].got_args = true;
                self.tool_delta(out, ToolCallDelta::arguments(k as u32, json));
            }
            StreamEvent::BlockStop { index } => {
                let Some(k) = self.tool_index(*index) else {
                    return;
                };
                if !self.tools[k].got_args {
                    // A tool without arguments can stream nothing; clients must still get `{}`.
                    self.tools[k].got_args = true;
                    self.tool_delta(out, ToolCallDelta::arguments(k as u32, "{}"));
                }
            }
            StreamEvent::MessageStop { stop_reason } => {
                let choice = [ChunkChoice {
                    index: 0,
                    delta: Delta::default(),
                    finish_reason: Some(finish_reason(stop_reason)),
                }];
                self.frame(out, &choice, None);
            }
            StreamEvent::Metadata { usage } if self.include_usage => {
                self.frame(out, &[], Some(CompletionUsage::from(usage)));
            }
            _ => {}
        }
    }

    /// Appends an in-stream error frame (the ApiError body); the caller then closes the stream
    /// without `[DONE]` so clients see a failure, not a truncated success.
    fn error(&mut self, err: &ApiError, out: &mut BytesMut) {
        write_frame(out, &err.body());
    }

    /// `data: [DONE]`: only after a clean finish, never after an error.
    fn done(&mut self, out: &mut BytesMut) {
        done(out);
    }
}

fn write_frame<T: Serialize>(out: &mut BytesMut, value: &T) {
    let start = out.len();
    out.extend_from_slice(b"data: ");
    if serde_json::to_writer((&mut *out).writer(), value).is_err() {
        // Unreachable for these types; never leave half a frame behind.
        out.truncate(start);
        return;
    }
    out.extend_from_slice(b"\n\n");
}

impl ChunkEncoder {
    fn tool_index(&self, block: u32) -> Option<usize> {
        self.tools.iter().position(|t| t.block == block)
    }

    fn delta(&self, out: &mut BytesMut, delta: Delta<'_>) {
        let choice = [ChunkChoice {
            index: 0,
            delta,
            finish_reason: None,
        }];
        self.frame(out, &choice, None);
    }

    fn tool_delta(&self, out: &mut BytesMut, call: ToolCallDelta<'_>) {
        self.delta(
            out,
            Delta {
                tool_calls: Some([call]),
                ..Delta::default()
            },
        );
    }

    /// `usage` is the final usage chunk's payload; every other chunk gets `"usage":null` when
    /// usage was requested, and no key otherwise (as OpenAI does).
    fn frame(
        &self,
        out: &mut BytesMut,
        choices: &[ChunkChoice<'_>],
        usage: Option<CompletionUsage>,
    ) {
        let chunk = Chunk {
            id: &self.id,
            object: "chat.completion.chunk",
            created: self.created,
            model: &self.model,
            choices,
            usage: self.include_usage.then_some(usage),
        };
        write_frame(out, &chunk);
    }
}

#[derive(Serialize)]
struct Chunk<'a> {
    id: &'a str,
    object: &'static str,
    created: u64,
    model: &'a str,
    choices: &'a [ChunkChoice<'a>],
    #[serde(skip_serializing_if = "Option::is_none")]
    usage: Option<Option<CompletionUsage>>,
}

#[derive(Serialize)]
struct ChunkChoice<'a> {
    index: u32,
    delta: Delta<'a>,
    finish_reason: Option<&'static str>,
}

#[derive(Default, Serialize)]
struct Delta<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reasoning_content: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reasoning_signature: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_calls: Option<[ToolCallDelta<'a>; 1]>,
}

#[derive(Serialize)]
struct ToolCallDelta<'a> {
    index: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    function: FunctionDelta<'a>,
}

impl<'a> ToolCallDelta<'a> {
    fn arguments(index: u32, arguments: &'a str) -> Self {
        Self {
            index,
            id: None,
            kind: None,
            function: FunctionDelta {
                name: None,
                arguments,
            },
        }
    }
}

#[derive(Serialize)]
struct FunctionDelta<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    arguments: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Usage;
    use serde_json::{Value, json};

    /// Splits the SSE output into frames, checking the framing, and parses each JSON payload.
    fn frames(out: &BytesMut) -> Vec<Value> {
        let text = std::str::from_utf8(out).unwrap();
        assert!(text.ends_with("\n\n"), "{text:?}");
        text.split_terminator("\n\n")
            .map(|f| {
                let body = f.strip_prefix("data: ").unwrap();
                assert!(!body.contains('\n'));
                serde_json::from_str(body).unwrap()
            })
            .collect()
    }

    fn run(include_usage: bool, events: &[StreamEvent]) -> Vec<Value> {
        let mut enc = ChunkEncoder::new("chatcmpl-9", "claude", 1_700_000_000, include_usage);
        let mut out = BytesMut::new();
        for ev in events {
            enc.encode(ev, &mut out);
        }
        frames(&out)
    }

    fn tool(index: u32, id: &str, name: &str) -> StreamEvent {
        StreamEvent::ToolUseStart {
            index,
            id: id.into(),
            name: name.into(),
        }
    }

    fn args(index: u32, json: &str) -> StreamEvent {
        StreamEvent::ToolInputDelta {
            index,
            json: json.into(),
        }
    }

    #[test]
    fn text_stream_without_usage() {
        let f = run(
            false,
            &[
                StreamEvent::MessageStart,
                StreamEvent::TextDelta {
                    index: 0,
                    text: "Hel".into(),
                },
                StreamEvent::TextDelta {
                    index: 0,
                    text: String::new(),
                },
                StreamEvent::TextDelta {
                    index: 0,
                    text: "lo".into(),
                },
                StreamEvent::BlockStop { index: 0 },
                StreamEvent::MessageStop {
                    stop_reason: StopReason::EndTurn,
                },
                StreamEvent::Metadata {
                    usage: Usage {
                        input: 3,
                        output: 2,
                        ..Usage::default()
                    },
                },
            ],
        );
        assert_eq!(f.len(), 4, "{f:?}");
        assert_eq!(
            f[0],
            json!({"id": "chatcmpl-9", "object": "chat.completion.chunk", "created": 1_700_000_000u64,
                   "model": "claude",
                   "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": null}]})
        );
        assert_eq!(f[1]["choices"][0]["delta"], json!({"content": "Hel"}));
        assert_eq!(f[2]["choices"][0]["delta"], json!({"content": "lo"}));
        assert_eq!(
            f[3]["choices"][0],
            json!({"index": 0, "delta": {}, "finish_reason": "stop"})
        );
        assert!(f.iter().all(|c| c.get("usage").is_none()));
    }

    #[test]
    fn two_parallel_tool_calls_get_openai_indexes() {
        let f = run(
            true,
            &[
                StreamEvent::MessageStart,
                StreamEvent::TextDelta {
                    index: 0,
                    text: "Checking.".into(),
                },
                StreamEvent::BlockStop { index: 0 },
                tool(1, "tooluse_a", "get_weather"),
                args(1, "{\"city\":"),
                tool(2, "tooluse_b", "get_time"),
                args(2, "{\"tz\":\"CET\"}"),
                args(1, "\"Paris\"}"),
                StreamEvent::BlockStop { index: 1 },
                StreamEvent::BlockStop { index: 2 },
                StreamEvent::MessageStop {
                    stop_reason: StopReason::ToolUse,
                },
                StreamEvent::Metadata {
                    usage: Usage {
                        input: 10,
                        output: 20,
                        cache_read: 5,
                        cache_write: 1,
                    },
                },
            ],
        );
        let calls: Vec<&Value> = f
            .iter()
            .filter_map(|c| c["choices"].get(0)?["delta"].get("tool_calls"))
            .map(|t| &t[0])
            .collect();
        assert_eq!(
            calls,
            vec![
                &json!({"index": 0, "id": "tooluse_a", "type": "function", "function": {"name": "get_weather", "arguments": ""}}),
                &json!({"index": 0, "function": {"arguments": "{\"city\":"}}),
                &json!({"index": 1, "id": "tooluse_b", "type": "function", "function": {"name": "get_time", "arguments": ""}}),
                &json!({"index": 1, "function": {"arguments": "{\"tz\":\"CET\"}"}}),
                &json!({"index": 0, "function": {"arguments": "\"Paris\"}"}}),
            ],
            "no extra `{{}}` for tools that streamed arguments"
        );
        let stop = &f[f.len() - 2];
        assert_eq!(stop["choices"][0]["finish_reason"], "tool_calls");
        assert_eq!(stop["usage"], Value::Null);
        let last = f.last().unwrap();
        assert_eq!(last["choices"], json!([]));
        assert_eq!(
            last["usage"],
            json!({"prompt_tokens": 16, "completion_tokens": 20, "total_tokens": 36,
                   "prompt_tokens_details": {"cached_tokens": 5}, "cache_creation_input_tokens": 1})
        );
        // Every chunk but the usage chunk has an explicit `"usage": null`, and the same id.
        for c in &f[..f.len() - 1] {
            assert_eq!(c.get("usage"), Some(&Value::Null));
            assert_eq!(c["id"], "chatcmpl-9");
            assert_eq!(c["choices"][0]["index"], 0);
        }
    }

    #[test]
    fn tool_without_argument_fragments_gets_empty_object() {
        let f = run(
            false,
            &[
                StreamEvent::MessageStart,
                tool(0, "t1", "now"),
                args(0, ""),
                StreamEvent::BlockStop { index: 0 },
                StreamEvent::BlockStop { index: 0 },
                StreamEvent::MessageStop {
                    stop_reason: StopReason::ToolUse,
                },
            ],
        );
        assert_eq!(f.len(), 4, "{f:?}");
        assert_eq!(
            f[2]["choices"][0]["delta"],
            json!({"tool_calls": [{"index": 0, "function": {"arguments": "{}"}}]})
        );
    }

    #[test]
    fn reasoning_streams_as_extension_fields() {
        let f = run(
            false,
            &[
                StreamEvent::ReasoningDelta {
                    index: 0,
                    text: "Let me think".into(),
                },
                StreamEvent::SignatureDelta {
                    index: 0,
                    signature: "sig".into(),
                },
                StreamEvent::RedactedReasoning {
                    index: 1,
                    data: bytes::Bytes::from_static(b"x"),
                },
                StreamEvent::BlockStop { index: 0 },
            ],
        );
        assert_eq!(f.len(), 2);
        assert_eq!(
            f[0]["choices"][0]["delta"],
            json!({"reasoning_content": "Let me think"})
        );
        assert_eq!(
            f[1]["choices"][0]["delta"],
            json!({"reasoning_signature": "sig"})
        );
    }

    #[test]
    fn finish_reasons_follow_the_table() {
        let cases = [
            (StopReason::EndTurn, "stop"),
            (StopReason::StopSequence, "stop"),
            (StopReason::ToolUse, "tool_calls"),
            (StopReason::MaxTokens, "length"),
            (StopReason::ContextWindowExceeded, "length"),
            (StopReason::GuardrailIntervened, "content_filter"),
            (StopReason::ContentFiltered, "content_filter"),
            (StopReason::MalformedModelOutput, "stop"),
            (StopReason::MalformedToolUse, "stop"),
            (StopReason::Other("new_reason".into()), "stop"),
        ];
        for (reason, want) in cases {
            assert_eq!(finish_reason(&reason), want, "{reason:?}");
        }
    }

    #[test]
    fn error_and_done_frames() {
        let mut enc = ChunkEncoder::new("id", "m", 0, true);
        let mut out = BytesMut::new();
        let err = ApiError::internal("upstream model failed").with_code("upstream_model_error");
        enc.error(&err, &mut out);
        assert_eq!(
            frames(&out),
            vec![
                json!({"error": {"message": "upstream model failed", "type": "server_error",
                                  "param": null, "code": "upstream_model_error"}})
            ]
        );
        let mut out = BytesMut::new();
        done(&mut out);
        assert_eq!(&out[..], b"data: [DONE]\n\n");
    }
}
