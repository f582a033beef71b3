//! `POST /v1/chat/completions`: the OpenAI front door. It parses the OpenAI wire format into the
//! IR, hands it to the shared pipeline (`crate::pipeline`), and renders the reply as a
//! `chat.completion` or as `chat.completion.chunk` SSE frames. The request headers go to
//! admission for the caller's key.

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::Bytes;

use super::dialect::OpenAi;
use super::{AppState, Entered, enter, fail, json_reply, stream_reply};
use crate::clock::unix_now;
use crate::openai::{self, ChatCompletionRequest, ChunkEncoder};
use crate::pipeline::{self, Call};

/// `POST /v1/chat/completions`.
pub async fn handle(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    // The model is recorded as soon as the body reads, so a request refused for its content
    // still names the model it asked for.
    let parse = async |bytes: Bytes, call: &mut Call| {
        let wire: ChatCompletionRequest = openai::from_json(&bytes)?;
        call.set_model(&wire.model, wire.stream.unwrap_or(false));
        Ok((openai::to_ir(wire)?, ()))
    };
    let Entered {
        rt,
        mut call,
        admitted,
        ..
    } = match enter(&app, &OpenAi, "chat.completions", &headers, body, parse).await {
        Ok(e) => e,
        Err(response) => return response,
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
