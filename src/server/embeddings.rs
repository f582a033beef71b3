//! `POST /v1/embeddings` through InvokeModel (Titan text, Cohere embed v3), behind the same key,
//! allow-list, rate-limit and budget checks as chat (`pipeline::authorize`), priced per input
//! token.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

use super::{
    AppState, body, fail, fail_with_attempts, new_request_id, receipt_headers, response_headers,
};
use crate::access::{self, store::RateState};
use crate::audit::{Outcome, RequestLog};
use crate::ir::Usage;
use crate::openai::{self, EmbeddingsRequest, embeddings_response, parse_embeddings};
use crate::pipeline::{self, Failure, Receipt};
use crate::provider::EmbedRequest;
use crate::routing;

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
    if let Err(e) = pipeline::check_enabled(&rt) {
        return fail(&mut log, e, Outcome::Rejected);
    }
    let estimate = if rt.access.counts_tokens {
        let bytes: usize = job.texts.iter().map(String::len).sum();
        (bytes as u64).div_ceil(4)
    } else {
        0
    };
    let grant = match pipeline::authorize(&rt, &headers, &model, estimate, &mut log) {
        Ok(g) => g,
        Err(f) => return fail_with_attempts(&mut log, *f),
    };
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
    let mut seen = RateState::default();
    let result = routing::execute(&rt.targets, route, &mut attempts, |t| {
        pipeline::gate(t, grant.charged, &mut seen, || t.provider.embed(&req))
    })
    .await;
    log.set_attempts(&attempts);
    let rate = access::merge(grant.rate, seen);
    let (idx, out) = match result {
        Ok(r) => r,
        Err(e) => {
            grant.settle(None, &Usage::default());
            let f = Failure {
                error: e.api,
                outcome: Outcome::Failed,
                attempts,
                rate,
            };
            return fail_with_attempts(&mut log, f);
        }
    };
    let usage = Usage {
        input: out.input_tokens,
        ..Usage::default()
    };
    log.set_usage(usage);
    let cost_usd = grant.settle(Some(&rt.targets[idx].access), &usage);
    log.set_cost(cost_usd);
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
    receipt_headers(&mut response, &Receipt { cost_usd, rate });
    response
}
