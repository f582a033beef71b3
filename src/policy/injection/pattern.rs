//! Rewrites signature patterns so `\b \B \w \s \d` (and their negations) mean their ASCII forms.
//!
//! Why it exists: with Unicode word boundaries the regex crate cannot use its DFA on text holding
//! any non-ASCII character (an em dash, a curly quote, an accent) and falls back to an engine ~300x
//! slower, milliseconds per prompt. ASCII classes keep the scan in the DFA on every text, and they
//! are exactly what the training script uses (Python `re.ASCII`), so rules fire the same on both
//! sides. Other classes such as `[^.!?\n]` keep matching any character.

/// The pattern with its Perl classes and word boundaries made ASCII-only. Outside brackets `\b` and
/// `\B` become `(?-u:\b)` / `(?-u:\B)` and `\w` becomes `[[:word:]]` (`\W` is `[^[:word:]]`,
/// still matching any non-ASCII character, as Python does); inside brackets `\w` becomes `[:word:]`.
pub(crate) fn ascii_classes(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut depth = 0_usize;
    let mut chars = pattern.chars().peekable();
    // True right after `[` or `[^`, where `]` is a literal.
    let mut class_start = false;
    while let Some(c) = chars.next() {
        let at_start = std::mem::take(&mut class_start);
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    out.push('\\');
                    break;
                };
                match (e, depth > 0) {
                    ('b' | 'B', false) => {
                        out.push_str("(?-u:\\");
                        out.push(e);
                        out.push(')');
                    }
                    ('w' | 'W' | 's' | 'S' | 'd' | 'D', inside) => {
                        let name = match e.to_ascii_lowercase() {
                            'w' => "word",
                            's' => "space",
                            _ => "digit",
                        };
                        let neg = if e.is_ascii_uppercase() { "^" } else { "" };
                        if inside {
                            out.push_str(&format!("[:{neg}{name}:]"));
                        } else {
                            out.push_str(&format!("[{neg}[:{name}:]]"));
                        }
                    }
                    _ => {
                        out.push('\\');
                        out.push(e);
                    }
                }
            }
            '[' if depth > 0 && chars.peek() == Some(&':') => {
                // A POSIX class such as `[:alpha:]`: copy through its closing `:]`.
                out.push('[');
                let mut last = '[';
                for d in chars.by_ref() {
                    out.push(d);
                    if last == ':' && d == ']' {
                        break;
                    }
                    last = d;
                }
            }
            '[' => {
                depth += 1;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    chars.next();
                    out.push('^');
                }
                class_start = true;
            }
            ']' if depth > 0 && !at_start => {
                depth -= 1;
                out.push(']');
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_perl_classes_outside_and_inside_brackets() {
        assert_eq!(ascii_classes(r"\bdan\b"), r"(?-u:\b)dan(?-u:\b)");
        assert_eq!(
            ascii_classes(r"(\w+ )\s*\d\W"),
            r"([[:word:]]+ )[[:space:]]*[[:digit:]][^[:word:]]"
        );
        assert_eq!(ascii_classes(r"[^\w\s.]"), r"[^[:word:][:space:].]");
        assert_eq!(ascii_classes(r"[]\w]x"), r"[][:word:]]x");
        assert_eq!(
            ascii_classes(r"[[:alpha:]\d]\b"),
            r"[[:alpha:][:digit:]](?-u:\b)"
        );
        assert_eq!(ascii_classes(r"a\\b\.\n"), r"a\\b\.\n");
        assert_eq!(ascii_classes(r"[ #\[<*-]x\B"), r"[ #\[<*-]x(?-u:\B)");
    }

    #[test]
    fn rewritten_patterns_are_ascii_and_compile() {
        let re = regex::Regex::new(&ascii_classes(r"\bignore\b\W\w+")).unwrap();
        assert!(re.is_match("— ignore—all"));
        assert!(!re.is_match("ignores all"));
        let pattern = ascii_classes(r"\b(?:\w ){3,}\w\b");
        assert!(regex::Regex::new(&pattern).unwrap().is_match("i g n o r e"));
    }
}
