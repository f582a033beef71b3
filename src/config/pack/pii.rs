//! `policies.pii_detector`: which entities are found where, and how they are written.

use super::{Action, Direction, PiiEntity, RedactionStyle, Zone, default_redact};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::yes;

/// PII detector.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PiiConfig {
    /// `false` switches the policy off without removing it from the chain.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// What to do with detected entities.
    #[serde(default = "default_redact")]
    pub action: Action,
    /// Entity types to detect; default all built-in types.
    #[serde(default)]
    pub entities: Option<Vec<PiiEntity>>,
    /// Which direction(s) to scan; `response` covers the reply's text, tool calls and reasoning
    /// (thinking) text. `scan` chooses zones within them.
    #[serde(default = "default_apply_to")]
    pub apply_to: Vec<Direction>,
    /// Zones scanned. Default: `user`, `assistant` (history, where restored values come back),
    /// `tool_result`, `document`, `embedding` inputs, and the reply's `reply`, `tool_call` and
    /// `reasoning`. The
    /// operator's `system` prompt and `tools` only when listed: rewriting them changes what the
    /// operator wrote and defeats prompt caching on it.
    #[serde(default = "pii_zones")]
    pub scan: Vec<Zone>,
    /// Count private-range IP addresses (10/8, 172.16/12, 192.168/16, fc00::/7, link-local,
    /// 100.64/10) as `IP_ADDRESS`. Loopback, unspecified and documentation addresses never are.
    #[serde(default)]
    pub private_ip_addresses: bool,
    /// Redaction style.
    #[serde(default)]
    pub style: RedactionStyle,
    /// With `style: placeholder`: put the user's own values back into the reply.
    #[serde(default)]
    pub restore: bool,
    /// Extra pattern file (`policies/<file>.yaml`).
    #[serde(default)]
    pub rules: Option<String>,
}

impl Default for PiiConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            action: default_redact(),
            entities: None,
            apply_to: default_apply_to(),
            scan: pii_zones(),
            private_ip_addresses: false,
            style: RedactionStyle::default(),
            restore: false,
            rules: None,
        }
    }
}

/// Every zone but the operator's own (system prompt and tool definitions).
fn pii_zones() -> Vec<Zone> {
    Zone::ALL
        .into_iter()
        .filter(|z| !matches!(z, Zone::System | Zone::Tools))
        .collect()
}

fn default_apply_to() -> Vec<Direction> {
    vec![Direction::Request, Direction::Response]
}
