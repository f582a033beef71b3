//! The console's pages: overview, records, one record, exports, the policy playground.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::data::{self, Keep};
use super::{Console, chart};
use crate::audit::query::{DecisionKind, Filter};
use crate::audit::time;

/// Days the overview shows when no range is given.
const DEFAULT_DAYS: u64 = 7;
/// Records per page.
const PER_PAGE: usize = 50;

/// Every filter a page takes, as the query string carries them (empty means unset).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Params {
    since: String,
    until: String,
    key: String,
    model: String,
    target: String,
    status: String,
    outcome: String,
    policy: String,
    decision: String,
    entity: String,
    replica: String,
    q: String,
    /// Overview and chart only: what the second chart splits by.
    #[serde(skip_serializing)]
    split: String,
    #[serde(skip_serializing)]
    page: usize,
}

fn set(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

impl Params {
    /// The scanner's filter; `since`/`until` are UTC dates (until inclusive).
    fn filter(&self, default_days: Option<u64>) -> Result<Filter, String> {
        let day = |s: &str, name: &str| {
            time::parse_time(s).ok_or_else(|| format!("`{name}` {s} is not a date (YYYY-MM-DD)"))
        };
        let now = crate::clock::unix_now() * 1000;
        let since = match set(&self.since) {
            Some(s) => Some(day(&s, "since")?),
            None => default_days.map(|d| {
                let today = time::day_of_ms(now);
                (today - d as i64 + 1).max(0) as u64 * 86_400_000
            }),
        };
        let until = match set(&self.until) {
            Some(s) => Some(day(&s, "until")? + 86_400_000),
            None => None,
        };
        let decision = match self.decision.as_str() {
            "" => None,
            "blocked" => Some(DecisionKind::Blocked),
            "redacted" => Some(DecisionKind::Redacted),
            "withheld" => Some(DecisionKind::Withheld),
            "allowed" => Some(DecisionKind::Allowed),
            other => {
                return Err(format!(
                    "`decision` {other} is not blocked, redacted, withheld or allowed"
                ));
            }
        };
        let status = match set(&self.status) {
            None => None,
            Some(s) => Some(
                s.parse()
                    .map_err(|_| format!("`status` {s} is not a number"))?,
            ),
        };
        Ok(Filter {
            since,
            until,
            key: set(&self.key),
            model: set(&self.model),
            target: set(&self.target),
            decision,
            policy: set(&self.policy),
            status,
            replica: set(&self.replica),
        })
    }

    fn keep(&self) -> Keep {
        Keep::new(
            set(&self.outcome),
            set(&self.entity),
            set(&self.q).as_deref(),
        )
    }

    /// The range as dates for the form, filled with the defaults it used.
    fn range(&self, f: &Filter) -> (String, String) {
        let date = |ms: u64| time::format_day(time::day_of_ms(ms));
        let since = f.since.map(date).unwrap_or_default();
        let until = f
            .until
            .map(|u| date(u.saturating_sub(1)))
            .unwrap_or_default();
        (since, until)
    }

    /// These filters as a query string (for links and exports).
    fn query(&self) -> String {
        serde_urlencoded::to_string(self).unwrap_or_default()
    }
}

fn render(c: &Console, name: &str, ctx: minijinja::Value) -> Response {
    match c.templates.get_template(name).and_then(|t| t.render(ctx)) {
        Ok(html) => Html(html).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("template {name}: {e}"),
        )
            .into_response(),
    }
}

fn bad(msg: String) -> Response {
    (StatusCode::BAD_REQUEST, msg).into_response()
}

fn failed(e: std::io::Error) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("cannot read the audit trail: {e}"),
    )
        .into_response()
}

