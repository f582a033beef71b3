//! Shorthand for building IR requests and SDK replies in the translator's tests.

use serde_json::Value;

use super::caps::{Capabilities, capabilities};
use super::request::{ConverseCall, to_converse};
use crate::error::ApiError;
use crate::ir::{ChatRequest, Message, Part, Role, Tool};

pub(crate) const CLAUDE_45: &str = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
pub(crate) const CLAUDE_37: &str = "us.anthropic.claude-3-7-sonnet-20250219-v1:0";
pub(crate) const CLAUDE_35: &str = "anthropic.claude-3-5-sonnet-20241022-v2:0";
pub(crate) const NOVA: &str = "amazon.nova-pro-v1:0";
pub(crate) const LLAMA: &str = "meta.llama3-1-70b-instruct-v1:0";
pub(crate) const TITAN: &str = "amazon.titan-text-express-v1";

pub(crate) fn caps(model: &str) -> Capabilities {
    capabilities(model, None)
}

pub(crate) fn text(s: &str) -> Part {
    Part::Text(s.to_string())
}

pub(crate) fn user(parts: Vec<Part>) -> Message {
    Message {
        role: Role::User,
        content: parts,
    }
}

pub(crate) fn assistant(parts: Vec<Part>) -> Message {
    Message {
        role: Role::Assistant,
        content: parts,
    }
}

pub(crate) fn tool_use(id: &str, name: &str, input: Value) -> Part {
    Part::ToolUse {
        id: id.to_string(),
        name: name.to_string(),
        input,
    }
}

pub(crate) fn tool_result_text(id: &str, s: &str) -> Part {
    Part::ToolResult {
        id: id.to_string(),
        content: vec![crate::ir::ToolResultPart::Text(s.to_string())],
        is_error: false,
    }
}

pub(crate) fn tool(name: &str) -> Tool {
    Tool {
        name: name.to_string(),
        description: Some(format!("the {name} tool")),
        input_schema: serde_json::json!({"type": "object", "properties": {"q": {"type": "string"}}}),
        strict: None,
    }
}

pub(crate) fn request(messages: Vec<Message>) -> ChatRequest {
    ChatRequest {
        model: "m".to_string(),
        messages,
        ..Default::default()
    }
}

pub(crate) fn hello() -> ChatRequest {
    request(vec![user(vec![text("hello")])])
}

pub(crate) fn call(req: &ChatRequest, model: &str) -> ConverseCall {
    match to_converse(req, &caps(model)) {
        Ok(call) => call,
        Err(e) => panic!("translation failed: {e}"),
    }
}

pub(crate) fn fail(req: &ChatRequest, model: &str) -> ApiError {
    match to_converse(req, &caps(model)) {
        Ok(call) => panic!("expected a 400, got {call:?}"),
        Err(e) => e,
    }
}
