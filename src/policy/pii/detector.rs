//! The detector: every enabled rule in one automaton, scanned once per text.
//!
//! All patterns go into one multi-pattern lazy DFA ([`super::engine`]), so each text is read once
//! whatever the number of rules, and a match says *which* rule fired without capture resolution on
//! the large automaton. Only for candidates does a rule's own small regex run, anchored, to find
//! its `value` group, and its validator check the value. A rejected candidate hands its position to
//! the next rule that matches there, then the scan moves on one character.

use std::sync::Arc;

use crate::terms::PiiEntity;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::engine::{Caches, Candidate, Engine};
use super::rules::RuleSpec;
use super::validate::{IpClass, Validator, ip_class};

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

/// A compiled rule: what a match of it means.
#[derive(Debug)]
struct Rule {
    id: Arc<str>,
    entity: PiiEntity,
    validator: Validator,
    deny_before: Vec<String>,
}

/// Finds PII in text. Built once per pack load; `scan` takes `&self` and is safe to share (the
/// automata's caches live in a per-thread pool inside, so they stay warm across requests).
#[derive(Debug)]
pub struct PiiDetector {
    engine: Engine,
    rules: Vec<Rule>,
    /// Count private, link-local, documentation and other non-public IP addresses.
    private_ips: bool,
    /// Terms never reported (the pack's `policies.allow`), whole-word, any ASCII case.
    allow: Option<AhoCorasick>,
}

/// The shortest context before a value that can hold a finding of its own: a cue word, a value
/// of five characters or more, and the preposition ("sent 9 EUR to …" is already longer).
const MIN_CONTEXT_HOLDING_PII: usize = 12;

/// How far past a rejected candidate's start a hand-over search may look.
const HANDOVER_WINDOW: usize = 512;
/// How far before a match `deny_before` words are looked for.
const DENY_WINDOW: usize = 32;

impl PiiDetector {
    /// Builds a detector from rules (in priority order), keeping only the `entities` wanted.
    /// Errors name the rule whose pattern does not compile.
    pub fn new(specs: &[RuleSpec], entities: &[PiiEntity]) -> Result<Self, String> {
        let specs: Vec<&RuleSpec> = specs
            .iter()
            .filter(|s| entities.contains(&s.entity))
            .collect();
        let mut patterns: Vec<String> = specs.iter().map(|s| s.pattern.clone()).collect();
        if patterns.is_empty() {
            // Matches nothing; keeps `scan` free of a special case.
            patterns.push("(?u:[^\\x00-\\x{10FFFF}])".into());
        }
        let engine = Engine::new(patterns).map_err(|(at, e)| match at {
            Some(i) => format!("pii rule `{}`: {e}", specs[i].id),
            None => format!("pii rules: {e}"),
        })?;
        let rules = specs
            .iter()
            .map(|spec| Rule {
                id: Arc::from(spec.id.as_str()),
                entity: spec.entity,
                validator: spec.validator,
                deny_before: spec
                    .deny_before
                    .iter()
                    .map(|w| w.to_ascii_lowercase())
                    .collect(),
            })
            .collect();
        Ok(Self {
            engine,
            rules,
            private_ips: false,
            allow: None,
        })
    }

    /// Also counts non-public IP addresses (private, link-local, documentation ranges) as
    /// `IP_ADDRESS`; loopback and unspecified addresses never are.
    pub fn with_private_ips(mut self, on: bool) -> Self {
        self.private_ips = on;
        self
    }

