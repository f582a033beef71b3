//! A target's `batch` section: where Bedrock batch inference (model invocation jobs) reads its
//! input and writes its output, and the role it runs as. Without it the target serves no batches.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Bedrock batch inference for this target: the OpenAI Files and Batch APIs upload the JSONL to
/// `bucket`, create a model invocation job running as `role_arn`, and read the job's output back.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BatchConfig {
    /// S3 bucket holding the input files and (unless `output_bucket`) the job output.
    #[schemars(length(min = 3, max = 63), example = "acme-bedrock-batch")]
    pub bucket: String,
    /// Key prefix of uploaded input files (records already through the policy chain).
    #[serde(default = "default_prefix")]
    pub prefix: String,
    /// Bucket for job output; defaults to `bucket`.
    #[serde(default)]
    pub output_bucket: Option<String>,
    /// Key prefix of job output; Bedrock writes `<prefix><job id>/<input file>.out` and a manifest.
    #[serde(default = "default_output_prefix")]
    pub output_prefix: String,
    /// Region of the bucket(s); defaults to the target's `aws_region`. Checked against the
    /// target's and the pack's `data_policy.allowed_regions`.
    #[serde(default)]
    pub s3_region: Option<String>,
    /// S3 endpoint override (S3-compatible stores, VPC endpoints). With the target's
    /// `base_url: emulator`, the built-in emulator's S3 is used.
    #[serde(default)]
    pub s3_url: Option<String>,
    /// Bedrock control-plane endpoint override (`CreateModelInvocationJob` and friends).
    #[serde(default)]
    pub bedrock_url: Option<String>,
    /// IAM role Bedrock assumes to read the input and write the output.
    #[schemars(
        regex(pattern = r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$"),
        example = "arn:aws:iam::123456789012:role/BedrockBatch"
    )]
    pub role_arn: String,
    /// KMS key for server-side encryption: uploads use SSE-KMS with it, and the job encrypts
    /// its output with it. Unset: SSE-S3 (AES256).
    #[serde(default)]
    pub kms_key_id: Option<String>,
    /// Job names are `<job_name_prefix>-<random>`; listing shows only this prefix's jobs.
    #[serde(default = "default_job_name_prefix")]
    #[schemars(
        length(min = 1, max = 40),
        regex(pattern = r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$")
    )]
    pub job_name_prefix: String,
    /// Run the job inside a VPC.
    #[serde(default)]
    pub vpc: Option<BatchVpc>,
    /// Fewest records a job may have (Bedrock's own minimum is 100); fewer is a 400 at
    /// `POST /v1/batches`.
    #[serde(default = "default_min_records")]
    #[schemars(range(min = 1))]
    pub min_records: u64,
    /// Most records one input file may have.
    #[serde(default = "default_max_records")]
    #[schemars(range(min = 1))]
    pub max_records: u64,
    /// Largest input file accepted, in bytes.
    #[serde(default = "default_max_file_bytes")]
    #[schemars(range(min = 1))]
    pub max_file_bytes: u64,
    /// Hours before Bedrock stops an unfinished job (24 to 168).
    #[serde(default = "default_timeout_hours")]
    #[schemars(range(min = 24, max = 168))]
    pub timeout_hours: u32,
    /// Batch price as a share of the on-demand price (Bedrock batch is half price).
    #[serde(default = "default_discount")]
    #[schemars(range(min = 0.0, max = 1.0))]
    pub price_factor: f64,
}

/// Subnets and security groups for a job that must stay inside a VPC.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BatchVpc {
    #[schemars(length(min = 1))]
    pub subnet_ids: Vec<String>,
    #[schemars(length(min = 1))]
    pub security_group_ids: Vec<String>,
}

fn default_prefix() -> String {
    "gw-batch/input/".into()
}
fn default_output_prefix() -> String {
    "gw-batch/output/".into()
}
fn default_job_name_prefix() -> String {
    "gw-batch".into()
}
fn default_min_records() -> u64 {
    100
}
fn default_max_records() -> u64 {
    50_000
}
fn default_max_file_bytes() -> u64 {
    200 * 1024 * 1024
}
fn default_timeout_hours() -> u32 {
    24
}
fn default_discount() -> f64 {
    0.5
}
