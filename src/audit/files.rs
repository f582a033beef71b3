//! The audit directory's layout: which files hold the chain, in what order, how their tails look,
//! and the head file that remembers the newest record (so cutting records off the end shows).
//!
//! Files are `audit-YYYY-MM-DD-NNNN.jsonl` (UTC day of writing, then a roll counter), so sorting
//! names sorts the chain. `audit.head` holds `{"seq":N,"hash":"…","file":"…"}` of the newest
//! fsynced record; `audit.lock` keeps a second gw from writing the same chain.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::time;

/// Name of the head file.
pub const HEAD: &str = "audit.head";
/// Name of the lock file.
pub const LOCK: &str = "audit.lock";

/// One file of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFile {
    pub path: PathBuf,
    pub name: String,
    /// UTC day number it was written on.
    pub day: i64,
    /// Roll counter within the day.
    pub index: u32,
}

/// The file name for a day and roll counter.
pub fn file_name(day: i64, index: u32) -> String {
    format!("audit-{}-{index:04}.jsonl", time::format_day(day))
}

/// The day and roll counter of a chain file name, `None` for anything else.
pub fn parse_file_name(name: &str) -> Option<(i64, u32)> {
    let stem = name.strip_prefix("audit-")?.strip_suffix(".jsonl")?;
    let day = time::parse_day(stem.get(0..10)?)?;
    let index = stem.get(10..)?.strip_prefix('-')?;
    if index.len() != 4 {
        return None;
    }
    Some((day, index.parse().ok()?))
}

/// The chain's files in chain order (a missing directory has none).
pub fn list(dir: &Path) -> io::Result<Vec<LogFile>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some((day, index)) = parse_file_name(&name) {
            files.push(LogFile {
                path: entry.path(),
                name,
                day,
                index,
            });
        }
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

/// How a file ends.
#[derive(Debug, Default)]
pub struct Tail {
    /// The last newline-terminated line (without its newline).
    pub last_line: Option<Vec<u8>>,
    /// Bytes after the last newline (a record cut mid-write), with the offset they start at.
    pub torn: Option<(u64, Vec<u8>)>,
    pub len: u64,
}

/// Reads the end of a file: its last complete line and any torn bytes after it.
pub fn tail(path: &Path) -> io::Result<Tail> {
    let mut f = File::open(path)?;
    let len = f.metadata()?.len();
    let mut window: u64 = 64 * 1024;
    loop {
        let start = len.saturating_sub(window);
        f.seek(SeekFrom::Start(start))?;
        let mut buf = Vec::with_capacity((len - start) as usize);
        f.by_ref().take(len - start).read_to_end(&mut buf)?;
        let last_nl = buf.iter().rposition(|b| *b == b'\n');
        let torn_from = last_nl.map_or(0, |p| p + 1);
        let prev_nl = last_nl.and_then(|p| buf[..p].iter().rposition(|b| *b == b'\n'));
        // Enough is read once the last complete line is whole (or the whole file is read).
        if start == 0 || prev_nl.is_some() {
            let torn = (torn_from < buf.len())
                .then(|| (start + torn_from as u64, buf[torn_from..].to_vec()));
            let last_line = last_nl.map(|p| buf[prev_nl.map_or(0, |q| q + 1)..p].to_vec());
            return Ok(Tail {
                last_line,
                torn,
                len,
            });
        }
        window *= 4;
    }
}

/// The head file's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub seq: u64,
    pub hash: String,
    pub file: String,
}

/// Reads `audit.head`; `Ok(None)` when there is none.
pub fn read_head(dir: &Path) -> io::Result<Option<Head>> {
    match std::fs::read(dir.join(HEAD)) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Replaces `audit.head` atomically (write a temporary file, then rename).
pub fn write_head(dir: &Path, head: &Head) -> io::Result<()> {
    let tmp = dir.join("audit.head.tmp");
    let bytes = serde_json::to_vec(head).map_err(io::Error::other)?;
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, dir.join(HEAD))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_in_chain_order_and_round_trip() {
        let a = file_name(19_000, 0);
        let b = file_name(19_000, 1);
        let c = file_name(19_001, 0);
        assert!(a < b && b < c);
        assert_eq!(parse_file_name(&b), Some((19_000, 1)));
        assert_eq!(parse_file_name("audit.head"), None);
        assert_eq!(parse_file_name("audit-2024-13-01-0000.jsonl"), None);
    }

    #[test]
    fn tail_finds_last_line_and_torn_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"one\ntwo\nthr").unwrap();
        let t = tail(&p).unwrap();
        assert_eq!(t.last_line.as_deref(), Some(&b"two"[..]));
        assert_eq!(t.torn, Some((8, b"thr".to_vec())));
        std::fs::write(&p, b"only\n").unwrap();
        let t = tail(&p).unwrap();
        assert_eq!(t.last_line.as_deref(), Some(&b"only"[..]));
        assert!(t.torn.is_none());
        std::fs::write(&p, b"").unwrap();
        assert!(tail(&p).unwrap().last_line.is_none());
    }
}
