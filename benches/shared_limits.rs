//! What sharing limits through Redis costs per request: two gw processes serve the same pack with
//! a keyed rate limit (requests and tokens) and a budget, one keeping counters in memory and one
//! in a real `redis-server`. Batches alternate between them at concurrency 1 and at a fixed
//! 1,000 requests/s; gw's CPU time per request comes from the kernel. The Redis round trip itself
//! (`redis-benchmark` PING from gw's core, crossing to Redis's core as gw does) is the yardstick:
//! the goal is one round trip plus 30 µs at p50.
//!
//! gw runs on core 0; the emulator, Redis and this load generator share core 1.
//!
//! Run: `cargo bench --bench shared_limits` (add `-- --quick` for a short smoke run).

mod common;

use common::{Redis, cpu_ns, current_thread, http_client, pct, pin_self, post_timed, spawn};

use std::process::Command;
use std::time::Duration;

use serde_json::json;

const MODEL_ID: &str = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const KEY: &str = "sk-bench-0123456789abcdef";

#[derive(Clone)]
struct Gw {
    http: reqwest::Client,
    url: String,
    body: bytes::Bytes,
}

impl Gw {
    async fn once(&self) -> Duration {
        post_timed(&self.http, &self.url, &self.body, Some(KEY)).await
    }
}

fn p50_p99(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    (pct(&v, 0.50), pct(&v, 0.99))
}

/// One Redis round trip as gw sees it: `redis-benchmark` (one connection, `PING`) pinned to gw's
/// core, so it crosses cores to Redis exactly as gw does. `(p50, p99)` in µs.
fn redis_rtt(port: u16, n: usize) -> (f64, f64) {
    let out = Command::new("taskset")
        .args(["-c", "0", "redis-benchmark", "-p", &port.to_string()])
        .args(["-t", "ping_mbulk", "-c", "1", "--csv", "-n", &n.to_string()])
        .output()
        .expect("redis-benchmark runs (it comes with redis-server)");
    let text = String::from_utf8_lossy(&out.stdout);
    let row: Vec<f64> = text
        .lines()
        .last()
        .unwrap_or("")
        .split(',')
        .filter_map(|f| f.trim_matches('"').parse().ok())
        .collect();
    // rps, avg, min, p50, p95, p99, max (ms)
    assert!(row.len() >= 6, "redis-benchmark printed {text}");
    (row[3] * 1000.0, row[5] * 1000.0)
}

/// Open loop at `rate` requests/s for `secs`.
async fn open_loop(t: &Gw, rate: u64, secs: u64) -> Vec<Duration> {
    let period = Duration::from_nanos(1_000_000_000 / rate);
    let n = rate * secs;
    let start = tokio::time::Instant::now();
    let mut tasks = Vec::with_capacity(n as usize);
    for i in 0..n {
        tokio::time::sleep_until(start + period * i as u32).await;
        let t = t.clone();
        tasks.push(tokio::spawn(async move { t.once().await }));
    }
    let mut out = Vec::with_capacity(tasks.len());
    for task in tasks {
        out.push(task.await.expect("task"));
    }
    out
}

