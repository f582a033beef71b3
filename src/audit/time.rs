//! Calendar arithmetic for the audit trail (UTC days for file names, RFC 3339 for `--since`),
//! done by hand so the trail needs no date crate.

use std::time::{SystemTime, UNIX_EPOCH};

const MS_PER_DAY: i64 = 86_400_000;

/// Milliseconds since the Unix epoch, now (0 if the clock is before 1970).
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The UTC day number (days since 1970-01-01) of a Unix millisecond time.
pub fn day_of_ms(ms: u64) -> i64 {
    (ms as i64).div_euclid(MS_PER_DAY)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number, as (year, month, day).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `YYYY-MM-DD` of a day number.
pub fn format_day(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Parses `YYYY-MM-DD` into a day number.
pub fn parse_day(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = s.get(0..4)?.parse().ok()?;
    let m: u32 = s.get(5..7)?.parse().ok()?;
    let d: u32 = s.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// RFC 3339 (`2025-06-01T12:00:00Z`, fractions and `±HH:MM` offsets allowed) or a bare date
/// (midnight UTC) as Unix milliseconds.
pub fn parse_time(s: &str) -> Option<u64> {
    let s = s.trim();
    let day = parse_day(s.get(0..10)?)?;
    let rest = &s[10..];
    if rest.is_empty() {
        return u64::try_from(day * MS_PER_DAY).ok();
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let num = |r: &str| -> Option<i64> { r.parse().ok() };
    let (h, mi, sec) = (
        num(rest.get(0..2)?)?,
        num(rest.get(3..5)?)?,
        num(rest.get(6..8)?)?,
    );
    if rest.get(2..3)? != ":" || rest.get(5..6)? != ":" || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut tail = &rest[8..];
    let mut frac_ms = 0i64;
    if let Some(f) = tail.strip_prefix('.') {
        let digits = f.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let mut ms = String::from(&f[..digits.min(3)]);
        while ms.len() < 3 {
            ms.push('0');
        }
        frac_ms = num(&ms)?;
        tail = &f[digits..];
    }
    let offset_min = match tail {
        "Z" | "z" => 0,
        _ => {
            let sign = match tail.get(0..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            if tail.len() != 6 || tail.get(3..4)? != ":" {
                return None;
            }
            sign * (num(tail.get(1..3)?)? * 60 + num(tail.get(4..6)?)?)
        }
    };
    let ms = day * MS_PER_DAY + ((h * 60 + mi - offset_min) * 60 + sec) * 1000 + frac_ms;
    u64::try_from(ms).ok()
}

/// `2025-06-01T12:00:00.123Z` for a Unix millisecond time.
pub fn format_time(ms: u64) -> String {
    let day = day_of_ms(ms);
    let in_day = (ms as i64) - day * MS_PER_DAY;
    let (h, rem) = (in_day / 3_600_000, in_day % 3_600_000);
    let (m, rem) = (rem / 60_000, rem % 60_000);
    format!(
        "{}T{h:02}:{m:02}:{:02}.{:03}Z",
        format_day(day),
        rem / 1000,
        rem % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for day in [-1000, 0, 1, 19_000, 20_000, 60_000] {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(format_day(0), "1970-01-01");
        assert_eq!(parse_day("2024-02-29"), Some(19_782));
    }

    #[test]
    fn rfc3339_and_dates_parse() {
        assert_eq!(parse_time("1970-01-02"), Some(86_400_000));
        assert_eq!(parse_time("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(parse_time("1970-01-01T01:00:00.5+01:00"), Some(500));
        assert_eq!(format_time(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(
            parse_time("2023-11-14T22:13:20.123Z"),
            Some(1_700_000_000_123)
        );
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time("2023-11-14T22:13"), None);
    }
}
