//! Finding the rule files a pack names (`policies.policy.<name>.rules`).
//!
//! Packs are moved between machines and started from different directories, so a relative rule
//! path is tried against the pack's own directory first and the current directory second, and an
//! error names every path tried. The resolved paths are handed to the file watcher.

use std::path::{Path, PathBuf};

/// The result of looking for one rule file.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    /// The first readable candidate.
    Readable(PathBuf),
    /// Every candidate, each with why it could not be read.
    Unreadable(Vec<(PathBuf, String)>),
}

/// Looks for `rules` relative to `pack_dir`, then to the current directory.
pub fn resolve(rules: &str, pack_dir: &Path) -> Found {
    let wanted = Path::new(rules);
    let mut candidates: Vec<PathBuf> = Vec::new();
    if wanted.is_absolute() {
        candidates.push(wanted.to_path_buf());
    } else {
        let beside_pack = pack_dir.join(wanted);
        let from_cwd = std::env::current_dir()
            .ok()
            .map(|cwd| (cwd.join(&beside_pack), cwd.join(wanted)));
        candidates.push(beside_pack);
        if let Some((first_abs, from_cwd)) = from_cwd
            && first_abs != from_cwd
        {
            candidates.push(from_cwd);
        }
    }
    let mut failures = Vec::new();
    for cand in candidates {
        match readable(&cand) {
            // Absolute, so the watcher does not depend on the current directory staying put.
            Ok(()) => return Found::Readable(std::path::absolute(&cand).unwrap_or(cand)),
            Err(why) => failures.push((cand, why)),
        }
    }
    Found::Unreadable(failures)
}

/// The path a policy should read for `rules`: the first readable candidate, as `resolve` finds
/// it, or the path beside the pack (whose read error then names it).
pub fn locate(rules: &str, pack_dir: &Path) -> String {
    match resolve(rules, pack_dir) {
        Found::Readable(p) => p.display().to_string(),
        Found::Unreadable(_) => pack_dir.join(rules).display().to_string(),
    }
}

/// Whether `path` is a file this process can open, and why not.
fn readable(path: &Path) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| io_reason(&e))?;
    if meta.is_dir() {
        return Err("is a directory".into());
    }
    std::fs::File::open(path)
        .map(|_| ())
        .map_err(|e| io_reason(&e))
}

/// A short lowercase reason for an I/O failure.
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "not found".into(),
        ErrorKind::PermissionDenied => "permission denied".into(),
        ErrorKind::IsADirectory => "is a directory".into(),
        ErrorKind::InvalidData => "not valid utf-8".into(),
        _ => {
            let text = e.to_string();
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => "unknown error".into(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_relative_to_pack_dir_then_cwd() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("policies")).unwrap();
        std::fs::write(dir.path().join("policies/pii.yaml"), "x: 1\n").unwrap();
        assert_eq!(
            resolve("policies/pii.yaml", dir.path()),
            Found::Readable(dir.path().join("policies/pii.yaml"))
        );
        // Cargo runs unit tests from the package root, where Cargo.toml is.
        assert!(
            matches!(resolve("Cargo.toml", dir.path()), Found::Readable(p) if p.ends_with("Cargo.toml"))
        );
    }

    #[test]
    fn names_every_path_tried() {
        let dir = tempfile::tempdir().unwrap();
        let Found::Unreadable(tried) = resolve("policies/none.yaml", dir.path()) else {
            panic!("expected unreadable");
        };
        assert_eq!(tried.len(), 2);
        assert_eq!(
            tried[0],
            (
                dir.path().join("policies/none.yaml"),
                "not found".to_string()
            )
        );
        assert!(tried[1].0.is_absolute());
        let Found::Unreadable(tried) = resolve("policies", dir.path().parent().unwrap()) else {
            panic!("expected unreadable");
        };
        assert!(
            tried
                .iter()
                .all(|(_, why)| why == "not found" || why == "is a directory")
        );
    }
}
