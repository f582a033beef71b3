//! Access control for model requests: who is calling (client keys), what they may call
//! (allow-lists), how fast (per-key and per-target rate limits), and how much they may spend
//! (budgets priced from Bedrock's reported usage).
//!
//! [`Access`] is built once per pack into the runtime; [`Access::authorize`] runs in
//! `pipeline::admit` and hands back a [`Grant`] that is settled with the real usage when the
//! reply is done. Tokens are charged up front on an estimate (prompt bytes / 4 plus
//! `max_tokens`, or [`DEFAULT_OUTPUT_ESTIMATE`] without it) and settled afterwards: unused tokens
//! are credited to the scope's next requests, an overrun is owed by them (see `store.rs`).
//! A pack without keys and limits pays one branch per request.

pub mod keys;
pub mod period;
pub mod pricing;
mod settings;
pub mod store;

use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode};

use crate::error::{ApiError, ErrorKind};
use crate::ir::{ChatRequest, Part, SystemBlock, ToolResultPart, Usage};
use keys::KeyEntry;
use pricing::Price;
pub use settings::{
    BudgetLimits, KeySecret, KeySpec, RateLimits, RedisSpec, StoreFailure, StoreSpec,
};
use store::{CounterStore, RateCounter, RateState, Refused, SpendCounter, StoreDown};

/// Output tokens assumed for a request that sets no `max_tokens`.
pub const DEFAULT_OUTPUT_ESTIMATE: u64 = 256;

/// One pack's keys with their counters.
pub struct Access {
    keys: Vec<KeyEntry>,
    state: Vec<KeyState>,
    /// What admission does when the counter store does not answer.
    failure: StoreFailure,
    /// Some key or target limits tokens, so requests need a token estimate.
    pub counts_tokens: bool,
}

/// A key's limits and counters; the counters are shared with the previous runtime when the key
/// survived a reload.
struct KeyState {
    rate_limit: Option<RateLimits>,
    rate: Option<Arc<dyn RateCounter>>,
    budget: Option<BudgetLimits>,
    spend: Arc<dyn SpendCounter>,
}

impl Access {
    /// Resolves the pack's keys (reading `key_env` variables now) and their counters. Counters
    /// carry over from `previous` by key id: the rate buckets when `rate_limit` is unchanged,
    /// the spend always (money spent stays spent when a limit is edited).
    pub fn build(
        specs: &[KeySpec],
        targets_count_tokens: bool,
        store: &dyn CounterStore,
        failure: StoreFailure,
        previous: Option<&Access>,
    ) -> Result<Self, keys::KeyError> {
        let mut keys = Vec::with_capacity(specs.len());
        let mut state = Vec::with_capacity(specs.len());
        for spec in specs {
            let entry = KeyEntry::resolve(spec)?;
            let old = previous.and_then(|p| {
                let i = p.keys.iter().position(|k| k.id == spec.id)?;
                p.state.get(i)
            });
            let scope = format!("key:{}", spec.id);
            let rate = match old {
                Some(o) if o.rate_limit == spec.rate_limit => o.rate.clone(),
                _ => spec.rate_limit.as_ref().and_then(|l| store.rate(&scope, l)),
            };
            let spend = old.map_or_else(|| store.spend(&scope), |o| o.spend.clone());
            keys.push(entry);
            state.push(KeyState {
                rate_limit: spec.rate_limit,
                rate,
                budget: spec.budget,
                spend,
            });
        }
        let counts_tokens = targets_count_tokens
            || specs
                .iter()
                .any(|k| k.rate_limit.is_some_and(|l| l.tokens_per_minute.is_some()));
        Ok(Self {
            keys,
            state,
            failure,
            counts_tokens,
        })
    }

    /// What admission does when the counter store does not answer.
    pub fn failure(&self) -> StoreFailure {
        self.failure
    }

    /// Whether clients must present a key.
    pub fn enforced(&self) -> bool {
        !self.keys.is_empty()
    }

