//! `auth login`: parse, read a token from stdin, call the login operation,
//! say what happened.

use super::debug::load_session;
use super::signal::cancellable;
use super::target::Target;
use super::ui::{self, Terminal};
use crate::auth::env::{Action, refuse_if_env_token};
use crate::auth::login::{self as ops, LoginOutcome};
use crate::error::{Error, Result};
use crate::platform::Platform;
use crate::secret::Secret;
use std::io::{IsTerminal, Read};
use zeroize::Zeroize;

/// `auth login` options.
#[derive(Debug, clap::Args)]
pub struct LoginArgs {
    /// The environment.
    #[command(flatten)]
    pub target: Target,
    /// Log in with a personal access token read from standard input (as gh's --with-token);
    /// `--with-token TOKEN` also works, but leaves it in shell history and the process list.
    #[arg(long, value_name = "TOKEN", num_args = 0..=1, conflicts_with_all = ["token_stdin", "no_browser", "device", "scopes"])]
    pub with_token: Option<Option<String>>,
    /// Read the token from standard input (a pipe), or ask for it, hidden, at a terminal.
    #[arg(long, conflicts_with_all = ["no_browser", "device", "scopes"])]
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
    #[arg(short = 's', long, value_name = "A,B", value_delimiter = ',')]
    pub scopes: Vec<String>,
    /// Seconds to wait for the login to be finished in the browser.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub timeout: u64,
}

/// Longest token read from standard input.
const MAX_TOKEN: usize = 64 * 1024;

/// The token for `--with-token` / `--token-stdin`: from a terminal, at a
/// hidden prompt (no echo, no line-length limit, Ctrl-C cancels); from a
/// pipe or a file, all of standard input, trimmed (a token with a space
/// inside is refused later, never cut).
fn read_token_stdin() -> Result<Secret> {
    let token = if std::io::stdin().is_terminal() {
        ui::read_token("Paste your token:")?
    } else {
        let mut bytes = Vec::new();
        let read = std::io::stdin()
            .lock()
            .take(MAX_TOKEN as u64 + 1)
            .read_to_end(&mut bytes);
        let too_long = bytes.len() > MAX_TOKEN;
        let text = String::from_utf8(std::mem::take(&mut bytes));
        bytes.zeroize();
        read.map_err(|e| {
            Error::usage(
                format!("cannot read the token from standard input: {e}"),
                None,
            )
        })?;
        let mut text = text.map_err(|e| {
            let mut b = e.into_bytes();
            b.zeroize();
            Error::usage(
                "the token on standard input is not text (UTF-8)",
                Some("pipe the token exactly as the server issued it".into()),
            )
        })?;
        if too_long {
            text.zeroize();
            return Err(Error::usage(
                format!(
                    "the token on standard input is longer than {} KiB",
                    MAX_TOKEN / 1024
                ),
                Some("pipe exactly one token".into()),
            ));
        }
        let token = Secret::new(text.trim());
        text.zeroize();
        token
    };
    if token.is_empty() {
        return Err(Error::usage(
            "no token on standard input",
            Some(
                "pipe the token in, e.g. `echo \"$TOKEN\" | {bin} auth login --with-token`".into(),
            ),
        ));
    }
    Ok(token)
}

pub(super) fn run(platform: Platform, a: LoginArgs) -> Result<()> {
    let g = &a.target;
    let mut session = load_session(platform)?;
    let (api_url, _) = session.api_url(g.api_url.as_deref())?;
    // Before any prompt or browser: an environment token for this API URL
    // refuses the login.
    refuse_if_env_token(&session, &api_url, Action::Login)?;
    let token = if let Some(Some(t)) = &a.with_token {
        ui::warn(&format!(
            "--with-token TOKEN leaves the token in your shell history and the process list; pipe it instead: `echo \"$TOKEN\" | {} auth login --with-token`",
            platform.name
        ));
        Secret::new(t.trim())
    } else if a.token_stdin || a.with_token.is_some() {
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
