//! Rewriting text around findings: `[EMAIL]` masks, or `[EMAIL_1]` placeholders that stay the same
//! for the same value within one request and can be put back into the reply.
//!
//! The table lives in the request's run, never in the policy, so values cannot leak between
//! requests; it is what lets the user see their own data while Bedrock never does.

use std::collections::HashMap;

use crate::terms::{PiiEntity, RedactionStyle};

use super::detector::Finding;

/// The upper-case name of an entity type, as written in packs, masks and decisions.
pub fn label(e: PiiEntity) -> &'static str {
    match e {
        PiiEntity::Email => "EMAIL",
        PiiEntity::Phone => "PHONE",
        PiiEntity::UsSsn => "US_SSN",
        PiiEntity::CreditCard => "CREDIT_CARD",
        PiiEntity::Iban => "IBAN",
        PiiEntity::IpAddress => "IP_ADDRESS",
        PiiEntity::AwsAccessKey => "AWS_ACCESS_KEY",
        PiiEntity::GenericSecret => "GENERIC_SECRET",
        PiiEntity::DateOfBirth => "DATE_OF_BIRTH",
        PiiEntity::StreetAddress => "STREET_ADDRESS",
        PiiEntity::Person => "PERSON",
        PiiEntity::UsPassport => "US_PASSPORT",
        PiiEntity::DriverLicense => "DRIVER_LICENSE",
    }
}

/// Per-request redaction state: the placeholder table and how many of each type were seen.
#[derive(Debug, Default)]
pub struct Redactor {
    style: RedactionStyle,
    /// Values given a placeholder, per type in order of first sight: `[EMAIL_2]` is the second
    /// email value.
    values: Vec<(PiiEntity, Values)>,
    /// Findings per entity type since the last [`Redactor::take_counts`].
    counts: Vec<(PiiEntity, u32)>,
}

/// One type's placeholder values. Looked up by a linear scan while short (a prompt rarely holds
/// more than a few of one type), by a map once long.
#[derive(Debug, Default)]
struct Values {
    list: Vec<Box<str>>,
    index: Option<HashMap<Box<str>, u32>>,
}

/// From this many values of one type on, look-ups go through a map.
const INDEX_FROM: usize = 32;

impl Values {
    /// The placeholder number of `value`, handing out the next one if it is new.
    fn number(&mut self, value: &str) -> u32 {
        let known = match &self.index {
            Some(map) => map.get(value).copied(),
            None => self
                .list
                .iter()
                .position(|v| &**v == value)
                .map(|i| i as u32 + 1),
        };
        if let Some(n) = known {
            return n;
        }
        self.list.push(value.into());
        let n = self.list.len() as u32;
        if let Some(map) = &mut self.index {
            map.insert(value.into(), n);
        } else if self.list.len() >= INDEX_FROM {
            let map = (1..).zip(&self.list).map(|(i, v)| (v.clone(), i)).collect();
            self.index = Some(map);
        }
        n
    }
}

impl Redactor {
    /// A fresh table for one request.
    pub fn new(style: RedactionStyle) -> Self {
        Self {
            style,
            ..Self::default()
        }
    }

    /// Counts the findings without rewriting anything (`block` and `log`).
    pub fn count(&mut self, findings: &[Finding]) {
        for f in findings {
            match self.counts.iter_mut().find(|(e, _)| *e == f.entity) {
                Some((_, n)) => *n += 1,
                None => self.counts.push((f.entity, 1)),
            }
        }
    }

    /// Writes `text` with every finding replaced into `out`, and counts them.
    pub fn redact(&mut self, text: &str, findings: &[Finding], out: &mut String) {
        self.count(findings);
        let mut last = 0;
        for f in findings {
            out.push_str(&text[last..f.start]);
            self.replacement(f.entity, &text[f.start..f.end], out);
            last = f.end;
        }
        out.push_str(&text[last..]);
    }

    fn replacement(&mut self, entity: PiiEntity, value: &str, out: &mut String) {
        let name = label(entity);
        out.push('[');
        out.push_str(name);
        if self.style == RedactionStyle::Placeholder {
            let at = match self.values.iter().position(|(e, _)| *e == entity) {
                Some(i) => i,
                None => {
                    self.values.push((entity, Values::default()));
                    self.values.len() - 1
                }
            };
            let values = &mut self.values[at].1;
            let n = values.number(value);
            out.push('_');
            out.push_str(itoa(n, &mut [0; 10]));
        }
        out.push(']');
    }

