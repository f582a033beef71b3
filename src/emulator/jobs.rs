//! Bedrock's control plane for batch inference (model invocation jobs), on the emulator's main
//! socket with SigV4 checked as for the runtime (signing name `bedrock`): Create, Get, Stop and
//! List, in the REST-JSON shapes of the real service. A created job runs: it reads its JSONL
//! from the emulator's S3, answers every record as InvokeModel would, writes `<input>.out` and
//! `manifest.json.out` under `<output uri><job id>/`, and walks Bedrock's statuses
//! (Submitted → Validating → Scheduled → InProgress → Completed | PartiallyCompleted | Failed,
//! or Stopping → Stopped) one step every `batch_step_ms`, which tests shorten.
//!
//! Faults: a record whose user text contains [`FAIL_RECORD_MARKER`] gets an error line (the job
//! ends PartiallyCompleted); `PUT /_emulator/batch {"fail_next_jobs": n}` fails whole jobs;
//! throttled control-plane calls use the ordinary fault rules (`throttle`) on the job's model id
//! or `*`.

use std::sync::Arc;
use std::time::Duration;

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::converse::{base_model, vendor};
use super::reply::{Block, synthesize};
use super::wire::{ApiError, json_ok};
use super::{AuthSeen, Operation, RecordedRequest, Shared, auth, lock};

/// In a batch record's user text, makes the emulator answer that record with an error.
pub const FAIL_RECORD_MARKER: &str = "gw-emulator: fail-record";

/// One job as the emulator keeps it.
#[derive(Clone, Debug)]
pub(crate) struct Job {
    arn: String,
    id: String,
    name: String,
    model_id: String,
    role_arn: String,
    token: Option<String>,
    status: &'static str,
    message: Option<String>,
    submitted: u64,
    modified: u64,
    ended: Option<u64>,
    input_uri: String,
    output_uri: String,
    kms_key: Option<String>,
    vpc: Option<Value>,
    timeout_hours: i64,
    counts: Option<Counts>,
}

#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    total: u64,
    processed: u64,
    success: u64,
    error: u64,
    input_tokens: u64,
    output_tokens: u64,
}

/// Batch knobs the admin API sets.
#[derive(Debug, Default)]
pub(crate) struct BatchControl {
    pub step_ms: Option<u64>,
    pub fail_next_jobs: u32,
}

/// `PUT /_emulator/batch` body.
#[derive(Debug, Deserialize)]
pub(crate) struct BatchSettings {
    #[serde(default)]
    pub step_ms: Option<u64>,
    #[serde(default)]
    pub fail_next_jobs: Option<u32>,
}

/// The control-plane routes.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/model-invocation-job", post(create))
        .route("/model-invocation-job/{id}", get(fetch))
        .route("/model-invocation-job/{id}/stop", post(stop))
        .route("/model-invocation-jobs", get(list))
}

