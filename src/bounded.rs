//! Untrusted strings, cut to a stated length before they are copied anywhere that lasts.
//!
//! Why it exists: a client chooses its `model` name (and other fields gw echoes). Copied whole
//! into the audit record, the log line, a span or an error message, a 70,000-byte name becomes a
//! 70 KB audit row, log line and `gw audit stats` table cell. Every such copy goes through
//! [`bounded`], which keeps the first [`MAX_UNTRUSTED`] bytes (at a character boundary) and marks
//! the cut with the original length, so a reviewer sees that something was cut and how much.

use std::borrow::Cow;

/// Most bytes of an untrusted string kept in records, logs, spans and error messages.
pub const MAX_UNTRUSTED: usize = 200;

/// `s` as it may be stored: whole when short, else its first [`MAX_UNTRUSTED`] bytes followed by
/// `…[cut: N bytes]`.
pub fn bounded(s: &str) -> Cow<'_, str> {
    if s.len() <= MAX_UNTRUSTED {
        return Cow::Borrowed(s);
    }
    let mut end = MAX_UNTRUSTED;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}…[cut: {} bytes]", &s[..end], s.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_strings_pass_long_ones_are_cut_and_marked() {
        assert_eq!(bounded("claude"), "claude");
        let long = "A".repeat(70_000);
        let cut = bounded(&long);
        assert!(cut.len() < MAX_UNTRUSTED + 32, "{}", cut.len());
        assert!(cut.ends_with("…[cut: 70000 bytes]"), "{cut}");
        let wide = "é".repeat(150);
        assert!(bounded(&wide).starts_with(&"é".repeat(100)));
    }
}
