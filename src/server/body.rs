//! Reading and parsing request bodies into OpenAI-shaped errors (413, 400), never axum's
//! plain-text rejections.

use axum::body::Body;
use axum::http::StatusCode;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorKind};

/// Reads the whole body, refusing more than `limit` bytes with 413.
pub async fn read(body: Body, limit: u64) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::InvalidRequest,
            format!("request body is larger than this gateway's limit of {limit} bytes (server.max_body_bytes)"),
        )
        .with_code("request_too_large")
    };
    let mut stream = body.into_data_stream();
    let mut first: Option<Bytes> = None;
    let mut rest = BytesMut::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| ApiError::invalid_request("could not read the request body"))?;
        let so_far = first.as_ref().map_or(0, Bytes::len) + rest.len();
        if (so_far + chunk.len()) as u64 > limit {
            return Err(too_large());
        }
        match &first {
            // The common case is one frame: keep it without copying.
            None => first = Some(chunk),
            Some(f) => {
                if rest.is_empty() {
                    rest.extend_from_slice(f);
                }
                rest.extend_from_slice(&chunk);
            }
        }
    }
    Ok(if rest.is_empty() { first.unwrap_or_default() } else { rest.freeze() })
}

/// Parses JSON, turning serde's message into a 400 that says where the problem is.
pub fn json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::invalid_request("request body is empty; send a JSON object"));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        let what = if e.is_syntax() || e.is_eof() { "request body is not valid JSON" } else { "invalid request" };
        ApiError::invalid_request(format!("{what}: {e}")).with_code("invalid_request_body")
    })
}
