//! Serde types for the Chat Completions wire format, as the official `openai` Python and Node
//! SDKs send and expect it.
//!
//! Requests are parsed leniently: unknown fields are ignored because SDKs keep adding knobs
//! (`store`, `metadata`, `service_tier`, `seed`, …) that gw has no use for, and rejecting them
//! would break clients on every SDK release. Messages and content parts are flat structs rather
//! than tagged enums so that serde never buffers a multi-megabyte base64 payload to look for a
//! tag, and so that `to_ir` can report a missing field with its exact param path.
//!
//! Response types borrow from the `ir::ChatResponse` they are built from, so building a reply
//! copies only what must be reshaped.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ApiError;

/// Longest serde message echoed back to a client; serde quotes offending string values whole,
/// and those can be megabytes of base64.
const MAX_PARSE_ERROR_CHARS: usize = 200;

/// Parses a request body into one of the request types, turning serde's error into a 400 that
/// never echoes more than a short prefix of the offending input.
pub fn from_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    crate::checks::parse_body(body, MAX_PARSE_ERROR_CHARS, "request", "OpenAI API")
}

/// `POST /v1/chat/completions` body.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChatCompletionRequest {
    pub model: String,
    pub messages: Vec<ChatMessage>,
    pub tools: Option<Vec<ToolDef>>,
    pub tool_choice: Option<ToolChoiceParam>,
    pub response_format: Option<ResponseFormatParam>,
    pub reasoning_effort: Option<String>,
    pub stop: Option<StopParam>,
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    pub max_tokens: Option<u32>,
    pub max_completion_tokens: Option<u32>,
    pub stream: Option<bool>,
    pub stream_options: Option<StreamOptions>,
    pub n: Option<u32>,
    pub user: Option<String>,
    /// gw extension: passed to models that support top-k sampling.
    pub top_k: Option<u32>,
}

/// Who wrote a message. `function` is the pre-tools legacy role, kept only to reject it clearly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageRole {
    System,
    Developer,
    User,
    Assistant,
    Tool,
    Function,
}

/// One chat message; which fields apply depends on `role`.
#[derive(Debug, Clone, Deserialize)]
pub struct ChatMessage {
    pub role: MessageRole,
    pub content: Option<MessageContent>,
    /// Accepted and dropped: Converse has no per-message author names.
    pub name: Option<String>,
    /// Assistant only.
    pub tool_calls: Option<Vec<ToolCall>>,
    /// Tool only.
    pub tool_call_id: Option<String>,
    /// gw extension, assistant only: the thinking text gw returned, echoed back so Claude accepts
    /// the tool-use continuation.
    pub reasoning_content: Option<String>,
    /// gw extension, assistant only: the signature that goes with `reasoning_content`.
    pub reasoning_signature: Option<String>,
    /// Assistant only; accepted and dropped (a refusal carries no context the model needs).
    pub refusal: Option<String>,
}

/// `content` is either a plain string or an array of typed parts.
#[derive(Debug, Clone, PartialEq)]
pub enum MessageContent {
    Text(String),
    Parts(Vec<ContentPart>),
}

impl<'de> Deserialize<'de> for MessageContent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MessageContent;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of content parts")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(MessageContent::Text(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(MessageContent::Text(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(MessageContent::Parts)
            }
        }
        d.deserialize_any(V)
    }
}

/// One content part. `kind` (`type` on the wire) selects which of the other fields is read.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ContentPart {
    #[serde(rename = "type")]
    pub kind: String,
    pub text: Option<String>,
    pub image_url: Option<ImageUrl>,
    pub file: Option<FilePart>,
    /// Only detected, never read: gw rejects audio input.
    pub input_audio: Option<IgnoredAny>,
    pub refusal: Option<String>,
    /// Anthropic-style extension: put a prompt-cache checkpoint right after this part.
    pub cache_control: Option<CacheControl>,
}

/// `image_url` part payload; `detail` is accepted and ignored (Bedrock has no equivalent).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ImageUrl {
    pub url: String,
    pub detail: Option<String>,
}

/// `file` part payload.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct FilePart {
    pub file_data: Option<String>,
    pub filename: Option<String>,
    pub file_id: Option<String>,
}

