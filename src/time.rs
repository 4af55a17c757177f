//! Clock and durations: Unix seconds, human forms ("42m"), and parsing
//! durations given on the command line ("90s", "24h").

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Unix seconds now.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// "42m", "3h", "2d", "35s".
pub fn human_duration(secs: i64) -> String {
    let s = secs.max(0);
    if s < 90 {
        format!("{s}s")
    } else if s < 90 * 60 {
        format!("{}m", s.saturating_add(30) / 60)
    } else if s < 48 * 3600 {
        format!("{}h", s.saturating_add(1800) / 3600)
    } else {
        format!("{}d", s.saturating_add(43200) / 86400)
    }
}

/// `secs` in the largest unit that divides it exactly: "5m", "90s", "2h",
/// "7d" (what [`parse_duration`] reads back as the same value).
pub fn exact_duration(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0 => "0s".into(),
        _ if s % 86400 == 0 => format!("{}d", s / 86400),
        _ if s % 3600 == 0 => format!("{}h", s / 3600),
        _ if s % 60 == 0 => format!("{}m", s / 60),
        _ => format!("{s}s"),
    }
}

/// Unix seconds as an RFC 3339 UTC timestamp, `2026-05-01T12:00:00Z`
/// (days to a civil date: Howard Hinnant's `civil_from_days`). Years
/// outside 0..=9999 are clamped to that range's ends.
pub fn rfc3339(unix: i64) -> String {
    const MIN: i64 = -62_167_219_200; // 0000-01-01T00:00:00Z
    const MAX: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
    let t = unix.clamp(MIN, MAX);
    let (days, secs) = (t.div_euclid(86400), t.rem_euclid(86400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// The longest duration [`parse_duration`] accepts: 100 years (36500d).
pub const MAX_DURATION: Duration = Duration::from_secs(36500 * 86400);

/// Parse "90s", "30m", "24h", "7d" (a bare number is seconds), at most
/// [`MAX_DURATION`]: a longer one is refused, never wrapped or cut.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let too_long = || format!("invalid duration `{s}`: at most 36500d (100 years)");
    let n: u64 = num.parse().map_err(|e: std::num::ParseIntError| {
        if matches!(e.kind(), std::num::IntErrorKind::PosOverflow) {
            too_long()
        } else {
            format!("invalid duration `{s}`: use e.g. 90s, 30m, 24h or 7d")
        }
    })?;
    let mult = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => {
            return Err(format!(
                "invalid duration `{s}`: use e.g. 90s, 30m, 24h or 7d"
            ));
        }
    };
    match n.checked_mul(mult).map(Duration::from_secs) {
        Some(d) if d <= MAX_DURATION => Ok(d),
        _ => Err(too_long()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human() {
        assert_eq!(human_duration(59), "59s");
        assert_eq!(human_duration(3 * 3600), "3h");
        assert_eq!(human_duration(3 * 86400), "3d");
    }

    #[test]
    fn exact_durations_read_back_the_same() {
        for (secs, text) in [
            (0, "0s"),
            (59, "59s"),
            (90, "90s"),
            (300, "5m"),
            (7200, "2h"),
            (86400 * 7, "7d"),
        ] {
            assert_eq!(exact_duration(secs), text);
            assert_eq!(parse_duration(text).unwrap().as_secs() as i64, secs);
        }
    }

    #[test]
    fn rfc3339_agrees_with_http_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
        assert_eq!(rfc3339(i64::MAX), "9999-12-31T23:59:59Z");
        assert_eq!(rfc3339(i64::MIN), "0000-01-01T00:00:00Z");
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        // every day of 1970..2100 and odd seconds, against httpdate's IMF-fixdate
        let mut t = 0i64;
        while t < 4_102_444_800 {
            let http =
                httpdate::fmt_http_date(std::time::UNIX_EPOCH + Duration::from_secs(t as u64));
            // "Sun, 06 Nov 1994 08:49:37 GMT"
            let w: Vec<&str> = http.split([' ', ':']).collect();
            let month = MONTHS.iter().position(|m| *m == w[2]).unwrap() + 1;
            let expected = format!("{}-{month:02}-{}T{}:{}:{}Z", w[3], w[1], w[4], w[5], w[6]);
            assert_eq!(rfc3339(t), expected, "{t}");
            t += 86_399 + 7_919;
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("24h").unwrap(), Duration::from_secs(86400));
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("2d").unwrap(), Duration::from_secs(172800));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5y").is_err());
        assert_eq!(parse_duration("36500d").unwrap(), MAX_DURATION);
        for long in [
            "36501d",
            "9223372036854775808s",
            "18446744073709551615",
            "99999999999999999999999s",
            "213503982334601d",
        ] {
            let e = parse_duration(long).unwrap_err();
            assert!(e.contains("at most 36500d"), "{long}: {e}");
        }
    }

    #[test]
    fn human_never_overflows() {
        assert_eq!(human_duration(i64::MAX), format!("{}d", i64::MAX / 86400));
        assert_eq!(human_duration(i64::MIN), "0s");
    }
}
