//! `gw replay`: recorded traffic through another pack's chain, and what would change.
//!
//! Why it exists: a policy is only useful if a compliance team can switch it on without breaking
//! the traffic it guards. Replay runs real requests (an audit trail written with
//! `include_content: redacted|full`, or a JSON Lines file of recorded requests) through a
//! candidate pack's request chain, compares each policy's decision with a baseline (another
//! pack, or the decisions the audit trail recorded), and reports per policy what would be newly
//! blocked, allowed, redacted or withheld, with examples. A budget (`--max-new-blocks 0`) makes
//! it a CI gate on pack changes. Nothing is sent to Bedrock.

mod audit_trail;
mod load;
mod report;

pub use load::{load, traffic_texts};
pub use report::{Example, PolicyDelta, Report};

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::ir::ChatRequest;
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

#[cfg(test)]
mod tests {
    use super::audit_trail::from_texts;
    use super::load::parse_body;
    use crate::audit::ContentText;
    use crate::ir::{Part, SystemBlock, Zone};
    use serde_json::Value;

    #[test]
    fn audit_texts_rebuild_the_conversation() {
        let t = |zone, message, tool: Option<&str>, text: &str| ContentText {
            zone,
            message,
            tool: tool.map(str::to_owned),
            call: None,
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
        // A record that keeps the call's id pairs the result with its call, as the live request
        // did (prompt-injection reads a project instruction file by the call that read it).
        let mut call = t(
            Zone::Assistant,
            Some(1),
            Some("Read"),
            r#"{"file_path":"AGENTS.md"}"#,
        );
        call.call = Some("toolu_7".into());
        let req = from_texts(
            "m".into(),
            &[call, t(Zone::ToolResult, Some(2), Some("toolu_7"), "rules")],
        );
        assert!(matches!(&req.messages[0].content[0], Part::ToolUse { id, .. } if id == "toolu_7"));
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
