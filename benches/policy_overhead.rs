//! What the policy chain and the audit trail add per request, through real gw processes: three
//! `gw run` on core 0 serving the same target, one with no chain, one with the default chain
//! (prompt-injection, PII placeholders with restore, safety), one with that chain and the audit
//! trail (`fsync: every_record`). A 2 KB prompt holding an email address (so PII redacts and
//! restores) goes to each at concurrency 1, in interleaved batches with direct calls to the
//! emulator; gw's CPU per request comes from the kernel.
//!
//! Goals (issue 13): the full chain plus audit adds ≤ 200 µs at p50 and ≤ 400 µs at p99, and costs
//! no more than 1.5× the chain alone (both over the no-chain gw).
//!
//! Run: `cargo bench --bench policy_overhead` (add `-- --quick` for a short smoke run).

mod common;

use common::{cpu_ns, current_thread, http_client, pct, pin_self, post_timed, run_gw, spawn};

use std::time::Duration;

use serde_json::json;

const MODEL_ID: &str = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

/// About 2 KB of ordinary prose with one email address in it. (An earlier version, a request to
/// summarise figures and "send the summary to <email>", scored 0.82 and was blocked as an
/// injection: a false positive noted in issue 18.)
fn prompt() -> String {
    let para = "The northern region closed the quarter with revenue up four percent, while the \
                cost of sales rose more slowly and headcount stayed flat. Two new stores opened \
                in the spring and the warehouse move finished a month ahead of plan. ";
    let mut p =
        String::from("What are the main points of these notes from dana.reyes@example.com? ");
    while p.len() < 2048 {
        p.push_str(para);
    }
    p
}

fn pack(dir: &std::path::Path, name: &str, emu: &str, policies: &str) -> String {
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(
        &path,
        format!(
            "pack: {{ name: {name}, version: 1.0.0 }}\nproviders:\n  targets:\n    - {{ id: m, provider: aws-bedrock, model: {MODEL_ID}, base_url: \"{emu}\", aws_access_key_env: BENCH_AKID, aws_secret_key_env: BENCH_SECRET }}\n{policies}"
        ),
    )
    .expect("pack");
    path.to_str().expect("utf8").to_string()
}

fn p50_p99(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    (pct(&v, 0.50), pct(&v, 0.99))
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (rounds, per_round) = if quick { (2, 200) } else { (10, 500) };
    pin_self(1);
    let (_emu, emu) = spawn(
        1,
        &["emulate", "--listen", "127.0.0.1:0", "--no-verify"],
        &[],
    );
    let dir = tempfile::tempdir().expect("tmp");
    let chain = "policies:\n  chain: [prompt-injection, pii-detector, safety-filter]\n  policy:\n    pii-detector: { style: placeholder, restore: true }\n";
    let audit_dir = dir.path().join("audit");
    let with_audit = format!(
        "policies:\n  chain: [prompt-injection, pii-detector, safety-filter, audit-logger]\n  policy:\n    pii-detector: {{ style: placeholder, restore: true }}\n    audit-logger: {{ path: \"{}\", fsync: every_record }}\n",
        audit_dir.display()
    );
    let gws = [
        ("no chain", run_gw(&pack(dir.path(), "plain", &emu, ""))),
        ("chain", run_gw(&pack(dir.path(), "chain", &emu, chain))),
        (
            "chain + audit",
            run_gw(&pack(dir.path(), "audited", &emu, &with_audit)),
        ),
    ];

    let pids: Vec<String> = gws.iter().map(|(_, (p, _))| p.0.id().to_string()).collect();
    let names: Vec<&str> = gws.iter().map(|(n, _)| *n).collect();
    let urls: Vec<String> = gws
        .iter()
        .map(|(_, (_, url))| format!("{url}/v1/chat/completions"))
        .collect();
    let direct_url = format!("{emu}/model/{}/converse", MODEL_ID.replace(':', "%3A"));

    current_thread().block_on(async {
        let http = http_client();
        let text = prompt();
        let small = Workload {
            title: "2 KB prompt",
            direct: json!({"messages": [{"role": "user", "content": [{"text": text}]}], "inferenceConfig": {"maxTokens": 256}}),
            through: json!({"model": "m", "max_tokens": 256, "messages": [{"role": "user", "content": text}]}),
        };
        let added = measure(&http, &direct_url, &urls, &pids, &names, &small, rounds, per_round).await;
        let chain_only = added[1].0 - added[0].0;
        let chain_audit = added[2].0 - added[0].0;
        println!(
            "\nOver the no-chain gw at p50: the chain adds {chain_only:.0} µs, chain + audit {chain_audit:.0} µs ({:.2}×; goal ≤ 1.5×). CPU: chain +{:.1} µs, chain + audit +{:.1} µs.",
            chain_audit / chain_only.max(1.0),
            added[1].1 - added[0].1,
            added[2].1 - added[0].1
        );
        let agent = agent_workload();
        let (r, n) = if quick { (2, 20) } else { (5, 100) };
        measure(&http, &direct_url, &urls, &pids, &names, &agent, r, n).await;
    });
}

/// One request shape: the Converse body sent straight to the emulator and the OpenAI body sent
/// through gw.
struct Workload {
    title: &'static str,
    direct: serde_json::Value,
    through: serde_json::Value,
}

