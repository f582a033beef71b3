//! What of the prompt and reply an audit record keeps (`audit-logger.include_content`).
//!
//! `none` (the default) keeps nothing. `redacted` keeps the text after the policy chain and then
//! masks it again with gw's built-in PII detector, whatever the chain holds, so a pack without a
//! `pii-detector` (or with `restore: true`, which puts the user's values back into the reply)
//! still never writes raw personal data to the audit trail. `full` keeps the raw text, only
//! because the pack says so.

use serde::{Deserialize, Serialize};

use crate::config::pack::{IncludeContent, Pack, PolicyName};
use crate::ir::{ChatRequest, Part, Role, SystemBlock, ToolResultPart, Zone};
use crate::policy::pii::{PiiDetector, policy::ALL_ENTITIES, redact::label, rules};
use crate::policy::zone::is_text;

/// The content part of an audit record.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct AuditContent {
    /// `redacted` or `full`: how the pack kept it, so a reviewer knows whether raw personal
    /// data may be in it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub mode: String,
    /// The request's texts in reading order, each with its zone and message index: what the
    /// model read (`redacted`) or what the client sent (`full`). `gw replay` rebuilds requests
    /// from them.
    pub prompt: Vec<ContentText>,
    /// The reply text (absent when there was none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
}

/// One text of a request, as the audit record keeps it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ContentText {
    pub zone: Zone,
    /// Index into the request's messages (for `embedding`, into its inputs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<u32>,
    /// The tool a call names (`assistant` tool calls: its name; tool results: the call id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// A tool call's id (`assistant` tool calls), so that a replay pairs each result with the
    /// call it answers (records written before it have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<String>,
    pub text: String,
}

/// The pack's content setting, ready to apply.
pub struct ContentCapture {
    mode: IncludeContent,
    masker: Option<PiiDetector>,
}

impl ContentCapture {
    /// `redacted` or `full`.
    pub fn mode(&self) -> &'static str {
        match self.mode {
            IncludeContent::Full => "full",
            _ => "redacted",
        }
    }

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

    /// The request's texts as the record keeps them.
    pub fn prompt(&self, req: &ChatRequest) -> Vec<ContentText> {
        let mut out = Vec::new();
        let mut push =
            |zone, message: Option<u32>, tool: Option<&str>, call: Option<&str>, text: &str| {
                out.push(ContentText {
                    zone,
                    message,
                    tool: tool.map(str::to_owned),
                    call: call.map(str::to_owned),
                    text: self.mask(text),
                });
            };
        for block in &req.system {
            if let SystemBlock::Text(t) = block {
                push(Zone::System, None, None, None, t);
            }
        }
        for (i, m) in req.messages.iter().enumerate() {
            let at = Some(u32::try_from(i).unwrap_or(u32::MAX));
            let own = if m.role == Role::User {
                Zone::User
            } else {
                Zone::Assistant
            };
            for part in &m.content {
                match part {
                    Part::Text(t) => push(own, at, None, None, t),
                    Part::ToolUse { id, name, input } => {
                        push(
                            Zone::Assistant,
                            at,
                            Some(name),
                            Some(id),
                            &input.to_string(),
                        );
                    }
                    Part::ToolResult { id, content, .. } => {
                        for c in content {
                            match c {
                                ToolResultPart::Text(t) => {
                                    push(Zone::ToolResult, at, Some(id), None, t)
                                }
                                ToolResultPart::Json(v) => {
                                    push(Zone::ToolResult, at, Some(id), None, &v.to_string());
                                }
                                ToolResultPart::Image { .. } => {
                                    push(Zone::ToolResult, at, Some(id), None, "[image]");
                                }
                            }
                        }
                    }
                    Part::Image { .. } => push(own, at, None, None, "[image]"),
                    Part::Document {
                        format, name, data, ..
                    } if is_text(*format) => {
                        push(
                            Zone::Document,
                            at,
                            Some(name),
                            None,
                            &String::from_utf8_lossy(data),
                        );
                    }
                    Part::Document { name, .. } => {
                        push(Zone::Document, at, Some(name), None, "[binary document]");
                    }
                    _ => {}
                }
            }
        }
        for (i, input) in req.inputs.iter().enumerate() {
            push(Zone::Embedding, u32::try_from(i).ok(), None, None, input);
        }
        out
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
