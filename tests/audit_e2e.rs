//! A mixed load through a real gw (axum on a loopback port, the emulator behind it) writing to
//! the real `FileSink`: every request (served, streamed, blocked by a policy, rejected, failed
//! upstream, cancelled mid-stream) ends up as exactly one record on disk, and the chain verifies.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use futures_util::StreamExt;
use gw::audit::{AuditSink, FileSink, FileSinkConfig};
use gw::error::{ApiError, ErrorKind};
use gw::ir::{ChatRequest, ChatResponse};
use gw::policy::{Decision, Policy, PolicyChain, PolicyRun};
use gw::runtime::{BuildEnv, Runtime};
use gw::server::{self, Gateway};
use serde_json::{Value, json};

#[path = "gateway/rig.rs"]
#[allow(dead_code, reason = "this test uses part of the shared rig")]
mod rig;

/// Blocks every request for the `llama` model, as a real policy would.
struct BlockLlama;
struct BlockLlamaRun;

impl Policy for BlockLlama {
    fn name(&self) -> &'static str {
        "test-blocker"
    }
    fn start(self: Arc<Self>) -> Box<dyn PolicyRun> {
        Box::new(BlockLlamaRun)
    }
}

impl PolicyRun for BlockLlamaRun {
    fn on_request(&mut self, req: &mut ChatRequest, d: &mut Vec<Decision>) -> Result<(), ApiError> {
        let blocked = req.model == "llama";
        d.push(Decision {
            policy: "test-blocker",
            action: if blocked { "blocked" } else { "allowed" },
            entities: vec![],
            score: None,
            found: Vec::new(),
        });
        if blocked {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorKind::InvalidRequest,
                "blocked",
            )
            .with_code("policy_blocked"));
        }
        Ok(())
    }
    fn on_response(&mut self, _: &mut ChatResponse, _: &mut Vec<Decision>) -> Result<(), ApiError> {
        Ok(())
    }
}

fn records(dir: &Path) -> Vec<Value> {
    let mut out = Vec::new();
    for f in gw::audit::files::list(dir).unwrap() {
        for l in std::fs::read_to_string(&f.path).unwrap().lines() {
            let v: Value = serde_json::from_str(l).unwrap();
            if v["type"] == "request" {
                out.push(v);
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_of_a_mixed_load_has_exactly_one_record_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = FileSinkConfig::new(dir.path());
    cfg.immutable = true;
    let sink = Arc::new(FileSink::open(cfg).unwrap());
    let (env, emu) = rig::with_emulator(BuildEnv::with_audit(sink.clone())).await;
    let env = Arc::new(env);
    let loaded = gw::config::load_str(rig::PACK, Path::new("test-pack.yaml")).unwrap();
    let mut runtime = Runtime::build(loaded, &env).await.unwrap();
    runtime.chain = PolicyChain::from_policies(vec![Arc::new(BlockLlama)]);
    let gateway = Gateway::new(runtime, env.clone());
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let url = format!(
        "http://{}/v1/chat/completions",
        listener.local_addr().unwrap()
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server::serve(listener, gateway, async {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::new();
    let msg =
        |m: &str| json!({"model": m, "messages": [{"role": "user", "content": "hello e2e audit"}]});

    emu.set_faults(
        "us.amazon.nova-lite-v1:0",
        vec![rig::fault(json!({"kind": "access_denied"}))],
    );
    let mut expected: HashMap<String, &str> = HashMap::new();
    let mut load = Vec::new();
    for i in 0..40 {
        let (body, outcome) = match i % 5 {
            0 => (msg("nova"), "served"),
            1 => (msg("llama"), "blocked"),
            2 => (msg("no-such-model"), "rejected"),
            3 => (msg("slow"), "failed"),
            _ => {
                let mut b = msg("claude");
                b["stream"] = json!(true);
                (b, "served")
            }
        };
        let http = http.clone();
        let url = url.clone();
        load.push(tokio::spawn(async move {
            let resp = http.post(url).json(&body).send().await.unwrap();
            let id = resp.headers()["x-request-id"].to_str().unwrap().to_string();
            resp.bytes().await.unwrap();
            (id, outcome)
        }));
    }
    for l in load {
        let (id, outcome) = l.await.unwrap();
        expected.insert(id, outcome);
    }

    // Clients that walk away mid-stream.
    emu.set_faults(
        "us.amazon.nova-pro-v1:0",
        vec![rig::fault(json!({"kind": "event_delay", "delay_ms": 200}))],
    );
    for _ in 0..3 {
        let resp = http
            .post(&url)
            .json(&json!({"model": "nova", "stream": true, "messages": [{"role": "user", "content": "one two three four five six seven eight nine ten"}]}))
            .send()
            .await
            .unwrap();
        let id = resp.headers()["x-request-id"].to_str().unwrap().to_string();
        let mut body = resp.bytes_stream();
        body.next().await.unwrap().unwrap();
        drop(body);
        expected.insert(id, "cancelled");
    }

    for _ in 0..100 {
        sink.flush();
        if records(dir.path()).len() >= expected.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    sink.flush();
    let got = records(dir.path());
    let _ = stop.send(());

    assert_eq!(got.len(), expected.len(), "one record per request, no more");
    let mut seen: HashMap<&str, u32> = HashMap::new();
    for r in &got {
        let id = r["request_id"].as_str().unwrap();
        *seen.entry(id).or_default() += 1;
        assert_eq!(expected.get(id).copied(), r["outcome"].as_str(), "{r}");
        assert!(!r.to_string().contains("hello e2e audit"));
    }
    assert!(seen.values().all(|n| *n == 1), "{seen:?}");
    let blocked = got.iter().find(|r| r["outcome"] == "blocked").unwrap();
    assert_eq!(blocked["decisions"][0]["policy"], "test-blocker");
    assert_eq!(blocked["error"], "policy_blocked");
    let failed = got.iter().find(|r| r["outcome"] == "failed").unwrap();
    assert_eq!(failed["status"], 403);
    let s = gw::audit::verify::verify_dir(dir.path()).expect("chain verifies");
    assert_eq!(s.records as usize, expected.len());

    // The reviewing side sees the same thing.
    let filter = gw::audit::query::Filter {
        decision: Some(gw::audit::query::DecisionKind::Blocked),
        ..Default::default()
    };
    let n = gw::audit::query::scan(&[dir.path().to_path_buf()], &filter, |_, _| true).unwrap();
    assert_eq!(n, 8);
    let stats =
        gw::audit::stats::collect(&[dir.path().to_path_buf()], &Default::default()).unwrap();
    assert_eq!(stats.blocks_by_policy.get("test-blocker"), Some(&8));
    assert_eq!(stats.by_outcome.get("cancelled"), Some(&3));
    drop(env);
    let _: &dyn AuditSink = &*sink;
}
