//! `gw run` and `gw emulate`: serving a pack (the embedded default when none is named) and the
//! stand-alone emulator. Only the CLI starts the emulator; the runtime is handed its endpoint.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use super::output::{err, out};
use super::pack::print_diagnostics;
use crate::config::{self, Diagnostic, LoadedPack};
use crate::emulator::{self, EmulatorConfig};
use crate::runtime::{BuildEnv, Runtime};
use crate::server::{self, Gateway};

/// The pack gw serves when none is named: every target on the built-in emulator.
pub const EMBEDDED_PACK: &str = include_str!("../../config/pack.yaml");

pub(super) fn block_on(fut: impl std::future::Future<Output = ExitCode>) -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(fut),
        Err(e) => {
            err(format_args!("gw: cannot start the async runtime: {e}"));
            ExitCode::FAILURE
        }
    }
}

/// Starts gw's built-in emulator on a free loopback port when a pack first names
/// `base_url: emulator` (only the CLI and the tests start the emulator; the runtime is handed
/// this).
fn emulator_starter() -> crate::runtime::EmulatorStarter {
    Arc::new(|| {
        Box::pin(async {
            let addr = SocketAddr::from(([127, 0, 0, 1], 0));
            let handle =
                crate::emulator::start(crate::emulator::EmulatorConfig::default(), addr).await?;
            Ok(crate::provider::bedrock::client::EmulatorEndpoint {
                url: handle.endpoint_url(),
                s3_url: Some(handle.s3_url()),
                access_key_id: crate::emulator::ACCESS_KEY_ID.into(),
                secret_access_key: crate::emulator::SECRET_ACCESS_KEY.into(),
            })
        })
    })
}

/// Loads the named pack, or the embedded default.
pub fn load(path: Option<&Path>) -> Result<LoadedPack, Vec<Diagnostic>> {
    match path {
        Some(p) => config::load_file(p),
        None => config::load_str(EMBEDDED_PACK, Path::new("<embedded config/pack.yaml>")),
    }
}

/// `gw run`: the pack is read before logging starts, because its `telemetry` section says where
/// traces go; the exporter sends its last spans after the server has drained.
pub(super) fn serve(
    policy_config: Option<PathBuf>,
    listen: Option<SocketAddr>,
    drain: Duration,
    runtime: RuntimeKind,
) -> ExitCode {
    let loaded = match load(policy_config.as_deref()) {
        Ok(l) => l,
        Err(diags) => {
            print_diagnostics(&diags);
            err(format_args!("gw: the pack has errors; nothing is served"));
            return ExitCode::FAILURE;
        }
    };
    let telemetry = crate::telemetry::init(Some(&loaded.pack.telemetry));
    if telemetry.exporting() {
        tracing::info!("exporting traces over OTLP/HTTP");
    }
    let rt = match server_runtime(runtime) {
        Ok(rt) => rt,
        Err(e) => {
            err(format_args!("gw: cannot start the async runtime: {e}"));
            return ExitCode::FAILURE;
        }
    };
    let env = Arc::new(BuildEnv::default().with_emulator_starter(emulator_starter()));
    let code = rt.block_on(run(loaded, policy_config, listen, drain, env.clone()));
    // Requests cut at the drain deadline end here: their tasks drop with the runtime and each
    // queues its audit record, which the flush after it writes.
    rt.shutdown_timeout(Duration::from_secs(1));
    env.flush_audit();
    telemetry.shutdown();
    code
}

/// Which tokio runtime `gw run` serves on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RuntimeKind {
    /// `current-thread` with one core available, else `multi-thread`.
    Auto,
    /// Everything on the calling thread: no work-stealing, no cross-thread wake-ups (20% less
    /// CPU per request than a one-worker multi-thread runtime when the core is busy).
    CurrentThread,
    /// One worker per available core.
    MultiThread,
}

