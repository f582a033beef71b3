//! Exactly one audit record per request that reaches gw, whatever happens to it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use gw::audit::{AuditRecord, AuditSink, Outcome};
use gw::runtime::BuildEnv;
use serde_json::json;

use crate::rig::{Harness, PACK, fault};

#[derive(Default)]
struct Collect(Mutex<Vec<AuditRecord>>);

impl AuditSink for Collect {
    fn write(&self, record: AuditRecord) {
        self.0.lock().unwrap().push(record);
    }
}

#[tokio::test]
async fn one_record_per_request_whatever_the_outcome() {
    let sink = Arc::new(Collect::default());
    let h = Harness::start_with(PACK, BuildEnv::with_audit(sink.clone())).await;
    let msg =
        |m: &str| json!({"model": m, "messages": [{"role": "user", "content": "hello audit"}]});

    h.chat(msg("nova")).await; // served
    h.chat(msg("no-such-model")).await; // rejected: 404
    h.post("/v1/chat/completions", &json!({"model": 1})).await; // rejected: 400
    h.post("/v1/nope", &json!({})).await; // rejected: unknown path
    // Rejected for its content after the body read: the record still names the model.
    let tiff = json!({"model": "nova", "messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "data:image/tiff;base64,SUkqAA=="}}]}]});
    h.post("/v1/chat/completions", &tiff).await;
    h.emu.set_faults(
        "us.amazon.nova-lite-v1:0",
        vec![fault(json!({"kind": "access_denied"}))],
    );
    h.chat(msg("slow")).await; // failed upstream: 403
    let mut stream = msg("nova");
    stream["stream"] = json!(true);
    h.post("/v1/chat/completions", &stream)
        .await
        .text()
        .await
        .unwrap(); // streamed to the end
    h.post("/v1/embeddings", &json!({"model": "embed", "input": "x"}))
        .await; // embeddings served

    // A client that walks away mid-stream.
    h.emu.set_faults(
        "us.amazon.nova-pro-v1:0",
        vec![fault(json!({"kind": "event_delay", "delay_ms": 200}))],
    );
    let resp = h.post("/v1/chat/completions", &json!({"model": "nova", "stream": true,
        "messages": [{"role": "user", "content": "one two three four five six seven eight nine ten eleven twelve"}]})).await;
    let mut body = resp.bytes_stream();
    body.next().await.unwrap().unwrap();
    drop(body);

    // Let the server notice the disconnect and drop the stream, then make sure nothing else comes.
    for _ in 0..50 {
        if sink.0.lock().unwrap().len() >= 9 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let records = sink.0.lock().unwrap().clone();
    let outcomes: Vec<(Outcome, u16)> = records.iter().map(|r| (r.outcome, r.status)).collect();
    assert_eq!(records.len(), 9, "{outcomes:?}");
    let ids: std::collections::HashSet<&str> =
        records.iter().map(|r| r.request_id.as_str()).collect();
    assert_eq!(ids.len(), 9, "request ids are unique");
    let count = |o: Outcome| outcomes.iter().filter(|(x, _)| *x == o).count();
    assert_eq!(count(Outcome::Served), 3, "{outcomes:?}");
    assert_eq!(count(Outcome::Rejected), 4, "{outcomes:?}");
    let image = records
        .iter()
        .find(|r| r.outcome == Outcome::Rejected && r.status == 400 && r.model.is_some())
        .expect("the refused image request is recorded with its model");
    assert_eq!(image.model.as_deref(), Some("nova"));
    assert_eq!(count(Outcome::Failed), 1, "{outcomes:?}");
    assert_eq!(count(Outcome::Cancelled), 1, "{outcomes:?}");

    let served = records
        .iter()
        .find(|r| r.outcome == Outcome::Served && !r.stream)
        .unwrap();
    assert_eq!(served.pack, "test-pack");
    assert_eq!(served.pack_version, "1.2.3");
    assert_eq!(served.attempts.len(), 1);
    assert!(served.usage.is_some_and(|u| u.output_tokens > 0));
    let failed = records
        .iter()
        .find(|r| r.outcome == Outcome::Failed)
        .unwrap();
    assert_eq!(failed.status, 403);
    assert_eq!(failed.error.as_deref(), Some("model_access_denied"));
    // No prompt text in any record.
    for r in &records {
        assert!(!serde_json::to_string(r).unwrap().contains("hello audit"));
    }
}

/// A client picks its own `model` string: 70,000 bytes of it are cut to a stated length, marked
/// as cut, before reaching the audit record (and so the log line and spans) or the error message.
#[tokio::test]
async fn untrusted_strings_are_bounded_in_records_and_errors() {
    let sink = Arc::new(Collect::default());
    let h = Harness::start_with(PACK, BuildEnv::with_audit(sink.clone())).await;
    let model = "A".repeat(70_000);
    let (status, _, body) = h
        .chat(json!({"model": model, "messages": [{"role": "user", "content": "hi"}]}))
        .await;
    assert_eq!(status, 404);
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.len() < 2_000, "{}", message.len());
    assert!(message.contains("[cut: 70000 bytes]"), "{message}");
    let records = sink.0.lock().unwrap().clone();
    assert_eq!(records.len(), 1);
    let stored = records[0].model.as_deref().unwrap();
    assert!(
        stored.len() <= gw::bounded::MAX_UNTRUSTED + 32,
        "{}",
        stored.len()
    );
    assert!(stored.ends_with("…[cut: 70000 bytes]"), "{stored}");
    assert!(serde_json::to_string(&records[0]).unwrap().len() < 4_000);
}
