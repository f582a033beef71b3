//! The `policies` section: the chain, the pack-wide allow list, and each policy's settings.

use super::audit::AuditConfig;
use super::injection::PromptInjectionConfig;
use super::pii::PiiConfig;
use super::safety::SafetyConfig;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The policy chain and each policy's settings.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PoliciesConfig {
    /// Policies run around each call, in this order.
    #[serde(default)]
    pub chain: Vec<PolicyName>,
    /// Settings per policy.
    #[serde(default)]
    pub policy: PolicySettings,
    /// Terms never redacted, whatever a detector thinks of them: company, product and project
    /// names, shared mailboxes (`support@example.com`). Matched whole-word, case-insensitively;
    /// a finding that overlaps one is dropped (also in audit content masking).
    #[serde(default)]
    #[schemars(example = &["Acme", "Claude Code", "support@acme.example"])]
    pub allow: Vec<String>,
}

/// The built-in policies.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyName {
    /// Scores untrusted text for prompt injection.
    PromptInjection,
    /// Finds and redacts (or blocks) personal data and secrets.
    PiiDetector,
    /// Blocks unsafe content in prompts and replies.
    SafetyFilter,
    /// Writes the tamper-evident audit record of every request.
    AuditLogger,
}

impl PolicyName {
    /// The name as written in the pack.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PromptInjection => "prompt-injection",
            Self::PiiDetector => "pii-detector",
            Self::SafetyFilter => "safety-filter",
            Self::AuditLogger => "audit-logger",
        }
    }
}

/// Settings per policy, keyed by policy name.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PolicySettings {
    /// Settings of the `prompt-injection` policy.
    #[serde(default, rename = "prompt-injection")]
    pub prompt_injection: Option<PromptInjectionConfig>,
    /// Settings of the `pii-detector` policy.
    #[serde(default, rename = "pii-detector")]
    pub pii_detector: Option<PiiConfig>,
    /// Settings of the `safety-filter` policy.
    #[serde(default, rename = "safety-filter")]
    pub safety_filter: Option<SafetyConfig>,
    /// Settings of the `audit-logger` (where and how the audit trail is written).
    #[serde(default, rename = "audit-logger")]
    pub audit_logger: Option<AuditConfig>,
}
