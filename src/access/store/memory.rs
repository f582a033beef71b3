//! The per-process store: `governor` GCRA buckets for rates, a mutex-guarded pair of sums for
//! spend. Every answer is ready at once.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};

use super::super::period;
use super::super::settings::RateLimits;
use super::{
    Bucket, CounterStore, Denied, Pending, RateCounter, RateState, Refused, SpendCounter,
    StoreDown, now,
};

/// The per-process store.
#[derive(Debug, Default)]
pub struct MemoryStore;

impl CounterStore for MemoryStore {
    fn rate(&self, _scope: &str, limit: &RateLimits) -> Option<Arc<dyn RateCounter>> {
        let requests = limit.requests_per_minute.and_then(Gcra::per_minute);
        let tokens = limit.tokens_per_minute.and_then(Gcra::per_minute);
        if requests.is_none() && tokens.is_none() {
            return None;
        }
        Some(Arc::new(MemoryRate {
            requests,
            tokens,
            balance: AtomicI64::new(0),
        }))
    }

    fn spend(&self, _scope: &str) -> Arc<dyn SpendCounter> {
        Arc::new(MemorySpend::default())
    }

    fn kind(&self) -> &'static str {
        "memory"
    }
}

type Limiter = RateLimiter<NotKeyed, InMemoryState, DefaultClock, StateInformationMiddleware>;

/// One GCRA bucket refilled evenly over a minute, with the last remaining count seen.
struct Gcra {
    limiter: Limiter,
    clock: DefaultClock,
    limit: u32,
    remaining: AtomicU32,
}

impl Gcra {
    fn per_minute(limit: u32) -> Option<Self> {
        let n = NonZeroU32::new(limit)?;
        let limiter = RateLimiter::direct(Quota::per_minute(n))
            .with_middleware::<StateInformationMiddleware>();
        Some(Self {
            limiter,
            clock: DefaultClock::default(),
            limit,
            remaining: AtomicU32::new(limit),
        })
    }

    /// Takes `n` cells; `Ok(())` for `n == 0`.
    fn take(&self, n: u64) -> Result<(), (Duration, bool)> {
        let Some(cells) = u32::try_from(n).ok().and_then(NonZeroU32::new) else {
            return if n == 0 {
                Ok(())
            } else {
                Err((Duration::from_secs(60), true))
            };
        };
        match self.limiter.check_n(cells) {
            Ok(Ok(snap)) => {
                self.remaining
                    .store(snap.remaining_burst_capacity(), Ordering::Relaxed);
                Ok(())
            }
            Ok(Err(not_until)) => {
                self.remaining.store(0, Ordering::Relaxed);
                Err((not_until.wait_time_from(self.clock.now()), false))
            }
            Err(_) => Err((Duration::from_secs(60), true)),
        }
    }

    fn bucket(&self) -> Bucket {
        let remaining = self.remaining.load(Ordering::Relaxed).min(self.limit);
        let missing = u64::from(self.limit - remaining);
        Bucket {
            limit: self.limit,
            remaining,
            reset: Duration::from_millis(missing * 60_000 / u64::from(self.limit.max(1))),
        }
    }
}

/// Governor buckets plus a signed token balance: credit (positive) from replies that used fewer
/// tokens than estimated, debt (negative) from replies that used more. Governor cannot hand
/// cells back, so the balance is applied to the scope's next acquisition instead.
struct MemoryRate {
    requests: Option<Gcra>,
    tokens: Option<Gcra>,
    balance: AtomicI64,
}

impl RateCounter for MemoryRate {
    fn acquire(&self, tokens: u64) -> Pending<'_, Result<RateState, Refused>> {
        now(self.take(tokens).map_err(Refused::Limit))
    }

    fn settle(&self, charged: u64, actual: u64) {
        let Some(t) = &self.tokens else {
            return;
        };
        let diff = i64::try_from(charged)
            .unwrap_or(i64::MAX)
            .saturating_sub(i64::try_from(actual).unwrap_or(i64::MAX));
        // Credit never exceeds one minute's quota: an idle scope's bucket refills anyway.
        let cap = i64::from(t.limit);
        let _ = self
            .balance
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |b| {
                Some(b.saturating_add(diff).min(cap))
            });
    }

    fn state(&self) -> RateState {
        let credit = u32::try_from(self.balance.load(Ordering::Acquire).max(0)).unwrap_or(0);
        RateState {
            requests: self.requests.as_ref().map(Gcra::bucket),
            tokens: self.tokens.as_ref().map(|t| {
                let mut b = t.bucket();
                b.remaining = b.remaining.saturating_add(credit).min(b.limit);
                b
            }),
        }
    }
}

