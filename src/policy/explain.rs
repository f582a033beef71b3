//! `gw explain`: what each policy of a pack's chain would do to one text, and why, without
//! calling Bedrock. Each policy runs alone on the text as a user message (and as a reply), so
//! its own decision is visible even when an earlier policy would have blocked.

use std::fmt::Write;

use super::PolicyChain;
use super::cases::{Case, CaseDirection, Expect, Verdict, observe};
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
        for direction in [CaseDirection::Request, CaseDirection::Response] {
            let case = Case {
                name: String::new(),
                input: Some(text.to_string()),
                messages: Vec::new(),
                direction,
                expect: Expect {
                    decision: Verdict::Allowed,
                    text: None,
                    entities: None,
                    policy: None,
                },
            };
            let got = observe(&chain, &case);
            let label = if direction == CaseDirection::Request {
                "as a prompt"
            } else {
                "as a reply"
            };
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
