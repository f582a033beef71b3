//! Routing: which targets a request tries, in what order, how often, and when not at all.
//!
//! A [`Strategy`] orders a route's targets (pure, cheap); [`execute`] walks that order with the
//! pack's retry policy, each target's circuit breaker and concurrency limit, and the route's
//! deadline, recording every attempt (skips included) for headers, logs and the audit record.
//! gw is the one owner of the retry budget: the SDK's own retries are off.
//!
//! The walk, per target: ask the breaker (open: record `breaker_open`, move on), take a
//! concurrency slot (full: record `shed`, move on), call with the time left before the deadline,
//! feed the result to the breaker, retry retryable failures with full-jitter backoff while the
//! deadline allows. A client error ends the walk (any target would refuse it the same way).
//! When every target was skipped because its breaker is open, the first of them is called anyway
//! (Envoy's "panic mode"): refusing would turn a possible success into a sure failure. When every
//! target was full, the client gets 429 `gateway_overloaded` with `Retry-After`.

pub mod breaker;
pub mod probe;
mod settings;
pub mod state;
mod strategy;
mod target;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use futures_util::future::BoxFuture;
use tracing::Instrument;

use crate::error::{ApiError, ErrorKind};
use crate::provider::{FailureClass, ProviderError};
use crate::telemetry::spans;

use breaker::{Admit, Breaker, Signal};
pub use settings::{BreakerSettings, RetryClasses, RetrySettings, StrategyKind, TargetSpec};
pub use state::{Slot, TargetState, hold_stream};
pub use strategy::{Strategy, build_strategy};
pub use target::TargetRuntime;

/// One client-facing model name, resolved: the strategy, the targets (indexes into the
/// runtime's target list) it chooses among, and how long a request may spend on them.
pub struct Route {
    pub strategy: Box<dyn Strategy>,
    pub targets: Vec<usize>,
    /// Budget for the whole walk, retries and fallbacks included.
    pub deadline: Duration,
}

pub use crate::attempt::{Attempt, BREAKER_OPEN, SHED};

/// Tries the route's targets in the strategy's order until one succeeds; see the module doc.
pub async fn execute<'r, T, F>(
    targets: &'r [TargetRuntime],
    route: &Route,
    attempts: &mut Vec<Attempt>,
    call: F,
) -> Result<(usize, T), ProviderError>
where
    F: FnMut(&'r TargetRuntime) -> BoxFuture<'r, Result<T, ProviderError>>,
{
    walk(targets, route, attempts, call, Settle::AtOnce)
        .await
        .map(|(idx, v, _slot)| (idx, v))
}

/// [`execute`] for replies that outlive the call (streams): also hands back the winning call's
/// concurrency slot, which carries its breaker vote until the reply ends. Wrap the reply with
/// [`hold_stream`].
pub async fn execute_held<'r, T, F>(
    targets: &'r [TargetRuntime],
    route: &Route,
    attempts: &mut Vec<Attempt>,
    call: F,
) -> Result<(usize, T, Slot), ProviderError>
where
    F: FnMut(&'r TargetRuntime) -> BoxFuture<'r, Result<T, ProviderError>>,
{
    walk(targets, route, attempts, call, Settle::WithSlot).await
}

/// When a successful call's breaker vote is cast.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Settle {
    /// When the call returns (whole replies).
    AtOnce,
    /// When the returned slot's stream ends.
    WithSlot,
}

