//! What of the prompt and reply an audit record keeps (`audit-logger.include_content`).
//!
//! `none` (the default) keeps nothing. `redacted` keeps the text after the policy chain and then
//! masks it again with gw's built-in PII detector, whatever the chain holds, so a pack without a
//! `pii-detector` (or with `restore: true`, which puts the user's values back into the reply)
//! still never writes raw personal data to the audit trail. `full` keeps the raw text, only
//! because the pack says so.

use serde::Serialize;

use crate::config::pack::{IncludeContent, Pack, PolicyName};
use crate::ir::{ChatRequest, Part, Role, SystemBlock};
use crate::policy::pii::{PiiDetector, policy::ALL_ENTITIES, redact::label, rules};

/// The content part of an audit record.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AuditContent {
    /// The conversation as the model read it, one `role: text` line per turn.
    pub prompt: String,
    /// The reply text (absent when there was none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
}

/// The pack's content setting, ready to apply.
pub struct ContentCapture {
    mode: IncludeContent,
    masker: Option<PiiDetector>,
}

impl ContentCapture {
    /// `None` when the pack keeps no content (no audit-logger, or `include_content: none`).
    pub fn from_pack(pack: &Pack) -> Result<Option<Self>, String> {
        if !pack.policies.chain.contains(&PolicyName::AuditLogger) {
            return Ok(None);
        }
        let mode = pack
            .policies
            .policy
            .audit_logger
            .as_ref()
            .map_or(IncludeContent::None, |a| a.include_content);
        let masker = match mode {
            IncludeContent::None => return Ok(None),
            IncludeContent::Full => None,
            IncludeContent::Redacted => Some(
                PiiDetector::new(&rules::builtin()?, &ALL_ENTITIES)?
                    .with_allow(&pack.policies.allow)?,
            ),
        };
        Ok(Some(Self { mode, masker }))
    }

    /// Whether the raw request is kept (`full`) rather than the policed one.
    pub fn wants_raw(&self) -> bool {
        self.mode == IncludeContent::Full
    }

    /// The request's text as the record keeps it.
    pub fn prompt(&self, req: &ChatRequest) -> String {
        let mut out = String::new();
        for block in &req.system {
            if let SystemBlock::Text(t) = block {
                push_line(&mut out, "system", t);
            }
        }
        for m in &req.messages {
            let role = if m.role == Role::User {
                "user"
            } else {
                "assistant"
            };
            for part in &m.content {
                match part {
                    Part::Text(t) => push_line(&mut out, role, t),
                    Part::ToolUse { name, input, .. } => {
                        push_line(&mut out, role, &format!("[tool call {name}] {input}"))
                    }
                    Part::ToolResult { content, .. } => {
                        for c in content {
                            match c {
                                crate::ir::ToolResultPart::Text(t) => {
                                    push_line(&mut out, "tool", t)
                                }
                                crate::ir::ToolResultPart::Json(v) => {
                                    push_line(&mut out, "tool", &v.to_string())
                                }
                                crate::ir::ToolResultPart::Image { .. } => {
                                    push_line(&mut out, "tool", "[image]")
                                }
                            }
                        }
                    }
                    Part::Image { .. } => push_line(&mut out, role, "[image]"),
                    Part::Document { name, .. } => {
                        push_line(&mut out, role, &format!("[document {name}]"))
                    }
                    _ => {}
                }
            }
        }
        for input in &req.inputs {
            push_line(&mut out, "embed", input);
        }
        self.mask(&out)
    }

    /// The reply text as the record keeps it.
    pub fn reply(&self, text: &str) -> String {
        self.mask(text)
    }

    fn mask(&self, text: &str) -> String {
        let Some(detector) = &self.masker else {
            return text.to_string();
        };
        let mut found = Vec::new();
        detector.scan(text, &mut found);
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for f in &found {
            out.push_str(&text[at..f.start]);
            out.push('[');
            out.push_str(label(f.entity));
            out.push(']');
            at = f.end;
        }
        out.push_str(&text[at..]);
        out
    }
}

fn push_line(out: &mut String, role: &str, text: &str) {
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(role);
    out.push_str(": ");
    out.push_str(text);
}
