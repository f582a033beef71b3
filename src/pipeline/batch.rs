//! Batch inference through the chain: every record of an uploaded file passes the request-side
//! policies (a redaction is what S3 stores, a blocked record is refused by line and never
//! uploaded), and every result line passes the response-side policies and gets its own audit
//! record with its batch-priced cost when it is served. No side door: batch is chat, offline.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use crate::access::Grant;
use crate::error::{ApiError, ErrorKind};
use crate::ir::ChatRequest;
use crate::openai::batch::{
    BatchObject, CreateBatch, FileObject, FileRef, LineError, RequestCounts, batch_id, batch_status,
};
use crate::openai::{self, ChatCompletionRequest};
use crate::policy::Decision;
use crate::provider::bedrock::batch::{BatchStore, JobInfo, is_terminal};
use crate::runtime::Runtime;

use super::admit::{authorize, check_enabled};
use super::{Call, Failure, Outcome};

/// Most line errors spelled out in one 400 (the count is always given).
const MAX_LISTED_ERRORS: usize = 20;

/// S3 user-metadata keys of an uploaded input file.
const META_FILENAME: &str = "gw-filename";
const META_MODEL: &str = "gw-model";
const META_RECORDS: &str = "gw-records";
const META_OWNER: &str = "gw-owner";

/// Whose files and jobs these are: a short digest of the caller's key id (the same for every
/// caller without `auth`). It rests in the input's metadata and in the job's name, so one key
/// never sees another key's files or batches, on any replica, without a database.
fn owner_tag(key_id: Option<&str>) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(key_id.unwrap_or("").as_bytes());
    hex::encode(&digest[..4])
}

/// A file ready for S3: Bedrock's JSONL, one `{recordId, modelInput}` per record.
pub struct Prepared {
    pub jsonl: Vec<u8>,
    pub custom_ids: Vec<String>,
    pub model: String,
    pub store: Arc<BatchStore>,
}

fn rejected(e: ApiError) -> Box<Failure> {
    Failure::new(e, Outcome::Rejected)
}

/// The first target of `model`'s route that has a `batch` section.
pub fn store_for(rt: &Runtime, model: &str) -> Result<Arc<BatchStore>, ApiError> {
    let route = rt.route(model)?;
    route
        .targets
        .iter()
        .find_map(|&i| rt.batch.get(&rt.targets[i].spec.id).cloned())
        .ok_or_else(|| {
            ApiError::invalid_request(format!(
                "model `{model}` has no target with batch inference; give one of its targets a `batch` section in the pack"
            ))
            .with_param("model")
            .with_code("batch_not_configured")
        })
}

/// The store a file or batch id names.
fn store_named(rt: &Runtime, target: &str) -> Result<Arc<BatchStore>, ApiError> {
    rt.batch.get(target).cloned().ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorKind::NotFound,
            format!("target `{target}` no longer serves batches in the pack in force"),
        )
    })
}

fn unknown(what: &str, id: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorKind::NotFound,
        format!("no such {what}: `{}`", crate::bounded::bounded(id)),
    )
}