    /// Checks the caller's key, its allow-list, budget and rate limit for `req`, charging one
    /// request and the token estimate. The grant, or the refusal once the key is known, names the
    /// key, for the caller to record.
    pub async fn authorize(
        &self,
        headers: &HeaderMap,
        model: &str,
        estimate: u64,
    ) -> Result<Grant, Box<Refusal>> {
        if self.keys.is_empty() {
            return Ok(Grant::open(estimate));
        }
        let Some(i) =
            keys::presented(headers).and_then(|k| keys::find(&self.keys, &keys::digest(k)))
        else {
            return Err(Refusal::bare(
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    ErrorKind::Authentication,
                    "missing or invalid API key; send it as `Authorization: Bearer <key>` or `x-api-key: <key>`",
                )
                .with_code("invalid_api_key"),
            ));
        };
        let key = &self.keys[i];
        self.grant_for(i, model, estimate)
            .await
            .map(|mut g| {
                g.key_id = Some(key.id.clone());
                g
            })
            .map_err(|mut r| {
                r.key_id = Some(key.id.clone());
                r
            })
    }

    /// The caller's key id (`None` without `auth`), for operations that name no model (listing
    /// batches): a missing or unknown key is a 401, nothing is charged.
    pub fn identify(&self, headers: &HeaderMap) -> Result<Option<String>, Box<Refusal>> {
        if self.keys.is_empty() {
            return Ok(None);
        }
        keys::presented(headers)
            .and_then(|k| keys::find(&self.keys, &keys::digest(k)))
            .map(|i| Some(self.keys[i].id.clone()))
            .ok_or_else(|| {
                Refusal::bare(
                    ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        ErrorKind::Authentication,
                        "missing or invalid API key; send it as `Authorization: Bearer <key>` or `x-api-key: <key>`",
                    )
                    .with_code("invalid_api_key"),
                )
            })
    }

    /// Key `i`'s allow-list, budget and rate limit.
    async fn grant_for(&self, i: usize, model: &str, estimate: u64) -> Result<Grant, Box<Refusal>> {
        let key = &self.keys[i];
        if !key.allows(model) {
            return Err(Refusal::bare(
                ApiError::new(
                    StatusCode::FORBIDDEN,
                    ErrorKind::Permission,
                    format!("key `{}` may not use model `{model}`", key.id),
                )
                .with_param("model")
                .with_code("model_not_allowed"),
            ));
        }
        let st = &self.state[i];
        // Both checks at once: with a shared store that is one round trip, not two (a request
        // refused for its budget still counts against the key's rate limit).
        let budget = async {
            match &st.budget {
                Some(b) => check_budget(&key.id, b, st.spend.as_ref(), self.failure).await,
                None => Ok(()),
            }
        };
        let rate = async {
            match &st.rate {
                Some(r) => acquire(r.as_ref(), &key.id, estimate, self.failure).await,
                None => Ok(RateState::default()),
            }
        };
        let (budget, rate) = futures_util::future::join(budget, rate).await;
        budget?;
        let rate = rate?;
        Ok(Grant {
            counter: st.rate.clone(),
            spend: Some(st.spend.clone()),
            charged: estimate,
            rate,
            key_id: None,
        })
    }
}

/// Every token Bedrock counted for a reply, cached or not.
pub fn total_tokens(u: &Usage) -> u64 {
    u.input + u.output + u.cache_read + u.cache_write
}

/// Takes from `scope`'s buckets; a store that does not answer admits or refuses as the pack
/// says (`StoreFailure::rate_limits_open`).
async fn acquire(
    counter: &dyn RateCounter,
    scope: &str,
    estimate: u64,
    failure: StoreFailure,
) -> Result<RateState, Box<Refusal>> {
    match counter.acquire(estimate).await {
        Ok(state) => Ok(state),
        Err(Refused::Limit(d)) => Err(Refusal::limited(scope, d)),
        Err(Refused::Store(e)) if failure.rate_limits_open => {
            tracing::warn!(scope, error = %e, "rate limit not checked: admitting (limits.on_store_error.rate_limits: allow)");
            Ok(counter.state())
        }
        Err(Refused::Store(e)) => Err(Refusal::store_down(scope, "rate limit", &e)),
    }
}

