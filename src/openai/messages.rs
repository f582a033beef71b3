//! OpenAI `messages` → `ir` system blocks and messages.
//!
//! Only the OpenAI-specific reshaping lives here: system/developer hoisting, content parts,
//! tool calls and tool results. Merging same-role neighbours is deliberately left to the Converse
//! translator, which does it once for every front door.

use serde_json::Value;

use super::types::{ChatMessage, ContentPart, MessageContent, MessageRole, ToolCall};
use crate::error::ApiError;
use crate::ir::{Message, Part, Role, SystemBlock, ToolResultPart};
use crate::media::{self, DataUriError, DocNames};
use crate::parts::{self, bad, push_cache_point, push_text, quote};

/// Appends every message to `system`/`messages` in order.
pub(crate) fn convert(
    msgs: Vec<ChatMessage>,
    system: &mut Vec<SystemBlock>,
    messages: &mut Vec<Message>,
) -> Result<(), ApiError> {
    let mut docs = DocNames::default();
    for (i, m) in msgs.into_iter().enumerate() {
        let msg = match m.role {
            MessageRole::System | MessageRole::Developer => {
                system_message(i, m.content, system)?;
                continue;
            }
            MessageRole::User => user_message(i, m.content, &mut docs)?,
            MessageRole::Assistant => assistant_message(i, m)?,
            MessageRole::Tool => tool_message(i, m)?,
            MessageRole::Function => {
                return Err(bad(
                    format!("messages[{i}].role"),
                    "the legacy `function` role is not supported; send tool results as `tool` messages with a `tool_call_id`",
                ));
            }
        };
        // An empty turn is never valid on Bedrock; dropping it lets the translator merge its
        // neighbours instead.
        if !msg.content.is_empty() {
            messages.push(msg);
        }
    }
    Ok(())
}

fn required(i: usize, content: Option<MessageContent>) -> Result<MessageContent, ApiError> {
    content.ok_or_else(|| {
        bad(
            format!("messages[{i}].content"),
            "`content` is required for this message",
        )
    })
}

fn part_text(param: &str, part: &mut ContentPart) -> Result<String, ApiError> {
    part.text.take().ok_or_else(|| {
        bad(
            format!("{param}.text"),
            "a `text` part needs a `text` string",
        )
    })
}

fn system_message(
    i: usize,
    content: Option<MessageContent>,
    system: &mut Vec<SystemBlock>,
) -> Result<(), ApiError> {
    match required(i, content)? {
        MessageContent::Text(t) => {
            if !t.trim().is_empty() {
                system.push(SystemBlock::Text(t));
            }
        }
        MessageContent::Parts(parts) => {
            for (j, mut p) in parts.into_iter().enumerate() {
                let param = format!("messages[{i}].content[{j}]");
                if p.kind != "text" {
                    return Err(bad(
                        format!("{param}.type"),
                        format!(
                            "system and developer messages accept only `text` parts, got `{}`",
                            quote(&p.kind)
                        ),
                    ));
                }
                let t = part_text(&param, &mut p)?;
                if !t.trim().is_empty() {
                    system.push(SystemBlock::Text(t));
                }
                if p.cache_control.is_some() && !system.is_empty() {
                    system.push(SystemBlock::CachePoint);
                }
            }
        }
    }
    Ok(())
}

fn user_message(
    i: usize,
    content: Option<MessageContent>,
    docs: &mut DocNames,
) -> Result<Message, ApiError> {
    let mut out = Vec::new();
    match required(i, content)? {
        MessageContent::Text(t) => push_text(&mut out, t),
        MessageContent::Parts(parts) => {
            out.reserve(parts.len());
            for (j, p) in parts.into_iter().enumerate() {
                user_part(&format!("messages[{i}].content[{j}]"), p, docs, &mut out)?;
            }
        }
    }
    Ok(Message {
        role: Role::User,
        content: out,
    })
}

