//! Prints the indirect reading's log-odds for every segment of each tool-result row of a JSON
//! Lines corpus, for analyses `gw eval` does not make (how withholding grows with a file's
//! length, what a per-document baseline would do): `scripts/long_files.py` reads its output.
//!
//! Usage: cargo run -q --example segment_scores < rows.jsonl > scores.tsv
//! One line per row: label, class, the segments' log-odds (comma-separated), and the indices of
//! the segments that overlap the row's `span` (a planted instruction), if it has one.

use std::io::{BufRead, Write};

use gw::policy::injection::{InjectionScorer, Kind};

fn main() {
    let scorer = InjectionScorer::builtin().expect("the shipped models load");
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("stdin is readable");
        let row: serde_json::Value = serde_json::from_str(&line).expect("each line is a JSON row");
        let text = row["text"].as_str().unwrap_or("");
        let scan = scorer.scan(text, Kind::Indirect);
        let logits: Vec<String> = scan
            .segments
            .iter()
            .map(|s| {
                let p = s.score.value.clamp(1e-6, 1.0 - 1e-6);
                format!("{:.3}", (p / (1.0 - p)).ln())
            })
            .collect();
        let span = row["span"]
            .as_array()
            .and_then(|a| Some((a.first()?.as_u64()? as usize, a.get(1)?.as_u64()? as usize)));
        let planted: Vec<String> = span.map_or_else(Vec::new, |(from, to)| {
            let hits = scan.segments.iter().enumerate();
            hits.filter(|(_, s)| s.start < to && s.end > from)
                .map(|(i, _)| i.to_string())
                .collect()
        });
        writeln!(
            out,
            "{}\t{}\t{}\t{}",
            row["label"],
            row["class"].as_str().unwrap_or(""),
            logits.join(","),
            planted.join(",")
        )
        .expect("stdout is writable");
    }
}
