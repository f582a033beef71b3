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

use common::{cpu_ns, current_thread, http_client, pct, pin_self, post_timed, spawn};

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
    let envs = [
        ("BENCH_AKID", gw::emulator::ACCESS_KEY_ID),
        ("BENCH_SECRET", gw::emulator::SECRET_ACCESS_KEY),
        ("RUST_LOG", "warn"),
    ];
    let run = |pack: &str| {
        spawn(
            0,
            &["run", "--listen", "127.0.0.1:0", "--policy-config", pack],
            &envs,
        )
    };
    let gws = [
        ("no chain", run(&pack(dir.path(), "plain", &emu, ""))),
        ("chain", run(&pack(dir.path(), "chain", &emu, chain))),
        (
            "chain + audit",
            run(&pack(dir.path(), "audited", &emu, &with_audit)),
        ),
    ];

    current_thread().block_on(async {
        let http = http_client();
        let text = prompt();
        let direct_body = bytes::Bytes::from(
            json!({"messages": [{"role": "user", "content": [{"text": text}]}], "inferenceConfig": {"maxTokens": 256}})
                .to_string(),
        );
        let direct_url = format!("{emu}/model/{}/converse", MODEL_ID.replace(':', "%3A"));
        let body = bytes::Bytes::from(
            json!({"model": "m", "max_tokens": 256, "messages": [{"role": "user", "content": text}]}).to_string(),
        );
        let urls: Vec<String> = gws
            .iter()
            .map(|(_, (_, url))| format!("{url}/v1/chat/completions"))
            .collect();
        for _ in 0..300 {
            post_timed(&http, &direct_url, &direct_body, None).await;
            for u in &urls {
                post_timed(&http, u, &body, None).await;
            }
        }
        let mut direct = Vec::new();
        let mut through: Vec<Vec<Duration>> = vec![Vec::new(); urls.len()];
        let mut cpu = vec![0u64; urls.len()];
        for _ in 0..rounds {
            for _ in 0..per_round {
                direct.push(post_timed(&http, &direct_url, &direct_body, None).await);
            }
            for (i, u) in urls.iter().enumerate() {
                let pid = gws[i].1.0.0.id().to_string();
                let before = cpu_ns(&pid);
                for _ in 0..per_round {
                    through[i].push(post_timed(&http, u, &body, None).await);
                }
                cpu[i] += cpu_ns(&pid) - before;
            }
        }
        let n = (rounds * per_round) as f64;
        let (d50, d99) = p50_p99(direct);
        println!(
            "\n## policy chain and audit at c=1, 2 KB prompt ({} run)\n",
            if quick { "quick" } else { "full" }
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
                gws[i].0,
                p50 - d50,
                p99 - d99
            );
        }
        let chain_only = added[1].0 - added[0].0;
        let chain_audit = added[2].0 - added[0].0;
        println!(
            "\nOver the no-chain gw at p50: the chain adds {chain_only:.0} µs, chain + audit {chain_audit:.0} µs ({:.2}×; goal ≤ 1.5×). CPU: chain +{:.1} µs, chain + audit +{:.1} µs.",
            chain_audit / chain_only.max(1.0),
            added[1].1 - added[0].1,
            added[2].1 - added[0].1
        );
    });
}
