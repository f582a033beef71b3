//! Bytes on the wire: Bedrock's error responses and `application/vnd.amazon.eventstream` frames.
//!
//! The SDK picks the modeled error variant from the `x-amzn-ErrorType` header and the event-stream
//! variant from frame headers, so these must match Bedrock byte for byte in the parts it reads.

use aws_smithy_eventstream::frame::write_message_to;
use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use axum::body::Body;
use axum::http::{HeaderValue as HttpHeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

/// Namespace Bedrock appends to modeled error names.
const BEDROCK_NS: &str = "http://internal.amazon.com/coral/com.amazon.bedrock/";
/// Namespace of errors raised by the AWS front door (auth) before Bedrock itself runs.
const CORAL_NS: &str = "http://internal.amazon.com/coral/com.amazon.coral.service/";

/// Alphabet of the `p` padding field.
const PAD_CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// An error response exactly as Bedrock sends it: status, `x-amzn-ErrorType`, `{"message"}`.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub name: &'static str,
    pub message: String,
    /// True for errors raised by the AWS auth layer (different namespace).
    pub front_door: bool,
}

impl ApiError {
    pub fn new(status: u16, name: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            name,
            message: message.into(),
            front_door: false,
        }
    }

    /// 400 ValidationException.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(400, "ValidationException", message)
    }

    /// A 403 from the auth layer.
    pub fn auth(name: &'static str, message: impl Into<String>) -> Self {
        Self {
            front_door: true,
            ..Self::new(403, name, message)
        }
    }

    /// Renders the response, tagging it with the request id.
    pub fn into_response_with_id(self, request_id: &str) -> Response {
        let ns = if self.front_door {
            CORAL_NS
        } else {
            BEDROCK_NS
        };
        let body = serde_json::json!({ "message": self.message }).to_string();
        let mut resp = (self.status, body).into_response();
        let h = resp.headers_mut();
        h.insert(
            "content-type",
            HttpHeaderValue::from_static("application/json"),
        );
        if let Ok(v) = HttpHeaderValue::from_str(&format!("{}:{ns}", self.name)) {
            h.insert("x-amzn-errortype", v);
        }
        set_request_id(&mut resp, request_id);
        resp
    }
}

/// Sets `x-amzn-RequestId` on any response.
pub(crate) fn set_request_id(resp: &mut Response, request_id: &str) {
    if let Ok(v) = HttpHeaderValue::from_str(request_id) {
        resp.headers_mut().insert("x-amzn-requestid", v);
    }
}

/// A JSON 200 response.
pub(crate) fn json_ok(value: &serde_json::Value, request_id: &str) -> Response {
    let mut resp = Response::new(Body::from(value.to_string()));
    resp.headers_mut().insert(
        "content-type",
        HttpHeaderValue::from_static("application/json"),
    );
    set_request_id(&mut resp, request_id);
    resp
}

/// Adds Bedrock's random-length `p` padding field to an event payload object.
fn pad(mut payload: serde_json::Value) -> serde_json::Value {
    if let Some(obj) = payload.as_object_mut() {
        let len = fastrand::usize(1..=48);
        let p: String = (0..len)
            .map(|_| char::from(PAD_CHARS[fastrand::usize(..PAD_CHARS.len())]))
            .collect();
        obj.insert("p".to_owned(), serde_json::Value::String(p));
    }
    payload
}

fn encode(message: &Message) -> Bytes {
    let mut buf: Vec<u8> = Vec::with_capacity(message.payload().len() + 96);
    // Writing to a Vec only fails for oversized headers, which our fixed header set never is.
    if let Err(err) = write_message_to(message, &mut buf) {
        tracing::error!(error = %err, "event-stream frame encoding failed");
    }
    Bytes::from(buf)
}

/// An `event` frame with a padded JSON payload.
pub(crate) fn event_frame(event_type: &'static str, payload: serde_json::Value) -> Bytes {
    let body = pad(payload).to_string();
    let msg = Message::new_from_parts(
        vec![
            Header::new(":message-type", HeaderValue::String("event".into())),
            Header::new(":event-type", HeaderValue::String(event_type.into())),
            Header::new(
                ":content-type",
                HeaderValue::String("application/json".into()),
            ),
        ],
        body,
    );
    encode(&msg)
}

/// An `exception` frame (modeled in-stream error) such as `throttlingException`.
pub(crate) fn exception_frame(exception_type: &str, payload: serde_json::Value) -> Bytes {
    let msg = Message::new_from_parts(
        vec![
            Header::new(":message-type", HeaderValue::String("exception".into())),
            Header::new(
                ":exception-type",
                HeaderValue::String(exception_type.to_owned().into()),
            ),
            Header::new(
                ":content-type",
                HeaderValue::String("application/json".into()),
            ),
        ],
        payload.to_string(),
    );
    encode(&msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_eventstream::frame::read_message_from;

    #[test]
    fn event_frame_round_trips_with_padding() {
        let frame = event_frame(
            "contentBlockDelta",
            serde_json::json!({"contentBlockIndex": 0, "delta": {"text": "Hi"}}),
        );
        let msg = read_message_from(frame).expect("valid frame");
        let names: Vec<&str> = msg.headers().iter().map(|h| h.name().as_str()).collect();
        assert_eq!(names, [":message-type", ":event-type", ":content-type"]);
        let body: serde_json::Value = serde_json::from_slice(msg.payload()).expect("json");
        assert_eq!(body["delta"]["text"], "Hi");
        assert!(!body["p"].as_str().expect("padding").is_empty());
    }

    #[test]
    fn error_carries_type_header_and_request_id() {
        let resp =
            ApiError::new(429, "ThrottlingException", "slow down").into_response_with_id("r1");
        assert_eq!(resp.status(), 429);
        assert_eq!(
            resp.headers()["x-amzn-errortype"],
            "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"
        );
        assert_eq!(resp.headers()["x-amzn-requestid"], "r1");
    }
}
