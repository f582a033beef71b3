//! Hold-back for streamed replies: release text as soon as no match can still be in progress.
//!
//! A card number may arrive as `4111 1111` + ` 1111 1111`; scanning each delta alone would miss it,
//! holding the whole reply would ruin time to first token. The held tail starts at the earliest
//! token that could still belong to a value (it has a digit, a capital, an `@`, an open `[` of a
//! placeholder, an unfinished private-key block); everything before it goes out now. A short tail
//! of released text is kept as context, so `DOB` in one delta still qualifies a date in the next.

use super::detector::{Finding, PiiDetector};

/// Released text kept as look-behind context for keyword rules.
const CONTEXT: usize = 96;
/// Most bytes held back for a run of value-like tokens (addresses, spaced numbers).
const MAX_HOLD: usize = 256;
/// Most bytes held back for one unbroken token (JWTs, keys).
const MAX_TOKEN: usize = 4096;
/// Most bytes held back for an unfinished private-key block.
const MAX_BLOCK: usize = 16384;
/// Longest placeholder (`[DRIVER_LICENSE_999]` plus room).
const MAX_PLACEHOLDER: usize = 40;

/// The held-back text of one content block.
#[derive(Debug, Default)]
pub struct Held {
    text: String,
    context: String,
    buf: String,
    scratch: Vec<Finding>,
}

impl Held {
    /// Appends a delta.
    pub fn push(&mut self, delta: &str) {
        self.text.push_str(delta);
    }

    /// Whether anything is held.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Splits off the text that can go out now (all of it with `all`), filling `found` with the
    /// findings in it, relative to the returned text.
    pub fn release(
        &mut self,
        det: Option<&PiiDetector>,
        found: &mut Vec<Finding>,
        all: bool,
    ) -> String {
        found.clear();
        let mut cut = if all {
            self.text.len()
        } else {
            hold_from(&self.text)
        };
        if cut == 0 {
            return String::new();
        }
        let Some(det) = det else {
            return self.take(cut);
        };
        let ctx = self.context.len();
        self.buf.clear();
        self.buf.push_str(&self.context);
        self.buf.push_str(&self.text);
        self.scratch.clear();
        det.scan(&self.buf, &mut self.scratch);
        for f in self.scratch.drain(..) {
            if f.end <= ctx {
                continue;
            }
            let (s, e) = (f.start.max(ctx) - ctx, f.end - ctx);
            if !all && s < cut && (e > cut || e == self.text.len()) {
                cut = s;
                break;
            }
            if e > cut {
                break;
            }
            found.push(Finding {
                start: s,
                end: e,
                ..f
            });
        }
        self.take(cut)
    }

    /// Takes `text[..cut]` out, keeping its tail as context.
    fn take(&mut self, cut: usize) -> String {
        let rest = self.text.split_off(cut);
        let out = std::mem::replace(&mut self.text, rest);
        self.context.push_str(&out);
        if self.context.len() > CONTEXT {
            let mut from = self.context.len() - CONTEXT;
            while !self.context.is_char_boundary(from) {
                from += 1;
            }
            self.context.drain(..from);
        }
        out
    }
}

/// The byte offset in `text` from which it must be held back.
pub fn hold_from(text: &str) -> usize {
    let len = text.len();
    if let Some(p) = text.rfind("-----BEGIN")
        && !text[p..].contains("-----END")
        && len - p <= MAX_BLOCK
    {
        return p;
    }
    let b = text.as_bytes();
    let mut cut = len;
    if !b.last().is_some_and(u8::is_ascii_whitespace) {
        cut = b
            .iter()
            .rposition(u8::is_ascii_whitespace)
            .map_or(0, |i| i + 1);
        if len - cut > MAX_TOKEN {
            cut = floor_boundary(text, len - MAX_TOKEN);
        }
    }
    loop {
        let end = b[..cut]
            .iter()
            .rposition(|c| !c.is_ascii_whitespace())
            .map_or(0, |i| i + 1);
        if end == 0 {
            cut = 0;
            break;
        }
        let start = b[..end]
            .iter()
            .rposition(u8::is_ascii_whitespace)
            .map_or(0, |i| i + 1);
        if len - start > MAX_HOLD || !value_like(&text[start..end]) {
            break;
        }
        cut = start;
    }
    if let Some(p) = text.rfind('[')
        && !text[p..].contains(']')
        && len - p <= MAX_PLACEHOLDER
    {
        cut = cut.min(p);
    }
    cut
}

fn value_like(tok: &str) -> bool {
    tok.chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || "+(-/#:".contains(c))
        || tok.bytes().any(|c| c.is_ascii_digit() || c == b'@')
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_only_the_value_like_tail() {
        assert_eq!(hold_from("hello there "), 12);
        assert_eq!(hold_from("hello there"), 6);
        assert_eq!(hold_from("my card is 4111 1111"), 11);
        assert_eq!(hold_from("mail me at bob@"), 11);
        assert_eq!(hold_from("see [EMAIL_"), 4);
        assert_eq!(hold_from("key:\n-----BEGIN RSA PRIVATE KEY-----\nabc"), 5);
    }
}
