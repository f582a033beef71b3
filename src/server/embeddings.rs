//! `POST /v1/embeddings` through InvokeModel (Titan text, Cohere embed v3). The inputs enter the
//! same pipeline as chat (`pipeline::admit`: kill switch, key, allow-list, limits, and the policy
//! chain on the `embedding` zone), then `pipeline::embed`; priced per input token.

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::dialect::OpenAi;
use super::{AppState, body, fail, json_reply};
use crate::ir::ChatRequest;
use crate::openai::{self, EmbeddingsRequest, embeddings_response, parse_embeddings};
use crate::pipeline::{self, Call, Failure, Outcome};

/// `POST /v1/embeddings`.
pub async fn handle(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let rt = app.snapshot();
    let mut call = Call::open(&rt, "embeddings");
    let parsed = async {
        let bytes = body::read(body, rt.loaded.pack.server.max_body_bytes).await?;
        openai::from_json::<EmbeddingsRequest>(&bytes)
    };
    let wire = match parsed.await {
        Ok(w) => w,
        Err(e) => return fail(&OpenAi, call, *Failure::new(e, Outcome::Rejected)),
    };
    let model = wire.model.clone();
    call.set_model(&model, false);
    let job = match parse_embeddings(wire) {
        Ok(j) => j,
        Err(e) => return fail(&OpenAi, call, *Failure::new(e, Outcome::Rejected)),
    };
    // The inputs enter the same pipeline as chat: kill switch, key, limits, and the chain on
    // the `embedding` zone (PII redacted before Bedrock sees it).
    let req = ChatRequest {
        model: model.clone(),
        inputs: job.texts,
        max_tokens: Some(0),
        ..ChatRequest::default()
    };
    let admitted = match pipeline::admit(&rt, &headers, req, &mut call) {
        Ok(a) => a,
        Err(f) => return fail(&OpenAi, call, *f),
    };
    match pipeline::embed(&rt, admitted, job.dimensions, job.input_type, &mut call).await {
        Ok((out, attempts, receipt)) => {
            let resp = embeddings_response(&model, &out.vectors, out.input_tokens, job.encoding);
            json_reply(&OpenAi, call, &resp, attempts, &receipt)
        }
        Err(f) => fail(&OpenAi, call, *f),
    }
}
