//! `POST /v1/chat/completions`: the request path, top to bottom.
//!
//! 1. open the audit record        4. resolve the route (404 lists the models)
//! 2. read and parse the body      5. run the policy chain on the request
//! 3. translate to the neutral IR  6. dispatch (retries, fallback) and reply, whole or streamed
//!
//! A stream is committed to the client only after the first upstream event arrived, so a target
//! that fails before its first byte can still be retried or failed over, and the client gets a
//! plain HTTP error instead of a broken stream.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::{Bytes, BytesMut};
use futures_util::{FutureExt, StreamExt, stream};

use super::{AppState, body, fail, new_request_id, unix_now};
use crate::audit::{Outcome, RequestLog};
use crate::error::{ApiError, ErrorKind};
use crate::ir::{ChatRequest, StreamEvent};
use crate::openai::{self, ChatCompletionRequest, ChunkEncoder};
use crate::provider::{EventStream, FailureClass, ProviderError};
use crate::routing::{self, Attempt};
use crate::runtime::Runtime;

pub async fn handle(State(app): State<AppState>, body: Body) -> Response {
    let rt = app.snapshot();
    let request_id = new_request_id();
    let mut log = RequestLog::open(
        rt.audit.clone(),
        request_id.clone(),
        "chat.completions",
        rt.pack_id(),
    );

    let req = match prepare(&rt, body, &mut log).await {
        Ok(req) => req,
        Err((err, outcome)) => return fail(&mut log, err, outcome),
    };
    if req.stream {
        stream_reply(rt, req, request_id, log).await
    } else {
        complete_reply(&rt, req, &request_id, &mut log).await
    }
}

/// Steps 2–5: everything before the first upstream call.
async fn prepare(
    rt: &Runtime,
    body: Body,
    log: &mut RequestLog,
) -> Result<ChatRequest, (ApiError, Outcome)> {
    let rejected = |e| (e, Outcome::Rejected);
    let bytes = body::read(body, rt.loaded.pack.server.max_body_bytes)
        .await
        .map_err(rejected)?;
    let wire: ChatCompletionRequest = openai::from_json(&bytes).map_err(rejected)?;
    let mut req = openai::to_ir(wire).map_err(rejected)?;
    log.set_model(&req.model, req.stream);
    if !rt.loaded.pack.pack.enabled {
        return Err(rejected(pack_disabled(rt)));
    }
    rt.route(&req.model).map_err(rejected)?;
    let mut decisions = Vec::new();
    let verdict = rt.chain.on_request(&mut req, &mut decisions);
    if let Some(r) = log.record() {
        r.decisions = decisions;
    }
    verdict.map_err(|e| (e, Outcome::Blocked))?;
    Ok(req)
}

async fn complete_reply(
    rt: &Runtime,
    req: ChatRequest,
    request_id: &str,
    log: &mut RequestLog,
) -> Response {
    let Ok(route) = rt.route(&req.model) else {
        return fail(log, ApiError::internal("route vanished"), Outcome::Failed);
    };
    let mut attempts = Vec::new();
    let result =
        routing::execute(&rt.targets, route, &mut attempts, |t| t.provider.chat(&req)).await;
    log.set_attempts(&attempts);
    let mut resp = match result {
        Ok((_, resp)) => resp,
        Err(e) => return with_attempts(fail(log, e.api, Outcome::Failed), &attempts),
    };
    log.set_usage(resp.usage);
    let mut decisions = Vec::new();
    let verdict = rt.chain.on_response(&mut resp, &mut decisions);
    if let Some(r) = log.record() {
        r.decisions.extend(decisions);
    }
    if let Err(e) = verdict {
        return with_attempts(fail(log, e, Outcome::Blocked), &attempts);
    }
    let id = format!("chatcmpl-{request_id}");
    let completion = openai::completion(&resp, &id, &req.model, unix_now());
    let body = match serde_json::to_vec(&completion) {
        Ok(b) => b,
        Err(e) => return fail(log, ApiError::internal(e.to_string()), Outcome::Failed),
    };
    log.finish(200, Outcome::Served, None);
    let mut response = Response::new(Body::from(body));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    request_headers(h, request_id);
    with_attempts(response, &attempts)
}

