//! `gw replay`: recorded traffic through another pack's chain, and what would change.
//!
//! Why it exists: a policy is only useful if a compliance team can switch it on without breaking
//! the traffic it guards. Replay runs real requests (an audit trail written with
//! `include_content: redacted|full`, or a JSON Lines file of recorded requests) through a
//! candidate pack's request chain, compares each policy's decision with a baseline (another
//! pack, or the decisions the audit trail recorded), and reports per policy what would be newly
//! blocked, allowed, redacted or withheld, with examples. A budget (`--max-new-blocks 0`) makes
//! it a CI gate on pack changes. Nothing is sent to Bedrock.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::anthropic::{self, Purpose};
use crate::audit::ContentText;
use crate::audit::query::{Filter, scan};
use crate::ir::{
    ChatRequest, DocumentFormat, Message, Part, Role, SystemBlock, ToolResultPart, Zone,
};
use crate::openai;
use crate::policy::{Decision, PolicyChain};

/// One recorded request, ready to replay.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Where it came from (`file:line`, or the audit request id).
    pub origin: String,
    pub req: ChatRequest,
    /// The decisions the audit trail recorded for it (`(policy, action)`), when it came from one.
    pub recorded: Option<Vec<(String, String)>>,
}

/// What one chain did to a request, per policy.
#[derive(Debug, Clone, Default, PartialEq)]
struct Verdicts {
    actions: BTreeMap<String, String>,
    blocked_by: Option<String>,
}

impl Verdicts {
    fn of(&self, policy: &str) -> &str {
        self.actions.get(policy).map_or("not run", String::as_str)
    }

    fn blocked(&self) -> bool {
        self.blocked_by.is_some()
    }
}

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
/// documents of sessions named `planted-*`, which hold planted instructions.
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
            });
        });
    }
    Ok(out)
}

