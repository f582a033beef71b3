//! Converse request validation with Bedrock's own 400 messages, and model-id checks.
//!
//! Most gateway bugs against Bedrock are requests it rejects (roles not alternating, blank text,
//! tool turns without `toolConfig`, bare profile-only model ids). The emulator rejects the same
//! requests with the same texts so those bugs surface in tests, not in production.

use serde_json::Value;

use super::wire::ApiError;

/// Top-level keys of ConverseRequest / ConverseStreamRequest bodies.
const KNOWN_KEYS: &[&str] = &[
    "messages",
    "system",
    "inferenceConfig",
    "toolConfig",
    "guardrailConfig",
    "additionalModelRequestFields",
    "additionalModelResponseFieldPaths",
    "promptVariables",
    "requestMetadata",
    "performanceConfig",
    "serviceTier",
    "outputConfig",
];

/// Model vendors Bedrock hosts (first segment of a foundation-model id).
const VENDORS: &[&str] = &[
    "anthropic",
    "amazon",
    "meta",
    "mistral",
    "cohere",
    "deepseek",
    "ai21",
    "writer",
    "qwen",
    "openai",
];

/// Geography prefixes of system-defined cross-region inference profiles.
const GEOS: &[&str] = &[
    "us", "eu", "apac", "jp", "au", "us-gov", "global", "ca", "sa", "mx", "in",
];

/// Splits an id into `(geo prefix, vendor, rest)` if it is a well-formed foundation/profile id.
fn split_model_id(id: &str) -> Option<(Option<&str>, &str, &str)> {
    let (first, rest) = id.split_once('.')?;
    if VENDORS.contains(&first) {
        return Some((None, first, rest));
    }
    if GEOS.contains(&first) {
        let (vendor, rest) = rest.split_once('.')?;
        if VENDORS.contains(&vendor) {
            return Some((Some(first), vendor, rest));
        }
    }
    None
}

/// Whether a bare Claude id names a profile-only model (Claude 3.7 and every 4.x).
fn is_profile_only_claude(rest: &str) -> bool {
    let Some(name) = rest.strip_prefix("claude-") else {
        return false;
    };
    if name.starts_with("3-7") {
        return true;
    }
    let version = ["sonnet-", "opus-", "haiku-"]
        .iter()
        .find_map(|family| name.strip_prefix(family))
        .unwrap_or(name);
    version
        .split('-')
        .next()
        .and_then(|v| v.parse::<u32>().ok())
        .is_some_and(|major| (4..100).contains(&major))
}

/// The vendor of a model id (after an optional geo prefix), `None` for ARNs and invalid ids.
pub(crate) fn vendor(id: &str) -> Option<&str> {
    split_model_id(id).map(|(_, vendor, _)| vendor)
}

/// The foundation-model part of an id: strips an ARN's resource path and a geo prefix.
pub(crate) fn base_model(id: &str) -> &str {
    let id = if id.starts_with("arn:") {
        id.rsplit('/').next().unwrap_or(id)
    } else {
        id
    };
    match split_model_id(id) {
        Some((Some(geo), _, _)) => &id[geo.len() + 1..],
        _ => id,
    }
}

/// Rejects ids Converse would reject: unknown vendors and bare profile-only Claude ids.
pub(crate) fn check_model_id(id: &str) -> Result<(), ApiError> {
    if id.starts_with("arn:") {
        return Ok(());
    }
    match split_model_id(id) {
        None => Err(ApiError::validation(
            "The provided model identifier is invalid.",
        )),
        Some((None, "anthropic", rest)) if is_profile_only_claude(rest) => {
            Err(ApiError::validation(format!(
                "Invocation of model ID {id} with on-demand throughput isn't supported. Retry your request with the ID or ARN of an inference profile that contains this model."
            )))
        }
        Some(_) => Ok(()),
    }
}

fn constraint(value: &Value, at: &str, rule: &str) -> ApiError {
    ApiError::validation(format!(
        "1 validation error detected: Value '{value}' at '{at}' failed to satisfy constraint: {rule}"
    ))
}

fn is_valid_tool_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Validates a Converse body the way Bedrock does; the first problem wins.
pub(crate) fn validate(body: &Value) -> Result<(), ApiError> {
    let Some(obj) = body.as_object() else {
        return Err(ApiError::validation(
            "Malformed input request, please reformat your input and try again.",
        ));
    };
    if let Some(key) = obj.keys().find(|k| !KNOWN_KEYS.contains(&k.as_str())) {
        return Err(ApiError::validation(format!(
            "Malformed input request: extraneous key [{key}] is not permitted, please reformat your input and try again."
        )));
    }
    check_inference(body)?;
    let has_tool_config = check_tools(body)?;
    check_system(body)?;
    check_messages(body, has_tool_config)?;
    check_thinking(body)
}