/// 429 once either period's spend reached its limit, until that period rolls over; a store
/// that does not answer refuses (503) unless the pack says budgets fail open.
async fn check_budget(
    id: &str,
    budget: &BudgetLimits,
    spend: &dyn SpendCounter,
    failure: StoreFailure,
) -> Result<(), Box<Refusal>> {
    let now = crate::clock::unix_now();
    let (day, month) = match spend.spent(now).await {
        Ok(spent) => spent,
        Err(e) if failure.budgets_open => {
            tracing::warn!(key = id, error = %e, "budget not checked: admitting (limits.on_store_error.budgets: allow)");
            return Ok(());
        }
        Err(e) => return Err(Refusal::store_down(id, "budget", &e)),
    };
    let over = [
        (
            budget.usd_per_day,
            day,
            "daily",
            period::until_next_day(now),
        ),
        (
            budget.usd_per_month,
            month,
            "monthly",
            period::until_next_month(now),
        ),
    ]
    .into_iter()
    .filter_map(|(limit, spent, name, wait)| limit.filter(|l| spent >= *l).map(|l| (l, name, wait)))
    .max_by_key(|(_, _, wait)| *wait);
    match over {
        None => Ok(()),
        Some((limit, name, wait)) => Err(Refusal::bare(
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorKind::RateLimit,
                format!(
                    "key `{id}` has spent its {name} budget of ${limit}; requests resume when the UTC {} rolls over",
                    if name == "daily" { "day" } else { "month" }
                ),
            )
            .with_code("budget_exceeded")
            .with_retry_after(wait),
        )),
    }
}

/// An admitted request's claim on its key's counters, settled when the reply is done. It holds
/// the counters themselves, so a stream can settle after its runtime was reloaded away.
#[derive(Clone)]
pub struct Grant {
    counter: Option<Arc<dyn RateCounter>>,
    /// The key's spend (kept even without a budget, so one added later sees it).
    spend: Option<Arc<dyn SpendCounter>>,
    /// Tokens charged up front (the estimate).
    pub charged: u64,
    /// The key's buckets after this request, for the `x-ratelimit-*` headers.
    pub rate: RateState,
    /// The caller's key id (`None` without `auth`).
    pub key_id: Option<String>,
}

impl Grant {
    /// A grant with no key (the pack has no `auth`).
    pub fn open(estimate: u64) -> Self {
        Self {
            counter: None,
            spend: None,
            charged: estimate,
            rate: RateState::default(),
            key_id: None,
        }
    }

    /// Settles the request with Bedrock's `usage` on the target that served it: the key's and
    /// the target's token buckets get the difference to the estimate, the key's budget the
    /// cost. Returns the cost (`None` without a target or a known price).
    pub fn settle(&self, target: Option<&TargetAccess>, usage: &Usage) -> Option<f64> {
        let actual = total_tokens(usage);
        if let Some(c) = &self.counter {
            c.settle(self.charged, actual);
        }
        let target = target?;
        if let Some(r) = &target.rate {
            r.settle(self.charged, actual);
        }
        let cost = target.price.map(|p| p.cost(usage))?;
        if let Some(spend) = &self.spend
            && cost > 0.0
        {
            spend.add(crate::clock::unix_now(), cost);
        }
        Some(cost)
    }
}

impl Grant {
    /// Charges `usd` to the key's budget outright (batch results, priced when collected).
    pub fn charge(&self, usd: f64) {
        if let Some(spend) = &self.spend
            && usd > 0.0
        {
            spend.add(crate::clock::unix_now(), usd);
        }
    }

    /// Settles an image call: the token estimate is refunded (images are not priced by token)
    /// and the key's budget pays `n` images of `size` at `quality` from the target's per-image
    /// price. Returns the cost (`None` without a known price).
    pub fn settle_images(
        &self,
        target: Option<&TargetAccess>,
        n: u32,
        size: (u32, u32),
        quality: crate::ir::ImageQuality,
    ) -> Option<f64> {
        self.settle(target, &Usage::default());
        let cost = target?.price?.image?.cost(n, size, quality);
        if let Some(spend) = &self.spend
            && cost > 0.0
        {
            spend.add(crate::clock::unix_now(), cost);
        }
        Some(cost)
    }
}

/// A refused request: the error and the bucket state for the headers.
#[derive(Debug)]
pub struct Refusal {
    /// What the client is told (401, 403 or 429).
    pub error: ApiError,
    /// The refused bucket's state, for the `x-ratelimit-*` headers.
    pub rate: RateState,
    /// The caller's key id when the key was valid (a 403 or 429 for that key).
    pub key_id: Option<String>,
}

impl Refusal {
    fn bare(error: ApiError) -> Box<Self> {
        Box::new(Self {
            error,
            rate: RateState::default(),
            key_id: None,
        })
    }

