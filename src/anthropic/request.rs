//! `MessagesRequest` → `ir::ChatRequest`: the Anthropic front door's only way into the pipeline,
//! so every Messages-API check and default lives here and policies only see the neutral model.
//!
//! Sampling parameters are checked before content so a bad request fails before any large
//! attachment is decoded.

use serde::de::DeserializeOwned;

use super::content;
use super::types::{MessagesRequest, ThinkingParam, ToolChoiceParam, ToolParam};
use crate::checks::{self, bad};
use crate::error::ApiError;
use crate::ir::{ChatRequest, Thinking, Tool, ToolChoice};

/// Longest serde message quoted back to the client.
const MAX_PARSE_ERROR_CHARS: usize = 300;
/// Anthropic's smallest thinking budget.
const MIN_THINKING_BUDGET: u32 = 1024;

/// Which endpoint a body was sent to: `max_tokens` is required by one and not the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `POST /v1/messages`.
    Generate,
    /// `POST /v1/messages/count_tokens`.
    CountTokens,
}

/// Parses a body, turning serde's complaint into a 400 the client can act on.
pub fn from_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    checks::parse_body(
        body,
        MAX_PARSE_ERROR_CHARS,
        "Messages request",
        "Anthropic Messages API",
    )
}

/// Translates and validates a Messages request. Every error is a 400 naming the offending param.
pub fn to_ir(req: MessagesRequest, purpose: Purpose) -> Result<ChatRequest, ApiError> {
    checks::model_and_messages(&req.model, req.messages.len())?;
    let max_tokens = match (req.max_tokens, purpose) {
        (Some(0), _) => return Err(bad("max_tokens", "`max_tokens` must be at least 1")),
        (None, Purpose::Generate) => return Err(bad("max_tokens", "`max_tokens` is required")),
        (m, _) => m,
    };
    let thinking = req
        .thinking
        .map(|t| thinking(t, max_tokens, purpose))
        .transpose()?
        .flatten();
    let mut out = ChatRequest {
        // Anthropic's `max_tokens` includes the thinking budget; the IR's is the answer alone
        // (the translator adds the budget back), so the total Bedrock sees is what was asked.
        max_tokens: match (max_tokens, thinking) {
            (Some(m), Some(t)) => Some(m.saturating_sub(t.budget_tokens).max(1)),
            (m, _) => m,
        },
        temperature: unit("temperature", req.temperature)?,
        top_p: unit("top_p", req.top_p)?,
        top_k: req.top_k,
        stop: req
            .stop_sequences
            .unwrap_or_default()
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect(),
        thinking,
        stream: purpose == Purpose::Generate && req.stream.unwrap_or(false),
        user: req
            .metadata
            .and_then(|m| m.user_id)
            .as_deref()
            .and_then(checks::sanitise_user),
        ..Default::default()
    };
    for (i, t) in req.tools.unwrap_or_default().into_iter().enumerate() {
        out.tools_cache_point |= t.cache_control.is_some();
        out.tools.push(tool(i, t)?);
    }
    out.tool_choice = req
        .tool_choice
        .map(|c| tool_choice(c, &out.tools))
        .transpose()?;
    if let Some(system) = req.system {
        content::system(system, &mut out.system)?;
    }
    content::messages(req.messages, &mut out.messages)?;
    out.model = req.model;
    Ok(out)
}

/// Anthropic takes `temperature` and `top_p` in 0..=1.
fn unit(param: &'static str, v: Option<f64>) -> Result<Option<f32>, ApiError> {
    Ok(checks::in_range(param, v, 1.0)?.map(|v| v as f32))
}

fn thinking(
    t: ThinkingParam,
    max_tokens: Option<u32>,
    purpose: Purpose,
) -> Result<Option<Thinking>, ApiError> {
    match t.kind.as_str() {
        "disabled" => Ok(None),
        "enabled" => {
            let budget = t.budget_tokens.ok_or_else(|| {
                bad(
                    "thinking.budget_tokens",
                    "`thinking.budget_tokens` is required when thinking is enabled",
                )
            })?;
            if budget < MIN_THINKING_BUDGET {
                return Err(bad(
                    "thinking.budget_tokens",
                    format!("`thinking.budget_tokens` must be at least {MIN_THINKING_BUDGET}"),
                ));
            }
            if purpose == Purpose::Generate && max_tokens.is_some_and(|m| budget >= m) {
                return Err(bad(
                    "thinking.budget_tokens",
                    "`thinking.budget_tokens` must be less than `max_tokens`",
                ));
            }
            Ok(Some(Thinking {
                budget_tokens: budget,
            }))
        }
        _ => Err(bad(
            "thinking.type",
            "`thinking.type` must be `enabled` (with `budget_tokens`) or `disabled`",
        )),
    }
}

fn tool(i: usize, t: ToolParam) -> Result<Tool, ApiError> {
    let param = |field: &str| format!("tools[{i}]{field}");
    if let Some(kind) = t.kind.as_deref().filter(|k| *k != "custom") {
        return Err(ApiError::invalid_request(format!(
            "server tool `{}` is not supported: gw forwards custom tools only (no `type`, or \
             `type: custom`); run the tool in your client instead",
            kind.chars().take(40).collect::<String>()
        ))
        .with_param(param(".type")));
    }
    checks::tool(
        &param(""),
        t.name,
        t.description,
        t.input_schema,
        "input_schema",
        None,
    )
}