/// Checks every line of an upload and runs the request chain on each record. All refusals
/// come back at once, as one 400 listing line numbers and reasons.
/// CPU-bound (the chain on every record): callers run it off the async threads.
pub fn prepare(
    rt: &Runtime,
    data: &[u8],
    decisions: &mut Vec<Decision>,
) -> Result<Prepared, Box<Failure>> {
    let text = std::str::from_utf8(data)
        .map_err(|_| rejected(ApiError::invalid_request("the file is not UTF-8 text")))?;
    let mut errors: Vec<LineError> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut model: Option<(String, Arc<BatchStore>)> = None;
    let mut out = Vec::with_capacity(data.len());
    let mut custom_ids = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let mut err = |custom_id: Option<&str>, code: &'static str, message: String| {
            errors.push(LineError {
                line: n,
                custom_id: custom_id.map(str::to_string),
                code,
                message,
            });
        };
        let v: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                err(None, "invalid_json", format!("not JSON: {e}"));
                continue;
            }
        };
        let Some(custom_id) = v.get("custom_id").and_then(Value::as_str) else {
            err(
                None,
                "missing_custom_id",
                "`custom_id` (a string) is required".into(),
            );
            continue;
        };
        let cid = Some(custom_id);
        if v.get("method").and_then(Value::as_str) != Some("POST") {
            err(cid, "invalid_method", "`method` must be `POST`".into());
            continue;
        }
        if v.get("url").and_then(Value::as_str) != Some("/v1/chat/completions") {
            err(
                cid,
                "invalid_url",
                "`url` must be `/v1/chat/completions`".into(),
            );
            continue;
        }
        if !seen.insert(custom_id.to_string()) {
            err(
                cid,
                "duplicate_custom_id",
                format!("`custom_id` `{custom_id}` appears twice"),
            );
            continue;
        }
        let body: ChatCompletionRequest = match v.get("body").cloned().map(serde_json::from_value) {
            Some(Ok(b)) => b,
            Some(Err(e)) => {
                err(
                    cid,
                    "invalid_body",
                    format!("`body` is not a chat completion request: {e}"),
                );
                continue;
            }
            None => {
                err(cid, "invalid_body", "`body` is required".into());
                continue;
            }
        };
        if body.stream == Some(true) {
            err(
                cid,
                "invalid_body",
                "`stream` is not allowed in a batch".into(),
            );
            continue;
        }
        let store = match &model {
            Some((m, s)) if *m == body.model => s.clone(),
            Some((m, _)) => {
                err(
                    cid,
                    "mixed_models",
                    format!(
                        "model `{}` differs from the file's model `{m}`; one model per file",
                        body.model
                    ),
                );
                continue;
            }
            None => match store_for(rt, &body.model) {
                Ok(s) => {
                    model = Some((body.model.clone(), s.clone()));
                    s
                }
                Err(e) => {
                    err(cid, "invalid_model", e.message.clone());
                    continue;
                }
            },
        };
        let mut req: ChatRequest = match openai::to_ir(body) {
            Ok(r) => r,
            Err(e) => {
                err(cid, "invalid_body", e.message.clone());
                continue;
            }
        };
        let mut chain = rt.chain.start();
        let verdict = chain.on_request(&mut req);
        decisions.extend(chain.take_decisions());
        if let Err(e) = verdict {
            err(cid, "blocked_by_policy", e.message.clone());
            continue;
        }
        match store.record_input(&req) {
            Ok(input) => {
                let record_id = format!("R{:010}", custom_ids.len() + 1);
                serde_json::to_writer(
                    &mut out,
                    &json!({"recordId": record_id, "modelInput": input}),
                )
                .map_err(|e| rejected(ApiError::internal(e.to_string())))?;
                out.push(b'\n');
                custom_ids.push(custom_id.to_string());
            }
            Err(m) => err(cid, "unsupported", m),
        }
    }
    let Some((model, store)) = model else {
        if errors.is_empty() {
            return Err(rejected(ApiError::invalid_request(
                "the file has no records",
            )));
        }
        return Err(refused_lines(&errors));
    };
    if !errors.is_empty() {
        let f = refused_lines(&errors);
        let blocked = errors.iter().all(|e| e.code == "blocked_by_policy");
        return Err(if blocked {
            Failure::new(f.error, Outcome::Blocked)
        } else {
            f
        });
    }
    if custom_ids.len() as u64 > store.cfg.max_records {
        return Err(rejected(ApiError::invalid_request(format!(
            "the file has {} records; the most a batch file may have is {}",
            custom_ids.len(),
            store.cfg.max_records
        ))));
    }
    Ok(Prepared {
        jsonl: out,
        custom_ids,
        model,
        store,
    })
}

/// One 400 that lists the refused lines.
fn refused_lines(errors: &[LineError]) -> Box<Failure> {
    let mut msg = format!(
        "{} line{} of the file {} refused; nothing was uploaded:",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" },
        if errors.len() == 1 { "was" } else { "were" }
    );
    for e in errors.iter().take(MAX_LISTED_ERRORS) {
        msg.push_str(&format!("\n  line {}", e.line));
        if let Some(c) = &e.custom_id {
            msg.push_str(&format!(" (custom_id `{}`)", crate::bounded::bounded(c)));
        }
        msg.push_str(&format!(": {} — {}", e.code, e.message));
    }
    if errors.len() > MAX_LISTED_ERRORS {
        msg.push_str(&format!(
            "\n  … and {} more",
            errors.len() - MAX_LISTED_ERRORS
        ));
    }
    let code = if errors.iter().all(|e| e.code == "blocked_by_policy") {
        "blocked_by_policy"
    } else {
        "invalid_batch_file"
    };
    rejected(
        ApiError::invalid_request(msg)
            .with_param("file")
            .with_code(code),
    )
}

