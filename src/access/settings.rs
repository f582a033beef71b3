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

/// Where a pack's counters live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreSpec {
    /// In this process (one replica's view).
    Memory,
    /// A Redis (or Valkey) server shared by every replica.
    Redis(RedisSpec),
}

/// How to reach the shared store. `Debug` leaves the password out.
#[derive(Clone, PartialEq, Eq)]
pub struct RedisSpec {
    /// `redis://host:port/db` or `rediss://…` (TLS), without a password.
    pub url: String,
    /// The password, read from the pack's `password_env` when the runtime is built.
    pub password: Option<String>,
    /// PEM CA certificates to trust for `rediss://` instead of the public web roots.
    pub ca_pem: Option<Vec<u8>>,
    /// Longest wait for one store operation, connecting included.
    pub timeout: std::time::Duration,
    /// Prefix of every key gw writes (`gw:<pack name>` unless the pack sets one).
    pub prefix: String,
}

impl std::fmt::Debug for RedisSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisSpec")
            .field("url", &self.url)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("ca_pem", &self.ca_pem.as_ref().map(Vec::len))
            .field("timeout", &self.timeout)
            .field("prefix", &self.prefix)
            .finish()
    }
}

/// What admission does when the store cannot answer in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreFailure {
    /// `true`: a rate limit that cannot be checked lets the request through (the default).
    pub rate_limits_open: bool,
    /// `true`: a budget that cannot be checked lets the request through (default `false`: money
    /// is at stake).
    pub budgets_open: bool,
}

impl Default for StoreFailure {
    fn default() -> Self {
        Self {
            rate_limits_open: true,
            budgets_open: false,
        }
    }
}
