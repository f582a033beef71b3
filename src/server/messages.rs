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
use bytes::Bytes;

use super::dialect::Anthropic;
use super::{AppState, Entered, enter, fail, json_reply, stream_reply};
use crate::anthropic::{self, CountTokensResponse, EventEncoder, MessagesRequest, Purpose};
use crate::error::ApiError;
use crate::ir::ChatRequest;
use crate::pipeline::{self, Call};

/// `POST /v1/messages`.
pub async fn handle(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let parse = async |bytes: Bytes, call: &mut Call| {
        Ok((parse(&headers, &bytes, Purpose::Generate, call)?, ()))
    };
    let Entered {
        rt,
        mut call,
        admitted,
        ..
    } = match enter(&app, &Anthropic, "messages", &headers, body, parse).await {
        Ok(e) => e,
        Err(response) => return response,
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
    let parse = async |bytes: Bytes, call: &mut Call| {
        Ok((parse(&headers, &bytes, Purpose::CountTokens, call)?, ()))
    };
    let Entered {
        rt,
        mut call,
        admitted,
        ..
    } = match enter(
        &app,
        &Anthropic,
        "messages.count_tokens",
        &headers,
        body,
        parse,
    )
    .await
    {
        Ok(e) => e,
        Err(response) => return response,
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

/// Headers, then body, into the IR. The model is recorded as soon as the body reads, so a request
/// refused for its content still names the model it asked for.
fn parse(
    headers: &HeaderMap,
    bytes: &[u8],
    purpose: Purpose,
    call: &mut Call,
) -> Result<ChatRequest, ApiError> {
    anthropic::check_betas(
        headers
            .get_all("anthropic-beta")
            .iter()
            .filter_map(|v| v.to_str().ok()),
    );
    let wire: MessagesRequest = anthropic::from_json(bytes)?;
    call.set_model(&wire.model, wire.stream.unwrap_or(false));
    anthropic::to_ir(wire, purpose)
}
