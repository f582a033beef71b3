//! `policies.safety_filter`: the safety filter's settings.

use super::{Action, SafetyMode, Zone, default_block};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::yes;

/// Safety filter.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SafetyConfig {
    /// `false` switches the policy off without removing it from the chain.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Strictness of the lexicon.
    #[serde(default)]
    pub mode: SafetyMode,
    /// What to do on a match.
    #[serde(default = "default_block")]
    pub action: Action,
    /// Extra lexicon file (`policies/<file>.yaml`).
    #[serde(default)]
    pub rules: Option<String>,
    /// Zones checked. Default: what a person asks (`user`, `document`) and what the model
    /// answers (`reply`, `reasoning`). Tool results carry whatever a page or file holds, and
    /// the reply that follows them is checked anyway.
    #[serde(default = "safety_zones")]
    pub scan: Vec<Zone>,
}

impl Default for SafetyConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            mode: SafetyMode::default(),
            action: default_block(),
            rules: None,
            scan: safety_zones(),
        }
    }
}

fn safety_zones() -> Vec<Zone> {
    vec![Zone::User, Zone::Document, Zone::Reply, Zone::Reasoning]
}
