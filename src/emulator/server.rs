//! HTTP routing and the one request pipeline every Bedrock operation goes through.
//!
//! Order per call: parse path → read body → record → auth → fault → validate → answer. Recording
//! happens before auth so tests can see rejected requests too. Locks are held only for the
//! instant of a lookup, never across an await, so the emulator works as an "instant upstream".

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method};
use axum::response::Response;
use serde_json::Value;

use super::converse::{base_model, check_model_id, validate, vendor};
use super::images;
use super::reply::{input_text, synthesize, tokens};
use super::wire::{ApiError, json_ok};
use super::{
    FaultKind, Operation, RecordedRequest, Shared, admin, auth, embed, faults, lock, stream,
};

/// Largest body accepted (InvokeModel allows 25,000,000 bytes).
const MAX_BODY: usize = 25_000_000;

/// The emulator's routes: admin API under `/_emulator`, everything else goes to [`operation`].
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    admin::routes()
        .merge(super::jobs::routes())
        .fallback(operation)
        .with_state(shared)
}

/// Decodes `%XX` escapes (the model id arrives percent-encoded, `:` as `%3A`, `/` as `%2F`).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(byte) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `/model/{id}/{op}` → (decoded model id, operation).
fn parse_path(path: &str) -> Option<(String, Operation)> {
    let rest = path.strip_prefix("/model/")?;
    let (id, op) = rest.rsplit_once('/')?;
    let op = match op {
        "converse" => Operation::Converse,
        "converse-stream" => Operation::ConverseStream,
        "invoke" => Operation::InvokeModel,
        "invoke-with-response-stream" => Operation::InvokeModelWithResponseStream,
        "count-tokens" => Operation::CountTokens,
        _ => return None,
    };
    (!id.is_empty()).then(|| (percent_decode(id), op))
}

/// Handles every Bedrock Runtime operation.
async fn operation(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let (parts, body) = req.into_parts();
    let parsed = parse_path(parts.uri.path()).filter(|_| parts.method == Method::POST);
    let Some((model_id, op)) = parsed else {
        return ApiError::new(404, "UnknownOperationException", "")
            .into_response_with_id(&request_id);
    };
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::validation("Input is too long for requested model.")
                .into_response_with_id(&request_id);
        }
    };
    let json: Option<Value> = serde_json::from_slice(&bytes).ok();
    shared.record(RecordedRequest {
        operation: op,
        model_id: model_id.clone(),
        auth: auth::seen(&parts.headers),
        headers: auth::recorded_headers(&parts.headers),
        body: json.clone().unwrap_or(Value::Null),
    });
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path(), |p| p.as_str());
    if let Err(e) = auth::verify(
        &shared.config,
        parts.method.as_str(),
        path_and_query,
        &parts.headers,
        &bytes,
    ) {
        return e.into_response_with_id(&request_id);
    }

    let fault = lock(&shared.faults).pick(&model_id, op);
    if let Some(f) = &fault {
        if let Some(ms) = f.delay_ms.filter(|_| f.kind != FaultKind::EventDelay) {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        if f.kind == FaultKind::Hang {
            let mut stop = shared.shutdown.subscribe();
            // Returns once the emulator shuts down (or its sender is gone).
            let _ = stop.wait_for(|v| *v).await;
            return ApiError::new(
                503,
                "ServiceUnavailableException",
                "The emulator is shutting down.",
            )
            .into_response_with_id(&request_id);
        }
        if let Some(err) = faults::error_for(f) {
            return err.into_response_with_id(&request_id);
        }
    }
    let Some(json) = json else {
        return ApiError::new(
            400,
            "SerializationException",
            "Could not parse the request body as JSON.",
        )
        .into_response_with_id(&request_id);
    };
    let stream_fault = fault.filter(|f| faults::is_stream_only(f.kind));
    let result = match op {
        Operation::Converse => {
            converse(&shared, &model_id, &json).map(|r| json_ok(&r.to_converse_json(), &request_id))
        }
        Operation::ConverseStream => converse(&shared, &model_id, &json).map(|r| {
            stream::response(
                &r,
                shared.config.stream_chunk_chars,
                stream_fault.as_ref(),
                &request_id,
            )
        }),
        Operation::InvokeModel => invoke(&model_id, &json, &request_id),
        Operation::InvokeModelWithResponseStream => Err(ApiError::validation(
            "The emulator does not support InvokeModelWithResponseStream; use ConverseStream.",
        )),
        Operation::CountTokens => count_tokens(&model_id, &json)
            .map(|n| json_ok(&serde_json::json!({"inputTokens": n}), &request_id)),
        // Control-plane paths have their own routes (`jobs`); `parse_path` never yields them.
        Operation::CreateModelInvocationJob
        | Operation::GetModelInvocationJob
        | Operation::StopModelInvocationJob
        | Operation::ListModelInvocationJobs => {
            Err(ApiError::new(404, "UnknownOperationException", ""))
        }
    };
    result.unwrap_or_else(|e| e.into_response_with_id(&request_id))
}

