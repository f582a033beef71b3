//! `policies.audit_logger`: where the audit trail goes, how it is flushed, what it keeps.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::yes;

/// Audit logger.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// `false` switches the policy off without removing it from the chain.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Directory of the audit log.
    #[serde(default = "default_audit_path")]
    pub path: String,
    /// Whole files older than this many days are removed (and the removal recorded).
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub retention_days: Option<u32>,
    /// Append only; refuse to start when the existing chain does not verify.
    #[serde(default)]
    pub immutable: bool,
    /// Kept for compatibility with other gateways' packs: gw always writes exactly one record per
    /// request, rejected ones included, so `false` cannot drop records.
    #[serde(default = "yes")]
    pub log_all_access: bool,
    /// How much of the prompt and reply is stored.
    #[serde(default)]
    pub include_content: IncludeContent,
    /// When records reach the disk: `every_record` (default; each batch the writer drains,
    /// records arriving within 2 ms of the first, is fsynced before the next) or `interval`
    /// (every `fsync_interval_ms`), trading a window of records lost on power failure for
    /// throughput.
    #[serde(default)]
    pub fsync: AuditFsync,
    /// With `fsync: interval`: milliseconds between fsyncs.
    #[serde(default = "default_fsync_interval_ms")]
    #[schemars(range(min = 1))]
    pub fsync_interval_ms: u64,
    /// What a request does when the writer's queue is full: `block` waits for room,
    /// `drop_and_count` drops the record and writes the count into the chain when room returns.
    /// Default: `block` when `immutable: true`, else `drop_and_count`.
    #[serde(default)]
    pub on_backpressure: Option<AuditBackpressure>,
    /// Records the queue to the writer holds before backpressure applies.
    #[serde(default = "default_audit_queue")]
    #[schemars(range(min = 1))]
    pub queue_capacity: usize,
    /// A file is closed and a new one started past this size (files also roll every UTC day).
    #[serde(default = "default_max_file_bytes")]
    #[schemars(range(min = 4096))]
    pub max_file_bytes: u64,
}

fn default_fsync_interval_ms() -> u64 {
    100
}
fn default_audit_queue() -> usize {
    8192
}
fn default_max_file_bytes() -> u64 {
    256 * 1024 * 1024
}

/// When the audit writer fsyncs.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AuditFsync {
    /// After every batch of records the writer drains (group commit).
    #[default]
    EveryRecord,
    /// Every `fsync_interval_ms`.
    Interval,
}

/// What a request does when the audit queue is full.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AuditBackpressure {
    /// Wait for room: no record is ever lost, requests slow down instead.
    Block,
    /// Drop the record and count it; the count goes into the chain as a `dropped` record.
    DropAndCount,
}

fn default_audit_path() -> String {
    "./audit".into()
}

/// Content kept in audit records.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum IncludeContent {
    /// No prompt or reply text.
    #[default]
    None,
    /// Text after PII redaction.
    Redacted,
    /// Raw text (only when the pack explicitly allows it).
    Full,
}
