//! `ir::StreamEvent` → Anthropic SSE (`event: NAME\ndata: {json}\n\n`).
//!
//! This runs once per token, so frames are borrowed structs serialised straight into the output
//! buffer. It also owns what Anthropic clients depend on and Bedrock does not provide:
//! - block indexes of its own (0, 1, 2… in order), never Bedrock's `contentBlockIndex`;
//! - a `content_block_start` for text and thinking blocks, which Bedrock starts implicitly with
//!   their first delta;
//! - `message_delta` held back until usage arrives (after `messageStop`), so it carries real
//!   token counts.

use bytes::{BufMut, BytesMut};
use serde::Serialize;
use serde_json::Value;

use super::error::write_error_event;
use super::response::{BlockOut, UsageOut, stop_reason, stop_sequence};
use crate::error::ApiError;
use crate::ir::{StopReason, StreamEvent, Usage};
use crate::media;
use crate::sse::SseEncoder;

/// Encodes one streamed reply. One per response.
#[derive(Debug)]
pub struct EventEncoder {
    id: String,
    model: String,
    stops: Vec<String>,
    started: bool,
    open: Option<OpenBlock>,
    next_index: u32,
    stop: Option<StopReason>,
    usage: Option<Usage>,
    delta_sent: bool,
}

#[derive(Debug, Clone, Copy)]
struct OpenBlock {
    /// Bedrock's index for the block.
    upstream: u32,
    /// Anthropic's index for the block.
    index: u32,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    ToolUse,
    Thinking,
    RedactedThinking,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Frame<'a> {
    MessageStart {
        message: StartMessage<'a>,
    },
    Ping,
    ContentBlockStart {
        index: u32,
        content_block: BlockOut<'a>,
    },
    ContentBlockDelta {
        index: u32,
        delta: Delta<'a>,
    },
    ContentBlockStop {
        index: u32,
    },
    MessageDelta {
        delta: MessageDeltaBody<'a>,
        usage: UsageOut,
    },
    MessageStop,
}

impl Frame<'_> {
    fn name(&self) -> &'static [u8] {
        match self {
            Self::MessageStart { .. } => b"message_start",
            Self::Ping => b"ping",
            Self::ContentBlockStart { .. } => b"content_block_start",
            Self::ContentBlockDelta { .. } => b"content_block_delta",
            Self::ContentBlockStop { .. } => b"content_block_stop",
            Self::MessageDelta { .. } => b"message_delta",
            Self::MessageStop => b"message_stop",
        }
    }
}

#[derive(Serialize)]
struct StartMessage<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    role: &'static str,
    model: &'a str,
    content: [u8; 0],
    stop_reason: Option<&'static str>,
    stop_sequence: Option<&'static str>,
    usage: UsageOut,
}

