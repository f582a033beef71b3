//! The policy chain: what runs around every Bedrock call.
//!
//! A policy sees the neutral request before it leaves gw and the reply before it reaches the
//! client, and either lets it pass (possibly rewritten) or blocks it with a reason. The chain is
//! built once per pack load. Every decision is recorded (policy, action, counts; never raw values)
//! for the audit record, metrics and traces.

use crate::config::pack::{PoliciesConfig, PolicyName};
use crate::error::ApiError;
use crate::ir::{ChatRequest, ChatResponse};

/// One policy decision, as the audit record keeps it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Decision {
    pub policy: &'static str,
    /// `allowed`, `redacted`, `blocked` or `logged`.
    pub action: &'static str,
    /// Entity or rule types with their counts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<(String, u32)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
}

/// A policy in the chain. Implementations are pure and synchronous: anything that does I/O
/// (the audit writer) goes through a channel.
pub trait Policy: Send + Sync {
    fn name(&self) -> &'static str;

    /// Inspects or rewrites the request; `Err` blocks it before it reaches Bedrock.
    fn on_request(
        &self,
        req: &mut ChatRequest,
        decisions: &mut Vec<Decision>,
    ) -> Result<(), ApiError>;

    /// Inspects or rewrites a complete reply; `Err` replaces it with an error.
    fn on_response(
        &self,
        resp: &mut ChatResponse,
        decisions: &mut Vec<Decision>,
    ) -> Result<(), ApiError>;
}

/// The pack's chain, in order.
#[derive(Default)]
pub struct PolicyChain {
    policies: Vec<Box<dyn Policy>>,
}

/// Why a chain could not be built from a pack.
#[derive(Debug, thiserror::Error)]
#[error(
    "policies.chain names `{0}`, which this build of gw does not enforce yet; remove it from the \
     chain or set `policies.policy.{0}.enabled: false` (gw never pretends to enforce a policy)"
)]
pub struct ChainBuildError(pub &'static str);

impl PolicyChain {
    /// Builds the chain. A policy that is named but cannot be enforced is an error, never a no-op.
    pub fn build(cfg: &PoliciesConfig) -> Result<Self, ChainBuildError> {
        let policies: Vec<Box<dyn Policy>> = Vec::new();
        for name in &cfg.chain {
            let settings = &cfg.policy;
            let enabled = match name {
                PolicyName::PromptInjection => {
                    settings.prompt_injection.as_ref().is_none_or(|p| p.enabled)
                }
                PolicyName::PiiDetector => settings.pii_detector.as_ref().is_none_or(|p| p.enabled),
                PolicyName::SafetyFilter => {
                    settings.safety_filter.as_ref().is_none_or(|p| p.enabled)
                }
                PolicyName::AuditLogger => settings.audit_logger.as_ref().is_none_or(|p| p.enabled),
            };
            if enabled {
                return Err(ChainBuildError(name.as_str()));
            }
        }
        Ok(Self { policies })
    }

    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// Runs every policy on the request, in order; the first block wins.
    pub fn on_request(
        &self,
        req: &mut ChatRequest,
        decisions: &mut Vec<Decision>,
    ) -> Result<(), ApiError> {
        self.policies
            .iter()
            .try_for_each(|p| p.on_request(req, decisions))
    }

    /// Runs every policy on the reply, in order; the first block wins.
    pub fn on_response(
        &self,
        resp: &mut ChatResponse,
        decisions: &mut Vec<Decision>,
    ) -> Result<(), ApiError> {
        self.policies
            .iter()
            .try_for_each(|p| p.on_response(resp, decisions))
    }
}
