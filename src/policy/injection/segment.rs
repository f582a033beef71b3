//! Cutting a long text into the pieces the injection scorer reads.
//!
//! Why it exists: an instruction planted in a 30 KB file is a few hundred characters among
//! thousands. Scored whole, the file's own words drown it; scored as windows of lines, the
//! planted paragraph stands out, and the window that fired is the span a `redact` action
//! withholds. The training script (`scripts/injection_features.py`, `segments`) cuts texts the
//! same way, so the model learns on what it is asked to score.
//!
//! The rule: lines (each with its `\n`) are packed greedily into segments of at most `max`
//! characters; a line longer than `max` is cut into pieces of at most `max` characters, each
//! ending after the last blank in its second half when there is one. Segments holding only
//! blanks are dropped. Offsets are bytes into the text.

/// Segment size for user turns and other direct text: most prompts are one segment, and a long
/// pasted document is read a page at a time (so its length does not add up to a false alarm).
pub const DIRECT_MAX: usize = 2048;
/// Segment size for tool results and documents: about a paragraph. Smaller windows let a
/// planted sentence dominate its segment; larger ones drown it in the page around it (measured
/// in `scripts/train_injection.py`'s cross-validation: 320 beat 200, 256 and 640).
pub const INDIRECT_MAX: usize = 320;

/// The byte ranges of `text`'s segments, in order.
pub fn segments(text: &str, max: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let max = max.max(2);
    let mut seg_start = 0;
    let mut seg_chars = 0;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let start = pos;
        pos += line.len();
        let chars = line.chars().count();
        if chars > max {
            push(&mut out, text, seg_start, start);
            cut_long(line, start, max, &mut out, text);
            seg_start = pos;
            seg_chars = 0;
        } else if seg_chars + chars > max {
            push(&mut out, text, seg_start, start);
            seg_start = start;
            seg_chars = chars;
        } else {
            seg_chars += chars;
        }
    }
    push(&mut out, text, seg_start, pos);
    out
}

/// Cuts one long line (at byte `offset` of `text`) into pieces of at most `max` characters.
fn cut_long(line: &str, offset: usize, max: usize, out: &mut Vec<(usize, usize)>, text: &str) {
    let mut rest = line;
    let mut at = offset;
    while rest.chars().count() > max {
        // Byte index just past the `max`-th character.
        let hard = rest.char_indices().nth(max).map_or(rest.len(), |(i, _)| i);
        let half = rest
            .char_indices()
            .nth(max / 2)
            .map_or(rest.len(), |(i, _)| i);
        let cut = rest[half..hard]
            .rfind(char::is_whitespace)
            .map(|i| {
                let b = half + i;
                b + rest[b..].chars().next().map_or(1, char::len_utf8)
            })
            .unwrap_or(hard);
        push(out, text, at, at + cut);
        at += cut;
        rest = &rest[cut..];
    }
    push(out, text, at, at + rest.len());
}

fn push(out: &mut Vec<(usize, usize)>, text: &str, start: usize, end: usize) {
    if end > start && !text[start..end].trim().is_empty() {
        out.push((start, end));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str, max: usize) -> Vec<&str> {
        segments(text, max)
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect()
    }

    #[test]
    fn packs_lines_up_to_the_limit() {
        assert_eq!(pieces("ab\ncd\nef\n", 6), ["ab\ncd\n", "ef\n"]);
        assert_eq!(pieces("short", 640), ["short"]);
        assert!(pieces("", 10).is_empty());
        assert_eq!(pieces("a\n\n   \n\nb", 2), ["a\n", "\nb"]);
    }

    #[test]
    fn long_lines_are_cut_at_blanks_in_their_second_half() {
        let line = "aaaa bbbb cccc dddd";
        assert_eq!(pieces(line, 10), ["aaaa bbbb ", "cccc dddd"]);
        let solid = "x".repeat(25);
        assert_eq!(pieces(&solid, 10), ["xxxxxxxxxx", "xxxxxxxxxx", "xxxxx"]);
        // Characters, not bytes.
        let wide = "é".repeat(12);
        assert_eq!(pieces(&wide, 10), ["é".repeat(10), "é".repeat(2)]);
    }

    /// Fixed vector printed by `python3 scripts/injection_features.py` (`segments`, in
    /// character offsets), so training cuts texts exactly as scoring does.
    #[test]
    fn segments_match_the_training_script() {
        let text = "alpha beta gamma\n".repeat(3)
            + &"x".repeat(25)
            + "\n\n \n"
            + &"d\u{e9}j\u{e0} vu ".repeat(6);
        let chars = |b: usize| text[..b].chars().count();
        let got: Vec<(usize, usize)> = segments(&text, 20)
            .into_iter()
            .map(|(s, e)| (chars(s), chars(e)))
            .collect();
        assert_eq!(
            got,
            [
                (0, 17),
                (17, 34),
                (34, 51),
                (51, 71),
                (71, 77),
                (80, 96),
                (96, 112),
                (112, 128)
            ]
        );
    }

    #[test]
    fn covers_the_text_in_order() {
        let text = "line one\n".repeat(200) + &"y".repeat(3000) + "\nend";
        let segs = segments(&text, 640);
        let mut at = 0;
        for (s, e) in &segs {
            assert_eq!(*s, at);
            assert!(text[*s..*e].chars().count() <= 640);
            at = *e;
        }
        assert_eq!(at, text.len());
    }
}
