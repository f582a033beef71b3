//! Walking the texts of a request or a reply, each with its zone and message index.
//!
//! Why it exists: every policy reads by zone (`scan:` in the pack), and every decision says
//! where it found something. One walker keeps the policies agreeing on what each text is: the
//! operator's system prompt and tool definitions, user turns, assistant history, tool results,
//! attached documents, and on the way back reply text, tool-call arguments and reasoning.

use bytes::Bytes;
use serde_json::Value;

use crate::ir::ToolResultPart;
use crate::ir::{
    ChatRequest, ChatResponse, DocumentFormat, Part, Role, SystemBlock, Zone, ZoneSet,
};

/// Where a text sits: its zone and, inside the conversation, the index of its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Spot {
    pub zone: Zone,
    /// Index into the request's `messages` (for `embedding`, into its inputs; absent for the
    /// system prompt, tool definitions and the reply).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<u32>,
}

impl Spot {
    /// A spot outside the conversation (system, tools, reply).
    pub fn at(zone: Zone) -> Self {
        Self {
            zone,
            message: None,
        }
    }
}

impl std::fmt::Display for Spot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.message {
            Some(i) => write!(f, "{} (message {i})", self.zone.as_str()),
            None => f.write_str(self.zone.as_str()),
        }
    }
}

