//! [`FileSink`]: the durable audit trail. Opening it recovers the directory (seals a record torn
//! by a crash, verifies the chain when `immutable`), then a dedicated thread owns the files and
//! requests only hand records to a bounded queue, so disk latency never sits on the request path.

use std::fs::OpenOptions;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use serde_json::json;
use sha2::{Digest, Sha256};

use super::SinkStats;
use super::chain::{self, GENESIS};
use super::files;
use super::settings::Msg;
pub use super::settings::{Backpressure, FileSinkConfig, Fsync};
use super::verify::{self, Break};
use super::writer::Writer;
use super::{AuditRecord, AuditSink};

/// Why an audit directory could not be opened for writing.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("audit log `{dir}`: cannot {what}: {source}")]
    Io {
        dir: String,
        what: String,
        source: io::Error,
    },
    #[error(
        "audit log `{dir}` does not verify: {brk}; `immutable: true` refuses to append to a \
         broken chain (inspect it with `gw audit verify {dir}`)"
    )]
    Broken { dir: String, brk: Break },
    #[error(
        "audit log `{dir}` is being written by another process (it holds `audit.lock`); two \
         writers would fork the chain"
    )]
    Locked { dir: String },
    #[error(
        "audit log `{dir}`: the last record of {file} is unreadable ({reason}); refusing to \
         continue a chain from it (inspect it with `gw audit verify {dir}`)"
    )]
    Unreadable {
        dir: String,
        file: String,
        reason: String,
    },
}

