//! UTC budget periods from Unix seconds, without a date crate: budgets reset at 00:00 UTC each
//! day and on the first of each month.

const DAY: u64 = 86_400;

/// Days since the epoch.
pub fn day(now_unix: u64) -> u64 {
    now_unix / DAY
}

/// Months since January 1970.
pub fn month(now_unix: u64) -> u64 {
    let (y, m) = year_month(day(now_unix));
    (y - 1970) * 12 + (m - 1)
}

/// Seconds until the next UTC midnight.
pub fn until_next_day(now_unix: u64) -> u64 {
    DAY - now_unix % DAY
}

/// Seconds until 00:00 UTC on the first of next month.
pub fn until_next_month(now_unix: u64) -> u64 {
    let (y, m) = year_month(day(now_unix));
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    days_from_civil(ny, nm) * DAY - now_unix
}

/// (year, month 1..=12) of a day number (Howard Hinnant's civil-from-days, for days >= 0).
fn year_month(days: u64) -> (u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m)
}

/// Day number of the first of `month` in `year`.
fn days_from_civil(year: u64, month: u64) -> u64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_rollovers() {
        // 2024-02-29T12:00:00Z
        let t = 1_709_208_000;
        assert_eq!(year_month(day(t)), (2024, 2));
        assert_eq!(until_next_day(t), 12 * 3600);
        assert_eq!(until_next_month(t), 12 * 3600);
        assert_eq!(month(t + 12 * 3600), month(t) + 1);
        // 2023-12-31T23:59:59Z rolls into 2024-01.
        let t = 1_704_067_199;
        assert_eq!(year_month(day(t)), (2023, 12));
        assert_eq!(until_next_month(t), 1);
    }
}
