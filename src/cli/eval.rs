//! `gw eval`: the built-in detectors measured on the labelled corpora in the repository (and the
//! recorded client traffic), or on corpora the caller names.

use std::path::PathBuf;
use std::process::ExitCode;

use super::EvalDetector;
use super::output::{err, out};

/// `gw eval injection`: every corpus given, or by default every labelled corpus in the repository
/// plus the recorded client traffic, read zone by zone and reported per traffic class.
fn eval_injection(corpus: &[PathBuf], threshold: Option<f32>, errors: bool) -> ExitCode {
    let scorer = match crate::policy::injection::InjectionScorer::builtin() {
        Ok(s) => s,
        Err(e) => {
            err(format_args!("gw: {e}"));
            return ExitCode::FAILURE;
        }
    };
    let t = threshold.unwrap_or(crate::policy::injection::DEFAULT_THRESHOLD);
    let mut report = crate::policy::injection::EvalReport::new(t);
    if errors {
        report.errors = Some(Vec::new());
    }
    let (files, traffic) = if corpus.is_empty() {
        let mut files = vec![
            PathBuf::from("tests/corpora/injection_dev_open.jsonl"),
            PathBuf::from("tests/corpora/everyday_dev.jsonl"),
        ];
        let mut traffic = Vec::new();
        for (dir, list) in [
            ("tests/corpora/injection", &mut files),
            ("tests/traffic", &mut traffic),
        ] {
            let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
                .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
                .unwrap_or_default();
            found.retain(|p| p.extension().is_some_and(|e| e == "jsonl"));
            found.sort();
            list.extend(found);
        }
        (files, traffic)
    } else {
        (corpus.to_vec(), Vec::new())
    };
    if files.is_empty() {
        err(format_args!(
            "gw: no corpus found; run from the repository root or pass --corpus"
        ));
        return ExitCode::FAILURE;
    }
    for path in &files {
        match std::fs::read_to_string(path) {
            Ok(text) => report.add_jsonl(&text, &scorer),
            Err(e) => {
                err(format_args!("gw: cannot read {}: {e}", path.display()));
                return ExitCode::FAILURE;
            }
        }
    }
    for path in &traffic {
        match crate::replay::traffic_texts(path) {
            Ok(items) => items.iter().for_each(|i| report.add(i, &scorer)),
            Err(e) => {
                err(format_args!("gw: {e}"));
                return ExitCode::FAILURE;
            }
        }
    }
    out(format_args!("{report}"));
    ExitCode::SUCCESS
}

pub(super) fn eval(
    detector: EvalDetector,
    corpus: Vec<PathBuf>,
    threshold: Option<f32>,
    errors: bool,
    private_ips: bool,
) -> ExitCode {
    match detector {
        EvalDetector::Injection => eval_injection(&corpus, threshold, errors),
        EvalDetector::Pii => eval_pii(corpus.first(), errors, private_ips),
    }
}

/// `gw eval pii`: precision and recall per entity type on one corpus.
fn eval_pii(corpus: Option<&PathBuf>, errors: bool, private_ips: bool) -> ExitCode {
    let path = corpus.map_or_else(
        || PathBuf::from("tests/corpora/pii_dev.jsonl"),
        Clone::clone,
    );
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            err(format_args!("gw: cannot read {}: {e}", path.display()));
            return ExitCode::FAILURE;
        }
    };
    let detector = crate::policy::pii::rules::builtin().and_then(|specs| {
        crate::policy::pii::PiiDetector::new(&specs, &crate::policy::pii::policy::ALL_ENTITIES)
            .map(|d| d.with_private_ips(private_ips))
    });
    match detector {
        Ok(d) => {
            let report = crate::policy::pii::evaluate(&text, &d);
            out(format_args!("{report}"));
            if errors {
                report.errors.iter().for_each(|e| out(format_args!("{e}")));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            err(format_args!("gw: {e}"));
            ExitCode::FAILURE
        }
    }
}
