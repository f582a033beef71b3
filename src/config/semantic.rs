//! Checks the schema cannot express: cross-references, uniqueness, credentials, addresses, files.
//!
//! They run on the JSON form of the pack, not on the typed `Pack`, so that they also run when the
//! pack has structural errors: a user who misspelt a key and routed to a missing target sees both
//! problems at once. Every accessor is lenient; a value of the wrong type was already reported
//! by the schema check and is simply skipped here.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path as FsPath, PathBuf};

use serde_json::{Map, Value};

use super::diag::{At, Report, list, suggest};
use super::index::Path;
use super::rules::{Found, resolve};
use super::schema_check::default_of;

/// Runs every semantic check, reporting into `report`; returns the rule files found.
pub fn check(pack: &Value, pack_dir: &FsPath, report: &mut Report) -> Vec<PathBuf> {
    let target_ids = check_targets(pack, report);
    check_models(pack, &target_ids, report);
    check_auth(pack, report);
    check_server(pack, report);
    check_telemetry(pack, report);
    check_limits(pack, report);
    check_chain(pack, report);
    check_rule_files(pack, pack_dir, report)
}

fn obj<'v>(v: &'v Value, key: &str) -> Option<&'v Map<String, Value>> {
    v.get(key).and_then(Value::as_object)
}

fn arr<'v>(v: &'v Value, key: &str) -> &'v [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn string<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

/// Records `name` at `path`, or an error naming the line of its first occurrence.
fn unique(
    seen: &mut HashMap<String, Path>,
    name: &str,
    path: Path,
    what: &str,
    report: &mut Report,
) {
    if let Some(first) = seen.get(name) {
        let line = report.value_pos(first).line;
        let msg = format!("duplicate {what} `{name}` (first defined on line {line})");
        report.error(At::Value, &path, msg, None);
    } else {
        seen.insert(name.to_string(), path);
    }
}

/// Target ids in order; checks each target on the way.
fn check_targets(pack: &Value, report: &mut Report) -> Vec<String> {
    let base = Path::root().key("providers").key("targets");
    let targets = pack.get("providers").map_or(&[][..], |p| arr(p, "targets"));
    let mut seen = HashMap::new();
    let mut ids = Vec::new();
    for (i, target) in targets.iter().enumerate() {
        let path = base.at(i);
        if let Some(id) = string(target, "id") {
            unique(&mut seen, id, path.key("id"), "target id", report);
            ids.push(id.to_string());
        }
        check_weight(target, &path, report);
        check_credentials(target, &path, report);
        check_base_url(target, &path, report);
        check_regions(target, pack.get("data_policy"), &path, report);
        check_pricing(target, &path, report);
    }
    ids
}

/// A `pricing` block prices tokens (both `input_per_1m` and `output_per_1m`) or images
/// (`per_image`); one that does neither would price every reply at $0 and no budget would move.
fn check_pricing(target: &Value, path: &Path, report: &mut Report) {
    let Some(pricing) = target.get("pricing") else {
        return;
    };
    let has = |k: &str| pricing.get(k).is_some();
    let prices_tokens = has("input_per_1m") && has("output_per_1m");
    if !(has("per_image") || prices_tokens) {
        let missing = ["input_per_1m", "output_per_1m"]
            .into_iter()
            .filter(|k| !has(k))
            .collect::<Vec<_>>()
            .join("` and `");
        let msg = format!(
            "`pricing` needs `{missing}` (or `per_image` for an image model); without them every reply costs $0"
        );
        report.error(At::Value, &path.key("pricing"), msg, None);
    }
}

fn check_weight(target: &Value, path: &Path, report: &mut Report) {
    if let Some(w) = target.get("weight").and_then(Value::as_f64)
        && (w <= 0.0 || !w.is_finite())
    {
        let p = path.key("weight");
        report.error(
            At::Value,
            &p,
            format!("must be greater than 0, found `{w}`"),
            None,
        );
    }
}

