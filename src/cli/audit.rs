//! `gw audit verify|query|stats`: the reviewer's side of the trail. This is the only audit code
//! that prints; everything it shows comes from `verify`, `query` and `stats`.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};

use super::output::err;
use crate::audit::query::{self, DecisionKind, Filter, Row, csv_field};
use crate::audit::{stats, time, verify};

/// The `gw audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check every link of each directory's chain; print the first broken one (file, line,
    /// why) and exit 1.
    Verify {
        /// Audit directories (`audit-logger.path`), one per replica; each is its own chain.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
    },
    /// Print the request records that match every filter given, merged by time across the
    /// directories.
    Query {
        /// Audit directories, one per replica.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        #[command(flatten)]
        filter: FilterArgs,
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Stop after this many records.
        #[arg(long)]
        limit: Option<u64>,
    },
    /// Totals over the period: requests, blocks by policy, redactions by entity type, errors by
    /// class, tokens by key and model.
    Stats {
        /// Audit directories, one per replica.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        #[command(flatten)]
        filter: FilterArgs,
        /// `table` or `json` (`jsonl`/`csv` print JSON too).
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

/// Filters shared by `query` and `stats`.
#[derive(Debug, Clone, Args)]
pub struct FilterArgs {
    /// From this time on (RFC 3339, or a date meaning midnight UTC).
    #[arg(long)]
    pub since: Option<String>,
    /// Before this time (RFC 3339, or a date meaning midnight UTC).
    #[arg(long)]
    pub until: Option<String>,
    /// Only this API key id.
    #[arg(long)]
    pub key: Option<String>,
    /// Only this client-facing model name.
    #[arg(long)]
    pub model: Option<String>,
    /// Only requests that tried this target id.
    #[arg(long)]
    pub target: Option<String>,
    /// Only requests the policies blocked, redacted, or allowed.
    #[arg(long, value_enum)]
    pub decision: Option<DecisionKind>,
    /// Only requests with a decision by this policy.
    #[arg(long)]
    pub policy: Option<String>,
    /// Only this HTTP status.
    #[arg(long)]
    pub status: Option<u16>,
    /// Only records written by this replica (`GW_REPLICA`, else the host name).
    #[arg(long)]
    pub replica: Option<String>,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Jsonl,
    Csv,
    Json,
}

impl FilterArgs {
    /// The filter, or a message naming the bad time.
    pub fn to_filter(&self) -> Result<Filter, String> {
        let t = |name: &str, v: &Option<String>| -> Result<Option<u64>, String> {
            v.as_deref()
                .map(|s| {
                    time::parse_time(s).ok_or_else(|| {
                        format!("--{name} `{s}` is not an RFC 3339 time or a YYYY-MM-DD date")
                    })
                })
                .transpose()
        };
        Ok(Filter {
            since: t("since", &self.since)?,
            until: t("until", &self.until)?,
            key: self.key.clone(),
            model: self.model.clone(),
            target: self.target.clone(),
            decision: self.decision,
            policy: self.policy.clone(),
            status: self.status,
            replica: self.replica.clone(),
        })
    }
}

/// Runs one `gw audit` command.
pub fn run(cmd: AuditCommand) -> ExitCode {
    let out = io::stdout();
    let mut out = io::BufWriter::new(out.lock());
    let result = match cmd {
        AuditCommand::Verify { dirs } => cmd_verify(&dirs, &mut out),
        AuditCommand::Query {
            dirs,
            filter,
            format,
            limit,
        } => cmd_query(&dirs, &filter, format, limit, &mut out),
        AuditCommand::Stats {
            dirs,
            filter,
            format,
        } => cmd_stats(&dirs, &filter, format, &mut out),
    };
    let flushed = out.flush();
    match result {
        Ok(code) => code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            drop(flushed);
            err(format_args!("gw audit: {e}"));
            ExitCode::from(2)
        }
    }
}

/// Verifies each directory on its own; fails if any chain is broken.
fn cmd_verify(dirs: &[PathBuf], out: &mut impl Write) -> io::Result<ExitCode> {
    let mut code = ExitCode::SUCCESS;
    for dir in dirs {
        let c = verify_one(dir, dirs.len() > 1, out)?;
        if c != ExitCode::SUCCESS {
            code = c;
        }
    }
    Ok(code)
}

