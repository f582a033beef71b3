//! Step 2, streamed reply: dispatch up to the first upstream event, then every event through
//! the reply policies; the stream settles and prices itself when it ends.

use std::collections::VecDeque;
use std::sync::Arc;

use axum::http::StatusCode;
use futures_util::{FutureExt, StreamExt};
use tracing::Span;

use crate::access::{self, Grant, TargetAccess};
use crate::audit::ContentCapture;
use crate::error::{ApiError, ErrorKind};
use crate::ir::{StopReason, StreamEvent, Usage};
use crate::policy::{ChainRun, Decision};
use crate::provider::{EventStream, FailureClass, ProviderError};
use crate::routing::{self, Attempt};
use crate::runtime::Runtime;
use crate::telemetry::spans;

use super::{
    Admitted, Call, Failure, Receipt, Seen, gate, guardrail_decision, refunded_failure, route_for,
};

/// Step 2, streamed reply: dispatch up to and including the first upstream event (so a target
/// that fails before its first byte is retried or failed over), then hand back the stream with
/// the reply policies applied to every event.
pub async fn stream(
    rt: &Runtime,
    adm: Admitted,
    call: &mut Call,
) -> Result<(PolicedStream, Vec<Attempt>, Receipt), Box<Failure>> {
    let log = &mut call.log;
    let Admitted {
        req,
        policies,
        grant,
    } = adm;
    let route = route_for(rt, &req.model)?;
    let mut attempts = Vec::new();
    let seen = Seen::default();
    let result = routing::execute_held(&rt.targets, route, &mut attempts, |t| {
        let req = &req;
        gate(t, grant.charged, rt.access.failure(), &seen, move || {
            async move {
                spans::record_call(&Span::current(), req, None);
                let mut upstream = t.provider.chat_stream(req).await?;
                match upstream.next().await {
                    Some(Ok(first)) => Ok((first, upstream)),
                    Some(Err(e)) => Err(e),
                    None => Err(ProviderError::new(
                        FailureClass::ServerError,
                        ApiError::new(
                            StatusCode::BAD_GATEWAY,
                            ErrorKind::Server,
                            "the upstream stream was empty",
                        )
                        .with_code("upstream_stream_cut"),
                    )),
                }
            }
            .boxed()
        })
    })
    .await;
    log.set_attempts(&attempts);
    let rate = access::merge(grant.rate, seen.get());
    match result {
        Ok((idx, (first, upstream), slot)) => Ok((
            PolicedStream {
                // The target's concurrency slot stays taken until the stream ends.
                upstream: routing::hold_stream(upstream, slot),
                first: Some(first),
                policies,
                ready: VecDeque::new(),
                scratch: Vec::new(),
                ended: false,
                bill: Some(Bill {
                    grant,
                    target: rt.targets[idx].access.clone(),
                    usage: None,
                }),
                reply: rt.content.clone().map(|c| (c, String::new())),
                guardrail: false,
                pulled: 0,
            },
            attempts,
            Receipt {
                cost_usd: None,
                rate,
            },
        )),
        Err(e) => Err(refunded_failure(&grant, e.api, attempts, rate)),
    }
}

/// What a stream owes once it ends: the grant, the target that serves it, the usage seen.
struct Bill {
    grant: Grant,
    target: TargetAccess,
    usage: Option<Usage>,
}

/// The upstream's events after the reply policies. Dropping it drops the upstream call.
pub struct PolicedStream {
    upstream: EventStream,
    first: Option<StreamEvent>,
    policies: ChainRun,
    ready: VecDeque<StreamEvent>,
    scratch: Vec<StreamEvent>,
    ended: bool,
    /// Settled once, when the stream ends or is dropped.
    bill: Option<Bill>,
    /// The reply text so far, when the pack's `include_content` keeps it.
    reply: Option<(Arc<ContentCapture>, String)>,
    /// The target's Bedrock guardrail stopped the reply (recorded as a decision).
    guardrail: bool,
    /// Upstream events taken so far, held back or not: how a caller tells a turn that moved
    /// the stream from an idle one.
    pulled: u64,
}

impl PolicedStream {
    /// Upstream events taken so far (including ones the reply policies still hold back).
    pub fn pulled(&self) -> u64 {
        self.pulled
    }

    /// The next event for the client; `None` after a clean end, `Some(Err)` once on failure.
    pub async fn next(&mut self) -> Option<Result<StreamEvent, ApiError>> {
        loop {
            if let Some(ev) = self.ready.pop_front() {
                if let (StreamEvent::Metadata { usage }, Some(bill)) = (&ev, self.bill.as_mut()) {
                    bill.usage = Some(*usage);
                }
                if let StreamEvent::MessageStop {
                    stop_reason: StopReason::GuardrailIntervened,
                } = &ev
                {
                    self.guardrail = true;
                }
                if let (StreamEvent::TextDelta { text, .. }, Some((_, kept))) =
                    (&ev, self.reply.as_mut())
                {
                    kept.push_str(text);
                }
                return Some(Ok(ev));
            }
            if self.ended {
                return None;
            }
            let next = match self.first.take() {
                Some(ev) => Some(Ok(ev)),
                None => self.upstream.next().await,
            };
            self.pulled += 1;
            let step = match next {
                Some(Ok(ev)) => self.policies.on_event(ev, &mut self.scratch),
                Some(Err(e)) => {
                    self.ended = true;
                    Err(e.api)
                }
                None => {
                    self.ended = true;
                    self.policies.finish_stream(&mut self.scratch)
                }
            };
            if let Err(e) = step {
                self.ended = true;
                self.ready.clear();
                return Some(Err(e));
            }
            self.ready.extend(self.scratch.drain(..));
        }
    }

    /// Settles the key's and target's counters with the usage the stream reported and returns
    /// the cost; later calls return `None`. A stream that ended without usage keeps its estimate
    /// charged and costs nothing.
    pub fn settle(&mut self) -> Option<f64> {
        let bill = self.bill.take()?;
        let usage = bill.usage?;
        bill.grant.settle(Some(&bill.target), &usage)
    }

    /// The reply text streamed so far, as the pack's `include_content` keeps it.
    pub fn take_reply(&mut self) -> Option<String> {
        self.reply
            .take()
            .map(|(capture, text)| capture.reply(&text))
    }

    /// Decisions the reply policies made so far, for the audit record.
    pub fn take_decisions(&mut self) -> Vec<Decision> {
        let mut decisions = self.policies.take_decisions();
        if std::mem::take(&mut self.guardrail) {
            decisions.push(guardrail_decision());
        }
        decisions
    }
}

impl Drop for PolicedStream {
    /// A client that went away still pays for what Bedrock reported.
    fn drop(&mut self) {
        let _ = self.settle();
    }
}