fn check_credentials(target: &Value, path: &Path, report: &mut Report) {
    for key in [
        "aws_access_key_env",
        "aws_secret_key_env",
        "aws_session_token_env",
        "api_key_env",
    ] {
        if let Some(name) = string(target, key) {
            check_env_name(name, &path.key(key), report);
        }
    }
    let access = string(target, "aws_access_key_env").is_some();
    let secret = string(target, "aws_secret_key_env").is_some();
    if access != secret {
        let (set, missing) = if access {
            ("aws_access_key_env", "aws_secret_key_env")
        } else {
            ("aws_secret_key_env", "aws_access_key_env")
        };
        let msg = format!("`{set}` needs `{missing}` too");
        report.error(At::Key, &path.key(set), msg, None);
    }
    if string(target, "aws_session_token_env").is_some() && !access {
        let p = path.key("aws_session_token_env");
        report.warn(
            At::Key,
            &p,
            "ignored without `aws_access_key_env` and `aws_secret_key_env`".into(),
        );
    }
    let sources: Vec<&str> = [
        ("api_key_env", string(target, "api_key_env").is_some()),
        ("aws_access_key_env", access || secret),
        ("aws_profile", string(target, "aws_profile").is_some()),
    ]
    .into_iter()
    .filter_map(|(name, set)| set.then_some(name))
    .collect();
    if let [winner, _, ..] = sources.as_slice() {
        let role = if target.get("assume_role").is_some_and(Value::is_object) {
            "; `assume_role` is applied on top of it"
        } else {
            ""
        };
        let msg = format!(
            "several credential sources are set ({}); `{winner}` wins (order: api_key_env, access-key env vars, aws_profile, default chain){role}",
            list(sources.iter().copied())
        );
        report.warn(At::Value, path, msg);
    }
}

/// An env var reference must be a name (never the secret itself), and is expected to be set.
fn check_env_name(name: &str, path: &Path, report: &mut Report) {
    let looks_like_key = name.len() == 20
        && (name.starts_with("AKIA") || name.starts_with("ASIA"))
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if looks_like_key {
        let msg = "this looks like an access key id itself; name the environment variable that holds it instead".into();
        report.error(At::Value, path, msg, None);
    } else if !valid {
        let msg = format!("`{name}` is not an environment variable name");
        report.error(At::Value, path, msg, None);
    } else if std::env::var_os(name).is_none() {
        let msg = format!("environment variable `{name}` is not set (it must be when gw starts)");
        report.warn(At::Value, path, msg);
    }
}

/// `http://host…` or `https://host…` with a host and no whitespace.
fn is_http_url(url: &str) -> bool {
    url.strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .is_some_and(|r| !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace))
}

fn check_base_url(target: &Value, path: &Path, report: &mut Report) {
    let Some(url) = string(target, "base_url") else {
        return;
    };
    if !(url == "emulator" || is_http_url(url)) {
        let msg = format!(
            "`{url}` is neither an `http://` or `https://` url nor `emulator` (gw's built-in emulator)"
        );
        let help = (url.eq_ignore_ascii_case("emulator")).then(|| "emulator".to_string());
        report.error(At::Value, &path.key("base_url"), msg, help);
    }
}

