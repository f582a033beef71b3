//! The pack's routing sections compiled into routing's own settings, so the router never reads
//! YAML types: seconds and milliseconds become `Duration`s, a target's retry override falls back
//! to the pack's, and the span's server address is worked out once.

use std::time::Duration;

use crate::config::pack::{BreakerConfig, RetryConfig, RetryOn, Strategy, Target};
use crate::routing::{BreakerSettings, RetryClasses, RetrySettings, StrategyKind, TargetSpec};
use crate::telemetry::spans::server_address;

/// What routing keeps of a target.
pub(super) fn target_spec(t: &Target) -> TargetSpec {
    TargetSpec {
        id: t.id.clone(),
        model: t.model.clone(),
        region: t.aws_region.clone(),
        host: server_address(t.base_url.as_deref(), &t.aws_region),
        timeout: Duration::from_secs(t.timeout_seconds),
        weight: t.weight,
        max_concurrency: t.max_concurrency,
    }
}

/// A target's retries: its own `retry`, else the pack's `providers.retry`.
pub(super) fn retry(target: &Target, pack_default: &RetryConfig) -> RetrySettings {
    let c = target.retry.as_ref().unwrap_or(pack_default);
    let mut on = RetryClasses::default();
    for class in &c.retry_on {
        match class {
            RetryOn::Throttling => on.throttling = true,
            RetryOn::ServerError => on.server_error = true,
            RetryOn::Timeout => on.timeout = true,
            RetryOn::Connect => on.connect = true,
        }
    }
    RetrySettings {
        max_attempts: c.max_attempts.max(1),
        initial_backoff: Duration::from_millis(c.initial_backoff_ms),
        max_backoff: Duration::from_millis(c.max_backoff_ms),
        on,
    }
}

/// The pack's circuit breaker.
pub(super) fn breaker(c: &BreakerConfig) -> BreakerSettings {
    BreakerSettings {
        failure_threshold: c.failure_threshold,
        window: Duration::from_secs(c.window_seconds),
        open_for: Duration::from_secs(c.open_seconds),
        probes: c.half_open_requests,
    }
}

/// A route's strategy.
pub(super) fn strategy(s: Strategy) -> StrategyKind {
    match s {
        Strategy::Single => StrategyKind::Single,
        Strategy::Fallback => StrategyKind::Fallback,
        Strategy::Weighted => StrategyKind::Weighted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_override_wins_and_classes_carry_over() {
        let t: Target = serde_json::from_value(serde_json::json!({
            "id": "t", "provider": "aws-bedrock", "model": "m", "aws_region": "eu-west-1",
            "retry": {"max_attempts": 2, "retry_on": ["throttling"]}
        }))
        .expect("target");
        let r = retry(&t, &RetryConfig::default());
        assert_eq!(r.max_attempts, 2);
        assert!(r.on.throttling && !r.on.server_error);
        let spec = target_spec(&t);
        assert_eq!(spec.host, "bedrock-runtime.eu-west-1.amazonaws.com");
        let plain: Target = serde_json::from_value(serde_json::json!({
            "id": "p", "provider": "aws-bedrock", "model": "m"
        }))
        .expect("target");
        let d = retry(&plain, &RetryConfig::default());
        assert_eq!(d.max_attempts, RetryConfig::default().max_attempts);
        assert!(d.on.server_error && d.on.timeout);
    }
}
