//! IBAN checks: length per country (ISO 13616 registry) and the ISO 7064 mod-97 checksum, so a
//! string shaped like an IBAN is only reported when a bank would accept it.

/// IBAN length per country (ISO 13616 registry).
fn iban_len(country: &[u8]) -> Option<usize> {
    const TABLE: &[(&[u8; 2], usize)] = &[
        (b"AD", 24),
        (b"AE", 23),
        (b"AL", 28),
        (b"AT", 20),
        (b"AZ", 28),
        (b"BA", 20),
        (b"BE", 16),
        (b"BG", 22),
        (b"BH", 22),
        (b"BR", 29),
        (b"BY", 28),
        (b"CH", 21),
        (b"CR", 22),
        (b"CY", 28),
        (b"CZ", 24),
        (b"DE", 22),
        (b"DK", 18),
        (b"DO", 28),
        (b"EE", 20),
        (b"EG", 29),
        (b"ES", 24),
        (b"FI", 18),
        (b"FO", 18),
        (b"FR", 27),
        (b"GB", 22),
        (b"GE", 22),
        (b"GI", 23),
        (b"GL", 18),
        (b"GR", 27),
        (b"GT", 28),
        (b"HR", 21),
        (b"HU", 28),
        (b"IE", 22),
        (b"IL", 23),
        (b"IQ", 23),
        (b"IS", 26),
        (b"IT", 27),
        (b"JO", 30),
        (b"KW", 30),
        (b"KZ", 20),
        (b"LB", 28),
        (b"LC", 32),
        (b"LI", 21),
        (b"LT", 20),
        (b"LU", 20),
        (b"LV", 21),
        (b"MC", 27),
        (b"MD", 24),
        (b"ME", 22),
        (b"MK", 19),
        (b"MR", 27),
        (b"MT", 31),
        (b"MU", 30),
        (b"NL", 18),
        (b"NO", 15),
        (b"PK", 24),
        (b"PL", 28),
        (b"PS", 29),
        (b"PT", 25),
        (b"QA", 29),
        (b"RO", 24),
        (b"RS", 22),
        (b"SA", 24),
        (b"SC", 31),
        (b"SE", 24),
        (b"SI", 19),
        (b"SK", 24),
        (b"SM", 27),
        (b"ST", 25),
        (b"SV", 28),
        (b"TL", 23),
        (b"TN", 24),
        (b"TR", 26),
        (b"UA", 29),
        (b"VA", 22),
        (b"VG", 24),
        (b"XK", 20),
    ];
    TABLE
        .iter()
        .find(|(c, _)| c.as_slice() == country)
        .map(|&(_, n)| n)
}

/// ISO 7064 mod-97 over an IBAN given without spaces.
pub fn iban_valid(compact: &[u8]) -> bool {
    if compact.len() < 15 || iban_len(&compact[..2]) != Some(compact.len()) {
        return false;
    }
    let mut rem = 0u32;
    for &b in compact[4..].iter().chain(&compact[..4]) {
        let v = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b'A'..=b'Z' => u32::from(b - b'A') + 10,
            _ => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// The longest prefix of `s` (ending on a group) that is a valid IBAN, as a byte length.
pub fn iban_end(s: &str) -> Option<usize> {
    let mut compact = [0u8; 40];
    let mut ends: [(usize, usize); 40] = [(0, 0); 40];
    let mut n = 0;
    for (i, b) in s.bytes().enumerate() {
        if b != b' ' {
            if n == compact.len() {
                return None;
            }
            compact[n] = b;
            n += 1;
            ends[n - 1] = (n, i + 1);
        }
    }
    // Try the whole match, then shorter ones (a following capitalised word may have been taken).
    (15..=n)
        .rev()
        .find(|&k| iban_valid(&compact[..k]))
        .map(|k| ends[k - 1].1)
        .filter(|&end| end == s.len() || s.as_bytes().get(end) == Some(&b' '))
}
