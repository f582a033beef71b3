//! The wall clock, read in one place.
//!
//! Why it exists: budgets, reload timestamps, completion `created` fields and audit times all need
//! "now" in Unix seconds; a leaf module lets every layer read it without importing the server.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch (0 if the clock is before it).
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
