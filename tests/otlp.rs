//! Traces as an operator receives them: the `gw` binary exports over OTLP/HTTP to a receiver on a
//! real socket, which decodes each export with the protocol's own protobuf definitions
//! (`opentelemetry-proto`). Also checks the JSON log: one line per request, no secrets.

use std::collections::HashMap;

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use prost::Message;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

mod process;

use process::spawn_logged;
const KEY: &str = "otlp-test-client-key-0123456789";
const EMAIL: &str = "jane.doe@example.com";
const NOVA_PRO: &str = "us.amazon.nova-pro-v1:0";
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID: &str = "00f067aa0ba902b7";

/// Spans received, with the `service.name` of the export that carried them.
#[derive(Default)]
struct Received(Mutex<Vec<(String, Span)>>);

async fn receive(State(rx): State<Arc<Received>>, body: Bytes) -> Vec<u8> {
    let req = ExportTraceServiceRequest::decode(body).expect("a valid OTLP protobuf export");
    let mut spans = rx.0.lock().unwrap();
    for rs in req.resource_spans {
        let service = rs
            .resource
            .as_ref()
            .and_then(|r| r.attributes.iter().find(|a| a.key == "service.name"))
            .and_then(|a| match a.value.as_ref()?.value.as_ref()? {
                Any::StringValue(s) => Some(s.clone()),
                _ => None,
            })
            .unwrap_or_default();
        for ss in rs.scope_spans {
            for span in ss.spans {
                spans.push((service.clone(), span));
            }
        }
    }
    ExportTraceServiceResponse::default().encode_to_vec()
}

fn write_pack(dir: &Path, emu: &str, collector: &str) -> std::path::PathBuf {
    let sha = hex::encode(Sha256::digest(KEY.as_bytes()));
    let audit = dir.join("audit");
    let pack = format!(
        r#"pack: {{ name: otlp-pack, version: 2.0.0 }}
auth:
  keys:
    - {{ id: team-otlp, key_sha256: "{sha}" }}
models:
  m: {{ strategy: single, targets: [a] }}
providers:
  retry: {{ max_attempts: 2, initial_backoff_ms: 1, max_backoff_ms: 5 }}
  targets:
    - {{ id: a, provider: aws-bedrock, model: "{NOVA_PRO}", base_url: "{emu}", aws_access_key_env: EMU_AKID, aws_secret_key_env: EMU_SECRET }}
policies:
  chain: [pii-detector, audit-logger]
  policy:
    pii-detector: {{ action: redact }}
    audit-logger: {{ path: "{audit}" }}
telemetry:
  otlp_endpoint: "{collector}"
  service_name: gw-otlp-test
"#,
        audit = audit.display()
    );
    let path = dir.join("pack.yaml");
    std::fs::write(&path, pack).expect("write pack");
    path
}

fn attr<'a>(span: &'a Span, key: &str) -> Option<&'a Any> {
    span.attributes
        .iter()
        .find(|a| a.key == key)
        .and_then(|a| a.value.as_ref()?.value.as_ref())
}

fn text(span: &Span, key: &str) -> String {
    match attr(span, key) {
        Some(Any::StringValue(s)) => s.clone(),
        other => panic!("{}: `{key}` is {other:?}", span.name),
    }
}

fn int(span: &Span, key: &str) -> i64 {
    match attr(span, key) {
        Some(Any::IntValue(n)) => *n,
        other => panic!("{}: `{key}` is {other:?}", span.name),
    }
}