fn check_inference(body: &Value) -> Result<(), ApiError> {
    let Some(cfg) = body.get("inferenceConfig") else {
        return Ok(());
    };
    if let Some(v) = cfg.get("maxTokens")
        && v.as_i64().is_some_and(|n| n < 1)
    {
        return Err(constraint(
            v,
            "inferenceConfig.maxTokens",
            "Member must have value greater than or equal to 1",
        ));
    }
    for key in ["temperature", "topP"] {
        if let Some(v) = cfg.get(key)
            && let Some(x) = v.as_f64()
        {
            let at = format!("inferenceConfig.{key}");
            if x < 0.0 {
                return Err(constraint(
                    v,
                    &at,
                    "Member must have value greater than or equal to 0",
                ));
            }
            if x > 1.0 {
                return Err(constraint(
                    v,
                    &at,
                    "Member must have value less than or equal to 1",
                ));
            }
        }
    }
    Ok(())
}

/// Checks tool names; returns whether a `toolConfig` is present.
fn check_tools(body: &Value) -> Result<bool, ApiError> {
    let Some(cfg) = body.get("toolConfig") else {
        return Ok(false);
    };
    let tools = cfg.get("tools").and_then(Value::as_array);
    if tools.is_none_or(|t| t.is_empty()) {
        return Err(constraint(
            &Value::Array(Vec::new()),
            "toolConfig.tools",
            "Member must have length greater than or equal to 1",
        ));
    }
    for (i, tool) in tools.into_iter().flatten().enumerate() {
        if let Some(name) = tool.pointer("/toolSpec/name") {
            let ok = name.as_str().is_some_and(is_valid_tool_name);
            if !ok {
                let shown = name
                    .as_str()
                    .map_or_else(|| name.to_string(), str::to_owned);
                return Err(ApiError::validation(format!(
                    "1 validation error detected: Value '{shown}' at 'toolConfig.tools.{}.member.toolSpec.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+",
                    i + 1
                )));
            }
        }
    }
    Ok(true)
}

fn check_system(body: &Value) -> Result<(), ApiError> {
    for (i, block) in body
        .get("system")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if block
            .get("text")
            .and_then(Value::as_str)
            .is_some_and(|t| t.trim().is_empty())
        {
            return Err(ApiError::validation(format!(
                "The text field in the SystemContentBlock object at system.{i} is blank. Add text to the text field, and try again."
            )));
        }
    }
    Ok(())
}

fn tool_use_ids(content: &[Value]) -> Vec<&str> {
    content
        .iter()
        .filter_map(|b| b.pointer("/toolUse/toolUseId").and_then(Value::as_str))
        .collect()
}

fn check_messages(body: &Value, has_tool_config: bool) -> Result<(), ApiError> {
    const START: &str = "A conversation must start with a user message. Try again with a conversation that starts with a user message.";
    const ALTERNATE: &str = "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.";
    let messages = body
        .get("messages")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut prev_role = None;
    let mut prev_tool_uses: Vec<&str> = Vec::new();
    for (i, msg) in messages.iter().enumerate() {
        let role = msg.get("role").and_then(Value::as_str).unwrap_or_default();
        if i == 0 && role != "user" {
            return Err(ApiError::validation(START));
        }
        if prev_role == Some(role) {
            return Err(ApiError::validation(ALTERNATE));
        }
        let content = msg
            .get("content")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for (j, block) in content.iter().enumerate() {
            if block
                .get("text")
                .and_then(Value::as_str)
                .is_some_and(|t| t.trim().is_empty())
            {
                return Err(ApiError::validation(format!(
                    "The text field in the ContentBlock object at messages.{i}.content.{j} is blank. Add text to the text field, and try again."
                )));
            }
            if !has_tool_config
                && (block.get("toolUse").is_some() || block.get("toolResult").is_some())
            {
                return Err(ApiError::validation(
                    "The toolConfig field must be defined when using toolUse and toolResult content blocks.",
                ));
            }
        }
        if role == "user" {
            check_tool_results(i, content, &prev_tool_uses)?;
        }
        prev_tool_uses = if role == "assistant" {
            tool_use_ids(content)
        } else {
            Vec::new()
        };
        prev_role = Some(role);
    }
    if messages.is_empty() {
        return Err(ApiError::validation(START));
    }
    Ok(())
}

/// A user turn must answer exactly the toolUse ids of the assistant turn before it.
fn check_tool_results(i: usize, content: &[Value], expected: &[&str]) -> Result<(), ApiError> {
    let results: Vec<&str> = content
        .iter()
        .filter_map(|b| b.get("toolResult"))
        .map(|r| {
            r.get("toolUseId")
                .and_then(Value::as_str)
                .unwrap_or_default()
        })
        .collect();
    if results.len() > expected.len() {
        return Err(ApiError::validation(format!(
            "The number of toolResult blocks at messages.{i}.content exceeds the number of toolUse blocks of previous turn."
        )));
    }
    let missing: Vec<&str> = expected
        .iter()
        .copied()
        .filter(|id| !results.contains(id))
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::validation(format!(
            "Expected toolResult blocks at messages.{i}.content for the following Ids: {}",
            missing.join(", ")
        )));
    }
    Ok(())
}

