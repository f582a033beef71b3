//! `POST /v1/chat/completions`: the OpenAI front door. It parses the OpenAI wire format into the
//! IR, hands it to the shared pipeline (`crate::pipeline`), and renders the reply as a
//! `chat.completion` or as `chat.completion.chunk` SSE frames. The request headers go to
//! admission for the caller's key.

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::BytesMut;

use super::dialect::OpenAi;
use super::{AppState, body, fail, json_reply, sse, stream_reply};
use crate::clock::unix_now;
use crate::error::ApiError;
use crate::ir::StreamEvent;
use crate::openai::{self, ChatCompletionRequest, ChunkEncoder};
use crate::pipeline::{self, Call, Failure, Outcome};

/// `POST /v1/chat/completions`.
pub async fn handle(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let rt = app.snapshot();
    let mut call = Call::open(&rt, "chat.completions");
    let parsed = async {
        let bytes = body::read(body, rt.loaded.pack.server.max_body_bytes).await?;
        let wire: ChatCompletionRequest = openai::from_json(&bytes)?;
        openai::to_ir(wire)
    };
    let req = match parsed.await {
        Ok(req) => req,
        Err(e) => return fail(&OpenAi, call, *Failure::new(e, Outcome::Rejected)),
    };
    let admitted = match pipeline::admit(&rt, &headers, req, &mut call) {
        Ok(a) => a,
        Err(f) => return fail(&OpenAi, call, *f),
    };
    let model = admitted.req.model.clone();
    let id = format!("chatcmpl-{}", call.request_id());

    if admitted.req.stream {
        let include_usage = admitted.req.include_usage;
        return match pipeline::stream(&rt, admitted, &mut call).await {
            Ok((events, attempts, receipt)) => {
                let encoder = ChunkEncoder::new(&id, &model, unix_now(), include_usage);
                stream_reply(&OpenAi, call, events, encoder, &attempts, &receipt)
            }
            Err(f) => fail(&OpenAi, call, *f),
        };
    }
    match pipeline::complete(&rt, admitted, &mut call).await {
        Ok((resp, attempts, receipt)) => {
            let completion = openai::completion(&resp, &id, &model, unix_now());
            json_reply(&OpenAi, call, &completion, attempts, &receipt)
        }
        Err(f) => fail(&OpenAi, call, *f),
    }
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
