//! Converse reply → `gw::ir::ChatResponse`.
//!
//! Undoes what the request translation did (sanitised tool names, the `json_output` tool) and
//! turns the SDK's open-ended unions into IR parts, skipping block types gw does not know yet
//! instead of failing the reply (new ones appear often, bedrock-wire §1.6).

use aws_sdk_bedrockruntime::operation::converse::ConverseOutput;
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConverseOutput as OutputUnion, ReasoningContentBlock,
    StopReason as SdkStopReason, TokenUsage,
};
use axum::http::StatusCode;
use bytes::Bytes;
use serde_json::Value;

use super::document::from_document;
use super::request::ReplyPlan;
use crate::error::{ApiError, ErrorKind};
use crate::ir::{ChatResponse, Part, StopReason, Usage};

/// Translates a Converse reply. Fails (502) only when Bedrock sent no message at all.
pub fn from_converse(out: ConverseOutput, plan: &ReplyPlan) -> Result<ChatResponse, ApiError> {
    let stop_reason = stop_reason(&out.stop_reason);
    let usage = out.usage.as_ref().map(usage).unwrap_or_default();
    let Some(OutputUnion::Message(message)) = out.output else {
        return Err(ApiError::new(
            StatusCode::BAD_GATEWAY,
            ErrorKind::Server,
            "Bedrock returned a reply without a message",
        )
        .with_code("upstream_malformed_response"));
    };
    let mut content = Vec::with_capacity(message.content.len());
    let mut json_answer = false;
    let mut client_tool_calls = false;
    for block in message.content {
        match block {
            ContentBlock::Text(text) => content.push(Part::Text(text)),
            ContentBlock::ToolUse(tool) if plan.is_json_tool(tool.name()) => {
                content.push(Part::Text(json_text(&from_document(tool.input()))));
                json_answer = true;
            }
            ContentBlock::ToolUse(tool) => {
                let input = match from_document(tool.input()) {
                    Value::Null => Value::Object(Default::default()),
                    other => other,
                };
                client_tool_calls = true;
                content.push(Part::ToolUse {
                    id: tool.tool_use_id,
                    name: plan.client_tool_name(&tool.name).to_string(),
                    input,
                });
            }
            ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(r)) => {
                content.push(Part::Reasoning {
                    text: r.text,
                    signature: r.signature,
                });
            }
            ContentBlock::ReasoningContent(ReasoningContentBlock::RedactedContent(blob)) => {
                content.push(Part::RedactedReasoning {
                    data: Bytes::from(blob.into_inner()),
                });
            }
            // Cited answers carry their text in generated-content blocks; keep the text.
            ContentBlock::CitationsContent(cited) => {
                let text: String = cited
                    .content()
                    .iter()
                    .filter_map(|c| c.as_text().ok())
                    .map(String::as_str)
                    .collect();
                if !text.is_empty() {
                    content.push(Part::Text(text));
                }
            }
            _ => {}
        }
    }
    let stop_reason = if json_answer && !client_tool_calls && stop_reason == StopReason::ToolUse {
        StopReason::EndTurn
    } else {
        stop_reason
    };
    Ok(ChatResponse {
        content,
        stop_reason,
        usage,
    })
}

/// Compact JSON text of the `json_output` input: the structured answer itself.
pub(crate) fn json_text(input: &Value) -> String {
    match input {
        Value::Null => "{}".to_string(),
        other => other.to_string(),
    }
}

/// Bedrock's stop reason in IR terms; values this SDK does not know yet keep their wire name.
pub(crate) fn stop_reason(reason: &SdkStopReason) -> StopReason {
    match reason.as_str() {
        "end_turn" => StopReason::EndTurn,
        "tool_use" => StopReason::ToolUse,
        "max_tokens" => StopReason::MaxTokens,
        "stop_sequence" => StopReason::StopSequence,
        "guardrail_intervened" => StopReason::GuardrailIntervened,
        "content_filtered" => StopReason::ContentFiltered,
        "model_context_window_exceeded" => StopReason::ContextWindowExceeded,
        "malformed_model_output" => StopReason::MalformedModelOutput,
        "malformed_tool_use" => StopReason::MalformedToolUse,
        other => StopReason::Other(other.to_string()),
    }
}

