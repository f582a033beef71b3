//! The policy chain: what runs around every Bedrock call.
//!
//! A [`Policy`] is built once per pack load. For each request the chain starts a [`ChainRun`],
//! which holds every policy's per-request state (for example the placeholders a PII policy must
//! put back into the reply). The run sees the request before it leaves gw, then the reply, whole
//! or as stream events, before it reaches the client, and each step may pass, rewrite or block.
//! Every decision is recorded (policy, action, counts, scores; never raw values) for the audit
//! record, metrics and traces.
//!
//! Order: the request passes the policies in chain order; the reply passes them in reverse, like
//! layers of an onion, so a policy that rewrote the request is the last to see the reply.

pub mod cache;
pub mod cases;
pub mod explain;
pub mod injection;
pub mod pii;
pub mod safety;
pub mod zone;

use std::sync::Arc;

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::config::pack::{PoliciesConfig, PolicyName};
use crate::error::ApiError;
use crate::ir::{ChatRequest, ChatResponse, StreamEvent};

/// One policy decision, as the audit record keeps it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Decision {
    pub policy: &'static str,
    /// `allowed`, `redacted`, `withheld`, `blocked` or `logged`.
    pub action: &'static str,
    /// Entity or rule types with their counts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<(String, u32)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    /// Where the policy found what it acted on: zone and message index, with what it found
    /// there (at most [`MAX_HITS`]; `entities` always counts everything).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub found: Vec<Hit>,
}

impl Decision {
    /// A decision with nothing found yet.
    pub fn new(policy: &'static str, action: &'static str) -> Self {
        Self {
            policy,
            action,
            entities: Vec::new(),
            score: None,
            found: Vec::new(),
        }
    }
}

/// How many places one decision lists; a long conversation full of findings keeps its counts
/// but not every place.
pub const MAX_HITS: usize = 32;

/// What a policy found in one place (zone and message): entity or rule types with their
/// counts, and a score where the policy scores. Never a matched value.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Hit {
    #[serde(flatten)]
    pub spot: zone::Spot,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<(String, u32)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    /// How the place was read, where a policy reads one zone more than one way (prompt
    /// injection: a tool result as `data`, or as a project's `instructions` file), so an auditor
    /// can tell why the same words passed in one place and not in another.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reading: Option<&'static str>,
}

/// A configured policy. Implementations are pure and synchronous: anything that does I/O (the
/// audit writer) goes through a channel.
pub trait Policy: Send + Sync {
    fn name(&self) -> &'static str;

    /// Starts the policy's work on one request.
    fn start(self: Arc<Self>) -> Box<dyn PolicyRun>;

    /// Why this policy would act on `text`: rules, spans, scores (for `gw explain`; never on the
    /// request path).
    fn explain(&self, _text: &str) -> Vec<String> {
        Vec::new()
    }
}

/// One policy's work on one request.
pub trait PolicyRun: Send {
    /// Inspects or rewrites the request; `Err` blocks it before it reaches Bedrock.
    fn on_request(
        &mut self,
        req: &mut ChatRequest,
        decisions: &mut Vec<Decision>,
    ) -> Result<(), ApiError>;

    /// Inspects or rewrites a complete reply; `Err` replaces it with an error.
    fn on_response(
        &mut self,
        resp: &mut ChatResponse,
        decisions: &mut Vec<Decision>,
    ) -> Result<(), ApiError>;

    /// Sees one streamed event and pushes what should go on: the event, a rewrite, or nothing
    /// yet (held back, e.g. a possible match split across deltas). `Err` ends the stream.
    fn on_event(
        &mut self,
        event: StreamEvent,
        out: &mut Vec<StreamEvent>,
        _decisions: &mut Vec<Decision>,
    ) -> Result<(), ApiError> {
        out.push(event);
        Ok(())
    }

    /// The upstream stream ended: push anything still held back.
    fn finish_stream(
        &mut self,
        _out: &mut Vec<StreamEvent>,
        _decisions: &mut Vec<Decision>,
    ) -> Result<(), ApiError> {
        Ok(())
    }
}

/// The pack's chain, in order.
#[derive(Default)]
pub struct PolicyChain {
    policies: Vec<Arc<dyn Policy>>,
}

/// Why a chain could not be built from a pack.
#[derive(Debug, thiserror::Error)]
pub enum ChainBuildError {
    #[error(
        "policies.chain names `{0}`, which this build of gw does not enforce; remove it from the \
         chain or set `policies.policy.{0}.enabled: false` (gw never pretends to enforce a policy)"
    )]
    NotAvailable(&'static str),
    #[error("policies.policy.{policy}: {message}")]
    Invalid {
        policy: &'static str,
        message: String,
    },
}

