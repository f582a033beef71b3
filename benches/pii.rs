//! PII detector throughput and per-request cost, with plain `std::time` (no harness).
//!
//! Builds realistic prompts from the dev corpus at runtime (never copied into the repo), repeats
//! them to a few MB, and reports MB/s of scanning on one core with every entity type on (over all
//! the corpus prompts, dense with PII, and over its PII-free ones, which hold only look-alikes),
//! plus the time the policy adds to a 2 KB request (scan and redact). Run: `cargo bench --bench pii`.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use gw::config::pack::{Action, Direction, PiiConfig, RedactionStyle};
use gw::ir::{ChatRequest, Message, Part, Role};
use gw::policy::PolicyChain;
use gw::policy::pii::PiiPolicy;

fn main() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpora/pii_dev.jsonl");
    let corpus = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("cannot read {}: {e}", path.display());
        std::process::exit(1);
    });
    let items: Vec<serde_json::Value> = corpus
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let text_of = |v: &serde_json::Value| v["text"].as_str().map(str::to_owned);
    let texts: Vec<String> = items.iter().filter_map(text_of).collect();
    // The corpus's PII-free prompts (distractors only: order numbers, versions, timestamps).
    let clean: Vec<String> = items
        .iter()
        .filter(|v| v["spans"].as_array().is_some_and(Vec::is_empty))
        .filter_map(text_of)
        .collect();
    let cfg = PiiConfig {
        enabled: true,
        action: Action::Redact,
        entities: None,
        apply_to: vec![Direction::Request, Direction::Response],
        style: RedactionStyle::Placeholder,
        restore: true,
        rules: None,
        ..PiiConfig::default()
    };
    let t = Instant::now();
    let policy =
        Arc::new(PiiPolicy::from_config(&cfg, &[], Path::new(".")).expect("policy builds"));
    println!(
        "build (compile all rules): {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );

    let prompts = two_kb_prompts(&texts);
    let det = policy.detector();
    let (rate, found) = scan_rate(det, &prompts);
    println!(
        "scan, all corpus prompts ({:.1} findings per KB): {rate:.0} MB/s per core",
        found as f64 / (total_len(&prompts) as f64 / 1024.0)
    );
    let (rate, _) = scan_rate(det, &two_kb_prompts(&clean));
    println!("scan, PII-free corpus prompts: {rate:.0} MB/s per core");
    let work = workplace_prompts();
    let (rate, found) = scan_rate(det, &work);
    println!(
        "scan, workplace prompts ({:.1} findings per KB): {rate:.0} MB/s per core",
        found as f64 / (total_len(&work) as f64 / 1024.0)
    );

    // Per-request cost: a fresh run, on_request over one 2 KB user message (scan + redact). The
    // prompts repeat past the corpus's end, and the policy caches findings by text, so each is
    // numbered: every request is a text it has not seen.
    let chain = PolicyChain::from_policies(vec![policy.clone()]);
    let n = 2000;
    let reqs: Vec<ChatRequest> = prompts
        .iter()
        .take(n)
        .enumerate()
        .map(|(i, p)| ChatRequest {
            messages: vec![Message {
                role: Role::User,
                content: vec![Part::Text(format!("Request {i}. {p}"))],
            }],
            ..ChatRequest::default()
        })
        .collect();
    let mut samples = Vec::with_capacity(reqs.len());
    for mut r in reqs {
        let t = Instant::now();
        let mut run = chain.start();
        let res = run.on_request(black_box(&mut r));
        let _kept = black_box((res.is_ok(), run.take_decisions()));
        samples.push(t.elapsed().as_secs_f64() * 1e6);
    }
    samples.sort_by(f64::total_cmp);
    let pct = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
    println!(
        "policy on a 2 KB prompt (start + on_request, redact with placeholders): p50 {:.1} us, p99 {:.1} us",
        pct(0.5),
        pct(0.99)
    );
}

/// Prompts of about 2 KB each, made of corpus texts, repeated to ~4 MB.
fn two_kb_prompts(texts: &[String]) -> Vec<String> {
    let mut prompts = Vec::new();
    let mut cur = String::new();
    for t in texts.iter().cycle() {
        cur.push_str(t);
        cur.push('\n');
        if cur.len() >= 2048 {
            prompts.push(std::mem::take(&mut cur));
            if prompts.len() * 2048 >= 4 << 20 {
                break;
            }
        }
    }
    prompts
}

/// Everyday gateway traffic, written for this bench: a support ticket, a contract review, a code
/// review and meeting notes, ~2 KB each, with the odd email or phone number (about one finding
/// per KB, where the eval corpus has fifteen).
fn workplace_prompts() -> Vec<String> {
    let ticket = format!(
        "Summarise this ticket and draft a reply. Opened by Jane Doe (jane.doe@example.com, \
         +1 415 555 0134). {}",
        "The invoice lists the wrong billing address and the payment terms differ from our \
         contract (net 30, not net 15); finance needs a corrected copy before quarter end. "
            .repeat(9)
    );
    let contract = format!(
        "Review the clauses below for unusual obligations and list three questions for the \
         supplier. {}",
        "Section 4.2: the supplier warrants that deliverables conform to the specification for \
         twelve months after acceptance; remedies are limited to repair or replacement. "
            .repeat(10)
    );
    let code = format!(
        "Review this Rust function for error handling and naming; suggest a clearer version.\n{}",
        "fn load(path: &Path) -> Result<Config, Error> {\n    let text = std::fs::read_to_string(path)?;\n    let cfg: Config = serde_json::from_str(&text)?;\n    cfg.validate()?;\n    Ok(cfg)\n}\n"
            .repeat(14)
    );
    let notes = format!(
        "Turn these meeting notes into action items with owners. Questions to \
         ops-team@example.org. {}",
        "Release 4.2 slips one week; the load test found p99 regressions in the search \
         service after the cache change; marketing wants the launch post by Friday. "
            .repeat(10)
    );
    let set = [ticket, contract, code, notes];
    (0..1000).map(|i| set[i % set.len()].clone()).collect()
}

fn total_len(prompts: &[String]) -> usize {
    prompts.iter().map(String::len).sum()
}

/// Best of five passes over `prompts` on this thread: MB/s and findings per pass.
fn scan_rate(det: &gw::policy::pii::PiiDetector, prompts: &[String]) -> (f64, usize) {
    let mut found = Vec::new();
    let mut best = f64::MAX;
    let mut total = 0;
    for _ in 0..5 {
        total = 0;
        let t = Instant::now();
        for p in prompts {
            found.clear();
            det.scan(black_box(p), &mut found);
            total += found.len();
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    (total_len(prompts) as f64 / 1e6 / best, total)
}
