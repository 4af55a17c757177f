//! `auth login|status|token|logout` and `whoami`.

use super::GlobalArgs;
use super::output::{success, warn, warn_all};
use crate::auth::{self as ops, EnvTokenStatus, Status};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::platform::Platform;
use crate::secret::Secret;
use crate::store::Location;
use clap::Subcommand;
use std::io::{BufRead, Write};

/// `auth` subcommands. An embedding CLI can mount this enum in its own app.
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Log in to an API: in the browser (default), by pasting a code back (--no-browser),
    /// with the device flow (--device), or with a personal access token (--token-stdin).
    #[command(after_help = "\
Examples:
  keyward auth login --api-url https://api.example.com
  keyward auth login --no-browser          # over SSH: paste the code back
  keyward auth login --device              # enter a one-time code in any browser
  echo \"$TOKEN\" | keyward auth login --token-stdin --tenant acme")]
    Login(LoginArgs),
    /// Show the stored login for an API (offline).
    #[command(after_help = "\
Examples:
  keyward auth status
  keyward auth status --all --json")]
    Status {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// For monitoring: print one line and exit 0 if usable, 1 if not logged in or expired
        /// without a refresh token, 2 if it expires within --within without a refresh token.
        #[arg(long, conflicts_with_all = ["all", "json", "show_token"])]
        check: bool,
        /// With --check: how far ahead to look (e.g. 90s, 30m, 24h, 7d).
        #[arg(long, value_name = "DURATION", default_value = "24h", requires = "check", value_parser = parse_within)]
        within: std::time::Duration,
        /// Show the whole token.
        #[arg(long)]
        show_token: bool,
        /// List every stored environment.
        #[arg(long)]
        all: bool,
    },
    /// Refresh the access token now (OAuth logins with a refresh token).
    #[command(
        after_help = "Examples:\n  keyward auth refresh\n  keyward auth refresh --api-url https://staging.example.com"
    )]
    Refresh,
    /// Print the access token on stdout, for scripts.
    #[command(after_help = "\
Examples:
  curl -H \"Authorization: Bearer $(keyward auth token)\" https://api.example.com/api/v1/profile
  KEYWARD_TOKEN=... keyward auth token   # prints KEYWARD_TOKEN, no store access")]
    Token,
    /// Remove the stored login for an API (keychain and file). Settings stay.
    #[command(
        after_help = "Examples:\n  keyward auth logout\n  keyward auth logout --revoke\n  keyward auth logout --api-url https://staging.example.com"
    )]
    Logout {
        /// Also revoke the tokens at the server (RFC 7009), when it has a revocation endpoint.
        #[arg(long)]
        revoke: bool,
    },
}

/// `auth login` options.
#[derive(Debug, clap::Args)]
pub struct LoginArgs {
    /// Log in with this token (visible in shell history and the process list; prefer --token-stdin).
    #[arg(long, value_name = "TOKEN", conflicts_with_all = ["token_stdin", "no_browser", "device"])]
    pub with_token: Option<String>,
    /// Read the token from standard input (one line).
    #[arg(long, conflicts_with_all = ["no_browser", "device"])]
    pub token_stdin: bool,
    /// Do not open a browser: print the URL and paste back the code or the address you land on.
    #[arg(long, conflicts_with = "device")]
    pub no_browser: bool,
    /// Use the device flow: enter a short code on any device's browser.
    #[arg(long)]
    pub device: bool,
    /// OAuth client id (default: KEYWARD_CLIENT_ID, then config `client_id` for the host).
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Extra scopes to request, comma-separated, added to the host's default scopes.
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    pub scopes: Vec<String>,
    /// Seconds to wait for the login to be finished in the browser.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub timeout: u64,
}

/// The terminal side of an OAuth login.
struct Terminal;

impl crate::oauth::Interaction for Terminal {
    fn notice(&self, msg: &str) {
        eprintln!("{msg}");
    }
    fn authorize_url(&self, url: &str, opened: Option<std::result::Result<(), String>>) {
        match opened {
            Some(Ok(())) => eprintln!(
                "Opening your browser to log in.\nVisit this URL if the browser doesn't open:\n  {url}"
            ),
            Some(Err(e)) => eprintln!(
                "! Could not open a browser ({e}).\nOpen this URL in a browser to log in:\n  {url}"
            ),
            None => eprintln!("Open this URL in a browser to log in:\n  {url}"),
        }
    }
    fn device_code(&self, code: &crate::oauth::device::DeviceCode) {
        eprintln!("! First copy your one-time code: {}", code.user_code);
        eprintln!(
            "Then open this URL in a browser and enter it:\n  {}",
            code.verification_uri
        );
        if let Some(c) = &code.verification_uri_complete {
            eprintln!("(or open {c}, which has the code filled in)");
        }
    }
    fn waiting(&self, msg: &str) -> Box<dyn std::any::Any> {
        Box::new(crate::oauth::spinner::Spinner::start(msg))
    }
    fn line_reader(&self) -> Box<dyn FnMut() -> Option<String> + Send> {
        Box::new(|| {
            let mut line = String::new();
            match std::io::stdin().lock().read_line(&mut line) {
                Ok(0) | Err(_) => None,
                Ok(_) => Some(line),
            }
        })
    }
}

