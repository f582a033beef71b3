//! Key paths, source positions, and the tree-to-JSON conversion that links them.
//!
//! The checks run on a plain `serde_json::Value` (what the schema and serde understand), while
//! every diagnostic must point into the YAML. Converting the spanned tree records, for each key
//! path, where its key and its value sit, so a check only needs the path to locate a problem.

use std::collections::HashMap;
use std::fmt;

use serde_json::{Map, Number, Value};

use super::tree::{Node, NodeKind};

/// A 1-based line and column in the pack source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
}

impl Pos {
    /// The first character of the file.
    pub const START: Pos = Pos { line: 1, col: 1 };
}

/// One step of a key path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Seg {
    /// A mapping key.
    Key(String),
    /// A list position.
    Index(usize),
}

/// A key path such as `providers.targets[1].weight`; the empty path is the whole pack.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Path(Vec<Seg>);

impl Path {
    /// The whole pack.
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// Parses a dotted path of plain keys and `[n]` indexes.
    #[cfg(test)]
    pub fn parse(dotted: &str) -> Self {
        let mut p = Self::root();
        for part in dotted.split('.').filter(|s| !s.is_empty()) {
            let mut pieces = part.split('[');
            if let Some(key) = pieces.next().filter(|k| !k.is_empty()) {
                p = p.key(key);
            }
            for idx in pieces {
                if let Ok(i) = idx.trim_end_matches(']').parse() {
                    p = p.at(i);
                }
            }
        }
        p
    }

    /// The path of `key` inside this mapping.
    pub fn key(&self, key: &str) -> Self {
        let mut v = self.0.clone();
        v.push(Seg::Key(key.to_string()));
        Self(v)
    }

    /// The path of item `i` of this list.
    pub fn at(&self, i: usize) -> Self {
        let mut v = self.0.clone();
        v.push(Seg::Index(i));
        Self(v)
    }

    /// The enclosing path (the root is its own parent).
    pub fn parent(&self) -> Self {
        let mut v = self.0.clone();
        v.pop();
        Self(v)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Index(n) => write!(f, "[{n}]")?,
                Seg::Key(k) if is_plain_key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Seg::Key(k) => {
                    let quoted = serde_json::to_string(k).map_err(|_| fmt::Error)?;
                    write!(f, "[{quoted}]")?;
                }
            }
        }
        Ok(())
    }
}

/// Keys that read unambiguously after a dot.
fn is_plain_key(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Where one path sits in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loc {
    /// The key, for mapping entries.
    pub key: Option<Pos>,
    /// The value.
    pub value: Pos,
    /// The scalar as written, for quoting it back in messages.
    pub raw: Option<String>,
}

/// Path-to-position lookup for one pack.
#[derive(Clone, Debug, Default)]
pub struct Index {
    locs: HashMap<Path, Loc>,
}

impl Index {
    /// The value at `path`, or the key of its nearest present ancestor (absent keys take defaults).
    pub fn value_pos(&self, path: &Path) -> Pos {
        match self.locs.get(path) {
            Some(loc) => loc.value,
            None => self.key_pos(&path.parent()),
        }
    }

    /// The key at `path` (the value for list items and the root), or its nearest present ancestor.
    pub fn key_pos(&self, path: &Path) -> Pos {
        let mut p = path.clone();
        loop {
            if let Some(loc) = self.locs.get(&p) {
                return loc.key.unwrap_or(loc.value);
            }
            if p.0.is_empty() {
                return Pos::START;
            }
            p = p.parent();
        }
    }

    /// The scalar at `path` as written in the source.
    pub fn raw(&self, path: &Path) -> Option<&str> {
        self.locs.get(path).and_then(|l| l.raw.as_deref())
    }
}

/// A value that has no JSON form (such as `.inf`), already reported, so later checks skip it.
#[derive(Clone, Debug, PartialEq)]
pub struct Unrepresentable {
    /// Where the value is.
    pub path: Path,
    /// What is wrong with it.
    pub message: String,
}

/// Converts the spanned tree to JSON, indexing every key path.
pub fn to_json(root: &Node) -> (Value, Index, Vec<Unrepresentable>) {
    let mut index = Index::default();
    let mut bad = Vec::new();
    let value = convert(root, &Path::root(), None, &mut index, &mut bad);
    (value, index, bad)
}

fn convert(
    node: &Node,
    path: &Path,
    key: Option<Pos>,
    index: &mut Index,
    bad: &mut Vec<Unrepresentable>,
) -> Value {
    let value_pos = Pos {
        line: node.line,
        col: node.col,
    };
    let raw = node.raw.clone();
    index.locs.insert(
        path.clone(),
        Loc {
            key,
            value: value_pos,
            raw,
        },
    );
    match &node.kind {
        NodeKind::Null => Value::Null,
        NodeKind::Bool(b) => Value::Bool(*b),
        NodeKind::Str(s) => Value::String(s.clone()),
        NodeKind::Int(i) => {
            if let Ok(u) = u64::try_from(*i) {
                Value::Number(u.into())
            } else if let Ok(s) = i64::try_from(*i) {
                Value::Number(s.into())
            } else {
                bad.push(Unrepresentable {
                    path: path.clone(),
                    message: format!("integer `{i}` is out of range"),
                });
                Value::Null
            }
        }
        NodeKind::Float(f) => match Number::from_f64(*f) {
            Some(n) => Value::Number(n),
            None => {
                let shown = node.raw.clone().unwrap_or_else(|| f.to_string());
                bad.push(Unrepresentable {
                    path: path.clone(),
                    message: format!("expected a finite number, found `{shown}`"),
                });
                Value::Null
            }
        },
        NodeKind::Seq(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, n)| convert(n, &path.at(i), None, index, bad))
                .collect(),
        ),
        NodeKind::Map(entries) => {
            let mut map = Map::new();
            for (k, v) in entries {
                let kp = Pos {
                    line: k.line,
                    col: k.col,
                };
                let child = convert(v, &path.key(&k.text), Some(kp), index, bad);
                map.insert(k.text.clone(), child);
            }
            Value::Object(map)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_paths() {
        let p = Path::root()
            .key("providers")
            .key("targets")
            .at(1)
            .key("weight");
        assert_eq!(p.to_string(), "providers.targets[1].weight");
        assert_eq!(
            Path::root().key("models").key("claude-3.5").to_string(),
            "models[\"claude-3.5\"]"
        );
        assert_eq!(Path::parse("providers.targets[1].weight"), p);
        assert_eq!(p.parent().parent().to_string(), "providers.targets");
    }
}
