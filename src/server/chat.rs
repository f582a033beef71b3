//! `POST /v1/chat/completions`: the OpenAI front door. It parses the OpenAI wire format into the
//! IR, hands it to the shared pipeline (`crate::pipeline`), and renders the reply as a
//! `chat.completion` or as `chat.completion.chunk` SSE frames. The request headers go to
//! admission for the caller's key.

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::BytesMut;

use super::{
    AppState, body, fail_with_attempts, json_reply, new_request_id, policy_header, receipt_headers,
    response_headers, set_policy_header, sse, unix_now,
};
use crate::audit::{Outcome, RequestLog};
use crate::error::ApiError;
use crate::ir::StreamEvent;
use crate::openai::{self, ChatCompletionRequest, ChunkEncoder};
use crate::pipeline::{self, Failure};

/// `POST /v1/chat/completions`.
pub async fn handle(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let rt = app.snapshot();
    let request_id = new_request_id();
    let mut log = RequestLog::open(
        rt.audit.clone(),
        request_id.clone(),
        "chat.completions",
        rt.pack_id(),
    );

    let parsed = async {
        let bytes = body::read(body, rt.loaded.pack.server.max_body_bytes).await?;
        let wire: ChatCompletionRequest = openai::from_json(&bytes)?;
        openai::to_ir(wire)
    };
    let req = match parsed.await {
        Ok(req) => req,
        Err(e) => {
            return fail_with_attempts(
                &mut log,
                Failure {
                    error: e,
                    outcome: Outcome::Rejected,
                    attempts: vec![],
                    rate: Default::default(),
                },
            );
        }
    };
    let admitted = match pipeline::admit(&rt, &headers, req, &mut log) {
        Ok(a) => a,
        Err(f) => return fail_with_attempts(&mut log, *f),
    };
    let model = admitted.req.model.clone();
    let id = format!("chatcmpl-{request_id}");

    if admitted.req.stream {
        let include_usage = admitted.req.include_usage;
        let (events, attempts, receipt) = match pipeline::stream(&rt, admitted, &mut log).await {
            Ok(s) => s,
            Err(f) => return fail_with_attempts(&mut log, *f),
        };
        let encoder = ChunkEncoder::new(&id, &model, unix_now(), include_usage);
        let policy = policy_header(&mut log);
        let mut response = sse::response(events, encoder, log);
        response_headers(&mut response, &request_id, &attempts);
        receipt_headers(&mut response, &receipt);
        set_policy_header(&mut response, policy);
        return response;
    }

    let (resp, attempts, receipt) = match pipeline::complete(&rt, admitted, &mut log).await {
        Ok(r) => r,
        Err(f) => return fail_with_attempts(&mut log, *f),
    };
    let completion = openai::completion(&resp, &id, &model, unix_now());
    json_reply(&mut log, &request_id, &completion, attempts, &receipt)
        .unwrap_or_else(|f| fail_with_attempts(&mut log, *f))
}

/// OpenAI's SSE dialect over the shared streaming body.
impl sse::SseEncoder for ChunkEncoder {
    fn event(&mut self, event: &StreamEvent, out: &mut BytesMut) {
        self.encode(event, out);
    }

    fn error(&mut self, err: &ApiError, out: &mut BytesMut) {
        ChunkEncoder::error(self, err, out);
    }

    fn done(&mut self, out: &mut BytesMut) {
        openai::done(out);
    }
}
