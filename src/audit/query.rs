//! `gw audit query`: streams the chain's files and yields the request records a filter selects.
//!
//! Speed on real volumes comes from not parsing what cannot match: files outside the time range
//! are skipped by name, and each line must first contain every filter's literal JSON fragment
//! (`"model":"x"` and so on) before it is parsed; the parse then checks the fields exactly.
//!
//! Several directories (one per replica: each keeps its own chain) are read side by side and
//! interleaved by record time, holding one record per directory in memory. Each directory stays in
//! its chain order, which is the order requests finished; `time_unix_ms` is when they started, so
//! within one replica a long stream can appear after shorter requests that began later.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::files;
use super::time;

/// Which records a query (or `stats`) keeps. Empty fields match everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Unix ms, inclusive.
    pub since: Option<u64>,
    /// Unix ms, exclusive.
    pub until: Option<u64>,
    pub key: Option<String>,
    pub model: Option<String>,
    pub target: Option<String>,
    pub decision: Option<DecisionKind>,
    pub policy: Option<String>,
    pub status: Option<u16>,
    /// Only records this replica wrote.
    pub replica: Option<String>,
}

/// `--decision`: what the policies did to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DecisionKind {
    /// Refused by a policy (outcome `blocked` or a `blocked` decision).
    Blocked,
    /// Some text was redacted.
    Redacted,
    /// Part of a tool result or document was withheld (prompt-injection, `action: redact`).
    Withheld,
    /// Not blocked by any policy.
    Allowed,
}

/// The fields of a request record that queries and stats read.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Row {
    pub seq: u64,
    #[serde(rename = "type")]
    pub kind: String,
    pub time_unix_ms: u64,
    pub request_id: String,
    pub pack: String,
    /// The gw process that wrote it (absent in records from before replicas were named).
    pub replica: Option<String>,
    pub endpoint: String,
    pub key_id: Option<String>,
    pub model: Option<String>,
    pub stream: bool,
    pub status: u16,
    pub outcome: String,
    pub error: Option<String>,
    pub attempts: Vec<AttemptRow>,
    pub decisions: Vec<DecisionRow>,
    pub usage: Option<UsageRow>,
    /// What the reply cost in US dollars, when priced.
    pub cost_usd: Option<f64>,
    pub latency_ms: f64,
}

/// An upstream attempt as stored.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AttemptRow {
    pub target: String,
    pub region: String,
    pub outcome: String,
}

/// A policy decision as stored.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DecisionRow {
    pub policy: String,
    pub action: String,
    pub entities: Vec<(String, u64)>,
}

/// Token usage as stored.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(default)]
pub struct UsageRow {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

impl Row {
    /// The target that answered (or was tried last).
    pub fn target(&self) -> &str {
        self.attempts.last().map_or("", |a| a.target.as_str())
    }

    pub fn blocked(&self) -> bool {
        self.outcome == "blocked" || self.decisions.iter().any(|d| d.action == "blocked")
    }
}

impl Filter {
    /// JSON fragments a matching line must contain (cheap substring checks before parsing).
    fn needles(&self) -> Vec<String> {
        let s = |v: &str| serde_json::to_string(v).unwrap_or_default();
        let mut n = Vec::new();
        if let Some(k) = &self.key {
            n.push(format!("\"key_id\":{}", s(k)));
        }
        if let Some(m) = &self.model {
            n.push(format!("\"model\":{}", s(m)));
        }
        if let Some(t) = &self.target {
            n.push(format!("\"target\":{}", s(t)));
        }
        if let Some(p) = &self.policy {
            n.push(format!("\"policy\":{}", s(p)));
        }
        if let Some(st) = self.status {
            n.push(format!("\"status\":{st},"));
        }
        if let Some(r) = &self.replica {
            n.push(format!("\"replica\":{}", s(r)));
        }
        match self.decision {
            Some(DecisionKind::Blocked) => n.push("blocked".into()),
            Some(DecisionKind::Redacted) => n.push("\"action\":\"redacted\"".into()),
            Some(DecisionKind::Withheld) => n.push("\"action\":\"withheld\"".into()),
            _ => {}
        }
        n
    }

