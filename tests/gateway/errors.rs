//! Every error class: bad input, unknown model, oversized body, and each Bedrock failure, all in
//! the OpenAI error shape with the right status.

use serde_json::{Value, json};

use crate::rig::{Harness, fault};

fn assert_openai_error(body: &Value) {
    let err = &body["error"];
    assert!(
        err["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(err["type"].is_string(), "{body}");
    assert!(
        err.get("param").is_some() && err.get("code").is_some(),
        "{body}"
    );
}

async fn raw(h: &Harness, body: &'static str) -> (u16, Value) {
    let resp = h
        .http
        .post(format!("{}/v1/chat/completions", h.url))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

#[tokio::test]
async fn malformed_json_and_missing_fields() {
    let h = Harness::default().await;
    let (status, body) = raw(&h, "{\"model\": \"claude\", ").await;
    assert_eq!(status, 400);
    assert_openai_error(&body);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not valid JSON")
    );

    let (status, body) = raw(&h, "{\"messages\": []}").await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"].as_str().unwrap().contains("model"),
        "{body}"
    );

    let (status, body) = raw(&h, "").await;
    assert_eq!(status, 400);
    assert_openai_error(&body);

    let (status, body) = h
        .chat(json!({"model": "claude", "messages": [{"role": "user", "content": "x"}], "n": 2}))
        .await
        .into_status_body();
    assert_eq!(status, 400);
    assert_eq!(body["error"]["param"], "n");
    assert!(h.emu.requests().is_empty());
}

trait StatusBody {
    fn into_status_body(self) -> (u16, Value);
}

impl StatusBody for (u16, reqwest::header::HeaderMap, Value) {
    fn into_status_body(self) -> (u16, Value) {
        (self.0, self.2)
    }
}

#[tokio::test]
async fn unknown_model_lists_the_models() {
    let h = Harness::default().await;
    let (status, _, body) = h
        .chat(json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}]}))
        .await;
    assert_eq!(status, 404);
    assert_openai_error(&body);
    assert_eq!(body["error"]["code"], "model_not_found");
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("`gpt-4o`") && msg.contains("claude") && msg.contains("nova"),
        "{msg}"
    );
}

#[tokio::test]
async fn oversized_body_is_413() {
    let h = Harness::default().await;
    let big = "x".repeat(300_000);
    let (status, _, body) = h
        .chat(json!({"model": "claude", "messages": [{"role": "user", "content": big}]}))
        .await;
    assert_eq!(status, 413);
    assert_openai_error(&body);
}

