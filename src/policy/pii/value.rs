//! Locating a rule's `(?P<value>...)` group inside a match whose span is already known.
//!
//! Capture engines (backtracker, PikeVM) pay per call for state proportional to the rule's NFA,
//! which is large for rules with Unicode name classes. Most rules are `context (?P<value>...)` or
//! `(?P<value>...) context`: a top-level sequence around the group. For those the pattern is split
//! into prefix, value and suffix, each a small anchored lazy DFA: the prefix's preferred end is
//! where the value starts, the value's preferred end is where it stops, and the suffix must then
//! end exactly where the whole match did. When that chain holds, it is the same answer capture
//! resolution gives (the preferred prefix that the rest can follow is the one a backtracker takes);
//! when it does not, or the group is nested deeper, the backtracker decides.

use std::sync::{Arc, OnceLock};

use regex_automata::hybrid::dfa::{self, DFA};
use regex_automata::nfa::thompson::backtrack::{self, BoundedBacktracker};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::primitives::NonMaxUsize;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, MatchKind, PatternID, meta};
use regex_syntax::hir::{Hir, HirKind};

/// Cache size for each piece's lazy DFA.
const PIECE_CACHE_CAPACITY: usize = 1 << 20;
const NFA_LIMIT: usize = 64 << 20;

/// How one rule's value group is found.
#[derive(Debug, Clone)]
pub struct ValueFinder {
    /// Prefix, value and suffix DFAs, when the group sits in the pattern's top-level sequence
    /// (`None` for an empty prefix or suffix).
    split: Option<[Option<DFA>; 3]>,
    /// Capture resolution for the rest: a backtracker over the span, with the group's slots.
    bt: BoundedBacktracker,
    slots: (usize, usize),
    /// For spans too long for the backtracker: `meta::Regex` over the pattern, built on first
    /// need (most rules never need it).
    pattern: String,
    syntax: syntax::Config,
    meta: Arc<OnceLock<Option<meta::Regex>>>,
}

/// One thread's caches for a [`ValueFinder`].
pub struct ValueCaches {
    split: [Option<dfa::Cache>; 3],
    bt: backtrack::Cache,
}

impl ValueFinder {
    /// The finder for `pattern`, `None` if it has no `value` group; an error if it does not
    /// compile or has any other group.
    pub fn new(pattern: &str, syntax: syntax::Config) -> Result<Option<Self>, String> {
        let hir = syntax::parse_with(pattern, &syntax)
            .map_err(|e| format!("pattern does not compile: {e}"))?;
        let nfa = thompson::Compiler::new()
            .configure(thompson::Config::new().nfa_size_limit(Some(NFA_LIMIT)))
            .build_from_hir(&hir)
            .map_err(|e| format!("pattern does not compile: {e}"))?;
        let info = nfa.group_info().clone();
        if info
            .pattern_names(PatternID::ZERO)
            .skip(1)
            .any(|n| n != Some("value"))
        {
            return Err(
                "only one capture group, `(?P<value>...)`, is allowed; use `(?:...)` for grouping"
                    .into(),
            );
        }
        let Some(slots) = info
            .to_index(PatternID::ZERO, "value")
            .and_then(|g| info.slots(PatternID::ZERO, g))
        else {
            return Ok(None);
        };
        let bt = BoundedBacktracker::new_from_nfa(nfa).map_err(|e| e.to_string())?;
        Ok(Some(Self {
            split: split(hir),
            bt,
            slots,
            pattern: pattern.to_owned(),
            syntax,
            meta: Arc::new(OnceLock::new()),
        }))
    }

    /// Fresh caches for one thread.
    pub fn create_caches(&self) -> ValueCaches {
        let cache = |d: &Option<DFA>| d.as_ref().map(DFA::create_cache);
        ValueCaches {
            split: match &self.split {
                Some([p, v, s]) => [cache(p), cache(v), cache(s)],
                None => [None, None, None],
            },
            bt: self.bt.create_cache(),
        }
    }

    /// The group's span inside the match `text[start..end]` (the whole match if the group did
    /// not take part).
    pub fn find(
        &self,
        caches: &mut ValueCaches,
        text: &str,
        start: usize,
        end: usize,
    ) -> Option<(usize, usize)> {
        if let Some(found) = self.by_pieces(caches, text, start, end) {
            return Some(found);
        }
        let input = Input::new(text).range(start..end).anchored(Anchored::Yes);
        let mut slots: [Option<NonMaxUsize>; 4] = [None; 4];
        let ran = end - start <= self.bt.max_haystack_len()
            && self
                .bt
                .try_search_slots(&mut caches.bt, &input, &mut slots)
                .is_ok();
        if !ran {
            self.meta()?.search_slots(&input, &mut slots)?;
        }
        let at = |k: usize| slots.get(k).copied().flatten().map(NonMaxUsize::get);
        Some(match (at(self.slots.0), at(self.slots.1)) {
            (Some(a), Some(b)) => (a, b),
            _ => (at(0)?, at(1)?),
        })
    }

