//! `policies.prompt_injection`: the prompt-injection check's settings.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Action, Zone, default_redact};

use super::yes;

/// Prompt-injection check.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PromptInjectionConfig {
    /// `false` switches the policy off without removing it from the chain.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Score (0..1) at or above which a text counts as an injection.
    #[serde(default = "default_threshold")]
    #[schemars(range(min = 0.0, max = 1.0))]
    pub threshold: f64,
    /// What to do with an injection. `redact` (the default): withhold the injected part of a
    /// tool result or document, leaving a note, so an agent carries on without it; an injection
    /// in a user turn (or any other zone) is blocked. `block`: refuse the whole request wherever
    /// the injection sits. `log`: record only.
    #[serde(default = "default_redact")]
    pub action: Action,
    /// Extra signature file (`policies/<file>.yaml`).
    #[serde(default)]
    pub rules: Option<String>,
    /// Zones scored. Default: `user` (direct attacks), `tool_result` and `document` (indirect
    /// ones: instructions aimed at the assistant inside data). The operator's `system` and
    /// `tools`, and the model's own `assistant` history, only when listed.
    #[serde(default = "injection_zones")]
    pub scan: Vec<Zone>,
    /// File names of the project instruction files coding agents read to learn a repository's
    /// rules (`AGENTS.md`, `CLAUDE.md`, …; a name, no directory; matched case-insensitively). A
    /// tool result answering a call that reads one of them from the working tree (its one
    /// `file_path` / `path` / `absolute_path` / `target_file` / `file` / `filename` argument names
    /// it; no `url`, `uri`, `owner`, `repo`, `repository`, `host`, `ref` or `branch` argument;
    /// not under `node_modules`, `vendor`, `site-packages`, `third_party`, `.cargo` or `.git`;
    /// or a shell tool's plain `cat` / `head` / `tail` / `nl` / `sed -n 'A,Bp'` of that one file,
    /// with no pipe, redirect, substitution or second file, as Codex reads files) is
    /// read as the agent reads the same file when it puts it in a user turn itself (Claude Code
    /// does, for `CLAUDE.md`): for attacks on the assistant, with the user-turn model and
    /// signatures, not for instructions aimed at it, which is all such a file holds. So is the
    /// copy of such a file that Claude Code appends to the result of reading a file below it
    /// (a `<system-reminder>` beginning "Contents of <path>:"). Only what
    /// a person typed may lower a score (counter-signals, quoted examples), so those do not
    /// apply; what still scores over the threshold is withheld, not blocked. The trade-off: an
    /// instruction planted in the repository's own `AGENTS.md` that reads as a rule passes. `[]`
    /// reads these files as data, like any other.
    #[serde(default = "instruction_files")]
    pub instruction_files: Vec<String>,
}

impl Default for PromptInjectionConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            threshold: default_threshold(),
            action: default_redact(),
            rules: None,
            scan: injection_zones(),
            instruction_files: instruction_files(),
        }
    }
}

fn injection_zones() -> Vec<Zone> {
    vec![Zone::User, Zone::ToolResult, Zone::Document]
}

fn instruction_files() -> Vec<String> {
    [
        "AGENTS.md",
        "CLAUDE.md",
        "CLAUDE.local.md",
        "GEMINI.md",
        ".cursorrules",
        ".windsurfrules",
        ".clinerules",
        "copilot-instructions.md",
    ]
    .map(String::from)
    .to_vec()
}

fn default_threshold() -> f64 {
    0.8
}