    /// 503 for a limit the store could not check: the client may retry shortly.
    fn store_down(scope: &str, what: &str, e: &StoreDown) -> Box<Self> {
        Refusal::bare(
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorKind::Overloaded,
                format!("the {what} of `{scope}` cannot be checked now ({e}); retry shortly"),
            )
            .with_code("limits_store_unavailable")
            .with_retry_after(1),
        )
    }

    /// 429 for a refused bucket, naming the scope (`key `a`` or `target `t``).
    pub fn limited(scope: &str, d: store::Denied) -> Box<Self> {
        let secs = d.retry_after.as_secs() + u64::from(d.retry_after.subsec_nanos() > 0);
        let message = if d.too_large {
            format!(
                "this request needs more tokens than `{scope}`'s whole per-minute token limit; lower `max_tokens` or shorten the prompt"
            )
        } else {
            format!(
                "rate limit of `{scope}` reached ({} per minute); retry after {secs}s",
                d.bucket
            )
        };
        Box::new(Self {
            error: ApiError::new(StatusCode::TOO_MANY_REQUESTS, ErrorKind::RateLimit, message)
                .with_code("rate_limit_exceeded")
                .with_retry_after(secs.max(1)),
            rate: d.state,
            key_id: None,
        })
    }
}

/// A target's limiter and price, built with the target and carried over a reload when the
/// target id and its `rate_limit` are unchanged.
#[derive(Clone)]
pub struct TargetAccess {
    rate_limit: Option<RateLimits>,
    rate: Option<Arc<dyn RateCounter>>,
    /// Price per million tokens, from the pack or the built-in table.
    pub price: Option<Price>,
}

impl TargetAccess {
    /// The limiter (new, or `previous`'s when its limit is the same) and the price of `spec`.
    pub fn build(
        id: &str,
        rate_limit: Option<RateLimits>,
        price: Option<Price>,
        store: &dyn CounterStore,
        previous: Option<&TargetAccess>,
    ) -> Self {
        let rate = match previous {
            Some(p) if p.rate_limit == rate_limit => p.rate.clone(),
            _ => rate_limit
                .as_ref()
                .and_then(|l| store.rate(&format!("target:{id}"), l)),
        };
        Self {
            rate_limit,
            rate,
            price,
        }
    }

    /// Takes one request and `estimate` tokens from the target's buckets.
    pub async fn acquire(
        &self,
        id: &str,
        estimate: u64,
        failure: StoreFailure,
    ) -> Result<RateState, Box<Refusal>> {
        match &self.rate {
            None => Ok(RateState::default()),
            Some(r) => acquire(r.as_ref(), &format!("target {id}"), estimate, failure).await,
        }
    }

    /// The target's buckets now, for headers.
    pub fn state(&self) -> RateState {
        self.rate.as_ref().map(|r| r.state()).unwrap_or_default()
    }
}

/// Tokens a request is charged before the call: prompt bytes / 4 (text, tool definitions and
/// tool traffic; 1,000 per image; document bytes / 4) plus `max_tokens`.
pub fn estimate(req: &ChatRequest) -> u64 {
    let mut bytes = 0usize;
    let mut fixed = 0u64;
    for b in &req.system {
        if let SystemBlock::Text(t) = b {
            bytes += t.len();
        }
    }
    for t in &req.tools {
        bytes += t.name.len() + t.description.as_ref().map_or(0, String::len);
        bytes += t.input_schema.to_string().len();
    }
    for m in &req.messages {
        for p in &m.content {
            match p {
                Part::Text(t) | Part::Reasoning { text: t, .. } => bytes += t.len(),
                Part::Image { .. } => fixed += 1_000,
                Part::Document { data, .. } | Part::RedactedReasoning { data } => {
                    bytes += data.len();
                }
                Part::ToolUse { input, .. } => bytes += input.to_string().len(),
                Part::ToolResult { content, .. } => {
                    for c in content {
                        match c {
                            ToolResultPart::Text(t) => bytes += t.len(),
                            ToolResultPart::Json(v) => bytes += v.to_string().len(),
                            ToolResultPart::Image { .. } => fixed += 1_000,
                        }
                    }
                }
                Part::CachePoint => {}
            }
        }
    }
    bytes += req.inputs.iter().map(String::len).sum::<usize>();
    let output = req.max_tokens.map_or(DEFAULT_OUTPUT_ESTIMATE, u64::from);
    (bytes as u64).div_ceil(4) + fixed + output
}

/// The headers' view: the key's buckets where the key is limited, else the target's.
pub fn merge(key: RateState, target: RateState) -> RateState {
    RateState {
        requests: key.requests.or(target.requests),
        tokens: key.tokens.or(target.tokens),
    }
}
