//! Loading and checking policy packs.
//!
//! A compliance team edits one YAML pack; a bad edit must be rejected with every problem listed
//! precisely and must never take traffic down. Start-up, `gw validate` and hot reload all call
//! [`load_file`] (or [`load_str`]) and get either a checked [`pack::Pack`] with its warnings, or
//! every error and warning as `file:line:column: key.path: what is wrong` lines.
//!
//! The stages, each in its own file: `yaml` builds a spanned tree (syntax, duplicate keys,
//! anchors), `index` turns it into JSON plus a path-to-position index, `schema_check` walks the
//! JSON against the schema generated from `pack`, `semantic` checks what a schema cannot
//! (references, uniqueness, credentials, files), and `diag` renders the result.

mod diag;
mod index;
pub mod pack;
pub mod reference;
pub mod rules;
mod scalar;
mod schema_check;
mod semantic;
mod tree;
mod yaml;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use diag::{Diagnostic, Severity};

use diag::{Report, at_pos};
use index::Pos;

/// A pack that passed every check, with what the runtime and the file watcher need beside it.
#[derive(Clone, Debug)]
pub struct LoadedPack {
    /// The checked pack.
    pub pack: pack::Pack,
    /// The file it came from (as given), for messages and reloads.
    pub path: PathBuf,
    /// Hex SHA-256 of the source bytes: identifies exactly which pack is serving.
    pub sha256: String,
    /// Problems that do not reject the pack (print them at load).
    pub warnings: Vec<Diagnostic>,
    /// The rule files the pack names, resolved, so the watcher reloads when they change.
    pub rule_files: Vec<PathBuf>,
}

impl LoadedPack {
    /// The directory relative rule paths are resolved against first.
    pub fn pack_dir(&self) -> PathBuf {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }
}

/// The JSON Schema of a pack (for `gw schema` and editors), generated from the pack types.
pub fn json_schema() -> serde_json::Value {
    schema_check::json_schema()
}

/// Reads and checks the pack at `path`. `Err` holds every error and warning, sorted by position;
/// an unreadable file is reported as a diagnostic at line 1, column 1.
pub fn load_file(path: &Path) -> Result<LoadedPack, Vec<Diagnostic>> {
    let file = path.display().to_string();
    let fail = |pos: Pos, message: String| {
        vec![at_pos(
            Severity::Error,
            &file,
            pos,
            String::new(),
            message,
            None,
        )]
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            let reason = rules::io_reason(&e);
            return Err(fail(Pos::START, format!("cannot read the pack: {reason}")));
        }
    };
    match String::from_utf8(bytes) {
        Ok(source) => load_str(&source, path),
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let before = String::from_utf8_lossy(valid);
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Err(fail(
                Pos { line, col },
                "the pack is not valid utf-8".into(),
            ))
        }
    }
}

/// Checks a pack given as text; `path` names it in messages and anchors relative rule files.
pub fn load_str(source: &str, path: &Path) -> Result<LoadedPack, Vec<Diagnostic>> {
    let file = path.display().to_string();
    let sha256 = hex::encode(Sha256::digest(source.as_bytes()));
    let parsed = yaml::parse(source);
    let mut diags: Vec<Diagnostic> = parsed
        .issues
        .into_iter()
        .map(|i| {
            at_pos(
                Severity::Error,
                &file,
                i.pos,
                i.path.to_string(),
                i.message,
                None,
            )
        })
        .collect();
    let Some(root) = parsed.root else {
        if diags.is_empty() {
            diags.push(at_pos(
                Severity::Error,
                &file,
                Pos::START,
                String::new(),
                "the pack is empty".into(),
                None,
            ));
        }
        diag::sort(&mut diags);
        return Err(diags);
    };

    let (value, index, unrepresentable) = index::to_json(&root);
    let mut report = Report::new(&file, &index);
    let mut skip = HashSet::new();
    for bad in unrepresentable {
        report.error(diag::At::Value, &bad.path, bad.message, None);
        skip.insert(bad.path);
    }
    for issue in schema_check::check(&value, &index, &skip) {
        report.error(issue.at, &issue.path, issue.message, issue.help);
    }
    let pack_dir = path.parent().unwrap_or(Path::new(""));
    let rule_files = semantic::check(&value, pack_dir, &mut report);
    diags.extend(report.diags);

    let mut pack = None;
    if !diags.iter().any(Diagnostic::is_error) {
        match serde_json::from_value::<pack::Pack>(value) {
            Ok(p) => pack = Some(p),
            Err(e) => diags.push(at_pos(
                Severity::Error,
                &file,
                Pos::START,
                String::new(),
                format!("the pack passed every check but could not be read (a bug in gw): {e}"),
                None,
            )),
        }
    }
    diag::sort(&mut diags);
    match pack {
        Some(pack) => Ok(LoadedPack {
            pack,
            path: path.to_path_buf(),
            sha256,
            warnings: diags,
            rule_files,
        }),
        None => Err(diags),
    }
}

#[cfg(test)]
mod tests;
