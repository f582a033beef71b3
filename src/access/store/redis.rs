//! The shared store: counters in a Redis (or Valkey) server every replica talks to, so three
//! replicas enforce one limit. Rates are one Lua script per acquisition (`acquire.lua`: GCRA on
//! Redis's clock, both buckets checked before either is taken); spend is a pair of per-period
//! keys (`INCRBYFLOAT`, expiring). Keys name scopes by id (`<prefix>:{key:<id>}:req`), never by
//! secret or digest; the braces keep a scope's keys in one Redis Cluster slot.
//!
//! Every operation is bounded by the pack's timeout. Settling tokens and adding spend never hold
//! a reply: they are queued to one writer task that lets them gather for a few milliseconds and
//! sends them as one pipeline (one round trip for many requests). One connection (multiplexed, reconnecting)
//! serves every counter, and reloads that keep the store settings keep the store.

use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::{BoxFuture, Either};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{IntoConnectionInfo, Script};

use super::super::period;
use super::super::settings::{RateLimits, RedisSpec};
use super::{
    Bucket, CounterStore, Denied, Pending, RateCounter, RateState, Refused, SpendCounter,
    StoreDown, StoreObserver,
};

static ACQUIRE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("acquire.lua")));

/// Seconds a day's spend key outlives its day, and a month's its month.
const DAY_TTL: i64 = 2 * 86_400;
const MONTH_TTL: i64 = 32 * 86_400;
/// Milliseconds a token balance outlives its last change (credit older than a minute is moot).
const BALANCE_TTL_MS: i64 = 120_000;
/// Updates waiting for the writer; past this they are dropped (and counted as errors).
const QUEUE: usize = 65_536;
/// Most updates sent in one pipeline.
const BATCH: usize = 512;
/// How long the writer lets updates gather after the first: at low load one pipeline then
/// carries many requests' updates instead of one round trip following every reply. Other
/// replicas see a spend this much later, which budgets (checked before the call, added after
/// it) tolerate already.
const LINGER: Duration = Duration::from_millis(5);

/// A counter change that no reply waits for.
enum Update {
    /// Add `diff` tokens to a scope's balance (credit > 0, debt < 0).
    Balance { key: String, diff: i64 },
    /// Add dollars to a scope's day and month.
    Spend {
        day: String,
        month: String,
        usd: f64,
    },
    /// Send what is queued now and say when it is written.
    Flush(tokio::sync::oneshot::Sender<()>),
}

/// Counters in Redis. Cheap to share: handles hold the connection, not a copy of it.
pub struct RedisStore {
    shared: Arc<Shared>,
}

struct Shared {
    conn: ConnectionManager,
    prefix: String,
    timeout: Duration,
    observer: Option<Arc<dyn StoreObserver>>,
    /// To the writer task, started with the store.
    updates: tokio::sync::mpsc::Sender<Update>,
}

impl RedisStore {
    /// Prepares the connection without waiting for it: gw starts (and serves, as the pack's
    /// failure settings say) while Redis is down, and connects when it comes up.
    pub fn connect(
        spec: &RedisSpec,
        observer: Option<Arc<dyn StoreObserver>>,
    ) -> Result<Self, StoreDown> {
        let mut info = spec
            .url
            .as_str()
            .into_connection_info()
            .map_err(|e| StoreDown(format!("limits.store: {}", e.category())))?;
        if let Some(password) = &spec.password {
            let settings = info.redis_settings().clone().set_password(password);
            info = info.set_redis_settings(settings);
        }
        let client = match &spec.ca_pem {
            None => redis::Client::open(info),
            Some(pem) => redis::Client::build_with_tls(
                info,
                redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(pem.clone()),
                },
            ),
        }
        .map_err(|e| StoreDown(e.category().to_string()))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(spec.timeout))
            .set_response_timeout(Some(spec.timeout))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let conn = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| StoreDown(e.category().to_string()))?;
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| StoreDown("no async runtime to run the store's writer on".into()))?;
        let (updates, queued) = tokio::sync::mpsc::channel(QUEUE);
        let shared = Arc::new(Shared {
            conn,
            prefix: spec.prefix.clone(),
            timeout: spec.timeout,
            observer,
            updates,
        });
        runtime.spawn(write_updates(Arc::downgrade(&shared), queued));
        Ok(Self { shared })
    }

    fn key(&self, scope: &str, rest: &str) -> String {
        format!("{}:{{{scope}}}:{rest}", self.shared.prefix)
    }
}

impl Shared {
    /// Runs `op` on the connection within the timeout, telling the observer how it went.
    async fn run<T, F, Fut>(&self, name: &'static str, op: F) -> Result<T, StoreDown>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let start = Instant::now();
        let result = match tokio::time::timeout(self.timeout, op(self.conn.clone())).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(StoreDown(describe(&e))),
            Err(_) => Err(StoreDown(format!(
                "no answer within {} ms",
                self.timeout.as_millis()
            ))),
        };
        if let Some(o) = &self.observer {
            o.observe(name, start.elapsed(), result.is_ok());
        }
        result
    }

    /// Queues an update for the writer; a full queue (the store is far behind) drops it.
    fn queue(&self, update: Update) {
        if self.updates.try_send(update).is_err()
            && let Some(o) = &self.observer
        {
            o.observe("update", Duration::ZERO, false);
        }
    }
}

