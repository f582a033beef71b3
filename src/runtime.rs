//! The runtime: one loaded pack, built into everything a request needs (SDK clients, routes,
//! the policy chain, the audit sink), immutable once built.
//!
//! A request takes one snapshot at its start and finishes on it, so a reload can swap in a new
//! runtime without ever mixing two packs in one request.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::OnceCell;

use crate::access::store::{CounterStore, MemoryStore};
use crate::access::{Access, TargetAccess};
use crate::audit::{AuditSink, LogSink};
use crate::config::LoadedPack;
use crate::config::pack::{RetryConfig, Target};
use crate::emulator::{self, EmulatorConfig, EmulatorHandle};
use crate::error::{ApiError, ErrorKind};
use crate::policy::PolicyChain;
use crate::provider::Provider;
use crate::provider::bedrock::BedrockProvider;
use crate::provider::bedrock::client::{self, EmulatorEndpoint};
use crate::routing::{Route, build_strategy};

/// The literal `base_url` that means "gw's built-in emulator".
pub const EMULATOR_BASE_URL: &str = "emulator";

/// A target ready to call.
pub struct TargetRuntime {
    pub spec: Target,
    pub provider: Arc<dyn Provider>,
    pub retry: RetryConfig,
    /// The target's rate limiter and price.
    pub access: TargetAccess,
}

/// Everything one pack version needs at request time.
pub struct Runtime {
    pub loaded: LoadedPack,
    pub targets: Vec<TargetRuntime>,
    routes: HashMap<String, Route>,
    /// Every name a client may send as `model`, sorted.
    pub model_names: Vec<String>,
    pub chain: PolicyChain,
    /// Client keys with their limits and budgets.
    pub access: Access,
    pub audit: Arc<dyn AuditSink>,
    /// When this runtime was built (Unix seconds), shown as the models' `created`.
    pub loaded_unix: u64,
}

/// Process-wide things runtimes share across reloads: the in-process emulator (started at most
/// once) and where audit records go.
pub struct BuildEnv {
    emulator: OnceCell<EmulatorHandle>,
    audit: Arc<dyn AuditSink>,
    /// Where rate-limit and spend counters live (per process unless replaced).
    counters: Arc<dyn CounterStore>,
}

impl Default for BuildEnv {
    fn default() -> Self {
        Self::with_audit(Arc::new(LogSink))
    }
}

