//! The pack loader end to end, through the public `gw::config` API: the documented example pack,
//! sample packs under `tests/fixtures/packs/`, and the exact diagnostics users see.

use std::path::{Path, PathBuf};

use gw::config::pack::Strategy;
use gw::config::{self, Diagnostic, LoadedPack, Severity};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    manifest_dir().join("tests/fixtures/packs").join(name)
}

fn rendered(diags: &[Diagnostic]) -> Vec<String> {
    diags.iter().map(ToString::to_string).collect()
}

fn load_ok(path: &Path) -> LoadedPack {
    match config::load_file(path) {
        Ok(p) => p,
        Err(d) => panic!(
            "{} should load:\n{}",
            path.display(),
            rendered(&d).join("\n")
        ),
    }
}

fn load_err(path: &Path) -> Vec<Diagnostic> {
    match config::load_file(path) {
        Ok(_) => panic!("{} should be rejected", path.display()),
        Err(d) => d,
    }
}

/// The ```yaml block of the contract, `docs/pack-format.md`.
fn doc_example() -> String {
    let doc_path = manifest_dir().join("docs/pack-format.md");
    let doc = std::fs::read_to_string(&doc_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", doc_path.display()));
    let start = doc.find("```yaml\n").expect("the doc has a ```yaml block") + "```yaml\n".len();
    let len = doc[start..].find("```").expect("the yaml block is closed");
    doc[start..start + len].to_string()
}

#[test]
fn documented_example_loads_without_errors() {
    let example = doc_example();
    let loaded = match config::load_str(&example, Path::new("pack-format.md")) {
        Ok(p) => p,
        Err(d) => panic!(
            "the documented example should load:\n{}",
            rendered(&d).join("\n")
        ),
    };
    assert!(
        loaded
            .warnings
            .iter()
            .all(|w| w.severity == Severity::Warning)
    );
    let pack = &loaded.pack;
    assert_eq!(pack.pack.name, "bedrock-gateway");
    assert_eq!(pack.models["claude"].strategy, Strategy::Fallback);
    assert_eq!(
        pack.providers.targets[0].model,
        "anthropic.claude-sonnet-4-20250514-v1:0"
    );
    assert_eq!(pack.policies.chain.len(), 4);
    // Every credential source is set on the example target: the precedence warning says who wins.
    assert!(
        rendered(&loaded.warnings).iter().any(|w| w
            .contains("providers.targets[0]: several credential sources")
            && w.contains("`api_key_env` wins")),
        "{:#?}",
        loaded.warnings
    );
}

#[test]
fn bad_pack_reports_every_mistake_with_position_and_hint() {
    let path = fixture("bad.yaml");
    let f = path.display().to_string();
    let cwd = std::env::current_dir().unwrap();
    let expected = vec![
        format!("{f}:2:1: pack.version: required key `version` is missing"),
        format!(
            "{f}:8:15: models.claude.strategy: unknown value `fallbak`, expected one of `single`, `fallback`, `weighted`, `weighted_round_robin`; did you mean `fallback`?"
        ),
        format!(
            "{f}:9:27: models.claude.targets[1]: unknown target `bedrok-eu`; did you mean `bedrock-eu`?"
        ),
        format!(
            "{f}:16:7: providers.targets[0].wieght: unknown key `wieght`; did you mean `weight`?"
        ),
        format!("{f}:21:15: providers.targets[1].weight: must be greater than 0, found `0`"),
        format!(
            "{f}:22:24: providers.targets[1].timeout_seconds: expected an integer, found a string `\"sixty\"`"
        ),
        format!(
            "{f}:23:11: providers.targets[2].id: duplicate target id `bedrock-us` (first defined on line 13)"
        ),
        format!(
            "{f}:28:29: policies.chain[1]: unknown value `pii-detecter`, expected one of `prompt-injection`, `pii-detector`, `safety-filter`, `audit-logger`; did you mean `pii-detector`?"
        ),
        format!(
            "{f}:31:14: policies.policy.prompt-injection.rules: cannot read rules file `policies/missing.yaml`; tried `{}` (not found), `{}` (not found)",
            fixture("policies/missing.yaml").display(),
            cwd.join("policies/missing.yaml").display()
        ),
    ];
    assert_eq!(rendered(&load_err(&path)), expected);
}

#[test]
fn warnings_alone_still_load() {
    let path = fixture("warnings.yaml");
    let f = path.display().to_string();
    let loaded = load_ok(&path);
    assert_eq!(
        rendered(&loaded.warnings),
        vec![
            format!(
                "{f}:5:3: warning: models.bedrock-us: model name `bedrock-us` is also a target id; requests for `bedrock-us` take this route, not the target directly"
            ),
            format!(
                "{f}:10:7: warning: providers.targets[0]: several credential sources are set (`api_key_env`, `aws_profile`); `api_key_env` wins (order: api_key_env, access-key env vars, aws_profile, default chain)"
            ),
            format!(
                "{f}:14:20: warning: providers.targets[0].api_key_env: environment variable `GW_TEST_SURELY_UNSET_BEARER` is not set (it must be when gw starts)"
            ),
            format!(
                "{f}:19:5: warning: policies.policy.safety-filter: `safety-filter` is configured but not in `policies.chain`, so it never runs"
            ),
        ]
    );
}

#[test]
fn yaml_syntax_error_is_located() {
    let path = fixture("syntax-error.yaml");
    let diags = load_err(&path);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    assert_eq!((d.line, d.column), (9, 9));
    assert!(
        d.message.starts_with("yaml syntax error: "),
        "{}",
        d.message
    );
    assert_eq!(d.path, "providers.targets[0].model[1]");
}

#[test]
fn anchors_aliases_and_merge_keys_work() {
    let path = fixture("good.yaml");
    let loaded = load_ok(&path);
    assert!(loaded.warnings.is_empty(), "{:#?}", loaded.warnings);
    let t = &loaded.pack.providers.targets;
    assert_eq!(t.len(), 2);
    // `<<: *bedrock-us` copies what bedrock-eu does not set itself.
    assert_eq!(t[1].id, "bedrock-eu");
    assert_eq!(t[1].base_url.as_deref(), Some("emulator"));
    assert_eq!(t[1].pricing, t[0].pricing);
    assert_eq!(t[1].weight, 3.0);
    assert_eq!(t[1].timeout_seconds, 45);
    assert_eq!(t[0].timeout_seconds, 30);
    // `retry: *retry` is the providers-level retry policy.
    assert_eq!(t[1].retry.as_ref(), Some(&loaded.pack.providers.retry));
    assert_eq!(loaded.pack.providers.retry.max_attempts, 2);
    assert_eq!(loaded.pack.models["claude"].strategy, Strategy::Weighted);
    assert_eq!(loaded.rule_files, vec![fixture("policies/pii-extra.yaml")]);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(loaded.sha256.len(), 64);
    assert_eq!(
        config::load_str(std::str::from_utf8(&bytes).unwrap(), &path)
            .unwrap()
            .sha256,
        loaded.sha256
    );
}

#[test]
fn unreadable_pack_is_a_diagnostic() {
    let path = fixture("does-not-exist.yaml");
    let diags = load_err(&path);
    assert_eq!(
        rendered(&diags),
        vec![format!(
            "{}:1:1: cannot read the pack: not found",
            path.display()
        )]
    );
}

#[test]
fn truncated_packs_never_panic_and_always_explain() {
    let sources = [
        std::fs::read_to_string(fixture("good.yaml")).unwrap(),
        std::fs::read_to_string(fixture("bad.yaml")).unwrap(),
        doc_example(),
    ];
    for source in &sources {
        let cuts: Vec<usize> = source.char_indices().map(|(i, _)| i).step_by(3).collect();
        for cut in cuts {
            let partial = &source[..cut];
            if let Err(diags) = config::load_str(partial, &fixture("partial.yaml")) {
                assert!(
                    !diags.is_empty(),
                    "an error without a diagnostic for {partial:?}"
                );
                assert!(diags.iter().all(|d| d.line >= 1 && d.column >= 1));
            }
        }
    }
}

#[test]
fn schema_is_exposed() {
    let schema = config::json_schema();
    assert_eq!(schema["title"], "Pack");
    assert!(schema["$defs"]["Target"]["properties"]["weight"].is_object());
}

/// Seeded random edits (YAML punctuation inserted, spans deleted or duplicated) of the sample
/// packs: the loader must answer every one with a pack or with at least one located diagnostic.
#[test]
fn mutated_packs_never_panic() {
    const PUNCTUATION: &[char] = &[
        ':', '-', '[', ']', '{', '}', ',', '&', '*', '!', '|', '>', '\'', '"', '#', '%', '@', '\n',
        ' ', '\t', '?', '<', 'x', '0', '.', '~', 'é',
    ];
    let iterations: usize = std::env::var("GW_FUZZ_ITERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);
    let seeds = [
        std::fs::read_to_string(fixture("good.yaml")).unwrap(),
        std::fs::read_to_string(fixture("bad.yaml")).unwrap(),
    ];
    let mut rng = fastrand::Rng::with_seed(0x6777);
    for i in 0..iterations {
        let mut chars: Vec<char> = seeds[i % seeds.len()].chars().collect();
        for _ in 0..rng.usize(1..6) {
            let at = rng.usize(0..=chars.len());
            match rng.u8(0..3) {
                0 => chars.insert(at, PUNCTUATION[rng.usize(0..PUNCTUATION.len())]),
                1 => {
                    let end = (at + rng.usize(0..20)).min(chars.len());
                    chars.drain(at..end);
                }
                _ => {
                    let end = (at + rng.usize(0..40)).min(chars.len());
                    let copy: Vec<char> = chars[at..end].to_vec();
                    let to = rng.usize(0..=chars.len());
                    chars.splice(to..to, copy);
                }
            }
        }
        let source: String = chars.into_iter().collect();
        if let Err(diags) = config::load_str(&source, &fixture("mutated.yaml")) {
            assert!(
                !diags.is_empty(),
                "an error without a diagnostic for {source:?}"
            );
        }
    }
}

/// The pack shipped in `deploy/` (a ConfigMap) is a valid pack with a shared Redis store, and the
/// Deployment mounts it where its arguments say.
#[test]
fn the_kubernetes_pack_is_valid() {
    let manifest =
        std::fs::read_to_string(manifest_dir().join("deploy/pack.yaml")).expect("deploy/pack.yaml");
    let cm: serde_yaml_ng::Value = serde_yaml_ng::from_str(&manifest).expect("yaml");
    let text = cm["data"]["pack.yaml"].as_str().expect("data.pack.yaml");
    let loaded = config::load_str(text, Path::new("deploy/pack.yaml")).unwrap_or_else(|d| {
        panic!("{:?}", rendered(&d));
    });
    assert!(loaded.pack.limits.store.starts_with("redis://"));
    assert_eq!(
        loaded.pack.limits.password_env.as_deref(),
        Some("GW_REDIS_PASSWORD")
    );
    let deployment =
        std::fs::read_to_string(manifest_dir().join("deploy/gw.yaml")).expect("deploy/gw.yaml");
    assert!(deployment.contains("\"/etc/gw/pack.yaml\""));
    assert!(deployment.contains("mountPath: /etc/gw,"));
    assert!(deployment.contains("GW_REDIS_PASSWORD"));
}

/// A store URL that carries a password is refused, and the message does not repeat it.
#[test]
fn a_store_url_with_a_password_is_refused_without_echoing_it() {
    let pack = "pack: { name: p, version: 1.0.0 }
limits: { store: \"redis://user:hunter2secret@redis:6379/0\" }
providers:
  targets:
    - { id: a, provider: aws-bedrock, model: us.amazon.nova-pro-v1:0, base_url: emulator }
";
    let diags = config::load_str(pack, Path::new("p.yaml")).expect_err("refused");
    let text = rendered(&diags).join("\n");
    assert!(text.contains("password_env"), "{text}");
    assert!(!text.contains("hunter2secret"), "{text}");
    let bad = pack.replace(
        "redis://user:hunter2secret@redis:6379/0",
        "valkey://:hunter2secret@x",
    );
    let text =
        rendered(&config::load_str(&bad, Path::new("p.yaml")).expect_err("refused")).join("\n");
    assert!(text.contains("neither `memory` nor"), "{text}");
    assert!(!text.contains("hunter2secret"), "{text}");
}

/// A `pricing` block that prices neither tokens nor images is refused (it would charge $0).
#[test]
fn a_pricing_block_that_prices_nothing_is_refused() {
    let pack = |pricing: &str| {
        format!(
            "pack: {{ name: p, version: 1.0.0 }}
providers:
  targets:
    - {{ id: a, provider: aws-bedrock, model: us.amazon.nova-pro-v1:0, base_url: emulator, pricing: {pricing} }}
"
        )
    };
    let text = rendered(
        &config::load_str(&pack("{ input_per_1m: 1 }"), Path::new("p.yaml")).expect_err("refused"),
    )
    .join("\n");
    assert!(text.contains("`output_per_1m`"), "{text}");
    for ok in [
        "{ input_per_1m: 1, output_per_1m: 2 }",
        "{ per_image: 0.04 }",
    ] {
        config::load_str(&pack(ok), Path::new("p.yaml"))
            .unwrap_or_else(|d| panic!("{:?}", rendered(&d)));
    }
}
