//! What gw adds on top of Bedrock: latency (p50, p99) at concurrency 1 and at a fixed 1,000
//! requests/s, gw's CPU time per request, and the extra time to the first streamed byte.
//!
//! Three processes: the emulator as an instant upstream (`gw emulate --no-verify`, pinned to core
//! 1 with this load generator), gw (`gw run`, pinned to core 0), and this program. Each phase
//! interleaves batches sent straight to the upstream (Converse) with batches sent through gw
//! (OpenAI chat completions for the same prompt), so drift hits both sides alike.
//!
//! Run: `cargo bench --bench overhead` (add `-- --quick` for a short smoke run).

mod common;

use common::{
    cpu_ns, current_thread, http_client, pct, pin_self, post_timed, spawn, start_profile,
    stop_profile,
};

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::json;

const PROMPT: &str = "Summarise the quarterly report in three bullet points for the finance team.";
const MODEL_ID: &str = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

#[derive(Clone)]
struct Target {
    http: reqwest::Client,
    url: String,
    body: bytes::Bytes,
    stream_url: String,
    stream_body: bytes::Bytes,
}

impl Target {
    async fn once(&self) -> Duration {
        post_timed(&self.http, &self.url, &self.body, None).await
    }

    /// Time to the first byte of the streamed body.
    async fn first_byte(&self) -> Duration {
        let t = Instant::now();
        let resp = self
            .http
            .post(&self.stream_url)
            .header("content-type", "application/json")
            .body(self.stream_body.clone())
            .send()
            .await
            .expect("send");
        assert!(resp.status().is_success());
        let mut s = resp.bytes_stream();
        let _ = s.next().await;
        let first = t.elapsed();
        while s.next().await.is_some() {}
        first
    }
}

struct Stats {
    p50: f64,
    p99: f64,
}

fn stats(mut v: Vec<Duration>) -> Stats {
    v.sort();
    Stats {
        p50: pct(&v, 0.50),
        p99: pct(&v, 0.99),
    }
}

