//! Client keys, allow-lists, rate limits, pricing and budgets, end to end through both front
//! doors, plus `gw keys new` and counters that survive a reload.

use std::sync::{Arc, Mutex};

use gw::audit::{AuditRecord, AuditSink};
use gw::runtime::BuildEnv;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::rig::Harness;

#[derive(Default)]
struct Collect(Mutex<Vec<AuditRecord>>);

impl AuditSink for Collect {
    fn write(&self, record: AuditRecord) {
        self.0.lock().unwrap().push(record);
    }
}

impl Collect {
    fn all(&self) -> Vec<AuditRecord> {
        self.0.lock().unwrap().clone()
    }
}

const ALICE: &str = "alice-secret-0123456789";
const NARROW: &str = "narrow-secret-abcdef";
const LIMITED: &str = "limited-secret-xyz";
const TOKENS: &str = "tokens-secret-xyz";
const SPENDER: &str = "spender-secret-xyz";
const WRONG: &str = "wrong-secret-never-valid";

fn sha(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn pack(version: &str, limited_rpm: u32) -> String {
    format!(
        r#"
pack: {{ name: access-pack, version: {version} }}
auth:
  keys:
    - {{ id: alice, key_sha256: "{alice}" }}
    - {{ id: homer, key_env: HOME }}
    - {{ id: narrow, key_sha256: "{narrow}", models: ["claude*", "nov?-lite"] }}
    - {{ id: limited, key_sha256: "{limited}", rate_limit: {{ requests_per_minute: {limited_rpm} }} }}
    - {{ id: tokens, key_sha256: "{tokens}", rate_limit: {{ tokens_per_minute: 1000 }} }}
    - {{ id: spender, key_sha256: "{spender}", budget: {{ usd_per_day: 0.001, usd_per_month: 100 }} }}
models:
  claude: {{ targets: [claude-us] }}
providers:
  retry: {{ max_attempts: 1, initial_backoff_ms: 1, max_backoff_ms: 2 }}
  targets:
    - {{ id: claude-us, provider: aws-bedrock, model: us.anthropic.claude-sonnet-4-5-20250929-v1:0, base_url: emulator }}
    - {{ id: nova, provider: aws-bedrock, model: us.amazon.nova-pro-v1:0, base_url: emulator }}
    - id: priced
      provider: aws-bedrock
      model: us.amazon.nova-lite-v1:0
      base_url: emulator
      pricing: {{ input_per_1m: 1000, output_per_1m: 2000 }}
    - id: capped
      provider: aws-bedrock
      model: us.amazon.nova-micro-v1:0
      base_url: emulator
      rate_limit: {{ requests_per_minute: 1 }}
    - {{ id: titan, provider: aws-bedrock, model: amazon.titan-embed-text-v2:0, base_url: emulator }}
"#,
        alice = sha(ALICE),
        narrow = sha(NARROW),
        limited = sha(LIMITED),
        tokens = sha(TOKENS),
        spender = sha(SPENDER),
    )
}

async fn start() -> (Harness, Arc<Collect>) {
    let sink = Arc::new(Collect::default());
    let h = Harness::start_with(&pack("1.0.0", 2), BuildEnv::with_audit(sink.clone())).await;
    (h, sink)
}

fn msg(model: &str) -> Value {
    json!({"model": model, "messages": [{"role": "user", "content": "hello there"}]})
}

/// A chat request with `header: value` (none when `header` is empty).
async fn call(h: &Harness, header: &str, value: &str, body: &Value) -> (u16, HeaderMap, Value) {
    call_at(h, "/v1/chat/completions", header, value, body).await
}

async fn call_at(
    h: &Harness,
    path: &str,
    header: &str,
    value: &str,
    body: &Value,
) -> (u16, HeaderMap, Value) {
    let mut req = h.http.post(format!("{}{path}", h.url)).json(body);
    if !header.is_empty() {
        req = req.header(header, value);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.json().await.unwrap())
}

async fn bearer(h: &Harness, key: &str, body: &Value) -> (u16, HeaderMap, Value) {
    call(h, "authorization", &format!("Bearer {key}"), body).await
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name)
        .unwrap_or_else(|| panic!("missing header {name}: {h:?}"))
        .to_str()
        .unwrap()
}

