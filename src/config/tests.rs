//! `load_str` end to end on small packs: one behaviour per test, asserting the rendered lines.

use std::path::Path;

use super::*;

fn load(src: &str) -> Result<LoadedPack, Vec<Diagnostic>> {
    load_str(src, Path::new("pack.yaml"))
}

/// Every diagnostic, rendered, whether the pack loaded or not.
fn lines(src: &str) -> Vec<String> {
    match load(src) {
        Ok(p) => p.warnings.iter().map(ToString::to_string).collect(),
        Err(d) => d.iter().map(ToString::to_string).collect(),
    }
}

const HEAD: &str = "pack:\n  name: p\n  version: 1.0.0\n";
const TARGET: &str =
    "providers:\n  targets:\n    - id: t\n      provider: aws-bedrock\n      model: m\n";

/// A valid pack with `extra` appended to its only target (lines 8 and on).
fn with_target(extra: &str) -> String {
    format!("{HEAD}{TARGET}{extra}")
}

#[test]
fn minimal_pack_loads_with_defaults() {
    let p = load(&with_target("")).unwrap();
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let t = &p.pack.providers.targets[0];
    assert_eq!((t.aws_region.as_str(), t.weight), ("us-east-1", 1.0));
    assert_eq!(p.pack.server.listen, "127.0.0.1:8080");
    assert!(p.rule_files.is_empty());
}

#[test]
fn empty_pack() {
    assert_eq!(lines(""), vec!["pack.yaml:1:1: the pack is empty"]);
    assert_eq!(
        lines("~\n"),
        vec!["pack.yaml:1:1: expected a mapping, found an empty value"]
    );
}

#[test]
fn missing_key_points_at_parent_mapping() {
    let src = format!("{HEAD}providers:\n  targets:\n    - id: t\n      provider: aws-bedrock\n");
    assert_eq!(
        lines(&src),
        vec!["pack.yaml:6:7: providers.targets[0].model: required key `model` is missing"]
    );
    assert_eq!(
        lines("pack: {name: p}\n"),
        vec![
            "pack.yaml:1:1: pack.version: required key `version` is missing",
            "pack.yaml:1:1: providers: required key `providers` is missing",
        ]
    );
}

#[test]
fn unknown_key_without_close_match_lists_allowed_keys() {
    let src = format!("{HEAD}  colour: red\n{TARGET}");
    assert_eq!(
        lines(&src),
        vec![
            "pack.yaml:4:3: pack.colour: unknown key `colour`, expected one of `enabled`, `name`, `version`"
        ]
    );
}

#[test]
fn unknown_policy_settings_key_gets_a_hint() {
    let src = with_target("policies:\n  policy:\n    pii-detecter: {}\n");
    assert_eq!(
        lines(&src),
        vec![
            "pack.yaml:11:5: policies.policy.pii-detecter: unknown key `pii-detecter`; did you mean `pii-detector`?"
        ]
    );
}

#[test]
fn wrong_types() {
    let src = with_target("      weight: abc\n      family: 5\nserver:\nauth: 3\n");
    assert_eq!(
        lines(&src),
        vec![
            "pack.yaml:9:15: providers.targets[0].weight: expected a number, found a string `\"abc\"`",
            "pack.yaml:10:15: providers.targets[0].family: expected one of `anthropic`, `nova`, `titan`, `llama`, `mistral`, `cohere`, `deepseek`, `other`, found an integer `5`",
            "pack.yaml:11:7: server: expected a mapping, found an empty value",
            "pack.yaml:12:7: auth: expected a mapping, found an integer `3`",
        ]
    );
    let src = with_target("      guardrail: {identifier: g, version: 1}\n");
    assert_eq!(
        lines(&src),
        vec![
            "pack.yaml:9:43: providers.targets[0].guardrail.version: expected a string, found an integer `1`; did you mean `\"1\"`?"
        ]
    );
}

#[test]
fn bounds_and_patterns() {
    let src = format!(
        "pack:\n  name: ''\n  version: v1\n{TARGET}  retry: {{max_attempts: 11}}\nauth:\n  keys:\n    - id: k\n      key_env: HOME\n      rate_limit: {{requests_per_minute: 5000000000}}\n"
    );
    assert_eq!(
        lines(&src),
        vec![
            "pack.yaml:2:9: pack.name: must not be empty",
            "pack.yaml:3:12: pack.version: `v1` is not a semantic version like `1.0.0`",
            "pack.yaml:9:25: providers.retry.max_attempts: must be at most 10, found `11`",
            "pack.yaml:14:41: auth.keys[0].rate_limit.requests_per_minute: must be at most 4294967295, found `5000000000`",
        ]
    );
}

