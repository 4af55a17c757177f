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
