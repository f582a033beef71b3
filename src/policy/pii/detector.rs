//! The detector: every enabled rule compiled into one automaton, scanned once per text.
//!
//! All patterns are alternatives of one regex, so each text is read once whatever the number of
//! rules (the lazy DFA walks every alternative in the same pass). The few candidates it yields go
//! through the rule's validator; a rejected candidate hands its position to the next rule that
//! matches there, then the scan moves on one character.

use std::sync::Arc;

use regex::{CaptureLocations, Regex, RegexBuilder};

use crate::config::pack::PiiEntity;

use super::rules::RuleSpec;
use super::validate::Validator;

/// One detected entity, as byte offsets into the scanned text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Byte offset of the first byte of the value.
    pub start: usize,
    /// Byte offset just past the value.
    pub end: usize,
    /// The entity type.
    pub entity: PiiEntity,
    /// The rule that fired, so a decision can say why.
    pub rule: Arc<str>,
}

/// A compiled rule: its standalone regex (for the hand-over after a rejection) and its groups in
/// the combined regex.
#[derive(Debug)]
struct Rule {
    id: Arc<str>,
    entity: PiiEntity,
    validator: Validator,
    deny_before: Vec<String>,
    alone: Regex,
    alone_value: Option<usize>,
    group: usize,
    value_group: Option<usize>,
}

/// Finds PII in text. Built once per pack load; `scan` takes `&self` and is safe to share.
#[derive(Debug)]
pub struct PiiDetector {
    combined: Regex,
    rules: Vec<Rule>,
}

/// How far past a rejected candidate's start a hand-over search may look.
const HANDOVER_WINDOW: usize = 512;
/// How far before a match `deny_before` words are looked for.
const DENY_WINDOW: usize = 32;

fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(64 << 20)
        .dfa_size_limit(32 << 20)
        .build()
}

impl PiiDetector {
    /// Builds a detector from rules (in priority order), keeping only the `entities` wanted.
    /// Errors name the rule whose pattern does not compile.
    pub fn new(specs: &[RuleSpec], entities: &[PiiEntity]) -> Result<Self, String> {
        let mut rules = Vec::new();
        let mut combined = String::new();
        for (i, spec) in specs
            .iter()
            .filter(|s| entities.contains(&s.entity))
            .enumerate()
        {
            let alone = compile(&spec.pattern)
                .map_err(|e| format!("pii rule `{}`: pattern does not compile: {e}", spec.id))?;
            let names: Vec<Option<&str>> = alone.capture_names().collect();
            if names.iter().skip(1).any(|n| *n != Some("value")) {
                return Err(format!(
                    "pii rule `{}`: only one capture group, `(?P<value>...)`, is allowed; use \
                     `(?:...)` for grouping",
                    spec.id
                ));
            }
            let alone_value = (names.len() > 1).then_some(1);
            if !combined.is_empty() {
                combined.push('|');
            }
            let renamed = spec.pattern.replace("(?P<value>", &format!("(?P<v{i}>"));
            combined.push_str(&format!("(?P<r{i}>{renamed})"));
            rules.push(Rule {
                id: Arc::from(spec.id.as_str()),
                entity: spec.entity,
                validator: spec.validator,
                deny_before: spec
                    .deny_before
                    .iter()
                    .map(|w| w.to_ascii_lowercase())
                    .collect(),
                alone,
                alone_value,
                group: 0,
                value_group: None,
            });
        }
        if rules.is_empty() {
            // Matches nothing; keeps `scan` free of a special case.
            combined.push_str("[^\\x00-\\x{10FFFF}]");
        }
        let combined = RegexBuilder::new(&combined)
            .unicode(false)
            .size_limit(256 << 20)
            .dfa_size_limit(64 << 20)
            .build()
            .map_err(|e| format!("pii rules: combined pattern does not compile: {e}"))?;
        for (idx, name) in combined.capture_names().enumerate() {
            let Some(name) = name else { continue };
            let (kind, num) = name.split_at(1);
            let Ok(i) = num.parse::<usize>() else {
                continue;
            };
            match (kind, rules.get_mut(i)) {
                ("r", Some(r)) => r.group = idx,
                ("v", Some(r)) => r.value_group = Some(idx),
                _ => {}
            }
        }
        Ok(Self { combined, rules })
    }

    /// Scratch space for [`PiiDetector::scan_with`], so repeated scans allocate nothing.
    pub fn scratch(&self) -> CaptureLocations {
        self.combined.capture_locations()
    }

    /// Appends every finding in `text` to `out`, in order, without overlaps.
    pub fn scan(&self, text: &str, out: &mut Vec<Finding>) {
        let mut locs = self.scratch();
        self.scan_with(text, out, &mut locs);
    }

