//! `PiiPolicy`: the detector wired into the chain, over every text of a request and its reply.
//!
//! The policy is built once per pack load (rules compiled here, never per request); each request
//! gets a `PiiRun` holding its placeholder table and stream hold-back, so nothing crosses requests.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use serde_json::Value;

use crate::config::pack::PiiConfig;
use crate::error::ApiError;
use crate::ir::{ChatRequest, ChatResponse, Part, StreamEvent, Zone, ZoneSet};
use crate::policy::cache::{DEFAULT_BYTES, TextCache};
use crate::policy::zone::{Spot, TextMut, json_strings, walk_reply, walk_request};
use crate::policy::{Decision, Hit, MAX_HITS, Policy, PolicyRun};
use crate::terms::{Action, Direction, PiiEntity, RedactionStyle};

use super::detector::{Finding, PiiDetector};
use super::redact::{Redactor, label};
use super::rules;
use super::stream::Held;

const NAME: &str = "pii-detector";

/// Every entity type, the default when a pack names none.
pub const ALL_ENTITIES: [PiiEntity; 13] = [
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

/// The configured PII policy: a compiled detector plus what to do with its findings.
pub struct PiiPolicy {
    detector: PiiDetector,
    /// Findings per text already scanned: a resent history costs a look-up, not a scan.
    cache: TextCache<Arc<[Finding]>>,
    action: Action,
    style: RedactionStyle,
    restore: bool,
    /// The zones read: `scan:` within the directions of `apply_to`.
    zones: ZoneSet,
}

impl std::fmt::Debug for PiiPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PiiPolicy")
            .field("action", &self.action)
            .field("style", &self.style)
            .field("restore", &self.restore)
            .field("zones", &self.zones)
            .finish_non_exhaustive()
    }
}

impl PiiPolicy {
    /// Builds the policy from its pack settings and the pack's `allow` list; `rules:` is read
    /// relative to `pack_dir` (then the current directory). Errors say which file or rule is
    /// wrong.
    pub fn from_config(cfg: &PiiConfig, allow: &[String], pack_dir: &Path) -> Result<Self, String> {
        let mut specs = rules::builtin()?;
        if let Some(file) = &cfg.rules {
            let wanted = Path::new(file);
            let path = [pack_dir.join(wanted), wanted.to_path_buf()]
                .into_iter()
                .find(|p| p.is_file())
                .ok_or_else(|| format!("rules file `{file}` not found"))?;
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("rules file `{file}`: {e}"))?;
            // Pack rules go first: a team's own formats win over the generic shapes.
            let mut own = rules::parse(file, &text)?;
            own.append(&mut specs);
            specs = own;
        }
        let entities = cfg.entities.as_deref().unwrap_or(&ALL_ENTITIES);
        let detector = PiiDetector::new(&specs, entities)?
            .with_private_ips(cfg.private_ip_addresses)
            .with_allow(allow)?;
        let request = cfg.apply_to.contains(&Direction::Request);
        let response = cfg.apply_to.contains(&Direction::Response);
        let zones: Vec<Zone> = cfg
            .scan
            .iter()
            .copied()
            .filter(|z| if z.is_reply() { response } else { request })
            .collect();
        Ok(Self {
            detector,
            cache: TextCache::new(DEFAULT_BYTES),
            action: cfg.action,
            style: cfg.style,
            restore: cfg.restore && cfg.style == RedactionStyle::Placeholder,
            zones: ZoneSet::of(&zones),
        })
    }

    /// The detector, for evaluation and benchmarks.
    pub fn detector(&self) -> &PiiDetector {
        &self.detector
    }

    /// The findings in `text`, from the cache when this text was scanned before.
    fn findings(&self, text: &str) -> Arc<[Finding]> {
        self.cache.get_or_compute(text, |t| {
            let mut found = Vec::new();
            self.detector.scan(t, &mut found);
            found.into()
        })
    }
}

impl Policy for PiiPolicy {
    fn name(&self) -> &'static str {
        NAME
    }

    fn explain(&self, text: &str) -> Vec<String> {
        let mut found = Vec::new();
        self.detector.scan(text, &mut found);
        if found.is_empty() {
            return vec!["no entities found".into()];
        }
        found
            .iter()
            .map(|f| {
                format!(
                    "{} at bytes {}..{} (rule `{}`)",
                    label(f.entity),
                    f.start,
                    f.end,
                    f.rule
                )
            })
            .collect()
    }

    fn start(self: Arc<Self>) -> Box<dyn PolicyRun> {
        Box::new(PiiRun {
            redactor: Redactor::new(self.style),
            policy: self,
            found: Vec::new(),
            out: String::new(),
            held: Vec::new(),
            streamed: false,
            hits: Vec::new(),
        })
    }
}