impl PolicyChain {
    /// Builds the chain in pack order, with rule files resolved against `pack_dir`. A policy
    /// that is named but cannot be enforced is an error, never a no-op.
    pub fn build(cfg: &PoliciesConfig, pack_dir: &Path) -> Result<Self, ChainBuildError> {
        let mut policies: Vec<Arc<dyn Policy>> = Vec::new();
        let settings = &cfg.policy;
        for name in &cfg.chain {
            let policy: Arc<dyn Policy> = match name {
                PolicyName::PromptInjection => {
                    let mut c = settings_or_default(&settings.prompt_injection, *name)?;
                    c.rules = c.rules.map(|r| crate::config::rules::locate(&r, pack_dir));
                    if !c.enabled {
                        continue;
                    }
                    Arc::new(
                        injection::InjectionPolicy::from_config(&c, pack_dir)
                            .map_err(|m| invalid(*name, m))?,
                    )
                }
                PolicyName::SafetyFilter => {
                    let mut c = settings_or_default(&settings.safety_filter, *name)?;
                    c.rules = c.rules.map(|r| crate::config::rules::locate(&r, pack_dir));
                    if !c.enabled {
                        continue;
                    }
                    Arc::new(
                        safety::SafetyPolicy::from_config(&c, pack_dir)
                            .map_err(|m| invalid(*name, m))?,
                    )
                }
                PolicyName::PiiDetector => {
                    let mut c = settings_or_default(&settings.pii_detector, *name)?;
                    if !c.enabled {
                        continue;
                    }
                    c.rules = c.rules.map(|r| crate::config::rules::locate(&r, pack_dir));
                    Arc::new(
                        pii::PiiPolicy::from_config(&c, &cfg.allow, pack_dir)
                            .map_err(|m| invalid(*name, m))?,
                    )
                }
                // The audit logger configures the runtime's audit sink (see `runtime`); it has
                // nothing to enforce on the request itself.
                PolicyName::AuditLogger => continue,
            };
            policies.push(policy);
        }
        Ok(Self { policies })
    }

    /// A chain from already-built policies (tests, and the builder above once policies exist).
    pub fn from_policies(policies: Vec<Arc<dyn Policy>>) -> Self {
        Self { policies }
    }

    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// Every policy's explanation of `text`, prefixed with its name.
    pub fn explain(&self, text: &str) -> Vec<String> {
        self.policies
            .iter()
            .flat_map(|p| {
                p.explain(text)
                    .into_iter()
                    .map(move |l| format!("{}: {l}", p.name()))
            })
            .collect()
    }

    /// Starts the chain's work on one request.
    pub fn start(&self) -> ChainRun {
        ChainRun {
            runs: self.policies.iter().map(|p| p.clone().start()).collect(),
            decisions: Vec::new(),
            scratch: Vec::new(),
        }
    }
}

/// A policy's settings from the pack, or its defaults when the pack names it without settings.
fn settings_or_default<T: DeserializeOwned + Clone>(
    configured: &Option<T>,
    name: PolicyName,
) -> Result<T, ChainBuildError> {
    match configured {
        Some(c) => Ok(c.clone()),
        None => {
            serde_json::from_value(serde_json::json!({})).map_err(|e| invalid(name, e.to_string()))
        }
    }
}

fn invalid(name: PolicyName, message: String) -> ChainBuildError {
    ChainBuildError::Invalid {
        policy: name.as_str(),
        message,
    }
}

/// The chain's work on one request: every policy's run plus the decisions so far.
pub struct ChainRun {
    runs: Vec<Box<dyn PolicyRun>>,
    decisions: Vec<Decision>,
    scratch: Vec<StreamEvent>,
}

impl ChainRun {
    /// Runs the request through every policy in chain order; the first block wins.
    pub fn on_request(&mut self, req: &mut ChatRequest) -> Result<(), ApiError> {
        let decisions = &mut self.decisions;
        self.runs
            .iter_mut()
            .try_for_each(|r| r.on_request(req, decisions))
    }

    /// Runs the reply through every policy in reverse chain order; the first block wins.
    pub fn on_response(&mut self, resp: &mut ChatResponse) -> Result<(), ApiError> {
        let decisions = &mut self.decisions;
        self.runs
            .iter_mut()
            .rev()
            .try_for_each(|r| r.on_response(resp, decisions))
    }

    /// Passes one upstream event through every policy (reverse chain order) and pushes what the
    /// client should get now. With no policies this is a plain push.
    pub fn on_event(
        &mut self,
        event: StreamEvent,
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), ApiError> {
        if self.runs.is_empty() {
            out.push(event);
            return Ok(());
        }
        let mut current = vec![event];
        for run in self.runs.iter_mut().rev() {
            self.scratch.clear();
            for ev in current.drain(..) {
                run.on_event(ev, &mut self.scratch, &mut self.decisions)?;
            }
            std::mem::swap(&mut current, &mut self.scratch);
        }
        out.append(&mut current);
        Ok(())
    }

