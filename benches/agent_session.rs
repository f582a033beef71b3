//! Per-turn chain cost on a recorded coding-agent session: does it follow new content, or the
//! whole history?
//!
//! Claude Code resends its ~28 KB system prompt, its tool definitions and the whole
//! conversation on every turn. The recorded `long-session` (tests/traffic/claude_code.jsonl, 40
//! model turns, one file read or search per turn, 95 KB growing to 130 KB) is parsed as gw's
//! Anthropic door parses it and run, turn after turn, through the embedded default pack's chain
//! (prompt-injection, PII placeholders with restore, safety), one `ChainRun` per turn as in
//! `pipeline::admit`. The chain's caches persist across turns, as they do in a running gw. Each
//! session is replayed on a freshly built chain, warmed on unrelated text (so its automata are
//! warm, as in a running gw, but turn 1 finds none of the session's texts cached), and the
//! per-turn medians over the repetitions are reported, with the same session on a chain whose
//! text caches are empty at every turn (what a chain without them costs) for comparison.
//!
//! Goal (issue 18): the chain's cost at turn 40 is at most 2× its cost at turn 1.
//!
//! Run: `cargo bench --bench agent_session` (add `-- --quick` for a short smoke run).

use std::path::Path;
use std::time::{Duration, Instant};

use gw::anthropic::{self, Purpose};
use gw::ir::ChatRequest;
use gw::policy::PolicyChain;

fn session() -> Vec<(ChatRequest, usize)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/traffic/claude_code.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("cannot read {}: {e}", path.display());
        std::process::exit(1);
    });
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|row| row["session"] == "long-session")
        .map(|row| {
            let body = row["body"].to_string();
            let wire = anthropic::from_json(body.as_bytes()).expect("recorded body parses");
            let req =
                anthropic::to_ir(wire, Purpose::Generate).expect("recorded body maps to the IR");
            (req, body.len())
        })
        .collect()
}

/// The default pack's chain (or only its policy `only`), warmed the way a running gw is: its
/// automata have seen text like this session's (the session's first turn with every text
/// changed by a suffix), but its text caches hold none of the session's texts.
fn chain_of(only: Option<&str>, first: &ChatRequest) -> PolicyChain {
    let pack = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/pack.yaml");
    let loaded = gw::config::load_file(&pack).expect("the default pack loads");
    let mut policies = loaded.pack.policies.clone();
    if let Some(name) = only {
        policies.chain.retain(|p| p.as_str() == name);
    }
    let chain = PolicyChain::build(&policies, &loaded.pack_dir()).expect("chain builds");
    for round in 0..3 {
        let mut warm = first.clone();
        for m in &mut warm.messages {
            for p in &mut m.content {
                if let gw::ir::Part::Text(t) = p {
                    t.push_str(&format!("\n(warm-up {round})"));
                }
            }
        }
        let _ = chain.start().on_request(&mut warm);
    }
    chain
}

/// One pass over the session; `fresh_each_turn` rebuilds the chain before every turn (no
/// cache survives). Returns each turn's time and whether every turn passed.
fn pass(turns: &[ChatRequest], fresh_each_turn: bool) -> (Vec<Duration>, bool) {
    let mut chain = chain_of(None, &turns[0]);
    let mut times = Vec::with_capacity(turns.len());
    let mut all_passed = true;
    for t in turns {
        if fresh_each_turn {
            chain = chain_of(None, &turns[0]);
        }
        let mut req = t.clone();
        let start = Instant::now();
        let mut run = chain.start();
        let ok = run.on_request(&mut req).is_ok();
        std::hint::black_box(run.take_decisions());
        times.push(start.elapsed());
        all_passed &= ok;
    }
    (times, all_passed)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let reps: usize = if quick { 3 } else { 15 };
    let recorded = session();
    assert_eq!(recorded.len(), 40, "the recorded long session has 40 turns");
    println!(
        "recorded session: {} turns, request body {} KB at turn 1, {} KB at turn 40",
        recorded.len(),
        recorded[0].1 / 1024,
        recorded[39].1 / 1024
    );
    let turns: Vec<ChatRequest> = recorded.into_iter().map(|(r, _)| r).collect();
    // Warm the process (allocator, lazy statics, per-thread DFA caches) once.
    let _ = pass(&turns, false);
    println!("\nturn 1 by policy (text caches empty, median of {reps}):");
    for name in ["prompt-injection", "pii-detector", "safety-filter"] {
        let times: Vec<Duration> = (0..reps)
            .map(|_| {
                let chain = chain_of(Some(name), &turns[0]);
                let mut req = turns[0].clone();
                let start = Instant::now();
                let mut run = chain.start();
                let _ = run.on_request(&mut req);
                start.elapsed()
            })
            .collect();
        println!("  {name:<17} {:8.0} µs", median(times).as_secs_f64() * 1e6);
    }
    for (label, fresh) in [
        ("with caches", false),
        ("chain built afresh every turn (no text cache)", true),
    ] {
        let mut per_turn: Vec<Vec<Duration>> = vec![Vec::new(); turns.len()];
        let mut passed = true;
        let reps = if fresh { reps.div_ceil(3) } else { reps };
        for _ in 0..reps {
            let (times, ok) = pass(&turns, fresh);
            passed &= ok;
            for (i, t) in times.into_iter().enumerate() {
                per_turn[i].push(t);
            }
        }
        let med: Vec<Duration> = per_turn.into_iter().map(median).collect();
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        println!(
            "\n{label} ({reps} sessions; every turn allowed: {passed}):\n  turn  1: {:8.0} µs\n  turn 10: {:8.0} µs\n  turn 20: {:8.0} µs\n  turn 30: {:8.0} µs\n  turn 40: {:8.0} µs\n  turn 40 / turn 1: {:.2}×   whole session: {:.1} ms",
            us(med[0]),
            us(med[9]),
            us(med[19]),
            us(med[29]),
            us(med[39]),
            us(med[39]) / us(med[0]),
            med.iter().map(|d| us(*d)).sum::<f64>() / 1000.0
        );
    }
}
