//! Deterministic reply synthesis and token accounting for Converse and ConverseStream.
//!
//! Tests assert on exact replies, so the "model" is a pure function of the request: it echoes the
//! last user text, calls a tool when asked, fills JSON schemas, and counts ceil(chars / 4) tokens.
//! A `gw-emulator:` line in a user message scripts a tool loop instead (see `script`).

use std::collections::HashSet;
use std::sync::Mutex;

use base64::Engine as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{schema, script};

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

/// What the model "reads": total characters, and the prefixes a prompt cache can key on.
pub(crate) struct InputText {
    pub chars: usize,
    /// `(chars so far, hash of that prefix)` after every content block and at every cachePoint.
    pub boundaries: Vec<(usize, [u8; 32])>,
    /// Indexes into `boundaries` of the cachePoints, in order.
    pub cache_points: Vec<usize>,
}

struct Reader {
    chars: usize,
    hash: Sha256,
    boundaries: Vec<(usize, [u8; 32])>,
    cache_points: Vec<usize>,
}

impl Reader {
    fn read(&mut self, s: &str) {
        self.chars += s.chars().count();
        self.hash.update(s.as_bytes());
        self.hash.update([0u8]);
    }
    fn mark(&mut self) {
        let prefix = (self.chars, self.hash.clone().finalize().into());
        self.boundaries.push(prefix);
    }
    fn cache_point(&mut self) {
        self.mark();
        self.cache_points.push(self.boundaries.len() - 1);
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
        self.mark();
    }
}

