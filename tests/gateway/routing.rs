//! Routing and resilience under injected faults: throttling bursts, 5xx storms, a dead target,
//! slow first bytes, cut streams, breakers opening and healing, weighted shares, deadlines,
//! health probes and load shedding, all through real gw against the emulator.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::rig::{Harness, fault, parse_sse, streamed_text};

const A: &str = "us.amazon.nova-pro-v1:0";
const B: &str = "us.amazon.nova-lite-v1:0";

/// Two targets on different models and regions behind `m`; `extra` goes under `providers:` and
/// `a_opts`/`b_opts` into each target's flow map.
fn pack(strategy: &str, extra: &str, a_opts: &str, b_opts: &str) -> String {
    format!(
        r#"
pack: {{ name: routing, version: 1.0.0 }}
models:
  m: {{ strategy: {strategy}, targets: [a, b] }}
providers:
  retry: {{ max_attempts: 1, initial_backoff_ms: 1, max_backoff_ms: 5 }}
{extra}
  targets:
    - {{ id: a, provider: aws-bedrock, model: "{A}", aws_region: us-east-1, base_url: emulator{a_opts} }}
    - {{ id: b, provider: aws-bedrock, model: "{B}", aws_region: eu-west-1, base_url: emulator{b_opts} }}
"#
    )
}

fn ask() -> Value {
    json!({"model": "m", "messages": [{"role": "user", "content": "hello there"}]})
}

fn attempts(headers: &reqwest::header::HeaderMap) -> String {
    headers
        .get("x-gw-attempts")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

fn calls_to(h: &Harness, model: &str) -> usize {
    h.emu
        .requests()
        .iter()
        .filter(|r| r.model_id == model)
        .count()
}

async fn breaker(h: &Harness, id: &str) -> String {
    let ready: Value = h
        .http
        .get(format!("{}/readyz", h.url))
        .send()
        .await
        .expect("readyz")
        .json()
        .await
        .expect("json");
    ready["targets"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["id"] == id))
        .map(|t| t["breaker"].as_str().unwrap_or("?").to_string())
        .unwrap_or_default()
}

/// A short throttling burst is absorbed by retries on the same target; the client sees 200.
#[tokio::test]
async fn throttling_burst_is_retried_away() {
    let p = pack(
        "fallback",
        "",
        ", retry: { max_attempts: 4, initial_backoff_ms: 1, max_backoff_ms: 5 }",
        "",
    );
    let h = Harness::start(&p).await;
    h.emu
        .set_faults(A, vec![fault(json!({"kind": "throttle", "times": 3}))]);
    let (status, headers, body) = h.chat(ask()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["x-gw-target"], "a");
    let list = attempts(&headers);
    assert_eq!(list.matches("a/us-east-1/throttled/").count(), 3, "{list}");
    assert!(
        list.ends_with("/3"),
        "fourth try (retry 3) answered: {list}"
    );
    assert_eq!(calls_to(&h, B), 0);
}

/// failure_threshold 2 = a score of 4: two 5xx open the breaker, three throttles do not.
#[tokio::test]
async fn throttles_open_the_breaker_more_gently_than_a_5xx_storm() {
    let cb = "  circuit_breaker: { failure_threshold: 2, open_seconds: 30 }";
    let h = Harness::start(&pack("fallback", cb, "", "")).await;
    h.emu
        .set_faults(A, vec![fault(json!({"kind": "throttle"}))]);
    for _ in 0..3 {
        let (status, headers, _) = h.chat(ask()).await;
        assert_eq!(status, 200);
        assert_eq!(headers["x-gw-target"], "b", "fell over to b");
    }
    assert_eq!(breaker(&h, "a").await, "closed", "3 throttles score 3 < 4");
    let _ = h.chat(ask()).await;
    assert_eq!(breaker(&h, "a").await, "open", "the 4th throttle opens it");

    let h = Harness::start(&pack("fallback", cb, "", "")).await;
    h.emu
        .set_faults(A, vec![fault(json!({"kind": "server_error"}))]);
    for _ in 0..2 {
        let (status, _, _) = h.chat(ask()).await;
        assert_eq!(status, 200);
    }
    assert_eq!(breaker(&h, "a").await, "open", "two 5xx open it");
}

/// A 5xx storm opens the breaker (the target is then skipped without a call), and once the
/// storm is over a half-open probe closes it again.
#[tokio::test]
async fn breaker_opens_under_a_5xx_storm_and_heals() {
    let cb = "  circuit_breaker: { failure_threshold: 2, open_seconds: 1 }";
    let h = Harness::start(&pack("fallback", cb, "", "")).await;
    h.emu
        .set_faults(A, vec![fault(json!({"kind": "unavailable"}))]);
    for _ in 0..2 {
        let (status, headers, _) = h.chat(ask()).await;
        assert_eq!(status, 200);
        assert!(attempts(&headers).starts_with("a/us-east-1/server_error/"));
    }
    let before = calls_to(&h, A);
    let (status, headers, _) = h.chat(ask()).await;
    assert_eq!(status, 200);
    let list = attempts(&headers);
    assert!(
        list.starts_with("a/us-east-1/breaker_open/0.0ms/0, b/eu-west-1/ok/"),
        "{list}"
    );
    assert_eq!(calls_to(&h, A), before, "an open breaker makes no call");
    assert_eq!(breaker(&h, "a").await, "open");

    h.emu.clear_faults();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(breaker(&h, "a").await, "half_open");
    let (status, headers, _) = h.chat(ask()).await;
    assert_eq!(status, 200);
    assert_eq!(headers["x-gw-target"], "a", "the probe went to a");
    assert_eq!(breaker(&h, "a").await, "closed");
}

