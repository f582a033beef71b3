//! Prometheus metrics, served at `GET /metrics` in the OpenMetrics text format.
//!
//! One [`Metrics`] lives as long as the process (it outlives reloads). Request metrics are taken
//! from each finished audit record, so metrics and the audit trail count the same requests.
//! Every label value comes from the pack (key ids, model names, target ids, policy and entity
//! names) or from a fixed vocabulary (endpoints, outcomes, status codes); anything else a client
//! sends is counted as `unknown`, so label sets stay bounded.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Per request: the front door, the model asked for, the caller's key, and how it ended.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub endpoint: &'static str,
    pub model: String,
    pub key: String,
    pub outcome: &'static str,
    pub status: u16,
}

/// Latency by front door, model and whether the reply was streamed.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LatencyLabels {
    pub endpoint: &'static str,
    pub model: String,
    pub stream: bool,
}

/// Time to first byte, by front door and model.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FirstByteLabels {
    pub endpoint: &'static str,
    pub model: String,
}

/// A failed request's error code (gw's codes: `rate_limited`, `pii_blocked`, …).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ErrorLabels {
    pub endpoint: &'static str,
    pub code: String,
}

/// Upstream calls by target and how each ended (`ok`, `throttled`, `breaker_open`, …).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AttemptLabels {
    pub target: String,
    pub outcome: &'static str,
}

/// One target.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TargetLabels {
    pub target: String,
}

/// Tokens by key, model, serving target and kind (`input`, `output`, `cache_read`,
/// `cache_write`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TokenLabels {
    pub key: String,
    pub model: String,
    pub target: String,
    pub kind: &'static str,
}

/// Spend by key, model and serving target.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CostLabels {
    pub key: String,
    pub model: String,
    pub target: String,
}

/// A policy decision (`allowed`, `redacted`, `blocked`, `logged`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DecisionLabels {
    pub policy: &'static str,
    pub action: &'static str,
}

/// Entities or rule categories a policy found.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EntityLabels {
    pub policy: &'static str,
    pub entity: String,
}

/// A reload's outcome (`applied`, `rejected`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: &'static str,
}

/// A shared limits-store operation (`acquire`, `spent`, `update`, `probe`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StoreOpLabels {
    pub op: &'static str,
}

/// The pack serving now.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PackLabels {
    pub pack: String,
    pub version: String,
}

type Seconds = Family<LatencyLabels, Histogram, fn() -> Histogram>;
type FloatCounter = Counter<f64, AtomicU64>;
type FloatGauge = Gauge<f64, AtomicU64>;

/// 50 µs to about 1.6 s, doubling: limits-store round trips.
fn store_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_05, 2.0, 16))
}

/// 1 ms to about 65 s, doubling: request and upstream latencies.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 17))
}

