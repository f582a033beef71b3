//! The floor under gw's CPU per request: what the AWS SDK for Rust alone spends on one Converse
//! call (build, serialise, SigV4-sign, send over HTTP/1.1, read, deserialise) against an instant
//! upstream on this machine, with no gateway around it. gw's own cost is what `overhead` measures
//! above this.
//!
//! Run: `cargo bench --bench sdk_floor`.

mod common;

use common::{cpu_ns, pin_self, spawn};

use std::time::Instant;

use aws_sdk_bedrockruntime::config::{Builder, Credentials, Region, StalledStreamProtectionConfig};
use aws_sdk_bedrockruntime::types::{ContentBlock, ConversationRole, Message};
use aws_smithy_types::retry::RetryConfig;

fn main() {
    // The caller on core 0, the emulator on core 1, as gw and the upstream are in `overhead`.
    pin_self(0);
    let (emu, url) = spawn(
        1,
        &["emulate", "--listen", "127.0.0.1:0", "--no-verify"],
        &[],
    );

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    rt.block_on(async {
        let conf = Builder::new()
            .behavior_version_latest()
            .region(Region::new("us-east-1"))
            .endpoint_url(url)
            .credentials_provider(Credentials::new(gw::emulator::ACCESS_KEY_ID, gw::emulator::SECRET_ACCESS_KEY, None, None, "bench"))
            .retry_config(RetryConfig::disabled())
            .stalled_stream_protection(StalledStreamProtectionConfig::disabled())
            .build();
        let client = aws_sdk_bedrockruntime::Client::from_conf(conf);
        let msg = Message::builder()
            .role(ConversationRole::User)
            .content(ContentBlock::Text("Summarise the quarterly report in three bullet points for the finance team.".into()))
            .build()
            .expect("message");
        let call = || async {
            client
                .converse()
                .model_id("us.anthropic.claude-sonnet-4-5-20250929-v1:0")
                .messages(msg.clone())
                .send()
                .await
                .expect("converse")
        };
        for _ in 0..1000 {
            call().await;
        }
        let n = 10_000u64;
        let (cpu0, t0) = (cpu_ns("self"), Instant::now());
        for _ in 0..n {
            call().await;
        }
        let wall = t0.elapsed().as_secs_f64() * 1e6 / n as f64;
        let cpu = (cpu_ns("self") - cpu0) as f64 / n as f64 / 1000.0;
        println!("\n## AWS SDK floor\n");
        println!("aws-sdk-bedrockruntime Converse, sequential, {n} calls: **{cpu:.1} µs CPU per call** (caller process, all threads), {wall:.1} µs wall per call");
    });
    drop(emu);
}
