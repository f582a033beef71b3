//! What the load benchmarks share: gw processes pinned to a core, and the kernel's own account
//! of the CPU time a process spent.
#![allow(
    dead_code,
    reason = "each bench uses a different part of the shared helpers"
)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The gw binary under test.
pub const GW: &str = env!("CARGO_BIN_EXE_gw");

/// A child process, killed when dropped.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `gw ARGS` pinned to `core`, waits for the line that names its URL, returns both.
pub fn spawn(core: u32, args: &[&str], envs: &[(&str, &str)]) -> (Proc, String) {
    let mut cmd = Command::new("taskset");
    cmd.arg("-c").arg(core.to_string()).arg(GW).args(args);
    cmd.stdout(Stdio::piped()).stderr(Stdio::null());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("taskset and gw are runnable");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("line");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("url")
        .to_string();
    (Proc(child), url)
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
