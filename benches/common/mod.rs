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