/// The server's runtime, as `kind` says (see BENCHMARKS.md for the measurement).
fn server_runtime(kind: RuntimeKind) -> std::io::Result<tokio::runtime::Runtime> {
    let one_core = std::thread::available_parallelism().is_ok_and(|n| n.get() == 1);
    let current = match kind {
        RuntimeKind::Auto => one_core,
        RuntimeKind::CurrentThread => true,
        RuntimeKind::MultiThread => false,
    };
    tracing::info!(
        runtime = if current {
            "current-thread"
        } else {
            "multi-thread"
        },
        cores = std::thread::available_parallelism().map_or(0, |n| n.get()),
        "async runtime"
    );
    if current {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
    }
}

async fn run(
    loaded: LoadedPack,
    policy_config: Option<PathBuf>,
    listen: Option<SocketAddr>,
    drain: Duration,
    env: Arc<BuildEnv>,
) -> ExitCode {
    for w in &loaded.warnings {
        tracing::warn!(diagnostic = %w, "pack warning");
    }
    let configured = loaded.pack.server.listen.clone();
    let open = loaded.pack.auth.as_ref().is_none_or(|a| a.keys.is_empty());
    let runtime = match Runtime::build(loaded, &env).await {
        Ok(rt) => rt,
        Err(e) => {
            err(format_args!("gw: {e}"));
            return ExitCode::FAILURE;
        }
    };
    let addr = match listen
        .map(Ok)
        .unwrap_or_else(|| configured.parse::<SocketAddr>())
    {
        Ok(a) => a,
        Err(e) => {
            err(format_args!(
                "gw: server.listen `{configured}` is not an address: {e}"
            ));
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            err(format_args!("gw: cannot listen on {addr}: {e}"));
            return ExitCode::FAILURE;
        }
    };
    let local = listener.local_addr().unwrap_or(addr);
    let (name, version) = runtime.pack_id();
    if open {
        tracing::warn!(
            "the pack has no `auth` section: ANYONE who can reach {local} can use every model; add auth.keys"
        );
    }
    out(format_args!(
        "gw: serving pack `{name}` {version} on http://{local}"
    ));
    let gateway = Gateway::new(runtime, env.clone());
    if let Some(path) = &policy_config
        && let Err(e) = crate::reload::spawn(gateway.clone(), path.clone())
    {
        tracing::warn!(error = %e, "cannot watch the pack for changes; SIGHUP reloads still work");
    }
    let served = serve_until_drained(listener, gateway, drain).await;
    // What finished is settled: its spend reaches a shared store before the process goes.
    env.flush_counters().await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            err(format_args!("gw: server failed: {e}"));
            ExitCode::FAILURE
        }
    }
}

pub(super) async fn emulate(listen: SocketAddr, config: EmulatorConfig) -> ExitCode {
    match emulator::start(config, listen).await {
        Ok(handle) => {
            out(format_args!(
                "gw: Bedrock emulator on {} (S3 on {}, buckets in {})",
                handle.endpoint_url(),
                handle.s3_url(),
                handle.s3_dir().display()
            ));
            shutdown_signal().await;
            handle.shutdown();
            ExitCode::SUCCESS
        }
        Err(e) => {
            err(format_args!(
                "gw: cannot start the emulator on {listen}: {e}"
            ));
            ExitCode::FAILURE
        }
    }
}

/// Serves until Ctrl-C or SIGTERM, then lets requests in flight finish for up to `drain`. Past
/// it the server is dropped: the requests still running end as cancelled (each writes its audit
/// record as it drops), and the caller flushes the audit queue.
async fn serve_until_drained(
    listener: tokio::net::TcpListener,
    gateway: Arc<Gateway>,
    drain: Duration,
) -> std::io::Result<()> {
    let (stopping, stopped) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown_signal().await;
        let _ = stopping.send(());
    };
    let served = server::serve(listener, gateway, signal);
    tokio::pin!(served);
    let deadline = async {
        if stopped.await.is_err() {
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(drain).await;
    };
    tokio::select! {
        r = &mut served => r,
        () = deadline => {
            tracing::warn!(seconds = drain.as_secs(), "drain deadline passed: cutting requests still in flight");
            Ok(())
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: draining requests in flight");
}