    fn meta(&self) -> Option<&meta::Regex> {
        self.meta
            .get_or_init(|| {
                meta::Regex::builder()
                    .syntax(self.syntax)
                    .configure(meta::Config::new().nfa_size_limit(Some(NFA_LIMIT)))
                    .build(&self.pattern)
                    .ok()
            })
            .as_ref()
    }

    /// Prefix, then value, then suffix, each its preferred match, chained; `None` unless the
    /// chain ends exactly at `end`.
    fn by_pieces(
        &self,
        caches: &mut ValueCaches,
        text: &str,
        start: usize,
        end: usize,
    ) -> Option<(usize, usize)> {
        let pieces = self.split.as_ref()?;
        let mut at = [start; 3];
        let mut pos = start;
        for (k, piece) in pieces.iter().enumerate() {
            if let (Some(dfa), Some(cache)) = (piece, caches.split[k].as_mut()) {
                let input = Input::new(text).range(pos..end).anchored(Anchored::Yes);
                pos = dfa.try_search_fwd(cache, &input).ok()??.offset();
            }
            at[k] = pos;
        }
        (pos == end && at[0] < at[1]).then_some((at[0], at[1]))
    }
}

/// Splits a pattern whose top level is a sequence holding the `value` group into prefix, value
/// and suffix DFAs.
fn split(hir: Hir) -> Option<[Option<DFA>; 3]> {
    let HirKind::Concat(subs) = hir.into_kind() else {
        return None;
    };
    let k = subs.iter().position(
        |h| matches!(h.kind(), HirKind::Capture(c) if c.name.as_deref() == Some("value")),
    )?;
    let mut subs = subs;
    let suffix: Vec<Hir> = subs.split_off(k + 1);
    let HirKind::Capture(value) = subs.pop()?.into_kind() else {
        return None;
    };
    let piece = |parts: Vec<Hir>| -> Option<Option<DFA>> {
        if parts.is_empty() {
            return Some(None);
        }
        anchored_dfa(&Hir::concat(parts)).map(Some)
    };
    Some([
        piece(subs)?,
        Some(anchored_dfa(&value.sub)?),
        piece(suffix)?,
    ])
}

fn anchored_dfa(hir: &Hir) -> Option<DFA> {
    let nfa = thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .which_captures(WhichCaptures::None)
                .nfa_size_limit(Some(NFA_LIMIT)),
        )
        .build_from_hir(hir)
        .ok()?;
    DFA::builder()
        .configure(
            DFA::config()
                .match_kind(MatchKind::LeftmostFirst)
                .unicode_word_boundary(true)
                .cache_capacity(PIECE_CACHE_CAPACITY)
                .skip_cache_capacity_check(true)
                .minimum_cache_clear_count(None),
        )
        .build_from_nfa(nfa)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(pattern: &str, text: &str) -> Option<(usize, usize)> {
        let f = ValueFinder::new(pattern, syntax::Config::new().unicode(false))
            .unwrap()
            .unwrap();
        let mut c = f.create_caches();
        let m = f.meta().unwrap().find(text)?;
        f.find(&mut c, text, m.start(), m.end())
    }

    #[test]
    fn pieces_agree_with_capture_semantics() {
        let p = r"(?i:name)[: ]{1,3}(?P<value>[A-Z][a-z]+(?: [A-Z][a-z]+)*)";
        assert_eq!(find(p, "Name: Jane Doe."), Some((6, 14)));
        // The preferred prefix leaves nothing for the value: the backtracker decides.
        let p = r"a+(?P<value>ab)";
        assert_eq!(find(p, "aaab"), Some((2, 4)));
        let p = r"(?P<value>[A-Z][a-z]+(?: [A-Z][a-z]+)?),? (?i:born)";
        assert_eq!(find(p, "Ann Lee, born"), Some((0, 7)));
        // Nested group: no split, capture resolution.
        let p = r"x(?:y(?P<value>z+))";
        assert_eq!(find(p, "xyzz"), Some((2, 4)));
    }
}