/// One text a policy may read or rewrite in place.
pub enum TextMut<'a> {
    /// Plain text.
    Str(&'a mut String),
    /// A JSON document (tool arguments, JSON tool results, tool input schemas): its string
    /// values are the text; keys are structure.
    Json(&'a mut Value),
    /// A text-format document's bytes (UTF-8, read lossily).
    Doc(&'a mut Bytes),
}

/// Calls `visit` on every text of `req` in one of `zones`, in reading order: system, tools,
/// then each message's parts.
pub fn walk_request(
    req: &mut ChatRequest,
    zones: ZoneSet,
    mut visit: impl FnMut(Spot, TextMut<'_>),
) {
    walk_request_by_call(req, zones, |spot, _, t| visit(spot, t));
}

/// As [`walk_request`], also handing over, for a tool result, the id of the tool call it
/// answers (a policy that reads a result by what was called, such as prompt-injection's
/// project instruction files).
pub fn walk_request_by_call(
    req: &mut ChatRequest,
    zones: ZoneSet,
    mut visit: impl FnMut(Spot, Option<&str>, TextMut<'_>),
) {
    if zones.contains(Zone::System) {
        for block in &mut req.system {
            if let SystemBlock::Text(t) = block {
                visit(Spot::at(Zone::System), None, TextMut::Str(t));
            }
        }
    }
    if zones.contains(Zone::Tools) {
        for tool in &mut req.tools {
            if let Some(d) = &mut tool.description {
                visit(Spot::at(Zone::Tools), None, TextMut::Str(d));
            }
            visit(
                Spot::at(Zone::Tools),
                None,
                TextMut::Json(&mut tool.input_schema),
            );
        }
    }
    for (i, msg) in req.messages.iter_mut().enumerate() {
        let user = msg.role == Role::User;
        let message = Some(u32::try_from(i).unwrap_or(u32::MAX));
        for part in &mut msg.content {
            let (zone, text) = match part {
                Part::Text(t) if user => (Zone::User, TextMut::Str(t)),
                Part::Text(t) => (Zone::Assistant, TextMut::Str(t)),
                Part::ToolUse { input, .. } => (Zone::Assistant, TextMut::Json(input)),
                Part::ToolResult { id, content, .. } => {
                    if zones.contains(Zone::ToolResult) {
                        for c in content {
                            let spot = Spot {
                                zone: Zone::ToolResult,
                                message,
                            };
                            match c {
                                ToolResultPart::Text(t) => visit(spot, Some(id), TextMut::Str(t)),
                                ToolResultPart::Json(v) => visit(spot, Some(id), TextMut::Json(v)),
                                ToolResultPart::Image { .. } => {}
                            }
                        }
                    }
                    continue;
                }
                Part::Document { format, data, .. } if is_text(*format) => {
                    (Zone::Document, TextMut::Doc(data))
                }
                _ => continue,
            };
            if zones.contains(zone) {
                visit(Spot { zone, message }, None, text);
            }
        }
    }
    if zones.contains(Zone::Embedding) {
        for (i, input) in req.inputs.iter_mut().enumerate() {
            let message = Some(u32::try_from(i).unwrap_or(u32::MAX));
            visit(
                Spot {
                    zone: Zone::Embedding,
                    message,
                },
                None,
                TextMut::Str(input),
            );
        }
    }
}

/// Calls `visit` on every text of a whole reply in one of `zones`.
pub fn walk_reply(
    resp: &mut ChatResponse,
    zones: ZoneSet,
    mut visit: impl FnMut(Spot, TextMut<'_>),
) {
    for part in &mut resp.content {
        let (zone, text) = match part {
            Part::Text(t) => (Zone::Reply, TextMut::Str(t)),
            Part::ToolUse { input, .. } => (Zone::ToolCall, TextMut::Json(input)),
            Part::Reasoning { text, .. } => (Zone::Reasoning, TextMut::Str(text)),
            _ => continue,
        };
        if zones.contains(zone) {
            visit(Spot::at(zone), text);
        }
    }
}

/// Calls `visit` on every string value inside a JSON document.
pub fn json_strings(v: &mut Value, visit: &mut impl FnMut(&mut String)) {
    match v {
        Value::String(s) => visit(s),
        Value::Array(a) => a.iter_mut().for_each(|x| json_strings(x, visit)),
        Value::Object(o) => o.values_mut().for_each(|x| json_strings(x, visit)),
        _ => {}
    }
}

/// Whether gw can read a document of this format as text.
pub fn is_text(format: DocumentFormat) -> bool {
    matches!(
        format,
        DocumentFormat::Txt | DocumentFormat::Md | DocumentFormat::Csv | DocumentFormat::Html
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Message, Tool};
    use serde_json::json;

    fn request() -> ChatRequest {
        ChatRequest {
            system: vec![SystemBlock::Text("sys".into())],
            tools: vec![Tool {
                name: "get".into(),
                description: Some("gets".into()),
                input_schema: json!({"type": "object"}),
                strict: None,
            }],
            messages: vec![
                Message {
                    role: Role::User,
                    content: vec![
                        Part::Text("u".into()),
                        Part::Document {
                            format: DocumentFormat::Md,
                            name: "d".into(),
                            data: Bytes::from_static(b"doc"),
                        },
                    ],
                },
                Message {
                    role: Role::Assistant,
                    content: vec![
                        Part::Text("a".into()),
                        Part::ToolUse {
                            id: "1".into(),
                            name: "get".into(),
                            input: json!({"q": "x"}),
                        },
                    ],
                },
                Message {
                    role: Role::User,
                    content: vec![Part::ToolResult {
                        id: "1".into(),
                        content: vec![ToolResultPart::Text("r".into())],
                        is_error: false,
                    }],
                },
            ],
            ..ChatRequest::default()
        }
    }

    fn seen(zones: &[Zone]) -> Vec<String> {
        let mut out = Vec::new();
        walk_request(&mut request(), ZoneSet::of(zones), |spot, _| {
            out.push(spot.to_string())
        });
        out
    }

    #[test]
    fn each_text_has_its_zone_and_message() {
        assert_eq!(
            seen(&Zone::ALL),
            [
                "system",
                "tools",
                "tools",
                "user (message 0)",
                "document (message 0)",
                "assistant (message 1)",
                "assistant (message 1)",
                "tool_result (message 2)",
            ]
        );
        assert_eq!(
            seen(&[Zone::User, Zone::ToolResult]),
            ["user (message 0)", "tool_result (message 2)"]
        );
        assert!(seen(&[Zone::Reply]).is_empty());
    }

    #[test]
    fn rewrites_land_in_place() {
        let mut req = request();
        walk_request(&mut req, ZoneSet::of(&[Zone::ToolResult]), |_, t| {
            if let TextMut::Str(s) = t {
                s.push('!');
            }
        });
        assert!(matches!(
            &req.messages[2].content[0],
            Part::ToolResult { content, .. } if content[0] == ToolResultPart::Text("r!".into())
        ));
    }
}
