//! `gw explain`: what each policy of a pack's chain would do to one text, and why, without
//! calling Bedrock. Each policy runs alone on the text as a user turn, as a tool result and as a
//! reply (each zone is read its own way), so its own decision is visible even when an earlier
//! policy would have blocked.

use std::fmt::Write;

use super::PolicyChain;
use super::cases::{Case, CaseDirection, CaseZone, Expect, Verdict, observe};
use crate::config::LoadedPack;

/// A readable report, one section per policy in chain order.
pub fn explain(loaded: &LoadedPack, text: &str) -> String {
    let mut out = String::new();
    let policies = &loaded.pack.policies;
    if policies.chain.is_empty() {
        let _ = writeln!(
            out,
            "the pack's policy chain is empty: the text would go to Bedrock unchanged"
        );
        return out;
    }
    for name in &policies.chain {
        let _ = writeln!(out, "{}:", name.as_str());
        let mut single = policies.clone();
        single.chain = vec![*name];
        let chain = match PolicyChain::build(&single, &loaded.pack_dir()) {
            Ok(c) => c,
            Err(e) => {
                let _ = writeln!(out, "  cannot run: {e}");
                continue;
            }
        };
        for (direction, zone, label) in [
            (CaseDirection::Request, CaseZone::User, "as a user turn"),
            (
                CaseDirection::Request,
                CaseZone::ToolResult,
                "as a tool result",
            ),
            (CaseDirection::Response, CaseZone::User, "as a reply"),
        ] {
            let case = Case {
                name: String::new(),
                input: Some(text.to_string()),
                messages: Vec::new(),
                direction,
                zone,
                expect: Expect {
                    decision: Verdict::Allowed,
                    text: None,
                    entities: None,
                    policy: None,
                },
            };
            let got = observe(&chain, &case);
            let verdict = format!("{:?}", got.verdict).to_lowercase();
            let _ = write!(out, "  {label}: {verdict}");
            if !got.entities.is_empty() {
                let _ = write!(out, " ({})", got.entities.join(", "));
            }
            let _ = writeln!(out);
            if let Some(m) = &got.message {
                let _ = writeln!(out, "    why: {m}");
            } else if got.text != text {
                let _ = writeln!(out, "    becomes: {}", got.text);
            }
        }
        for line in chain.explain(text) {
            let _ = writeln!(out, "    {line}");
        }
    }
    out
}
