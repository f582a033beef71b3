//! `POST /v1/embeddings` through InvokeModel (Titan text, Cohere embed v3). The inputs enter the
//! same pipeline as chat (`pipeline::admit`: kill switch, key, allow-list, limits, and the policy
//! chain on the `embedding` zone), then `pipeline::embed`; priced per input token.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

use super::{
    AppState, body, fail, fail_with_attempts, new_request_id, policy_header, receipt_headers,
    response_headers, set_policy_header,
};
use crate::audit::{Outcome, RequestLog};
use crate::ir::ChatRequest;
use crate::openai::{self, EmbeddingsRequest, embeddings_response, parse_embeddings};
use crate::pipeline;

/// `POST /v1/embeddings`.
pub async fn handle(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let rt = app.snapshot();
    let request_id = new_request_id();
    let mut log = RequestLog::open(
        rt.audit.clone(),
        request_id.clone(),
        "embeddings",
        rt.pack_id(),
    );

    let bytes = match body::read(body, rt.loaded.pack.server.max_body_bytes).await {
        Ok(b) => b,
        Err(e) => return fail(&mut log, e, Outcome::Rejected),
    };
    let wire: EmbeddingsRequest = match openai::from_json(&bytes) {
        Ok(w) => w,
        Err(e) => return fail(&mut log, e, Outcome::Rejected),
    };
    let model = wire.model.clone();
    log.set_model(&model, false);
    let job = match parse_embeddings(wire) {
        Ok(j) => j,
        Err(e) => return fail(&mut log, e, Outcome::Rejected),
    };
    // The inputs enter the same pipeline as chat: kill switch, key, limits, and the chain on
    // the `embedding` zone (PII redacted before Bedrock sees it).
    let req = ChatRequest {
        model: model.clone(),
        inputs: job.texts,
        max_tokens: Some(0),
        ..ChatRequest::default()
    };
    let admitted = match pipeline::admit(&rt, &headers, req, &mut log) {
        Ok(a) => a,
        Err(f) => return fail_with_attempts(&mut log, *f),
    };
    let (out, attempts, receipt) =
        match pipeline::embed(&rt, admitted, job.dimensions, job.input_type, &mut log).await {
            Ok(r) => r,
            Err(f) => return fail_with_attempts(&mut log, *f),
        };
    let resp = embeddings_response(&model, &out.vectors, out.input_tokens, job.encoding);
    let body = match serde_json::to_vec(&resp) {
        Ok(b) => b,
        Err(e) => {
            return fail(
                &mut log,
                crate::error::ApiError::internal(e.to_string()),
                Outcome::Failed,
            );
        }
    };
    let policy = policy_header(&mut log);
    log.finish(200, Outcome::Served, None);
    let mut response = Response::new(Body::from(body));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response_headers(&mut response, &request_id, &attempts);
    receipt_headers(&mut response, &receipt);
    set_policy_header(&mut response, policy);
    response
}
