//! Non-streaming chat: translation both ways, usage, headers, what actually left gw.

use gw::emulator::{AuthSeen, Operation};
use serde_json::json;

use crate::rig::Harness;

#[tokio::test]
async fn chat_round_trip_through_real_sdk() {
    let h = Harness::default().await;
    let (status, headers, body) = h
        .chat(json!({
            "model": "claude",
            "messages": [
                {"role": "system", "content": "You are terse."},
                {"role": "developer", "content": "Answer in English."},
                {"role": "user", "content": "Hello there, gateway!"}
            ],
            "max_tokens": 50,
            "temperature": 0.3,
            "user": "alice@example.com"
        }))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["object"], "chat.completion");
    assert_eq!(body["model"], "claude");
    assert!(body["id"].as_str().unwrap().starts_with("chatcmpl-"));
    let choice = &body["choices"][0];
    assert_eq!(choice["message"]["role"], "assistant");
    assert_eq!(choice["message"]["content"], "Hello there, gateway!");
    assert_eq!(choice["finish_reason"], "stop");
    let usage = &body["usage"];
    let prompt = usage["prompt_tokens"].as_u64().unwrap();
    let completion = usage["completion_tokens"].as_u64().unwrap();
    assert!(prompt > 0 && completion > 0);
    assert_eq!(usage["total_tokens"].as_u64().unwrap(), prompt + completion);
    assert_eq!(headers["x-gw-target"], "claude-us");
    assert!(
        headers["x-gw-attempts"]
            .to_str()
            .unwrap()
            .starts_with("claude-us/us-east-1/ok/")
    );
    assert!(headers.contains_key("x-request-id"));

    // What actually left gw: a SigV4-signed Converse call with both system blocks hoisted.
    let sent = h.emu.requests();
    assert_eq!(sent.len(), 1);
    let call = &sent[0];
    assert_eq!(call.operation, Operation::Converse);
    assert_eq!(
        call.model_id,
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
    );
    match &call.auth {
        AuthSeen::SigV4 {
            access_key_id,
            region,
            service,
        } => {
            assert_eq!(access_key_id, gw::emulator::ACCESS_KEY_ID);
            assert_eq!(region, "us-east-1");
            assert_eq!(service, "bedrock");
        }
        other => panic!("expected SigV4, got {other:?}"),
    }
    assert_eq!(
        call.body["system"],
        json!([{"text": "You are terse."}, {"text": "Answer in English."}])
    );
    assert_eq!(call.body["inferenceConfig"]["maxTokens"], 50);
    assert!(call.body.get("stream_options").is_none());
    assert_eq!(call.body["messages"][0]["role"], "user");
}

