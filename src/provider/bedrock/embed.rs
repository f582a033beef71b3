//! `/v1/embeddings` through InvokeModel: Titan takes one text per call (fanned out, order kept),
//! Cohere takes up to 96 per call.

use std::sync::atomic::Ordering;

use futures_util::{StreamExt, TryStreamExt, stream};
use serde_json::{Value, json};

use super::BedrockProvider;
use super::headers::InputTokenCount;
use super::invoke::{self, invoke_json};
use crate::error::ApiError;
use crate::provider::{EmbedRequest, Embeddings, ProviderError};

/// What an unreadable reply is called in errors.
const WHAT: &str = "an embedding response";

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
    invoke_json(p, &body, Some(counter), WHAT).await
}

fn floats(v: &Value) -> Option<Vec<f32>> {
    v.as_array()?
        .iter()
        .map(|x| x.as_f64().map(|f| f as f32))
        .collect()
}

fn bad_body(p: &BedrockProvider) -> ProviderError {
    invoke::bad_body(p, WHAT)
}
