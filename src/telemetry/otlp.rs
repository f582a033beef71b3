//! The OTLP trace exporter: OTLP/HTTP with protobuf bodies, batched on the SDK's own thread so a
//! slow or absent collector never holds a request.
//!
//! Where spans go: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT` when set
//! (operators point each deployment at its collector without editing the pack), else the pack's
//! `telemetry.otlp_endpoint`. Other standard variables (`OTEL_EXPORTER_OTLP_HEADERS` for a
//! vendor's token, `OTEL_BSP_*` for batching) apply as the OpenTelemetry SDK defines them.

use opentelemetry::KeyValue;
use opentelemetry_otlp::{Protocol, SpanExporter, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};

use crate::config::pack::TelemetryConfig;

const ENDPOINT_VARS: [&str; 2] = [
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
];

/// The tracer provider, or `None` when no collector is named (or the exporter cannot be built,
/// which is said on stderr: telemetry never stops gw from serving).
#[expect(
    clippy::print_stderr,
    reason = "runs while logging is being set up, before a subscriber exists"
)]
pub(super) fn provider(cfg: &TelemetryConfig) -> Option<SdkTracerProvider> {
    let from_env = ENDPOINT_VARS.iter().any(|v| env_set(v));
    if !from_env && cfg.otlp_endpoint.is_none() {
        return None;
    }
    if std::env::var("OTEL_EXPORTER_OTLP_PROTOCOL").is_ok_and(|p| p.starts_with("grpc")) {
        eprintln!(
            "gw: OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported; exporting OTLP/HTTP protobuf (a collector's port 4318)"
        );
    }
    let mut builder = SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary);
    if !from_env && let Some(url) = &cfg.otlp_endpoint {
        builder = builder.with_endpoint(traces_url(url));
    }
    let exporter = match builder.build() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("gw: cannot set up the OTLP trace exporter, no traces will be sent: {e}");
            return None;
        }
    };
    let service = std::env::var("OTEL_SERVICE_NAME")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| cfg.service_name.clone());
    let resource = Resource::builder()
        .with_service_name(service)
        .with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
        .build();
    let ratio = cfg.sample_ratio.clamp(0.0, 1.0);
    Some(
        SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_sampler(Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(
                ratio,
            ))))
            .with_resource(resource)
            .build(),
    )
}

fn env_set(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.trim().is_empty())
}

/// The pack names the collector's base URL, as the OTLP endpoint variable does; the HTTP
/// exporter wants the signal's own path.
fn traces_url(base: &str) -> String {
    let base = base.trim_end_matches('/');
    if base.ends_with("/v1/traces") {
        base.to_string()
    } else {
        format!("{base}/v1/traces")
    }
}

#[cfg(test)]
mod tests {
    use super::traces_url;

    #[test]
    fn the_signal_path_is_added_once() {
        assert_eq!(
            traces_url("http://c:4318"),
            "http://c:4318/v1/traces".to_string()
        );
        assert_eq!(
            traces_url("http://c:4318/"),
            "http://c:4318/v1/traces".to_string()
        );
        assert_eq!(
            traces_url("http://c:4318/v1/traces"),
            "http://c:4318/v1/traces".to_string()
        );
    }
}