/// `POST /v1/files`: checks, polices and uploads the file; its file object.
pub async fn upload(
    rt: &Arc<Runtime>,
    headers: &HeaderMap,
    filename: &str,
    data: bytes::Bytes,
    call: &mut Call,
) -> Result<FileObject, Box<Failure>> {
    check_enabled(rt).map_err(rejected)?;
    identified(rt, headers)?;
    let log = &mut call.log;
    let size = data.len() as u64;
    let rt2 = Arc::clone(rt);
    let (prepared, decisions) = tokio::task::spawn_blocking(move || {
        let mut decisions = Vec::new();
        (prepare(&rt2, &data, &mut decisions), decisions)
    })
    .await
    .map_err(|e| Failure::new(ApiError::internal(e.to_string()), Outcome::Failed))?;
    log.add_decisions(decisions);
    let prepared = prepared?;
    log.set_model(&prepared.model, false);
    let grant = authorize(rt, headers, &prepared.model, 0, log).await?;
    let store = &prepared.store;
    if size > store.cfg.max_file_bytes {
        return Err(rejected(ApiError::invalid_request(format!(
            "the file is {} bytes; the most a batch file may have is {}",
            size, store.cfg.max_file_bytes
        ))));
    }
    let key = format!(
        "{}{}.jsonl",
        store.cfg.prefix,
        uuid::Uuid::new_v4().simple()
    );
    let created = crate::clock::unix_now();
    let meta = HashMap::from([
        (META_FILENAME.to_string(), sanitize(filename)),
        (META_MODEL.to_string(), prepared.model.clone()),
        (META_OWNER.to_string(), owner_tag(grant.key_id.as_deref())),
        (
            META_RECORDS.to_string(),
            prepared.custom_ids.len().to_string(),
        ),
    ]);
    let ids = serde_json::to_vec(&prepared.custom_ids)
        .map_err(|e| rejected(ApiError::internal(e.to_string())))?;
    let fail = |e: ApiError| Failure::new(e, Outcome::Failed);
    store
        .put(
            &ids_key(store, &key),
            ids,
            "application/json",
            HashMap::new(),
        )
        .await
        .map_err(fail)?;
    let bytes = prepared.jsonl.len() as u64;
    store
        .put(&key, prepared.jsonl, "application/jsonl", meta)
        .await
        .map_err(fail)?;
    Ok(FileObject {
        id: FileRef::Input {
            target: store.target_id.clone(),
            key,
        }
        .id(),
        object: "file",
        bytes,
        created_at: created,
        filename: filename.to_string(),
        purpose: "batch",
        status: "processed",
    })
}

/// S3 metadata is ASCII: the file name as given, with anything else replaced.
fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .take(200)
        .collect()
}

/// The file a file id names: its store and what it is.
fn resolve_file(rt: &Runtime, id: &str) -> Result<(Arc<BatchStore>, FileRef), ApiError> {
    let f = FileRef::parse(id).ok_or_else(|| unknown("file", id))?;
    let target = match &f {
        FileRef::Input { target, .. } | FileRef::Output { target, .. } => target,
    };
    let store = store_named(rt, target)?;
    // Only input files gw itself wrote: never another object of the bucket.
    if let FileRef::Input { key, .. } = &f
        && !is_input_key(&store, key)
    {
        return Err(unknown("file", id));
    }
    Ok((store, f))
}

/// Where a file's `custom_id`s rest: `<prefix>ids/<name>.json`, outside the input key's own
/// prefix, so Bedrock never reads it as input.
fn ids_key(store: &BatchStore, input_key: &str) -> String {
    let name = input_key
        .strip_prefix(store.cfg.prefix.as_str())
        .and_then(|k| k.strip_suffix(".jsonl"))
        .unwrap_or(input_key);
    format!("{}ids/{name}.json", store.cfg.prefix)
}

/// A 401 for a caller without a valid key, before gw spends an AWS call on it.
fn identified(rt: &Runtime, headers: &HeaderMap) -> Result<Option<String>, Box<Failure>> {
    rt.access
        .identify(headers)
        .map_err(|r| Failure::new(r.error, Outcome::Rejected))
}

