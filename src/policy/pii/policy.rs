//! `PiiPolicy`: the detector wired into the chain, over every text of a request and its reply.
//!
//! The policy is built once per pack load (rules compiled here, never per request); each request
//! gets a `PiiRun` holding its placeholder table and stream hold-back, so nothing crosses requests.

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use crate::config::pack::{Action, Direction, PiiConfig, PiiEntity, RedactionStyle};
use crate::error::ApiError;
use crate::ir::{ChatRequest, ChatResponse, Part, StreamEvent, SystemBlock, ToolResultPart};
use crate::policy::{Decision, Policy, PolicyRun};

use super::detector::{Finding, PiiDetector};
use super::redact::Redactor;
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
#[derive(Debug)]
pub struct PiiPolicy {
    detector: PiiDetector,
    action: Action,
    style: RedactionStyle,
    restore: bool,
    request: bool,
    response: bool,
}

impl PiiPolicy {
    /// Builds the policy from its pack settings; `rules:` is read relative to `pack_dir` (then the
    /// current directory). Errors say which file or rule is wrong.
    pub fn from_config(cfg: &PiiConfig, pack_dir: &Path) -> Result<Self, String> {
        let mut specs = rules::builtin()?;
        if let Some(file) = &cfg.rules {
            let wanted = Path::new(file);
            let path = [pack_dir.join(wanted), wanted.to_path_buf()]
                .into_iter()
                .find(|p| p.is_file())
                .ok_or_else(|| format!("pii-detector rules file `{file}` not found"))?;
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("pii-detector rules file `{file}`: {e}"))?;
            // Pack rules go first: a team's own formats win over the generic shapes.
            let mut own = rules::parse(file, &text)?;
            own.append(&mut specs);
            specs = own;
        }
        let entities = cfg.entities.as_deref().unwrap_or(&ALL_ENTITIES);
        Ok(Self {
            detector: PiiDetector::new(&specs, entities)?,
            action: cfg.action,
            style: cfg.style,
            restore: cfg.restore && cfg.style == RedactionStyle::Placeholder,
            request: cfg.apply_to.contains(&Direction::Request),
            response: cfg.apply_to.contains(&Direction::Response),
        })
    }

    /// The detector, for evaluation and benchmarks.
    pub fn detector(&self) -> &PiiDetector {
        &self.detector
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
                let entity = serde_json::to_value(f.entity)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                format!(
                    "{entity} at bytes {}..{} (rule `{}`)",
                    f.start, f.end, f.rule
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

/// One request's PII work: placeholder table, scratch buffers, per-block stream hold-back.
struct PiiRun {
    policy: Arc<PiiPolicy>,
    redactor: Redactor,
    found: Vec<Finding>,
    out: String,
    /// `(block index, kind of block, held text)`.
    held: Vec<(u32, Block, Held)>,
    streamed: bool,
}

impl PiiRun {
    /// Scans one text and applies the action in place; restores placeholders when asked.
    fn text(&mut self, text: &mut String) {
        self.found.clear();
        self.policy.detector.scan(text, &mut self.found);
        if !self.found.is_empty() {
            if self.policy.action == Action::Redact {
                self.out.clear();
                self.redactor.redact(text, &self.found, &mut self.out);
                std::mem::swap(text, &mut self.out);
            } else {
                self.redactor.count(&self.found);
            }
        }
    }

    /// Every string value inside a JSON document (keys are structure, not data).
    fn json(&mut self, v: &mut Value) {
        match v {
            Value::String(s) => self.text(s),
            Value::Array(a) => a.iter_mut().for_each(|x| self.json(x)),
            Value::Object(o) => o.values_mut().for_each(|x| self.json(x)),
            _ => {}
        }
    }

    /// Every text of `parts`; with `reply`, reasoning text too. Reasoning in a request is the
    /// model's own earlier output (already scanned as a reply) and Bedrock checks it against its
    /// signature, so it is left as sent.
    fn parts(&mut self, parts: &mut [Part], reply: bool) {
        for p in parts {
            match p {
                Part::Text(t) => self.text(t),
                Part::Reasoning { text, .. } if reply => self.text(text),
                Part::ToolUse { input, .. } => self.json(input),
                Part::ToolResult { content, .. } => {
                    for c in content {
                        match c {
                            ToolResultPart::Text(t) => self.text(t),
                            ToolResultPart::Json(v) => self.json(v),
                            ToolResultPart::Image { .. } => {}
                        }
                    }
                }
                _ => {}
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
        decisions.push(Decision {
            policy: NAME,
            action,
            entities,
            score: None,
        });
        if action == "blocked" {
            return Err(ApiError::invalid_request(format!(
                "the {what} contains personal data or secrets ({names}); remove them and retry"
            ))
            .with_code(NAME));
        }
        Ok(())
    }

    /// Releases what block `i` can let go of now, processed, as the event to push (if any).
    fn release(&mut self, i: usize, all: bool) -> Option<StreamEvent> {
        let (index, kind, held) = &mut self.held[i];
        let (index, kind) = (*index, *kind);
        // Without response scanning (restore only) nothing is detected, only placeholders held.
        let det = self.policy.response.then_some(&self.policy.detector);
        let raw = held.release(det, &mut self.found, all);
        if raw.is_empty() {
            return None;
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
        if !self.policy.request {
            return Ok(());
        }
        for block in &mut req.system {
            if let SystemBlock::Text(t) = block {
                self.text(t);
            }
        }
        for m in &mut req.messages {
            self.parts(&mut m.content, false);
        }
        self.decide("request", decisions)
    }

    fn on_response(
        &mut self,
        resp: &mut ChatResponse,
        decisions: &mut Vec<Decision>,
    ) -> Result<(), ApiError> {
        if self.policy.response {
            self.parts(&mut resp.content, true);
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
        let scan = self.policy.response;
        let restore = self.policy.restore && self.redactor.has_placeholders();
        let (index, kind, delta) = match event {
            StreamEvent::TextDelta { index, text } if scan || restore => (index, Block::Text, text),
            StreamEvent::ToolInputDelta { index, json } if scan || restore => {
                (index, Block::Json, json)
            }
            StreamEvent::ReasoningDelta { index, text } if scan => (index, Block::Reasoning, text),
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
        if self.streamed && self.policy.response {
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
