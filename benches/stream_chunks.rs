//! What a streamed reply costs gw per chunk, and what gw adds to the first byte (issue 13: ≤ 5 µs
//! per chunk, ≤ 150 µs to the first byte).
//!
//! Two emulators (`gw emulate --no-verify`) on core 1 with this load generator answer the same
//! request with the same ~4,000-character reply, one in a single ConverseStream delta
//! (`--stream-chunk-chars 100000`), one in deltas of 4 characters (about 1,000 of them). Two gw
//! processes on core 0 serve both as targets `few` and `many`: one with no chain, one with the
//! default chain on the reply too (prompt-injection, PII placeholders with restore, safety). The
//! same OpenAI streaming request goes to each in interleaved batches at concurrency 1; gw's CPU
//! per request comes from the kernel. Per chunk = (CPU for `many` − CPU for `few`) / (deltas in
//! `many` − deltas in `few`), so parsing the request, the SDK call and everything else that does
//! not depend on the chunk count cancels out. Direct streams from the same emulators, interleaved,
//! give the time to the first byte without gw.
//!
//! Run: `cargo bench --bench stream_chunks` (add `-- --quick` for a short smoke run).

mod common;

use common::{
    cpu_ns, current_thread, http_client, pct, pin_self, run_gw, spawn, start_profile, stop_profile,
};

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::json;

const MODEL_ID: &str = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

/// About 4,000 characters of plain prose (no PII, nothing the chain acts on): the emulator echoes
/// it, so it is also the streamed reply.
fn prompt() -> String {
    let para = "The northern region closed the quarter with revenue up four percent, while the \
                cost of sales rose more slowly and headcount stayed flat. Two new stores opened \
                in the spring and the warehouse move finished a month ahead of plan. ";
    let mut p = String::from("Repeat these notes back to me word for word. ");
    while p.len() < 4000 {
        p.push_str(para);
    }
    p
}

/// One streamed request: time to the first body byte, whole time, and how often `marker`
/// occurs in the body (SSE events from gw, delta frames from the emulator).
async fn stream(
    http: &reqwest::Client,
    url: &str,
    body: &bytes::Bytes,
    marker: &[u8],
) -> (Duration, Duration, usize) {
    let t = Instant::now();
    let resp = http
        .post(url)
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .expect("send");
    assert!(resp.status().is_success(), "{url}: {}", resp.status());
    let mut s = resp.bytes_stream();
    let mut first = None;
    let mut all = Vec::new();
    while let Some(chunk) = s.next().await {
        first.get_or_insert_with(|| t.elapsed());
        all.extend_from_slice(&chunk.expect("chunk"));
    }
    let count = all.windows(marker.len()).filter(|w| *w == marker).count();
    (first.unwrap_or_default(), t.elapsed(), count)
}

/// Totals for one side (one gw and target, or one emulator) over the measured requests.
#[derive(Default)]
struct Side {
    cpu_ns: u64,
    walls: Vec<Duration>,
    firsts: Vec<Duration>,
    events: usize,
}