    /// The value behind a placeholder `[NAME_N]`, if this request handed it out.
    fn value_of(&self, placeholder: &str) -> Option<&str> {
        let inner = placeholder.strip_prefix('[')?.strip_suffix(']')?;
        let (name, digits) = inner.rsplit_once('_')?;
        if digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: usize = digits.parse().ok()?;
        let (_, values) = self.values.iter().find(|(e, _)| label(*e) == name)?;
        values.list.get(n.checked_sub(1)?).map(|v| &**v)
    }

    /// Whether any placeholder was handed out (restoring is pointless otherwise).
    pub fn has_placeholders(&self) -> bool {
        !self.values.is_empty()
    }

    /// Writes `text` with every known placeholder replaced by its value into `out`. With `json`,
    /// values are escaped for the inside of a JSON string (streamed tool input).
    pub fn restore(&self, text: &str, json: bool, out: &mut String) {
        let mut last = 0;
        let mut from = 0;
        while let Some(rel) = text[from..].find('[') {
            let open = from + rel;
            let Some(close) = text[open..].find(']').map(|c| open + c) else {
                break;
            };
            match self.value_of(&text[open..=close]) {
                Some(value) => {
                    out.push_str(&text[last..open]);
                    if json {
                        let quoted = serde_json::Value::String(value.to_owned()).to_string();
                        out.push_str(&quoted[1..quoted.len() - 1]);
                    } else {
                        out.push_str(value);
                    }
                    last = close + 1;
                    from = close + 1;
                }
                None => from = open + 1,
            }
        }
        out.push_str(&text[last..]);
    }

    /// The counts so far, sorted by type name, and resets them.
    pub fn take_counts(&mut self) -> Vec<(String, u32)> {
        let mut v: Vec<(String, u32)> = self
            .counts
            .drain(..)
            .map(|(e, n)| (label(e).to_owned(), n))
            .collect();
        v.sort();
        v
    }
}

/// `n` in decimal, without allocating.
fn itoa(mut n: u32, buf: &mut [u8; 10]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[i..]).unwrap_or("0")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn f(start: usize, end: usize, entity: PiiEntity) -> Finding {
        Finding {
            start,
            end,
            entity,
            rule: Arc::from("t"),
        }
    }

    #[test]
    fn mask_and_consistent_placeholders_round_trip() {
        let text = "a@b.io and c@d.io and a@b.io";
        let fs = [
            f(0, 6, PiiEntity::Email),
            f(11, 17, PiiEntity::Email),
            f(22, 28, PiiEntity::Email),
        ];
        let mut mask = Redactor::new(RedactionStyle::Mask);
        let mut out = String::new();
        mask.redact(text, &fs, &mut out);
        assert_eq!(out, "[EMAIL] and [EMAIL] and [EMAIL]");
        assert_eq!(mask.take_counts(), vec![("EMAIL".to_owned(), 3)]);

        let mut ph = Redactor::new(RedactionStyle::Placeholder);
        let mut out = String::new();
        ph.redact(text, &fs, &mut out);
        assert_eq!(out, "[EMAIL_1] and [EMAIL_2] and [EMAIL_1]");
        let mut back = String::new();
        ph.restore("to [EMAIL_2], not [EMAIL_9] or [x", false, &mut back);
        assert_eq!(back, "to c@d.io, not [EMAIL_9] or [x");
    }

    #[test]
    fn many_values_of_one_type_keep_their_numbers() {
        let mut ph = Redactor::new(RedactionStyle::Placeholder);
        let text: String = (0..100).map(|i| format!("v{i} v{i} ")).collect();
        let mut fs = Vec::new();
        let mut at = 0;
        for word in text.split(' ').filter(|w| !w.is_empty()) {
            let start = text[at..].find(word).unwrap() + at;
            fs.push(f(start, start + word.len(), PiiEntity::Email));
            at = start + word.len();
        }
        let mut out = String::new();
        ph.redact(&text, &fs, &mut out);
        assert!(out.starts_with("[EMAIL_1] [EMAIL_1] [EMAIL_2] [EMAIL_2]"));
        assert!(out.ends_with("[EMAIL_100] [EMAIL_100] "));
        let mut back = String::new();
        ph.restore(
            "[EMAIL_40] [EMAIL_0] [EMAIL_040] [EMAIL_101]",
            false,
            &mut back,
        );
        assert_eq!(back, "v39 [EMAIL_0] [EMAIL_040] [EMAIL_101]");
    }

    #[test]
    fn json_restore_escapes() {
        let mut ph = Redactor::new(RedactionStyle::Placeholder);
        let mut out = String::new();
        ph.redact("k\"ey", &[f(0, 4, PiiEntity::GenericSecret)], &mut out);
        let mut back = String::new();
        ph.restore(&out, true, &mut back);
        assert_eq!(back, "k\\\"ey");
    }
}
