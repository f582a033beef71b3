//! Tools, tool choice and structured output → Converse `toolConfig` / `outputConfig`.
//!
//! Three Bedrock rules meet here: a history with tool blocks needs a `toolConfig` even when the
//! client sent no tools (bug #2); forced tool choice exists only on some families and never with
//! thinking (bug #9); and `response_format` must be honoured, natively where the model supports
//! it and through a forced `json_output` tool otherwise (never silently dropped).

use aws_sdk_bedrockruntime::types::{
    AnyToolChoice, AutoToolChoice, JsonSchemaDefinition, OutputConfig, OutputFormat,
    OutputFormatStructure, OutputFormatType, SpecificToolChoice, Tool as SdkTool,
    ToolChoice as SdkToolChoice, ToolConfiguration, ToolInputSchema, ToolSpecification,
};
use serde_json::{Value, json};

use super::caps::{Capabilities, family_label};
use super::document::to_document;
use super::messages::cache_point;
use super::names::ToolNames;
use super::sdk::sdk;
use crate::error::ApiError;
use crate::ir::{ChatRequest, Part, ResponseFormat, Tool, ToolChoice};

/// Name of the tool that carries the reply when structured output is emulated with tool use.
pub const JSON_TOOL: &str = "json_output";

const JSON_TOOL_DESCRIPTION: &str = "Return your final answer by calling this tool. The tool \
     input is the answer itself, as JSON matching the input schema.";

/// Instruction added to the system prompt when `json_output` cannot be forced (the family has no
/// forced tool choice, or thinking is on).
pub(crate) const JSON_TOOL_INSTRUCTION: &str =
    "Give your final answer by calling the `json_output` tool; its input is the answer.";

/// What the tool side of the request turned into.
#[derive(Debug, Default)]
pub(crate) struct ToolPlan {
    pub config: Option<ToolConfiguration>,
    pub output_config: Option<OutputConfig>,
    /// The reply comes back as the `json_output` tool's input.
    pub json_tool: bool,
    /// Extra system text the request needs (the `json_output` instruction).
    pub instruction: Option<&'static str>,
}

