//! Circuit breaker per target: a pure state machine (the caller passes the time, so tests drive
//! the clock) behind a short mutex.
//!
//! Rules:
//! - **Closed → Open** when the failure score of consecutive failures, all within
//!   `window_seconds` of the first, reaches `2 × failure_threshold`. A 5xx, timeout or refused
//!   connection scores 2; a throttle scores 1, so a throttling burst needs twice as many
//!   failures in a row to open the breaker as a 5xx storm (Bedrock throttles are per-account
//!   back-pressure, not a broken endpoint; retries with backoff handle short bursts). A success
//!   or a client error (the target answered) clears the score.
//! - **Open → HalfOpen** once `open_seconds` passed, on the next admission.
//! - **HalfOpen**: at most `half_open_requests` probes are let through; when that many have
//!   succeeded the breaker closes, and any failure re-opens it.
//!
//! Every transition bumps a generation; results from calls admitted under an older generation are
//! ignored, so a slow call started before the breaker opened cannot close it again.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::settings::BreakerSettings;
use crate::provider::FailureClass;

/// What a breaker shows to `/readyz` and to strategies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

impl BreakerState {
    /// Label for `/readyz`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::Open => "open",
            Self::HalfOpen => "half_open",
        }
    }
}

/// How one call ended, as far as the breaker cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// The target answered (a client error counts: the endpoint works).
    Success,
    /// Throttled: counts half.
    Throttle,
    /// 5xx, timeout, connection failure: counts full.
    Failure,
    /// The call was dropped before it finished (client went away): no vote, frees a probe slot.
    Abandoned,
}

impl Signal {
    /// The breaker's reading of a call's result.
    pub fn of(result: Result<(), FailureClass>) -> Self {
        match result {
            Ok(()) | Err(FailureClass::Client) => Self::Success,
            Err(FailureClass::Throttling) => Self::Throttle,
            Err(_) => Self::Failure,
        }
    }

    fn score(self) -> u32 {
        match self {
            Self::Throttle => 1,
            Self::Failure => 2,
            Self::Success | Self::Abandoned => 0,
        }
    }
}

/// The breaker's answer to "may I call this target now?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    /// Normal traffic, under this generation.
    Pass { generation: u64 },
    /// One of the half-open probes, under this generation.
    Probe { generation: u64 },
    /// Open (or half-open with every probe slot taken): try again in this long.
    Refused { retry_in: Duration },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Closed { score: u32, since: Option<Instant> },
    Open { until: Instant },
    HalfOpen { in_flight: u32, passed: u32 },
}

/// The pure state machine. Every method takes `now`.
#[derive(Debug, Clone)]
pub struct BreakerCore {
    threshold: u32,
    window: Duration,
    open_for: Duration,
    probes: u32,
    phase: Phase,
    generation: u64,
}

impl BreakerCore {
    /// A closed breaker with the pack's settings.
    pub fn new(cfg: &BreakerSettings) -> Self {
        Self {
            threshold: cfg.failure_threshold.max(1).saturating_mul(2),
            window: cfg.window.max(Duration::from_secs(1)),
            open_for: cfg.open_for.max(Duration::from_secs(1)),
            probes: cfg.probes.max(1),
            phase: Phase::Closed {
                score: 0,
                since: None,
            },
            generation: 0,
        }
    }