/// What a streamed content block carries; decides the event a release becomes and whether
/// placeholders are put back in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    Text,
    /// Tool input JSON fragments (placeholders are restored JSON-escaped).
    Json,
    /// Reasoning (thinking) text: scanned like text, but placeholders stay, because the block's
    /// signature covers the text the model wrote and a client may send it back.
    Reasoning,
}

impl Block {
    fn zone(self) -> Zone {
        match self {
            Block::Text => Zone::Reply,
            Block::Json => Zone::ToolCall,
            Block::Reasoning => Zone::Reasoning,
        }
    }
}

/// One request's PII work: placeholder table, scratch buffers, per-block stream hold-back.
struct PiiRun {
    policy: Arc<PiiPolicy>,
    redactor: Redactor,
    found: Vec<Finding>,
    out: String,
    /// `(block index, kind of block, held text)`.
    held: Vec<(u32, Block, Held)>,
    streamed: bool,
    /// Where findings were made since the last decision.
    hits: Vec<Hit>,
}

impl PiiRun {
    /// Scans one text (through the cache) and applies the action in place.
    fn text(&mut self, spot: Spot, text: &mut String) {
        let found = self.policy.findings(text);
        if found.is_empty() {
            return;
        }
        self.note(spot, &found);
        if self.policy.action == Action::Redact {
            self.out.clear();
            self.redactor.redact(text, &found, &mut self.out);
            std::mem::swap(text, &mut self.out);
        } else {
            self.redactor.count(&found);
        }
    }

    /// A text-format document: read as UTF-8 (lossily) and rewritten whole when redacted.
    fn document(&mut self, spot: Spot, data: &mut Bytes) {
        let mut text = String::from_utf8_lossy(data).into_owned();
        let before = text.len();
        self.text(spot, &mut text);
        if self.policy.action == Action::Redact
            && (text.len() != before || text.as_bytes() != &data[..])
        {
            *data = Bytes::from(text);
        }
    }

    /// Any text of the walker.
    fn visit(&mut self, spot: Spot, t: TextMut<'_>) {
        match t {
            TextMut::Str(s) => self.text(spot, s),
            TextMut::Json(v) => json_strings(v, &mut |s| self.text(spot, s)),
            TextMut::Doc(d) => self.document(spot, d),
        }
    }

    /// Adds `found` to the hit list under `spot` (merged with the last hit when it is the same
    /// place).
    fn note(&mut self, spot: Spot, found: &[Finding]) {
        let same = self.hits.last().is_some_and(|h| h.spot == spot);
        if !same {
            if self.hits.len() >= MAX_HITS {
                return;
            }
            self.hits.push(Hit {
                spot,
                entities: Vec::new(),
                score: None,
                reading: None,
            });
        }
        let Some(hit) = self.hits.last_mut() else {
            return;
        };
        for f in found {
            let name = label(f.entity);
            match hit.entities.iter_mut().find(|(n, _)| n == name) {
                Some((_, n)) => *n += 1,
                None => hit.entities.push((name.to_owned(), 1)),
            }
        }
    }

    /// Records the decision for what was found since the last one; `Err` if the action blocks.
    fn decide(&mut self, what: &str, decisions: &mut Vec<Decision>) -> Result<(), ApiError> {
        let entities = self.redactor.take_counts();
        let action = match (entities.is_empty(), self.policy.action) {
            (true, _) => "allowed",
            (false, Action::Redact) => "redacted",
            (false, Action::Block) => "blocked",
            (false, Action::Log) => "logged",
        };
        let names: Vec<&str> = entities.iter().map(|(n, _)| n.as_str()).collect();
        let names = names.join(", ");
        let hits = std::mem::take(&mut self.hits);
        let places: Vec<String> = hits.iter().map(|h| h.spot.to_string()).collect();
        decisions.push(Decision {
            entities,
            found: hits,
            ..Decision::new(NAME, action)
        });
        if action == "blocked" {
            return Err(ApiError::invalid_request(format!(
                "the {what} contains personal data or secrets ({names}, in {}); remove them and \
                 retry",
                places.join(", ")
            ))
            .with_code(NAME));
        }
        Ok(())
    }

    /// Releases what block `i` can let go of now, processed, as the event to push (if any).
    fn release(&mut self, i: usize, all: bool) -> Option<StreamEvent> {
        let (index, kind, held) = &mut self.held[i];
        let (index, kind) = (*index, *kind);
        // Without scanning this block's zone (restore only) nothing is detected, only
        // placeholders held.
        let det = self
            .policy
            .zones
            .contains(kind.zone())
            .then_some(&self.policy.detector);
        let raw = held.release(det, &mut self.found, all);
        if raw.is_empty() {
            return None;
        }
        if !self.found.is_empty() {
            let found = std::mem::take(&mut self.found);
            self.note(Spot::at(kind.zone()), &found);
            self.found = found;
        }
        let mut text = if self.found.is_empty() {
            raw
        } else if self.policy.action == Action::Redact {
            let mut out = String::with_capacity(raw.len());
            self.redactor.redact(&raw, &self.found, &mut out);
            out
        } else {
            self.redactor.count(&self.found);
            raw
        };
        if self.policy.restore
            && kind != Block::Reasoning
            && self.redactor.has_placeholders()
            && text.contains('[')
        {
            let mut out = String::with_capacity(text.len());
            self.redactor.restore(&text, kind == Block::Json, &mut out);
            text = out;
        }
        Some(match kind {
            Block::Text => StreamEvent::TextDelta { index, text },
            Block::Json => StreamEvent::ToolInputDelta { index, json: text },
            Block::Reasoning => StreamEvent::ReasoningDelta { index, text },
        })
    }

