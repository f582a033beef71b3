//! IR conversation → Converse `messages`, normalised so Bedrock accepts it.
//!
//! Front doors keep the client's turns as sent; Bedrock is stricter than every client API: roles
//! must alternate (bug #1), the first turn must be the user's, text must not be blank (bug #7),
//! tool ids must match its pattern (bug #8) and blobs are raw bytes. All of that is fixed here,
//! once, for every front door.

use aws_sdk_bedrockruntime::types::{
    CachePointBlock, CachePointType, ContentBlock, ConversationRole, DocumentBlock,
    DocumentFormat as SdkDocumentFormat, DocumentSource, ImageBlock, ImageFormat as SdkImageFormat,
    ImageSource, Message as SdkMessage, ReasoningContentBlock, ReasoningTextBlock, ToolResultBlock,
    ToolResultContentBlock, ToolResultStatus, ToolUseBlock,
};
use aws_smithy_types::Blob;
use bytes::Bytes;
use serde_json::Value;

use super::caps::Capabilities;
use super::document::to_document;
use super::names::{ToolNames, bedrock_tool_id};
use super::sdk::sdk;
use crate::error::ApiError;
use crate::ir::{DocumentFormat, ImageFormat, Message, Part, Role, ToolResultPart};

/// The user turn put in front of a conversation that starts with the assistant (Converse requires
/// a user turn first). Neutral on purpose: it must not steer the model.
pub const CONTINUE_TEXT: &str = "(continue)";

/// Tool result text sent when the tool's output was empty (an empty or blank result is a 400).
pub const EMPTY_TOOL_RESULT_TEXT: &str = "(no output)";

/// Text added to a user turn that carries documents but no text, which Converse rejects.
pub const DOCUMENT_ONLY_TEXT: &str = "(see the attached document)";

/// Converts and normalises the conversation. `folded_system` is system text for models without a
/// system prompt; it is prepended to the first user text.
pub(crate) fn to_sdk_messages(
    messages: &[Message],
    caps: &Capabilities,
    names: &ToolNames,
    folded_system: Option<&str>,
) -> Result<Vec<SdkMessage>, ApiError> {
    let mut turns: Vec<(Role, Vec<ContentBlock>)> = Vec::new();
    for message in messages {
        let mut blocks = Vec::with_capacity(message.content.len());
        for part in &message.content {
            if let Some(block) = to_block(part, caps, names)? {
                blocks.push(block);
            }
        }
        if !blocks.iter().any(|b| !b.is_cache_point()) {
            continue;
        }
        match turns.last_mut() {
            Some((role, existing)) if *role == message.role => existing.extend(blocks),
            _ => turns.push((message.role, blocks)),
        }
    }
    if turns.is_empty() {
        return Err(ApiError::invalid_request(
            "`messages` has no non-empty message; send at least one user message with content",
        )
        .with_param("messages"));
    }
    if turns[0].0 == Role::Assistant {
        turns.insert(
            0,
            (Role::User, vec![ContentBlock::Text(CONTINUE_TEXT.into())]),
        );
    }
    for (role, blocks) in &mut turns {
        if *role == Role::User {
            // Tool results must come first in a user turn (bug #1: a user message that follows
            // parallel tool results is merged into the same turn, after them).
            blocks.sort_by_key(|b| !b.is_tool_result());
            if blocks.iter().any(ContentBlock::is_document) && !blocks.iter().any(|b| b.is_text()) {
                blocks.push(ContentBlock::Text(DOCUMENT_ONLY_TEXT.into()));
            }
        }
        drop_stray_cache_points(blocks);
    }
    if let Some(system) = folded_system.filter(|s| !s.trim().is_empty()) {
        fold_into_first_text(&mut turns[0].1, system);
    }
    turns
        .into_iter()
        .map(|(role, blocks)| {
            let role = match role {
                Role::User => ConversationRole::User,
                Role::Assistant => ConversationRole::Assistant,
            };
            sdk(SdkMessage::builder()
                .role(role)
                .set_content(Some(blocks))
                .build())
        })
        .collect()
}

