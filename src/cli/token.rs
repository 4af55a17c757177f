//! `auth token`: the library's [`TokenSource::live_token`](crate::TokenSource::live_token),
//! printed with a newline, or as JSON (`--json`).

use super::debug::load_session;
use super::target::Target;
use super::ui::{print_json, warn_all};
use crate::auth::token::LiveToken;
use crate::error::Result;
use crate::platform::Platform;
use crate::token_source::TokenSource;
use std::io::Write;
use std::time::Duration;

/// What `auth token` was asked for besides the environment and account.
#[derive(Debug, Clone, Default)]
pub(super) struct Options {
    /// `--min-valid`: the token must stay valid this long.
    pub min_valid: Option<Duration>,
    /// `--json`.
    pub json: bool,
}

/// `--min-valid DURATION`: as `auth status --within` (at most 36500d).
pub(super) fn parse_min_valid(s: &str) -> std::result::Result<Duration, String> {
    crate::time::parse_duration(s)
}

/// The `--json` document. Its field names are stable (README, "JSON
/// output"; pinned by a snapshot test).
#[derive(serde::Serialize)]
struct Json<'a> {
    token: &'a str,
    expires_at: Option<String>,
    api_url: &'a str,
    env_token: Option<&'a str>,
    account: Option<&'a str>,
}

pub(super) fn run(
    platform: Platform,
    g: &Target,
    user: Option<String>,
    opts: Options,
) -> Result<()> {
    // A token in the environment: printed without reading a store, and
    // without config.toml or a pin when the flag or variable settles the
    // API URL (else only the pin and config.toml's `api_url`). Its expiry
    // is unknown: --min-valid cannot apply.
    let (env_token, warnings) =
        crate::auth::env::env_token_and_api_url_reading_little(&platform, g.api_url.as_deref())?;
    if let Some((api_url, t)) = env_token {
        warn_all(&warnings);
        let live = LiveToken::from_env(t);
        return print(&live, api_url.as_str(), opts.json);
    }
    let session = load_session(platform)?.with_user(user);
    let source = TokenSource::new(session, g.api_url.as_deref())?;
    let live = source.live_token(opts.min_valid.unwrap_or(Duration::ZERO));
    warn_all(&source.take_warnings());
    print(&live?, source.api_url().as_str(), opts.json)
}

fn print(t: &LiveToken, api_url: &str, json: bool) -> Result<()> {
    if json {
        return print_json(&Json {
            token: t.token.expose(),
            expires_at: t.expires_at.map(crate::time::rfc3339),
            api_url,
            env_token: t.env_variable.as_deref(),
            account: t.account.as_deref(),
        });
    }
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", t.token.expose()).map_err(super::ui::stdout_error)?;
    stdout.flush().map_err(super::ui::stdout_error)
}
