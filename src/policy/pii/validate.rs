//! Validators: the arithmetic and plausibility checks a pattern cannot express.
//!
//! A regex finds things shaped like a card number; only Luhn says whether it is one. Each check
//! here cuts a class of false positives (order numbers, versions, timestamps, hashes) and is cheap
//! enough to run on every candidate, because candidates are rare compared with scanned bytes.

use std::collections::HashSet;
use std::net::Ipv6Addr;
use std::sync::LazyLock;

use super::iban::iban_end;

use serde::Deserialize;

/// The code check a rule's match must pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Validator {
    /// No check beyond the pattern.
    #[default]
    None,
    /// Payment card: 13–19 digits, known leading digit, Luhn checksum.
    Luhn,
    /// IBAN: country length and ISO 7064 mod-97; trailing groups that break it are trimmed.
    Iban,
    /// US SSN: area, group and serial rules.
    Ssn,
    /// Phone: digit count, NANP area and exchange rules.
    Phone,
    /// IPv4: not part of a longer dotted number (a version string).
    Ipv4,
    /// IPv6: parses as an address.
    Ipv6,
    /// Secret-looking token: long, mixed classes, not an identifier or a hex hash.
    Secret,
    /// Driver licence number: has digits, plausible length.
    License,
    /// Date of birth: plausible day, month and year.
    Date,
    /// Person name: not a common capitalised word.
    Name,
    /// Street address: has a number somewhere.
    Address,
    /// House number and street type with no other cue: not a year ("in 2019 Central Park") unless
    /// a locality follows, not a list title ("100 Best Ways").
    Street,
}

impl Validator {
    /// Checks `text[start..end]`; returns the accepted end (equal to or before `end`), or `None`.
    pub fn check(self, text: &str, start: usize, end: usize) -> Option<usize> {
        let s = text.get(start..end)?;
        let ok = match self {
            Self::None => true,
            Self::Luhn => card(s),
            Self::Iban => return iban_end(s).map(|n| start + n),
            Self::Ssn => ssn(s),
            Self::Phone => phone(s),
            Self::Ipv4 => ipv4_alone(text, start, end) && ip_class(s) != IpClass::Never,
            Self::Ipv6 => {
                s.parse::<Ipv6Addr>().is_ok()
                    && s.bytes().filter(|&b| b == b':').count() >= 2
                    && !text[..start].ends_with(|c: char| c.is_ascii_hexdigit() || c == ':')
                    && ip_class(s) != IpClass::Never
            }
            Self::Secret => return secret_end(s).map(|n| start + n),
            Self::License => license(s),
            Self::Date => date(s),
            Self::Name => name(s) && standalone(text, start, end),
            Self::Address => s.bytes().any(|b| b.is_ascii_digit()),
            Self::Street => street(s),
        };
        ok.then_some(end)
    }
}

/// The Luhn (mod 10) checksum over the digits of `s`; other characters are skipped.
pub fn luhn(s: &str) -> bool {
    let mut sum = 0u32;
    let mut n = 0;
    for b in s.bytes().rev().filter(u8::is_ascii_digit) {
        let mut d = u32::from(b - b'0');
        if n % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
        n += 1;
    }
    n > 0 && sum.is_multiple_of(10)
}

fn card(s: &str) -> bool {
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    let first = s.bytes().next().unwrap_or(b'0');
    (13..=19).contains(&digits) && (b'2'..=b'6').contains(&first) && !all_same(s) && luhn(s)
}

fn all_same(s: &str) -> bool {
    let mut d = s.bytes().filter(u8::is_ascii_digit);
    let first = d.next();
    d.all(|b| Some(b) == first)
}

