//! `auth status` and `auth status --check`.

use super::debug::load_session_unwarned as load_session;
use super::target::Target;
use super::ui::{print_json, warn_all, where_stored};
use crate::auth::status::{self, Account, EnvToken, Environment, Problem, Report, Severity};
use crate::error::{Error, Result, exit};
use crate::platform::Platform;
use crate::session::{Session, Source};
use std::io::Write;

/// `auth status` options.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The environment (default: every stored one).
    #[command(flatten)]
    pub target: Target,
    /// The account (default: every account; the active one is marked).
    #[command(flatten)]
    pub account: super::target::Account,
    /// Print JSON (exit 0 whatever the logins' state); errors as JSON on stderr.
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
    /// List each credential store's logins, copies another store shadows included.
    #[arg(long, conflicts_with_all = ["check", "verify", "show_token"])]
    pub stores: bool,
}

fn parse_within(s: &str) -> std::result::Result<std::time::Duration, String> {
    crate::time::parse_duration(s)
}

pub(super) fn check(
    platform: Platform,
    g: &Target,
    user: Option<String>,
    within: std::time::Duration,
) -> Result<()> {
    let session = load_session(platform)?.with_user(user);
    let (code, text, warnings) = status::check_env(&session, g.api_url.as_deref(), within)?;
    warn_all(&warnings);
    let _ = writeln!(std::io::stdout(), "{text}");
    if code != 0 {
        return Err(Error::Quiet { code });
    }
    Ok(())
}

/// Show the report: on stdout with exit 0 when every login it shows is
/// usable, else on stderr with exit 1 (as gh's `auth status`). `--json`
/// always goes to stdout with exit 0.
pub(super) fn run(platform: Platform, args: StatusArgs) -> Result<()> {
    let session = load_session(platform)?.with_user(args.account.user.clone());
    if args.stores {
        return stores(&session, args.json);
    }
    let report = status::report(
        &session,
        &status::Options {
            api_url: args.target.api_url.as_deref(),
            tenant: args.target.tenant.as_deref(),
            show_token: args.show_token,
            verify: args.verify,
        },
    )?;
    if args.json {
        return print_json(&report);
    }
    warn_all(&report.warnings);
    let text = render(&session, &report, args.verify);
    if report.usable() {
        return write!(std::io::stdout(), "{text}").map_err(super::ui::stdout_error);
    }
    errout!("{text}");
    Err(Error::Quiet { code: exit::ERROR })
}

/// The report as text, gh's way: per environment a header line, then each
/// login with a mark (✓ usable, X not, ? could not check, ! worth knowing).
fn render(session: &Session, report: &Report, verify: bool) -> String {
    if report.environments.is_empty() {
        let login = match session.env_token_target() {
            Ok(Some(_)) => format!("{} auth login", session.platform.name),
            _ => format!("{} auth login -h <api_url>", session.platform.name),
        };
        return format!("Not logged in to any API.\nTo log in, run: {login}\n");
    }
    let mut out = String::new();
    for (i, e) in report.environments.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        environment(&mut out, e, verify);
    }
    out
}

fn environment(out: &mut String, e: &Environment, verify: bool) {
    // A pin is named: it is the one default that depends on the directory.
    let default = match &e.api_url_source {
        _ if !e.default => String::new(),
        Some(s @ Source::Pin(_)) => format!(" (default, {s})"),
        _ => " (default)".to_string(),
    };
    out.push_str(&format!("{}{default}\n", e.api_url));
    problems(out, &e.problems, true);
    let mut first = true;
    if let Some(t) = &e.env_token {
        env_token(out, e, t, verify);
        first = false;
    }
    for a in &e.accounts {
        if !first {
            out.push('\n');
        }
        account(out, e, a, verify, e.env_token.as_ref());
        first = false;
    }
}

/// The mark of a login: X when something makes it unusable, ? when only
/// the check could not be made, else ✓.
fn mark(problems: &[Problem]) -> &'static str {
    let errors: Vec<&Problem> = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .collect();
    if errors.is_empty() {
        "✓"
    } else if errors.iter().all(|p| p.code == "not_verified") {
        "?"
    } else {
        "X"
    }
}

