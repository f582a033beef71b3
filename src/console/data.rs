//! What the console's pages show, read from the audit directories with the same scanner as
//! `gw audit query` (`audit::query::scan`): totals and series over a time range, a page of
//! records, one record by directory and sequence number, and each chain's verification.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::sync::Mutex;

use serde::Serialize;
use serde_json::Value;

use crate::audit::query::{Filter, Row, scan, scan_indexed};
use crate::audit::{files, verify};

/// Counts for one bucket (a day, a key, a model).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Counts {
    pub requests: u64,
    pub blocked: u64,
    pub redacted: u64,
    pub withheld: u64,
    pub errors: u64,
    pub cost_usd: f64,
}

impl Counts {
    fn add(&mut self, r: &Row) {
        self.requests += 1;
        if r.blocked() {
            self.blocked += 1;
        }
        if r.decisions.iter().any(|d| d.action == "redacted") {
            self.redacted += 1;
        }
        if r.decisions.iter().any(|d| d.action == "withheld") {
            self.withheld += 1;
        }
        if r.status >= 400 && !r.blocked() {
            self.errors += 1;
        }
        self.cost_usd += r.cost_usd.unwrap_or(0.0);
    }
}

/// Decisions by one policy: how often it blocked, redacted, withheld.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct PolicyCounts {
    pub blocked: u64,
    pub redacted: u64,
    pub withheld: u64,
}

/// The overview of a time range.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Overview {
    pub total: Counts,
    /// By UTC day (`YYYY-MM-DD`), in order.
    pub days: BTreeMap<String, Counts>,
    pub by_key: BTreeMap<String, Counts>,
    pub by_model: BTreeMap<String, Counts>,
    pub by_policy: BTreeMap<String, PolicyCounts>,
    /// Key, then policy.
    pub by_key_policy: BTreeMap<String, BTreeMap<String, PolicyCounts>>,
    pub by_entity: BTreeMap<String, u64>,
    /// Per split (`key`, `model`, `policy`, `entity`), group and day: requests for keys and
    /// models, decisions that acted for policies, entities found.
    #[serde(skip)]
    pub series: BTreeMap<&'static str, BTreeMap<String, BTreeMap<String, f64>>>,
}

impl Overview {
    fn count(&mut self, split: &'static str, group: &str, day: &str, n: f64) {
        *self
            .series
            .entry(split)
            .or_default()
            .entry(group.to_string())
            .or_default()
            .entry(day.to_string())
            .or_default() += n;
    }
}

/// Totals over the records `filter` keeps.
pub fn overview(dirs: &[PathBuf], filter: &Filter) -> std::io::Result<Overview> {
    let mut o = Overview::default();
    scan(dirs, filter, |_, r| {
        o.total.add(r);
        let day = crate::audit::time::format_day(crate::audit::time::day_of_ms(r.time_unix_ms));
        o.days.entry(day.clone()).or_default().add(r);
        let key = r.key_id.clone().unwrap_or_else(|| "-".into());
        o.by_key.entry(key.clone()).or_default().add(r);
        let model = r.model.clone().unwrap_or_else(|| "-".into());
        o.count("key", &key, &day, 1.0);
        o.count("model", &model, &day, 1.0);
        o.by_model.entry(model).or_default().add(r);
        for d in &r.decisions {
            let bump = |c: &mut PolicyCounts| match d.action.as_str() {
                "blocked" => c.blocked += 1,
                "redacted" => c.redacted += 1,
                "withheld" => c.withheld += 1,
                _ => {}
            };
            bump(o.by_policy.entry(d.policy.clone()).or_default());
            bump(
                o.by_key_policy
                    .entry(key.clone())
                    .or_default()
                    .entry(d.policy.clone())
                    .or_default(),
            );
            if d.action != "allowed" {
                o.count("policy", &d.policy, &day, 1.0);
                for (entity, n) in &d.entities {
                    *o.by_entity.entry(entity.clone()).or_default() += n;
                    o.count("entity", entity, &day, *n as f64);
                }
            }
        }
        true
    })?;
    Ok(o)
}

/// One row of the records table, with where it lives (directory index) for its link.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    pub dir: usize,
    pub seq: u64,
    pub time: String,
    pub replica: String,
    pub key: String,
    pub model: String,
    pub target: String,
    pub status: u16,
    pub outcome: String,
    pub decisions: String,
    pub cost_usd: Option<f64>,
}

