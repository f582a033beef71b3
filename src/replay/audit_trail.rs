//! Requests rebuilt from an audit trail written with `include_content: redacted|full`: each
//! record's zoned texts become a request the chain reads as the original was read.

use std::path::Path;

use serde_json::Value;

use crate::audit::ContentText;
use crate::audit::query::{Filter, scan};
use crate::ir::{
    ChatRequest, DocumentFormat, Message, Part, Role, SystemBlock, ToolResultPart, Zone,
};

use super::Recorded;

/// Request records with content from an audit directory.
pub(super) fn load_audit(dir: &Path) -> Result<Vec<Recorded>, String> {
    let mut out = Vec::new();
    let mut without_content = 0_u64;
    scan(&[dir.to_path_buf()], &Filter::default(), |line, row| {
        let content = serde_json::from_slice::<Value>(line)
            .ok()
            .and_then(|v| v.get("content").cloned())
            .and_then(|c| c.get("prompt").cloned())
            .and_then(|p| serde_json::from_value::<Vec<ContentText>>(p).ok());
        match content {
            Some(texts) if !texts.is_empty() => out.push(Recorded {
                origin: format!("request {}", row.request_id),
                req: from_texts(row.model.clone().unwrap_or_default(), &texts),
                recorded: Some(
                    row.decisions
                        .iter()
                        .map(|d| (d.policy.clone(), d.action.clone()))
                        .collect(),
                ),
            }),
            _ => without_content += 1,
        }
        true
    })
    .map_err(|e| format!("cannot read the audit directory {}: {e}", dir.display()))?;
    if out.is_empty() && without_content > 0 {
        return Err(format!(
            "the audit trail at {} keeps no request content ({without_content} records); replay \
             needs a trail written with `include_content: redacted` or `full`",
            dir.display()
        ));
    }
    Ok(out)
}

/// Rebuilds a request from the texts an audit record kept, zone by zone.
pub(super) fn from_texts(model: String, texts: &[ContentText]) -> ChatRequest {
    let mut req = ChatRequest {
        model,
        ..ChatRequest::default()
    };
    let mut current: Option<(u32, Message)> = None;
    let flush = |req: &mut ChatRequest, m: Option<(u32, Message)>| {
        if let Some((_, m)) = m {
            req.messages.push(m);
        }
    };
    for t in texts {
        let (role, part) = match t.zone {
            Zone::System => {
                req.system.push(SystemBlock::Text(t.text.clone()));
                continue;
            }
            Zone::Embedding => {
                req.inputs.push(t.text.clone());
                continue;
            }
            Zone::User => (Role::User, Part::Text(t.text.clone())),
            Zone::Assistant => match &t.tool {
                Some(name) => (
                    Role::Assistant,
                    Part::ToolUse {
                        id: t
                            .call
                            .clone()
                            .unwrap_or_else(|| format!("call_{}", t.message.unwrap_or(0))),
                        name: name.clone(),
                        input: serde_json::from_str(&t.text).unwrap_or(Value::Null),
                    },
                ),
                None => (Role::Assistant, Part::Text(t.text.clone())),
            },
            Zone::ToolResult => (
                Role::User,
                Part::ToolResult {
                    id: t.tool.clone().unwrap_or_default(),
                    content: vec![ToolResultPart::Text(t.text.clone())],
                    is_error: false,
                },
            ),
            Zone::Document => (
                Role::User,
                Part::Document {
                    format: DocumentFormat::Txt,
                    name: t.tool.clone().unwrap_or_else(|| "document".into()),
                    data: bytes::Bytes::from(t.text.clone()),
                },
            ),
            Zone::Tools | Zone::Reply | Zone::ToolCall | Zone::Reasoning => continue,
        };
        let index = t.message.unwrap_or(u32::MAX);
        match &mut current {
            Some((i, m)) if *i == index && m.role == role => m.content.push(part),
            _ => {
                flush(&mut req, current.take());
                current = Some((
                    index,
                    Message {
                        role,
                        content: vec![part],
                    },
                ));
            }
        }
    }
    flush(&mut req, current.take());
    req
}
