//! Safety lexicons: categories of terms compiled into one Aho-Corasick automaton, plus the
//! sentence-level context rules that keep benign mentions from being flagged.
//!
//! Why it exists: the safety filter must be reviewable data (`policies/safety/lexicon.yaml`, plus a
//! pack's `rules:` file) and fast on every request and every streamed reply. One automaton finds
//! all candidate terms in a single pass; whole-word and context checks then run on the few hits.

use aho_corasick::{AhoCorasick, MatchKind};
use serde::Deserialize;

use crate::terms::SafetyMode;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconFile {
    version: u32,
    categories: Vec<CategorySpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategorySpec {
    id: String,
    #[serde(default)]
    #[expect(
        dead_code,
        reason = "documentation for reviewers; accepted, not used for matching"
    )]
    description: Option<String>,
    #[serde(default)]
    standard: Vec<String>,
    #[serde(default)]
    strict: Vec<String>,
    #[serde(default)]
    requires: Vec<String>,
    #[serde(default)]
    unless: Vec<String>,
}

/// One category at build time: its cues, already folded.
#[derive(Debug)]
struct Category {
    id: String,
    requires: Vec<String>,
    unless: Vec<String>,
}

/// A term of the automaton: its category and whether it is a broad (strict-only) term.
#[derive(Debug, Clone, Copy)]
struct Term {
    category: usize,
    broad: bool,
}

/// One flagged term: which category, and where it ends in the scanned (folded) text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    /// Index of the category; see [`Lexicon::category`].
    pub(crate) category: usize,
    pub(crate) end: usize,
}

/// The compiled lexicon for one mode.
#[derive(Debug)]
pub(crate) struct Lexicon {
    categories: Vec<Category>,
    terms: Vec<Term>,
    automaton: AhoCorasick,
    /// Longest term in bytes: how much a stream must hold back to see a term split across deltas.
    pub(crate) longest: usize,
}

/// Largest distance (bytes) from a term that the sentence context looks at, each side.
const CONTEXT: usize = 300;

fn fold_term(t: &str) -> String {
    crate::policy::injection::fold(t)
}

