//! The `anthropic-beta` header: betas gw needs no action for pass silently; any other is
//! ignored with a warning, never refused, so a client upgrade cannot break a team's agent.

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

/// Warns about each beta in the comma-separated header values that gw does not implement.
pub fn check_betas<'a>(values: impl IntoIterator<Item = &'a str>) {
    for beta in values
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|b| !b.is_empty())
    {
        if !NO_OP_BETAS.contains(&beta) {
            let shown: String = beta.chars().take(64).collect();
            tracing::warn!(beta = %shown, "ignoring an anthropic-beta that gw does not implement");
        }
    }
}