/// Data residency: the target's region, and the geography its inference profile may route to,
/// must lie inside the target's and the pack's `data_policy.allowed_regions` (globs such as
/// `eu-*`). A geographic profile (`eu.`) may process data in any region of its geography, so it
/// needs that whole geography allowed; `global.` needs `*`.
fn check_regions(target: &Value, pack_policy: Option<&Value>, path: &Path, report: &mut Report) {
    let allowed_in = |policy: Option<&Value>| -> Vec<String> {
        policy
            .map_or(&[][..], |d| arr(d, "allowed_regions"))
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    };
    for (allowed, whose) in [
        (allowed_in(target.get("data_policy")), "the target's"),
        (allowed_in(pack_policy), "the pack's"),
    ] {
        if allowed.is_empty() {
            continue;
        }
        let (region, how) = match target.get("aws_region") {
            Some(Value::String(r)) => (r.as_str(), "region"),
            Some(_) => return,
            None => match default_of("Target", "aws_region").and_then(Value::as_str) {
                Some(r) => (r, "default region"),
                None => return,
            },
        };
        let shown = list(allowed.iter().map(String::as_str));
        if !allowed.iter().any(|a| region_glob(a, region)) {
            let msg = format!(
                "{how} `{region}` is not in {whose} `data_policy.allowed_regions` ({shown})"
            );
            report.error(At::Value, &path.key("aws_region"), msg, None);
        }
        if let Some(model) = string(target, "model")
            && let Some((prefix, geography)) = profile_geography(model)
            && !allowed.iter().any(|a| covers(a, geography))
        {
            let msg = format!(
                "inference profile `{prefix}` may process data in any region matching `{geography}`, \
                 which {whose} `data_policy.allowed_regions` ({shown}) does not allow; allow `{geography}` \
                 or use a foundation model id (or a profile) confined to the allowed regions"
            );
            report.error(At::Value, &path.key("model"), msg, None);
        }
        // Batch input and output rest in S3: the bucket's region is where the data lives.
        if let Some(batch) = target.get("batch") {
            let (s3_region, key) = match string(batch, "s3_region") {
                Some(r) => (r, path.key("batch").key("s3_region")),
                None => (region, path.key("batch")),
            };
            if !allowed.iter().any(|a| region_glob(a, s3_region)) {
                let msg = format!(
                    "batch bucket region `{s3_region}` is not in {whose} `data_policy.allowed_regions` ({shown})"
                );
                report.error(At::Value, &key, msg, None);
            }
        }
    }
}

/// `eu-*` matches `eu-west-1`; anything else matches itself.
fn region_glob(pattern: &str, region: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => region.starts_with(prefix),
        None => pattern == region,
    }
}

/// Whether an allowed-regions entry covers a whole geography glob (`eu-*` covers `eu-*`).
fn covers(pattern: &str, geography: &str) -> bool {
    pattern == "*"
        || (pattern.ends_with('*') && geography.starts_with(pattern.trim_end_matches('*')))
}

/// The geography a system-defined inference profile routes within, as a region glob.
fn profile_geography(model: &str) -> Option<(&'static str, &'static str)> {
    let id = model.rsplit('/').next().unwrap_or(model);
    const GEOS: [(&str, &str); 8] = [
        ("us-gov.", "us-gov-*"),
        ("us.", "us-*"),
        ("eu.", "eu-*"),
        ("apac.", "ap-*"),
        ("jp.", "ap-northeast-*"),
        ("au.", "ap-southeast-*"),
        ("ca.", "ca-*"),
        ("global.", "*"),
    ];
    GEOS.iter().find(|(p, _)| id.starts_with(p)).copied()
}

fn check_models(pack: &Value, target_ids: &[String], report: &mut Report) {
    let Some(models) = obj(pack, "models") else {
        return;
    };
    let ids = || target_ids.iter().map(String::as_str);
    for (alias, route) in models {
        let path = Path::root().key("models").key(alias);
        if target_ids.iter().any(|t| t == alias) {
            let msg = format!(
                "model name `{alias}` is also a target id; requests for `{alias}` take this route, not the target directly"
            );
            report.warn(At::Key, &path, msg);
        }
        for (j, target) in arr(route, "targets").iter().enumerate() {
            let Some(name) = target.as_str() else {
                continue;
            };
            if ids().any(|t| t == name) {
                continue;
            }
            let help = suggest(name, ids());
            let mut msg = format!("unknown target `{name}`");
            if help.is_none() && !target_ids.is_empty() {
                msg.push_str(&format!(", known targets: {}", list(ids())));
            }
            report.error(At::Value, &path.key("targets").at(j), msg, help);
        }
    }
}