impl MemoryRate {
    fn take(&self, tokens: u64) -> Result<RateState, Denied> {
        let deny = |bucket, (retry_after, too_large): (Duration, bool), s: &Self| Denied {
            bucket,
            retry_after,
            too_large,
            state: s.state(),
        };
        if let Some(r) = &self.requests {
            r.take(1).map_err(|e| deny("requests", e, self))?;
        }
        if let Some(t) = &self.tokens {
            let balance = self.balance.swap(0, Ordering::AcqRel);
            let need = i64::try_from(tokens)
                .unwrap_or(i64::MAX)
                .saturating_sub(balance);
            if need <= 0 {
                self.balance.fetch_add(-need, Ordering::AcqRel);
            } else if let Err(e) = t.take(need.unsigned_abs()) {
                self.balance.fetch_add(balance, Ordering::AcqRel);
                return Err(deny("tokens", e, self));
            }
        }
        Ok(self.state())
    }
}

/// Spend sums tagged with the UTC day and month they belong to.
#[derive(Default)]
struct MemorySpend(Mutex<Sums>);

#[derive(Default)]
struct Sums {
    day: u64,
    month: u64,
    day_usd: f64,
    month_usd: f64,
}

impl Sums {
    fn roll(&mut self, now_unix: u64) {
        let (day, month) = (period::day(now_unix), period::month(now_unix));
        if day != self.day {
            self.day = day;
            self.day_usd = 0.0;
        }
        if month != self.month {
            self.month = month;
            self.month_usd = 0.0;
        }
    }
}

impl SpendCounter for MemorySpend {
    fn spent(&self, now_unix: u64) -> Pending<'_, Result<(f64, f64), StoreDown>> {
        let mut s = self.0.lock().unwrap_or_else(|p| p.into_inner());
        s.roll(now_unix);
        now(Ok((s.day_usd, s.month_usd)))
    }

    fn add(&self, now_unix: u64, usd: f64) {
        let mut s = self.0.lock().unwrap_or_else(|p| p.into_inner());
        s.roll(now_unix);
        s.day_usd += usd;
        s.month_usd += usd;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;

    fn acq(r: &dyn RateCounter, tokens: u64) -> Result<RateState, Denied> {
        match r.acquire(tokens).now_or_never().unwrap() {
            Ok(s) => Ok(s),
            Err(Refused::Limit(d)) => Err(d),
            Err(Refused::Store(e)) => panic!("{e}"),
        }
    }

    fn spent(s: &dyn SpendCounter, now: u64) -> (f64, f64) {
        s.spent(now).now_or_never().unwrap().unwrap()
    }

    fn limit(rpm: Option<u32>, tpm: Option<u32>) -> RateLimits {
        RateLimits {
            requests_per_minute: rpm,
            tokens_per_minute: tpm,
        }
    }

    #[test]
    fn requests_run_out_and_say_when_to_come_back() {
        let r = MemoryStore.rate("k", &limit(Some(2), None)).unwrap();
        assert_eq!(acq(&*r, 0).unwrap().requests.unwrap().remaining, 1);
        assert_eq!(acq(&*r, 0).unwrap().requests.unwrap().remaining, 0);
        let d = acq(&*r, 0).unwrap_err();
        assert_eq!(d.bucket, "requests");
        assert!(d.retry_after > Duration::from_secs(20), "{d:?}");
    }

    #[test]
    fn unused_tokens_are_credited_and_overruns_owed() {
        let r = MemoryStore.rate("k", &limit(None, Some(1000))).unwrap();
        acq(&*r, 900).unwrap();
        assert!(acq(&*r, 900).is_err(), "only 100 left");
        r.settle(900, 100); // 800 credited
        acq(&*r, 900).unwrap(); // takes 100 from the bucket
        assert!(acq(&*r, 1).is_err());
        let r = MemoryStore.rate("k", &limit(None, Some(1000))).unwrap();
        acq(&*r, 100).unwrap();
        r.settle(100, 700); // 600 owed
        assert!(acq(&*r, 350).is_err(), "350 + 600 owed > 900 left");
        assert!(acq(&*r, 5000).unwrap_err().too_large);
    }

    #[test]
    fn no_limits_no_counter() {
        assert!(MemoryStore.rate("k", &limit(None, None)).is_none());
    }

    #[test]
    fn spend_rolls_over_with_the_day() {
        let s = MemoryStore.spend("k");
        let t = 1_700_000_000;
        s.add(t, 1.5);
        assert_eq!(spent(&*s, t), (1.5, 1.5));
        let next_day = t + 86_400;
        assert_eq!(spent(&*s, next_day).0, 0.0);
    }
}
