//! A target ready to call: what routing walks over.
//!
//! Why it exists here: the router tries targets, checks their breakers, limits and retry
//! settings; the runtime only builds them. Keeping the type with its user keeps the layers
//! pointing down (runtime builds routing's targets; routing never reaches back up).

use std::sync::Arc;

use crate::access::TargetAccess;
use crate::provider::Provider;

use super::TargetState;
use super::settings::{RetrySettings, TargetSpec};

/// A target ready to call.
pub struct TargetRuntime {
    pub spec: TargetSpec,
    pub provider: Arc<dyn Provider>,
    pub retry: RetrySettings,
    /// Circuit breaker and in-flight count, shared with streams still open and the probe task.
    pub state: Arc<TargetState>,
    /// The target's rate limiter and price.
    pub access: TargetAccess,
}
