//! Health probes: a 1-token Converse per target every `health_probe.interval_seconds`, so a
//! breaker opens before clients hit a dead target and closes as soon as it is back, instead of
//! waiting for live traffic to find out either way.
//!
//! A probe's result is a breaker vote like a request's (a failed probe counts toward opening),
//! except that a successful probe closes an open or half-open breaker at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::ir::{ChatRequest, Message, Part, Role};
use crate::provider::Provider;

use super::breaker::Signal;
use super::state::TargetState;

/// The running probe loop of one target; stops when dropped (a reload builds new ones).
#[derive(Debug)]
pub struct ProbeTask(tokio::task::JoinHandle<()>);

impl Drop for ProbeTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts probing `provider` every `interval`, each probe allowed `timeout`.
pub fn spawn(
    provider: Arc<dyn Provider>,
    state: Arc<TargetState>,
    interval: Duration,
    timeout: Duration,
) -> ProbeTask {
    ProbeTask(tokio::spawn(async move {
        let req = probe_request();
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            let result = match tokio::time::timeout(timeout, provider.chat(&req)).await {
                Ok(r) => r.map(|_| ()).map_err(|e| e.class),
                Err(_) => Err(crate::provider::FailureClass::Timeout),
            };
            let signal = Signal::of(result);
            state.breaker.record_probe(Instant::now(), signal);
            tracing::debug!(?signal, "health probe");
        }
    }))
}

/// The cheapest useful call: one short user turn, one output token.
fn probe_request() -> ChatRequest {
    ChatRequest {
        model: "health-probe".into(),
        messages: vec![Message {
            role: Role::User,
            content: vec![Part::Text("ping".into())],
        }],
        max_tokens: Some(1),
        ..ChatRequest::default()
    }
}
