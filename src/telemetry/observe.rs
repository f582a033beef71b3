//! Every finished audit record passes through [`ObservedSink`] on its way to the pack's sink:
//! it becomes the request's log line, its metrics and its span's attributes. One record per
//! request (see `audit::RequestLog`) means one of each, whatever happened to the request.

use std::sync::Arc;

use tracing::Span;

use super::metrics::{
    AttemptLabels, CostLabels, DecisionLabels, EntityLabels, ErrorLabels, FirstByteLabels,
    LatencyLabels, Metrics, RequestLabels, TargetLabels, TokenLabels,
};
use super::spans::{self, Decisions};
use crate::attempt::{BREAKER_OPEN, SHED};
use crate::audit::{AuditRecord, AuditSink, Outcome, SinkStats};

/// The label values a pack allows, so a client's arbitrary `model` cannot grow the label sets.
#[derive(Debug, Default, Clone)]
pub struct LabelSets {
    /// Sorted: every name a client may send as `model`.
    models: Vec<String>,
}

impl LabelSets {
    /// `models` must be sorted (the runtime's `model_names` is).
    pub fn new(models: Vec<String>) -> Self {
        Self { models }
    }

    fn model<'a>(&self, model: Option<&'a str>) -> &'a str {
        match model {
            Some(m) if self.models.binary_search_by(|n| n.as_str().cmp(m)).is_ok() => m,
            Some(_) => "unknown",
            None => "none",
        }
    }
}

/// Wraps the pack's audit sink with the log line, metrics and span attributes of each record.
pub struct ObservedSink {
    inner: Arc<dyn AuditSink>,
    metrics: Option<Arc<Metrics>>,
    labels: LabelSets,
}

impl ObservedSink {
    /// `metrics` is `None` when the pack turns metrics off.
    pub fn new(
        inner: Arc<dyn AuditSink>,
        metrics: Option<Arc<Metrics>>,
        labels: LabelSets,
    ) -> Self {
        Self {
            inner,
            metrics,
            labels,
        }
    }
}

impl AuditSink for ObservedSink {
    fn write(&self, r: AuditRecord) {
        let model = self.labels.model(r.model.as_deref());
        let served_by = r
            .attempts
            .iter()
            .rev()
            .find(|a| a.outcome == "ok")
            .map(|a| a.target.as_str());
        if let Some(m) = &self.metrics {
            count(m, &r, model, served_by.unwrap_or("none"));
        }
        log_line(&r, served_by);
        describe_span(&Span::current(), &r, served_by);
        let span = spans::audit_write();
        let _entered = span.enter();
        self.inner.write(r);
    }

    fn flush(&self) {
        self.inner.flush();
    }

    fn stats(&self) -> SinkStats {
        self.inner.stats()
    }
}

fn count(m: &Metrics, r: &AuditRecord, model: &str, target: &str) {
    let key = r.key_id.as_deref().unwrap_or("none");
    m.requests
        .get_or_create(&RequestLabels {
            endpoint: r.endpoint,
            model: model.to_string(),
            key: key.to_string(),
            outcome: r.outcome.as_str(),
            status: r.status,
        })
        .inc();
    m.duration
        .get_or_create(&LatencyLabels {
            endpoint: r.endpoint,
            model: model.to_string(),
            stream: r.stream,
        })
        .observe(r.latency_ms / 1000.0);
    if let Some(ms) = r.first_byte_ms {
        m.first_byte
            .get_or_create(&FirstByteLabels {
                endpoint: r.endpoint,
                model: model.to_string(),
            })
            .observe(ms / 1000.0);
    }
    if let Some(code) = &r.error {
        m.errors
            .get_or_create(&ErrorLabels {
                endpoint: r.endpoint,
                code: code.clone(),
            })
            .inc();
    }
    for a in &r.attempts {
        m.attempts
            .get_or_create(&AttemptLabels {
                target: a.target.clone(),
                outcome: a.outcome,
            })
            .inc();
        if a.outcome != BREAKER_OPEN && a.outcome != SHED {
            m.attempt_duration
                .get_or_create(&TargetLabels {
                    target: a.target.clone(),
                })
                .observe(a.latency_ms / 1000.0);
        }
    }
    if let Some(u) = &r.usage {
        let kinds = [
            ("input", u.input_tokens),
            ("output", u.output_tokens),
            ("cache_read", u.cache_read_tokens),
            ("cache_write", u.cache_write_tokens),
        ];
        for (kind, n) in kinds.into_iter().filter(|(_, n)| *n > 0) {
            m.tokens
                .get_or_create(&TokenLabels {
                    key: key.to_string(),
                    model: model.to_string(),
                    target: target.to_string(),
                    kind,
                })
                .inc_by(n);
        }
    }
    if let Some(usd) = r.cost_usd {
        m.cost
            .get_or_create(&CostLabels {
                key: key.to_string(),
                model: model.to_string(),
                target: target.to_string(),
            })
            .inc_by(usd);
    }
    for d in &r.decisions {
        m.decisions
            .get_or_create(&DecisionLabels {
                policy: d.policy,
                action: d.action,
            })
            .inc();
        for (entity, n) in &d.entities {
            m.entities
                .get_or_create(&EntityLabels {
                    policy: d.policy,
                    entity: entity.clone(),
                })
                .inc_by(u64::from(*n));
        }
    }
}