fn converse(
    shared: &Shared,
    model_id: &str,
    body: &Value,
) -> Result<super::reply::Reply, ApiError> {
    check_model_id(model_id)?;
    validate(body)?;
    Ok(synthesize(body, &shared.cache))
}

fn invoke(model_id: &str, body: &Value, request_id: &str) -> Result<Response, ApiError> {
    if images::serves(base_model(model_id)) {
        let out = images::invoke(base_model(model_id), body)?;
        return Ok(json_ok(&out, request_id));
    }
    let out = embed::invoke(base_model(model_id), body)?;
    let mut resp = json_ok(&out.body, request_id);
    let h = resp.headers_mut();
    h.insert(
        "x-amzn-bedrock-input-token-count",
        HeaderValue::from(out.input_tokens),
    );
    h.insert("x-amzn-bedrock-output-token-count", HeaderValue::from(0u64));
    Ok(resp)
}

fn count_tokens(model_id: &str, body: &Value) -> Result<u64, ApiError> {
    if vendor(base_model(model_id)) != Some("anthropic") {
        return Err(ApiError::validation(
            "The provided model doesn't support counting tokens.",
        ));
    }
    if let Some(conv) = body.pointer("/input/converse") {
        return Ok(tokens(input_text(conv).chars));
    }
    if let Some(raw) = body.pointer("/input/invokeModel/body") {
        // The native body arrives as a (base64 blob) string of Anthropic Messages JSON.
        let native: Value = raw
            .as_str()
            .and_then(|s| {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD.decode(s).ok()
            })
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(Value::Null);
        return Ok(tokens(string_chars(&native)));
    }
    Err(ApiError::validation(
        "1 validation error detected: Value null at 'input' failed to satisfy constraint: Member must not be null",
    ))
}

/// Characters in every string value of a JSON tree (rough count for native bodies).
fn string_chars(v: &Value) -> usize {
    match v {
        Value::String(s) => s.chars().count(),
        Value::Array(a) => a.iter().map(string_chars).sum(),
        Value::Object(o) => o.values().map(string_chars).sum(),
        _ => 0,
    }
}

/// An empty 200/204-style response used by the admin API.
pub(crate) fn empty(status: u16) -> Response {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() =
        axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK);
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_decoded() {
        assert_eq!(
            parse_path("/model/us.anthropic.claude-test-v1%3A0/converse"),
            Some((
                "us.anthropic.claude-test-v1:0".to_owned(),
                Operation::Converse
            ))
        );
        assert_eq!(
            parse_path("/model/arn%3Aaws%3Abedrock%3A%3Afoundation-model%2Fa.b/count-tokens"),
            Some((
                "arn:aws:bedrock::foundation-model/a.b".to_owned(),
                Operation::CountTokens
            ))
        );
        assert_eq!(parse_path("/model/x/unknown"), None);
    }
}
