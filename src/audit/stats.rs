//! `gw audit stats`: what a period of the trail adds up to (requests, blocks by policy,
//! redactions by entity type, errors by class, tokens by key and model).

use std::collections::BTreeMap;
use std::io;
use std::path::PathBuf;

use serde::Serialize;

use super::query::{self, Filter};

/// Totals over the selected request records.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    pub requests: u64,
    pub by_outcome: BTreeMap<String, u64>,
    /// Requests per replica (`-` for records that name none).
    pub by_replica: BTreeMap<String, u64>,
    /// Blocking decisions per policy.
    pub blocks_by_policy: BTreeMap<String, u64>,
    /// Redacted entities per type (summed counts).
    pub redactions_by_entity: BTreeMap<String, u64>,
    /// Error labels (`model_access_denied`, `client_closed_request`, …) per class.
    pub errors_by_class: BTreeMap<String, u64>,
    /// Keyed `key_id` then model (`-` when absent).
    pub tokens: BTreeMap<String, BTreeMap<String, Tokens>>,
    pub first_unix_ms: Option<u64>,
    pub last_unix_ms: Option<u64>,
}

/// Token totals for one key and model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tokens {
    pub requests: u64,
    pub input: u64,
    pub output: u64,
}

impl Stats {
    /// Adds one request record.
    pub fn add(&mut self, r: &query::Row) {
        self.requests += 1;
        *self.by_outcome.entry(r.outcome.clone()).or_default() += 1;
        let replica = r.replica.clone().unwrap_or_else(|| "-".into());
        *self.by_replica.entry(replica).or_default() += 1;
        for d in &r.decisions {
            match d.action.as_str() {
                "blocked" => *self.blocks_by_policy.entry(d.policy.clone()).or_default() += 1,
                "redacted" => {
                    for (entity, n) in &d.entities {
                        *self.redactions_by_entity.entry(entity.clone()).or_default() += n;
                    }
                }
                _ => {}
            }
        }
        if let Some(e) = &r.error {
            *self.errors_by_class.entry(e.clone()).or_default() += 1;
        }
        let key = r.key_id.clone().unwrap_or_else(|| "-".into());
        let model = r.model.clone().unwrap_or_else(|| "-".into());
        let t = self
            .tokens
            .entry(key)
            .or_default()
            .entry(model)
            .or_default();
        t.requests += 1;
        if let Some(u) = r.usage {
            t.input += u.input_tokens;
            t.output += u.output_tokens;
        }
        let ms = r.time_unix_ms;
        self.first_unix_ms = Some(self.first_unix_ms.map_or(ms, |f| f.min(ms)));
        self.last_unix_ms = Some(self.last_unix_ms.map_or(ms, |l| l.max(ms)));
    }
}

/// Totals over the request records of `dirs` (one per replica) that `filter` keeps.
pub fn collect(dirs: &[PathBuf], filter: &Filter) -> io::Result<Stats> {
    let mut stats = Stats::default();
    query::scan(dirs, filter, |_, row| {
        stats.add(row);
        true
    })?;
    Ok(stats)
}
