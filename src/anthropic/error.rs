//! `ApiError` in Anthropic's shape: `{"type":"error","error":{"type","message"}}` with the
//! statuses Anthropic SDKs map to their exception classes.
//!
//! The status logic stays in `ApiError` (one place for every front door); this only renames it.
//! The one status that changes is Bedrock running out of capacity (ServiceUnavailable,
//! ModelNotReady): Anthropic clients expect 529 `overloaded_error` there and back off.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::{BufMut, BytesMut};
use serde::Serialize;

use crate::error::{ApiError, ErrorKind};

/// Anthropic's "overloaded" status.
const OVERLOADED: u16 = 529;

/// Whether the error means Bedrock lacked capacity, not that something broke.
fn is_overloaded(err: &ApiError) -> bool {
    err.kind == ErrorKind::Overloaded
        || match err.code.as_deref() {
            Some("model_not_ready") => true,
            // The same code also covers unusable credentials (502); only the 503 is capacity.
            Some("upstream_unavailable") => err.status == StatusCode::SERVICE_UNAVAILABLE,
            _ => false,
        }
}

/// The status an Anthropic client should see.
pub fn error_status(err: &ApiError) -> StatusCode {
    if is_overloaded(err) {
        return StatusCode::from_u16(OVERLOADED).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    }
    err.status
}

/// The Anthropic `error.type` for an error.
pub fn error_type(err: &ApiError) -> &'static str {
    if is_overloaded(err) {
        return "overloaded_error";
    }
    match err.status.as_u16() {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        400..=499 => "invalid_request_error",
        _ => "api_error",
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    error: Detail<'a>,
}

#[derive(Serialize)]
struct Detail<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    message: &'a str,
}

fn envelope(err: &ApiError) -> Envelope<'_> {
    Envelope {
        kind: "error",
        error: Detail {
            kind: error_type(err),
            message: &err.message,
        },
    }
}

/// The whole HTTP error response, with `Retry-After` when the error has one.
pub fn error_response(err: &ApiError) -> Response {
    let body = serde_json::to_vec(&envelope(err)).unwrap_or_default();
    let mut response = (error_status(err), body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(secs) = err.retry_after {
        h.insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// Appends `event: error` for a failure after the stream started.
pub fn write_error_event(err: &ApiError, out: &mut BytesMut) {
    let start = out.len();
    out.extend_from_slice(b"event: error\ndata: ");
    if serde_json::to_writer((&mut *out).writer(), &envelope(err)).is_err() {
        out.truncate(start);
        return;
    }
    out.extend_from_slice(b"\n\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(status: u16, code: Option<&'static str>) -> ApiError {
        let mut err = ApiError::new(
            StatusCode::from_u16(status).unwrap(),
            ErrorKind::Server,
            "m",
        );
        err.code = code.map(Into::into);
        err
    }

    #[test]
    fn statuses_and_types() {
        let cases = [
            (e(400, None), 400, "invalid_request_error"),
            (e(401, None), 401, "authentication_error"),
            (e(403, None), 403, "permission_error"),
            (e(404, None), 404, "not_found_error"),
            (e(413, Some("request_too_large")), 413, "request_too_large"),
            (e(429, Some("rate_limit_exceeded")), 429, "rate_limit_error"),
            (e(503, Some("model_not_ready")), 529, "overloaded_error"),
            (
                e(503, Some("upstream_unavailable")),
                529,
                "overloaded_error",
            ),
            (e(502, Some("upstream_unavailable")), 502, "api_error"),
            (e(503, Some("pack_disabled")), 503, "api_error"),
            (e(500, None), 500, "api_error"),
            (e(504, Some("upstream_timeout")), 504, "api_error"),
        ];
        for (err, status, kind) in cases {
            assert_eq!(error_status(&err).as_u16(), status, "{err}");
            assert_eq!(error_type(&err), kind, "{err}");
        }
    }

    #[test]
    fn stream_error_frame() {
        let mut out = BytesMut::new();
        write_error_event(&e(503, Some("upstream_unavailable")), &mut out);
        assert_eq!(
            &out[..],
            br#"event: error
data: {"type":"error","error":{"type":"overloaded_error","message":"m"}}

"#
        );
    }
}
