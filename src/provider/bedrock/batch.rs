//! Bedrock batch inference for one target: S3 (`aws-sdk-s3`) for the input and output files,
//! and Bedrock's control plane (`aws-sdk-bedrock`) for model invocation jobs. Both clients share
//! the target's region and credentials (`client::base_config`); gw owns what the files hold and
//! what the jobs mean, this file only moves bytes and job descriptions.

use std::collections::HashMap;
use std::fmt::Debug;

use aws_sdk_bedrock::types::{
    ModelInvocationJobInputDataConfig, ModelInvocationJobOutputDataConfig,
    ModelInvocationJobS3InputDataConfig, ModelInvocationJobS3OutputDataConfig,
    ModelInvocationJobStatus, S3InputFormat, SortOrder, VpcConfig,
};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use axum::http::StatusCode;
use bytes::Bytes;

use super::client::{self, ClientBuildError, EmulatorEndpoint};
use crate::config::pack::{BatchConfig, Target};
use crate::error::{ApiError, ErrorKind};
use crate::ir::{ChatRequest, ChatResponse};
use crate::translate::{Capabilities, capabilities, native};

/// A target's batch plumbing, built with the runtime when the target has a `batch` section.
pub struct BatchStore {
    /// The target's id, part of every batch and file id.
    pub target_id: String,
    /// The Bedrock model (or profile) id jobs run on.
    pub model_id: String,
    /// What the model accepts (its family picks the record format).
    pub caps: Capabilities,
    /// The pack's settings.
    pub cfg: BatchConfig,
    s3: aws_sdk_s3::Client,
    bedrock: aws_sdk_bedrock::Client,
}

/// An object's size, user metadata and upload time.
#[derive(Debug, Clone)]
pub struct ObjectInfo {
    pub bytes: u64,
    pub created: u64,
    pub metadata: HashMap<String, String>,
}

/// A job as Bedrock describes it.
#[derive(Debug, Clone)]
pub struct JobInfo {
    pub arn: String,
    pub name: String,
    /// Bedrock's status name (`Submitted`, `InProgress`, `Completed`, …).
    pub status: String,
    pub message: Option<String>,
    pub submitted: u64,
    pub modified: Option<u64>,
    pub ended: Option<u64>,
    pub expires: Option<u64>,
    pub input_uri: String,
    pub output_uri: String,
    /// Total, processed, succeeded and failed records, once Bedrock reports them.
    pub counts: Option<[u64; 4]>,
}

impl JobInfo {
    /// The job id: the ARN's last path segment (Bedrock's output folder name).
    pub fn id(&self) -> &str {
        self.arn.rsplit('/').next().unwrap_or(&self.arn)
    }
}

fn secs(t: Option<&aws_smithy_types::DateTime>) -> Option<u64> {
    t.and_then(|t| u64::try_from(t.secs()).ok())
}

/// An SDK failure as the client's error: not found, throttled, invalid, or a 502 naming what
/// failed (AWS error codes and messages only; no credentials ever appear in them).
fn upstream<E: ProvideErrorMetadata + Debug, R>(what: &str, e: SdkError<E, R>) -> ApiError {
    let (code, message, status) = match &e {
        SdkError::ServiceError(s) => (
            s.err().code().unwrap_or("Unknown").to_string(),
            s.err().message().unwrap_or_default().to_string(),
            None::<u16>,
        ),
        SdkError::TimeoutError(_) => ("Timeout".into(), "timed out".into(), Some(504)),
        _ => ("Unreachable".into(), format!("{e}"), Some(502)),
    };
    let kind = match code.as_str() {
        "NoSuchKey" | "NotFound" | "ResourceNotFoundException" => {
            (StatusCode::NOT_FOUND, ErrorKind::NotFound)
        }
        "ThrottlingException"
        | "SlowDown"
        | "TooManyRequestsException"
        | "ServiceQuotaExceededException" => (StatusCode::TOO_MANY_REQUESTS, ErrorKind::RateLimit),
        "ValidationException" => (StatusCode::BAD_REQUEST, ErrorKind::InvalidRequest),
        _ => (
            StatusCode::from_u16(status.unwrap_or(502)).unwrap_or(StatusCode::BAD_GATEWAY),
            ErrorKind::Server,
        ),
    };
    // AWS messages may quote ARNs; the account id in them is not the client's business.
    let message = without_account_ids(&message);
    let err = ApiError::new(kind.0, kind.1, format!("{what}: {code}: {message}"));
    if kind.1 == ErrorKind::RateLimit {
        err.with_retry_after(1)
    } else {
        err
    }
}

