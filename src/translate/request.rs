//! `gw::ir::ChatRequest` → the parts of a Converse / ConverseStream call.
//!
//! The provider copies [`ConverseCall`] onto the SDK's fluent builder; everything Bedrock-specific
//! about the request is decided here, in one pure function, so it can be tested without a network
//! and both operations get exactly the same body. Only fields Converse defines are produced
//! (`stream_options`, `n`, `seed`… never reach Bedrock, bug #6).

use std::collections::HashMap;

use aws_sdk_bedrockruntime::types::{
    InferenceConfiguration, Message as SdkMessage, OutputConfig, SystemContentBlock,
    ToolConfiguration,
};
use aws_smithy_types::Document;
use serde_json::{Map, Value, json};

use super::caps::Capabilities;
use super::document::to_document;
use super::messages::{cache_point, to_sdk_messages};
use super::names::{ToolNames, client_tool_name};
use super::tools::{self, JSON_TOOL};
use crate::config::pack::ModelFamily;
use crate::error::ApiError;
use crate::ir::{ChatRequest, Part, SystemBlock, Thinking, ToolChoice};

/// `maxTokens` when the client sets none. Bedrock's per-model defaults can be very small, so gw
/// always sends one explicitly (bedrock-wire §5.3).
pub const DEFAULT_MAX_TOKENS: u32 = 4096;

/// Everything the provider sets on a Converse or ConverseStream call besides the model id.
#[derive(Debug, Clone)]
pub struct ConverseCall {
    /// `messages`: alternating, starting with the user, no blank text.
    pub messages: Vec<SdkMessage>,
    /// `system` (empty for models without a system prompt: the text is in the first message).
    pub system: Vec<SystemContentBlock>,
    /// `inferenceConfig`; always carries `maxTokens`.
    pub inference_config: Option<InferenceConfiguration>,
    /// `toolConfig`, present whenever tools were sent or the history needs them.
    pub tool_config: Option<ToolConfiguration>,
    /// `additionalModelRequestFields` (`top_k`, `thinking`).
    pub additional_fields: Option<Document>,
    /// `outputConfig` for native structured output.
    pub output_config: Option<OutputConfig>,
    /// `requestMetadata` (`user`), for Bedrock invocation logs.
    pub request_metadata: Option<HashMap<String, String>>,
    /// How to read the reply; hand it to `from_converse` or `StreamMapper::new`.
    pub plan: ReplyPlan,
}

/// What the reply translation must undo from the request translation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplyPlan {
    /// The reply is the input of the forced `json_output` tool (emulated structured output).
    pub json_tool: bool,
    /// `(name sent to Bedrock, client's original)` for tool names that had to be sanitised.
    pub tool_names: Vec<(String, String)>,
}

impl ReplyPlan {
    /// The client's name for a tool name Bedrock returned (itself unless it was sanitised).
    pub fn client_tool_name<'a>(&'a self, bedrock: &'a str) -> &'a str {
        client_tool_name(&self.tool_names, bedrock)
    }

    /// Whether a tool name Bedrock returned is gw's `json_output` tool carrying the answer.
    pub fn is_json_tool(&self, bedrock: &str) -> bool {
        self.json_tool && bedrock == JSON_TOOL
    }
}

/// Translates one IR request for a model with `caps`. Fails with a 400 only when the request asks
/// for something the model cannot do and no faithful rewrite exists (forced tool choice on Llama,
/// tools on Titan, an empty conversation).
pub fn to_converse(req: &ChatRequest, caps: &Capabilities) -> Result<ConverseCall, ApiError> {
    let thinking = req.thinking.filter(|_| caps.thinking);
    let names = ToolNames::new(tool_names_in(req), &[JSON_TOOL]);
    let tool_plan = tools::plan(req, caps, &names, thinking.is_some())?;

    let mut system_texts: Vec<&str> = Vec::new();
    let mut system = Vec::new();
    for block in &req.system {
        match block {
            SystemBlock::Text(text) if text.trim().is_empty() => {}
            SystemBlock::Text(text) => {
                system_texts.push(text);
                system.push(SystemContentBlock::Text(text.clone()));
            }
            // A cache point must follow text; one without support is dropped silently.
            SystemBlock::CachePoint => {
                if caps.cache_points && system.last().is_some_and(SystemContentBlock::is_text) {
                    system.push(SystemContentBlock::CachePoint(cache_point()?));
                }
            }
        }
    }
    // After the cache point, so the cached prefix is the same with or without it.
    if let Some(instruction) = tool_plan.instruction {
        system_texts.push(instruction);
        system.push(SystemContentBlock::Text(instruction.to_string()));
    }
    let folded =
        (!caps.system_prompt && !system_texts.is_empty()).then(|| system_texts.join("\n\n"));
    if !caps.system_prompt {
        system.clear();
    }

    let messages = to_sdk_messages(&req.messages, caps, &names, folded.as_deref())?;
    let request_metadata = req
        .user
        .as_ref()
        .filter(|u| !u.is_empty())
        .map(|u| HashMap::from([("user".to_string(), u.clone())]));

    Ok(ConverseCall {
        messages,
        system,
        inference_config: Some(inference_config(req, caps, thinking)),
        tool_config: tool_plan.config,
        additional_fields: additional_fields(req, caps, thinking),
        output_config: tool_plan.output_config,
        request_metadata,
        plan: ReplyPlan {
            json_tool: tool_plan.json_tool,
            tool_names: names.into_renamed(),
        },
    })
}

