//! The local clock against a server's: its `Date` header (RFC 9110
//! IMF-fixdate, or the obsolete RFC 850 and asctime forms), read with
//! `httpdate`, and what a difference beyond [`MAX_SKEW_SECS`] breaks.

use super::check::{Check, Status};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The most the local clock may differ from the server's.
pub const MAX_SKEW_SECS: i64 = 60;

/// Unix seconds of an HTTP `Date` value, `None` when it is not one.
pub fn parse_http_date(value: &str) -> Option<i64> {
    let t = httpdate::parse_http_date(value.trim()).ok()?;
    Some(match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    })
}

/// Unix seconds of `t`, negative before 1970.
pub fn unix_secs(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

/// How far the local clock is ahead of the server's (negative: behind), in
/// seconds. The server stamped its `Date` between `sent` and `received`
/// (local times): its midpoint is compared, so a slow answer does not count
/// as skew. `Date` has whole seconds; so has the result.
pub fn skew(server_date: i64, sent: SystemTime, received: SystemTime) -> i64 {
    let half = received
        .duration_since(sent)
        .unwrap_or(Duration::ZERO)
        .as_secs_f64()
        / 2.0;
    let local = unix_secs(sent) as f64
        + sent
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos() as f64 / 1e9)
            .unwrap_or(0.0)
        + half;
    // The header drops the fraction of its second: compare with the middle
    // of that second.
    (local - (server_date as f64 + 0.5)).round() as i64
}

/// "2m 5s", "45s", "3h 0m", "2d 4h": a clock difference.
pub fn describe_secs(secs: i64) -> String {
    let s = secs.unsigned_abs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {}s", s / 60, s % 60),
        3600..86400 => format!("{}h {}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d {}h", s / 86400, (s % 86400) / 3600),
    }
}

/// What a clock `secs` ahead of `server`'s (an origin) means.
pub fn judge(secs: i64, server: &str) -> Check {
    let of = format!("the server's (the Date header of {server})");
    if secs.abs() <= MAX_SKEW_SECS {
        let by = match secs {
            0 => "the same second".to_string(),
            s if s > 0 => format!("{} ahead", describe_secs(s)),
            s => format!("{} behind", describe_secs(s)),
        };
        return Check::new(
            "clock",
            Status::Pass,
            format!("The local clock agrees with {of}: {by}"),
        );
    }
    let way = if secs > 0 { "ahead of" } else { "behind" };
    Check::new(
        "clock",
        Status::Fail,
        format!(
            "The local clock is {} {way} {of}: more than {MAX_SKEW_SECS}s",
            describe_secs(secs)
        ),
    )
    .detail(
        "A clock this far off breaks TLS (certificates look not yet valid or expired), \
         servers' checks of a token's issue and start times (`iat`, `nbf`: a fresh token \
         looks issued in the future, or already expired), and federated tokens (a CI or \
         cloud identity token exchanged for an access token is refused as not yet valid \
         or expired)",
    )
    .fix(
        "set the clock right and keep it synchronised: `timedatectl set-ntp true` \
         (systemd), or your system's date and time settings",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64, millis: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs as u64) + Duration::from_millis(millis)
    }

    #[test]
    fn parses_imf_fixdate_and_the_obsolete_forms() {
        // RFC 9110 §5.6.7's example, in its three forms
        for v in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "  Sun, 06 Nov 1994 08:49:37 GMT ",
        ] {
            assert_eq!(parse_http_date(v), Some(784111777), "{v}");
        }
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            parse_http_date("Tue, 19 Jan 2038 03:14:08 GMT"),
            Some(1 << 31)
        );
    }

    #[test]
    fn refuses_what_is_not_a_date() {
        for v in [
            "",
            "yesterday",
            "1994-11-06T08:49:37Z",
            "Sun, 06 Nov 1994 08:49:37 CET",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 25:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(v), None, "{v:?}");
        }
    }

    #[test]
    fn skew_compares_with_the_middle_of_the_round_trip() {
        // the server stamped 1000; we sent at 999.9 and heard back at 1000.9
        assert_eq!(skew(1000, at(999, 900), at(1000, 900)), 0);
        // five minutes behind the server
        assert_eq!(skew(1300, at(1000, 0), at(1000, 200)), -300);
        // five minutes ahead
        assert_eq!(skew(700, at(1000, 0), at(1000, 200)), 300);
        // a slow answer is not skew
        assert_eq!(skew(1005, at(1000, 0), at(1010, 200)), 0);
        // a clock that went back during the request does not panic
        assert_eq!(skew(1000, at(1001, 0), at(1000, 0)), 1);
    }

    #[test]
    fn up_to_sixty_seconds_passes() {
        for s in [0, 1, -1, 59, 60, -60] {
            assert_eq!(judge(s, "https://a.test").status, Status::Pass, "{s}");
        }
        for s in [61, -61, 300, -86400 * 3] {
            let c = judge(s, "https://a.test");
            assert_eq!(c.status, Status::Fail, "{s}");
            let text = format!("{} {:?}", c.summary, c.detail);
            for word in ["TLS", "iat", "nbf", "federated"] {
                assert!(text.contains(word), "{word}: {text}");
            }
            assert!(c.fix.is_some());
        }
        assert_eq!(
            judge(-300, "https://a.test").summary,
            "The local clock is 5m 0s behind the server's (the Date header of https://a.test): more than 60s"
        );
        assert_eq!(
            judge(2, "https://a.test").summary,
            "The local clock agrees with the server's (the Date header of https://a.test): 2s ahead"
        );
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(describe_secs(45), "45s");
        assert_eq!(describe_secs(-125), "2m 5s");
        assert_eq!(describe_secs(3 * 3600 + 60), "3h 1m");
        assert_eq!(describe_secs(2 * 86400 + 4 * 3600), "2d 4h");
    }
}
