//! The `anthropic-beta` header: betas gw needs no action for pass silently; any other is
//! ignored with a warning, never refused, so a client upgrade cannot break a team's agent. Each
//! unknown beta is warned about once per process (Claude Code sends five on every request), and
//! at most `MAX_REMEMBERED` names are remembered so a client cannot grow the set.

use std::collections::HashSet;
use std::sync::Mutex;

/// Unknown betas already warned about.
static WARNED: Mutex<Option<HashSet<String>>> = Mutex::new(None);
/// Most beta names remembered; past it, warnings stop.
const MAX_REMEMBERED: usize = 256;

/// Betas whose behaviour gw already provides (or that only change request validation gw does
/// not do), so they are accepted without comment.
const NO_OP_BETAS: &[&str] = &[
    "prompt-caching-2024-07-31",
    "token-counting-2024-11-01",
    "pdfs-2024-09-25",
    "messages-2023-12-15",
    "tools-2024-04-04",
    "tools-2024-05-16",
    "max-tokens-3-5-sonnet-2024-07-15",
];

/// Whether `beta` is seen for the first time (and there is room to remember it).
fn first_sight(beta: &str) -> bool {
    let Ok(mut guard) = WARNED.lock() else {
        return false;
    };
    let seen = guard.get_or_insert_with(HashSet::new);
    let key: String = beta.chars().take(64).collect();
    if seen.len() >= MAX_REMEMBERED || seen.contains(&key) {
        return false;
    }
    seen.insert(key)
}

/// Warns about each beta in the comma-separated header values that gw does not implement.
pub fn check_betas<'a>(values: impl IntoIterator<Item = &'a str>) {
    for beta in values
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|b| !b.is_empty())
    {
        if !NO_OP_BETAS.contains(&beta) && first_sight(beta) {
            let shown: String = beta.chars().take(64).collect();
            tracing::warn!(
                beta = %shown,
                "ignoring an anthropic-beta that gw does not implement (said once per process)"
            );
        }
    }
}