/// `message` with every run of exactly twelve digits (an AWS account id) replaced.
fn without_account_ids(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut digits = String::new();
    for c in message.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if digits.len() == 12 {
            out.push_str("<account>");
        } else {
            out.push_str(&digits);
        }
        digits.clear();
        out.push(c);
    }
    out.pop();
    out
}

impl BatchStore {
    /// The target's batch clients, or `None` when it has no `batch` section.
    pub async fn build(
        target: &Target,
        emulator: Option<&EmulatorEndpoint>,
    ) -> Result<Option<Self>, ClientBuildError> {
        let Some(cfg) = target.batch.clone() else {
            return Ok(None);
        };
        let base = client::base_config(target, emulator).await?;
        let mut s3 = aws_sdk_s3::config::Builder::from(&base).force_path_style(true);
        if let Some(r) = &cfg.s3_region {
            s3 = s3.region(aws_sdk_s3::config::Region::new(r.clone()));
        }
        match (emulator, &cfg.s3_url) {
            (_, Some(url)) => s3 = s3.endpoint_url(url),
            (Some(emu), None) => {
                if let Some(url) = &emu.s3_url {
                    s3 = s3.endpoint_url(url);
                }
            }
            (None, None) => {}
        }
        let mut bedrock = aws_sdk_bedrock::config::Builder::from(&base);
        if let Some(url) = &cfg.bedrock_url {
            bedrock = bedrock.endpoint_url(url);
        }
        Ok(Some(Self {
            target_id: target.id.clone(),
            model_id: target.model.clone(),
            caps: capabilities(&target.model, target.family),
            cfg,
            s3: aws_sdk_s3::Client::from_conf(s3.build()),
            bedrock: aws_sdk_bedrock::Client::from_conf(bedrock.build()),
        }))
    }

    /// A record's `modelInput` in this model's native format, or why it cannot be batched.
    pub fn record_input(&self, req: &ChatRequest) -> Result<serde_json::Value, String> {
        native::to_native(req, &self.caps)
    }

    /// A record's `modelOutput` read back as the IR reply.
    pub fn record_output(&self, output: &serde_json::Value) -> Result<ChatResponse, String> {
        native::from_native(output, self.caps.family)
    }

    fn output_bucket(&self) -> &str {
        self.cfg
            .output_bucket
            .as_deref()
            .unwrap_or(&self.cfg.bucket)
    }

