//! `auth token`: the library's [`TokenSource::token`](crate::TokenSource::token),
//! printed with a newline.

use super::debug::load_session;
use super::target::Target;
use super::ui::warn_all;
use crate::error::Result;
use crate::platform::Platform;
use crate::token_source::TokenSource;
use std::io::Write;

pub(super) fn run(platform: Platform, g: &Target, user: Option<String>) -> Result<()> {
    // A token in the environment: printed without reading a store, and
    // without config.toml or a pin when the flag or variable settles the
    // API URL (else only the pin and config.toml's `api_url`).
    let (env_token, warnings) =
        crate::auth::env::env_token_reading_little(&platform, g.api_url.as_deref())?;
    if let Some(t) = env_token {
        warn_all(&warnings);
        return print(&t.token);
    }
    let session = load_session(platform)?.with_user(user);
    let source = TokenSource::new(session, g.api_url.as_deref())?;
    let token = source.token();
    warn_all(&source.take_warnings());
    print(&token?)
}

fn print(t: &crate::Secret) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", t.expose()).map_err(super::ui::stdout_error)?;
    stdout.flush().map_err(super::ui::stdout_error)
}
