//! What the full policy chain adds to a request: prompt-injection, PII (placeholders with
//! restore) and the strict safety filter on a realistic ~2 KB prompt and a ~0.5 KB reply, paced
//! at 1,000 requests/s as a busy gateway would run it. The prompt goes through the same path as a
//! client's (OpenAI JSON → IR), the chain is built from a pack, and each request gets its own
//! `ChainRun`, as in `pipeline::admit`.
//!
//! Run: `cargo bench --bench chain` (add `-- --quick` for a short smoke run).

use std::path::Path;
use std::time::{Duration, Instant};

use gw::ir::{ChatResponse, Part, StopReason};
use gw::policy::PolicyChain;

const PACK: &str = r#"
pack: { name: chain-bench, version: 1.0.0 }
providers:
  targets:
    - { id: t, provider: aws-bedrock, model: us.amazon.nova-pro-v1:0 }
policies:
  chain: [prompt-injection, pii-detector, safety-filter]
  policy:
    prompt-injection: { threshold: 0.8, action: block }
    pii-detector: { action: redact, style: placeholder, restore: true }
    safety-filter: { mode: strict, action: block }
"#;

/// A support ticket with a pasted email thread: ~2 KB, three PII values, no attack. (Earlier
/// versions repeated one paragraph five times; real threads do not, and the direct model reads
/// a repeated paragraph as ever more of the same evidence.)
fn prompt() -> String {
    let thread = [
        "From the customer: the invoice we received last week lists the wrong billing address and \
         the payment terms differ from our contract (net 30, not net 15).",
        "Our finance team needs a corrected copy before the end of the quarter so the accrual can \
         be booked, and our auditors will ask for the original purchase order as well.",
        "We also noticed the shipment arrived two days late; two pallets were stacked on their side \
         and one carton of glassware was cracked on arrival, photos attached.",
        "From our warehouse lead: the pallets left Rotterdam on schedule but sat at the cross-dock \
         over the weekend because the carrier swapped trucks without telling us.",
        "From accounts receivable: the billing address on file was updated in March, but the \
         invoice template still pulls the old one from the ERP export; we have a fix queued.",
        "The customer has been with us since 2019 and renews in June; their account manager asked \
         that we handle this quickly and offer a goodwill credit if the delay is confirmed.",
    ]
    .join("\n\n");
    format!(
        "You are a support agent for our logistics company. Read the ticket below, summarise \
         the customer's problem in two sentences, list the actions we owe them, and draft a \
         polite reply.\n\nTicket #48213, opened by Jane Doe (jane.doe@example.com, \
         +1 415 555 0134).\n\n{thread}\n\nThe customer's account manager is reachable at \
         account.team@example.org. Keep the reply under 200 words."
    )
}

fn reply() -> ChatResponse {
    ChatResponse {
        content: vec![Part::Text(
            "Summary: the customer received an invoice with a wrong billing address and payment \
             terms of net 15 instead of the contracted net 30, and the shipment was two days \
             late. Actions: issue a corrected invoice before quarter end, confirm net 30 terms, \
             and offer a goodwill credit for the delay. Draft: Dear Jane, thank you for letting \
             us know. We will send a corrected invoice within two business days."
                .into(),
        )],
        stop_reason: StopReason::EndTurn,
        usage: Default::default(),
    }
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e6
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let loaded = gw::config::load_str(
        PACK,
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("bench.yaml")
            .as_path(),
    )
    .expect("bench pack is valid");
    let chain =
        PolicyChain::build(&loaded.pack.policies, &loaded.pack_dir()).expect("chain builds");
    let body = serde_json::json!({
        "model": "t",
        "messages": [
            {"role": "system", "content": "Be concise and courteous."},
            {"role": "user", "content": prompt()},
        ]
    });
    let wire = gw::openai::from_json(&serde_json::to_vec(&body).expect("json")).expect("wire");
    let base = gw::openai::to_ir(wire).expect("ir");
    let answer = reply();
    println!("prompt: {} bytes, reply: {} bytes", prompt().len(), 450);

    // Warm up, and check the chain does what the figures claim.
    for _ in 0..200 {
        let mut req = base.clone();
        let mut run = chain.start();
        run.on_request(&mut req).expect("benign prompt passes");
        let sent = format!("{:?}", req.messages);
        assert!(
            !sent.contains("jane.doe@example.com"),
            "PII must be redacted"
        );
        let mut resp = answer.clone();
        run.on_response(&mut resp).expect("benign reply passes");
    }

    // Every timed request is a new text (the chain caches verdicts by content, so a resent
    // prompt would only measure a look-up); a last series resends one prompt to show that.
    let fresh = |i: usize| {
        let mut req = base.clone();
        for m in &mut req.messages {
            for p in &mut m.content {
                if let gw::ir::Part::Text(t) = p {
                    *t = format!("(ref {i}) {t}");
                }
            }
        }
        req
    };
    let n = if quick { 500 } else { 5000 };
    let period = Duration::from_millis(1);
    let mut request_side = Vec::with_capacity(n);
    let mut whole = Vec::with_capacity(n);
    let mut resent = Vec::with_capacity(n);
    let mut next = Instant::now();
    for i in 0..2 * n {
        next += period;
        while Instant::now() < next {
            std::thread::sleep(next.saturating_duration_since(Instant::now()));
        }
        if i >= n {
            let mut req = base.clone();
            let t = Instant::now();
            let mut run = chain.start();
            let _ = std::hint::black_box(run.on_request(&mut req));
            resent.push(t.elapsed());
            continue;
        }
        let mut req = fresh(i);
        let mut resp = answer.clone();
        let t = Instant::now();
        let mut run = chain.start();
        let _ = std::hint::black_box(run.on_request(&mut req));
        let mid = t.elapsed();
        let _ = std::hint::black_box(run.on_response(&mut resp));
        let _ = std::hint::black_box(run.take_decisions());
        whole.push(t.elapsed());
        request_side.push(mid);
    }
    request_side.sort();
    whole.sort();
    resent.sort();
    println!("\n## Policy chain at 1,000 req/s ({n} requests)\n");
    println!("| | p50 (µs) | p99 (µs) |\n|---|---|---|");
    println!(
        "| request side (injection + PII + safety on ~2 KB) | {:.1} | {:.1} |",
        pct(&request_side, 0.5),
        pct(&request_side, 0.99)
    );
    println!(
        "| whole chain (request + reply with restore) | **{:.1}** | **{:.1}** |",
        pct(&whole, 0.5),
        pct(&whole, 0.99)
    );
    println!(
        "| request side, the same prompt resent (verdicts from the cache) | {:.1} | {:.1} |",
        pct(&resent, 0.5),
        pct(&resent, 0.99)
    );
}
