//! IR ↔ a model family's native InvokeModel JSON, for Bedrock batch inference: a batch record's
//! `modelInput` is the body InvokeModel would take, and its `modelOutput` the body InvokeModel
//! would return. Claude (Anthropic Messages) and Nova (`messages-v1`) are covered; batch records
//! carry text turns (system, user, assistant), which is what offline jobs send.

use serde_json::{Map, Value, json};

use super::caps::{Capabilities, family_label};
use crate::config::pack::ModelFamily;
use crate::ir::{ChatRequest, ChatResponse, Part, Role, StopReason, SystemBlock, Usage};

/// Output tokens asked for when a record names none.
pub const BATCH_DEFAULT_MAX_TOKENS: u32 = 4096;

/// Families whose native format gw writes for batch jobs.
pub fn batch_supported(family: ModelFamily) -> bool {
    matches!(family, ModelFamily::Anthropic | ModelFamily::Nova)
}

/// The record's `modelInput`, or why the request cannot go into a batch.
pub fn to_native(req: &ChatRequest, caps: &Capabilities) -> Result<Value, String> {
    if !batch_supported(caps.family) {
        return Err(format!(
            "batch jobs run on Anthropic Claude and Amazon Nova models; {} is not supported",
            family_label(caps.family)
        ));
    }
    if !req.tools.is_empty() {
        return Err("batch records carry text turns only; `tools` is not supported".into());
    }
    if req.response_format.is_some() || req.thinking.is_some() {
        return Err(
            "`response_format` and reasoning are not supported in batch records; send plain text turns"
                .into(),
        );
    }
    let system: Vec<&str> = req
        .system
        .iter()
        .filter_map(|b| match b {
            SystemBlock::Text(t) => Some(t.as_str()),
            SystemBlock::CachePoint => None,
        })
        .collect();
    let nova = caps.family == ModelFamily::Nova;
    let mut messages = Vec::with_capacity(req.messages.len());
    for m in &req.messages {
        let mut text = String::new();
        for p in &m.content {
            match p {
                Part::Text(t) => {
                    if !text.is_empty() {
                        text.push('\n');
                    }
                    text.push_str(t);
                }
                Part::CachePoint => {}
                _ => {
                    return Err(
                        "batch records carry text turns only; images, documents and tool calls are not supported"
                            .into(),
                    );
                }
            }
        }
        if text.trim().is_empty() {
            continue;
        }
        let role = match m.role {
            Role::User => "user",
            Role::Assistant => "assistant",
        };
        let block = if nova {
            json!({ "text": text })
        } else {
            json!({ "type": "text", "text": text })
        };
        messages.push(json!({ "role": role, "content": [block] }));
    }
    if messages.is_empty() {
        return Err("the record has no message with text".into());
    }
    let mut max_tokens = req.max_tokens.unwrap_or(BATCH_DEFAULT_MAX_TOKENS);
    if let Some(limit) = caps.max_output_tokens {
        max_tokens = max_tokens.min(limit);
    }
    let mut body = Map::new();
    if nova {
        body.insert("schemaVersion".into(), json!("messages-v1"));
        if !system.is_empty() {
            let blocks: Vec<Value> = system.iter().map(|t| json!({ "text": t })).collect();
            body.insert("system".into(), Value::Array(blocks));
        }
        body.insert("messages".into(), Value::Array(messages));
        let mut inference = Map::new();
        inference.insert("maxTokens".into(), json!(max_tokens));
        if let Some(t) = req.temperature {
            inference.insert("temperature".into(), decimal(t));
        }
        if let Some(p) = req.top_p {
            inference.insert("topP".into(), decimal(p));
        }
        if let Some(k) = req.top_k {
            inference.insert("topK".into(), json!(k));
        }
        if !req.stop.is_empty() {
            inference.insert("stopSequences".into(), json!(req.stop));
        }
        body.insert("inferenceConfig".into(), Value::Object(inference));
    } else {
        body.insert("anthropic_version".into(), json!("bedrock-2023-05-31"));
        body.insert("max_tokens".into(), json!(max_tokens));
        if !system.is_empty() {
            body.insert("system".into(), json!(system.join("\n\n")));
        }
        body.insert("messages".into(), Value::Array(messages));
        // Claude takes one of temperature and top_p on newer models; temperature wins.
        if let Some(t) = req.temperature {
            body.insert("temperature".into(), decimal(t));
        } else if let Some(p) = req.top_p {
            body.insert("top_p".into(), decimal(p));
        }
        if let Some(k) = req.top_k {
            body.insert("top_k".into(), json!(k));
        }
        if !req.stop.is_empty() {
            body.insert("stop_sequences".into(), json!(req.stop));
        }
    }
    Ok(Value::Object(body))
}

/// An `f32` as the decimal the client wrote (`0.3`, not `0.30000001192092896`).
fn decimal(v: f32) -> Value {
    v.to_string()
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or(Value::Null, Value::Number)
}