fn ssn(s: &str) -> bool {
    let mut d = [0u32; 9];
    let mut n = 0;
    for b in s.bytes().filter(u8::is_ascii_digit) {
        if n == 9 {
            return false;
        }
        d[n] = u32::from(b - b'0');
        n += 1;
    }
    let area = d[0] * 100 + d[1] * 10 + d[2];
    let group = d[3] * 10 + d[4];
    let serial = d[5] * 1000 + d[6] * 100 + d[7] * 10 + d[8];
    let mut seps = s.bytes().filter(|b| !b.is_ascii_digit());
    let consistent = match (seps.next(), seps.next(), seps.next()) {
        (None, _, _) => true,
        (Some(a), Some(b), None) => a == b,
        _ => false,
    };
    n == 9 && consistent && area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

fn phone(s: &str) -> bool {
    let mut digits = [0u8; 16];
    let mut n = 0;
    for b in s.bytes().filter(u8::is_ascii_digit) {
        if n == digits.len() {
            return false;
        }
        digits[n] = b;
        n += 1;
    }
    if all_same(s) {
        return false;
    }
    if s.starts_with('+') || s.starts_with("00") {
        let min = if s.starts_with('+') { 8 } else { 10 };
        return (min..=15).contains(&n);
    }
    let nanp = match n {
        10 => &digits[..10],
        11 if digits[0] == b'1' => &digits[1..11],
        _ => return false,
    };
    nanp[0] >= b'2' && nanp[3] >= b'2'
}

/// What kind of address an IP is, for deciding whether it is personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpClass {
    /// Routable on the internet: can point at a person's connection.
    Public,
    /// Private (10/8, 172.16/12, 192.168/16, fc00::/7), shared (100.64/10), link-local,
    /// documentation, benchmark, multicast and reserved ranges: inside someone's network or in an
    /// example. Counted only when the pack asks (`private_ip_addresses: true`).
    NonPublic,
    /// Loopback, unspecified (`0.0.0.0`, `::`) and broadcast: code and configuration are full of
    /// them (`127.0.0.1:8080`), and they point at nobody.
    Never,
}

/// The class of an address written as `s` (anything that does not parse counts as public, so
/// the caller's own validation decides).
pub fn ip_class(s: &str) -> IpClass {
    if let Ok(v4) = s.parse::<std::net::Ipv4Addr>() {
        let [a, b, ..] = v4.octets();
        return if v4.is_loopback() || v4.is_unspecified() || v4.is_broadcast() || a == 0 {
            IpClass::Never
        } else if v4.is_private()
            || v4.is_link_local()
            || v4.is_documentation()
            || v4.is_multicast()
            || (a == 100 && (64..128).contains(&b))
            || (a == 198 && (b == 18 || b == 19))
            || (a == 192 && b == 0)
            || a >= 240
        {
            IpClass::NonPublic
        } else {
            IpClass::Public
        };
    }
    if let Ok(v6) = s.parse::<Ipv6Addr>() {
        if let Some(v4) = v6.to_ipv4_mapped() {
            return ip_class(&v4.to_string());
        }
        let seg = v6.segments();
        return if v6.is_loopback() || v6.is_unspecified() {
            IpClass::Never
        } else if v6.is_multicast()
            || (seg[0] == 0x2001 && seg[1] == 0x0db8)
            || (seg[0] & 0xfe00) == 0xfc00
            || (seg[0] & 0xffc0) == 0xfe80
        {
            IpClass::NonPublic
        } else {
            IpClass::Public
        };
    }
    IpClass::Public
}

/// A name candidate stands alone: not glued to an identifier (`[PERSON]Comments` came from a
/// CamelCase tool name, `obj.Jane` from code).
fn standalone(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let glued_before = before.is_some_and(|c| c.is_alphanumeric() || "_./\\@$#".contains(c));
    let glued_after = after.is_some_and(|c| c.is_alphanumeric() || c == '_');
    !glued_before && !glued_after
}

fn ipv4_alone(text: &str, start: usize, end: usize) -> bool {
    let b = text.as_bytes();
    let before = start >= 2 && b[start - 1] == b'.' && b[start - 2].is_ascii_digit();
    let after = b.len() > end + 1 && b[end] == b'.' && b[end + 1].is_ascii_digit();
    !before && !after
}

/// A secret's length without trailing sentence dots, if it looks like a secret.
fn secret_end(s: &str) -> Option<usize> {
    let t = s.trim_end_matches('.');
    secret(t).then_some(t.len())
}

fn secret(s: &str) -> bool {
    let (mut up, mut low, mut dig) = (0, 0, 0);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' => up += 1,
            b'a'..=b'z' => low += 1,
            b'0'..=b'9' => dig += 1,
            _ => {}
        }
    }
    let classes = usize::from(up > 0) + usize::from(low > 0) + usize::from(dig > 0);
    let hex = s.bytes().all(|b| b.is_ascii_hexdigit());
    s.len() >= 16 && classes >= 2 && dig + up.min(low) >= 3 && !hex
}