/// Each problem on its line, with its fix below. `counts` is false for a
/// login not in use: its problems are only worth knowing.
fn problems(out: &mut String, list: &[Problem], counts: bool) {
    for p in list {
        let mark = match p.severity {
            Severity::Error if !counts => "!",
            Severity::Error if p.code == "not_verified" => "?",
            Severity::Error => "X",
            Severity::Warning => "!",
        };
        out.push_str(&format!("  {mark} {}\n", capitalize(&p.message)));
        if let Some(f) = &p.fix {
            out.push_str(&format!("  - {f}\n"));
        }
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn tenant(out: &mut String, e: &Environment) {
    match (&e.tenant, &e.tenant_source) {
        (Some(t), Some(src)) => out.push_str(&format!("  - Tenant: {t} ({src})\n")),
        _ => out.push_str("  - Tenant: none\n"),
    }
}

fn verdict(out: &mut String, verified: Option<bool>) {
    if verified == Some(true) {
        out.push_str("  ✓ The API accepts the token\n");
    }
}

fn env_token(out: &mut String, e: &Environment, t: &EnvToken, verify: bool) {
    out.push_str(&format!(
        "  {} Logged in with {}\n",
        mark(&t.problems),
        t.variable
    ));
    problems(out, &t.problems, true);
    if verify {
        verdict(out, t.verified);
    }
    out.push_str(&format!(
        "  - {} is set: it is used instead of any stored login\n",
        t.variable
    ));
    out.push_str(&format!("  - Token: {}\n", t.token));
    tenant(out, e);
}

fn account(
    out: &mut String,
    e: &Environment,
    a: &Account,
    verify: bool,
    env_token: Option<&EnvToken>,
) {
    if a.active {
        let several = match &a.chosen_by {
            Some(crate::session::Source::Flag(_)) => " (from -u)".to_string(),
            Some(src) => format!(" ({src})"),
            None if e.accounts.len() > 1 => " (active)".to_string(),
            None => String::new(),
        };
        out.push_str(&format!(
            "  {} Logged in as {}{several}\n",
            mark(&a.problems),
            a.user.display
        ));
    } else {
        let why = match (env_token, &a.switch) {
            (Some(t), _) => format!("not in use while {} is set", t.variable),
            (None, Some(cmd)) => format!("not in use: `{cmd}`"),
            (None, None) => "not in use".to_string(),
        };
        out.push_str(&format!("  - Stored login: {} ({why})\n", a.user.display));
    }
    problems(out, &a.problems, a.active);
    if verify {
        if a.expired {
            out.push_str("  - Not checked: the token has expired\n");
        }
        verdict(out, a.verified);
    }
    if a.active {
        tenant(out, e);
    }
    let renewed = a
        .renewed_by
        .as_deref()
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    out.push_str(&format!(
        "  - Credential: {}{renewed}, stored in {}\n",
        a.kind,
        where_stored(&a.stored_in)
    ));
    out.push_str(&format!("  - Token: {}\n", a.token));
    out.push_str(&format!("  - Expiry: {}\n", a.expiry));
    if !a.scopes.is_empty() {
        out.push_str(&format!("  - Scopes: {}\n", a.scopes.join(" ")));
    }
}

/// `auth status --stores`: each store, then its logins.
fn stores(session: &Session, json: bool) -> Result<()> {
    let listing = status::stores(session)?;
    if json {
        return print_json(&serde_json::json!({ "stores": listing }));
    }
    let mut out = String::new();
    for s in &listing {
        out.push_str(&format!("{}\n", where_stored(&s.store)));
        if let Some(e) = &s.error {
            out.push_str(&format!("  ! cannot be read: {e}\n"));
        } else if s.logins.is_empty() {
            out.push_str("  (no logins)\n");
        }
        for u in &s.logins {
            let note = if s.shadowed_logins.contains(u) {
                " (shadowed: the file's copy is used)"
            } else {
                ""
            };
            out.push_str(&format!("  - {u}{note}\n"));
        }
    }
    write!(std::io::stdout(), "{out}").map_err(super::ui::stdout_error)
}
