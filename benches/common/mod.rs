//! What the load benchmarks share: gw processes pinned to a core (the tests' own process helper),
//! and the kernel's own account of the CPU time a process spent.
#![allow(
    dead_code,
    reason = "each bench uses a different part of the shared helpers"
)]

use std::process::{Command, Stdio};

#[path = "../../tests/process/mod.rs"]
mod process;

#[allow(unused_imports, reason = "only the shared-limits bench starts Redis")]
pub use process::redis::Redis;
#[allow(unused_imports, reason = "not every bench starts gw")]
pub use process::spawn_pinned as spawn;

/// Starts `gw run` with `pack` on core 0 (the core the benches give gw), with the emulator's key
/// pair in the env vars the benches' packs name (`BENCH_AKID`, `BENCH_SECRET`) and quiet logs.
pub fn run_gw(pack: &str) -> (process::Proc, String) {
    spawn(
        0,
        &["run", "--listen", "127.0.0.1:0", "--policy-config", pack],
        &[
            ("BENCH_AKID", gw::emulator::ACCESS_KEY_ID),
            ("BENCH_SECRET", gw::emulator::SECRET_ACCESS_KEY),
            ("RUST_LOG", "warn"),
        ],
    )
}

/// Pins the calling process (the load generator) to `core`.
pub fn pin_self(core: u32) {
    let _ = Command::new("taskset")
        .args(["-cp", &core.to_string(), &std::process::id().to_string()])
        .stdout(Stdio::null())
        .status();
}

/// CPU time (user + system) of every thread of `pid` (`"self"` for this process), in ns, from
/// the scheduler's own accounting.
pub fn cpu_ns(pid: &str) -> u64 {
    let mut total = 0;
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
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

/// With `GW_PERF_DIR` set, a CPU profile of process `pid` (perf, DWARF call stacks, 4,999 Hz)
/// into `$GW_PERF_DIR/{name}.data` until [`stop_profile`]; `scripts/profile_overhead` runs the
/// bench this way and reads the profiles per stage. `None` (and no cost) otherwise.
pub fn start_profile(pid: &str, name: &str) -> Option<std::process::Child> {
    let dir = std::env::var("GW_PERF_DIR").ok()?;
    std::fs::create_dir_all(&dir).ok()?;
    let out = format!("{dir}/{name}.data");
    let child = Command::new("perf")
        .args(["record", "-q", "-F", "4999", "--call-graph", "dwarf,16384"])
        .args(["-p", pid, "-o", &out])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    // perf needs a moment to attach before the phase starts.
    std::thread::sleep(std::time::Duration::from_millis(500));
    Some(child)
}

/// Ends a profile started by [`start_profile`] (SIGINT, which makes perf write its file).
pub fn stop_profile(profile: Option<std::process::Child>) {
    if let Some(mut child) = profile {
        let _ = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status();
        let _ = child.wait();
    }
}

/// The load generator's runtime: one thread, so it stays on the core it was pinned to.
pub fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt")
}

/// The load generator's HTTP client: many idle connections kept, no Nagle delay.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(2048)
        .tcp_nodelay(true)
        .build()
        .expect("client")
}

/// POSTs a JSON `body` (with `bearer` as the key, when given), reads the whole reply, and
/// returns how long it took; a non-2xx answer fails the bench.
pub async fn post_timed(
    http: &reqwest::Client,
    url: &str,
    body: &bytes::Bytes,
    bearer: Option<&str>,
) -> std::time::Duration {
    let t = std::time::Instant::now();
    let mut req = http
        .post(url)
        .header("content-type", "application/json")
        .body(body.clone());
    if let Some(key) = bearer {
        req = req.bearer_auth(key);
    }
    let resp = req.send().await.expect("send");
    let status = resp.status();
    let bytes = resp.bytes().await.expect("body");
    let took = t.elapsed();
    assert!(
        status.is_success(),
        "{url}: {status} {}",
        String::from_utf8_lossy(&bytes)
    );
    took
}

/// The `p` quantile (0..1) of sorted durations, in µs.
pub fn pct(sorted: &[std::time::Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e6
}
