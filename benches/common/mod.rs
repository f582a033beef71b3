//! What the load benchmarks share: gw processes pinned to a core (the tests' own process helper),
//! and the kernel's own account of the CPU time a process spent.
#![allow(
    dead_code,
    reason = "each bench uses a different part of the shared helpers"
)]

use std::process::{Command, Stdio};

#[path = "../../tests/process/mod.rs"]
mod process;

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
