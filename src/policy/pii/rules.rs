//! Rule data: the YAML files under `policies/pii/` (built in) and a pack's own `rules:` file.
//!
//! Patterns are data so that compliance teams can read, review and extend them without a release;
//! the checks that need arithmetic (Luhn, mod-97, SSN areas) are code, named by `validator`.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::terms::PiiEntity;

use super::validate::Validator;

/// The built-in rule files, in priority order (earlier wins at the same position).
pub const BUILTIN: [(&str, &str); 6] = [
    (
        "secrets.yaml",
        include_str!("../../../policies/pii/secrets.yaml"),
    ),
    (
        "financial.yaml",
        include_str!("../../../policies/pii/financial.yaml"),
    ),
    (
        "network.yaml",
        include_str!("../../../policies/pii/network.yaml"),
    ),
    (
        "identity.yaml",
        include_str!("../../../policies/pii/identity.yaml"),
    ),
    (
        "contact.yaml",
        include_str!("../../../policies/pii/contact.yaml"),
    ),
    (
        "people.yaml",
        include_str!("../../../policies/pii/people.yaml"),
    ),
];

/// One rule file: `defines: {...}` (optional) and `rules: [...]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// Named pattern fragments, written `{{name}}` in this file's patterns (and in other
    /// definitions), so a shape used by several rules (a person's name) is written and reviewed
    /// once.
    #[serde(default)]
    pub defines: BTreeMap<String, String>,
    /// The rules, in priority order.
    pub rules: Vec<RuleSpec>,
}

/// One pattern rule as written in YAML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Unique rule name, recorded with each finding so a decision can name what fired.
    pub id: String,
    /// The entity type a match is.
    pub entity: PiiEntity,
    /// An ASCII-mode Rust regex; `(?P<value>...)` marks the part to redact.
    pub pattern: String,
    /// The code check a match must pass.
    #[serde(default)]
    pub validator: Validator,
    /// Words that, right before a match, mean it is something else (an order number, a version).
    #[serde(default)]
    pub deny_before: Vec<String>,
}

/// Parses one rule file, expanding `{{name}}` references; `name` only labels errors.
pub fn parse(name: &str, text: &str) -> Result<Vec<RuleSpec>, String> {
    let file: RuleFile =
        serde_yaml_ng::from_str(text).map_err(|e| format!("pii rule file `{name}`: {e}"))?;
    file.rules
        .into_iter()
        .map(|mut rule| {
            rule.pattern = expand(&rule.pattern, &file.defines, 0)
                .map_err(|e| format!("pii rule file `{name}`, rule `{}`: {e}", rule.id))?;
            Ok(rule)
        })
        .collect()
}

/// How deep definitions may refer to definitions (deeper is taken for a cycle).
const MAX_NESTING: usize = 8;

/// Replaces every `{{name}}` in `pattern` with its (expanded) definition, as a non-capturing
/// group.
fn expand(
    pattern: &str,
    defines: &BTreeMap<String, String>,
    depth: usize,
) -> Result<String, String> {
    if depth > MAX_NESTING {
        return Err("definitions nest too deeply (a cycle?)".into());
    }
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let close = after
            .find("}}")
            .ok_or_else(|| "unclosed `{{`".to_string())?;
        let key = &after[..close];
        let value = defines
            .get(key)
            .ok_or_else(|| format!("`{{{{{key}}}}}` is not defined"))?;
        out.push_str("(?:");
        out.push_str(&expand(value, defines, depth + 1)?);
        out.push(')');
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Every built-in rule, in priority order.
pub fn builtin() -> Result<Vec<RuleSpec>, String> {
    let mut all = Vec::new();
    for (name, text) in BUILTIN {
        all.extend(parse(name, text)?);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_files_parse_and_ids_are_unique() {
        let rules = builtin().unwrap();
        assert!(rules.len() > 20);
        let mut ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate rule id");
    }

    #[test]
    fn defines_expand_nested_and_unknown_or_cyclic_names_are_errors() {
        let text = "defines: {a: 'x+', b: '{{a}}y'}\nrules: [{id: r, entity: EMAIL, pattern: \
                    '^{{b}}$'}]";
        let rules = parse("t", text).unwrap();
        assert_eq!(rules[0].pattern, "^(?:(?:x+)y)$");
        let err = parse("t", "rules: [{id: r, entity: EMAIL, pattern: '{{nope}}'}]").unwrap_err();
        assert!(err.contains("`{{nope}}` is not defined"), "{err}");
        assert!(parse("t", "rules: [{id: r, entity: EMAIL, pattern: '{{a'}]").is_err());
        let cycle = "defines: {a: '{{a}}'}\nrules: [{id: r, entity: EMAIL, pattern: '{{a}}'}]";
        assert!(parse("t", cycle).unwrap_err().contains("cycle"));
    }

    #[test]
    fn unknown_keys_and_entities_are_errors() {
        assert!(
            parse(
                "x",
                "rules: [{id: a, entity: EMAIL, pattern: a, colour: red}]"
            )
            .is_err()
        );
        assert!(parse("x", "rules: [{id: a, entity: SHOE_SIZE, pattern: a}]").is_err());
        assert!(parse("x", "rules: [{id: a, entity: EMAIL, pattern: a}]").is_ok());
    }
}
