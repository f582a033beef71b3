//! The automata behind the detector: one lazy DFA over every rule, driven directly.
//!
//! `regex` (and `regex-automata`'s `meta::Regex`) answer "where is the next match" with a forward
//! pass and then a reverse pass over *every* pattern to find where it starts, and answer "which
//! alternative" only through capture resolution on the whole pattern. Both are costly with dozens
//! of rules. Here the forward lazy DFA over all rules reports the rule (its pattern id) and where
//! the match ends; that rule's own small reverse DFA finds where it starts, and, for rules with a
//! `value` group, that rule's own backtracker finds the group inside the known span. Later rules
//! are tried at a rejected position only if a first-byte table says they can start there.
//!
//! Lazy DFAs build states on demand into caches; the caches live in a pool (one per thread in
//! practice), so states built for one request serve the next. If a lazy DFA gives up (a pack rule
//! with Unicode word boundaries meeting non-ASCII text), the search falls back to `meta::Regex`,
//! which always answers.

use std::sync::OnceLock;

use regex_automata::hybrid::dfa::{self, DFA};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::pool::{Pool, PoolGuard};
use regex_automata::util::{start, syntax};
use regex_automata::{Anchored, Input, MatchKind, PatternID, meta};

use super::value::{ValueCaches, ValueFinder};

/// Lazy-DFA cache size for the forward DFA over all rules; when full it is cleared and refilled
/// (never given up on), so memory stays bounded and the fast path stays on.
const CACHE_CAPACITY: usize = 32 << 20;
/// Cache size for one rule's own reverse DFA.
const RULE_CACHE_CAPACITY: usize = 2 << 20;
/// Limit on the compiled NFA of all rules together.
const NFA_LIMIT: usize = 256 << 20;

/// Rule patterns are ASCII-mode (`\b`, `\w`, `(?i)` are ASCII) unless they opt in with `(?u:...)`.
pub fn syntax_config() -> syntax::Config {
    syntax::Config::new().unicode(false)
}

/// A candidate: which rule matched, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// Index of the rule (pattern id).
    pub rule: usize,
    /// Start of the whole match.
    pub start: usize,
    /// End of the whole match.
    pub end: usize,
}

/// One thread's search state for every automaton of an [`Engine`].
pub struct Caches {
    fwd: dfa::Cache,
    rev: Vec<dfa::Cache>,
    value: Vec<Option<ValueCaches>>,
}

type MakeCaches =
    Box<dyn Fn() -> Caches + Send + Sync + std::panic::UnwindSafe + std::panic::RefUnwindSafe>;

/// A rule's own automata.
#[derive(Debug)]
struct RuleAutomata {
    /// Finds the start of a match from its end.
    rev: DFA,
    /// Finds the `value` group, for rules with one.
    value: Option<ValueFinder>,
}

/// Every rule in one forward lazy DFA, plus each rule's own automata.
pub struct Engine {
    patterns: Vec<String>,
    fwd: DFA,
    rules: Vec<RuleAutomata>,
    pool: Pool<Caches, MakeCaches>,
    /// `first[context][byte]`: rules (bit i = rule i, the first 64) that can start at `byte` after
    /// a look-behind context (see [`context`]).
    first: Box<[[u64; 256]; 5]>,
    /// The slow but always-answering engine, built on first need.
    fallback: OnceLock<Option<meta::Regex>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("patterns", &self.patterns.len())
            .finish_non_exhaustive()
    }
}

fn lazy_config(kind: MatchKind, capacity: usize) -> dfa::Config {
    DFA::config()
        .match_kind(kind)
        .starts_for_each_pattern(true)
        .unicode_word_boundary(true)
        .cache_capacity(capacity)
        .skip_cache_capacity_check(true)
        .minimum_cache_clear_count(None)
}

fn nfa_config(reverse: bool) -> thompson::Config {
    thompson::Config::new()
        .reverse(reverse)
        .which_captures(WhichCaptures::None)
        .nfa_size_limit(Some(NFA_LIMIT))
}

/// A rule's reverse DFA: anchored at a match end, it runs back as far as any path allows (the
/// leftmost start), hence `MatchKind::All`.
fn reverse_dfa(pattern: &str) -> Result<DFA, String> {
    DFA::builder()
        .syntax(syntax_config())
        .thompson(nfa_config(true))
        .configure(lazy_config(MatchKind::All, RULE_CACHE_CAPACITY))
        .build(pattern)
        .map_err(|e| e.to_string())
}

impl Engine {
    /// Compiles `patterns` (in priority order). A pattern may hold one capture group, named
    /// `value`; an error gives the index of the pattern at fault (`None`: the combination).
    pub fn new(patterns: Vec<String>) -> Result<Self, (Option<usize>, String)> {
        let mut rules = Vec::with_capacity(patterns.len());
        for (i, p) in patterns.iter().enumerate() {
            let rule = ValueFinder::new(p, syntax_config()).and_then(|value| {
                Ok(RuleAutomata {
                    rev: reverse_dfa(p)?,
                    value,
                })
            });
            rules.push(rule.map_err(|e| (Some(i), e))?);
        }
        let fwd = DFA::builder()
            .syntax(syntax_config())
            .thompson(nfa_config(false))
            .configure(lazy_config(MatchKind::LeftmostFirst, CACHE_CAPACITY))
            .build_many(&patterns)
            .map_err(|e| (None, format!("combined pattern does not compile: {e}")))?;
        let make: MakeCaches = {
            let fwd = fwd.clone();
            let rev: Vec<DFA> = rules.iter().map(|r| r.rev.clone()).collect();
            let values: Vec<Option<ValueFinder>> = rules.iter().map(|r| r.value.clone()).collect();
            Box::new(move || Caches {
                fwd: fwd.create_cache(),
                rev: rev.iter().map(DFA::create_cache).collect(),
                value: values
                    .iter()
                    .map(|v| v.as_ref().map(ValueFinder::create_caches))
                    .collect(),
            })
        };
        let mut engine = Self {
            patterns,
            fwd,
            rules,
            pool: Pool::new(make),
            first: Box::new([[0; 256]; 5]),
            fallback: OnceLock::new(),
        };
        engine.first = Box::new(engine.first_bytes());
        Ok(engine)
    }