/// Every metric gw exports.
pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub errors: Family<ErrorLabels, Counter>,
    pub duration: Seconds,
    /// Streams only: time to the first bytes of the reply.
    pub first_byte: Family<FirstByteLabels, Histogram, fn() -> Histogram>,
    pub attempts: Family<AttemptLabels, Counter>,
    pub attempt_duration: Family<TargetLabels, Histogram, fn() -> Histogram>,
    pub tokens: Family<TokenLabels, Counter>,
    pub cost: Family<CostLabels, FloatCounter>,
    pub decisions: Family<DecisionLabels, Counter>,
    pub entities: Family<EntityLabels, Counter>,
    /// 0 closed, 1 half-open, 2 open; set when scraped.
    pub breaker: Family<TargetLabels, Gauge>,
    /// Calls in flight per target; set when scraped.
    pub in_flight: Family<TargetLabels, Gauge>,
    pub reloads: Family<OutcomeLabels, Counter>,
    pub reload_time: Family<OutcomeLabels, FloatGauge>,
    pub pack: Family<PackLabels, Gauge>,
    /// Records waiting for the audit writer; set when scraped.
    pub audit_queue: Gauge,
    /// Records the audit sink dropped; brought up to date when scraped.
    pub audit_dropped: Counter,
    /// Shared limits-store operations that failed or timed out.
    pub store_errors: Family<StoreOpLabels, Counter>,
    /// Shared limits-store operation time, failures included.
    pub store_duration: Family<StoreOpLabels, Histogram, fn() -> Histogram>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric under the `gw_` prefix.
    pub fn new() -> Self {
        let mut m = Self {
            requests: Family::default(),
            errors: Family::default(),
            duration: Family::new_with_constructor(latency_histogram),
            first_byte: Family::new_with_constructor(latency_histogram),
            attempts: Family::default(),
            attempt_duration: Family::new_with_constructor(latency_histogram),
            tokens: Family::default(),
            cost: Family::default(),
            decisions: Family::default(),
            entities: Family::default(),
            breaker: Family::default(),
            in_flight: Family::default(),
            reloads: Family::default(),
            reload_time: Family::default(),
            pack: Family::default(),
            audit_queue: Gauge::default(),
            audit_dropped: Counter::default(),
            store_errors: Family::default(),
            store_duration: Family::new_with_constructor(store_histogram),
            registry: Registry::with_prefix("gw"),
        };
        let r = &mut m.registry;
        r.register(
            "requests",
            "Requests that reached gw, by endpoint, model, key, outcome and HTTP status",
            m.requests.clone(),
        );
        r.register(
            "time_to_first_byte_seconds",
            "Streamed replies: time from the request to the first bytes sent to the client",
            m.first_byte.clone(),
        );
        r.register(
            "request_errors",
            "Failed requests by gw error code",
            m.errors.clone(),
        );
        r.register(
            "request_duration_seconds",
            "Time from request to the last byte of the reply",
            m.duration.clone(),
        );
        r.register(
            "upstream_attempts",
            "Calls to Bedrock targets (and skips: breaker_open, shed), by outcome",
            m.attempts.clone(),
        );
        r.register(
            "upstream_duration_seconds",
            "Time of each Bedrock call, up to the reply or its first streamed event",
            m.attempt_duration.clone(),
        );
        r.register(
            "tokens",
            "Tokens Bedrock reported, by key, model, target and kind",
            m.tokens.clone(),
        );
        r.register(
            "cost_usd",
            "What replies cost in US dollars, from the pricing table",
            m.cost.clone(),
        );
        r.register(
            "policy_decisions",
            "Policy decisions by policy and action",
            m.decisions.clone(),
        );
        r.register(
            "policy_entities",
            "Entities and rule categories policies found, by type",
            m.entities.clone(),
        );
        r.register(
            "breaker_state",
            "Circuit breaker per target: 0 closed, 1 half-open, 2 open",
            m.breaker.clone(),
        );
        r.register(
            "upstream_in_flight",
            "Calls in flight per target",
            m.in_flight.clone(),
        );
        r.register("pack_reloads", "Pack reloads by outcome", m.reloads.clone());
        r.register(
            "pack_reload_timestamp_seconds",
            "When the last reload with this outcome happened (Unix time)",
            m.reload_time.clone(),
        );
        r.register(
            "pack_info",
            "The pack serving now (value 1)",
            m.pack.clone(),
        );
        r.register(
            "audit_queue_depth",
            "Audit records waiting for the writer",
            m.audit_queue.clone(),
        );
        r.register(
            "audit_dropped_records",
            "Audit records dropped under back-pressure or lost",
            m.audit_dropped.clone(),
        );
        r.register(
            "limits_store_errors",
            "Shared limits-store operations that failed or timed out, by operation",
            m.store_errors.clone(),
        );
        r.register(
            "limits_store_duration_seconds",
            "Shared limits-store operation time, by operation",
            m.store_duration.clone(),
        );
        m
    }

    /// Observes one shared limits-store operation.
    pub fn limits_store(&self, op: &'static str, seconds: f64, ok: bool) {
        let labels = StoreOpLabels { op };
        self.store_duration.get_or_create(&labels).observe(seconds);
        if !ok {
            self.store_errors.get_or_create(&labels).inc();
        }
    }

    /// Counts a reload and stamps its time.
    pub fn reload(&self, applied: bool, at_unix: u64) {
        let outcome = if applied { "applied" } else { "rejected" };
        let labels = OutcomeLabels { outcome };
        self.reloads.get_or_create(&labels).inc();
        self.reload_time.get_or_create(&labels).set(at_unix as f64);
    }

    /// Marks `name` `version` as the pack serving now.
    pub fn serving(&self, name: &str, version: &str) {
        self.pack.clear();
        self.pack
            .get_or_create(&PackLabels {
                pack: name.to_string(),
                version: version.to_string(),
            })
            .set(1);
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(16 * 1024);
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
