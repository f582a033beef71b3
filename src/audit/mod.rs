//! The audit trail's seam: exactly one record per request that reaches gw, whatever happens to it.
//!
//! Handlers open a [`RequestLog`] first thing; it is finished with the outcome, or, if the
//! request is dropped mid-way (client gone), its `Drop` writes the record as cancelled. Sinks get
//! finished records and must not block the request path.
//!
//! The durable trail is [`FileSink`]: a hash-chained JSON Lines log (format in [`chain`]) written
//! by a dedicated thread; [`verify`], [`query`] and [`stats`] read it back for `gw audit`.

pub mod chain;
pub mod cli;
pub mod content;
pub mod files;
pub mod query;
mod sink;
pub mod stats;
pub mod time;
pub mod verify;
mod writer;

pub use sink::{Backpressure, FileSink, FileSinkConfig, Fsync, OpenError};

use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

pub use content::{AuditContent, ContentCapture};

use crate::ir::Usage;
use crate::policy::Decision;
use crate::routing::Attempt;

/// Where finished records go.
pub trait AuditSink: Send + Sync {
    /// Takes one finished record; must not block on I/O (queue it instead).
    fn write(&self, record: AuditRecord);

    /// Makes every record written so far durable; called before the process exits.
    fn flush(&self) {}
}

/// Writes each record as one structured log line at info level (target `gw::audit`): the
/// one-line-per-request log until the audit trail has its own files.
pub struct LogSink;

impl AuditSink for LogSink {
    fn write(&self, r: AuditRecord) {
        let target = r.attempts.last().map(|a| a.target.as_str()).unwrap_or("");
        let (input, output) = r
            .usage
            .map_or((0, 0), |u| (u.input_tokens, u.output_tokens));
        tracing::info!(
            target: "gw::audit",
            request_id = %r.request_id,
            endpoint = r.endpoint,
            key_id = r.key_id.as_deref().unwrap_or(""),
            model = r.model.as_deref().unwrap_or(""),
            stream = r.stream,
            status = r.status,
            outcome = ?r.outcome,
            error = r.error.as_deref().unwrap_or(""),
            upstream = target,
            attempts = r.attempts.len(),
            input_tokens = input,
            output_tokens = output,
            cost_usd = r.cost_usd.unwrap_or(0.0),
            latency_ms = r.latency_ms,
            "request"
        );
    }
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

/// One request, as the audit trail keeps it. No prompt or reply text.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRecord {
    pub time_unix_ms: u64,
    pub request_id: String,
    pub pack: String,
    pub pack_version: String,
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
    /// What the reply cost in US dollars, from the target's pricing and the usage; absent when
    /// nothing was generated or the target has no known price.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
    /// Prompt and reply text, only when the pack's `include_content` asks for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<AuditContent>,
    pub latency_ms: f64,
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

/// Token usage in a record.
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
                cost_usd: None,
                content: None,
                latency_ms: 0.0,
            }),
            sink,
            started: Instant::now(),
        }
    }

    /// The record being filled in. `None` only after it was finished.
    pub fn record(&mut self) -> Option<&mut AuditRecord> {
        self.record.as_mut()
    }

    pub fn set_model(&mut self, model: &str, stream: bool) {
        if let Some(r) = self.record.as_mut() {
            r.model = Some(model.to_string());
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

    /// Keeps the prompt text (already in the form the pack's `include_content` asks for).
    pub fn set_prompt(&mut self, prompt: String) {
        if let Some(r) = self.record.as_mut() {
            r.content.get_or_insert_with(AuditContent::default).prompt = prompt;
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

    /// Records what the reply cost.
    pub fn set_cost(&mut self, usd: Option<f64>) {
        if let Some(r) = self.record.as_mut() {
            r.cost_usd = usd;
        }
    }

    /// Closes the record with its outcome and writes it.
    pub fn finish(&mut self, status: u16, outcome: Outcome, error: Option<&str>) {
        if let Some(mut r) = self.record.take() {
            r.status = status;
            r.outcome = outcome;
            r.error = error.map(str::to_string);
            r.latency_ms = self.started.elapsed().as_secs_f64() * 1000.0;
            self.sink.write(r);
        }
    }
}

impl Drop for RequestLog {
    fn drop(&mut self) {
        self.finish(499, Outcome::Cancelled, Some("client_closed_request"));
    }
}
