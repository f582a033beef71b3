//! The floor under gw's CPU per request: what the AWS SDK for Rust alone spends on one Converse
//! call (build, serialise, SigV4-sign, send over HTTP/1.1, read, deserialise) against an instant
//! upstream on this machine, with no gateway around it. gw's own cost is what `overhead` measures
//! above this.
//!
//! Beside it, the alternative the brief rules out, measured so its price is known (issue 13: "what
//! the alternative would cost"): the same call made the way gateways without the SDK make it, a
//! JSON body signed with the `aws-sigv4` crate directly and sent over a pooled hyper client, the
//! reply parsed as plain JSON. Its signature is checked by an emulator that verifies SigV4, so
//! the comparison is of two calls that both work against Bedrock's wire protocol.
//!
//! Run: `cargo bench --bench sdk_floor`.

mod common;

use common::{cpu_ns, pin_self, spawn};

use std::time::{Instant, SystemTime};

use aws_sdk_bedrockruntime::config::{Builder, Credentials, Region, StalledStreamProtectionConfig};
use aws_sdk_bedrockruntime::types::{ContentBlock, ConversationRole, Message};
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use aws_smithy_types::retry::RetryConfig;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::TokioExecutor;

const MODEL: &str = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const PROMPT: &str = "Summarise the quarterly report in three bullet points for the finance team.";
const CALLS: u64 = 10_000;

/// CPU (all threads of this process) and wall time per call of `call`, after a warm-up.
async fn measure<F, Fut>(mut call: F) -> (f64, f64)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..1000 {
        call().await;
    }
    let (cpu0, t0) = (cpu_ns("self"), Instant::now());
    for _ in 0..CALLS {
        call().await;
    }
    let wall = t0.elapsed().as_secs_f64() * 1e6 / CALLS as f64;
    let cpu = (cpu_ns("self") - cpu0) as f64 / CALLS as f64 / 1000.0;
    (cpu, wall)
}

/// One Converse call without the SDK: JSON body, `aws-sigv4` headers, hyper, JSON reply.
struct RawConverse {
    client: HyperClient<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    url: String,
    host: String,
    identity: Identity,
}

impl RawConverse {
    fn new(endpoint: &str) -> Self {
        let mut connector = hyper_util::client::legacy::connect::HttpConnector::new();
        connector.set_nodelay(true);
        let client = HyperClient::builder(TokioExecutor::new()).build(connector);
        let host = endpoint.trim_start_matches("http://").to_string();
        // The model id's `:` is percent-encoded in the path, as the SDK sends it.
        let url = format!("{endpoint}/model/{}/converse", MODEL.replace(':', "%3A"));
        let creds = Credentials::new(
            gw::emulator::ACCESS_KEY_ID,
            gw::emulator::SECRET_ACCESS_KEY,
            None,
            None,
            "bench",
        );
        Self {
            client,
            url,
            host,
            identity: creds.into(),
        }
    }

    async fn call(&self) -> u16 {
        let body = serde_json::to_vec(&serde_json::json!({
            "messages": [{"role": "user", "content": [{"text": PROMPT}]}]
        }))
        .expect("body");
        let params = v4::SigningParams::builder()
            .identity(&self.identity)
            .region("us-east-1")
            .name("bedrock")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .expect("params")
            .into();
        let headers = [
            ("host", self.host.as_str()),
            ("content-type", "application/json"),
        ];
        let signable = SignableRequest::new(
            "POST",
            self.url.as_str(),
            headers.into_iter(),
            SignableBody::Bytes(&body),
        )
        .expect("signable");
        let (instructions, _) = sign(signable, &params).expect("sign").into_parts();
        let mut req = http::Request::post(self.url.as_str())
            .header("host", self.host.as_str())
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body)))
            .expect("request");
        instructions.apply_to_request_http1x(&mut req);
        let resp = self.client.request(req).await.expect("send");
        let status = resp.status().as_u16();
        let bytes = resp.into_body().collect().await.expect("read").to_bytes();
        let reply: serde_json::Value = serde_json::from_slice(&bytes).expect("json reply");
        assert!(reply.get("output").is_some() || status != 200, "{reply}");
        status
    }
}

fn main() {
    // The caller on core 0, the emulator on core 1, as gw and the upstream are in `overhead`.
    pin_self(0);
    let (emu, url) = spawn(
        1,
        &["emulate", "--listen", "127.0.0.1:0", "--no-verify"],
        &[],
    );
    // An emulator that checks every signature: the raw path must sign as Bedrock expects.
    let (verifying, verifying_url) = spawn(1, &["emulate", "--listen", "127.0.0.1:0"], &[]);

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    rt.block_on(async {
        let conf = Builder::new()
            .behavior_version_latest()
            .region(Region::new("us-east-1"))
            .endpoint_url(&url)
            .credentials_provider(Credentials::new(gw::emulator::ACCESS_KEY_ID, gw::emulator::SECRET_ACCESS_KEY, None, None, "bench"))
            .retry_config(RetryConfig::disabled())
            .stalled_stream_protection(StalledStreamProtectionConfig::disabled())
            .build();
        let client = aws_sdk_bedrockruntime::Client::from_conf(conf);
        let msg = Message::builder()
            .role(ConversationRole::User)
            .content(ContentBlock::Text(PROMPT.into()))
            .build()
            .expect("message");
        let (sdk_cpu, sdk_wall) = measure(|| async {
            client
                .converse()
                .model_id(MODEL)
                .messages(msg.clone())
                .send()
                .await
                .expect("converse");
        })
        .await;

        let checked = RawConverse::new(&verifying_url);
        assert_eq!(checked.call().await, 200, "the raw path's SigV4 must verify");
        let raw = RawConverse::new(&url);
        let (raw_cpu, raw_wall) = measure(|| async {
            assert_eq!(raw.call().await, 200);
        })
        .await;

        println!("\n## AWS SDK floor, and the path without the SDK\n");
        println!("Converse, sequential, {CALLS} calls each, caller on one core (all its threads):\n");
        println!("| path | CPU per call | wall per call |");
        println!("|---|---|---|");
        println!("| aws-sdk-bedrockruntime | **{sdk_cpu:.1} µs** | {sdk_wall:.1} µs |");
        println!("| aws-sigv4 + hyper, JSON by hand (not gw's path) | **{raw_cpu:.1} µs** | {raw_wall:.1} µs |");
        println!(
            "\nThe SDK's share over the raw path: {:.1} µs CPU, {:.1} µs wall per call.",
            sdk_cpu - raw_cpu,
            sdk_wall - raw_wall
        );
    });
    drop(emu);
    drop(verifying);
}