pub async fn overview(State(c): State<Arc<Console>>, Query(p): Query<Params>) -> Response {
    let filter = match p.filter(Some(DEFAULT_DAYS)) {
        Ok(f) => f,
        Err(e) => return bad(e),
    };
    let (since, until) = p.range(&filter);
    let c2 = c.clone();
    let work = tokio::task::spawn_blocking(move || {
        let chains: Vec<_> = c2.dirs.iter().map(|d| c2.verifier.status(d)).collect();
        data::overview(&c2.dirs, &filter).map(|o| (chains, o))
    });
    let (chains, o) = match work.await {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => return failed(e),
        Err(e) => return failed(std::io::Error::other(e)),
    };
    let top = |m: &std::collections::BTreeMap<String, data::Counts>| {
        let mut v: Vec<(String, data::Counts)> = m.iter().map(|(k, c)| (k.clone(), *c)).collect();
        v.sort_by(|a, b| {
            b.1.cost_usd
                .total_cmp(&a.1.cost_usd)
                .then(b.1.requests.cmp(&a.1.requests))
        });
        v.truncate(10);
        v
    };
    let split = match p.split.as_str() {
        s @ ("key" | "model" | "policy" | "entity" | "cost") => s,
        _ => "policy",
    };
    let ctx = context! {
        title => "Overview", dirs => c.dirs, playground => c.pack.is_some(),
        chains, since, until, top_keys => top(&o.by_key), top_models => top(&o.by_model), o, split,
    };
    render(&c, "overview.html", ctx)
}