/// Anthropic-style `{"type":"ephemeral","ttl":"1h"}` marker.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct CacheControl {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub ttl: Option<String>,
}

/// A tool call the assistant made, as echoed back in history.
#[derive(Debug, Clone, Deserialize)]
pub struct ToolCall {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub function: FunctionCall,
}

/// Name plus JSON-encoded arguments, exactly as the model produced them.
#[derive(Debug, Clone, Deserialize)]
pub struct FunctionCall {
    pub name: String,
    #[serde(default)]
    pub arguments: String,
}

/// One entry of `tools`. Only `type:"function"` is supported; others are rejected by `to_ir`.
#[derive(Debug, Clone, Deserialize)]
pub struct ToolDef {
    #[serde(rename = "type")]
    pub kind: String,
    pub function: Option<FunctionDef>,
    /// Anthropic-style extension: cache everything up to and including the tool definitions.
    pub cache_control: Option<CacheControl>,
}

/// A function tool's declaration.
#[derive(Debug, Clone, Deserialize)]
pub struct FunctionDef {
    pub name: String,
    pub description: Option<String>,
    pub parameters: Option<Value>,
    pub strict: Option<bool>,
}

/// `tool_choice`: a mode string or `{"type":"function","function":{"name"}}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ToolChoiceParam {
    Mode(String),
    Named {
        #[serde(rename = "type")]
        kind: String,
        function: Option<NamedFunction>,
    },
}

/// The function a named `tool_choice` forces.
#[derive(Debug, Clone, Deserialize)]
pub struct NamedFunction {
    pub name: String,
}

/// `response_format`.
#[derive(Debug, Clone, Deserialize)]
pub struct ResponseFormatParam {
    #[serde(rename = "type")]
    pub kind: String,
    pub json_schema: Option<JsonSchemaParam>,
}

/// `response_format.json_schema`.
#[derive(Debug, Clone, Deserialize)]
pub struct JsonSchemaParam {
    pub name: Option<String>,
    pub schema: Option<Value>,
    pub description: Option<String>,
    pub strict: Option<bool>,
}

/// `stop`: one sequence or up to four.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum StopParam {
    One(String),
    Many(Vec<String>),
}

/// `stream_options`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StreamOptions {
    pub include_usage: Option<bool>,
}

/// A non-streaming `chat.completion` reply. Exactly one choice, since `n > 1` is rejected.
#[derive(Debug, Serialize)]
pub struct ChatCompletion<'a> {
    pub id: &'a str,
    pub object: &'static str,
    pub created: u64,
    pub model: &'a str,
    pub choices: [Choice<'a>; 1],
    pub usage: CompletionUsage,
}

/// The single choice of a reply.
#[derive(Debug, Serialize)]
pub struct Choice<'a> {
    pub index: u32,
    pub message: AssistantMessage<'a>,
    /// Always `null`: Bedrock returns no log probabilities.
    pub logprobs: Option<()>,
    pub finish_reason: &'static str,
}

/// The assistant's reply message.
#[derive(Debug, Serialize)]
pub struct AssistantMessage<'a> {
    pub role: &'static str,
    /// `null` only when the reply is tool calls and nothing else, as OpenAI does.
    pub content: Option<Cow<'a, str>>,
    /// Always `null`; the SDKs' message type has the key.
    pub refusal: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCallOut<'a>>,
    /// gw extension: the model's thinking, to be echoed back on the next tool turn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<Cow<'a, str>>,
    /// gw extension: the signature Claude needs to accept `reasoning_content` back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_signature: Option<&'a str>,
}

/// One tool call in a reply.
#[derive(Debug, Serialize)]
pub struct ToolCallOut<'a> {
    pub id: &'a str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub function: FunctionCallOut<'a>,
}

/// The called function; `arguments` is compact JSON, as the SDKs expect a string.
#[derive(Debug, Serialize)]
pub struct FunctionCallOut<'a> {
    pub name: &'a str,
    pub arguments: String,
}

/// OpenAI `usage`, with cache writes surfaced separately for billing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CompletionUsage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub total_tokens: u64,
    pub prompt_tokens_details: PromptTokensDetails,
    /// gw extension (Anthropic's name): prompt tokens written to the cache, included in
    /// `prompt_tokens`.
    pub cache_creation_input_tokens: u64,
}