/// Every tool name the request mentions, in a stable order.
fn tool_names_in(req: &ChatRequest) -> Vec<&str> {
    let mut names: Vec<&str> = req.tools.iter().map(|t| t.name.as_str()).collect();
    names.extend(
        req.messages
            .iter()
            .flat_map(|m| &m.content)
            .filter_map(|p| match p {
                Part::ToolUse { name, .. } => Some(name.as_str()),
                _ => None,
            }),
    );
    if let Some(ToolChoice::Tool(name)) = &req.tool_choice {
        names.push(name);
    }
    names
}

/// `inferenceConfig`. Thinking raises `maxTokens` to budget + requested output (the budget must
/// be below `maxTokens`), drops `temperature` and keeps `topP` within 0.95..=1 (bug #9).
/// Temperature is clamped to Converse's 0..=1. On models that reject both, `topP` yields to
/// `temperature`.
fn inference_config(
    req: &ChatRequest,
    caps: &Capabilities,
    thinking: Option<Thinking>,
) -> InferenceConfiguration {
    let requested = req.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS).max(1);
    let max_tokens = match (thinking, req.thinking) {
        (Some(t), _) => t.budget_tokens.saturating_add(requested),
        // Thinking was asked for but the model cannot think, so it is dropped: the model gets
        // the client's whole `max_tokens` (answer plus budget), within its output ceiling.
        (None, Some(t)) => t
            .budget_tokens
            .saturating_add(requested)
            .min(caps.max_output_tokens.unwrap_or(u32::MAX)),
        (None, None) => requested,
    };
    let mut temperature = req.temperature.map(|t| t.clamp(0.0, 1.0));
    let mut top_p = req.top_p.map(|p| p.clamp(0.0, 1.0));
    if thinking.is_some() {
        temperature = None;
        top_p = top_p.map(|p| p.clamp(0.95, 1.0));
    }
    if caps.temperature_xor_top_p && temperature.is_some() {
        top_p = None;
    }
    let stop: Vec<String> = req.stop.iter().filter(|s| !s.is_empty()).cloned().collect();
    InferenceConfiguration::builder()
        .max_tokens(i32::try_from(max_tokens).unwrap_or(i32::MAX))
        .set_temperature(temperature)
        .set_top_p(top_p)
        .set_stop_sequences(Some(stop).filter(|s: &Vec<String>| !s.is_empty()))
        .build()
}