    /// Never reports a finding that overlaps one of `terms` (whole words, any ASCII case).
    pub fn with_allow(mut self, terms: &[String]) -> Result<Self, String> {
        let terms: Vec<&str> = terms
            .iter()
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
            .collect();
        if terms.is_empty() {
            self.allow = None;
            return Ok(self);
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(terms)
            .map_err(|e| format!("allow list: {e}"))?;
        self.allow = Some(ac);
        Ok(self)
    }

    /// Appends every finding in `text` to `out`, in order, without overlaps.
    pub fn scan(&self, text: &str, out: &mut Vec<Finding>) {
        let from = out.len();
        self.scan_rules(text, out);
        if let Some(allow) = &self.allow
            && out.len() > from
        {
            let allowed: Vec<(usize, usize)> = allow
                .find_iter(text)
                .filter(|m| whole_word(text, m.start(), m.end()))
                .map(|m| (m.start(), m.end()))
                .collect();
            if !allowed.is_empty() {
                let found = out.split_off(from);
                out.extend(
                    found
                        .into_iter()
                        .filter(|f| !allowed.iter().any(|&(s, e)| f.start < e && s < f.end)),
                );
            }
        }
    }

    fn scan_rules(&self, text: &str, out: &mut Vec<Finding>) {
        let mut caches = self.engine.caches();
        self.scan_range(&mut caches, text, 0, text.len(), out);
    }

    /// Findings that lie within `from..to`. A rule that reads context before its value ("refund
    /// to <IBAN> for <name>") matches from the context's start, so the text between that start
    /// and the value is scanned on its own first: the context must not hide a finding in it. A
    /// context shorter than [`MIN_CONTEXT_HOLDING_PII`] ("Dear ", "patient ") cannot.
    fn scan_range(
        &self,
        caches: &mut Caches,
        text: &str,
        from: usize,
        to: usize,
        out: &mut Vec<Finding>,
    ) {
        let mut at = from;
        while at < to {
            let Some(c) = self.engine.next(caches, text, at, to) else {
                break;
            };
            let found = self
                .accept(caches, text, c)
                .or_else(|| self.hand_over(caches, text, c, to));
            match found {
                Some(f) => {
                    if f.start >= c.start + MIN_CONTEXT_HOLDING_PII {
                        self.scan_range(caches, text, next_char(text, c.start), f.start, out);
                    }
                    at = f.end.max(at + 1);
                    out.push(f);
                }
                None => at = next_char(text, c.start),
            }
        }
    }

    /// Validates a candidate.
    fn accept(&self, caches: &mut Caches, text: &str, c: Candidate) -> Option<Finding> {
        let rule = self.rules.get(c.rule)?;
        if denied(text, c.start, &rule.deny_before) {
            return None;
        }
        let (start, end) = self.engine.value(caches, c.rule, text, c.start, c.end)?;
        if start >= end {
            return None;
        }
        let end = rule.validator.check(text, start, end)?;
        if rule.entity == PiiEntity::IpAddress
            && !self.private_ips
            && ip_class(&text[start..end]) == IpClass::NonPublic
        {
            return None;
        }
        Some(Finding {
            start,
            end,
            entity: rule.entity,
            rule: rule.id.clone(),
        })
    }

    /// After candidate `c` was rejected: the first later rule that matches exactly at its start
    /// and ends by `to`.
    fn hand_over(
        &self,
        caches: &mut Caches,
        text: &str,
        c: Candidate,
        to: usize,
    ) -> Option<Finding> {
        let mut limit = (c.start + HANDOVER_WINDOW).min(to);
        while !text.is_char_boundary(limit) {
            limit -= 1;
        }
        for rule in c.rule + 1..self.rules.len() {
            if !self.engine.may_start(rule, text, c.start) {
                continue;
            }
            let Some(end) = self.engine.anchored_end(caches, rule, text, c.start, limit) else {
                continue;
            };
            let next = Candidate { rule, end, ..c };
            if let Some(f) = self.accept(caches, text, next) {
                return Some(f);
            }
        }
        None
    }
}

/// Whether one of `words` ends within [`DENY_WINDOW`] bytes before `start` (any ASCII case), as
/// whole words. Walks the word starts in the window once.
fn denied(text: &str, start: usize, words: &[String]) -> bool {
    if words.is_empty() {
        return false;
    }
    let before = &text.as_bytes()[start.saturating_sub(DENY_WINDOW)..start];
    (0..before.len())
        .filter(|&k| {
            before[k].is_ascii_alphanumeric() && (k == 0 || !before[k - 1].is_ascii_alphanumeric())
        })
        .any(|k| {
            let rest = &before[k..];
            words.iter().any(|w| {
                let w = w.as_bytes();
                rest.len() >= w.len()
                    && rest[..w.len()].eq_ignore_ascii_case(w)
                    && rest.get(w.len()).is_none_or(|b| !b.is_ascii_alphanumeric())
            })
        })
}

/// Whether `text[start..end]` is not glued to letters or digits on either side.
fn whole_word(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
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

    use crate::policy::pii::policy::ALL_ENTITIES as ALL;

    /// One detector for all tests (building one is the slow part in a debug build).
    fn detector() -> &'static PiiDetector {
        static D: std::sync::LazyLock<PiiDetector> = std::sync::LazyLock::new(|| {
            PiiDetector::new(&rules::builtin().unwrap(), &ALL).unwrap()
        });
        &D
    }