impl Side {
    fn add(&mut self, (first, wall, events): (Duration, Duration, usize)) {
        self.firsts.push(first);
        self.walls.push(wall);
        self.events = events;
    }
    fn p50_first(&self) -> f64 {
        let mut v = self.firsts.clone();
        v.sort();
        pct(&v, 0.5)
    }
    fn cpu_per_request_us(&self) -> f64 {
        self.cpu_ns as f64 / self.walls.len() as f64 / 1000.0
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (rounds, per_round) = if quick { (2, 40) } else { (10, 100) };
    pin_self(1);
    let emulator = |chars: &str| {
        spawn(
            1,
            &[
                "emulate",
                "--listen",
                "127.0.0.1:0",
                "--no-verify",
                "--stream-chunk-chars",
                chars,
            ],
            &[],
        )
    };
    let (_few_emu, few_url) = emulator("100000");
    let (_many_emu, many_url) = emulator("4");

    let dir = tempfile::tempdir().expect("tmp");
    let pack = |name: &str, policies: &str| {
        let path = dir.path().join(format!("{name}.yaml"));
        let target = |id: &str, url: &str| {
            format!(
                "    - {{ id: {id}, provider: aws-bedrock, model: {MODEL_ID}, base_url: \"{url}\", aws_access_key_env: BENCH_AKID, aws_secret_key_env: BENCH_SECRET }}\n"
            )
        };
        std::fs::write(
            &path,
            format!(
                "pack: {{ name: {name}, version: 1.0.0 }}\nproviders:\n  targets:\n{}{}{policies}",
                target("few", &few_url),
                target("many", &many_url)
            ),
        )
        .expect("pack");
        path.to_str().expect("utf8").to_string()
    };
    let plain = pack("plain", "");
    let chain = pack(
        "chain",
        "policies:\n  chain: [prompt-injection, pii-detector, safety-filter]\n  policy:\n    pii-detector: { style: placeholder, restore: true }\n",
    );
    let gws = [("no chain", run_gw(&plain)), ("chain", run_gw(&chain))];

    let text = prompt();
    let converse = bytes::Bytes::from(
        json!({"messages": [{"role": "user", "content": [{"text": text}]}], "inferenceConfig": {"maxTokens": 4096}})
            .to_string(),
    );
    let encoded = MODEL_ID.replace(':', "%3A");
    let chat = |model: &str| {
        bytes::Bytes::from(
            json!({"model": model, "messages": [{"role": "user", "content": text}], "max_tokens": 4096, "stream": true})
                .to_string(),
        )
    };
    let (chat_few, chat_many) = (chat("few"), chat("many"));

    current_thread().block_on(async {
        let http = http_client();
        let direct = |url: &str| format!("{url}/model/{encoded}/converse-stream");
        let (direct_few, direct_many) = (direct(&few_url), direct(&many_url));
        let delta: &[u8] = b"contentBlockDelta";
        let sse: &[u8] = b"data: ";
        println!(
            "\n## Streaming through gw ({} run, {} requests per side)\n",
            if quick { "quick" } else { "full" },
            rounds * per_round
        );
        println!("| gw | deltas from Bedrock (few / many) | SSE events to the client | CPU per request, few / many (µs) | **CPU per chunk (µs)** | adds to the first byte, p50 (µs) |");
        println!("|---|---|---|---|---|---|");
        for (name, (proc, gw_url)) in &gws {
            let pid = proc.0.id().to_string();
            let url = format!("{gw_url}/v1/chat/completions");
            for _ in 0..50 {
                stream(&http, &url, &chat_few, sse).await;
                stream(&http, &url, &chat_many, sse).await;
            }
            let (mut d_few, mut d_many, mut g_few, mut g_many) =
                (Side::default(), Side::default(), Side::default(), Side::default());
            let profile = start_profile(&pid, &format!("stream-{}", name.replace(' ', "-")));
            for _ in 0..rounds {
                for _ in 0..per_round {
                    d_few.add(stream(&http, &direct_few, &converse, delta).await);
                }
                for _ in 0..per_round {
                    d_many.add(stream(&http, &direct_many, &converse, delta).await);
                }
                let before = cpu_ns(&pid);
                for _ in 0..per_round {
                    g_few.add(stream(&http, &url, &chat_few, sse).await);
                }
                g_few.cpu_ns += cpu_ns(&pid) - before;
                let before = cpu_ns(&pid);
                for _ in 0..per_round {
                    g_many.add(stream(&http, &url, &chat_many, sse).await);
                }
                g_many.cpu_ns += cpu_ns(&pid) - before;
            }
            stop_profile(profile);
            let chunks = (d_many.events - d_few.events) as f64;
            assert!(chunks > 500.0, "the emulator sent {chunks} extra deltas");
            let cpu_per_chunk =
                (g_many.cpu_per_request_us() - g_few.cpu_per_request_us()) / chunks;
            println!(
                "| {name} | {} / {} | {} / {} | {:.1} / {:.1} | **{:.2}** | {:.0} |",
                d_few.events,
                d_many.events,
                g_few.events,
                g_many.events,
                g_few.cpu_per_request_us(),
                g_many.cpu_per_request_us(),
                cpu_per_chunk,
                g_few.p50_first() - d_few.p50_first(),
            );
        }
    });
}
