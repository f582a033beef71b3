//! The pack's routing and access sections compiled into those layers' own settings, so neither
//! reads YAML types: seconds and milliseconds become `Duration`s, a target's retry override falls
//! back to the pack's, prices fall back to the built-in table, and the span's server address is
//! worked out once.

use std::time::Duration;

use crate::access::pricing::{self, ImagePrice, Price};
use crate::access::{
    BudgetLimits, KeySecret, KeySpec, RateLimits, RedisSpec, StoreFailure, StoreSpec,
};
use crate::config::pack::{
    BreakerConfig, Budget, ClientKey, FailMode, Pack, RateLimit, RetryConfig, RetryOn, Strategy,
    Target,
};
use crate::routing::{BreakerSettings, RetryClasses, RetrySettings, StrategyKind, TargetSpec};
use crate::telemetry::spans::server_address;

/// Where the pack's counters live (`limits`), reading the store's password from its env var now.
pub(super) fn store(pack: &Pack, pack_dir: &std::path::Path) -> Result<StoreSpec, String> {
    let l = &pack.limits;
    if l.store == "memory" {
        return Ok(StoreSpec::Memory);
    }
    let password = match &l.password_env {
        None => None,
        Some(var) => Some(std::env::var(var).map_err(|_| {
            format!("limits.password_env: environment variable `{var}` is not set")
        })?),
    };
    let ca_pem = match &l.ca_file {
        None => None,
        Some(f) => Some(
            std::fs::read(pack_dir.join(f))
                .map_err(|e| format!("limits.ca_file `{f}` cannot be read: {e}"))?,
        ),
    };
    Ok(StoreSpec::Redis(RedisSpec {
        url: l.store.clone(),
        password,
        ca_pem,
        timeout: Duration::from_millis(l.timeout_ms.max(1)),
        prefix: l
            .key_prefix
            .clone()
            .unwrap_or_else(|| format!("gw:{}", pack.pack.name)),
    }))
}

/// What admission does when the store does not answer (`limits.on_store_error`).
pub(super) fn store_failure(pack: &Pack) -> StoreFailure {
    let e = &pack.limits.on_store_error;
    StoreFailure {
        rate_limits_open: e.rate_limits == FailMode::Allow,
        budgets_open: e.budgets == FailMode::Allow,
    }
}

/// The pack's client keys (`auth.keys`).
pub(super) fn keys(pack: &Pack) -> Vec<KeySpec> {
    let keys: &[ClientKey] = pack.auth.as_ref().map_or(&[], |a| &a.keys);
    keys.iter()
        .map(|k| KeySpec {
            id: k.id.clone(),
            secret: match (&k.key_sha256, &k.key_env) {
                (Some(hex), _) => Some(KeySecret::Sha256Hex(hex.clone())),
                (None, Some(var)) => Some(KeySecret::Env(var.clone())),
                (None, None) => None,
            },
            models: k.models.clone(),
            rate_limit: k.rate_limit.as_ref().map(rate_limits),
            budget: k.budget.as_ref().map(budget),
        })
        .collect()
}

/// Whether some target limits tokens per minute (then every request needs a token estimate).
pub(super) fn targets_count_tokens(pack: &Pack) -> bool {
    pack.providers.targets.iter().any(|t| {
        t.rate_limit
            .as_ref()
            .is_some_and(|l| l.tokens_per_minute.is_some())
    })
}

/// A rate limit as access reads it.
pub(super) fn rate_limits(l: &RateLimit) -> RateLimits {
    RateLimits {
        requests_per_minute: l.requests_per_minute,
        tokens_per_minute: l.tokens_per_minute,
    }
}

fn budget(b: &Budget) -> BudgetLimits {
    BudgetLimits {
        usd_per_day: b.usd_per_day,
        usd_per_month: b.usd_per_month,
    }
}

/// The pack's price for a target, else the built-in one for its model; `None` when neither
/// exists (the request then has no cost and spends no budget). Cache prices the pack leaves out
/// are billed as plain input: never under-counted.
pub(super) fn price(t: &Target) -> Option<Price> {
    match &t.pricing {
        Some(p) => Some(Price {
            input: p.input_per_1m,
            output: p.output_per_1m,
            cache_read: p.cache_read_per_1m.unwrap_or(p.input_per_1m),
            cache_write: p.cache_write_per_1m.unwrap_or(p.input_per_1m),
            image: match p.per_image {
                Some(std) => Some(ImagePrice::flat(std, p.per_image_premium.unwrap_or(std))),
                None => pricing::builtin_image(&t.model),
            },
        }),
        None => pricing::builtin(&t.model),
    }
}

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

    #[test]
    fn prices_fall_back_to_input_then_to_the_builtin_table() {
        let t: Target = serde_json::from_value(serde_json::json!({
            "id": "t", "provider": "aws-bedrock", "model": "m",
            "pricing": {"input_per_1m": 3.0, "output_per_1m": 15.0}
        }))
        .expect("target");
        let p = price(&t).expect("priced");
        assert_eq!((p.cache_read, p.cache_write), (3.0, 3.0));
        let unknown: Target = serde_json::from_value(serde_json::json!({
            "id": "u", "provider": "aws-bedrock", "model": "no-such-model"
        }))
        .expect("target");
        assert_eq!(price(&unknown), None);
    }
}
