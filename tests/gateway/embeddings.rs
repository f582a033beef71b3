//! `/v1/embeddings` through InvokeModel.

use base64::Engine;
use serde_json::{Value, json};

use crate::rig::Harness;

#[tokio::test]
async fn titan_fans_out_and_keeps_order() {
    let h = Harness::default().await;
    let resp = h
        .post(
            "/v1/embeddings",
            &json!({"model": "embed", "input": ["alpha", "beta", "gamma"], "dimensions": 256}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 3);
    for (i, d) in data.iter().enumerate() {
        assert_eq!(d["index"], i);
        let v = d["embedding"].as_array().unwrap();
        assert_eq!(v.len(), 256);
        let norm: f64 = v.iter().map(|x| x.as_f64().unwrap().powi(2)).sum();
        assert!((norm - 1.0).abs() < 1e-3, "unit length");
    }
    assert!(body["usage"]["prompt_tokens"].as_u64().unwrap() > 0);
    let sent = h.emu.requests();
    assert_eq!(sent.len(), 3, "Titan takes one text per call");
    let texts: Vec<&str> = sent
        .iter()
        .map(|r| r.body["inputText"].as_str().unwrap())
        .collect();
    let mut sorted = texts.clone();
    sorted.sort();
    assert_eq!(sorted, ["alpha", "beta", "gamma"]);
    // Same text, same vector: order was kept, not shuffled by the fan-out.
    let again: Value = h
        .post(
            "/v1/embeddings",
            &json!({"model": "embed", "input": "beta", "dimensions": 256}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["data"][0]["embedding"], data[1]["embedding"]);
}

#[tokio::test]
async fn cohere_batches_and_base64() {
    let h = Harness::default().await;
    let inputs: Vec<String> = (0..100).map(|i| format!("text {i}")).collect();
    let resp = h
        .post(
            "/v1/embeddings",
            &json!({"model": "cohere", "input": inputs, "encoding_format": "base64"}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"].as_array().unwrap().len(), 100);
    let b64 = body["data"][0]["embedding"].as_str().unwrap();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    assert_eq!(bytes.len(), 1024 * 4, "little-endian f32s");
    let sent = h.emu.requests();
    assert_eq!(sent.len(), 2, "96 + 4");
    assert_eq!(sent[0].body["texts"].as_array().unwrap().len(), 96);
    assert_eq!(sent[0].body["input_type"], "search_document");
}

#[tokio::test]
async fn embedding_input_errors() {
    let h = Harness::default().await;
    for (input, what) in [
        (json!([[1, 2, 3]]), "token"),
        (json!(""), "empty"),
        (json!([]), "empty"),
    ] {
        let resp = h
            .post("/v1/embeddings", &json!({"model": "embed", "input": input}))
            .await;
        assert_eq!(resp.status(), 400, "{what}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["type"], "invalid_request_error");
    }
    let resp = h
        .post(
            "/v1/embeddings",
            &json!({"model": "embed", "input": "x", "dimensions": 300}),
        )
        .await;
    assert_eq!(resp.status(), 400);
    let resp = h
        .post("/v1/embeddings", &json!({"model": "nova", "input": "x"}))
        .await;
    assert_eq!(resp.status(), 400);
    assert!(h.emu.requests().is_empty());
}