/// `n` random lower-case letters and digits (job ids, message ids).
fn lower_alnum(n: usize) -> String {
    (0..n)
        .map(|_| {
            let i = fastrand::u8(0..36);
            char::from(if i < 10 { b'0' + i } else { b'a' + i - 10 })
        })
        .collect()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn time(secs: u64) -> String {
    DateTime::from_secs(i64::try_from(secs).unwrap_or(0))
        .fmt(Format::DateTime)
        .unwrap_or_default()
}

/// Records, checks the signature and applies scripted faults; the request id on success.
fn admit(
    shared: &Shared,
    req_parts: &axum::http::request::Parts,
    body: &Bytes,
    op: Operation,
    model_id: &str,
) -> Result<(String, String), Box<Response>> {
    let request_id = uuid::Uuid::new_v4().to_string();
    let seen = auth::seen(&req_parts.headers);
    shared.record(RecordedRequest {
        operation: op,
        model_id: model_id.to_string(),
        auth: seen.clone(),
        headers: auth::recorded_headers(&req_parts.headers),
        body: serde_json::from_slice(body).unwrap_or(Value::Null),
    });
    let pq = req_parts
        .uri
        .path_and_query()
        .map_or_else(|| req_parts.uri.path(), |p| p.as_str());
    if let Err(e) = auth::verify(
        &shared.config,
        req_parts.method.as_str(),
        pq,
        &req_parts.headers,
        body,
    ) {
        return Err(Box::new(e.into_response_with_id(&request_id)));
    }
    if let Some(f) = lock(&shared.faults).pick(model_id, op)
        && let Some(err) = super::faults::error_for(&f)
    {
        return Err(Box::new(err.into_response_with_id(&request_id)));
    }
    let region = match seen {
        AuthSeen::SigV4 { region, .. } => region,
        _ => "us-east-1".to_string(),
    };
    Ok((request_id, region))
}

async fn create(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 1 << 20).await else {
        return ApiError::validation("body too large").into_response_with_id("");
    };
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let model_id = v["modelId"].as_str().unwrap_or_default().to_string();
    let (rid, region) = match admit(
        &shared,
        &parts,
        &body,
        Operation::CreateModelInvocationJob,
        &model_id,
    ) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let s = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
    let (Some(name), Some(role), Some(input), Some(output)) = (
        s("/jobName"),
        s("/roleArn"),
        s("/inputDataConfig/s3InputDataConfig/s3Uri"),
        s("/outputDataConfig/s3OutputDataConfig/s3Uri"),
    ) else {
        return ApiError::validation(
            "jobName, roleArn, modelId, inputDataConfig.s3InputDataConfig.s3Uri and outputDataConfig.s3OutputDataConfig.s3Uri are required",
        )
        .into_response_with_id(&rid);
    };
    if model_id.is_empty() || vendor(base_model(&model_id)).is_none() {
        return ApiError::validation(format!(
            "The provided model identifier `{model_id}` is invalid."
        ))
        .into_response_with_id(&rid);
    }
    let token = s("/clientRequestToken");
    let mut jobs = lock(&shared.jobs);
    if let Some(t) = &token
        && let Some(j) = jobs.iter().find(|j| j.token.as_ref() == Some(t))
    {
        return json_ok(&json!({ "jobArn": j.arn }), &rid);
    }
    if jobs.iter().any(|j| j.name == name) {
        return ApiError::new(
            400,
            "ValidationException",
            format!("A job with the name {name} already exists."),
        )
        .into_response_with_id(&rid);
    }
    let id = lower_alnum(12);
    let arn = format!("arn:aws:bedrock:{region}:000000000000:model-invocation-job/{id}");
    let t = now();
    jobs.push(Job {
        arn: arn.clone(),
        id,
        name,
        model_id,
        role_arn: role,
        token,
        status: "Submitted",
        message: None,
        submitted: t,
        modified: t,
        ended: None,
        input_uri: input,
        output_uri: output,
        kms_key: s("/outputDataConfig/s3OutputDataConfig/s3EncryptionKeyId"),
        vpc: v.get("vpcConfig").cloned(),
        timeout_hours: v["timeoutDurationInHours"].as_i64().unwrap_or(24),
        counts: None,
    });
    drop(jobs);
    tokio::spawn(run(Arc::clone(&shared), arn.clone()));
    json_ok(&json!({ "jobArn": arn }), &rid)
}

fn find<'a>(jobs: &'a mut [Job], ident: &str) -> Option<&'a mut Job> {
    jobs.iter_mut()
        .find(|j| j.arn == ident || j.id == ident || j.name == ident)
}

fn not_found(rid: &str, ident: &str) -> Response {
    ApiError::new(
        404,
        "ResourceNotFoundException",
        format!("The specified job {ident} could not be found."),
    )
    .into_response_with_id(rid)
}

async fn fetch(
    State(shared): State<Arc<Shared>>,
    Path(ident): Path<String>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let model = lock(&shared.jobs)
        .iter()
        .find(|j| j.arn == ident || j.id == ident)
        .map(|j| j.model_id.clone())
        .unwrap_or_default();
    let rid = match admit(
        &shared,
        &parts,
        &Bytes::new(),
        Operation::GetModelInvocationJob,
        &model,
    ) {
        Ok((rid, _)) => rid,
        Err(r) => return *r,
    };
    let mut jobs = lock(&shared.jobs);
    match find(&mut jobs, &ident) {
        Some(j) => json_ok(&describe(j), &rid),
        None => not_found(&rid, &ident),
    }
}

