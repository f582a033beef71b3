//! Diagnostics: the one shape in which every pack problem reaches a user.
//!
//! A compliance editor fixes a pack from these lines alone, so each one names the file, the exact
//! line and column, the key path and what is wrong, and offers the closest valid spelling when a
//! typo is likely. `gw validate`, start-up and hot reload all print the same lines.

use std::fmt;

use super::index::{Index, Path, Pos};

/// How bad a problem is: errors reject the pack, warnings are printed and the pack still loads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The pack is rejected.
    Error,
    /// The pack loads; the problem is worth a look (it may be fine at run time).
    Warning,
}

/// One problem found in a pack, located precisely enough for an editor to jump to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Whether the problem rejects the pack.
    pub severity: Severity,
    /// The pack file as the user named it.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// Key path such as `providers.targets[1].weight`; empty for the file as a whole.
    pub path: String,
    /// Lowercase description; user input in backticks.
    pub message: String,
    /// The value the user probably meant, rendered as "did you mean `x`?".
    pub help: Option<String>,
}

impl Diagnostic {
    /// True for errors, which reject the pack.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if self.severity == Severity::Warning {
            f.write_str("warning: ")?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, "; did you mean `{help}`?")?;
        }
        Ok(())
    }
}

/// Where in the source a diagnostic points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum At {
    /// At the value (a bad value).
    Value,
    /// At the key (an unknown or duplicate key, a route name).
    Key,
    /// At the mapping that holds the path (a missing key).
    Parent,
}

/// Collects diagnostics for one pack, turning key paths into source positions.
pub(crate) struct Report<'a> {
    file: &'a str,
    index: &'a Index,
    /// Everything found so far, in the order found.
    pub diags: Vec<Diagnostic>,
}

impl<'a> Report<'a> {
    /// A report for `file` whose positions come from `index`.
    pub fn new(file: &'a str, index: &'a Index) -> Self {
        Self {
            file,
            index,
            diags: Vec::new(),
        }
    }

    /// Records an error about `path`.
    pub fn error(&mut self, at: At, path: &Path, message: String, help: Option<String>) {
        self.push(Severity::Error, at, path, message, help);
    }

    /// Records a warning about `path`.
    pub fn warn(&mut self, at: At, path: &Path, message: String) {
        self.push(Severity::Warning, at, path, message, None);
    }

    /// Records a diagnostic, locating it through the index.
    pub fn push(
        &mut self,
        severity: Severity,
        at: At,
        path: &Path,
        message: String,
        help: Option<String>,
    ) {
        let pos = match at {
            At::Value => self.index.value_pos(path),
            At::Key => self.index.key_pos(path),
            At::Parent => self.index.key_pos(&path.parent()),
        };
        self.diags.push(at_pos(
            severity,
            self.file,
            pos,
            path.to_string(),
            message,
            help,
        ));
    }

    /// The position of the value at `path` (or its nearest present ancestor).
    pub fn value_pos(&self, path: &Path) -> Pos {
        self.index.value_pos(path)
    }
}

/// Builds a diagnostic at a known position.
pub(crate) fn at_pos(
    severity: Severity,
    file: &str,
    pos: Pos,
    path: String,
    message: String,
    help: Option<String>,
) -> Diagnostic {
    Diagnostic {
        severity,
        file: file.to_string(),
        line: pos.line,
        column: pos.col,
        path,
        message,
        help,
    }
}

/// Sorts diagnostics by position (stable, so same-place problems keep the order found).
pub(crate) fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by_key(|d| (d.line, d.column));
}

/// The candidate closest to `input`, if it is close enough to be a likely typo.
///
/// Case and `-`/`_` differences are free; beyond that a third of the candidate's length in edits
/// (at least one, transpositions count once) is allowed.
pub(crate) fn suggest<'c>(
    input: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<String> {
    let norm = |s: &str| s.to_lowercase().replace('-', "_");
    let wanted = norm(input);
    let mut best: Option<(usize, &str)> = None;
    for cand in candidates {
        if cand == input {
            continue;
        }
        let dist = strsim::damerau_levenshtein(&wanted, &norm(cand));
        let allowed = (cand.chars().count() / 3).max(1);
        if dist <= allowed && best.is_none_or(|(d, _)| dist < d) {
            best = Some((dist, cand));
        }
    }
    best.map(|(_, c)| c.to_string())
}

/// `a`, `b`, `c` for a message.
pub(crate) fn list<'c>(items: impl IntoIterator<Item = &'c str>) -> String {
    items
        .into_iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(severity: Severity, help: Option<&str>) -> Diagnostic {
        Diagnostic {
            severity,
            file: "pack.yaml".into(),
            line: 3,
            column: 5,
            path: "providers.targets[0].wieght".into(),
            message: "unknown key `wieght`".into(),
            help: help.map(str::to_string),
        }
    }

    #[test]
    fn renders_error_with_help() {
        assert_eq!(
            diag(Severity::Error, Some("weight")).to_string(),
            "pack.yaml:3:5: providers.targets[0].wieght: unknown key `wieght`; did you mean `weight`?"
        );
    }

    #[test]
    fn renders_warning() {
        assert_eq!(
            diag(Severity::Warning, None).to_string(),
            "pack.yaml:3:5: warning: providers.targets[0].wieght: unknown key `wieght`"
        );
    }

    #[test]
    fn suggests_close_spellings_only() {
        let keys = ["weight", "model", "max_attempts"];
        assert_eq!(suggest("wieght", keys).as_deref(), Some("weight"));
        assert_eq!(
            suggest("max-attempts", keys).as_deref(),
            Some("max_attempts")
        );
        assert_eq!(suggest("zzz", keys), None);
        assert_eq!(
            suggest("pii-detecter", ["pii-detector", "safety-filter"]).as_deref(),
            Some("pii-detector")
        );
        assert_eq!(
            suggest("fallbak", ["single", "fallback", "weighted"]).as_deref(),
            Some("fallback")
        );
    }

    #[test]
    fn sorts_by_line_then_column() {
        let mut v = vec![diag(Severity::Error, None), diag(Severity::Warning, None)];
        v[0].line = 9;
        sort(&mut v);
        assert_eq!(v[0].line, 3);
    }
}
