//! A token or secret piped into standard input, or typed hidden at a
//! terminal (`auth login --token-stdin`, `--client-secret-stdin`).

use super::ui;
use crate::error::{Error, Result};
use crate::secret::Secret;
use std::io::{IsTerminal, Read};
use zeroize::Zeroize;

/// Longest token read from standard input.
const MAX_TOKEN: usize = 64 * 1024;

/// What is read from standard input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Piped {
    /// An access token (`--with-token`, `--token-stdin`).
    Token,
    /// A client secret (`--client-secret-stdin`).
    ClientSecret,
}

impl Piped {
    fn noun(self) -> &'static str {
        match self {
            Piped::Token => "token",
            Piped::ClientSecret => "client secret",
        }
    }

    fn prompt(self) -> &'static str {
        match self {
            Piped::Token => "Paste your token:",
            Piped::ClientSecret => "Paste the client secret:",
        }
    }

    fn example(self) -> &'static str {
        match self {
            Piped::Token => {
                "pipe the token in, e.g. `echo \"$TOKEN\" | {bin} auth login --with-token`"
            }
            Piped::ClientSecret => {
                "pipe the secret in, e.g. `echo \"$CLIENT_SECRET\" | {bin} auth login --client-credentials --client-secret-stdin --client-id ID`"
            }
        }
    }
}

/// The token for `--with-token` / `--token-stdin` (or the secret for
/// `--client-secret-stdin`): from a terminal, at a hidden prompt (no echo,
/// no line-length limit, Ctrl-C cancels); from a pipe or a file, all of
/// standard input, trimmed (a token with a space inside is refused later,
/// never cut).
pub(super) fn read_token_stdin(what: Piped) -> Result<Secret> {
    let noun = what.noun();
    let token = if std::io::stdin().is_terminal() {
        ui::read_token(what.prompt())?
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
                format!("cannot read the {noun} from standard input: {e}"),
                None,
            )
        })?;
        let mut text = text.map_err(|e| {
            let mut b = e.into_bytes();
            b.zeroize();
            Error::usage(
                format!("the {noun} on standard input is not text (UTF-8)"),
                Some(format!("pipe the {noun} exactly as the server issued it")),
            )
        })?;
        if too_long {
            text.zeroize();
            return Err(Error::usage(
                format!(
                    "the {noun} on standard input is longer than {} KiB",
                    MAX_TOKEN / 1024
                ),
                Some(format!("pipe exactly one {noun}")),
            ));
        }
        let token = Secret::new(text.trim());
        text.zeroize();
        token
    };
    if token.is_empty() {
        return Err(Error::usage(
            format!("no {noun} on standard input"),
            Some(what.example().into()),
        ));
    }
    Ok(token)
}