/// Interleaved batches at c=1: direct, then each gw; prints the table and returns each gw's
/// added p50 (µs) and CPU per request (µs).
#[allow(clippy::too_many_arguments, reason = "a bench's one measuring loop")]
async fn measure(
    http: &reqwest::Client,
    direct_url: &str,
    urls: &[String],
    pids: &[String],
    names: &[&str],
    w: &Workload,
    rounds: usize,
    per_round: usize,
) -> Vec<(f64, f64)> {
    let direct_body = bytes::Bytes::from(w.direct.to_string());
    let body = bytes::Bytes::from(w.through.to_string());
    for _ in 0..per_round.min(300) {
        post_timed(http, direct_url, &direct_body, None).await;
        for u in urls {
            post_timed(http, u, &body, None).await;
        }
    }
    let mut direct = Vec::new();
    let mut through: Vec<Vec<Duration>> = vec![Vec::new(); urls.len()];
    let mut cpu = vec![0u64; urls.len()];
    for _ in 0..rounds {
        for _ in 0..per_round {
            direct.push(post_timed(http, direct_url, &direct_body, None).await);
        }
        for (i, u) in urls.iter().enumerate() {
            let before = cpu_ns(&pids[i]);
            for _ in 0..per_round {
                through[i].push(post_timed(http, u, &body, None).await);
            }
            cpu[i] += cpu_ns(&pids[i]) - before;
        }
    }
    let n = (rounds * per_round) as f64;
    let (d50, d99) = p50_p99(direct);
    println!(
        "\n## {} at c=1 ({} KB through gw, {rounds}×{per_round} requests)\n",
        w.title,
        body.len() / 1024
    );
    println!("| gw | adds p50 / p99 (µs) | CPU per request (µs) |");
    println!("|---|---|---|");
    let mut added = Vec::new();
    for (i, samples) in through.into_iter().enumerate() {
        let (p50, p99) = p50_p99(samples);
        let cpu_us = cpu[i] as f64 / n / 1000.0;
        added.push((p50 - d50, cpu_us));
        println!(
            "| {} | **{:.0} / {:.0}** | {cpu_us:.1} |",
            names[i],
            p50 - d50,
            p99 - d99
        );
    }
    added
}

/// A Claude Code-shaped request: a 30 KB system prompt, 12 tools, and about 100 KB of history in
/// which the agent read this repository's source files through a tool; the direct call carries
/// the same texts as plain turns.
fn agent_workload() -> Workload {
    let docs = [
        include_str!("../docs/scaling.md"),
        include_str!("../docs/pack-format.md"),
    ]
    .concat();
    let system: String = docs.chars().cycle().take(30 * 1024).collect();
    let files = [
        include_str!("../src/access/period.rs"),
        include_str!("../src/access/pricing.rs"),
        include_str!("../src/access/keys.rs"),
        include_str!("../src/audit/chain.rs"),
        include_str!("../src/audit/files.rs"),
        include_str!("../src/audit/verify.rs"),
        include_str!("../src/audit/query.rs"),
        include_str!("../src/routing/breaker.rs"),
        include_str!("../src/clock.rs"),
        include_str!("../src/bounded.rs"),
        include_str!("../src/sse.rs"),
        include_str!("../src/media.rs"),
    ];
    let tools: Vec<serde_json::Value> = (0..12)
        .map(|i| {
            json!({"type": "function", "function": {"name": format!("tool_{i}"), "description": "Reads or searches files in the workspace.",
                "parameters": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}}})
        })
        .collect();
    let mut messages = vec![
        json!({"role": "system", "content": system}),
        json!({"role": "user", "content": "Read the access, audit and routing files and tell me how they fit together."}),
    ];
    let mut direct = vec![
        json!({"role": "user", "content": [{"text": "Read the access, audit and routing files and tell me how they fit together."}]}),
    ];
    let mut total = 0;
    for (k, file) in files.iter().enumerate() {
        if total > 100 * 1024 {
            break;
        }
        total += file.len();
        let id = format!("call_{k}");
        messages.push(json!({"role": "assistant", "content": null, "tool_calls": [{"id": id, "type": "function",
            "function": {"name": "tool_0", "arguments": format!("{{\"path\": \"file_{k}.rs\"}}")}}]}));
        messages.push(json!({"role": "tool", "tool_call_id": id, "content": file}));
        direct.push(
            json!({"role": "assistant", "content": [{"text": format!("Reading file_{k}.rs")}]}),
        );
        direct.push(json!({"role": "user", "content": [{"text": file}]}));
    }
    messages.push(
        json!({"role": "user", "content": "Now summarise what you read in five bullet points."}),
    );
    direct.push(json!({"role": "assistant", "content": [{"text": "Done reading."}]}));
    direct.push(json!({"role": "user", "content": [{"text": "Now summarise what you read in five bullet points."}]}));
    Workload {
        title: "agent-sized request (30 KB system, 12 tools, ~100 KB history)",
        direct: json!({"system": [{"text": system}], "messages": direct, "inferenceConfig": {"maxTokens": 256}}),
        through: json!({"model": "m", "max_tokens": 256, "tools": tools, "messages": messages}),
    }
}
