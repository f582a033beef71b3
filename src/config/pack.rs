//! The policy pack as Rust types: the contract of `docs/pack-format.md`.
//!
//! These types are the single source of truth: the loader deserialises into them, the JSON Schema
//! (`gw schema`) is generated from them, and the doc comments become the editor hover text. Every
//! struct denies unknown keys so that a typo is an error with a hint, never silently ignored.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use crate::ir::Zone;

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

/// Where traces go and whether metrics are served. Read at start: a reload that changes this
/// section keeps the running exporter (gw logs that a restart is needed).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TelemetryConfig {
    /// Base URL of an OTLP/HTTP (protobuf) collector, e.g. `http://127.0.0.1:4318`; spans go to
    /// `<url>/v1/traces`. `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT`
    /// win when set, so one pack serves every environment. Without either, no traces leave gw.
    #[serde(default)]
    #[schemars(example = "http://127.0.0.1:4318")]
    pub otlp_endpoint: Option<String>,
    /// `service.name` on every span; `OTEL_SERVICE_NAME` wins when set.
    #[serde(default = "default_service_name")]
    pub service_name: String,
    /// Share of new traces kept, 0 to 1. A caller's `traceparent` decision is always followed.
    #[serde(default = "one")]
    #[schemars(range(min = 0.0, max = 1.0))]
    pub sample_ratio: f64,
    /// Serve Prometheus metrics at `GET /metrics`.
    #[serde(default = "yes")]
    pub metrics: bool,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        Self {
            otlp_endpoint: None,
            service_name: default_service_name(),
            sample_ratio: 1.0,
            metrics: true,
        }
    }
}

fn default_service_name() -> String {
    "gw".into()
}

fn one() -> f64 {
    1.0
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

fn yes() -> bool {
    true
}

/// Listener settings.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on, `host:port`.
    #[serde(default = "default_listen")]
    pub listen: String,
    /// Largest request body accepted; larger bodies get 413.
    #[serde(default = "default_max_body")]
    #[schemars(range(min = 1024))]
    pub max_body_bytes: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: default_listen(),
            max_body_bytes: default_max_body(),
        }
    }
}

fn default_listen() -> String {
    "127.0.0.1:8080".into()
}

fn default_max_body() -> u64 {
    10 * 1024 * 1024
}

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

/// Rate limits, enforced per process. Tokens are charged on an estimate before the call (prompt
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
    /// Request and token rate limits for this target across all keys, enforced per process. A
    /// target over its limit counts as throttled: the route retries or falls back as for a
    /// Bedrock 429.
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

/// Cross-account role assumption.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AssumeRole {
    /// ARN of the role to assume.
    #[schemars(regex(pattern = r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$"))]
    pub role_arn: String,
    /// External id the role's trust policy requires.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Session name shown in CloudTrail.
    #[serde(default)]
    pub session_name: Option<String>,
}

/// Prices in US dollars per million tokens.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Pricing {
    /// Uncached input tokens.
    #[schemars(range(min = 0.0))]
    pub input_per_1m: f64,
    /// Output tokens.
    #[schemars(range(min = 0.0))]
    pub output_per_1m: f64,
    /// Input tokens read from the prompt cache; `input_per_1m` when absent.
    #[serde(default)]
    #[schemars(range(min = 0.0))]
    pub cache_read_per_1m: Option<f64>,
    /// Input tokens written to the prompt cache; `input_per_1m` when absent.
    #[serde(default)]
    #[schemars(range(min = 0.0))]
    pub cache_write_per_1m: Option<f64>,
}

/// Health probe settings.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HealthProbe {
    /// Seconds between probes.
    #[schemars(range(min = 1))]
    pub interval_seconds: u64,
}

/// Data handling promises and constraints, for a target or the whole pack.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DataPolicy {
    /// Documents that the account has zero data retention with the model provider.
    #[serde(default)]
    pub zero_data_retention: bool,
    /// Regions the data may be processed in; globs such as `eu-*` allowed. A geographic
    /// inference profile (`eu.`, `us.`, `apac.`, `global.`) needs its whole geography allowed.
    #[serde(default)]
    pub allowed_regions: Vec<String>,
}

/// Bedrock Guardrails passthrough.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Guardrail {
    /// Guardrail id or ARN.
    pub identifier: String,
    /// Guardrail version, `DRAFT` or a number.
    pub version: String,
    /// Ask Bedrock for the guardrail trace.
    #[serde(default)]
    pub trace: bool,
}

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
fn default_block() -> Action {
    Action::Block
}