pub(super) fn run(platform: Platform, g: &GlobalArgs, cmd: AuthCommand) -> Result<()> {
    match cmd {
        AuthCommand::Login(a) => login(platform, g, a),
        AuthCommand::Status {
            check: true,
            within,
            ..
        } => check(platform, g, within),
        AuthCommand::Status {
            json,
            show_token,
            all,
            ..
        } => status(platform, g, json, show_token, all),
        AuthCommand::Token => token(platform, g),
        AuthCommand::Refresh => refresh(platform, g),
        AuthCommand::Logout { revoke } => logout(platform, g, revoke),
    }
}

fn parse_within(s: &str) -> std::result::Result<std::time::Duration, String> {
    crate::refresh::parse_duration(s)
}

fn check(platform: Platform, g: &GlobalArgs, within: std::time::Duration) -> Result<()> {
    let ctx = Context::load(platform)?;
    let (api_url, _) = ctx.api_url(g.api_url.as_deref())?;
    let creds = ctx.credentials()?;
    let found = creds.get(api_url.as_str())?;
    warn_all(&creds.take_warnings());
    let (code, text) = crate::refresh::check(found.as_ref().map(|s| &s.credential), within);
    let _ = writeln!(std::io::stdout(), "{api_url}: {text}");
    if code != 0 {
        return Err(Error::Quiet { code });
    }
    Ok(())
}

fn refresh(platform: Platform, g: &GlobalArgs) -> Result<()> {
    let ctx = Context::load(platform)?;
    let (api_url, _) = ctx.api_url(g.api_url.as_deref())?;
    let creds = ctx.credentials()?;
    eprintln!("Refreshing access token…");
    let s = crate::refresh::refresh_now(&ctx, &creds, &api_url)?;
    warn_all(&creds.take_warnings());
    let exp = match s.credential.expiry() {
        crate::credential::Expiry::Never => "no expiry".to_string(),
        e => e.describe(),
    };
    success(&format!("Token refreshed ({exp})"));
    Ok(())
}

fn read_token_stdin() -> Result<Secret> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| {
        Error::usage(
            format!("cannot read the token from standard input: {e}"),
            None,
        )
    })?;
    let token = Secret::new(line.trim());
    line.clear();
    if token.is_empty() {
        return Err(Error::usage(
            "no token on standard input",
            Some(
                "pipe the token in, e.g. `echo \"$TOKEN\" | {bin} auth login --token-stdin`".into(),
            ),
        ));
    }
    Ok(token)
}

fn login(platform: Platform, g: &GlobalArgs, a: LoginArgs) -> Result<()> {
    let mut ctx = Context::load(platform)?;
    let (api_url, _) = ctx.api_url(g.api_url.as_deref())?;
    let token = if let Some(t) = a.with_token {
        warn(&format!(
            "--with-token leaves the token in your shell history and the process list; prefer `{} auth login --token-stdin`",
            platform.name
        ));
        Secret::new(t.trim())
    } else if a.token_stdin {
        read_token_stdin()?
    } else {
        let mode = if a.device {
            crate::oauth::Mode::Device
        } else if a.no_browser {
            crate::oauth::Mode::NoBrowser
        } else {
            crate::oauth::Mode::Browser
        };
        let opts = crate::oauth::LoginOptions {
            client_id: a.client_id,
            extra_scopes: a
                .scopes
                .into_iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            mode,
            timeout: std::time::Duration::from_secs(a.timeout.max(1)),
        };
        let out = crate::oauth::login(&mut ctx, &api_url, g.tenant.as_deref(), &opts, &Terminal)?;
        return report_login(&api_url, out);
    };
    let out = ops::login_with_token(&mut ctx, &api_url, g.tenant.as_deref(), token)?;
    report_login(&api_url, out)
}

fn report_login(api_url: &crate::ApiUrl, out: ops::LoginOutcome) -> Result<()> {
    warn_all(&out.warnings);
    success(&format!(
        "Logged in to {} as {}",
        api_url,
        out.credential.user.display()
    ));
    if out.saved_default {
        eprintln!("  {api_url} is now the default API URL (config.toml)");
    }
    Ok(())
}

fn print_json<T: serde::Serialize>(v: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(v).unwrap_or_default();
    writeln!(std::io::stdout(), "{text}").map_err(super::stdout_error)
}

fn where_stored(l: &Location) -> String {
    match l {
        Location::Keychain => "the OS keychain".into(),
        Location::File { path } => format!("{} (file, 0600)", path.display()),
        Location::Custom { name } => name.clone(),
    }
}