/// The request's one log line (target `gw::request`, info): what an operator greps for.
fn log_line(r: &AuditRecord, served_by: Option<&str>) {
    let (input, output) = r
        .usage
        .map_or((0, 0), |u| (u.input_tokens, u.output_tokens));
    tracing::info!(
        target: "gw::request",
        request_id = %r.request_id,
        endpoint = r.endpoint,
        key_id = r.key_id.as_deref().unwrap_or(""),
        model = r.model.as_deref().unwrap_or(""),
        stream = r.stream,
        status = r.status,
        outcome = r.outcome.as_str(),
        error = r.error.as_deref().unwrap_or(""),
        upstream = served_by.or_else(|| r.attempts.last().map(|a| a.target.as_str())).unwrap_or(""),
        attempts = r.attempts.len(),
        policies = %Decisions(&r.decisions),
        input_tokens = input,
        output_tokens = output,
        cost_usd = r.cost_usd.unwrap_or(0.0),
        latency_ms = r.latency_ms,
        pack_version = %r.pack_version,
        "request"
    );
}

/// Copies the record's facts onto the request's server span.
fn describe_span(span: &Span, r: &AuditRecord, served_by: Option<&str>) {
    if span.is_disabled() {
        return;
    }
    let operation = if r.endpoint == "embeddings" {
        "embeddings"
    } else {
        "chat"
    };
    span.record("gen_ai.operation.name", operation);
    span.record("gen_ai.system", spans::SYSTEM);
    span.record("gen_ai.provider.name", spans::SYSTEM);
    if let Some(m) = &r.model {
        span.record("gen_ai.request.model", m.as_str());
    }
    if let Some(u) = &r.usage {
        span.record("gen_ai.usage.input_tokens", spans::int(u.input_tokens));
        span.record("gen_ai.usage.output_tokens", spans::int(u.output_tokens));
    }
    span.record("gw.request_id", r.request_id.as_str());
    span.record("gw.pack.version", r.pack_version.as_str());
    if let Some(k) = &r.key_id {
        span.record("gw.key_id", k.as_str());
    }
    span.record("gw.stream", r.stream);
    if let Some(t) = served_by {
        span.record("gw.target", t);
    }
    span.record("gw.attempts", spans::int(r.attempts.len() as u64));
    span.record("gw.outcome", r.outcome.as_str());
    if !r.decisions.is_empty() {
        span.record(
            "gw.policy.decisions",
            tracing::field::display(Decisions(&r.decisions)),
        );
    }
    if let Some(c) = r.cost_usd {
        span.record("gw.cost_usd", c);
    }
    if let Some(e) = &r.error {
        span.record("error.type", e.as_str());
    }
    if r.status >= 500 || r.outcome == Outcome::Failed {
        span.record("otel.status_code", "ERROR");
    }
}
