//! The record vocabulary of upstream attempts, shared by routing (which makes them), the audit
//! record and telemetry (which report them).
//!
//! Why it exists: it is data, not routing logic; as a leaf it lets the audit trail and the metrics
//! name attempts without depending on the router.

use std::time::Duration;

/// One upstream call (or a skipped one), as it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub target: String,
    pub region: String,
    /// `ok`, a failure class label (`throttled`, `server_error`, …), or a skip: `breaker_open`
    /// (the target's breaker refused the call) or `shed` (the target was at `max_concurrency`).
    pub outcome: &'static str,
    pub latency: Duration,
    /// 0 for the first try on this target.
    pub retry: u32,
}

/// Outcome label of an attempt the target's open breaker refused.
pub const BREAKER_OPEN: &str = "breaker_open";
/// Outcome label of an attempt refused because the target was at its concurrency limit.
pub const SHED: &str = "shed";
