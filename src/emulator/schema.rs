//! Builds a deterministic JSON instance from a JSON Schema.
//!
//! Emulated tool calls and structured outputs must validate against the schema the client sent,
//! so gw's downstream parsing is exercised; the values themselves are fixed and boring.

use serde_json::{Map, Value};

/// How deep nested objects/arrays are followed before giving up (guards self-referencing input).
const MAX_DEPTH: usize = 16;

/// An instance of `schema`: required properties (or all when none are required), strings
/// `"emulated"`, numbers 1, booleans true, enums their first value, arrays empty.
pub(crate) fn instance(schema: &Value) -> Value {
    build(schema, 0)
}

fn build(schema: &Value, depth: usize) -> Value {
    let Some(obj) = schema.as_object() else {
        return Value::Object(Map::new());
    };
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    if let Some(first) = obj
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        return first.clone();
    }
    if let Some(c) = obj.get("const") {
        return c.clone();
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(first) = obj
            .get(key)
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            return build(first, depth + 1);
        }
    }
    let ty = match obj.get("type") {
        Some(Value::String(s)) => s.as_str(),
        // `["string","null"]`: take the first non-null type.
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if obj.contains_key("properties") => "object",
        _ => "object",
    };
    match ty {
        "string" => Value::String("emulated".to_owned()),
        "integer" | "number" => Value::from(1),
        "boolean" => Value::Bool(true),
        "array" => Value::Array(Vec::new()),
        "null" => Value::Null,
        _ => object(obj, depth),
    }
}

fn object(obj: &Map<String, Value>, depth: usize) -> Value {
    let mut out = Map::new();
    let Some(props) = obj.get("properties").and_then(Value::as_object) else {
        return Value::Object(out);
    };
    let required: Vec<&str> = obj
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for (name, sub) in props {
        if required.is_empty() || required.contains(&name.as_str()) {
            out.insert(name.clone(), build(sub, depth + 1));
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn required_properties_only() {
        let s = json!({"type":"object","properties":{
            "city":{"type":"string"},"days":{"type":"integer"},"unit":{"enum":["c","f"]},
            "opt":{"type":"boolean"}},"required":["city","days","unit"]});
        assert_eq!(instance(&s), json!({"city":"emulated","days":1,"unit":"c"}));
    }

    #[test]
    fn all_properties_when_none_required_and_nested() {
        let s = json!({"type":"object","properties":{
            "ok":{"type":"boolean"},"tags":{"type":"array"},
            "inner":{"type":"object","properties":{"x":{"type":"number"}}}}});
        assert_eq!(instance(&s), json!({"ok":true,"tags":[],"inner":{"x":1}}));
    }
}
