//! ConverseStream events → `gw::ir::StreamEvent`s, one SDK event at a time.
//!
//! The mapper keeps only what it must (which block indexes belong to the `json_output` tool,
//! whether a client tool was called, whether `messageStop` arrived) and emits events as they come,
//! so a long reply is never held in memory. Block indexes are passed through untouched: turning
//! them into OpenAI tool-call ordinals is the front door's job (bug #3).

use aws_sdk_bedrockruntime::types::{
    ContentBlockDelta, ContentBlockStart, ConverseStreamOutput, ReasoningContentBlockDelta,
};
use bytes::Bytes;

use super::request::ReplyPlan;
use super::response::{stop_reason, usage};
use crate::ir::{StopReason, StreamEvent};

/// Stateful translator for one ConverseStream reply.
#[derive(Debug)]
pub struct StreamMapper {
    plan: ReplyPlan,
    /// `(block index, produced any input)` for the open `json_output` blocks.
    json_blocks: Vec<(u32, bool)>,
    client_tool_called: bool,
    saw_message_stop: bool,
}

impl StreamMapper {
    /// A mapper for the reply to a request translated with `plan`.
    pub fn new(plan: ReplyPlan) -> Self {
        Self {
            plan,
            json_blocks: Vec::new(),
            client_tool_called: false,
            saw_message_stop: false,
        }
    }

    /// Whether `messageStop` arrived; a stream that ends without it was cut off and must be
    /// reported as an error, not as a clean finish.
    pub fn saw_message_stop(&self) -> bool {
        self.saw_message_stop
    }

    /// Translates one SDK event, pushing zero or more IR events onto `out`. Unknown event, block
    /// and delta types are ignored.
    pub fn map(&mut self, ev: ConverseStreamOutput, out: &mut Vec<StreamEvent>) {
        match ev {
            ConverseStreamOutput::MessageStart(_) => out.push(StreamEvent::MessageStart),
            ConverseStreamOutput::ContentBlockStart(start) => {
                let index = index(start.content_block_index);
                if let Some(ContentBlockStart::ToolUse(tool)) = start.start {
                    if self.plan.is_json_tool(&tool.name) {
                        // The answer streams as text in this block; its tool start is gw's own.
                        self.json_blocks.push((index, false));
                    } else {
                        self.client_tool_called = true;
                        out.push(StreamEvent::ToolUseStart {
                            index,
                            name: self.plan.client_tool_name(&tool.name).to_string(),
                            id: tool.tool_use_id,
                        });
                    }
                }
            }
            ConverseStreamOutput::ContentBlockDelta(delta) => {
                let index = index(delta.content_block_index);
                match delta.delta {
                    Some(ContentBlockDelta::Text(text)) => {
                        out.push(StreamEvent::TextDelta { index, text });
                    }
                    Some(ContentBlockDelta::ToolUse(tool)) => {
                        if let Some(block) = self.json_block(index) {
                            block.1 |= !tool.input.is_empty();
                            out.push(StreamEvent::TextDelta {
                                index,
                                text: tool.input,
                            });
                        } else {
                            out.push(StreamEvent::ToolInputDelta {
                                index,
                                json: tool.input,
                            });
                        }
                    }
                    Some(ContentBlockDelta::ReasoningContent(reasoning)) => match reasoning {
                        ReasoningContentBlockDelta::Text(text) => {
                            out.push(StreamEvent::ReasoningDelta { index, text });
                        }
                        ReasoningContentBlockDelta::Signature(signature) => {
                            out.push(StreamEvent::SignatureDelta { index, signature });
                        }
                        ReasoningContentBlockDelta::RedactedContent(blob) => {
                            out.push(StreamEvent::RedactedReasoning {
                                index,
                                data: Bytes::from(blob.into_inner()),
                            });
                        }
                        _ => {}
                    },
                    _ => {}
                }
            }
            ConverseStreamOutput::ContentBlockStop(stop) => {
                let index = index(stop.content_block_index);
                if let Some(at) = self.json_blocks.iter().position(|(i, _)| *i == index) {
                    // A tool called with no input still answers `{}`, not an empty string.
                    if !self.json_blocks.swap_remove(at).1 {
                        out.push(StreamEvent::TextDelta {
                            index,
                            text: "{}".to_string(),
                        });
                    }
                }
                out.push(StreamEvent::BlockStop { index });
            }
            ConverseStreamOutput::MessageStop(stop) => {
                self.saw_message_stop = true;
                let mut reason = stop_reason(&stop.stop_reason);
                if self.plan.json_tool && !self.client_tool_called && reason == StopReason::ToolUse
                {
                    reason = StopReason::EndTurn;
                }
                out.push(StreamEvent::MessageStop {
                    stop_reason: reason,
                });
            }
            ConverseStreamOutput::Metadata(meta) => {
                if let Some(u) = meta.usage.as_ref() {
                    out.push(StreamEvent::Metadata { usage: usage(u) });
                }
            }
            _ => {}
        }
    }