#[tokio::test]
async fn missing_or_wrong_key_is_401_on_both_doors_and_audited() {
    let (h, sink) = start().await;
    let (status, _, body) = call(&h, "", "", &msg("nova")).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["type"], "authentication_error");
    assert_eq!(body["error"]["code"], "invalid_api_key");

    let (status, _, body) = bearer(&h, WRONG, &msg("nova")).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "invalid_api_key");
    let (status, _, _) = call(&h, "x-api-key", WRONG, &msg("nova")).await;
    assert_eq!(status, 401);
    let (status, _, _) = call(&h, "authorization", &format!("Basic {ALICE}"), &msg("nova")).await;
    assert_eq!(status, 401, "only Bearer counts");

    let anthropic =
        json!({"model": "nova", "max_tokens": 20, "messages": [{"role": "user", "content": "hi"}]});
    let (status, _, body) = call_at(&h, "/v1/messages", "x-api-key", WRONG, &anthropic).await;
    assert_eq!(status, 401);
    assert_eq!(body["type"], "error");
    assert_eq!(body["error"]["type"], "authentication_error");
    let (status, _, _) = call_at(
        &h,
        "/v1/embeddings",
        "",
        "",
        &json!({"model": "titan", "input": "x"}),
    )
    .await;
    assert_eq!(status, 401);

    assert!(h.emu.requests().is_empty(), "nothing reached Bedrock");
    let records = sink.all();
    assert_eq!(records.len(), 6);
    assert!(
        records
            .iter()
            .all(|r| r.status == 401 && r.key_id.is_none())
    );
    assert!(
        records
            .iter()
            .all(|r| r.error.as_deref() == Some("invalid_api_key"))
    );
}

