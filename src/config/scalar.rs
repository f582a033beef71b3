//! YAML 1.2 core-schema scalar resolution.
//!
//! Packs are read with the YAML 1.2 rules, not the 1.1 ones many tools still apply: `yes`, `no`,
//! `on` and `off` are strings, `0755` is decimal, and only the core forms of null, booleans,
//! integers and floats are special. Quoted scalars are always strings.

use std::sync::OnceLock;

use regex::Regex;

use super::tree::NodeKind;

/// The kind a plain (unquoted, untagged) scalar resolves to.
pub fn resolve_plain(text: &str) -> NodeKind {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return NodeKind::Null,
        "true" | "True" | "TRUE" => return NodeKind::Bool(true),
        "false" | "False" | "FALSE" => return NodeKind::Bool(false),
        _ => {}
    }
    if let Some(kind) = resolve_int(text) {
        return kind;
    }
    resolve_float(text).unwrap_or_else(|| NodeKind::Str(text.to_string()))
}

/// Resolves a scalar carrying a core tag (`!!str`, `!!int`, ...); `Err` says what does not fit.
pub fn resolve_tagged(text: &str, suffix: &str) -> Result<NodeKind, String> {
    let plain = resolve_plain(text);
    let ok = match (suffix, &plain) {
        ("str", _) => return Ok(NodeKind::Str(text.to_string())),
        ("null", NodeKind::Null)
        | ("bool", NodeKind::Bool(_))
        | ("int", NodeKind::Int(_))
        | ("float", NodeKind::Float(_)) => true,
        ("float", NodeKind::Int(i)) => {
            // `!!float 1` is the float 1.0.
            #[expect(
                clippy::cast_precision_loss,
                reason = "yaml `!!float` of an integer literal"
            )]
            return Ok(NodeKind::Float(*i as f64));
        }
        ("null" | "bool" | "int" | "float", _) => false,
        _ => return Err(format!("unsupported tag `!!{suffix}`")),
    };
    if ok {
        Ok(plain)
    } else {
        Err(format!("`{text}` is not a valid `!!{suffix}`"))
    }
}

fn resolve_int(text: &str) -> Option<NodeKind> {
    static DEC: OnceLock<Option<Regex>> = OnceLock::new();
    let dec = DEC
        .get_or_init(|| Regex::new(r"^[-+]?[0-9]+$").ok())
        .as_ref()?;
    let parsed = if let Some(hex) = text.strip_prefix("0x") {
        if hex.is_empty() || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        i128::from_str_radix(hex, 16)
    } else if let Some(oct) = text.strip_prefix("0o") {
        if oct.is_empty() || !oct.chars().all(|c| ('0'..='7').contains(&c)) {
            return None;
        }
        i128::from_str_radix(oct, 8)
    } else if dec.is_match(text) {
        text.parse::<i128>()
    } else {
        return None;
    };
    // Too long for i128: still an integer, reported as out of range later.
    Some(NodeKind::Int(parsed.unwrap_or(i128::MAX)))
}

fn resolve_float(text: &str) -> Option<NodeKind> {
    static FLOAT: OnceLock<Option<Regex>> = OnceLock::new();
    let re = FLOAT
        .get_or_init(|| Regex::new(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$").ok())
        .as_ref()?;
    let unsigned = text.trim_start_matches(['-', '+']);
    let negative = text.starts_with('-');
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        let inf = if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
        return Some(NodeKind::Float(inf));
    }
    if matches!(text, ".nan" | ".NaN" | ".NAN") {
        return Some(NodeKind::Float(f64::NAN));
    }
    if re.is_match(text) {
        return text.parse::<f64>().ok().map(NodeKind::Float);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_schema() {
        assert_eq!(resolve_plain("~"), NodeKind::Null);
        assert_eq!(resolve_plain("True"), NodeKind::Bool(true));
        assert_eq!(resolve_plain("yes"), NodeKind::Str("yes".into()));
        assert_eq!(resolve_plain("0755"), NodeKind::Int(755));
        assert_eq!(resolve_plain("0x1F"), NodeKind::Int(31));
        assert_eq!(resolve_plain("0o17"), NodeKind::Int(15));
        assert_eq!(resolve_plain("-3"), NodeKind::Int(-3));
        assert_eq!(resolve_plain("1.5e3"), NodeKind::Float(1500.0));
        assert_eq!(resolve_plain(".5"), NodeKind::Float(0.5));
        assert_eq!(resolve_plain("1.0.0"), NodeKind::Str("1.0.0".into()));
        assert_eq!(
            resolve_plain("127.0.0.1:8080"),
            NodeKind::Str("127.0.0.1:8080".into())
        );
        assert!(matches!(resolve_plain("-.inf"), NodeKind::Float(f) if f == f64::NEG_INFINITY));
        assert!(matches!(resolve_plain(".nan"), NodeKind::Float(f) if f.is_nan()));
        assert_eq!(
            resolve_plain("99999999999999999999999999999999999999999"),
            NodeKind::Int(i128::MAX)
        );
    }

    #[test]
    fn tags() {
        assert_eq!(resolve_tagged("12", "str"), Ok(NodeKind::Str("12".into())));
        assert_eq!(resolve_tagged("12", "int"), Ok(NodeKind::Int(12)));
        assert_eq!(resolve_tagged("1", "float"), Ok(NodeKind::Float(1.0)));
        assert!(resolve_tagged("abc", "int").is_err());
        assert!(resolve_tagged("abc", "binary").is_err());
    }
}
