//! The pack reference (`docs/pack-reference.md`), generated from the same JSON Schema that
//! `gw schema` prints and the loader checks against, so the reference cannot drift from the code.

use std::fmt::Write;

use serde_json::Value;

/// Markdown: one table row per key (sorted by path), with its type, default, allowed values,
/// an example and the description from the Rust doc comment.
pub fn markdown(schema: &Value) -> String {
    let mut out = String::from(
        "# Pack reference\n\n\
         Generated from the Rust types that parse the pack (`gw schema --reference`); do not edit by \
         hand. The contract these keys implement is `docs/pack-format.md`; the JSON Schema \
         editors use is `config/pack.schema.json`.\n\n\
         | key | type | default | allowed values | example | description |\n\
         |---|---|---|---|---|---|\n",
    );
    walk(schema, schema, "", &mut out, 0);
    out
}

fn walk(root: &Value, node: &Value, path: &str, out: &mut String, depth: usize) {
    if depth > 12 {
        return;
    }
    let node = resolve(root, node);
    let required: Vec<&str> = node["required"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(props) = node["properties"].as_object() else {
        return;
    };
    for (key, prop) in props {
        let key_path = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        let inner = unwrap_optional(root, prop);
        let description = prop["description"]
            .as_str()
            .or_else(|| inner["description"].as_str())
            .unwrap_or("")
            .replace('\n', " ");
        let is_mapping = inner["type"] == "object";
        let default = if required.contains(&key.as_str()) {
            "required".to_string()
        } else if is_mapping {
            "—".to_string()
        } else {
            match &prop["default"] {
                Value::Null => "—".to_string(),
                v => format!("`{}`", compact(v)),
            }
        };
        let allowed = if inner["type"] == "array" {
            allowed_values(root, unwrap_optional(root, &inner["items"]))
        } else {
            allowed_values(root, inner)
        };
        let example = if is_mapping {
            "see below".to_string()
        } else {
            example(prop, inner, &allowed)
        };
        let _ = writeln!(
            out,
            "| `{key_path}` | {} | {default} | {} | {example} | {} |",
            type_name(root, inner),
            if allowed.is_empty() {
                "—".to_string()
            } else {
                allowed
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            escape(&description),
        );
        match inner["type"].as_str() {
            Some("array") => walk(
                root,
                &inner["items"],
                &format!("{key_path}[]"),
                out,
                depth + 1,
            ),
            Some("object") if inner.get("properties").is_none() => {
                if let Some(values) = inner.get("additionalProperties").filter(|v| v.is_object()) {
                    walk(root, values, &format!("{key_path}.<name>"), out, depth + 1);
                }
            }
            _ => walk(root, inner, &key_path, out, depth + 1),
        }
    }
}

/// Follows `$ref` into `$defs`.
fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    match node["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        Some(name) => &root["$defs"][name],
        None => node,
    }
}

/// `Option<T>` is `anyOf: [T, null]`; the reference shows `T`.
fn unwrap_optional<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    if let Some(t) = node["anyOf"]
        .as_array()
        .and_then(|any| any.iter().find(|v| v["type"] != "null"))
    {
        return resolve(root, t);
    }
    resolve(root, node)
}

fn type_name(root: &Value, node: &Value) -> String {
    if !allowed_values(root, node).is_empty() {
        return "enum".into();
    }
    match &node["type"] {
        Value::String(t) if t == "array" => format!(
            "list of {}",
            type_name(root, unwrap_optional(root, &node["items"]))
        ),
        Value::String(t) if t == "object" && node.get("properties").is_none() => {
            match node.get("additionalProperties") {
                Some(v) if v.is_object() => format!(
                    "map of name → {}",
                    type_name(root, unwrap_optional(root, v))
                ),
                _ => "map".into(),
            }
        }
        Value::String(t) if t == "object" => "mapping".into(),
        Value::String(t) => t.clone(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "value".into(),
    }
}

fn allowed_values(root: &Value, node: &Value) -> Vec<String> {
    let node = resolve(root, node);
    if let Some(values) = node["enum"].as_array() {
        return values
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
    }
    node["oneOf"]
        .as_array()
        .map(|alts| {
            alts.iter()
                .filter_map(|a| a["const"].as_str())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn example(prop: &Value, inner: &Value, allowed: &[String]) -> String {
    if let Some(e) = prop["examples"].get(0).or_else(|| inner["examples"].get(0)) {
        return format!("`{}`", compact(e));
    }
    if let Some(first) = allowed.first() {
        return format!("`{first}`");
    }
    match (&prop["default"], inner["type"].as_str()) {
        (Value::Null, Some("string")) => "`…`".into(),
        (Value::Null, Some("integer" | "number")) => "`1`".into(),
        (Value::Null, Some("boolean")) => "`true`".into(),
        (Value::Null, _) => "see below".into(),
        (d, _) => format!("`{}`", compact(d)),
    }
}

fn compact(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn escape(s: &str) -> String {
    s.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_contract_key_is_documented() {
        let md = markdown(&crate::config::json_schema());
        for key in [
            "`pack.name`",
            "`providers.targets[].weight`",
            "`providers.targets[].assume_role.external_id`",
            "`models.<name>.strategy`",
            "`policies.policy.pii-detector.entities`",
            "`auth.keys[].key_sha256`",
        ] {
            assert!(md.contains(key), "{key} missing");
        }
        assert!(md.contains("`fallback`"), "strategy values listed");
        assert!(
            md.lines()
                .filter(|l| l.starts_with("| `"))
                .all(|l| l.matches(" | ").count() >= 5)
        );
    }
}