/// Counts the text a model reads, in Anthropic's order: tool specs, system, messages.
pub(crate) fn input_text(body: &Value) -> InputText {
    let mut r = Reader {
        chars: 0,
        hash: Sha256::new(),
        boundaries: Vec::new(),
        cache_points: Vec::new(),
    };
    let arr = |p: &str| {
        body.pointer(p)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
    };
    for tool in arr("/toolConfig/tools") {
        match tool.get("toolSpec") {
            Some(spec) => {
                r.read(&spec.to_string());
                r.mark();
            }
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
        boundaries: r.boundaries,
        cache_points: r.cache_points,
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
    let raw_text = last_user
        .iter()
        .filter_map(|b| b.get("text").and_then(Value::as_str))
        .collect::<Vec<_>>()
        .join("\n");
    if body.get("guardrailConfig").is_some() && raw_text.contains(GUARDRAIL_TRIGGER) {
        let blocks = vec![Block::Text(GUARDRAIL_MESSAGE.to_owned())];
        let usage = usage(body, &blocks, cache);
        return Reply {
            blocks,
            stop_reason: "guardrail_intervened",
            latency_ms: 35,
            usage,
        };
    }
    let user_text = without_reminders(&raw_text);
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

    let forced = body
        .pointer("/toolConfig/toolChoice")
        .is_some_and(|c| c.get("tool").is_some() || c.get("any").is_some());
    let scripted = if forced {
        None
    } else {
        script::next(body, |r| without_reminders(&tool_result_text(r)))
    };
    let stop_reason = if let Some(script::Next::Call { step, .. }) = scripted.clone() {
        blocks.push(Block::Text(format!("Calling {}.", step.tool)));
        blocks.push(Block::ToolUse {
            id: format!("tooluse_{}", random_alnum(22)),
            name: step.tool,
            input: step.input,
        });
        "tool_use"
    } else if let Some((name, schema, announce)) = scripted
        .is_none()
        .then(|| pick_tool(body, &user_text, !results.is_empty()))
        .flatten()
    {
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
        } else if let Some(script::Next::Done(t) | script::Next::Error(t)) = scripted {
            t
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

/// Claude Code wraps harness context (environment, tool lists, dates) in these tags inside user
/// messages; a model reads them as context, not as the user's request, so the echo and the
/// tool-by-name pick skip them.
const REMINDER_OPEN: &str = "<system-reminder>";
const REMINDER_CLOSE: &str = "</system-reminder>";

/// The text with every `<system-reminder>…</system-reminder>` span removed, trimmed.
fn without_reminders(text: &str) -> String {
    if !text.contains(REMINDER_OPEN) {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(REMINDER_OPEN) {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        match rest.find(REMINDER_CLOSE) {
            Some(end) => rest = &rest[end + REMINDER_CLOSE.len()..],
            None => rest = "",
        }
    }
    out.push_str(rest);
    out.trim().to_owned()
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

/// How many blocks before a cache point a cache lookup checks for an earlier entry.
const CACHE_LOOKBACK_BLOCKS: usize = 20;

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
    // As Anthropic models cache: entries are written at cache points; a lookup also checks the
    // block boundaries up to 20 blocks before each cache point, and the longest cached prefix is
    // read. The rest up to the last cache point is written; what follows is plain input. So an
    // agent that moves its last cache point every turn reads the previous turn's prefix.
    match input.cache_points.last() {
        Some(&last) => {
            let last_chars = input.boundaries[last].0;
            let mut seen = super::lock(cache);
            let read_chars = input
                .cache_points
                .iter()
                .flat_map(|&cp| cp.saturating_sub(CACHE_LOOKBACK_BLOCKS)..=cp)
                .map(|i| input.boundaries[i])
                .filter(|(_, hash)| seen.contains(hash))
                .map(|(chars, _)| chars)
                .max()
                .unwrap_or(0);
            for &cp in &input.cache_points {
                seen.insert(input.boundaries[cp].1);
            }
            u.cache_read = tokens(read_chars);
            u.cache_write = tokens(last_chars).saturating_sub(u.cache_read);
            u.cached = true;
            u.input = tokens(input.chars - last_chars);
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
    fn a_moved_cache_point_reads_the_earlier_prefix_and_writes_the_new_part() {
        let cache = Mutex::new(HashSet::new());
        let turn = |n: usize| {
            let mut messages: Vec<Value> = (0..n)
                .map(|i| json!({"role":"user","content":[{"text":format!("{i:0>8}")}]}))
                .collect();
            messages
                .last_mut()
                .and_then(|m| m["content"].as_array_mut())
                .unwrap()
                .push(json!({"cachePoint":{"type":"default"}}));
            json!({"system":[{"text":"s".repeat(40)},{"cachePoint":{"type":"default"}}],
                "messages": messages})
        };
        let first = synthesize(&turn(1), &cache).usage;
        assert_eq!(
            (first.cache_read, first.cache_write, first.input),
            (0, 12, 0)
        );
        let second = synthesize(&turn(2), &cache).usage;
        assert_eq!((second.cache_read, second.cache_write), (12, 2));
        let again = synthesize(&turn(2), &cache).usage;
        assert_eq!((again.cache_read, again.cache_write), (14, 0));
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

    fn tools(names: &[&str]) -> Value {
        let tools: Vec<Value> = names
            .iter()
            .map(|n| json!({"toolSpec":{"name":n,"description":"d","inputSchema":{"json":{"type":"object"}}}}))
            .collect();
        json!({ "tools": tools })
    }

    fn user_text(t: &str) -> Value {
        json!({"role":"user","content":[{"text":t}]})
    }

    /// The assistant's tool call and the user's result for it, as an agent appends them.
    fn round(reply: &Reply, result: &str) -> [Value; 2] {
        let Some(Block::ToolUse { id, name, input }) = reply.blocks.last() else {
            panic!("tool use expected, got {:?}", reply.blocks)
        };
        [
            json!({"role":"assistant","content":[{"toolUse":{"toolUseId":id,"name":name,"input":input}}]}),
            json!({"role":"user","content":[
                {"toolResult":{"toolUseId":id,"content":[
                    {"text":format!("{result}\n\n<system-reminder>\n9 tokens left\n</system-reminder>")}]}},
                {"text":"<system-reminder>\nRead Grep Bash\n</system-reminder>"}]}),
        ]
    }

    fn last_text(r: &Reply) -> &str {
        match r.blocks.last() {
            Some(Block::Text(t)) => t,
            other => panic!("text expected, got {other:?}"),
        }
    }

    #[test]
    fn script_calls_one_tool_per_turn_then_quotes_the_results() {
        let prompt = "<system-reminder>\nUse the Read tool and the Bash tool.\n</system-reminder>\n\
            Summarise the notes.\ngw-emulator: Read {\"file_path\": \"/p/notes.txt\"}; Grep {\"pattern\": \"TODO\", \"path\": \"/p\"}";
        let mut messages = vec![user_text(prompt)];
        let body =
            |m: &Vec<Value>| json!({"messages": m, "toolConfig": tools(&["Bash", "Grep", "Read"])});

        let first = run(body(&messages));
        assert_eq!(first.stop_reason, "tool_use");
        assert_eq!(first.blocks[0], Block::Text("Calling Read.".into()));
        let Block::ToolUse { name, input, .. } = &first.blocks[1] else {
            panic!()
        };
        assert_eq!(
            (name.as_str(), input),
            ("Read", &json!({"file_path": "/p/notes.txt"}))
        );

        messages.extend(round(&first, "1\tbuy milk"));
        let second = run(body(&messages));
        assert_eq!(second.stop_reason, "tool_use");
        let Block::ToolUse { name, input, .. } = &second.blocks[1] else {
            panic!()
        };
        assert_eq!(
            (name.as_str(), input),
            ("Grep", &json!({"pattern": "TODO", "path": "/p"}))
        );

        messages.extend(round(&second, "Found 1 file\n/p/todo.rs"));
        let done = run(body(&messages));
        assert_eq!(done.stop_reason, "end_turn");
        assert_eq!(
            last_text(&done),
            "Done: 2 scripted steps.\n\n[1] Read: 1\tbuy milk\n\n[2] Grep: Found 1 file\n/p/todo.rs"
        );
    }

    #[test]
    fn script_with_thinking_puts_reasoning_first() {
        let body = json!({"messages":[user_text("gw-emulator: Read {\"file_path\":\"/a\"}")],
            "toolConfig": tools(&["Read"]),
            "additionalModelRequestFields":{"thinking":{"type":"enabled","budget_tokens":1024}}});
        let r = run(body);
        assert!(matches!(r.blocks[0], Block::Reasoning { .. }));
        assert!(matches!(&r.blocks[2], Block::ToolUse { name, .. } if name == "Read"));
    }

    #[test]
    fn script_naming_an_absent_tool_ends_the_turn_with_an_error_text() {
        let r = run(
            json!({"messages":[user_text("gw-emulator: Glob {\"pattern\":\"*.rs\"}")],
            "toolConfig": tools(&["Read"])}),
        );
        assert_eq!(r.stop_reason, "end_turn");
        assert!(last_text(&r).contains("calls Glob, which this request does not offer"));
        let r = run(
            json!({"messages":[user_text("gw-emulator: Read {oops}")], "toolConfig": tools(&["Read"])}),
        );
        assert!(last_text(&r).starts_with("gw-emulator script error: bad JSON input for Read"));
    }

    #[test]
    fn a_later_prompt_with_a_script_starts_over() {
        let mut messages = vec![user_text("gw-emulator: Read {\"file_path\":\"/a\"}")];
        let body = |m: &Vec<Value>| json!({"messages": m, "toolConfig": tools(&["Read", "Bash"])});
        let first = run(body(&messages));
        messages.extend(round(&first, "alpha"));
        assert_eq!(run(body(&messages)).stop_reason, "end_turn");
        messages.push(json!({"role":"assistant","content":[{"text":"Done"}]}));
        messages.push(user_text("and now gw-emulator: Bash {\"command\":\"ls\"}"));
        let again = run(body(&messages));
        assert!(matches!(again.blocks.last(), Some(Block::ToolUse { name, .. }) if name == "Bash"));
    }

    #[test]
    fn forced_tool_choice_wins_over_a_script() {
        let mut t = tools(&["Read", "Bash"]);
        t["toolChoice"] = json!({"tool":{"name":"Bash"}});
        let r = run(json!({"messages":[user_text("gw-emulator: Read {}")], "toolConfig": t}));
        assert!(matches!(r.blocks.last(), Some(Block::ToolUse { name, .. }) if name == "Bash"));
    }

    #[test]
    fn system_reminders_are_neither_echoed_nor_read_as_tool_requests() {
        let r = run(json!({"messages":[{"role":"user","content":[
                {"text":"<system-reminder>\nThe Agent tool and the Read tool exist.\n</system-reminder>"},
                {"text":"say hi"}]}],
            "toolConfig": tools(&["Agent", "Read"])}));
        assert_eq!(r.stop_reason, "end_turn");
        assert_eq!(r.blocks, [Block::Text("say hi".into())]);
        assert_eq!(
            without_reminders("a<system-reminder>x</system-reminder>b<system-reminder>y"),
            "ab"
        );
    }
}