fn check_thinking(body: &Value) -> Result<(), ApiError> {
    let Some(thinking) = body.pointer("/additionalModelRequestFields/thinking") else {
        return Ok(());
    };
    if thinking.get("type").and_then(Value::as_str) != Some("enabled") {
        return Ok(());
    }
    let budget = thinking
        .get("budget_tokens")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    if budget < 1024 {
        return Err(ApiError::validation(
            "The model returned the following errors: thinking.enabled.budget_tokens: Input should be greater than or equal to 1024",
        ));
    }
    let max = body
        .pointer("/inferenceConfig/maxTokens")
        .and_then(Value::as_i64);
    if max.is_some_and(|m| budget >= m) {
        return Err(ApiError::validation(
            "The model returned the following errors: `max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn msg(err: Result<(), ApiError>) -> String {
        err.expect_err("should be rejected").message
    }

    #[test]
    fn model_ids() {
        assert!(check_model_id("us.anthropic.claude-sonnet-4-20250514-v1:0").is_ok());
        assert!(check_model_id("anthropic.claude-3-5-haiku-20241022-v1:0").is_ok());
        assert!(check_model_id("arn:aws:bedrock:us-east-1:1:inference-profile/x").is_ok());
        assert!(
            msg(check_model_id("anthropic.claude-sonnet-4-20250514-v1:0"))
                .contains("on-demand throughput")
        );
        assert!(
            msg(check_model_id("anthropic.claude-3-7-sonnet-20250219-v1:0")).contains("on-demand")
        );
        assert!(
            msg(check_model_id("anthropic.claude-opus-4-1-20250805-v1:0")).contains("on-demand")
        );
        assert_eq!(
            msg(check_model_id("acme.model-v1")),
            "The provided model identifier is invalid."
        );
        assert_eq!(
            msg(check_model_id("us.acme.model-v1")),
            "The provided model identifier is invalid."
        );
        assert_eq!(
            base_model("eu.amazon.nova-pro-v1:0"),
            "amazon.nova-pro-v1:0"
        );
    }

    #[test]
    fn conversation_shape() {
        let user = |t: &str| json!({"role":"user","content":[{"text":t}]});
        assert!(validate(&json!({"messages":[user("hi")]})).is_ok());
        assert!(
            msg(validate(
                &json!({"messages":[{"role":"assistant","content":[{"text":"x"}]}]})
            ))
            .starts_with("A conversation must start")
        );
        assert!(
            msg(validate(&json!({"messages":[user("a"), user("b")]})))
                .starts_with("A conversation must alternate")
        );
        assert!(
            msg(validate(&json!({"messages":[user(" ")]})))
                .contains("messages.0.content.0 is blank")
        );
        assert!(
            msg(validate(&json!({"messages":[user("a")],"bogus":1})))
                .contains("extraneous key [bogus] is not permitted")
        );
    }

    #[test]
    fn tool_turns() {
        let tc = json!({"tools":[{"toolSpec":{"name":"get_weather","inputSchema":{"json":{}}}}]});
        let convo = |result_id: &str| {
            json!([
                {"role":"user","content":[{"text":"weather?"}]},
                {"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"get_weather","input":{}}}]},
                {"role":"user","content":[{"toolResult":{"toolUseId":result_id,"content":[{"text":"sunny"}]}}]}
            ])
        };
        assert!(validate(&json!({"messages":convo("t1"),"toolConfig":tc})).is_ok());
        assert!(
            msg(validate(&json!({"messages":convo("t1")})))
                .starts_with("The toolConfig field must be defined")
        );
        assert_eq!(
            msg(validate(&json!({"messages":convo("zz"),"toolConfig":tc}))),
            "Expected toolResult blocks at messages.2.content for the following Ids: t1"
        );
        let bad = json!({"tools":[{"toolSpec":{"name":"bad name","inputSchema":{"json":{}}}}]});
        assert!(
            msg(validate(
                &json!({"messages":[{"role":"user","content":[{"text":"x"}]}],"toolConfig":bad})
            ))
            .contains("'toolConfig.tools.1.member.toolSpec.name'")
        );
    }

    #[test]
    fn inference_and_thinking_limits() {
        let m = json!([{"role":"user","content":[{"text":"x"}]}]);
        assert!(
            msg(validate(
                &json!({"messages":m,"inferenceConfig":{"temperature":1.5}})
            ))
            .contains("inferenceConfig.temperature")
        );
        assert!(
            msg(validate(
                &json!({"messages":m,"inferenceConfig":{"topP":-0.1}})
            ))
            .contains("inferenceConfig.topP")
        );
        assert!(
            msg(validate(
                &json!({"messages":m,"inferenceConfig":{"maxTokens":0}})
            ))
            .contains("inferenceConfig.maxTokens")
        );
        let think = |b: i64| {
            json!({"messages":m,"inferenceConfig":{"maxTokens":2000},
            "additionalModelRequestFields":{"thinking":{"type":"enabled","budget_tokens":b}}})
        };
        assert!(msg(validate(&think(500))).contains("greater than or equal to 1024"));
        assert!(msg(validate(&think(2000))).contains("`max_tokens` must be greater"));
        assert!(validate(&think(1024)).is_ok());
    }
}
