//! `GET /metrics` after real traffic: requests, latency, tokens, cost, policy decisions, upstream
//! attempts, breaker state, reload outcomes and the audit queue, with label sets bounded by the
//! pack (a client's made-up model name is counted as `unknown`).

use std::time::{Duration, Instant};

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::rig::{Harness, fault};

const KEY: &str = "metrics-test-key-0123456789";
const A: &str = "us.amazon.nova-pro-v1:0";
const B: &str = "us.amazon.nova-lite-v1:0";

fn pack(version: &str, extra: &str) -> String {
    let sha = hex::encode(Sha256::digest(KEY.as_bytes()));
    format!(
        r#"
pack: {{ name: metrics-pack, version: {version} }}
auth:
  keys:
    - {{ id: team-a, key_sha256: "{sha}" }}
models:
  m: {{ strategy: fallback, targets: [a, b] }}
providers:
  retry: {{ max_attempts: 1, initial_backoff_ms: 1, max_backoff_ms: 5 }}
  circuit_breaker: {{ failure_threshold: 1, window_seconds: 30, open_seconds: 600, half_open_requests: 1 }}
  targets:
    - {{ id: a, provider: aws-bedrock, model: "{A}", base_url: emulator }}
    - {{ id: b, provider: aws-bedrock, model: "{B}", base_url: emulator }}
policies:
  chain: [pii-detector]
  policy:
    pii-detector: {{ action: redact }}
{extra}"#
    )
}

async fn get_metrics(h: &Harness) -> reqwest::Response {
    h.http
        .get(format!("{}/metrics", h.url))
        .send()
        .await
        .expect("scrape")
}

async fn scrape(h: &Harness) -> (String, String) {
    let resp = get_metrics(h).await;
    assert_eq!(resp.status(), 200);
    let kind = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (kind, resp.text().await.expect("text"))
}

/// The value of the one series whose name and labels are exactly `series`.
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

async fn chat(h: &Harness, key: Option<&str>, body: serde_json::Value) -> u16 {
    let mut req = h
        .http
        .post(format!("{}/v1/chat/completions", h.url))
        .json(&body);
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    let resp = req.send().await.expect("sent");
    let status = resp.status().as_u16();
    let _ = resp.bytes().await;
    status
}

