//! Request checks both front doors apply to the same IR fields (the required model and
//! messages, sampling ranges, tool definitions, named tool choices, the user label), so one rule
//! gives one behaviour and one message whichever API a client speaks. Each door keeps only what
//! is its own: parameter names, its vocabulary, its defaults.

use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::ir::{Tool, ToolChoice};

/// Bedrock's limit on `requestMetadata` values.
const MAX_USER: usize = 256;

/// Parses a request body, turning serde's complaint into a 400 the client can act on. The
/// message quotes at most `max_chars` of serde's text (it quotes offending values whole, and
/// those can be megabytes of base64); `kind` names what was expected (`request`, `Messages
/// request`) and `reference` the API documentation to check against.
pub fn parse_body<T: DeserializeOwned>(
    body: &[u8],
    max_chars: usize,
    kind: &str,
    reference: &str,
) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        let mut msg = e.to_string();
        if msg.chars().count() > max_chars {
            msg = msg.chars().take(max_chars).collect::<String>() + "…";
        }
        let what = if e.is_syntax() || e.is_eof() {
            "not valid JSON"
        } else {
            &format!("not a valid {kind}")
        };
        ApiError::invalid_request(format!(
            "the request body is {what}: {msg}; check it against the {reference} reference"
        ))
        .with_code("invalid_body")
    })
}

/// A 400 naming the offending parameter.
pub fn bad(param: &'static str, msg: impl Into<String>) -> ApiError {
    ApiError::invalid_request(msg).with_param(param)
}

/// `model` present and at least one message.
pub fn model_and_messages(model: &str, messages: usize) -> Result<(), ApiError> {
    if model.trim().is_empty() {
        return Err(bad("model", "`model` is required"));
    }
    if messages == 0 {
        return Err(bad(
            "messages",
            "`messages` must contain at least one message",
        ));
    }
    Ok(())
}

/// A sampling parameter inside `0..=max`.
pub fn in_range(param: &'static str, v: Option<f64>, max: f64) -> Result<Option<f64>, ApiError> {
    match v {
        None => Ok(None),
        Some(v) if (0.0..=max).contains(&v) => Ok(Some(v)),
        Some(_) => Err(bad(param, format!("`{param}` must be between 0 and {max}"))),
    }
}

/// A client-defined tool: a Bedrock-acceptable name and a JSON Schema object for its input
/// (an empty object schema when absent). `at` is the tool's parameter path (`tools[2]`, or
/// `tools[2].function` for OpenAI), `schema_key` the door's name for the schema.
pub fn tool(
    at: &str,
    name: String,
    description: Option<String>,
    schema: Option<Value>,
    schema_key: &str,
    strict: Option<bool>,
) -> Result<Tool, ApiError> {
    let name_ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !name_ok {
        return Err(ApiError::invalid_request(
            "tool names must be 1-64 characters of letters, digits, `_` or `-`",
        )
        .with_param(format!("{at}.name")));
    }
    let input_schema = match schema {
        None | Some(Value::Null) => json!({"type": "object", "properties": {}}),
        Some(v @ Value::Object(_)) => v,
        Some(_) => {
            return Err(ApiError::invalid_request(format!(
                "`{schema_key}` must be a JSON Schema object"
            ))
            .with_param(format!("{at}.{schema_key}")));
        }
    };
    Ok(Tool {
        name,
        description,
        input_schema,
        strict,
    })
}

/// A tool choice that names one tool, which must be among `tools`.
pub fn named_tool(
    param: &'static str,
    name: String,
    tools: &[Tool],
) -> Result<ToolChoice, ApiError> {
    if !tools.iter().any(|t| t.name == name) {
        return Err(bad(
            param,
            "`tool_choice` names a tool that is not in `tools`",
        ));
    }
    Ok(ToolChoice::Tool(name))
}

/// The caller's user label for Bedrock's invocation-log metadata: ≤256 characters of
/// `[a-zA-Z0-9 :_@$#=/+,.-]`; anything else is dropped rather than rejected, since it is only a
/// label.
pub fn sanitise_user(user: &str) -> Option<String> {
    let s: String = user
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || " :_@$#=/+,.-".contains(*c))
        .take(MAX_USER)
        .collect();
    (!s.trim().is_empty()).then_some(s)
}