pub async fn chart(State(c): State<Arc<Console>>, Query(p): Query<Params>) -> Response {
    let filter = match p.filter(Some(DEFAULT_DAYS)) {
        Ok(f) => f,
        Err(e) => return bad(e),
    };
    let (since, until) = (filter.since, filter.until);
    let c2 = c.clone();
    let o = match tokio::task::spawn_blocking(move || data::overview(&c2.dirs, &filter)).await {
        Ok(Ok(o)) => o,
        Ok(Err(e)) => return failed(e),
        Err(e) => return failed(std::io::Error::other(e)),
    };
    // Every day of the range, empty ones included, so the chart's x axis is the range.
    let first = since.map(time::day_of_ms);
    let last = until.map_or_else(
        || time::day_of_ms(crate::clock::unix_now() * 1000),
        |u| time::day_of_ms(u.saturating_sub(1)),
    );
    let mut days: Vec<(String, data::Counts)> = Vec::new();
    if let Some(first) = first {
        // At most a year of days on one chart.
        let last = last.max(first).min(first + 365);
        for d in first..=last {
            let name = time::format_day(d);
            let counts = o.days.get(&name).copied().unwrap_or_default();
            days.push((name, counts));
        }
    } else {
        days = o.days.clone().into_iter().collect();
    }
    let names: Vec<String> = days.iter().map(|(d, _)| d.clone()).collect();
    let svg = match p.split.as_str() {
        "cost" => {
            let cost = days.iter().map(|(_, c)| c.cost_usd).collect();
            chart::lines(&names, &[("cost (USD)".to_string(), cost)], "USD")
        }
        split @ ("key" | "model" | "policy" | "entity") => {
            let groups = o.series.get(split).cloned().unwrap_or_default();
            // The eight largest groups over the range, one line each.
            let mut ranked: Vec<(String, Vec<f64>)> = groups
                .into_iter()
                .map(|(g, per_day)| {
                    let v = names
                        .iter()
                        .map(|d| per_day.get(d).copied().unwrap_or(0.0))
                        .collect();
                    (g, v)
                })
                .collect();
            ranked.sort_by(|a, b| b.1.iter().sum::<f64>().total_cmp(&a.1.iter().sum::<f64>()));
            ranked.truncate(8);
            let y = match split {
                "policy" => "decisions that acted",
                "entity" => "entities found",
                _ => "requests",
            };
            chart::lines(&names, &ranked, y)
        }
        _ => chart::daily(&days),
    };
    ([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response()
}

pub async fn records(State(c): State<Arc<Console>>, Query(p): Query<Params>) -> Response {
    let filter = match p.filter(None) {
        Ok(f) => f,
        Err(e) => return bad(e),
    };
    let keep = p.keep();
    let page = p.page;
    let c2 = c.clone();
    let f2 = filter.clone();
    let listed =
        tokio::task::spawn_blocking(move || data::page(&c2.dirs, &f2, &keep, page, PER_PAGE)).await;
    let (rows, more) = match listed {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => return failed(e),
        Err(e) => return failed(std::io::Error::other(e)),
    };
    let ctx = context! {
        title => "Records", dirs => c.dirs, playground => c.pack.is_some(),
        f => p, rows, more, page, query => p.query(),
    };
    render(&c, "records.html", ctx)
}

#[derive(Deserialize)]
pub struct RecordAt {
    d: usize,
    seq: u64,
}

pub async fn record(State(c): State<Arc<Console>>, Query(at): Query<RecordAt>) -> Response {
    let Some(dir) = c.dirs.get(at.d).cloned() else {
        return (StatusCode::NOT_FOUND, "no such audit directory").into_response();
    };
    let found = tokio::task::spawn_blocking(move || data::find(&dir, at.seq)).await;
    let r = match found {
        Ok(Ok(Some(r))) => r,
        Ok(Ok(None)) => {
            return (StatusCode::NOT_FOUND, "no record with that sequence number").into_response();
        }
        Ok(Err(e)) => return failed(e),
        Err(e) => return failed(std::io::Error::other(e)),
    };
    let mode = c
        .pack
        .as_ref()
        .and_then(|p| p.pack.policies.policy.audit_logger.as_ref())
        .map(|a| format!("{:?}", a.include_content).to_lowercase());
    // The record says how its content was kept; older records leave it to the pack.
    let stored = r["content"]["mode"].as_str().map(str::to_string);
    let mode = stored.or(mode);
    let raw = mode.as_deref() == Some("full");
    let time = r["time_unix_ms"]
        .as_u64()
        .map(time::format_time)
        .unwrap_or_default();
    let ctx = context! {
        title => format!("Record {}", at.seq), dirs => c.dirs, playground => c.pack.is_some(),
        dir => c.dirs[at.d].display().to_string(), d => at.d, time, raw,
        content_mode => mode.map_or("include_content".to_string(), |m| format!("include_content: {m}")),
        r => minijinja::Value::from_serialize(&r),
    };
    render(&c, "record.html", ctx)
}

pub async fn export_csv(State(c): State<Arc<Console>>, Query(p): Query<Params>) -> Response {
    export(c, p, true).await
}

pub async fn export_jsonl(State(c): State<Arc<Console>>, Query(p): Query<Params>) -> Response {
    export(c, p, false).await
}

async fn export(c: Arc<Console>, p: Params, csv: bool) -> Response {
    let filter = match p.filter(None) {
        Ok(f) => f,
        Err(e) => return bad(e),
    };
    let keep = p.keep();
    let body = tokio::task::spawn_blocking(move || {
        let mut out = String::new();
        if csv {
            out.push_str(
                "time,replica,seq,request_id,key,model,target,status,outcome,decisions,cost_usd\n",
            );
        }
        data::export(&c.dirs, &filter, &keep, |line, r| {
            if csv {
                let cells = [
                    time::format_time(r.time_unix_ms),
                    r.replica.clone().unwrap_or_default(),
                    r.seq.to_string(),
                    r.request_id.clone(),
                    r.key_id.clone().unwrap_or_default(),
                    r.model.clone().unwrap_or_default(),
                    r.target().to_string(),
                    r.status.to_string(),
                    r.outcome.clone(),
                    data::acted(r),
                    r.cost_usd.map(|c| c.to_string()).unwrap_or_default(),
                ];
                let cells: Vec<String> = cells
                    .iter()
                    .map(|s| crate::audit::query::csv_field(s))
                    .collect();
                let _ = writeln!(out, "{}", cells.join(","));
            } else {
                out.push_str(&String::from_utf8_lossy(line));
                out.push('\n');
            }
        })
        .map(|()| out)
    })
    .await;
    let (kind, name) = if csv {
        (
            "text/csv; charset=utf-8",
            "attachment; filename=\"gw-audit.csv\"",
        )
    } else {
        (
            "application/x-ndjson",
            "attachment; filename=\"gw-audit.jsonl\"",
        )
    };
    match body {
        Ok(Ok(b)) => (
            [
                (header::CONTENT_TYPE, kind),
                (header::CONTENT_DISPOSITION, name),
            ],
            b,
        )
            .into_response(),
        Ok(Err(e)) => failed(e),
        Err(e) => failed(std::io::Error::other(e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Text {
    text: String,
}

pub async fn playground(State(c): State<Arc<Console>>, Query(t): Query<Text>) -> Response {
    let Some(pack) = &c.pack else {
        return (
            StatusCode::NOT_FOUND,
            "start the console with --policy-config PACK for the playground",
        )
            .into_response();
    };
    let report =
        (!t.text.trim().is_empty()).then(|| crate::policy::explain::explain(pack, &t.text));
    let spans = pii_spans(pack, &t.text);
    let ctx = context! {
        title => "Policy playground", dirs => c.dirs, playground => true,
        pack => format!("{} {}", pack.pack.pack.name, pack.pack.pack.version), text => t.text, report, spans,
    };
    render(&c, "playground.html", ctx)
}

#[derive(Deserialize)]
pub struct Login {
    token: String,
}

/// Checks the token, sets it as a cookie and goes to the overview (the guard checks the cookie
/// from then on).
pub async fn login(State(c): State<Arc<Console>>, Query(l): Query<Login>) -> Response {
    let Some(token) = &c.token else {
        return (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
    };
    if !super::same(l.token.as_bytes(), token.as_bytes()) {
        return (StatusCode::UNAUTHORIZED, "wrong token").into_response();
    }
    let cookie = format!("gw_console={token}; HttpOnly; SameSite=Strict; Path=/");
    (
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, cookie),
            (header::LOCATION, "/".to_string()),
        ],
    )
        .into_response()
}

/// Replays the trail's recorded requests through the pack's chain against their recorded
/// decisions.
pub async fn replay(State(c): State<Arc<Console>>) -> Response {
    let Some(pack) = &c.pack else {
        return (
            StatusCode::NOT_FOUND,
            "start the console with --policy-config PACK for replay",
        )
            .into_response();
    };
    let c2 = c.clone();
    let done = tokio::task::spawn_blocking(move || -> Result<String, String> {
        let Some(pack) = &c2.pack else {
            return Err("no pack".into());
        };
        let chain = crate::policy::PolicyChain::build(&pack.pack.policies, &pack.pack_dir())
            .map_err(|e| e.to_string())?;
        let mut traffic = Vec::new();
        for d in &c2.dirs {
            traffic.extend(crate::replay::load(d)?);
        }
        Ok(crate::replay::compare(&traffic, &chain, None, 3).table())
    })
    .await;
    let (report, error) = match done {
        Ok(Ok(r)) => (Some(r), None),
        Ok(Err(e)) => (None, Some(e)),
        Err(e) => (None, Some(e.to_string())),
    };
    let ctx = context! {
        title => "Replay", dirs => c.dirs, playground => true,
        pack => format!("{} {}", pack.pack.pack.name, pack.pack.pack.version), report, error,
    };
    render(&c, "replay.html", ctx)
}

/// One piece of the playground's text: plain, or a value the PII detector found (`entity`).
#[derive(Serialize)]
struct Piece {
    text: String,
    entity: Option<String>,
    rule: Option<String>,
}

/// The text cut at what the pack's PII detector finds in it, for highlighting; empty when the
/// pack runs no `pii-detector` or the text is empty.
fn pii_spans(pack: &crate::config::LoadedPack, text: &str) -> Vec<Piece> {
    let policies = &pack.pack.policies;
    if text.is_empty()
        || !policies
            .chain
            .contains(&crate::config::pack::PolicyName::PiiDetector)
    {
        return Vec::new();
    }
    let cfg = policies.policy.pii_detector.clone().unwrap_or_default();
    let Ok(policy) =
        crate::policy::pii::policy::PiiPolicy::from_config(&cfg, &policies.allow, &pack.pack_dir())
    else {
        return Vec::new();
    };
    let mut found = Vec::new();
    policy.detector().scan(text, &mut found);
    found.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end)));
    let piece = |t: &str| Piece {
        text: t.to_string(),
        entity: None,
        rule: None,
    };
    let mut pieces = Vec::new();
    let mut at = 0;
    for f in found {
        let fits = f.start >= at
            && f.end <= text.len()
            && text.is_char_boundary(f.start)
            && text.is_char_boundary(f.end);
        if !fits {
            continue;
        }
        if f.start > at {
            pieces.push(piece(&text[at..f.start]));
        }
        pieces.push(Piece {
            text: text[f.start..f.end].to_string(),
            entity: Some(crate::policy::pii::redact::label(f.entity).to_string()),
            rule: Some(f.rule.to_string()),
        });
        at = f.end;
    }
    if at < text.len() {
        pieces.push(piece(&text[at..]));
    }
    pieces
}
