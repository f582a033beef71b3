//! The spanned YAML tree: what the pack parser builds and the checks read.
//!
//! Why it exists apart: the parser (`yaml`), the scalar resolver (`scalar`) and the path index
//! (`index`) all speak this tree; as a leaf it keeps them from importing each other.

/// A mapping key and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    /// The key text (scalars only).
    pub text: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
}

/// What a node holds.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// `~`, `null` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer; range against the target type is checked later.
    Int(i128),
    /// A float, possibly non-finite (reported later).
    Float(f64),
    /// A string.
    Str(String),
    /// A list.
    Seq(Vec<Node>),
    /// A mapping, in source order, duplicate-free.
    Map(Vec<(Key, Node)>),
}

/// A YAML value and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub kind: NodeKind,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// The scalar as written (without quotes), for messages.
    pub raw: Option<String>,
}
