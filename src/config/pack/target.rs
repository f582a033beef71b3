//! One Bedrock target: model, region, credentials, timeouts, and its own overrides.

use std::collections::BTreeMap;

use super::auth::RateLimit;
use super::batch::BatchConfig;
use super::routing::RetryConfig;
use super::target_options::{AssumeRole, DataPolicy, Guardrail, HealthProbe, Pricing};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One Bedrock endpoint: a model (or inference profile) in a region, with its credentials.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Unique id; clients may also name it as the model.
    #[schemars(length(min = 1), example = "bedrock-us")]
    pub id: String,
    /// The provider behind the target.
    pub provider: ProviderKind,
    /// Foundation model id, geographic inference profile (`us.`, `eu.`, `apac.`, `global.`) or ARN.
    #[schemars(
        length(min = 1),
        example = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
    )]
    pub model: String,
    /// Model family, for capabilities (tool streaming, structured output, thinking). Needed for
    /// application-inference-profile ARNs, which do not name their model; inferred otherwise.
    #[serde(default)]
    pub family: Option<ModelFamily>,
    /// AWS region of the Bedrock endpoint.
    #[serde(default = "default_region")]
    pub aws_region: String,
    /// Endpoint override (VPC endpoints, emulators). `emulator` starts gw's built-in Bedrock
    /// emulator in-process and points this target at it.
    #[serde(default)]
    pub base_url: Option<String>,
    /// Name of the env var holding the access key id (never the key itself).
    #[serde(default)]
    pub aws_access_key_env: Option<String>,
    /// Name of the env var holding the secret access key.
    #[serde(default)]
    pub aws_secret_key_env: Option<String>,
    /// Name of the env var holding the session token.
    #[serde(default)]
    pub aws_session_token_env: Option<String>,
    /// Named profile from the shared AWS config files.
    #[serde(default)]
    pub aws_profile: Option<String>,
    /// Role to assume (cross-account), on top of the other credentials.
    #[serde(default)]
    pub assume_role: Option<AssumeRole>,
    /// Name of the env var holding a Bedrock API key, sent as a bearer token instead of SigV4.
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// Overall time limit for one call, in seconds.
    #[serde(default = "default_timeout")]
    #[schemars(range(min = 1))]
    pub timeout_seconds: u64,
    /// Longest silence allowed between two stream events, in seconds.
    #[serde(default = "default_stream_timeout")]
    #[schemars(range(min = 1))]
    pub stream_timeout_seconds: u64,
    /// Time allowed to open the TCP/TLS connection, in milliseconds; a dead endpoint fails over
    /// after this instead of after `timeout_seconds`.
    #[serde(default = "default_connect_timeout")]
    #[schemars(range(min = 1))]
    pub connect_timeout_ms: u64,
    /// Streams: time from sending the call to the first event, in seconds (a cold or overloaded
    /// model shows here first); unset means `timeout_seconds`. Before the first event reaches the
    /// client a slow target is failed over; after it, only `stream_timeout_seconds` applies.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub first_byte_timeout_seconds: Option<u64>,
    /// Most calls gw keeps open to this target at once (streams count until they end); beyond it
    /// the target is skipped, and a route whose targets are all full answers 429
    /// `gateway_overloaded`. Unset: no limit.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub max_concurrency: Option<u32>,
    /// Context window of the model, for early rejection of oversized prompts.
    #[serde(default)]
    pub max_context_tokens: Option<u64>,
    /// Extra HTTP headers sent to Bedrock.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Share of traffic under the `weighted` strategy; must be > 0.
    #[serde(default = "default_weight")]
    pub weight: f64,
    /// Per-target retry override.
    #[serde(default)]
    pub retry: Option<RetryConfig>,
    /// Price per million tokens, for cost accounting (`x-gw-cost-usd`, audit `cost_usd`, key
    /// budgets). Without it gw uses its built-in table of Bedrock list prices for common models.
    #[serde(default)]
    pub pricing: Option<Pricing>,
    /// Request and token rate limits for this target across all keys (per process unless
    /// `limits.store` shares them). A target over its limit counts as throttled: the route
    /// retries or falls back as for a Bedrock 429.
    #[serde(default)]
    pub rate_limit: Option<RateLimit>,
    /// Periodic cheap calls that open or close the breaker ahead of traffic.
    #[serde(default)]
    pub health_probe: Option<HealthProbe>,
    /// Data handling promises and constraints.
    #[serde(default)]
    pub data_policy: Option<DataPolicy>,
    /// Bedrock Guardrails applied by Bedrock itself.
    #[serde(default)]
    pub guardrail: Option<Guardrail>,
    /// Batch inference (the OpenAI Files and Batch APIs) on this target: bucket, role, KMS key.
    #[serde(default)]
    pub batch: Option<BatchConfig>,
}

fn default_region() -> String {
    "us-east-1".into()
}
fn default_timeout() -> u64 {
    60
}
fn default_stream_timeout() -> u64 {
    300
}
fn default_connect_timeout() -> u64 {
    3000
}
fn default_weight() -> f64 {
    1.0
}

/// Which provider serves a target.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ProviderKind {
    /// AWS Bedrock Runtime (Converse, ConverseStream, InvokeModel).
    AwsBedrock,
}

/// Model families, for per-family capabilities.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ModelFamily {
    Anthropic,
    Nova,
    Titan,
    Llama,
    Mistral,
    Cohere,
    Deepseek,
    Other,
}