async fn walk<'r, T, F>(
    targets: &'r [TargetRuntime],
    route: &Route,
    attempts: &mut Vec<Attempt>,
    mut call: F,
    settle: Settle,
) -> Result<(usize, T, Slot), ProviderError>
where
    F: FnMut(&'r TargetRuntime) -> BoxFuture<'r, Result<T, ProviderError>>,
{
    let now = Instant::now();
    let deadline = now + route.deadline;
    let mut order = Vec::with_capacity(route.targets.len());
    let usable = |i: usize| {
        route
            .targets
            .get(i)
            .and_then(|t| targets.get(*t))
            .is_some_and(|t| t.state.breaker.would_admit(now))
    };
    route.strategy.order(&route.targets, &usable, &mut order);

    let mut last: Option<ProviderError> = None;
    let mut first_open: Option<usize> = None;
    let mut shed = false;
    for &idx in &order {
        if Instant::now() >= deadline {
            break;
        }
        let Some(target) = targets.get(idx) else {
            continue;
        };
        let gate = Gate::Breaker(&target.state.breaker);
        match walk_target(target, idx, gate, deadline, settle, attempts, &mut call).await {
            Step::Done(v) => return Ok(v),
            Step::Stop(e) => return Err(e),
            Step::Failed(e) => last = Some(e),
            Step::Open => {
                first_open.get_or_insert(idx);
            }
            Step::Full => shed = true,
        }
    }
    if last.is_none()
        && let Some(idx) = first_open
        && let Some(target) = targets.get(idx)
        && Instant::now() < deadline
    {
        match walk_target(
            target,
            idx,
            Gate::Panic,
            deadline,
            settle,
            attempts,
            &mut call,
        )
        .await
        {
            Step::Done(v) => return Ok(v),
            Step::Stop(e) | Step::Failed(e) => return Err(e),
            Step::Open => {}
            Step::Full => shed = true,
        }
    }
    Err(last.unwrap_or_else(|| {
        if shed {
            overloaded()
        } else if Instant::now() >= deadline {
            deadline_exceeded()
        } else {
            ProviderError::from(ApiError::internal("the route has no targets"))
        }
    }))
}

/// Whether the breaker decides (normal walk) or is overridden (panic mode).
#[derive(Clone, Copy)]
enum Gate<'a> {
    Breaker(&'a Breaker),
    Panic,
}

/// How the walk on one target ended.
enum Step<T> {
    Done((usize, T, Slot)),
    /// Not retryable anywhere: the walk ends.
    Stop(ProviderError),
    /// Called and failed; the walk moves on.
    Failed(ProviderError),
    /// Skipped before any call: breaker open.
    Open,
    /// Skipped before any call: at its concurrency limit.
    Full,
}

/// The retry loop on one target.
async fn walk_target<'r, T, F>(
    target: &'r TargetRuntime,
    idx: usize,
    gate: Gate<'_>,
    deadline: Instant,
    settle: Settle,
    attempts: &mut Vec<Attempt>,
    call: &mut F,
) -> Step<T>
where
    F: FnMut(&'r TargetRuntime) -> BoxFuture<'r, Result<T, ProviderError>>,
{
    let retry = &target.retry;
    let mut last: Option<ProviderError> = None;
    for n in 0..retry.max_attempts.max(1) {
        if n > 0 {
            let pause = backoff(retry, n);
            if Instant::now() + pause >= deadline {
                break;
            }
            tokio::time::sleep(pause).await;
        }
        let started = Instant::now();
        let vote = match gate {
            Gate::Breaker(b) => match b.admit(started) {
                Admit::Refused { .. } => {
                    attempts.push(skipped(target, BREAKER_OPEN, n));
                    return last.map_or(Step::Open, Step::Failed);
                }
                admitted => Some(Vote::new(b, admitted)),
            },
            Gate::Panic => None,
        };
        let Some(mut slot) = target.state.try_acquire() else {
            drop(vote);
            attempts.push(skipped(target, SHED, n));
            return last.map_or(Step::Full, Step::Failed);
        };
        let budget = deadline.saturating_duration_since(started);
        let spec = &target.spec;
        let span = spans::attempt(&spec.id, &spec.model, &spec.region, &spec.host, n);
        let result = match tokio::time::timeout(budget, call(target).instrument(span.clone())).await
        {
            Ok(r) => r,
            Err(_) => Err(deadline_exceeded()),
        };
        spans::record_attempt(
            &span,
            match &result {
                Ok(_) => "ok",
                Err(e) => e.class.as_str(),
            },
        );
        if let Some(v) = vote {
            if settle == Settle::WithSlot && result.is_ok() {
                slot.defer_vote(v.hand_over());
            } else {
                v.cast(Signal::of(result.as_ref().map(|_| ()).map_err(|e| e.class)));
            }
        }
        attempts.push(Attempt {
            target: target.spec.id.clone(),
            region: target.spec.region.clone(),
            outcome: match &result {
                Ok(_) => "ok",
                Err(e) => e.class.as_str(),
            },
            latency: started.elapsed(),
            retry: n,
        });
        match result {
            Ok(v) => return Step::Done((idx, v, slot)),
            Err(e) if e.class == FailureClass::Client => return Step::Stop(e),
            Err(e) => {
                let again = retry.on.covers(e.class);
                last = Some(e);
                if !again || Instant::now() >= deadline {
                    break;
                }
            }
        }
    }
    last.map_or(Step::Open, Step::Failed)
}

/// A breaker admission that must be answered exactly once: if the request is dropped mid-call
/// (client gone), the drop answers `Abandoned` so a half-open probe slot is not lost.
struct Vote<'a> {
    breaker: &'a Breaker,
    admitted: Admit,
    cast: bool,
}

