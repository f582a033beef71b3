//! Evaluation against a labelled corpus: span-level precision and recall per entity type, and how
//! often a prompt with no PII would be altered.
//!
//! Compliance buyers ask "how often does it miss, how often does it break prompts"; this answers
//! with numbers from the same code path the gateway runs, and a test pins them so a rule change that
//! regresses them fails CI.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use super::detector::{Finding, PiiDetector};
use super::redact::label;

/// One labelled prompt; offsets are in characters (code points), as the corpus writes them.
#[derive(Debug, Deserialize)]
struct Item {
    #[serde(default)]
    id: Option<String>,
    text: String,
    #[serde(default)]
    spans: Vec<Span>,
}

#[derive(Debug, Deserialize)]
struct Span {
    start: usize,
    end: usize,
    #[serde(rename = "type")]
    kind: String,
}

/// Counts for one entity type. A prediction is a true positive when it overlaps a gold span of the
/// same type not matched yet; `exact` counts those with identical boundaries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TypeScore {
    /// Gold spans.
    pub gold: u32,
    /// Predicted spans.
    pub predicted: u32,
    /// Predictions that hit a gold span.
    pub true_pos: u32,
    /// True positives with exactly the gold boundaries.
    pub exact: u32,
}

impl TypeScore {
    /// Share of predictions that are right (1.0 when nothing was predicted).
    pub fn precision(&self) -> f64 {
        ratio(self.true_pos, self.predicted)
    }
    /// Share of gold spans found (1.0 when there were none).
    pub fn recall(&self) -> f64 {
        ratio(self.true_pos, self.gold)
    }
}

fn ratio(a: u32, b: u32) -> f64 {
    if b == 0 {
        1.0
    } else {
        f64::from(a) / f64::from(b)
    }
}

/// The evaluation result; `Display` prints a table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvalReport {
    /// Per entity type name (`EMAIL`, ...).
    pub per_type: BTreeMap<String, TypeScore>,
    /// Prompts in the corpus.
    pub prompts: u32,
    /// Prompts with no gold span.
    pub pii_free: u32,
    /// PII-free prompts in which anything was detected (and would be altered).
    pub pii_free_altered: u32,
    /// Lines that could not be parsed.
    pub bad_lines: u32,
    /// Every miss and false positive, in corpus order, for reviewing rules (`gw eval --errors`).
    pub errors: Vec<EvalError>,
}

/// One wrong answer: a gold span nothing of its type overlapped, or a prediction that hit no gold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    /// `"miss"` or `"false positive"`.
    pub kind: &'static str,
    /// The entity type.
    pub entity: String,
    /// The span's text.
    pub value: String,
    /// The prompt's `id`, or its line number.
    pub item: String,
    /// The rule that fired (false positives only).
    pub rule: Option<String>,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<14} {:<15} {:?} in {}",
            self.kind, self.entity, self.value, self.item
        )?;
        if let Some(rule) = &self.rule {
            write!(f, " (rule `{rule}`)")?;
        }
        Ok(())
    }
}

impl EvalReport {
    /// Share of PII-free prompts altered.
    pub fn altered_rate(&self) -> f64 {
        if self.pii_free == 0 {
            0.0
        } else {
            f64::from(self.pii_free_altered) / f64::from(self.pii_free)
        }
    }

    /// The score of one type (zeros if absent).
    pub fn score(&self, kind: &str) -> TypeScore {
        self.per_type.get(kind).copied().unwrap_or_default()
    }
}