/// Builds `toolConfig` and `outputConfig`. `thinking` says whether thinking will be sent.
pub(crate) fn plan(
    req: &ChatRequest,
    caps: &Capabilities,
    names: &ToolNames,
    thinking: bool,
) -> Result<ToolPlan, ApiError> {
    let family = family_label(caps.family);
    let history_has_tools = req
        .messages
        .iter()
        .flat_map(|m| &m.content)
        .any(|p| matches!(p, Part::ToolUse { .. } | Part::ToolResult { .. }));
    if !caps.tools && !req.tools.is_empty() {
        return Err(ApiError::invalid_request(format!(
            "{family} models do not support tools on Bedrock; remove `tools` or use a model that supports tool use"
        ))
        .with_param("tools"));
    }
    if !caps.tools && history_has_tools {
        return Err(ApiError::invalid_request(format!(
            "{family} models do not support tools on Bedrock, but `messages` contains tool calls or tool results; remove them or use a model that supports tool use"
        ))
        .with_param("messages"));
    }
    check_tool_choice(req, caps)?;

    let mut out = ToolPlan::default();
    let fallback = match &req.response_format {
        Some(format) if caps.native_structured_output => {
            out.output_config = Some(native_output(format)?);
            None
        }
        Some(_) if !caps.tools => {
            return Err(ApiError::invalid_request(format!(
                "{family} models support neither structured output nor tools on Bedrock, so `response_format` cannot be honoured; remove it or use another model"
            ))
            .with_param("response_format"));
        }
        Some(_) if req.tools.iter().any(|t| t.name == JSON_TOOL) => {
            return Err(ApiError::invalid_request(format!(
                "the tool name `{JSON_TOOL}` is reserved when `response_format` is set; rename the tool"
            ))
            .with_param("tools"));
        }
        Some(format) => Some(format),
        None => None,
    };

    let mut tools = Vec::new();
    for tool in &req.tools {
        tools.push(SdkTool::ToolSpec(spec(tool, names, caps)?));
    }
    if req.tools.is_empty() && history_has_tools {
        tools.extend(history_specs(req, names)?);
    }
    if req.tools_cache_point && caps.cache_points && !tools.is_empty() {
        tools.push(SdkTool::CachePoint(cache_point()?));
    }
    if let Some(format) = fallback {
        tools.push(SdkTool::ToolSpec(json_tool_spec(format)?));
        out.json_tool = true;
    }
    if tools.is_empty() {
        return Ok(out);
    }

    let can_force = caps.forced_tool_choice && !thinking;
    let client = req.tool_choice.as_ref();
    let choice = match client {
        Some(ToolChoice::Tool(name)) if can_force => Some(specific(names.bedrock(name))?),
        Some(ToolChoice::Any) if can_force => Some(any()),
        _ if out.json_tool && can_force => {
            let client_tools_allowed =
                !req.tools.is_empty() && !matches!(client, Some(ToolChoice::None));
            // With callable client tools the model may answer with one of them or with
            // `json_output`; without, `json_output` is the answer.
            Some(if client_tools_allowed {
                any()
            } else {
                specific(JSON_TOOL)?
            })
        }
        // `none`: tools stay (history needs them), but nothing is forced.
        Some(ToolChoice::None) => None,
        // `auto` is the default; send it only to families that take `toolChoice` at all.
        Some(_) if caps.forced_tool_choice => {
            Some(SdkToolChoice::Auto(AutoToolChoice::builder().build()))
        }
        _ => None,
    };
    if out.json_tool && !matches!(&choice, Some(SdkToolChoice::Tool(t)) if t.name() == JSON_TOOL) {
        out.instruction = Some(JSON_TOOL_INSTRUCTION);
    }
    out.config = Some(sdk(ToolConfiguration::builder()
        .set_tools(Some(tools))
        .set_tool_choice(choice)
        .build())?);
    Ok(out)
}

/// Rejects a forced tool choice the model cannot honour, with what to do instead.
fn check_tool_choice(req: &ChatRequest, caps: &Capabilities) -> Result<(), ApiError> {
    let forced = match &req.tool_choice {
        Some(ToolChoice::Any) => "`required`",
        Some(ToolChoice::Tool(name)) => {
            if !req.tools.iter().any(|t| &t.name == name) {
                return Err(ApiError::invalid_request(format!(
                    "`tool_choice` names the tool `{name}`, which is not in `tools`"
                ))
                .with_param("tool_choice"));
            }
            "a specific tool"
        }
        _ => return Ok(()),
    };
    if req.tools.is_empty() {
        return Err(ApiError::invalid_request(format!(
            "`tool_choice` {forced} needs at least one tool in `tools`"
        ))
        .with_param("tool_choice"));
    }
    if !caps.forced_tool_choice {
        return Err(ApiError::invalid_request(format!(
            "{} models on Bedrock cannot be forced to call {forced}; use `tool_choice: auto` or route to an Anthropic Claude or Amazon Nova model",
            family_label(caps.family),
        ))
        .with_param("tool_choice"));
    }
    Ok(())
}

fn spec(
    tool: &Tool,
    names: &ToolNames,
    caps: &Capabilities,
) -> Result<ToolSpecification, ApiError> {
    let schema = if tool.input_schema.is_object() {
        tool.input_schema.clone()
    } else {
        json!({"type": "object", "properties": {}})
    };
    sdk(ToolSpecification::builder()
        .name(names.bedrock(&tool.name))
        .set_description(tool.description.clone().filter(|d| !d.trim().is_empty()))
        .input_schema(ToolInputSchema::Json(to_document(&schema)))
        // `strict` belongs to structured outputs; older models reject the field.
        .set_strict(tool.strict.filter(|_| caps.native_structured_output))
        .build())
}

