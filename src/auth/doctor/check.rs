//! A check's result and the report of them all, and what several checks
//! say alike.

use crate::api_url::ApiUrl;
use crate::session::Session;
use serde::Serialize;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Fine.
    Pass,
    /// Worth knowing; does not fail the report.
    Warn,
    /// Broken: the report is not ok.
    Fail,
    /// Not checked (`--offline`, or a check it needs failed); says why.
    Skip,
}

/// One check.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Which check (`keychain`, `credentials_file`, `config`,
    /// `config_permissions`, `api_url`, `discovery`, `token`, `clock`,
    /// `callback_ports`).
    pub id: &'static str,
    /// How it came out.
    pub status: Status,
    /// One sentence: what was found.
    pub summary: String,
    /// More: why, what it affects, the raw cause.
    pub detail: Option<String>,
    /// What to do (a command where there is one).
    pub fix: Option<String>,
}

impl Check {
    pub(super) fn new(id: &'static str, status: Status, summary: impl Into<String>) -> Check {
        Check {
            id,
            status,
            summary: summary.into(),
            detail: None,
            fix: None,
        }
    }

    pub(super) fn detail(mut self, detail: impl Into<String>) -> Check {
        self.detail = Some(detail.into());
        self
    }

    pub(super) fn fix(mut self, fix: impl Into<String>) -> Check {
        self.fix = Some(fix.into());
        self
    }

    pub(super) fn maybe_detail(mut self, detail: Option<String>) -> Check {
        self.detail = detail;
        self
    }

    pub(super) fn maybe_fix(mut self, fix: Option<String>) -> Check {
        self.fix = fix;
        self
    }
}

/// Every check, in order.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The API URL checked (`None` when none is known).
    pub api_url: Option<String>,
    /// True when no check failed (skipped and warned ones do not fail it).
    pub ok: bool,
    /// The checks.
    pub checks: Vec<Check>,
}

/// `{bin} auth login`, with `-h <api_url>` unless it is the default API URL.
pub(super) fn login_command(session: &Session, api_url: &ApiUrl) -> String {
    let default = session.api_url_if_any(None).ok().flatten().map(|(u, _)| u);
    if default.as_ref() == Some(api_url) {
        format!("{} auth login", session.platform.name)
    } else {
        format!("{} auth login -h {api_url}", session.platform.name)
    }
}

/// "8765–8769" for an ascending run, else "8765, 9000".
pub(super) fn port_list(ports: &[u16]) -> String {
    let run = ports.len() > 2
        && ports
            .windows(2)
            .all(|w| matches!(w, [a, b] if *b == a.wrapping_add(1)));
    if let (true, Some(first), Some(last)) = (run, ports.first(), ports.last()) {
        format!("{first}\u{2013}{last}")
    } else {
        ports
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_lists() {
        assert_eq!(
            port_list(&[8765, 8766, 8767, 8768, 8769]),
            "8765\u{2013}8769"
        );
        assert_eq!(port_list(&[8765, 8766]), "8765, 8766");
        assert_eq!(port_list(&[8765, 9000, 9001]), "8765, 9000, 9001");
        assert_eq!(port_list(&[9000]), "9000");
    }

    #[test]
    fn statuses_serialise_in_lowercase() {
        let c = Check::new("clock", Status::Skip, "x");
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"id": "clock", "status": "skip", "summary": "x", "detail": null, "fix": null})
        );
    }
}
