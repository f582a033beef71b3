//! Reading and parsing request bodies into OpenAI-shaped errors (413, 400), never axum's
//! plain-text rejections.

use axum::body::Body;
use axum::http::StatusCode;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;

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
        let chunk =
            chunk.map_err(|_| ApiError::invalid_request("could not read the request body"))?;
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
    Ok(if rest.is_empty() {
        first.unwrap_or_default()
    } else {
        rest.freeze()
    })
}
