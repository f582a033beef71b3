//! Anthropic `system` and `messages` → IR system blocks and messages.
//!
//! Each block maps to one IR part; `cache_control` becomes a cache point after its block.
//! Merging same-role neighbours and dropping blank text is left to the Converse translator,
//! which does it once for every front door. Thinking signatures and redacted thinking travel
//! untouched, since Bedrock rejects a tool turn whose thinking was altered.

use serde_json::Value;

use super::types::{
    ContentBlockParam, MessageContent, MessageParam, SystemParam, ToolResultContent,
};
use crate::error::ApiError;
use crate::ir::{DocumentFormat, Message, Part, Role, SystemBlock, ToolResultPart};
use crate::media::{self, DocNames};
use crate::parts::{self, bad, push_cache_point, push_text, quote};

/// Appends the top-level system prompt.
pub(crate) fn system(s: SystemParam, out: &mut Vec<SystemBlock>) -> Result<(), ApiError> {
    match s {
        SystemParam::Text(t) => {
            if !t.trim().is_empty() {
                out.push(SystemBlock::Text(t));
            }
        }
        SystemParam::Blocks(blocks) => {
            for (i, b) in blocks.into_iter().enumerate() {
                let param = format!("system[{i}]");
                if b.kind != "text" {
                    return Err(bad(
                        format!("{param}.type"),
                        format!(
                            "`system` accepts only `text` blocks, got `{}`",
                            quote(&b.kind)
                        ),
                    ));
                }
                let t = text(&param, b.text)?;
                if !t.trim().is_empty() {
                    out.push(SystemBlock::Text(t));
                }
                if b.cache_control.is_some() && !out.is_empty() {
                    out.push(SystemBlock::CachePoint);
                }
            }
        }
    }
    Ok(())
}

/// Appends every turn in order.
pub(crate) fn messages(msgs: Vec<MessageParam>, out: &mut Vec<Message>) -> Result<(), ApiError> {
    let mut docs = DocNames::default();
    for (i, m) in msgs.into_iter().enumerate() {
        let role = match m.role.as_str() {
            "user" => Role::User,
            "assistant" => Role::Assistant,
            other => {
                return Err(bad(
                    format!("messages[{i}].role"),
                    format!(
                        "`role` must be `user` or `assistant`, got `{}`; put system prompts in the top-level `system`",
                        quote(other)
                    ),
                ));
            }
        };
        let mut content = Vec::new();
        match m.content {
            MessageContent::Text(t) => push_text(&mut content, t),
            MessageContent::Blocks(blocks) => {
                content.reserve(blocks.len());
                for (j, b) in blocks.into_iter().enumerate() {
                    let param = format!("messages[{i}].content[{j}]");
                    block(&param, role, b, &mut docs, &mut content)?;
                }
            }
        }
        // An empty turn is never valid on Bedrock; dropping it lets the translator merge its
        // neighbours instead.
        if !content.is_empty() {
            out.push(Message { role, content });
        }
    }
    Ok(())
}

fn text(param: &str, t: Option<String>) -> Result<String, ApiError> {
    t.ok_or_else(|| {
        bad(
            format!("{param}.text"),
            "a `text` block needs a `text` string",
        )
    })
}

