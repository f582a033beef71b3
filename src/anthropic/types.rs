//! Serde mirrors of the Messages API request body.
//!
//! Content blocks are one loose struct keyed by `type` rather than a tagged enum: an unknown or
//! malformed block then fails in `content.rs` with a message that names its exact param path
//! (`messages[2].content[0].source.type`), which serde's tagged enums cannot do. Unknown fields
//! are ignored, as Anthropic's own API does for forward compatibility.

use serde::Deserialize;
use serde_json::Value;

/// `POST /v1/messages` and `POST /v1/messages/count_tokens` body (count_tokens has no
/// `max_tokens`, so it is optional here and required by [`crate::anthropic::to_ir`]).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MessagesRequest {
    /// Client-facing model name: an alias from the pack or a target id.
    #[serde(default)]
    pub model: String,
    /// Output budget, thinking included.
    pub max_tokens: Option<u32>,
    /// Top-level system prompt.
    pub system: Option<SystemParam>,
    /// The conversation.
    #[serde(default)]
    pub messages: Vec<MessageParam>,
    /// Tool definitions (custom tools only).
    pub tools: Option<Vec<ToolParam>>,
    /// How the model may use tools.
    pub tool_choice: Option<ToolChoiceParam>,
    /// Extended thinking switch and budget.
    pub thinking: Option<ThinkingParam>,
    /// Strings that end generation.
    pub stop_sequences: Option<Vec<String>>,
    /// Sampling temperature, 0..=1.
    pub temperature: Option<f64>,
    /// Nucleus sampling, 0..=1.
    pub top_p: Option<f64>,
    /// Top-k sampling.
    pub top_k: Option<u32>,
    /// `user_id` becomes the IR `user` label.
    pub metadata: Option<MetadataParam>,
    /// Stream the reply as SSE.
    pub stream: Option<bool>,
}

/// `system`: a string or a list of text blocks.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum SystemParam {
    /// A plain string.
    Text(String),
    /// Text blocks, each possibly with `cache_control`.
    Blocks(Vec<ContentBlockParam>),
}

/// One turn.
#[derive(Debug, Clone, Deserialize)]
pub struct MessageParam {
    /// `user` or `assistant`.
    pub role: String,
    /// A string or content blocks.
    pub content: MessageContent,
}

/// Message content: a string or a list of blocks.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum MessageContent {
    /// Shorthand for one text block.
    Text(String),
    /// Content blocks in order.
    Blocks(Vec<ContentBlockParam>),
}

/// Any content block; which fields matter depends on `kind`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContentBlockParam {
    /// `text`, `image`, `document`, `tool_use`, `tool_result`, `thinking`, `redacted_thinking`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// `text` blocks.
    pub text: Option<String>,
    /// `image` and `document` blocks.
    pub source: Option<SourceParam>,
    /// `document` blocks: shown to the model as the document's name.
    pub title: Option<String>,
    /// `tool_use` blocks.
    pub id: Option<String>,
    /// `tool_use` blocks.
    pub name: Option<String>,
    /// `tool_use` blocks: the call's arguments.
    pub input: Option<Value>,
    /// `tool_result` blocks.
    pub tool_use_id: Option<String>,
    /// `tool_result` blocks: a string or text/image blocks.
    pub content: Option<ToolResultContent>,
    /// `tool_result` blocks.
    pub is_error: Option<bool>,
    /// `thinking` blocks.
    pub thinking: Option<String>,
    /// `thinking` blocks: must go back to Bedrock byte for byte.
    pub signature: Option<String>,
    /// `redacted_thinking` blocks: opaque, base64 as gw sent it.
    pub data: Option<String>,
    /// Any value marks a cache point after this block.
    pub cache_control: Option<Value>,
}

/// `tool_result.content`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ToolResultContent {
    /// Plain text.
    Text(String),
    /// Text and image blocks.
    Blocks(Vec<ContentBlockParam>),
}

/// `image.source` / `document.source`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SourceParam {
    /// `base64`, `text`, `url`, `file` or `content`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// MIME type of `data`.
    pub media_type: Option<String>,
    /// Base64 payload (`base64`) or plain text (`text`).
    pub data: Option<String>,
    /// `url` sources, which gw refuses.
    pub url: Option<String>,
}

/// One tool definition. Server tools carry a versioned `type` and are refused.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ToolParam {
    /// Absent or `custom` for client tools.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `[a-zA-Z0-9_-]{1,64}`.
    #[serde(default)]
    pub name: String,
    /// What the tool does, for the model.
    pub description: Option<String>,
    /// JSON Schema of the input.
    pub input_schema: Option<Value>,
    /// Marks a cache point after the tool definitions.
    pub cache_control: Option<Value>,
}

/// `tool_choice`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ToolChoiceParam {
    /// `auto`, `any`, `tool` or `none`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The tool to call when `kind` is `tool`.
    pub name: Option<String>,
}

/// `thinking`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ThinkingParam {
    /// `enabled` or `disabled`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// At least 1024 and below `max_tokens`.
    pub budget_tokens: Option<u32>,
}

/// `metadata`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MetadataParam {
    /// An opaque end-user id.
    pub user_id: Option<String>,
}
