//! `gw audit verify`: walks the whole chain of a directory and names the first broken link.
//!
//! It checks every line's hash, that each `prev` is the hash before it and `seq` counts up by
//! one (across files), that a chain which does not start at the genesis was cut by a recorded
//! retention, and that the chain reaches the record `audit.head` remembers (so records cut off
//! the end show). Nothing here panics on a corrupt file: every problem becomes a [`Break`].

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use super::chain::{self, GENESIS};
use super::files;

/// The first place the chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file} line {line}: {reason}")]
pub struct Break {
    /// File name within the directory (or the directory itself for directory-level problems).
    pub file: String,
    /// 1-based line number.
    pub line: u64,
    pub reason: String,
}

/// What a verified chain holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub records: u64,
    /// Records by `type`.
    pub kinds: Vec<(String, u64)>,
    /// `seq` and `hash` of the newest record.
    pub last: Option<(u64, String)>,
    /// The file the newest record is in.
    pub last_file: Option<String>,
}

/// Verifies the chain in `dir`.
pub fn verify_dir(dir: &Path) -> Result<Summary, Break> {
    let dir_name = dir.display().to_string();
    let io_break = |file: &str, line: u64, e: std::io::Error| Break {
        file: file.to_string(),
        line,
        reason: format!("cannot read: {e}"),
    };
    let list = files::list(dir).map_err(|e| io_break(&dir_name, 0, e))?;
    let mut summary = Summary {
        files: list.len(),
        ..Summary::default()
    };
    let mut kinds: HashMap<String, u64> = HashMap::new();
    let mut expect: Option<(u64, String)> = None;
    // A chain that starts mid-way: (file, seq, prev) until a retention record accounts for it.
    let mut dangling: Option<(String, u64, String)> = None;
    let mut retained: Vec<(u64, String)> = Vec::new();
    let head = files::read_head(dir).map_err(|e| Break {
        file: files::HEAD.into(),
        line: 1,
        reason: format!("unreadable head file: {e}"),
    })?;
    let mut head_seen = false;
    let mut last_pos = (String::new(), 0u64);
    let mut buf = Vec::with_capacity(4096);
    for f in &list {
        let file = File::open(&f.path).map_err(|e| io_break(&f.name, 0, e))?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut line_no = 0u64;
        loop {
            buf.clear();
            let n = reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| io_break(&f.name, line_no + 1, e))?;
            if n == 0 {
                break;
            }
            line_no += 1;
            let at = |reason: String| Break {
                file: f.name.clone(),
                line: line_no,
                reason,
            };
            let Some(line) = buf.strip_suffix(b"\n") else {
                return Err(at(format!(
                    "incomplete last line ({n} bytes, no newline): a record was cut mid-write"
                )));
            };
            let link = chain::check(line).map_err(|r| at(r.to_string()))?;
            if !link.intact {
                return Err(at(format!(
                    "hash mismatch on seq {}: the record was edited after it was written",
                    link.seq
                )));
            }
            match &expect {
                None if link.prev == GENESIS => {
                    if link.seq != 0 {
                        return Err(at(format!(
                            "the first record has seq {} but links to the genesis (expected seq 0)",
                            link.seq
                        )));
                    }
                }
                None => dangling = Some((f.name.clone(), link.seq, link.prev.clone())),
                Some((seq, prev)) => {
                    if &link.prev != prev {
                        return Err(at(format!(
                            "seq {}: `prev` is not the hash of the record before it (seq {}): a \
                             record was deleted, inserted or reordered here",
                            link.seq,
                            seq.wrapping_sub(1)
                        )));
                    }
                    if link.seq != *seq {
                        return Err(at(format!(
                            "seq {} follows seq {}: the sequence has a gap",
                            link.seq,
                            seq.wrapping_sub(1)
                        )));
                    }
                }
            }
            if link.kind == "retention" {
                collect_retained(line, &mut retained);
            }
            if let Some(h) = &head
                && h.seq == link.seq
            {
                if h.hash != link.hash {
                    return Err(at(format!(
                        "seq {} has hash {} but `{}` remembers {}: the chain was rewritten",
                        link.seq,
                        link.hash,
                        files::HEAD,
                        h.hash
                    )));
                }
                head_seen = true;
            }
            *kinds.entry(link.kind).or_default() += 1;
            summary.records += 1;
            expect = Some((link.seq + 1, link.hash));
            last_pos = (f.name.clone(), line_no);
        }
    }
    if let Some((file, seq, prev)) = dangling {
        let ok = retained
            .iter()
            .any(|(s, h)| *h == prev && s.wrapping_add(1) == seq);
        if !ok {
            return Err(Break {
                file,
                line: 1,
                reason: format!(
                    "the chain starts at seq {seq}, linking to {prev}, but no retention record \
                     accounts for the records before it: earlier records were deleted"
                ),
            });
        }
    }
    if let Some(h) = head
        && !head_seen
    {
        let ends = expect
            .as_ref()
            .map_or("the log is empty".to_string(), |(s, _)| {
                format!("the chain ends at seq {}", s.wrapping_sub(1))
            });
        return Err(Break {
            file: if last_pos.0.is_empty() {
                h.file.clone()
            } else {
                last_pos.0.clone()
            },
            line: last_pos.1 + 1,
            reason: format!(
                "{ends} but `{}` records seq {} in {}: records were cut from the end",
                files::HEAD,
                h.seq,
                h.file
            ),
        });
    }
    let mut kinds: Vec<(String, u64)> = kinds.into_iter().collect();
    kinds.sort();
    summary.kinds = kinds;
    summary.last = expect.map(|(s, h)| (s.wrapping_sub(1), h));
    summary.last_file = (!last_pos.0.is_empty()).then_some(last_pos.0);
    Ok(summary)
}

/// The `(last_seq, last_hash)` pairs a retention record lists for the files it removed.
fn collect_retained(line: &[u8], out: &mut Vec<(u64, String)>) {
    #[derive(serde::Deserialize)]
    struct Removed {
        last_seq: u64,
        last_hash: String,
    }
    #[derive(serde::Deserialize)]
    struct Retention {
        #[serde(default)]
        removed: Vec<Removed>,
    }
    if let Ok(r) = serde_json::from_slice::<Retention>(line) {
        out.extend(r.removed.into_iter().map(|r| (r.last_seq, r.last_hash)));
    }
}
