//! The live gateway: the current runtime, swapped whole on reload, and the reload bookkeeping.
//!
//! Why it sits beside the runtime: the server reads snapshots of it and the reloader swaps it;
//! neither owns it, so both point down to it.

use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use serde::Serialize;

use super::{BuildEnv, Runtime};

/// The live gateway: the current runtime (swapped whole on reload) and what outlives reloads.
pub struct Gateway {
    current: ArcSwap<Runtime>,
    pub env: Arc<BuildEnv>,
    /// The last reload's outcome.
    pub reload: ReloadState,
}

impl Gateway {
    pub fn new(runtime: Runtime, env: Arc<BuildEnv>) -> Arc<Self> {
        Arc::new(Self {
            current: ArcSwap::from_pointee(runtime),
            env,
            reload: ReloadState::default(),
        })
    }

    /// The runtime a new request runs on, start to finish.
    pub fn snapshot(&self) -> Arc<Runtime> {
        self.current.load_full()
    }

    /// Makes a new runtime live; requests in flight keep the one they started with.
    pub fn swap(&self, runtime: Runtime) {
        self.current.store(Arc::new(runtime));
    }
}

/// The outcome of the last reload, for `/readyz`, metrics and logs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReloadStatus {
    /// `applied`, `rejected`, or `none` before the first reload.
    pub outcome: &'static str,
    pub at_unix: u64,
    /// Pack version now serving.
    pub version: String,
    /// The diagnostics of a rejected pack (empty when applied).
    pub errors: Vec<String>,
    pub reloads: u64,
    pub rejected: u64,
}

/// Shared reload bookkeeping.
#[derive(Debug, Default)]
pub struct ReloadState(Mutex<ReloadStatus>);

impl ReloadState {
    pub fn status(&self) -> ReloadStatus {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(crate) fn record(&self, applied: bool, version: &str, errors: Vec<String>) {
        let mut s = self.0.lock().unwrap_or_else(|p| p.into_inner());
        s.outcome = if applied { "applied" } else { "rejected" };
        s.at_unix = crate::clock::unix_now();
        s.version = version.to_string();
        s.errors = errors;
        s.reloads += 1;
        if !applied {
            s.rejected += 1;
        }
    }
}
