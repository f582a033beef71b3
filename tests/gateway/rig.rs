//! Test rig: a real gw (axum on a loopback port) in front of the real emulator, reached through
//! the real AWS SDK. Packs use `base_url: emulator`, so the emulator handle comes from the same
//! `BuildEnv` gw uses.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use gw::emulator::EmulatorHandle;
use gw::runtime::{BuildEnv, Runtime};
use gw::server::{self, Gateway};
use serde_json::Value;

/// Starts an emulator on a loopback port and hands its endpoint to `env`, as `gw run` does for
/// packs that say `base_url: emulator`; the handle lets a test script faults and read requests.
pub async fn with_emulator(env: BuildEnv) -> (BuildEnv, EmulatorHandle) {
    let emu = gw::emulator::start(
        gw::emulator::EmulatorConfig::default(),
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await
    .expect("emulator starts");
    let endpoint = gw::provider::bedrock::client::EmulatorEndpoint {
        url: emu.endpoint_url(),
        s3_url: Some(emu.s3_url()),
        access_key_id: gw::emulator::ACCESS_KEY_ID.into(),
        secret_access_key: gw::emulator::SECRET_ACCESS_KEY.into(),
    };
    (env.with_emulator(endpoint), emu)
}

/// A running gateway plus its emulator.
pub struct Harness {
    pub url: String,
    pub emu: EmulatorHandle,
    pub http: reqwest::Client,
    pub gateway: Arc<Gateway>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Harness {
    /// Starts gw on `pack_yaml` (a pack whose targets say `base_url: emulator`).
    pub async fn start(pack_yaml: &str) -> Self {
        Self::start_with(pack_yaml, BuildEnv::default()).await
    }

    /// Starts gw with a given build environment (e.g. one that collects audit records).
    pub async fn start_with(pack_yaml: &str, env: BuildEnv) -> Self {
        let loaded = gw::config::load_str(pack_yaml, Path::new("test-pack.yaml"))
            .unwrap_or_else(|d| panic!("test pack invalid: {d:#?}"));
        Self::serve(loaded, env).await
    }

    /// Starts gw on a pack file and watches it for changes, as `gw run --policy-config` does.
    pub async fn start_file(path: &Path, env: BuildEnv) -> Self {
        let loaded =
            gw::config::load_file(path).unwrap_or_else(|d| panic!("test pack invalid: {d:#?}"));
        let h = Self::serve(loaded, env).await;
        gw::reload::spawn(h.gateway.clone(), path.to_path_buf()).expect("watcher");
        h
    }

    async fn serve(loaded: gw::config::LoadedPack, env: BuildEnv) -> Self {
        let (env, emu) = with_emulator(env).await;
        let env = Arc::new(env);
        let runtime = Runtime::build(loaded, &env).await.expect("runtime builds");
        let gateway = Gateway::new(runtime, env);
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let served = gateway.clone();
        tokio::spawn(async move {
            let _ = server::serve(listener, served, async {
                let _ = rx.await;
            })
            .await;
        });
        Self {
            url: format!("http://{addr}"),
            emu,
            http: reqwest::Client::new(),
            gateway,
            stop: Some(tx),
        }
    }

    pub async fn default() -> Self {
        Self::start(PACK).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.url))
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn chat(&self, body: Value) -> (u16, reqwest::header::HeaderMap, Value) {
        let resp = self.post("/v1/chat/completions", &body).await;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let json = resp.json::<Value>().await.expect("JSON body");
        (status, headers, json)
    }

    /// Streams a chat request and returns the parsed `data:` payloads (`[DONE]` as a string).
    pub async fn chat_stream(&self, body: Value) -> (u16, Vec<Value>) {
        let resp = self.post("/v1/chat/completions", &body).await;
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (status, parse_sse(&text))
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// Splits an SSE body into its `data:` payloads.
pub fn parse_sse(text: &str) -> Vec<Value> {
    text.split("\n\n")
        .filter_map(|frame| frame.strip_prefix("data: "))
        .map(|data| {
            if data == "[DONE]" {
                Value::String("[DONE]".into())
            } else {
                serde_json::from_str(data).unwrap_or_else(|e| panic!("bad SSE JSON {data}: {e}"))
            }
        })
        .collect()
}

/// The test pack: Claude 4.5 in two geographies behind a fallback alias, Nova, Llama, and two
/// embedding models, all on the emulator.
pub const PACK: &str = r#"
pack: { name: test-pack, version: 1.2.3 }
server: { max_body_bytes: 200000 }
models:
  claude:
    strategy: fallback
    targets: [claude-us, claude-eu]
  embed: { targets: [titan] }
providers:
  retry: { max_attempts: 2, initial_backoff_ms: 1, max_backoff_ms: 5 }
  targets:
    - { id: claude-us, provider: aws-bedrock, model: us.anthropic.claude-sonnet-4-5-20250929-v1:0, aws_region: us-east-1, base_url: emulator }
    - { id: claude-eu, provider: aws-bedrock, model: eu.anthropic.claude-sonnet-4-5-20250929-v1:0, aws_region: eu-west-1, base_url: emulator }
    - { id: claude-bare, provider: aws-bedrock, model: anthropic.claude-sonnet-4-20250514-v1:0, base_url: emulator }
    - { id: nova, provider: aws-bedrock, model: us.amazon.nova-pro-v1:0, base_url: emulator }
    - { id: llama, provider: aws-bedrock, model: us.meta.llama3-3-70b-instruct-v1:0, base_url: emulator }
    - { id: titan, provider: aws-bedrock, model: amazon.titan-embed-text-v2:0, base_url: emulator }
    - { id: cohere, provider: aws-bedrock, model: cohere.embed-english-v3, base_url: emulator }
    - { id: app-profile, provider: aws-bedrock, model: "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4", family: anthropic, base_url: emulator }
    - { id: slow, provider: aws-bedrock, model: us.amazon.nova-lite-v1:0, base_url: emulator, timeout_seconds: 1, stream_timeout_seconds: 1 }
"#;

/// The concatenated `content` deltas of a chat stream.
pub fn streamed_text(events: &[Value]) -> String {
    events
        .iter()
        .filter_map(|e| e["choices"][0]["delta"]["content"].as_str())
        .collect()
}

/// A fault rule, built through serde so tests name only the fields they care about.
pub fn fault(spec: Value) -> gw::emulator::Fault {
    serde_json::from_value(spec).expect("valid fault spec")
}