    /// [`PiiDetector::scan`] with caller-owned scratch space.
    pub fn scan_with(&self, text: &str, out: &mut Vec<Finding>, locs: &mut CaptureLocations) {
        let mut at = 0;
        while at < text.len() {
            let Some(m) = self.combined.captures_read_at(locs, text, at) else {
                break;
            };
            let start = m.start();
            let Some(first) = self.rules.iter().position(|r| locs.get(r.group).is_some()) else {
                break;
            };
            let rule = &self.rules[first];
            let value = rule
                .value_group
                .and_then(|g| locs.get(g))
                .unwrap_or((start, m.end()));
            if let Some(f) = self.accept(first, text, start, value) {
                at = f.end.max(at + 1);
                out.push(f);
                continue;
            }
            if let Some(f) = self.hand_over(first, text, start) {
                at = f.end.max(at + 1);
                out.push(f);
                continue;
            }
            at = next_char(text, start);
        }
    }

    /// Validates a candidate of rule `i` whose whole match starts at `start`.
    fn accept(&self, i: usize, text: &str, start: usize, value: (usize, usize)) -> Option<Finding> {
        let rule = &self.rules[i];
        if value.0 >= value.1 || denied(text, start, &rule.deny_before) {
            return None;
        }
        let end = rule.validator.check(text, value.0, value.1)?;
        Some(Finding {
            start: value.0,
            end,
            entity: rule.entity,
            rule: rule.id.clone(),
        })
    }

    /// After rule `i` was rejected at `start`: the first later rule that matches exactly there.
    fn hand_over(&self, i: usize, text: &str, start: usize) -> Option<Finding> {
        let mut limit = (start + HANDOVER_WINDOW).min(text.len());
        while !text.is_char_boundary(limit) {
            limit -= 1;
        }
        let window = &text[..limit];
        for (j, rule) in self.rules.iter().enumerate().skip(i + 1) {
            let Some(caps) = rule.alone.captures_at(window, start) else {
                continue;
            };
            let Some(whole) = caps.get(0).filter(|m| m.start() == start) else {
                continue;
            };
            let value = rule
                .alone_value
                .and_then(|g| caps.get(g))
                .map_or((whole.start(), whole.end()), |v| (v.start(), v.end()));
            if let Some(f) = self.accept(j, text, start, value) {
                return Some(f);
            }
        }
        None
    }
}

/// Whether one of `words` ends within [`DENY_WINDOW`] bytes before `start` (any ASCII case).
fn denied(text: &str, start: usize, words: &[String]) -> bool {
    if words.is_empty() {
        return false;
    }
    let before = &text.as_bytes()[start.saturating_sub(DENY_WINDOW)..start];
    words.iter().any(|w| {
        let w = w.as_bytes();
        before.windows(w.len()).enumerate().any(|(k, win)| {
            win.eq_ignore_ascii_case(w)
                && (k == 0 || !before[k - 1].is_ascii_alphanumeric())
                && before
                    .get(k + w.len())
                    .is_none_or(|b| !b.is_ascii_alphanumeric())
        })
    })
}

