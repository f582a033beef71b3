//! The HTTP front: axum routes, the shared gateway state, and serving with graceful shutdown.
//!
//! Handlers are thin: each takes one runtime snapshot and calls plain async functions, so the
//! request path reads top to bottom in `chat.rs`.

mod batch;
mod body;
mod chat;
mod dialect;
mod embeddings;
mod health;
mod images;
mod messages;
mod metrics;
mod models;
pub mod sse;
mod trace;

use std::fmt::Write;
use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use bytes::Bytes;
use tokio::net::TcpListener;

use crate::attempt::Attempt;
use crate::error::{ApiError, ErrorKind};
use crate::ir::ChatRequest;
use crate::pipeline::{
    self, Admitted, Bucket, Call, Ending, Failure, Outcome, PolicedStream, RateState, Receipt,
};
use crate::runtime::Runtime;

pub use crate::runtime::Gateway;
use dialect::{Dialect, OpenAi};

/// Shared state handed to every handler.
pub type AppState = Arc<Gateway>;

/// All routes.
pub fn router(state: AppState) -> Router {
    // Model traffic runs inside a trace span; probes and scrapes do not.
    let api = Router::new()
        .route("/v1/chat/completions", post(chat::handle))
        .route("/v1/embeddings", post(embeddings::handle))
        .route("/v1/images/generations", post(images::generations))
        .route("/v1/images/edits", post(images::edits))
        .route("/v1/messages", post(messages::handle))
        .route("/v1/messages/count_tokens", post(messages::count_tokens))
        .route("/v1/models", get(models::list))
        .route("/v1/files", post(batch::upload))
        .route("/v1/files/{id}", get(batch::file))
        .route("/v1/files/{id}/content", get(batch::content))
        .route("/v1/batches", post(batch::create).get(batch::list))
        .route("/v1/batches/{id}", get(batch::retrieve))
        .route("/v1/batches/{id}/cancel", post(batch::cancel));
    // Without a collector there is no span to open: the layer is not even installed.
    let api = if crate::telemetry::tracing_exported() {
        api.route_layer(axum::middleware::from_fn(trace::request_span))
    } else {
        api
    };
    api.route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::scrape))
        .fallback(unknown_path)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

/// Serves until `shutdown` resolves, then drains in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = listener.tap_io(|tcp| {
        // Small request/response pairs: never wait for Nagle.
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

async fn unknown_path(
    axum::extract::State(app): axum::extract::State<AppState>,
    uri: axum::http::Uri,
) -> Response {
    let err = ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorKind::NotFound,
        format!(
            "unknown path `{}`; gw serves POST /v1/chat/completions, POST /v1/embeddings, POST /v1/images/generations, POST /v1/images/edits, GET /v1/models, the Files API (`/v1/files`) and the Batch API (`/v1/batches`)",
            uri.path()
        ),
    )
    .with_code("unknown_url");
    if uri.path().starts_with("/v1/") {
        let rt = app.snapshot();
        let call = Call::open(&rt, "unknown");
        return fail(&OpenAi, call, *Failure::new(err, Outcome::Rejected));
    }
    err.into_response()
}

async fn method_not_allowed(
    axum::extract::State(app): axum::extract::State<AppState>,
    method: axum::http::Method,
    uri: axum::http::Uri,
) -> Response {
    let err = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorKind::InvalidRequest,
        format!(
            "{method} is not served on `{}`",
            crate::bounded::bounded(uri.path())
        ),
    );
    // Like an unknown path: a model-API request still gets its one audit record.
    if uri.path().starts_with("/v1/") {
        let rt = app.snapshot();
        let call = Call::open(&rt, "unknown");
        return fail(&OpenAi, call, *Failure::new(err, Outcome::Rejected));
    }
    err.into_response()
}

/// A request past the preamble every door shares: the pack in force for its whole life, its
/// call (audit record opened), admission passed, and whatever else the door parsed.
pub(crate) struct Entered<T> {
    pub rt: Arc<Runtime>,
    pub call: Call,
    pub admitted: Admitted,
    pub parsed: T,
}

/// The preamble of every door: one runtime snapshot, the call opened as `operation`, the body
/// read (413 over `server.max_body_bytes`) and parsed by `parse` (its error is `rejected`), then
/// admission. A request that stops here gets its error in `dialect`'s shape and its one record.
pub(crate) async fn enter<T>(
    app: &AppState,
    dialect: &impl Dialect,
    operation: &'static str,
    headers: &HeaderMap,
    body: Body,
    parse: impl AsyncFnOnce(Bytes, &mut Call) -> Result<(ChatRequest, T), ApiError>,
) -> Result<Entered<T>, Response> {
    let rt = app.snapshot();
    let mut call = Call::open(&rt, operation);
    let parsed = match body::read(body, rt.loaded.pack.server.max_body_bytes).await {
        Ok(bytes) => parse(bytes, &mut call).await,
        Err(e) => Err(e),
    };
    let (req, parsed) = match parsed {
        Ok(p) => p,
        Err(e) => return Err(fail(dialect, call, *Failure::new(e, Outcome::Rejected))),
    };
    match pipeline::admit(&rt, headers, req, &mut call).await {
        Ok(admitted) => Ok(Entered {
            rt,
            call,
            admitted,
            parsed,
        }),
        Err(f) => Err(fail(dialect, call, *f)),
    }
}

