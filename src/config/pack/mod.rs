//! The policy pack as Rust types: the contract of `docs/pack-format.md`.
//!
//! These types are the single source of truth: the loader deserialises into them, the JSON Schema
//! (`gw schema`) is generated from them, and the doc comments become the editor hover text. Every
//! struct denies unknown keys so that a typo is an error with a hint, never silently ignored.
//!
//! Split by YAML section: `server.rs` (server, telemetry), `auth.rs`, `limits.rs`, `routing.rs` (routes,
//! retry, circuit breaker), `target.rs` and `target_options.rs`, `policies.rs` and one file per
//! policy's settings (`injection.rs`, `pii.rs`, `safety.rs`, `audit.rs`).

mod audit;
mod auth;
mod batch;
mod injection;
mod limits;
mod pii;
mod policies;
mod routing;
mod safety;
mod server;
mod target;
mod target_options;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use crate::ir::Zone;
pub use crate::terms::{Action, Direction, PiiEntity, RedactionStyle, SafetyMode};
pub use audit::*;
pub use auth::*;
pub use batch::*;
pub use injection::*;
pub use limits::*;
pub use pii::*;
pub use policies::*;
pub use routing::*;
pub use safety::*;
pub use server::*;
pub use target::*;
pub use target_options::*;

/// A whole policy pack.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    /// Who this pack is and which version of it is serving.
    pub pack: PackMeta,
    /// Listener settings; `--listen` on the command line wins.
    #[serde(default)]
    pub server: ServerConfig,
    /// Client keys. Without this section gw is open to anyone who can reach it, and says so.
    #[serde(default)]
    pub auth: Option<AuthConfig>,
    /// Where rate-limit and budget counters live (shared by replicas through Redis).
    #[serde(default)]
    pub limits: LimitsConfig,
    /// Client-facing model names (aliases) and the route each one takes.
    #[serde(default)]
    pub models: BTreeMap<String, ModelRoute>,
    /// The Bedrock targets and the defaults for reaching them.
    pub providers: ProvidersConfig,
    /// The policy chain run around every Bedrock call.
    #[serde(default)]
    pub policies: PoliciesConfig,
    /// Data handling for the whole pack: every target must satisfy it (on top of its own).
    #[serde(default)]
    pub data_policy: Option<DataPolicy>,
    /// Traces and metrics.
    #[serde(default)]
    pub telemetry: TelemetryConfig,
}

/// Identity of the pack, stamped on audit records and `/readyz`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PackMeta {
    /// Name of the pack, e.g. `bedrock-gateway`.
    #[schemars(length(min = 1), example = "bedrock-gateway")]
    pub name: String,
    /// Semantic version of the pack, e.g. `1.0.0`.
    #[schemars(
        regex(pattern = r"^\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]+)?$"),
        example = "1.0.0"
    )]
    pub version: String,
    /// `false` makes every model request answer 503 with a clear message (a kill switch).
    #[serde(default = "yes")]
    pub enabled: bool,
}

pub(super) fn yes() -> bool {
    true
}

/// Bedrock targets and how to reach them.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProvidersConfig {
    /// Route used when a request names a target id or a Bedrock model id directly.
    #[serde(default)]
    pub strategy: Strategy,
    /// Retry policy for every target unless the target overrides it.
    #[serde(default)]
    pub retry: RetryConfig,
    /// Circuit breaker for every target.
    #[serde(default)]
    pub circuit_breaker: BreakerConfig,
    /// How long one request may spend in routing, retries and fallbacks included, in seconds;
    /// no attempt or backoff starts after it. Unset: the largest `timeout_seconds` among the
    /// route's targets, so retries never outlive the patience a single call was given.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub deadline_seconds: Option<u64>,
    /// The Bedrock endpoints gw may call.
    #[schemars(length(min = 1))]
    pub targets: Vec<Target>,
}

pub(super) fn default_redact() -> Action {
    Action::Redact
}

pub(super) fn default_block() -> Action {
    Action::Block
}