#[tokio::test]
async fn bearer_and_x_api_key_both_work_and_name_the_key() {
    let (h, sink) = start().await;
    let (status, _, body) = bearer(&h, ALICE, &msg("nova")).await;
    assert_eq!(status, 200, "{body}");
    let (status, _, _) = call(&h, "x-api-key", ALICE, &msg("nova")).await;
    assert_eq!(status, 200);
    let anthropic = json!({"model": "claude", "max_tokens": 20, "messages": [{"role": "user", "content": "hi"}]});
    let (status, _, body) = call_at(&h, "/v1/messages", "x-api-key", ALICE, &anthropic).await;
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = call_at(
        &h,
        "/v1/embeddings",
        "x-api-key",
        ALICE,
        &json!({"model": "titan", "input": "x"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let records = sink.all();
    assert_eq!(records.len(), 4);
    assert!(
        records.iter().all(|r| r.key_id.as_deref() == Some("alice")),
        "{records:?}"
    );
}

#[tokio::test]
async fn key_from_env_is_read_at_build() {
    let (h, sink) = start().await;
    let home = std::env::var("HOME").expect("HOME is set in test processes");
    let (status, _, body) = bearer(&h, &home, &msg("nova")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(sink.all()[0].key_id.as_deref(), Some("homer"));

    // A key_env whose variable does not exist fails the build, naming the variable only.
    let missing = pack("1.0.0", 2).replace("key_env: HOME", "key_env: GW_TEST_SURELY_UNSET_VAR");
    let loaded = gw::config::load_str(&missing, std::path::Path::new("p.yaml")).unwrap();
    let err = match gw::runtime::Runtime::build(loaded, &BuildEnv::default()).await {
        Ok(_) => panic!("built without the key's env var"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("GW_TEST_SURELY_UNSET_VAR") && err.contains("homer"),
        "{err}"
    );
}

#[tokio::test]
async fn model_outside_the_allow_list_is_403() {
    let (h, sink) = start().await;
    let (status, _, body) = bearer(&h, NARROW, &msg("nova")).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["type"], "permission_error");
    assert_eq!(body["error"]["code"], "model_not_allowed");
    assert_eq!(bearer(&h, NARROW, &msg("claude")).await.0, 200);
    assert_eq!(bearer(&h, NARROW, &msg("claude-us")).await.0, 200);
    assert_eq!(
        bearer(&h, NARROW, &msg("us.amazon.nova-lite-v1:0")).await.0,
        403
    );
    let records = sink.all();
    assert_eq!(records[0].status, 403);
    assert_eq!(records[0].key_id.as_deref(), Some("narrow"));
    assert_eq!(records[0].error.as_deref(), Some("model_not_allowed"));
}

#[tokio::test]
async fn request_rate_limit_is_429_with_openai_headers() {
    let (h, sink) = start().await;
    let (s1, h1, _) = bearer(&h, LIMITED, &msg("nova")).await;
    let (s2, h2, _) = bearer(&h, LIMITED, &msg("nova")).await;
    assert_eq!((s1, s2), (200, 200));
    assert_eq!(header(&h1, "x-ratelimit-limit-requests"), "2");
    assert_eq!(header(&h1, "x-ratelimit-remaining-requests"), "1");
    assert_eq!(header(&h2, "x-ratelimit-remaining-requests"), "0");
    assert!(header(&h2, "x-ratelimit-reset-requests").ends_with('s'));

    let (status, headers, body) = bearer(&h, LIMITED, &msg("nova")).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"]["type"], "rate_limit_error");
    assert_eq!(body["error"]["code"], "rate_limit_exceeded");
    let retry: u64 = header(&headers, "retry-after").parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(header(&headers, "x-ratelimit-limit-requests"), "2");
    assert_eq!(header(&headers, "x-ratelimit-remaining-requests"), "0");
    // Other keys are not affected.
    assert_eq!(bearer(&h, ALICE, &msg("nova")).await.0, 200);
    assert_eq!(h.emu.requests().len(), 3);
    assert_eq!(sink.all()[2].status, 429);

    // A target's own limit: `capped` takes one request a minute, from any key.
    assert_eq!(bearer(&h, ALICE, &msg("capped")).await.0, 200);
    let (status, headers, body) = bearer(&h, ALICE, &msg("capped")).await;
    assert_eq!(status, 429, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("capped"),
        "{body}"
    );
    assert!(headers.contains_key("retry-after"));
    assert_eq!(header(&headers, "x-ratelimit-remaining-requests"), "0");
}

#[tokio::test]
async fn token_limit_is_charged_on_estimate_and_settled_from_usage() {
    let (h, _) = start().await;
    // Estimate: ceil(11 / 4) + 900 = 903 of 1000 per minute. Two of them only fit because the
    // first one's unused tokens are credited back once Bedrock reports its (small) usage.
    let mut big = msg("nova");
    big["max_tokens"] = json!(900);
    let (s1, h1, b1) = bearer(&h, TOKENS, &big).await;
    assert_eq!(s1, 200, "{b1}");
    assert_eq!(header(&h1, "x-ratelimit-limit-tokens"), "1000");
    let left: u32 = header(&h1, "x-ratelimit-remaining-tokens").parse().unwrap();
    assert!(left <= 97, "charged the estimate up front: {left}");
    let used = b1["usage"]["total_tokens"].as_u64().unwrap();
    assert!(used < 100, "{b1}");

    let (s2, h2, b2) = bearer(&h, TOKENS, &big).await;
    assert_eq!(s2, 200, "settled: {b2}");
    let left2: u32 = header(&h2, "x-ratelimit-remaining-tokens").parse().unwrap();
    assert!(left2 < 100, "{left2}");

    // Without the refund from the second reply's usage this would still pass; a request
    // larger than the whole minute's quota never does.
    let mut huge = msg("nova");
    huge["max_tokens"] = json!(5000);
    let (status, _, body) = bearer(&h, TOKENS, &huge).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"]["code"], "rate_limit_exceeded");
}

#[tokio::test]
async fn cost_header_follows_the_pack_price_and_the_table() {
    let (h, sink) = start().await;
    let (status, headers, body) = bearer(&h, ALICE, &msg("priced")).await;
    assert_eq!(status, 200, "{body}");
    let (input, output) = (
        body["usage"]["prompt_tokens"].as_f64().unwrap(),
        body["usage"]["completion_tokens"].as_f64().unwrap(),
    );
    let want = (input * 1000.0 + output * 2000.0) / 1e6;
    let got: f64 = header(&headers, "x-gw-cost-usd").parse().unwrap();
    assert!(want > 0.0 && (got - want).abs() < 1e-7, "{got} vs {want}");
    let audited = sink.all()[0].cost_usd.unwrap();
    assert!((audited - want).abs() < 1e-12, "{audited} vs {want}");

    // No pricing in the pack: the built-in Nova Pro price (0.80 / 3.20 per 1M).
    let (_, headers, body) = bearer(&h, ALICE, &msg("nova")).await;
    let (input, output) = (
        body["usage"]["prompt_tokens"].as_f64().unwrap(),
        body["usage"]["completion_tokens"].as_f64().unwrap(),
    );
    let got: f64 = header(&headers, "x-gw-cost-usd").parse().unwrap();
    assert!(
        (got - (input * 0.8 + output * 3.2) / 1e6).abs() < 1e-7,
        "{got}"
    );

    // Streams are priced in the audit record once they end.
    let mut stream = msg("priced");
    stream["stream"] = json!(true);
    let resp = h
        .http
        .post(format!("{}/v1/chat/completions", h.url))
        .bearer_auth(ALICE)
        .json(&stream)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let _ = resp.text().await.unwrap();
    let rec = sink.all().pop().unwrap();
    assert!(rec.stream);
    let u = rec.usage.unwrap();
    let want = (u.input_tokens as f64 * 1000.0 + u.output_tokens as f64 * 2000.0) / 1e6;
    assert!((rec.cost_usd.unwrap() - want).abs() < 1e-12, "{rec:?}");
}

#[tokio::test]
async fn spent_budget_is_429_until_the_period_rolls_over() {
    let (h, sink) = start().await;
    // `priced` costs cents per request; the key may spend $0.001 a day.
    let (status, headers, _) = bearer(&h, SPENDER, &msg("priced")).await;
    assert_eq!(status, 200);
    let cost: f64 = header(&headers, "x-gw-cost-usd").parse().unwrap();
    assert!(
        cost >= 0.001,
        "the first request spends the whole day's budget: {cost}"
    );
    let (status, headers, body) = bearer(&h, SPENDER, &msg("nova")).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"]["code"], "budget_exceeded");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("daily budget"),
        "{body}"
    );
    let retry: u64 = header(&headers, "retry-after").parse().unwrap();
    assert!((1..=86_400).contains(&retry));
    assert_eq!(h.emu.requests().len(), 1);
    assert_eq!(sink.all()[1].key_id.as_deref(), Some("spender"));
    // Other keys still spend.
    assert_eq!(bearer(&h, ALICE, &msg("priced")).await.0, 200);
}

#[tokio::test]
async fn secrets_never_reach_audit_records_or_error_bodies() {
    let (h, sink) = start().await;
    let home = std::env::var("HOME").unwrap();
    let mut bodies = Vec::new();
    for (name, value) in [
        ("authorization", format!("Bearer {WRONG}")),
        ("x-api-key", WRONG.to_string()),
        ("authorization", format!("Bearer {NARROW}")),
        ("authorization", format!("Bearer {ALICE}")),
        ("authorization", format!("Bearer {home}")),
    ] {
        bodies.push(call(&h, name, &value, &msg("nova")).await.2.to_string());
    }
    let records = serde_json::to_string(&sink.all()).unwrap();
    assert_eq!(sink.all().len(), 5);
    for secret in [WRONG, NARROW, ALICE, &sha(ALICE), &sha(NARROW)] {
        assert!(!records.contains(secret), "{secret} in {records}");
        assert!(
            bodies.iter().all(|b| !b.contains(secret)),
            "{secret} in {bodies:?}"
        );
    }
    assert!(!records.to_lowercase().contains("bearer"));
    assert!(!records.contains(&format!("\"{home}\"")));
}

#[tokio::test]
async fn keys_new_prints_a_key_whose_hash_it_prints() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gw"))
        .args(["keys", "new", "--id", "ci-bot"])
        .output()
        .expect("gw runs");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let key = text
        .lines()
        .find_map(|l| l.strip_prefix("key: "))
        .expect("key line")
        .to_string();
    let line = text
        .lines()
        .find(|l| l.starts_with("- {"))
        .expect("yaml line");
    let entry: Vec<Value> = serde_yaml_ng::from_str(line).expect("pastes as YAML");
    assert_eq!(entry[0]["id"], "ci-bot");
    let hash = entry[0]["key_sha256"].as_str().unwrap();
    assert_eq!(hash, sha(&key));
    assert!(key.starts_with("gw-") && key.len() >= 40);

    // The pasted line works as a pack key.
    let yaml = pack("1.0.0", 2).replace("  keys:\n", &format!("  keys:\n    {line}\n"));
    let h = Harness::start(&yaml).await;
    assert_eq!(bearer(&h, &key, &msg("nova")).await.0, 200);
    assert_eq!(
        bearer(&h, hash, &msg("nova")).await.0,
        401,
        "the hash is not the key"
    );
}

#[tokio::test]
async fn counters_of_unchanged_keys_survive_a_reload() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pack.yaml");
    std::fs::write(&path, pack("1.0.0", 2)).unwrap();
    let h = Harness::start_file(&path, BuildEnv::default()).await;
    assert_eq!(bearer(&h, LIMITED, &msg("nova")).await.0, 200);
    assert_eq!(bearer(&h, SPENDER, &msg("priced")).await.0, 200);
    assert_eq!(bearer(&h, ALICE, &msg("capped")).await.0, 200);

    std::fs::write(&path, pack("1.0.1", 2)).unwrap();
    let version = gw::reload::reload_once(&h.gateway, &path).await.unwrap();
    assert_eq!(version, "1.0.1");
    let (s, headers, _) = bearer(&h, LIMITED, &msg("nova")).await;
    assert_eq!(s, 200);
    assert_eq!(
        header(&headers, "x-ratelimit-remaining-requests"),
        "0",
        "count carried over"
    );
    assert_eq!(bearer(&h, LIMITED, &msg("nova")).await.0, 429);
    assert_eq!(
        bearer(&h, SPENDER, &msg("nova")).await.0,
        429,
        "spend carried over"
    );
    assert_eq!(
        bearer(&h, ALICE, &msg("capped")).await.0,
        429,
        "target count carried over"
    );

    // A changed limit starts a fresh bucket.
    std::fs::write(&path, pack("1.0.2", 5)).unwrap();
    gw::reload::reload_once(&h.gateway, &path).await.unwrap();
    let (s, headers, _) = bearer(&h, LIMITED, &msg("nova")).await;
    assert_eq!(s, 200);
    assert_eq!(header(&headers, "x-ratelimit-remaining-requests"), "4");
}

#[tokio::test]
async fn an_open_pack_sends_no_limit_headers() {
    let h = Harness::default().await;
    let (status, headers, _) = h.chat(msg("nova")).await;
    assert_eq!(status, 200);
    assert!(!headers.contains_key("x-ratelimit-limit-requests"));
    assert!(
        headers.contains_key("x-gw-cost-usd"),
        "priced from the table"
    );
}
