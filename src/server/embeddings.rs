//! `POST /v1/embeddings` through InvokeModel (Titan text, Cohere embed v3).

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::Response;

use super::{AppState, body, fail, fail_with_attempts, new_request_id, response_headers};
use crate::audit::{Outcome, RequestLog};
use crate::ir::Usage;
use crate::openai::{self, EmbeddingsRequest, embeddings_response, parse_embeddings};
use crate::pipeline::Failure;
use crate::provider::EmbedRequest;
use crate::routing;

pub async fn handle(State(app): State<AppState>, body: Body) -> Response {
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
    if let Err(e) = crate::pipeline::check_enabled(&rt) {
        return fail(&mut log, e, Outcome::Rejected);
    }
    let route = match rt.route(&model) {
        Ok(r) => r,
        Err(e) => return fail(&mut log, e, Outcome::Rejected),
    };
    let req = EmbedRequest {
        texts: job.texts,
        dimensions: job.dimensions,
        input_type: job.input_type,
    };
    let mut attempts = Vec::new();
    let result = routing::execute(&rt.targets, route, &mut attempts, |t| {
        t.provider.embed(&req)
    })
    .await;
    log.set_attempts(&attempts);
    let out = match result {
        Ok((_, out)) => out,
        Err(e) => {
            let f = Failure {
                error: e.api,
                outcome: Outcome::Failed,
                attempts,
            };
            return fail_with_attempts(&mut log, f);
        }
    };
    log.set_usage(Usage {
        input: out.input_tokens,
        ..Usage::default()
    });
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
    log.finish(200, Outcome::Served, None);
    let mut response = Response::new(Body::from(body));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response_headers(&mut response, &request_id, &attempts);
    response
}