/// Finishes the call as failed and renders the error in `dialect`'s shape, with the attempts made
/// before the failure and the rate-limit state in the headers.
pub(crate) fn fail(dialect: &impl Dialect, call: Call, f: Failure) -> Response {
    let ending = call.fail(&f, dialect.status(&f.error));
    let mut resp = dialect.error(f.error);
    response_headers(&mut resp, &ending, &f.attempts);
    dialect.headers(&mut resp, &ending.request_id);
    rate_headers(&mut resp, &f.rate);
    resp
}

/// A served JSON reply: the call is finished as served and gw's headers are set. A reply that
/// cannot be serialised fails the call instead, in `dialect`'s shape.
pub(crate) fn json_reply<T: serde::Serialize>(
    dialect: &impl Dialect,
    call: Call,
    value: &T,
    attempts: Vec<Attempt>,
    receipt: &Receipt,
) -> Response {
    let bytes = match serde_json::to_vec(value) {
        Ok(b) => b,
        Err(e) => {
            let f = Failure {
                error: ApiError::internal(e.to_string()),
                outcome: Outcome::Failed,
                attempts,
                rate: receipt.rate,
            };
            return fail(dialect, call, f);
        }
    };
    let ending = call.served();
    let mut response = Response::new(axum::body::Body::from(bytes));
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response_headers(&mut response, &ending, &attempts);
    dialect.headers(&mut response, &ending.request_id);
    receipt_headers(&mut response, receipt);
    response
}

/// A streamed reply in `encoder`'s SSE dialect; the call travels with the stream and is finished
/// when it ends. Headers carry the request's decisions (the reply's are in the audit record).
pub(crate) fn stream_reply<E: sse::SseEncoder>(
    dialect: &impl Dialect,
    call: Call,
    events: PolicedStream,
    encoder: E,
    attempts: &[Attempt],
    receipt: &Receipt,
) -> Response {
    let (recorded, ending) = call.into_stream(events);
    let mut response = sse::response(recorded, encoder);
    response_headers(&mut response, &ending, attempts);
    dialect.headers(&mut response, &ending.request_id);
    receipt_headers(&mut response, receipt);
    response
}

/// The headers of a served request: `x-gw-cost-usd` (when priced) and the rate-limit headers.
pub(crate) fn receipt_headers(response: &mut Response, receipt: &Receipt) {
    if let Some(cost) = receipt.cost_usd
        && let Ok(v) = HeaderValue::from_str(&format!("{cost:.8}"))
    {
        response.headers_mut().insert("x-gw-cost-usd", v);
    }
    rate_headers(response, &receipt.rate);
}

/// OpenAI's `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` for the limited buckets.
pub(crate) fn rate_headers(response: &mut Response, rate: &RateState) {
    let h = response.headers_mut();
    for (name, bucket) in [("requests", rate.requests), ("tokens", rate.tokens)] {
        let Some(Bucket {
            limit,
            remaining,
            reset,
        }) = bucket
        else {
            continue;
        };
        let values = [
            ("limit", limit.to_string()),
            ("remaining", remaining.to_string()),
            ("reset", go_duration(reset)),
        ];
        for (what, value) in values {
            if let (Ok(n), Ok(v)) = (
                axum::http::HeaderName::try_from(format!("x-ratelimit-{what}-{name}")),
                HeaderValue::from_str(&value),
            ) {
                h.insert(n, v);
            }
        }
    }
}

/// A duration as OpenAI writes `x-ratelimit-reset-*`: `120ms`, `7s`, `6m0s`.
fn go_duration(d: std::time::Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let secs = d.as_secs() + u64::from(d.subsec_millis() > 0);
    if secs < 60 {
        format!("{secs}s")
    } else {
        format!("{}m{}s", secs / 60, secs % 60)
    }
}

/// `x-request-id`, `x-gw-target` (the target that answered, or the last one tried) and
/// `x-gw-attempts` (`target/region/outcome/latency_ms/retry`, comma separated).
pub(crate) fn response_headers(response: &mut Response, ending: &Ending, attempts: &[Attempt]) {
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&ending.request_id) {
        h.insert("x-request-id", v);
    }
    // `x-gw-policy`: what the chain did (never a matched value).
    if let Some(v) = ending
        .policy
        .as_deref()
        .and_then(|p| HeaderValue::from_str(p).ok())
    {
        h.insert("x-gw-policy", v);
    }
    let Some(last) = attempts.last() else {
        return;
    };
    if let Ok(v) = HeaderValue::from_str(&last.target) {
        h.insert("x-gw-target", v);
    }
    let mut list = String::with_capacity(48 * attempts.len());
    for (i, a) in attempts.iter().enumerate() {
        if i > 0 {
            list.push_str(", ");
        }
        let _ = write!(
            list,
            "{}/{}/{}/{:.1}ms/{}",
            a.target,
            a.region,
            a.outcome,
            a.latency.as_secs_f64() * 1000.0,
            a.retry
        );
    }
    if let Ok(v) = HeaderValue::from_str(&list) {
        h.insert("x-gw-attempts", v);
    }
}
