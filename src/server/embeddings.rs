//! `POST /v1/embeddings` through InvokeModel (Titan text, Cohere embed v3). The inputs enter the
//! same pipeline as chat (`pipeline::admit`: kill switch, key, allow-list, limits, and the policy
//! chain on the `embedding` zone), then `pipeline::embed`; priced per input token.

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::Bytes;

use super::dialect::OpenAi;
use super::{AppState, Entered, enter, fail, json_reply};
use crate::ir::ChatRequest;
use crate::openai::{self, EmbeddingsRequest, embeddings_response, parse_embeddings};
use crate::pipeline::{self, Call};

/// `POST /v1/embeddings`.
pub async fn handle(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    // The inputs enter the same pipeline as chat: kill switch, key, limits, and the chain on
    // the `embedding` zone (PII redacted before Bedrock sees it).
    let parse = async |bytes: Bytes, call: &mut Call| {
        let wire = openai::from_json::<EmbeddingsRequest>(&bytes)?;
        call.set_model(&wire.model, false);
        let model = wire.model.clone();
        let mut job = parse_embeddings(wire)?;
        let req = ChatRequest {
            model,
            inputs: std::mem::take(&mut job.texts),
            max_tokens: Some(0),
            ..ChatRequest::default()
        };
        Ok((req, job))
    };
    let Entered {
        rt,
        mut call,
        admitted,
        parsed: job,
    } = match enter(&app, &OpenAi, "embeddings", &headers, body, parse).await {
        Ok(e) => e,
        Err(response) => return response,
    };
    let model = admitted.req.model.clone();
    match pipeline::embed(&rt, admitted, job.dimensions, job.input_type, &mut call).await {
        Ok((out, attempts, receipt)) => {
            let resp = embeddings_response(&model, &out.vectors, out.input_tokens, job.encoding);
            json_reply(&OpenAi, call, &resp, attempts, &receipt)
        }
        Err(f) => fail(&OpenAi, call, *f),
    }
}