fn user_part(
    param: &str,
    mut p: ContentPart,
    docs: &mut DocNames,
    out: &mut Vec<Part>,
) -> Result<(), ApiError> {
    match p.kind.as_str() {
        "text" => push_text(out, part_text(param, &mut p)?),
        "image_url" => {
            let url = p
                .image_url
                .as_ref()
                .map(|u| u.url.as_str())
                .ok_or_else(|| {
                    bad(
                        format!("{param}.image_url"),
                        "an `image_url` part needs an `image_url` object with a `url`",
                    )
                })?;
            out.push(image(&format!("{param}.image_url.url"), url)?);
        }
        "file" => {
            let file = p.file.as_ref().ok_or_else(|| {
                bad(
                    format!("{param}.file"),
                    "a `file` part needs a `file` object with `file_data`",
                )
            })?;
            match (&file.file_data, &file.file_id) {
                (Some(data), _) => out.push(document(
                    &format!("{param}.file.file_data"),
                    data,
                    file.filename.as_deref(),
                    docs,
                )?),
                (None, Some(_)) => {
                    return Err(bad(
                        format!("{param}.file.file_id"),
                        "uploaded file ids are not supported; send the file inline as `file_data` (a base64 data URI)",
                    ));
                }
                (None, None) => {
                    return Err(bad(
                        format!("{param}.file.file_data"),
                        "a `file` part needs `file_data` (a base64 data URI such as `data:application/pdf;base64,...`)",
                    ));
                }
            }
        }
        "input_audio" => {
            return Err(bad(
                format!("{param}.input_audio"),
                "audio input is not supported; send text, images or documents",
            ));
        }
        "refusal" => {
            return Err(bad(
                format!("{param}.type"),
                "`refusal` parts are only valid in assistant messages",
            ));
        }
        other => {
            return Err(bad(
                format!("{param}.type"),
                format!(
                    "unsupported content part type `{}`; use `text`, `image_url` or `file`",
                    quote(other)
                ),
            ));
        }
    }
    if p.cache_control.is_some() {
        push_cache_point(out);
    }
    Ok(())
}

fn data_uri_error(param: &str, what: &str, e: DataUriError) -> ApiError {
    let msg = match e {
        DataUriError::NotDataUri => {
            format!("{what} must be a base64 data URI such as `data:image/png;base64,...`")
        }
        DataUriError::NotBase64 => {
            format!("{what} must be base64-encoded (`data:<type>;base64,...`)")
        }
        DataUriError::BadBase64 => format!("{what} is not valid base64"),
        DataUriError::Empty => format!("{what} is empty"),
    };
    bad(param.to_owned(), msg)
}

fn image(param: &str, url: &str) -> Result<Part, ApiError> {
    if media::is_remote_url(url) {
        return Err(bad(
            param.to_owned(),
            "gw does not fetch image URLs; send the image inline as a data URI (`data:image/png;base64,...`)",
        ));
    }
    let uri = media::decode_data_uri(url).map_err(|e| data_uri_error(param, "the image", e))?;
    parts::image(param.to_owned(), &uri.mime, uri.data)
}

fn document(
    param: &str,
    data: &str,
    filename: Option<&str>,
    docs: &mut DocNames,
) -> Result<Part, ApiError> {
    let uri = media::decode_data_uri(data).map_err(|e| data_uri_error(param, "the file", e))?;
    parts::document(param.to_owned(), &uri.mime, filename, uri.data, docs)
}

