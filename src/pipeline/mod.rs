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

mod admit;
pub mod batch;
mod call;
mod complete;
mod embed;
mod images;
mod stream;

/// The rate-limit buckets a response's headers show (part of [`Receipt`] and [`Failure`]).
pub use crate::access::store::{Bucket, RateState};
/// How a request ended, as its [`Failure`] says.
pub use crate::audit::Outcome;
pub use admit::{admit, check_enabled};
pub use call::{Call, Ending, RecordedStream};
pub use complete::complete;
pub use embed::{count_tokens, embed};
pub use images::{image_request, images};
pub use stream::{PolicedStream, stream};

use futures_util::FutureExt;
use futures_util::future::BoxFuture;

use crate::access::{Grant, StoreFailure, TargetAccess};
use crate::audit::RequestLog;
use crate::error::ApiError;
use crate::ir::{ChatRequest, ChatResponse, Usage};
use crate::policy::{ChainRun, Decision};
use crate::provider::{FailureClass, ProviderError};
use crate::routing::{Attempt, Route};
use crate::runtime::{Runtime, TargetRuntime};

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
    pub(super) policies: ChainRun,
    /// The caller's claim on its key's counters, settled after the reply.
    pub grant: Grant,
}

/// The route for `model`: admission found it, but a reload in between may have removed it (the
/// request is then refused as admission would have).
pub(super) fn route_for<'r>(rt: &'r Runtime, model: &str) -> Result<&'r Route, Box<Failure>> {
    rt.route(model)
        .map_err(|e| Failure::new(e, Outcome::Rejected))
}

/// Every target failed: the key's token estimate is refunded (nothing was generated) and the
/// failure carries the attempts made and the rate-limit state for the headers.
pub(super) fn refunded_failure(
    grant: &Grant,
    error: ApiError,
    attempts: Vec<Attempt>,
    rate: RateState,
) -> Box<Failure> {
    grant.settle(None, &Usage::default());
    Box::new(Failure {
        error,
        outcome: Outcome::Failed,
        attempts,
        rate,
    })
}

/// The last target bucket state an attempt saw, for the `x-ratelimit-*` headers.
#[derive(Default)]
pub struct Seen(std::sync::Mutex<RateState>);

impl Seen {
    fn set(&self, state: RateState) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = state;
    }

    /// The state last set.
    pub fn get(&self) -> RateState {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A target's own rate limit, checked before each attempt on it: over the limit, the attempt
/// fails as throttled (so the route retries or falls back) without calling Bedrock. `seen`
/// keeps the target's bucket state for the headers.
pub fn gate<'r, T: Send + 'r>(
    t: &'r TargetRuntime,
    estimate: u64,
    failure: StoreFailure,
    seen: &'r Seen,
    call: impl FnOnce() -> BoxFuture<'r, Result<T, ProviderError>> + Send + 'r,
) -> BoxFuture<'r, Result<T, ProviderError>> {
    async move {
        match t.access.acquire(&t.spec.id, estimate, failure).await {
            Ok(state) => {
                seen.set(state);
                call().await
            }
            Err(refusal) => {
                seen.set(refusal.rate);
                Err(ProviderError::new(FailureClass::Throttling, refusal.error))
            }
        }
    }
    .boxed()
}

/// Settles `grant` with the usage of the reply `target` served and records the cost.
pub(super) fn settle(
    grant: &Grant,
    target: Option<&TargetAccess>,
    usage: &Usage,
    log: &mut RequestLog,
) -> Option<f64> {
    let cost = grant.settle(target, usage);
    log.set_cost(cost);
    cost
}

/// A target's Bedrock guardrail stopped the reply (`guardrail_intervened`, which the client sees
/// as `content_filter`): recorded like a policy decision, so the audit trail, the request's log
/// line, metrics and traces show it.
pub(super) fn guardrail_decision() -> Decision {
    Decision::new("bedrock-guardrail", "intervened")
}

/// The text parts of a reply, concatenated (what `include_content` keeps).
pub(super) fn reply_text(resp: &ChatResponse) -> String {
    resp.content
        .iter()
        .filter_map(|p| match p {
            crate::ir::Part::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}
