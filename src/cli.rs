//! The `gw` command line: `run`, `validate`, `emulate`, `schema`, `test`, `explain`, `eval`,
//! `audit`, `keys`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::config::{self, Diagnostic, LoadedPack, Severity};
use crate::emulator::{self, EmulatorConfig};
use crate::policy::PolicyChain;
use crate::policy::cases::{CaseFile, run_cases};
use crate::runtime::{BuildEnv, Runtime};
use crate::server::{self, Gateway};

/// The pack gw serves when none is named: every target on the built-in emulator.
pub const EMBEDDED_PACK: &str = include_str!("../config/pack.yaml");

#[derive(Debug, Parser)]
#[command(
    name = "gw",
    version,
    about = "A policy-enforcing gateway in front of AWS Bedrock"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve a policy pack (the embedded default when none is given).
    Run {
        /// The policy pack to serve.
        #[arg(long = "policy-config", short = 'c', env = "GW_POLICY_CONFIG")]
        policy_config: Option<PathBuf>,
        /// Listen address; overrides `server.listen` in the pack.
        #[arg(long, env = "GW_LISTEN")]
        listen: Option<SocketAddr>,
    },
    /// Check packs without serving them; exit 1 if any has an error.
    Validate {
        #[arg(required = true)]
        packs: Vec<PathBuf>,
    },
    /// Run the built-in Bedrock emulator on its own (for tests and benchmarks).
    Emulate {
        #[arg(long, default_value = "127.0.0.1:4010")]
        listen: SocketAddr,
        /// Accept any credentials instead of verifying SigV4.
        #[arg(long)]
        no_verify: bool,
    },
    /// Print the pack's JSON Schema (or, with --reference, the Markdown reference).
    Schema {
        /// Print the pack reference (Markdown) generated from the schema instead.
        #[arg(long)]
        reference: bool,
    },
    /// Run policy test cases (YAML) against a pack's chain, without calling Bedrock.
    Test {
        /// The pack whose policy chain is tested.
        pack: PathBuf,
        /// Case files.
        #[arg(required = true)]
        cases: Vec<PathBuf>,
    },
    /// Show what each policy in a pack's chain would do to a text, and why.
    Explain {
        pack: PathBuf,
        /// The text (read from stdin when absent).
        #[arg(long)]
        text: Option<String>,
    },
    /// Measure the built-in detectors on a labelled corpus (precision, recall, false positives).
    Eval {
        /// Which detector.
        #[arg(value_enum)]
        detector: EvalDetector,
        /// JSON Lines corpora (repeatable). Default, PII: `tests/corpora/pii_dev.jsonl`;
        /// injection: every corpus in `tests/corpora/` plus the recorded traffic in
        /// `tests/traffic/`, reported per zone and traffic class.
        #[arg(long)]
        corpus: Vec<PathBuf>,
        /// Score threshold (prompt-injection only).
        #[arg(long)]
        threshold: Option<f32>,
        /// Also list every miss and false positive (PII only), to review rules.
        #[arg(long)]
        errors: bool,
        /// PII only: count private-range IP addresses too, as a pack's
        /// `private_ip_addresses: true` does (the default leaves them alone).
        #[arg(long)]
        private_ip_addresses: bool,
    },
    /// Replay recorded traffic through a pack's chain and show what would change: requests newly
    /// blocked, allowed, redacted or withheld, per policy, with examples. Exit 1 when a budget
    /// (`--max-new-blocks` …) is exceeded, so CI can gate a pack change.
    Replay {
        /// The candidate pack.
        #[arg(long = "policy-config", short = 'c')]
        policy_config: PathBuf,
        /// The pack to compare with; without it, an audit trail's recorded decisions (or, for a
        /// JSONL of requests, no policy at all).
        #[arg(long)]
        baseline: Option<PathBuf>,
        /// Audit directories (written with `include_content: redacted|full`) or JSON Lines
        /// files of requests (`{"path", "body"}` rows, or bare request bodies).
        #[arg(required = true)]
        sources: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: ReplayFormat,
        /// Examples listed per policy and change.
        #[arg(long, default_value_t = 3)]
        examples: usize,
        /// Fail when more requests than this would be newly blocked.
        #[arg(long)]
        max_new_blocks: Option<u64>,
        /// Fail when more requests than this would have text newly withheld.
        #[arg(long)]
        max_new_withheld: Option<u64>,
        /// Fail when more requests than this would be newly redacted.
        #[arg(long)]
        max_new_redactions: Option<u64>,
    },
    /// Review an audit directory: verify its chain, query records, summarise.
    Audit {
        #[command(subcommand)]
        command: crate::audit::cli::AuditCommand,
    },
    /// Client keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

