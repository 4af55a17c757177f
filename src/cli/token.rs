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
    // A token in the environment for an API URL the flag or variable
    // settles: printed without reading config.toml, a pin or a store.
    if let Some(t) = crate::session::env_token_without_files(&platform, g.api_url.as_deref())? {
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