/// The writer: sends what has queued as one pipeline, until the store is dropped.
async fn write_updates(
    shared: std::sync::Weak<Shared>,
    mut queued: tokio::sync::mpsc::Receiver<Update>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    while queued.recv_many(&mut batch, BATCH).await > 0 {
        let flushing = batch.iter().any(|u| matches!(u, Update::Flush(_)));
        if batch.len() < BATCH && !flushing {
            tokio::time::sleep(LINGER).await;
            while batch.len() < BATCH {
                match queued.try_recv() {
                    Ok(u) => batch.push(u),
                    Err(_) => break,
                }
            }
        }
        let Some(shared) = shared.upgrade() else {
            return;
        };
        let mut pipe = redis::pipe();
        let mut done = Vec::new();
        for u in batch.drain(..) {
            match u {
                Update::Flush(tx) => done.push(tx),
                Update::Balance { key, diff } => {
                    pipe.cmd("INCRBY").arg(&key).arg(diff).ignore();
                    pipe.cmd("PEXPIRE").arg(&key).arg(BALANCE_TTL_MS).ignore();
                }
                Update::Spend { day, month, usd } => {
                    pipe.cmd("INCRBYFLOAT").arg(&day).arg(usd).ignore();
                    pipe.cmd("EXPIRE").arg(&day).arg(DAY_TTL).ignore();
                    pipe.cmd("INCRBYFLOAT").arg(&month).arg(usd).ignore();
                    pipe.cmd("EXPIRE").arg(&month).arg(MONTH_TTL).ignore();
                }
            }
        }
        let sent = shared
            .run("update", |mut c| async move {
                pipe.query_async::<()>(&mut c).await
            })
            .await;
        if let Err(e) = sent {
            tracing::warn!(error = %e, "limits store updates lost");
        }
        for tx in done {
            let _ = tx.send(());
        }
    }
}

/// The failure's kind and Redis's own words; a connection URL (and so a password) never.
fn describe(e: &redis::RedisError) -> String {
    match e.detail() {
        Some(d) => format!("{}: {d}", e.category()),
        None if e.is_io_error() => format!("{}: connection failed", e.category()),
        None => e.category().to_string(),
    }
}

impl CounterStore for RedisStore {
    fn rate(&self, scope: &str, limit: &RateLimits) -> Option<Arc<dyn RateCounter>> {
        let requests = limit.requests_per_minute.filter(|n| *n > 0);
        let tokens = limit.tokens_per_minute.filter(|n| *n > 0);
        if requests.is_none() && tokens.is_none() {
            return None;
        }
        Some(Arc::new(RedisRate {
            shared: self.shared.clone(),
            keys: [
                self.key(scope, "req"),
                self.key(scope, "tok"),
                self.key(scope, "bal"),
            ],
            requests: requests.unwrap_or(0),
            tokens: tokens.unwrap_or(0),
            last: Mutex::new(full(requests, tokens)),
        }))
    }

    fn spend(&self, scope: &str) -> Arc<dyn SpendCounter> {
        Arc::new(RedisSpend {
            shared: self.shared.clone(),
            base: self.key(scope, "spend"),
            seen: Mutex::new(None),
        })
    }

    fn probe(&self) -> Option<BoxFuture<'_, Result<(), StoreDown>>> {
        Some(Box::pin(async move {
            self.shared
                .run("probe", |mut c| async move {
                    redis::cmd("PING").query_async::<()>(&mut c).await
                })
                .await
        }))
    }

    fn kind(&self) -> &'static str {
        "redis"
    }

    fn flush(&self) -> Option<BoxFuture<'_, ()>> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.shared.queue(Update::Flush(tx));
        let wait = self.shared.timeout * 2 + LINGER;
        Some(Box::pin(async move {
            let _ = tokio::time::timeout(wait, rx).await;
        }))
    }
}

/// Buckets at their full size: what a scope shows before its first acquisition.
fn full(requests: Option<u32>, tokens: Option<u32>) -> RateState {
    let bucket = |limit| Bucket {
        limit,
        remaining: limit,
        reset: Duration::ZERO,
    };
    RateState {
        requests: requests.map(bucket),
        tokens: tokens.map(bucket),
    }
}

/// One scope's buckets in Redis, with the state the last acquisition saw (for headers).
struct RedisRate {
    shared: Arc<Shared>,
    /// Request TAT, token TAT, token balance.
    keys: [String; 3],
    /// Per minute; 0 where the scope has no such limit.
    requests: u32,
    tokens: u32,
    last: Mutex<RateState>,
}