/// `gw keys ...`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Print a fresh random client key (shown once, never stored) and the `auth.keys` line with
    /// its SHA-256 to paste into the pack.
    New {
        /// The key id written into the pack line.
        #[arg(long, default_value = "my-key")]
        id: String,
    },
}

/// How `gw replay` prints its report.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ReplayFormat {
    Table,
    Json,
}

/// Detectors `gw eval` measures.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum EvalDetector {
    Pii,
    Injection,
}

/// Runs the parsed command line.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Run {
        policy_config,
        listen,
    } = cli.command
    {
        return serve(policy_config, listen);
    }
    let _logs = crate::telemetry::init(None);
    match cli.command {
        Command::Validate { packs } => validate(&packs),
        Command::Schema { reference } => {
            let schema = config::json_schema();
            if reference {
                print!("{}", config::reference::markdown(&schema));
            } else {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&schema).unwrap_or_default()
                );
            }
            ExitCode::SUCCESS
        }
        Command::Run { .. } => unreachable!("served above"),
        Command::Emulate { listen, no_verify } => block_on(emulate(listen, no_verify)),
        Command::Test { pack, cases } => test_cases(&pack, &cases),
        Command::Explain { pack, text } => explain(&pack, text),
        Command::Audit { command } => crate::audit::cli::run(command),
        Command::Replay {
            policy_config,
            baseline,
            sources,
            format,
            examples,
            max_new_blocks,
            max_new_withheld,
            max_new_redactions,
        } => replay(
            &policy_config,
            baseline.as_deref(),
            &sources,
            format,
            examples,
            [
                ("newly blocked", max_new_blocks),
                ("with text newly withheld", max_new_withheld),
                ("newly redacted", max_new_redactions),
            ],
        ),
        Command::Eval {
            detector,
            corpus,
            threshold,
            errors,
            private_ip_addresses,
        } => eval(detector, corpus, threshold, errors, private_ip_addresses),
        Command::Keys {
            command: KeysCommand::New { id },
        } => new_key(&id),
    }
}

