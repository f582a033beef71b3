//! The neutral chat model every front door (OpenAI, Anthropic) translates into and the Bedrock
//! provider translates out of.
//!
//! It is shaped like Converse because Converse is where every request ends up, but it is our own
//! type: policies read and rewrite it without knowing which API the client spoke, and no second
//! code path can skip them.

use bytes::Bytes;
use serde_json::Value;

/// One chat call, whatever API the client used.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChatRequest {
    /// The client-facing model name, as sent (an alias, a target id or a Bedrock model id).
    pub model: String,
    /// System prompt blocks in order (OpenAI `system`/`developer` messages are hoisted here).
    pub system: Vec<SystemBlock>,
    /// The conversation in order. Front doors keep the client's turns; the Converse translator
    /// merges same-role neighbours and drops blank text, so neither has to be done twice.
    pub messages: Vec<Message>,
    /// Tool definitions the model may call.
    pub tools: Vec<Tool>,
    /// Insert a cache point after the tool definitions.
    pub tools_cache_point: bool,
    pub tool_choice: Option<ToolChoice>,
    pub max_tokens: Option<u32>,
    pub temperature: Option<f32>,
    pub top_p: Option<f32>,
    pub top_k: Option<u32>,
    pub stop: Vec<String>,
    pub response_format: Option<ResponseFormat>,
    /// Extended thinking budget, already clamped to at least 1024 tokens.
    pub thinking: Option<Thinking>,
    pub stream: bool,
    /// Streaming only: send a final usage chunk (OpenAI `stream_options.include_usage`).
    pub include_usage: bool,
    /// End-user id for Bedrock's invocation logs, already sanitised.
    pub user: Option<String>,
    /// Texts to embed (the embeddings door), in order; the chain reads them as the `embedding`
    /// zone, so embedding inputs pass the same policies as chat.
    pub inputs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SystemBlock {
    Text(String),
    CachePoint,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub role: Role,
    pub content: Vec<Part>,
}

/// One content block. Every variant maps to exactly one Converse `ContentBlock` member.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Text(String),
    Image {
        format: ImageFormat,
        data: Bytes,
    },
    Document {
        format: DocumentFormat,
        /// Already sanitised to Bedrock's allowed characters and unique within the request.
        name: String,
        data: Bytes,
    },
    ToolUse {
        id: String,
        name: String,
        /// Always a JSON object.
        input: Value,
    },
    ToolResult {
        id: String,
        content: Vec<ToolResultPart>,
        is_error: bool,
    },
    Reasoning {
        text: String,
        signature: Option<String>,
    },
    RedactedReasoning {
        data: Bytes,
    },
    CachePoint,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ToolResultPart {
    Text(String),
    /// Always a JSON object (Bedrock rejects other JSON here).
    Json(Value),
    Image {
        format: ImageFormat,
        data: Bytes,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Jpeg,
    Gif,
    Webp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentFormat {
    Pdf,
    Csv,
    Doc,
    Docx,
    Xls,
    Xlsx,
    Html,
    Txt,
    Md,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tool {
    /// Matches `[a-zA-Z0-9_-]{1,64}`.
    pub name: String,
    pub description: Option<String>,
    /// JSON Schema of the input; always an object schema.
    pub input_schema: Value,
    pub strict: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolChoice {
    Auto,
    /// The model must call some tool (OpenAI `required`, Anthropic `any`).
    Any,
    /// The model must call this tool.
    Tool(String),
    /// The model must not call tools (tools may still be sent so history validates).
    None,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ResponseFormat {
    /// Reply must be JSON matching this schema.
    JsonSchema {
        name: String,
        schema: Value,
        description: Option<String>,
    },
    /// Reply must be a JSON object, any shape.
    JsonObject,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thinking {
    pub budget_tokens: u32,
}

/// A complete (non-streaming) reply.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChatResponse {
    pub content: Vec<Part>,
    pub stop_reason: StopReason,
    pub usage: Usage,
}

/// Why the model stopped, in Bedrock's terms; each front door maps it to its own vocabulary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum StopReason {
    #[default]
    EndTurn,
    ToolUse,
    MaxTokens,
    StopSequence,
    GuardrailIntervened,
    ContentFiltered,
    ContextWindowExceeded,
    MalformedModelOutput,
    MalformedToolUse,
    Other(String),
}

/// Token usage as Bedrock reports it: `input` excludes cache reads and writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub input: u64,
    pub output: u64,
    pub cache_read: u64,
    pub cache_write: u64,
}

impl Usage {
    /// Everything the model read, cached or not (OpenAI `prompt_tokens`).
    pub fn prompt_total(&self) -> u64 {
        self.input + self.cache_read + self.cache_write
    }
}

/// One streamed event, in arrival order. `index` is the content-block position in the assistant
/// message (Converse `contentBlockIndex`), never an OpenAI choice or tool-call index.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    MessageStart,
    TextDelta {
        index: u32,
        text: String,
    },
    ToolUseStart {
        index: u32,
        id: String,
        name: String,
    },
    /// A fragment of the tool input JSON; fragments concatenate to the whole input.
    ToolInputDelta {
        index: u32,
        json: String,
    },
    ReasoningDelta {
        index: u32,
        text: String,
    },
    SignatureDelta {
        index: u32,
        signature: String,
    },
    RedactedReasoning {
        index: u32,
        data: Bytes,
    },
    BlockStop {
        index: u32,
    },
    MessageStop {
        stop_reason: StopReason,
    },
    /// Usage arrives last, after `MessageStop`.
    Metadata {
        usage: Usage,
    },
}

/// Where a text in a request or a reply came from. Policies choose the zones they read
/// (`scan:` in the pack) because the threat differs by origin: the operator wrote the system
/// prompt and tool definitions, a person wrote the user turns, the model wrote the assistant
/// history and the reply, and tools and attachments carry data that anyone may have written.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    /// The system prompt (the operator's).
    System,
    /// Tool definitions: descriptions and input schemas (the operator's).
    Tools,
    /// Text of user turns.
    User,
    /// Earlier assistant turns sent back as history: text and tool-call arguments.
    Assistant,
    /// What tools returned (`tool` messages, `tool_result` blocks).
    ToolResult,
    /// Attached documents a text format gw can read (txt, md, csv, html).
    Document,
    /// Texts sent to an embedding model.
    Embedding,
    /// The reply's text.
    Reply,
    /// The arguments of the tool calls in the reply.
    ToolCall,
    /// The reply's reasoning (thinking) text.
    Reasoning,
}

impl Zone {
    /// Every zone, in the order a request and then its reply are read.
    pub const ALL: [Zone; 10] = [
        Zone::System,
        Zone::Tools,
        Zone::User,
        Zone::Assistant,
        Zone::ToolResult,
        Zone::Document,
        Zone::Embedding,
        Zone::Reply,
        Zone::ToolCall,
        Zone::Reasoning,
    ];

    /// The name as written in packs, decisions and audit records.
    pub fn as_str(self) -> &'static str {
        match self {
            Zone::System => "system",
            Zone::Tools => "tools",
            Zone::User => "user",
            Zone::Assistant => "assistant",
            Zone::ToolResult => "tool_result",
            Zone::Document => "document",
            Zone::Embedding => "embedding",
            Zone::Reply => "reply",
            Zone::ToolCall => "tool_call",
            Zone::Reasoning => "reasoning",
        }
    }

    /// Whether the zone belongs to the reply rather than the request.
    pub fn is_reply(self) -> bool {
        matches!(self, Zone::Reply | Zone::ToolCall | Zone::Reasoning)
    }

    /// Whether the zone carries data that tools or attachments brought in (where an injection
    /// is indirect: instructions hidden inside data).
    pub fn is_data(self) -> bool {
        matches!(self, Zone::ToolResult | Zone::Document)
    }
}

