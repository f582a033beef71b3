//! A front door's dialect: how its errors look and which headers its clients read.
//!
//! Why it exists: the OpenAI and Anthropic doors run the same pipeline and differ only here (and
//! in their SSE encoders, which implement `crate::sse::SseEncoder` beside their wire types); one
//! trait keeps the reply helpers shared.

use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};

use crate::anthropic;
use crate::error::ApiError;

/// The error shape and extra headers of one API.
pub trait Dialect {
    /// The status the client sees for `err`.
    fn status(&self, err: &ApiError) -> u16;
    /// The error response, in this API's shape.
    fn error(&self, err: ApiError) -> Response;
    /// Headers this API's clients look for beyond gw's own.
    fn headers(&self, _response: &mut Response, _request_id: &str) {}
}

/// OpenAI: `{"error": {message, type, param, code}}`, status as is.
pub struct OpenAi;

impl Dialect for OpenAi {
    fn status(&self, err: &ApiError) -> u16 {
        err.status.as_u16()
    }

    fn error(&self, err: ApiError) -> Response {
        err.into_response()
    }
}

/// Anthropic: `{"type": "error", "error": {type, message}}`, 529 for capacity errors, and the
/// request id in `request-id`, where Anthropic SDKs look for it.
pub struct Anthropic;

impl Dialect for Anthropic {
    fn status(&self, err: &ApiError) -> u16 {
        anthropic::error_status(err).as_u16()
    }

    fn error(&self, err: ApiError) -> Response {
        anthropic::error_response(&err)
    }

    fn headers(&self, response: &mut Response, request_id: &str) {
        if let Ok(v) = HeaderValue::from_str(request_id) {
            response.headers_mut().insert("request-id", v);
        }
    }
}