    /// Releases everything held (all blocks, in arrival order) into `out`; with `block`, a finding
    /// ends the stream before its text goes out.
    fn flush(
        &mut self,
        out: &mut Vec<StreamEvent>,
        decisions: &mut Vec<Decision>,
    ) -> Result<(), ApiError> {
        for i in 0..self.held.len() {
            if let Some(ev) = self.release(i, true) {
                self.check_block(decisions)?;
                out.push(ev);
            }
        }
        self.held.retain(|(_, _, h)| !h.is_empty());
        Ok(())
    }

    /// Ends the stream if the action is `block` and the last release found something.
    fn check_block(&mut self, decisions: &mut Vec<Decision>) -> Result<(), ApiError> {
        if self.policy.action == Action::Block && !self.found.is_empty() {
            self.streamed = false;
            return self.decide("reply", decisions);
        }
        Ok(())
    }
}

impl PolicyRun for PiiRun {
    fn on_request(
        &mut self,
        req: &mut ChatRequest,
        decisions: &mut Vec<Decision>,
    ) -> Result<(), ApiError> {
        if !self.policy.zones.any_request() {
            return Ok(());
        }
        walk_request(req, self.policy.zones, |spot, t| self.visit(spot, t));
        self.decide("request", decisions)
    }

    fn on_response(
        &mut self,
        resp: &mut ChatResponse,
        decisions: &mut Vec<Decision>,
    ) -> Result<(), ApiError> {
        if self.policy.zones.any_reply() {
            walk_reply(resp, self.policy.zones, |spot, t| self.visit(spot, t));
            self.decide("reply", decisions)?;
        }
        if self.policy.restore && self.redactor.has_placeholders() {
            for p in &mut resp.content {
                match p {
                    Part::Text(t) => self.restore_text(t),
                    Part::ToolUse { input, .. } => self.restore_json(input),
                    _ => {}
                }
            }
        }
        Ok(())
    }

    fn on_event(
        &mut self,
        event: StreamEvent,
        out: &mut Vec<StreamEvent>,
        decisions: &mut Vec<Decision>,
    ) -> Result<(), ApiError> {
        let zones = self.policy.zones;
        let restore = self.policy.restore && self.redactor.has_placeholders();
        let (index, kind, delta) = match event {
            StreamEvent::TextDelta { index, text } if zones.contains(Zone::Reply) || restore => {
                (index, Block::Text, text)
            }
            StreamEvent::ToolInputDelta { index, json }
                if zones.contains(Zone::ToolCall) || restore =>
            {
                (index, Block::Json, json)
            }
            StreamEvent::ReasoningDelta { index, text } if zones.contains(Zone::Reasoning) => {
                (index, Block::Reasoning, text)
            }
            other => {
                // Anything else is a boundary: what was held before it goes out before it.
                self.flush(out, decisions)?;
                out.push(other);
                return Ok(());
            }
        };
        self.streamed = true;
        let i = match self
            .held
            .iter()
            .position(|(ix, k, _)| *ix == index && *k == kind)
        {
            Some(i) => i,
            None => {
                self.held.push((index, kind, Held::default()));
                self.held.len() - 1
            }
        };
        self.held[i].2.push(&delta);
        if let Some(ev) = self.release(i, false) {
            self.check_block(decisions)?;
            out.push(ev);
        }
        Ok(())
    }

    fn finish_stream(
        &mut self,
        out: &mut Vec<StreamEvent>,
        decisions: &mut Vec<Decision>,
    ) -> Result<(), ApiError> {
        self.flush(out, decisions)?;
        if self.streamed && self.policy.zones.any_reply() {
            self.streamed = false;
            self.decide("reply", decisions)?;
        }
        Ok(())
    }
}

impl PiiRun {
    fn restore_text(&mut self, t: &mut String) {
        if t.contains('[') {
            self.out.clear();
            self.redactor.restore(t, false, &mut self.out);
            std::mem::swap(t, &mut self.out);
        }
    }

    fn restore_json(&mut self, v: &mut Value) {
        match v {
            Value::String(s) => self.restore_text(s),
            Value::Array(a) => a.iter_mut().for_each(|x| self.restore_json(x)),
            Value::Object(o) => o.values_mut().for_each(|x| self.restore_json(x)),
            _ => {}
        }
    }
}
