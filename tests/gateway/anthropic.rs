//! The Anthropic Messages API end to end: what a client gets back, and what actually left gw
//! for Bedrock, through the same pipeline, routing and audit as the OpenAI door.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use gw::audit::{AuditRecord, AuditSink, Outcome};
use gw::runtime::BuildEnv;
use serde_json::{Value, json};

use crate::rig::{Harness, PACK, fault};

const CLAUDE_US: &str = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

/// POSTs with Anthropic SDK headers; returns status, headers and JSON body.
async fn messages(
    h: &Harness,
    path: &str,
    body: &Value,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let resp = h
        .http
        .post(format!("{}{path}", h.url))
        .header("x-api-key", "sk-ant-test-key")
        .header("anthropic-version", "2023-06-01")
        .header(
            "anthropic-beta",
            "prompt-caching-2024-07-31, some-future-beta-2099-01-01",
        )
        .json(body)
        .send()
        .await
        .expect("request sent");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let json = resp.json::<Value>().await.expect("JSON body");
    (status, headers, json)
}

async fn create(h: &Harness, body: Value) -> (u16, reqwest::header::HeaderMap, Value) {
    messages(h, "/v1/messages", &body).await
}

/// Streams and returns `(status, [(event name, data)])`.
async fn stream(h: &Harness, mut body: Value) -> (u16, Vec<(String, Value)>) {
    body["stream"] = json!(true);
    let resp = h
        .http
        .post(format!("{}/v1/messages", h.url))
        .header("authorization", "Bearer sk-ant-test-key")
        .json(&body)
        .send()
        .await
        .expect("request sent");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    let events = text
        .split("\n\n")
        .filter(|f| !f.trim().is_empty())
        .map(|f| {
            let (ev, data) = f
                .split_once('\n')
                .unwrap_or_else(|| panic!("bad frame {f:?}"));
            let name = ev.strip_prefix("event: ").expect("event line").to_owned();
            let data: Value = serde_json::from_str(data.strip_prefix("data: ").expect("data line"))
                .expect("JSON data");
            assert_eq!(data["type"], name.as_str(), "event name is the data's type");
            (name, data)
        })
        .collect();
    (status, events)
}

fn names(events: &[(String, Value)]) -> Vec<&str> {
    events.iter().map(|(n, _)| n.as_str()).collect()
}

fn user(text: &str) -> Value {
    json!({"model": "claude", "max_tokens": 256, "messages": [{"role": "user", "content": text}]})
}

fn last_sent(h: &Harness) -> Value {
    h.emu
        .requests()
        .last()
        .expect("a request left gw")
        .body
        .clone()
}