fn block(
    param: &str,
    role: Role,
    b: ContentBlockParam,
    docs: &mut DocNames,
    out: &mut Vec<Part>,
) -> Result<(), ApiError> {
    let cache = b.cache_control.is_some();
    match (b.kind.as_str(), role) {
        ("text", _) => push_text(out, text(param, b.text)?),
        ("image", Role::User) => out.push(image(param, b)?),
        ("document", Role::User) => out.push(document(param, b, docs)?),
        ("tool_result", Role::User) => out.push(tool_result(param, b)?),
        ("tool_use", Role::Assistant) => out.push(tool_use(param, b)?),
        ("thinking", Role::Assistant) => out.push(Part::Reasoning {
            text: b.thinking.unwrap_or_default(),
            signature: b.signature.filter(|s| !s.is_empty()),
        }),
        ("redacted_thinking", Role::Assistant) => {
            let data = b
                .data
                .as_deref()
                .and_then(media::decode_base64)
                .ok_or_else(|| {
                    bad(
                        format!("{param}.data"),
                        "`redacted_thinking.data` must be sent back exactly as gw returned it",
                    )
                })?;
            out.push(Part::RedactedReasoning { data });
        }
        (
            kind @ ("image" | "document" | "tool_result" | "tool_use" | "thinking"
            | "redacted_thinking"),
            _,
        ) => {
            let side = if role == Role::User {
                "assistant"
            } else {
                "user"
            };
            return Err(bad(
                format!("{param}.type"),
                format!("`{kind}` blocks are only valid in {side} messages"),
            ));
        }
        (other, _) => {
            return Err(bad(
                format!("{param}.type"),
                format!(
                    "unsupported content block type `{}`; gw accepts text, image, document, \
                     tool_use, tool_result, thinking and redacted_thinking",
                    quote(other)
                ),
            ));
        }
    }
    if cache {
        push_cache_point(out);
    }
    Ok(())
}

/// The `source` of an image or document, with the URL refusal every kind shares.
fn source<'a>(
    param: &str,
    b: &'a ContentBlockParam,
) -> Result<&'a super::types::SourceParam, ApiError> {
    let src = b.source.as_ref().ok_or_else(|| {
        bad(
            format!("{param}.source"),
            format!("an `{}` block needs a `source`", b.kind),
        )
    })?;
    if src.kind == "url" {
        return Err(bad(
            format!("{param}.source.type"),
            "gw does not fetch URLs; send the content inline as a `base64` source",
        ));
    }
    Ok(src)
}

fn base64_data(param: &str, data: Option<&str>) -> Result<bytes::Bytes, ApiError> {
    data.and_then(media::decode_base64).ok_or_else(|| {
        bad(
            format!("{param}.source.data"),
            "`source.data` must be non-empty, valid base64",
        )
    })
}

fn image(param: &str, b: ContentBlockParam) -> Result<Part, ApiError> {
    let src = source(param, &b)?;
    if src.kind != "base64" {
        return Err(bad(
            format!("{param}.source.type"),
            format!(
                "image source type `{}` is not supported; use `base64`",
                quote(&src.kind)
            ),
        ));
    }
    let data = base64_data(param, src.data.as_deref())?;
    let mime = src.media_type.as_deref().unwrap_or_default();
    parts::image(format!("{param}.source.media_type"), mime, data)
}

fn document(param: &str, b: ContentBlockParam, docs: &mut DocNames) -> Result<Part, ApiError> {
    let src = source(param, &b)?;
    let mime = src.media_type.as_deref().unwrap_or_default();
    let (format, data) = match src.kind.as_str() {
        "base64" if mime.eq_ignore_ascii_case("application/pdf") => (
            DocumentFormat::Pdf,
            base64_data(param, src.data.as_deref())?,
        ),
        "base64" => {
            return Err(bad(
                format!("{param}.source.media_type"),
                format!(
                    "base64 documents must be `application/pdf`, got `{}`; send plain text as a `text` source",
                    quote(mime)
                ),
            ));
        }
        "text" => {
            let t = src.data.clone().filter(|t| !t.is_empty()).ok_or_else(|| {
                bad(
                    format!("{param}.source.data"),
                    "a `text` document source needs non-empty `data`",
                )
            })?;
            (DocumentFormat::Txt, bytes::Bytes::from(t))
        }
        other => {
            return Err(bad(
                format!("{param}.source.type"),
                format!(
                    "document source type `{}` is not supported; use `base64` (PDF) or `text`",
                    quote(other)
                ),
            ));
        }
    };
    Ok(Part::Document {
        format,
        name: docs.assign(b.title.as_deref()),
        data,
    })
}