/// A set of zones, as one word: membership is a bit test on the hot path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ZoneSet(u16);

impl ZoneSet {
    /// The set of `zones`.
    pub fn of(zones: &[Zone]) -> Self {
        Self(zones.iter().fold(0, |bits, z| bits | (1 << *z as u16)))
    }

    pub fn contains(self, zone: Zone) -> bool {
        self.0 & (1 << zone as u16) != 0
    }

    /// Whether any request-side zone is in the set.
    pub fn any_request(self) -> bool {
        Zone::ALL.iter().any(|z| !z.is_reply() && self.contains(*z))
    }

    /// Whether any reply-side zone is in the set.
    pub fn any_reply(self) -> bool {
        Zone::ALL.iter().any(|z| z.is_reply() && self.contains(*z))
    }

    /// The zones in the set, in [`Zone::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Zone> {
        Zone::ALL.into_iter().filter(move |z| self.contains(*z))
    }
}

/// An image job (`/v1/images/generations` and `/edits`), provider-neutral: each Bedrock family
/// builds its own body from it. The prompts travel in the chat IR for the chain; these are the
/// settings around them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImageJob {
    /// Images wanted (1–10).
    pub n: u32,
    /// `width × height`; `None` leaves the model's default.
    pub size: Option<(u32, u32)>,
    pub quality: ImageQuality,
    pub seed: Option<u32>,
    /// How closely to follow the prompt (Nova and Titan `cfgScale`, 1.1–10).
    pub cfg_scale: Option<f64>,
    /// Present for an edit: the image and what to repaint.
    pub edit: Option<ImageEdit>,
}

/// Standard or premium (OpenAI `hd`/`high`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ImageQuality {
    #[default]
    Standard,
    Premium,
}

impl ImageQuality {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Premium => "premium",
        }
    }
}

/// An inpainting edit: the image (base64 PNG or JPEG) and either a mask image (base64 PNG, in
/// OpenAI's convention: transparent pixels mark what to repaint) or a text naming what to
/// repaint.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageEdit {
    pub image: String,
    pub mask_image: Option<String>,
    pub mask_prompt: Option<String>,
}