#[tokio::test]
async fn metrics_count_what_happened_with_bounded_labels() {
    let h = Harness::start(&pack("1.2.3", "")).await;
    h.emu
        .set_faults(A, vec![fault(json!({"kind": "server_error", "times": 1}))]);
    let hello = json!({"model": "m", "messages": [{"role": "user", "content": "hello"}]});
    assert_eq!(chat(&h, Some(KEY), hello.clone()).await, 200);
    let email = json!({"model": "m", "messages": [{"role": "user", "content": "mail jane.doe@example.com please"}]});
    assert_eq!(chat(&h, Some(KEY), email).await, 200);
    let mut stream = hello.clone();
    stream["stream"] = json!(true);
    assert_eq!(chat(&h, Some(KEY), stream).await, 200);
    let made_up =
        json!({"model": "made-up-model-7f3a", "messages": [{"role": "user", "content": "hi"}]});
    assert_eq!(chat(&h, Some(KEY), made_up).await, 404);
    assert_eq!(chat(&h, None, hello).await, 401);

    let (kind, text) = scrape(&h).await;
    assert!(kind.starts_with("application/openmetrics-text"), "{kind}");
    assert!(text.trim_end().ends_with("# EOF"), "{text}");
    let served = r#"gw_requests_total{endpoint="chat.completions",model="m",key="team-a",outcome="served",status="200"}"#;
    assert_eq!(value(&text, served), Some(3.0), "{text}");
    let unknown = r#"gw_requests_total{endpoint="chat.completions",model="unknown",key="team-a",outcome="rejected",status="404"}"#;
    assert_eq!(value(&text, unknown), Some(1.0), "{text}");
    assert!(
        !text.contains("made-up-model-7f3a"),
        "a client's model name became a label"
    );
    let anonymous = r#"gw_requests_total{endpoint="chat.completions",model="m",key="none",outcome="rejected",status="401"}"#;
    assert_eq!(value(&text, anonymous), Some(1.0), "{text}");
    assert_eq!(
        value(
            &text,
            r#"gw_request_errors_total{endpoint="chat.completions",code="model_not_found"}"#
        ),
        Some(1.0),
        "{text}"
    );

    // Target a failed once (its breaker opened at threshold 1), b served everything.
    let a_failed = r#"gw_upstream_attempts_total{target="a",outcome="server_error"}"#;
    assert_eq!(value(&text, a_failed), Some(1.0), "{text}");
    let b_ok = r#"gw_upstream_attempts_total{target="b",outcome="ok"}"#;
    assert_eq!(value(&text, b_ok), Some(3.0), "{text}");
    assert!(
        value(
            &text,
            r#"gw_upstream_attempts_total{target="a",outcome="breaker_open"}"#
        )
        .is_some_and(|n| n >= 2.0),
        "{text}"
    );
    assert_eq!(value(&text, r#"gw_breaker_state{target="a"}"#), Some(2.0));
    assert_eq!(value(&text, r#"gw_breaker_state{target="b"}"#), Some(0.0));
    assert_eq!(
        value(&text, r#"gw_upstream_in_flight{target="b"}"#),
        Some(0.0)
    );

    let input = r#"gw_tokens_total{key="team-a",model="m",target="b",kind="input"}"#;
    assert!(value(&text, input).is_some_and(|n| n > 0.0), "{text}");
    let output = r#"gw_tokens_total{key="team-a",model="m",target="b",kind="output"}"#;
    assert!(value(&text, output).is_some_and(|n| n > 0.0), "{text}");
    let cost = r#"gw_cost_usd_total{key="team-a",model="m",target="b"}"#;
    assert!(value(&text, cost).is_some_and(|c| c > 0.0), "{text}");

    let redacted = r#"gw_policy_decisions_total{policy="pii-detector",action="redacted"}"#;
    assert_eq!(value(&text, redacted), Some(1.0), "{text}");
    let emails = r#"gw_policy_entities_total{policy="pii-detector",entity="EMAIL"}"#;
    assert_eq!(value(&text, emails), Some(1.0), "{text}");

    let latency =
        r#"gw_request_duration_seconds_count{endpoint="chat.completions",model="m",stream="true"}"#;
    assert_eq!(value(&text, latency), Some(1.0), "{text}");
    assert!(text.contains("gw_request_duration_seconds_bucket{"));
    let first_byte =
        r#"gw_time_to_first_byte_seconds_count{endpoint="chat.completions",model="m"}"#;
    assert_eq!(value(&text, first_byte), Some(1.0), "{text}");
    assert!(
        text.contains("gw_upstream_duration_seconds_bucket{le=\"+Inf\",target=\"b\"} 3"),
        "{text}"
    );
    assert_eq!(
        value(
            &text,
            r#"gw_pack_info{pack="metrics-pack",version="1.2.3"}"#
        ),
        Some(1.0)
    );
    assert_eq!(value(&text, "gw_audit_queue_depth"), Some(0.0), "{text}");
    assert_eq!(value(&text, "gw_audit_dropped_records_total"), Some(0.0));
    for secret in [KEY, "jane.doe@example.com"] {
        assert!(!text.contains(secret), "{secret} leaked into metrics");
    }
}

#[tokio::test]
async fn reload_outcomes_are_counted_and_the_pack_info_follows() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("pack.yaml");
    std::fs::write(&path, pack("1.0.0", "")).expect("write");
    let h = Harness::start_file(&path, gw::runtime::BuildEnv::default()).await;

    std::fs::write(&path, pack("1.0.1", "bogus_top_level_key: 1\n")).expect("write");
    let rejected = r#"gw_pack_reloads_total{outcome="rejected"}"#;
    let text = wait_for(&h, |t| value(t, rejected) == Some(1.0)).await;
    assert!(
        value(
            &text,
            r#"gw_pack_info{pack="metrics-pack",version="1.0.0"}"#
        ) == Some(1.0)
    );

    std::fs::write(&path, pack("1.0.2", "")).expect("write");
    let applied = r#"gw_pack_reloads_total{outcome="applied"}"#;
    let text = wait_for(&h, |t| value(t, applied) == Some(1.0)).await;
    assert_eq!(
        value(
            &text,
            r#"gw_pack_info{pack="metrics-pack",version="1.0.2"}"#
        ),
        Some(1.0)
    );
    assert!(
        !text.contains(r#"version="1.0.0""#),
        "the old pack is still reported"
    );
    let stamp = r#"gw_pack_reload_timestamp_seconds{outcome="applied"}"#;
    assert!(value(&text, stamp).is_some_and(|t| t > 1.7e9), "{text}");
}

#[tokio::test]
async fn metrics_can_be_switched_off() {
    let h = Harness::start(&pack("1.0.0", "telemetry: { metrics: false }\n")).await;
    let resp = get_metrics(&h).await;
    assert_eq!(resp.status(), 404);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["error"]["code"], "metrics_disabled");
}

async fn wait_for(h: &Harness, done: impl Fn(&str) -> bool) -> String {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, text) = scrape(h).await;
        if done(&text) || Instant::now() > until {
            assert!(done(&text), "condition never met:\n{text}");
            return text;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