impl<'a> Vote<'a> {
    fn new(breaker: &'a Breaker, admitted: Admit) -> Self {
        Self {
            breaker,
            admitted,
            cast: false,
        }
    }

    /// Passes the duty to answer on to someone else (a streamed reply's slot).
    fn hand_over(mut self) -> Admit {
        self.cast = true;
        self.admitted
    }

    fn cast(mut self, signal: Signal) {
        self.cast = true;
        self.breaker.record(Instant::now(), self.admitted, signal);
    }
}

impl Drop for Vote<'_> {
    fn drop(&mut self) {
        if !self.cast {
            self.breaker
                .record(Instant::now(), self.admitted, Signal::Abandoned);
        }
    }
}

fn skipped(target: &TargetRuntime, outcome: &'static str, retry: u32) -> Attempt {
    Attempt {
        target: target.spec.id.clone(),
        region: target.spec.region.clone(),
        outcome,
        latency: Duration::ZERO,
        retry,
    }
}

/// 429 when every target of the route is at its concurrency limit: back-pressure to the client
/// instead of an unbounded queue inside gw.
fn overloaded() -> ProviderError {
    ProviderError::new(
        FailureClass::Throttling,
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Overloaded,
            "every target of this model is at its concurrency limit (max_concurrency); retry after the delay in Retry-After",
        )
        .with_code("gateway_overloaded")
        .with_retry_after(1),
    )
}

/// 504 when the route's deadline ran out before any target answered.
fn deadline_exceeded() -> ProviderError {
    ProviderError::new(
        FailureClass::Timeout,
        ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            ErrorKind::Timeout,
            "no target answered before the request deadline (providers.deadline_seconds, by default the largest timeout_seconds of the model's targets)",
        )
        .with_code("upstream_timeout"),
    )
}

