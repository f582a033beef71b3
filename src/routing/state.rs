//! What routing remembers about one target between requests: its circuit breaker and how many
//! calls are open to it right now (the concurrency limit).
//!
//! Shared as an `Arc` so a streamed reply can keep its concurrency slot until the stream ends,
//! long after the routing call returned.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;

use futures_util::Stream;

use super::breaker::{Admit, Breaker, Signal};
use super::settings::BreakerSettings;
use crate::provider::EventStream;

/// Breaker and in-flight count of one target.
#[derive(Debug)]
pub struct TargetState {
    /// The target's circuit breaker.
    pub breaker: Breaker,
    in_flight: AtomicU32,
    /// Concurrency limit; `u32::MAX` when the pack sets none.
    max: u32,
}

impl TargetState {
    /// Fresh state for a target: closed breaker, nothing in flight.
    pub fn new(max_concurrency: Option<u32>, breaker: &BreakerSettings) -> Arc<Self> {
        Arc::new(Self {
            breaker: Breaker::new(breaker),
            in_flight: AtomicU32::new(0),
            max: max_concurrency.unwrap_or(u32::MAX),
        })
    }

    /// Calls open to the target now.
    pub fn in_flight(&self) -> u32 {
        self.in_flight.load(Ordering::Relaxed)
    }

    /// The configured limit, if any.
    pub fn max_concurrency(&self) -> Option<u32> {
        (self.max != u32::MAX).then_some(self.max)
    }

    /// Takes one concurrency slot, or `None` when the target is full. Lock-free.
    pub fn try_acquire(self: &Arc<Self>) -> Option<Slot> {
        self.in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Relaxed, |n| {
                (n < self.max).then_some(n + 1)
            })
            .ok()?;
        Some(Slot {
            state: self.clone(),
            pending: None,
        })
    }
}

/// One open call to a target; frees its slot when dropped.
#[derive(Debug)]
pub struct Slot {
    state: Arc<TargetState>,
    /// A streamed reply's breaker vote, cast when the stream ends rather than at its first
    /// event, so a stream cut mid-way counts as the failure it is.
    pending: Option<Admit>,
}

impl Slot {
    /// Defers the breaker vote of the call admitted as `admitted` to [`Slot::settle`].
    pub(crate) fn defer_vote(&mut self, admitted: Admit) {
        self.pending = Some(admitted);
    }

    /// Casts the deferred vote, once.
    fn settle(&mut self, signal: Signal) {
        if let Some(a) = self.pending.take() {
            self.state.breaker.record(Instant::now(), a, signal);
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.settle(Signal::Abandoned);
        self.state.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Keeps `slot` taken for as long as the stream lives, so a slow stream counts against its
/// target's `max_concurrency` until it ends or the client goes away; the breaker hears how the
/// stream ended (clean end: success; error item: that failure; dropped: no vote).
pub fn hold_stream(stream: EventStream, slot: Slot) -> EventStream {
    Box::pin(Held {
        inner: stream,
        slot,
    })
}

struct Held {
    inner: EventStream,
    slot: Slot,
}

impl Stream for Held {
    type Item = <EventStream as Stream>::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let next = self.inner.as_mut().poll_next(cx);
        match &next {
            Poll::Ready(Some(Err(e))) => self.slot.settle(Signal::of(Err(e.class))),
            Poll::Ready(None) => self.slot.settle(Signal::Success),
            _ => {}
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_limited_and_freed_on_drop() {
        let breaker = BreakerSettings {
            failure_threshold: 5,
            window: std::time::Duration::from_secs(30),
            open_for: std::time::Duration::from_secs(30),
            probes: 1,
        };
        let s = TargetState::new(Some(2), &breaker);
        let a = s.try_acquire();
        let b = s.try_acquire();
        assert!(a.is_some() && b.is_some());
        assert!(s.try_acquire().is_none());
        assert_eq!(s.in_flight(), 2);
        drop(a);
        assert!(s.try_acquire().is_some());
        drop(b);
        assert_eq!(s.in_flight(), 0);
    }
}
