//! The `routes` section and the retry and circuit-breaker settings targets share.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How requests for one client-facing model name are routed.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ModelRoute {
    /// How to pick among the targets.
    #[serde(default)]
    pub strategy: Strategy,
    /// Target ids, in order of preference.
    #[schemars(length(min = 1), example = ["bedrock-us", "bedrock-eu"])]
    pub targets: Vec<String>,
}

/// Routing strategy.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[schemars(transform = strategy_alias_schema)]
pub enum Strategy {
    /// The first target only.
    #[default]
    Single,
    /// Targets in order; move on when one fails with a retryable error or its breaker is open.
    Fallback,
    /// Smooth weighted round robin by each target's `weight`.
    #[serde(alias = "weighted_round_robin")]
    Weighted,
}

/// Lists the serde alias `weighted_round_robin` in the schema too, so that the schema accepts
/// every spelling the contract (and serde) accepts.
fn strategy_alias_schema(schema: &mut schemars::Schema) {
    if let Some(serde_json::Value::Array(variants)) = schema.get_mut("oneOf") {
        variants.push(serde_json::json!({
            "description": "Alias of `weighted`.",
            "type": "string",
            "const": "weighted_round_robin"
        }));
    }
}

/// Retry policy: exponential backoff with full jitter.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RetryConfig {
    /// Attempts per target, the first included.
    #[serde(default = "default_attempts")]
    #[schemars(range(min = 1, max = 10))]
    pub max_attempts: u32,
    /// First backoff, in milliseconds.
    #[serde(default = "default_initial_backoff")]
    pub initial_backoff_ms: u64,
    /// Backoff cap, in milliseconds.
    #[serde(default = "default_max_backoff")]
    pub max_backoff_ms: u64,
    /// Which failures are retried.
    #[serde(default = "default_retry_on")]
    pub retry_on: Vec<RetryOn>,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_attempts: default_attempts(),
            initial_backoff_ms: default_initial_backoff(),
            max_backoff_ms: default_max_backoff(),
            retry_on: default_retry_on(),
        }
    }
}

fn default_attempts() -> u32 {
    3
}
fn default_initial_backoff() -> u64 {
    100
}
fn default_max_backoff() -> u64 {
    2000
}
fn default_retry_on() -> Vec<RetryOn> {
    vec![
        RetryOn::Throttling,
        RetryOn::ServerError,
        RetryOn::Timeout,
        RetryOn::Connect,
    ]
}

/// A class of retryable failure.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RetryOn {
    /// Bedrock throttled the call (429) or the model was not ready.
    Throttling,
    /// Bedrock answered 5xx.
    ServerError,
    /// The call timed out.
    Timeout,
    /// The connection could not be made.
    Connect,
}

/// Circuit breaker per target.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BreakerConfig {
    /// Consecutive failures that open the breaker.
    #[serde(default = "default_failure_threshold")]
    #[schemars(range(min = 1))]
    pub failure_threshold: u32,
    /// Window, in seconds, over which failures are counted.
    #[serde(default = "default_window")]
    #[schemars(range(min = 1))]
    pub window_seconds: u64,
    /// How long an open breaker stays open before probing.
    #[serde(default = "default_open")]
    #[schemars(range(min = 1))]
    pub open_seconds: u64,
    /// Requests let through while half-open.
    #[serde(default = "default_half_open")]
    #[schemars(range(min = 1))]
    pub half_open_requests: u32,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self {
            failure_threshold: default_failure_threshold(),
            window_seconds: default_window(),
            open_seconds: default_open(),
            half_open_requests: default_half_open(),
        }
    }
}

fn default_failure_threshold() -> u32 {
    5
}
fn default_window() -> u64 {
    30
}
fn default_open() -> u64 {
    30
}
fn default_half_open() -> u32 {
    1
}
