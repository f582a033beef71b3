//! Tool names and tool-call ids that Bedrock accepts (bedrock bug #8).
//!
//! Clients bring ids and names minted by other providers (`call_…` with dots, 80-char ids,
//! `my.tool`) that Bedrock rejects with a pattern error on a later turn. Valid values pass
//! through untouched; invalid ones get a deterministic replacement, so the same history always
//! translates the same way and a `toolUse` and its `toolResult` always agree.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};

/// Longest tool name or tool-use id Bedrock accepts.
const MAX_LEN: usize = 64;

/// Bedrock's tool-use id pattern: `[a-zA-Z0-9_.:-]{1,64}`.
pub(crate) fn valid_tool_id(id: &str) -> bool {
    (1..=MAX_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'))
}

/// Bedrock's tool name pattern: `[a-zA-Z0-9_-]{1,64}`.
pub(crate) fn valid_tool_name(name: &str) -> bool {
    (1..=MAX_LEN).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
}

/// The id to send for a client tool-call id: itself when valid, else `gw-` + 32 hex digits of its
/// SHA-256. Replies never echo history ids, so no reverse map is needed.
pub(crate) fn bedrock_tool_id(id: &str) -> Cow<'_, str> {
    if valid_tool_id(id) {
        Cow::Borrowed(id)
    } else {
        Cow::Owned(format!("gw-{}", &digest_hex(id)[..32]))
    }
}

/// Client tool name → Bedrock tool name for one request.
#[derive(Debug, Default)]
pub(crate) struct ToolNames {
    to_bedrock: HashMap<String, String>,
    /// `(bedrock, original)` for every name that had to change, in first-seen order.
    renamed: Vec<(String, String)>,
}

impl ToolNames {
    /// Builds the map for every name the request mentions. Valid names are kept; an invalid name
    /// has each bad character replaced by `_`, and gets a hash suffix when that is too long, empty
    /// or already taken (by a valid name, a `reserved` name or an earlier rename).
    pub(crate) fn new<'a>(names: impl IntoIterator<Item = &'a str>, reserved: &[&str]) -> Self {
        let names: Vec<&str> = names.into_iter().collect();
        let mut taken: HashSet<String> = reserved.iter().map(|s| s.to_string()).collect();
        taken.extend(
            names
                .iter()
                .filter(|n| valid_tool_name(n))
                .map(|n| n.to_string()),
        );
        let mut out = Self::default();
        for name in names {
            if valid_tool_name(name) || out.to_bedrock.contains_key(name) {
                continue;
            }
            let plain: String = name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            let chosen = if plain.is_empty() || plain.len() > MAX_LEN || taken.contains(&plain) {
                let head = &plain[..plain.len().min(MAX_LEN - 9)];
                let head = if head.is_empty() { "tool" } else { head };
                format!("{head}_{}", &digest_hex(name)[..8])
            } else {
                plain
            };
            taken.insert(chosen.clone());
            out.to_bedrock.insert(name.to_string(), chosen.clone());
            out.renamed.push((chosen, name.to_string()));
        }
        out
    }

    /// The name to send to Bedrock for a client tool name.
    pub(crate) fn bedrock<'a>(&'a self, original: &'a str) -> &'a str {
        self.to_bedrock
            .get(original)
            .map_or(original, String::as_str)
    }

    /// `(bedrock, original)` pairs for the reply plan.
    pub(crate) fn into_renamed(self) -> Vec<(String, String)> {
        self.renamed
    }
}

/// The client's name for a tool name Bedrock returned.
pub(crate) fn client_tool_name<'a>(renamed: &'a [(String, String)], bedrock: &'a str) -> &'a str {
    renamed
        .iter()
        .find(|(b, _)| b == bedrock)
        .map_or(bedrock, |(_, original)| original.as_str())
}

fn digest_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_ids_pass_and_invalid_ids_get_a_stable_alias() {
        assert_eq!(bedrock_tool_id("call_abc-1.2:3"), "call_abc-1.2:3");
        let long = "x".repeat(65);
        for bad in ["call abc", "toolu_01/é", long.as_str(), ""] {
            let alias = bedrock_tool_id(bad);
            assert!(valid_tool_id(&alias), "{bad} -> {alias}");
            assert_eq!(alias, bedrock_tool_id(bad));
        }
        assert_ne!(bedrock_tool_id("a b"), bedrock_tool_id("a c"));
    }

    #[test]
    fn invalid_names_are_sanitised_and_recorded() {
        let names = ToolNames::new(["get_weather", "my.tool", "my.tool"], &[]);
        assert_eq!(names.bedrock("get_weather"), "get_weather");
        assert_eq!(names.bedrock("my.tool"), "my_tool");
        assert_eq!(
            names.into_renamed(),
            vec![("my_tool".to_string(), "my.tool".to_string())]
        );
    }

    #[test]
    fn collisions_and_long_names_get_a_hash_suffix() {
        let long = format!("ns.{}", "a".repeat(80));
        let names = ToolNames::new(
            ["my_tool", "my.tool", "my tool", &long, "json.output"],
            &["json_output"],
        );
        let a = names.bedrock("my.tool").to_string();
        let b = names.bedrock("my tool").to_string();
        let c = names.bedrock(&long).to_string();
        let d = names.bedrock("json.output").to_string();
        for n in [&a, &b, &c, &d] {
            assert!(valid_tool_name(n), "{n}");
            assert_ne!(n, "my_tool");
            assert_ne!(n, "json_output");
        }
        assert_ne!(a, b);
        assert_eq!(names.bedrock("my_tool"), "my_tool");
        let renamed = names.into_renamed();
        assert_eq!(client_tool_name(&renamed, &c), long);
        assert_eq!(client_tool_name(&renamed, "my_tool"), "my_tool");
    }

    #[test]
    fn names_without_any_valid_character_still_get_a_name() {
        let names = ToolNames::new(["工具"], &[]);
        let n = names.bedrock("工具");
        assert!(valid_tool_name(n), "{n}");
    }
}
