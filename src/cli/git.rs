//! `auth setup-git` and `auth git-credential`.

use super::debug::load_session;
use super::target::Host;
use super::ui::{stdout_error, success, warn, warn_all};
use crate::error::{Error, Result};
use crate::git::protocol::{MAX_REQUEST, Request};
use crate::platform::Platform;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

pub(super) fn setup(platform: Platform, target: &Host, force: bool) -> Result<()> {
    if force && target.api_url.is_none() {
        return Err(Error::usage(
            "--force needs the API URL it sets git up for",
            Some("add `-h URL`".to_string()),
        ));
    }
    let session = load_session(platform)?;
    let api_url = match target.api_url.as_deref() {
        Some(u) => Some(session.api_url(Some(u))?.0),
        None => None,
    };
    let exe = std::env::current_exe().map_err(|e| {
        Error::other(
            "cannot find the path of this program for git to run",
            Some(e.to_string()),
            None,
        )
    })?;
    let exe = on_path(&exe).unwrap_or(exe);
    let done = crate::auth::git::setup(&session, api_url.as_ref(), force, &exe);
    warn_all(&session.take_warnings());
    let done = done?;
    let unmapped: Vec<String> = done
        .iter()
        .filter(|c| session.host(&c.api_url).git_hosts.is_none())
        .map(|c| c.api_url.to_string())
        .collect();
    for c in done {
        let via = if c.origin == crate::git::Origin::of_api_url(&c.api_url) {
            String::new()
        } else {
            format!(" (with the login to {})", c.api_url)
        };
        success(&format!(
            "Configured git to use {} for {}{via}",
            platform.name, c.origin
        ));
        if let Some((helper, source)) = c.shared_with {
            warn(&format!(
                "git would also hand that token to the helper `{}` ({}): {} will not answer for {} until it is gone",
                crate::text::printable(&helper, 80),
                crate::text::printable(&source, 200),
                platform.name,
                c.origin
            ));
            errln!(
                "  {}",
                crate::auth::git::shared_hint(&source).replace("{bin}", platform.name)
            );
        }
    }
    if let Some(api) = unmapped.first() {
        errln!(
            "  Repositories on another host than the API: `{} config set git_hosts HOST -h {api}`, then this again",
            platform.name
        );
    }
    Ok(())
}

/// The entry of PATH that runs `exe` (through a symlink, as package
/// managers install: /usr/local/bin/keyward -> ../Cellar/keyward/1.2/...),
/// so the helper git runs survives an upgrade; `None` when none does.
fn on_path(exe: &Path) -> Option<PathBuf> {
    let real = exe.canonicalize().ok()?;
    let name = exe.file_name()?;
    std::env::split_paths(&std::env::var_os("PATH")?)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.canonicalize().ok().as_ref() == Some(&real))
}

/// Read git's request: lines up to the blank line that ends it (or the end
/// of input), at most [`MAX_REQUEST`] bytes and one more, so that an
/// over-long request is told apart.
fn read_request() -> Result<Vec<u8>> {
    let mut input = Vec::new();
    let mut stdin = std::io::stdin().lock().take(MAX_REQUEST as u64 + 1);
    loop {
        let start = input.len();
        let n = stdin.read_until(b'\n', &mut input).map_err(|e| {
            Error::other(
                "cannot read git's request on stdin",
                Some(e.to_string()),
                None,
            )
        })?;
        let line = input.get(start..).unwrap_or_default();
        if n == 0 || line == b"\n" || line == b"\r\n" {
            return Ok(input);
        }
    }
}

/// `auth git-credential OPERATION`: git's helper protocol on stdin and
/// stdout. Only `get` is answered; `store`, `erase` and operations git may
/// add later are read and ignored, as git asks of helpers.
pub(super) fn credential(platform: Platform, operation: &str) -> Result<()> {
    let mut input = read_request()?;
    if operation != "get" {
        zeroize::Zeroize::zeroize(&mut input);
        return Ok(());
    }
    let request = Request::parse(&input);
    zeroize::Zeroize::zeroize(&mut input);
    let request = request.map_err(|e| {
        Error::usage(
            e.to_string(),
            Some("this command is run by git (see `{bin} auth setup-git`)".to_string()),
        )
    })?;
    let session = load_session(platform)?;
    let answer = crate::auth::git::get(&session, &request);
    warn_all(&session.take_warnings());
    if let Some(a) = answer? {
        a.write_to(&mut std::io::stdout().lock())
            .map_err(stdout_error)?;
    }
    Ok(())
}