fn verify_one(dir: &Path, named: bool, out: &mut impl Write) -> io::Result<ExitCode> {
    if !dir.is_dir() {
        err(format_args!(
            "gw audit verify: `{}` is not a directory",
            dir.display()
        ));
        return Ok(ExitCode::from(2));
    }
    match verify::verify_dir(dir) {
        Ok(s) => {
            let kinds: Vec<String> = s.kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
            if named {
                write!(out, "{}: ", dir.display())?;
            }
            writeln!(
                out,
                "ok: {} records in {} files ({}); chain ends at seq {}",
                s.records,
                s.files,
                kinds.join(", "),
                s.last.map_or("-".into(), |(seq, h)| format!("{seq} ({h})"))
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Err(b) => {
            writeln!(
                out,
                "BROKEN: {}/{}:{}: {}",
                dir.display(),
                b.file,
                b.line,
                b.reason
            )?;
            Ok(ExitCode::FAILURE)
        }
    }
}

fn cmd_query(
    dirs: &[PathBuf],
    args: &FilterArgs,
    format: Format,
    limit: Option<u64>,
    out: &mut impl Write,
) -> io::Result<ExitCode> {
    let filter = match args.to_filter() {
        Ok(f) => f,
        Err(e) => {
            err(format_args!("gw audit query: {e}"));
            return Ok(ExitCode::from(2));
        }
    };
    const COLUMNS: [&str; 13] = [
        "time",
        "seq",
        "request_id",
        "key",
        "model",
        "endpoint",
        "target",
        "status",
        "outcome",
        "error",
        "decisions",
        "input_tokens",
        "output_tokens",
    ];
    match format {
        Format::Csv => writeln!(out, "{},latency_ms,replica", COLUMNS.join(","))?,
        Format::Table => writeln!(
            out,
            "{:<24} {:<16} {:>8} {:<36} {:<14} {:<22} {:<18} {:>6} {:<9} {:<24} {:<30} {:>8} {:>8}",
            "TIME",
            "REPLICA",
            "SEQ",
            "REQUEST_ID",
            "KEY",
            "MODEL",
            "TARGET",
            "STATUS",
            "OUTCOME",
            "ERROR",
            "DECISIONS",
            "IN",
            "OUT"
        )?,
        Format::Jsonl | Format::Json => {}
    }
    let mut err = None;
    let mut n = 0u64;
    query::scan(dirs, &filter, |line, row| {
        let written = match format {
            Format::Jsonl | Format::Json => out.write_all(line).and_then(|()| out.write_all(b"\n")),
            Format::Csv => write_csv(out, row),
            Format::Table => write_table(out, row),
        };
        if let Err(e) = written {
            err = Some(e);
            return false;
        }
        n += 1;
        limit.is_none_or(|l| n < l)
    })?;
    if let Some(e) = err {
        return Err(e);
    }
    Ok(ExitCode::SUCCESS)
}

/// The decisions that acted (`allowed` ones are left out; `-` when none did).
fn decisions(r: &Row) -> String {
    let parts: Vec<String> = r
        .decisions
        .iter()
        .filter(|d| d.action != "allowed")
        .map(|d| format!("{}:{}", d.policy, d.action))
        .collect();
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(";")
    }
}

fn write_table(out: &mut impl Write, r: &Row) -> io::Result<()> {
    let (i, o) = r
        .usage
        .map_or((0, 0), |u| (u.input_tokens, u.output_tokens));
    writeln!(
        out,
        "{:<24} {:<16} {:>8} {:<36} {:<14} {:<22} {:<18} {:>6} {:<9} {:<24} {:<30} {:>8} {:>8}",
        time::format_time(r.time_unix_ms),
        r.replica.as_deref().unwrap_or("-"),
        r.seq,
        r.request_id,
        r.key_id.as_deref().unwrap_or("-"),
        r.model.as_deref().unwrap_or("-"),
        r.target(),
        r.status,
        r.outcome,
        r.error.as_deref().unwrap_or(""),
        decisions(r),
        i,
        o
    )
}

fn write_csv(out: &mut impl Write, r: &Row) -> io::Result<()> {
    let (i, o) = r
        .usage
        .map_or((0, 0), |u| (u.input_tokens, u.output_tokens));
    let fields = [
        time::format_time(r.time_unix_ms),
        r.seq.to_string(),
        r.request_id.clone(),
        r.key_id.clone().unwrap_or_default(),
        r.model.clone().unwrap_or_default(),
        r.endpoint.clone(),
        r.target().to_string(),
        r.status.to_string(),
        r.outcome.clone(),
        r.error.clone().unwrap_or_default(),
        decisions(r),
        i.to_string(),
        o.to_string(),
        format!("{:.3}", r.latency_ms),
        r.replica.clone().unwrap_or_default(),
    ];
    let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
    writeln!(out, "{}", line.join(","))
}

fn cmd_stats(
    dirs: &[PathBuf],
    args: &FilterArgs,
    format: Format,
    out: &mut impl Write,
) -> io::Result<ExitCode> {
    let filter = match args.to_filter() {
        Ok(f) => f,
        Err(e) => {
            err(format_args!("gw audit stats: {e}"));
            return Ok(ExitCode::from(2));
        }
    };
    let s = stats::collect(dirs, &filter)?;
    if format != Format::Table {
        serde_json::to_writer_pretty(&mut *out, &s).map_err(io::Error::other)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let period = match (s.first_unix_ms, s.last_unix_ms) {
        (Some(a), Some(b)) => format!("{} .. {}", time::format_time(a), time::format_time(b)),
        _ => "no records".into(),
    };
    writeln!(out, "period:    {period}")?;
    writeln!(out, "requests:  {}", s.requests)?;
    let section =
        |out: &mut dyn Write, title: &str, m: &std::collections::BTreeMap<String, u64>| {
            writeln!(out, "{title}:")?;
            if m.is_empty() {
                writeln!(out, "  (none)")?;
            }
            for (k, v) in m {
                writeln!(out, "  {k:<32} {v:>10}")?;
            }
            io::Result::Ok(())
        };
    section(out, "by outcome", &s.by_outcome)?;
    section(out, "by replica", &s.by_replica)?;
    section(out, "blocks by policy", &s.blocks_by_policy)?;
    section(out, "redactions by entity type", &s.redactions_by_entity)?;
    section(out, "errors by class", &s.errors_by_class)?;
    writeln!(out, "tokens by key and model:")?;
    writeln!(
        out,
        "  {:<20} {:<32} {:>10} {:>12} {:>12}",
        "KEY", "MODEL", "REQUESTS", "INPUT", "OUTPUT"
    )?;
    for (key, models) in &s.tokens {
        for (model, t) in models {
            writeln!(
                out,
                "  {key:<20} {model:<32} {:>10} {:>12} {:>12}",
                t.requests, t.input, t.output
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_only_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("@cmd"), "'@cmd");
        assert_eq!(csv_field("-1.5"), "-1.5");
        assert_eq!(csv_field("-"), "-");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }
}
