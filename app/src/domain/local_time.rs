//! Times are stored in UTC and shown in Europe/Stockholm.
//!
//! The conversion runs on the server (rendering) and in the browser (hydrating the same page),
//! so both must agree to the minute. A time-zone crate with its database would add more to the
//! phone's download than the rest of this module's callers together; Sweden's rule has been the
//! EU one since 1996 (UTC+1, and UTC+2 from 01:00 UTC on the last Sunday of March to 01:00 UTC
//! on the last Sunday of October), so it is written here and checked in the tests against the
//! IANA database (jiff, a dev-dependency) for every hour over decades.

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The weekday of a day since 1970, 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
pub(crate) fn weekday(days: i64) -> i64 {
    (days + 3).rem_euclid(7)
}

/// The day (since 1970) of the last Sunday of a month with 31 days.
fn last_sunday(year: i64, month: i64) -> i64 {
    let last = days_from_civil(year, month, 31);
    last - (weekday(last) + 1) % 7
}

/// Seconds east of UTC in Stockholm at the UTC instant `unix`.
pub fn stockholm_offset(unix: i64) -> i64 {
    let (year, _, _) = civil_from_days(unix.div_euclid(86_400));
    let summer_from = last_sunday(year, 3) * 86_400 + 3600;
    let summer_until = last_sunday(year, 10) * 86_400 + 3600;
    if (summer_from..summer_until).contains(&unix) {
        7200
    } else {
        3600
    }
}

/// The UTC instant (Unix seconds) of a Stockholm wall-clock time: `minute` minutes after
/// midnight on day `days` (since 1970). A time that happens twice (the October hour) is its
/// first happening; one that never happens (the March hour) is moved on by the hour skipped —
/// 02:30 on the spring night is 03:30 — as a clock on the wall would show. (Both as the IANA
/// database's "compatible" rule, which the tests compare against.)
pub fn stockholm_to_utc(days: i64, minute: i64) -> i64 {
    let local = days * 86_400 + minute * 60;
    let summer = local - 7200;
    let winter = local - 3600;
    if stockholm_offset(summer) == 7200 {
        summer
    } else {
        winter
    }
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` (how times are stored).
pub fn format_utc(unix: i64) -> String {
    let (y, m, d) = civil_from_days(unix.div_euclid(86_400));
    let secs = unix.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Reads `YYYY-MM-DDTHH:MM:SS[.fff]Z` (how times are stored) as Unix seconds.
pub fn parse_utc(raw: &str) -> Option<i64> {
    let b = raw.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || !raw.ends_with('Z') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| raw.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s)
}

/// `YYYY-MM-DD HH:MM` in Stockholm for a stored UTC time; the raw text if it cannot be read.
pub fn date_time(raw: &str) -> String {
    match parse_utc(raw) {
        Some(unix) => {
            let local = unix + stockholm_offset(unix);
            let (y, m, d) = civil_from_days(local.div_euclid(86_400));
            let secs = local.rem_euclid(86_400);
            format!(
                "{y:04}-{m:02}-{d:02} {:02}:{:02}",
                secs / 3600,
                secs % 3600 / 60
            )
        }
        None => raw.to_owned(),
    }
}

/// `HH:MM` in Stockholm at the UTC instant `unix`.
pub fn clock(unix: i64) -> String {
    let secs = (unix + stockholm_offset(unix)).rem_euclid(86_400);
    format!("{:02}:{:02}", secs / 3600, secs % 3600 / 60)
}

/// `YYYY-MM-DD` in Stockholm for a stored UTC time.
pub fn date(raw: &str) -> String {
    let full = date_time(raw);
    full.get(..10).map(str::to_owned).unwrap_or(full)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn winter_is_one_hour_ahead_and_summer_two() {
        assert_eq!(date_time("2026-01-15T12:00:00.000Z"), "2026-01-15 13:00");
        assert_eq!(date_time("2026-07-01T22:30:00Z"), "2026-07-02 00:30");
    }

    #[test]
    fn the_switch_happens_at_one_o_clock_utc_on_the_last_sunday() {
        // 2026: summer time from 29 March, back on 25 October.
        assert_eq!(date_time("2026-03-29T00:59:00.000Z"), "2026-03-29 01:59");
        assert_eq!(date_time("2026-03-29T01:00:00.000Z"), "2026-03-29 03:00");
        assert_eq!(date_time("2026-10-25T00:59:00.000Z"), "2026-10-25 02:59");
        assert_eq!(date_time("2026-10-25T01:00:00.000Z"), "2026-10-25 02:00");
    }

    #[test]
    fn a_late_evening_in_utc_is_the_next_day_in_stockholm() {
        assert_eq!(date("2026-11-24T23:30:00.000Z"), "2026-11-25");
    }

    #[test]
    fn the_skipped_spring_hour_moves_on_and_the_repeated_autumn_hour_is_the_first() {
        let day = |y, m, d| days_from_civil(y, m, d);
        // 2026-03-29 02:30 does not exist: it is 03:30 summer time (01:30 UTC).
        assert_eq!(
            format_utc(stockholm_to_utc(day(2026, 3, 29), 150)),
            "2026-03-29T01:30:00Z"
        );
        // 2026-10-25 02:30 happens twice: the first is still summer time (00:30 UTC).
        assert_eq!(
            format_utc(stockholm_to_utc(day(2026, 10, 25), 150)),
            "2026-10-25T00:30:00Z"
        );
        // An ordinary Friday 21:00 in winter is 20:00 UTC.
        assert_eq!(
            format_utc(stockholm_to_utc(day(2026, 12, 4), 21 * 60)),
            "2026-12-04T20:00:00Z"
        );
    }

    #[test]
    fn unreadable_text_is_shown_as_it_is() {
        assert_eq!(date_time("igår"), "igår");
        assert_eq!(parse_utc("2026-13-01T00:00:00Z"), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn agrees_with_the_iana_database(unix in 946_684_800i64..4_102_444_800) {
            let tz = jiff::tz::TimeZone::get("Europe/Stockholm").unwrap();
            let ts = jiff::Timestamp::from_second(unix).unwrap();
            let expected = tz.to_offset(ts).seconds() as i64;
            prop_assert_eq!(stockholm_offset(unix), expected);
            let stored = ts.strftime("%Y-%m-%dT%H:%M:%S.000Z").to_string();
            prop_assert_eq!(date_time(&stored), ts.to_zoned(tz).strftime("%Y-%m-%d %H:%M").to_string());
            prop_assert_eq!(parse_utc(&format_utc(unix)), Some(unix));
        }

        #[test]
        fn wall_clock_to_utc_agrees_with_the_iana_database(
            days in 10_957i64..47_482,
            minute in 0i64..1440,
        ) {
            let tz = jiff::tz::TimeZone::get("Europe/Stockholm").unwrap();
            let (y, m, d) = civil_from_days(days);
            let wall = jiff::civil::date(y as i16, m as i8, d as i8)
                .at((minute / 60) as i8, (minute % 60) as i8, 0, 0);
            let expected = tz.to_ambiguous_zoned(wall).compatible().unwrap().timestamp().as_second();
            prop_assert_eq!(stockholm_to_utc(days, minute), expected);
        }
    }
}
