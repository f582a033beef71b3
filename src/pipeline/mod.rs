//! The request path every front door shares, so no API can skip a policy or a retry:
//!
//! 1. [`admit`]: the pack's kill switch, the route (404 lists the models), the caller's key
//!    (401), its allow-list (403), budget and rate limit (429), request policies.
//! 2. [`complete`] or [`stream`]: routing with retries and fallback (a target over its own rate
//!    limit counts as throttled), then the reply policies, whole or event by event; the key's
//!    and target's counters are settled with Bedrock's usage and the reply is priced.
//!
//! Front doors (`server::chat` for OpenAI, and others) only parse their wire format into the IR
//! and render the IR back; everything between happens here, once.

mod call;

/// The rate-limit buckets a response's headers show (part of [`Receipt`] and [`Failure`]).
pub use crate::access::store::{Bucket, RateState};
/// How a request ended, as its [`Failure`] says.
pub use crate::audit::Outcome;
pub use call::{Call, Ending, RecordedStream};

use std::collections::VecDeque;
use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode};
use futures_util::future::BoxFuture;
use futures_util::{FutureExt, StreamExt};
use tracing::Span;

use crate::access::{self, Grant, TargetAccess};
use crate::audit::{ContentCapture, RequestLog};
use crate::error::{ApiError, ErrorKind};
use crate::ir::{ChatRequest, ChatResponse, StopReason, StreamEvent, Usage};
use crate::policy::{ChainRun, Decision};
use crate::provider::{EmbedRequest, Embeddings, EventStream, FailureClass, ProviderError};
use crate::routing::{self, Attempt};
use crate::runtime::{Runtime, TargetRuntime};
use crate::telemetry::spans;

/// Why a request ended early, and how the audit record should call it.
#[derive(Debug)]
pub struct Failure {
    pub error: ApiError,
    pub outcome: Outcome,
    /// Upstream attempts made before the failure (empty when it failed before dispatch).
    pub attempts: Vec<Attempt>,
    /// Rate-limit buckets for the `x-ratelimit-*` headers (empty when nothing is limited).
    pub rate: RateState,
}

impl Failure {
    /// A failure before any upstream attempt.
    pub fn new(error: ApiError, outcome: Outcome) -> Box<Self> {
        Box::new(Self {
            error,
            outcome,
            attempts: Vec::new(),
            rate: RateState::default(),
        })
    }
}

/// What a served request leaves for the response headers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Receipt {
    /// The reply's cost (`x-gw-cost-usd`); `None` for streams (priced when they end) and
    /// targets without a known price.
    pub cost_usd: Option<f64>,
    /// The key's (else the target's) rate-limit buckets.
    pub rate: RateState,
}

/// A request that passed admission, with the policy run that will see its reply.
pub struct Admitted {
    pub req: ChatRequest,
    policies: ChainRun,
    /// The caller's claim on its key's counters, settled after the reply.
    pub grant: Grant,
}

/// Step 1: everything before the first upstream call. `headers` carry the caller's key.
pub fn admit(
    rt: &Runtime,
    headers: &HeaderMap,
    mut req: ChatRequest,
    call: &mut Call,
) -> Result<Admitted, Box<Failure>> {
    let log = &mut call.log;
    log.set_model(&req.model, req.stream);
    spans::record_call(&Span::current(), &req, None);
    check_enabled(rt).map_err(|e| Failure::new(e, Outcome::Rejected))?;
    let estimate = if rt.access.counts_tokens {
        access::estimate(&req)
    } else {
        0
    };
    let grant = authorize(rt, headers, &req.model, estimate, log)?;
    rt.route(&req.model)
        .map_err(|e| Failure::new(e, Outcome::Rejected))?;
    let raw_prompt = rt
        .content
        .as_ref()
        .filter(|c| c.wants_raw())
        .map(|c| c.prompt(&req));
    let mut policies = rt.chain.start();
    let span = spans::policies("request");
    let verdict = span.in_scope(|| policies.on_request(&mut req));
    let decisions = policies.take_decisions();
    spans::record_decisions(&span, &decisions, verdict.is_err());
    log.add_decisions(decisions);
    if let Some(capture) = &rt.content {
        // `full` keeps what the client sent; `redacted` what the chain let through, masked again.
        log.set_prompt(raw_prompt.unwrap_or_else(|| capture.prompt(&req)));
    }
    verdict.map_err(|e| Failure::new(e, Outcome::Blocked))?;
    Ok(Admitted {
        req,
        policies,
        grant,
    })
}