/// `additionalModelRequestFields`: `top_k` in each family's spelling (ignored elsewhere and with
/// thinking) and the thinking budget.
fn additional_fields(
    req: &ChatRequest,
    caps: &Capabilities,
    thinking: Option<Thinking>,
) -> Option<Document> {
    let mut fields = Map::new();
    if let (Some(k), None) = (req.top_k, thinking) {
        match caps.family {
            ModelFamily::Anthropic => {
                fields.insert("top_k".into(), json!(k));
            }
            ModelFamily::Nova => {
                fields.insert("inferenceConfig".into(), json!({"topK": k}));
            }
            _ => {}
        }
    }
    if let Some(t) = thinking {
        fields.insert(
            "thinking".into(),
            json!({"type": "enabled", "budget_tokens": t.budget_tokens}),
        );
    }
    (!fields.is_empty()).then(|| to_document(&Value::Object(fields)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{ResponseFormat, Thinking};
    use crate::translate::document::from_document;
    use crate::translate::test_support::*;
    use aws_sdk_bedrockruntime::types::ContentBlock;

    fn additional(call: &ConverseCall) -> Value {
        call.additional_fields
            .as_ref()
            .map(from_document)
            .unwrap_or(Value::Null)
    }

    fn inference(call: &ConverseCall) -> &InferenceConfiguration {
        call.inference_config.as_ref().expect("inference config")
    }

    #[test]
    fn max_tokens_defaults_and_sampling_passes_through() {
        let c = call(&hello(), NOVA);
        assert_eq!(inference(&c).max_tokens(), Some(DEFAULT_MAX_TOKENS as i32));

        let mut req = hello();
        req.max_tokens = Some(100);
        req.temperature = Some(1.7);
        req.top_p = Some(0.9);
        req.stop = vec!["END".into(), String::new()];
        let c = call(&req, CLAUDE_37);
        let ic = inference(&c);
        assert_eq!(ic.max_tokens(), Some(100));
        assert_eq!(ic.temperature(), Some(1.0), "clamped to Converse's range");
        assert_eq!(ic.top_p(), Some(0.9), "3.7 takes both");
        assert_eq!(ic.stop_sequences(), ["END".to_string()]);
        assert!(c.additional_fields.is_none());
        assert!(c.request_metadata.is_none() && c.output_config.is_none());
    }

    #[test]
    fn top_p_yields_to_temperature_on_claude_4_5() {
        let mut req = hello();
        req.temperature = Some(0.2);
        req.top_p = Some(0.9);
        let c = call(&req, CLAUDE_45);
        assert_eq!(inference(&c).temperature(), Some(0.2));
        assert_eq!(inference(&c).top_p(), None);

        req.temperature = None;
        let c = call(&req, CLAUDE_45);
        assert_eq!(inference(&c).top_p(), Some(0.9), "top_p alone is fine");
    }

    #[test]
    fn top_k_goes_where_each_family_reads_it() {
        let mut req = hello();
        req.top_k = Some(40);
        assert_eq!(additional(&call(&req, CLAUDE_45)), json!({"top_k": 40}));
        assert_eq!(
            additional(&call(&req, NOVA)),
            json!({"inferenceConfig": {"topK": 40}})
        );
        assert!(call(&req, LLAMA).additional_fields.is_none());
    }

    #[test]
    fn thinking_sets_budget_and_removes_what_it_forbids() {
        let mut req = hello();
        req.thinking = Some(Thinking {
            budget_tokens: 2048,
        });
        req.max_tokens = Some(1000);
        req.temperature = Some(0.5);
        req.top_p = Some(0.5);
        req.top_k = Some(10);
        let c = call(&req, CLAUDE_37);
        assert_eq!(
            additional(&c),
            json!({"thinking": {"type": "enabled", "budget_tokens": 2048}})
        );
        let ic = inference(&c);
        assert_eq!(ic.max_tokens(), Some(3048), "budget + requested output");
        assert_eq!(ic.temperature(), None);
        assert_eq!(ic.top_p(), Some(0.95));

        req.max_tokens = None;
        let c = call(&req, CLAUDE_37);
        assert_eq!(
            inference(&c).max_tokens(),
            Some(2048 + DEFAULT_MAX_TOKENS as i32)
        );
    }

    #[test]
    fn dropped_thinking_gives_the_answer_the_whole_budget() {
        // Claude Code on Claude 3 Haiku: max_tokens 32000 with a 31999-token thinking budget.
        // The IR keeps the answer's share (1); the model must get the client's whole 32000,
        // capped at Haiku 3's 4096 output tokens.
        let mut req = hello();
        req.max_tokens = Some(1);
        req.thinking = Some(Thinking {
            budget_tokens: 31999,
        });
        let haiku3 = "anthropic.claude-3-haiku-20240307-v1:0";
        let c = call(&req, haiku3);
        assert!(c.additional_fields.is_none());
        assert_eq!(inference(&c).max_tokens(), Some(4096));
        // Where the ceiling is unknown, the whole 32000.
        assert_eq!(
            inference(&call(&req, "meta.unknown-model-v1:0")).max_tokens(),
            Some(32000)
        );
    }

    #[test]
    fn thinking_is_ignored_where_unsupported() {
        let mut req = hello();
        req.thinking = Some(Thinking {
            budget_tokens: 2048,
        });
        req.temperature = Some(0.5);
        for model in [CLAUDE_35, NOVA] {
            let c = call(&req, model);
            assert!(c.additional_fields.is_none(), "{model}");
            // The dropped budget goes to the answer (both are within these models' ceilings).
            assert_eq!(
                inference(&c).max_tokens(),
                Some(DEFAULT_MAX_TOKENS as i32 + 2048)
            );
            assert_eq!(inference(&c).temperature(), Some(0.5));
        }
    }

    #[test]
    fn client_only_fields_never_reach_bedrock() {
        // `stream_options.include_usage` forwarded to Bedrock is a 400 (bug #6).
        let mut req = hello();
        req.stream = true;
        req.include_usage = true;
        let c = call(&req, CLAUDE_45);
        assert!(c.additional_fields.is_none());
        assert!(c.request_metadata.is_none());
        assert!(inference(&c).stop_sequences.is_none(), "no empty stop list");
    }

    #[test]
    fn user_goes_to_request_metadata() {
        let mut req = hello();
        req.user = Some("tenant-7".into());
        let c = call(&req, NOVA);
        assert_eq!(
            c.request_metadata,
            Some(HashMap::from([("user".into(), "tenant-7".into())]))
        );
    }

    #[test]
    fn system_blocks_keep_cache_points_where_supported() {
        let mut req = hello();
        req.system = vec![
            SystemBlock::CachePoint,
            SystemBlock::Text("be brief".into()),
            SystemBlock::Text("  ".into()),
            SystemBlock::CachePoint,
        ];
        let c = call(&req, CLAUDE_45);
        assert_eq!(c.system.len(), 2);
        assert_eq!(c.system[0].as_text().map(String::as_str), Ok("be brief"));
        assert!(c.system[1].is_cache_point());

        let c = call(&req, LLAMA);
        assert_eq!(c.system.len(), 1, "cache point dropped silently");
        assert!(c.system[0].is_text());
    }

    #[test]
    fn system_is_folded_into_the_first_user_text_without_system_support() {
        let mut req = hello();
        req.system = vec![
            SystemBlock::Text("rule one".into()),
            SystemBlock::Text("rule two".into()),
        ];
        let c = call(&req, TITAN);
        assert!(c.system.is_empty());
        let first = c.messages[0].content()[0].as_text().map(String::as_str);
        assert_eq!(first, Ok("rule one\n\nrule two\n\nhello"));
    }

    #[test]
    fn native_structured_output_uses_output_config() {
        let schema = json!({"type": "object", "properties": {"a": {"type": "integer"}}});
        let mut req = hello();
        req.response_format = Some(ResponseFormat::JsonSchema {
            name: "answer".into(),
            schema: schema.clone(),
            description: Some("the answer".into()),
        });
        let c = call(&req, CLAUDE_45);
        assert!(!c.plan.json_tool);
        assert!(c.tool_config.is_none());
        let format = c
            .output_config
            .as_ref()
            .and_then(|o| o.text_format())
            .expect("text format");
        assert_eq!(format.r#type().as_str(), "json_schema");
        let def = format
            .structure()
            .and_then(|s| s.as_json_schema().ok())
            .expect("json schema");
        assert_eq!(def.name(), Some("answer"));
        assert_eq!(def.description(), Some("the answer"));
        let sent: Value = serde_json::from_str(def.schema()).expect("schema is a JSON string");
        assert_eq!(sent, schema);

        req.response_format = Some(ResponseFormat::JsonObject);
        let c = call(&req, CLAUDE_45);
        let def = c
            .output_config
            .as_ref()
            .and_then(|o| o.text_format())
            .and_then(|f| f.structure())
            .and_then(|s| s.as_json_schema().ok())
            .expect("json schema");
        assert_eq!(def.schema(), r#"{"type":"object"}"#);
    }

    #[test]
    fn emulated_structured_output_forces_the_json_tool() {
        let mut req = hello();
        req.response_format = Some(ResponseFormat::JsonObject);
        let c = call(&req, CLAUDE_37);
        assert!(c.plan.json_tool);
        assert!(c.output_config.is_none());
        let config = c.tool_config.as_ref().expect("tool config");
        let spec = config.tools()[0].as_tool_spec().expect("spec");
        assert_eq!(spec.name(), "json_output");
        assert!(spec.description().is_some_and(|d| d.contains("answer")));
        let choice = config.tool_choice().and_then(|t| t.as_tool().ok());
        assert_eq!(choice.map(|t| t.name()), Some("json_output"));
        assert_eq!(c.system.len(), 0, "no instruction needed when forced");
    }

    #[test]
    fn empty_conversation_is_a_400() {
        let req = request(vec![user(vec![text("   ")]), assistant(vec![])]);
        let e = fail(&req, NOVA);
        assert_eq!(e.status.as_u16(), 400);
        assert_eq!(e.param.as_deref(), Some("messages"));
    }

    #[test]
    fn the_plan_records_sanitised_tool_names() {
        let mut req = hello();
        req.tools = vec![tool("search.web"), tool("ok_name")];
        let c = call(&req, NOVA);
        assert_eq!(
            c.plan.tool_names,
            vec![("search_web".to_string(), "search.web".to_string())]
        );
        assert_eq!(c.plan.client_tool_name("search_web"), "search.web");
        assert_eq!(c.plan.client_tool_name("ok_name"), "ok_name");
        let names: Vec<&str> = c
            .tool_config
            .as_ref()
            .map(|t| t.tools())
            .unwrap_or_default()
            .iter()
            .filter_map(|t| t.as_tool_spec().ok())
            .map(|s| s.name())
            .collect();
        assert_eq!(names, ["search_web", "ok_name"]);
        assert!(matches!(c.messages[0].content()[0], ContentBlock::Text(_)));
    }
}