fn check_auth(pack: &Value, report: &mut Report) {
    let base = Path::root().key("auth").key("keys");
    let keys = pack.get("auth").map_or(&[][..], |a| arr(a, "keys"));
    let mut seen = HashMap::new();
    for (i, key) in keys.iter().enumerate() {
        let path = base.at(i);
        if !key.is_object() {
            continue;
        }
        if let Some(id) = string(key, "id") {
            unique(&mut seen, id, path.key("id"), "key id", report);
        }
        let sha = key.get("key_sha256").is_some_and(|v| !v.is_null());
        let env = string(key, "key_env");
        match (sha, env.is_some()) {
            (true, true) => {
                let msg = "set either `key_sha256` or `key_env`, not both".into();
                report.error(At::Value, &path, msg, None);
            }
            (false, false) => {
                let msg = "needs `key_sha256` (from `gw keys new`) or `key_env`".into();
                report.error(At::Value, &path, msg, None);
            }
            _ => {}
        }
        if let Some(name) = env {
            check_env_name(name, &path.key("key_env"), report);
        }
    }
}

fn check_server(pack: &Value, report: &mut Report) {
    let Some(listen) = pack.get("server").and_then(|s| string(s, "listen")) else {
        return;
    };
    if !is_host_port(listen) {
        let msg = format!("`{listen}` is not a `host:port` address like `127.0.0.1:8080`");
        report.error(
            At::Value,
            &Path::root().key("server").key("listen"),
            msg,
            None,
        );
    }
}

fn check_telemetry(pack: &Value, report: &mut Report) {
    let Some(url) = pack
        .get("telemetry")
        .and_then(|t| string(t, "otlp_endpoint"))
    else {
        return;
    };
    if !is_http_url(url) {
        let msg = format!(
            "`{url}` is not an `http://` or `https://` url (an OTLP/HTTP collector, e.g. `http://127.0.0.1:4318`)"
        );
        let path = Path::root().key("telemetry").key("otlp_endpoint");
        report.error(At::Value, &path, msg, None);
    }
}

/// `limits.store` is `memory` or a `redis://` / `rediss://` URL with a host and no password
/// (the message never repeats a URL that holds one).
fn check_limits(pack: &Value, report: &mut Report) {
    let Some(limits) = pack.get("limits") else {
        return;
    };
    let base = Path::root().key("limits");
    if let Some(name) = string(limits, "password_env") {
        check_env_name(name, &base.key("password_env"), report);
    }
    let Some(store) = string(limits, "store") else {
        return;
    };
    if string(limits, "ca_file").is_some() && !store.starts_with("rediss://") {
        let msg = "`ca_file` only applies to a TLS store (`rediss://…`)".into();
        report.warn(At::Value, &base.key("ca_file"), msg);
    }
    if store == "memory" {
        return;
    }
    let Some(rest) = store
        .strip_prefix("redis://")
        .or_else(|| store.strip_prefix("rediss://"))
    else {
        // Never repeat the value: a URL may hold a password.
        let shown = match store.split_once("://") {
            Some((scheme, _)) => format!("a `{scheme}://` URL"),
            None => "the value".to_string(),
        };
        let msg = format!("{shown} is neither `memory` nor a `redis://` or `rediss://` URL");
        report.error(At::Value, &base.key("store"), msg, None);
        return;
    };
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    if let Some((userinfo, _)) = authority.rsplit_once('@')
        && userinfo.contains(':')
    {
        let msg = "the store URL holds a password; name an environment variable holding it in `limits.password_env` instead".into();
        report.error(At::Value, &base.key("store"), msg, None);
    } else if authority.rsplit('@').next().is_none_or(str::is_empty)
        || rest.contains(char::is_whitespace)
    {
        let msg = "the store URL names no host (e.g. `redis://redis:6379/0`)".into();
        report.error(At::Value, &base.key("store"), msg, None);
    }
}

