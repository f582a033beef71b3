//! How a file sink is set up, and what its writer thread is sent.
//!
//! Why it exists apart: the sink (the requests' side) and the writer (its own thread) both read
//! these; as a leaf of the audit folder it keeps them from importing each other.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use super::AuditRecord;
use crate::config::pack::{AuditBackpressure, AuditConfig, AuditFsync};

/// When written records are fsynced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fsync {
    /// After every batch the writer drains from the queue (group commit).
    EveryRecord,
    /// At most this long after a record is written.
    Interval(Duration),
}

/// What `write` does when the queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backpressure {
    /// Wait for room.
    Block,
    /// Drop the record and count it; the count is written into the chain.
    DropAndCount,
}

/// Everything a [`FileSink`] needs, usually from the pack's `audit-logger`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSinkConfig {
    pub dir: PathBuf,
    pub fsync: Fsync,
    pub backpressure: Backpressure,
    pub queue_capacity: usize,
    pub max_file_bytes: u64,
    pub retention_days: Option<u32>,
    pub immutable: bool,
}

impl FileSinkConfig {
    /// Defaults for a directory: fsync every record, block on a full queue of 8192, 256 MiB files.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            fsync: Fsync::EveryRecord,
            backpressure: Backpressure::Block,
            queue_capacity: 8192,
            max_file_bytes: 256 * 1024 * 1024,
            retention_days: None,
            immutable: false,
        }
    }

    /// The queue depth at which a send ends the writer's group-commit linger early: half the
    /// queue, at least one record.
    pub(crate) fn linger_cut(&self) -> u64 {
        (self.queue_capacity as u64 / 2).max(1)
    }

    /// The sink the pack's `policies.policy.audit-logger` describes.
    pub fn from_pack(c: &AuditConfig) -> Self {
        let backpressure = match c.on_backpressure {
            Some(AuditBackpressure::Block) => Backpressure::Block,
            Some(AuditBackpressure::DropAndCount) => Backpressure::DropAndCount,
            None if c.immutable => Backpressure::Block,
            None => Backpressure::DropAndCount,
        };
        Self {
            dir: PathBuf::from(&c.path),
            fsync: match c.fsync {
                AuditFsync::EveryRecord => Fsync::EveryRecord,
                AuditFsync::Interval => {
                    Fsync::Interval(Duration::from_millis(c.fsync_interval_ms.max(1)))
                }
            },
            backpressure,
            queue_capacity: c.queue_capacity.max(1),
            max_file_bytes: c.max_file_bytes.max(4096),
            retention_days: c.retention_days,
            immutable: c.immutable,
        }
    }
}

/// Messages to the writer thread.
pub(crate) enum Msg {
    Record(Box<AuditRecord>),
    Flush(mpsc::Sender<()>),
    Stop,
}
