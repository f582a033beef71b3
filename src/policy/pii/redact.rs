//! Rewriting text around findings: `[EMAIL]` masks, or `[EMAIL_1]` placeholders that stay the same
//! for the same value within one request and can be put back into the reply.
//!
//! The table lives in the request's run, never in the policy, so values cannot leak between
//! requests; it is what lets the user see their own data while Bedrock never does.

use std::collections::HashMap;

use crate::config::pack::{PiiEntity, RedactionStyle};

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
    by_value: HashMap<(PiiEntity, String), String>,
    by_placeholder: HashMap<String, String>,
    next: HashMap<PiiEntity, u32>,
    /// Findings per entity type since the last [`Redactor::take_counts`].
    counts: Vec<(PiiEntity, u32)>,
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
        if self.style == RedactionStyle::Mask {
            out.push('[');
            out.push_str(name);
            out.push(']');
            return;
        }
        let key = (entity, value.to_owned());
        if let Some(p) = self.by_value.get(&key) {
            out.push_str(p);
            return;
        }
        let n = self.next.entry(entity).or_insert(0);
        *n += 1;
        let placeholder = format!("[{name}_{n}]");
        self.by_placeholder
            .insert(placeholder.clone(), value.to_owned());
        out.push_str(&placeholder);
        self.by_value.insert(key, placeholder);
    }

    /// Whether any placeholder was handed out (restoring is pointless otherwise).
    pub fn has_placeholders(&self) -> bool {
        !self.by_placeholder.is_empty()
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
            match self.by_placeholder.get(&text[open..=close]) {
                Some(value) => {
                    out.push_str(&text[last..open]);
                    if json {
                        let quoted = serde_json::Value::String(value.clone()).to_string();
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
    fn json_restore_escapes() {
        let mut ph = Redactor::new(RedactionStyle::Placeholder);
        let mut out = String::new();
        ph.redact("k\"ey", &[f(0, 4, PiiEntity::GenericSecret)], &mut out);
        let mut back = String::new();
        ph.restore(&out, true, &mut back);
        assert_eq!(back, "k\\\"ey");
    }
}
