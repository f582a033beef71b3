//! Reading recorded traffic: JSON Lines of requests (OpenAI or Anthropic bodies), and the texts
//! `gw eval injection` scores from recorded client sessions.

use std::path::Path;

use serde_json::Value;

use crate::anthropic::{self, Purpose};
use crate::ir::{ChatRequest, Zone};
use crate::openai;

use super::Recorded;
use super::audit_trail::load_audit;

/// Reads every request of `source`: an audit directory, or a JSON Lines file whose rows are
/// either `{"path": "/v1/messages", "body": {...}}` (as `scripts/record_traffic.py` writes them)
/// or bare request bodies (OpenAI, else Anthropic).
pub fn load(source: &Path) -> Result<Vec<Recorded>, String> {
    if source.is_dir() {
        return load_audit(source);
    }
    let text = std::fs::read_to_string(source)
        .map_err(|e| format!("cannot read {}: {e}", source.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let origin = format!("{}:{}", source.display(), i + 1);
        let row: Value =
            serde_json::from_str(line).map_err(|e| format!("{origin}: not JSON: {e}"))?;
        let (path, body) = match row.get("body") {
            Some(b) => (row.get("path").and_then(Value::as_str).unwrap_or(""), b),
            None => ("", &row),
        };
        let req = parse_body(path, body).map_err(|e| format!("{origin}: {e}"))?;
        if let Some(req) = req {
            out.push(Recorded {
                origin,
                req,
                recorded: None,
            });
        }
    }
    Ok(out)
}

/// The user-turn, tool-result and document texts of recorded traffic (`{"session", "path",
/// "body"}` rows), labelled for `gw eval injection`: all benign, except the tool results and
/// documents of sessions named `planted-*`, which hold planted instructions. A tool result is
/// the text the policy reads: the notes a coding agent's harness wrote into it are not.
pub fn traffic_texts(path: &Path) -> Result<Vec<crate::policy::injection::Labelled>, String> {
    use crate::policy::zone::{TextMut, walk_request};
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let file = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let zones = crate::ir::ZoneSet::of(&[Zone::User, Zone::ToolResult, Zone::Document]);
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let row: Value = serde_json::from_str(line)
            .map_err(|e| format!("{}:{}: not JSON: {e}", path.display(), i + 1))?;
        let session = row.get("session").and_then(Value::as_str).unwrap_or("");
        let path_of = row.get("path").and_then(Value::as_str).unwrap_or("");
        let Some(body) = row.get("body") else {
            continue;
        };
        let Some(mut req) =
            parse_body(path_of, body).map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))?
        else {
            continue;
        };
        walk_request(&mut req, zones, |spot, t| {
            let text = match t {
                TextMut::Str(s) => s.clone(),
                TextMut::Json(v) => v.to_string(),
                TextMut::Doc(d) => String::from_utf8_lossy(d).into_owned(),
            };
            // A tool result is read as the policy reads it: without the harness's own notes.
            let text = match spot.zone {
                Zone::ToolResult => match crate::policy::injection::tool_result_read(&text) {
                    std::borrow::Cow::Owned(read) => read,
                    std::borrow::Cow::Borrowed(_) => text,
                },
                _ => text,
            };
            if text.trim().is_empty() || !seen.insert((spot.zone, text.clone())) {
                return;
            }
            let planted = session.starts_with("planted") && spot.zone.is_data();
            out.push(crate::policy::injection::Labelled {
                text,
                label: u8::from(planted),
                source: format!("recorded:{file}"),
                train_ok: false,
                zone: Some(spot.zone),
                class: Some(format!("recorded {file} {session}")),
                split: Some("holdout".into()),
                // The recorded sessions read no project instruction file.
                instruction_file: false,
            });
        });
    }
    Ok(out)
}

/// A request body in the IR, by the door it was sent to. `None` for paths that carry no
/// request text (model lists, health checks).
pub(super) fn parse_body(path: &str, body: &Value) -> Result<Option<ChatRequest>, String> {
    let bytes = body.to_string().into_bytes();
    let anthropic_body = |purpose| {
        anthropic::from_json(&bytes)
            .and_then(|w| anthropic::to_ir(w, purpose))
            .map_err(|e| e.message)
    };
    let openai_body = || {
        openai::from_json(&bytes)
            .and_then(openai::to_ir)
            .map_err(|e| e.message)
    };
    let path = path.split('?').next().unwrap_or(path);
    Ok(Some(match path {
        "/v1/messages" => anthropic_body(Purpose::Generate)?,
        "/v1/messages/count_tokens" => anthropic_body(Purpose::CountTokens)?,
        "/v1/chat/completions" => openai_body()?,
        "/v1/embeddings" => {
            let wire: openai::EmbeddingsRequest =
                openai::from_json(&bytes).map_err(|e| e.message)?;
            let model = wire.model.clone();
            let job = openai::parse_embeddings(wire).map_err(|e| e.message)?;
            ChatRequest {
                model,
                inputs: job.texts,
                ..ChatRequest::default()
            }
        }
        "" if looks_anthropic(body) => anthropic_body(Purpose::Generate)?,
        "" => openai_body()?,
        _ => return Ok(None),
    }))
}

/// A bare body is Anthropic's when it has a top-level `system` (OpenAI keeps the system prompt
/// in `messages`) or content blocks only Anthropic has.
fn looks_anthropic(body: &Value) -> bool {
    if body.get("system").is_some() {
        return true;
    }
    let blocks = body
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| m.get("content").and_then(Value::as_array))
        .flatten();
    blocks
        .filter_map(|b| b.get("type").and_then(Value::as_str))
        .any(|t| matches!(t, "tool_use" | "tool_result" | "document" | "thinking"))
}