async fn stop(
    State(shared): State<Arc<Shared>>,
    Path(ident): Path<String>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 1 << 16)
        .await
        .unwrap_or_default();
    let rid = match admit(
        &shared,
        &parts,
        &body,
        Operation::StopModelInvocationJob,
        "",
    ) {
        Ok((rid, _)) => rid,
        Err(r) => return *r,
    };
    let mut jobs = lock(&shared.jobs);
    let Some(j) = find(&mut jobs, &ident) else {
        return not_found(&rid, &ident);
    };
    if !matches!(
        j.status,
        "Submitted" | "Validating" | "Scheduled" | "InProgress"
    ) {
        return ApiError::validation(format!(
            "The job {} is in status {} and cannot be stopped.",
            j.arn, j.status
        ))
        .into_response_with_id(&rid);
    }
    j.status = "Stopping";
    j.modified = now();
    json_ok(&json!({}), &rid)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    name_contains: Option<String>,
    status_equals: Option<String>,
    max_results: Option<usize>,
    next_token: Option<String>,
    sort_order: Option<String>,
}

async fn list(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<ListQuery>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let rid = match admit(
        &shared,
        &parts,
        &Bytes::new(),
        Operation::ListModelInvocationJobs,
        "",
    ) {
        Ok((rid, _)) => rid,
        Err(r) => return *r,
    };
    let jobs = lock(&shared.jobs);
    let mut matching: Vec<&Job> = jobs
        .iter()
        .filter(|j| q.name_contains.as_ref().is_none_or(|n| j.name.contains(n)))
        .filter(|j| q.status_equals.as_ref().is_none_or(|s| j.status == s))
        .collect();
    // Newest first unless asked otherwise, as Bedrock sorts by creation time.
    matching.sort_by_key(|j| (j.submitted, j.arn.clone()));
    if q.sort_order.as_deref() != Some("Ascending") {
        matching.reverse();
    }
    let start: usize = q
        .next_token
        .as_deref()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let max = q.max_results.unwrap_or(1000).clamp(1, 1000);
    let page: Vec<Value> = matching
        .iter()
        .skip(start)
        .take(max)
        .map(|j| describe(j))
        .collect();
    let mut out = json!({ "invocationJobSummaries": page });
    if start + max < matching.len() {
        out["nextToken"] = json!((start + max).to_string());
    }
    json_ok(&out, &rid)
}

fn describe(j: &Job) -> Value {
    let mut output = json!({ "s3Uri": j.output_uri });
    if let Some(k) = &j.kms_key {
        output["s3EncryptionKeyId"] = json!(k);
    }
    let mut v = json!({
        "jobArn": j.arn,
        "jobName": j.name,
        "modelId": j.model_id,
        "roleArn": j.role_arn,
        "status": j.status,
        "submitTime": time(j.submitted),
        "lastModifiedTime": time(j.modified),
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": j.input_uri, "s3InputFormat": "JSONL"}},
        "outputDataConfig": {"s3OutputDataConfig": output},
        "timeoutDurationInHours": j.timeout_hours,
        "jobExpirationTime": time(j.submitted + 3600 * u64::try_from(j.timeout_hours).unwrap_or(24)),
    });
    if let Some(t) = &j.token {
        v["clientRequestToken"] = json!(t);
    }
    if let Some(m) = &j.message {
        v["message"] = json!(m);
    }
    if let Some(e) = j.ended {
        v["endTime"] = json!(time(e));
    }
    if let Some(vpc) = &j.vpc {
        v["vpcConfig"] = vpc.clone();
    }
    if let Some(c) = j.counts {
        v["totalRecordCount"] = json!(c.total);
        v["processedRecordCount"] = json!(c.processed);
        v["successRecordCount"] = json!(c.success);
        v["errorRecordCount"] = json!(c.error);
    }
    v
}