#[test]
fn non_finite_and_huge_numbers_are_reported_once() {
    let src =
        with_target("      weight: .inf\n      max_context_tokens: 99999999999999999999999\n");
    assert_eq!(
        lines(&src),
        vec![
            "pack.yaml:9:15: providers.targets[0].weight: expected a finite number, found `.inf`",
            "pack.yaml:10:27: providers.targets[0].max_context_tokens: integer `99999999999999999999999` is out of range",
        ]
    );
}

#[test]
fn weight_must_be_positive() {
    assert_eq!(
        lines(&with_target("      weight: -1.5\n")),
        vec!["pack.yaml:9:15: providers.targets[0].weight: must be greater than 0, found `-1.5`"]
    );
}

#[test]
fn duplicate_yaml_keys_reject_the_pack() {
    let src = format!("{HEAD}  name: q\n{TARGET}");
    assert_eq!(
        lines(&src),
        vec!["pack.yaml:4:3: pack.name: duplicate key `name` (first defined on line 2)"]
    );
}

#[test]
fn routes_to_unknown_targets() {
    let src = with_target("models:\n  claude: {targets: [zzz]}\n");
    assert_eq!(
        lines(&src),
        vec!["pack.yaml:10:22: models.claude.targets[0]: unknown target `zzz`, known targets: `t`"]
    );
}

#[test]
fn client_keys() {
    let src = with_target(
        "auth:\n  keys:\n    - id: a\n      key_env: HOME\n      key_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n    - id: a\n",
    );
    assert_eq!(
        lines(&src),
        vec![
            "pack.yaml:11:7: auth.keys[0]: set either `key_sha256` or `key_env`, not both",
            "pack.yaml:14:7: auth.keys[1]: needs `key_sha256` (from `gw keys new`) or `key_env`",
            "pack.yaml:14:11: auth.keys[1].id: duplicate key id `a` (first defined on line 11)",
        ]
    );
}

#[test]
fn credential_env_vars() {
    let src = with_target(
        "      aws_access_key_env: AKIAIOSFODNN7EXAMPLE\n      aws_session_token_env: 'my token'\n",
    );
    assert_eq!(
        lines(&src),
        vec![
            "pack.yaml:9:7: providers.targets[0].aws_access_key_env: `aws_access_key_env` needs `aws_secret_key_env` too",
            "pack.yaml:9:27: providers.targets[0].aws_access_key_env: this looks like an access key id itself; name the environment variable that holds it instead",
            "pack.yaml:10:30: providers.targets[0].aws_session_token_env: `my token` is not an environment variable name",
        ]
    );
    // Set variables (PATH, HOME) raise nothing; a profile alone is one source.
    let src = with_target("      aws_access_key_env: PATH\n      aws_secret_key_env: HOME\n");
    assert_eq!(lines(&src), Vec::<String>::new());
}

#[test]
fn addresses() {
    let src = with_target("      base_url: Emulator\nserver: {listen: localhost}\n");
    assert_eq!(
        lines(&src),
        vec![
            "pack.yaml:9:17: providers.targets[0].base_url: `Emulator` is neither an `http://` or `https://` url nor `emulator` (gw's built-in emulator); did you mean `emulator`?",
            "pack.yaml:10:18: server.listen: `localhost` is not a `host:port` address like `127.0.0.1:8080`",
        ]
    );
    assert!(
        lines(&with_target(
            "      base_url: https://bedrock.vpce.example\n"
        ))
        .is_empty()
    );
}

#[test]
fn data_policy_regions() {
    let src = with_target("      data_policy: {allowed_regions: [eu-west-1]}\n");
    assert_eq!(
        lines(&src),
        vec![
            "pack.yaml:6:7: providers.targets[0].aws_region: default region `us-east-1` is not in the target's `data_policy.allowed_regions` (`eu-west-1`)"
        ]
    );
    let src = with_target(
        "      aws_region: eu-west-1\n      data_policy: {allowed_regions: [eu-west-1]}\n",
    );
    assert!(lines(&src).is_empty());
}

#[test]
fn batch_bucket_region_is_residency_checked() {
    let batch = "      aws_region: eu-west-1\n      data_policy: {allowed_regions: [eu-*]}\n      batch: {bucket: b-eu, role_arn: 'arn:aws:iam::123456789012:role/B', s3_region: us-east-1}\n";
    let got = lines(&with_target(batch));
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].contains("providers.targets[0].batch.s3_region: batch bucket region `us-east-1` is not in the target's `data_policy.allowed_regions` (`eu-*`)"),
        "{got:?}"
    );
    assert!(lines(&with_target(&batch.replace("us-east-1", "eu-central-1"))).is_empty());
    let bad_role = "      batch: {bucket: bkt, role_arn: my-role}\n";
    assert!(lines(&with_target(bad_role))[0].contains("role_arn"));
}

