//! `POST /v1/messages` and `POST /v1/messages/count_tokens`: the Anthropic front door.
//!
//! Like `chat.rs` it only parses the wire format into the IR, hands it to the shared pipeline
//! (`crate::pipeline`: kill switch, route, request policies, routing with retries, reply
//! policies) and renders the result, here as a Messages API `message` or Anthropic SSE events.
//! Errors, early or mid-stream, take Anthropic's shape. The caller's key (`x-api-key`, as
//! Anthropic SDKs send it, or `Authorization: Bearer`) is checked at admission.

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::BytesMut;

use super::dialect::Anthropic;
use super::{AppState, body, fail, json_reply, sse, stream_reply};
use crate::anthropic::{self, CountTokensResponse, EventEncoder, MessagesRequest, Purpose};
use crate::error::ApiError;
use crate::ir::{ChatRequest, StreamEvent};
use crate::pipeline::{self, Call, Failure, Outcome};
use crate::runtime::Runtime;

/// `POST /v1/messages`.
pub async fn handle(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let rt = app.snapshot();
    let mut call = Call::open(&rt, "messages");
    let req = match parse(&rt, &headers, body, Purpose::Generate).await {
        Ok(req) => req,
        Err(e) => return fail(&Anthropic, call, *Failure::new(e, Outcome::Rejected)),
    };
    let admitted = match pipeline::admit(&rt, &headers, req, &mut call) {
        Ok(a) => a,
        Err(f) => return fail(&Anthropic, call, *f),
    };
    let model = admitted.req.model.clone();
    let stops = admitted.req.stop.clone();
    let id = format!("msg_{}", call.request_id());

    if admitted.req.stream {
        return match pipeline::stream(&rt, admitted, &mut call).await {
            Ok((events, attempts, receipt)) => {
                let encoder = EventEncoder::new(id, model, stops);
                stream_reply(&Anthropic, call, events, encoder, &attempts, &receipt)
            }
            Err(f) => fail(&Anthropic, call, *f),
        };
    }
    match pipeline::complete(&rt, admitted, &mut call).await {
        Ok((resp, attempts, receipt)) => {
            let message = anthropic::message(&resp, &id, &model, &stops);
            json_reply(&Anthropic, call, &message, attempts, &receipt)
        }
        Err(f) => fail(&Anthropic, call, *f),
    }
}

/// `POST /v1/messages/count_tokens`: admitted like a real request (so a blocked or unknown
/// model is refused the same way, and the chain runs on it), then routed to Bedrock
/// CountTokens through the same gate, retries and fallback (`pipeline::count_tokens`).
pub async fn count_tokens(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let rt = app.snapshot();
    let mut call = Call::open(&rt, "messages.count_tokens");
    let req = match parse(&rt, &headers, body, Purpose::CountTokens).await {
        Ok(req) => req,
        Err(e) => return fail(&Anthropic, call, *Failure::new(e, Outcome::Rejected)),
    };
    let admitted = match pipeline::admit(&rt, &headers, req, &mut call) {
        Ok(a) => a,
        Err(f) => return fail(&Anthropic, call, *f),
    };
    match pipeline::count_tokens(&rt, admitted, &mut call).await {
        Ok((input_tokens, attempts, receipt)) => json_reply(
            &Anthropic,
            call,
            &CountTokensResponse { input_tokens },
            attempts,
            &receipt,
        ),
        Err(f) => fail(&Anthropic, call, *f),
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
