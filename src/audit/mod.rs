//! The audit trail's seam: exactly one record per request that reaches gw, whatever happens to it.
//!
//! Handlers open a [`RequestLog`] first thing; it is finished with the outcome, or, if the
//! request is dropped mid-way (client gone), its `Drop` writes the record as cancelled. Sinks get
//! finished records and must not block the request path.
//!
//! The durable trail is [`FileSink`]: a hash-chained JSON Lines log (format in [`chain`]) written
//! by a dedicated thread; [`verify`], [`query`] and [`stats`] read it back for `gw audit`.

pub mod chain;
pub mod content;
pub mod files;
pub mod query;
mod settings;
mod sink;
pub mod stats;
pub mod time;
pub mod verify;
mod writer;

pub use sink::{Backpressure, FileSink, FileSinkConfig, Fsync, OpenError};

use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

pub use content::{AuditContent, ContentCapture, ContentText};

use crate::attempt::Attempt;
use crate::ir::Usage;
use crate::policy::Decision;

/// Where finished records go.
pub trait AuditSink: Send + Sync {
    /// Takes one finished record; must not block on I/O (queue it instead).
    fn write(&self, record: AuditRecord);

    /// Makes every record written so far durable; called before the process exits.
    fn flush(&self) {}

    /// The queue and loss counters, for metrics.
    fn stats(&self) -> SinkStats {
        SinkStats::default()
    }
}

/// How far behind a sink is, and what it lost.
#[derive(Debug, Clone, Copy, Default)]
pub struct SinkStats {
    /// Records waiting to be written.
    pub queued: u64,
    /// Records dropped since the sink opened (`on_backpressure: drop_and_count`, or a dead writer).
    pub dropped: u64,
}

/// The sink of a pack without an audit-logger: the request's log line (written for every
/// record by `telemetry::ObservedSink`) is then the only trace it leaves.
pub struct LogOnlySink;

impl AuditSink for LogOnlySink {
    fn write(&self, _record: AuditRecord) {}
}

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Served,
    Blocked,
    Rejected,
    Failed,
    Cancelled,
}

impl Outcome {
    /// The name records, logs and metrics use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Served => "served",
            Self::Blocked => "blocked",
            Self::Rejected => "rejected",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }
}

/// This process's name in audit records: `GW_REPLICA` (e.g. the pod name, from Kubernetes'
/// downward API), else the host name, else `gw`. Read once.
pub fn replica() -> &'static str {
    static NAME: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        std::env::var("GW_REPLICA")
            .ok()
            .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
            .or_else(|| std::env::var("HOSTNAME").ok())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "gw".into())
    });
    &NAME
}

/// One request, as the audit trail keeps it. No prompt or reply text.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRecord {
    pub time_unix_ms: u64,
    pub request_id: String,
    pub pack: String,
    pub pack_version: String,
    /// Which gw process wrote the record ([`replica`]): each replica keeps its own chain.
    pub replica: &'static str,
    pub endpoint: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    pub stream: bool,
    pub attempts: Vec<AttemptRecord>,
    pub status: u16,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub decisions: Vec<Decision>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<UsageRecord>,
    /// Image calls: what was generated (never the image bytes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub images: Option<ImagesRecord>,
    /// What the reply cost in US dollars, from the target's pricing and the usage; absent when
    /// nothing was generated or the target has no known price.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
    /// Prompt and reply text, only when the pack's `include_content` asks for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<AuditContent>,
    pub latency_ms: f64,
    /// Streams: time from the request to the first bytes of the reply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_byte_ms: Option<f64>,
}

/// An upstream attempt in a record.
#[derive(Debug, Clone, Serialize)]
pub struct AttemptRecord {
    pub target: String,
    pub region: String,
    pub outcome: &'static str,
    pub latency_ms: f64,
    pub retry: u32,
}

/// What an image call produced, in a record.
#[derive(Debug, Clone, Serialize)]
pub struct ImagesRecord {
    pub count: u32,
    /// `WIDTHxHEIGHT` asked for (`default` when the model's own).
    pub size: String,
    pub quality: &'static str,
    /// `generation` or `edit`.
    pub task: &'static str,
}

/// Tokens Bedrock reported, as records keep them.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct UsageRecord {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
}

impl From<Usage> for UsageRecord {
    fn from(u: Usage) -> Self {
        Self {
            input_tokens: u.input,
            output_tokens: u.output,
            cache_read_tokens: u.cache_read,
            cache_write_tokens: u.cache_write,
        }
    }
}