fn license(s: &str) -> bool {
    let alnum = s.bytes().filter(u8::is_ascii_alphanumeric).count();
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    (6..=16).contains(&alnum) && digits >= 3
}

fn date(s: &str) -> bool {
    let mut nums = [0u32; 3];
    let mut n = 0;
    for part in s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
    {
        if n == nums.len() {
            return false;
        }
        let Ok(v) = part.parse() else { return false };
        nums[n] = v;
        n += 1;
    }
    let year_ok = |y: u32| (1900..=2030).contains(&y) || y < 100;
    match &nums[..n] {
        [y, m, d] if *y >= 1000 => year_ok(*y) && (1..=12).contains(m) && (1..=31).contains(d),
        [a, b, y] => {
            year_ok(*y) && (1..=31).contains(a) && (1..=31).contains(b) && (*a <= 12 || *b <= 12)
        }
        [d, y] => year_ok(*y) && (1..=31).contains(d),
        _ => false,
    }
}

/// Words that open list titles ("10 Best Ways"), never a street's name.
const TITLE_WORDS: &[&str] = &[
    "Amazing",
    "Best",
    "Big",
    "Cheap",
    "Classic",
    "Common",
    "Creative",
    "Easy",
    "Essential",
    "Famous",
    "Favorite",
    "Favourite",
    "Free",
    "Fun",
    "Great",
    "Healthy",
    "Hidden",
    "Important",
    "Key",
    "Little",
    "More",
    "Most",
    "Perfect",
    "Popular",
    "Powerful",
    "Practical",
    "Proven",
    "Quick",
    "Secret",
    "Simple",
    "Small",
    "Smart",
    "Surprising",
    "Top",
    "Ultimate",
    "Unique",
    "Useful",
];

fn street(s: &str) -> bool {
    let Some(at) = s.find(|c: char| c.is_ascii_digit()) else {
        return false;
    };
    let rest = &s[at..];
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let number: u32 = rest[..digits].parse().unwrap_or(0);
    let unit = at > 0;
    if !unit && digits == 4 && (1900..2100).contains(&number) && !s.contains(',') {
        return false;
    }
    let first = rest[digits..]
        .trim_start_matches(|c: char| !c.is_whitespace())
        .split_whitespace()
        .next()
        .unwrap_or("");
    !TITLE_WORDS.contains(&first)
}

/// Capitalised words that are not part of a name (`policies/pii/not-names.txt`), read once.
static NOT_NAMES: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../../policies/pii/not-names.txt")
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .flat_map(str::split_whitespace)
        .collect()
});

