//! `gw replay`: recorded traffic through a candidate pack's chain, with budgets that gate CI.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::ReplayFormat;
use super::output::{err, out, out_raw};
use super::pack::load_chain;

pub(super) fn replay(
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
                err(format_args!("gw: {e}"));
                return ExitCode::FAILURE;
            }
        }
    }
    let report = crate::replay::compare(&traffic, &candidate, baseline.as_ref(), examples);
    match format {
        ReplayFormat::Table => out_raw(format_args!("{}", report.table())),
        ReplayFormat::Json => match serde_json::to_string_pretty(&report) {
            Ok(j) => out(format_args!("{j}")),
            Err(e) => {
                err(format_args!("gw: {e}"));
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
            err(format_args!(
                "gw: {n} requests {what}, over the budget of {max}"
            ));
            over = true;
        }
    }
    if over {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
