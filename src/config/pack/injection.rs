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
}

impl Default for PromptInjectionConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            threshold: default_threshold(),
            action: default_redact(),
            rules: None,
            scan: injection_zones(),
        }
    }
}

fn injection_zones() -> Vec<Zone> {
    vec![Zone::User, Zone::ToolResult, Zone::Document]
}

fn default_threshold() -> f64 {
    0.8
}