/// Runs `detector` over every prompt of a JSONL corpus (`{"text", "spans": [{"start", "end",
/// "type"}]}`) and scores it.
pub fn evaluate(corpus_jsonl: &str, detector: &PiiDetector) -> EvalReport {
    let mut report = EvalReport::default();
    let mut found: Vec<Finding> = Vec::new();
    for (n, line) in corpus_jsonl
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let Ok(item) = serde_json::from_str::<Item>(line) else {
            report.bad_lines += 1;
            continue;
        };
        report.prompts += 1;
        found.clear();
        detector.scan(&item.text, &mut found);
        if item.spans.is_empty() {
            report.pii_free += 1;
            report.pii_free_altered += u32::from(!found.is_empty());
        }
        // Character offsets to byte offsets.
        let bytes: Vec<usize> = item
            .text
            .char_indices()
            .map(|(b, _)| b)
            .chain([item.text.len()])
            .collect();
        let gold: Vec<(usize, usize, &str)> = item
            .spans
            .iter()
            .filter_map(|s| Some((*bytes.get(s.start)?, *bytes.get(s.end)?, s.kind.as_str())))
            .collect();
        for g in &gold {
            report.per_type.entry(g.2.to_owned()).or_default().gold += 1;
        }
        let item_id = item.id.clone().unwrap_or_else(|| format!("line {}", n + 1));
        let mut used = vec![false; gold.len()];
        for f in &found {
            let kind = label(f.entity);
            let score = report.per_type.entry(kind.to_owned()).or_default();
            score.predicted += 1;
            let hit = gold
                .iter()
                .enumerate()
                .find(|(i, g)| !used[*i] && g.2 == kind && f.start < g.1 && g.0 < f.end);
            if let Some((i, g)) = hit {
                used[i] = true;
                score.true_pos += 1;
                score.exact += u32::from(g.0 == f.start && g.1 == f.end);
            } else {
                report.errors.push(EvalError {
                    kind: "false positive",
                    entity: kind.to_owned(),
                    value: item.text[f.start..f.end].to_owned(),
                    item: item_id.clone(),
                    rule: Some(f.rule.to_string()),
                });
            }
        }
        for (g, _) in gold.iter().zip(&used).filter(|(_, u)| !**u) {
            report.errors.push(EvalError {
                kind: "miss",
                entity: g.2.to_owned(),
                value: item.text[g.0..g.1].to_owned(),
                item: item_id.clone(),
                rule: None,
            });
        }
    }
    report
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<16} {:>6} {:>6} {:>6} {:>9} {:>7} {:>6}",
            "type", "gold", "pred", "tp", "precision", "recall", "exact"
        )?;
        for (kind, s) in &self.per_type {
            writeln!(
                f,
                "{:<16} {:>6} {:>6} {:>6} {:>9.3} {:>7.3} {:>6}",
                kind,
                s.gold,
                s.predicted,
                s.true_pos,
                s.precision(),
                s.recall(),
                s.exact
            )?;
        }
        writeln!(
            f,
            "PII-free prompts altered: {}/{} ({:.1}%); prompts: {}{}",
            self.pii_free_altered,
            self.pii_free,
            100.0 * self.altered_rate(),
            self.prompts,
            if self.bad_lines > 0 {
                format!("; unreadable lines: {}", self.bad_lines)
            } else {
                String::new()
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::pii::policy::ALL_ENTITIES;
    use crate::policy::pii::rules;

    #[test]
    fn scores_a_tiny_corpus_with_char_offsets() {
        let d = PiiDetector::new(&rules::builtin().unwrap(), &ALL_ENTITIES).unwrap();
        let corpus = concat!(
            r#"{"text":"é mail a@b.io","spans":[{"start":7,"end":13,"type":"EMAIL"}]}"#,
            "\n",
            r#"{"text":"nothing here","spans":[]}"#,
            "\n",
            r#"{"text":"ip 81.2.69.160","spans":[]}"#,
            "\n",
            "not json\n",
        );
        let r = evaluate(corpus, &d);
        assert_eq!(r.prompts, 3);
        assert_eq!(r.bad_lines, 1);
        let e = r.score("EMAIL");
        assert_eq!((e.gold, e.predicted, e.true_pos, e.exact), (1, 1, 1, 1));
        assert_eq!((r.pii_free, r.pii_free_altered), (2, 1));
        assert_eq!(r.score("IP_ADDRESS").precision(), 0.0);
        assert_eq!(r.errors.len(), 1);
        assert_eq!(r.errors[0].kind, "false positive");
        assert_eq!(r.errors[0].item, "line 3");
        assert!(r.to_string().contains("EMAIL"));
    }
}

#[cfg(test)]
mod corpus {
    use super::*;
    use crate::policy::pii::policy::ALL_ENTITIES;
    use crate::policy::pii::rules;

    /// The goals on the dev corpus; a rule change that regresses them fails here. The corpus
    /// labels private and documentation addresses as PII, which gw only reports when a pack
    /// asks (`private_ip_addresses: true`), so the gate holds the rules to that setting.
    #[test]
    fn dev_corpus_meets_goals() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpora/pii_dev.jsonl");
        let Ok(corpus) = std::fs::read_to_string(path) else {
            panic!("dev corpus missing at {path}");
        };
        let d = PiiDetector::new(&rules::builtin().unwrap(), &ALL_ENTITIES)
            .unwrap()
            .with_private_ips(true);
        let r = evaluate(&corpus, &d);
        eprintln!("{r}");
        for kind in [
            "EMAIL",
            "PHONE",
            "US_SSN",
            "CREDIT_CARD",
            "IBAN",
            "IP_ADDRESS",
            "AWS_ACCESS_KEY",
            "GENERIC_SECRET",
        ] {
            let s = r.score(kind);
            assert!(s.gold > 0, "{kind}: no gold spans");
            assert!(s.recall() >= 0.97, "{kind} recall {:.3}", s.recall());
            assert!(
                s.precision() >= 0.95,
                "{kind} precision {:.3}",
                s.precision()
            );
        }
        assert!(r.altered_rate() <= 0.05, "altered {:.3}", r.altered_rate());
    }
}