    /// Uploads `body` to `key` in the input bucket, encrypted as the pack says.
    pub async fn put(
        &self,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
        metadata: HashMap<String, String>,
    ) -> Result<(), ApiError> {
        self.put_object(key, body, content_type, metadata)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| upstream("S3 PutObject", e))
    }

    /// Uploads `body` to `key` only if no object is there yet (S3's conditional write,
    /// `If-None-Match: *`, which S3 decides atomically). `Ok(false)`: another caller (another
    /// download, another replica) created it first. This is how gw does something once across
    /// replicas without a lock service.
    pub async fn create(
        &self,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<bool, ApiError> {
        match self
            .put_object(key, body, content_type, HashMap::new())
            .if_none_match("*")
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 412) => Ok(false),
            Err(e) => Err(upstream("S3 PutObject", e)),
        }
    }

    fn put_object(
        &self,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
        metadata: HashMap<String, String>,
    ) -> aws_sdk_s3::operation::put_object::builders::PutObjectFluentBuilder {
        let put = self
            .s3
            .put_object()
            .bucket(&self.cfg.bucket)
            .key(key)
            .content_type(content_type)
            .set_metadata(Some(metadata))
            .body(ByteStream::from(body));
        match &self.cfg.kms_key_id {
            Some(k) => put
                .server_side_encryption(ServerSideEncryption::AwsKms)
                .ssekms_key_id(k),
            None => put.server_side_encryption(ServerSideEncryption::Aes256),
        }
    }

    /// An input-bucket object's size and metadata.
    pub async fn head(&self, key: &str) -> Result<ObjectInfo, ApiError> {
        let out = self
            .s3
            .head_object()
            .bucket(&self.cfg.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| upstream("S3 HeadObject", e))?;
        Ok(ObjectInfo {
            bytes: out
                .content_length()
                .and_then(|n| u64::try_from(n).ok())
                .unwrap_or(0),
            created: secs(out.last_modified()).unwrap_or(0),
            metadata: out.metadata().cloned().unwrap_or_default(),
        })
    }

    /// An object's bytes; `output` reads the output bucket.
    pub async fn get(&self, key: &str, output: bool) -> Result<Bytes, ApiError> {
        let bucket = if output {
            self.output_bucket()
        } else {
            &self.cfg.bucket
        };
        let out = self
            .s3
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| upstream("S3 GetObject", e))?;
        let data = out.body.collect().await.map_err(|e| {
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                ErrorKind::Server,
                format!("S3 GetObject: {e}"),
            )
        })?;
        Ok(data.into_bytes())
    }

    /// Starts a job named `name` over `s3://bucket/<input_key>`; returns its ARN.
    pub async fn create_job(&self, name: &str, input_key: &str) -> Result<String, ApiError> {
        let input = ModelInvocationJobS3InputDataConfig::builder()
            .s3_uri(format!("s3://{}/{input_key}", self.cfg.bucket))
            .s3_input_format(S3InputFormat::Jsonl)
            .build()
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let output = ModelInvocationJobS3OutputDataConfig::builder()
            .s3_uri(format!(
                "s3://{}/{}",
                self.output_bucket(),
                self.cfg.output_prefix
            ))
            .set_s3_encryption_key_id(self.cfg.kms_key_id.clone())
            .build()
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let vpc = match &self.cfg.vpc {
            Some(v) => Some(
                VpcConfig::builder()
                    .set_subnet_ids(Some(v.subnet_ids.clone()))
                    .set_security_group_ids(Some(v.security_group_ids.clone()))
                    .build()
                    .map_err(|e| ApiError::internal(e.to_string()))?,
            ),
            None => None,
        };
        let out = self
            .bedrock
            .create_model_invocation_job()
            .job_name(name)
            .role_arn(&self.cfg.role_arn)
            .model_id(&self.model_id)
            .client_request_token(name)
            .input_data_config(ModelInvocationJobInputDataConfig::S3InputDataConfig(input))
            .output_data_config(ModelInvocationJobOutputDataConfig::S3OutputDataConfig(
                output,
            ))
            .set_vpc_config(vpc)
            .timeout_duration_in_hours(i32::try_from(self.cfg.timeout_hours).unwrap_or(24))
            .send()
            .await
            .map_err(|e| upstream("Bedrock CreateModelInvocationJob", e))?;
        Ok(out.job_arn().to_string())
    }

    /// The job as Bedrock sees it now.
    pub async fn job(&self, arn: &str) -> Result<JobInfo, ApiError> {
        let o = self
            .bedrock
            .get_model_invocation_job()
            .job_identifier(arn)
            .send()
            .await
            .map_err(|e| upstream("Bedrock GetModelInvocationJob", e))?;
        let counts = o.total_record_count().map(|t| {
            let n = |v: Option<i64>| v.and_then(|x| u64::try_from(x).ok()).unwrap_or(0);
            [
                n(Some(t)),
                n(o.processed_record_count()),
                n(o.success_record_count()),
                n(o.error_record_count()),
            ]
        });
        Ok(JobInfo {
            arn: o.job_arn().to_string(),
            name: o.job_name().unwrap_or_default().to_string(),
            status: o.status().map_or("Submitted", |s| s.as_str()).to_string(),
            message: o.message().map(without_account_ids),
            submitted: secs(Some(o.submit_time())).unwrap_or(0),
            modified: secs(o.last_modified_time()),
            ended: secs(o.end_time()),
            expires: secs(o.job_expiration_time()),
            input_uri: input_uri(o.input_data_config()),
            output_uri: output_uri(o.output_data_config()),
            counts,
        })
    }

    /// Asks Bedrock to stop the job.
    pub async fn stop(&self, arn: &str) -> Result<(), ApiError> {
        self.bedrock
            .stop_model_invocation_job()
            .job_identifier(arn)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| upstream("Bedrock StopModelInvocationJob", e))
    }

    /// This target's jobs (named with the pack's prefix), newest first, at most `max`.
    pub async fn list(&self, max: usize) -> Result<Vec<JobInfo>, ApiError> {
        let mut jobs = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .bedrock
                .list_model_invocation_jobs()
                .name_contains(&self.cfg.job_name_prefix)
                .sort_order(SortOrder::Descending)
                .max_results(100)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| upstream("Bedrock ListModelInvocationJobs", e))?;
            for s in page.invocation_job_summaries() {
                // Other targets (and other tools) in the same account and region list here too.
                // The summary may name the model by ARN.
                let model = s.model_id();
                let same_model =
                    model == self.model_id || model.ends_with(&format!("/{}", self.model_id));
                if !s.job_name().starts_with(&self.cfg.job_name_prefix) || !same_model {
                    continue;
                }
                jobs.push(JobInfo {
                    arn: s.job_arn().to_string(),
                    name: s.job_name().to_string(),
                    status: s.status().map_or("Submitted", |x| x.as_str()).to_string(),
                    message: s.message().map(without_account_ids),
                    submitted: secs(Some(s.submit_time())).unwrap_or(0),
                    modified: secs(s.last_modified_time()),
                    ended: secs(s.end_time()),
                    expires: secs(s.job_expiration_time()),
                    input_uri: input_uri(s.input_data_config()),
                    output_uri: output_uri(s.output_data_config()),
                    counts: None,
                });
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() || jobs.len() >= max {
                break;
            }
        }
        jobs.truncate(max);
        Ok(jobs)
    }
}

