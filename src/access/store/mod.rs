//! Where rate-limit and spend counters live, behind [`CounterStore`]: [`MemoryStore`] keeps them
//! in this process (one replica's view), [`RedisStore`] in a Redis or Valkey server that every
//! replica shares (`docs/scaling.md`).
//!
//! Counter methods answer through [`Pending`]: the memory store answers at once without boxing a
//! future, the shared one after a round trip. A store that cannot answer says so
//! ([`StoreDown`]); what admission then does is the pack's choice (`access::StoreFailure`).

mod memory;
mod redis;

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::{BoxFuture, Either, Ready, ready};

use super::settings::RateLimits;
pub use memory::MemoryStore;
pub use redis::RedisStore;

/// A counter's answer: ready now (memory) or after a round trip (a shared store).
pub type Pending<'a, T> = Either<Ready<T>, BoxFuture<'a, T>>;

/// An answer available now.
pub fn now<'a, T>(value: T) -> Pending<'a, T> {
    Either::Left(ready(value))
}

/// Makes the counters of one scope (`key:<id>` or `target:<id>`). A store hands out handles;
/// the runtime keeps them per scope and passes the handles of unchanged scopes to the next
/// runtime on reload, so counts carry over.
pub trait CounterStore: Send + Sync {
    /// The request and token buckets of `scope` under `limit`; `None` when `limit` limits nothing.
    fn rate(&self, scope: &str, limit: &RateLimits) -> Option<Arc<dyn RateCounter>>;
    /// The dollars `scope` spent this UTC day and month.
    fn spend(&self, scope: &str) -> Arc<dyn SpendCounter>;
    /// Whether the store answers now, for `/readyz`: `None` for a store in this process.
    fn probe(&self) -> Option<BoxFuture<'_, Result<(), StoreDown>>> {
        None
    }
    /// `memory` or `redis`, for `/readyz` and logs.
    fn kind(&self) -> &'static str;
    /// Sends what is queued (settlements, spend) and waits for it, before the process exits.
    fn flush(&self) -> Option<BoxFuture<'_, ()>> {
        None
    }
}

/// Request and token buckets of one scope.
pub trait RateCounter: Send + Sync {
    /// Takes one request and `tokens` estimated tokens, or says how long to wait.
    fn acquire(&self, tokens: u64) -> Pending<'_, Result<RateState, Refused>>;
    /// Settles an admitted request: `charged` tokens were taken up front, `actual` were used.
    /// The difference is credited to (or, when negative, owed by) the scope's next requests.
    /// Never waits: a shared store applies it in the background.
    fn settle(&self, charged: u64, actual: u64);
    /// The last known state, for response headers, without taking anything or waiting.
    fn state(&self) -> RateState;
}

/// Spend of one scope in the current UTC day and month.
pub trait SpendCounter: Send + Sync {
    /// `(day, month)` spend in dollars at `now_unix`; a period that rolled over reads 0.
    fn spent(&self, now_unix: u64) -> Pending<'_, Result<(f64, f64), StoreDown>>;
    /// Adds `usd` to both periods at `now_unix`. Never waits.
    fn add(&self, now_unix: u64, usd: f64);
}

/// One bucket's state as OpenAI's `x-ratelimit-*` headers show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bucket {
    /// Cells per minute (`x-ratelimit-limit-*`).
    pub limit: u32,
    /// Cells available now (`x-ratelimit-remaining-*`).
    pub remaining: u32,
    /// Until the bucket is full again.
    pub reset: Duration,
}

/// Both buckets of a scope; `None` where the scope has no such limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateState {
    /// The requests-per-minute bucket.
    pub requests: Option<Bucket>,
    /// The tokens-per-minute bucket.
    pub tokens: Option<Bucket>,
}

/// A refused acquisition: which bucket, how long to wait, and the state for the headers.
#[derive(Debug, Clone, Copy)]
pub struct Denied {
    /// `requests` or `tokens`.
    pub bucket: &'static str,
    pub retry_after: Duration,
    /// The request alone needs more tokens than the bucket ever holds.
    pub too_large: bool,
    pub state: RateState,
}

/// Why an acquisition did not grant.
#[derive(Debug, Clone)]
pub enum Refused {
    /// The limit is reached.
    Limit(Denied),
    /// The store did not answer; the pack decides whether that admits.
    Store(StoreDown),
}

/// The shared store failed or timed out. The message names the failure, never a password.
#[derive(Debug, Clone, thiserror::Error)]
#[error("limits store unavailable: {0}")]
pub struct StoreDown(pub String);

/// Told of every shared-store operation, for the metrics (`gw_limits_store_*`): `op` is one of
/// `acquire`, `spent`, `update` (queued settlements and spend, sent in batches), `probe`.
pub trait StoreObserver: Send + Sync {
    fn observe(&self, op: &'static str, elapsed: Duration, ok: bool);
}
