//! The `limits` section: where rate-limit and budget counters live, and what admission does when
//! that store does not answer. One process keeps them in memory; replicas share them in Redis.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where counters live. Without this section they are per process: N replicas allow N times
/// every limit.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// `memory` (this process only) or the URL of a Redis or Valkey server every replica shares:
    /// `redis://host:6379/0`, or `rediss://…` for TLS. No password in the URL: use `password_env`.
    #[serde(default = "memory")]
    #[schemars(example = "redis://redis:6379/0")]
    pub store: String,
    /// Name of an env var holding the store's password (Redis `AUTH`).
    #[serde(default)]
    pub password_env: Option<String>,
    /// `rediss://` only: a PEM file of the CA certificates that sign the server's certificate
    /// (relative to the pack), for a private CA; without it the public web roots are trusted.
    #[serde(default)]
    pub ca_file: Option<String>,
    /// Longest a request waits for one store operation (connecting included), in milliseconds.
    #[serde(default = "default_timeout_ms")]
    #[schemars(range(min = 1, max = 10_000))]
    pub timeout_ms: u64,
    /// Prefix of every key gw writes; `gw:<pack name>` when absent. Replicas of one deployment
    /// must agree on it.
    #[serde(default)]
    pub key_prefix: Option<String>,
    /// What admission does when the store fails or times out.
    #[serde(default)]
    pub on_store_error: OnStoreError,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            store: memory(),
            password_env: None,
            ca_file: None,
            timeout_ms: default_timeout_ms(),
            key_prefix: None,
            on_store_error: OnStoreError::default(),
        }
    }
}

/// Per kind of limit: `allow` admits the request unchecked (and counts the store error),
/// `refuse` answers 503 `limits_store_unavailable`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OnStoreError {
    /// Rate limits protect Bedrock quotas, not money: `allow` by default.
    #[serde(default = "allow")]
    pub rate_limits: FailMode,
    /// Budgets guard money: `refuse` by default, for keys that have one.
    #[serde(default = "refuse")]
    pub budgets: FailMode,
}

impl Default for OnStoreError {
    fn default() -> Self {
        Self {
            rate_limits: FailMode::Allow,
            budgets: FailMode::Refuse,
        }
    }
}

/// Admit or refuse when a limit cannot be checked.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FailMode {
    Allow,
    Refuse,
}

fn memory() -> String {
    "memory".into()
}

fn default_timeout_ms() -> u64 {
    50
}

fn allow() -> FailMode {
    FailMode::Allow
}

fn refuse() -> FailMode {
    FailMode::Refuse
}