fn input_uri(c: Option<&ModelInvocationJobInputDataConfig>) -> String {
    match c {
        Some(ModelInvocationJobInputDataConfig::S3InputDataConfig(s)) => s.s3_uri().to_string(),
        _ => String::new(),
    }
}

fn output_uri(c: Option<&ModelInvocationJobOutputDataConfig>) -> String {
    match c {
        Some(ModelInvocationJobOutputDataConfig::S3OutputDataConfig(s)) => s.s3_uri().to_string(),
        _ => String::new(),
    }
}

/// Whether Bedrock has finished with the job, one way or another.
pub fn is_terminal(status: &str) -> bool {
    matches!(
        ModelInvocationJobStatus::from(status),
        ModelInvocationJobStatus::Completed
            | ModelInvocationJobStatus::PartiallyCompleted
            | ModelInvocationJobStatus::Failed
            | ModelInvocationJobStatus::Stopped
            | ModelInvocationJobStatus::Expired
    )
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    /// The store of a one-target pack with a `batch` section, over the emulator's S3.
    async fn store(emu: &crate::emulator::EmulatorHandle) -> super::BatchStore {
        let pack = "pack: {name: p, version: 1.0.0}\nproviders:\n  targets:\n    - id: t\n      provider: aws-bedrock\n      model: us.anthropic.claude-sonnet-4-5-20250929-v1:0\n      base_url: emulator\n      batch: {bucket: gw-batch, role_arn: 'arn:aws:iam::123456789012:role/B'}\n";
        let loaded = crate::config::load_str(pack, std::path::Path::new("pack.yaml")).unwrap();
        let endpoint = super::client::EmulatorEndpoint {
            url: emu.endpoint_url(),
            s3_url: Some(emu.s3_url()),
            access_key_id: crate::emulator::ACCESS_KEY_ID.into(),
            secret_access_key: crate::emulator::SECRET_ACCESS_KEY.into(),
        };
        super::BatchStore::build(&loaded.pack.providers.targets[0], Some(&endpoint))
            .await
            .unwrap()
            .unwrap()
    }

    #[tokio::test]
    async fn create_writes_once_and_then_reports_the_object_was_there() {
        let emu = crate::emulator::start(
            crate::emulator::EmulatorConfig::default(),
            SocketAddr::from(([127, 0, 0, 1], 0)),
        )
        .await
        .unwrap();
        let store = store(&emu).await;
        let key = "batches/job-1.charged";
        assert!(
            store
                .create(key, b"0.25".to_vec(), "text/plain")
                .await
                .unwrap()
        );
        assert!(
            !store
                .create(key, b"0.50".to_vec(), "text/plain")
                .await
                .unwrap()
        );
        // The first write stands.
        assert_eq!(&store.get(key, false).await.unwrap()[..], b"0.25");
    }

    #[test]
    fn account_ids_are_scrubbed_from_aws_messages() {
        assert_eq!(
            super::without_account_ids(
                "job arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/x9 is 1234 old"
            ),
            "job arn:aws:bedrock:us-east-1:<account>:model-invocation-job/x9 is 1234 old"
        );
    }
}
