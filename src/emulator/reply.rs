//! Deterministic reply synthesis and token accounting for Converse and ConverseStream.
//!
//! Tests assert on exact replies, so the "model" is a pure function of the request: it echoes the
//! last user text, calls a tool when asked, fills JSON schemas, and counts ceil(chars / 4) tokens.

use std::collections::HashSet;
use std::sync::Mutex;

use base64::Engine as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::schema;

/// One content block of the assistant reply.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    /// `reasoningContent.reasoningText`.
    Reasoning { text: String, signature: String },
    /// A text block.
    Text(String),
    /// A `toolUse` block.
    ToolUse {
        id: String,
        name: String,
        input: Value,
    },
}

/// Token usage as Bedrock reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Usage {
    pub input: u64,
    pub output: u64,
    pub cache_read: u64,
    pub cache_write: u64,
    /// Whether the request had a cache point (the cache fields are then reported).
    pub cached: bool,
}

impl Usage {
    pub fn to_json(self) -> Value {
        let total = self.input + self.output + self.cache_read + self.cache_write;
        let mut v =
            json!({"inputTokens": self.input, "outputTokens": self.output, "totalTokens": total});
        if self.cached {
            v["cacheReadInputTokens"] = json!(self.cache_read);
            v["cacheWriteInputTokens"] = json!(self.cache_write);
        }
        v
    }
}

/// The whole synthesized reply.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub blocks: Vec<Block>,
    pub stop_reason: &'static str,
    pub usage: Usage,
    pub latency_ms: u64,
}

impl Reply {
    /// The Converse response body.
    pub fn to_converse_json(&self) -> Value {
        let content: Vec<Value> = self.blocks.iter().map(block_json).collect();
        json!({
            "output": {"message": {"role": "assistant", "content": content}},
            "stopReason": self.stop_reason,
            "usage": self.usage.to_json(),
            "metrics": {"latencyMs": self.latency_ms},
        })
    }
}

fn block_json(block: &Block) -> Value {
    match block {
        Block::Reasoning { text, signature } => {
            json!({"reasoningContent": {"reasoningText": {"text": text, "signature": signature}}})
        }
        Block::Text(t) => json!({ "text": t }),
        Block::ToolUse { id, name, input } => {
            json!({"toolUse": {"toolUseId": id, "name": name, "input": input}})
        }
    }
}

/// Tokens for a character count: ceil(chars / 4).
pub(crate) fn tokens(chars: usize) -> u64 {
    u64::try_from(chars.div_ceil(4)).unwrap_or(u64::MAX)
}

/// What the model "reads": total characters, and the prefix before the last cache point.
pub(crate) struct InputText {
    pub chars: usize,
    /// `(chars before the last cachePoint, hash of that prefix)`.
    pub prefix: Option<(usize, [u8; 32])>,
}

struct Reader {
    chars: usize,
    hash: Sha256,
    prefix: Option<(usize, [u8; 32])>,
}

impl Reader {
    fn read(&mut self, s: &str) {
        self.chars += s.chars().count();
        self.hash.update(s.as_bytes());
        self.hash.update([0u8]);
    }
    fn cache_point(&mut self) {
        self.prefix = Some((self.chars, self.hash.clone().finalize().into()));
    }
    fn block(&mut self, b: &Value) {
        if b.get("cachePoint").is_some() {
            return self.cache_point();
        }
        if let Some(t) = b.get("text").and_then(Value::as_str) {
            self.read(t);
        }
        if let Some(t) = b.pointer("/guardContent/text/text").and_then(Value::as_str) {
            self.read(t);
        }
        if let Some(t) = b
            .pointer("/reasoningContent/reasoningText/text")
            .and_then(Value::as_str)
        {
            self.read(t);
        }
        if let Some(u) = b.get("toolUse") {
            self.read(u.get("name").and_then(Value::as_str).unwrap_or_default());
            self.read(&u.get("input").map(Value::to_string).unwrap_or_default());
        }
        if let Some(r) = b.get("toolResult") {
            self.read(&tool_result_text(r));
        }
    }
}

/// Counts the text a model reads, in Anthropic's order: tool specs, system, messages.
pub(crate) fn input_text(body: &Value) -> InputText {
    let mut r = Reader {
        chars: 0,
        hash: Sha256::new(),
        prefix: None,
    };
    let arr = |p: &str| {
        body.pointer(p)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
    };
    for tool in arr("/toolConfig/tools") {
        match tool.get("toolSpec") {
            Some(spec) => r.read(&spec.to_string()),
            None if tool.get("cachePoint").is_some() => r.cache_point(),
            None => {}
        }
    }
    for b in arr("/system") {
        r.block(b);
    }
    for m in arr("/messages") {
        for b in m
            .get("content")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            r.block(b);
        }
    }
    InputText {
        chars: r.chars,
        prefix: r.prefix,
    }
}

