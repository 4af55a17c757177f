//! `auth doctor`: run the checks, print one line each (✓ pass, ✗ fail,
//! ! worth knowing, - not checked) with what to do under it, or `--json`;
//! exit 1 when a check failed.

use super::debug::trace_sink;
use super::target::Target;
use super::ui::{Spinner, print_json, stdout_error};
use crate::auth::doctor::{self, Check, Report, Status};
use crate::error::{Error, Result, exit};
use crate::platform::Platform;
use std::io::Write;

/// `auth doctor` options.
#[derive(Debug, clap::Args)]
pub struct DoctorArgs {
    /// The environment (default: KEYWARD_API_URL, then config `api_url`).
    #[command(flatten)]
    pub target: Target,
    /// Send nothing over the network: the API URL, discovery, the token's
    /// verdict and the clock are not checked (and say so).
    #[arg(long)]
    pub offline: bool,
    /// Print JSON (same exit code); errors as JSON on stderr.
    #[arg(long)]
    pub json: bool,
}

/// Run the checks and show them: exit 0 when none failed, else 1.
pub(super) fn run(platform: Platform, args: DoctorArgs) -> Result<()> {
    let spinner = (!args.offline).then(|| Spinner::start("Checking…"));
    let report = doctor::run(
        platform,
        &doctor::Options {
            api_url: args.target.api_url.as_deref(),
            tenant: args.target.tenant.as_deref(),
            offline: args.offline,
            trace: trace_sink(&platform),
        },
    );
    drop(spinner);
    let report = report?;
    if args.json {
        print_json(&report)?;
    } else {
        write!(std::io::stdout(), "{}", render(&report)).map_err(stdout_error)?;
    }
    if report.ok {
        Ok(())
    } else {
        Err(Error::Quiet { code: exit::ERROR })
    }
}

fn mark(status: Status) -> &'static str {
    match status {
        Status::Pass => "✓",
        Status::Fail => "✗",
        Status::Warn => "!",
        Status::Skip => "-",
    }
}

fn check(out: &mut String, c: &Check) {
    out.push_str(&format!("{} {}\n", mark(c.status), c.summary));
    if let Some(d) = &c.detail {
        out.push_str(&format!("  {d}\n"));
    }
    if let Some(f) = &c.fix {
        out.push_str(&format!("  Fix: {f}\n"));
    }
}

/// The report as text: a heading, each check, and the verdict.
fn render(report: &Report) -> String {
    let mut out = match &report.api_url {
        Some(u) => format!("Checking {u} and this machine\n"),
        None => "Checking this machine (no API URL is known)\n".to_string(),
    };
    for c in &report.checks {
        check(&mut out, c);
    }
    let failed = report
        .checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .count();
    out.push_str(&match failed {
        0 => "\nNo problem found.\n".to_string(),
        1 => "\n1 check failed.\n".to_string(),
        n => format!("\n{n} checks failed.\n"),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_check_is_one_line_with_its_detail_and_fix_under_it() {
        let c = |status, summary: &str, detail: Option<&str>, fix: Option<&str>| Check {
            id: "clock",
            status,
            summary: summary.into(),
            detail: detail.map(Into::into),
            fix: fix.map(Into::into),
        };
        let report = Report {
            api_url: Some("https://api.example.com".into()),
            ok: false,
            checks: vec![
                c(Status::Pass, "Fine", None, None),
                c(Status::Fail, "Broken", Some("Why"), Some("chmod 600 x")),
                c(Status::Warn, "Odd", None, Some("look")),
                c(Status::Skip, "Not checked: --offline", None, None),
            ],
        };
        assert_eq!(
            render(&report),
            "Checking https://api.example.com and this machine\n\
             ✓ Fine\n\
             ✗ Broken\n  Why\n  Fix: chmod 600 x\n\
             ! Odd\n  Fix: look\n\
             - Not checked: --offline\n\
             \n1 check failed.\n"
        );
    }
}
