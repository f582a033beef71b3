//! Structural checks: the pack as JSON against the JSON Schema generated from the pack types.
//!
//! serde stops at the first problem and its messages name Rust types; a pack editor needs every
//! problem at once, in their words. Walking the generated schema (the same one `gw schema` prints
//! for editors) gives both, and stays in step with `pack.rs` because it is derived from it.

use std::collections::HashSet;
use std::sync::OnceLock;

use regex::Regex;
use serde_json::{Map, Value};

use super::diag::{At, list, suggest};
use super::index::{Index, Path};
use super::pack::Pack;

/// The pack schema, generated once.
fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| schemars::schema_for!(Pack).to_value())
}

/// The JSON Schema of a pack, for `gw schema` and editor integration.
pub fn json_schema() -> Value {
    schema().clone()
}

/// The default the schema declares for `property` of the definition `def` (e.g. a target's region).
pub fn default_of(def: &str, property: &str) -> Option<&'static Value> {
    schema()
        .get("$defs")?
        .get(def)?
        .get("properties")?
        .get(property)?
        .get("default")
}

/// The property names of the definition `def` (e.g. the built-in policy names).
pub fn property_names(def: &str) -> impl Iterator<Item = &'static str> {
    schema()
        .get("$defs")
        .and_then(|d| d.get(def))
        .and_then(|d| d.get("properties"))
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|props| props.keys().map(String::as_str))
}

/// One structural problem, before it is given a file position.
#[derive(Clone, Debug, PartialEq)]
pub struct Issue {
    /// Which part of the source to point at.
    pub at: At,
    /// The offending path.
    pub path: Path,
    /// What is wrong.
    pub message: String,
    /// The likely intended value.
    pub help: Option<String>,
}

/// Checks `value` against the pack schema and returns every problem; paths in `skip` were
/// already reported (values with no JSON form) and are not checked again.
pub fn check(value: &Value, index: &Index, skip: &HashSet<Path>) -> Vec<Issue> {
    let checker = Checker {
        root: schema(),
        index,
        skip,
    };
    checker.walk(value, schema(), &Path::root())
}

struct Checker<'a> {
    root: &'a Value,
    index: &'a Index,
    skip: &'a HashSet<Path>,
}

fn issue(at: At, path: &Path, message: String, help: Option<String>) -> Vec<Issue> {
    vec![Issue {
        at,
        path: path.clone(),
        message,
        help,
    }]
}