/// Moves a job to `status` unless it was stopped meanwhile; false when it is stopping.
fn advance(shared: &Shared, arn: &str, status: &'static str) -> bool {
    let mut jobs = lock(&shared.jobs);
    let Some(j) = jobs.iter_mut().find(|j| j.arn == arn) else {
        return false;
    };
    if j.status == "Stopping" {
        j.status = "Stopped";
        j.modified = now();
        j.ended = Some(j.modified);
        return false;
    }
    j.status = status;
    j.modified = now();
    true
}

fn finish(shared: &Shared, arn: &str, status: &'static str, message: Option<String>, c: Counts) {
    let mut jobs = lock(&shared.jobs);
    if let Some(j) = jobs.iter_mut().find(|j| j.arn == arn) {
        j.status = if j.status == "Stopping" {
            "Stopped"
        } else {
            status
        };
        j.message = message;
        j.modified = now();
        j.ended = Some(j.modified);
        j.counts = Some(c);
    }
}

fn split_uri(uri: &str) -> Option<(&str, &str)> {
    uri.strip_prefix("s3://")?.split_once('/')
}

/// The job's life, one status per step.
async fn run(shared: Arc<Shared>, arn: String) {
    let step = || {
        let ms = lock(&shared.batch).step_ms;
        tokio::time::sleep(Duration::from_millis(
            ms.unwrap_or(shared.config.batch_step_ms),
        ))
    };
    for status in ["Validating", "Scheduled", "InProgress"] {
        step().await;
        if !advance(&shared, &arn, status) {
            return;
        }
    }
    let Some(job) = lock(&shared.jobs).iter().find(|j| j.arn == arn).cloned() else {
        return;
    };
    let fail = {
        let mut control = lock(&shared.batch);
        let fail = control.fail_next_jobs > 0;
        control.fail_next_jobs = control.fail_next_jobs.saturating_sub(1);
        fail
    };
    {
        if fail {
            step().await;
            let msg = "Internal failure while processing the job (emulator fault).".to_string();
            finish(&shared, &arn, "Failed", Some(msg), Counts::default());
            return;
        }
    }
    let input = split_uri(&job.input_uri).and_then(|(b, k)| shared.s3.object(b, k));
    let Some(text) = input.and_then(|p| std::fs::read_to_string(p).ok()) else {
        step().await;
        let msg = format!("The input file {} was not found.", job.input_uri);
        finish(&shared, &arn, "Failed", Some(msg), Counts::default());
        return;
    };
    let (lines, counts) = answer_all(&shared, &job.model_id, &text);
    step().await;
    let file = job.input_uri.rsplit('/').next().unwrap_or("input.jsonl");
    let out_dir = job.output_uri.trim_end_matches('/');
    let written = split_uri(&format!("{out_dir}/{}/{file}.out", job.id))
        .and_then(|(b, k)| shared.s3.object(b, k))
        .zip(
            split_uri(&format!("{out_dir}/{}/manifest.json.out", job.id))
                .and_then(|(b, k)| shared.s3.object(b, k)),
        )
        .and_then(|(out, manifest)| {
            std::fs::create_dir_all(out.parent()?).ok()?;
            std::fs::write(&out, lines).ok()?;
            let m = json!({
                "totalRecordCount": counts.total,
                "processedRecordCount": counts.processed,
                "successRecordCount": counts.success,
                "errorRecordCount": counts.error,
                "inputTokenCount": counts.input_tokens,
                "outputTokenCount": counts.output_tokens,
            });
            std::fs::write(&manifest, m.to_string()).ok()
        });
    match written {
        None => finish(
            &shared,
            &arn,
            "Failed",
            Some(format!("Could not write to {}.", job.output_uri)),
            counts,
        ),
        Some(()) if counts.error == 0 => finish(&shared, &arn, "Completed", None, counts),
        Some(()) if counts.success == 0 => finish(
            &shared,
            &arn,
            "Failed",
            Some("Every record failed.".into()),
            counts,
        ),
        Some(()) => finish(&shared, &arn, "PartiallyCompleted", None, counts),
    }
}

