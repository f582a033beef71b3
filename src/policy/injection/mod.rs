//! The prompt-injection policy: scores untrusted request text and blocks or logs injections.
//!
//! Why it exists: a gateway is the one place every prompt passes, so it is where instruction
//! overrides, persona jailbreaks, system-prompt extraction and indirect injections hidden in tool
//! results or documents can be stopped before they reach Bedrock. The scorer is built once per
//! pack load; a request costs one score per untrusted text.

mod decode;
mod eval;
mod features;
mod leet;
mod model;
mod pattern;
mod scorer;
mod signatures;
mod text;
mod untrusted;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

pub use eval::{Counts, EvalReport, evaluate};
pub use scorer::{BUILTIN_MODEL, BUILTIN_SIGNATURES, DEFAULT_THRESHOLD, InjectionScorer, Score};

pub(crate) use text::fold;
pub(crate) use untrusted::for_each_untrusted_text;

use crate::config::pack::{Action, PromptInjectionConfig};
use crate::error::ApiError;
use crate::ir::{ChatRequest, ChatResponse};
use crate::policy::{Decision, Policy, PolicyRun};

const NAME: &str = "prompt-injection";

/// The configured prompt-injection policy (`name()` = `prompt-injection`).
#[derive(Debug)]
pub struct InjectionPolicy {
    scorer: InjectionScorer,
    threshold: f32,
    block: bool,
}

impl InjectionPolicy {
    /// Builds the policy from the pack: the shipped signatures plus the pack's `rules:` file
    /// (resolved against `pack_dir`), the threshold and the action (`block` or `log`).
    pub fn from_config(cfg: &PromptInjectionConfig, pack_dir: &Path) -> Result<Self, String> {
        let block = match cfg.action {
            Action::Block => true,
            Action::Log => false,
            Action::Redact => {
                return Err(
                    "prompt-injection: action `redact` is not supported; use `block` or `log`"
                        .into(),
                );
            }
        };
        let extra = match &cfg.rules {
            Some(file) => {
                let path = pack_dir.join(file);
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    format!(
                        "prompt-injection: cannot read rules `{}`: {e}",
                        path.display()
                    )
                })?;
                Some((file.as_str(), text))
            }
            None => None,
        };
        let mut files = vec![("builtin", BUILTIN_SIGNATURES)];
        if let Some((name, text)) = &extra {
            files.push((name, text.as_str()));
        }
        let scorer = InjectionScorer::new(&files, BUILTIN_MODEL)
            .map_err(|e| format!("prompt-injection: {e}"))?;
        Ok(Self::with_scorer(scorer, cfg.threshold as f32, block))
    }

    /// A policy around an existing scorer (tests, benchmarks, custom builds).
    pub fn with_scorer(scorer: InjectionScorer, threshold: f32, block: bool) -> Self {
        Self {
            scorer,
            threshold,
            block,
        }
    }

    /// The scorer, for evaluation and diagnostics.
    pub fn scorer(&self) -> &InjectionScorer {
        &self.scorer
    }
}

impl Policy for InjectionPolicy {
    fn name(&self) -> &'static str {
        NAME
    }

    fn start(self: Arc<Self>) -> Box<dyn PolicyRun> {
        Box::new(InjectionRun { policy: self })
    }

    fn explain(&self, text: &str) -> Vec<String> {
        let score = self.scorer.score(text);
        let rules: Vec<&str> = score.rules.iter().map(|r| &**r).collect();
        vec![format!(
            "score {:.2} (threshold {:.2}, {}); signatures fired: {}",
            score.value,
            self.threshold,
            if score.value >= self.threshold {
                "counts as an injection"
            } else {
                "below the threshold"
            },
            if rules.is_empty() {
                "none".to_string()
            } else {
                rules.join(", ")
            }
        )]
    }
}

/// One request's check; the policy is stateless per request.
struct InjectionRun {
    policy: Arc<InjectionPolicy>,
}

impl PolicyRun for InjectionRun {
    fn on_request(
        &mut self,
        req: &mut ChatRequest,
        decisions: &mut Vec<Decision>,
    ) -> Result<(), ApiError> {
        let p = &self.policy;
        let mut max = None::<f32>;
        let mut flagged_rules: BTreeMap<Arc<str>, u32> = BTreeMap::new();
        let mut all_rules: BTreeMap<Arc<str>, u32> = BTreeMap::new();
        for_each_untrusted_text(req, |text| {
            let s = p.scorer.score(&text);
            max = Some(max.map_or(s.value, |m| m.max(s.value)));
            for r in s.rules {
                if s.value >= p.threshold {
                    *flagged_rules.entry(r.clone()).or_default() += 1;
                }
                *all_rules.entry(r).or_default() += 1;
            }
        });
        let Some(score) = max else {
            return Ok(());
        };
        let hit = score >= p.threshold;
        let action = match (hit, p.block) {
            (false, _) => "allowed",
            (true, true) => "blocked",
            (true, false) => "logged",
        };
        decisions.push(Decision {
            policy: NAME,
            action,
            entities: all_rules.iter().map(|(r, n)| (r.to_string(), *n)).collect(),
            score: Some(score),
        });
        if hit && p.block {
            let rules = if flagged_rules.is_empty() {
                "none; the learned model alone".to_string()
            } else {
                flagged_rules
                    .keys()
                    .map(|r| format!("`{r}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Err(ApiError::invalid_request(format!(
                "the request was blocked as a likely prompt injection (score {score:.2}, \
                 threshold {:.2}; rules: {rules}); rephrase it without instructions aimed at the \
                 model, or ask the gateway operator to review the prompt-injection policy",
                p.threshold
            ))
            .with_code(NAME));
        }
        Ok(())
    }

    fn on_response(
        &mut self,
        _resp: &mut ChatResponse,
        _decisions: &mut Vec<Decision>,
    ) -> Result<(), ApiError> {
        Ok(())
    }
}