/// Token usage with cache reads and writes kept apart from `input` (bug #5: the front door adds
/// them into `prompt_tokens`); absent or negative counts read as 0.
pub(crate) fn usage(u: &TokenUsage) -> Usage {
    let count = |n: i32| u64::try_from(n).unwrap_or(0);
    Usage {
        input: count(u.input_tokens()),
        output: count(u.output_tokens()),
        cache_read: u.cache_read_input_tokens().map_or(0, count),
        cache_write: u.cache_write_input_tokens().map_or(0, count),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::translate::document::to_document;
    use aws_sdk_bedrockruntime::types::{
        ConversationRole, Message, ReasoningTextBlock, TokenUsage, ToolUseBlock,
    };
    use aws_smithy_types::Blob;
    use serde_json::json;

    fn output(blocks: Vec<ContentBlock>, stop: &str, usage: Option<TokenUsage>) -> ConverseOutput {
        let message = Message::builder()
            .role(ConversationRole::Assistant)
            .set_content(Some(blocks))
            .build()
            .expect("message");
        ConverseOutput::builder()
            .output(OutputUnion::Message(message))
            .stop_reason(SdkStopReason::from(stop))
            .set_usage(usage)
            .build()
            .expect("output")
    }

    fn tool_use(id: &str, name: &str, input: Value) -> ContentBlock {
        ContentBlock::ToolUse(
            ToolUseBlock::builder()
                .tool_use_id(id)
                .name(name)
                .input(to_document(&input))
                .build()
                .expect("tool use"),
        )
    }

    fn token_usage(cache: bool) -> TokenUsage {
        let b = TokenUsage::builder()
            .input_tokens(10)
            .output_tokens(5)
            .total_tokens(if cache { 45 } else { 15 });
        let b = if cache {
            b.cache_read_input_tokens(20).cache_write_input_tokens(10)
        } else {
            b
        };
        b.build().expect("usage")
    }

    #[test]
    fn text_tools_and_reasoning_become_parts() {
        let out = output(
            vec![
                ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(
                    ReasoningTextBlock::builder()
                        .text("hmm")
                        .signature("sig")
                        .build()
                        .expect("reasoning"),
                )),
                ContentBlock::ReasoningContent(ReasoningContentBlock::RedactedContent(Blob::new(
                    b"x".to_vec(),
                ))),
                ContentBlock::Text("Checking.".into()),
                tool_use(
                    "tooluse_1",
                    "get_weather",
                    json!({"city": "Oslo", "days": 3}),
                ),
            ],
            "tool_use",
            Some(token_usage(true)),
        );
        let r = from_converse(out, &ReplyPlan::default()).expect("reply");
        assert_eq!(
            r.content,
            vec![
                Part::Reasoning {
                    text: "hmm".into(),
                    signature: Some("sig".into())
                },
                Part::RedactedReasoning {
                    data: Bytes::from_static(b"x")
                },
                Part::Text("Checking.".into()),
                Part::ToolUse {
                    id: "tooluse_1".into(),
                    name: "get_weather".into(),
                    input: json!({"city": "Oslo", "days": 3}),
                },
            ]
        );
        assert_eq!(r.stop_reason, StopReason::ToolUse);
        assert_eq!(
            r.usage,
            Usage {
                input: 10,
                output: 5,
                cache_read: 20,
                cache_write: 10
            }
        );
        assert_eq!(
            r.usage.prompt_total(),
            40,
            "cache reads and writes count as prompt"
        );
    }

    #[test]
    fn sanitised_tool_names_are_mapped_back() {
        let plan = ReplyPlan {
            json_tool: false,
            tool_names: vec![("fs_read".into(), "fs.read".into())],
        };
        let out = output(vec![tool_use("t", "fs_read", json!({}))], "tool_use", None);
        let r = from_converse(out, &plan).expect("reply");
        assert!(matches!(&r.content[0], Part::ToolUse { name, .. } if name == "fs.read"));
        assert_eq!(r.usage, Usage::default(), "missing usage reads as zero");
    }

    #[test]
    fn the_json_tool_answer_becomes_text_and_end_turn() {
        let plan = ReplyPlan {
            json_tool: true,
            tool_names: vec![],
        };
        let out = output(
            vec![tool_use("t", "json_output", json!({"answer": 42}))],
            "tool_use",
            Some(token_usage(false)),
        );
        let r = from_converse(out, &plan).expect("reply");
        assert_eq!(r.content, vec![Part::Text(r#"{"answer":42}"#.into())]);
        assert_eq!(r.stop_reason, StopReason::EndTurn);

        // Without the plan flag a tool named json_output is the client's own.
        let out = output(
            vec![tool_use("t", "json_output", json!({}))],
            "tool_use",
            None,
        );
        let r = from_converse(out, &ReplyPlan::default()).expect("reply");
        assert!(matches!(r.content[0], Part::ToolUse { .. }));
        assert_eq!(r.stop_reason, StopReason::ToolUse);
    }

    #[test]
    fn a_client_tool_call_next_to_the_json_answer_keeps_tool_use() {
        let plan = ReplyPlan {
            json_tool: true,
            tool_names: vec![],
        };
        let out = output(
            vec![
                tool_use("a", "search", json!({"q": "x"})),
                tool_use("b", "json_output", json!({})),
            ],
            "tool_use",
            None,
        );
        let r = from_converse(out, &plan).expect("reply");
        assert_eq!(r.stop_reason, StopReason::ToolUse);
        assert_eq!(r.content[1], Part::Text("{}".into()));
    }

    #[test]
    fn stop_reasons_map_and_unknown_ones_survive() {
        for (wire, ir) in [
            ("end_turn", StopReason::EndTurn),
            ("max_tokens", StopReason::MaxTokens),
            ("stop_sequence", StopReason::StopSequence),
            ("guardrail_intervened", StopReason::GuardrailIntervened),
            ("content_filtered", StopReason::ContentFiltered),
            (
                "model_context_window_exceeded",
                StopReason::ContextWindowExceeded,
            ),
            ("malformed_model_output", StopReason::MalformedModelOutput),
            ("malformed_tool_use", StopReason::MalformedToolUse),
            (
                "brand_new_reason",
                StopReason::Other("brand_new_reason".into()),
            ),
        ] {
            assert_eq!(stop_reason(&SdkStopReason::from(wire)), ir, "{wire}");
        }
    }

    #[test]
    fn unread_block_types_are_skipped() {
        let out = output(
            vec![
                // Block types gw does not read from replies.
                ContentBlock::CachePoint(
                    aws_sdk_bedrockruntime::types::CachePointBlock::builder()
                        .r#type(aws_sdk_bedrockruntime::types::CachePointType::Default)
                        .build()
                        .expect("cache point"),
                ),
                ContentBlock::Video(
                    aws_sdk_bedrockruntime::types::VideoBlock::builder()
                        .format(aws_sdk_bedrockruntime::types::VideoFormat::Mp4)
                        .source(aws_sdk_bedrockruntime::types::VideoSource::Bytes(
                            Blob::new(b"v".to_vec()),
                        ))
                        .build()
                        .expect("video"),
                ),
                ContentBlock::Text("ok".into()),
            ],
            "end_turn",
            None,
        );
        let r = from_converse(out, &ReplyPlan::default()).expect("reply");
        assert_eq!(r.content, vec![Part::Text("ok".into())]);
    }

    #[test]
    fn a_reply_without_a_message_is_a_502() {
        let out = ConverseOutput::builder()
            .stop_reason(SdkStopReason::EndTurn)
            .build()
            .expect("output");
        let e = from_converse(out, &ReplyPlan::default()).expect_err("no message");
        assert_eq!(e.status.as_u16(), 502);
    }
}
