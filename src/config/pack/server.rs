//! The `server` and `telemetry` sections: where gw listens and where its traces go.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::yes;

/// Where traces go and whether metrics are served. Read at start: a reload that changes this
/// section keeps the running exporter (gw logs that a restart is needed).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TelemetryConfig {
    /// Base URL of an OTLP/HTTP (protobuf) collector, e.g. `http://127.0.0.1:4318`; spans go to
    /// `<url>/v1/traces`. `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT`
    /// win when set, so one pack serves every environment. Without either, no traces leave gw.
    #[serde(default)]
    #[schemars(example = "http://127.0.0.1:4318")]
    pub otlp_endpoint: Option<String>,
    /// `service.name` on every span; `OTEL_SERVICE_NAME` wins when set.
    #[serde(default = "default_service_name")]
    pub service_name: String,
    /// Share of new traces kept, 0 to 1. A caller's `traceparent` decision is always followed.
    #[serde(default = "one")]
    #[schemars(range(min = 0.0, max = 1.0))]
    pub sample_ratio: f64,
    /// Serve Prometheus metrics at `GET /metrics`.
    #[serde(default = "yes")]
    pub metrics: bool,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        Self {
            otlp_endpoint: None,
            service_name: default_service_name(),
            sample_ratio: 1.0,
            metrics: true,
        }
    }
}

fn default_service_name() -> String {
    "gw".into()
}

fn one() -> f64 {
    1.0
}

/// Listener settings.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on, `host:port`.
    #[serde(default = "default_listen")]
    pub listen: String,
    /// Largest request body accepted; larger bodies get 413.
    #[serde(default = "default_max_body")]
    #[schemars(range(min = 1024))]
    pub max_body_bytes: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: default_listen(),
            max_body_bytes: default_max_body(),
        }
    }
}

fn default_listen() -> String {
    "127.0.0.1:8080".into()
}

fn default_max_body() -> u64 {
    10 * 1024 * 1024
}
