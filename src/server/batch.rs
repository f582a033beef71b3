//! The OpenAI Files and Batch APIs on Bedrock batch inference: `POST /v1/files`,
//! `GET /v1/files/{id}` and `/content`, `POST /v1/batches`, `GET /v1/batches[/{id}]`,
//! `POST /v1/batches/{id}/cancel`. Each request gets its one audit record like every door;
//! the records inside a file pass the chain in `pipeline::batch`.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use serde::Deserialize;

use super::dialect::OpenAi;
use super::{AppState, body, fail, json_reply};
use crate::error::ApiError;
use crate::openai::batch::{CreateBatch, read_upload};
use crate::openai::from_json;
use crate::pipeline::{Call, Failure, Outcome, Receipt, batch};

/// The largest upload any batch target accepts (each target checks its own limit too).
fn upload_limit(app: &AppState) -> u64 {
    let rt = app.snapshot();
    rt.batch
        .values()
        .map(|s| s.cfg.max_file_bytes)
        .max()
        .unwrap_or(rt.loaded.pack.server.max_body_bytes)
        .saturating_add(64 * 1024)
}

fn rejected(call: Call, e: ApiError) -> Response {
    fail(&OpenAi, call, *Failure::new(e, Outcome::Rejected))
}

fn ok<T: serde::Serialize>(call: Call, value: &T) -> Response {
    json_reply(&OpenAi, call, value, Vec::new(), &Receipt::default())
}

/// `POST /v1/files` (multipart: `file`, `purpose=batch`).
pub async fn upload(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let limit = upload_limit(&app);
    let rt = app.snapshot();
    let mut call = Call::open(&rt, "files.create");
    // A caller without a valid key is turned away before the body is read.
    if let Err(r) = rt.access.identify(&headers) {
        return rejected(call, r.error);
    }
    let bytes = match body::read(body, limit).await {
        Ok(b) => b,
        Err(e) => return rejected(call, e),
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let form = match read_upload(content_type, bytes).await {
        Ok(f) => f,
        Err(e) => return rejected(call, e),
    };
    match batch::upload(&rt, &headers, &form.filename, form.data, &mut call).await {
        Ok(file) => ok(call, &file),
        Err(f) => fail(&OpenAi, call, *f),
    }
}

/// `GET /v1/files/{id}`.
pub async fn file(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let rt = app.snapshot();
    let mut call = Call::open(&rt, "files.retrieve");
    match batch::file(&rt, &headers, &id, &mut call).await {
        Ok(file) => ok(call, &file),
        Err(f) => fail(&OpenAi, call, *f),
    }
}

/// `GET /v1/files/{id}/content`.
pub async fn content(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let rt = app.snapshot();
    let mut call = Call::open(&rt, "files.content");
    match batch::file_content(&rt, &headers, &id, &mut call).await {
        Ok(data) => {
            let ending = call.served();
            let mut resp = Response::new(Body::from(data));
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            );
            if let Ok(v) = HeaderValue::from_str(&ending.request_id) {
                h.insert("x-request-id", v);
            }
            resp
        }
        Err(f) => fail(&OpenAi, call, *f),
    }
}

/// `POST /v1/batches`.
pub async fn create(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let rt = app.snapshot();
    let mut call = Call::open(&rt, "batches.create");
    let parsed = match body::read(body, rt.loaded.pack.server.max_body_bytes).await {
        Ok(b) => from_json::<CreateBatch>(&b),
        Err(e) => Err(e),
    };
    let req = match parsed {
        Ok(r) => r,
        Err(e) => return rejected(call, e),
    };
    match batch::create(&rt, &headers, req, &mut call).await {
        Ok(b) => ok(call, &b),
        Err(f) => fail(&OpenAi, call, *f),
    }
}

/// `GET /v1/batches/{id}`.
pub async fn retrieve(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let rt = app.snapshot();
    let mut call = Call::open(&rt, "batches.retrieve");
    match batch::retrieve(&rt, &headers, &id, &mut call).await {
        Ok(b) => ok(call, &b),
        Err(f) => fail(&OpenAi, call, *f),
    }
}

/// `POST /v1/batches/{id}/cancel`.
pub async fn cancel(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let rt = app.snapshot();
    let mut call = Call::open(&rt, "batches.cancel");
    match batch::cancel(&rt, &headers, &id, &mut call).await {
        Ok(b) => ok(call, &b),
        Err(f) => fail(&OpenAi, call, *f),
    }
}

/// `GET /v1/batches` query.
#[derive(Debug, Deserialize)]
struct ListQuery {
    after: Option<String>,
    limit: Option<usize>,
}

/// `GET /v1/batches?after=&limit=`.
pub async fn list(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let rt = app.snapshot();
    let mut call = Call::open(&rt, "batches.list");
    let q: ListQuery = match serde_urlencoded::from_str(query.as_deref().unwrap_or_default()) {
        Ok(q) => q,
        Err(e) => {
            let e = ApiError::invalid_request(format!(
                "bad query: {e}; `limit` is a number from 1 to 100 and `after` a batch id"
            ));
            return rejected(call, e);
        }
    };
    let limit = q.limit.unwrap_or(20);
    match batch::list(&rt, &headers, q.after.as_deref(), limit, &mut call).await {
        Ok(l) => ok(call, &l),
        Err(f) => fail(&OpenAi, call, *f),
    }
}