    fn found(text: &str) -> Vec<(PiiEntity, &str)> {
        let d = detector();
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
        one("from 148.28.122.103 at noon", IpAddress, "148.28.122.103");
        one(
            "router 2a00:1450:4001:81b::200e up",
            IpAddress,
            "2a00:1450:4001:81b::200e",
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
        one(
            "Notes: Marta Kowalczyk will lead.",
            Person,
            "Marta Kowalczyk",
        );
        one(
            "'Tove Brandvold missed the call.'",
            Person,
            "Tove Brandvold",
        );
        one(
            "Best regards,\nSiobhan O'Sullivan",
            Person,
            "Siobhan O'Sullivan",
        );
        one(
            "send it to 1187 Birchwood Blvd. Apt 4B today",
            StreetAddress,
            "1187 Birchwood Blvd. Apt 4B",
        );
        one(
            "at 55 Fairview Crescent, Leeds LS6 2QT",
            StreetAddress,
            "55 Fairview Crescent, Leeds LS6 2QT",
        );
        one("my passport number is K38291745.", UsPassport, "K38291745");
        one("DOB: 1985/07/23", DateOfBirth, "1985/07/23");
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
        none_of("Best Practices for REST APIs", Person);
        none_of("Explain the basics of Machine Learning to a child", Person);
        none_of("Jurassic Park was released in 1993", Person);
        none_of("Write 'The 100 Best Ways to Learn Python'", StreetAddress);
        none_of("In 2019 Central Park hosted a concert", StreetAddress);
    }

    #[test]
    fn addresses_that_point_at_nobody_are_not_pii() {
        for text in [
            "base_url=\"http://127.0.0.1:8080/v1\"",
            "listen on 0.0.0.0:3000 and [::1]:3000",
            "the router at 192.168.1.1 and the NAS at 10.0.0.12",
            "docs use 203.0.113.9 and 2001:db8::8a2e:370:7334",
            "metadata at 169.254.169.254",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
        let strict = PiiDetector::new(&rules::builtin().unwrap(), &ALL)
            .unwrap()
            .with_private_ips(true);
        let mut out = Vec::new();
        strict.scan("the NAS at 10.0.0.12 and 127.0.0.1", &mut out);
        assert_eq!(
            out.len(),
            1,
            "private ranges on, loopback still off: {out:?}"
        );
    }

    #[test]
    fn product_names_and_identifiers_are_not_people() {
        for text in [
            "Anthropic's Claude Agent SDK is a library",
            "Try Amazon Nova Pro or Meta Llama for this",
            "Ask Claude Code to run the tests",
            "call mcp__github__AddPullRequestReviewComments with the diff",
            "Gemini Advanced and Microsoft Copilot both do this",
            // Paper titles and field names are title case too.
            "Summarize the paper \"Ignore Previous Prompt: Attack Techniques for Language Models\"",
            "a survey of Large Language Models and Retrieval-Augmented Generation",
        ] {
            assert!(
                found(text).iter().all(|(e, _)| *e != PiiEntity::Person),
                "{text}: {:?}",
                found(text)
            );
        }
        one(
            "Dear Alyssa Brown, thanks",
            PiiEntity::Person,
            "Alyssa Brown",
        );
    }

    /// "to", "of" and "about" take places, topics and titles as often as people; "to" counts as
    /// a cue only after something sent, said or given to someone, "of" only after something a
    /// person has (an address, a spouse).
    #[test]
    fn places_and_topics_after_prepositions_are_not_people() {
        for text in [
            "flights to San Francisco, then a trip to Costa Rica",
            "We are moving to Los Angeles next month",
            "an intro to Quantum Computing and a guide to Tree Shaking",
            "a fan of Star Wars; the history of Ancient Rome",
        ] {
            assert!(
                found(text).iter().all(|(e, _)| *e != PiiEntity::Person),
                "{text}: {:?}",
                found(text)
            );
        }
        one(
            "Draft a termination letter to Birte Schaaf",
            PiiEntity::Person,
            "Birte Schaaf",
        );
        one(
            "transfer 200 EUR to Lopa Vala today",
            PiiEntity::Person,
            "Lopa Vala",
        );
        one(
            "Travel booking for Filip Franczuk",
            PiiEntity::Person,
            "Filip Franczuk",
        );
    }

    /// "for", "with" and "by" take organisations, dishes, bands and tools as often as people;
    /// each counts only after a word done for, with or by a person.
    #[test]
    fn organisations_after_for_with_by_are_not_people() {
        for text in [
            "I work for Goldman Sachs; give me a recipe for Pad Thai",
            "We deployed it with Argo Workflows. Which album by Pink Floyd first?",
            "the report by Morgan Stanley; hosting with Digital Ocean",
        ] {
            assert!(
                found(text).iter().all(|(e, _)| *e != PiiEntity::Person),
                "{text}: {:?}",
                found(text)
            );
        }
        one(
            "Set up a call with Thandiwe Okonkwo next Tuesday",
            PiiEntity::Person,
            "Thandiwe Okonkwo",
        );
        one(
            "The expense report was approved by Bao Nguyen",
            PiiEntity::Person,
            "Bao Nguyen",
        );
        one(
            "the home address for Micky Arison",
            PiiEntity::Person,
            "Micky Arison",
        );
    }

    /// A rule that reads context before its value must not hide a finding inside that context.
    #[test]
    fn a_rules_context_does_not_hide_a_finding() {
        assert_eq!(
            found("why the refund to PT55 3299 8708 3732 0050 6931 4 for Stebel, Piotr bounced"),
            vec![
                (PiiEntity::Iban, "PT55 3299 8708 3732 0050 6931 4"),
                (PiiEntity::Person, "Stebel, Piotr"),
            ]
        );
    }

    #[test]
    fn allow_list_terms_are_never_reported() {
        let d = PiiDetector::new(&rules::builtin().unwrap(), &ALL)
            .unwrap()
            .with_allow(&["support@acme.example".into(), "Jane Acme".into()])
            .unwrap();
        let mut out = Vec::new();
        d.scan(
            "write to support@acme.example or SUPPORT@ACME.EXAMPLE, cc bob@corp.example; Dear Jane Acme",
            &mut out,
        );
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].entity, PiiEntity::Email);
    }

    #[test]
    fn findings_are_ordered_and_disjoint() {
        let d = detector();
        let text = "a@b.io, +1 646 917 7504, 4111 1111 1111 1111, 81.2.69.160, a@b.io";
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
