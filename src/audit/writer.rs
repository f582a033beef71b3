//! The writer thread: the only code that appends to the audit files.
//!
//! It drains the queue in batches, chains each record onto the previous one, writes the batch
//! with one `write`, fsyncs as configured and then moves `audit.head`. A failed write is cut back
//! to the last good length (so no half line stays in the chain) and its records are counted as
//! dropped, which the chain then records. Files roll on the UTC day and on `max_file_bytes`.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::json;

use super::chain;
use super::files::{self, Head, LogFile};
use super::settings::{FileSinkConfig, Fsync, Msg};

/// How long the writer sleeps after a record for others to share its write and fsync. Requests
/// never wait for the writer, so this only delays when a record is durable, by at most this.
const LINGER: Duration = Duration::from_millis(2);
use super::time;

/// Most records taken from the queue before a batch is written.
const MAX_BATCH: usize = 4096;

pub(super) struct Writer {
    cfg: FileSinkConfig,
    _lock: File,
    /// The newest file found at open, appended to if it is today's and has room.
    resume: Option<LogFile>,
    file: Option<File>,
    name: String,
    day: i64,
    index: u32,
    /// Bytes written to the current file.
    size: u64,
    seq: u64,
    prev: String,
    /// Lines not yet written, and the chain state before them (to undo a failed write).
    pending: Vec<u8>,
    pending_lost: u64,
    undo: (u64, String),
    scratch: Vec<u8>,
    dropped: Arc<AtomicU64>,
    /// Records sent to this thread and not yet taken (the queue depth metric).
    queued: Arc<AtomicU64>,
    unsynced: bool,
    last_sync: Instant,
    retention_day: i64,
}

impl Writer {
    pub(super) fn new(
        cfg: FileSinkConfig,
        lock: File,
        resume: Option<LogFile>,
        seq: u64,
        prev: String,
        dropped: Arc<AtomicU64>,
        queued: Arc<AtomicU64>,
    ) -> Self {
        Self {
            cfg,
            _lock: lock,
            day: resume.as_ref().map_or(i64::MIN, |f| f.day),
            index: resume.as_ref().map_or(0, |f| f.index),
            resume,
            file: None,
            name: String::new(),
            size: 0,
            undo: (seq, prev.clone()),
            seq,
            prev,
            pending: Vec::with_capacity(1 << 20),
            pending_lost: 0,
            scratch: Vec::with_capacity(1024),
            dropped,
            queued,
            unsynced: false,
            last_sync: Instant::now(),
            retention_day: i64::MIN,
        }
    }

