//! A spanned YAML tree built from `saphyr-parser` events.
//!
//! serde-based YAML loaders forget where a value came from, and a pack diagnostic is useless
//! without its line and column. This builder keeps the position of every key and value, resolves
//! anchors, aliases and `<<` merge keys, applies the YAML 1.2 core schema, and rejects duplicate
//! keys. It never panics: syntax errors become a diagnostic at the parser's marker, and input that
//! would expand without bound (alias bombs, absurd nesting) is refused.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};

use super::index::{Path, Pos};
use super::scalar::{resolve_plain, resolve_tagged};
pub use super::tree::{Key, Node, NodeKind};

/// Deepest nesting accepted; real packs stay under ten.
const MAX_DEPTH: usize = 64;
/// Most values accepted after expanding aliases; guards against alias bombs.
const MAX_NODES: usize = 200_000;
/// The handle of YAML core tags such as `!!str`.
const CORE_HANDLE: &str = "tag:yaml.org,2002:";

/// A problem found while building the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlIssue {
    /// Where it is.
    pub pos: Pos,
    /// The key path being built when it was found.
    pub path: Path,
    /// What is wrong.
    pub message: String,
}

/// The outcome of parsing: the tree unless a fatal error stopped the build, and every issue.
#[derive(Debug)]
pub struct Parsed {
    /// The document (`None` after a syntax error or a refused expansion).
    pub root: Option<Node>,
    /// Syntax errors, duplicate keys, bad aliases and tags.
    pub issues: Vec<YamlIssue>,
}

/// Parses one YAML document into a spanned tree.
pub fn parse(source: &str) -> Parsed {
    let mut b = Builder::new(source);
    let mut parser = Parser::new_from_str(source);
    let root = loop {
        match parser.next_event() {
            None => break b.finish(),
            Some(Err(e)) => {
                let m = e.marker();
                let pos = Pos {
                    line: m.line().max(1),
                    col: m.col() + 1,
                };
                b.fatal(pos, format!("yaml syntax error: {}", e.info()));
                break None;
            }
            Some(Ok((event, span))) => {
                if let Err(fatal) = b.event(event, span) {
                    b.issues.push(fatal);
                    break None;
                }
            }
        }
    };
    Parsed {
        root,
        issues: b.issues,
    }
}

/// A container being built.
enum Frame {
    Seq {
        start: Node,
        anchor: usize,
        first_node: usize,
        items: Vec<Node>,
    },
    Map {
        start: Node,
        anchor: usize,
        first_node: usize,
        entries: Vec<(Key, Node)>,
        /// Keys already present, with their line, for duplicate detection.
        seen: HashMap<String, usize>,
        /// The key awaiting its value; `None` inside means the key was invalid (value dropped).
        pending: Option<Option<PendingKey>>,
        merges: Vec<Node>,
    },
}

struct PendingKey {
    key: Key,
    merge: bool,
}

struct Builder<'s> {
    source: &'s str,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    root: Option<Node>,
    documents: usize,
    nodes: usize,
    issues: Vec<YamlIssue>,
}

fn pos_of(span: &Span) -> Pos {
    Pos {
        line: span.start.line().max(1),
        col: span.start.col() + 1,
    }
}

fn node_at(kind: NodeKind, pos: Pos) -> Node {
    Node {
        kind,
        line: pos.line,
        col: pos.col,
        raw: None,
    }
}

impl<'s> Builder<'s> {
    fn new(source: &'s str) -> Self {
        Self {
            source,
            stack: Vec::new(),
            anchors: HashMap::new(),
            root: None,
            documents: 0,
            nodes: 0,
            issues: Vec::new(),
        }
    }

    fn finish(&mut self) -> Option<Node> {
        self.root.take()
    }

    /// The key path of the place currently being built.
    fn path(&self) -> Path {
        let mut p = Path::root();
        for frame in &self.stack {
            p = match frame {
                Frame::Seq { items, .. } => p.at(items.len()),
                Frame::Map { pending, .. } => match pending {
                    Some(Some(k)) => p.key(&k.key.text),
                    _ => p,
                },
            };
        }
        p
    }

