//! `ChatCompletionRequest` → `ir::ChatRequest`: the OpenAI front door's only way into the
//! pipeline, so every OpenAI-specific check and default lives here and policies only ever see
//! the neutral model.
//!
//! Sampling parameters are validated before messages so a bad request fails before any
//! multi-megabyte attachment is decoded.

use serde_json::{Value, json};

use super::messages;
use super::types::{
    ChatCompletionRequest, ResponseFormatParam, StopParam, ToolChoiceParam, ToolDef,
};
use crate::checks::{self, bad};
use crate::error::ApiError;
use crate::ir::{ChatRequest, ResponseFormat, Thinking, Tool, ToolChoice};

/// OpenAI's limit on stop sequences.
const MAX_STOP: usize = 4;

/// Translates and validates an OpenAI request. Every error is a 400 naming the offending param.
pub fn to_ir(req: ChatCompletionRequest) -> Result<ChatRequest, ApiError> {
    checks::model_and_messages(&req.model, req.messages.len())?;
    if let Some(n) = req.n
        && n != 1
    {
        return Err(bad(
            "n",
            "only `n: 1` is supported; send separate requests for more choices",
        ));
    }
    let stream = req.stream.unwrap_or(false);
    let mut out = ChatRequest {
        max_tokens: max_tokens(req.max_completion_tokens, req.max_tokens)?,
        temperature: temperature(req.temperature)?,
        top_p: top_p(req.top_p)?,
        top_k: req.top_k,
        stop: stop(req.stop)?,
        response_format: req
            .response_format
            .map(response_format)
            .transpose()?
            .flatten(),
        thinking: thinking(req.reasoning_effort.as_deref())?,
        stream,
        include_usage: stream
            && req
                .stream_options
                .and_then(|o| o.include_usage)
                .unwrap_or(false),
        user: req.user.as_deref().and_then(checks::sanitise_user),
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
    messages::convert(req.messages, &mut out.system, &mut out.messages)?;
    out.model = req.model;
    Ok(out)
}

fn max_tokens(completion: Option<u32>, legacy: Option<u32>) -> Result<Option<u32>, ApiError> {
    let (param, value) = match (completion, legacy) {
        (Some(v), _) => ("max_completion_tokens", v),
        (None, Some(v)) => ("max_tokens", v),
        (None, None) => return Ok(None),
    };
    if value == 0 {
        return Err(bad(param, format!("`{param}` must be at least 1")));
    }
    Ok(Some(value))
}

/// OpenAI allows 0–2, Bedrock 0–1: values above 1 are clamped rather than rejected so that
/// clients tuned for OpenAI keep working.
/// OpenAI's 0..2; Bedrock models take 0..1, so values above 1 are capped.
fn temperature(t: Option<f64>) -> Result<Option<f32>, ApiError> {
    Ok(checks::in_range("temperature", t, 2.0)?.map(|t| t.min(1.0) as f32))
}

fn top_p(p: Option<f64>) -> Result<Option<f32>, ApiError> {
    Ok(checks::in_range("top_p", p, 1.0)?.map(|p| p as f32))
}

fn stop(s: Option<StopParam>) -> Result<Vec<String>, ApiError> {
    let list = match s {
        None => return Ok(Vec::new()),
        Some(StopParam::One(s)) => vec![s],
        Some(StopParam::Many(v)) => v,
    };
    if list.len() > MAX_STOP {
        return Err(bad("stop", "`stop` accepts at most 4 sequences"));
    }
    Ok(list.into_iter().filter(|s| !s.is_empty()).collect())
}

fn tool(i: usize, t: ToolDef) -> Result<Tool, ApiError> {
    let param = |field: &str| format!("tools[{i}]{field}");
    if t.kind != "function" {
        return Err(ApiError::invalid_request(format!(
            "tool type `{}` is not supported; only `function` tools are",
            t.kind.chars().take(40).collect::<String>()
        ))
        .with_param(param(".type")));
    }
    let f = t.function.ok_or_else(|| {
        ApiError::invalid_request("a function tool needs a `function` object")
            .with_param(param(".function"))
    })?;
    checks::tool(
        &param(".function"),
        f.name,
        f.description,
        f.parameters,
        "parameters",
        f.strict,
    )
}

fn tool_choice(c: ToolChoiceParam, tools: &[Tool]) -> Result<ToolChoice, ApiError> {
    match c {
        ToolChoiceParam::Mode(m) => match m.as_str() {
            "auto" => Ok(ToolChoice::Auto),
            "required" => Ok(ToolChoice::Any),
            "none" => Ok(ToolChoice::None),
            _ => Err(bad(
                "tool_choice",
                "`tool_choice` must be `auto`, `required`, `none` or a named function",
            )),
        },
        ToolChoiceParam::Named { kind, function } => {
            let Some(f) = function.filter(|_| kind == "function") else {
                return Err(bad(
                    "tool_choice",
                    "a named `tool_choice` must be `{\"type\":\"function\",\"function\":{\"name\":...}}`",
                ));
            };
            checks::named_tool("tool_choice.function.name", f.name, tools)
        }
    }
}

fn response_format(r: ResponseFormatParam) -> Result<Option<ResponseFormat>, ApiError> {
    match r.kind.as_str() {
        "text" => Ok(None),
        "json_object" => Ok(Some(ResponseFormat::JsonObject)),
        "json_schema" => {
            let s = r.json_schema.ok_or_else(|| {
                bad(
                    "response_format.json_schema",
                    "`json_schema` is required when `type` is `json_schema`",
                )
            })?;
            let name = s.name.filter(|n| !n.is_empty()).ok_or_else(|| {
                bad(
                    "response_format.json_schema.name",
                    "`json_schema.name` is required",
                )
            })?;
            let schema = match s.schema {
                None | Some(Value::Null) => json!({"type": "object"}),
                Some(v @ Value::Object(_)) => v,
                Some(_) => {
                    return Err(bad(
                        "response_format.json_schema.schema",
                        "`json_schema.schema` must be a JSON Schema object",
                    ));
                }
            };
            Ok(Some(ResponseFormat::JsonSchema {
                name,
                schema,
                description: s.description,
            }))
        }
        _ => Err(bad(
            "response_format.type",
            "`response_format.type` must be `text`, `json_object` or `json_schema`",
        )),
    }
}

fn thinking(effort: Option<&str>) -> Result<Option<Thinking>, ApiError> {
    let budget_tokens = match effort {
        None | Some("none") => return Ok(None),
        Some("minimal" | "low") => 1024,
        Some("medium") => 4096,
        Some("high") => 16384,
        Some(_) => {
            return Err(bad(
                "reasoning_effort",
                "`reasoning_effort` must be `none`, `minimal`, `low`, `medium` or `high`",
            ));
        }
    };
    Ok(Some(Thinking { budget_tokens }))
}

/// Bedrock's invocation-log metadata takes ≤256 chars of `[a-zA-Z0-9 :_@$#=/+,.-]`; anything
/// else is dropped rather than rejected, since `user` is only a label.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::openai::from_json;

    fn ir(body: &str) -> Result<ChatRequest, ApiError> {
        to_ir(from_json(body.as_bytes())?)
    }

    /// A request with one user message plus the given top-level fields.
    fn with(fields: &str) -> Result<ChatRequest, ApiError> {
        ir(&format!(
            r#"{{"model":"claude-sonnet","messages":[{{"role":"user","content":"hi"}}]{}{fields}}}"#,
            if fields.is_empty() { "" } else { "," }
        ))
    }

    fn err_param(fields: &str) -> String {
        let e = with(fields).unwrap_err();
        assert_eq!(e.status.as_u16(), 400);
        e.param.unwrap_or_default().into_owned()
    }

    #[test]
    fn sampling_parameters_map() {
        let r = with(
            r#""max_tokens":100,"max_completion_tokens":200,"temperature":1.7,"top_p":0.9,
               "top_k":40,"stop":["\n\nHuman:","END",""],"stream":true,
               "stream_options":{"include_usage":true},"n":1,"user":"alice@example.com <script>""#,
        )
        .unwrap();
        assert_eq!(r.model, "claude-sonnet");
        assert_eq!(r.max_tokens, Some(200));
        assert_eq!(r.temperature, Some(1.0));
        assert_eq!(r.top_p, Some(0.9));
        assert_eq!(r.top_k, Some(40));
        assert_eq!(r.stop, vec!["\n\nHuman:", "END"]);
        assert!(r.stream && r.include_usage);
        assert_eq!(r.user.as_deref(), Some("alice@example.com script"));
        assert!(r.thinking.is_none() && r.tool_choice.is_none() && r.response_format.is_none());
    }

    #[test]
    fn legacy_max_tokens_single_stop_and_no_usage_without_stream() {
        let r = with(r#""max_tokens":50,"stop":"@@@","temperature":0.3,"stream_options":{"include_usage":true}"#)
            .unwrap();
        assert_eq!(r.max_tokens, Some(50));
        assert_eq!(r.stop, vec!["@@@"]);
        assert_eq!(r.temperature, Some(0.3));
        assert!(!r.stream && !r.include_usage);
    }

    #[test]
    fn user_is_capped_and_dropped_when_nothing_is_left() {
        let long = "u".repeat(300);
        assert_eq!(
            with(&format!(r#""user":"{long}""#))
                .unwrap()
                .user
                .unwrap()
                .len(),
            256
        );
        assert_eq!(with(r#""user":"日本語""#).unwrap().user, None);
    }

    #[test]
    fn reasoning_effort_budgets() {
        for (effort, budget) in [
            ("minimal", Some(1024)),
            ("low", Some(1024)),
            ("medium", Some(4096)),
            ("high", Some(16384)),
            ("none", None),
        ] {
            let r = with(&format!(r#""reasoning_effort":"{effort}""#)).unwrap();
            assert_eq!(r.thinking.map(|t| t.budget_tokens), budget, "{effort}");
        }
        assert_eq!(err_param(r#""reasoning_effort":"max""#), "reasoning_effort");
    }

    #[test]
    fn response_formats() {
        assert_eq!(
            with(r#""response_format":{"type":"text"}"#)
                .unwrap()
                .response_format,
            None
        );
        assert_eq!(
            with(r#""response_format":{"type":"json_object"}"#)
                .unwrap()
                .response_format,
            Some(ResponseFormat::JsonObject)
        );
        // What `client.beta.chat.completions.parse(response_format=Model)` sends.
        let r = with(
            r#""response_format":{"type":"json_schema","json_schema":{"name":"CalendarEvent",
               "description":"an event","strict":true,"schema":{"type":"object",
               "properties":{"name":{"type":"string"}},"required":["name"],"additionalProperties":false}}}"#,
        )
        .unwrap();
        let Some(ResponseFormat::JsonSchema {
            name,
            schema,
            description,
        }) = r.response_format
        else {
            panic!("expected a json schema");
        };
        assert_eq!(name, "CalendarEvent");
        assert_eq!(description.as_deref(), Some("an event"));
        assert_eq!(schema["required"][0], "name");
    }

    #[test]
    fn tools_and_tool_choice() {
        let r = with(
            r#""tools":[{"type":"function","function":{"name":"get_weather","description":"Weather",
                 "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},
                 "strict":true}},
               {"type":"function","function":{"name":"now"},"cache_control":{"type":"ephemeral"}}],
               "tool_choice":{"type":"function","function":{"name":"get_weather"}},
               "parallel_tool_calls":false"#,
        )
        .unwrap();
        assert_eq!(r.tools.len(), 2);
        assert_eq!(r.tools[0].name, "get_weather");
        assert_eq!(r.tools[0].strict, Some(true));
        assert_eq!(r.tools[0].input_schema["required"][0], "city");
        assert_eq!(
            r.tools[1].input_schema,
            json!({"type": "object", "properties": {}})
        );
        assert_eq!(r.tools[1].description, None);
        assert!(r.tools_cache_point);
        assert_eq!(r.tool_choice, Some(ToolChoice::Tool("get_weather".into())));
        for (mode, want) in [
            ("auto", ToolChoice::Auto),
            ("required", ToolChoice::Any),
            ("none", ToolChoice::None),
        ] {
            let r = with(&format!(r#""tools":[{{"type":"function","function":{{"name":"f"}}}}],"tool_choice":"{mode}""#)).unwrap();
            assert_eq!(r.tool_choice, Some(want));
            assert!(!r.tools_cache_point);
        }
    }

    #[test]
    fn parameter_errors_name_their_param() {
        let f = r#""tools":[{"type":"function","function":{"name":"f"}}]"#;
        let cases = [
            (r#""n":2"#.to_owned(), "n"),
            (r#""n":0"#.to_owned(), "n"),
            (r#""temperature":-0.1"#.to_owned(), "temperature"),
            (r#""temperature":2.5"#.to_owned(), "temperature"),
            (r#""top_p":1.5"#.to_owned(), "top_p"),
            (r#""stop":["a","b","c","d","e"]"#.to_owned(), "stop"),
            (r#""max_completion_tokens":0"#.to_owned(), "max_completion_tokens"),
            (r#""max_tokens":0"#.to_owned(), "max_tokens"),
            (r#""tools":[{"type":"custom","custom":{"name":"x"}}]"#.to_owned(), "tools[0].type"),
            (r#""tools":[{"type":"function"}]"#.to_owned(), "tools[0].function"),
            (r#""tools":[{"type":"function","function":{"name":"bad name!"}}]"#.to_owned(), "tools[0].function.name"),
            (r#""tools":[{"type":"function","function":{"name":"f","parameters":[]}}]"#.to_owned(), "tools[0].function.parameters"),
            (format!(r#"{f},"tool_choice":"sometimes""#), "tool_choice"),
            (format!(r#"{f},"tool_choice":{{"type":"function","function":{{"name":"g"}}}}"#), "tool_choice.function.name"),
            (format!(r#"{f},"tool_choice":{{"type":"allowed_tools","allowed_tools":{{}}}}"#), "tool_choice"),
            (r#""response_format":{"type":"yaml"}"#.to_owned(), "response_format.type"),
            (r#""response_format":{"type":"json_schema"}"#.to_owned(), "response_format.json_schema"),
            (r#""response_format":{"type":"json_schema","json_schema":{"schema":{}}}"#.to_owned(), "response_format.json_schema.name"),
            (r#""response_format":{"type":"json_schema","json_schema":{"name":"x","schema":"s"}}"#.to_owned(), "response_format.json_schema.schema"),
        ];
        for (fields, param) in cases {
            assert_eq!(err_param(&fields), param, "{fields}");
        }
        let e = ir(r#"{"model":"m","messages":[]}"#).unwrap_err();
        assert_eq!(e.param.as_deref(), Some("messages"));
        let e = ir(r#"{"model":" ","messages":[{"role":"user","content":"x"}]}"#).unwrap_err();
        assert_eq!(e.param.as_deref(), Some("model"));
    }
}
