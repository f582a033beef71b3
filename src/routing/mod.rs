//! Routing: which targets a request tries, in what order, and how often.
//!
//! A [`Strategy`] orders a route's targets (pure, cheap); [`execute`] walks that order with the
//! pack's retry policy, recording every attempt for headers, logs and the audit record. gw is the
//! one owner of the retry budget: the SDK's own retries are off.

mod strategy;

use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;

use crate::config::pack::RetryConfig;
use crate::provider::{FailureClass, ProviderError};
use crate::runtime::TargetRuntime;

pub use strategy::{Strategy, build_strategy};

/// One client-facing model name, resolved: the strategy and the targets (indexes into the
/// runtime's target list) it chooses among.
pub struct Route {
    pub strategy: Box<dyn Strategy>,
    pub targets: Vec<usize>,
}

/// One upstream call, as it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub target: String,
    pub region: String,
    /// `ok` or a failure class label (`throttled`, `server_error`, …).
    pub outcome: &'static str,
    pub latency: Duration,
    /// 0 for the first try on this target.
    pub retry: u32,
}

/// Tries the route's targets in the strategy's order until one succeeds, retrying retryable
/// failures with exponential backoff and full jitter. A non-retryable failure ends the walk at
/// once: another target would reject the same request the same way.
pub async fn execute<'r, T, F>(
    targets: &'r [TargetRuntime],
    route: &Route,
    attempts: &mut Vec<Attempt>,
    mut call: F,
) -> Result<(usize, T), ProviderError>
where
    F: FnMut(&'r TargetRuntime) -> BoxFuture<'r, Result<T, ProviderError>>,
{
    let mut order = Vec::with_capacity(route.targets.len());
    route.strategy.order(&route.targets, &mut order);
    let mut last: Option<ProviderError> = None;
    for &idx in &order {
        let target = &targets[idx];
        let retry = &target.retry;
        for n in 0..retry.max_attempts.max(1) {
            if n > 0 {
                tokio::time::sleep(backoff(retry, n)).await;
            }
            let started = Instant::now();
            let result = call(target).await;
            let outcome = match &result {
                Ok(_) => "ok",
                Err(e) => e.class.as_str(),
            };
            attempts.push(Attempt {
                target: target.spec.id.clone(),
                region: target.spec.aws_region.clone(),
                outcome,
                latency: started.elapsed(),
                retry: n,
            });
            match result {
                Ok(v) => return Ok((idx, v)),
                Err(e) if e.class == FailureClass::Client => return Err(e),
                Err(e) => {
                    let again = e.class.retryable_under(&retry.retry_on);
                    last = Some(e);
                    if !again {
                        break;
                    }
                }
            }
        }
    }
    Err(last.unwrap_or_else(|| {
        ProviderError::from(crate::error::ApiError::internal("the route has no targets"))
    }))
}

/// Full-jitter backoff before retry `n` (1-based): uniform in `0..=min(cap, initial * 2^(n-1))`.
pub fn backoff(retry: &RetryConfig, n: u32) -> Duration {
    let exp = retry
        .initial_backoff_ms
        .saturating_mul(1u64 << (n.saturating_sub(1)).min(20));
    let cap = exp.min(retry.max_backoff_ms);
    Duration::from_millis(fastrand::u64(0..=cap))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_capped_and_grows() {
        let r = RetryConfig {
            max_attempts: 5,
            initial_backoff_ms: 100,
            max_backoff_ms: 300,
            retry_on: vec![],
        };
        for _ in 0..200 {
            assert!(backoff(&r, 1) <= Duration::from_millis(100));
            assert!(backoff(&r, 4) <= Duration::from_millis(300));
        }
        let max_seen = (0..500).map(|_| backoff(&r, 3)).max().unwrap_or_default();
        assert!(
            max_seen > Duration::from_millis(150),
            "jitter should use the whole range"
        );
    }
}