#[tokio::test]
async fn multi_turn_merges_and_drops_blank_text() {
    let h = Harness::default().await;
    let (status, _, body) = h
        .chat(json!({
            "model": "nova",
            "messages": [
                {"role": "user", "content": "first"},
                {"role": "user", "content": ""},
                {"role": "assistant", "content": "ok"},
                {"role": "user", "content": [{"type": "text", "text": "second"}, {"type": "text", "text": "third"}]}
            ]
        }))
        .await;
    assert_eq!(status, 200, "{body}");
    // The emulator joins the text blocks of the last user turn with a newline.
    assert_eq!(body["choices"][0]["message"]["content"], "second\nthird");
    let sent = &h.emu.requests()[0].body;
    let msgs = sent["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 3, "same-role neighbours merged: {sent}");
    assert_eq!(msgs[0]["content"], json!([{"text": "first"}]));
}

#[tokio::test]
async fn images_and_pdfs_go_as_raw_bytes() {
    let h = Harness::default().await;
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
    let pdf = "JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+PgplbmRvYmoKdHJhaWxlcgo8PC9Sb290IDEgMCBSPj4KJSVFT0YK";
    let (status, _, body) = h
        .chat(json!({
            "model": "claude",
            "messages": [{"role": "user", "content": [
                {"type": "text", "text": "Describe these."},
                {"type": "image_url", "image_url": {"url": format!("data:image/png;base64,{png}")}},
                {"type": "file", "file": {"filename": "Q3 report.pdf", "file_data": format!("data:application/pdf;base64,{pdf}")}}
            ]}]
        }))
        .await;
    assert_eq!(status, 200, "{body}");
    let sent = &h.emu.requests()[0].body;
    let content = sent["messages"][0]["content"].as_array().unwrap();
    assert_eq!(content[1]["image"]["format"], "png");
    assert_eq!(
        content[1]["image"]["source"]["bytes"], png,
        "the SDK base64-encodes the raw bytes once"
    );
    assert_eq!(content[2]["document"]["format"], "pdf");
    assert_eq!(content[2]["document"]["name"], "Q3 report");
    assert_eq!(content[2]["document"]["source"]["bytes"], pdf);
}

#[tokio::test]
async fn reasoning_effort_becomes_a_thinking_budget() {
    let h = Harness::default().await;
    let (status, _, body) = h
        .chat(json!({
            "model": "claude-us",
            "messages": [{"role": "user", "content": "Think about primes."}],
            "reasoning_effort": "low",
            "max_completion_tokens": 200,
            "temperature": 0.5
        }))
        .await;
    assert_eq!(status, 200, "{body}");
    let sent = &h.emu.requests()[0].body;
    assert_eq!(
        sent["additionalModelRequestFields"]["thinking"]["type"],
        "enabled"
    );
    let budget = sent["additionalModelRequestFields"]["thinking"]["budget_tokens"]
        .as_u64()
        .unwrap();
    assert!(budget >= 1024);
    assert!(sent["inferenceConfig"]["maxTokens"].as_u64().unwrap() > budget);
    assert!(
        sent["inferenceConfig"].get("temperature").is_none(),
        "thinking requires the default temperature"
    );
    let msg = &body["choices"][0]["message"];
    assert!(
        msg["reasoning_content"]
            .as_str()
            .unwrap()
            .starts_with("Considering:")
    );
    assert_eq!(msg["content"], "Think about primes.");
}

#[tokio::test]
async fn json_schema_native_on_claude_45_and_forced_tool_elsewhere() {
    let h = Harness::default().await;
    let schema = json!({"type": "object", "properties": {"city": {"type": "string"}, "temp": {"type": "number"}}, "required": ["city", "temp"]});
    let rf = json!({"type": "json_schema", "json_schema": {"name": "weather", "schema": schema}});

    // Claude 4.5: Bedrock's native structured output.
    let (status, _, body) = h
        .chat(json!({"model": "claude-us", "messages": [{"role": "user", "content": "weather?"}], "response_format": rf}))
        .await;
    assert_eq!(status, 200, "{body}");
    let content: serde_json::Value =
        serde_json::from_str(body["choices"][0]["message"]["content"].as_str().unwrap()).unwrap();
    assert_eq!(content["city"], "emulated");
    let sent = &h.emu.requests()[0].body;
    assert_eq!(sent["outputConfig"]["textFormat"]["type"], "json_schema");
    assert!(sent.get("toolConfig").is_none());

    // Nova: no native structured output; a forced tool carries the schema, its input is the reply.
    h.emu.clear_requests();
    let (status, _, body) = h
        .chat(json!({"model": "nova", "messages": [{"role": "user", "content": "weather?"}], "response_format": rf}))
        .await;
    assert_eq!(status, 200, "{body}");
    let msg = &body["choices"][0]["message"];
    assert_eq!(body["choices"][0]["finish_reason"], "stop");
    assert!(msg.get("tool_calls").is_none_or(|t| t.is_null()), "{msg}");
    let content: serde_json::Value =
        serde_json::from_str(msg["content"].as_str().unwrap()).unwrap();
    assert_eq!(content["temp"], 1);
    let sent = &h.emu.requests()[0].body;
    assert!(sent.get("outputConfig").is_none());
    assert!(sent["toolConfig"]["toolChoice"]["tool"]["name"].is_string());
}

#[tokio::test]
async fn stop_sequences_and_max_tokens_map_to_finish_reasons() {
    let h = Harness::default().await;
    let (_, _, body) = h
        .chat(json!({"model": "nova", "messages": [{"role": "user", "content": "alpha beta gamma"}], "stop": "gamma"}))
        .await;
    assert_eq!(body["choices"][0]["finish_reason"], "stop");
    assert_eq!(body["choices"][0]["message"]["content"], "alpha beta ");
    let (_, _, body) = h
        .chat(json!({"model": "nova", "messages": [{"role": "user", "content": "a long sentence that will not fit in one token"}], "max_tokens": 1}))
        .await;
    assert_eq!(body["choices"][0]["finish_reason"], "length");
}

#[tokio::test]
async fn models_health_and_ready() {
    let h = Harness::default().await;
    let models: serde_json::Value = h
        .http
        .get(format!("{}/v1/models", h.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(models["object"], "list");
    let ids: Vec<&str> = models["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    for want in [
        "claude",
        "claude-us",
        "nova",
        "us.amazon.nova-pro-v1:0",
        "embed",
    ] {
        assert!(ids.contains(&want), "{want} missing from {ids:?}");
    }
    let health = h
        .http
        .get(format!("{}/healthz", h.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let ready: serde_json::Value = h
        .http
        .get(format!("{}/readyz", h.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["pack"]["name"], "test-pack");
    assert_eq!(ready["pack"]["version"], "1.2.3");
    assert_eq!(ready["targets"].as_array().unwrap().len(), 9);
}

#[tokio::test]
async fn a_bedrock_model_id_routes_to_its_target() {
    let h = Harness::default().await;
    let (status, headers, body) = h
        .chat(json!({"model": "us.amazon.nova-pro-v1:0", "messages": [{"role": "user", "content": "hi"}]}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["x-gw-target"], "nova");
    assert_eq!(body["model"], "us.amazon.nova-pro-v1:0");
}

#[tokio::test]
async fn profile_arns_pass_through_untouched() {
    let h = Harness::default().await;
    let (status, _, body) = h
        .chat(json!({"model": "app-profile", "messages": [{"role": "user", "content": "hi"}]}))
        .await;
    assert_eq!(status, 200, "{body}");
    let sent = &h.emu.requests()[0];
    assert_eq!(
        sent.model_id,
        "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4",
        "the SDK percent-encodes the ARN in the path and the emulator decodes it back"
    );
}