/// Where each family keeps its stop reason and token counts in `modelOutput`.
struct OutputFields {
    stop: &'static str,
    input: &'static str,
    output: &'static str,
    cache_read: &'static str,
    cache_write: &'static str,
}

const NOVA_OUTPUT: OutputFields = OutputFields {
    stop: "stopReason",
    input: "inputTokens",
    output: "outputTokens",
    cache_read: "cacheReadInputTokenCount",
    cache_write: "cacheWriteInputTokenCount",
};

const CLAUDE_OUTPUT: OutputFields = OutputFields {
    stop: "stop_reason",
    input: "input_tokens",
    output: "output_tokens",
    cache_read: "cache_read_input_tokens",
    cache_write: "cache_creation_input_tokens",
};

/// A record's `modelOutput` read back as the IR reply.
pub fn from_native(output: &Value, family: ModelFamily) -> Result<ChatResponse, String> {
    let (blocks, fields) = if family == ModelFamily::Nova {
        (output.pointer("/output/message/content"), &NOVA_OUTPUT)
    } else {
        (output.get("content"), &CLAUDE_OUTPUT)
    };
    let blocks = blocks
        .and_then(Value::as_array)
        .ok_or("modelOutput has no content")?;
    // Claude marks text blocks with a type; Nova's blocks are text when they have `text`.
    let text: String = blocks
        .iter()
        .filter(|b| b.get("type").is_none_or(|t| t == "text"))
        .filter_map(|b| b.get("text").and_then(Value::as_str))
        .collect();
    let usage = output.get("usage");
    let count = |key: &str| {
        usage
            .and_then(|u| u.get(key))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    Ok(ChatResponse {
        content: vec![Part::Text(text)],
        stop_reason: stop(output.get(fields.stop)),
        usage: Usage {
            input: count(fields.input),
            output: count(fields.output),
            cache_read: count(fields.cache_read),
            cache_write: count(fields.cache_write),
        },
    })
}

fn stop(v: Option<&Value>) -> StopReason {
    match v.and_then(Value::as_str).unwrap_or("end_turn") {
        "end_turn" => StopReason::EndTurn,
        "max_tokens" => StopReason::MaxTokens,
        "stop_sequence" => StopReason::StopSequence,
        "tool_use" => StopReason::ToolUse,
        "content_filtered" => StopReason::ContentFiltered,
        other => StopReason::Other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Message;
    use crate::translate::capabilities;

    fn req() -> ChatRequest {
        ChatRequest {
            model: "m".into(),
            system: vec![SystemBlock::Text("Be brief.".into())],
            messages: vec![Message {
                role: Role::User,
                content: vec![Part::Text("Classify: refund please".into())],
            }],
            max_tokens: Some(50),
            temperature: Some(0.2),
            ..ChatRequest::default()
        }
    }

    #[test]
    fn claude_body_is_anthropic_messages() {
        let caps = capabilities("anthropic.claude-3-5-haiku-20241022-v1:0", None);
        let v = to_native(&req(), &caps).unwrap();
        assert_eq!(v["anthropic_version"], "bedrock-2023-05-31");
        assert_eq!(v["system"], "Be brief.");
        assert_eq!(v["max_tokens"], 50);
        assert_eq!(v["temperature"].to_string(), "0.2");
        assert_eq!(v["messages"][0]["content"][0]["type"], "text");
    }

    #[test]
    fn nova_body_is_messages_v1() {
        let caps = capabilities("us.amazon.nova-pro-v1:0", None);
        let v = to_native(&req(), &caps).unwrap();
        assert_eq!(v["schemaVersion"], "messages-v1");
        assert_eq!(v["system"][0]["text"], "Be brief.");
        assert_eq!(v["inferenceConfig"]["maxTokens"], 50);
        assert_eq!(
            v["messages"][0]["content"][0]["text"],
            "Classify: refund please"
        );
    }

    #[test]
    fn other_families_and_tools_are_refused() {
        let caps = capabilities("meta.llama3-70b-instruct-v1:0", None);
        assert!(to_native(&req(), &caps).unwrap_err().contains("Meta Llama"));
    }

    #[test]
    fn outputs_read_back() {
        let claude = json!({"content":[{"type":"text","text":"refund"}],"stop_reason":"end_turn",
            "usage":{"input_tokens":12,"output_tokens":3}});
        let r = from_native(&claude, ModelFamily::Anthropic).unwrap();
        assert_eq!(r.content, vec![Part::Text("refund".into())]);
        assert_eq!((r.usage.input, r.usage.output), (12, 3));
        let nova = json!({"output":{"message":{"role":"assistant","content":[{"text":"ok"}]}},
            "stopReason":"max_tokens","usage":{"inputTokens":5,"outputTokens":7}});
        let r = from_native(&nova, ModelFamily::Nova).unwrap();
        assert_eq!(r.stop_reason, StopReason::MaxTokens);
        assert_eq!(r.usage.output, 7);
    }
}
