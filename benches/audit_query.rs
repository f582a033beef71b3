//! The audit trail on a real day's volume: 1,000,000 records written through the `FileSink`
//! writer into a temp dir, then `verify`, a filtered `query` and `stats` timed over them.
//! Run: `cargo bench --bench audit_query` (set AUDIT_BENCH_RECORDS to change the count).

use std::sync::Arc;
use std::time::Instant;

use gw::audit::query::{DecisionKind, Filter, scan};
use gw::audit::{AuditSink, FileSink, FileSinkConfig, Fsync, Outcome, RequestLog};
use gw::ir::Usage;
use gw::policy::Decision;

fn main() {
    let n: usize = std::env::var("AUDIT_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cfg = FileSinkConfig::new(dir.path());
    cfg.fsync = Fsync::Interval(std::time::Duration::from_millis(200));
    cfg.queue_capacity = 65_536;
    let sink: Arc<dyn AuditSink> = Arc::new(FileSink::open(cfg).expect("open"));
    let models = ["claude", "nova", "llama", "titan"];
    let keys = ["team-a", "team-b", "team-c", "ops", "batch"];
    let t = Instant::now();
    for i in 0..n {
        let mut log = RequestLog::open(
            sink.clone(),
            format!("req-{i:08}"),
            "chat.completions",
            ("bench", "1.0.0"),
        );
        log.set_model(models[i % 4], i % 3 == 0);
        if let Some(r) = log.record() {
            r.key_id = Some(keys[i % 5].to_string());
        }
        let mut decisions = vec![Decision {
            policy: "pii-detector",
            action: "allowed",
            entities: vec![],
            score: None,
            found: Vec::new(),
        }];
        if i % 17 == 0 {
            decisions[0].action = "redacted";
            decisions[0].entities = vec![("EMAIL".into(), 1), ("PHONE".into(), 2)];
        }
        let blocked = i % 101 == 0;
        if blocked {
            decisions.push(Decision {
                policy: "prompt-injection",
                action: "blocked",
                entities: vec![],
                score: Some(0.93),
                found: Vec::new(),
            });
        }
        log.add_decisions(decisions);
        log.set_usage(Usage {
            input: 100 + (i % 50) as u64,
            output: 20 + (i % 30) as u64,
            ..Usage::default()
        });
        if blocked {
            log.finish(400, Outcome::Blocked, Some("prompt_injection"));
        } else {
            log.finish(200, Outcome::Served, None);
        }
    }
    sink.flush();
    let write = t.elapsed();
    drop(sink);
    let bytes: u64 = gw::audit::files::list(dir.path())
        .expect("list")
        .iter()
        .map(|f| std::fs::metadata(&f.path).map_or(0, |m| m.len()))
        .sum();

    let t = Instant::now();
    let summary = gw::audit::verify::verify_dir(dir.path()).expect("verifies");
    let verify = t.elapsed();
    assert_eq!(summary.records as usize, n);

    let filter = Filter {
        model: Some("nova".into()),
        decision: Some(DecisionKind::Blocked),
        ..Filter::default()
    };
    let t = Instant::now();
    let hits = scan(&[dir.path().to_path_buf()], &filter, |_, _| true).expect("query");
    let query_sel = t.elapsed();

    let filter = Filter {
        key: Some("team-b".into()),
        ..Filter::default()
    };
    let t = Instant::now();
    let broad = scan(&[dir.path().to_path_buf()], &filter, |_, _| true).expect("query");
    let query_broad = t.elapsed();

    let t = Instant::now();
    let stats =
        gw::audit::stats::collect(&[dir.path().to_path_buf()], &Filter::default()).expect("stats");
    let stats_t = t.elapsed();
    assert_eq!(stats.requests as usize, n);

    // The review console's records page: the first page of 50, unfiltered, selective, and a
    // filter nothing matches (the whole trail is read).
    let dirs = [dir.path().to_path_buf()];
    let keep = gw::console::Keep::default();
    let first_page = |f: &Filter| {
        let t = Instant::now();
        let (rows, _) = gw::console::page(&dirs, f, &keep, 0, 50).expect("page");
        (t.elapsed(), rows.len())
    };
    let (page_all, _) = first_page(&Filter::default());
    let (page_sel, sel_rows) = first_page(&Filter {
        model: Some("nova".into()),
        decision: Some(DecisionKind::Blocked),
        ..Filter::default()
    });
    let (page_none, none_rows) = first_page(&Filter {
        key: Some("nobody".into()),
        ..Filter::default()
    });
    assert_eq!((sel_rows, none_rows), (50, 0));
    let t = Instant::now();
    let overview = gw::console::overview(&dirs, &Filter::default()).expect("overview");
    let overview_t = t.elapsed();
    assert_eq!(overview.total.requests as usize, n);

    println!(
        "audit_query: {n} records, {:.1} MB in {} files",
        bytes as f64 / 1e6,
        summary.files
    );
    println!(
        "  write  (through FileSink, fsync 200ms) {:>8.2} s  ({:.0} records/s)",
        write.as_secs_f64(),
        n as f64 / write.as_secs_f64()
    );
    println!(
        "  verify                                 {:>8.2} s",
        verify.as_secs_f64()
    );
    println!(
        "  query  --model nova --decision blocked {:>8.2} s  ({hits} hits)",
        query_sel.as_secs_f64()
    );
    println!(
        "  query  --key team-b                    {:>8.2} s  ({broad} hits)",
        query_broad.as_secs_f64()
    );
    println!(
        "  stats                                  {:>8.2} s",
        stats_t.as_secs_f64()
    );
    println!(
        "  console: first page, no filter         {:>8.3} s",
        page_all.as_secs_f64()
    );
    println!(
        "  console: first page, nova + blocked    {:>8.3} s",
        page_sel.as_secs_f64()
    );
    println!(
        "  console: first page, no match (full)   {:>8.3} s",
        page_none.as_secs_f64()
    );
    println!(
        "  console: overview over every record    {:>8.2} s",
        overview_t.as_secs_f64()
    );
}
