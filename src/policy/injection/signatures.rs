//! Named, weighted injection signatures loaded from YAML and compiled once, one `RegexSet` per
//! reading (user turns, data).
//!
//! Why it exists: rules are reviewable data (`policies/injection/signatures.yaml`, plus a pack's own
//! `rules:` file), each with an id that a decision can name, in the Cedar spirit of every decision
//! saying which rules made it. Built-in decoders (`detector:`) re-run the regex rules on decoded
//! views of the text, so an encoded payload fires the same rules as a plain one. Patterns are
//! compiled with ASCII `\b \w \s \d` (`pattern::ascii_classes`), which keeps the scan in the DFA.

use std::sync::Arc;

use regex::RegexSet;
use serde::Deserialize;

use super::pattern::ascii_classes;
use super::{decode, leet};

/// Capacity of each lazy DFA's transition cache (per thread). The signature set is large (many
/// patterns, bounded repetitions), and agent traffic is varied: with the regex crate's default
/// (2 MiB) the cache filled and was cleared again and again on a Claude Code turn, and scoring
/// took milliseconds instead of microseconds.
const DFA_CACHE: usize = 32 << 20;

/// A signature file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignatureFile {
    version: u32,
    #[serde(default)]
    max_total: Option<f32>,
    rules: Vec<RuleSpec>,
    /// Word classes whose combinations the learned models weigh (shipped file only).
    #[serde(default)]
    cues: Vec<CueSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CueSpec {
    id: String,
    patterns: Vec<String>,
}

/// The cues, compiled: one set over every pattern, and each cue's name hash (the seed of its
/// feature buckets, see `features::cue_buckets`).
#[derive(Debug)]
pub(crate) struct Cues {
    set: RegexSet,
    /// For each pattern of `set`, the index of its cue.
    owner: Vec<usize>,
    pub(crate) hashes: Vec<u64>,
}

impl Cues {
    /// The name hashes of the cues present in `folded`, in cue order.
    pub(crate) fn present(&self, folded: &str, out: &mut Vec<u64>) {
        out.clear();
        let mut mask = 0_u64;
        for i in self.set.matches(folded).iter() {
            mask |= 1 << self.owner[i];
        }
        out.extend(
            self.hashes
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, h)| *h),
        );
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: String,
    #[expect(
        dead_code,
        reason = "documentation for reviewers; accepted, not used for scoring"
    )]
    family: String,
    weight: f32,
    #[serde(default)]
    #[expect(
        dead_code,
        reason = "documentation for reviewers; accepted, not used for scoring"
    )]
    description: Option<String>,
    #[serde(default)]
    patterns: Vec<String>,
    #[serde(default)]
    detector: Option<Detector>,
    /// Where the rule applies: `direct` (user turns), `indirect` (tool results, documents) or
    /// `both` (the default).
    #[serde(default)]
    scope: Scope,
    /// What the rule matches is a quotation (an attack phrase quoted as an example): signatures
    /// that fire only inside its matches do not count. Weight 0, user turns only.
    #[serde(default)]
    quotes: bool,
}

/// Which texts a signature speaks about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Scope {
    /// Everywhere.
    #[default]
    Both,
    /// Only text read as a person's own: user turns, and the project instruction files a pack
    /// names (a chat-template token is an attack there, and data elsewhere).
    Direct,
    /// Only data that tools and attachments brought in.
    Indirect,
}

impl Scope {
    /// Whether a rule of this scope counts for text read as `indirect` (data) or not.
    pub(crate) fn covers(self, indirect: bool) -> bool {
        match self {
            Scope::Both => true,
            Scope::Direct => !indirect,
            Scope::Indirect => indirect,
        }
    }
}

/// The built-in decoders a rule may name instead of patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Detector {
    Base64,
    Hex,
    Leetspeak,
    ZeroWidth,
}