/// `<prefix><32 hex>.jsonl`: the shape of every input key gw writes.
fn is_input_key(store: &BatchStore, key: &str) -> bool {
    key.strip_prefix(store.cfg.prefix.as_str())
        .and_then(|k| k.strip_suffix(".jsonl"))
        .is_some_and(|k| k.len() == 32 && k.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// An input file's model, record count and object info; 404 when it is gone.
async fn input_info(
    store: &BatchStore,
    key: &str,
    id: &str,
) -> Result<crate::provider::bedrock::batch::ObjectInfo, ApiError> {
    store.head(key).await.map_err(|e| {
        if e.kind == ErrorKind::NotFound {
            unknown("file", id)
        } else {
            e
        }
    })
}

/// An input file's object info, checked against the caller's key for the file's model.
async fn authorized_input(
    rt: &Runtime,
    headers: &HeaderMap,
    store: &BatchStore,
    key: &str,
    id: &str,
    call: &mut Call,
) -> Result<crate::provider::bedrock::batch::ObjectInfo, Box<Failure>> {
    identified(rt, headers)?;
    let info = input_info(store, key, id).await.map_err(rejected)?;
    let model = info.metadata.get(META_MODEL).cloned().unwrap_or_default();
    call.log.set_model(&model, false);
    let grant = authorize(rt, headers, &model, 0, &mut call.log).await?;
    if info.metadata.get(META_OWNER) != Some(&owner_tag(grant.key_id.as_deref())) {
        return Err(rejected(unknown("file", id)));
    }
    Ok(info)
}

/// `GET /v1/files/{id}`.
pub async fn file(
    rt: &Arc<Runtime>,
    headers: &HeaderMap,
    id: &str,
    call: &mut Call,
) -> Result<FileObject, Box<Failure>> {
    let (store, f) = resolve_file(rt, id).map_err(rejected)?;
    match f {
        FileRef::Input { key, .. } => {
            let info = authorized_input(rt, headers, &store, &key, id, call).await?;
            Ok(FileObject {
                id: id.to_string(),
                object: "file",
                bytes: info.bytes,
                created_at: info.created,
                filename: info
                    .metadata
                    .get(META_FILENAME)
                    .cloned()
                    .unwrap_or_default(),
                purpose: "batch",
                status: "processed",
            })
        }
        FileRef::Output {
            job_arn, errors, ..
        } => {
            let (job, model, _) = job_and_model(rt, headers, &store, &job_arn, call).await?;
            let (lines, _) = results(rt, &store, &job, &model, errors, None).await?;
            Ok(FileObject {
                id: id.to_string(),
                object: "file",
                bytes: lines.len() as u64,
                created_at: job.ended.unwrap_or(job.submitted),
                filename: format!(
                    "{}_{}.jsonl",
                    job.name,
                    if errors { "error" } else { "output" }
                ),
                purpose: "batch_output",
                status: "processed",
            })
        }
    }
}

/// `GET /v1/files/{id}/content`: an input file as stored (Bedrock's format, after the chain),
/// or a job's results as OpenAI batch output lines, each audited as it is served.
pub async fn file_content(
    rt: &Arc<Runtime>,
    headers: &HeaderMap,
    id: &str,
    call: &mut Call,
) -> Result<Vec<u8>, Box<Failure>> {
    let (store, f) = resolve_file(rt, id).map_err(rejected)?;
    match f {
        FileRef::Input { key, .. } => {
            authorized_input(rt, headers, &store, &key, id, call).await?;
            let data = store
                .get(&key, false)
                .await
                .map_err(|e| Failure::new(e, Outcome::Failed))?;
            Ok(data.to_vec())
        }
        FileRef::Output {
            job_arn, errors, ..
        } => {
            let (job, model, grant) = job_and_model(rt, headers, &store, &job_arn, call).await?;
            let (lines, cost) = results(rt, &store, &job, &model, errors, Some(&grant)).await?;
            if !errors {
                charge_once(&store, &job, &grant, cost).await;
            }
            Ok(lines)
        }
    }
}

/// A job, checked against the caller's key for the model of its input file.
async fn job_and_model(
    rt: &Runtime,
    headers: &HeaderMap,
    store: &BatchStore,
    arn: &str,
    call: &mut Call,
) -> Result<(JobInfo, String, Grant), Box<Failure>> {
    identified(rt, headers)?;
    // The ARN names the account: never echoed to the client.
    let gone = || {
        rejected(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorKind::NotFound,
            "no such batch",
        ))
    };
    let job = store.job(arn).await.map_err(|e| {
        if e.kind == ErrorKind::NotFound {
            gone()
        } else {
            Failure::new(e, Outcome::Failed)
        }
    })?;
    let model = match input_key(store, &job) {
        Some(k) => store
            .head(&k)
            .await
            .ok()
            .and_then(|i| i.metadata.get(META_MODEL).cloned())
            .unwrap_or_default(),
        None => String::new(),
    };
    call.log.set_model(&model, false);
    let grant = authorize(rt, headers, &model, 0, &mut call.log).await?;
    let mine = format!(
        "{}-{}-",
        store.cfg.job_name_prefix,
        owner_tag(grant.key_id.as_deref())
    );
    if !job.name.starts_with(&mine) {
        return Err(gone());
    }
    Ok((job, model, grant))
}

/// The input file's key, when the job reads from the store's input bucket.
fn input_key(store: &BatchStore, job: &JobInfo) -> Option<String> {
    let rest = job.input_uri.strip_prefix("s3://")?;
    let (bucket, key) = rest.split_once('/')?;
    (bucket == store.cfg.bucket).then(|| key.to_string())
}

/// Where Bedrock put the job's output lines and manifest (keys in the output bucket).
fn output_keys(job: &JobInfo) -> Option<(String, String)> {
    let rest = job.output_uri.strip_prefix("s3://")?;
    let (_, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let prefix = prefix.trim_end_matches('/');
    let dir = if prefix.is_empty() {
        job.id().to_string()
    } else {
        format!("{prefix}/{}", job.id())
    };
    let file = job.input_uri.rsplit('/').next()?;
    Some((
        format!("{dir}/{file}.out"),
        format!("{dir}/manifest.json.out"),
    ))
}

/// The job's result lines in OpenAI's batch output format: the succeeded ones, or with
/// `errors` the failed ones. With `audit_as` (a request id), every line served gets its own
/// audit record: model, tokens, batch-priced cost, the response chain's decisions.
async fn results(
    rt: &Arc<Runtime>,
    store: &Arc<BatchStore>,
    job: &JobInfo,
    model: &str,
    errors: bool,
    audit_for: Option<&Grant>,
) -> Result<(Vec<u8>, f64), Box<Failure>> {
    let audit = audit_for.is_some();
    let key_id = audit_for.and_then(|g| g.key_id.clone());
    if !is_terminal(&job.status) {
        return Err(rejected(
            ApiError::invalid_request(format!(
                "the batch is still {}; its results are ready once it has completed",
                batch_status(&job.status)
            ))
            .with_code("batch_not_finished"),
        ));
    }
    let failed = |e: ApiError| Failure::new(e, Outcome::Failed);
    let Some((out_key, _)) = output_keys(job) else {
        return Ok((Vec::new(), 0.0));
    };
    let raw = match store.get(&out_key, true).await {
        Ok(b) => b,
        // A job that failed or was stopped early may have written nothing.
        Err(e) if e.kind == ErrorKind::NotFound => return Ok((Vec::new(), 0.0)),
        Err(e) => return Err(failed(e)),
    };
    let ids: Vec<String> = match input_key(store, job) {
        Some(k) => store
            .get(&ids_key(store, &k), false)
            .await
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default(),
        None => Vec::new(),
    };
    // The response chain on every line is CPU-bound: off the async threads.
    let (rt, store, job, model) = (
        Arc::clone(rt),
        Arc::clone(store),
        job.clone(),
        model.to_string(),
    );
    tokio::task::spawn_blocking(move || {
        render(
            &rt,
            &store,
            &job,
            &model,
            errors,
            audit,
            &raw,
            &ids,
            key_id.as_deref(),
        )
    })
    .await
    .map_err(|e| failed(ApiError::internal(e.to_string())))?
}

/// The output lines as OpenAI batch output lines (see [`results`]), and what they cost.
#[allow(
    clippy::too_many_arguments,
    reason = "one call site, every argument a different thing"
)]
fn render(
    rt: &Runtime,
    store: &BatchStore,
    job: &JobInfo,
    model: &str,
    errors: bool,
    audit: bool,
    raw: &[u8],
    ids: &[String],
    key_id: Option<&str>,
) -> Result<(Vec<u8>, f64), Box<Failure>> {
    let failed = |e: ApiError| Failure::new(e, Outcome::Failed);
    let target = rt.targets.iter().find(|t| t.spec.id == store.target_id);
    let price = target.and_then(|t| t.access.price);
    let created = job.ended.unwrap_or(job.submitted);
    let text = String::from_utf8_lossy(raw);
    let mut out = Vec::with_capacity(raw.len());
    let mut total = 0.0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let record_id = v
            .get("recordId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let custom_id = record_id
            .strip_prefix('R')
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| ids.get(n.wrapping_sub(1)))
            .cloned()
            .unwrap_or_else(|| record_id.to_string());
        let line_id = format!("batch_req_{}", uuid::Uuid::new_v4().simple());
        let (mut decisions, mut usage, mut cost, mut blocked) = (Vec::new(), None, None, false);
        let (row, ok) = match v.get("modelOutput") {
            Some(output) if v.get("error").is_none_or(Value::is_null) => {
                match store.record_output(output) {
                    Ok(mut resp) => {
                        let mut chain = rt.chain.start();
                        let verdict = chain.on_response(&mut resp);
                        cost = price.map(|p| p.cost(&resp.usage) * store.cfg.price_factor);
                        total += cost.unwrap_or(0.0);
                        decisions = chain.take_decisions();
                        usage = Some(resp.usage);
                        blocked = verdict.is_err();
                        match verdict {
                            Ok(()) => {
                                let body = openai::completion(&resp, &line_id, model, created);
                                (
                                    json!({"id": line_id, "custom_id": custom_id,
                                       "response": {"status_code": 200, "request_id": line_id, "body": body},
                                       "error": null}),
                                    true,
                                )
                            }
                            Err(e) => (
                                error_line(
                                    &line_id,
                                    &custom_id,
                                    e.status.as_u16(),
                                    e.label(),
                                    &e.message,
                                ),
                                false,
                            ),
                        }
                    }
                    Err(m) => (
                        error_line(&line_id, &custom_id, 502, "invalid_model_output", &m),
                        false,
                    ),
                }
            }
            _ => {
                let err = v.get("error");
                let code = err
                    .and_then(|e| e.get("errorCode"))
                    .and_then(Value::as_u64)
                    .and_then(|c| u16::try_from(c).ok())
                    .unwrap_or(500);
                let message = err
                    .and_then(|e| e.get("errorMessage"))
                    .and_then(Value::as_str)
                    .unwrap_or("the record failed");
                (
                    error_line(&line_id, &custom_id, code, "bedrock_record_error", message),
                    false,
                )
            }
        };
        if ok == errors {
            // Not part of this file; its record is written when the other file is served.
            continue;
        }
        serde_json::to_writer(&mut out, &row)
            .map_err(|e| failed(ApiError::internal(e.to_string())))?;
        out.push(b'\n');
        if audit {
            // One record per line served, opened only for the lines this file holds.
            let mut c = Call::open(rt, "batches.result");
            c.set_model(model, false);
            if let Some(r) = c.log.record() {
                r.key_id = key_id.map(str::to_string);
            }
            c.log.add_decisions(decisions);
            if let Some(u) = usage {
                c.log.set_usage(u);
            }
            c.log.set_cost(cost);
            let status = row["response"]["status_code"].as_u64().unwrap_or(500);
            let outcome = match (ok, blocked) {
                (true, _) => Outcome::Served,
                (false, true) => Outcome::Blocked,
                (false, false) => Outcome::Failed,
            };
            c.log.finish(
                u16::try_from(status).unwrap_or(500),
                outcome,
                row["error"]["code"].as_str(),
            );
        }
    }
    Ok((out, total))
}

