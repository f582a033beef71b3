//! `GET /metrics`: the Prometheus scrape. Gauges that mirror live state (breakers, calls in
//! flight, the audit queue, the serving pack) are read from the current runtime at scrape time.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::error::{ApiError, ErrorKind};
use crate::runtime::BreakerState;
use crate::telemetry::metrics::TargetLabels;

pub async fn scrape(State(app): State<AppState>) -> Response {
    let rt = app.snapshot();
    if !rt.loaded.pack.telemetry.metrics {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorKind::NotFound,
            "metrics are switched off in this pack (telemetry.metrics: false)",
        )
        .with_code("metrics_disabled")
        .into_response();
    }
    let m = &app.env.metrics;
    let now = std::time::Instant::now();
    // Cleared first so a target removed by a reload stops being reported.
    m.breaker.clear();
    m.in_flight.clear();
    for t in &rt.targets {
        let labels = TargetLabels {
            target: t.spec.id.clone(),
        };
        let state = match t.state.breaker.state(now) {
            BreakerState::Closed => 0,
            BreakerState::HalfOpen => 1,
            BreakerState::Open => 2,
        };
        m.breaker.get_or_create(&labels).set(state);
        m.in_flight
            .get_or_create(&labels)
            .set(i64::from(t.state.in_flight()));
    }
    let audit = rt.audit.stats();
    m.audit_queue
        .set(i64::try_from(audit.queued).unwrap_or(i64::MAX));
    let seen = m.audit_dropped.get();
    if audit.dropped > seen {
        m.audit_dropped.inc_by(audit.dropped - seen);
    }
    let (name, version) = rt.pack_id();
    m.serving(name, version);
    let mut response = m.render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    response
}