/// `usage.prompt_tokens_details`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PromptTokensDetails {
    pub cached_tokens: u64,
}

impl From<&crate::ir::Usage> for CompletionUsage {
    fn from(u: &crate::ir::Usage) -> Self {
        let prompt = u.prompt_total();
        Self {
            prompt_tokens: prompt,
            completion_tokens: u.output,
            total_tokens: prompt + u.output,
            prompt_tokens_details: PromptTokensDetails {
                cached_tokens: u.cache_read,
            },
            cache_creation_input_tokens: u.cache_write,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignores_fields_the_sdk_sends_that_gw_does_not_use() {
        let body = br#"{
            "model": "claude-sonnet",
            "messages": [{"role": "user", "content": "hi", "name": "ann"}],
            "store": false, "metadata": {"k": "v"}, "service_tier": "auto",
            "modalities": ["text"], "prediction": null, "parallel_tool_calls": true,
            "seed": 7, "logprobs": false, "top_logprobs": null,
            "stream_options": {"include_usage": true, "include_obfuscation": false}
        }"#;
        let req: ChatCompletionRequest = from_json(body).unwrap();
        assert_eq!(req.model, "claude-sonnet");
        assert_eq!(
            req.messages[0].content,
            Some(MessageContent::Text("hi".into()))
        );
        assert_eq!(req.stream_options.unwrap().include_usage, Some(true));
    }

    #[test]
    fn content_parts_and_null_content_parse() {
        let body = br#"{"model":"m","messages":[
            {"role":"user","content":[{"type":"text","text":"a","cache_control":{"type":"ephemeral"}},
                {"type":"image_url","image_url":{"url":"data:image/png;base64,AA==","detail":"high"}},
                {"type":"input_audio","input_audio":{"data":"AA==","format":"wav"}}]},
            {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function",
                "function":{"name":"f","arguments":"{}"}}]}
        ]}"#;
        let req: ChatCompletionRequest = from_json(body).unwrap();
        let Some(MessageContent::Parts(parts)) = &req.messages[0].content else {
            panic!("expected parts");
        };
        assert_eq!(parts.len(), 3);
        assert!(parts[0].cache_control.is_some());
        assert_eq!(
            parts[1].image_url.as_ref().unwrap().detail.as_deref(),
            Some("high")
        );
        assert!(parts[2].input_audio.is_some());
        assert!(req.messages[1].content.is_none());
        assert_eq!(
            req.messages[1].tool_calls.as_ref().unwrap()[0]
                .function
                .name,
            "f"
        );
    }

    #[test]
    fn parse_errors_are_400_and_truncated() {
        let big = "x".repeat(10_000);
        let body =
            format!(r#"{{"model":"m","messages":[{{"role":"user","content":5,"x":"{big}"}}]}}"#);
        let err = from_json::<ChatCompletionRequest>(body.as_bytes()).unwrap_err();
        assert_eq!(err.status.as_u16(), 400);
        assert!(
            err.message
                .contains("a string or an array of content parts")
        );
        // serde quotes an unknown variant whole; the 400 must not carry all of it.
        let huge = format!(r#"{{"model":"m","messages":[{{"role":"{big}","content":"hi"}}]}}"#);
        let err = from_json::<ChatCompletionRequest>(huge.as_bytes()).unwrap_err();
        assert!(err.message.contains("unknown variant"), "{}", err.message);
        assert!(err.message.len() < 400, "{}", err.message.len());
    }

    #[test]
    fn legacy_function_role_parses_so_to_ir_can_reject_it() {
        let req: ChatCompletionRequest = from_json(
            br#"{"model":"m","messages":[{"role":"function","name":"f","content":"1"}]}"#,
        )
        .unwrap();
        assert_eq!(req.messages[0].role, MessageRole::Function);
    }

    #[test]
    fn usage_counts_cache_tokens_as_prompt() {
        let u = crate::ir::Usage {
            input: 10,
            output: 5,
            cache_read: 100,
            cache_write: 20,
        };
        let c = CompletionUsage::from(&u);
        assert_eq!(c.prompt_tokens, 130);
        assert_eq!(c.total_tokens, 135);
        assert_eq!(c.prompt_tokens_details.cached_tokens, 100);
        assert_eq!(c.cache_creation_input_tokens, 20);
    }
}
