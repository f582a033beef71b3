//! Streamed replies: scan text deltas as they arrive, holding back only the tail a term could
//! still be growing into.
//!
//! Why it exists: a term such as "how to make a bomb" can be split across any number of deltas,
//! and a blocked reply must end with the error rather than stop silently or leak the term. In
//! `block` mode each text block keeps its unreleased tail plus a bounded window of released text
//! (for sentence context), and releases text in pieces of at least `RESCAN_STEP` bytes so that a
//! stream of tiny deltas is not rescanned per delta; in `log` mode nothing is held: the text
//! passes at once and each block is scanned whole when it ends.

use crate::ir::StreamEvent;
use crate::policy::injection::{fold, folded_len};

use super::lexicon::Lexicon;

/// Released text kept for sentence context, in bytes.
const KEEP: usize = 512;

/// Unreleased bytes beyond the hold-back before the next scan (block mode): text leaves in
/// pieces of at least this much, and a stream of small deltas is scanned once per piece rather
/// than once per delta. The end of a block is always scanned.
const RESCAN_STEP: usize = 48;

/// One text or reasoning block being streamed.
#[derive(Debug)]
struct Held {
    index: u32,
    reasoning: bool,
    /// Block mode: the tail (kept context + unreleased text). Log mode: the whole block.
    buf: String,
    /// Bytes of `buf` already sent on.
    released: usize,
}

/// Per-request stream state.
#[derive(Debug, Default)]
pub(crate) struct StreamScan {
    held: Vec<Held>,
    /// Log mode: categories found in finished blocks, for the final decision.
    logged: Vec<usize>,
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl StreamScan {
    /// Takes one event. Pushes what may go on now and returns the categories of terms that must
    /// block the reply (block mode); nothing of the offending text is pushed when it does.
    pub(crate) fn push(
        &mut self,
        event: StreamEvent,
        lexicon: &Lexicon,
        block: bool,
        out: &mut Vec<StreamEvent>,
    ) -> Vec<usize> {
        let (index, text, reasoning) = match event {
            StreamEvent::TextDelta { index, text } => (index, text, false),
            StreamEvent::ReasoningDelta { index, text } => (index, text, true),
            StreamEvent::BlockStop { index } => {
                let found = self.finish_block(index, lexicon, block, out);
                if !found.is_empty() {
                    return found;
                }
                out.push(event);
                return Vec::new();
            }
            StreamEvent::MessageStop { .. } => {
                let found = self.flush_all(lexicon, block, out);
                if !found.is_empty() {
                    return found;
                }
                out.push(event);
                return Vec::new();
            }
            other => {
                out.push(other);
                return Vec::new();
            }
        };
        let pos = match self.held.iter().position(|h| h.index == index) {
            Some(p) => p,
            None => {
                self.held.push(Held {
                    index,
                    reasoning,
                    buf: String::new(),
                    released: 0,
                });
                self.held.len() - 1
            }
        };
        let h = &mut self.held[pos];
        h.buf.push_str(&text);
        if !block {
            h.released = h.buf.len();
            out.push(delta(h, text));
            return Vec::new();
        }
        let hold = 2 * lexicon.longest + 8;
        // Wait for a piece worth releasing: a scan re-reads the whole kept window (~1 KB), so
        // scanning per token of a few bytes would cost that much per token.
        if h.buf.len() - h.released < hold + RESCAN_STEP {
            return Vec::new();
        }
        let folded = fold(&h.buf);
        // Terms inside released text were judged when they arrived (with their context then);
        // folding is prefix-stable, so this is where released text ends in `folded`.
        let judged = folded_len(&h.buf[..h.released]);
        // A term ending exactly at the end may still grow ("bomb" -> "bombastic"): not yet.
        let found: Vec<usize> = lexicon
            .scan(&folded)
            .into_iter()
            .filter(|hit| hit.end > judged && hit.end < folded.len())
            .map(|hit| hit.category)
            .collect();
        if !found.is_empty() {
            return found;
        }
        let cut = floor_boundary(&h.buf, h.buf.len().saturating_sub(hold));
        if cut > h.released {
            let piece = h.buf[h.released..cut].to_string();
            h.released = cut;
            out.push(delta(h, piece));
        }
        if h.released > 2 * KEEP {
            let drop = floor_boundary(&h.buf, h.released - KEEP);
            h.buf.drain(..drop);
            h.released -= drop;
        }
        Vec::new()
    }

    /// Ends one block: a final scan, then its held text (block mode) goes on.
    fn finish_block(
        &mut self,
        index: u32,
        lexicon: &Lexicon,
        block: bool,
        out: &mut Vec<StreamEvent>,
    ) -> Vec<usize> {
        let Some(pos) = self.held.iter().position(|h| h.index == index) else {
            return Vec::new();
        };
        let h = self.held.remove(pos);
        // Log mode keeps the whole block and has judged nothing yet; block mode judged the
        // released part as it went.
        let judged = if block {
            folded_len(&h.buf[..h.released])
        } else {
            0
        };
        let found: Vec<usize> = lexicon
            .scan(&fold(&h.buf))
            .into_iter()
            .filter(|hit| hit.end > judged)
            .map(|hit| hit.category)
            .collect();
        if !block {
            self.logged.extend(found);
            return Vec::new();
        }
        if !found.is_empty() {
            return found;
        }
        if h.released < h.buf.len() {
            let rest = h.buf[h.released..].to_string();
            out.push(delta(&h, rest));
        }
        Vec::new()
    }

    /// Ends every open block (message stop or end of the upstream stream).
    pub(crate) fn flush_all(
        &mut self,
        lexicon: &Lexicon,
        block: bool,
        out: &mut Vec<StreamEvent>,
    ) -> Vec<usize> {
        let indices: Vec<u32> = self.held.iter().map(|h| h.index).collect();
        for index in indices {
            let found = self.finish_block(index, lexicon, block, out);
            if !found.is_empty() {
                return found;
            }
        }
        Vec::new()
    }

    /// Log mode: the categories found so far, for the decision at the end of the stream.
    pub(crate) fn take_logged(&mut self) -> Vec<usize> {
        std::mem::take(&mut self.logged)
    }
}

fn delta(h: &Held, text: String) -> StreamEvent {
    if h.reasoning {
        StreamEvent::ReasoningDelta {
            index: h.index,
            text,
        }
    } else {
        StreamEvent::TextDelta {
            index: h.index,
            text,
        }
    }
}