/// One compiled rule.
#[derive(Debug)]
pub(crate) struct Rule {
    pub(crate) id: Arc<str>,
    /// Log-odds added when the rule fires. Negative for a counter-signal (an attack phrase
    /// mentioned rather than made), which lowers the capped sum of the others.
    pub(crate) weight: f32,
    pub(crate) detector: Option<Detector>,
    pub(crate) scope: Scope,
    /// A quotation rule (see `RuleSpec::quotes`).
    pub(crate) quotes: bool,
}

/// The patterns of the rules that speak about one reading, compiled into one set.
#[derive(Debug)]
struct PatternSet {
    set: RegexSet,
    /// For each pattern of `set`, the index of its rule.
    owner: Vec<usize>,
}

impl PatternSet {
    fn build(
        patterns: &[(String, usize)],
        keep: impl Fn(&Rule) -> bool,
        rules: &[Rule],
    ) -> Result<Self, String> {
        let (texts, owner): (Vec<&str>, Vec<usize>) = patterns
            .iter()
            .filter(|(_, r)| keep(&rules[*r]))
            .map(|(p, r)| (p.as_str(), *r))
            .unzip();
        let set = regex::RegexSetBuilder::new(texts)
            .size_limit(64 << 20)
            .dfa_size_limit(DFA_CACHE)
            .build()
            .map_err(|e| format!("injection signatures: {e}"))?;
        Ok(Self { set, owner })
    }

    /// Marks in `fired` every rule of this set that matches `folded`; returns whether any did.
    /// (The cues are matched separately, by [`Cues::present`].)
    fn mark(&self, folded: &str, fired: &mut [bool]) -> bool {
        let mut any = false;
        for i in self.set.matches(folded).iter() {
            fired[self.owner[i]] = true;
            any = true;
        }
        any
    }
}

/// All rules of a scorer, their patterns compiled into one set per reading: a rule scoped to user
/// turns never runs over a 100 KB tool result, and the other way round.
#[derive(Debug)]
pub(crate) struct SignatureSet {
    pub(crate) rules: Vec<Rule>,
    direct: PatternSet,
    indirect: PatternSet,
    /// Every rule that adds evidence, whatever its scope: decoded views are read with it.
    evidence: PatternSet,
    /// The patterns of the quotation rules, each compiled alone: their matches are blanked out
    /// of the user turn before the other rules are read again.
    quotations: Vec<regex::Regex>,
    pub(crate) max_total: f32,
    pub(crate) cues: Option<Cues>,
}