    /// The thread's loop: until `Stop` or every sender is gone.
    pub(super) fn run(mut self, rx: Receiver<Msg>) {
        let tick = match self.cfg.fsync {
            Fsync::Interval(d) => d,
            Fsync::EveryRecord => Duration::from_secs(1),
        };
        loop {
            let mut flushes = Vec::new();
            let mut stop = false;
            match rx.recv_timeout(tick) {
                Ok(msg) => {
                    self.handle(msg, &mut flushes, &mut stop);
                    // Group commit: records that arrive within LINGER of the first share its
                    // write (and, with `every_record`, its fsync). The writer parks through the
                    // linger instead of waiting on the queue, so those records' sends find no
                    // waiting receiver and wake nobody: a quiet gateway pays one wake-up, one
                    // write and one fsync per batch, not per request. A flush commits at once.
                    if !stop && flushes.is_empty() {
                        self.linger();
                    }
                    for _ in 0..MAX_BATCH {
                        if stop {
                            break;
                        }
                        match rx.try_recv() {
                            Ok(msg) => self.handle(msg, &mut flushes, &mut stop),
                            Err(_) => break,
                        }
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => stop = true,
            }
            if let Err(e) = self.retention() {
                tracing::error!(target: "gw::audit", error = %e, "audit retention failed");
            }
            self.note_drops();
            if let Err(e) = self.commit(stop || !flushes.is_empty()) {
                tracing::error!(target: "gw::audit", error = %e, dir = %self.cfg.dir.display(), "audit write failed; the records are counted as dropped");
            }
            for f in flushes {
                let _ = f.send(());
            }
            if stop {
                return;
            }
        }
    }

    /// Parks for LINGER, or until the send that fills half the queue unparks it
    /// (`FileSinkConfig::linger_cut`): a burst, or a small queue, never waits on a sleeping
    /// writer, and a blocking send never stalls a request for the whole linger.
    fn linger(&self) {
        let deadline = Instant::now() + LINGER;
        let cut = self.cfg.linger_cut();
        while self.queued.load(Ordering::Relaxed) < cut {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            std::thread::park_timeout(left);
        }
    }

    fn handle(
        &mut self,
        msg: Msg,
        flushes: &mut Vec<std::sync::mpsc::Sender<()>>,
        stop: &mut bool,
    ) {
        match msg {
            Msg::Record(r) => {
                self.queued.fetch_sub(1, Ordering::Relaxed);
                let mut body = std::mem::take(&mut self.scratch);
                body.clear();
                let result = serde_json::to_writer(&mut body, &r)
                    .map_err(io::Error::other)
                    .and_then(|()| self.append("request", &body, 1));
                self.scratch = body;
                if let Err(e) = result {
                    self.dropped.fetch_add(1, Ordering::Relaxed);
                    tracing::error!(target: "gw::audit", error = %e, "cannot append an audit record; counted as dropped");
                }
            }
            Msg::Flush(reply) => flushes.push(reply),
            Msg::Stop => *stop = true,
        }
    }

    /// Appends a system record (`seal`, `retention`, `dropped`) with `time_unix_ms` added.
    pub(super) fn append_system(&mut self, kind: &str, body: &serde_json::Value) -> io::Result<()> {
        let mut body = body.clone();
        if let Some(obj) = body.as_object_mut() {
            obj.insert("time_unix_ms".into(), json!(time::now_ms()));
        }
        let bytes = serde_json::to_vec(&body).map_err(io::Error::other)?;
        let lost = if kind == "dropped" {
            body["count"].as_u64().unwrap_or(0)
        } else {
            0
        };
        self.append(kind, &bytes, lost)
    }

    /// Chains one record onto the pending batch; `lost` is how many records are gone if this
    /// line never reaches the disk.
    fn append(&mut self, kind: &str, body: &[u8], lost: u64) -> io::Result<()> {
        let today = time::day_of_ms(time::now_ms());
        let est = (self.pending.len() + body.len() + 256) as u64;
        if self.file.is_none()
            || today > self.day
            || (self.size + est > self.cfg.max_file_bytes
                && self.size + self.pending.len() as u64 > 0)
        {
            self.write_pending()?;
            self.roll(today)?;
        }
        let hash = chain::encode(self.seq, &self.prev, kind, body, &mut self.pending);
        self.seq += 1;
        self.prev = hash;
        self.pending_lost += lost;
        Ok(())
    }

    /// Closes the current file (fsynced) and opens the next one.
    fn roll(&mut self, today: i64) -> io::Result<()> {
        if let Some(resume) = self.resume.take()
            && self.file.is_none()
            && resume.day == today
        {
            let f = OpenOptions::new().append(true).open(&resume.path)?;
            let size = f.metadata()?.len();
            if size < self.cfg.max_file_bytes {
                self.file = Some(f);
                self.name = resume.name;
                self.size = size;
                return Ok(());
            }
        }
        if let Some(f) = self.file.take()
            && self.unsynced
        {
            f.sync_data()?;
            self.unsynced = false;
        }
        // A clock that steps back never makes a file that sorts before the ones written.
        let day = today.max(self.day);
        let index = if day == self.day { self.index + 1 } else { 0 };
        let name = files::file_name(day, index);
        let f = OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(self.cfg.dir.join(&name))?;
        if let Ok(d) = File::open(&self.cfg.dir) {
            let _ = d.sync_all();
        }
        self.file = Some(f);
        self.name = name;
        self.day = day;
        self.index = index;
        self.size = 0;
        Ok(())
    }

    /// Writes the pending lines with one `write`; on failure cuts the file back and undoes the
    /// chain state, counting the lost records as dropped.
    fn write_pending(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let Some(f) = self.file.as_mut() else {
            return Err(self.undo_pending(io::Error::other("no audit file is open")));
        };
        match f.write_all(&self.pending) {
            Ok(()) => {
                self.size += self.pending.len() as u64;
                self.unsynced = true;
                self.pending.clear();
                self.pending_lost = 0;
                self.undo = (self.seq, self.prev.clone());
                Ok(())
            }
            Err(e) => {
                let _ = f.set_len(self.size);
                Err(self.undo_pending(e))
            }
        }
    }

    fn undo_pending(&mut self, e: io::Error) -> io::Error {
        self.dropped.fetch_add(self.pending_lost, Ordering::Relaxed);
        self.pending.clear();
        self.pending_lost = 0;
        (self.seq, self.prev) = self.undo.clone();
        e
    }

    /// Writes what is pending and fsyncs when due (`force`, every batch, or the interval);
    /// after an fsync `audit.head` names the newest durable record.
    pub(super) fn commit(&mut self, force: bool) -> io::Result<()> {
        self.write_pending()?;
        let due = match self.cfg.fsync {
            Fsync::EveryRecord => true,
            Fsync::Interval(d) => self.last_sync.elapsed() >= d,
        };
        if !self.unsynced || !(force || due) {
            return Ok(());
        }
        if let Some(f) = self.file.as_ref() {
            f.sync_data()?;
        }
        self.unsynced = false;
        self.last_sync = Instant::now();
        files::write_head(
            &self.cfg.dir,
            &Head {
                seq: self.seq.wrapping_sub(1),
                hash: self.prev.clone(),
                file: self.name.clone(),
            },
        )
    }

    /// Writes the count of records dropped since the last time, if any.
    fn note_drops(&mut self) {
        let n = self.dropped.swap(0, Ordering::Relaxed);
        if n > 0
            && self
                .append_system("dropped", &json!({ "count": n }))
                .is_err()
        {
            self.dropped.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Removes whole files older than `retention_days` (at most once per day), after writing
    /// and fsyncing a `retention` record that lists each with its last hash.
    pub(super) fn retention(&mut self) -> io::Result<()> {
        let Some(days) = self.cfg.retention_days else {
            return Ok(());
        };
        let today = time::day_of_ms(time::now_ms());
        if self.retention_day == today {
            return Ok(());
        }
        let cutoff = today - i64::from(days);
        let old: Vec<LogFile> = files::list(&self.cfg.dir)?
            .into_iter()
            .take_while(|f| f.day < cutoff && f.name != self.name)
            .collect();
        let mut removed = Vec::new();
        for f in &old {
            let tail = files::tail(&f.path)?;
            if let Some(link) = tail.last_line.and_then(|l| chain::check(&l).ok()) {
                removed.push(json!({"file": f.name, "last_seq": link.seq, "last_hash": link.hash}));
            }
        }
        if !old.is_empty() {
            self.append_system(
                "retention",
                &json!({"retention_days": days, "removed": removed}),
            )?;
            self.commit(true)?;
            for f in &old {
                std::fs::remove_file(&f.path)?;
            }
            if self
                .resume
                .as_ref()
                .is_some_and(|r| old.iter().any(|o| o.name == r.name))
            {
                self.resume = None;
            }
        }
        self.retention_day = today;
        Ok(())
    }
}