#[test]
fn duplicate_policies_in_chain() {
    let src = with_target("policies:\n  chain: [audit-logger, safety-filter, audit-logger]\n");
    assert_eq!(
        lines(&src),
        vec![
            "pack.yaml:10:40: policies.chain[2]: duplicate policy `audit-logger` (first defined on line 10)"
        ]
    );
}

#[test]
fn invalid_utf8_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.yaml");
    std::fs::write(&path, b"pack:\n  name: \xff\n").unwrap();
    let diags = load_file(&path).unwrap_err();
    assert_eq!((diags[0].line, diags[0].column), (2, 9));
    assert_eq!(diags[0].message, "the pack is not valid utf-8");
}

#[test]
fn schema_knows_the_strategy_alias() {
    let schema = json_schema();
    let text = schema["$defs"]["Strategy"].to_string();
    assert!(text.contains("weighted_round_robin"), "{text}");
    let p = load(&with_target(
        "models:\n  c: {strategy: weighted_round_robin, targets: [t]}\n",
    ))
    .unwrap();
    assert_eq!(p.pack.models["c"].strategy, pack::Strategy::Weighted);
}

#[test]
fn every_schema_pattern_is_explained_in_words() {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(p) = m.get("pattern").and_then(|p| p.as_str()) {
                    out.push(p.to_string());
                }
                m.values().for_each(|c| walk(c, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|c| walk(c, out)),
            _ => {}
        }
    }
    let mut patterns = Vec::new();
    walk(&json_schema(), &mut patterns);
    assert!(!patterns.is_empty());
    for p in patterns {
        assert!(
            !schema_check::pattern_meaning(&p).starts_with("a value matching"),
            "no words for `{p}`"
        );
    }
}

#[test]
fn data_residency_covers_region_and_profile_geography() {
    let pack = |model: &str, region: &str, allowed: &str| {
        format!(
            "{HEAD}data_policy: {{ allowed_regions: [{allowed}] }}\nproviders:\n  targets:\n    - {{ id: t, provider: aws-bedrock, model: {model}, aws_region: {region} }}\n"
        )
    };
    // A foundation model in an allowed region, and a geographic profile with its geography allowed.
    assert!(
        load(&pack(
            "anthropic.claude-3-haiku-20240307-v1:0",
            "eu-west-1",
            "eu-west-1"
        ))
        .is_ok()
    );
    assert!(load(&pack("eu.amazon.nova-pro-v1:0", "eu-central-1", "\"eu-*\"")).is_ok());
    // The region is outside; the `eu.` profile may leave eu-west-1; `global.` may go anywhere.
    let out = lines(&pack("amazon.nova-pro-v1:0", "us-east-1", "\"eu-*\""));
    assert!(
        out[0].contains("region `us-east-1` is not in the pack's"),
        "{out:?}"
    );
    let out = lines(&pack("eu.amazon.nova-pro-v1:0", "eu-west-1", "eu-west-1"));
    assert!(
        out.iter()
            .any(|l| l.contains("inference profile `eu.`") && l.contains("allow `eu-*`")),
        "{out:?}"
    );
    let out = lines(&pack(
        "global.amazon.nova-pro-v1:0",
        "eu-west-1",
        "\"eu-*\"",
    ));
    assert!(out.iter().any(|l| l.contains("`global.`")), "{out:?}");
    assert!(load(&pack("global.amazon.nova-pro-v1:0", "eu-west-1", "\"*\"")).is_ok());
}

#[test]
fn telemetry_endpoint_and_ratio_are_checked() {
    let src = format!(
        "{HEAD}{TARGET}telemetry:\n  otlp_endpoint: collector:4318\n  sample_ratio: 1.5\n  sevice_name: x\n"
    );
    assert_eq!(
        lines(&src),
        vec![
            "pack.yaml:10:18: telemetry.otlp_endpoint: `collector:4318` is not an `http://` or `https://` url (an OTLP/HTTP collector, e.g. `http://127.0.0.1:4318`)",
            "pack.yaml:11:17: telemetry.sample_ratio: must be at most 1, found `1.5`",
            "pack.yaml:12:3: telemetry.sevice_name: unknown key `sevice_name`; did you mean `service_name`?",
        ]
    );
    let ok = load(&format!(
        "{HEAD}{TARGET}telemetry: {{ otlp_endpoint: \"http://otel:4318\", sample_ratio: 0.1 }}\n"
    ))
    .unwrap();
    assert_eq!(
        ok.pack.telemetry.otlp_endpoint.as_deref(),
        Some("http://otel:4318")
    );
    assert!(ok.pack.telemetry.metrics);
}