impl RedisRate {
    /// Reads the script's reply (see `acquire.lua`).
    fn read(&self, r: &[i64]) -> Result<RateState, Denied> {
        let micros = |v: i64| Duration::from_micros(u64::try_from(v.max(0)).unwrap_or(0));
        let count = |v: i64| u32::try_from(v.max(0)).unwrap_or(u32::MAX);
        let get = |i: usize| r.get(i).copied().unwrap_or(0);
        let bucket = |limit: u32, remaining: i64, reset: i64| {
            (limit > 0).then(|| Bucket {
                limit,
                remaining: count(remaining).min(limit),
                reset: micros(reset),
            })
        };
        let state = RateState {
            requests: bucket(self.requests, get(4), get(5)),
            tokens: bucket(self.tokens, get(6), get(7)),
        };
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = state;
        if get(0) == 1 {
            return Ok(state);
        }
        Err(Denied {
            bucket: if get(1) == 2 { "tokens" } else { "requests" },
            retry_after: micros(get(2)),
            too_large: get(3) == 1,
            state,
        })
    }
}

impl RateCounter for RedisRate {
    fn acquire(&self, tokens: u64) -> Pending<'_, Result<RateState, Refused>> {
        Either::Right(Box::pin(async move {
            let reply = self
                .shared
                .run("acquire", |mut c| async move {
                    ACQUIRE
                        .key(&self.keys[0])
                        .key(&self.keys[1])
                        .key(&self.keys[2])
                        .arg(self.requests)
                        .arg(self.tokens)
                        .arg(tokens)
                        .invoke_async::<Vec<i64>>(&mut c)
                        .await
                })
                .await
                .map_err(Refused::Store)?;
            self.read(&reply).map_err(Refused::Limit)
        }))
    }

    fn settle(&self, charged: u64, actual: u64) {
        if self.tokens == 0 || charged == actual {
            return;
        }
        let diff = i64::try_from(charged)
            .unwrap_or(i64::MAX)
            .saturating_sub(i64::try_from(actual).unwrap_or(i64::MAX));
        self.shared.queue(Update::Balance {
            key: self.keys[2].clone(),
            diff,
        });
    }

    fn state(&self) -> RateState {
        *self.last.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One scope's spend: a key per UTC day and per month, so rollover is a new key.
struct RedisSpend {
    shared: Arc<Shared>,
    /// `<prefix>:{<scope>}:spend`; `:d:<day>` and `:m:<month>` follow.
    base: String,
    /// The last spend read, answered again for up to [`SPENT_FRESH`] (plus what this replica
    /// added since), so a busy key costs one read a second instead of one per request.
    seen: Mutex<Option<SeenSpend>>,
}

/// How long a spend read stands in for a new one. Budgets are soft already (checked before a
/// call, paid after it); this adds at most a second of other replicas' spend.
const SPENT_FRESH: Duration = Duration::from_secs(1);

#[derive(Clone, Copy)]
struct SeenSpend {
    at: Instant,
    day: u64,
    month: u64,
    spent: (f64, f64),
}

impl RedisSpend {
    /// The cached spend for `now_unix`'s periods, while fresh.
    fn cached(&self, now_unix: u64) -> Option<(f64, f64)> {
        let seen = *self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.filter(|s| {
            s.day == period::day(now_unix)
                && s.month == period::month(now_unix)
                && s.at.elapsed() < SPENT_FRESH
        })
        .map(|s| s.spent)
    }

    fn keys(&self, now_unix: u64) -> (String, String) {
        (
            format!("{}:d:{}", self.base, period::day(now_unix)),
            format!("{}:m:{}", self.base, period::month(now_unix)),
        )
    }
}

impl SpendCounter for RedisSpend {
    fn spent(&self, now_unix: u64) -> Pending<'_, Result<(f64, f64), StoreDown>> {
        if let Some(spent) = self.cached(now_unix) {
            return super::now(Ok(spent));
        }
        Either::Right(Box::pin(async move {
            let (day, month) = self.keys(now_unix);
            let values = self
                .shared
                .run("spent", |mut c| async move {
                    redis::cmd("MGET")
                        .arg(&day)
                        .arg(&month)
                        .query_async::<Vec<Option<f64>>>(&mut c)
                        .await
                })
                .await?;
            let at = |i: usize| values.get(i).copied().flatten().unwrap_or(0.0);
            let spent = (at(0), at(1));
            *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(SeenSpend {
                at: Instant::now(),
                day: period::day(now_unix),
                month: period::month(now_unix),
                spent,
            });
            Ok(spent)
        }))
    }

    fn add(&self, now_unix: u64, usd: f64) {
        let (day, month) = self.keys(now_unix);
        self.shared.queue(Update::Spend { day, month, usd });
        // This replica sees its own spend at once, cache or not.
        if let Some(s) = self
            .seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
            .filter(|s| s.day == period::day(now_unix) && s.month == period::month(now_unix))
        {
            s.spent.0 += usd;
            s.spent.1 += usd;
        }
    }
}