/// The hash-chained JSON Lines audit trail (see [`super::chain`] for the line format).
pub struct FileSink {
    tx: SyncSender<Msg>,
    backpressure: Backpressure,
    /// Dropped and not yet written into the chain (the writer takes it).
    dropped: Arc<AtomicU64>,
    dropped_total: AtomicU64,
    /// Records queued for the writer thread and not yet taken by it.
    queued: Arc<AtomicU64>,
    /// Queue depth at which a send cuts the writer's linger short (half the queue), so a burst
    /// never fills the queue while the writer sleeps.
    wake_at: u64,
    writer: std::thread::Thread,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl FileSink {
    /// Opens (creating) the directory, seals a torn last record, checks the chain when
    /// `immutable`, applies retention, and starts the writer thread.
    pub fn open(cfg: FileSinkConfig) -> Result<Self, OpenError> {
        let dir_s = cfg.dir.display().to_string();
        let io_err = |what: &str, source: io::Error| OpenError::Io {
            dir: dir_s.clone(),
            what: what.to_string(),
            source,
        };
        std::fs::create_dir_all(&cfg.dir).map_err(|e| io_err("create the directory", e))?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(cfg.dir.join(files::LOCK))
            .map_err(|e| io_err("open audit.lock", e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(OpenError::Locked { dir: dir_s }),
            Err(std::fs::TryLockError::Error(e)) => return Err(io_err("lock audit.lock", e)),
        }
        let list = files::list(&cfg.dir).map_err(|e| io_err("list the directory", e))?;
        let mut seals = Vec::new();
        if let Some(last) = list.last()
            && let Some(seal) = seal_torn(&last.path, &last.name).map_err(|e| io_err("seal", e))?
        {
            seals.push(seal);
        }
        let (next_seq, prev) = if cfg.immutable {
            let summary = verify::verify_dir(&cfg.dir).map_err(|brk| OpenError::Broken {
                dir: dir_s.clone(),
                brk,
            })?;
            summary
                .last
                .map_or((0, GENESIS.to_string()), |(s, h)| (s + 1, h))
        } else {
            continue_from(&cfg.dir, &list)?
        };
        if let Ok(Some(head)) = files::read_head(&cfg.dir)
            && next_seq <= head.seq
        {
            // Only reachable without `immutable` (verify refuses this): note the gap in the chain.
            seals.push(json!({"reason": "records_missing_at_end", "head_seq": head.seq,
                "head_hash": head.hash, "head_file": head.file, "chain_ends_at_seq": next_seq.wrapping_sub(1)}));
        }
        let dropped = Arc::new(AtomicU64::new(0));
        let queued = Arc::new(AtomicU64::new(0));
        let mut writer = Writer::new(
            cfg.clone(),
            lock,
            list.last().cloned(),
            next_seq,
            prev,
            dropped.clone(),
            queued.clone(),
        );
        for seal in seals {
            writer
                .append_system("seal", &seal)
                .map_err(|e| io_err("write the seal record", e))?;
        }
        writer
            .retention()
            .map_err(|e| io_err("apply retention", e))?;
        writer
            .commit(true)
            .map_err(|e| io_err("write the first records", e))?;
        let (tx, rx) = mpsc::sync_channel(cfg.queue_capacity);
        let thread = std::thread::Builder::new()
            .name("gw-audit-writer".into())
            .spawn(move || writer.run(rx))
            .map_err(|e| io_err("start the writer thread", e))?;
        Ok(Self {
            tx,
            backpressure: cfg.backpressure,
            dropped,
            dropped_total: AtomicU64::new(0),
            queued,
            wake_at: cfg.linger_cut(),
            writer: thread.thread().clone(),
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Records dropped by `drop_and_count` since this sink opened.
    pub fn dropped_total(&self) -> u64 {
        self.dropped_total.load(Ordering::Relaxed)
    }

    fn count_drop(&self) {
        self.dropped.fetch_add(1, Ordering::Relaxed);
        self.dropped_total.fetch_add(1, Ordering::Relaxed);
    }
}

impl AuditSink for FileSink {
    fn write(&self, record: AuditRecord) {
        let msg = Msg::Record(Box::new(record));
        // Counted before the send so the writer's decrement can never run first.
        if self.queued.fetch_add(1, Ordering::Relaxed) + 1 == self.wake_at {
            self.writer.unpark();
        }
        let sent = match self.backpressure {
            Backpressure::Block => self.tx.send(msg).is_ok(),
            Backpressure::DropAndCount => match self.tx.try_send(msg) {
                Ok(()) => true,
                Err(TrySendError::Full(_)) => {
                    self.queued.fetch_sub(1, Ordering::Relaxed);
                    self.count_drop();
                    true
                }
                Err(TrySendError::Disconnected(_)) => {
                    self.queued.fetch_sub(1, Ordering::Relaxed);
                    false
                }
            },
        };
        if !sent && self.backpressure == Backpressure::Block {
            self.queued.fetch_sub(1, Ordering::Relaxed);
        }
        if !sent {
            self.dropped_total.fetch_add(1, Ordering::Relaxed);
            tracing::error!(target: "gw::audit", "the audit writer has stopped: a record was lost");
        }
    }

    fn stats(&self) -> SinkStats {
        SinkStats {
            queued: self.queued.load(Ordering::Relaxed),
            dropped: self.dropped_total(),
        }
    }

    fn flush(&self) {
        let (tx, rx) = mpsc::channel();
        if self.tx.send(Msg::Flush(tx)).is_ok() {
            let _ = rx.recv();
        }
    }
}

impl Drop for FileSink {
    fn drop(&mut self) {
        let _ = self.tx.send(Msg::Stop);
        let handle = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(h) = handle {
            let _ = h.join();
        }
    }
}

/// Cuts bytes after the last newline of `path` (a record torn by a crash) and describes the cut.
fn seal_torn(path: &Path, name: &str) -> io::Result<Option<serde_json::Value>> {
    let tail = files::tail(path)?;
    let Some((offset, bytes)) = tail.torn else {
        return Ok(None);
    };
    let f = OpenOptions::new().write(true).open(path)?;
    f.set_len(offset)?;
    f.sync_all()?;
    tracing::warn!(target: "gw::audit", file = name, offset, cut_bytes = bytes.len(), "sealed a record torn by a crash");
    Ok(Some(json!({
        "reason": "torn_write",
        "file": name,
        "offset": offset,
        "cut_bytes": bytes.len(),
        "cut_sha256": hex::encode(Sha256::digest(&bytes)),
    })))
}

/// Where a chain continues without a full verify: after the newest complete record.
fn continue_from(dir: &Path, list: &[files::LogFile]) -> Result<(u64, String), OpenError> {
    for f in list.iter().rev() {
        let tail = files::tail(&f.path).map_err(|e| OpenError::Io {
            dir: dir.display().to_string(),
            what: format!("read {}", f.name),
            source: e,
        })?;
        if let Some(line) = tail.last_line {
            let link = chain::check(&line).map_err(|reason| OpenError::Unreadable {
                dir: dir.display().to_string(),
                file: f.name.clone(),
                reason: reason.to_string(),
            })?;
            return Ok((link.seq + 1, link.hash));
        }
    }
    Ok((0, GENESIS.to_string()))
}