fn tool_use(param: &str, b: ContentBlockParam) -> Result<Part, ApiError> {
    let id =
        b.id.filter(|s| !s.is_empty())
            .ok_or_else(|| bad(format!("{param}.id"), "a `tool_use` block needs its `id`"))?;
    let name = b.name.filter(|s| !s.is_empty()).ok_or_else(|| {
        bad(
            format!("{param}.name"),
            "a `tool_use` block needs its `name`",
        )
    })?;
    let input = match b.input {
        None | Some(Value::Null) => Value::Object(Default::default()),
        Some(v @ Value::Object(_)) => v,
        Some(_) => {
            return Err(bad(
                format!("{param}.input"),
                "`tool_use.input` must be a JSON object",
            ));
        }
    };
    Ok(Part::ToolUse { id, name, input })
}

fn tool_result(param: &str, b: ContentBlockParam) -> Result<Part, ApiError> {
    let id = b.tool_use_id.filter(|s| !s.is_empty()).ok_or_else(|| {
        bad(
            format!("{param}.tool_use_id"),
            "a `tool_result` block needs the `tool_use_id` it answers",
        )
    })?;
    let mut content = Vec::new();
    match b.content {
        None => {}
        Some(ToolResultContent::Text(t)) => push_result_text(&mut content, t),
        Some(ToolResultContent::Blocks(blocks)) => {
            for (k, inner) in blocks.into_iter().enumerate() {
                let p = format!("{param}.content[{k}]");
                match inner.kind.as_str() {
                    "text" => push_result_text(&mut content, text(&p, inner.text)?),
                    "image" => {
                        if let Part::Image { format, data } = image(&p, inner)? {
                            content.push(ToolResultPart::Image { format, data });
                        }
                    }
                    other => {
                        return Err(bad(
                            format!("{p}.type"),
                            format!(
                                "`tool_result` content accepts `text` and `image` blocks, got `{}`",
                                quote(other)
                            ),
                        ));
                    }
                }
            }
        }
    }
    // Empty results are filled in by the Converse translator, once for every front door.
    Ok(Part::ToolResult {
        id,
        content,
        is_error: b.is_error.unwrap_or(false),
    })
}