/// A page of records: `page` (from 0) of `per_page`, whether more follow.
pub fn page(
    dirs: &[PathBuf],
    filter: &Filter,
    keep: &Keep,
    page: usize,
    per_page: usize,
) -> std::io::Result<(Vec<Listed>, bool)> {
    let skip = page.saturating_mul(per_page);
    let mut seen = 0usize;
    let mut out = Vec::with_capacity(per_page);
    let mut more = false;
    let replicas: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    scan_indexed(dirs, filter, |dir, line, r| {
        if !keep.keeps(line, r) {
            return true;
        }
        seen += 1;
        if seen <= skip {
            return true;
        }
        if out.len() == per_page {
            more = true;
            return false;
        }
        out.push(Listed {
            dir,
            seq: r.seq,
            time: crate::audit::time::format_time(r.time_unix_ms),
            replica: r.replica.clone().unwrap_or_else(|| replicas[dir].clone()),
            key: r.key_id.clone().unwrap_or_else(|| "-".into()),
            model: r.model.clone().unwrap_or_else(|| "-".into()),
            target: r.target().to_string(),
            status: r.status,
            outcome: r.outcome.clone(),
            decisions: acted(r),
            cost_usd: r.cost_usd,
        });
        true
    })?;
    Ok((out, more))
}

/// Every record `filter` (and `text`) keeps, for export, as the stored lines.
pub fn export(
    dirs: &[PathBuf],
    filter: &Filter,
    keep: &Keep,
    mut each: impl FnMut(&[u8], &Row),
) -> std::io::Result<()> {
    scan(dirs, filter, |line, r| {
        if keep.keeps(line, r) {
            each(line, r);
        }
        true
    })?;
    Ok(())
}

/// The console's filters beyond `audit::query::Filter`: outcome, entity type, and free text over
/// the stored record (its content included).
#[derive(Debug, Default)]
pub struct Keep {
    pub outcome: Option<String>,
    pub entity: Option<String>,
    /// As it appears inside the JSON line.
    text: Option<String>,
}

impl Keep {
    pub fn new(outcome: Option<String>, entity: Option<String>, text: Option<&str>) -> Self {
        Self {
            outcome,
            entity,
            text: text.map(json_fragment),
        }
    }

    fn keeps(&self, line: &[u8], r: &Row) -> bool {
        self.outcome.as_ref().is_none_or(|o| &r.outcome == o)
            && self.entity.as_ref().is_none_or(|e| {
                r.decisions
                    .iter()
                    .any(|d| d.action != "allowed" && d.entities.iter().any(|(n, _)| n == e))
            })
            && self
                .text
                .as_ref()
                .is_none_or(|t| contains(line, t.as_bytes()))
    }
}

/// The decisions that acted, as `policy:action` (`-` when none did).
pub fn acted(r: &Row) -> String {
    let v: Vec<String> = r
        .decisions
        .iter()
        .filter(|d| d.action != "allowed")
        .map(|d| format!("{}:{}", d.policy, d.action))
        .collect();
    if v.is_empty() {
        "-".into()
    } else {
        v.join(", ")
    }
}

/// `text` as it appears inside a JSON string (quotes, backslashes and controls escaped).
fn json_fragment(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    quoted[1..quoted.len().saturating_sub(1).max(1)].to_string()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

/// The record with `seq` in `dir`, parsed whole.
pub fn find(dir: &std::path::Path, seq: u64) -> std::io::Result<Option<Value>> {
    let prefix = format!("{{\"seq\":{seq},");
    let mut buf = Vec::with_capacity(4096);
    for f in files::list(dir)? {
        let mut reader = BufReader::new(std::fs::File::open(&f.path)?);
        loop {
            buf.clear();
            if reader.read_until(b'\n', &mut buf)? == 0 {
                break;
            }
            if buf.starts_with(prefix.as_bytes()) {
                return Ok(serde_json::from_slice(&buf).ok());
            }
        }
    }
    Ok(None)
}

/// A directory's chain status, as the overview shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ChainStatus {
    pub dir: String,
    pub ok: bool,
    pub records: u64,
    pub files: usize,
    /// The first broken link: file, line, why.
    pub broken: Option<String>,
}

/// Verifies each directory, remembering the answer until one of its files changes.
#[derive(Default)]
pub struct Verifier(Mutex<HashMap<PathBuf, (Signature, ChainStatus)>>);

/// A directory's files with their sizes and modification times: an appended or edited file
/// changes it.
type Signature = Vec<(String, u64, Option<std::time::SystemTime>)>;

impl Verifier {
    pub fn status(&self, dir: &std::path::Path) -> ChainStatus {
        let signature: Signature = files::list(dir)
            .unwrap_or_default()
            .into_iter()
            .map(|f| {
                let meta = std::fs::metadata(&f.path).ok();
                let len = meta.as_ref().map_or(0, std::fs::Metadata::len);
                (f.name, len, meta.and_then(|m| m.modified().ok()))
            })
            .collect();
        let mut cache = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((sig, status)) = cache.get(dir)
            && *sig == signature
        {
            return status.clone();
        }
        let status = match verify::verify_dir(dir) {
            Ok(s) => ChainStatus {
                dir: dir.display().to_string(),
                ok: true,
                records: s.records,
                files: s.files,
                broken: None,
            },
            Err(b) => ChainStatus {
                dir: dir.display().to_string(),
                ok: false,
                records: 0,
                files: signature.len(),
                broken: Some(format!("{}, line {}: {}", b.file, b.line, b.reason)),
            },
        };
        cache.insert(dir.to_path_buf(), (signature, status.clone()));
        status
    }
}