/// A person candidate: none of its words is a common capitalised non-name word.
fn name(s: &str) -> bool {
    !s.split([' ', ','])
        .filter(|w| !w.is_empty())
        .any(|w| NOT_NAMES.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(v: Validator, s: &str) -> bool {
        v.check(s, 0, s.len()).is_some()
    }

    #[test]
    fn luhn_accepts_valid_and_rejects_one_digit_off() {
        assert!(luhn("4111 1111 1111 1111"));
        assert!(!luhn("4111 1111 1111 1112"));
        assert!(ok(Validator::Luhn, "378282246310005"));
        assert!(!ok(Validator::Luhn, "4042 8339 0488 2488"));
        // Luhn-valid but an implausible leading digit or all one digit.
        assert!(!ok(Validator::Luhn, "0000000000000000"));
        assert!(!ok(Validator::Luhn, "9111111111111111"));
    }

    #[test]
    fn iban_checks_country_length_and_mod97() {
        assert!(ok(Validator::Iban, "GB82 WEST 1234 5698 7654 32"));
        assert!(ok(Validator::Iban, "DE89370400440532013000"));
        assert!(!ok(Validator::Iban, "GB82 WEST 1234 5698 7654 33"));
        assert!(
            !ok(Validator::Iban, "DE8937040044053201300"),
            "wrong length"
        );
        // A trailing group that is not part of the IBAN is trimmed.
        let s = "DE89 3704 0044 0532 0130 00 ABCD";
        assert_eq!(Validator::Iban.check(s, 0, s.len()), Some(27));
    }

    #[test]
    fn ssn_area_group_serial_rules() {
        assert!(ok(Validator::Ssn, "519-54-5023"));
        assert!(ok(Validator::Ssn, "010014689"));
        assert!(!ok(Validator::Ssn, "000-12-3456"));
        assert!(!ok(Validator::Ssn, "666-12-3456"));
        assert!(!ok(Validator::Ssn, "912-12-3456"));
        assert!(!ok(Validator::Ssn, "123-00-3456"));
        assert!(!ok(Validator::Ssn, "123-45-0000"));
        assert!(!ok(Validator::Ssn, "123-45 6789"), "mixed separators");
    }

    #[test]
    fn phone_digit_counts_and_nanp() {
        assert!(ok(Validator::Phone, "+1 646 917 7504"));
        assert!(ok(Validator::Phone, "(347) 231-6317"));
        assert!(
            !ok(Validator::Phone, "(147) 231-6317"),
            "area code starts with 1"
        );
        assert!(!ok(Validator::Phone, "+1234"), "too short");
        assert!(!ok(Validator::Phone, "555-555-5555"), "one digit repeated");
    }

    #[test]
    fn ip_validators() {
        let t = "build 1.2.3.4.5 now";
        assert!(Validator::Ipv4.check(t, 6, 13).is_none());
        let t = "host 10.0.0.1 up";
        assert!(Validator::Ipv4.check(t, 5, 13).is_some());
        assert!(ok(Validator::Ipv6, "fe80::9a74:7d8d:30f9"));
        assert!(!ok(Validator::Ipv6, "12:29:04"));
        let t = "base_url=\"http://127.0.0.1:8080/v1\"";
        assert!(Validator::Ipv4.check(t, 17, 26).is_none(), "loopback");
        assert!(!ok(Validator::Ipv6, "::1") && !ok(Validator::Ipv4, "0.0.0.0"));
    }

    #[test]
    fn ip_classes() {
        for (ip, class) in [
            ("8.8.8.8", IpClass::Public),
            ("148.28.122.103", IpClass::Public),
            ("2a00:1450:4001:81b::200e", IpClass::Public),
            ("10.1.2.3", IpClass::NonPublic),
            ("172.20.0.5", IpClass::NonPublic),
            ("192.168.1.10", IpClass::NonPublic),
            ("100.72.1.1", IpClass::NonPublic),
            ("169.254.169.254", IpClass::NonPublic),
            ("203.0.113.9", IpClass::NonPublic),
            ("fe80::9a74:7d8d:30f9", IpClass::NonPublic),
            ("fd12:3456::1", IpClass::NonPublic),
            ("2001:db8::1", IpClass::NonPublic),
            ("127.0.0.1", IpClass::Never),
            ("0.0.0.0", IpClass::Never),
            ("255.255.255.255", IpClass::Never),
            ("::1", IpClass::Never),
            ("::ffff:127.0.0.1", IpClass::Never),
        ] {
            assert_eq!(ip_class(ip), class, "{ip}");
        }
    }

    #[test]
    fn names_glued_to_identifiers_are_not_names() {
        let t = "call AddJohn SmithComments now";
        // "John Smith" followed by "Comments" with no break is part of an identifier.
        let (s, e) = (8, 18);
        assert_eq!(&t[s..e], "John Smith");
        assert!(Validator::Name.check(t, s, e).is_none());
        let t = "ask John Smith today";
        assert!(Validator::Name.check(t, 4, 14).is_some());
        let t = "cfg.John Smith";
        assert!(Validator::Name.check(t, 4, 14).is_none());
    }

    #[test]
    fn secret_dates_licenses_names() {
        assert!(ok(Validator::Secret, "lNSQ0Wc0iOcwEy7fTk2a"));
        assert!(!ok(Validator::Secret, "OPENAI_API_KEY_VALUE"));
        assert!(
            !ok(Validator::Secret, "c2bd9a148492b81d6e1f8962847ac1d9"),
            "hex hash"
        );
        assert!(ok(Validator::Date, "1/23/1965"));
        assert!(ok(Validator::Date, "October 10, 1979"));
        assert!(!ok(Validator::Date, "13/13/1965"));
        assert!(ok(Validator::License, "WDLZG3FG324W"));
        assert!(!ok(Validator::License, "ABCDEFG"));
        assert!(NOT_NAMES.contains("Monday") && !NOT_NAMES.contains("#"));
        assert!(ok(Validator::Name, "Christine Moore"));
        assert!(!ok(Validator::Name, "The Team"));
    }
}