/// One IR part → at most one content block; `None` for parts Bedrock must not see (blank text,
/// cache points or reasoning the model does not take).
fn to_block(
    part: &Part,
    caps: &Capabilities,
    names: &ToolNames,
) -> Result<Option<ContentBlock>, ApiError> {
    Ok(Some(match part {
        Part::Text(text) if text.trim().is_empty() => return Ok(None),
        Part::Text(text) => ContentBlock::Text(text.clone()),
        Part::Image { format, data } => ContentBlock::Image(image(*format, data)?),
        Part::Document { format, name, data } => {
            ContentBlock::Document(sdk(DocumentBlock::builder()
                .format(document_format(*format))
                .name(name.clone())
                .source(DocumentSource::Bytes(blob(data)))
                .build())?)
        }
        Part::ToolUse { id, name, input } => {
            let input = match input {
                Value::Null => Value::Object(Default::default()),
                other => other.clone(),
            };
            ContentBlock::ToolUse(sdk(ToolUseBlock::builder()
                .tool_use_id(bedrock_tool_id(id))
                .name(names.bedrock(name))
                .input(to_document(&input))
                .build())?)
        }
        Part::ToolResult {
            id,
            content,
            is_error,
        } => ContentBlock::ToolResult(tool_result(id, content, *is_error)?),
        // Reasoning only goes to models that produce it; others reject `reasoningContent`.
        Part::Reasoning { .. } | Part::RedactedReasoning { .. } if !caps.thinking => {
            return Ok(None);
        }
        Part::Reasoning { text, signature } if text.is_empty() && signature.is_none() => {
            return Ok(None);
        }
        Part::Reasoning { text, signature } => ContentBlock::ReasoningContent(
            ReasoningContentBlock::ReasoningText(sdk(ReasoningTextBlock::builder()
                .text(text.clone())
                .set_signature(signature.clone())
                .build())?),
        ),
        Part::RedactedReasoning { data } => {
            ContentBlock::ReasoningContent(ReasoningContentBlock::RedactedContent(blob(data)))
        }
        Part::CachePoint if caps.cache_points => ContentBlock::CachePoint(cache_point()?),
        Part::CachePoint => return Ok(None),
    }))
}

fn tool_result(
    id: &str,
    content: &[ToolResultPart],
    is_error: bool,
) -> Result<ToolResultBlock, ApiError> {
    let mut blocks = Vec::with_capacity(content.len().max(1));
    for part in content {
        match part {
            ToolResultPart::Text(text) if text.trim().is_empty() => {}
            ToolResultPart::Text(text) => blocks.push(ToolResultContentBlock::Text(text.clone())),
            // Bedrock takes only objects as `json`; anything else goes as its JSON text.
            ToolResultPart::Json(value @ Value::Object(_)) => {
                blocks.push(ToolResultContentBlock::Json(to_document(value)));
            }
            ToolResultPart::Json(value) => {
                blocks.push(ToolResultContentBlock::Text(value.to_string()));
            }
            ToolResultPart::Image { format, data } => {
                blocks.push(ToolResultContentBlock::Image(image(*format, data)?));
            }
        }
    }
    if blocks.is_empty() {
        blocks.push(ToolResultContentBlock::Text(EMPTY_TOOL_RESULT_TEXT.into()));
    }
    sdk(ToolResultBlock::builder()
        .tool_use_id(bedrock_tool_id(id))
        .set_content(Some(blocks))
        .set_status(is_error.then_some(ToolResultStatus::Error))
        .build())
}

/// The cache point block (`type: default`), shared by messages, system and tools.
pub(crate) fn cache_point() -> Result<CachePointBlock, ApiError> {
    sdk(CachePointBlock::builder()
        .r#type(CachePointType::Default)
        .build())
}

fn image(format: ImageFormat, data: &Bytes) -> Result<ImageBlock, ApiError> {
    let format = match format {
        ImageFormat::Png => SdkImageFormat::Png,
        ImageFormat::Jpeg => SdkImageFormat::Jpeg,
        ImageFormat::Gif => SdkImageFormat::Gif,
        ImageFormat::Webp => SdkImageFormat::Webp,
    };
    sdk(ImageBlock::builder()
        .format(format)
        .source(ImageSource::Bytes(blob(data)))
        .build())
}