fn status(
    platform: Platform,
    g: &GlobalArgs,
    json: bool,
    show_token: bool,
    all: bool,
) -> Result<()> {
    let ctx = Context::load(platform)?;
    let env_var = platform.env_var("TOKEN");
    let resolved = ctx.api_url(g.api_url.as_deref());
    let creds = ctx.credentials()?;
    let env_status = match ctx.env_token() {
        Some(t) => {
            let api_url = resolved.as_ref().ok().map(|(u, _)| u.clone());
            let shadows = match &api_url {
                Some(u) => creds.get(u.as_str()).ok().flatten().map(|s| s.location),
                None => None,
            };
            Some(EnvTokenStatus {
                variable: env_var.clone(),
                token: if show_token {
                    t.expose().to_string()
                } else {
                    t.masked()
                },
                api_url: api_url.map(|u| u.to_string()),
                shadows,
            })
        }
        None => None,
    };
    let mut entries: Vec<Status> = Vec::new();
    if all {
        for s in creds.list()? {
            entries.push(ops::status_of(&ctx, &s, g.tenant.as_deref(), show_token)?);
        }
    } else if let Ok((u, src)) = &resolved
        && let Some(s) = creds.get(u.as_str())?
    {
        let mut st = ops::status_of(&ctx, &s, g.tenant.as_deref(), show_token)?;
        st.api_url_source = Some(src.clone());
        entries.push(st);
    }
    let warnings = creds.take_warnings();
    warn_all(&warnings);
    if entries.is_empty() && env_status.is_none() {
        return Err(match resolved {
            Err(e) if !all => e,
            Ok((u, _)) if !all => Error::NotLoggedIn {
                api_url: u.to_string(),
                unsearched: creds.unsearched(),
            },
            _ => Error::Auth {
                message: "not logged in to any API".into(),
                hint: Some("run `{bin} auth login`".into()),
            },
        });
    }
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
    write!(std::io::stdout(), "{out}").map_err(super::stdout_error)
}

fn token(platform: Platform, g: &GlobalArgs) -> Result<()> {
    let ctx = Context::load(platform)?;
    let (t, warnings) = ops::access_token(&ctx, g.api_url.as_deref())?;
    warn_all(&warnings);
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", t.expose()).map_err(super::stdout_error)?;
    stdout.flush().map_err(super::stdout_error)
}

fn logout(platform: Platform, g: &GlobalArgs, revoke: bool) -> Result<()> {
    let ctx = Context::load(platform)?;
    let (api_url, _) = ctx.api_url(g.api_url.as_deref())?;
    let out = ops::logout(&ctx, &api_url, revoke)?;
    warn_all(&out.warnings);
    for (loc, cause) in &out.removed.unreachable {
        warn(&format!(
            "{} could not be checked ({cause})",
            where_stored(loc)
        ));
    }
    if out.removed.from.is_empty() {
        eprintln!("Not logged in to {api_url}; nothing to remove.");
    } else {
        let places: Vec<String> = out
            .removed
            .from
            .iter()
            .map(|l| match l {
                Location::File { path } => path.display().to_string(),
                other => where_stored(other),
            })
            .collect();
        success(&format!(
            "Logged out of {api_url} (removed from {})",
            places.join(" and ")
        ));
        if !out.revoked.is_empty() {
            success(&format!(
                "Revoked the {} at the server",
                out.revoked.join(" and ").replace('_', " ")
            ));
        } else if !revoke {
            eprintln!(
                "  This logout is local: the tokens stay valid at the server until they expire (use --revoke to revoke them)."
            );
        }
    }
    if ctx.env_token().is_some() {
        warn(&format!(
            "{} is still set in this shell and is used instead of stored credentials",
            platform.env_var("TOKEN")
        ));
    }
    Ok(())
}

pub(super) fn whoami(platform: Platform, g: &GlobalArgs, json: bool) -> Result<()> {
    let ctx = Context::load(platform)?;
    let (api_url, _) = ctx.api_url(g.api_url.as_deref())?;
    let creds = ctx.credentials()?;
    let s = ops::stored(&creds, &api_url)?;
    warn_all(&creds.take_warnings());
    let st = ops::status_of(&ctx, &s, g.tenant.as_deref(), false)?;
    if ctx.env_token().is_some() {
        warn(&format!(
            "{} is set and is used instead of this stored credential",
            platform.env_var("TOKEN")
        ));
    }
    if json {
        return print_json(&serde_json::json!({
            "api_url": st.api_url,
            "name": st.user.name,
            "email": st.user.email,
            "login": st.user.login,
            "tenant": st.tenant,
            "tenant_source": st.tenant_source,
        }));
    }
    let mut out = String::new();
    let u = &st.user;
    if let Some(n) = u.name.as_deref().or(u.login.as_deref()) {
        out.push_str(&format!("Name:    {n}\n"));
    }
    if let Some(e) = &u.email {
        out.push_str(&format!("Email:   {e}\n"));
    }
    out.push_str(&format!("API URL: {}\n", st.api_url));
    match (&st.tenant, &st.tenant_source) {
        (Some(t), Some(src)) => out.push_str(&format!("Tenant:  {t} ({src})\n")),
        _ => out.push_str("Tenant:  none\n"),
    }
    if st.expired {
        out.push_str(&format!("Token:   {}\n", st.expiry));
    } else if s.credential.expires_within(30) {
        warn(&format!("the access token {}", st.expiry));
    }
    write!(std::io::stdout(), "{out}").map_err(super::stdout_error)
}