/// The caller's key, allow-list, budget and rate limit for `model`, charging `estimate` tokens.
/// Charged at admission, whatever the door.
fn authorize(
    rt: &Runtime,
    headers: &HeaderMap,
    model: &str,
    estimate: u64,
    log: &mut RequestLog,
) -> Result<Grant, Box<Failure>> {
    let decided = rt.access.authorize(headers, model, estimate);
    let key_id = match &decided {
        Ok(g) => g.key_id.clone(),
        Err(r) => r.key_id.clone(),
    };
    if let (Some(id), Some(r)) = (key_id, log.record()) {
        r.key_id = Some(id);
    }
    decided.map_err(|r| {
        Box::new(Failure {
            error: r.error,
            outcome: Outcome::Rejected,
            attempts: Vec::new(),
            rate: r.rate,
        })
    })
}

/// A target's own rate limit, checked before each attempt on it: over the limit, the attempt
/// fails as throttled (so the route retries or falls back) without calling Bedrock. `seen`
/// keeps the target's bucket state for the headers.
pub fn gate<'r, T: Send + 'r>(
    t: &TargetRuntime,
    estimate: u64,
    seen: &mut RateState,
    call: impl FnOnce() -> BoxFuture<'r, Result<T, ProviderError>>,
) -> BoxFuture<'r, Result<T, ProviderError>> {
    match t.access.acquire(&t.spec.id, estimate) {
        Ok(state) => {
            *seen = state;
            call()
        }
        Err(refusal) => {
            *seen = refusal.rate;
            let err = ProviderError::new(FailureClass::Throttling, refusal.error);
            futures_util::future::ready(Err(err)).boxed()
        }
    }
}