    fn json_block(&mut self, index: u32) -> Option<&mut (u32, bool)> {
        self.json_blocks.iter_mut().find(|(i, _)| *i == index)
    }
}

/// Converse block indexes are never negative; a corrupt one maps to 0 rather than panicking.
fn index(i: i32) -> u32 {
    u32::try_from(i).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Usage;
    use aws_sdk_bedrockruntime::types::{
        ContentBlockDeltaEvent, ContentBlockStartEvent, ContentBlockStopEvent, ConversationRole,
        ConverseStreamMetadataEvent, MessageStartEvent, MessageStopEvent,
        StopReason as SdkStopReason, TokenUsage, ToolUseBlockDelta, ToolUseBlockStart,
    };
    use aws_smithy_types::Blob;

    fn start() -> ConverseStreamOutput {
        ConverseStreamOutput::MessageStart(
            MessageStartEvent::builder()
                .role(ConversationRole::Assistant)
                .build()
                .expect("start"),
        )
    }

    fn tool_start(index: i32, id: &str, name: &str) -> ConverseStreamOutput {
        ConverseStreamOutput::ContentBlockStart(
            ContentBlockStartEvent::builder()
                .content_block_index(index)
                .start(ContentBlockStart::ToolUse(
                    ToolUseBlockStart::builder()
                        .tool_use_id(id)
                        .name(name)
                        .build()
                        .expect("tool start"),
                ))
                .build()
                .expect("block start"),
        )
    }

    fn delta(index: i32, delta: ContentBlockDelta) -> ConverseStreamOutput {
        ConverseStreamOutput::ContentBlockDelta(
            ContentBlockDeltaEvent::builder()
                .content_block_index(index)
                .delta(delta)
                .build()
                .expect("delta"),
        )
    }

    fn text(index: i32, s: &str) -> ConverseStreamOutput {
        delta(index, ContentBlockDelta::Text(s.into()))
    }

    fn input(index: i32, s: &str) -> ConverseStreamOutput {
        delta(
            index,
            ContentBlockDelta::ToolUse(
                ToolUseBlockDelta::builder()
                    .input(s)
                    .build()
                    .expect("input"),
            ),
        )
    }

    fn block_stop(index: i32) -> ConverseStreamOutput {
        ConverseStreamOutput::ContentBlockStop(
            ContentBlockStopEvent::builder()
                .content_block_index(index)
                .build()
                .expect("stop"),
        )
    }

    fn message_stop(reason: SdkStopReason) -> ConverseStreamOutput {
        ConverseStreamOutput::MessageStop(
            MessageStopEvent::builder()
                .stop_reason(reason)
                .build()
                .expect("message stop"),
        )
    }

    fn metadata() -> ConverseStreamOutput {
        ConverseStreamOutput::Metadata(
            ConverseStreamMetadataEvent::builder()
                .usage(
                    TokenUsage::builder()
                        .input_tokens(3)
                        .output_tokens(4)
                        .total_tokens(12)
                        .cache_read_input_tokens(5)
                        .build()
                        .expect("usage"),
                )
                .build(),
        )
    }

    fn run(plan: ReplyPlan, events: Vec<ConverseStreamOutput>) -> (Vec<StreamEvent>, bool) {
        let mut mapper = StreamMapper::new(plan);
        let mut out = Vec::new();
        for ev in events {
            mapper.map(ev, &mut out);
        }
        (out, mapper.saw_message_stop())
    }

    #[test]
    fn text_then_parallel_tools_keep_their_block_indexes() {
        let plan = ReplyPlan {
            json_tool: false,
            tool_names: vec![("fs_read".into(), "fs.read".into())],
        };
        let (out, stopped) = run(
            plan,
            vec![
                start(),
                text(0, "Let me check."),
                block_stop(0),
                tool_start(1, "t1", "fs_read"),
                tool_start(2, "t2", "search"),
                input(1, "{\"path\":"),
                input(2, "{}"),
                input(1, "\"/a\"}"),
                block_stop(1),
                block_stop(2),
                message_stop(SdkStopReason::ToolUse),
                metadata(),
            ],
        );
        assert!(stopped);
        assert_eq!(
            out,
            vec![
                StreamEvent::MessageStart,
                StreamEvent::TextDelta {
                    index: 0,
                    text: "Let me check.".into()
                },
                StreamEvent::BlockStop { index: 0 },
                StreamEvent::ToolUseStart {
                    index: 1,
                    id: "t1".into(),
                    name: "fs.read".into()
                },
                StreamEvent::ToolUseStart {
                    index: 2,
                    id: "t2".into(),
                    name: "search".into()
                },
                StreamEvent::ToolInputDelta {
                    index: 1,
                    json: "{\"path\":".into()
                },
                StreamEvent::ToolInputDelta {
                    index: 2,
                    json: "{}".into()
                },
                StreamEvent::ToolInputDelta {
                    index: 1,
                    json: "\"/a\"}".into()
                },
                StreamEvent::BlockStop { index: 1 },
                StreamEvent::BlockStop { index: 2 },
                StreamEvent::MessageStop {
                    stop_reason: StopReason::ToolUse
                },
                StreamEvent::Metadata {
                    usage: Usage {
                        input: 3,
                        output: 4,
                        cache_read: 5,
                        cache_write: 0
                    }
                },
            ]
        );
    }

    #[test]
    fn each_event_is_emitted_as_it_arrives() {
        let mut mapper = StreamMapper::new(ReplyPlan::default());
        let mut out = Vec::new();
        mapper.map(start(), &mut out);
        assert_eq!(out.len(), 1);
        mapper.map(text(0, "a"), &mut out);
        assert_eq!(out.len(), 2, "no buffering of text");
        assert!(!mapper.saw_message_stop());
    }

    #[test]
    fn reasoning_deltas_map_one_to_one() {
        let (out, _) = run(
            ReplyPlan::default(),
            vec![
                delta(
                    0,
                    ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::Text(
                        "think".into(),
                    )),
                ),
                delta(
                    0,
                    ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::Signature(
                        "sig".into(),
                    )),
                ),
                delta(
                    1,
                    ContentBlockDelta::ReasoningContent(
                        ReasoningContentBlockDelta::RedactedContent(Blob::new(b"r".to_vec())),
                    ),
                ),
            ],
        );
        assert_eq!(
            out,
            vec![
                StreamEvent::ReasoningDelta {
                    index: 0,
                    text: "think".into()
                },
                StreamEvent::SignatureDelta {
                    index: 0,
                    signature: "sig".into()
                },
                StreamEvent::RedactedReasoning {
                    index: 1,
                    data: Bytes::from_static(b"r")
                },
            ]
        );
    }

    #[test]
    fn the_json_tool_streams_as_text_and_ends_the_turn() {
        let plan = ReplyPlan {
            json_tool: true,
            tool_names: vec![],
        };
        let (out, _) = run(
            plan,
            vec![
                start(),
                tool_start(0, "t", "json_output"),
                input(0, "{\"a\":"),
                input(0, "1}"),
                block_stop(0),
                message_stop(SdkStopReason::ToolUse),
            ],
        );
        assert_eq!(
            out,
            vec![
                StreamEvent::MessageStart,
                StreamEvent::TextDelta {
                    index: 0,
                    text: "{\"a\":".into()
                },
                StreamEvent::TextDelta {
                    index: 0,
                    text: "1}".into()
                },
                StreamEvent::BlockStop { index: 0 },
                StreamEvent::MessageStop {
                    stop_reason: StopReason::EndTurn
                },
            ]
        );
    }

    #[test]
    fn an_empty_json_tool_input_answers_an_empty_object() {
        let plan = ReplyPlan {
            json_tool: true,
            tool_names: vec![],
        };
        let (out, _) = run(plan, vec![tool_start(0, "t", "json_output"), block_stop(0)]);
        assert_eq!(
            out,
            vec![
                StreamEvent::TextDelta {
                    index: 0,
                    text: "{}".into()
                },
                StreamEvent::BlockStop { index: 0 },
            ]
        );
    }

    #[test]
    fn a_client_tool_beside_the_json_tool_keeps_tool_use() {
        let plan = ReplyPlan {
            json_tool: true,
            tool_names: vec![],
        };
        let (out, _) = run(
            plan,
            vec![
                tool_start(0, "a", "search"),
                block_stop(0),
                message_stop(SdkStopReason::ToolUse),
            ],
        );
        assert_eq!(
            out.last(),
            Some(&StreamEvent::MessageStop {
                stop_reason: StopReason::ToolUse
            })
        );
    }

    #[test]
    fn unread_events_and_deltas_are_ignored_and_a_cut_stream_is_visible() {
        let (out, stopped) = run(
            ReplyPlan::default(),
            vec![
                // Event and delta kinds gw does not read.
                ConverseStreamOutput::ContentBlockStart(
                    ContentBlockStartEvent::builder()
                        .content_block_index(0)
                        .start(ContentBlockStart::Image(
                            aws_sdk_bedrockruntime::types::ImageBlockStart::builder()
                                .format(aws_sdk_bedrockruntime::types::ImageFormat::Png)
                                .build()
                                .expect("image start"),
                        ))
                        .build()
                        .expect("start"),
                ),
                delta(0, ContentBlockDelta::ToolResult(vec![])),
                text(0, "partial"),
            ],
        );
        assert_eq!(
            out,
            vec![StreamEvent::TextDelta {
                index: 0,
                text: "partial".into()
            }]
        );
        assert!(!stopped, "no messageStop: the caller must report an error");
    }

    #[test]
    fn unknown_stop_reasons_survive() {
        let (out, stopped) = run(
            ReplyPlan::default(),
            vec![message_stop(SdkStopReason::from("new_reason"))],
        );
        assert!(stopped);
        assert_eq!(
            out,
            vec![StreamEvent::MessageStop {
                stop_reason: StopReason::Other("new_reason".into())
            }]
        );
    }
}
