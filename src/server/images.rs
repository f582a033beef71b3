//! `POST /v1/images/generations` and `POST /v1/images/edits` through InvokeModel (Nova Canvas,
//! Titan Image Generator, Stability). The prompts enter the same pipeline as chat
//! (`pipeline::admit`: kill switch, key, allow-list, limits, and the chain on them as user
//! turns), then `pipeline::images`; priced per image.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use bytes::Bytes;

use super::dialect::OpenAi;
use super::{AppState, Entered, enter, fail, json_reply};
use crate::clock::unix_now;
use crate::openai::{self, ImagePrompt, ImagesRequest, images_response};
use crate::pipeline::{self, Call};

/// `POST /v1/images/generations` (JSON).
pub async fn generations(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let parse = async |bytes: Bytes, call: &mut Call| {
        let wire = openai::from_json::<ImagesRequest>(&bytes)?;
        call.set_model(&wire.model, false);
        split(openai::parse_generation(wire)?)
    };
    serve(app, headers, body, "images.generations", parse).await
}

/// `POST /v1/images/edits` (multipart: `image`, `mask` or `mask_prompt`, `prompt`, …).
pub async fn edits(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let parse = async move |bytes: Bytes, call: &mut Call| {
        let form = openai::read_edit_form(&content_type, bytes).await?;
        let prompt = openai::parse_edit(form)?;
        call.set_model(&prompt.model, false);
        split(prompt)
    };
    serve(app, headers, body, "images.edits", parse).await
}

/// The chain's view of the prompts, and the job.
fn split(
    p: ImagePrompt,
) -> Result<(crate::ir::ChatRequest, crate::ir::ImageJob), crate::error::ApiError> {
    let mask_prompt = p.job.edit.as_ref().and_then(|e| e.mask_prompt.clone());
    Ok((
        pipeline::image_request(p.model, p.prompt, p.negative_prompt, mask_prompt),
        p.job,
    ))
}

async fn serve(
    app: AppState,
    headers: HeaderMap,
    body: Body,
    operation: &'static str,
    parse: impl AsyncFnOnce(
        Bytes,
        &mut Call,
    ) -> Result<
        (crate::ir::ChatRequest, crate::ir::ImageJob),
        crate::error::ApiError,
    >,
) -> Response {
    let Entered {
        rt,
        mut call,
        admitted,
        parsed: job,
    } = match enter(&app, &OpenAi, operation, &headers, body, parse).await {
        Ok(e) => e,
        Err(response) => return response,
    };
    match pipeline::images(&rt, admitted, job, &mut call).await {
        Ok((out, attempts, receipt)) => {
            let resp = images_response(unix_now(), out.images);
            json_reply(&OpenAi, call, &resp, attempts, &receipt)
        }
        Err(f) => fail(&OpenAi, call, *f),
    }
}