/// `1.2.3.4:80`, `[::1]:80` or `hostname:80`.
fn is_host_port(s: &str) -> bool {
    if s.parse::<SocketAddr>().is_ok() {
        return true;
    }
    let Some((host, port)) = s.rsplit_once(':') else {
        return false;
    };
    port.parse::<u16>().is_ok()
        && !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

fn check_chain(pack: &Value, report: &mut Report) {
    let policies = pack.get("policies");
    let chain = policies.map_or(&[][..], |p| arr(p, "chain"));
    let base = Path::root().key("policies");
    let mut seen = HashMap::new();
    for (i, name) in chain.iter().enumerate() {
        if let Some(name) = name.as_str() {
            unique(&mut seen, name, base.key("chain").at(i), "policy", report);
        }
    }
    if chain.iter().any(|c| c.as_str() == Some("pii-detector")) {
        check_pii_masks_tool_results(
            policies.and_then(|p| p.pointer("/policy/pii-detector")),
            &base,
            report,
        );
    }
    let Some(configured) = policies.and_then(|p| obj(p, "policy")) else {
        return;
    };
    for (name, settings) in configured {
        let in_chain = chain.iter().any(|c| c.as_str() == Some(name));
        if !in_chain && !settings.is_null() && is_policy_name(name) {
            let msg =
                format!("`{name}` is configured but not in `policies.chain`, so it never runs");
            report.warn(At::Key, &base.key("policy").key(name), msg);
        }
    }
}

/// `style: mask` on tool results makes an agent act on `[EMAIL]`: it writes the mask into the
/// files it edits and the commands it runs. Placeholders with `restore: true` give the agent its
/// real values back in tool calls while Bedrock never sees them.
fn check_pii_masks_tool_results(settings: Option<&Value>, base: &Path, report: &mut Report) {
    let get = |key: &str| settings.and_then(|s| s.get(key));
    let action = get("action").and_then(Value::as_str).unwrap_or("redact");
    let style = get("style").and_then(Value::as_str).unwrap_or("mask");
    let on_tool_results = get("scan").is_none_or(|zones| {
        zones
            .as_array()
            .is_some_and(|z| z.iter().any(|v| v.as_str() == Some("tool_result")))
    });
    if action == "redact" && style == "mask" && on_tool_results {
        report.warn(
            At::Key,
            &base.key("policy").key("pii-detector"),
            "`style: mask` on tool results makes an agent write `[EMAIL]` into the files and \
             commands it produces; for agent traffic use `style: placeholder` with `restore: \
             true` (the agent gets its real values back in tool calls, Bedrock never sees them), \
             or leave `tool_result` out of `scan`"
                .to_string(),
        );
    }
}

/// Whether `name` is a built-in policy (unknown names are reported by the schema check).
fn is_policy_name(name: &str) -> bool {
    super::schema_check::property_names("PolicySettings").any(|p| p == name)
}

fn check_rule_files(pack: &Value, pack_dir: &FsPath, report: &mut Report) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Some(configured) = pack.get("policies").and_then(|p| obj(p, "policy")) else {
        return found;
    };
    for (name, settings) in configured {
        let Some(rules) = string(settings, "rules") else {
            continue;
        };
        match resolve(rules, pack_dir) {
            Found::Readable(path) => found.push(path),
            Found::Unreadable(tried) => {
                let tried: Vec<String> = tried
                    .iter()
                    .map(|(p, why)| format!("`{}` ({why})", p.display()))
                    .collect();
                let msg = format!(
                    "cannot read rules file `{rules}`; tried {}",
                    tried.join(", ")
                );
                let path = Path::root()
                    .key("policies")
                    .key("policy")
                    .key(name)
                    .key("rules");
                report.error(At::Value, &path, msg, None);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port() {
        assert!(is_host_port("127.0.0.1:8080"));
        assert!(is_host_port("[::1]:8080"));
        assert!(is_host_port("localhost:80"));
        assert!(!is_host_port("localhost"));
        assert!(!is_host_port("127.0.0.1:99999"));
        assert!(!is_host_port(":80"));
        assert!(!is_host_port("http://x:80"));
    }
}
