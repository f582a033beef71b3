//! The OpenAI Files and Batch APIs' wire layer: file and batch objects, the ids that name them,
//! the input lines a client uploads and the output lines it downloads.
//!
//! Ids are stateless: each one is the target id plus the S3 key or job ARN it stands for,
//! base64url-encoded behind OpenAI's prefix (`file-…`, `batch_…`). Any replica, before or after a
//! restart, resolves them without a database, and they never need URL-decoding.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ApiError;

/// What a file id stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileRef {
    /// An uploaded input file: its S3 key in the target's input bucket.
    Input { target: String, key: String },
    /// A job's results: the succeeded (`errors: false`) or failed lines of its output.
    Output {
        target: String,
        job_arn: String,
        errors: bool,
    },
}

impl FileRef {
    /// `file-<base64url>`.
    pub fn id(&self) -> String {
        let raw = match self {
            Self::Input { target, key } => format!("i\n{target}\n{key}"),
            Self::Output {
                target,
                job_arn,
                errors,
            } => format!("{}\n{target}\n{job_arn}", if *errors { 'e' } else { 'o' }),
        };
        format!("file-{}", URL_SAFE_NO_PAD.encode(raw))
    }

    /// Reads a file id back; `None` for anything gw did not issue.
    pub fn parse(id: &str) -> Option<Self> {
        let raw = URL_SAFE_NO_PAD.decode(id.strip_prefix("file-")?).ok()?;
        let raw = String::from_utf8(raw).ok()?;
        let mut parts = raw.splitn(3, '\n');
        let (kind, target, rest) = (parts.next()?, parts.next()?, parts.next()?);
        if target.is_empty() || rest.is_empty() {
            return None;
        }
        let (target, rest) = (target.to_string(), rest.to_string());
        match kind {
            "i" => Some(Self::Input { target, key: rest }),
            "o" | "e" => Some(Self::Output {
                target,
                job_arn: rest,
                errors: kind == "e",
            }),
            _ => None,
        }
    }
}

/// A batch id: `batch_<base64url(target \n job ARN)>`.
pub fn batch_id(target: &str, job_arn: &str) -> String {
    format!(
        "batch_{}",
        URL_SAFE_NO_PAD.encode(format!("{target}\n{job_arn}"))
    )
}

/// The target and job ARN of a batch id; `None` for anything gw did not issue.
pub fn parse_batch_id(id: &str) -> Option<(String, String)> {
    let raw = URL_SAFE_NO_PAD.decode(id.strip_prefix("batch_")?).ok()?;
    let raw = String::from_utf8(raw).ok()?;
    let (t, arn) = raw.split_once('\n')?;
    (!t.is_empty() && arn.starts_with("arn:")).then(|| (t.to_string(), arn.to_string()))
}

/// `FileObject`.
#[derive(Debug, Serialize)]
pub struct FileObject {
    pub id: String,
    pub object: &'static str,
    pub bytes: u64,
    pub created_at: u64,
    pub filename: String,
    pub purpose: &'static str,
    pub status: &'static str,
}

/// Why one input line was refused: its 1-based line number, the custom id when known, and why.
#[derive(Debug, Clone, Serialize)]
pub struct LineError {
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_id: Option<String>,
    pub code: &'static str,
    pub message: String,
}

/// `POST /v1/batches` body.
#[derive(Debug, Deserialize)]
pub struct CreateBatch {
    pub input_file_id: String,
    pub endpoint: String,
    pub completion_window: String,
    #[serde(default)]
    pub metadata: Option<serde_json::Map<String, Value>>,
}

/// `request_counts`.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct RequestCounts {
    pub total: u64,
    pub completed: u64,
    pub failed: u64,
}

/// The `Batch` object.
#[derive(Debug, Serialize)]
pub struct BatchObject {
    pub id: String,
    pub object: &'static str,
    pub endpoint: String,
    pub errors: Option<Value>,
    pub input_file_id: String,
    pub completion_window: String,
    pub status: &'static str,
    pub output_file_id: Option<String>,
    pub error_file_id: Option<String>,
    pub created_at: u64,
    pub in_progress_at: Option<u64>,
    pub expires_at: Option<u64>,
    pub finalizing_at: Option<u64>,
    pub completed_at: Option<u64>,
    pub failed_at: Option<u64>,
    pub expired_at: Option<u64>,
    pub cancelling_at: Option<u64>,
    pub cancelled_at: Option<u64>,
    pub request_counts: RequestCounts,
    pub metadata: Option<serde_json::Map<String, Value>>,
}

/// OpenAI's lifecycle name for a Bedrock job status.
pub fn batch_status(bedrock: &str) -> &'static str {
    match bedrock {
        "Submitted" | "Validating" | "Scheduled" => "validating",
        "InProgress" => "in_progress",
        "Completed" | "PartiallyCompleted" => "completed",
        "Failed" => "failed",
        "Stopping" => "cancelling",
        "Stopped" => "cancelled",
        "Expired" => "expired",
        _ => "in_progress",
    }
}

/// `GET /v1/batches` reply.
#[derive(Debug, Serialize)]
pub struct BatchList {
    pub object: &'static str,
    pub data: Vec<BatchObject>,
    pub first_id: Option<String>,
    pub last_id: Option<String>,
    pub has_more: bool,
}

/// `POST /v1/files`' multipart form: the file's name and bytes, and its purpose.
pub struct Upload {
    pub filename: String,
    pub purpose: String,
    pub data: bytes::Bytes,
}

/// Reads the upload form (`file`, `purpose`); only `purpose=batch` is served.
pub async fn read_upload(content_type: &str, body: bytes::Bytes) -> Result<Upload, ApiError> {
    let (mut file, mut purpose) = (None, None);
    for part in super::multipart::parts(content_type, body, "/v1/files").await? {
        match part.name.as_str() {
            "file" => {
                let name = part.file_name.unwrap_or_else(|| "upload.jsonl".into());
                file = Some((name, part.data));
            }
            "purpose" => purpose = Some(String::from_utf8_lossy(&part.data).into_owned()),
            _ => {}
        }
    }
    let Some((filename, data)) = file else {
        return Err(ApiError::invalid_request("`file` is required").with_param("file"));
    };
    let purpose = purpose.unwrap_or_default();
    if purpose != "batch" {
        return Err(ApiError::invalid_request(format!(
            "purpose `{}` is not served; gw stores files for `batch` only",
            purpose.chars().take(40).collect::<String>()
        ))
        .with_param("purpose"));
    }
    Ok(Upload {
        filename,
        purpose,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_ids_round_trip_and_are_url_safe() {
        for f in [
            FileRef::Input {
                target: "claude-us".into(),
                key: "gw-batch/input/0b1c.jsonl".into(),
            },
            FileRef::Output {
                target: "t".into(),
                job_arn: "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abc".into(),
                errors: true,
            },
        ] {
            let id = f.id();
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "{id}"
            );
            assert_eq!(FileRef::parse(&id), Some(f));
        }
        assert_eq!(FileRef::parse("file-abc"), None);
        assert_eq!(FileRef::parse("nope"), None);
    }

    #[test]
    fn batch_ids_round_trip() {
        let arn = "arn:aws:bedrock:eu-west-1:123456789012:model-invocation-job/x1";
        let id = batch_id("claude-eu", arn);
        assert_eq!(parse_batch_id(&id), Some(("claude-eu".into(), arn.into())));
        assert_eq!(parse_batch_id("batch_zzz"), None);
    }
}
