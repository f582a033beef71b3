//! The pack commands that never serve: `validate`, `test`, `explain`, and `keys new`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::output::{err, out, out_raw};
use crate::config::{self, Diagnostic, LoadedPack, Severity};
use crate::policy::PolicyChain;
use crate::policy::cases::{CaseFile, run_cases};

pub(super) fn new_key(id: &str) -> ExitCode {
    let (key, sha256) = crate::access::keys::generate();
    let id = serde_json::to_string(id).unwrap_or_else(|_| "\"my-key\"".into());
    out(format_args!("key: {key}"));
    out(format_args!(
        "# give the key to the client; it is not stored anywhere. Paste under auth.keys:"
    ));
    out(format_args!("- {{ id: {id}, key_sha256: \"{sha256}\" }}"));
    ExitCode::SUCCESS
}

pub(super) fn validate(packs: &[PathBuf]) -> ExitCode {
    let mut ok = true;
    for path in packs {
        match config::load_file(path) {
            Ok(loaded) => {
                print_diagnostics(&loaded.warnings);
                // The chain is built too (rule files read, patterns compiled, models loaded), so a
                // pack that `gw run` or a hot reload would reject is never called ok here.
                if let Err(e) = PolicyChain::build(&loaded.pack.policies, &loaded.pack_dir()) {
                    ok = false;
                    err(format_args!("{}: {e}", path.display()));
                    out(format_args!("{}: 1 error(s)", path.display()));
                    continue;
                }
                out(format_args!(
                    "{}: ok (pack `{}` {})",
                    path.display(),
                    loaded.pack.pack.name,
                    loaded.pack.pack.version
                ));
            }
            Err(diags) => {
                ok = false;
                print_diagnostics(&diags);
                let errors = diags
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .count();
                out(format_args!("{}: {errors} error(s)", path.display()));
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

pub(super) fn print_diagnostics(diags: &[Diagnostic]) {
    for d in diags {
        err(format_args!("{d}"));
    }
}

/// Loads a pack and builds its policy chain, printing what went wrong if either fails.
pub(super) fn load_chain(pack: &Path) -> Result<(LoadedPack, PolicyChain), ExitCode> {
    let loaded = config::load_file(pack).map_err(|diags| {
        print_diagnostics(&diags);
        ExitCode::FAILURE
    })?;
    let chain = PolicyChain::build(&loaded.pack.policies, &loaded.pack_dir()).map_err(|e| {
        err(format_args!("gw: {e}"));
        ExitCode::FAILURE
    })?;
    Ok((loaded, chain))
}

pub(super) fn test_cases(pack: &Path, files: &[PathBuf]) -> ExitCode {
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
                out(format_args!("{}:\n{report}", file.display()));
                all_ok &= ok;
            }
            Err(e) => {
                err(format_args!("{}: {e}", file.display()));
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

pub(super) fn explain(pack: &Path, text: Option<String>) -> ExitCode {
    let (loaded, _) = match load_chain(pack) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let text = match text {
        Some(t) => t,
        None => {
            let mut buf = String::new();
            if std::io::Read::read_to_string(&mut std::io::stdin(), &mut buf).is_err() {
                err(format_args!("gw: could not read the text from stdin"));
                return ExitCode::FAILURE;
            }
            buf
        }
    };
    out_raw(format_args!(
        "{}",
        crate::policy::explain::explain(&loaded, &text)
    ));
    ExitCode::SUCCESS
}