/// A failed half-open probe re-opens the breaker for another `open_seconds`.
#[tokio::test]
async fn failed_probe_reopens() {
    let cb = "  circuit_breaker: { failure_threshold: 1, open_seconds: 1 }";
    let h = Harness::start(&pack("fallback", cb, "", "")).await;
    h.emu
        .set_faults(A, vec![fault(json!({"kind": "server_error"}))]);
    let _ = h.chat(ask()).await;
    assert_eq!(breaker(&h, "a").await, "open");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, headers, _) = h.chat(ask()).await;
    assert_eq!(status, 200);
    assert!(
        attempts(&headers).starts_with("a/us-east-1/server_error/"),
        "probe was let through"
    );
    assert_eq!(breaker(&h, "a").await, "open");
}

/// A refused connection fails over at once and, after the threshold, is not even dialled.
#[tokio::test]
async fn dead_target_fails_over_and_is_skipped() {
    let p = format!(
        r#"
pack: {{ name: dead, version: 1.0.0 }}
models:
  m: {{ strategy: fallback, targets: [dead, b] }}
providers:
  retry: {{ max_attempts: 2, initial_backoff_ms: 1, max_backoff_ms: 5 }}
  circuit_breaker: {{ failure_threshold: 2, open_seconds: 30 }}
  targets:
    - {{ id: dead, provider: aws-bedrock, model: "{A}", base_url: "http://127.0.0.1:1", aws_access_key_env: HOME, aws_secret_key_env: PATH, connect_timeout_ms: 500 }}
    - {{ id: b, provider: aws-bedrock, model: "{B}", aws_region: eu-west-1, base_url: emulator }}
"#
    );
    let h = Harness::start(&p).await;
    let t = Instant::now();
    let (status, headers, _) = h.chat(ask()).await;
    assert_eq!(status, 200);
    let list = attempts(&headers);
    assert!(
        list.starts_with("dead/us-east-1/connect_error/") && list.contains("b/eu-west-1/ok/"),
        "{list}"
    );
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    let (status, headers, _) = h.chat(ask()).await;
    assert_eq!(status, 200);
    assert!(
        attempts(&headers).starts_with("dead/us-east-1/breaker_open/"),
        "{}",
        attempts(&headers)
    );
}

/// A stream whose first event is late (cold start) fails over after
/// `first_byte_timeout_seconds`, long before `timeout_seconds`.
#[tokio::test]
async fn slow_first_byte_fails_over() {
    let h = Harness::start(&pack(
        "fallback",
        "",
        ", timeout_seconds: 30, first_byte_timeout_seconds: 1",
        "",
    ))
    .await;
    h.emu
        .set_faults(A, vec![fault(json!({"kind": "delay", "delay_ms": 5000}))]);
    let mut body = ask();
    body["stream"] = json!(true);
    let t = Instant::now();
    let resp = h.post("/v1/chat/completions", &body).await;
    assert_eq!(resp.status(), 200);
    let list = attempts(resp.headers());
    assert!(
        list.starts_with("a/us-east-1/timeout/") && list.contains("b/eu-west-1/ok/"),
        "{list}"
    );
    let events = parse_sse(&resp.text().await.expect("body"));
    assert!(!streamed_text(&events).is_empty());
    assert!(
        t.elapsed() < Duration::from_millis(2500),
        "{:?}",
        t.elapsed()
    );
}

/// Cut before the first event: failed over. Cut after content reached the client: a clean error
/// event, no second target, no `[DONE]`, and the cut still counts against the target's breaker.
#[tokio::test]
async fn stream_cut_fails_over_only_before_the_first_byte() {
    let cb = "  circuit_breaker: { failure_threshold: 2 }";
    let h = Harness::start(&pack("fallback", cb, "", "")).await;
    let mut body = ask();
    body["stream"] = json!(true);
    h.emu.set_faults(
        A,
        vec![fault(
            json!({"kind": "stream_cut", "after_events": 0, "times": 1}),
        )],
    );
    let resp = h.post("/v1/chat/completions", &body).await;
    assert_eq!(resp.headers()["x-gw-target"], "b");
    let events = parse_sse(&resp.text().await.expect("body"));
    assert!(events.iter().any(|e| e == "[DONE]"), "{events:?}");
    assert_eq!(breaker(&h, "a").await, "closed");

    h.emu.clear_requests();
    h.emu.set_faults(
        A,
        vec![fault(json!({"kind": "stream_cut", "after_events": 4}))],
    );
    let resp = h.post("/v1/chat/completions", &body).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-gw-target"], "a");
    let events = parse_sse(&resp.text().await.expect("body"));
    assert!(!streamed_text(&events).is_empty(), "content came first");
    assert!(
        events.last().is_some_and(|e| e["error"].is_object()),
        "{events:?}"
    );
    assert!(!events.iter().any(|e| e == "[DONE]"));
    assert_eq!(calls_to(&h, B), 0, "no failover after the first byte");
    // The cut before the first byte scored 2 of 4; the mid-stream cut the other 2 (a stream's
    // vote is cast when it ends, so its first event did not count as a success).
    assert_eq!(breaker(&h, "a").await, "open");
}

