//! Routing strategies: pure orderings of a route's targets.

use std::sync::Mutex;

use crate::config::pack::Strategy as StrategyKind;

/// Orders a route's targets for one request: the first is tried first, the rest are fallbacks.
pub trait Strategy: Send + Sync {
    fn order(&self, targets: &[usize], out: &mut Vec<usize>);
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
    fn order(&self, targets: &[usize], out: &mut Vec<usize>) {
        out.extend(targets.first());
    }
}

/// Every target, in the pack's order.
struct Fallback;

impl Strategy for Fallback {
    fn order(&self, targets: &[usize], out: &mut Vec<usize>) {
        out.extend_from_slice(targets);
    }
}

/// Smooth weighted round robin (as nginx does it): over any window the picks follow the weights
/// closely, without bursts to one target. The other targets follow as fallbacks.
struct Weighted {
    weights: Vec<f64>,
    total: f64,
    current: Mutex<Vec<f64>>,
}

impl Weighted {
    fn new(weights: Vec<f64>) -> Self {
        let total = weights.iter().sum();
        let current = Mutex::new(vec![0.0; weights.len()]);
        Self {
            weights,
            total,
            current,
        }
    }

    fn pick(&self) -> usize {
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        let mut best = 0;
        for (i, w) in self.weights.iter().enumerate() {
            current[i] += w;
            if current[i] > current[best] {
                best = i;
            }
        }
        current[best] -= self.total;
        best
    }
}

impl Strategy for Weighted {
    fn order(&self, targets: &[usize], out: &mut Vec<usize>) {
        if targets.is_empty() {
            return;
        }
        let first = self.pick().min(targets.len() - 1);
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
            s.order(&[10, 20], &mut out);
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
        build_strategy(StrategyKind::Single, vec![1.0, 1.0]).order(&[4, 5], &mut out);
        assert_eq!(out, vec![4]);
        out.clear();
        build_strategy(StrategyKind::Fallback, vec![1.0, 1.0]).order(&[4, 5], &mut out);
        assert_eq!(out, vec![4, 5]);
    }
}
