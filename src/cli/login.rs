//! `auth login`: parse, read a token from stdin, call the login operation,
//! say what happened.

use super::global::GlobalArgs;
use super::signal::cancellable;
use super::ui::{self, Terminal};
use crate::auth::login::{self as ops, LoginOutcome};
use crate::error::{Error, Result};
use crate::platform::Platform;
use crate::secret::Secret;
use crate::session::Session;
use std::io::{BufRead, IsTerminal};
use zeroize::Zeroize;

/// `auth login` options.
#[derive(Debug, clap::Args)]
pub struct LoginArgs {
    /// Log in with this token (visible in shell history and the process list; prefer --token-stdin).
    #[arg(long, value_name = "TOKEN", conflicts_with_all = ["token_stdin", "no_browser", "device"])]
    pub with_token: Option<String>,
    /// Read the token from standard input: one line from a pipe, or asked for (hidden) at a terminal.
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

/// The token for `--token-stdin`: from a terminal, at a hidden prompt
/// (no echo, no line-length limit, Ctrl-C cancels); from a pipe or a file,
/// the first line.
fn read_token_stdin() -> Result<Secret> {
    let token = if std::io::stdin().is_terminal() {
        ui::read_token("Paste your token:")?
    } else {
        let mut line = String::new();
        let read = std::io::stdin().lock().read_line(&mut line);
        let token = Secret::new(line.trim());
        line.zeroize();
        read.map_err(|e| {
            Error::usage(
                format!("cannot read the token from standard input: {e}"),
                None,
            )
        })?;
        token
    };
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

pub(super) fn run(platform: Platform, g: &GlobalArgs, a: LoginArgs) -> Result<()> {
    let mut session = Session::load(platform)?;
    let (api_url, _) = session.api_url(g.api_url.as_deref())?;
    let token = if let Some(t) = a.with_token {
        ui::warn(&format!(
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
        let session = &mut session;
        let out = crate::rt::block_on(cancellable(ops::with_oauth(
            session,
            &api_url,
            g.tenant.as_deref(),
            &opts,
            &Terminal,
        )));
        return finish(&api_url, out);
    };
    let session = &mut session;
    let out = crate::rt::block_on(cancellable(ops::with_token(
        session,
        &api_url,
        g.tenant.as_deref(),
        token,
    )));
    finish(&api_url, out)
}

/// Report the login (a Ctrl-C is reported by `ui::print_error`).
fn finish(api_url: &crate::ApiUrl, out: Result<LoginOutcome>) -> Result<()> {
    report_login(api_url, out?)
}

fn report_login(api_url: &crate::ApiUrl, out: LoginOutcome) -> Result<()> {
    ui::warn_all(&out.warnings);
    ui::success(&format!(
        "Logged in to {} as {}",
        api_url,
        out.record.user.display()
    ));
    if out.saved_default {
        eprintln!("  {api_url} is now the default API URL (config.toml)");
    }
    Ok(())
}