impl Checker<'_> {
    /// Follows `$ref`s into `$defs`.
    fn resolve<'s>(&'s self, mut s: &'s Value) -> &'s Value {
        for _ in 0..32 {
            let Some(r) = s.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let name = r.trim_start_matches("#/$defs/");
            match self.root.get("$defs").and_then(|d| d.get(name)) {
                Some(target) => s = target,
                None => break,
            }
        }
        s
    }

    fn walk(&self, v: &Value, s: &Value, path: &Path) -> Vec<Issue> {
        if self.skip.contains(path) {
            return Vec::new();
        }
        let s = self.resolve(s);
        match s {
            Value::Bool(true) => return Vec::new(),
            Value::Bool(false) => {
                return issue(At::Value, path, "no value is allowed here".into(), None);
            }
            _ => {}
        }
        if let Some(allowed) = enum_values(s) {
            return self.check_enum(v, &allowed, path);
        }
        if let Some(branches) = s
            .get("anyOf")
            .or_else(|| s.get("oneOf"))
            .and_then(Value::as_array)
        {
            return self.check_branches(v, branches, path);
        }
        if let Some(types) = s.get("type") {
            let types: Vec<&str> = match types {
                Value::String(t) => vec![t.as_str()],
                Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if !types.is_empty() && !types.iter().any(|t| type_matches(v, t)) {
                return self.type_error(v, &types, path);
            }
        }
        match v {
            Value::Object(obj) => self.check_object(obj, s, path),
            Value::Array(items) => self.check_array(items, s, path),
            Value::String(text) => self.check_string(text, s, path),
            Value::Number(_) => self.check_number(v, s, path),
            Value::Bool(_) | Value::Null => Vec::new(),
        }
    }

    fn check_enum(&self, v: &Value, allowed: &[&str], path: &Path) -> Vec<Issue> {
        match v {
            Value::String(text) if allowed.contains(&text.as_str()) => Vec::new(),
            Value::String(text) => issue(
                At::Value,
                path,
                format!(
                    "unknown value `{text}`, expected one of {}",
                    list(allowed.iter().copied())
                ),
                suggest(text, allowed.iter().copied()),
            ),
            other => issue(
                At::Value,
                path,
                format!(
                    "expected one of {}, found {}",
                    list(allowed.iter().copied()),
                    self.describe(other, path)
                ),
                None,
            ),
        }
    }

    fn check_branches(&self, v: &Value, branches: &[Value], path: &Path) -> Vec<Issue> {
        let non_null: Vec<&Value> = branches
            .iter()
            .filter(|b| self.resolve(b).get("type").and_then(Value::as_str) != Some("null"))
            .collect();
        if v.is_null() && non_null.len() < branches.len() {
            return Vec::new();
        }
        let mut best: Option<Vec<Issue>> = None;
        for branch in non_null {
            let issues = self.walk(v, branch, path);
            if issues.is_empty() {
                return issues;
            }
            if best.as_ref().is_none_or(|b| issues.len() < b.len()) {
                best = Some(issues);
            }
        }
        best.unwrap_or_default()
    }

    fn type_error(&self, v: &Value, types: &[&str], path: &Path) -> Vec<Issue> {
        let expected: Vec<&str> = types
            .iter()
            .filter(|t| **t != "null")
            .map(|t| type_name(t))
            .collect();
        let expected = if expected.is_empty() {
            "nothing".to_string()
        } else {
            expected.join(" or ")
        };
        // A number or boolean where a string belongs usually just needs quotes.
        let help = match v {
            Value::Number(_) | Value::Bool(_) if types.contains(&"string") => {
                Some(format!("\"{}\"", self.raw(v, path)))
            }
            _ => None,
        };
        let found = self.describe(v, path);
        issue(
            At::Value,
            path,
            format!("expected {expected}, found {found}"),
            help,
        )
    }

    fn check_object(&self, obj: &Map<String, Value>, s: &Value, path: &Path) -> Vec<Issue> {
        let mut out = Vec::new();
        let empty = Map::new();
        let props = s
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let additional = s.get("additionalProperties");
        for (key, val) in obj {
            let child = path.key(key);
            if let Some(prop) = props.get(key) {
                out.extend(self.walk(val, prop, &child));
            } else {
                match additional {
                    Some(Value::Bool(false)) => out.push(unknown_key(key, props, &child)),
                    Some(schema @ Value::Object(_)) => out.extend(self.walk(val, schema, &child)),
                    _ => {}
                }
            }
        }
        for req in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(req) = req.as_str().filter(|r| !obj.contains_key(*r)) {
                out.extend(issue(
                    At::Parent,
                    &path.key(req),
                    format!("required key `{req}` is missing"),
                    None,
                ));
            }
        }
        out
    }

    fn check_array(&self, items: &[Value], s: &Value, path: &Path) -> Vec<Issue> {
        let mut out = Vec::new();
        if let Some(min) = s.get("minItems").and_then(Value::as_u64)
            && (items.len() as u64) < min
        {
            let what = if min == 1 {
                "at least one item".to_string()
            } else {
                format!("at least {min} items")
            };
            out.extend(issue(At::Value, path, format!("must have {what}"), None));
        }
        if let Some(item_schema) = s.get("items") {
            for (i, item) in items.iter().enumerate() {
                out.extend(self.walk(item, item_schema, &path.at(i)));
            }
        }
        out
    }

    fn check_string(&self, text: &str, s: &Value, path: &Path) -> Vec<Issue> {
        if let Some(min) = s.get("minLength").and_then(Value::as_u64)
            && (text.chars().count() as u64) < min
        {
            let msg = if min == 1 {
                "must not be empty".to_string()
            } else {
                format!("must be at least {min} characters long")
            };
            return issue(At::Value, path, msg, None);
        }
        // An uncompilable pattern is a bug in the pack types; it must not reject packs.
        if let Some(pattern) = s.get("pattern").and_then(Value::as_str)
            && let Ok(re) = Regex::new(pattern)
            && !re.is_match(text)
        {
            let msg = format!("`{}` is not {}", text, pattern_meaning(pattern));
            return issue(At::Value, path, msg, None);
        }
        Vec::new()
    }

    fn check_number(&self, v: &Value, s: &Value, path: &Path) -> Vec<Issue> {
        let Some(x) = v.as_f64() else {
            return Vec::new();
        };
        let raw = self.raw(v, path);
        let (fmt_min, fmt_max) = format_bounds(s.get("format").and_then(Value::as_str));
        let min = s.get("minimum").and_then(Value::as_f64).or(fmt_min);
        let max = s.get("maximum").and_then(Value::as_f64).or(fmt_max);
        let bound = |b: f64| {
            serde_json::Number::from_f64(b).map_or(b.to_string(), |n| trim_float(&n.to_string()))
        };
        if let Some(min) = min.filter(|m| x < *m) {
            return issue(
                At::Value,
                path,
                format!("must be at least {}, found `{raw}`", bound(min)),
                None,
            );
        }
        if let Some(max) = max.filter(|m| x > *m) {
            return issue(
                At::Value,
                path,
                format!("must be at most {}, found `{raw}`", bound(max)),
                None,
            );
        }
        Vec::new()
    }

    /// The value as written in the source (or as JSON when not a scalar there).
    fn raw(&self, v: &Value, path: &Path) -> String {
        self.index
            .raw(path)
            .map_or_else(|| v.to_string(), str::to_string)
    }

    /// "a string `\"abc\"`", "an integer `5`", ... for messages.
    fn describe(&self, v: &Value, path: &Path) -> String {
        match v {
            Value::Null => "an empty value".into(),
            Value::Bool(_) => format!("a boolean `{}`", self.raw(v, path)),
            Value::Number(n) if n.is_f64() => format!("a number `{}`", self.raw(v, path)),
            Value::Number(_) => format!("an integer `{}`", self.raw(v, path)),
            Value::String(s) => {
                let shown: String = s.chars().take(60).collect();
                let ellipsis = if s.chars().count() > 60 { "…" } else { "" };
                format!("a string `{}{ellipsis}`", Value::String(shown))
            }
            Value::Array(_) => "a list".into(),
            Value::Object(_) => "a mapping".into(),
        }
    }
}

