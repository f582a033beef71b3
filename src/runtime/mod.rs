//! The runtime: one loaded pack, built into everything a request needs (SDK clients, routes,
//! the policy chain, the audit sink), immutable once built.
//!
//! A request takes one snapshot at its start and finishes on it, so a reload can swap in a new
//! runtime without ever mixing two packs in one request.

mod compile;
mod env;
mod gateway;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::access::store::CounterStore;
use crate::access::{Access, TargetAccess};
use crate::audit::{AuditSink, ContentCapture, OpenError};
use crate::config::LoadedPack;
use crate::error::{ApiError, ErrorKind};
use crate::policy::PolicyChain;
use crate::provider::bedrock::BedrockProvider;
use crate::provider::bedrock::batch::BatchStore;
use crate::provider::bedrock::client;
use crate::routing::probe::{self, ProbeTask};
use crate::routing::{Route, StrategyKind, TargetState, build_strategy};
use crate::telemetry::{LabelSets, ObservedSink};

pub use crate::routing::TargetRuntime;
/// A target's breaker state, as `/readyz` and `/metrics` show it.
pub use crate::routing::breaker::BreakerState;
pub use env::{BuildEnv, EmulatorStarter};
pub use gateway::{Gateway, ReloadState, ReloadStatus};

/// The literal `base_url` that means "gw's built-in emulator".
pub const EMULATOR_BASE_URL: &str = "emulator";

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
    /// Where `access` keeps its counters (shared with the next runtime when unchanged).
    pub counters: Arc<dyn CounterStore>,
    pub audit: Arc<dyn AuditSink>,
    /// What of prompts and replies audit records keep (`include_content`); `None` keeps nothing.
    pub content: Option<Arc<ContentCapture>>,
    /// When this runtime was built (Unix seconds), shown as the models' `created`.
    pub loaded_unix: u64,
    /// Batch inference plumbing (S3 + Bedrock control plane) of the targets with a `batch`
    /// section, by target id.
    pub batch: HashMap<String, Arc<BatchStore>>,
    /// Health-probe loops of targets with `health_probe`; they stop with this runtime.
    _probes: Vec<ProbeTask>,
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
    Audit(#[from] OpenError),
    #[error("audit-logger.include_content: {0}")]
    Content(String),
    #[error(transparent)]
    Key(#[from] crate::access::keys::KeyError),
    #[error("{0}")]
    Limits(String),
    #[error(transparent)]
    Store(crate::access::store::StoreDown),
}

impl Runtime {
    /// Builds the runtime for a validated pack: one SDK client per target, the routes, the chain.
    pub async fn build(loaded: LoadedPack, env: &BuildEnv) -> Result<Self, BuildError> {
        Self::rebuild(loaded, env, None).await
    }

    /// [`Runtime::build`], reusing what survives a reload: the SDK client, breaker state and
    /// in-flight count of every target whose settings did not change, and the rate and spend
    /// counters of keys and targets whose limits did not change (see `Access::build`).
    pub async fn rebuild(
        loaded: LoadedPack,
        env: &BuildEnv,
        previous: Option<&Runtime>,
    ) -> Result<Self, BuildError> {
        let pack = &loaded.pack;
        let chain = PolicyChain::build(&pack.policies, &loaded.pack_dir())?;
        let audit = env.audit_for(&pack.policies)?;
        let content = ContentCapture::from_pack(pack)
            .map_err(BuildError::Content)?
            .map(Arc::new);
        let store_spec = compile::store(pack, &loaded.pack_dir()).map_err(BuildError::Limits)?;
        let counters = env.counters(&store_spec)?;
        // Counters carry over a reload only within one store.
        let counted = previous.filter(|p| Arc::ptr_eq(&p.counters, &counters));
        let store = counters.as_ref();
        let access = Access::build(
            &compile::keys(pack),
            compile::targets_count_tokens(pack),
            store,
            compile::store_failure(pack),
            counted.map(|p| &p.access),
        )?;
        let mut targets = Vec::with_capacity(pack.providers.targets.len());
        let breaker = compile::breaker(&pack.providers.circuit_breaker);
        for spec in &pack.providers.targets {
            let old_access = counted
                .and_then(|p| p.targets.iter().find(|t| t.spec.id == spec.id))
                .map(|t| &t.access);
            let target_access = TargetAccess::build(
                &spec.id,
                spec.rate_limit.as_ref().map(compile::rate_limits),
                compile::price(spec),
                store,
                old_access,
            );
            let retry = compile::retry(spec, &pack.providers.retry);
            // A target whose pack entry is unchanged keeps its client and breaker across a
            // reload (the runtime's targets are in the pack's order).
            let kept = previous.and_then(|p| {
                let i = p
                    .loaded
                    .pack
                    .providers
                    .targets
                    .iter()
                    .position(|t| t == spec)?;
                p.targets.get(i)
            });
            if let Some(old) = kept {
                targets.push(TargetRuntime {
                    spec: old.spec.clone(),
                    provider: old.provider.clone(),
                    retry,
                    state: old.state.clone(),
                    access: target_access,
                });
                continue;
            }
            let emu = if spec.base_url.as_deref() == Some(EMULATOR_BASE_URL) {
                Some(env.emulator().await?.clone())
            } else {
                None
            };
            let sdk = client::build(spec, emu.as_ref()).await?;
            targets.push(TargetRuntime {
                spec: compile::target_spec(spec),
                provider: Arc::new(BedrockProvider::new(sdk, spec)),
                retry,
                state: TargetState::new(spec.max_concurrency, &breaker),
                access: target_access,
            });
        }
        let mut batch = HashMap::new();
        for spec in pack.providers.targets.iter().filter(|t| t.batch.is_some()) {
            let unchanged = previous.and_then(|p| {
                p.loaded
                    .pack
                    .providers
                    .targets
                    .iter()
                    .any(|t| t == spec)
                    .then(|| p.batch.get(&spec.id).cloned())
                    .flatten()
            });
            let store = match unchanged {
                Some(s) => s,
                None => {
                    let emu = if spec.base_url.as_deref() == Some(EMULATOR_BASE_URL) {
                        Some(env.emulator().await?.clone())
                    } else {
                        None
                    };
                    match BatchStore::build(spec, emu.as_ref()).await? {
                        Some(s) => Arc::new(s),
                        None => continue,
                    }
                }
            };
            batch.insert(spec.id.clone(), store);
        }
        let probes = targets
            .iter()
            .zip(&pack.providers.targets)
            .filter_map(|(t, spec)| {
                let every = Duration::from_secs(spec.health_probe.as_ref()?.interval_seconds);
                let timeout = t.spec.timeout.min(every);
                Some(probe::spawn(
                    t.provider.clone(),
                    t.state.clone(),
                    every,
                    timeout,
                ))
            })
            .collect();
        let routes = build_routes(&loaded, &targets);
        let mut model_names: Vec<String> = routes.keys().cloned().collect();
        model_names.sort();
        let metrics = pack.telemetry.metrics.then(|| env.metrics.clone());
        let labels = LabelSets::new(model_names.clone());
        let audit: Arc<dyn AuditSink> = Arc::new(ObservedSink::new(audit, metrics, labels));
        Ok(Self {
            loaded,
            targets,
            routes,
            model_names,
            chain,
            access,
            counters,
            audit,
            content,
            loaded_unix: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            batch,
            _probes: probes,
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
                    "model `{}` does not exist on this gateway; available models: `{known}`",
                    crate::bounded::bounded(model)
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
    let deadline = |idxs: &[usize]| match pack.providers.deadline_seconds {
        Some(secs) => Duration::from_secs(secs),
        None => idxs
            .iter()
            .map(|i| targets[*i].spec.timeout)
            .max()
            .unwrap_or(Duration::from_secs(60)),
    };
    let mut routes = HashMap::new();
    let mut by_model: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, t) in targets.iter().enumerate() {
        by_model.entry(t.spec.model.as_str()).or_default().push(i);
        routes.insert(
            t.spec.id.clone(),
            Route {
                strategy: build_strategy(StrategyKind::Single, vec![t.spec.weight]),
                targets: vec![i],
                deadline: deadline(&[i]),
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
                strategy: build_strategy(compile::strategy(pack.providers.strategy), weights),
                deadline: deadline(&idxs),
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
                strategy: build_strategy(compile::strategy(route.strategy), weights),
                deadline: deadline(&idxs),
                targets: idxs,
            },
        );
    }
    routes
}
