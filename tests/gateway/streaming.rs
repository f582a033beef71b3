//! Streaming: true streaming, chunk shapes, tool-call indexes, usage, and mid-stream failures.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::rig::{Harness, fault, parse_sse, streamed_text};

#[tokio::test]
async fn stream_text_with_usage() {
    let h = Harness::default().await;
    let text = "The quick brown fox jumps over the lazy dog, twice over.";
    let (status, events) = h
        .chat_stream(
            json!({"model": "claude", "stream": true, "stream_options": {"include_usage": true},
            "messages": [{"role": "user", "content": text}]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(events.last().unwrap(), "[DONE]");
    let chunks = &events[..events.len() - 1];
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    let id = chunks[0]["id"].as_str().unwrap();
    assert!(
        chunks
            .iter()
            .all(|c| c["id"] == id && c["object"] == "chat.completion.chunk")
    );
    assert_eq!(streamed_text(chunks), text);
    assert!(
        chunks
            .iter()
            .filter(|c| c["choices"][0]["delta"]["content"].is_string())
            .count()
            > 2,
        "text arrives in pieces"
    );
    let finish: Vec<&Value> = chunks
        .iter()
        .filter(|c| {
            !c["choices"][0]["finish_reason"].is_null()
                && c["choices"].as_array().is_some_and(|a| !a.is_empty())
        })
        .collect();
    assert_eq!(finish.len(), 1);
    assert_eq!(finish[0]["choices"][0]["finish_reason"], "stop");
    let usage_chunk = &chunks[chunks.len() - 1];
    assert_eq!(usage_chunk["choices"], json!([]));
    assert!(usage_chunk["usage"]["completion_tokens"].as_u64().unwrap() > 0);
    assert!(
        chunks[..chunks.len() - 1]
            .iter()
            .all(|c| c["usage"].is_null())
    );
    // Bedrock never sees OpenAI's stream options.
    let sent = &h.emu.requests()[0];
    assert_eq!(sent.operation, gw::emulator::Operation::ConverseStream);
    assert!(sent.body.get("stream_options").is_none());
}

#[tokio::test]
async fn stream_without_include_usage_has_no_usage_chunk() {
    let h = Harness::default().await;
    let (_, events) = h
        .chat_stream(json!({"model": "nova", "stream": true, "messages": [{"role": "user", "content": "hi there"}]}))
        .await;
    assert!(
        events
            .iter()
            .all(|e| e.get("usage").is_none_or(Value::is_null))
    );
    assert!(
        events
            .iter()
            .all(|e| e == "[DONE]" || !e["choices"].as_array().unwrap().is_empty())
    );
}

#[tokio::test]
async fn stream_tool_call_uses_openai_indexes() {
    let h = Harness::default().await;
    let (status, events) = h
        .chat_stream(json!({"model": "claude", "stream": true,
            "messages": [{"role": "user", "content": "call get_weather please"}],
            "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]}))
        .await;
    assert_eq!(status, 200);
    let calls: Vec<&Value> = events
        .iter()
        .filter_map(|e| e["choices"][0]["delta"]["tool_calls"].get(0))
        .collect();
    assert!(
        calls.len() >= 2,
        "start plus argument fragments: {events:?}"
    );
    assert!(
        calls.iter().all(|c| c["index"] == 0),
        "first tool call is index 0 although Bedrock's block index is 1"
    );
    assert_eq!(calls[0]["function"]["name"], "get_weather");
    let args: String = calls
        .iter()
        .filter_map(|c| c["function"]["arguments"].as_str())
        .collect();
    assert_eq!(
        serde_json::from_str::<Value>(&args).unwrap(),
        json!({"city": "emulated"})
    );
    let finish = events
        .iter()
        .find_map(|e| e["choices"][0]["finish_reason"].as_str())
        .unwrap();
    assert_eq!(finish, "tool_calls");
}

/// A burst of deltas already in gw's socket leaves in a few writes, not one per SSE event (the
/// kernel's cost per streamed chunk), with every event intact. `stream_is_not_buffered` is the
/// other half: a quiet upstream's events are not held for company.
#[tokio::test]
async fn a_burst_of_deltas_leaves_in_few_writes() {
    let h = Harness::default().await;
    let prompt = "The northern region closed the quarter with revenue up four percent. ".repeat(40);
    let resp = h
        .post(
            "/v1/chat/completions",
            &json!({"model": "nova", "stream": true, "messages": [{"role": "user", "content": prompt}]}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let mut body = resp.bytes_stream();
    let (mut frames, mut text) = (0usize, Vec::new());
    while let Some(chunk) = body.next().await {
        frames += 1;
        text.extend_from_slice(&chunk.unwrap());
    }
    let events = parse_sse(&String::from_utf8(text).unwrap());
    assert!(events.len() > 100, "the reply should stream in many events");
    assert!(
        frames * 4 < events.len(),
        "{} SSE events arrived in {frames} HTTP chunks: ready events should share a write",
        events.len()
    );
    assert_eq!(events.last().unwrap(), &Value::String("[DONE]".into()));
}

#[tokio::test]
async fn stream_is_not_buffered() {
    let h = Harness::default().await;
    h.emu.set_faults(
        "us.amazon.nova-pro-v1:0",
        vec![fault(json!({"kind": "event_delay", "delay_ms": 150}))],
    );
    let started = Instant::now();
    let resp = h
        .post("/v1/chat/completions", &json!({"model": "nova", "stream": true,
            "messages": [{"role": "user", "content": "one two three four five six seven eight nine ten"}]}))
        .await;
    assert_eq!(resp.status(), 200);
    let mut body = resp.bytes_stream();
    let first = body.next().await.unwrap().unwrap();
    let first_at = started.elapsed();
    assert!(String::from_utf8_lossy(&first).contains("chat.completion.chunk"));
    let mut rest = Vec::new();
    while let Some(chunk) = body.next().await {
        rest.extend_from_slice(&chunk.unwrap());
    }
    let total = started.elapsed();
    assert!(
        total >= Duration::from_millis(600),
        "events were delayed: {total:?}"
    );
    assert!(
        first_at < total / 2,
        "first chunk {first_at:?} arrived long before the end {total:?}"
    );
    assert!(String::from_utf8_lossy(&rest).ends_with("data: [DONE]\n\n"));
}

#[tokio::test]
async fn mid_stream_exception_becomes_an_error_event_without_done() {
    let h = Harness::default().await;
    h.emu.set_faults("us.amazon.nova-pro-v1:0", vec![fault(json!({"kind": "stream_error", "after_events": 3, "message": "modelStreamErrorException"}))]);
    let (status, events) = h
        .chat_stream(json!({"model": "nova", "stream": true, "messages": [{"role": "user", "content": "a fairly long message to stream in several pieces"}]}))
        .await;
    assert_eq!(status, 200, "headers were committed before the failure");
    let last = events.last().unwrap();
    assert!(last["error"]["message"].is_string(), "{events:?}");
    assert_eq!(last["error"]["code"], "upstream_model_error", "{last}");
    assert!(
        !events.iter().any(|e| e == "[DONE]"),
        "a failed stream must not look finished"
    );
}

#[tokio::test]
async fn stream_cut_mid_way_is_an_error_not_a_clean_finish() {
    let h = Harness::default().await;
    h.emu.set_faults(
        "us.amazon.nova-pro-v1:0",
        vec![fault(json!({"kind": "stream_cut", "after_events": 3}))],
    );
    let resp = h
        .post("/v1/chat/completions", &json!({"model": "nova", "stream": true, "messages": [{"role": "user", "content": "a fairly long message to stream in several pieces"}]}))
        .await;
    let text = resp.text().await.unwrap_or_default();
    let events = parse_sse(&text);
    assert!(!events.iter().any(|e| e == "[DONE]"), "{events:?}");
    assert!(
        events.last().is_some_and(|e| e["error"].is_object()),
        "{events:?}"
    );
}

#[tokio::test]
async fn failure_before_first_byte_fails_over() {
    let h = Harness::default().await;
    h.emu.set_faults(
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        vec![fault(
            json!({"kind": "stream_error", "after_events": 0, "message": "throttlingException"}),
        )],
    );
    let resp = h
        .post("/v1/chat/completions", &json!({"model": "claude", "stream": true, "messages": [{"role": "user", "content": "hello"}]}))
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-gw-target"], "claude-eu");
    let events = parse_sse(&resp.text().await.unwrap());
    assert_eq!(streamed_text(&events), "hello");
}

#[tokio::test]
async fn idle_stream_times_out() {
    let h = Harness::default().await;
    h.emu.set_faults(
        "us.amazon.nova-lite-v1:0",
        vec![fault(json!({"kind": "event_delay", "delay_ms": 1500}))],
    );
    let (status, events) = h
        .chat_stream(json!({"model": "slow", "stream": true, "messages": [{"role": "user", "content": "one two three four five six seven eight"}]}))
        .await;
    // Either the first event itself was too slow (a 504 before any byte) or a later gap was.
    if status == 200 {
        assert_eq!(events.last().unwrap()["error"]["code"], "upstream_timeout");
    } else {
        assert_eq!(status, 504);
    }
}