/// Every record answered: the `.jsonl.out` text and the counts.
fn answer_all(shared: &Shared, model_id: &str, text: &str) -> (String, Counts) {
    let anthropic = vendor(base_model(model_id)) == Some("anthropic");
    let mut out = String::new();
    let mut c = Counts::default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        c.total += 1;
        c.processed += 1;
        let record: Value = serde_json::from_str(line).unwrap_or(Value::Null);
        let input = record.get("modelInput").cloned().unwrap_or(Value::Null);
        let mut row = json!({ "recordId": record.get("recordId").cloned().unwrap_or(Value::Null), "modelInput": input });
        match answer(shared, anthropic, &input) {
            Ok((output, usage)) => {
                c.success += 1;
                c.input_tokens += usage.0;
                c.output_tokens += usage.1;
                row["modelOutput"] = output;
            }
            Err(message) => {
                c.error += 1;
                row["error"] = json!({ "errorCode": 400, "errorMessage": message });
            }
        }
        out.push_str(&row.to_string());
        out.push('\n');
    }
    (out, c)
}

/// One record, as InvokeModel would answer it: the native output and (input, output) tokens.
fn answer(shared: &Shared, anthropic: bool, input: &Value) -> Result<(Value, (u64, u64)), String> {
    let messages = input
        .get("messages")
        .and_then(Value::as_array)
        .filter(|m| !m.is_empty())
        .ok_or("messages: required, a non-empty list")?;
    if anthropic {
        if input.get("anthropic_version").and_then(Value::as_str) != Some("bedrock-2023-05-31") {
            return Err("anthropic_version: must be bedrock-2023-05-31".into());
        }
        if input.get("max_tokens").and_then(Value::as_u64).is_none() {
            return Err("max_tokens: required".into());
        }
    } else if input.get("schemaVersion").and_then(Value::as_str) != Some("messages-v1") {
        return Err("schemaVersion: must be messages-v1".into());
    }
    // The same reply synthesis as Converse: native messages recast as Converse messages.
    let converse_msgs: Vec<Value> = messages
        .iter()
        .map(|m| {
            let blocks: Vec<Value> = m["content"]
                .as_array()
                .map(|c| {
                    c.iter()
                        .filter_map(|b| b.get("text").cloned())
                        .map(|t| json!({ "text": t }))
                        .collect()
                })
                .unwrap_or_else(|| vec![json!({ "text": m["content"].clone() })]);
            json!({ "role": m["role"], "content": blocks })
        })
        .collect();
    let user_text: String = converse_msgs
        .iter()
        .filter(|m| m["role"] == "user")
        .flat_map(|m| m["content"].as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["text"].as_str().map(str::to_string))
        .collect();
    if user_text.contains(FAIL_RECORD_MARKER) {
        return Err("The model could not process this record (emulator fault).".into());
    }
    let max_tokens = input
        .get("max_tokens")
        .or_else(|| input.pointer("/inferenceConfig/maxTokens"))
        .cloned()
        .unwrap_or(json!(4096));
    let body = json!({ "messages": converse_msgs, "inferenceConfig": {"maxTokens": max_tokens} });
    let reply = synthesize(&body, &shared.cache);
    let text: String = reply
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    let (i, o) = (reply.usage.input, reply.usage.output);
    let output = if anthropic {
        json!({
            "id": format!("msg_bdrk_{}", lower_alnum(24)),
            "type": "message",
            "role": "assistant",
            "content": [{"type": "text", "text": text}],
            "stop_reason": reply.stop_reason,
            "stop_sequence": null,
            "usage": {"input_tokens": i, "output_tokens": o},
        })
    } else {
        json!({
            "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
            "stopReason": reply.stop_reason,
            "usage": {"inputTokens": i, "outputTokens": o, "totalTokens": i + o},
        })
    };
    Ok((output, (i, o)))
}

/// `PUT /_emulator/batch`.
pub(crate) fn configure(shared: &Shared, settings: BatchSettings) {
    let mut control = lock(&shared.batch);
    if let Some(ms) = settings.step_ms {
        control.step_ms = Some(ms);
    }
    if let Some(n) = settings.fail_next_jobs {
        control.fail_next_jobs = n;
    }
}