/// Charges the collecting key's budget for the job's results, once across every replica and
/// download: whoever creates the marker object beside the job's metadata (an S3 conditional
/// write, so two concurrent downloads cannot both win) pays.
async fn charge_once(store: &BatchStore, job: &JobInfo, grant: &Grant, cost: f64) {
    let marker = format!("{}batches/{}.charged", store.cfg.prefix, job.name);
    match store
        .create(&marker, format!("{cost}").into_bytes(), "text/plain")
        .await
    {
        Ok(true) => grant.charge(cost),
        Ok(false) => {}
        Err(e) => tracing::warn!(job = %job.arn, error = %e, "batch results not charged"),
    }
}

fn error_line(id: &str, custom_id: &str, status: u16, code: &str, message: &str) -> Value {
    json!({
        "id": id,
        "custom_id": custom_id,
        "response": {"status_code": status, "request_id": id,
                     "body": {"error": {"message": message, "type": "invalid_request_error", "code": code}}},
        "error": {"code": code, "message": message},
    })
}

/// `POST /v1/batches`.
pub async fn create(
    rt: &Runtime,
    headers: &HeaderMap,
    req: CreateBatch,
    call: &mut Call,
) -> Result<BatchObject, Box<Failure>> {
    check_enabled(rt).map_err(rejected)?;
    if req.endpoint != "/v1/chat/completions" {
        return Err(rejected(
            ApiError::invalid_request(format!(
                "endpoint `{}` is not served in batches; use `/v1/chat/completions`",
                crate::bounded::bounded(&req.endpoint)
            ))
            .with_param("endpoint"),
        ));
    }
    if req.completion_window != "24h" {
        return Err(rejected(
            ApiError::invalid_request("completion_window must be `24h`")
                .with_param("completion_window"),
        ));
    }
    let (store, f) = resolve_file(rt, &req.input_file_id).map_err(rejected)?;
    let FileRef::Input { key, .. } = f else {
        return Err(rejected(
            ApiError::invalid_request("input_file_id names a batch's output, not an uploaded file")
                .with_param("input_file_id"),
        ));
    };
    let info = authorized_input(rt, headers, &store, &key, &req.input_file_id, call).await?;
    let records: u64 = info
        .metadata
        .get(META_RECORDS)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    if records < store.cfg.min_records {
        return Err(rejected(
            ApiError::invalid_request(format!(
                "the file has {records} records; a Bedrock batch job needs at least {} (min_records of target `{}`)",
                store.cfg.min_records, store.target_id
            ))
            .with_param("input_file_id")
            .with_code("too_few_records"),
        ));
    }
    let owner = info.metadata.get(META_OWNER).cloned().unwrap_or_default();
    // With an `Idempotency-Key`, a retried create names the same job (Bedrock answers a repeated
    // client token with the job it already made); without one, every create is a new job.
    let unique = match headers.get("idempotency-key").and_then(|v| v.to_str().ok()) {
        Some(k) => {
            use sha2::Digest as _;
            let seed = format!("{owner}\n{}\n{k}", req.input_file_id);
            hex::encode(&sha2::Sha256::digest(seed.as_bytes())[..8])
        }
        None => uuid::Uuid::new_v4().simple().to_string()[..16].to_string(),
    };
    let name = format!("{}-{owner}-{unique}", store.cfg.job_name_prefix);
    let failed = |e: ApiError| Failure::new(e, Outcome::Failed);
    let sidecar =
        json!({"metadata": req.metadata, "input_file_id": req.input_file_id, "records": records});
    let arn = store.create_job(&name, &key).await.map_err(failed)?;
    // Written after the job exists, so a refused job leaves nothing behind. Without it the
    // batch still works; only its metadata is lost.
    if let Err(e) = store
        .put(
            &sidecar_key(&store, &name),
            sidecar.to_string().into_bytes(),
            "application/json",
            HashMap::new(),
        )
        .await
    {
        tracing::warn!(job = %arn, error = %e, "could not store the batch's metadata beside its job");
    }
    let job = store.job(&arn).await.map_err(failed)?;
    Ok(object(
        &store,
        &job,
        &req.input_file_id,
        req.metadata,
        Some(records),
        None,
    ))
}