#[tokio::test]
async fn unknown_path_and_wrong_method_are_openai_errors() {
    let h = Harness::default().await;
    let resp = h
        .http
        .get(format!("{}/v1/chat/completions", h.url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    assert_openai_error(&resp.json().await.unwrap());
    let resp = h
        .http
        .post(format!("{}/v1/nope", h.url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    assert_openai_error(&resp.json().await.unwrap());
}

/// Each Bedrock exception the emulator can raise, with the status and code the client sees.
#[tokio::test]
async fn bedrock_exceptions_map_to_openai_errors() {
    let h = Harness::default().await;
    let cases = [
        ("throttle", 429, "rate_limit_exceeded"),
        ("unavailable", 503, "upstream_unavailable"),
        ("server_error", 500, "upstream_error"),
        ("model_timeout", 504, "upstream_timeout"),
        ("model_error", 502, "upstream_model_error"),
        ("access_denied", 403, "model_access_denied"),
        ("not_found", 404, "model_not_found"),
        ("quota_exceeded", 429, "quota_exceeded"),
        ("model_not_ready", 503, "model_not_ready"),
        ("validation", 400, "invalid_request"),
    ];
    for (kind, status, code) in cases {
        h.emu.clear_faults();
        h.emu.set_faults(
            "us.amazon.nova-pro-v1:0",
            vec![fault(json!({"kind": kind, "message": "emulated failure"}))],
        );
        let (got, headers, body) = h
            .chat(json!({"model": "nova", "messages": [{"role": "user", "content": "x"}]}))
            .await;
        assert_eq!(got, status, "{kind}: {body}");
        assert_openai_error(&body);
        assert_eq!(body["error"]["code"], code, "{kind}");
        if status == 429 {
            assert!(headers.contains_key("retry-after"), "{kind}");
        }
    }
}

#[tokio::test]
async fn retryable_failures_are_retried_then_succeed() {
    let h = Harness::default().await;
    h.emu.set_faults(
        "us.amazon.nova-pro-v1:0",
        vec![fault(json!({"kind": "throttle", "times": 1}))],
    );
    let (status, headers, body) = h
        .chat(json!({"model": "nova", "messages": [{"role": "user", "content": "x"}]}))
        .await;
    assert_eq!(status, 200, "{body}");
    let attempts = headers["x-gw-attempts"].to_str().unwrap();
    assert!(
        attempts.starts_with("nova/us-east-1/throttled/"),
        "{attempts}"
    );
    assert!(attempts.contains(", nova/us-east-1/ok/"), "{attempts}");
    assert_eq!(h.emu.requests().len(), 2);
}

#[tokio::test]
async fn validation_errors_are_not_retried() {
    let h = Harness::default().await;
    h.emu.set_faults(
        "us.amazon.nova-pro-v1:0",
        vec![fault(json!({"kind": "validation", "message": "bad"}))],
    );
    let (status, _, _) = h
        .chat(json!({"model": "nova", "messages": [{"role": "user", "content": "x"}]}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(h.emu.requests().len(), 1);
}

#[tokio::test]
async fn fallback_moves_to_the_next_target() {
    let h = Harness::default().await;
    h.emu.set_faults(
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        vec![fault(json!({"kind": "unavailable"}))],
    );
    let (status, headers, body) = h
        .chat(json!({"model": "claude", "messages": [{"role": "user", "content": "x"}]}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["x-gw-target"], "claude-eu");
    let attempts = headers["x-gw-attempts"].to_str().unwrap();
    assert_eq!(
        attempts.matches("claude-us/").count(),
        2,
        "retried on the first target: {attempts}"
    );
    assert!(attempts.contains("claude-eu/eu-west-1/ok/"), "{attempts}");
}

#[tokio::test]
async fn on_demand_model_id_says_to_use_a_profile() {
    let h = Harness::default().await;
    let (status, _, body) = h
        .chat(json!({"model": "claude-bare", "messages": [{"role": "user", "content": "x"}]}))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "inference_profile_required");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("us.anthropic.claude-sonnet-4-20250514-v1:0")
    );
}

#[tokio::test]
async fn slow_upstream_times_out() {
    let h = Harness::default().await;
    h.emu.set_faults(
        "us.amazon.nova-lite-v1:0",
        vec![fault(json!({"kind": "delay", "delay_ms": 3000}))],
    );
    let (status, _, body) = h
        .chat(json!({"model": "slow", "messages": [{"role": "user", "content": "x"}]}))
        .await;
    assert_eq!(status, 504, "{body}");
    assert_eq!(body["error"]["code"], "upstream_timeout");
}

#[tokio::test]
async fn disabled_pack_answers_503() {
    let pack = crate::rig::PACK.replace("version: 1.2.3 }", "version: 1.2.3, enabled: false }");
    let h = Harness::start(&pack).await;
    let (status, _, body) = h
        .chat(json!({"model": "nova", "messages": [{"role": "user", "content": "x"}]}))
        .await;
    assert_eq!(status, 503);
    assert_eq!(body["error"]["code"], "pack_disabled");
}

#[tokio::test]
async fn dead_target_is_a_502_and_falls_over() {
    // Port 1 on loopback refuses connections. HOME and PATH are env vars that exist in any test
    // process, so the target has (useless) static credentials and the SDK gets as far as connecting.
    let pack = r#"
pack: { name: dead, version: 1.0.0 }
models:
  m: { strategy: fallback, targets: [dead, alive] }
providers:
  retry: { max_attempts: 1 }
  targets:
    - { id: dead, provider: aws-bedrock, model: us.amazon.nova-pro-v1:0, base_url: "http://127.0.0.1:1", aws_access_key_env: HOME, aws_secret_key_env: PATH }
    - { id: alive, provider: aws-bedrock, model: us.amazon.nova-pro-v1:0, base_url: emulator }
"#;
    let h = Harness::start(pack).await;
    let (status, _, body) = h
        .chat(json!({"model": "dead", "messages": [{"role": "user", "content": "x"}]}))
        .await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["error"]["code"], "upstream_unreachable");
    let (status, headers, _) = h
        .chat(json!({"model": "m", "messages": [{"role": "user", "content": "x"}]}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(headers["x-gw-target"], "alive");
}