fn weather_tool() -> Value {
    json!([{"name": "get_weather", "description": "Weather for a city",
            "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}])
}

#[tokio::test]
async fn text_reply_with_system_and_parameters() {
    let h = Harness::default().await;
    let (status, headers, body) = create(
        &h,
        json!({"model": "claude", "max_tokens": 300, "temperature": 0.2, "top_k": 5,
               "stop_sequences": ["STOP"], "metadata": {"user_id": "team-a"},
               "system": [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}],
               "messages": [{"role": "user", "content": [{"type": "text", "text": "hello there"}]}],
               "unknown_field": {"ignored": true}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["id"].as_str().unwrap().starts_with("msg_"));
    assert_eq!(body["type"], "message");
    assert_eq!(body["role"], "assistant");
    assert_eq!(body["model"], "claude");
    assert_eq!(
        body["content"],
        json!([{"type": "text", "text": "hello there"}])
    );
    assert_eq!(body["stop_reason"], "end_turn");
    assert_eq!(body["stop_sequence"], Value::Null);
    let usage = &body["usage"];
    assert!(
        usage["input_tokens"].as_u64().unwrap() > 0 && usage["output_tokens"].as_u64().unwrap() > 0
    );
    assert!(
        usage["cache_creation_input_tokens"].is_u64() && usage["cache_read_input_tokens"].is_u64()
    );
    assert!(headers.contains_key("request-id") && headers.contains_key("x-gw-attempts"));

    let sent = last_sent(&h);
    assert_eq!(
        sent["system"],
        json!([{"text": "Be brief."}, {"cachePoint": {"type": "default"}}])
    );
    assert_eq!(sent["inferenceConfig"]["maxTokens"], 300);
    assert_eq!(sent["inferenceConfig"]["stopSequences"], json!(["STOP"]));
    assert_eq!(sent["additionalModelRequestFields"]["top_k"], 5);
    assert_eq!(sent["requestMetadata"], json!({"user": "team-a"}));
    // Client keys are accepted and never forwarded.
    let req = h.emu.requests().pop().unwrap();
    assert!(
        !req.headers
            .iter()
            .any(|(_, v)| v.contains("sk-ant-test-key"))
    );
}

#[tokio::test]
async fn multi_turn_keeps_the_conversation() {
    let h = Harness::default().await;
    let (status, _, body) = create(
        &h,
        json!({"model": "claude", "max_tokens": 100, "system": "You are terse.",
               "messages": [{"role": "user", "content": "first question"},
                            {"role": "assistant", "content": "first answer"},
                            {"role": "user", "content": "second question"}]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["content"][0]["text"], "second question");
    let sent = last_sent(&h);
    let roles: Vec<&str> = sent["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["user", "assistant", "user"]);
    assert_eq!(sent["messages"][1]["content"][0]["text"], "first answer");
    assert_eq!(sent["system"][0]["text"], "You are terse.");
}

#[tokio::test]
async fn tool_round_trip() {
    let h = Harness::default().await;
    let mut first = user("What is the weather in Paris? Use get_weather.");
    first["tools"] = weather_tool();
    first["tool_choice"] = json!({"type": "tool", "name": "get_weather"});
    let (status, _, body) = create(&h, first.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["stop_reason"], "tool_use");
    let call = body["content"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "tool_use")
        .unwrap()
        .clone();
    assert_eq!(call["name"], "get_weather");
    assert!(call["input"]["city"].is_string(), "{call}");
    let sent = last_sent(&h);
    assert_eq!(
        sent["toolConfig"]["toolChoice"],
        json!({"tool": {"name": "get_weather"}})
    );

    let mut second = first.clone();
    second["tool_choice"] = json!({"type": "auto"});
    second["messages"] = json!([
        first["messages"][0],
        {"role": "assistant", "content": body["content"]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call["id"],
                                      "content": [{"type": "text", "text": "18C and sunny"}]},
                                     {"type": "tool_result", "tool_use_id": "unused", "is_error": true, "content": "n/a"}]}
    ]);
    second["messages"][2]["content"]
        .as_array_mut()
        .unwrap()
        .truncate(1);
    let (status, _, body) = create(&h, second).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["stop_reason"], "end_turn");
    assert_eq!(body["content"][0]["text"], "tool results: 18C and sunny");
    let sent = last_sent(&h);
    let result = &sent["messages"][2]["content"][0]["toolResult"];
    assert_eq!(result["toolUseId"], call["id"]);
    assert_eq!(result["content"], json!([{"text": "18C and sunny"}]));
    assert_eq!(
        sent["messages"][1]["content"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()["toolUse"]["toolUseId"],
        call["id"]
    );
}

#[tokio::test]
async fn thinking_signature_goes_back_to_bedrock_on_the_tool_turn() {
    let h = Harness::default().await;
    let mut first = user("Check get_weather for Oslo");
    first["max_tokens"] = json!(3000);
    first["tools"] = weather_tool();
    first["thinking"] = json!({"type": "enabled", "budget_tokens": 1024});
    let (status, _, body) = create(&h, first.clone()).await;
    assert_eq!(status, 200, "{body}");
    let sent = last_sent(&h);
    assert_eq!(
        sent["additionalModelRequestFields"]["thinking"],
        json!({"type": "enabled", "budget_tokens": 1024})
    );
    assert_eq!(
        sent["inferenceConfig"]["maxTokens"], 3000,
        "Anthropic's max_tokens already includes the budget"
    );
    let content = body["content"].as_array().unwrap();
    assert_eq!(content[0]["type"], "thinking");
    let signature = content[0]["signature"].as_str().unwrap().to_owned();
    assert!(!signature.is_empty());
    let call = content.iter().find(|b| b["type"] == "tool_use").unwrap();

    let mut second = first.clone();
    second["messages"] = json!([
        first["messages"][0],
        {"role": "assistant", "content": body["content"]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call["id"], "content": "rain"}]}
    ]);
    let (status, _, body) = create(&h, second).await;
    assert_eq!(status, 200, "{body}");
    let sent = last_sent(&h);
    let echoed = &sent["messages"][1]["content"][0]["reasoningContent"]["reasoningText"];
    assert_eq!(
        echoed["signature"],
        signature.as_str(),
        "signature left gw unchanged"
    );
    assert_eq!(echoed["text"], content[0]["thinking"]);
}

#[tokio::test]
async fn streamed_text_has_anthropic_event_order() {
    let h = Harness::default().await;
    let (status, events) = stream(&h, user("stream these words to me please, in pieces")).await;
    assert_eq!(status, 200);
    let n = names(&events);
    assert_eq!(&n[..3], ["message_start", "ping", "content_block_start"]);
    assert_eq!(
        &n[n.len() - 3..],
        ["content_block_stop", "message_delta", "message_stop"]
    );
    assert!(
        n[3..n.len() - 3]
            .iter()
            .all(|e| *e == "content_block_delta"),
        "{n:?}"
    );
    let text: String = events
        .iter()
        .filter_map(|(_, d)| d["delta"]["text"].as_str())
        .collect();
    assert_eq!(text, "stream these words to me please, in pieces");
    assert_eq!(events[0].1["message"]["model"], "claude");
    let delta = &events[events.len() - 2].1;
    assert_eq!(delta["delta"]["stop_reason"], "end_turn");
    assert!(delta["usage"]["output_tokens"].as_u64().unwrap() > 0);
    assert!(delta["usage"]["input_tokens"].as_u64().unwrap() > 0);
    assert_eq!(
        h.emu.requests().last().unwrap().operation,
        gw::emulator::Operation::ConverseStream
    );
}

#[tokio::test]
async fn streamed_thinking_and_tool_call_get_dense_indexes() {
    let h = Harness::default().await;
    let mut body = user("Please call get_weather for Rome");
    body["max_tokens"] = json!(2048);
    body["tools"] = weather_tool();
    body["thinking"] = json!({"type": "enabled", "budget_tokens": 1024});
    let (status, events) = stream(&h, body).await;
    assert_eq!(status, 200);
    let starts: Vec<(u64, &str)> = events
        .iter()
        .filter(|(n, _)| n == "content_block_start")
        .map(|(_, d)| {
            (
                d["index"].as_u64().unwrap(),
                d["content_block"]["type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(starts, [(0, "thinking"), (1, "text"), (2, "tool_use")]);
    // Every delta and stop belongs to the block opened last, and every block is closed.
    let mut open: Option<u64> = None;
    for (name, d) in &events {
        match name.as_str() {
            "content_block_start" => {
                assert!(open.is_none(), "blocks never overlap");
                open = d["index"].as_u64();
            }
            "content_block_delta" => assert_eq!(d["index"].as_u64(), open),
            "content_block_stop" => {
                assert_eq!(d["index"].as_u64(), open);
                open = None;
            }
            _ => {}
        }
    }
    assert!(open.is_none());
    let kinds: Vec<&str> = events
        .iter()
        .filter_map(|(_, d)| d["delta"]["type"].as_str())
        .collect();
    for k in [
        "thinking_delta",
        "signature_delta",
        "text_delta",
        "input_json_delta",
    ] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    let json: String = events
        .iter()
        .filter_map(|(_, d)| d["delta"]["partial_json"].as_str())
        .collect();
    assert!(serde_json::from_str::<Value>(&json).unwrap()["city"].is_string());
    assert_eq!(
        events[events.len() - 2].1["delta"]["stop_reason"],
        "tool_use"
    );
}

#[tokio::test]
async fn count_tokens_uses_the_foundation_model() {
    let h = Harness::default().await;
    let (status, _, body) = messages(
        &h,
        "/v1/messages/count_tokens",
        &json!({"model": "claude-us", "system": "sys", "messages": [{"role": "user", "content": "count these tokens"}]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["input_tokens"].as_u64().unwrap() > 0, "{body}");
    let req = h.emu.requests().pop().unwrap();
    assert_eq!(req.operation, gw::emulator::Operation::CountTokens);
    assert_eq!(
        req.model_id, "anthropic.claude-sonnet-4-5-20250929-v1:0",
        "geo prefix stripped"
    );
    assert_eq!(
        req.body["input"]["converse"]["messages"][0]["content"][0]["text"],
        "count these tokens"
    );

    let (status, _, body) = messages(
        &h,
        "/v1/messages/count_tokens",
        &json!({"model": "nova", "messages": [{"role": "user", "content": "x"}]}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("does not support token counting"),
        "{body}"
    );
}

fn assert_error(body: &Value, kind: &str) {
    assert_eq!(body["type"], "error", "{body}");
    assert_eq!(body["error"]["type"], kind, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

#[tokio::test]
async fn request_errors_in_anthropic_shape() {
    let h = Harness::default().await;
    let url_image = json!({"model": "claude", "max_tokens": 10, "messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.png"}}]}]});
    let (status, _, body) = create(&h, url_image).await;
    assert_eq!(status, 400);
    assert_error(&body, "invalid_request_error");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("does not fetch URLs")
    );

    let mut server_tool = user("x");
    server_tool["tools"] = json!([{"type": "web_search_20250305", "name": "web_search"}]);
    let (status, _, body) = create(&h, server_tool).await;
    assert_eq!(status, 400);
    assert_error(&body, "invalid_request_error");

    let no_max = json!({"model": "claude", "messages": [{"role": "user", "content": "x"}]});
    let (status, _, body) = create(&h, no_max).await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("max_tokens")
    );

    let mut unknown = user("x");
    unknown["model"] = json!("no-such-model");
    let (status, _, body) = create(&h, unknown).await;
    assert_eq!(status, 404);
    assert_error(&body, "not_found_error");

    let big = "x".repeat(250_000);
    let (status, _, body) = create(&h, user(&big)).await;
    assert_eq!(status, 413);
    assert_error(&body, "request_too_large");
    assert!(h.emu.requests().is_empty(), "nothing invalid left gw");
}

#[tokio::test]
async fn bedrock_failures_in_anthropic_shape() {
    let h = Harness::default().await;
    let cases = [
        ("throttle", 429, "rate_limit_error"),
        ("unavailable", 529, "overloaded_error"),
        ("model_not_ready", 529, "overloaded_error"),
        ("server_error", 500, "api_error"),
        ("model_timeout", 504, "api_error"),
        ("access_denied", 403, "permission_error"),
        ("not_found", 404, "not_found_error"),
        ("validation", 400, "invalid_request_error"),
    ];
    for (kind, status, anthropic_type) in cases {
        h.emu.clear_faults();
        h.emu.set_faults(
            CLAUDE_US,
            vec![fault(json!({"kind": kind, "message": "emulated failure"}))],
        );
        let mut body = user("x");
        body["model"] = json!("claude-us");
        let (got, headers, body) = create(&h, body).await;
        assert_eq!(got, status, "{kind}: {body}");
        assert_error(&body, anthropic_type);
        if status == 429 {
            assert!(headers.contains_key("retry-after"), "{kind}");
        }
    }
}

#[tokio::test]
async fn mid_stream_failures_become_error_events() {
    let h = Harness::default().await;
    for (exception, kind) in [
        ("serviceUnavailableException", "overloaded_error"),
        ("modelStreamErrorException", "api_error"),
    ] {
        h.emu.set_faults(
            CLAUDE_US,
            vec![fault(
                json!({"kind": "stream_error", "after_events": 3, "message": exception}),
            )],
        );
        let mut body = user("a fairly long message to stream in several pieces");
        body["model"] = json!("claude-us");
        let (status, events) = stream(&h, body).await;
        assert_eq!(status, 200, "headers were committed before the failure");
        let (name, last) = events.last().unwrap();
        assert_eq!(name, "error", "{events:?}");
        assert_error(last, kind);
        assert!(
            !names(&events).contains(&"message_stop"),
            "a failed stream must not look finished"
        );
    }
}

#[derive(Default)]
struct Collect(Mutex<Vec<AuditRecord>>);

impl AuditSink for Collect {
    fn write(&self, record: AuditRecord) {
        self.0.lock().unwrap().push(record);
    }
}

#[tokio::test]
async fn one_audit_record_per_messages_request() {
    let sink = Arc::new(Collect::default());
    let h = Harness::start_with(PACK, BuildEnv::with_audit(sink.clone())).await;
    create(&h, user("hello audit")).await;
    stream(&h, user("hello audit")).await;
    let mut bad = user("x");
    bad["model"] = json!("nope");
    create(&h, bad).await;
    for _ in 0..40 {
        if sink.0.lock().unwrap().len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let records = sink.0.lock().unwrap().clone();
    assert_eq!(records.len(), 3);
    assert!(records.iter().all(|r| r.endpoint == "messages"));
    let served: Vec<_> = records
        .iter()
        .filter(|r| r.outcome == Outcome::Served)
        .collect();
    assert_eq!(served.len(), 2);
    assert!(
        served
            .iter()
            .all(|r| r.usage.is_some_and(|u| u.output_tokens > 0))
    );
    assert!(
        records
            .iter()
            .any(|r| r.outcome == Outcome::Rejected && r.status == 404)
    );
    for r in &records {
        assert!(!serde_json::to_string(r).unwrap().contains("hello audit"));
    }
}
