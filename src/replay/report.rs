//! The comparison's result, per policy and change, and its table.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::CHANGES;

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
