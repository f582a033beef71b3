//! `serde_json::Value` ⇄ `aws_smithy_types::Document`.
//!
//! The SDK carries every free-form JSON field of Converse (tool schemas, tool inputs, JSON tool
//! results, `additionalModelRequestFields`) as a smithy `Document`, which has no serde support.
//! These two functions are the only bridge, so number handling is decided in one place.

use std::collections::HashMap;

use aws_smithy_types::{Document, Number};
use serde_json::Value;

/// Converts JSON into a smithy `Document` for the SDK.
///
/// Non-negative integers become `PosInt`, negative ones `NegInt`, everything else `Float`, so
/// integers survive the trip exactly (schemas with `"minimum": 0` must not turn into `0.0`).
pub fn to_document(value: &Value) -> Document {
    match value {
        Value::Null => Document::Null,
        Value::Bool(b) => Document::Bool(*b),
        Value::Number(n) => Document::Number(if let Some(u) = n.as_u64() {
            Number::PosInt(u)
        } else if let Some(i) = n.as_i64() {
            Number::NegInt(i)
        } else {
            Number::Float(n.as_f64().unwrap_or(0.0))
        }),
        Value::String(s) => Document::String(s.clone()),
        Value::Array(items) => Document::Array(items.iter().map(to_document).collect()),
        Value::Object(map) => Document::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), to_document(v)))
                .collect::<HashMap<_, _>>(),
        ),
    }
}

/// Converts a smithy `Document` from the SDK back into JSON.
///
/// Non-finite floats (which JSON cannot carry) become `null` instead of failing the reply.
pub fn from_document(doc: &Document) -> Value {
    match doc {
        Document::Null => Value::Null,
        Document::Bool(b) => Value::Bool(*b),
        Document::Number(Number::PosInt(u)) => Value::from(*u),
        Document::Number(Number::NegInt(i)) => Value::from(*i),
        Document::Number(Number::Float(f)) => serde_json::Number::from_f64(*f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        Document::String(s) => Value::String(s.clone()),
        Document::Array(items) => Value::Array(items.iter().map(from_document).collect()),
        Document::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), from_document(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integers_keep_their_kind() {
        assert_eq!(to_document(&json!(7)), Document::Number(Number::PosInt(7)));
        assert_eq!(
            to_document(&json!(-7)),
            Document::Number(Number::NegInt(-7))
        );
        assert_eq!(to_document(&json!(0)), Document::Number(Number::PosInt(0)));
        assert_eq!(
            to_document(&json!(1.5)),
            Document::Number(Number::Float(1.5))
        );
        assert_eq!(
            to_document(&json!(u64::MAX)),
            Document::Number(Number::PosInt(u64::MAX))
        );
    }

    #[test]
    fn round_trips_nested_values() {
        let v = json!({
            "type": "object",
            "properties": {"n": {"type": "integer", "minimum": -3, "maximum": 10}},
            "required": ["n"],
            "x": [null, true, false, 0.25, "s", [], {}],
            "big": i64::MIN,
        });
        assert_eq!(from_document(&to_document(&v)), v);
    }

    #[test]
    fn document_objects_become_json_objects() {
        let doc = Document::Object(HashMap::from([
            ("a".to_string(), Document::Number(Number::NegInt(5))),
            ("b".to_string(), Document::Number(Number::Float(f64::NAN))),
        ]));
        assert_eq!(from_document(&doc), json!({"a": 5, "b": null}));
    }
}
