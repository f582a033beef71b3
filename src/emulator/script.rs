//! Scripted tool loops: the user tells the emulated model which tools to call, one per turn.
//!
//! Real agents (Claude Code, SDK tool loops) only show how gw behaves when a model actually calls
//! tools, reads the results and calls the next one. A pure echo model cannot do that, so a user
//! message may carry one line
//!
//! ```text
//! gw-emulator: Read {"file_path": "/tmp/p/notes.txt"}; Grep {"pattern": "TODO"}; Bash {"command": "ls"}
//! ```
//!
//! meaning: call these tools in this order, one per model turn, with exactly these inputs. The
//! step taken is chosen from how many tool results the conversation holds after the message
//! with the line: after N results the model calls step N+1; after the last step it ends the turn
//! with a text that quotes every result. The line may sit anywhere in the message (Claude Code
//! wraps the prompt in `<system-reminder>` blocks); the latest user message with a line wins,
//! so a follow-up prompt can start a new script. A step's input is optional (`{}`).

use serde_json::Value;

/// The marker that starts a script line.
pub(crate) const MARKER: &str = "gw-emulator:";

/// One scripted tool call.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Step {
    pub tool: String,
    pub input: Value,
}

/// What the script says to do on this turn.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Next {
    /// Call this tool; `index` is the step's place in the script, 0-based.
    Call { step: Step, index: usize },
    /// Every step has a result: end the turn with this text.
    Done(String),
    /// The line could not be followed (bad syntax, or a tool the request does not offer).
    Error(String),
}

/// Parses the text after [`MARKER`]: `Name {json}; Name {json}; Name`.
pub(crate) fn parse(line: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let mut rest = line.trim_start();
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '{' || c == ';')
            .unwrap_or(rest.len());
        let tool = &rest[..end];
        if tool.is_empty() {
            return Err(format!("expected a tool name at `{}`", head(rest)));
        }
        rest = rest[end..].trim_start();
        let input = if rest.starts_with('{') {
            let mut values = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
            let value = match values.next() {
                Some(Ok(v)) => v,
                Some(Err(e)) => return Err(format!("bad JSON input for {tool}: {e}")),
                None => return Err(format!("missing JSON input for {tool}")),
            };
            rest = rest[values.byte_offset()..].trim_start();
            value
        } else {
            Value::Object(serde_json::Map::new())
        };
        steps.push(Step {
            tool: tool.to_owned(),
            input,
        });
        match rest.strip_prefix(';') {
            Some(r) => rest = r.trim_start(),
            None if rest.is_empty() => {}
            None => return Err(format!("expected `;` after {tool} at `{}`", head(rest))),
        }
    }
    if steps.is_empty() {
        return Err("no steps after gw-emulator:".to_owned());
    }
    Ok(steps)
}

fn head(s: &str) -> String {
    s.chars().take(20).collect()
}

/// The script line in one text, if any: what follows the marker on its line.
fn line_in(text: &str) -> Option<&str> {
    text.lines()
        .find_map(|l| l.split_once(MARKER).map(|(_, after)| after))
}

fn role_is(m: &Value, role: &str) -> bool {
    m.get("role").and_then(Value::as_str) == Some(role)
}

fn blocks(m: &Value) -> impl Iterator<Item = &Value> {
    m.get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// Decides the turn for a Converse body, or `None` when no user text holds a script line.
///
/// `tool_result_text` renders one `toolResult` as the model reads it.
pub(crate) fn next(body: &Value, tool_result_text: impl Fn(&Value) -> String) -> Option<Next> {
    let messages = body.get("messages").and_then(Value::as_array)?;
    let (at, line) = messages.iter().enumerate().rev().find_map(|(i, m)| {
        if !role_is(m, "user") {
            return None;
        }
        blocks(m)
            .filter_map(|b| b.get("text").and_then(Value::as_str))
            .find_map(line_in)
            .map(|l| (i, l))
    })?;
    let steps = match parse(line) {
        Ok(s) => s,
        Err(e) => return Some(Next::Error(format!("gw-emulator script error: {e}"))),
    };
    let results: Vec<String> = messages[at + 1..]
        .iter()
        .filter(|m| role_is(m, "user"))
        .flat_map(blocks)
        .filter_map(|b| b.get("toolResult"))
        .map(tool_result_text)
        .collect();
    let done = results.len();
    let Some(step) = steps.get(done) else {
        let mut text = format!("Done: {} scripted steps.", steps.len());
        for (i, (step, result)) in steps.iter().zip(&results).enumerate() {
            text.push_str(&format!("\n\n[{}] {}: {}", i + 1, step.tool, result));
        }
        return Some(Next::Done(text));
    };
    let offered = body
        .pointer("/toolConfig/tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| t.pointer("/toolSpec/name").and_then(Value::as_str))
        .any(|n| n == step.tool);
    if !offered {
        return Some(Next::Error(format!(
            "gw-emulator script error: step {} calls {}, which this request does not offer.",
            done + 1,
            step.tool
        )));
    }
    Some(Next::Call {
        step: step.clone(),
        index: done,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_steps_with_and_without_input() {
        let steps =
            parse(r#" Read {"file_path": "/a; b.txt"}; Grep {"pattern":"TODO"} ;Glob; Bash{"command":"ls"}"#)
                .unwrap();
        let names: Vec<&str> = steps.iter().map(|s| s.tool.as_str()).collect();
        assert_eq!(names, ["Read", "Grep", "Glob", "Bash"]);
        assert_eq!(steps[0].input, json!({"file_path": "/a; b.txt"}));
        assert_eq!(steps[2].input, json!({}));
        assert_eq!(steps[3].input, json!({"command": "ls"}));
    }

    #[test]
    fn rejects_bad_syntax() {
        assert!(parse("").is_err());
        assert!(parse(r#"Read {"file_path": }"#).is_err());
        assert!(parse(r#"Read {"a":1} Grep"#).is_err());
        assert!(parse("; Read").is_err());
    }

    #[test]
    fn finds_the_line_inside_other_text() {
        let text =
            "<system-reminder>\nctx\n</system-reminder>\nplease gw-emulator: Read {}\nthanks";
        assert_eq!(line_in(text), Some(" Read {}"));
        assert_eq!(line_in("no script"), None);
    }
}
