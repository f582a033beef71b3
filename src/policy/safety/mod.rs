//! The safety filter: blocks or logs unsafe content in requests and in replies, whole or streamed.
//!
//! Why it exists: some content must never pass the gateway in either direction (weapons and drug
//! manufacture instructions, self-harm methods, sexual content involving minors, calls for violence
//! against groups). The lexicon is data, compiled once per pack load; a streamed reply is held back
//! only by the length of the longest term, so a term split across deltas is still caught and a
//! blocked reply ends with the error instead of being half-sent without notice.

mod lexicon;
mod stream;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::config::pack::SafetyConfig;
use crate::error::ApiError;
use crate::ir::{ChatRequest, ChatResponse, StreamEvent, Zone, ZoneSet};
use crate::policy::injection::fold;
use crate::policy::zone::{Spot, TextMut, walk_reply, walk_request};
use crate::policy::{Decision, Hit, MAX_HITS, Policy, PolicyRun};
use crate::terms::{Action, SafetyMode};

use lexicon::Lexicon;
use stream::StreamScan;

/// The lexicon shipped with gw.
pub const BUILTIN_LEXICON: &str = include_str!("../../../policies/safety/lexicon.yaml");

const NAME: &str = "safety-filter";

/// The configured safety filter (`name()` = `safety-filter`).
#[derive(Debug)]
pub struct SafetyPolicy {
    lexicon: Lexicon,
    block: bool,
    zones: ZoneSet,
}

impl SafetyPolicy {
    /// Builds the filter from the pack: the shipped lexicon plus the pack's `rules:` file
    /// (resolved against `pack_dir`), the mode and the action (`block` or `log`).
    pub fn from_config(cfg: &SafetyConfig, pack_dir: &Path) -> Result<Self, String> {
        let extra = match &cfg.rules {
            Some(file) => {
                let path = pack_dir.join(file);
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("cannot read rules `{}`: {e}", path.display()))?;
                Some((file.as_str(), text))
            }
            None => None,
        };
        let mut files = vec![("builtin", BUILTIN_LEXICON)];
        if let Some((name, text)) = &extra {
            files.push((name, text.as_str()));
        }
        let mut policy = Self::from_lexicons(&files, cfg.mode, cfg.action)?;
        policy.zones = ZoneSet::of(&cfg.scan);
        Ok(policy)
    }

    /// Builds the filter from lexicon files (`(origin, yaml)`), for tests and benchmarks.
    pub fn from_lexicons(
        files: &[(&str, &str)],
        mode: SafetyMode,
        action: Action,
    ) -> Result<Self, String> {
        let block = match action {
            Action::Block => true,
            Action::Log => false,
            Action::Redact => {
                return Err("action `redact` is not supported; use `block` or `log`".into());
            }
        };
        let lexicon = Lexicon::from_yaml(files, mode).map_err(|e| e.to_string())?;
        Ok(Self {
            lexicon,
            block,
            zones: ZoneSet::of(&[Zone::User, Zone::Document, Zone::Reply, Zone::Reasoning]),
        })
    }

    /// Flagged categories with counts in one text (whole-text scan, as for requests).
    pub fn scan(&self, text: &str) -> BTreeMap<String, u32> {
        let mut counts = BTreeMap::new();
        self.count(text, &mut counts);
        counts
    }

    fn count(&self, text: &str, counts: &mut BTreeMap<String, u32>) {
        for hit in self.lexicon.scan(&fold(text)) {
            *counts
                .entry(self.lexicon.category(hit.category).to_string())
                .or_default() += 1;
        }
    }

    /// Records the decision and, when blocking, returns the client-facing error.
    /// Counts the categories in one text of the walker, noting where they were.
    fn visit(
        &self,
        spot: Spot,
        t: TextMut<'_>,
        counts: &mut BTreeMap<String, u32>,
        hits: &mut Vec<Hit>,
    ) {
        let mut here = BTreeMap::new();
        match t {
            TextMut::Str(s) => self.count(s, &mut here),
            TextMut::Json(v) => {
                crate::policy::zone::json_strings(v, &mut |s| self.count(s, &mut here));
            }
            TextMut::Doc(d) => self.count(&String::from_utf8_lossy(d), &mut here),
        }
        if here.is_empty() {
            return;
        }
        for (c, n) in &here {
            *counts.entry(c.clone()).or_default() += n;
        }
        if hits.len() < MAX_HITS {
            hits.push(Hit {
                spot,
                entities: here.into_iter().collect(),
                score: None,
                reading: None,
            });
        }
    }

    fn decide(
        &self,
        counts: BTreeMap<String, u32>,
        hits: Vec<Hit>,
        what: &str,
        decisions: &mut Vec<Decision>,
    ) -> Result<(), ApiError> {
        let hit = !counts.is_empty();
        let action = match (hit, self.block) {
            (false, _) => "allowed",
            (true, true) => "blocked",
            (true, false) => "logged",
        };
        let names: Vec<String> = counts.keys().map(|c| format!("`{c}`")).collect();
        decisions.push(Decision {
            entities: counts.into_iter().collect(),
            found: hits,
            ..Decision::new(NAME, action)
        });
        if hit && self.block {
            return Err(ApiError::invalid_request(format!(
                "{what} was blocked by the safety filter (categories: {}); rephrase it, or ask the \
                 gateway operator if this is a false positive",
                names.join(", ")
            ))
            .with_code(NAME));
        }
        Ok(())
    }
}

