//! Which tool results are a repository's own rules for its agents (`instruction_files:`).
//!
//! Why it exists: a project instruction file (`AGENTS.md`, `CLAUDE.md`, …) holds nothing but
//! instructions aimed at the agent, so the reading of data, which looks for exactly that, withholds
//! it. When the agent reads such a file from its working tree, gw reads it as the agent's harness
//! reads the same file in a user turn ([`super::Kind::Instructions`]). Two shapes reach gw: a tool
//! call that reads the file itself, and Claude Code's habit of appending the `CLAUDE.md` of a
//! directory to the result of a read in it, as a `<system-reminder>` that begins "Contents of
//! <path>:". Only reads of local files count: not a URL, not another repository, not a dependency.

use serde_json::Value;

use crate::ir::{ChatRequest, Part};

/// The arguments a file-reading tool names its file with (Claude Code's Read: `file_path`; MCP
/// filesystem servers: `path`; Gemini CLI: `absolute_path`; Cursor: `target_file`).
const PATH_KEYS: [&str; 6] = [
    "file_path",
    "path",
    "absolute_path",
    "target_file",
    "file",
    "filename",
];
/// Arguments that say the file comes from somewhere else (another repository, a server).
const ELSEWHERE: [&str; 8] = [
    "url",
    "uri",
    "owner",
    "repo",
    "repository",
    "host",
    "ref",
    "branch",
];
/// Directories that hold other people's code.
const DEPENDENCIES: [&str; 7] = [
    "node_modules",
    "vendor",
    "site-packages",
    "dist-packages",
    "third_party",
    ".cargo",
    ".git",
];

/// A tool call that read one file of the working tree.
#[derive(Debug)]
pub(super) struct LocalRead {
    pub(super) id: String,
    pub(super) path: String,
}

/// Every call in `req` that read one local file, outside dependencies; an id that more than one
/// call carries (clients that reuse ids) counts only when every such call read the same path.
pub(super) fn local_reads(req: &ChatRequest) -> Vec<LocalRead> {
    let mut reads: Vec<(&str, Option<&str>)> = Vec::new();
    for part in req.messages.iter().flat_map(|m| &m.content) {
        if let Part::ToolUse { id, input, .. } = part {
            let path = local_path(input).or_else(|| shell_read(input));
            match reads.iter_mut().find(|(c, _)| c == id) {
                Some((_, seen)) if *seen != path => *seen = None,
                Some(_) => {}
                None => reads.push((id, path)),
            }
        }
    }
    reads
        .into_iter()
        .filter_map(|(id, path)| {
            Some(LocalRead {
                id: id.to_owned(),
                path: path?.to_owned(),
            })
        })
        .collect()
}

/// The one local path a tool call's arguments name, if nothing in them points elsewhere and it
/// is not inside a dependency.
fn local_path(input: &Value) -> Option<&str> {
    let obj = input.as_object()?;
    if ELSEWHERE.iter().any(|k| obj.contains_key(*k)) {
        return None;
    }
    let mut paths = PATH_KEYS
        .iter()
        .filter_map(|k| obj.get(*k).and_then(Value::as_str));
    let path = paths.next()?;
    (paths.next().is_none() && is_local(path)).then_some(path)
}

/// Programs that print a file as it is (or a part of it) when given its path.
const PRINTERS: [&str; 7] = ["cat", "head", "tail", "nl", "bat", "more", "less"];
/// Shell characters that chain, redirect or substitute: a command holding any of them is not a
/// plain read of one file.
const SHELL_META: [char; 11] = ['|', ';', '&', '>', '<', '$', '`', '(', ')', '\n', '*'];

/// The one local path a shell tool call prints whole or in part (`cat AGENTS.md`, `head -n 80
/// CLAUDE.md`, `sed -n '1,200p' AGENTS.md`), as Codex and other shell-driven agents read files:
/// `command` or `cmd`, as a string or as an argument list (`["bash", "-lc", "cat AGENTS.md"]`).
/// Anything else (a pipe, a redirect, a second file, a glob, another program) is not a read.
fn shell_read(input: &Value) -> Option<&str> {
    let obj = input.as_object()?;
    let command = obj.get("command").or_else(|| obj.get("cmd"))?;
    let line = match command {
        Value::String(s) => s.as_str(),
        Value::Array(args) => {
            let word = |i: usize| args.get(i).and_then(Value::as_str);
            let shell = word(0)?;
            if matches!(shell, "bash" | "sh" | "zsh" | "/bin/bash" | "/bin/sh")
                && matches!(word(1)?, "-c" | "-lc")
                && args.len() == 3
            {
                word(2)?
            } else {
                // An argument list run as it is: a plain read is `cat PATH` and the like.
                let rest: Option<Vec<&str>> = args[1..].iter().map(Value::as_str).collect();
                return plain_read(shell, rest?.into_iter());
            }
        }
        _ => return None,
    };
    if line.contains(SHELL_META) {
        return None;
    }
    let mut words = line.split_whitespace().map(unquote);
    let program = words.next()?;
    plain_read(program, words)
}