fn unknown_key(key: &str, props: &Map<String, Value>, path: &Path) -> Issue {
    let help = suggest(key, props.keys().map(String::as_str));
    let mut message = format!("unknown key `{key}`");
    if help.is_none() && !props.is_empty() && props.len() <= 12 {
        message.push_str(&format!(
            ", expected one of {}",
            list(props.keys().map(String::as_str))
        ));
    }
    Issue {
        at: At::Key,
        path: path.clone(),
        message,
        help,
    }
}

/// The string values an enum-like schema allows (`enum`, or `oneOf`/`anyOf` of `const`s).
fn enum_values(s: &Value) -> Option<Vec<&str>> {
    if let Some(values) = s.get("enum").and_then(Value::as_array) {
        return values.iter().map(Value::as_str).collect();
    }
    let branches = s.get("oneOf").or_else(|| s.get("anyOf"))?.as_array()?;
    branches
        .iter()
        .map(|b| b.get("const").and_then(Value::as_str))
        .collect()
}

fn type_matches(v: &Value, t: &str) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        _ => true,
    }
}

fn type_name(t: &str) -> &'static str {
    match t {
        "object" => "a mapping",
        "array" => "a list",
        "string" => "a string",
        "boolean" => "`true` or `false`",
        "integer" => "an integer",
        "number" => "a number",
        _ => "a value",
    }
}

/// What each pattern in the pack types means, in words; unknown patterns are shown as-is.
pub fn pattern_meaning(pattern: &str) -> String {
    let meaning = match pattern {
        r"^\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]+)?$" => "a semantic version like `1.0.0`",
        "^[0-9a-fA-F]{64}$" => "a sha-256 in hex (64 hex digits, as `gw keys new` prints)",
        r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$" => {
            "an iam role arn like `arn:aws:iam::123456789012:role/name`"
        }
        "^[a-zA-Z0-9](-*[a-zA-Z0-9])*$" => {
            "letters, digits and inner hyphens, as Bedrock job names take (like `gw-batch`)"
        }
        _ => return format!("a value matching `{pattern}`"),
    };
    meaning.to_string()
}

/// Ranges implied by schemars' integer `format`s.
fn format_bounds(format: Option<&str>) -> (Option<f64>, Option<f64>) {
    match format {
        Some("uint8") => (Some(0.0), Some(f64::from(u8::MAX))),
        Some("uint16") => (Some(0.0), Some(f64::from(u16::MAX))),
        Some("uint32") => (Some(0.0), Some(f64::from(u32::MAX))),
        Some("uint64" | "uint") => (Some(0.0), None),
        Some("int8") => (Some(f64::from(i8::MIN)), Some(f64::from(i8::MAX))),
        Some("int16") => (Some(f64::from(i16::MIN)), Some(f64::from(i16::MAX))),
        Some("int32") => (Some(f64::from(i32::MIN)), Some(f64::from(i32::MAX))),
        _ => (None, None),
    }
}

/// `1024.0` → `1024`, for bounds in messages.
fn trim_float(s: &str) -> String {
    s.strip_suffix(".0").unwrap_or(s).to_string()
}
