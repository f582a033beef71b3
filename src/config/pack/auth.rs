//! The `auth` section: client keys, and the rate limits and budgets each may carry.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Client keys and what each may do.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// The keys clients present as `Authorization: Bearer` or `x-api-key`.
    #[serde(default)]
    pub keys: Vec<ClientKey>,
}

/// One client key. The plain key never sits in the pack: only its SHA-256 or an env var name.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ClientKey {
    /// Shows up in audit records, metrics and traces.
    #[schemars(length(min = 1))]
    pub id: String,
    /// Hex SHA-256 of the key (`gw keys new` prints it).
    #[serde(default)]
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{64}$"))]
    pub key_sha256: Option<String>,
    /// Name of an env var holding the key.
    #[serde(default)]
    pub key_env: Option<String>,
    /// Allow-list of client-facing model names (globs such as `bedrock-*`); empty allows all.
    #[serde(default)]
    pub models: Vec<String>,
    /// Request and token rate limits for this key.
    #[serde(default)]
    pub rate_limit: Option<RateLimit>,
    /// Spend limits for this key.
    #[serde(default)]
    pub budget: Option<Budget>,
}

/// Rate limits, per process unless `limits.store` shares them across replicas. Tokens are charged on an estimate before the call (prompt
/// bytes / 4 plus `max_tokens`) and settled with Bedrock's reported usage after it.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Requests per minute.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub requests_per_minute: Option<u32>,
    /// Tokens (input + output) per minute.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub tokens_per_minute: Option<u32>,
}

/// Spend limits in US dollars.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// Dollars per UTC day.
    #[serde(default)]
    #[schemars(range(min = 0.0))]
    pub usd_per_day: Option<f64>,
    /// Dollars per UTC calendar month.
    #[serde(default)]
    #[schemars(range(min = 0.0))]
    pub usd_per_month: Option<f64>,
}