/// What a policy does when it matches.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Replace the matched text. For `prompt-injection`: withhold the injected part of a tool
    /// result or document and leave a note in its place, so an agent can carry on safely
    /// (an injection in a user turn is still blocked).
    Redact,
    /// Refuse the request (or replace the reply).
    Block,
    /// Let it through and record the decision.
    Log,
}

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

fn pii_zones() -> Vec<Zone> {
    vec![
        Zone::User,
        Zone::Assistant,
        Zone::ToolResult,
        Zone::Document,
        Zone::Embedding,
        Zone::Reply,
        Zone::ToolCall,
        Zone::Reasoning,
    ]
}

fn default_redact() -> Action {
    Action::Redact
}
fn default_apply_to() -> Vec<Direction> {
    vec![Direction::Request, Direction::Response]
}

/// Entity types the PII detector knows.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq, Hash)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PiiEntity {
    Email,
    Phone,
    UsSsn,
    CreditCard,
    Iban,
    IpAddress,
    AwsAccessKey,
    GenericSecret,
    DateOfBirth,
    StreetAddress,
    Person,
    UsPassport,
    DriverLicense,
}

/// Direction of traffic a policy applies to.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Request,
    Response,
}

/// How redacted text is written.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RedactionStyle {
    /// `[EMAIL]`.
    #[default]
    Mask,
    /// `[EMAIL_1]`, reversible within the request.
    Placeholder,
}

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

/// Strictness of the safety filter.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SafetyMode {
    Strict,
    #[default]
    Standard,
}

/// Audit logger.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// `false` switches the policy off without removing it from the chain.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Directory of the audit log.
    #[serde(default = "default_audit_path")]
    pub path: String,
    /// Whole files older than this many days are removed (and the removal recorded).
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub retention_days: Option<u32>,
    /// Append only; refuse to start when the existing chain does not verify.
    #[serde(default)]
    pub immutable: bool,
    /// Kept for compatibility with other gateways' packs: gw always writes exactly one record per
    /// request, rejected ones included, so `false` cannot drop records.
    #[serde(default = "yes")]
    pub log_all_access: bool,
    /// How much of the prompt and reply is stored.
    #[serde(default)]
    pub include_content: IncludeContent,
    /// When records reach the disk: `every_record` (default; each batch the writer drains is
    /// fsynced before the next) or `interval` (every `fsync_interval_ms`), trading a window of
    /// records lost on power failure for throughput.
    #[serde(default)]
    pub fsync: AuditFsync,
    /// With `fsync: interval`: milliseconds between fsyncs.
    #[serde(default = "default_fsync_interval_ms")]
    #[schemars(range(min = 1))]
    pub fsync_interval_ms: u64,
    /// What a request does when the writer's queue is full: `block` waits for room,
    /// `drop_and_count` drops the record and writes the count into the chain when room returns.
    /// Default: `block` when `immutable: true`, else `drop_and_count`.
    #[serde(default)]
    pub on_backpressure: Option<AuditBackpressure>,
    /// Records the queue to the writer holds before backpressure applies.
    #[serde(default = "default_audit_queue")]
    #[schemars(range(min = 1))]
    pub queue_capacity: usize,
    /// A file is closed and a new one started past this size (files also roll every UTC day).
    #[serde(default = "default_max_file_bytes")]
    #[schemars(range(min = 4096))]
    pub max_file_bytes: u64,
}

fn default_fsync_interval_ms() -> u64 {
    100
}
fn default_audit_queue() -> usize {
    8192
}
fn default_max_file_bytes() -> u64 {
    256 * 1024 * 1024
}

/// When the audit writer fsyncs.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AuditFsync {
    /// After every batch of records the writer drains (group commit).
    #[default]
    EveryRecord,
    /// Every `fsync_interval_ms`.
    Interval,
}

/// What a request does when the audit queue is full.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AuditBackpressure {
    /// Wait for room: no record is ever lost, requests slow down instead.
    Block,
    /// Drop the record and count it; the count goes into the chain as a `dropped` record.
    DropAndCount,
}

fn default_audit_path() -> String {
    "./audit".into()
}

/// Content kept in audit records.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum IncludeContent {
    /// No prompt or reply text.
    #[default]
    None,
    /// Text after PII redaction.
    Redacted,
    /// Raw text (only when the pack explicitly allows it).
    Full,
}
