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
    let session = load_session(platform)?.with_user(user);
    let source = TokenSource::new(session, g.api_url.as_deref())?;
    let token = source.token();
    warn_all(&source.take_warnings());
    let t = token?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", t.expose()).map_err(super::ui::stdout_error)?;
    stdout.flush().map_err(super::ui::stdout_error)
}