fn tool_choice(c: ToolChoiceParam, tools: &[Tool]) -> Result<ToolChoice, ApiError> {
    match c.kind.as_str() {
        "auto" => Ok(ToolChoice::Auto),
        "any" => Ok(ToolChoice::Any),
        "none" => Ok(ToolChoice::None),
        "tool" => {
            let name = c.name.filter(|n| !n.is_empty()).ok_or_else(|| {
                bad(
                    "tool_choice.name",
                    "`tool_choice.name` is required when `type` is `tool`",
                )
            })?;
            checks::named_tool("tool_choice.name", name, tools)
        }
        _ => Err(bad(
            "tool_choice.type",
            "`tool_choice.type` must be `auto`, `any`, `tool` or `none`",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ir(body: &str) -> Result<ChatRequest, ApiError> {
        to_ir(from_json(body.as_bytes())?, Purpose::Generate)
    }

    fn with(fields: &str) -> Result<ChatRequest, ApiError> {
        ir(&format!(
            r#"{{"model":"claude","max_tokens":2048,"messages":[{{"role":"user","content":"hi"}}],{fields}}}"#
        ))
    }

    fn err_param(fields: &str) -> String {
        let e = with(fields).unwrap_err();
        assert_eq!(e.status.as_u16(), 400);
        e.param.unwrap_or_default().into_owned()
    }

    #[test]
    fn parameters_map() {
        let r = with(
            r#""temperature":0.5,"top_p":0.9,"top_k":40,"stop_sequences":["END",""],"stream":true,
               "metadata":{"user_id":"alice@example.com <x>"},"service_tier":"auto""#,
        )
        .unwrap();
        assert_eq!(r.model, "claude");
        assert_eq!(r.max_tokens, Some(2048));
        assert_eq!(r.temperature, Some(0.5));
        assert_eq!(r.top_p, Some(0.9));
        assert_eq!(r.top_k, Some(40));
        assert_eq!(r.stop, vec!["END"]);
        assert!(r.stream);
        assert_eq!(r.user.as_deref(), Some("alice@example.com x"));
    }

    #[test]
    fn thinking_budget_is_inside_max_tokens() {
        let r = with(r#""thinking":{"type":"enabled","budget_tokens":1024}"#).unwrap();
        assert_eq!(
            r.thinking,
            Some(Thinking {
                budget_tokens: 1024
            })
        );
        assert_eq!(r.max_tokens, Some(1024), "2048 total minus the 1024 budget");
        assert_eq!(
            with(r#""thinking":{"type":"disabled"}"#).unwrap().thinking,
            None
        );
    }

    #[test]
    fn tools_and_choice() {
        let r = with(
            r#""tools":[{"name":"get_weather","description":"w","input_schema":{"type":"object"}},
                        {"type":"custom","name":"now","cache_control":{"type":"ephemeral"}}],
               "tool_choice":{"type":"tool","name":"now"}"#,
        )
        .unwrap();
        assert_eq!(r.tools.len(), 2);
        assert!(r.tools_cache_point);
        assert_eq!(r.tool_choice, Some(ToolChoice::Tool("now".into())));
        for (k, want) in [
            ("auto", ToolChoice::Auto),
            ("any", ToolChoice::Any),
            ("none", ToolChoice::None),
        ] {
            let r = with(&format!(
                r#""tools":[{{"name":"f"}}],"tool_choice":{{"type":"{k}"}}"#
            ))
            .unwrap();
            assert_eq!(r.tool_choice, Some(want));
        }
    }

    #[test]
    fn errors_name_their_param() {
        let cases = [
            (r#""temperature":1.5"#, "temperature"),
            (r#""top_p":-1"#, "top_p"),
            (
                r#""thinking":{"type":"enabled","budget_tokens":500}"#,
                "thinking.budget_tokens",
            ),
            (
                r#""thinking":{"type":"enabled","budget_tokens":4096}"#,
                "thinking.budget_tokens",
            ),
            (r#""thinking":{"type":"enabled"}"#, "thinking.budget_tokens"),
            (r#""thinking":{"type":"sometimes"}"#, "thinking.type"),
            (
                r#""tools":[{"type":"web_search_20250305","name":"web_search"}]"#,
                "tools[0].type",
            ),
            (r#""tools":[{"name":"bad name"}]"#, "tools[0].name"),
            (
                r#""tools":[{"name":"f","input_schema":[]}]"#,
                "tools[0].input_schema",
            ),
            (
                r#""tools":[{"name":"f"}],"tool_choice":{"type":"tool","name":"g"}"#,
                "tool_choice.name",
            ),
            (
                r#""tools":[{"name":"f"}],"tool_choice":{"type":"maybe"}"#,
                "tool_choice.type",
            ),
        ];
        for (fields, param) in cases {
            assert_eq!(err_param(fields), param, "{fields}");
        }
        let e = ir(r#"{"model":"claude","messages":[{"role":"user","content":"x"}]}"#).unwrap_err();
        assert_eq!(e.param.as_deref(), Some("max_tokens"));
        let e = ir(r#"{"model":"claude","max_tokens":1,"messages":[]}"#).unwrap_err();
        assert_eq!(e.param.as_deref(), Some("messages"));
        let e = ir(r#"{"model":"claude","max_tokens":1,"#).unwrap_err();
        assert_eq!(e.code.as_deref(), Some("invalid_body"));
    }

    #[test]
    fn count_tokens_needs_no_max_tokens() {
        let body =
            br#"{"model":"claude","messages":[{"role":"user","content":"x"}],"stream":true}"#;
        let r = to_ir(from_json(body).unwrap(), Purpose::CountTokens).unwrap();
        assert_eq!(r.max_tokens, None);
        assert!(!r.stream);
    }
}