fn sidecar_key(store: &BatchStore, job_name: &str) -> String {
    format!("{}batches/{job_name}.json", store.cfg.prefix)
}

/// The batch object for a job: status, ids, times, counts.
fn object(
    store: &BatchStore,
    job: &JobInfo,
    input_file_id: &str,
    metadata: Option<serde_json::Map<String, Value>>,
    records: Option<u64>,
    manifest: Option<RequestCounts>,
) -> BatchObject {
    let status = batch_status(&job.status);
    let counts = manifest.unwrap_or_else(|| match job.counts {
        Some([total, _, ok, bad]) => RequestCounts {
            total,
            completed: ok,
            failed: bad,
        },
        None => RequestCounts {
            total: records.unwrap_or(0),
            ..RequestCounts::default()
        },
    });
    // Completed jobs, and stopped or expired ones that got some way, have results to collect.
    let done = status == "completed";
    let partial = matches!(status, "cancelled" | "expired") && counts.completed + counts.failed > 0;
    let file = |errors| {
        FileRef::Output {
            target: store.target_id.clone(),
            job_arn: job.arn.clone(),
            errors,
        }
        .id()
    };
    let at = |s: &str| (status == s).then_some(job.ended.or(job.modified).unwrap_or(job.submitted));
    BatchObject {
        id: batch_id(&store.target_id, &job.arn),
        object: "batch",
        endpoint: "/v1/chat/completions".into(),
        errors: job.message.as_ref().filter(|_| status == "failed").map(|m| {
            json!({"object": "list", "data": [{"code": "batch_failed", "message": m, "param": null, "line": null}]})
        }),
        input_file_id: input_file_id.to_string(),
        completion_window: "24h".into(),
        status,
        output_file_id: ((done && (counts.completed > 0 || counts.failed == 0))
            || (partial && counts.completed > 0))
            .then(|| file(false)),
        error_file_id: ((done || partial) && counts.failed > 0).then(|| file(true)),
        created_at: job.submitted,
        in_progress_at: matches!(status, "in_progress" | "completed" | "cancelling" | "cancelled")
            .then_some(job.modified.unwrap_or(job.submitted)),
        expires_at: job.expires,
        finalizing_at: at("completed"),
        completed_at: at("completed"),
        failed_at: at("failed"),
        expired_at: at("expired"),
        cancelling_at: matches!(status, "cancelling" | "cancelled").then_some(job.modified.unwrap_or(job.submitted)),
        cancelled_at: at("cancelled"),
        request_counts: counts,
        metadata,
    }
}