#[test]
fn spans_reach_an_otlp_receiver_with_genai_attributes() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let received = Arc::new(Received::default());
    let listener = rt
        .block_on(tokio::net::TcpListener::bind(SocketAddr::from((
            [127, 0, 0, 1],
            0,
        ))))
        .expect("bind");
    let collector = format!("http://{}", listener.local_addr().expect("addr"));
    let app = axum::Router::new()
        .route("/v1/traces", post(receive))
        .with_state(received.clone());
    rt.spawn(async move { axum::serve(listener, app).await });

    let (_emu, emu) = spawn_logged(&["emulate", "--listen", "127.0.0.1:0"], &[], Stdio::null());
    let dir = tempfile::tempdir().expect("tmp");
    let pack = write_pack(dir.path(), &emu, &collector);
    let log_path = dir.path().join("gw.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let envs = [
        ("EMU_AKID", gw::emulator::ACCESS_KEY_ID),
        ("EMU_SECRET", gw::emulator::SECRET_ACCESS_KEY),
        ("OTEL_BSP_SCHEDULE_DELAY", "50"),
        ("GW_LOG_FORMAT", "json"),
        ("RUST_LOG", "info"),
    ];
    let args = [
        "run",
        "--listen",
        "127.0.0.1:0",
        "--policy-config",
        pack.to_str().expect("utf8"),
    ];
    let (mut gw, url) = spawn_logged(&args, &envs, Stdio::from(log));

    // The first call to the target fails once: gw retries it, so two upstream spans.
    let fault = json!([{"kind": "server_error", "times": 1}]);
    let http = reqwest::Client::new();
    rt.block_on(async {
        let put = http
            .put(format!("{emu}/_emulator/faults/{NOVA_PRO}"))
            .json(&fault)
            .send()
            .await
            .expect("fault set");
        assert!(put.status().is_success());
        let served = http
            .post(format!("{url}/v1/chat/completions"))
            .bearer_auth(KEY)
            .header("traceparent", format!("00-{TRACE_ID}-{PARENT_ID}-01"))
            .json(&json!({"model": "m", "max_tokens": 64, "temperature": 0.5,
                "messages": [{"role": "user", "content": format!("write to {EMAIL}")}]}))
            .send()
            .await
            .expect("sent");
        assert_eq!(served.status(), 200);
        let _ = served.bytes().await;
        let streamed = http
            .post(format!("{url}/v1/chat/completions"))
            .bearer_auth(KEY)
            .json(
                &json!({"model": "m", "stream": true, "stream_options": {"include_usage": true},
                "messages": [{"role": "user", "content": "stream please"}]}),
            )
            .send()
            .await
            .expect("sent");
        assert_eq!(streamed.status(), 200);
        let _ = streamed.bytes().await;
        let refused = http
            .post(format!("{url}/v1/chat/completions"))
            .bearer_auth("not-a-valid-key")
            .json(&json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]}))
            .send()
            .await
            .expect("sent");
        assert_eq!(refused.status(), 401);
        let _ = refused.bytes().await;
    });

    let servers = |spans: &[(String, Span)]| {
        spans
            .iter()
            .filter(|(_, s)| s.kind == SpanKind::Server as i32)
            .count()
    };
    let until = Instant::now() + Duration::from_secs(15);
    while servers(&received.0.lock().unwrap()) < 3 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    // A clean stop must flush the exporter; give the last batch its time.
    let spans: Vec<(String, Span)> = received.0.lock().unwrap().clone();
    assert_eq!(servers(&spans), 3, "server spans: {:#?}", names(&spans));
    assert!(spans.iter().all(|(svc, _)| svc == "gw-otlp-test"));

    let by_id: HashMap<Vec<u8>, &Span> =
        spans.iter().map(|(_, s)| (s.span_id.clone(), s)).collect();
    let server = |status: i64, stream: bool| {
        spans
            .iter()
            .map(|(_, s)| s)
            .find(|s| {
                s.kind == SpanKind::Server as i32
                    && matches!(attr(s, "http.response.status_code"), Some(Any::IntValue(n)) if *n == status)
                    && matches!(attr(s, "gw.stream"), Some(Any::BoolValue(b)) if *b == stream)
            })
            .unwrap_or_else(|| panic!("no server span {status}/{stream}: {:#?}", dump(&spans)))
    };
    let children = |parent: &Span| -> Vec<&Span> {
        spans
            .iter()
            .map(|(_, s)| s)
            .filter(|s| s.parent_span_id == parent.span_id)
            .collect()
    };

    // The whole reply: joined to the caller's trace, GenAI attributes, decisions, children.
    let root = server(200, false);
    assert_eq!(root.name, "POST /v1/chat/completions");
    assert_eq!(
        hex::encode(&root.trace_id),
        TRACE_ID,
        "the caller's traceparent was not followed"
    );
    assert_eq!(hex::encode(&root.parent_span_id), PARENT_ID);
    assert_eq!(text(root, "gen_ai.request.model"), "m");
    assert_eq!(text(root, "gen_ai.system"), "aws.bedrock");
    assert_eq!(text(root, "gen_ai.operation.name"), "chat");
    assert_eq!(int(root, "gen_ai.request.max_tokens"), 64);
    assert!(int(root, "gen_ai.usage.input_tokens") > 0);
    assert!(int(root, "gen_ai.usage.output_tokens") > 0);
    assert_eq!(text(root, "gw.key_id"), "team-otlp");
    assert_eq!(text(root, "gw.outcome"), "served");
    assert_eq!(text(root, "gw.target"), "a");
    assert_eq!(int(root, "gw.attempts"), 2);
    assert!(text(root, "gw.policy.decisions").contains("pii-detector:redacted[EMAIL×1]"));
    let kids = children(root);
    let upstream: Vec<&&Span> = kids
        .iter()
        .filter(|s| s.name == format!("chat {NOVA_PRO}"))
        .collect();
    assert_eq!(upstream.len(), 2, "one span per attempt: {kids:#?}");
    for s in &upstream {
        assert_eq!(s.kind, SpanKind::Client as i32);
        assert_eq!(text(s, "gen_ai.system"), "aws.bedrock");
        assert_eq!(text(s, "gen_ai.operation.name"), "chat");
        assert_eq!(text(s, "gen_ai.request.model"), NOVA_PRO);
        assert_eq!(text(s, "gw.target"), "a");
        assert_eq!(s.trace_id, root.trace_id);
    }
    let failed = upstream
        .iter()
        .find(|s| int(s, "gw.retry") == 0)
        .expect("first try");
    assert_eq!(text(failed, "error.type"), "server_error");
    assert_eq!(
        failed.status.as_ref().map(|st| st.code),
        Some(2),
        "status ERROR"
    );
    let ok = upstream
        .iter()
        .find(|s| int(s, "gw.retry") == 1)
        .expect("retry");
    assert_eq!(text(ok, "gw.outcome"), "ok");
    assert!(int(ok, "gen_ai.usage.output_tokens") > 0);
    assert_eq!(int(ok, "gen_ai.request.max_tokens"), 64);
    assert!(matches!(
        attr(ok, "gen_ai.response.finish_reasons"),
        Some(Any::StringValue(_))
    ));
    for name in ["gw.policy.request", "gw.policy.response", "gw.audit.write"] {
        assert!(
            kids.iter().any(|s| s.name == name),
            "no {name} under the request: {kids:#?}"
        );
    }
    let policy = kids
        .iter()
        .find(|s| s.name == "gw.policy.request")
        .expect("policy span");
    assert!(text(policy, "gw.policy.decisions").contains("EMAIL"));

    // The streamed reply: usage from the stream's end, the audit write inside its trace.
    let streamed = server(200, true);
    assert!(int(streamed, "gen_ai.usage.output_tokens") > 0);
    assert!(
        children(streamed)
            .iter()
            .any(|s| s.name == "gw.audit.write")
    );
    assert!(
        children(streamed)
            .iter()
            .any(|s| s.name == format!("chat {NOVA_PRO}"))
    );

    // The refused request: a span too, with the reason and no upstream call.
    let refused = server(401, false);
    assert_eq!(text(refused, "gw.outcome"), "rejected");
    assert!(!text(refused, "error.type").is_empty());
    assert!(
        children(refused)
            .iter()
            .all(|s| !s.name.starts_with("chat "))
    );

    // Every span's parent is in the same export set or is the caller's.
    for (_, s) in &spans {
        assert!(
            s.parent_span_id.is_empty()
                || by_id.contains_key(&s.parent_span_id)
                || hex::encode(&s.parent_span_id) == PARENT_ID,
            "orphan span {}",
            s.name
        );
    }
    let everything = format!("{spans:?}");
    for secret in [
        KEY,
        "not-a-valid-key",
        EMAIL,
        gw::emulator::SECRET_ACCESS_KEY,
    ] {
        assert!(!everything.contains(secret), "{secret} leaked into a span");
    }

    // The JSON log: one `request` line per request, none carrying a secret.
    let _ = gw.0.kill();
    let _ = gw.0.wait();
    let log = std::fs::read_to_string(&log_path).expect("log");
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let requests: Vec<&Value> = lines
        .iter()
        .filter(|l| l["target"] == "gw::request")
        .collect();
    assert_eq!(requests.len(), 3, "{log}");
    assert!(
        requests
            .iter()
            .all(|l| l["level"] == "INFO" && l["request_id"].is_string())
    );
    for secret in [
        KEY,
        "not-a-valid-key",
        EMAIL,
        gw::emulator::SECRET_ACCESS_KEY,
    ] {
        assert!(!log.contains(secret), "{secret} leaked into the log");
    }
}

fn names(spans: &[(String, Span)]) -> Vec<String> {
    spans.iter().map(|(_, s)| s.name.clone()).collect()
}

/// Server spans as `key=value` lists, for failure messages.
fn dump(spans: &[(String, Span)]) -> Vec<String> {
    spans
        .iter()
        .filter(|(_, s)| s.kind == SpanKind::Server as i32)
        .map(|(_, s)| {
            s.attributes
                .iter()
                .map(|a| {
                    format!(
                        "{}={:?}",
                        a.key,
                        a.value.as_ref().and_then(|v| v.value.as_ref())
                    )
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}