fn next_char(text: &str, i: usize) -> usize {
    text[i..]
        .chars()
        .next()
        .map_or(text.len(), |c| i + c.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::pii::rules;

    const ALL: [PiiEntity; 13] = [
        PiiEntity::Email,
        PiiEntity::Phone,
        PiiEntity::UsSsn,
        PiiEntity::CreditCard,
        PiiEntity::Iban,
        PiiEntity::IpAddress,
        PiiEntity::AwsAccessKey,
        PiiEntity::GenericSecret,
        PiiEntity::DateOfBirth,
        PiiEntity::StreetAddress,
        PiiEntity::Person,
        PiiEntity::UsPassport,
        PiiEntity::DriverLicense,
    ];

    fn found(text: &str) -> Vec<(PiiEntity, &str)> {
        let d = PiiDetector::new(&rules::builtin().unwrap(), &ALL).unwrap();
        let mut out = Vec::new();
        d.scan(text, &mut out);
        out.iter()
            .map(|f| (f.entity, &text[f.start..f.end]))
            .collect()
    }

    fn one(text: &str, entity: PiiEntity, value: &str) {
        let got = found(text);
        assert!(
            got.contains(&(entity, value)),
            "{text:?}: wanted {entity:?} {value:?}, got {got:?}"
        );
    }

    fn none_of(text: &str, entity: PiiEntity) {
        let got = found(text);
        assert!(
            !got.iter().any(|(e, _)| *e == entity),
            "{text:?}: unexpected {got:?}"
        );
    }

    #[test]
    fn positives_per_entity() {
        use PiiEntity::*;
        one(
            "write to jane.doe+x@mail.example.co.uk today",
            Email,
            "jane.doe+x@mail.example.co.uk",
        );
        one("call +44 20 7946 0958 now", Phone, "+44 20 7946 0958");
        one("call (415) 555-0134 now", Phone, "(415) 555-0134");
        one("SSN 219-09-9999.", UsSsn, "219-09-9999");
        one("social security number, 219099999, ok", UsSsn, "219099999");
        one(
            "card 4111-1111-1111-1111 declined",
            CreditCard,
            "4111-1111-1111-1111",
        );
        one("amex 3782 822463 10005.", CreditCard, "3782 822463 10005");
        one(
            "pay GB82 WEST 1234 5698 7654 32 by friday",
            Iban,
            "GB82 WEST 1234 5698 7654 32",
        );
        one("from 203.0.113.9 at noon", IpAddress, "203.0.113.9");
        one(
            "router 2001:db8::8a2e:370:7334 up",
            IpAddress,
            "2001:db8::8a2e:370:7334",
        );
        one(
            "key=AKIAIOSFODNN7EXAMPLE\n",
            AwsAccessKey,
            "AKIAIOSFODNN7EXAMPLE",
        );
        one(
            "token ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            GenericSecret,
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        );
        one(
            "API_TOKEN=lNSQ0Wc0iOcwEy7fTk2aQ\n",
            GenericSecret,
            "lNSQ0Wc0iOcwEy7fTk2aQ",
        );
        one(
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEow+abc/1\n-----END RSA PRIVATE KEY-----",
            GenericSecret,
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEow+abc/1\n-----END RSA PRIVATE KEY-----",
        );
        one("Pt: Ana Gómez, DOB 1/23/1965.", DateOfBirth, "1/23/1965");
        one("Pt: Ana Gómez, DOB 1/23/1965.", Person, "Ana Gómez");
        one(
            "she was born on October 10, 1979 in Ohio",
            DateOfBirth,
            "October 10, 1979",
        );
        one(
            "lives at 259 Andrew Corner, West Bryanberg, WV 95366.",
            StreetAddress,
            "259 Andrew Corner, West Bryanberg, WV 95366",
        );
        one("U.S. passport no. T19859502, born", UsPassport, "T19859502");
        one(
            "IL DL G593-0004-0348, current",
            DriverLicense,
            "G593-0004-0348",
        );
        one("Dear Mr. Smith, thanks", Person, "Smith");
    }

    #[test]
    fn distractors_are_not_pii() {
        use PiiEntity::*;
        none_of(
            "Our invoice number 4608940654121422 totals 4.00 USD",
            CreditCard,
        );
        none_of(
            "Test it on 4042 8339 0488 2488 which should fail.",
            CreditCard,
        );
        none_of(
            "The build 11.9.28.6572 was released; firmware 4.0.16.6101",
            IpAddress,
        );
        none_of(
            "Request b719a562-5ba0-426d-9a86-ac0bf19a8425 timed out at 12:29:04",
            IpAddress,
        );
        none_of(
            "sha256 c2bd9a148492b81d6e1f8962847ac1d94938ad0267cdf6a2d778cdfc542acd8a",
            GenericSecret,
        );
        none_of("Convert the timestamp 1652030271 to Pacific time", Phone);
        none_of("ISBN 978-5-7185-6673-4 and 9785344134796", Phone);
        none_of("Order 510-7210919-9849401 was charged", Phone);
        none_of("api_key = os.environ.get('OPENAI_API_KEY')", GenericSecret);
        none_of("Placeholder: phone XXX-XXX-XXXX, SSN ***-**-****", UsSsn);
        none_of("SSN 666-12-3456 is invalid", UsSsn);
        none_of("Connect to worker-3:8443 with a 5s timeout", IpAddress);
    }

    #[test]
    fn findings_are_ordered_and_disjoint() {
        let d = PiiDetector::new(&rules::builtin().unwrap(), &ALL).unwrap();
        let text = "a@b.io, +1 646 917 7504, 4111 1111 1111 1111, 10.0.0.1, a@b.io";
        let mut out = Vec::new();
        d.scan(text, &mut out);
        assert_eq!(out.len(), 5, "{out:?}");
        assert!(out.windows(2).all(|w| w[0].end <= w[1].start));
    }

    #[test]
    fn only_chosen_entities_and_bad_rules() {
        let d = PiiDetector::new(&rules::builtin().unwrap(), &[PiiEntity::Email]).unwrap();
        let mut out = Vec::new();
        d.scan("x@y.io 219-09-9999", &mut out);
        assert_eq!(out.len(), 1);
        let bad = rules::parse("t", "rules: [{id: b, entity: EMAIL, pattern: '(a)(b)'}]").unwrap();
        assert!(PiiDetector::new(&bad, &ALL).unwrap_err().contains("`b`"));
    }
}
