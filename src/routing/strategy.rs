//! Routing strategies: pure orderings of a route's targets.
//!
//! A strategy only orders; `execute` enforces breakers and limits. Strategies are told which
//! route positions are usable right now (breaker not open) so `weighted` can re-spread an open
//! target's share over the others instead of sending it straight into a fallback.

use std::sync::Mutex;

use super::settings::StrategyKind;

/// Orders a route's targets for one request: the first is tried first, the rest are fallbacks.
pub trait Strategy: Send + Sync {
    /// Pushes the order onto `out`. `usable(i)` says whether route position `i` (an index into
    /// `targets`) may take traffic now.
    fn order(&self, targets: &[usize], usable: &dyn Fn(usize) -> bool, out: &mut Vec<usize>);
}

/// Builds the strategy for a route; `weights` are the targets' weights in route order.
pub fn build_strategy(kind: StrategyKind, weights: Vec<f64>) -> Box<dyn Strategy> {
    match kind {
        StrategyKind::Single => Box::new(Single),
        StrategyKind::Fallback => Box::new(Fallback),
        StrategyKind::Weighted => Box::new(Weighted::new(weights)),
    }
}

/// Only the first target.
struct Single;

impl Strategy for Single {
    fn order(&self, targets: &[usize], _usable: &dyn Fn(usize) -> bool, out: &mut Vec<usize>) {
        out.extend(targets.first());
    }
}

/// Every target, in the pack's order.
struct Fallback;

impl Strategy for Fallback {
    fn order(&self, targets: &[usize], _usable: &dyn Fn(usize) -> bool, out: &mut Vec<usize>) {
        out.extend_from_slice(targets);
    }
}

/// Smooth weighted round robin (as nginx does it): over any window the picks follow the weights
/// closely, without bursts to one target. Unusable targets sit out (their counters frozen) and
/// the usable ones share the whole total, so an open target's share is re-spread in proportion.
/// The other targets follow as fallbacks, in route order.
struct Weighted {
    weights: Vec<f64>,
    current: Mutex<Vec<f64>>,
}

impl Weighted {
    fn new(weights: Vec<f64>) -> Self {
        let current = Mutex::new(vec![0.0; weights.len()]);
        Self { weights, current }
    }

    fn pick(&self, usable: &dyn Fn(usize) -> bool) -> usize {
        let any = (0..self.weights.len()).any(usable);
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        let mut best: Option<usize> = None;
        let mut total = 0.0;
        for (i, w) in self.weights.iter().enumerate() {
            if any && !usable(i) {
                continue;
            }
            current[i] += w;
            total += w;
            if best.is_none_or(|b| current[i] > current[b]) {
                best = Some(i);
            }
        }
        let best = best.unwrap_or(0);
        if let Some(c) = current.get_mut(best) {
            *c -= total;
        }
        best
    }
}

impl Strategy for Weighted {
    fn order(&self, targets: &[usize], usable: &dyn Fn(usize) -> bool, out: &mut Vec<usize>) {
        if targets.is_empty() {
            return;
        }
        let first = self.pick(usable).min(targets.len() - 1);
        out.push(targets[first]);
        out.extend(
            targets
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != first)
                .map(|(_, t)| *t),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_follows_weights_smoothly() {
        let s = build_strategy(StrategyKind::Weighted, vec![3.0, 1.0]);
        let mut firsts = Vec::new();
        for _ in 0..8 {
            let mut out = Vec::new();
            s.order(&[10, 20], &all, &mut out);
            assert_eq!(out.len(), 2);
            firsts.push(out[0]);
        }
        assert_eq!(firsts.iter().filter(|t| **t == 10).count(), 6);
        // Smooth: never two picks of the light target in a row.
        assert!(firsts.windows(2).all(|w| !(w[0] == 20 && w[1] == 20)));
    }

    #[test]
    fn single_and_fallback() {
        let mut out = Vec::new();
        build_strategy(StrategyKind::Single, vec![1.0, 1.0]).order(&[4, 5], &all, &mut out);
        assert_eq!(out, vec![4]);
        out.clear();
        build_strategy(StrategyKind::Fallback, vec![1.0, 1.0]).order(&[4, 5], &all, &mut out);
        assert_eq!(out, vec![4, 5]);
    }

    fn all(_: usize) -> bool {
        true
    }

    fn shares(s: &dyn Strategy, n: usize, usable: &dyn Fn(usize) -> bool) -> [usize; 3] {
        let mut counts = [0; 3];
        let mut out = Vec::with_capacity(3);
        for _ in 0..n {
            out.clear();
            s.order(&[0, 1, 2], usable, &mut out);
            counts[out[0]] += 1;
            assert_eq!(out.len(), 3, "every target stays as a fallback");
        }
        counts
    }

    /// 10,000 picks land within 2% (of the total) of the configured 60/30/10 split.
    #[test]
    fn weighted_shares_over_10_000_requests() {
        let s = build_strategy(StrategyKind::Weighted, vec![6.0, 3.0, 1.0]);
        let counts = shares(s.as_ref(), 10_000, &all);
        for (got, want) in counts.iter().zip([6_000.0, 3_000.0, 1_000.0]) {
            assert!((*got as f64 - want).abs() <= 200.0, "{counts:?}");
        }
    }

    /// With target 0 unusable its share goes to the others, in proportion (3:1).
    #[test]
    fn weighted_respreads_the_share_of_an_open_target() {
        let s = build_strategy(StrategyKind::Weighted, vec![6.0, 3.0, 1.0]);
        let counts = shares(s.as_ref(), 10_000, &|i| i != 0);
        assert_eq!(counts[0], 0, "{counts:?}");
        assert!((counts[1] as f64 - 7_500.0).abs() <= 200.0, "{counts:?}");
        // Back to usable: the split returns to 60/30/10.
        let counts = shares(s.as_ref(), 10_000, &all);
        assert!((counts[0] as f64 - 6_000.0).abs() <= 200.0, "{counts:?}");
    }
}