fn assistant_message(i: usize, m: ChatMessage) -> Result<Message, ApiError> {
    let mut out = Vec::new();
    let text = m.reasoning_content.unwrap_or_default();
    if !text.is_empty() || m.reasoning_signature.is_some() {
        out.push(Part::Reasoning {
            text,
            signature: m.reasoning_signature,
        });
    }
    match m.content {
        None => {}
        Some(MessageContent::Text(t)) => push_text(&mut out, t),
        Some(MessageContent::Parts(parts)) => {
            for (j, mut p) in parts.into_iter().enumerate() {
                let param = format!("messages[{i}].content[{j}]");
                match p.kind.as_str() {
                    "text" => push_text(&mut out, part_text(&param, &mut p)?),
                    // A refusal is what the assistant said; keep it so the history stays coherent.
                    "refusal" => push_text(&mut out, p.refusal.take().unwrap_or_default()),
                    other => {
                        return Err(bad(
                            format!("{param}.type"),
                            format!(
                                "assistant messages accept only `text` and `refusal` parts, got `{}`",
                                quote(other)
                            ),
                        ));
                    }
                }
                if p.cache_control.is_some() {
                    push_cache_point(&mut out);
                }
            }
        }
    }
    for (j, call) in m.tool_calls.unwrap_or_default().into_iter().enumerate() {
        out.push(tool_use(&format!("messages[{i}].tool_calls[{j}]"), call)?);
    }
    Ok(Message {
        role: Role::Assistant,
        content: out,
    })
}

fn tool_use(param: &str, call: ToolCall) -> Result<Part, ApiError> {
    if let Some(kind) = call.kind.as_deref().filter(|k| *k != "function") {
        return Err(bad(
            format!("{param}.type"),
            format!(
                "tool call type `{}` is not supported; use `function`",
                quote(kind)
            ),
        ));
    }
    let args = call.function.arguments.trim();
    let input = if args.is_empty() {
        Value::Object(Default::default())
    } else {
        match serde_json::from_str::<Value>(args) {
            Ok(v @ Value::Object(_)) => v,
            Ok(_) => {
                return Err(bad(
                    format!("{param}.function.arguments"),
                    "tool call arguments must be a JSON object",
                ));
            }
            Err(_) => {
                return Err(bad(
                    format!("{param}.function.arguments"),
                    "tool call arguments are not valid JSON; send the arguments string exactly as the model returned it",
                ));
            }
        }
    };
    Ok(Part::ToolUse {
        id: call.id,
        name: call.function.name,
        input,
    })
}

fn tool_message(i: usize, m: ChatMessage) -> Result<Message, ApiError> {
    let id = m.tool_call_id.filter(|id| !id.is_empty()).ok_or_else(|| {
        bad(
            format!("messages[{i}].tool_call_id"),
            "a `tool` message needs the `tool_call_id` it answers",
        )
    })?;
    let mut cache = false;
    let text = match required(i, m.content)? {
        MessageContent::Text(t) => t,
        MessageContent::Parts(parts) => {
            let mut joined = String::new();
            for (j, mut p) in parts.into_iter().enumerate() {
                let param = format!("messages[{i}].content[{j}]");
                if p.kind != "text" {
                    return Err(bad(
                        format!("{param}.type"),
                        format!(
                            "tool messages accept only `text` parts, got `{}`",
                            quote(&p.kind)
                        ),
                    ));
                }
                joined.push_str(&part_text(&param, &mut p)?);
                cache |= p.cache_control.is_some();
            }
            joined
        }
    };
    let mut content = vec![Part::ToolResult {
        id,
        content: vec![tool_result(text)],
        is_error: false,
    }];
    if cache {
        content.push(Part::CachePoint);
    }
    Ok(Message {
        role: Role::User,
        content,
    })
}