fn block_on(fut: impl std::future::Future<Output = ExitCode>) -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(fut),
        Err(e) => {
            eprintln!("gw: cannot start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

fn new_key(id: &str) -> ExitCode {
    let (key, sha256) = crate::access::keys::generate();
    let id = serde_json::to_string(id).unwrap_or_else(|_| "\"my-key\"".into());
    println!("key: {key}");
    println!("# give the key to the client; it is not stored anywhere. Paste under auth.keys:");
    println!("- {{ id: {id}, key_sha256: \"{sha256}\" }}");
    ExitCode::SUCCESS
}

fn validate(packs: &[PathBuf]) -> ExitCode {
    let mut ok = true;
    for path in packs {
        match config::load_file(path) {
            Ok(loaded) => {
                print_diagnostics(&loaded.warnings);
                println!(
                    "{}: ok (pack `{}` {})",
                    path.display(),
                    loaded.pack.pack.name,
                    loaded.pack.pack.version
                );
            }
            Err(diags) => {
                ok = false;
                print_diagnostics(&diags);
                let errors = diags
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .count();
                println!("{}: {errors} error(s)", path.display());
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn print_diagnostics(diags: &[Diagnostic]) {
    for d in diags {
        eprintln!("{d}");
    }
}

/// `gw eval injection`: every corpus given, or by default every labelled corpus in the repository
/// plus the recorded client traffic, read zone by zone and reported per traffic class.
fn eval_injection(corpus: &[PathBuf], threshold: Option<f32>) -> ExitCode {
    let scorer = match crate::policy::injection::InjectionScorer::builtin() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("gw: {e}");
            return ExitCode::FAILURE;
        }
    };
    let t = threshold.unwrap_or(crate::policy::injection::DEFAULT_THRESHOLD);
    let mut report = crate::policy::injection::EvalReport::new(t);
    let (files, traffic) = if corpus.is_empty() {
        let mut files = vec![
            PathBuf::from("tests/corpora/injection_dev_open.jsonl"),
            PathBuf::from("tests/corpora/everyday_dev.jsonl"),
        ];
        let mut traffic = Vec::new();
        for (dir, list) in [
            ("tests/corpora/injection", &mut files),
            ("tests/traffic", &mut traffic),
        ] {
            let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
                .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
                .unwrap_or_default();
            found.retain(|p| p.extension().is_some_and(|e| e == "jsonl"));
            found.sort();
            list.extend(found);
        }
        (files, traffic)
    } else {
        (corpus.to_vec(), Vec::new())
    };
    if files.is_empty() {
        eprintln!("gw: no corpus found; run from the repository root or pass --corpus");
        return ExitCode::FAILURE;
    }
    for path in &files {
        match std::fs::read_to_string(path) {
            Ok(text) => report.add_jsonl(&text, &scorer),
            Err(e) => {
                eprintln!("gw: cannot read {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        }
    }
    for path in &traffic {
        match crate::replay::traffic_texts(path) {
            Ok(items) => items.iter().for_each(|i| report.add(i, &scorer)),
            Err(e) => {
                eprintln!("gw: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("{report}");
    ExitCode::SUCCESS
}

/// Loads a pack and builds its policy chain, printing what went wrong if either fails.
fn load_chain(pack: &Path) -> Result<(LoadedPack, PolicyChain), ExitCode> {
    let loaded = config::load_file(pack).map_err(|diags| {
        print_diagnostics(&diags);
        ExitCode::FAILURE
    })?;
    let chain = PolicyChain::build(&loaded.pack.policies, &loaded.pack_dir()).map_err(|e| {
        eprintln!("gw: {e}");
        ExitCode::FAILURE
    })?;
    Ok((loaded, chain))
}

fn replay(
    pack: &Path,
    baseline: Option<&Path>,
    sources: &[PathBuf],
    format: ReplayFormat,
    examples: usize,
    budgets: [(&str, Option<u64>); 3],
) -> ExitCode {
    let candidate = match load_chain(pack) {
        Ok((_, chain)) => chain,
        Err(code) => return code,
    };
    let baseline = match baseline.map(load_chain).transpose() {
        Ok(b) => b.map(|(_, chain)| chain),
        Err(code) => return code,
    };
    let mut traffic = Vec::new();
    for source in sources {
        match crate::replay::load(source) {
            Ok(mut t) => traffic.append(&mut t),
            Err(e) => {
                eprintln!("gw: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let report = crate::replay::compare(&traffic, &candidate, baseline.as_ref(), examples);
    match format {
        ReplayFormat::Table => print!("{}", report.table()),
        ReplayFormat::Json => match serde_json::to_string_pretty(&report) {
            Ok(j) => println!("{j}"),
            Err(e) => {
                eprintln!("gw: {e}");
                return ExitCode::FAILURE;
            }
        },
    }
    let counts = [
        report.newly_blocked,
        report.newly_withheld,
        report.newly_redacted,
    ];
    let mut over = false;
    for ((what, budget), n) in budgets.iter().zip(counts) {
        if let Some(max) = budget
            && n > *max
        {
            eprintln!("gw: {n} requests {what}, over the budget of {max}");
            over = true;
        }
    }
    if over {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn test_cases(pack: &Path, files: &[PathBuf]) -> ExitCode {
    let chain = match load_chain(pack) {
        Ok((_, chain)) => chain,
        Err(code) => return code,
    };
    let mut all_ok = true;
    for file in files {
        let parsed = std::fs::read_to_string(file)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_yaml_ng::from_str::<CaseFile>(&text).map_err(|e| e.to_string()));
        match parsed {
            Ok(cases) => {
                let (report, ok) = run_cases(&chain, &cases);
                println!("{}:\n{report}", file.display());
                all_ok &= ok;
            }
            Err(e) => {
                eprintln!("{}: {e}", file.display());
                all_ok = false;
            }
        }
    }
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn explain(pack: &Path, text: Option<String>) -> ExitCode {
    let (loaded, _) = match load_chain(pack) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let text = match text {
        Some(t) => t,
        None => {
            let mut buf = String::new();
            if std::io::Read::read_to_string(&mut std::io::stdin(), &mut buf).is_err() {
                eprintln!("gw: could not read the text from stdin");
                return ExitCode::FAILURE;
            }
            buf
        }
    };
    print!("{}", crate::policy::explain::explain(&loaded, &text));
    ExitCode::SUCCESS
}

fn eval(
    detector: EvalDetector,
    corpus: Vec<PathBuf>,
    threshold: Option<f32>,
    errors: bool,
    private_ips: bool,
) -> ExitCode {
    match detector {
        EvalDetector::Injection => eval_injection(&corpus, threshold),
        EvalDetector::Pii => eval_pii(corpus.first(), errors, private_ips),
    }
}

/// `gw eval pii`: precision and recall per entity type on one corpus.
fn eval_pii(corpus: Option<&PathBuf>, errors: bool, private_ips: bool) -> ExitCode {
    let path = corpus.map_or_else(
        || PathBuf::from("tests/corpora/pii_dev.jsonl"),
        Clone::clone,
    );
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("gw: cannot read {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    };
    let detector = crate::policy::pii::rules::builtin().and_then(|specs| {
        crate::policy::pii::PiiDetector::new(&specs, &crate::policy::pii::policy::ALL_ENTITIES)
            .map(|d| d.with_private_ips(private_ips))
    });
    match detector {
        Ok(d) => {
            let report = crate::policy::pii::evaluate(&text, &d);
            println!("{report}");
            if errors {
                report.errors.iter().for_each(|e| println!("{e}"));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gw: {e}");
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
fn serve(policy_config: Option<PathBuf>, listen: Option<SocketAddr>) -> ExitCode {
    let loaded = match load(policy_config.as_deref()) {
        Ok(l) => l,
        Err(diags) => {
            print_diagnostics(&diags);
            eprintln!("gw: the pack has errors; nothing is served");
            return ExitCode::FAILURE;
        }
    };
    let telemetry = crate::telemetry::init(Some(&loaded.pack.telemetry));
    if telemetry.exporting() {
        tracing::info!("exporting traces over OTLP/HTTP");
    }
    let code = block_on(run(loaded, policy_config, listen));
    telemetry.shutdown();
    code
}

async fn run(
    loaded: LoadedPack,
    policy_config: Option<PathBuf>,
    listen: Option<SocketAddr>,
) -> ExitCode {
    for w in &loaded.warnings {
        tracing::warn!(diagnostic = %w, "pack warning");
    }
    let configured = loaded.pack.server.listen.clone();
    let open = loaded.pack.auth.as_ref().is_none_or(|a| a.keys.is_empty());
    let env = Arc::new(BuildEnv::default().with_emulator_starter(emulator_starter()));
    let runtime = match Runtime::build(loaded, &env).await {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("gw: {e}");
            return ExitCode::FAILURE;
        }
    };
    let addr = match listen
        .map(Ok)
        .unwrap_or_else(|| configured.parse::<SocketAddr>())
    {
        Ok(a) => a,
        Err(e) => {
            eprintln!("gw: server.listen `{configured}` is not an address: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("gw: cannot listen on {addr}: {e}");
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
    println!("gw: serving pack `{name}` {version} on http://{local}");
    let gateway = Gateway::new(runtime, env.clone());
    if let Some(path) = &policy_config
        && let Err(e) = crate::reload::spawn(gateway.clone(), path.clone())
    {
        tracing::warn!(error = %e, "cannot watch the pack for changes; SIGHUP reloads still work");
    }
    let served = server::serve(listener, gateway, shutdown_signal()).await;
    env.flush_audit();
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gw: server failed: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn emulate(listen: SocketAddr, no_verify: bool) -> ExitCode {
    let config = EmulatorConfig {
        verify_signatures: !no_verify,
        ..EmulatorConfig::default()
    };
    match emulator::start(config, listen).await {
        Ok(handle) => {
            println!("gw: Bedrock emulator on {}", handle.endpoint_url());
            shutdown_signal().await;
            handle.shutdown();
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gw: cannot start the emulator on {listen}: {e}");
            ExitCode::FAILURE
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