    /// The state at `now` (an expired open breaker reads as half-open).
    pub fn state(&self, now: Instant) -> BreakerState {
        match self.phase {
            Phase::Closed { .. } => BreakerState::Closed,
            Phase::Open { until } if now >= until => BreakerState::HalfOpen,
            Phase::Open { .. } => BreakerState::Open,
            Phase::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    /// Whether a call at `now` would be let through (without taking a probe slot).
    pub fn would_admit(&self, now: Instant) -> bool {
        match self.phase {
            Phase::Closed { .. } => true,
            Phase::Open { until } => now >= until,
            Phase::HalfOpen { in_flight, passed } => in_flight + passed < self.probes,
        }
    }

    /// Admits or refuses one call; an expired open breaker turns half-open here.
    pub fn admit(&mut self, now: Instant) -> Admit {
        if let Phase::Open { until } = self.phase {
            if now < until {
                return Admit::Refused {
                    retry_in: until - now,
                };
            }
            self.enter(Phase::HalfOpen {
                in_flight: 0,
                passed: 0,
            });
        }
        match &mut self.phase {
            Phase::Closed { .. } => Admit::Pass {
                generation: self.generation,
            },
            Phase::HalfOpen { in_flight, passed } if *in_flight + *passed < self.probes => {
                *in_flight += 1;
                Admit::Probe {
                    generation: self.generation,
                }
            }
            _ => Admit::Refused {
                retry_in: Duration::from_secs(1),
            },
        }
    }

    /// Records the result of a call admitted as `admitted`.
    pub fn record(&mut self, now: Instant, admitted: Admit, signal: Signal) {
        let (generation, probe) = match admitted {
            Admit::Pass { generation } => (generation, false),
            Admit::Probe { generation } => (generation, true),
            Admit::Refused { .. } => return,
        };
        if generation != self.generation {
            return;
        }
        match (&mut self.phase, probe) {
            (Phase::Closed { .. }, false) => self.vote(now, signal),
            (Phase::HalfOpen { in_flight, passed }, true) => {
                *in_flight = in_flight.saturating_sub(1);
                match signal {
                    Signal::Abandoned => {}
                    Signal::Success => {
                        *passed += 1;
                        if *passed >= self.probes {
                            self.close();
                        }
                    }
                    Signal::Throttle | Signal::Failure => self.trip(now),
                }
            }
            _ => {}
        }
    }

    /// Records a health probe's result: like traffic, except that a success also closes an open
    /// or half-open breaker at once (the target is back before any client had to find out).
    pub fn record_probe(&mut self, now: Instant, signal: Signal) {
        match (self.phase, signal) {
            (_, Signal::Abandoned) => {}
            (Phase::Closed { .. }, s) => self.vote(now, s),
            (Phase::Open { .. } | Phase::HalfOpen { .. }, Signal::Success) => self.close(),
            (Phase::HalfOpen { .. }, _) => self.trip(now),
            (Phase::Open { .. }, _) => {}
        }
    }

    fn vote(&mut self, now: Instant, signal: Signal) {
        let Phase::Closed { score, since } = &mut self.phase else {
            return;
        };
        match signal {
            Signal::Abandoned => {}
            Signal::Success => {
                *score = 0;
                *since = None;
            }
            Signal::Throttle | Signal::Failure => {
                if since.is_none_or(|s| now.saturating_duration_since(s) > self.window) {
                    *score = 0;
                    *since = Some(now);
                }
                *score += signal.score();
                if *score >= self.threshold {
                    self.trip(now);
                }
            }
        }
    }

    fn trip(&mut self, now: Instant) {
        self.enter(Phase::Open {
            until: now + self.open_for,
        });
    }

    fn close(&mut self) {
        self.enter(Phase::Closed {
            score: 0,
            since: None,
        });
    }

    fn enter(&mut self, phase: Phase) {
        self.phase = phase;
        self.generation += 1;
    }
}

/// A [`BreakerCore`] shared by concurrent requests. Each method holds the lock for a few
/// comparisons and never across an `.await`.
#[derive(Debug)]
pub struct Breaker(Mutex<BreakerCore>);

impl Breaker {
    /// A closed breaker.
    pub fn new(cfg: &BreakerSettings) -> Self {
        Self(Mutex::new(BreakerCore::new(cfg)))
    }

    fn with<R>(&self, f: impl FnOnce(&mut BreakerCore) -> R) -> R {
        let mut core = self.0.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut core)
    }

    /// See [`BreakerCore::admit`].
    pub fn admit(&self, now: Instant) -> Admit {
        self.with(|c| c.admit(now))
    }

    /// See [`BreakerCore::record`].
    pub fn record(&self, now: Instant, admitted: Admit, signal: Signal) {
        self.with(|c| c.record(now, admitted, signal));
    }

    /// See [`BreakerCore::record_probe`].
    pub fn record_probe(&self, now: Instant, signal: Signal) {
        self.with(|c| c.record_probe(now, signal));
    }

    /// See [`BreakerCore::state`].
    pub fn state(&self, now: Instant) -> BreakerState {
        self.with(|c| c.state(now))
    }

    /// See [`BreakerCore::would_admit`].
    pub fn would_admit(&self, now: Instant) -> bool {
        self.with(|c| c.would_admit(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(threshold: u32, probes: u32) -> BreakerSettings {
        BreakerSettings {
            failure_threshold: threshold,
            window: Duration::from_secs(10),
            open_for: Duration::from_secs(5),
            probes,
        }
    }

    fn fail(b: &mut BreakerCore, now: Instant, s: Signal) {
        let a = b.admit(now);
        b.record(now, a, s);
    }

    #[test]
    fn hard_failures_open_after_threshold() {
        let t0 = Instant::now();
        let mut b = BreakerCore::new(&cfg(3, 1));
        fail(&mut b, t0, Signal::Failure);
        fail(&mut b, t0, Signal::Failure);
        assert_eq!(b.state(t0), BreakerState::Closed);
        fail(&mut b, t0, Signal::Failure);
        assert_eq!(b.state(t0), BreakerState::Open);
        assert!(
            matches!(b.admit(t0), Admit::Refused { retry_in } if retry_in == Duration::from_secs(5))
        );
    }

    #[test]
    fn throttles_count_half() {
        let t0 = Instant::now();
        let mut b = BreakerCore::new(&cfg(3, 1));
        for _ in 0..5 {
            fail(&mut b, t0, Signal::Throttle);
        }
        assert_eq!(
            b.state(t0),
            BreakerState::Closed,
            "5 throttles < 3 failures"
        );
        fail(&mut b, t0, Signal::Throttle);
        assert_eq!(b.state(t0), BreakerState::Open);
    }

    #[test]
    fn success_clears_and_window_restarts_the_streak() {
        let t0 = Instant::now();
        let mut b = BreakerCore::new(&cfg(2, 1));
        fail(&mut b, t0, Signal::Failure);
        fail(&mut b, t0, Signal::Success);
        fail(&mut b, t0, Signal::Failure);
        assert_eq!(b.state(t0), BreakerState::Closed);
        // The next failure comes after the window: a new streak, still closed.
        fail(&mut b, t0 + Duration::from_secs(11), Signal::Failure);
        assert_eq!(b.state(t0), BreakerState::Closed);
        fail(&mut b, t0 + Duration::from_secs(12), Signal::Failure);
        assert_eq!(b.state(t0), BreakerState::Open);
    }

    #[test]
    fn half_open_admits_probes_then_closes_or_reopens() {
        let t0 = Instant::now();
        let mut b = BreakerCore::new(&cfg(1, 2));
        fail(&mut b, t0, Signal::Failure);
        let t1 = t0 + Duration::from_secs(5);
        assert_eq!(b.state(t1), BreakerState::HalfOpen);
        let p1 = b.admit(t1);
        let p2 = b.admit(t1);
        assert!(matches!(p1, Admit::Probe { .. }) && matches!(p2, Admit::Probe { .. }));
        assert!(
            matches!(b.admit(t1), Admit::Refused { .. }),
            "only 2 probes"
        );
        b.record(t1, p1, Signal::Success);
        assert_eq!(b.state(t1), BreakerState::HalfOpen);
        b.record(t1, p2, Signal::Success);
        assert_eq!(b.state(t1), BreakerState::Closed);

        fail(&mut b, t1, Signal::Failure);
        let t2 = t1 + Duration::from_secs(5);
        let p = b.admit(t2);
        b.record(t2, p, Signal::Throttle);
        assert_eq!(b.state(t2), BreakerState::Open, "a failed probe re-opens");
        assert!(matches!(
            b.admit(t2 + Duration::from_secs(4)),
            Admit::Refused { .. }
        ));
    }

    #[test]
    fn abandoned_probe_frees_its_slot_and_stale_results_are_ignored() {
        let t0 = Instant::now();
        let mut b = BreakerCore::new(&cfg(1, 1));
        let old = b.admit(t0);
        fail(&mut b, t0, Signal::Failure);
        let t1 = t0 + Duration::from_secs(6);
        let p = b.admit(t1);
        b.record(t1, p, Signal::Abandoned);
        // A call admitted while closed finishes late: it must not close the breaker.
        b.record(t1, old, Signal::Success);
        assert_eq!(b.state(t1), BreakerState::HalfOpen);
        assert!(matches!(b.admit(t1), Admit::Probe { .. }), "slot was freed");
    }

    #[test]
    fn health_probe_success_closes_and_failure_counts() {
        let t0 = Instant::now();
        let mut b = BreakerCore::new(&cfg(1, 1));
        b.record_probe(t0, Signal::Failure);
        assert_eq!(b.state(t0), BreakerState::Open);
        b.record_probe(t0, Signal::Success);
        assert_eq!(b.state(t0), BreakerState::Closed);
        assert!(b.would_admit(t0));
    }

    /// Random sequences of events only ever produce legal transitions.
    #[test]
    fn random_walk_makes_only_legal_transitions() {
        let mut rng = fastrand::Rng::with_seed(7);
        let t0 = Instant::now();
        let mut b = BreakerCore::new(&cfg(2, 2));
        let mut now = t0;
        let mut outstanding: Vec<Admit> = Vec::new();
        for _ in 0..20_000 {
            now += Duration::from_millis(rng.u64(0..800));
            let before = b.state(now);
            match rng.u8(0..4) {
                0 | 1 => outstanding.push(b.admit(now)),
                2 if !outstanding.is_empty() => {
                    let a = outstanding.swap_remove(rng.usize(0..outstanding.len()));
                    let s = [
                        Signal::Success,
                        Signal::Throttle,
                        Signal::Failure,
                        Signal::Abandoned,
                    ][rng.usize(0..4)];
                    b.record(now, a, s);
                }
                _ => b.record_probe(now, [Signal::Success, Signal::Failure][rng.usize(0..2)]),
            }
            let after = b.state(now);
            let legal = matches!(
                (before, after),
                (x, y) if x == y
            ) || matches!(
                (before, after),
                (BreakerState::Closed, BreakerState::Open)
                    | (BreakerState::HalfOpen, BreakerState::Open)
                    | (BreakerState::HalfOpen, BreakerState::Closed)
                    | (BreakerState::Open, BreakerState::Closed)
            );
            assert!(legal, "{before:?} -> {after:?}");
            if let Phase::HalfOpen { in_flight, passed } = b.phase {
                assert!(in_flight + passed <= 2, "never more probes than allowed");
            }
        }
    }
}
