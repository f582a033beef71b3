//! Access's own settings, compiled from the pack's `auth` section and its targets when a runtime
//! is built (`runtime` does the compiling): keys, rate limits and budgets as access reads them,
//! so a pack-format change stops at the builder.

/// Requests and tokens per minute; `None` leaves that bucket unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub requests_per_minute: Option<u32>,
    pub tokens_per_minute: Option<u32>,
}

/// Spend limits in US dollars per UTC day and calendar month.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BudgetLimits {
    pub usd_per_day: Option<f64>,
    pub usd_per_month: Option<f64>,
}

/// Where a client key's SHA-256 comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySecret {
    /// The digest itself, as 64 hex digits.
    Sha256Hex(String),
    /// An environment variable holding the plain key, read when the runtime is built.
    Env(String),
}

/// One client key and what it may do.
#[derive(Debug, Clone, PartialEq)]
pub struct KeySpec {
    pub id: String,
    /// `None` when the pack gives neither form (refused when the runtime is built).
    pub secret: Option<KeySecret>,
    /// Client-facing model names (globs) the key may use; empty allows every model.
    pub models: Vec<String>,
    pub rate_limit: Option<RateLimits>,
    pub budget: Option<BudgetLimits>,
}