/// Full-jitter backoff before retry `n` (1-based): uniform in `0..=min(cap, initial * 2^(n-1))`.
pub fn backoff(retry: &RetrySettings, n: u32) -> Duration {
    let initial = u64::try_from(retry.initial_backoff.as_millis()).unwrap_or(u64::MAX);
    let exp = initial.saturating_mul(1u64 << (n.saturating_sub(1)).min(20));
    let cap = exp.min(u64::try_from(retry.max_backoff.as_millis()).unwrap_or(u64::MAX));
    Duration::from_millis(fastrand::u64(0..=cap))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_capped_and_grows() {
        let r = RetrySettings {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(300),
            on: RetryClasses::default(),
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

    use std::sync::Arc;

    use futures_util::FutureExt;

    use crate::ir::{ChatRequest, ChatResponse};
    use crate::provider::{EmbedRequest, Embeddings, EventStream, Provider};

    /// Never called: `execute` is driven through its closure.
    struct Nothing;

    impl Provider for Nothing {
        fn chat<'a>(
            &'a self,
            _: &'a ChatRequest,
        ) -> BoxFuture<'a, Result<ChatResponse, ProviderError>> {
            async { Err(ApiError::internal("unused").into()) }.boxed()
        }
        fn chat_stream<'a>(
            &'a self,
            _: &'a ChatRequest,
        ) -> BoxFuture<'a, Result<EventStream, ProviderError>> {
            async { Err(ApiError::internal("unused").into()) }.boxed()
        }
        fn embed<'a>(
            &'a self,
            _: &'a EmbedRequest,
        ) -> BoxFuture<'a, Result<Embeddings, ProviderError>> {
            async { Err(ApiError::internal("unused").into()) }.boxed()
        }
    }

    fn target(id: &str) -> TargetRuntime {
        let breaker = BreakerSettings {
            failure_threshold: 1,
            window: Duration::from_secs(30),
            open_for: Duration::from_secs(30),
            probes: 1,
        };
        TargetRuntime {
            state: TargetState::new(None, &breaker),
            access: crate::access::TargetAccess::build(
                id,
                None,
                None,
                &crate::access::store::MemoryStore,
                None,
            ),
            spec: TargetSpec {
                id: id.to_string(),
                model: "m".into(),
                region: "us-east-1".into(),
                host: "bedrock-runtime.us-east-1.amazonaws.com".into(),
                timeout: Duration::from_secs(60),
                weight: 1.0,
                max_concurrency: None,
            },
            provider: Arc::new(Nothing),
            retry: RetrySettings {
                max_attempts: 1,
                initial_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(2),
                on: RetryClasses::default(),
            },
        }
    }

    fn fail() -> ProviderError {
        ProviderError::new(
            FailureClass::ServerError,
            ApiError::new(StatusCode::BAD_GATEWAY, ErrorKind::Server, "down"),
        )
    }

    /// Both breakers open: the walk records two skips, then calls the first target anyway.
    #[tokio::test]
    async fn every_breaker_open_means_panic_mode() {
        let targets = vec![target("a"), target("b")];
        let route = Route {
            strategy: build_strategy(StrategyKind::Fallback, vec![1.0, 1.0]),
            targets: vec![0, 1],
            deadline: Duration::from_secs(5),
        };
        let mut attempts = Vec::new();
        let r = execute(&targets, &route, &mut attempts, |_| {
            async { Err::<(), _>(fail()) }.boxed()
        })
        .await;
        assert!(r.is_err());
        let mut attempts = Vec::new();
        let r = execute(&targets, &route, &mut attempts, |t| {
            let id = t.spec.id.clone();
            async move { Ok::<_, ProviderError>(id) }.boxed()
        })
        .await;
        let outcomes: Vec<_> = attempts
            .iter()
            .map(|a| (a.target.as_str(), a.outcome))
            .collect();
        assert_eq!(
            outcomes,
            [("a", BREAKER_OPEN), ("b", BREAKER_OPEN), ("a", "ok")]
        );
        assert_eq!(r.ok(), Some((0, "a".to_string())));
    }

    /// A deadline cuts a call that would take longer, and no retry starts after it.
    #[tokio::test]
    async fn deadline_cuts_the_attempt() {
        let targets = vec![target("a")];
        let route = Route {
            strategy: build_strategy(StrategyKind::Single, vec![1.0]),
            targets: vec![0],
            deadline: Duration::from_millis(50),
        };
        let mut attempts = Vec::new();
        let started = Instant::now();
        let r = execute(&targets, &route, &mut attempts, |_| {
            async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                Ok::<_, ProviderError>(())
            }
            .boxed()
        })
        .await;
        assert!(started.elapsed() < Duration::from_secs(1));
        let e = r.err().map(|e| e.api.status);
        assert_eq!(e, Some(StatusCode::GATEWAY_TIMEOUT));
        assert_eq!(attempts.len(), 1);
        assert_eq!(attempts[0].outcome, "timeout");
    }
}