    fn issue(&mut self, pos: Pos, path: Path, message: String) {
        self.issues.push(YamlIssue { pos, path, message });
    }

    fn fatal(&mut self, pos: Pos, message: String) {
        let path = self.path();
        self.issue(pos, path, message);
    }

    fn fatal_issue(&self, pos: Pos, message: String) -> YamlIssue {
        YamlIssue {
            pos,
            path: self.path(),
            message,
        }
    }

    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), YamlIssue> {
        let pos = pos_of(&span);
        match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => Ok(()),
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(self.fatal_issue(
                        pos,
                        "a pack is one yaml document; remove the second `---`".into(),
                    ));
                }
                Ok(())
            }
            Event::Scalar(text, style, anchor, tag) => {
                let node = self.scalar(&text, style, tag.as_deref(), pos);
                self.count(1, pos)?;
                self.complete(node, anchor, self.nodes - 1)
            }
            Event::Alias(id) => self.alias(id, span),
            Event::SequenceStart(anchor, tag) => {
                self.check_container_tag(tag.as_deref(), "seq", pos);
                self.open(Frame::Seq {
                    start: node_at(NodeKind::Null, pos),
                    anchor,
                    first_node: self.nodes,
                    items: Vec::new(),
                })
            }
            Event::MappingStart(anchor, tag) => {
                self.check_container_tag(tag.as_deref(), "map", pos);
                self.open(Frame::Map {
                    start: node_at(NodeKind::Null, pos),
                    anchor,
                    first_node: self.nodes,
                    entries: Vec::new(),
                    seen: HashMap::new(),
                    pending: None,
                    merges: Vec::new(),
                })
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(),
        }
    }

    fn count(&mut self, n: usize, pos: Pos) -> Result<(), YamlIssue> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err(self.fatal_issue(
                pos,
                format!("the pack expands to more than {MAX_NODES} values; are aliases nested into each other?"),
            ));
        }
        Ok(())
    }

    fn scalar(&mut self, text: &str, style: ScalarStyle, tag: Option<&Tag>, pos: Pos) -> Node {
        let kind = match tag {
            Some(t) if t.handle == CORE_HANDLE => match resolve_tagged(text, &t.suffix) {
                Ok(kind) => kind,
                Err(msg) => {
                    let path = self.path();
                    self.issue(pos, path, msg);
                    NodeKind::Str(text.to_string())
                }
            },
            Some(t) => {
                let path = self.path();
                self.issue(pos, path, format!("unsupported tag `{t}`"));
                NodeKind::Str(text.to_string())
            }
            None if style == ScalarStyle::Plain => resolve_plain(text),
            None => NodeKind::Str(text.to_string()),
        };
        Node {
            kind,
            line: pos.line,
            col: pos.col,
            raw: Some(text.to_string()),
        }
    }

    fn check_container_tag(&mut self, tag: Option<&Tag>, expected: &str, pos: Pos) {
        if let Some(t) = tag
            && !(t.handle == CORE_HANDLE && t.suffix == expected)
        {
            let path = self.path();
            self.issue(pos, path, format!("unsupported tag `{t}`"));
        }
    }

    fn open(&mut self, frame: Frame) -> Result<(), YamlIssue> {
        let pos = match &frame {
            Frame::Seq { start, .. } | Frame::Map { start, .. } => Pos {
                line: start.line,
                col: start.col,
            },
        };
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.fatal_issue(
                pos,
                format!("nesting deeper than {MAX_DEPTH} levels is not supported"),
            ));
        }
        self.count(1, pos)?;
        self.stack.push(frame);
        Ok(())
    }

    fn close(&mut self) -> Result<(), YamlIssue> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        match frame {
            Frame::Seq {
                mut start,
                anchor,
                first_node,
                items,
            } => {
                start.kind = NodeKind::Seq(items);
                self.complete(start, anchor, first_node)
            }
            Frame::Map {
                mut start,
                anchor,
                first_node,
                mut entries,
                mut seen,
                merges,
                ..
            } => {
                for merged in merges {
                    if let NodeKind::Map(more) = merged.kind {
                        for (k, v) in more {
                            if !seen.contains_key(&k.text) {
                                seen.insert(k.text.clone(), k.line);
                                entries.push((k, v));
                            }
                        }
                    }
                }
                start.kind = NodeKind::Map(entries);
                self.complete(start, anchor, first_node)
            }
        }
    }

    /// Records a finished node under its anchor and hands it to its parent.
    fn complete(&mut self, node: Node, anchor: usize, first_node: usize) -> Result<(), YamlIssue> {
        if anchor > 0 {
            let size = self.nodes.saturating_sub(first_node).max(1);
            self.anchors.insert(anchor, (node.clone(), size));
        }
        self.attach(node);
        Ok(())
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), YamlIssue> {
        let pos = pos_of(&span);
        let Some((node, size)) = self.anchors.get(&id).cloned() else {
            let name: String = self
                .source
                .chars()
                .skip(span.start.index())
                .take(span.len())
                .collect();
            return Err(self.fatal_issue(
                pos,
                format!("alias `{name}` refers to a node that contains it"),
            ));
        };
        self.count(size, pos)?;
        let mut node = node;
        node.line = pos.line;
        node.col = pos.col;
        self.attach(node);
        Ok(())
    }

    /// Adds a finished node to the open container (or makes it the document).
    fn attach(&mut self, node: Node) {
        let path = self.path();
        let node_pos = Pos {
            line: node.line,
            col: node.col,
        };
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(node);
            return;
        };
        let problem = match frame {
            Frame::Seq { items, .. } => {
                items.push(node);
                None
            }
            Frame::Map { pending, .. } if pending.is_none() => {
                if matches!(node.kind, NodeKind::Seq(_) | NodeKind::Map(_)) {
                    *pending = Some(None);
                    Some("a key must be a plain value, not a list or a mapping".to_string())
                } else {
                    let text = node.raw.clone().unwrap_or_default();
                    let merge = text == "<<";
                    let key = Key {
                        text,
                        line: node.line,
                        col: node.col,
                    };
                    *pending = Some(Some(PendingKey { key, merge }));
                    None
                }
            }
            Frame::Map {
                pending,
                entries,
                seen,
                merges,
                ..
            } => match pending.take().flatten() {
                None => None,
                Some(PendingKey { merge: true, .. }) => match node.kind {
                    NodeKind::Map(_) => {
                        merges.push(node);
                        None
                    }
                    NodeKind::Seq(items)
                        if items.iter().all(|n| matches!(n.kind, NodeKind::Map(_))) =>
                    {
                        merges.extend(items);
                        None
                    }
                    _ => Some("`<<` merges a mapping or a list of mappings".to_string()),
                },
                Some(PendingKey { key, .. }) => {
                    if let Some(first) = seen.get(&key.text) {
                        let msg = format!(
                            "duplicate key `{}` (first defined on line {first})",
                            key.text
                        );
                        let at = Pos {
                            line: key.line,
                            col: key.col,
                        };
                        self.issues.push(YamlIssue {
                            pos: at,
                            path,
                            message: msg,
                        });
                        return;
                    }
                    seen.insert(key.text.clone(), key.line);
                    entries.push((key, node));
                    None
                }
            },
        };
        if let Some(message) = problem {
            self.issues.push(YamlIssue {
                pos: node_pos,
                path,
                message,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(src: &str) -> Vec<String> {
        parse(src)
            .issues
            .iter()
            .map(|i| format!("{}:{}: {}: {}", i.pos.line, i.pos.col, i.path, i.message))
            .collect()
    }

    fn map_keys(node: &Node) -> Vec<&str> {
        match &node.kind {
            NodeKind::Map(entries) => entries.iter().map(|(k, _)| k.text.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn keeps_positions_of_keys_and_values() {
        let root = parse("a:\n  b: [1, 'x']\n").root.unwrap();
        let NodeKind::Map(top) = &root.kind else {
            panic!()
        };
        let (key, inner) = &top[0];
        assert_eq!((key.line, key.col), (1, 1));
        let NodeKind::Map(inner) = &inner.kind else {
            panic!()
        };
        let (b, list) = &inner[0];
        assert_eq!((b.line, b.col), (2, 3));
        assert_eq!((list.line, list.col), (2, 6));
        let NodeKind::Seq(items) = &list.kind else {
            panic!()
        };
        assert_eq!(items[1].kind, NodeKind::Str("x".into()));
        assert_eq!((items[1].line, items[1].col), (2, 10));
    }

    #[test]
    fn quoted_scalars_stay_strings() {
        let root = parse("a: '1'\nb: \"true\"\nc: 1\n").root.unwrap();
        let NodeKind::Map(e) = root.kind else {
            panic!()
        };
        assert_eq!(e[0].1.kind, NodeKind::Str("1".into()));
        assert_eq!(e[1].1.kind, NodeKind::Str("true".into()));
        assert_eq!(e[2].1.kind, NodeKind::Int(1));
    }

    #[test]
    fn duplicate_keys_are_errors() {
        assert_eq!(
            messages("a: 1\nb:\n  c: 1\n  c: 2\n"),
            vec!["4:3: b.c: duplicate key `c` (first defined on line 3)"]
        );
    }

    #[test]
    fn aliases_and_merge_keys() {
        let src = "base: &b {x: 1, y: 2}\nuse: *b\nmerged:\n  <<: *b\n  y: 3\n";
        let parsed = parse(src);
        assert!(parsed.issues.is_empty(), "{:?}", parsed.issues);
        let root = parsed.root.unwrap();
        let NodeKind::Map(e) = &root.kind else {
            panic!()
        };
        assert_eq!(
            (e[1].1.line, e[1].1.col),
            (2, 6),
            "an alias is located where it is used"
        );
        assert_eq!(map_keys(&e[2].1), vec!["y", "x"]);
        let NodeKind::Map(m) = &e[2].1.kind else {
            panic!()
        };
        assert_eq!(
            m[0].1.kind,
            NodeKind::Int(3),
            "explicit keys win over merged ones"
        );
    }

    #[test]
    fn bad_merge_values_and_complex_keys_are_errors() {
        assert_eq!(
            messages("a:\n  <<: 5\n"),
            vec!["2:7: a[\"<<\"]: `<<` merges a mapping or a list of mappings"]
        );
        assert_eq!(
            messages("? [a]\n: 1\n"),
            vec!["1:3: : a key must be a plain value, not a list or a mapping"]
        );
    }

    #[test]
    fn refuses_alias_bombs_and_deep_nesting() {
        let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            src.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        let parsed = parse(&src);
        assert!(parsed.root.is_none());
        assert!(
            parsed.issues[0].message.contains("expands to more than"),
            "{:?}",
            parsed.issues
        );

        let deep = "[".repeat(100) + &"]".repeat(100);
        let parsed = parse(&deep);
        assert!(parsed.root.is_none());
        assert!(
            parsed.issues[0].message.contains("nesting deeper"),
            "{:?}",
            parsed.issues
        );
    }

    #[test]
    fn syntax_errors_and_second_documents() {
        let msgs = messages("a: b: c\n");
        assert_eq!(
            msgs,
            vec!["1:5: : yaml syntax error: mapping values are not allowed in this context"]
        );
        let msgs = messages("a: 1\n---\nb: 2\n");
        assert_eq!(
            msgs,
            vec!["2:1: : a pack is one yaml document; remove the second `---`"]
        );
    }

    #[test]
    fn tags() {
        let parsed = parse("a: !!str 12\nb: !custom x\nc: !!int abc\n");
        let msgs: Vec<&str> = parsed.issues.iter().map(|i| i.message.as_str()).collect();
        assert_eq!(
            msgs,
            vec!["unsupported tag `!custom`", "`abc` is not a valid `!!int`"]
        );
        let root = parsed.root.unwrap();
        let NodeKind::Map(e) = root.kind else {
            panic!()
        };
        assert_eq!(e[0].1.kind, NodeKind::Str("12".into()));
    }
}