/// Minimal specs for the tools a history calls, for a request that sent no `tools` (bug #2).
fn history_specs(req: &ChatRequest, names: &ToolNames) -> Result<Vec<SdkTool>, ApiError> {
    let mut seen: Vec<&str> = Vec::new();
    for part in req.messages.iter().flat_map(|m| &m.content) {
        if let Part::ToolUse { name, .. } = part
            && !seen.contains(&name.as_str())
        {
            seen.push(name);
        }
    }
    seen.into_iter()
        .map(|name| {
            sdk(ToolSpecification::builder()
                .name(names.bedrock(name))
                .input_schema(ToolInputSchema::Json(to_document(
                    &json!({"type": "object"}),
                )))
                .build())
            .map(SdkTool::ToolSpec)
        })
        .collect()
}

fn json_tool_spec(format: &ResponseFormat) -> Result<ToolSpecification, ApiError> {
    let (schema, description) = match format {
        ResponseFormat::JsonSchema {
            schema,
            description,
            ..
        } => (schema.clone(), description.as_deref()),
        ResponseFormat::JsonObject => (json!({"type": "object"}), None),
    };
    let description = match description {
        Some(d) if !d.trim().is_empty() => format!("{JSON_TOOL_DESCRIPTION} The answer: {d}"),
        _ => JSON_TOOL_DESCRIPTION.to_string(),
    };
    sdk(ToolSpecification::builder()
        .name(JSON_TOOL)
        .description(description)
        .input_schema(ToolInputSchema::Json(to_document(&schema)))
        .build())
}

fn native_output(format: &ResponseFormat) -> Result<OutputConfig, ApiError> {
    let (name, schema, description) = match format {
        ResponseFormat::JsonSchema {
            name,
            schema,
            description,
        } => (name.as_str(), schema.clone(), description.clone()),
        ResponseFormat::JsonObject => ("json_object", json!({"type": "object"}), None),
    };
    let definition = sdk(JsonSchemaDefinition::builder()
        .schema(Value::to_string(&schema))
        .name(name)
        .set_description(description)
        .build())?;
    let format = sdk(OutputFormat::builder()
        .r#type(OutputFormatType::JsonSchema)
        .structure(OutputFormatStructure::JsonSchema(definition))
        .build())?;
    Ok(OutputConfig::builder().text_format(format).build())
}

fn any() -> SdkToolChoice {
    SdkToolChoice::Any(AnyToolChoice::builder().build())
}

