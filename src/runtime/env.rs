//! `BuildEnv`: what runtimes share across reloads (the audit file sinks, the counter store and
//! its connection, the metrics) and where the built-in emulator comes from.
//!
//! Why it exists apart: the request path never starts the emulator. The CLI (or a test) says how
//! to reach one, and a pack whose targets say `base_url: emulator` gets that endpoint.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use futures_util::future::BoxFuture;
use tokio::sync::OnceCell;

use crate::access::StoreSpec;
use crate::access::store::{CounterStore, MemoryStore, RedisStore, StoreObserver};
use crate::audit::{AuditSink, FileSink, FileSinkConfig, LogOnlySink};
use crate::config::pack::{PoliciesConfig, PolicyName};
use crate::provider::bedrock::client::EmulatorEndpoint;
use crate::telemetry::Metrics;

use super::BuildError;

/// Starts gw's built-in emulator and says how to reach it (given by the CLI, which alone may
/// import the emulator).
pub type EmulatorStarter =
    Arc<dyn Fn() -> BoxFuture<'static, std::io::Result<EmulatorEndpoint>> + Send + Sync>;

/// Process-wide things runtimes share across reloads: the built-in emulator's endpoint (started
/// at most once, by the starter the CLI gives) and where audit records go. Audit file sinks are
/// opened once per directory and shared by every runtime built here, because two writers on one
/// directory would fork its chain.
pub struct BuildEnv {
    emulator: OnceCell<EmulatorEndpoint>,
    starter: Option<EmulatorStarter>,
    audit: Arc<dyn AuditSink>,
    /// `true` when `audit` was given by `with_audit`: it then wins over the pack's audit-logger.
    audit_fixed: bool,
    files: Mutex<HashMap<PathBuf, Arc<FileSink>>>,
    /// Every store made, with the settings it was made from: a reload that keeps the settings
    /// keeps the store (its connection and counts), and so does a failed reload undone.
    counters: Mutex<Vec<(StoreSpec, Arc<dyn CounterStore>)>>,
    /// The Prometheus metrics; they outlive reloads.
    pub metrics: Arc<Metrics>,
}

impl Default for BuildEnv {
    fn default() -> Self {
        Self {
            emulator: OnceCell::new(),
            starter: None,
            audit: Arc::new(LogOnlySink),
            audit_fixed: false,
            files: Mutex::new(HashMap::new()),
            counters: Mutex::new(vec![(StoreSpec::Memory, Arc::new(MemoryStore))]),
            metrics: Arc::new(Metrics::new()),
        }
    }
}

impl BuildEnv {
    /// An environment whose runtimes send audit records to `audit`.
    pub fn with_audit(audit: Arc<dyn AuditSink>) -> Self {
        Self {
            emulator: OnceCell::new(),
            starter: None,
            audit,
            audit_fixed: true,
            files: Mutex::new(HashMap::new()),
            counters: Mutex::new(vec![(StoreSpec::Memory, Arc::new(MemoryStore))]),
            metrics: Arc::new(Metrics::new()),
        }
    }

    /// The sink a pack's records go to: the `with_audit` override if there is one, else the
    /// audit-logger's file sink when the chain has it enabled, else the log line.
    pub fn audit_for(&self, policies: &PoliciesConfig) -> Result<Arc<dyn AuditSink>, BuildError> {
        if self.audit_fixed || !policies.chain.contains(&PolicyName::AuditLogger) {
            return Ok(self.audit.clone());
        }
        let cfg = policies.policy.audit_logger.clone().unwrap_or_else(|| {
            crate::config::pack::AuditConfig {
                enabled: true,
                path: "./audit".into(),
                retention_days: None,
                immutable: false,
                log_all_access: true,
                include_content: Default::default(),
                fsync: Default::default(),
                fsync_interval_ms: 100,
                on_backpressure: None,
                queue_capacity: 8192,
                max_file_bytes: 256 * 1024 * 1024,
            }
        });
        if !cfg.enabled {
            return Ok(self.audit.clone());
        }
        let sink_cfg = FileSinkConfig::from_pack(&cfg);
        let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(open) = files.get(&sink_cfg.dir) {
            return Ok(open.clone());
        }
        let sink = Arc::new(FileSink::open(sink_cfg.clone())?);
        files.insert(sink_cfg.dir, sink.clone());
        Ok(sink)
    }

    /// Writes and fsyncs every queued audit record (call before the process exits).
    pub fn flush_audit(&self) {
        self.audit.flush();
        let files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        for sink in files.values() {
            sink.flush();
        }
    }

    /// The store for `spec`: the current one when its settings are unchanged, else a new one
    /// (a Redis store connects lazily, so this never waits for the network).
    pub(super) fn counters(&self, spec: &StoreSpec) -> Result<Arc<dyn CounterStore>, BuildError> {
        let mut made = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, store)) = made.iter().find(|(s, _)| s == spec) {
            return Ok(store.clone());
        }
        let store: Arc<dyn CounterStore> = match spec {
            StoreSpec::Memory => Arc::new(MemoryStore),
            StoreSpec::Redis(r) => {
                let observer: Arc<dyn StoreObserver> = self.metrics.clone();
                Arc::new(RedisStore::connect(r, Some(observer)).map_err(BuildError::Store)?)
            }
        };
        made.push((spec.clone(), store.clone()));
        Ok(store)
    }

    /// Sends every store's queued updates (settlements, spend) before the process exits.
    pub async fn flush_counters(&self) {
        let stores: Vec<Arc<dyn CounterStore>> = {
            let made = self.counters.lock().unwrap_or_else(|p| p.into_inner());
            made.iter().map(|(_, s)| s.clone()).collect()
        };
        for store in stores {
            if let Some(flush) = store.flush() {
                flush.await;
            }
        }
    }

    /// This environment reaching gw's built-in emulator at `endpoint` (a test's own emulator).
    pub fn with_emulator(self, endpoint: EmulatorEndpoint) -> Self {
        let _ = self.emulator.set(endpoint);
        self
    }

    /// This environment starting the built-in emulator with `starter` the first time a pack
    /// names `base_url: emulator` (what `gw run` does).
    pub fn with_emulator_starter(mut self, starter: EmulatorStarter) -> Self {
        self.starter = Some(starter);
        self
    }

    /// The built-in emulator's endpoint, started on first use.
    pub(super) async fn emulator(&self) -> Result<&EmulatorEndpoint, BuildError> {
        self.emulator
            .get_or_try_init(|| async {
                match &self.starter {
                    Some(start) => start().await,
                    None => Err(std::io::Error::other(
                        "this process runs no built-in emulator (`gw run` starts one)",
                    )),
                }
            })
            .await
            .map_err(BuildError::Emulator)
    }
}

impl StoreObserver for Metrics {
    fn observe(&self, op: &'static str, elapsed: std::time::Duration, ok: bool) {
        self.limits_store(op, elapsed.as_secs_f64(), ok);
    }
}
