//! The optional parts of a target: an assumed role, prices, a health probe, a data policy,
//! a Bedrock guardrail.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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

/// Prices in US dollars per million tokens (and per image, for image models).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Pricing {
    /// Uncached input tokens.
    #[serde(default)]
    #[schemars(range(min = 0.0))]
    pub input_per_1m: f64,
    /// Output tokens.
    #[serde(default)]
    #[schemars(range(min = 0.0))]
    pub output_per_1m: f64,
    /// Image models: dollars per standard-quality image, whatever its size (overrides the
    /// built-in table, which prices by size tier).
    #[serde(default)]
    #[schemars(range(min = 0.0))]
    pub per_image: Option<f64>,
    /// Image models: dollars per premium (`hd`) image; `per_image` when absent.
    #[serde(default)]
    #[schemars(range(min = 0.0))]
    pub per_image_premium: Option<f64>,
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