impl SignatureSet {
    /// Parses and compiles signature files in order; a later file may not reuse an earlier id.
    /// The first file's `max_total` caps the summed weights (default 7).
    pub(crate) fn from_yaml(files: &[(&str, &str)]) -> Result<Self, String> {
        let mut rules: Vec<Rule> = Vec::new();
        let mut patterns: Vec<(String, usize)> = Vec::new();
        let mut quotations = Vec::new();
        let mut max_total = None;
        let mut cues = None;
        for (i, (origin, text)) in files.iter().enumerate() {
            let file: SignatureFile = serde_yaml_ng::from_str(text)
                .map_err(|e| format!("injection signatures `{origin}`: {e}"))?;
            if file.version != 1 {
                return Err(format!(
                    "injection signatures `{origin}`: unsupported version {}",
                    file.version
                ));
            }
            max_total = max_total.or(file.max_total);
            if !file.cues.is_empty() {
                if i > 0 {
                    return Err(format!(
                        "injection signatures `{origin}`: `cues` belong to the shipped models; a \
                         pack's file may add rules only"
                    ));
                }
                cues = Some(compile_cues(origin, &file.cues)?);
            }
            for spec in file.rules {
                if rules.iter().any(|r| *r.id == *spec.id) {
                    return Err(format!(
                        "injection signatures `{origin}`: rule `{}` is defined twice",
                        spec.id
                    ));
                }
                if !spec.weight.is_finite() {
                    return Err(format!(
                        "injection signatures `{origin}`: rule `{}` needs a finite weight",
                        spec.id
                    ));
                }
                // A counter-signal or a quotation lowers a score, so it may only read what the
                // person being scored typed: in a tool result an attacker could write it.
                if (spec.weight < 0.0 || spec.quotes)
                    && (spec.detector.is_some() || spec.scope != Scope::Direct)
                {
                    return Err(format!(
                        "injection signatures `{origin}`: rule `{}`: a counter-signal (negative \
                         weight) or quotation rule needs `patterns` and `scope: direct`",
                        spec.id
                    ));
                }
                if spec.quotes && spec.weight != 0.0 {
                    return Err(format!(
                        "injection signatures `{origin}`: rule `{}`: a quotation rule has weight 0 \
                         (it takes away what fires inside its matches)",
                        spec.id
                    ));
                }
                if spec.patterns.is_empty() == spec.detector.is_none() {
                    return Err(format!(
                        "injection signatures `{origin}`: rule `{}` needs either `patterns` or \
                         `detector`",
                        spec.id
                    ));
                }
                for p in spec.patterns {
                    let ascii = ascii_classes(&p);
                    let re = regex::Regex::new(&ascii).map_err(|e| {
                        format!(
                            "injection signatures `{origin}`: rule `{}` pattern `{p}`: {e}",
                            spec.id
                        )
                    })?;
                    if spec.quotes {
                        quotations.push(re);
                    }
                    patterns.push((ascii, rules.len()));
                }
                rules.push(Rule {
                    id: Arc::from(spec.id),
                    weight: spec.weight,
                    detector: spec.detector,
                    scope: spec.scope,
                    quotes: spec.quotes,
                });
            }
        }
        decode::warm();
        Ok(Self {
            direct: PatternSet::build(&patterns, |r| r.scope.covers(false), &rules)?,
            indirect: PatternSet::build(&patterns, |r| r.scope.covers(true), &rules)?,
            evidence: PatternSet::build(&patterns, |r| r.weight > 0.0, &rules)?,
            quotations,
            rules,
            max_total: max_total.unwrap_or(7.0),
            cues,
        })
    }

    /// The pattern set of one reading.
    fn reading(&self, indirect: bool) -> &PatternSet {
        if indirect {
            &self.indirect
        } else {
            &self.direct
        }
    }

