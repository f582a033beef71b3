//! `POST /v1/messages` and `POST /v1/messages/count_tokens`: the Anthropic front door.
//!
//! Like `chat.rs` it only parses the wire format into the IR, hands it to the shared pipeline
//! (`crate::pipeline`: kill switch, route, request policies, routing with retries, reply
//! policies) and renders the result, here as a Messages API `message` or Anthropic SSE events.
//! Errors, early or mid-stream, take Anthropic's shape. The caller's key (`x-api-key`, as
//! Anthropic SDKs send it, or `Authorization: Bearer`) is checked at admission.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use bytes::BytesMut;

use super::{
    AppState, body, json_reply, new_request_id, policy_header, rate_headers, receipt_headers,
    response_headers, set_policy_header, sse,
};
use crate::anthropic::{self, CountTokensResponse, EventEncoder, MessagesRequest, Purpose};
use crate::audit::{Outcome, RequestLog};
use crate::error::ApiError;
use crate::ir::{ChatRequest, StreamEvent};
use crate::pipeline::{self, Failure, Receipt};
use crate::routing;
use crate::runtime::Runtime;

/// `POST /v1/messages`.
pub async fn handle(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let rt = app.snapshot();
    let request_id = new_request_id();
    let mut log = RequestLog::open(
        rt.audit.clone(),
        request_id.clone(),
        "messages",
        rt.pack_id(),
    );
    let req = match parse(&rt, &headers, body, Purpose::Generate).await {
        Ok(req) => req,
        Err(e) => return fail(&mut log, &request_id, rejected(e)),
    };
    let admitted = match pipeline::admit(&rt, &headers, req, &mut log) {
        Ok(a) => a,
        Err(f) => return fail(&mut log, &request_id, *f),
    };
    let model = admitted.req.model.clone();
    let stops = admitted.req.stop.clone();
    let id = format!("msg_{request_id}");

    if admitted.req.stream {
        let (events, attempts, receipt) = match pipeline::stream(&rt, admitted, &mut log).await {
            Ok(s) => s,
            Err(f) => return fail(&mut log, &request_id, *f),
        };
        let encoder = EventEncoder::new(id, model, stops);
        let policy = policy_header(&mut log);
        let mut response = sse::response(events, encoder, log);
        finish_headers(&mut response, &request_id, &attempts);
        receipt_headers(&mut response, &receipt);
        set_policy_header(&mut response, policy);
        return response;
    }

    let (resp, attempts, receipt) = match pipeline::complete(&rt, admitted, &mut log).await {
        Ok(r) => r,
        Err(f) => return fail(&mut log, &request_id, *f),
    };
    let message = anthropic::message(&resp, &id, &model, &stops);
    json_ok(&mut log, &request_id, &message, attempts, &receipt)
}

/// `POST /v1/messages/count_tokens`: admitted like a real request (so a blocked or unknown
/// model is refused the same way), then routed to Bedrock CountTokens with the same retries and
/// fallback. No reply policies run: nothing is generated, so the token estimate is refunded.
pub async fn count_tokens(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let rt = app.snapshot();
    let request_id = new_request_id();
    let mut log = RequestLog::open(
        rt.audit.clone(),
        request_id.clone(),
        "messages.count_tokens",
        rt.pack_id(),
    );
    let req = match parse(&rt, &headers, body, Purpose::CountTokens).await {
        Ok(req) => req,
        Err(e) => return fail(&mut log, &request_id, rejected(e)),
    };
    let admitted = match pipeline::admit(&rt, &headers, req, &mut log) {
        Ok(a) => a,
        Err(f) => return fail(&mut log, &request_id, *f),
    };
    match pipeline::count_tokens(&rt, admitted, &mut log).await {
        Ok((input_tokens, attempts, receipt)) => json_ok(
            &mut log,
            &request_id,
            &CountTokensResponse { input_tokens },
            attempts,
            &receipt,
        ),
        Err(f) => fail(&mut log, &request_id, *f),
    }
}

/// Headers, then body, into the IR.
async fn parse(
    rt: &Runtime,
    headers: &HeaderMap,
    body: Body,
    purpose: Purpose,
) -> Result<ChatRequest, ApiError> {
    anthropic::check_betas(
        headers
            .get_all("anthropic-beta")
            .iter()
            .filter_map(|v| v.to_str().ok()),
    );
    let bytes = body::read(body, rt.loaded.pack.server.max_body_bytes).await?;
    let wire: MessagesRequest = anthropic::from_json(&bytes)?;
    anthropic::to_ir(wire, purpose)
}

fn rejected(error: ApiError) -> Failure {
    Failure {
        error,
        outcome: Outcome::Rejected,
        attempts: Vec::new(),
        rate: Default::default(),
    }
}

/// Writes the audit record (with the status the client sees) and renders the error.
fn fail(log: &mut RequestLog, request_id: &str, f: Failure) -> Response {
    let status = anthropic::error_status(&f.error);
    let policy = policy_header(log);
    log.finish(status.as_u16(), f.outcome, Some(f.error.label()));
    let mut resp = anthropic::error_response(&f.error);
    finish_headers(&mut resp, request_id, &f.attempts);
    rate_headers(&mut resp, &f.rate);
    set_policy_header(&mut resp, policy);
    resp
}

fn json_ok<T: serde::Serialize>(
    log: &mut RequestLog,
    request_id: &str,
    value: &T,
    attempts: Vec<routing::Attempt>,
    receipt: &Receipt,
) -> Response {
    match json_reply(log, request_id, value, attempts, receipt) {
        Ok(mut response) => {
            if let Ok(v) = HeaderValue::from_str(request_id) {
                response.headers_mut().insert("request-id", v);
            }
            response
        }
        Err(f) => fail(log, request_id, *f),
    }
}

/// gw's usual headers plus `request-id`, where Anthropic SDKs look for it.
fn finish_headers(response: &mut Response, request_id: &str, attempts: &[routing::Attempt]) {
    response_headers(response, request_id, attempts);
    if let Ok(v) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert("request-id", v);
    }
}

/// Anthropic's SSE dialect over the shared streaming body.
impl sse::SseEncoder for EventEncoder {
    fn event(&mut self, event: &StreamEvent, out: &mut BytesMut) {
        self.encode(event, out);
    }

    fn error(&mut self, err: &ApiError, out: &mut BytesMut) {
        EventEncoder::error(self, err, out);
    }

    fn done(&mut self, out: &mut BytesMut) {
        EventEncoder::done(self, out);
    }
}
