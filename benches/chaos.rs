//! What Bedrock's bad days cost gw's clients: 30% of upstream calls on one of two targets fail
//! (429, 500, 503, model timeouts, and hangs that only gw's own timeout ends) while an open-loop
//! load of 500 requests/s runs for ~20 s. Reports the client success rate (goal ≥ 99.9% with
//! fallback and retries on), p50/p99 latency, and the same figures for a fault-free run.
//!
//! Three processes like `benches/overhead.rs`: the emulator (`gw emulate --no-verify`) with this
//! load generator on core 1, gw (`gw run`) on core 0. Faults are set over the emulator's admin API.
//!
//! Run: `cargo bench --bench chaos` (add `-- --quick` for a 3 s smoke run per phase).

mod common;

use common::{pin_self, spawn};

use std::time::{Duration, Instant};

use serde_json::json;

const A: &str = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const B: &str = "eu.anthropic.claude-sonnet-4-5-20250929-v1:0";
const RATE: u64 = 500;

/// One client request as the client saw it.
struct Seen {
    ok: bool,
    status: u16,
    latency: Duration,
    /// Upstream calls gw made (skips not counted).
    calls: usize,
    /// Attempts refused by an open breaker.
    skipped: usize,
}

async fn once(http: reqwest::Client, url: String, body: bytes::Bytes) -> Seen {
    let t = Instant::now();
    let resp = http
        .post(&url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await;
    let Ok(resp) = resp else {
        return Seen {
            ok: false,
            status: 0,
            latency: t.elapsed(),
            calls: 0,
            skipped: 0,
        };
    };
    let status = resp.status().as_u16();
    let list = resp
        .headers()
        .get("x-gw-attempts")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let ok = resp.bytes().await.is_ok() && status == 200;
    let skipped = list.matches("/breaker_open/").count() + list.matches("/shed/").count();
    Seen {
        ok,
        status,
        latency: t.elapsed(),
        calls: list.split(", ").filter(|s| !s.is_empty()).count() - skipped,
        skipped,
    }
}

/// Open loop: requests start on a fixed schedule whether or not earlier ones finished.
async fn open_loop(http: &reqwest::Client, url: &str, body: &bytes::Bytes, secs: u64) -> Vec<Seen> {
    let period = Duration::from_nanos(1_000_000_000 / RATE);
    let n = RATE * secs;
    let start = tokio::time::Instant::now();
    let mut tasks = Vec::with_capacity(n as usize);
    for i in 0..n {
        tokio::time::sleep_until(start + period * i as u32).await;
        tasks.push(tokio::spawn(once(
            http.clone(),
            url.to_string(),
            body.clone(),
        )));
    }
    let achieved = n as f64 / start.elapsed().as_secs_f64();
    assert!(
        achieved > RATE as f64 * 0.95,
        "load generator fell behind: {achieved:.0} req/s"
    );
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

struct Report {
    n: usize,
    success: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    calls_per_req: f64,
    skipped: usize,
    statuses: String,
}

fn report(seen: &[Seen]) -> Report {
    let mut lat: Vec<Duration> = seen.iter().map(|s| s.latency).collect();
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3;
    let mut failed: std::collections::BTreeMap<u16, usize> = Default::default();
    for s in seen.iter().filter(|s| !s.ok) {
        *failed.entry(s.status).or_default() += 1;
    }
    Report {
        n: seen.len(),
        success: seen.iter().filter(|s| s.ok).count() as f64 / seen.len() as f64 * 100.0,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        max_ms: pct(1.0),
        calls_per_req: seen.iter().map(|s| s.calls).sum::<usize>() as f64 / seen.len() as f64,
        skipped: seen.iter().map(|s| s.skipped).sum(),
        statuses: format!("{failed:?}"),
    }
}

async fn put_faults(http: &reqwest::Client, emu: &str, model: &str, faults: serde_json::Value) {
    let resp = http
        .put(format!(
            "{emu}/_emulator/faults/{}",
            model.replace(':', "%3A")
        ))
        .json(&faults)
        .send()
        .await
        .expect("admin API");
    assert!(resp.status().is_success(), "{}", resp.status());
}

/// 30% of calls to target `a` fail, 6% each: throttle, 500, 503, ModelTimeoutException, and a
/// 3 s stall that gw's 1 s `timeout_seconds` cuts. Rules are tried in order, each with its own
/// chance, so the chances below are conditional (0.06 / what is left).
fn faults() -> serde_json::Value {
    let kinds = [
        json!({"kind": "throttle"}),
        json!({"kind": "server_error"}),
        json!({"kind": "unavailable"}),
        json!({"kind": "model_timeout"}),
        json!({"kind": "delay", "delay_ms": 3000}),
    ];
    let mut left = 1.0;
    let rules: Vec<_> = kinds
        .into_iter()
        .map(|mut k| {
            k["probability"] = json!(0.06 / left);
            left -= 0.06;
            k
        })
        .collect();
    json!(rules)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (base_secs, chaos_secs) = if quick { (3, 3) } else { (10, 20) };

    pin_self(1);
    let (_emu, emu_url) = spawn(
        1,
        &["emulate", "--listen", "127.0.0.1:0", "--no-verify"],
        &[],
    );
    let dir = tempfile::tempdir().expect("tmp");
    let pack = dir.path().join("chaos.yaml");
    let target = |id: &str, model: &str, region: &str| {
        format!(
            "    - {{ id: {id}, provider: aws-bedrock, model: \"{model}\", aws_region: {region}, base_url: \"{emu_url}\", aws_access_key_env: BENCH_AKID, aws_secret_key_env: BENCH_SECRET, timeout_seconds: 1 }}\n"
        )
    };
    std::fs::write(
        &pack,
        format!(
            "pack: {{ name: chaos, version: 1.0.0 }}\nmodels:\n  m: {{ strategy: fallback, targets: [a, b] }}\nproviders:\n  retry: {{ max_attempts: 3, initial_backoff_ms: 10, max_backoff_ms: 100 }}\n  circuit_breaker: {{ failure_threshold: 5, window_seconds: 10, open_seconds: 5, half_open_requests: 1 }}\n  deadline_seconds: 3\n  targets:\n{}{}",
            target("a", A, "us-east-1"),
            target("b", B, "eu-west-1"),
        ),
    )
    .expect("pack");
    let (_gw, gw_url) = spawn(
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
            ("RUST_LOG", "warn"),
        ],
    );

    common::current_thread().block_on(async {
        let http = common::http_client();
        let url = format!("{gw_url}/v1/chat/completions");
        let body = bytes::Bytes::from(
            json!({"model": "m", "messages": [{"role": "user", "content": "Summarise the quarterly report in three bullet points."}], "max_tokens": 256})
                .to_string(),
        );
        // Warm up connections on both sides.
        for _ in 0..500 {
            once(http.clone(), url.clone(), body.clone()).await;
        }

        let base = report(&open_loop(&http, &url, &body, base_secs).await);
        put_faults(&http, &emu_url, A, faults()).await;
        let chaos = report(&open_loop(&http, &url, &body, chaos_secs).await);

        println!("\n## gw under chaos ({} run, {RATE} req/s open loop)\n", if quick { "quick" } else { "full" });
        println!("| run | requests | client success | p50 (ms) | p99 (ms) | max (ms) | upstream calls / request | breaker skips | failures by status |");
        println!("|---|---|---|---|---|---|---|---|---|");
        for (name, r) in [("fault-free", &base), ("30% faults on target a", &chaos)] {
            println!(
                "| {name} | {} | **{:.3}%** | {:.2} | {:.2} | {:.0} | {:.3} | {} | {} |",
                r.n, r.success, r.p50_ms, r.p99_ms, r.max_ms, r.calls_per_req, r.skipped, r.statuses
            );
        }
        println!(
            "\nfaults cost: p50 {:+.2} ms, p99 {:+.2} ms, {:+.3} upstream calls per request",
            chaos.p50_ms - base.p50_ms,
            chaos.p99_ms - base.p99_ms,
            chaos.calls_per_req - base.calls_per_req
        );
    });
}