/// `conns` closed loops hammering gw at once: the most gw can do, and its CPU per request when
/// it is never idle (no park/wake cost between requests).
async fn saturate(t: &Target, conns: usize, per_conn: usize) -> (f64, u64) {
    let start = Instant::now();
    let tasks: Vec<_> = (0..conns)
        .map(|_| {
            let t = t.clone();
            tokio::spawn(async move {
                for _ in 0..per_conn {
                    t.once().await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    let n = (conns * per_conn) as u64;
    (n as f64 / start.elapsed().as_secs_f64(), n)
}

/// Sequential requests, interleaved in rounds.
async fn concurrency_one(
    direct: &Target,
    via: &Target,
    rounds: usize,
    per_round: usize,
) -> (Stats, Stats) {
    let (mut d, mut g) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        for _ in 0..per_round {
            d.push(direct.once().await);
        }
        for _ in 0..per_round {
            g.push(via.once().await);
        }
    }
    (stats(d), stats(g))
}

/// Open loop at `rate` requests/s for `secs`: requests start on a fixed schedule whether or not
/// earlier ones finished. Latency is timed from each request's actual start (tokio's timer wheel
/// has 1 ms granularity, so timing from the schedule would add up to 1 ms of timer slack to both
/// sides); the achieved rate is checked instead.
async fn open_loop(t: &Target, rate: u64, secs: u64) -> Vec<Duration> {
    let period = Duration::from_nanos(1_000_000_000 / rate);
    let n = rate * secs;
    let start = tokio::time::Instant::now();
    let mut tasks = Vec::with_capacity(n as usize);
    for i in 0..n {
        let at = start + period * i as u32;
        tokio::time::sleep_until(at).await;
        let t = t.clone();
        tasks.push(tokio::spawn(async move { t.once().await }));
    }
    let achieved = n as f64 / start.elapsed().as_secs_f64();
    assert!(
        achieved > rate as f64 * 0.95,
        "load generator fell behind: {achieved:.0} req/s"
    );
    let mut out = Vec::with_capacity(tasks.len());
    for task in tasks {
        out.push(task.await.expect("task"));
    }
    out
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (rounds, per_round, secs, streams) = if quick {
        (2, 200, 2, 200)
    } else {
        (10, 1000, 5, 2000)
    };

    // The load generator shares core 1 with the upstream; gw gets core 0 to itself.
    pin_self(1);
    let (_emu, emu_url) = spawn(
        1,
        &["emulate", "--listen", "127.0.0.1:0", "--no-verify"],
        &[],
    );
    let dir = tempfile::tempdir().expect("tmp");
    let pack = dir.path().join("bench.yaml");
    std::fs::write(
        &pack,
        format!(
            "pack: {{ name: bench, version: 1.0.0 }}\nproviders:\n  targets:\n    - {{ id: m, provider: aws-bedrock, model: {MODEL_ID}, base_url: \"{emu_url}\", aws_access_key_env: BENCH_AKID, aws_secret_key_env: BENCH_SECRET }}\n"
        ),
    )
    .expect("pack");
    let (gw, gw_url) = spawn(
        0,
        &[
            "run",
            "--listen",
            "127.0.0.1:0",
            "--policy-config",
            pack.to_str().expect("utf8"),
        ],
        &[
            ("BENCH_AKID", gw::emulator::ACCESS_KEY_ID),
            ("BENCH_SECRET", gw::emulator::SECRET_ACCESS_KEY),
            ("RUST_LOG", "info"),
            ("GW_LOG_FORMAT", "json"),
        ],
    );
    let gw_pid = gw.0.id().to_string();

    current_thread().block_on(async {
        let http = http_client();
        let converse = bytes::Bytes::from(json!({"messages": [{"role": "user", "content": [{"text": PROMPT}]}], "inferenceConfig": {"maxTokens": 256}}).to_string());
        let encoded = MODEL_ID.replace(':', "%3A");
        let direct = Target {
            http: http.clone(),
            url: format!("{emu_url}/model/{encoded}/converse"),
            body: converse.clone(),
            stream_url: format!("{emu_url}/model/{encoded}/converse-stream"),
            stream_body: converse,
        };
        let chat = json!({"model": "m", "messages": [{"role": "user", "content": PROMPT}], "max_tokens": 256});
        let mut stream_chat = chat.clone();
        stream_chat["stream"] = json!(true);
        let via = Target {
            http,
            url: format!("{gw_url}/v1/chat/completions"),
            body: bytes::Bytes::from(chat.to_string()),
            stream_url: format!("{gw_url}/v1/chat/completions"),
            stream_body: bytes::Bytes::from(stream_chat.to_string()),
        };

        for _ in 0..1000 {
            direct.once().await;
            via.once().await;
        }

        let profile = start_profile(&gw_pid, "concurrency-1");
        let (d1, g1) = concurrency_one(&direct, &via, rounds, per_round).await;
        stop_profile(profile);

        let rate = 1000;
        let (mut d2, mut g2) = (Vec::new(), Vec::new());
        let mut gw_cpu = 0u64;
        let mut gw_requests = 0u64;
        for _ in 0..2 {
            d2.extend(open_loop(&direct, rate, secs).await);
            let before = cpu_ns(&gw_pid);
            let batch = open_loop(&via, rate, secs).await;
            gw_cpu += cpu_ns(&gw_pid) - before;
            gw_requests += batch.len() as u64;
            g2.extend(batch);
        }
        let (d2, g2) = (stats(d2), stats(g2));

        let (mut ds, mut gs) = (Vec::new(), Vec::new());
        for _ in 0..streams {
            ds.push(direct.first_byte().await);
            gs.push(via.first_byte().await);
        }
        let (ds, gs) = (stats(ds), stats(gs));

        let before = cpu_ns(&gw_pid);
        let profile = start_profile(&gw_pid, "saturated");
        let (sat_rps, sat_n) = saturate(&via, 16, if quick { 200 } else { 1000 }).await;
        stop_profile(profile);
        let sat_cpu_us = (cpu_ns(&gw_pid) - before) as f64 / sat_n as f64 / 1000.0;

        let cpu_us = gw_cpu as f64 / gw_requests as f64 / 1000.0;
        println!("\n## gw overhead ({} run)\n", if quick { "quick" } else { "full" });
        println!("| phase | upstream direct p50 / p99 (µs) | through gw p50 / p99 (µs) | gw adds p50 / p99 (µs) |");
        println!("|---|---|---|---|");
        for (name, d, g) in [("concurrency 1", &d1, &g1), ("1,000 req/s open loop", &d2, &g2), ("stream, time to first byte", &ds, &gs)] {
            println!(
                "| {name} | {:.0} / {:.0} | {:.0} / {:.0} | **{:.0} / {:.0}** |",
                d.p50, d.p99, g.p50, g.p99, g.p50 - d.p50, g.p99 - d.p99
            );
        }
        println!("\ngw CPU time per request (all threads: HTTP in, translation, SigV4 via the AWS SDK, HTTP out, logging):");
        println!("- at 1,000 req/s: **{cpu_us:.1} µs** over {gw_requests} requests");
        println!("- saturated (16 connections, {sat_rps:.0} req/s on one core): **{sat_cpu_us:.1} µs** over {sat_n} requests");
    });
}
