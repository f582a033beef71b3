//! The floor under gw's CPU per request: what the AWS SDK for Rust alone spends on one Converse
//! call (build, serialise, SigV4-sign, send over HTTP/1.1, read, deserialise) against an instant
//! upstream on this machine, with no gateway around it. gw's own cost is what `overhead` measures
//! above this.
//!
//! Run: `cargo bench --bench sdk_floor`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use aws_sdk_bedrockruntime::config::{Builder, Credentials, Region, StalledStreamProtectionConfig};
use aws_sdk_bedrockruntime::types::{ContentBlock, ConversationRole, Message};
use aws_smithy_types::retry::RetryConfig;

const GW: &str = env!("CARGO_BIN_EXE_gw");

/// CPU time of this process's threads, from the scheduler's own accounting.
fn cpu_ns() -> u64 {
    let mut total = 0;
    if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
        for t in tasks.flatten() {
            if let Ok(s) = std::fs::read_to_string(t.path().join("schedstat")) {
                total += s
                    .split_whitespace()
                    .next()
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0);
            }
        }
    }
    total
}

fn main() {
    // The caller on core 0, the emulator on core 1, as gw and the upstream are in `overhead`.
    let _ = Command::new("taskset")
        .args(["-cp", "0", &std::process::id().to_string()])
        .stdout(Stdio::null())
        .status();
    let mut emu = Command::new("taskset")
        .args([
            "-c",
            "1",
            GW,
            "emulate",
            "--listen",
            "127.0.0.1:0",
            "--no-verify",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("taskset and gw are runnable");
    let mut line = String::new();
    BufReader::new(emu.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("line");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("url")
        .to_string();

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
        let (cpu0, t0) = (cpu_ns(), Instant::now());
        for _ in 0..n {
            call().await;
        }
        let wall = t0.elapsed().as_secs_f64() * 1e6 / n as f64;
        let cpu = (cpu_ns() - cpu0) as f64 / n as f64 / 1000.0;
        println!("\n## AWS SDK floor\n");
        println!("aws-sdk-bedrockruntime Converse, sequential, {n} calls: **{cpu:.1} µs CPU per call** (caller process, all threads), {wall:.1} µs wall per call");
    });
    let _ = emu.kill();
    let _ = emu.wait();
}
