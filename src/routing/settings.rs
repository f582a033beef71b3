//! Routing's own settings, compiled from the pack when a runtime is built (`runtime` does the
//! compiling): the router never reads YAML types, so a pack-format change stops at the builder,
//! and defaults, floors and units (seconds to `Duration`) are settled once, not per request.

use std::time::Duration;

use crate::provider::FailureClass;

/// What routing needs to know about a target beyond its client.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetSpec {
    /// The pack's target id (`x-gw-target`, metrics, audit).
    pub id: String,
    /// The Bedrock model id or inference profile.
    pub model: String,
    /// The AWS region it is called in.
    pub region: String,
    /// The host its calls go to (`server.address` on upstream spans).
    pub host: String,
    /// How long one call may take.
    pub timeout: Duration,
    /// Its share under a weighted strategy.
    pub weight: f64,
    /// Calls open at once before the target sheds load; `None` is unlimited.
    pub max_concurrency: Option<u32>,
}

/// How a route orders its targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrategyKind {
    /// The first target only.
    Single,
    /// Targets in order, the next on failure.
    Fallback,
    /// A weighted random first choice, then the rest in weight order.
    Weighted,
}

/// Retries on one target: attempts, full-jitter exponential backoff, and which failures qualify.
#[derive(Debug, Clone, PartialEq)]
pub struct RetrySettings {
    /// Attempts in all (at least 1).
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// The failure classes worth another attempt.
    pub on: RetryClasses,
}

/// The retryable failure classes a pack names (`retry_on`). Client errors never qualify.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetryClasses {
    pub throttling: bool,
    pub server_error: bool,
    pub timeout: bool,
    pub connect: bool,
}

impl RetryClasses {
    /// Whether a failure of `class` is retried.
    pub fn covers(self, class: FailureClass) -> bool {
        match class {
            FailureClass::Throttling => self.throttling,
            FailureClass::ServerError => self.server_error,
            FailureClass::Timeout => self.timeout,
            FailureClass::Connect => self.connect,
            FailureClass::Client => false,
        }
    }
}

/// A target's circuit breaker: failures (timeouts count double) within a window open it for a
/// while, then a few probe requests decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerSettings {
    /// Failures within `window` that open the breaker (at least 1).
    pub failure_threshold: u32,
    pub window: Duration,
    /// How long it stays open before probing.
    pub open_for: Duration,
    /// Probe requests let through when half-open (at least 1).
    pub probes: u32,
}