    /// This thread's caches, held for a whole scan.
    pub fn caches(&self) -> PoolGuard<'_, Caches, MakeCaches> {
        self.pool.get()
    }

    /// For each look-behind context and first byte, the rules whose anchored start state does not
    /// die on that byte. Conservative (set) wherever the DFA cannot tell.
    fn first_bytes(&self) -> [[u64; 256]; 5] {
        let mut table = [[0u64; 256]; 5];
        let mut cache = self.fwd.create_cache();
        let behind = [None, Some(b'a'), Some(b' '), Some(b'\n'), Some(b'\r')];
        for (ctx, lb) in behind.into_iter().enumerate() {
            for rule in 0..self.patterns.len().min(64) {
                let cfg = start::Config::new()
                    .anchored(Anchored::Pattern(PatternID::must(rule)))
                    .look_behind(lb);
                let Ok(sid) = self.fwd.start_state(&mut cache, &cfg) else {
                    table[ctx].iter_mut().for_each(|m| *m |= 1 << rule);
                    continue;
                };
                for b in 0..=255u8 {
                    let live = self
                        .fwd
                        .next_state(&mut cache, sid, b)
                        .is_ok_and(|next| !next.is_dead());
                    if live {
                        table[ctx][usize::from(b)] |= 1 << rule;
                    }
                }
            }
        }
        table
    }

    /// Whether `rule` could start a match at `at` (a table look-up; `true` if unsure).
    pub fn may_start(&self, rule: usize, text: &str, at: usize) -> bool {
        if rule >= 64 {
            return true;
        }
        let b = text.as_bytes();
        let Some(&first) = b.get(at) else {
            return false;
        };
        let ctx = context(at.checked_sub(1).map(|i| b[i]));
        self.first[ctx][usize::from(first)] & (1 << rule) != 0
    }

    /// The next candidate at or after `at` that ends by `end`: leftmost start, earliest rule at
    /// that start.
    pub fn next(
        &self,
        caches: &mut Caches,
        text: &str,
        at: usize,
        end: usize,
    ) -> Option<Candidate> {
        let input = Input::new(text).range(at..end);
        let found = self
            .fwd
            .try_search_fwd(&mut caches.fwd, &input)
            .and_then(|hm| {
                let Some(hm) = hm else { return Ok(None) };
                let rule = hm.pattern().as_usize();
                let back = Input::new(text)
                    .range(at..hm.offset())
                    .anchored(Anchored::Yes);
                let start = self.rules[rule]
                    .rev
                    .try_search_rev(&mut caches.rev[rule], &back)?;
                Ok(start.map(|s| Candidate {
                    rule,
                    start: s.offset(),
                    end: hm.offset(),
                }))
            });
        match found {
            Ok(c) => c,
            Err(_) => self.meta()?.search(&input).map(|m| Candidate {
                rule: m.pattern().as_usize(),
                start: m.start(),
                end: m.end(),
            }),
        }
    }

    /// The end of `rule`'s match anchored at `start`, looking no further than `limit`.
    pub fn anchored_end(
        &self,
        caches: &mut Caches,
        rule: usize,
        text: &str,
        start: usize,
        limit: usize,
    ) -> Option<usize> {
        let input = Input::new(text)
            .range(start..limit)
            .anchored(Anchored::Pattern(PatternID::must(rule)));
        match self.fwd.try_search_fwd(&mut caches.fwd, &input) {
            Ok(hm) => hm.map(|hm| hm.offset()),
            Err(_) => self.meta()?.search(&input).map(|m| m.end()),
        }
    }

    /// The value span of `rule`'s match `text[start..end]`: its `value` group, or the whole match
    /// when the rule has none (or the group did not take part).
    pub fn value(
        &self,
        caches: &mut Caches,
        rule: usize,
        text: &str,
        start: usize,
        end: usize,
    ) -> Option<(usize, usize)> {
        match (&self.rules[rule].value, caches.value[rule].as_mut()) {
            (Some(finder), Some(cache)) => finder.find(cache, text, start, end),
            _ => Some((start, end)),
        }
    }

    fn meta(&self) -> Option<&meta::Regex> {
        self.fallback
            .get_or_init(|| {
                meta::Regex::builder()
                    .syntax(syntax_config())
                    .configure(
                        meta::Config::new()
                            .which_captures(WhichCaptures::Implicit)
                            .nfa_size_limit(Some(NFA_LIMIT)),
                    )
                    .build_many(&self.patterns)
                    .ok()
            })
            .as_ref()
    }
}

/// The look-behind class the DFA's start state depends on: text start, word byte, other byte,
/// line feed, carriage return.
fn context(before: Option<u8>) -> usize {
    match before {
        None => 0,
        Some(b'\n') => 3,
        Some(b'\r') => 4,
        Some(b) if b.is_ascii_alphanumeric() || b == b'_' => 1,
        Some(_) => 2,
    }
}