impl Policy for SafetyPolicy {
    fn name(&self) -> &'static str {
        NAME
    }

    fn start(self: Arc<Self>) -> Box<dyn PolicyRun> {
        Box::new(SafetyRun {
            stream: StreamScan::default(),
            policy: self,
        })
    }
}

/// One request's filter: the request and whole-reply checks are stateless; a streamed reply keeps
/// its held-back tails.
struct SafetyRun {
    policy: Arc<SafetyPolicy>,
    stream: StreamScan,
}

impl PolicyRun for SafetyRun {
    fn on_request(
        &mut self,
        req: &mut ChatRequest,
        decisions: &mut Vec<Decision>,
    ) -> Result<(), ApiError> {
        let p = Arc::clone(&self.policy);
        if !p.zones.any_request() {
            return Ok(());
        }
        let (mut counts, mut hits) = (BTreeMap::new(), Vec::new());
        walk_request(req, p.zones, |spot, t| {
            p.visit(spot, t, &mut counts, &mut hits)
        });
        p.decide(counts, hits, "the request", decisions)
    }

    fn on_response(
        &mut self,
        resp: &mut ChatResponse,
        decisions: &mut Vec<Decision>,
    ) -> Result<(), ApiError> {
        let p = Arc::clone(&self.policy);
        if !p.zones.any_reply() {
            return Ok(());
        }
        let (mut counts, mut hits) = (BTreeMap::new(), Vec::new());
        walk_reply(resp, p.zones, |spot, t| {
            p.visit(spot, t, &mut counts, &mut hits)
        });
        p.decide(counts, hits, "the model's reply", decisions)
    }

    fn on_event(
        &mut self,
        event: StreamEvent,
        out: &mut Vec<StreamEvent>,
        decisions: &mut Vec<Decision>,
    ) -> Result<(), ApiError> {
        let zones = self.policy.zones;
        match &event {
            StreamEvent::TextDelta { .. } if !zones.contains(Zone::Reply) => {
                out.push(event);
                return Ok(());
            }
            StreamEvent::ReasoningDelta { .. } if !zones.contains(Zone::Reasoning) => {
                out.push(event);
                return Ok(());
            }
            _ => {}
        }
        let lexicon = &self.policy.lexicon;
        let found = self.stream.push(event, lexicon, self.policy.block, out);
        if !found.is_empty() {
            let mut counts = BTreeMap::new();
            for c in found {
                *counts.entry(lexicon.category(c).to_string()).or_default() += 1;
            }
            let hits = vec![Hit {
                spot: Spot::at(Zone::Reply),
                entities: counts.iter().map(|(k, v)| (k.clone(), *v)).collect(),
                score: None,
                reading: None,
            }];
            return self
                .policy
                .decide(counts, hits, "the model's reply", decisions);
        }
        Ok(())
    }

    fn finish_stream(
        &mut self,
        out: &mut Vec<StreamEvent>,
        decisions: &mut Vec<Decision>,
    ) -> Result<(), ApiError> {
        let lexicon = &self.policy.lexicon;
        let found = self.stream.flush_all(lexicon, self.policy.block, out);
        let mut counts = BTreeMap::new();
        for c in self.stream.take_logged().into_iter().chain(found) {
            *counts.entry(lexicon.category(c).to_string()).or_default() += 1;
        }
        let hits = if counts.is_empty() {
            Vec::new()
        } else {
            vec![Hit {
                spot: Spot::at(Zone::Reply),
                entities: counts.iter().map(|(k, v)| (k.clone(), *v)).collect(),
                score: None,
                reading: None,
            }]
        };
        self.policy
            .decide(counts, hits, "the model's reply", decisions)
    }
}
