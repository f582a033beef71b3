//! A real `redis-server` (the Debian package; `.ci/run` installs it) on a free loopback port,
//! for the tests and the bench that share limits across gw replicas. Killed on drop.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One redis-server process; `kill` and `start` again on the same port model an outage.
pub struct Redis {
    pub port: u16,
    child: Option<Child>,
    /// Extra `redis-server` arguments (TLS, a password).
    args: Vec<String>,
}

impl Redis {
    /// Starts redis-server on a free port, without persistence, and waits until it answers.
    pub fn start() -> Self {
        Self::start_with(|_| Vec::new())
    }

    /// [`Redis::start`] with extra arguments made from the port (e.g. TLS on that port, and
    /// plain TCP off); it is then waited for by connecting only.
    pub fn start_with(args: impl FnOnce(u16) -> Vec<String>) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let mut r = Self {
            port,
            child: None,
            args: args(port),
        };
        r.restart();
        r
    }

    /// `redis://127.0.0.1:<port>/0`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts the server again on the same port (empty: nothing was persisted).
    pub fn restart(&mut self) {
        self.kill();
        let mut cmd = Command::new("redis-server");
        if self.args.is_empty() {
            cmd.args(["--port", &self.port.to_string()]);
        }
        let child = cmd
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(&self.args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server runs (apt-get install redis-server)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let up = if self.args.is_empty() {
                self.ping()
            } else {
                TcpStream::connect(("127.0.0.1", self.port)).is_ok()
            };
            if up {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server did not answer on port {}", self.port);
    }

    /// The server's process id (0 while it is down).
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Whether the server answers `PING`.
    pub fn ping(&self) -> bool {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
        let mut buf = [0u8; 7];
        s.write_all(b"PING\r\n").is_ok() && s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
    }
}