    /// The exact check on a parsed request record.
    pub fn matches(&self, r: &Row) -> bool {
        let eq = |want: &Option<String>, got: Option<&str>| {
            want.as_deref().is_none_or(|w| got == Some(w))
        };
        self.since.is_none_or(|s| r.time_unix_ms >= s)
            && self.until.is_none_or(|u| r.time_unix_ms < u)
            && eq(&self.key, r.key_id.as_deref())
            && eq(&self.model, r.model.as_deref())
            && self
                .target
                .as_deref()
                .is_none_or(|t| r.attempts.iter().any(|a| a.target == t))
            && self
                .policy
                .as_deref()
                .is_none_or(|p| r.decisions.iter().any(|d| d.policy == p))
            && self.status.is_none_or(|s| r.status == s)
            && eq(&self.replica, r.replica.as_deref())
            && match self.decision {
                None => true,
                Some(DecisionKind::Blocked) => r.blocked(),
                Some(DecisionKind::Redacted) => r.decisions.iter().any(|d| d.action == "redacted"),
                Some(DecisionKind::Withheld) => r.decisions.iter().any(|d| d.action == "withheld"),
                Some(DecisionKind::Allowed) => !r.blocked(),
            }
    }

    fn day_range(&self) -> (i64, i64) {
        // A record is written on its own day or shortly after midnight the next.
        let lo = self.since.map_or(i64::MIN, time::day_of_ms);
        let hi = self
            .until
            .map_or(i64::MAX, |u| time::day_of_ms(u).saturating_add(1));
        (lo, hi)
    }
}

/// Calls `each(line, row)` for every request record in `dirs` that `filter` keeps, until it
/// returns `false`: one directory in chain order, several merged by `time_unix_ms` (each in its
/// own chain order). Returns how many matched. Unreadable lines are skipped (`verify` is the
/// tool that reports them).
pub fn scan(
    dirs: &[PathBuf],
    filter: &Filter,
    mut each: impl FnMut(&[u8], &Row) -> bool,
) -> io::Result<u64> {
    scan_indexed(dirs, filter, |_, line, row| each(line, row))
}

/// [`scan`], also telling `each` which of `dirs` the record came from.
pub fn scan_indexed(
    dirs: &[PathBuf],
    filter: &Filter,
    mut each: impl FnMut(usize, &[u8], &Row) -> bool,
) -> io::Result<u64> {
    let mut readers = dirs
        .iter()
        .map(|d| Records::open(d, filter))
        .collect::<io::Result<Vec<_>>>()?;
    let mut heads: Vec<Option<(String, Row)>> = Vec::with_capacity(readers.len());
    let mut order = BinaryHeap::new();
    for (i, r) in readers.iter_mut().enumerate() {
        let head = r.next_match()?;
        if let Some((_, row)) = &head {
            order.push(Reverse((row.time_unix_ms, i)));
        }
        heads.push(head);
    }
    let mut matched = 0;
    while let Some(Reverse((_, i))) = order.pop() {
        let Some((line, row)) = heads[i].take() else {
            continue;
        };
        matched += 1;
        if !each(i, line.as_bytes(), &row) {
            return Ok(matched);
        }
        heads[i] = readers[i].next_match()?;
        if let Some((_, row)) = &heads[i] {
            order.push(Reverse((row.time_unix_ms, i)));
        }
    }
    Ok(matched)
}

/// The matching request records of one directory, file by file, in chain order.
struct Records<'f> {
    filter: &'f Filter,
    needles: Vec<String>,
    files: std::vec::IntoIter<files::LogFile>,
    reader: Option<BufReader<File>>,
    buf: Vec<u8>,
}

impl<'f> Records<'f> {
    fn open(dir: &Path, filter: &'f Filter) -> io::Result<Self> {
        let (lo, hi) = filter.day_range();
        let list: Vec<_> = files::list(dir)?
            .into_iter()
            .filter(|f| f.day >= lo && f.day <= hi)
            .collect();
        Ok(Self {
            filter,
            needles: filter.needles(),
            files: list.into_iter(),
            reader: None,
            buf: Vec::with_capacity(4096),
        })
    }

