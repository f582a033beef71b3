//! Hot reload: the pack file (and the rule files it names) are watched, and SIGHUP forces a
//! reload. A changed pack is parsed, validated and built in full off the request path, then
//! swapped in atomically; requests in flight finish on the runtime they started with. A bad edit
//! is rejected with the same diagnostics `gw validate` prints, and the old pack keeps serving.
//!
//! Editors save by rename or in several writes: events are debounced, and a pack whose bytes
//! changed while it was being loaded is not used (the next event reloads it again).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};
use tokio::sync::mpsc;

use crate::config;
use crate::runtime::{Gateway, Runtime};
pub use crate::runtime::{ReloadState, ReloadStatus};

/// Quiet time after the last file event before a reload starts.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// Loads, validates and builds the pack at `path`, then swaps it in. On any problem the current
/// runtime keeps serving and the problems are logged and recorded.
pub async fn reload_once(gw: &Gateway, path: &Path) -> Result<String, Vec<String>> {
    let owned = path.to_path_buf();
    let loaded = tokio::task::spawn_blocking(move || config::load_file(&owned))
        .await
        .map_err(|e| vec![format!("reload task failed: {e}")])?;
    let current = gw.snapshot();
    let serving = current.loaded.pack.pack.version.clone();
    let result = match loaded {
        Err(diags) => Err(diags
            .iter()
            .filter(|d| d.is_error())
            .map(ToString::to_string)
            .collect()),
        Ok(loaded) => {
            let unchanged_on_disk = std::fs::read(path)
                .map(|bytes| {
                    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)) == loaded.sha256
                })
                .unwrap_or(false);
            if !unchanged_on_disk {
                return Err(vec![
                    "the pack changed while it was being loaded; waiting for the next write".into(),
                ]);
            }
            match Runtime::rebuild(loaded, &gw.env, Some(&current)).await {
                Ok(rt) => {
                    let version = rt.loaded.pack.pack.version.clone();
                    gw.swap(rt);
                    Ok(version)
                }
                Err(e) => Err(vec![e.to_string()]),
            }
        }
    };
    match &result {
        Ok(version) => {
            tracing::info!(pack = %path.display(), version = %version, "pack reloaded");
            gw.reload.record(true, version, Vec::new());
            gw.env.metrics.reload(true, crate::clock::unix_now());
            if gw.snapshot().loaded.pack.telemetry != current.loaded.pack.telemetry {
                tracing::warn!(pack = %path.display(), "the telemetry section changed; it takes effect when gw restarts");
            }
        }
        Err(errors) => {
            for e in errors {
                tracing::error!(pack = %path.display(), error = %e, "pack rejected; the previous pack keeps serving");
            }
            gw.reload.record(false, &serving, errors.clone());
            gw.env.metrics.reload(false, crate::clock::unix_now());
        }
    }
    result
}

/// Watches the pack (and its rule files) and listens for SIGHUP; reloads on either. Runs until
/// the process ends.
pub fn spawn(gw: Arc<Gateway>, path: PathBuf) -> notify::Result<()> {
    let (tx, rx) = mpsc::unbounded_channel::<()>();
    let watched = watched_files(&gw, &path);
    spawn_sighup(tx.clone());
    let watcher = watch(&watched, tx);
    let failed = watcher.as_ref().err().map(ToString::to_string);
    tokio::spawn(run(gw, path, rx, watcher.ok()));
    match failed {
        Some(e) => Err(notify::Error::generic(&e)),
        None => Ok(()),
    }
}

/// The reload loop; `_watcher` lives as long as the loop so events keep coming.
async fn run(
    gw: Arc<Gateway>,
    path: PathBuf,
    mut rx: mpsc::UnboundedReceiver<()>,
    _watcher: Option<notify::RecommendedWatcher>,
) {
    while rx.recv().await.is_some() {
        // Debounce: wait for a quiet moment.
        loop {
            match tokio::time::timeout(DEBOUNCE, rx.recv()).await {
                Ok(Some(())) => continue,
                Ok(None) => return,
                Err(_) => break,
            }
        }
        let _ = reload_once(&gw, &path).await;
    }
}

/// Watches the directories holding `files` (not the files: editors that save by rename replace
/// the watched inode) and signals on events that touch one of them.
fn watch(
    files: &[PathBuf],
    tx: mpsc::UnboundedSender<()>,
) -> notify::Result<notify::RecommendedWatcher> {
    let names = files.to_vec();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if let Ok(ev) = res
            && ev
                .paths
                .iter()
                .any(|p| names.iter().any(|n| same_file(p, n)))
        {
            let _ = tx.send(());
        }
    })?;
    let mut seen: Vec<&Path> = Vec::new();
    for dir in files.iter().filter_map(|p| p.parent()) {
        if !seen.contains(&dir) {
            watcher.watch(dir, RecursiveMode::NonRecursive)?;
            seen.push(dir);
        }
    }
    Ok(watcher)
}

fn watched_files(gw: &Gateway, path: &Path) -> Vec<PathBuf> {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut files = vec![abs];
    files.extend(gw.snapshot().loaded.rule_files.iter().cloned());
    files
}

/// Whether an event at `event_path` may have changed `watched`: the file itself, or the
/// `..data` link beside it. A Kubernetes ConfigMap volume updates by pointing `..data` at a new
/// directory (`pack.yaml` is a link through `..data`), so no event ever names `pack.yaml`.
fn same_file(event_path: &Path, watched: &Path) -> bool {
    let beside = event_path.parent() == watched.parent();
    event_path == watched
        || (beside && event_path.file_name() == watched.file_name())
        || (beside && event_path.file_name() == Some(std::ffi::OsStr::new("..data")))
}

#[cfg(unix)]
fn spawn_sighup(tx: mpsc::UnboundedSender<()>) {
    tokio::spawn(async move {
        let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        else {
            return;
        };
        while hup.recv().await.is_some() {
            tracing::info!("SIGHUP: reloading the pack");
            if tx.send(()).is_err() {
                return;
            }
        }
    });
}

#[cfg(not(unix))]
fn spawn_sighup(_tx: mpsc::UnboundedSender<()>) {}