/// A request body in the IR, by the door it was sent to. `None` for paths that carry no
/// request text (model lists, health checks).
fn parse_body(path: &str, body: &Value) -> Result<Option<ChatRequest>, String> {
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

/// Request records with content from an audit directory.
fn load_audit(dir: &Path) -> Result<Vec<Recorded>, String> {
    let mut out = Vec::new();
    let mut without_content = 0_u64;
    scan(dir, &Filter::default(), |line, row| {
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
fn from_texts(model: String, texts: &[ContentText]) -> ChatRequest {
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
                        id: format!("call_{}", t.message.unwrap_or(0)),
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

/// Runs the request side of `chain` on a copy of `req`.
fn run(chain: &PolicyChain, req: &ChatRequest) -> (Verdicts, Vec<Decision>) {
    let mut req = req.clone();
    let mut r = chain.start();
    let result = r.on_request(&mut req);
    let decisions = r.take_decisions();
    let mut v = Verdicts::default();
    for d in &decisions {
        v.actions
            .entry(d.policy.to_owned())
            .or_insert_with(|| d.action.to_owned());
    }
    if let Err(e) = result {
        v.blocked_by = Some(e.code.as_deref().unwrap_or_default().to_owned());
    }
    (v, decisions)
}

fn from_recorded(recorded: &[(String, String)]) -> Verdicts {
    let mut v = Verdicts::default();
    for (policy, action) in recorded {
        v.actions
            .entry(policy.clone())
            .or_insert_with(|| action.clone());
        if action == "blocked" && v.blocked_by.is_none() {
            v.blocked_by = Some(policy.clone());
        }
    }
    v
}

/// The change kinds the report counts, per policy.
const CHANGES: [&str; 5] = [
    "newly_blocked",
    "newly_allowed",
    "newly_redacted",
    "newly_withheld",
    "no_longer_redacted",
];

/// One example of a change.
#[derive(Debug, Clone, Serialize)]
pub struct Example {
    pub origin: String,
    pub before: String,
    pub after: String,
    /// Where the candidate's policy found it: zone, message, score, rules or entity types.
    pub found: Vec<String>,
}

/// What changed for one policy.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PolicyDelta {
    pub policy: String,
    pub counts: BTreeMap<&'static str, u64>,
    pub examples: BTreeMap<&'static str, Vec<Example>>,
}

/// The whole comparison.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub requests: u64,
    pub blocked_before: u64,
    pub blocked_after: u64,
    /// Requests blocked after and not before, whatever the policy.
    pub newly_blocked: u64,
    pub newly_withheld: u64,
    pub newly_redacted: u64,
    pub policies: Vec<PolicyDelta>,
}

/// Compares `candidate` with `baseline` (a chain, or each request's recorded decisions, or
/// nothing at all) over `traffic`, keeping up to `examples` examples per change.
pub fn compare(
    traffic: &[Recorded],
    candidate: &PolicyChain,
    baseline: Option<&PolicyChain>,
    examples: usize,
) -> Report {
    let mut report = Report::default();
    let mut deltas: BTreeMap<String, PolicyDelta> = BTreeMap::new();
    for rec in traffic {
        let before = match (baseline, &rec.recorded) {
            (Some(chain), _) => run(chain, &rec.req).0,
            (None, Some(recorded)) => from_recorded(recorded),
            (None, None) => Verdicts::default(),
        };
        let (after, decisions) = run(candidate, &rec.req);
        report.requests += 1;
        report.blocked_before += u64::from(before.blocked());
        report.blocked_after += u64::from(after.blocked());
        report.newly_blocked += u64::from(after.blocked() && !before.blocked());
        let mut policies: Vec<&String> =
            before.actions.keys().chain(after.actions.keys()).collect();
        policies.sort();
        policies.dedup();
        let mut any_withheld = false;
        let mut any_redacted = false;
        for policy in policies {
            let (b, a) = (before.of(policy), after.of(policy));
            let change = match (b, a) {
                (b, "blocked") if b != "blocked" => Some("newly_blocked"),
                ("blocked", a) if a != "blocked" => Some("newly_allowed"),
                (b, "redacted") if b != "redacted" => Some("newly_redacted"),
                (b, "withheld") if b != "withheld" => Some("newly_withheld"),
                ("redacted" | "withheld", a) if a != "redacted" && a != "withheld" => {
                    Some("no_longer_redacted")
                }
                _ => None,
            };
            let Some(change) = change else { continue };
            any_withheld |= change == "newly_withheld";
            any_redacted |= change == "newly_redacted";
            let delta = deltas.entry(policy.clone()).or_insert_with(|| PolicyDelta {
                policy: policy.clone(),
                ..PolicyDelta::default()
            });
            *delta.counts.entry(change).or_default() += 1;
            let list = delta.examples.entry(change).or_default();
            if list.len() < examples {
                list.push(Example {
                    origin: rec.origin.clone(),
                    before: b.to_owned(),
                    after: a.to_owned(),
                    found: describe(&decisions, policy),
                });
            }
        }
        report.newly_withheld += u64::from(any_withheld);
        report.newly_redacted += u64::from(any_redacted);
    }
    report.policies = deltas.into_values().collect();
    report
}

/// The candidate's findings for `policy`, one line per place.
fn describe(decisions: &[Decision], policy: &str) -> Vec<String> {
    decisions
        .iter()
        .filter(|d| d.policy == policy)
        .flat_map(|d| d.found.iter())
        .map(|h| {
            let mut s = h.spot.to_string();
            if let Some(score) = h.score {
                let _ = write!(s, " score {score:.2}");
            }
            if !h.entities.is_empty() {
                let what: Vec<String> =
                    h.entities.iter().map(|(e, n)| format!("{e}×{n}")).collect();
                let _ = write!(s, " [{}]", what.join(", "));
            }
            s
        })
        .collect()
}

impl Report {
    /// A readable table, then the examples.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} requests replayed; blocked before {}, after {} ({} newly blocked, {} with text newly withheld, {} newly redacted)\n",
            self.requests,
            self.blocked_before,
            self.blocked_after,
            self.newly_blocked,
            self.newly_withheld,
            self.newly_redacted
        );
        if self.policies.is_empty() {
            let _ = writeln!(out, "no policy decision changes");
            return out;
        }
        let _ = writeln!(
            out,
            "{:<18} {:>8} {:>8} {:>9} {:>9} {:>12}",
            "policy", "blocked", "allowed", "redacted", "withheld", "unredacted"
        );
        for d in &self.policies {
            let n = |k: &str| d.counts.get(k).copied().unwrap_or(0);
            let _ = writeln!(
                out,
                "{:<18} {:>8} {:>8} {:>9} {:>9} {:>12}",
                d.policy,
                n("newly_blocked"),
                n("newly_allowed"),
                n("newly_redacted"),
                n("newly_withheld"),
                n("no_longer_redacted")
            );
        }
        let _ = writeln!(
            out,
            "\n(counts of requests whose decision changed that way)"
        );
        for d in &self.policies {
            for change in CHANGES {
                let Some(list) = d.examples.get(change) else {
                    continue;
                };
                let _ = writeln!(out, "\n{} {}:", d.policy, change.replace('_', " "));
                for e in list {
                    let _ = writeln!(
                        out,
                        "  {}: {} -> {}{}",
                        e.origin,
                        e.before,
                        e.after,
                        if e.found.is_empty() {
                            String::new()
                        } else {
                            format!(" at {}", e.found.join("; "))
                        }
                    );
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_texts_rebuild_the_conversation() {
        let t = |zone, message, tool: Option<&str>, text: &str| ContentText {
            zone,
            message,
            tool: tool.map(str::to_owned),
            text: text.to_owned(),
        };
        let req = from_texts(
            "m".into(),
            &[
                t(Zone::System, None, None, "sys"),
                t(Zone::User, Some(0), None, "read it"),
                t(Zone::Assistant, Some(1), Some("Read"), r#"{"path":"a"}"#),
                t(Zone::ToolResult, Some(2), Some("call_1"), "file text"),
                t(Zone::User, Some(2), None, "thanks"),
            ],
        );
        assert_eq!(req.system, vec![SystemBlock::Text("sys".into())]);
        assert_eq!(req.messages.len(), 3);
        assert_eq!(
            req.messages[2].content.len(),
            2,
            "tool result and text share a turn"
        );
        assert!(
            matches!(&req.messages[1].content[0], Part::ToolUse { name, .. } if name == "Read")
        );
    }

    #[test]
    fn bodies_parse_by_door() {
        let openai =
            serde_json::json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]});
        let r = parse_body("/v1/chat/completions", &openai)
            .unwrap()
            .unwrap();
        assert_eq!(r.messages.len(), 1);
        let anthropic = serde_json::json!({"model": "m", "max_tokens": 10, "system": "s", "messages": [{"role": "user", "content": "hi"}]});
        let r = parse_body("/v1/messages", &anthropic).unwrap().unwrap();
        assert_eq!(r.system.len(), 1);
        assert!(parse_body("/v1/models", &Value::Null).unwrap().is_none());
        let r = parse_body("", &anthropic).unwrap().unwrap();
        assert_eq!(r.system.len(), 1, "a bare Anthropic body is recognised");
    }
}