    /// The upstream ended: flushes what each policy held back, through the policies after it.
    pub fn finish_stream(&mut self, out: &mut Vec<StreamEvent>) -> Result<(), ApiError> {
        let n = self.runs.len();
        let mut carried: Vec<StreamEvent> = Vec::new();
        for i in (0..n).rev() {
            let mut next = Vec::new();
            for ev in carried.drain(..) {
                self.runs[i].on_event(ev, &mut next, &mut self.decisions)?;
            }
            self.runs[i].finish_stream(&mut next, &mut self.decisions)?;
            carried = next;
        }
        out.append(&mut carried);
        Ok(())
    }

    /// The decisions made so far, for the audit record.
    pub fn take_decisions(&mut self) -> Vec<Decision> {
        std::mem::take(&mut self.decisions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Message, Part, Role};

    /// Upper-cases text and records what it did; holds stream text back until the end.
    struct Shout;
    struct ShoutRun {
        held: String,
    }

    impl Policy for Shout {
        fn name(&self) -> &'static str {
            "shout"
        }
        fn start(self: Arc<Self>) -> Box<dyn PolicyRun> {
            Box::new(ShoutRun {
                held: String::new(),
            })
        }
    }

    impl PolicyRun for ShoutRun {
        fn on_request(
            &mut self,
            req: &mut ChatRequest,
            d: &mut Vec<Decision>,
        ) -> Result<(), ApiError> {
            for m in &mut req.messages {
                for p in &mut m.content {
                    if let Part::Text(t) = p {
                        if t.contains("forbidden") {
                            return Err(ApiError::invalid_request("blocked").with_code("shout"));
                        }
                        *t = t.to_uppercase();
                    }
                }
            }
            d.push(Decision {
                policy: "shout",
                action: "redacted",
                entities: vec![],
                score: None,
                found: Vec::new(),
            });
            Ok(())
        }
        fn on_response(
            &mut self,
            _resp: &mut ChatResponse,
            _d: &mut Vec<Decision>,
        ) -> Result<(), ApiError> {
            Ok(())
        }
        fn on_event(
            &mut self,
            ev: StreamEvent,
            out: &mut Vec<StreamEvent>,
            _d: &mut Vec<Decision>,
        ) -> Result<(), ApiError> {
            match ev {
                StreamEvent::TextDelta { text, .. } => self.held.push_str(&text),
                other => out.push(other),
            }
            Ok(())
        }
        fn finish_stream(
            &mut self,
            out: &mut Vec<StreamEvent>,
            _d: &mut Vec<Decision>,
        ) -> Result<(), ApiError> {
            out.push(StreamEvent::TextDelta {
                index: 0,
                text: self.held.to_uppercase(),
            });
            Ok(())
        }
    }

    fn req(text: &str) -> ChatRequest {
        ChatRequest {
            messages: vec![Message {
                role: Role::User,
                content: vec![Part::Text(text.into())],
            }],
            ..ChatRequest::default()
        }
    }

    #[test]
    fn request_rewrite_block_and_decisions() {
        let chain = PolicyChain::from_policies(vec![Arc::new(Shout)]);
        let mut run = chain.start();
        let mut r = req("hello");
        run.on_request(&mut r).unwrap();
        assert_eq!(r.messages[0].content[0], Part::Text("HELLO".into()));
        assert_eq!(run.take_decisions().len(), 1);
        let err = chain.start().on_request(&mut req("forbidden")).unwrap_err();
        assert_eq!(err.code.as_deref(), Some("shout"));
    }

    #[test]
    fn stream_hold_back_and_flush() {
        let chain = PolicyChain::from_policies(vec![Arc::new(Shout), Arc::new(Shout)]);
        let mut run = chain.start();
        let mut out = Vec::new();
        run.on_event(
            StreamEvent::TextDelta {
                index: 0,
                text: "ab".into(),
            },
            &mut out,
        )
        .unwrap();
        run.on_event(
            StreamEvent::TextDelta {
                index: 0,
                text: "cd".into(),
            },
            &mut out,
        )
        .unwrap();
        assert!(out.is_empty(), "held back");
        run.finish_stream(&mut out).unwrap();
        assert_eq!(
            out,
            vec![StreamEvent::TextDelta {
                index: 0,
                text: "ABCD".into()
            }]
        );
    }

    #[test]
    fn empty_chain_passes_events_through() {
        let mut run = PolicyChain::default().start();
        let mut out = Vec::new();
        run.on_event(StreamEvent::MessageStart, &mut out).unwrap();
        run.finish_stream(&mut out).unwrap();
        assert_eq!(out, vec![StreamEvent::MessageStart]);
    }
}