/// Settles `grant` with the usage of the reply `target` served and records the cost.
fn settle(
    grant: &Grant,
    target: Option<&TargetAccess>,
    usage: &Usage,
    log: &mut RequestLog,
) -> Option<f64> {
    let cost = grant.settle(target, usage);
    log.set_cost(cost);
    cost
}

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
    let route = rt
        .route(&req.model)
        .map_err(|e| Failure::new(e, Outcome::Rejected))?;
    let mut attempts = Vec::new();
    let mut seen = RateState::default();
    let req = &req;
    let result = routing::execute(&rt.targets, route, &mut attempts, |t| {
        gate(t, grant.charged, &mut seen, || {
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
    let rate = access::merge(grant.rate, seen);
    let (idx, mut resp) = match result {
        Ok(r) => r,
        Err(e) => {
            grant.settle(None, &Usage::default());
            return Err(Box::new(Failure {
                error: e.api,
                outcome: Outcome::Failed,
                attempts,
                rate,
            }));
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

/// Step 2 for the embeddings door: the chain already read (and, per the pack, redacted) the
/// inputs at admission; they go to the embedding model through the same gate, retries and
/// fallback as chat, and the key and target are charged for the input tokens.
pub async fn embed(
    rt: &Runtime,
    adm: Admitted,
    dimensions: Option<u32>,
    input_type: Option<String>,
    call: &mut Call,
) -> Result<(Embeddings, Vec<Attempt>, Receipt), Box<Failure>> {
    let log = &mut call.log;
    let Admitted { req, grant, .. } = adm;
    let route = rt
        .route(&req.model)
        .map_err(|e| Failure::new(e, Outcome::Rejected))?;
    let call = EmbedRequest {
        texts: req.inputs,
        dimensions,
        input_type,
    };
    let mut attempts = Vec::new();
    let mut seen = RateState::default();
    let result = routing::execute(&rt.targets, route, &mut attempts, |t| {
        gate(t, grant.charged, &mut seen, || t.provider.embed(&call))
    })
    .await;
    log.set_attempts(&attempts);
    let rate = access::merge(grant.rate, seen);
    match result {
        Ok((idx, out)) => {
            let usage = Usage {
                input: out.input_tokens,
                ..Usage::default()
            };
            log.set_usage(usage);
            let cost_usd = settle(&grant, Some(&rt.targets[idx].access), &usage, log);
            Ok((out, attempts, Receipt { cost_usd, rate }))
        }
        Err(e) => {
            grant.settle(None, &Usage::default());
            Err(Box::new(Failure {
                error: e.api,
                outcome: Outcome::Failed,
                attempts,
                rate,
            }))
        }
    }
}

/// Step 2 for Anthropic's `count_tokens`: Bedrock CountTokens on the policed request, through
/// the same gate (the targets' own limits), retries and fallback. Nothing is generated, so the
/// key's token estimate is refunded.
pub async fn count_tokens(
    rt: &Runtime,
    adm: Admitted,
    call: &mut Call,
) -> Result<(u64, Vec<Attempt>, Receipt), Box<Failure>> {
    let log = &mut call.log;
    let Admitted { req, grant, .. } = adm;
    let route = rt
        .route(&req.model)
        .map_err(|e| Failure::new(e, Outcome::Rejected))?;
    let mut attempts = Vec::new();
    let mut seen = RateState::default();
    let req = &req;
    let result = routing::execute(&rt.targets, route, &mut attempts, |t| {
        gate(t, 0, &mut seen, || t.provider.count_tokens(req))
    })
    .await;
    log.set_attempts(&attempts);
    grant.settle(None, &Usage::default());
    let rate = access::merge(grant.rate, seen);
    match result {
        Ok((_, tokens)) => Ok((
            tokens,
            attempts,
            Receipt {
                cost_usd: None,
                rate,
            },
        )),
        Err(e) => Err(Box::new(Failure {
            error: e.api,
            outcome: Outcome::Failed,
            attempts,
            rate,
        })),
    }
}

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
    let route = rt
        .route(&req.model)
        .map_err(|e| Failure::new(e, Outcome::Rejected))?;
    let mut attempts = Vec::new();
    let mut seen = RateState::default();
    let result = routing::execute_held(&rt.targets, route, &mut attempts, |t| {
        let req = &req;
        gate(t, grant.charged, &mut seen, || {
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
    let rate = access::merge(grant.rate, seen);
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
            },
            attempts,
            Receipt {
                cost_usd: None,
                rate,
            },
        )),
        Err(e) => {
            grant.settle(None, &Usage::default());
            Err(Box::new(Failure {
                error: e.api,
                outcome: Outcome::Failed,
                attempts,
                rate,
            }))
        }
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
}

impl PolicedStream {
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

/// The pack's kill switch (`pack.enabled: false`): every model request answers 503.
pub fn check_enabled(rt: &Runtime) -> Result<(), ApiError> {
    if rt.loaded.pack.pack.enabled {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Server,
        format!(
            "pack `{}` {} is switched off (pack.enabled: false); model requests are refused until it is enabled",
            rt.loaded.pack.pack.name, rt.loaded.pack.pack.version
        ),
    )
    .with_code("pack_disabled"))
}

/// A target's Bedrock guardrail stopped the reply (`guardrail_intervened`, which the client sees
/// as `content_filter`): recorded like a policy decision, so the audit trail, the request's log
/// line, metrics and traces show it.
fn guardrail_decision() -> Decision {
    Decision::new("bedrock-guardrail", "intervened")
}

/// The text parts of a reply, concatenated (what `include_content` keeps).
fn reply_text(resp: &ChatResponse) -> String {
    resp.content
        .iter()
        .filter_map(|p| match p {
            crate::ir::Part::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}