/// Streams the reply as SSE. Dispatch includes the first event, so failover happens before any
/// byte reaches the client.
async fn stream_reply(
    rt: Arc<Runtime>,
    req: ChatRequest,
    request_id: String,
    mut log: RequestLog,
) -> Response {
    let Ok(route) = rt.route(&req.model) else {
        return fail(
            &mut log,
            ApiError::internal("route vanished"),
            Outcome::Failed,
        );
    };
    let mut attempts = Vec::new();
    let result = routing::execute(&rt.targets, route, &mut attempts, |t| {
        let req = &req;
        async move {
            let mut upstream = t.provider.chat_stream(req).await?;
            match upstream.next().await {
                Some(Ok(first)) => Ok((first, upstream)),
                Some(Err(e)) => Err(e),
                None => Err(ProviderError::new(
                    FailureClass::ServerError,
                    ApiError::new(
                        StatusCode::BAD_GATEWAY,
                        ErrorKind::Server,
                        "the upstream stream was empty",
                    )
                    .with_code("upstream_stream_cut"),
                )),
            }
        }
        .boxed()
    })
    .await;
    log.set_attempts(&attempts);
    let (first, upstream) = match result {
        Ok((_, pair)) => pair,
        Err(e) => return with_attempts(fail(&mut log, e.api, Outcome::Failed), &attempts),
    };

    let id = format!("chatcmpl-{request_id}");
    let encoder = ChunkEncoder::new(&id, &req.model, unix_now(), req.include_usage);
    let state = SseState {
        first: Some(first),
        upstream,
        encoder,
        log,
        done: false,
    };
    let body = Body::from_stream(stream::unfold(state, next_frame));
    let mut response = Response::new(body);
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    request_headers(h, &request_id);
    with_attempts(response, &attempts)
}

/// One streamed reply in flight. Dropping it (client gone) drops the upstream stream and writes
/// the audit record as cancelled.
struct SseState {
    first: Option<StreamEvent>,
    upstream: EventStream,
    encoder: ChunkEncoder,
    log: RequestLog,
    done: bool,
}

async fn next_frame(
    mut st: SseState,
) -> Option<(Result<Bytes, std::convert::Infallible>, SseState)> {
    if st.done {
        return None;
    }
    let mut out = BytesMut::new();
    loop {
        let next = match st.first.take() {
            Some(ev) => Some(Ok(ev)),
            None => st.upstream.next().await,
        };
        match next {
            Some(Ok(ev)) => {
                if let StreamEvent::Metadata { usage } = &ev {
                    st.log.set_usage(*usage);
                }
                st.encoder.encode(&ev, &mut out);
            }
            Some(Err(e)) => {
                tracing::warn!(error = %e.api, "upstream stream failed after the reply started");
                st.encoder.error(&e.api, &mut out);
                st.log
                    .finish(e.api.status.as_u16(), Outcome::Failed, Some(e.api.label()));
                st.done = true;
            }
            None => {
                openai::done(&mut out);
                st.log.finish(200, Outcome::Served, None);
                st.done = true;
            }
        }
        if !out.is_empty() || st.done {
            return Some((Ok(out.freeze()), st));
        }
    }
}

fn pack_disabled(rt: &Runtime) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Server,
        format!(
            "pack `{}` {} is switched off (pack.enabled: false); model requests are refused until it is enabled",
            rt.loaded.pack.pack.name, rt.loaded.pack.pack.version
        ),
    )
    .with_code("pack_disabled")
}

fn request_headers(h: &mut HeaderMap, request_id: &str) {
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-request-id", v);
    }
}

/// `x-gw-target` (the target that answered, or the last one tried) and `x-gw-attempts`
/// (`target/region/outcome/latency_ms/retry`, comma separated).
pub(crate) fn with_attempts(mut response: Response, attempts: &[Attempt]) -> Response {
    let Some(last) = attempts.last() else {
        return response;
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&last.target) {
        h.insert("x-gw-target", v);
    }
    let mut list = String::with_capacity(48 * attempts.len());
    for (i, a) in attempts.iter().enumerate() {
        if i > 0 {
            list.push_str(", ");
        }
        use std::fmt::Write;
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
    response
}