/// Reads what gw kept beside the job (metadata, input file id) and Bedrock's manifest.
async fn describe(store: &BatchStore, job: &JobInfo) -> BatchObject {
    let sidecar: Value = store
        .get(&sidecar_key(store, &job.name), false)
        .await
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    let metadata = sidecar.get("metadata").and_then(Value::as_object).cloned();
    let input_file_id = sidecar
        .get("input_file_id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| {
            input_key(store, job).map(|key| {
                FileRef::Input {
                    target: store.target_id.clone(),
                    key,
                }
                .id()
            })
        })
        .unwrap_or_default();
    let manifest = if is_terminal(&job.status) {
        match output_keys(job) {
            Some((_, m)) => store
                .get(&m, true)
                .await
                .ok()
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                .map(|m| {
                    let n = |k: &str| m.get(k).and_then(Value::as_u64).unwrap_or(0);
                    RequestCounts {
                        total: n("totalRecordCount"),
                        completed: n("successRecordCount"),
                        failed: n("errorRecordCount"),
                    }
                }),
            None => None,
        }
    } else {
        None
    };
    let records = sidecar.get("records").and_then(Value::as_u64);
    object(store, job, &input_file_id, metadata, records, manifest)
}

/// The store and job a batch id names, checked against the caller's key.
async fn batch_job(
    rt: &Runtime,
    headers: &HeaderMap,
    id: &str,
    call: &mut Call,
) -> Result<(Arc<BatchStore>, JobInfo), Box<Failure>> {
    let (target, arn) =
        crate::openai::batch::parse_batch_id(id).ok_or_else(|| rejected(unknown("batch", id)))?;
    let store = store_named(rt, &target).map_err(rejected)?;
    let (job, _, _) = job_and_model(rt, headers, &store, &arn, call).await?;
    Ok((store, job))
}

