//! Step 2, whole reply: dispatch, then the reply policies.

use futures_util::FutureExt;
use tracing::Span;

use crate::access;
use crate::ir::{ChatResponse, StopReason};
use crate::routing::{self, Attempt};
use crate::runtime::Runtime;
use crate::telemetry::spans;

use super::{
    Admitted, Call, Failure, Outcome, Receipt, Seen, gate, guardrail_decision, refunded_failure,
    reply_text, route_for, settle,
};

/// Step 2, whole reply: dispatch, then the reply policies.
pub async fn complete(
    rt: &Runtime,
    adm: Admitted,
    call: &mut Call,
) -> Result<(ChatResponse, Vec<Attempt>, Receipt), Box<Failure>> {
    let log = &mut call.log;
    let Admitted {
        req,
        mut policies,
        grant,
    } = adm;
    let route = route_for(rt, &req.model)?;
    let mut attempts = Vec::new();
    let seen = Seen::default();
    let req = &req;
    let result = routing::execute(&rt.targets, route, &mut attempts, |t| {
        gate(t, grant.charged, rt.access.failure(), &seen, move || {
            async move {
                let reply = t.provider.chat(req).await;
                spans::record_call(&Span::current(), req, reply.as_ref().ok());
                reply
            }
            .boxed()
        })
    })
    .await;
    log.set_attempts(&attempts);
    let rate = access::merge(grant.rate, seen.get());
    let (idx, mut resp) = match result {
        Ok(r) => r,
        Err(e) => {
            return Err(refunded_failure(&grant, e.api, attempts, rate));
        }
    };
    log.set_usage(resp.usage);
    if resp.stop_reason == StopReason::GuardrailIntervened {
        log.add_decisions(vec![guardrail_decision()]);
    }
    let cost_usd = settle(&grant, Some(&rt.targets[idx].access), &resp.usage, log);
    let span = spans::policies("response");
    let verdict = span.in_scope(|| policies.on_response(&mut resp));
    let decisions = policies.take_decisions();
    spans::record_decisions(&span, &decisions, verdict.is_err());
    log.add_decisions(decisions);
    if let (Some(capture), Ok(())) = (&rt.content, &verdict) {
        log.set_reply(capture.reply(&reply_text(&resp)));
    }
    match verdict {
        Ok(()) => Ok((resp, attempts, Receipt { cost_usd, rate })),
        Err(error) => Err(Box::new(Failure {
            error,
            outcome: Outcome::Blocked,
            attempts,
            rate,
        })),
    }
}