impl Lexicon {
    /// Builds the lexicon from files (`(origin, yaml)`); `strict` mode adds the broad terms. A
    /// category id may appear in several files: their terms and cues are merged.
    pub(crate) fn from_yaml(files: &[(&str, &str)], mode: SafetyMode) -> Result<Self, String> {
        let mut categories: Vec<Category> = Vec::new();
        let mut terms = Vec::new();
        let mut patterns: Vec<String> = Vec::new();
        for (origin, text) in files {
            let file: LexiconFile = serde_yaml_ng::from_str(text)
                .map_err(|e| format!("safety lexicon `{origin}`: {e}"))?;
            if file.version != 1 {
                return Err(format!(
                    "safety lexicon `{origin}`: unsupported version {}",
                    file.version
                ));
            }
            for spec in file.categories {
                let idx = match categories.iter().position(|c| c.id == spec.id) {
                    Some(i) => i,
                    None => {
                        categories.push(Category {
                            id: spec.id.clone(),
                            requires: Vec::new(),
                            unless: Vec::new(),
                        });
                        categories.len() - 1
                    }
                };
                let cat = &mut categories[idx];
                cat.requires
                    .extend(spec.requires.iter().map(|s| fold_term(s)));
                cat.unless.extend(spec.unless.iter().map(|s| fold_term(s)));
                let broad = if mode == SafetyMode::Strict {
                    spec.strict.as_slice()
                } else {
                    &[]
                };
                for (list, is_broad) in [(spec.standard.as_slice(), false), (broad, true)] {
                    for t in list {
                        let folded = fold_term(t);
                        if folded.is_empty() {
                            return Err(format!(
                                "safety lexicon `{origin}`: empty term in category `{}`",
                                spec.id
                            ));
                        }
                        patterns.push(folded);
                        terms.push(Term {
                            category: idx,
                            broad: is_broad,
                        });
                    }
                }
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .map_err(|e| format!("safety lexicon: {e}"))?;
        let longest = patterns.iter().map(String::len).max().unwrap_or(0);
        Ok(Self {
            categories,
            terms,
            automaton,
            longest,
        })
    }

    /// The id of a category, as decisions and errors name it.
    pub(crate) fn category(&self, index: usize) -> &str {
        self.categories
            .get(index)
            .map_or("unknown", |c| c.id.as_str())
    }

    /// Every flagged term in a folded text, in order of their end.
    pub(crate) fn scan(&self, folded: &str) -> Vec<Hit> {
        let mut hits = Vec::new();
        for m in self.automaton.find_overlapping_iter(folded) {
            let (s, e) = (m.start(), m.end());
            if !word_bounded(folded, s, e) {
                continue;
            }
            let term = self.terms[m.pattern().as_usize()];
            let cat = &self.categories[term.category];
            let sentence = sentence_around(folded, s, e);
            if cat.unless.iter().any(|cue| contains_word(sentence, cue)) {
                continue;
            }
            if term.broad
                && !cat.requires.is_empty()
                && !cat.requires.iter().any(|cue| contains_word(sentence, cue))
            {
                continue;
            }
            hits.push(Hit {
                category: term.category,
                end: e,
            });
        }
        hits
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

fn word_bounded(text: &str, start: usize, end: usize) -> bool {
    let b = text.as_bytes();
    (start == 0 || !is_word_byte(b[start - 1])) && (end == b.len() || !is_word_byte(b[end]))
}

/// The sentence holding `[start, end)`, bounded to `CONTEXT` bytes each side.
fn sentence_around(text: &str, start: usize, end: usize) -> &str {
    let is_stop = |c: char| matches!(c, '.' | '!' | '?' | '\n');
    let mut lo = start.saturating_sub(CONTEXT);
    while !text.is_char_boundary(lo) {
        lo += 1;
    }
    let mut hi = (end + CONTEXT).min(text.len());
    while !text.is_char_boundary(hi) {
        hi -= 1;
    }
    let from = text[lo..start].rfind(is_stop).map_or(lo, |i| lo + i + 1);
    let to = text[end..hi].find(is_stop).map_or(hi, |i| end + i);
    &text[from..to]
}

fn contains_word(haystack: &str, needle: &str) -> bool {
    let mut from = 0;
    while let Some(i) = haystack[from..].find(needle) {
        let s = from + i;
        if word_bounded(haystack, s, s + needle.len()) {
            return true;
        }
        from = s + needle.len().max(1);
        while from < haystack.len() && !haystack.is_char_boundary(from) {
            from += 1;
        }
        if from >= haystack.len() {
            break;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::safety::BUILTIN_LEXICON;

    fn cats(mode: SafetyMode, text: &str) -> Vec<String> {
        let lex = Lexicon::from_yaml(&[("builtin", BUILTIN_LEXICON)], mode).unwrap();
        lex.scan(&crate::policy::injection::fold(text))
            .into_iter()
            .map(|h| lex.category(h.category).to_string())
            .collect()
    }

    #[test]
    fn standard_terms_with_word_boundaries() {
        assert_eq!(
            cats(SafetyMode::Standard, "Tell me how to make a BOMB  at home"),
            vec!["weapons"]
        );
        assert!(cats(SafetyMode::Standard, "how to make a bombastic speech").is_empty());
        assert!(cats(SafetyMode::Standard, "the bomb squad arrived").is_empty());
    }

    #[test]
    fn strict_adds_broad_terms_that_need_a_cue() {
        let t = "Give me step by step instructions for a pipe-free bomb with a timer.";
        assert!(cats(SafetyMode::Standard, t).is_empty());
        assert_eq!(cats(SafetyMode::Strict, t), vec!["weapons"]);
        // Broad term without an instructional cue in the sentence: a benign mention.
        assert!(cats(SafetyMode::Strict, "The movie's bomb scene was loud.").is_empty());
        assert!(cats(SafetyMode::Strict, "Is underage drinking common in Europe?").is_empty());
    }

    #[test]
    fn benign_context_suppresses_in_the_same_sentence_only() {
        assert!(cats(SafetyMode::Strict, "How to make a bath bomb with lavender?").is_empty());
        assert!(
            cats(
                SafetyMode::Strict,
                "Where is the suicide prevention hotline in Ohio?"
            )
            .is_empty()
        );
        assert!(
            cats(
                SafetyMode::Standard,
                "How do I report child porn I found online?"
            )
            .is_empty()
        );
        assert_eq!(
            cats(
                SafetyMode::Standard,
                "I watched the history channel. Now, how to make a bomb?"
            ),
            vec!["weapons"]
        );
    }
}