/// Text of one toolResult: its items (text, or compact JSON) joined by a space.
fn tool_result_text(r: &Value) -> String {
    r.get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(
            |c| match (c.get("text").and_then(Value::as_str), c.get("json")) {
                (Some(t), _) => t.to_owned(),
                (None, Some(j)) => j.to_string(),
                (None, None) => String::new(),
            },
        )
        .collect::<Vec<_>>()
        .join(" ")
}

/// A request with a `guardrailConfig` whose last user text contains this is stopped by the
/// "guardrail", as Bedrock Guardrails would stop a denied topic.
pub const GUARDRAIL_TRIGGER: &str = "guardrail-denied-topic";

/// What the emulated guardrail answers instead (a guardrail's configured blocked message).
pub const GUARDRAIL_MESSAGE: &str = "Sorry, the model cannot answer this question.";

/// Builds the reply for a validated Converse body; `cache` remembers written prefixes.
pub(crate) fn synthesize(body: &Value, cache: &Mutex<HashSet<[u8; 32]>>) -> Reply {
    let last_user = body
        .get("messages")
        .and_then(Value::as_array)
        .and_then(|m| {
            m.iter()
                .rev()
                .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
        })
        .and_then(|m| m.get("content"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let user_text = last_user
        .iter()
        .filter_map(|b| b.get("text").and_then(Value::as_str))
        .collect::<Vec<_>>()
        .join("\n");
    if body.get("guardrailConfig").is_some() && user_text.contains(GUARDRAIL_TRIGGER) {
        let blocks = vec![Block::Text(GUARDRAIL_MESSAGE.to_owned())];
        let usage = usage(body, &blocks, cache);
        return Reply {
            blocks,
            stop_reason: "guardrail_intervened",
            latency_ms: 35,
            usage,
        };
    }
    let results: Vec<String> = last_user
        .iter()
        .filter_map(|b| b.get("toolResult"))
        .map(tool_result_text)
        .collect();

    let mut blocks = Vec::new();
    let thinking = body
        .pointer("/additionalModelRequestFields/thinking/type")
        .and_then(Value::as_str)
        .is_some_and(|t| t == "enabled" || t == "adaptive");
    if thinking {
        let text = format!(
            "Considering: {}",
            user_text.chars().take(40).collect::<String>()
        );
        let signature =
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()));
        blocks.push(Block::Reasoning { text, signature });
    }

    let stop_reason =
        if let Some((name, schema, announce)) = pick_tool(body, &user_text, !results.is_empty()) {
            if announce {
                blocks.push(Block::Text(format!("Calling {name}.")));
            }
            blocks.push(Block::ToolUse {
                id: format!("tooluse_{}", random_alnum(22)),
                name,
                input: schema::instance(&schema),
            });
            "tool_use"
        } else {
            let text = if let Some(s) = structured_output_schema(body) {
                schema::instance(&s).to_string()
            } else if !results.is_empty() {
                format!("tool results: {}", results.join("; "))
            } else if user_text.is_empty() {
                "(no text)".to_owned()
            } else {
                user_text.clone()
            };
            let (text, stop) = limit_text(body, text);
            blocks.push(Block::Text(text));
            stop
        };

    let usage = usage(body, &blocks, cache);
    Reply {
        blocks,
        stop_reason,
        latency_ms: 35 + 3 * usage.output,
        usage,
    }
}

fn random_alnum(n: usize) -> String {
    std::iter::repeat_with(fastrand::alphanumeric)
        .take(n)
        .collect()
}

