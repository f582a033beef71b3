//! Which parts of a request are untrusted text.
//!
//! Why it exists: both content policies must agree on what they read. The operator's system prompt
//! is trusted and never scored; user turns, tool results and text documents are where injected
//! instructions arrive (directly or indirectly), so those are what the policies see.

use std::borrow::Cow;

use crate::ir::{ChatRequest, DocumentFormat, Part, Role, ToolResultPart};

/// Calls `visit` on every untrusted text of the request: user text, tool-result text and JSON
/// (serialised), and text-format documents (decoded lossily). Binary documents (PDF, Office) and
/// images are not text gw can read and are skipped.
pub(crate) fn for_each_untrusted_text(req: &ChatRequest, mut visit: impl FnMut(Cow<'_, str>)) {
    for msg in &req.messages {
        for part in &msg.content {
            match part {
                Part::Text(t) if msg.role == Role::User => visit(Cow::Borrowed(t)),
                Part::ToolResult { content, .. } => {
                    for p in content {
                        match p {
                            ToolResultPart::Text(t) => visit(Cow::Borrowed(t)),
                            ToolResultPart::Json(v) => visit(Cow::Owned(v.to_string())),
                            ToolResultPart::Image { .. } => {}
                        }
                    }
                }
                Part::Document { format, data, .. } if is_text(*format) => {
                    visit(String::from_utf8_lossy(data));
                }
                _ => {}
            }
        }
    }
}

fn is_text(format: DocumentFormat) -> bool {
    matches!(
        format,
        DocumentFormat::Txt | DocumentFormat::Md | DocumentFormat::Csv | DocumentFormat::Html
    )
}