fn push_result_text(out: &mut Vec<ToolResultPart>, t: String) {
    if !t.is_empty() {
        out.push(ToolResultPart::Text(t));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anthropic::{MessagesRequest, Purpose, from_json, to_ir};
    use crate::ir::{ChatRequest, ImageFormat};

    const PNG_B64: &str = "iVBORw0KGgo=";

    fn ir(messages: &str) -> Result<ChatRequest, ApiError> {
        let body = format!(r#"{{"model":"m","max_tokens":10,"messages":{messages}}}"#);
        let req: MessagesRequest = from_json(body.as_bytes())?;
        to_ir(req, Purpose::Generate)
    }

    fn err_param(messages: &str) -> String {
        ir(messages)
            .unwrap_err()
            .param
            .unwrap_or_default()
            .into_owned()
    }

    #[test]
    fn system_string_and_blocks_with_cache_point() {
        let body = r#"{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"x"}],
            "system":[{"type":"text","text":"be brief","cache_control":{"type":"ephemeral"}},{"type":"text","text":"ok"}]}"#;
        let r = to_ir(from_json(body.as_bytes()).unwrap(), Purpose::Generate).unwrap();
        assert_eq!(
            r.system,
            vec![
                SystemBlock::Text("be brief".into()),
                SystemBlock::CachePoint,
                SystemBlock::Text("ok".into())
            ]
        );
    }

    #[test]
    fn every_block_kind_maps() {
        let r = ir(&format!(
            r#"[{{"role":"user","content":[{{"type":"text","text":"look"}},
                 {{"type":"image","source":{{"type":"base64","media_type":"image/png","data":"{PNG_B64}"}},"cache_control":{{"type":"ephemeral"}}}},
                 {{"type":"document","title":"Q3 notes","source":{{"type":"text","media_type":"text/plain","data":"hello"}}}},
                 {{"type":"document","source":{{"type":"base64","media_type":"application/pdf","data":"JVBERi0="}}}}]}},
               {{"role":"assistant","content":[{{"type":"thinking","thinking":"hmm","signature":"sig"}},
                 {{"type":"redacted_thinking","data":"AAE="}},
                 {{"type":"tool_use","id":"tooluse_1","name":"f","input":{{"a":1}}}}]}},
               {{"role":"user","content":[{{"type":"tool_result","tool_use_id":"tooluse_1","is_error":true,
                 "content":[{{"type":"text","text":"boom"}},{{"type":"image","source":{{"type":"base64","media_type":"image/png","data":"{PNG_B64}"}}}}]}},
                 {{"type":"tool_result","tool_use_id":"tooluse_2","content":"plain"}}]}}]"#
        ))
        .unwrap();
        let user = &r.messages[0].content;
        assert_eq!(user[0], Part::Text("look".into()));
        assert!(matches!(
            user[1],
            Part::Image {
                format: ImageFormat::Png,
                ..
            }
        ));
        assert_eq!(user[2], Part::CachePoint);
        assert!(
            matches!(&user[3], Part::Document { format: DocumentFormat::Txt, name, data } if name == "Q3 notes" && &data[..] == b"hello")
        );
        assert!(
            matches!(&user[4], Part::Document { format: DocumentFormat::Pdf, name, .. } if name == "document-2")
        );
        let asst = &r.messages[1].content;
        assert_eq!(
            asst[0],
            Part::Reasoning {
                text: "hmm".into(),
                signature: Some("sig".into())
            }
        );
        assert_eq!(
            asst[1],
            Part::RedactedReasoning {
                data: bytes::Bytes::from_static(b"\x00\x01")
            }
        );
        assert!(
            matches!(&asst[2], Part::ToolUse { id, input, .. } if id == "tooluse_1" && input["a"] == 1)
        );
        let Part::ToolResult {
            id,
            content,
            is_error,
        } = &r.messages[2].content[0]
        else {
            panic!("tool result expected");
        };
        assert_eq!(id, "tooluse_1");
        assert!(*is_error);
        assert_eq!(content[0], ToolResultPart::Text("boom".into()));
        assert!(matches!(content[1], ToolResultPart::Image { .. }));
        assert!(
            matches!(&r.messages[2].content[1], Part::ToolResult { is_error: false, content, .. } if content == &vec![ToolResultPart::Text("plain".into())])
        );
    }

    #[test]
    fn errors_name_their_param() {
        let cases = [
            (r#"[{"role":"system","content":"x"}]"#, "messages[0].role"),
            (
                r#"[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://x/y.png"}}]}]"#,
                "messages[0].content[0].source.type",
            ),
            (
                r#"[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/bmp","data":"AAAA"}}]}]"#,
                "messages[0].content[0].source.media_type",
            ),
            (
                r#"[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"@@"}}]}]"#,
                "messages[0].content[0].source.data",
            ),
            (
                r#"[{"role":"user","content":[{"type":"document","source":{"type":"base64","media_type":"text/csv","data":"AAAA"}}]}]"#,
                "messages[0].content[0].source.media_type",
            ),
            (
                r#"[{"role":"user","content":[{"type":"tool_use","id":"a","name":"f"}]}]"#,
                "messages[0].content[0].type",
            ),
            (
                r#"[{"role":"user","content":[{"type":"server_tool_use"}]}]"#,
                "messages[0].content[0].type",
            ),
            (
                r#"[{"role":"user","content":[{"type":"text"}]}]"#,
                "messages[0].content[0].text",
            ),
            (
                r#"[{"role":"user","content":[{"type":"tool_result"}]}]"#,
                "messages[0].content[0].tool_use_id",
            ),
            (
                r#"[{"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":[{"type":"document"}]}]}]"#,
                "messages[0].content[0].content[0].type",
            ),
            (
                r#"[{"role":"user","content":"x"},{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"f","input":[1]}]}]"#,
                "messages[1].content[0].input",
            ),
            (
                r#"[{"role":"user","content":"x"},{"role":"assistant","content":[{"type":"redacted_thinking","data":"!!"}]}]"#,
                "messages[1].content[0].data",
            ),
        ];
        for (messages, param) in cases {
            assert_eq!(err_param(messages), param, "{messages}");
        }
        let e = ir(r#"[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://x"}}]}]"#).unwrap_err();
        assert!(e.message.contains("does not fetch URLs"), "{}", e.message);
    }
}