/// Why a validated pack could not be made live.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Client(#[from] client::ClientBuildError),
    #[error(transparent)]
    Chain(#[from] crate::policy::ChainBuildError),
    #[error("could not start the built-in Bedrock emulator: {0}")]
    Emulator(std::io::Error),
    #[error(transparent)]
    Key(#[from] crate::access::keys::KeyError),
}

impl BuildEnv {
    /// An environment whose runtimes send audit records to `audit`.
    pub fn with_audit(audit: Arc<dyn AuditSink>) -> Self {
        Self {
            emulator: OnceCell::new(),
            audit,
            counters: Arc::new(MemoryStore),
        }
    }

    /// This environment with its counters in `store` (a shared store for several replicas).
    pub fn with_counters(mut self, store: Arc<dyn CounterStore>) -> Self {
        self.counters = store;
        self
    }

    /// The in-process emulator, started on first use on a free loopback port.
    pub async fn emulator(&self) -> Result<&EmulatorHandle, BuildError> {
        self.emulator
            .get_or_try_init(|| async {
                let addr = SocketAddr::from(([127, 0, 0, 1], 0));
                emulator::start(EmulatorConfig::default(), addr).await
            })
            .await
            .map_err(BuildError::Emulator)
    }
}

impl Runtime {
    /// Builds the runtime for a validated pack: one SDK client per target, the routes, the chain.
    pub async fn build(loaded: LoadedPack, env: &BuildEnv) -> Result<Self, BuildError> {
        Self::rebuild(loaded, env, None).await
    }

    /// [`Runtime::build`], reusing what survives a reload: the SDK client of every target whose
    /// settings did not change, and the rate and spend counters of keys and targets whose limits
    /// did not change (see `Access::build`).
    pub async fn rebuild(
        loaded: LoadedPack,
        env: &BuildEnv,
        previous: Option<&Runtime>,
    ) -> Result<Self, BuildError> {
        let pack = &loaded.pack;
        let chain = PolicyChain::build(&pack.policies)?;
        let store = env.counters.as_ref();
        let access = Access::build(pack, store, previous.map(|p| &p.access))?;
        let mut targets = Vec::with_capacity(pack.providers.targets.len());
        for spec in &pack.providers.targets {
            let old_access = previous
                .and_then(|p| p.targets.iter().find(|t| t.spec.id == spec.id))
                .map(|t| &t.access);
            let target_access = TargetAccess::build(spec, store, old_access);
            let kept = previous.and_then(|p| p.targets.iter().find(|t| t.spec == *spec));
            if let Some(old) = kept {
                targets.push(TargetRuntime {
                    spec: spec.clone(),
                    provider: old.provider.clone(),
                    retry: spec
                        .retry
                        .clone()
                        .unwrap_or_else(|| pack.providers.retry.clone()),
                    access: target_access,
                });
                continue;
            }
            let emu = if spec.base_url.as_deref() == Some(EMULATOR_BASE_URL) {
                let handle = env.emulator().await?;
                Some(EmulatorEndpoint {
                    url: handle.endpoint_url(),
                    access_key_id: emulator::ACCESS_KEY_ID.into(),
                    secret_access_key: emulator::SECRET_ACCESS_KEY.into(),
                })
            } else {
                None
            };
            let sdk = client::build(spec, emu.as_ref()).await?;
            targets.push(TargetRuntime {
                spec: spec.clone(),
                provider: Arc::new(BedrockProvider::new(sdk, spec)),
                retry: spec
                    .retry
                    .clone()
                    .unwrap_or_else(|| pack.providers.retry.clone()),
                access: target_access,
            });
        }
        let routes = build_routes(&loaded, &targets);
        let mut model_names: Vec<String> = routes.keys().cloned().collect();
        model_names.sort();
        Ok(Self {
            loaded,
            targets,
            routes,
            model_names,
            chain,
            access,
            audit: env.audit.clone(),
            loaded_unix: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
        })
    }

    /// The pack's name and version, for records and headers.
    pub fn pack_id(&self) -> (&str, &str) {
        (&self.loaded.pack.pack.name, &self.loaded.pack.pack.version)
    }

    /// The route for a client-facing model name, or a 404 that lists the names that exist.
    pub fn route(&self, model: &str) -> Result<&Route, ApiError> {
        self.routes.get(model).ok_or_else(|| {
            let mut known = self.model_names.join("`, `");
            if known.len() > 600 {
                known.truncate(600);
                known.push('…');
            }
            ApiError::new(
                axum::http::StatusCode::NOT_FOUND,
                ErrorKind::NotFound,
                format!(
                    "model `{model}` does not exist on this gateway; available models: `{known}`"
                ),
            )
            .with_param("model")
            .with_code("model_not_found")
        })
    }
}

/// Every name a client may send: each target id (that target alone), each Bedrock model id that
/// a target serves (those targets, under `providers.strategy`), and each alias in `models`
/// (which wins over the other two).
fn build_routes(loaded: &LoadedPack, targets: &[TargetRuntime]) -> HashMap<String, Route> {
    let pack = &loaded.pack;
    let index: HashMap<&str, usize> = targets
        .iter()
        .enumerate()
        .map(|(i, t)| (t.spec.id.as_str(), i))
        .collect();
    let mut routes = HashMap::new();
    let mut by_model: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, t) in targets.iter().enumerate() {
        by_model.entry(t.spec.model.as_str()).or_default().push(i);
        routes.insert(
            t.spec.id.clone(),
            Route {
                strategy: build_strategy(
                    crate::config::pack::Strategy::Single,
                    vec![t.spec.weight],
                ),
                targets: vec![i],
            },
        );
    }
    for (model, idxs) in by_model {
        if routes.contains_key(model) {
            continue;
        }
        let weights = idxs.iter().map(|i| targets[*i].spec.weight).collect();
        routes.insert(
            model.to_string(),
            Route {
                strategy: build_strategy(pack.providers.strategy, weights),
                targets: idxs,
            },
        );
    }
    for (alias, route) in &pack.models {
        let idxs: Vec<usize> = route
            .targets
            .iter()
            .filter_map(|t| index.get(t.as_str()).copied())
            .collect();
        let weights = idxs.iter().map(|i| targets[*i].spec.weight).collect();
        routes.insert(
            alias.clone(),
            Route {
                strategy: build_strategy(route.strategy, weights),
                targets: idxs,
            },
        );
    }
    routes
}