    /// Which rules fire on a text (`raw`) and its folded form: the pattern rules that speak about
    /// this reading, and the detectors (the scorer keeps those whose scope covers it). Read as
    /// data (`indirect`: documents and tool results), also on the folded form with its line breaks
    /// as spaces. Quotation rules discount what fires inside their matches only where `quotes`
    /// (text the person being scored typed).
    pub(crate) fn fired(&self, raw: &str, folded: &str, indirect: bool, quotes: bool) -> Vec<bool> {
        let mut fired = vec![false; self.rules.len()];
        self.reading(indirect).mark(folded, &mut fired);
        // Hard-wrapped prose (Markdown, e-mail at 72 columns, YAML's folded strings) breaks a
        // phrase across lines, and the patterns spell phrases with spaces: data is also read with
        // its line breaks as spaces. (Line-anchored patterns fire on the first reading.)
        if indirect && folded.contains('\n') {
            self.reading(indirect)
                .mark(&folded.replace('\n', " "), &mut fired);
        }
        // A quotation rule fired: what fires only inside the quoted example was mentioned, not
        // made. Each pattern's matches become one space, in order, and the rules are read again.
        if !indirect && quotes && self.rules.iter().zip(&fired).any(|(r, f)| *f && r.quotes) {
            let mut outside = folded.to_owned();
            for q in &self.quotations {
                outside = q.replace_all(&outside, " ").into_owned();
            }
            let mut again = vec![false; self.rules.len()];
            self.direct.mark(&outside, &mut again);
            for ((f, a), r) in fired.iter_mut().zip(&again).zip(&self.rules) {
                if r.weight > 0.0 && !a {
                    *f = false;
                }
            }
        }
        let wants = |d: Detector| self.rules.iter().any(|r| r.detector == Some(d));
        let mut view_fired = vec![false; self.rules.len()];
        let flag = |d: Detector, fired: &mut [bool]| {
            for (i, r) in self.rules.iter().enumerate() {
                if r.detector == Some(d) {
                    fired[i] = true;
                }
            }
        };
        if wants(Detector::ZeroWidth) && leet::has_inner_zero_width(raw) {
            flag(Detector::ZeroWidth, &mut fired);
        }
        let (base64, hex) = decode::encoded_views(raw);
        for (d, views) in [
            (Detector::Base64, base64),
            (Detector::Hex, hex),
            (
                Detector::Leetspeak,
                leet::leet_view(folded).into_iter().collect(),
            ),
        ] {
            if !wants(d) {
                continue;
            }
            let mut hit = false;
            for v in views {
                view_fired.iter_mut().for_each(|f| *f = false);
                // A decoded payload is read with every rule that adds evidence, whatever the
                // reading (a hidden instruction to the assistant is one in a user turn too);
                // counter-signals and quotations are not in that set.
                if self.evidence.mark(&v, &mut view_fired) {
                    for (f, v) in fired.iter_mut().zip(&view_fired) {
                        if *v && !*f {
                            *f = true;
                            hit = true;
                        }
                    }
                }
            }
            if hit {
                flag(d, &mut fired);
            }
        }
        fired
    }
}

fn compile_cues(origin: &str, specs: &[CueSpec]) -> Result<Cues, String> {
    if specs.len() > 64 {
        return Err(format!("injection signatures `{origin}`: at most 64 cues"));
    }
    let mut patterns = Vec::new();
    let mut owner = Vec::new();
    for (i, c) in specs.iter().enumerate() {
        for p in &c.patterns {
            let ascii = ascii_classes(p);
            regex::Regex::new(&ascii).map_err(|e| {
                format!(
                    "injection signatures `{origin}`: cue `{}` pattern `{p}`: {e}",
                    c.id
                )
            })?;
            patterns.push(ascii);
            owner.push(i);
        }
    }
    let set = regex::RegexSetBuilder::new(&patterns)
        .size_limit(16 << 20)
        .dfa_size_limit(DFA_CACHE)
        .build()
        .map_err(|e| format!("injection signatures `{origin}`: cues: {e}"))?;
    Ok(Cues {
        set,
        owner,
        hashes: specs
            .iter()
            .map(|c| super::features::name_hash(&c.id))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use serde_yaml_ng::Value;

    /// Each `X-user` rule is `X` as read in a user turn: `X` exists with `scope: indirect`, and the
    /// pair agree on family and weight, so narrowing a phrase never moves a rule's strength.
    #[test]
    fn each_user_turn_rule_mirrors_its_data_rule() {
        let file: Value =
            serde_yaml_ng::from_str(super::super::scorer::BUILTIN_SIGNATURES).unwrap();
        let rules = file["rules"].as_sequence().unwrap();
        let by_id = |id: &str| rules.iter().find(|r| r["id"].as_str() == Some(id));
        let mut pairs = 0;
        for r in rules {
            let id = r["id"].as_str().unwrap();
            let Some(base) = id.strip_suffix("-user") else {
                continue;
            };
            let original = by_id(base).unwrap_or_else(|| panic!("{id} has no {base}"));
            assert_eq!(r["scope"].as_str(), Some("direct"), "{id}");
            assert_eq!(original["scope"].as_str(), Some("indirect"), "{base}");
            assert_eq!(r["family"], original["family"], "{id}");
            assert_eq!(r["weight"], original["weight"], "{id}");
            pairs += 1;
        }
        assert_eq!(pairs, 4);
    }
}
