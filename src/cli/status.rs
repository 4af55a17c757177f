//! `auth status` and `auth status --check`.

use super::debug::load_session;
use super::target::Target;
use super::ui::{print_json, warn_all, where_stored};
use crate::auth::status;
use crate::error::{Error, Result};
use crate::platform::Platform;
use std::io::Write;

/// `auth status` options.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The environment (default: every stored one).
    #[command(flatten)]
    pub target: Target,
    /// Print JSON (always exits 0).
    #[arg(long)]
    pub json: bool,
    /// For monitoring: print one line and exit 0 if usable, 1 if not logged in or expired
    /// without a refresh token, 2 if it expires within --within without a refresh token.
    #[arg(long, conflicts_with_all = ["all", "json", "show_token", "verify"])]
    pub check: bool,
    /// With --check: how far ahead to look (e.g. 90s, 30m, 24h, 7d).
    #[arg(long, value_name = "DURATION", default_value = "24h", requires = "check", value_parser = parse_within)]
    pub within: std::time::Duration,
    /// Show the whole token.
    #[arg(short = 't', long)]
    pub show_token: bool,
    /// Ask each API whether its token is still accepted (never refreshes or writes).
    #[arg(long)]
    pub verify: bool,
    /// List every stored environment (the default).
    #[arg(long, hide = true)]
    pub all: bool,
}

fn parse_within(s: &str) -> std::result::Result<std::time::Duration, String> {
    crate::time::parse_duration(s)
}

pub(super) fn check(platform: Platform, g: &Target, within: std::time::Duration) -> Result<()> {
    let session = load_session(platform)?;
    let (code, text, warnings) = status::check_env(&session, g.api_url.as_deref(), within)?;
    warn_all(&warnings);
    let _ = writeln!(std::io::stdout(), "{text}");
    if code != 0 {
        return Err(Error::Quiet { code });
    }
    Ok(())
}

pub(super) fn run(platform: Platform, args: StatusArgs) -> Result<()> {
    let (g, json, show_token, all) = (&args.target, args.json, args.show_token, args.all);
    let session = load_session(platform)?;
    let report = status::report(
        &session,
        g.api_url.as_deref(),
        g.tenant.as_deref(),
        show_token,
        all,
    )?;
    warn_all(&report.warnings);
    let (env_status, entries) = (report.env_token, report.entries);
    if json {
        if all {
            return print_json(
                &serde_json::json!({ "env_token": env_status, "credentials": entries }),
            );
        }
        return print_json(
            &serde_json::json!({ "env_token": env_status, "credential": entries.first() }),
        );
    }
    let mut out = String::new();
    if let Some(e) = &env_status {
        out.push_str(&format!(
            "{} is set: it is used instead of any stored credential\n",
            e.variable
        ));
        out.push_str(&format!("  - Token: {}\n", e.token));
        if let (Some(u), Some(l)) = (&e.api_url, &e.shadows) {
            out.push_str(&format!(
                "  - Shadows the stored credential for {u} (in {})\n",
                where_stored(l)
            ));
        }
    }
    for s in &entries {
        if !out.is_empty() {
            out.push('\n');
        }
        match &s.api_url_source {
            Some(src) => out.push_str(&format!("{} ({src})\n", s.api_url)),
            None => out.push_str(&format!("{}\n", s.api_url)),
        }
        let mark = if s.expired && !s.refreshable {
            "X"
        } else {
            "✓"
        };
        out.push_str(&format!("  {mark} Logged in as {}\n", s.user.display()));
        match (&s.tenant, &s.tenant_source) {
            (Some(t), Some(src)) => out.push_str(&format!("  - Tenant: {t} ({src})\n")),
            _ => out.push_str("  - Tenant: none\n"),
        }
        out.push_str(&format!(
            "  - Credential: {}, stored in {}\n",
            s.kind,
            where_stored(&s.stored_in)
        ));
        out.push_str(&format!("  - Token: {}\n", s.token));
        out.push_str(&format!("  - Expiry: {}\n", s.expiry));
        if !s.scopes.is_empty() {
            out.push_str(&format!("  - Scopes: {}\n", s.scopes.join(" ")));
        }
        if s.expired && !s.refreshable {
            out.push_str(&format!(
                "  Run `{} auth login --api-url {}` to log in again\n",
                platform.name, s.api_url
            ));
        }
    }
    write!(std::io::stdout(), "{out}").map_err(super::ui::stdout_error)
}