/// A `content_block_delta` payload; the wire `type` is the variant name plus `_delta`.
#[derive(Serialize)]
#[serde(tag = "type")]
enum Delta<'a> {
    #[serde(rename = "text_delta")]
    Text { text: &'a str },
    #[serde(rename = "input_json_delta")]
    InputJson { partial_json: &'a str },
    #[serde(rename = "thinking_delta")]
    Thinking { thinking: &'a str },
    #[serde(rename = "signature_delta")]
    Signature { signature: &'a str },
}

#[derive(Serialize)]
struct MessageDeltaBody<'a> {
    stop_reason: &'static str,
    stop_sequence: Option<&'a str>,
}

fn write(out: &mut BytesMut, frame: &Frame<'_>) {
    let start = out.len();
    out.extend_from_slice(b"event: ");
    out.extend_from_slice(frame.name());
    out.extend_from_slice(b"\ndata: ");
    if serde_json::to_writer((&mut *out).writer(), frame).is_err() {
        // Unreachable for these types; never leave half a frame behind.
        out.truncate(start);
        return;
    }
    out.extend_from_slice(b"\n\n");
}

impl EventEncoder {
    /// `id` is the `msg_…` id, `model` the client's name for the model, `stops` the request's
    /// stop sequences (to name the one that matched).
    pub fn new(id: impl Into<String>, model: impl Into<String>, stops: Vec<String>) -> Self {
        Self {
            id: id.into(),
            model: model.into(),
            stops,
            started: false,
            open: None,
            next_index: 0,
            stop: None,
            usage: None,
            delta_sent: false,
        }
    }
}

impl SseEncoder for EventEncoder {
    /// Appends the frames (zero or more) for one event.
    fn encode(&mut self, ev: &StreamEvent, out: &mut BytesMut) {
        self.start(out);
        match ev {
            StreamEvent::MessageStart => {}
            StreamEvent::TextDelta { index, text } => {
                let i = self.block(out, *index, Kind::Text, || BlockOut::Text { text: "" });
                if !text.is_empty() {
                    delta(out, i, Delta::Text { text });
                }
            }
            StreamEvent::ToolUseStart { index, id, name } => {
                let empty = Value::Object(Default::default());
                self.close(out);
                self.block(out, *index, Kind::ToolUse, || BlockOut::ToolUse {
                    id,
                    name,
                    input: &empty,
                });
            }
            StreamEvent::ToolInputDelta { index, json } => {
                // Without its start (id and name) a tool block cannot be opened; nothing to add to.
                if let Some(open) = self
                    .open
                    .filter(|o| o.upstream == *index && o.kind == Kind::ToolUse)
                    && !json.is_empty()
                {
                    delta(out, open.index, Delta::InputJson { partial_json: json });
                }
            }
            StreamEvent::ReasoningDelta { index, text } => {
                let i = self.block(out, *index, Kind::Thinking, thinking_start);
                if !text.is_empty() {
                    delta(out, i, Delta::Thinking { thinking: text });
                }
            }
            StreamEvent::SignatureDelta { index, signature } => {
                let i = self.block(out, *index, Kind::Thinking, thinking_start);
                delta(out, i, Delta::Signature { signature });
            }
            StreamEvent::RedactedReasoning { index, data } => {
                self.close(out);
                let data = media::encode_base64(data);
                self.block(out, *index, Kind::RedactedThinking, || {
                    BlockOut::RedactedThinking { data }
                });
            }
            StreamEvent::BlockStop { index } => {
                if self.open.is_some_and(|o| o.upstream == *index) {
                    self.close(out);
                }
            }
            StreamEvent::MessageStop { stop_reason } => {
                self.close(out);
                self.stop = Some(stop_reason.clone());
                if self.usage.is_some() {
                    self.message_delta(out);
                }
            }
            StreamEvent::Metadata { usage } => {
                self.usage = Some(*usage);
                if self.stop.is_some() {
                    self.message_delta(out);
                }
            }
        }
    }

    /// Appends `event: error`; the stream then ends without `message_stop`, so clients see a
    /// failure rather than a truncated success.
    fn error(&mut self, err: &ApiError, out: &mut BytesMut) {
        write_error_event(err, out);
    }

    /// Appends what closes a clean stream: anything still held back, then `message_stop`.
    fn done(&mut self, out: &mut BytesMut) {
        self.start(out);
        self.close(out);
        self.message_delta(out);
        write(out, &Frame::MessageStop);
    }
}

impl EventEncoder {
    /// `message_start` (usage is not known yet: Bedrock reports it last) and a `ping`, once.
    fn start(&mut self, out: &mut BytesMut) {
        if self.started {
            return;
        }
        self.started = true;
        let message = StartMessage {
            id: &self.id,
            kind: "message",
            role: "assistant",
            model: &self.model,
            content: [],
            stop_reason: None,
            stop_sequence: None,
            usage: UsageOut::from(&Usage::default()),
        };
        write(out, &Frame::MessageStart { message });
        write(out, &Frame::Ping);
    }

    /// The Anthropic index of the open block for `upstream`, starting one (and closing any
    /// other) when needed.
    fn block<'a>(
        &mut self,
        out: &mut BytesMut,
        upstream: u32,
        kind: Kind,
        start: impl FnOnce() -> BlockOut<'a>,
    ) -> u32 {
        if let Some(open) = self.open
            && open.upstream == upstream
            && open.kind == kind
        {
            return open.index;
        }
        self.close(out);
        let index = self.next_index;
        self.next_index += 1;
        self.open = Some(OpenBlock {
            upstream,
            index,
            kind,
        });
        write(
            out,
            &Frame::ContentBlockStart {
                index,
                content_block: start(),
            },
        );
        index
    }

    fn close(&mut self, out: &mut BytesMut) {
        if let Some(open) = self.open.take() {
            write(out, &Frame::ContentBlockStop { index: open.index });
        }
    }

    fn message_delta(&mut self, out: &mut BytesMut) {
        if self.delta_sent {
            return;
        }
        self.delta_sent = true;
        let reason = self.stop.clone().unwrap_or_default();
        let usage = UsageOut::from(&self.usage.unwrap_or_default());
        write(
            out,
            &Frame::MessageDelta {
                delta: MessageDeltaBody {
                    stop_reason: stop_reason(&reason),
                    stop_sequence: stop_sequence(&reason, &self.stops),
                },
                usage,
            },
        );
    }
}

fn thinking_start<'a>() -> BlockOut<'a> {
    BlockOut::Thinking {
        thinking: "",
        signature: "",
    }
}

fn delta(out: &mut BytesMut, index: u32, delta: Delta<'_>) {
    write(out, &Frame::ContentBlockDelta { index, delta });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `(event name, data)` pairs.
    fn frames(out: &BytesMut) -> Vec<(String, Value)> {
        std::str::from_utf8(out)
            .unwrap()
            .split("\n\n")
            .filter(|f| !f.is_empty())
            .map(|f| {
                let (ev, data) = f.split_once('\n').unwrap();
                let name = ev.strip_prefix("event: ").unwrap().to_owned();
                let data: Value =
                    serde_json::from_str(data.strip_prefix("data: ").unwrap()).unwrap();
                assert_eq!(data["type"], name.as_str(), "event name matches type");
                (name, data)
            })
            .collect()
    }

    #[test]
    fn thinking_text_and_tool_get_their_own_indexes() {
        let mut enc = EventEncoder::new("msg_1", "claude", vec![]);
        let mut out = BytesMut::new();
        let events = [
            StreamEvent::MessageStart,
            StreamEvent::ReasoningDelta {
                index: 0,
                text: "hmm".into(),
            },
            StreamEvent::SignatureDelta {
                index: 0,
                signature: "sig".into(),
            },
            StreamEvent::BlockStop { index: 0 },
            // Bedrock may skip indexes; Anthropic's stay dense.
            StreamEvent::TextDelta {
                index: 2,
                text: "Calling f.".into(),
            },
            StreamEvent::BlockStop { index: 2 },
            StreamEvent::ToolUseStart {
                index: 3,
                id: "tooluse_1".into(),
                name: "f".into(),
            },
            StreamEvent::ToolInputDelta {
                index: 3,
                json: "{\"a\":".into(),
            },
            StreamEvent::ToolInputDelta {
                index: 3,
                json: "1}".into(),
            },
            StreamEvent::BlockStop { index: 3 },
            StreamEvent::MessageStop {
                stop_reason: StopReason::ToolUse,
            },
            StreamEvent::Metadata {
                usage: Usage {
                    input: 7,
                    output: 3,
                    cache_read: 0,
                    cache_write: 0,
                },
            },
        ];
        for ev in &events {
            enc.encode(ev, &mut out);
        }
        enc.done(&mut out);
        let f = frames(&out);
        let names: Vec<&str> = f.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "message_start",
                "ping",
                "content_block_start",
                "content_block_delta",
                "content_block_delta",
                "content_block_stop",
                "content_block_start",
                "content_block_delta",
                "content_block_stop",
                "content_block_start",
                "content_block_delta",
                "content_block_delta",
                "content_block_stop",
                "message_delta",
                "message_stop",
            ]
        );
        assert_eq!(f[0].1["message"]["id"], "msg_1");
        assert_eq!(f[0].1["message"]["content"], json!([]));
        assert_eq!(
            f[2].1,
            json!({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}})
        );
        assert_eq!(
            f[4].1["delta"],
            json!({"type":"signature_delta","signature":"sig"})
        );
        assert_eq!(f[6].1["index"], 1);
        assert_eq!(
            f[9].1,
            json!({"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"tooluse_1","name":"f","input":{}}})
        );
        assert_eq!(
            f[10].1["delta"],
            json!({"type":"input_json_delta","partial_json":"{\"a\":"})
        );
        assert_eq!(f[12].1["index"], 2);
        assert_eq!(
            f[13].1,
            json!({"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},
                   "usage":{"input_tokens":7,"output_tokens":3,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}})
        );
    }

    #[test]
    fn message_delta_waits_for_usage_and_is_sent_once() {
        let mut enc = EventEncoder::new("msg_1", "claude", vec!["END".into()]);
        let mut out = BytesMut::new();
        enc.encode(
            &StreamEvent::TextDelta {
                index: 0,
                text: "a".into(),
            },
            &mut out,
        );
        enc.encode(
            &StreamEvent::MessageStop {
                stop_reason: StopReason::StopSequence,
            },
            &mut out,
        );
        // The open text block is closed at the stop, but no message_delta yet.
        assert_eq!(frames(&out).last().unwrap().0, "content_block_stop");
        enc.encode(
            &StreamEvent::Metadata {
                usage: Usage {
                    input: 1,
                    output: 1,
                    ..Usage::default()
                },
            },
            &mut out,
        );
        enc.done(&mut out);
        let f = frames(&out);
        assert_eq!(f.iter().filter(|(n, _)| n == "message_delta").count(), 1);
        let d = &f[f.len() - 2].1;
        assert_eq!(d["delta"]["stop_sequence"], "END");
        assert_eq!(d["usage"]["output_tokens"], 1);
    }

    #[test]
    fn redacted_thinking_and_errors() {
        let mut enc = EventEncoder::new("msg_1", "claude", vec![]);
        let mut out = BytesMut::new();
        enc.encode(
            &StreamEvent::RedactedReasoning {
                index: 0,
                data: bytes::Bytes::from_static(b"\x00\x01"),
            },
            &mut out,
        );
        enc.encode(&StreamEvent::BlockStop { index: 0 }, &mut out);
        enc.error(&ApiError::internal("boom"), &mut out);
        let f = frames(&out);
        assert_eq!(
            f[2].1["content_block"],
            json!({"type":"redacted_thinking","data":"AAE="})
        );
        assert_eq!(f[3].0, "content_block_stop");
        assert_eq!(
            f[4].1,
            json!({"type":"error","error":{"type":"api_error","message":"boom"}})
        );
    }
}