fn specific(name: &str) -> Result<SdkToolChoice, ApiError> {
    Ok(SdkToolChoice::Tool(sdk(SpecificToolChoice::builder()
        .name(name)
        .build())?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Thinking;
    use crate::translate::document::from_document;
    use crate::translate::test_support::*;

    fn choice(req: &ChatRequest, model: &str) -> Option<SdkToolChoice> {
        call(req, model)
            .tool_config
            .and_then(|c| c.tool_choice().cloned())
    }

    fn spec_names(req: &ChatRequest, model: &str) -> Vec<String> {
        call(req, model)
            .tool_config
            .map(|c| {
                c.tools()
                    .iter()
                    .filter_map(|t| t.as_tool_spec().ok())
                    .map(|s| s.name().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn tool_history() -> ChatRequest {
        request(vec![
            user(vec![text("weather?")]),
            assistant(vec![tool_use("c1", "get_weather", json!({"city": "Oslo"}))]),
            user(vec![tool_result_text("c1", "cold")]),
            user(vec![text("thanks, summarise")]),
        ])
    }

    #[test]
    fn tools_are_sent_with_schema_and_description() {
        let mut req = hello();
        req.tools = vec![tool("lookup")];
        let c = call(&req, NOVA);
        let config = c.tool_config.expect("config");
        let spec = config.tools()[0].as_tool_spec().expect("spec");
        assert_eq!(spec.name(), "lookup");
        assert_eq!(spec.description(), Some("the lookup tool"));
        let Some(ToolInputSchema::Json(schema)) = spec.input_schema() else {
            panic!("no schema");
        };
        assert_eq!(from_document(schema), req.tools[0].input_schema);
        assert!(
            config.tool_choice().is_none(),
            "no tool_choice sent, none set"
        );
    }

    #[test]
    fn history_without_tools_gets_a_rebuilt_tool_config() {
        let req = tool_history();
        let c = call(&req, CLAUDE_45);
        let config = c
            .tool_config
            .expect("toolConfig is required with tool history");
        let spec = config.tools()[0].as_tool_spec().expect("spec");
        assert_eq!(spec.name(), "get_weather");
        let Some(ToolInputSchema::Json(schema)) = spec.input_schema() else {
            panic!("no schema");
        };
        assert_eq!(from_document(schema), json!({"type": "object"}));
        assert_eq!(config.tools().len(), 1);
        assert!(config.tool_choice().is_none());
    }

    #[test]
    fn tool_choice_none_keeps_tools_and_sends_no_choice() {
        let mut req = tool_history();
        req.tools = vec![tool("get_weather")];
        req.tool_choice = Some(ToolChoice::None);
        assert_eq!(spec_names(&req, CLAUDE_45), ["get_weather"]);
        assert!(choice(&req, CLAUDE_45).is_none());
    }

    #[test]
    fn forced_choice_maps_on_models_that_support_it() {
        let mut req = hello();
        req.tools = vec![tool("a"), tool("b.c")];
        req.tool_choice = Some(ToolChoice::Any);
        assert!(choice(&req, NOVA).is_some_and(|c| c.is_any()));
        req.tool_choice = Some(ToolChoice::Tool("b.c".into()));
        let c = choice(&req, CLAUDE_45);
        assert_eq!(
            c.as_ref().and_then(|c| c.as_tool().ok()).map(|t| t.name()),
            Some("b_c"),
            "the sanitised name"
        );
        req.tool_choice = Some(ToolChoice::Auto);
        assert!(choice(&req, CLAUDE_45).is_some_and(|c| c.is_auto()));
        assert!(choice(&req, LLAMA).is_none(), "auto is implicit on Llama");
    }

    #[test]
    fn forced_choice_on_llama_is_a_400_that_says_what_to_do() {
        let mut req = hello();
        req.tools = vec![tool("a")];
        req.tool_choice = Some(ToolChoice::Any);
        let e = fail(&req, LLAMA);
        assert_eq!(e.status.as_u16(), 400);
        assert_eq!(e.param.as_deref(), Some("tool_choice"));
        assert!(e.message.contains("Meta Llama"), "{}", e.message);
        assert!(e.message.contains("auto"), "{}", e.message);
    }

    #[test]
    fn bad_tool_choices_are_400s() {
        let mut req = hello();
        req.tool_choice = Some(ToolChoice::Any);
        assert_eq!(fail(&req, NOVA).param.as_deref(), Some("tool_choice"));
        req.tools = vec![tool("a")];
        req.tool_choice = Some(ToolChoice::Tool("zzz".into()));
        assert!(fail(&req, NOVA).message.contains("`zzz`"));
    }

    #[test]
    fn thinking_downgrades_forced_choice_to_auto() {
        let mut req = hello();
        req.tools = vec![tool("a")];
        req.tool_choice = Some(ToolChoice::Tool("a".into()));
        req.thinking = Some(Thinking {
            budget_tokens: 1024,
        });
        assert!(choice(&req, CLAUDE_45).is_some_and(|c| c.is_auto()));
        req.tool_choice = Some(ToolChoice::Any);
        assert!(choice(&req, CLAUDE_45).is_some_and(|c| c.is_auto()));
        // Without thinking support the thinking field is ignored and the choice stays forced.
        assert!(choice(&req, NOVA).is_some_and(|c| c.is_any()));
    }

    #[test]
    fn thinking_with_emulated_json_does_not_force_and_instructs_instead() {
        let mut req = hello();
        req.response_format = Some(ResponseFormat::JsonObject);
        req.thinking = Some(Thinking {
            budget_tokens: 1024,
        });
        let c = call(&req, CLAUDE_37);
        assert!(c.plan.json_tool);
        let config = c.tool_config.expect("config");
        assert!(
            !config
                .tool_choice()
                .is_some_and(|c| c.is_tool() || c.is_any())
        );
        assert!(
            c.system
                .iter()
                .any(|s| s.as_text().is_ok_and(|t| t == JSON_TOOL_INSTRUCTION))
        );
    }

    #[test]
    fn emulated_json_with_client_tools_lets_the_model_pick() {
        let mut req = hello();
        req.tools = vec![tool("search")];
        req.response_format = Some(ResponseFormat::JsonSchema {
            name: "r".into(),
            schema: json!({"type": "object", "properties": {"x": {"type": "string"}}}),
            description: None,
        });
        assert_eq!(spec_names(&req, CLAUDE_37), ["search", JSON_TOOL]);
        assert!(choice(&req, CLAUDE_37).is_some_and(|c| c.is_any()));

        req.tool_choice = Some(ToolChoice::None);
        let forced = choice(&req, CLAUDE_37);
        assert_eq!(
            forced
                .as_ref()
                .and_then(|c| c.as_tool().ok())
                .map(|t| t.name()),
            Some(JSON_TOOL)
        );
    }

    #[test]
    fn emulated_json_without_forced_choice_uses_auto_and_an_instruction() {
        let mut req = hello();
        req.response_format = Some(ResponseFormat::JsonObject);
        let c = call(&req, LLAMA);
        assert!(c.plan.json_tool);
        assert!(
            c.tool_config
                .as_ref()
                .is_some_and(|t| t.tool_choice().is_none())
        );
        assert_eq!(
            c.system
                .last()
                .and_then(|s| s.as_text().ok())
                .map(String::as_str),
            Some(JSON_TOOL_INSTRUCTION)
        );
    }

    #[test]
    fn response_format_that_cannot_be_honoured_is_a_400() {
        let mut req = hello();
        req.response_format = Some(ResponseFormat::JsonObject);
        let e = fail(&req, TITAN);
        assert_eq!(e.param.as_deref(), Some("response_format"));

        req.tools = vec![tool(JSON_TOOL)];
        assert_eq!(fail(&req, NOVA).param.as_deref(), Some("tools"));
    }

    #[test]
    fn tools_on_titan_are_a_400() {
        let mut req = hello();
        req.tools = vec![tool("a")];
        assert_eq!(fail(&req, TITAN).param.as_deref(), Some("tools"));
        assert_eq!(
            fail(&tool_history(), TITAN).param.as_deref(),
            Some("messages")
        );
    }

    #[test]
    fn tools_cache_point_follows_client_tools_and_precedes_json_tool() {
        let mut req = hello();
        req.tools = vec![tool("a")];
        req.tools_cache_point = true;
        req.response_format = Some(ResponseFormat::JsonObject);
        let c = call(&req, CLAUDE_37);
        let tools = c.tool_config.expect("config").tools().to_vec();
        assert!(tools[0].is_tool_spec() && tools[1].is_cache_point() && tools[2].is_tool_spec());

        let c = call(&req, LLAMA);
        assert!(
            !c.tool_config
                .expect("config")
                .tools()
                .iter()
                .any(|t| t.is_cache_point())
        );
    }

    #[test]
    fn strict_is_only_sent_with_structured_output_support() {
        let mut req = hello();
        let mut t = tool("a");
        t.strict = Some(true);
        req.tools = vec![t];
        let strict = |model| {
            call(&req, model).tool_config.expect("config").tools()[0]
                .as_tool_spec()
                .expect("spec")
                .strict()
        };
        assert_eq!(strict(CLAUDE_45), Some(true));
        assert_eq!(strict(CLAUDE_37), None);
    }
}