    /// The next record `filter` keeps, with its line.
    fn next_match(&mut self) -> io::Result<Option<(String, Row)>> {
        loop {
            let reader = match &mut self.reader {
                Some(r) => r,
                None => match self.files.next() {
                    None => return Ok(None),
                    Some(f) => self
                        .reader
                        .insert(BufReader::with_capacity(1 << 20, File::open(&f.path)?)),
                },
            };
            self.buf.clear();
            if reader.read_until(b'\n', &mut self.buf)? == 0 {
                self.reader = None;
                continue;
            }
            let Ok(line) = std::str::from_utf8(&self.buf) else {
                continue;
            };
            let line = line.trim_end_matches('\n');
            if !is_request(line) || !self.needles.iter().all(|n| line.contains(n.as_str())) {
                continue;
            }
            let filter = self.filter;
            if let Some(t) = quick_time(line)
                && (filter.since.is_some_and(|s| t < s) || filter.until.is_some_and(|u| t >= u))
            {
                continue;
            }
            let Ok(row) = serde_json::from_str::<Row>(line) else {
                continue;
            };
            if filter.matches(&row) {
                return Ok(Some((line.to_string(), row)));
            }
        }
    }
}

/// One CSV field, quoted when it holds a comma, quote or line break (RFC 4180). A value a
/// spreadsheet would run as a formula (`=`, `+`, `@`, a tab or carriage return, or `-` before
/// anything but a number) gets a leading `'`: model names and request ids come from clients.
pub fn csv_field(s: &str) -> String {
    let formula = s.starts_with(['=', '+', '@', '\t', '\r'])
        || (s.len() > 1 && s.starts_with('-') && s[1..].parse::<f64>().is_err());
    let s = if formula {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

/// Whether a line is a request record (its `type` sits right after `prev`).
fn is_request(line: &str) -> bool {
    line.get(..120)
        .unwrap_or(line)
        .contains(",\"type\":\"request\"")
}

/// `time_unix_ms` without a parse.
fn quick_time(line: &str) -> Option<u64> {
    const KEY: &str = "\"time_unix_ms\":";
    let at = line.find(KEY)? + KEY.len();
    let digits: &str = &line[at..];
    let end = digits.bytes().take_while(u8::is_ascii_digit).count();
    digits[..end].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(json: &str) -> Row {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn filters_match_exactly() {
        let r = row(
            r#"{"seq":1,"type":"request","time_unix_ms":1000,"key_id":"team-a","model":"claude","status":200,"outcome":"served","attempts":[{"target":"us","region":"r","outcome":"ok"}],"decisions":[{"policy":"pii-detector","action":"redacted","entities":[["EMAIL",2]]}]}"#,
        );
        let f = |f: Filter| f.matches(&r);
        assert!(f(Filter::default()));
        assert!(f(Filter {
            key: Some("team-a".into()),
            target: Some("us".into()),
            ..Filter::default()
        }));
        assert!(!f(Filter {
            key: Some("team".into()),
            ..Filter::default()
        }));
        assert!(f(Filter {
            decision: Some(DecisionKind::Redacted),
            ..Filter::default()
        }));
        assert!(f(Filter {
            decision: Some(DecisionKind::Allowed),
            ..Filter::default()
        }));
        assert!(!f(Filter {
            decision: Some(DecisionKind::Blocked),
            ..Filter::default()
        }));
        assert!(!f(Filter {
            since: Some(1001),
            ..Filter::default()
        }));
        assert!(!f(Filter {
            until: Some(1000),
            ..Filter::default()
        }));
        assert!(f(Filter {
            policy: Some("pii-detector".into()),
            status: Some(200),
            ..Filter::default()
        }));
        assert!(!f(Filter {
            status: Some(404),
            ..Filter::default()
        }));
    }

    #[test]
    fn prefilter_helpers() {
        let line = r#"{"seq":3,"prev":"00","type":"request","time_unix_ms":1234,"x":1}"#;
        assert!(is_request(line));
        assert!(!is_request(&line.replace("request", "seal")));
        assert_eq!(quick_time(line), Some(1234));
    }
}