/// `GET /v1/batches/{id}`.
pub async fn retrieve(
    rt: &Runtime,
    headers: &HeaderMap,
    id: &str,
    call: &mut Call,
) -> Result<BatchObject, Box<Failure>> {
    let (store, job) = batch_job(rt, headers, id, call).await?;
    Ok(describe(&store, &job).await)
}

/// `POST /v1/batches/{id}/cancel`.
pub async fn cancel(
    rt: &Runtime,
    headers: &HeaderMap,
    id: &str,
    call: &mut Call,
) -> Result<BatchObject, Box<Failure>> {
    let (store, job) = batch_job(rt, headers, id, call).await?;
    if is_terminal(&job.status) {
        return Err(rejected(ApiError::invalid_request(format!(
            "the batch is already {}; only a running batch can be cancelled",
            batch_status(&job.status)
        ))));
    }
    let failed = |e: ApiError| Failure::new(e, Outcome::Failed);
    store.stop(&job.arn).await.map_err(failed)?;
    let job = store.job(&job.arn).await.map_err(failed)?;
    Ok(describe(&store, &job).await)
}

/// `GET /v1/batches?after&limit`: every batch-serving target's jobs, newest first.
pub async fn list(
    rt: &Runtime,
    headers: &HeaderMap,
    after: Option<&str>,
    limit: usize,
    call: &mut Call,
) -> Result<crate::openai::batch::BatchList, Box<Failure>> {
    let key = identified(rt, headers)?;
    let owner = owner_tag(key.as_deref());
    if let (Some(id), Some(r)) = (key, call.log.record()) {
        r.key_id = Some(id);
    }
    let limit = limit.clamp(1, 100);
    let mut jobs: Vec<(Arc<BatchStore>, JobInfo)> = Vec::new();
    let mut stores: Vec<&Arc<BatchStore>> = rt.batch.values().collect();
    stores.sort_by(|a, b| a.target_id.cmp(&b.target_id));
    for store in stores {
        let found = store
            .list(1000)
            .await
            .map_err(|e| Failure::new(e, Outcome::Failed))?;
        let mine = format!("{}-{owner}-", store.cfg.job_name_prefix);
        for j in found.into_iter().filter(|j| j.name.starts_with(&mine)) {
            if !jobs.iter().any(|(_, k)| k.arn == j.arn) {
                jobs.push((store.clone(), j));
            }
        }
    }
    jobs.sort_by(|a, b| {
        b.1.submitted
            .cmp(&a.1.submitted)
            .then(b.1.arn.cmp(&a.1.arn))
    });
    let start = match after {
        Some(a) => jobs
            .iter()
            .position(|(s, j)| batch_id(&s.target_id, &j.arn) == a)
            .map_or(jobs.len(), |p| p + 1),
        None => 0,
    };
    let page: Vec<_> = jobs.iter().skip(start).take(limit).collect();
    let has_more = start + page.len() < jobs.len();
    let mut data = Vec::with_capacity(page.len());
    for (store, job) in page {
        data.push(describe(store, job).await);
    }
    Ok(crate::openai::batch::BatchList {
        object: "list",
        first_id: data.first().map(|b| b.id.clone()),
        last_id: data.last().map(|b| b.id.clone()),
        has_more,
        data,
    })
}