/// End to end, 200 requests on a 3:1 split land exactly 150/50 (smooth WRR is deterministic);
/// with `a` open, its share moves to `b`.
#[tokio::test]
async fn weighted_split_end_to_end() {
    let cb = "  circuit_breaker: { failure_threshold: 1, open_seconds: 30 }";
    let h = Harness::start(&pack("weighted", cb, ", weight: 3", ", weight: 1")).await;
    let mut to_a = 0;
    for _ in 0..200 {
        let (status, headers, _) = h.chat(ask()).await;
        assert_eq!(status, 200);
        if headers["x-gw-target"] == "a" {
            to_a += 1;
        }
    }
    assert!((146..=154).contains(&to_a), "{to_a} of 200 to a");

    h.emu
        .set_faults(A, vec![fault(json!({"kind": "server_error", "times": 1}))]);
    let mut failed_over = false;
    for _ in 0..4 {
        let (status, headers, _) = h.chat(ask()).await;
        assert_eq!(status, 200);
        failed_over |= attempts(&headers).starts_with("a/us-east-1/server_error/");
    }
    assert!(failed_over);
    assert_eq!(breaker(&h, "a").await, "open");
    for _ in 0..20 {
        let (_, headers, _) = h.chat(ask()).await;
        assert_eq!(headers["x-gw-target"], "b", "{}", attempts(&headers));
        assert!(!attempts(&headers).contains("a/"), "open target not picked");
    }
}

/// Both targets at `max_concurrency`: the next request is shed with 429 and `Retry-After`.
#[tokio::test]
async fn saturated_route_sheds_with_429() {
    let h = Harness::start(&pack(
        "fallback",
        "",
        ", max_concurrency: 1",
        ", max_concurrency: 1",
    ))
    .await;
    for m in [A, B] {
        h.emu
            .set_faults(m, vec![fault(json!({"kind": "delay", "delay_ms": 800}))]);
    }
    let slow = || async { h.chat(ask()).await };
    let late = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        h.chat(ask()).await
    };
    let (r1, r2, r3) = tokio::join!(slow(), slow(), late);
    assert_eq!(r1.0, 200);
    assert_eq!(r2.0, 200);
    let (status, headers, body) = r3;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"]["code"], "gateway_overloaded");
    assert!(body["error"]["message"].is_string());
    assert_eq!(headers["retry-after"], "1");
    let list = attempts(&headers);
    assert!(
        list.starts_with("a/us-east-1/shed/") && list.contains("b/eu-west-1/shed/"),
        "{list}"
    );
    // Slots are given back: the route serves again.
    let (status, _, _) = h.chat(ask()).await;
    assert_eq!(status, 200);
}

/// Retries stop at the route deadline, however many attempts the policy allows.
#[tokio::test]
async fn deadline_bounds_retries() {
    let extra = "  deadline_seconds: 1";
    let h = Harness::start(&pack(
        "single",
        extra,
        ", retry: { max_attempts: 10, initial_backoff_ms: 50, max_backoff_ms: 100 }",
        "",
    ))
    .await;
    h.emu.set_faults(
        A,
        vec![fault(json!({"kind": "unavailable", "delay_ms": 300}))],
    );
    let t = Instant::now();
    let (status, headers, body) = h.chat(ask()).await;
    let took = t.elapsed();
    assert!(status == 503 || status == 504, "{status} {body}");
    assert!(took < Duration::from_millis(1500), "{took:?}");
    let tries = attempts(&headers).matches("a/").count();
    assert!((1..10).contains(&tries), "{tries}");
}

/// Probes open the breaker of a failing idle target and close it once it recovers.
#[tokio::test]
async fn health_probe_opens_and_closes_the_breaker() {
    let cb = "  circuit_breaker: { failure_threshold: 1, open_seconds: 60 }";
    let h = Harness::start(&pack(
        "fallback",
        cb,
        ", health_probe: { interval_seconds: 1 }",
        "",
    ))
    .await;
    h.emu
        .set_faults(A, vec![fault(json!({"kind": "unavailable"}))]);
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(breaker(&h, "a").await, "open", "no traffic needed");
    let probe = h.emu.requests().into_iter().find(|r| r.model_id == A);
    let probe = probe.expect("a probe call");
    assert_eq!(probe.body["inferenceConfig"]["maxTokens"], 1);

    h.emu.clear_faults();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        breaker(&h, "a").await,
        "closed",
        "healed before open_seconds"
    );
}
