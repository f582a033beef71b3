//! The server span around each API request, joined to the caller's trace when the request
//! carries a W3C `traceparent`.

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::telemetry::spans;

/// Runs the request inside its span; records the response status on it.
pub async fn request_span(req: Request, next: Next) -> Response {
    let span = {
        let route = req
            .extensions()
            .get::<MatchedPath>()
            .map_or("unknown", MatchedPath::as_str);
        spans::request(req.method().as_str(), route)
    };
    if span.is_disabled() {
        return next.run(req).await;
    }
    if req.headers().contains_key("traceparent") {
        let cx =
            opentelemetry::global::get_text_map_propagator(|p| p.extract(&Carrier(req.headers())));
        let _ = span.set_parent(cx);
    }
    let response = next.run(req).instrument(span.clone()).await;
    let status = response.status();
    span.record("http.response.status_code", i64::from(status.as_u16()));
    if status.is_server_error() {
        span.record("otel.status_code", "ERROR");
    }
    response
}

/// Request headers as a trace-context carrier.
struct Carrier<'a>(&'a HeaderMap);

impl opentelemetry::propagation::Extractor for Carrier<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}
