//! What operators see: one JSON log line per request (readable lines in a terminal), traces over
//! OTLP with the OpenTelemetry GenAI conventions, and Prometheus metrics.
//!
//! The log layer takes events only, and the trace layer exists only when a collector is named:
//! without one, gw's spans are disabled at their call sites and cost next to nothing on the
//! request path.

pub mod metrics;
mod observe;
mod otlp;
pub mod spans;

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

use tracing::subscriber::Interest;

use tracing_subscriber::filter::{DynFilterFn, EnvFilter, FilterExt, Targets};
use tracing_subscriber::prelude::*;

use crate::config::pack::TelemetryConfig;

pub use metrics::Metrics;
pub use observe::{LabelSets, ObservedSink};

/// Whether spans are exported (set once by [`init`]).
static TRACING: AtomicBool = AtomicBool::new(false);

/// Whether spans leave this process: without a collector the server skips its span layer.
pub fn tracing_exported() -> bool {
    TRACING.load(Ordering::Relaxed)
}

/// The installed exporters; [`Telemetry::shutdown`] sends the spans still queued.
#[must_use = "dropping the handle without shutdown loses the last spans"]
pub struct Telemetry {
    provider: Option<opentelemetry_sdk::trace::SdkTracerProvider>,
}

impl Telemetry {
    /// Whether spans leave the process.
    pub fn exporting(&self) -> bool {
        self.provider.is_some()
    }

    /// Exports the spans still queued and stops the exporter. Blocking: call it outside the
    /// async runtime (the exporter's HTTP client has its own).
    pub fn shutdown(self) {
        if let Some(p) = self.provider
            && let Err(e) = p.shutdown()
        {
            tracing::warn!(error = %e, "could not send the last spans");
        }
    }
}

/// Installs logging (levels from `RUST_LOG`; `GW_LOG_FORMAT=json|pretty` overrides the terminal
/// check) and, when the pack or the environment names a collector, the OTLP trace exporter.
/// Call it before the async runtime starts.
pub fn init(cfg: Option<&TelemetryConfig>) -> Telemetry {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = match std::env::var("GW_LOG_FORMAT").as_deref() {
        Ok("json") => true,
        Ok("pretty") => false,
        _ => !std::io::stderr().is_terminal(),
    };
    // Events only: spans are for the trace exporter. The callsite hint keeps the decision
    // static, so a disabled span or event (the AWS SDK has many) costs one cached check, not a
    // filter evaluation on every call.
    let events = filter.and(
        DynFilterFn::new(|meta, _cx| meta.is_event()).with_callsite_filter(|meta| {
            if meta.is_event() {
                Interest::always()
            } else {
                Interest::never()
            }
        }),
    );
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let fmt = if json {
        fmt.json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .boxed()
    } else {
        fmt.compact().boxed()
    };
    let provider = cfg.and_then(otlp::provider);
    let traces = provider.as_ref().map(|p| {
        use opentelemetry::trace::TracerProvider as _;
        // Only the attributes the conventions define: no source locations, thread ids or
        // busy/idle timings on every span.
        tracing_opentelemetry::layer()
            .with_tracer(p.tracer("gw"))
            .with_location(false)
            .with_threads(false)
            .with_target(false)
            .with_tracked_inactivity(false)
            .with_filter(Targets::new().with_target(spans::TARGET, tracing::Level::TRACE))
    });
    let logs = tracing_subscriber::registry().with(fmt.with_filter(events));
    // No `Option` layer when there is no collector: an absent layer counts as interested in
    // every callsite, which would make the registry build every span the AWS SDK declares.
    let _ = match traces {
        Some(traces) => logs.with(traces).try_init(),
        None => logs.try_init(),
    };
    if provider.is_some() {
        TRACING.store(true, Ordering::Relaxed);
        opentelemetry::global::set_text_map_propagator(
            opentelemetry_sdk::propagation::TraceContextPropagator::new(),
        );
    }
    Telemetry { provider }
}