/// Bedrock takes `json` only for objects; everything else goes as text, never blank.
fn tool_result(text: String) -> ToolResultPart {
    if text.trim_start().starts_with('{')
        && let Ok(v @ Value::Object(_)) = serde_json::from_str::<Value>(&text)
    {
        return ToolResultPart::Json(v);
    }
    if text.trim().is_empty() {
        return ToolResultPart::Text("(empty)".to_owned());
    }
    ToolResultPart::Text(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{ChatRequest, DocumentFormat, ImageFormat};
    use crate::openai::{from_json, to_ir};
    use serde_json::json;

    fn ir(messages: &str) -> Result<ChatRequest, ApiError> {
        to_ir(from_json(
            format!(r#"{{"model":"m","messages":{messages}}}"#).as_bytes(),
        )?)
    }

    fn err(messages: &str) -> ApiError {
        let e = ir(messages).unwrap_err();
        assert_eq!(e.status.as_u16(), 400, "{messages}");
        e
    }

    const PNG_1PX: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

    #[test]
    fn multi_turn_with_system_and_developer_hoisted_in_order() {
        let r = ir(r#"[
            {"role":"system","content":"You are terse."},
            {"role":"user","content":"Hi"},
            {"role":"assistant","content":"Hello."},
            {"role":"developer","content":[{"type":"text","text":"Answer in French.","cache_control":{"type":"ephemeral"}}]},
            {"role":"user","content":[{"type":"text","text":"How are you?"},{"type":"text","text":"  "}],"name":"bob"}
        ]"#)
        .unwrap();
        assert_eq!(
            r.system,
            vec![
                SystemBlock::Text("You are terse.".into()),
                SystemBlock::Text("Answer in French.".into()),
                SystemBlock::CachePoint,
            ]
        );
        assert_eq!(
            r.messages,
            vec![
                Message {
                    role: Role::User,
                    content: vec![Part::Text("Hi".into())]
                },
                Message {
                    role: Role::Assistant,
                    content: vec![Part::Text("Hello.".into())]
                },
                Message {
                    role: Role::User,
                    content: vec![Part::Text("How are you?".into())]
                },
            ]
        );
    }

    #[test]
    fn full_tool_round_trip_with_reasoning_echo() {
        let r = ir(r#"[
            {"role":"user","content":"Weather in Paris and the time?"},
            {"role":"assistant","content":null,"refusal":null,
             "reasoning_content":"Two tools needed.","reasoning_signature":"EqQBCkYIBxgC",
             "tool_calls":[
                {"id":"tooluse_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
                {"id":"tooluse_2","type":"function","function":{"name":"get_time","arguments":""}}]},
            {"role":"tool","tool_call_id":"tooluse_1","content":"{\"temp_c\": 18}"},
            {"role":"tool","tool_call_id":"tooluse_2","content":[{"type":"text","text":"14:02"}]},
            {"role":"tool","tool_call_id":"tooluse_3","content":"[1, 2]"},
            {"role":"tool","tool_call_id":"tooluse_4","content":""}
        ]"#)
        .unwrap();
        assert_eq!(
            r.messages.len(),
            6,
            "same-role neighbours are not merged here"
        );
        assert_eq!(
            r.messages[1],
            Message {
                role: Role::Assistant,
                content: vec![
                    Part::Reasoning {
                        text: "Two tools needed.".into(),
                        signature: Some("EqQBCkYIBxgC".into())
                    },
                    Part::ToolUse {
                        id: "tooluse_1".into(),
                        name: "get_weather".into(),
                        input: json!({"city": "Paris"})
                    },
                    Part::ToolUse {
                        id: "tooluse_2".into(),
                        name: "get_time".into(),
                        input: json!({})
                    },
                ],
            }
        );
        let results: Vec<_> = r.messages[2..]
            .iter()
            .map(|m| {
                assert_eq!(m.role, Role::User);
                match &m.content[..] {
                    [
                        Part::ToolResult {
                            id,
                            content,
                            is_error: false,
                        },
                    ] => (id.as_str(), content[0].clone()),
                    other => panic!("unexpected {other:?}"),
                }
            })
            .collect();
        assert_eq!(
            results,
            vec![
                ("tooluse_1", ToolResultPart::Json(json!({"temp_c": 18}))),
                ("tooluse_2", ToolResultPart::Text("14:02".into())),
                ("tooluse_3", ToolResultPart::Text("[1, 2]".into())),
                ("tooluse_4", ToolResultPart::Text("(empty)".into())),
            ]
        );
    }

    #[test]
    fn assistant_text_and_tool_call_keep_order_and_drop_empty_text() {
        let r = ir(r#"[{"role":"user","content":"x"},
            {"role":"assistant","content":"","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},
            {"role":"assistant","content":[{"type":"text","text":"Sure."},{"type":"refusal","refusal":"I can't do that part."}]},
            {"role":"assistant","content":null}]"#)
        .unwrap();
        assert_eq!(
            r.messages.len(),
            3,
            "an assistant message with nothing in it is dropped"
        );
        assert!(matches!(&r.messages[1].content[..], [Part::ToolUse { .. }]));
        assert_eq!(
            r.messages[2].content,
            vec![
                Part::Text("Sure.".into()),
                Part::Text("I can't do that part.".into())
            ]
        );
    }

    #[test]
    fn images_and_documents_decode() {
        let r = ir(&format!(
            r#"[{{"role":"user","content":[
                {{"type":"text","text":"Compare these."}},
                {{"type":"image_url","image_url":{{"url":"data:image/png;base64,{PNG_1PX}","detail":"low"}},"cache_control":{{"type":"ephemeral"}}}},
                {{"type":"file","file":{{"filename":"Q3 report.pdf","file_data":"data:application/pdf;base64,JVBERi0xLjQK"}}}},
                {{"type":"file","file":{{"filename":"Q3 report.pdf","file_data":"data:application/pdf;base64,JVBERi0xLjQK"}}}},
                {{"type":"file","file":{{"file_data":"data:text/csv;base64,YSxiCjEsMgo="}}}}
            ]}}]"#
        ))
        .unwrap();
        let c = &r.messages[0].content;
        assert_eq!(c.len(), 6);
        assert!(
            matches!(&c[1], Part::Image { format: ImageFormat::Png, data } if data.starts_with(b"\x89PNG"))
        );
        assert_eq!(c[2], Part::CachePoint);
        assert!(
            matches!(&c[3], Part::Document { format: DocumentFormat::Pdf, name, data } if name == "Q3 report" && data.starts_with(b"%PDF"))
        );
        assert!(matches!(&c[4], Part::Document { name, .. } if name == "Q3 report (2)"));
        assert!(
            matches!(&c[5], Part::Document { format: DocumentFormat::Csv, name, .. } if name == "document-3")
        );
    }

    #[test]
    fn every_content_error_names_its_param() {
        let img = |url: &str| {
            format!(
                r#"[{{"role":"user","content":[{{"type":"text","text":"x"}},{{"type":"image_url","image_url":{{"url":"{url}"}}}}]}}]"#
            )
        };
        let file =
            |f: &str| format!(r#"[{{"role":"user","content":[{{"type":"file","file":{f}}}]}}]"#);
        let call = |args: &str| {
            format!(
                r#"[{{"role":"user","content":"x"}},{{"role":"assistant","tool_calls":[{{"id":"a","type":"function","function":{{"name":"f","arguments":"{{}}"}}}},{{"id":"b","type":"function","function":{{"name":"f","arguments":{args}}}}}]}}]"#
            )
        };
        let cases: Vec<(String, &str, &str)> = vec![
            (img("https://example.com/cat.png"), "messages[0].content[1].image_url.url", "does not fetch"),
            (img("ftp://example.com/cat.png"), "messages[0].content[1].image_url.url", "data URI"),
            (img("data:image/bmp;base64,Qk0="), "messages[0].content[1].image_url.url", "`image/bmp`"),
            (img("data:image/png;base64,!!!"), "messages[0].content[1].image_url.url", "base64"),
            (img("data:image/png,raw"), "messages[0].content[1].image_url.url", "base64"),
            (r#"[{"role":"user","content":[{"type":"image_url"}]}]"#.into(), "messages[0].content[0].image_url", "url"),
            (file(r#"{"file_id":"file-abc123"}"#), "messages[0].content[0].file.file_id", "file_data"),
            (file(r#"{"filename":"a.pdf"}"#), "messages[0].content[0].file.file_data", "data URI"),
            (file(r#"{"file_data":"data:application/zip;base64,UEsDBA=="}"#), "messages[0].content[0].file.file_data", "`application/zip`"),
            (r#"[{"role":"user","content":[{"type":"file"}]}]"#.into(), "messages[0].content[0].file", "file_data"),
            (r#"[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"UklGR","format":"wav"}}]}]"#.into(), "messages[0].content[0].input_audio", "audio"),
            (r#"[{"role":"user","content":[{"type":"input_text","text":"x"}]}]"#.into(), "messages[0].content[0].type", "`input_text`"),
            (r#"[{"role":"user","content":[{"type":"text"}]}]"#.into(), "messages[0].content[0].text", "text"),
            (r#"[{"role":"user","content":[{"type":"refusal","refusal":"no"}]}]"#.into(), "messages[0].content[0].type", "assistant"),
            (r#"[{"role":"user"}]"#.into(), "messages[0].content", "required"),
            (r#"[{"role":"system","content":[{"type":"image_url","image_url":{"url":"x"}}]}]"#.into(), "messages[0].content[0].type", "only `text`"),
            (r#"[{"role":"user","content":"x"},{"role":"assistant","content":[{"type":"image_url","image_url":{"url":"x"}}]}]"#.into(), "messages[1].content[0].type", "assistant"),
            (call(r#""{\"city\": \"Par""#), "messages[1].tool_calls[1].function.arguments", "not valid JSON"),
            (call(r#""[1,2]""#), "messages[1].tool_calls[1].function.arguments", "JSON object"),
            (r#"[{"role":"user","content":"x"},{"role":"assistant","tool_calls":[{"id":"a","type":"custom","function":{"name":"f"}}]}]"#.into(), "messages[1].tool_calls[0].type", "`function`"),
            (r#"[{"role":"tool","content":"42"}]"#.into(), "messages[0].tool_call_id", "tool_call_id"),
            (r#"[{"role":"tool","tool_call_id":"a","content":[{"type":"image_url","image_url":{"url":"x"}}]}]"#.into(), "messages[0].content[0].type", "only `text`"),
            (r#"[{"role":"function","name":"f","content":"1"}]"#.into(), "messages[0].role", "`tool`"),
        ];
        for (messages, param, needle) in cases {
            let e = err(&messages);
            assert_eq!(e.param.as_deref(), Some(param), "{messages}");
            assert!(e.message.contains(needle), "{messages}: {}", e.message);
        }
    }

    #[test]
    fn errors_never_echo_payloads() {
        let junk = "A".repeat(5000);
        let e = err(&format!(
            r#"[{{"role":"user","content":[{{"type":"image_url","image_url":{{"url":"data:image/{junk};base64,AAAA"}}}}]}}]"#
        ));
        assert!(e.message.len() < 200, "{}", e.message);
        let e = err(&format!(
            r#"[{{"role":"user","content":[{{"type":"{junk}"}}]}}]"#
        ));
        assert!(e.message.len() < 200, "{}", e.message);
    }

    #[test]
    fn cache_point_on_tool_result_follows_it() {
        let r = ir(r#"[{"role":"tool","tool_call_id":"t","content":[{"type":"text","text":"{\"a\":"},{"type":"text","text":"1}","cache_control":{"type":"ephemeral"}}]}]"#)
            .unwrap();
        assert_eq!(
            r.messages[0].content,
            vec![
                Part::ToolResult {
                    id: "t".into(),
                    content: vec![ToolResultPart::Json(json!({"a": 1}))],
                    is_error: false
                },
                Part::CachePoint,
            ]
        );
    }
}