/// The open record of one request. Finish it once; if it is dropped unfinished, it is written as
/// cancelled, so no request goes unrecorded.
pub struct RequestLog {
    record: Option<AuditRecord>,
    sink: Arc<dyn AuditSink>,
    started: Instant,
    /// The request's trace span: the record is written inside it (whoever finishes the log, and
    /// wherever), so the sink can fill the span's attributes and hang the audit write under it.
    span: tracing::Span,
}

impl RequestLog {
    pub fn open(
        sink: Arc<dyn AuditSink>,
        request_id: String,
        endpoint: &'static str,
        pack: (&str, &str),
    ) -> Self {
        let time_unix_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        Self {
            record: Some(AuditRecord {
                time_unix_ms,
                request_id,
                pack: pack.0.to_string(),
                pack_version: pack.1.to_string(),
                replica: replica(),
                endpoint,
                key_id: None,
                model: None,
                stream: false,
                attempts: Vec::new(),
                status: 0,
                outcome: Outcome::Cancelled,
                error: None,
                decisions: Vec::new(),
                usage: None,
                images: None,
                cost_usd: None,
                content: None,
                latency_ms: 0.0,
                first_byte_ms: None,
            }),
            sink,
            started: Instant::now(),
            span: tracing::Span::current(),
        }
    }

    /// The record being filled in. `None` only after it was finished.
    pub fn record(&mut self) -> Option<&mut AuditRecord> {
        self.record.as_mut()
    }

    /// The client's model name (bounded: the client chose it).
    pub fn set_model(&mut self, model: &str, stream: bool) {
        if let Some(r) = self.record.as_mut() {
            r.model = Some(crate::bounded::bounded(model).into_owned());
            r.stream = stream;
        }
    }

    pub fn set_attempts(&mut self, attempts: &[Attempt]) {
        if let Some(r) = self.record.as_mut() {
            r.attempts = attempts
                .iter()
                .map(|a| AttemptRecord {
                    target: a.target.clone(),
                    region: a.region.clone(),
                    outcome: a.outcome,
                    latency_ms: a.latency.as_secs_f64() * 1000.0,
                    retry: a.retry,
                })
                .collect();
        }
    }

    pub fn add_decisions(&mut self, decisions: Vec<Decision>) {
        if let Some(r) = self.record.as_mut() {
            r.decisions.extend(decisions);
        }
    }

    /// Keeps the prompt text (already in the form the pack's `include_content` asks for,
    /// `mode`: `redacted` or `full`).
    pub fn set_prompt(&mut self, mode: &str, prompt: Vec<ContentText>) {
        if let Some(r) = self.record.as_mut() {
            let content = r.content.get_or_insert_with(AuditContent::default);
            content.mode = mode.to_string();
            content.prompt = prompt;
        }
    }

    /// Keeps the reply text (already in the form the pack's `include_content` asks for).
    pub fn set_reply(&mut self, reply: String) {
        if let Some(r) = self.record.as_mut() {
            r.content.get_or_insert_with(AuditContent::default).reply = Some(reply);
        }
    }

    pub fn set_usage(&mut self, usage: Usage) {
        if let Some(r) = self.record.as_mut() {
            r.usage = Some(usage.into());
        }
    }

    /// Records an image call's output.
    pub fn set_images(&mut self, images: ImagesRecord) {
        if let Some(r) = self.record.as_mut() {
            r.images = Some(images);
        }
    }

    /// Records what the reply cost.
    pub fn set_cost(&mut self, usd: Option<f64>) {
        if let Some(r) = self.record.as_mut() {
            r.cost_usd = usd;
        }
    }

    /// Notes that the first bytes of a streamed reply are leaving (later calls change nothing).
    pub fn mark_first_byte(&mut self) {
        if let Some(r) = self.record.as_mut()
            && r.first_byte_ms.is_none()
        {
            r.first_byte_ms = Some(self.started.elapsed().as_secs_f64() * 1000.0);
        }
    }

    /// Closes the record with its outcome and writes it.
    pub fn finish(&mut self, status: u16, outcome: Outcome, error: Option<&str>) {
        if let Some(mut r) = self.record.take() {
            r.status = status;
            r.outcome = outcome;
            r.error = error.map(str::to_string);
            r.latency_ms = self.started.elapsed().as_secs_f64() * 1000.0;
            let sink = &self.sink;
            self.span.in_scope(|| sink.write(r));
        }
    }
}

impl Drop for RequestLog {
    fn drop(&mut self) {
        self.finish(499, Outcome::Cancelled, Some("client_closed_request"));
    }
}
