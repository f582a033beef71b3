//! The HTTP front: axum routes, the shared gateway state, and serving with graceful shutdown.
//!
//! Handlers are thin: each takes one runtime snapshot and calls plain async functions, so the
//! request path reads top to bottom in `chat.rs`.

mod body;
mod chat;
mod embeddings;
mod health;
mod messages;
mod metrics;
mod models;
pub mod sse;
mod trace;

use std::fmt::Write;
use std::future::Future;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use arc_swap::ArcSwap;
use axum::Router;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use tokio::net::TcpListener;

use crate::access::store::{Bucket, RateState};
use crate::audit::{Outcome, RequestLog};
use crate::error::{ApiError, ErrorKind};
use crate::pipeline::{Failure, Receipt};
use crate::routing::Attempt;
use crate::runtime::{BuildEnv, Runtime};

/// The live gateway: the current runtime (swapped whole on reload) and what outlives reloads.
pub struct Gateway {
    current: ArcSwap<Runtime>,
    pub env: Arc<BuildEnv>,
    /// The last reload's outcome.
    pub reload: crate::reload::ReloadState,
}

impl Gateway {
    pub fn new(runtime: Runtime, env: Arc<BuildEnv>) -> Arc<Self> {
        Arc::new(Self {
            current: ArcSwap::from_pointee(runtime),
            env,
            reload: crate::reload::ReloadState::default(),
        })
    }

    /// The runtime a new request runs on, start to finish.
    pub fn snapshot(&self) -> Arc<Runtime> {
        self.current.load_full()
    }

    /// Makes a new runtime live; requests in flight keep the one they started with.
    pub fn swap(&self, runtime: Runtime) {
        self.current.store(Arc::new(runtime));
    }
}

/// Shared state handed to every handler.
pub type AppState = Arc<Gateway>;

/// All routes.
pub fn router(state: AppState) -> Router {
    // Model traffic runs inside a trace span; probes and scrapes do not.
    let api = Router::new()
        .route("/v1/chat/completions", post(chat::handle))
        .route("/v1/embeddings", post(embeddings::handle))
        .route("/v1/messages", post(messages::handle))
        .route("/v1/messages/count_tokens", post(messages::count_tokens))
        .route("/v1/models", get(models::list));
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
            "unknown path `{}`; gw serves POST /v1/chat/completions, POST /v1/embeddings and GET /v1/models",
            uri.path()
        ),
    )
    .with_code("unknown_url");
    if uri.path().starts_with("/v1/") {
        let rt = app.snapshot();
        let mut log = RequestLog::open(rt.audit.clone(), new_request_id(), "unknown", rt.pack_id());
        return fail(&mut log, err, Outcome::Rejected);
    }
    err.into_response()
}

async fn method_not_allowed() -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorKind::InvalidRequest,
        "method not allowed on this path",
    )
    .into_response()
}

/// A fresh request id (also the OpenAI completion id suffix).
pub(crate) fn new_request_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Writes the audit record for a failed request and renders the error.
pub(crate) fn fail(log: &mut RequestLog, err: ApiError, outcome: Outcome) -> Response {
    fail_with_attempts(
        log,
        Failure {
            error: err,
            outcome,
            attempts: Vec::new(),
            rate: RateState::default(),
        },
    )
}

/// [`fail`], with the upstream attempts made before the failure shown in the headers.
pub(crate) fn fail_with_attempts(log: &mut RequestLog, f: Failure) -> Response {
    let request_id = log
        .record()
        .map(|r| r.request_id.clone())
        .unwrap_or_default();
    let policy = policy_header(log);
    log.finish(f.error.status.as_u16(), f.outcome, Some(f.error.label()));
    let mut resp = f.error.into_response();
    response_headers(&mut resp, &request_id, &f.attempts);
    set_policy_header(&mut resp, policy);
    rate_headers(&mut resp, &f.rate);
    resp
}

/// A served JSON reply: the audit record is finished as served and gw's headers are set. A reply
/// that cannot be serialised comes back as the failure, for the front door to render in its own
/// error shape.
pub(crate) fn json_reply<T: serde::Serialize>(
    log: &mut RequestLog,
    request_id: &str,
    value: &T,
    attempts: Vec<Attempt>,
    receipt: &Receipt,
) -> Result<Response, Box<Failure>> {
    let bytes = match serde_json::to_vec(value) {
        Ok(b) => b,
        Err(e) => {
            return Err(Box::new(Failure {
                error: ApiError::internal(e.to_string()),
                outcome: Outcome::Failed,
                attempts,
                rate: receipt.rate,
            }));
        }
    };
    let policy = policy_header(log);
    log.finish(200, Outcome::Served, None);
    let mut response = Response::new(axum::body::Body::from(bytes));
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response_headers(&mut response, request_id, &attempts);
    receipt_headers(&mut response, receipt);
    set_policy_header(&mut response, policy);
    Ok(response)
}

/// `x-gw-policy`: what the chain did to this request so far, for the caller to see
/// (`pii-detector:redacted[EMAIL*1]; prompt-injection:withheld(0.97)`). Only decisions that
/// acted are listed; like the audit record, never a matched value. Streams carry the request's
/// decisions (the reply's are in the audit record).
pub(crate) fn policy_header(log: &mut RequestLog) -> Option<HeaderValue> {
    let decisions = &log.record()?.decisions;
    let mut out = String::new();
    for d in decisions.iter().filter(|d| d.action != "allowed") {
        if !out.is_empty() {
            out.push_str("; ");
        }
        let _ = write!(out, "{}:{}", d.policy, d.action);
        if !d.entities.is_empty() {
            out.push('[');
            for (i, (kind, n)) in d.entities.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(out, "{kind}*{n}");
            }
            out.push(']');
        }
        if let Some(score) = d.score {
            let _ = write!(out, "({score:.2})");
        }
    }
    if out.is_empty() {
        return None;
    }
    out.retain(|c| c.is_ascii_graphic() || c == ' ');
    HeaderValue::from_str(&out).ok()
}

/// Sets `x-gw-policy` when the chain acted.
pub(crate) fn set_policy_header(response: &mut Response, value: Option<HeaderValue>) {
    if let Some(v) = value {
        response.headers_mut().insert("x-gw-policy", v);
    }
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
pub(crate) fn response_headers(response: &mut Response, request_id: &str, attempts: &[Attempt]) {
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-request-id", v);
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