fn document_format(format: DocumentFormat) -> SdkDocumentFormat {
    match format {
        DocumentFormat::Pdf => SdkDocumentFormat::Pdf,
        DocumentFormat::Csv => SdkDocumentFormat::Csv,
        DocumentFormat::Doc => SdkDocumentFormat::Doc,
        DocumentFormat::Docx => SdkDocumentFormat::Docx,
        DocumentFormat::Xls => SdkDocumentFormat::Xls,
        DocumentFormat::Xlsx => SdkDocumentFormat::Xlsx,
        DocumentFormat::Html => SdkDocumentFormat::Html,
        DocumentFormat::Txt => SdkDocumentFormat::Txt,
        DocumentFormat::Md => SdkDocumentFormat::Md,
    }
}

/// Raw bytes for the SDK, which base64-encodes them on the wire itself.
fn blob(data: &Bytes) -> Blob {
    Blob::new(data.to_vec())
}

/// A cache point must follow content: drop one at the start of a turn or right after another.
fn drop_stray_cache_points(blocks: &mut Vec<ContentBlock>) {
    let mut previous_was_content = false;
    blocks.retain(|b| {
        let keep = !b.is_cache_point() || previous_was_content;
        previous_was_content = !b.is_cache_point();
        keep
    });
}

/// Prepends system text to the first text block of a user turn, or adds it as a text block after
/// any tool results.
fn fold_into_first_text(blocks: &mut Vec<ContentBlock>, system: &str) {
    if let Some(ContentBlock::Text(text)) = blocks.iter_mut().find(|b| b.is_text()) {
        *text = format!("{system}\n\n{text}");
        return;
    }
    let at = blocks.iter().take_while(|b| b.is_tool_result()).count();
    blocks.insert(at, ContentBlock::Text(system.to_string()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::translate::document::from_document;
    use crate::translate::names::valid_tool_id;
    use crate::translate::test_support::*;
    use serde_json::json;

    fn roles(msgs: &[SdkMessage]) -> Vec<&str> {
        msgs.iter().map(|m| m.role().as_str()).collect()
    }

    #[test]
    fn parallel_tool_results_and_a_following_user_turn_become_one_message() {
        // OpenAI: assistant(2 calls), tool, tool, user — three user-side messages in a row.
        let req = request(vec![
            user(vec![text("weather in Paris and Rome?")]),
            assistant(vec![
                tool_use("call_1", "weather", json!({"city": "Paris"})),
                tool_use("call_2", "weather", json!({"city": "Rome"})),
            ]),
            user(vec![tool_result_text("call_1", "sunny")]),
            user(vec![tool_result_text("call_2", "rain")]),
            user(vec![text("and tomorrow?")]),
        ]);
        let c = call(&req, CLAUDE_45);
        assert_eq!(roles(&c.messages), ["user", "assistant", "user"]);
        let last = c.messages[2].content();
        assert_eq!(last.len(), 3);
        assert_eq!(
            last[0].as_tool_result().map(|r| r.tool_use_id()),
            Ok("call_1")
        );
        assert_eq!(
            last[1].as_tool_result().map(|r| r.tool_use_id()),
            Ok("call_2")
        );
        assert_eq!(last[2].as_text().map(String::as_str), Ok("and tomorrow?"));
    }

    #[test]
    fn user_text_before_tool_results_in_one_turn_is_moved_after_them() {
        let req = request(vec![
            user(vec![text("go")]),
            assistant(vec![tool_use("a", "t", json!({}))]),
            user(vec![text("note"), tool_result_text("a", "done")]),
        ]);
        let c = call(&req, NOVA);
        let last = c.messages[2].content();
        assert!(last[0].is_tool_result() && last[1].is_text());
    }

    #[test]
    fn consecutive_assistant_turns_merge_too() {
        let req = request(vec![
            user(vec![text("hi")]),
            assistant(vec![text("one")]),
            assistant(vec![text("two")]),
        ]);
        let c = call(&req, NOVA);
        assert_eq!(roles(&c.messages), ["user", "assistant"]);
        assert_eq!(c.messages[1].content().len(), 2);
    }

    #[test]
    fn blank_text_is_dropped_and_empty_turns_vanish() {
        // An assistant turn with only tool calls arrives from OpenAI as content "" + tool_calls.
        let req = request(vec![
            user(vec![text("go"), text(""), text(" \n ")]),
            assistant(vec![text(""), tool_use("a", "t", json!({}))]),
            user(vec![
                Part::ToolResult {
                    id: "a".into(),
                    content: vec![ToolResultPart::Text("  ".into())],
                    is_error: false,
                },
                text(""),
            ]),
            assistant(vec![text("   ")]),
        ]);
        let c = call(&req, NOVA);
        assert_eq!(roles(&c.messages), ["user", "assistant", "user"]);
        for m in &c.messages {
            for b in m.content() {
                if let Ok(t) = b.as_text() {
                    assert!(!t.trim().is_empty(), "blank text sent");
                }
            }
        }
        assert_eq!(c.messages[0].content().len(), 1);
        assert_eq!(c.messages[1].content().len(), 1);
        let result = c.messages[2].content()[0].as_tool_result().expect("result");
        assert_eq!(
            result.content()[0].as_text().map(String::as_str),
            Ok(EMPTY_TOOL_RESULT_TEXT)
        );
    }

    #[test]
    fn a_conversation_starting_with_the_assistant_gets_a_neutral_user_turn() {
        let req = request(vec![
            assistant(vec![text("I am ready.")]),
            user(vec![text("go")]),
        ]);
        let c = call(&req, NOVA);
        assert_eq!(roles(&c.messages), ["user", "assistant", "user"]);
        assert_eq!(
            c.messages[0].content()[0].as_text().map(String::as_str),
            Ok(CONTINUE_TEXT)
        );
    }

    #[test]
    fn foreign_tool_ids_are_aliased_the_same_way_in_use_and_result() {
        let foreign = "call/with spaces/and-a-very-long-suffix-0123456789-0123456789-0123456789";
        let req = request(vec![
            user(vec![text("go")]),
            assistant(vec![tool_use(foreign, "t", json!({"x": 1}))]),
            user(vec![tool_result_text(foreign, "ok")]),
        ]);
        let c = call(&req, CLAUDE_45);
        let used = c.messages[1].content()[0].as_tool_use().expect("use");
        let result = c.messages[2].content()[0].as_tool_result().expect("result");
        assert!(valid_tool_id(used.tool_use_id()), "{}", used.tool_use_id());
        assert_ne!(used.tool_use_id(), foreign);
        assert_eq!(used.tool_use_id(), result.tool_use_id());
        assert_eq!(from_document(used.input()), json!({"x": 1}));
        // Same input, same alias: the next turn of the same conversation matches.
        let again = call(&req, CLAUDE_45);
        let again = again.messages[1].content()[0].as_tool_use().expect("use");
        assert_eq!(again.tool_use_id(), used.tool_use_id());
    }

    #[test]
    fn history_tool_names_are_sanitised_consistently() {
        let mut req = request(vec![
            user(vec![text("go")]),
            assistant(vec![tool_use("a", "fs.read", json!({}))]),
            user(vec![tool_result_text("a", "data")]),
        ]);
        req.tools = vec![tool("fs.read")];
        let c = call(&req, CLAUDE_45);
        let used = c.messages[1].content()[0].as_tool_use().expect("use");
        let spec_name = c.tool_config.as_ref().expect("config").tools()[0]
            .as_tool_spec()
            .expect("spec")
            .name()
            .to_string();
        assert_eq!(used.name(), "fs_read");
        assert_eq!(spec_name, "fs_read");
    }

    #[test]
    fn images_and_documents_are_raw_bytes() {
        let png = Bytes::from_static(b"\x89PNG\r\n\x1a\nrest");
        let req = request(vec![user(vec![
            Part::Image {
                format: ImageFormat::Png,
                data: png.clone(),
            },
            Part::Document {
                format: DocumentFormat::Pdf,
                name: "report".into(),
                data: Bytes::from_static(b"%PDF-1.7"),
            },
            text("summarise"),
        ])]);
        let c = call(&req, NOVA);
        let blocks = c.messages[0].content();
        let image = blocks[0].as_image().expect("image");
        assert_eq!(image.format().as_str(), "png");
        let Some(ImageSource::Bytes(b)) = image.source() else {
            panic!("image source is not bytes");
        };
        assert_eq!(b.as_ref(), png.as_ref(), "bytes, not base64 text");
        let doc = blocks[1].as_document().expect("document");
        assert_eq!((doc.name(), doc.format().as_str()), ("report", "pdf"));
        let Some(DocumentSource::Bytes(d)) = doc.source() else {
            panic!("document source is not bytes");
        };
        assert_eq!(d.as_ref(), b"%PDF-1.7");
    }

    #[test]
    fn a_document_without_text_gets_a_text_block() {
        let req = request(vec![user(vec![Part::Document {
            format: DocumentFormat::Txt,
            name: "notes".into(),
            data: Bytes::from_static(b"x"),
        }])]);
        let c = call(&req, NOVA);
        let blocks = c.messages[0].content();
        assert!(blocks[0].is_document());
        assert_eq!(
            blocks[1].as_text().map(String::as_str),
            Ok(DOCUMENT_ONLY_TEXT)
        );
    }

    #[test]
    fn tool_results_carry_json_text_images_and_error_status() {
        let req = request(vec![
            user(vec![text("go")]),
            assistant(vec![tool_use("a", "t", json!({}))]),
            user(vec![Part::ToolResult {
                id: "a".into(),
                content: vec![
                    ToolResultPart::Json(json!({"temp": 21})),
                    ToolResultPart::Json(json!([1, 2])),
                    ToolResultPart::Text("partial".into()),
                    ToolResultPart::Image {
                        format: ImageFormat::Jpeg,
                        data: Bytes::from_static(b"jpg"),
                    },
                ],
                is_error: true,
            }]),
        ]);
        let c = call(&req, CLAUDE_45);
        let result = c.messages[2].content()[0].as_tool_result().expect("result");
        assert_eq!(result.status().map(|s| s.as_str()), Some("error"));
        let content = result.content();
        assert_eq!(
            content[0].as_json().map(from_document),
            Ok(json!({"temp": 21}))
        );
        assert_eq!(
            content[1].as_text().map(String::as_str),
            Ok("[1,2]"),
            "json must be an object"
        );
        assert_eq!(content[2].as_text().map(String::as_str), Ok("partial"));
        assert!(content[3].is_image());

        let ok = request(vec![
            user(vec![text("go")]),
            assistant(vec![tool_use("a", "t", json!({}))]),
            user(vec![tool_result_text("a", "fine")]),
        ]);
        let c = call(&ok, CLAUDE_45);
        let result = c.messages[2].content()[0].as_tool_result().expect("result");
        assert_eq!(result.status(), None);
    }

    #[test]
    fn reasoning_round_trips_with_its_signature() {
        let req = request(vec![
            user(vec![text("go")]),
            assistant(vec![
                Part::Reasoning {
                    text: "let me think".into(),
                    signature: Some("sig==".into()),
                },
                Part::RedactedReasoning {
                    data: Bytes::from_static(b"opaque"),
                },
                tool_use("a", "t", json!({})),
            ]),
            user(vec![tool_result_text("a", "ok")]),
        ]);
        let c = call(&req, CLAUDE_37);
        let blocks = c.messages[1].content();
        let Ok(ReasoningContentBlock::ReasoningText(r)) = blocks[0].as_reasoning_content() else {
            panic!("no reasoning text");
        };
        assert_eq!((r.text(), r.signature()), ("let me think", Some("sig==")));
        let Ok(ReasoningContentBlock::RedactedContent(b)) = blocks[1].as_reasoning_content() else {
            panic!("no redacted reasoning");
        };
        assert_eq!(b.as_ref(), b"opaque");
        assert!(blocks[2].is_tool_use());

        // Models that do not reason reject reasoning blocks: dropped.
        let c = call(&req, NOVA);
        assert_eq!(c.messages[1].content().len(), 1);
    }

    #[test]
    fn cache_points_follow_content_or_are_dropped() {
        let req = request(vec![user(vec![
            Part::CachePoint,
            text("long context"),
            Part::CachePoint,
            Part::CachePoint,
        ])]);
        let c = call(&req, CLAUDE_45);
        let blocks = c.messages[0].content();
        assert_eq!(blocks.len(), 2);
        assert!(blocks[0].is_text() && blocks[1].is_cache_point());

        let c = call(&req, LLAMA);
        assert_eq!(c.messages[0].content().len(), 1);
        assert!(c.messages[0].content()[0].is_text());
    }
}
