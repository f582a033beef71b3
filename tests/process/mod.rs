//! The `gw` binary as a child process, for the tests that run it the way users do (and the load
//! benchmarks, which include this file and pin gw to a core).
#![allow(
    dead_code,
    reason = "each test or bench binary that includes this module uses a different part of it"
)]

pub mod redis;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The gw binary under test.
pub const GW: &str = env!("CARGO_BIN_EXE_gw");

/// A child process stopped on drop.
pub struct Proc(pub Child);

impl Proc {
    /// Stops the process the way an operator does (SIGTERM) and waits for it: gw drains, and the
    /// audit writer flushes every record before it exits.
    pub fn stop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.0.id().to_string())
            .status();
        let _ = self.0.wait();
    }
}

impl Drop for Proc {
    /// SIGTERM first, so a child that owns temporary state (the emulator's S3 directory) removes
    /// it; SIGKILL if it has not exited after a short grace.
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(Some(_))) {
            return;
        }
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.0.id().to_string())
            .status();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
        while std::time::Instant::now() < deadline {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `gw ARGS` (stderr discarded), waits for the line that names its URL.
pub fn spawn(args: &[&str], envs: &[(&str, &str)]) -> (Proc, String) {
    spawn_logged(args, envs, Stdio::null())
}

/// [`spawn`], with gw's stderr (its log) going to `stderr`. The caller's OTLP settings are
/// removed so a developer's environment cannot redirect a test's traces.
pub fn spawn_logged(args: &[&str], envs: &[(&str, &str)], stderr: Stdio) -> (Proc, String) {
    spawn_at(None, None, args, envs, stderr)
}

/// [`spawn`], pinned to CPU `core` with `taskset` (the load benchmarks keep gw, the emulator and
/// the load generator on separate cores).
pub fn spawn_pinned(core: u32, args: &[&str], envs: &[(&str, &str)]) -> (Proc, String) {
    spawn_at(Some(core), None, args, envs, Stdio::null())
}

/// [`spawn`] with `dir` as the working directory (where relative paths such as the embedded
/// pack's `./gw-audit` land).
pub fn spawn_in(dir: &std::path::Path, args: &[&str], envs: &[(&str, &str)]) -> (Proc, String) {
    spawn_at(None, Some(dir), args, envs, Stdio::null())
}

/// Starts `gw ARGS`, pinned to `core` when given, in `dir` when given, its log to `stderr`;
/// waits for the line that names its URL.
pub fn spawn_at(
    core: Option<u32>,
    dir: Option<&std::path::Path>,
    args: &[&str],
    envs: &[(&str, &str)],
    stderr: Stdio,
) -> (Proc, String) {
    let mut cmd = match core {
        Some(core) => {
            let mut c = Command::new("taskset");
            c.arg("-c").arg(core.to_string()).arg(GW);
            c
        }
        None => Command::new(GW),
    };
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    cmd.args(args)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .env_remove("AWS_PROFILE")
        .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
        .env_remove("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("gw starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_string();
    (Proc(child), url)
}