/// The file a printer is given, when there is exactly one and it is local (`sed` counts only as
/// `sed -n 'A,Bp' FILE`).
fn plain_read<'a>(program: &str, mut args: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let program = program.rsplit('/').next().unwrap_or(program);
    let mut files = Vec::new();
    if program == "sed" {
        if args.next()? != "-n" || !is_print_range(args.next()?) {
            return None;
        }
        files.extend(args);
    } else if PRINTERS.contains(&program) {
        let mut args = args.peekable();
        while let Some(arg) = args.next() {
            match arg {
                // `head -n 80`, `tail -n 40`: a count follows.
                "-n" | "-c" if program != "cat" && program != "nl" => {
                    args.next()?;
                }
                a if a.starts_with('-') => {}
                a => files.push(a),
            }
        }
    } else {
        return None;
    }
    match files.as_slice() {
        [path] if is_local(path) => Some(path),
        _ => None,
    }
}

/// `sed -n` print ranges: `1,200p`, `40p`.
fn is_print_range(script: &str) -> bool {
    script
        .strip_suffix('p')
        .is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit() || b == b','))
}

/// A shell word without its surrounding quotes.
fn unquote(word: &str) -> &str {
    for q in ['\'', '"'] {
        if let Some(inner) = word.strip_prefix(q).and_then(|w| w.strip_suffix(q)) {
            return inner;
        }
    }
    word
}

/// Whether `path` names a file of the working tree: not a URL, not inside a dependency.
fn is_local(path: &str) -> bool {
    !path.contains("://")
        && !path
            .split(['/', '\\'])
            .any(|dir| DEPENDENCIES.iter().any(|d| dir.eq_ignore_ascii_case(d)))
}

/// Whether `path`'s last component is one of `files` (case-insensitively).
pub(super) fn is_instruction_file(files: &[String], path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or_default();
    files.iter().any(|f| f.eq_ignore_ascii_case(name))
}

const OPEN: &str = "<system-reminder>\nContents of ";
const CLOSE: &str = "</system-reminder>";

/// The byte ranges of `text` (the result of reading `read`) that are Claude Code's copies of an
/// instruction file from the read file's own directory or one above it: `<system-reminder>`
/// blocks that begin "Contents of <path>:". A block naming any other path is left to the
/// reading of data (a file's author can write such a block too, but one who can write the
/// working tree can write its `CLAUDE.md` as well).
pub(super) fn nested_blocks(text: &str, read: &str, files: &[String]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(OPEN).map(|i| from + i) {
        let head = at + OPEN.len();
        let Some(end) = text[head..].find(CLOSE).map(|i| head + i + CLOSE.len()) else {
            break;
        };
        let claimed = text[head..end].split(":\n").next().unwrap_or_default();
        let dir = claimed.rfind(['/', '\\']).map_or("", |i| &claimed[..=i]);
        if is_instruction_file(files, claimed)
            && !dir.is_empty()
            && read.starts_with(dir)
            && is_local(claimed)
        {
            out.push((at, end));
        }
        from = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<String> {
        vec!["CLAUDE.md".into(), "AGENTS.md".into()]
    }

    #[test]
    fn claude_codes_nested_copies_are_found_only_above_the_read_file() {
        let block = |p: &str| {
            format!("<system-reminder>\nContents of {p}:\n\n# rules\n- x\n</system-reminder>")
        };
        let text = format!(
            "1\tcode\n\n{}\n\n{}\n\n{}",
            block("/repo/pkg/CLAUDE.md"),
            block("/elsewhere/CLAUDE.md"),
            block("/repo/pkg/notes.md")
        );
        let found = nested_blocks(&text, "/repo/pkg/money.py", &files());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(text[found[0].0..found[0].1].contains("/repo/pkg/CLAUDE.md"));
        assert!(text[found[0].0..found[0].1].ends_with("</system-reminder>"));
        let dep = block("/repo/node_modules/x/CLAUDE.md");
        assert!(nested_blocks(&dep, "/repo/node_modules/x/a.js", &files()).is_empty());
        assert!(
            nested_blocks(
                "<system-reminder>\nContents of /repo/CLAUDE.md:\n",
                "/repo/a",
                &files()
            )
            .is_empty()
        );
    }
}
