//! `/v1/embeddings` through InvokeModel: Titan takes one text per call (fanned out, order kept),
//! Cohere takes up to 96 per call.

use std::sync::atomic::Ordering;

use aws_smithy_types::Blob;
use futures_util::{StreamExt, TryStreamExt, stream};
use serde_json::{Value, json};

use super::BedrockProvider;
use super::errors;
use super::headers::InputTokenCount;
use crate::error::ApiError;
use crate::provider::{EmbedRequest, Embeddings, FailureClass, ProviderError};

/// Titan calls in flight at once for one request.
const TITAN_FAN_OUT: usize = 8;
/// Cohere's batch limit.
const COHERE_BATCH: usize = 96;

pub async fn embed(p: &BedrockProvider, req: &EmbedRequest) -> Result<Embeddings, ProviderError> {
    let model = p.model.as_str();
    let bare = model.rsplit('/').next().unwrap_or(model);
    let counter = InputTokenCount::default();
    let vectors = if bare.contains("titan-embed") {
        titan(p, req, &counter).await?
    } else if bare.contains("cohere.embed") {
        cohere(p, req, &counter).await?
    } else {
        return Err(ApiError::invalid_request(format!(
            "target `{}` (model `{model}`) is not an embedding model gw knows; use Titan text \
             embeddings or Cohere embed v3",
            p.target_id
        ))
        .with_code("model_not_embedding")
        .into());
    };
    Ok(Embeddings {
        vectors,
        input_tokens: counter.0.load(Ordering::Relaxed),
    })
}

async fn titan(
    p: &BedrockProvider,
    req: &EmbedRequest,
    counter: &InputTokenCount,
) -> Result<Vec<Vec<f32>>, ProviderError> {
    let v2 = p.model.contains("text-v2");
    if let Some(d) = req
        .dimensions
        .filter(|d| !v2 || ![256, 512, 1024].contains(d))
    {
        return Err(ApiError::invalid_request(format!(
            "`dimensions` {d} is not supported by `{}`; Titan text v2 takes 256, 512 or 1024",
            p.model
        ))
        .with_param("dimensions")
        .into());
    }
    // Futures are built up front (not in a stream closure) so the boxed future stays `Send`.
    let calls: Vec<_> = req
        .texts
        .iter()
        .map(|text| {
            let mut body = json!({ "inputText": text });
            if v2 {
                body["normalize"] = json!(true);
                if let Some(d) = req.dimensions {
                    body["dimensions"] = json!(d);
                }
            }
            invoke(p, body, counter)
        })
        .collect();
    let bodies: Vec<Value> = stream::iter(calls)
        .buffered(TITAN_FAN_OUT)
        .try_collect()
        .await?;
    bodies
        .iter()
        .map(|resp| floats(&resp["embedding"]).ok_or_else(|| bad_body(p)))
        .collect()
}

async fn cohere(
    p: &BedrockProvider,
    req: &EmbedRequest,
    counter: &InputTokenCount,
) -> Result<Vec<Vec<f32>>, ProviderError> {
    if let Some(d) = req.dimensions.filter(|d| *d != 1024) {
        return Err(ApiError::invalid_request(format!(
            "`dimensions` {d} is not supported by `{}`; Cohere embed v3 returns 1024",
            p.model
        ))
        .with_param("dimensions")
        .into());
    }
    let input_type = req.input_type.as_deref().unwrap_or("search_document");
    let mut out = Vec::with_capacity(req.texts.len());
    for batch in req.texts.chunks(COHERE_BATCH) {
        let body = json!({ "texts": batch, "input_type": input_type, "truncate": "END" });
        let resp = invoke(p, body, counter).await?;
        let rows = resp["embeddings"].as_array().ok_or_else(|| bad_body(p))?;
        for row in rows {
            out.push(floats(row).ok_or_else(|| bad_body(p))?);
        }
    }
    if out.len() != req.texts.len() {
        return Err(bad_body(p));
    }
    Ok(out)
}

async fn invoke(
    p: &BedrockProvider,
    body: Value,
    counter: &InputTokenCount,
) -> Result<Value, ProviderError> {
    let bytes = serde_json::to_vec(&body)
        .map_err(|e| ProviderError::from(ApiError::internal(e.to_string())))?;
    let send = p
        .client
        .invoke_model()
        .model_id(&p.model)
        .content_type("application/json")
        .accept("application/json")
        .body(Blob::new(bytes))
        .customize()
        .interceptor(counter.clone())
        .send();
    let out = match tokio::time::timeout(p.timeout, send).await {
        Ok(Ok(out)) => out,
        Ok(Err(err)) => return Err(errors::from_sdk(&err, p.site())),
        Err(_) => return Err(p.timed_out()),
    };
    serde_json::from_slice(out.body().as_ref()).map_err(|_| bad_body(p))
}

fn floats(v: &Value) -> Option<Vec<f32>> {
    v.as_array()?
        .iter()
        .map(|x| x.as_f64().map(|f| f as f32))
        .collect()
}

fn bad_body(p: &BedrockProvider) -> ProviderError {
    ProviderError::new(
        FailureClass::ServerError,
        ApiError::new(
            axum::http::StatusCode::BAD_GATEWAY,
            crate::error::ErrorKind::Server,
            format!(
                "target `{}` returned an embedding response gw could not read",
                p.target_id
            ),
        )
        .with_code("upstream_bad_response"),
    )
}
