//! The `gw` command line: `run`, `validate`, `emulate`, `schema`, `test`, `explain`, `eval`,
//! `replay`, `audit`, `keys`. This file holds the arguments and the dispatch; each command lives
//! in its own file, and only `output.rs` prints.

mod audit;
mod console;
mod eval;
mod output;
mod pack;
mod replay;
mod serve;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config;
use output::{out, out_raw};
pub use serve::{EMBEDDED_PACK, load};

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
        /// On SIGTERM, how long requests and streams in flight may take to finish before they
        /// are cut (each still gets its audit record). Keep it below Kubernetes'
        /// `terminationGracePeriodSeconds`.
        #[arg(long, env = "GW_DRAIN_SECONDS", default_value_t = 25)]
        drain_seconds: u64,
        /// The async runtime: `auto` runs on the calling thread when gw has one core (a pinned
        /// process, a container limited to one CPU), and one worker per core otherwise.
        #[arg(long, env = "GW_RUNTIME", value_enum, default_value_t = serve::RuntimeKind::Auto)]
        runtime: serve::RuntimeKind,
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
        /// Directory behind the emulator's S3 (batch input and output); default: a temporary one.
        #[arg(long)]
        s3_dir: Option<PathBuf>,
        /// A bucket that exists from the start (repeatable; default `gw-batch`).
        #[arg(long = "bucket")]
        buckets: Vec<String>,
        /// Milliseconds between two status changes of a batch job.
        #[arg(long, default_value_t = 1000)]
        batch_step_ms: u64,
        /// Characters of text per ConverseStream delta (the stream bench varies it).
        #[arg(long, default_value_t = 16)]
        stream_chunk_chars: usize,
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
        /// Also list every miss and false positive (for injection: with its score, the
        /// signatures that fired and the segment read), to review rules and models.
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
    /// A read-only web console over audit directories: chain status, blocked and redacted
    /// counts by key and policy, records with their decisions, exports, and (with a pack) the
    /// policy playground. Loopback by default; another address needs `GW_CONSOLE_TOKEN`.
    Console {
        /// Audit directories, one per replica.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// The pack whose chain the playground runs (and whose `include_content` the record
        /// pages name).
        #[arg(long = "policy-config", short = 'c')]
        policy_config: Option<PathBuf>,
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: SocketAddr,
    },
    /// Review an audit directory: verify its chain, query records, summarise.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
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
        drain_seconds,
        runtime,
    } = cli.command
    {
        let drain = std::time::Duration::from_secs(drain_seconds);
        return serve::serve(policy_config, listen, drain, runtime);
    }
    let _logs = crate::telemetry::init(None);
    match cli.command {
        Command::Validate { packs } => pack::validate(&packs),
        Command::Schema { reference } => {
            let schema = config::json_schema();
            if reference {
                out_raw(format_args!("{}", config::reference::markdown(&schema)));
            } else {
                out(format_args!(
                    "{}",
                    serde_json::to_string_pretty(&schema).unwrap_or_default()
                ));
            }
            ExitCode::SUCCESS
        }
        Command::Run { .. } => unreachable!("served above"),
        Command::Emulate {
            listen,
            no_verify,
            s3_dir,
            buckets,
            batch_step_ms,
            stream_chunk_chars,
        } => {
            let mut config = crate::emulator::EmulatorConfig {
                verify_signatures: !no_verify,
                s3_root: s3_dir,
                batch_step_ms,
                stream_chunk_chars,
                ..crate::emulator::EmulatorConfig::default()
            };
            if !buckets.is_empty() {
                config.buckets = buckets;
            }
            serve::block_on(serve::emulate(listen, config))
        }
        Command::Test { pack, cases } => pack::test_cases(&pack, &cases),
        Command::Explain { pack, text } => pack::explain(&pack, text),
        Command::Audit { command } => audit::run(command),
        Command::Console {
            dirs,
            policy_config,
            listen,
        } => console::run(dirs, policy_config, listen),
        Command::Replay {
            policy_config,
            baseline,
            sources,
            format,
            examples,
            max_new_blocks,
            max_new_withheld,
            max_new_redactions,
        } => replay::replay(
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
        } => eval::eval(detector, corpus, threshold, errors, private_ip_addresses),
        Command::Keys {
            command: KeysCommand::New { id },
        } => pack::new_key(&id),
    }
}