/// The tool to call: `(name, input schema, announce with a text block)`.
fn pick_tool(body: &Value, user_text: &str, has_results: bool) -> Option<(String, Value, bool)> {
    let tools: Vec<&Value> = body
        .pointer("/toolConfig/tools")
        .and_then(Value::as_array)?
        .iter()
        .filter_map(|t| t.get("toolSpec"))
        .collect();
    let name_of = |t: &Value| {
        t.get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let schema_of = |t: &Value| {
        t.pointer("/inputSchema/json")
            .cloned()
            .unwrap_or_else(|| json!({}))
    };
    let choice = body.pointer("/toolConfig/toolChoice");
    if let Some(wanted) = choice
        .and_then(|c| c.pointer("/tool/name"))
        .and_then(Value::as_str)
    {
        let t = tools.iter().find(|t| name_of(t) == wanted)?;
        return Some((name_of(t), schema_of(t), false));
    }
    if choice.is_some_and(|c| c.get("any").is_some()) {
        let t = tools.first()?;
        return Some((name_of(t), schema_of(t), false));
    }
    // auto: only when the user names a tool, and never right after tool results (no loops).
    if has_results {
        return None;
    }
    let t = tools.iter().find(|t| {
        let n = name_of(t);
        !n.is_empty() && user_text.contains(&n)
    })?;
    Some((name_of(t), schema_of(t), true))
}

fn structured_output_schema(body: &Value) -> Option<Value> {
    let fmt = body.pointer("/outputConfig/textFormat")?;
    if fmt.get("type").and_then(Value::as_str) != Some("json_schema") {
        return None;
    }
    match fmt.pointer("/structure/jsonSchema/schema")? {
        Value::String(s) => serde_json::from_str(s).ok(),
        other => Some(other.clone()),
    }
}

/// Applies `stopSequences` and `maxTokens` to the reply text.
fn limit_text(body: &Value, mut text: String) -> (String, &'static str) {
    let mut stop = "end_turn";
    let cut = body
        .pointer("/inferenceConfig/stopSequences")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|s| !s.is_empty())
        .filter_map(|s| text.find(s))
        .min();
    if let Some(at) = cut {
        text.truncate(at);
        stop = "stop_sequence";
    }
    if let Some(max) = body
        .pointer("/inferenceConfig/maxTokens")
        .and_then(Value::as_u64)
    {
        let chars = text.chars().count();
        if tokens(chars) > max {
            let keep = usize::try_from(max.saturating_mul(4)).unwrap_or(usize::MAX);
            text = text.chars().take(keep).collect();
            stop = "max_tokens";
        }
    }
    (text, stop)
}

fn usage(body: &Value, blocks: &[Block], cache: &Mutex<HashSet<[u8; 32]>>) -> Usage {
    let out_chars: usize = blocks
        .iter()
        .map(|b| match b {
            Block::Reasoning { text, .. } | Block::Text(text) => text.chars().count(),
            Block::ToolUse { name, input, .. } => {
                name.chars().count() + input.to_string().chars().count()
            }
        })
        .sum();
    let input = input_text(body);
    let mut u = Usage {
        output: tokens(out_chars),
        ..Usage::default()
    };
    match input.prefix {
        Some((prefix_chars, hash)) => {
            let first_time = super::lock(cache).insert(hash);
            let cached = tokens(prefix_chars);
            if first_time {
                u.cache_write = cached;
            } else {
                u.cache_read = cached;
            }
            u.cached = true;
            u.input = tokens(input.chars - prefix_chars);
        }
        None => u.input = tokens(input.chars),
    }
    u
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(body: Value) -> Reply {
        synthesize(&body, &Mutex::new(HashSet::new()))
    }

    #[test]
    fn echoes_and_counts() {
        let r = run(json!({"messages":[{"role":"user","content":[{"text":"Hello there"}]}]}));
        assert_eq!(r.blocks, [Block::Text("Hello there".into())]);
        assert_eq!(r.stop_reason, "end_turn");
        assert_eq!((r.usage.input, r.usage.output), (3, 3));
    }

    #[test]
    fn stop_sequence_and_max_tokens() {
        let m = json!([{"role":"user","content":[{"text":"one two STOP three"}]}]);
        let r = run(json!({"messages":m,"inferenceConfig":{"stopSequences":["STOP"]}}));
        assert_eq!(
            (r.blocks[0].clone(), r.stop_reason),
            (Block::Text("one two ".into()), "stop_sequence")
        );
        let r = run(json!({"messages":m,"inferenceConfig":{"maxTokens":2}}));
        assert_eq!(
            (r.blocks[0].clone(), r.stop_reason),
            (Block::Text("one two ".into()), "max_tokens")
        );
    }

    #[test]
    fn cache_point_writes_then_reads() {
        let cache = Mutex::new(HashSet::new());
        let body = json!({"system":[{"text":"x".repeat(40)},{"cachePoint":{"type":"default"}}],
            "messages":[{"role":"user","content":[{"text":"abcd"}]}]});
        let a = synthesize(&body, &cache).usage;
        let b = synthesize(&body, &cache).usage;
        assert_eq!((a.cache_write, a.cache_read, a.input), (10, 0, 1));
        assert_eq!((b.cache_write, b.cache_read, b.input), (0, 10, 1));
    }

    #[test]
    fn auto_tool_choice_by_name() {
        let r = run(
            json!({"messages":[{"role":"user","content":[{"text":"use get_time please"}]}],
            "toolConfig":{"tools":[{"toolSpec":{"name":"get_time","inputSchema":{"json":{"type":"object","properties":{"tz":{"type":"string"}}}}}}]}}),
        );
        assert_eq!(r.stop_reason, "tool_use");
        assert_eq!(r.blocks[0], Block::Text("Calling get_time.".into()));
        let Block::ToolUse { id, input, .. } = &r.blocks[1] else {
            panic!("tool use expected")
        };
        assert_eq!(id.len(), "tooluse_".len() + 22);
        assert_eq!(input, &json!({"tz":"emulated"}));
    }
}