fn pack(dir: &std::path::Path, name: &str, emu: &str, store: &str) -> String {
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(
        &path,
        format!(
            r#"pack: {{ name: bench, version: 1.0.0 }}
limits: {{ store: "{store}", timeout_ms: 100 }}
auth:
  keys:
    - id: bench
      key_env: BENCH_KEY
      rate_limit: {{ requests_per_minute: 100000000, tokens_per_minute: 1000000000 }}
      budget: {{ usd_per_day: 1000000000 }}
providers:
  targets:
    - id: m
      provider: aws-bedrock
      model: {MODEL_ID}
      base_url: "{emu}"
      aws_access_key_env: BENCH_AKID
      aws_secret_key_env: BENCH_SECRET
      pricing: {{ input_per_1m: 3, output_per_1m: 15 }}
"#
        ),
    )
    .expect("pack");
    path.to_str().expect("utf8").to_string()
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (rounds, per_round, secs) = if quick { (2, 200, 2) } else { (10, 1000, 5) };

    pin_self(1);
    let redis = Redis::start();
    let _ = Command::new("taskset")
        .args(["-a", "-p", "-c", "1"])
        .arg(redis.pid().to_string())
        .output();
    let (_emu, emu) = spawn(
        1,
        &["emulate", "--listen", "127.0.0.1:0", "--no-verify"],
        &[],
    );
    let dir = tempfile::tempdir().expect("tmp");
    let envs = [
        ("BENCH_KEY", KEY),
        ("BENCH_AKID", gw::emulator::ACCESS_KEY_ID),
        ("BENCH_SECRET", gw::emulator::SECRET_ACCESS_KEY),
    ];
    let memory_pack = pack(dir.path(), "memory", &emu, "memory");
    let redis_pack = pack(dir.path(), "redis", &emu, &redis.url());
    let run = |pack: &str| {
        spawn(
            0,
            &["run", "--listen", "127.0.0.1:0", "--policy-config", pack],
            &envs,
        )
    };
    let (mem_gw, mem_url) = run(&memory_pack);
    let (redis_gw, redis_url) = run(&redis_pack);
    let (mem_pid, redis_pid) = (mem_gw.0.id().to_string(), redis_gw.0.id().to_string());

    current_thread().block_on(async {
        let http = http_client();
        let body = bytes::Bytes::from(
            json!({"model": "m", "max_tokens": 256,
                "messages": [{"role": "user", "content": "Summarise the quarterly report."}]})
            .to_string(),
        );
        let target = |url: &str| Gw {
            http: http.clone(),
            url: format!("{url}/v1/chat/completions"),
            body: body.clone(),
        };
        let (memory, shared) = (target(&mem_url), target(&redis_url));
        for _ in 0..1000 {
            memory.once().await;
            shared.once().await;
        }

        let (mut m1, mut r1) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            for _ in 0..per_round {
                m1.push(memory.once().await);
            }
            for _ in 0..per_round {
                r1.push(shared.once().await);
            }
        }
        let rtt = redis_rtt(redis.port, rounds * per_round);

        let (mut m2, mut r2) = (Vec::new(), Vec::new());
        let (mut m_cpu, mut r_cpu, mut m_n, mut r_n) = (0u64, 0u64, 0u64, 0u64);
        for _ in 0..2 {
            let before = cpu_ns(&mem_pid);
            let batch = open_loop(&memory, 1000, secs).await;
            m_cpu += cpu_ns(&mem_pid) - before;
            m_n += batch.len() as u64;
            m2.extend(batch);
            let before = cpu_ns(&redis_pid);
            let batch = open_loop(&shared, 1000, secs).await;
            r_cpu += cpu_ns(&redis_pid) - before;
            r_n += batch.len() as u64;
            r2.extend(batch);
        }

        let ((m1p50, m1p99), (r1p50, r1p99)) = (p50_p99(m1), p50_p99(r1));
        let ((m2p50, m2p99), (r2p50, r2p99)) = (p50_p99(m2), p50_p99(r2));
        let (m_cpu, r_cpu) = (
            m_cpu as f64 / m_n as f64 / 1000.0,
            r_cpu as f64 / r_n as f64 / 1000.0,
        );
        println!(
            "\n## shared limits: Redis store against memory ({} run)\n",
            if quick { "quick" } else { "full" }
        );
        println!("| phase | memory p50 / p99 (µs) | Redis p50 / p99 (µs) | Redis adds p50 (µs) |");
        println!("|---|---|---|---|");
        println!(
            "| c=1 | {m1p50:.0} / {m1p99:.0} | {r1p50:.0} / {r1p99:.0} | {:.0} |",
            r1p50 - m1p50
        );
        println!(
            "| 1,000 req/s | {m2p50:.0} / {m2p99:.0} | {r2p50:.0} / {r2p99:.0} | {:.0} |",
            r2p50 - m2p50
        );
        println!(
            "\nRedis round trip (redis-benchmark PING from gw's core, c=1): p50 {:.0} µs, p99 {:.0} µs. Goal: Redis adds ≤ {:.0} µs at c=1 p50 (one round trip + 30 µs): {}.",
            rtt.0,
            rtt.1,
            rtt.0 + 30.0,
            if r1p50 - m1p50 <= rtt.0 + 30.0 { "met" } else { "not met" }
        );
        println!(
            "gw CPU per request at 1,000 req/s: memory {m_cpu:.0} µs, Redis {r_cpu:.0} µs (+{:.0} µs).",
            r_cpu - m_cpu
        );
    });
}
