//! The offer to log in again when `auth token` or `auth refresh` fails for
//! want of a new login (the token expired with nothing to refresh it, or the
//! server refused the refresh token): at a terminal only, default No.

use super::auth::AuthCommand;
use super::hints::Hints;
use super::login::{self, LoginArgs};
use super::target::Target;
use super::ui::{print_error_with, prompt};
use crate::error::{Error, exit};
use crate::platform::Platform;

/// A command that can be run again after a new login.
pub(super) struct Retry {
    target: Target,
    user: Option<String>,
    /// `auth token`: print the new token after the login, as asked.
    print_token: Option<super::token::Options>,
}

impl Retry {
    /// `auth token` and `auth refresh` can; the other commands cannot.
    pub(super) fn of(cmd: &AuthCommand) -> Option<Retry> {
        let print_token = match cmd {
            AuthCommand::Token {
                min_valid, json, ..
            } => Some(super::token::Options {
                min_valid: *min_valid,
                json: *json,
            }),
            AuthCommand::Refresh { .. } => None,
            _ => return None,
        };
        Some(Retry {
            target: cmd.target(),
            user: cmd.user(),
            print_token,
        })
    }
}

/// Print `e` and, when it needs a new login and someone can answer, offer
/// one; return the exit code.
pub(super) fn finish(platform: Platform, e: Error, hints: &Hints, retry: Option<Retry>) -> i32 {
    print_error_with(&platform, &e, hints);
    // With errors as JSON a program reads the output: no question.
    let Some(retry) = retry
        .filter(|_| e.needs_login() && !super::ui::json_errors() && prompt::can_prompt(&platform))
    else {
        return e.exit_code();
    };
    // No, or Ctrl-C, or a terminal that cannot answer: the error stands.
    if !matches!(prompt::confirm("Log in again now?", false), Ok(true)) {
        return e.exit_code();
    }
    let done =
        login::run(platform, LoginArgs::for_target(retry.target.clone())).and_then(
            |()| match retry.print_token.clone() {
                Some(opts) => super::token::run(platform, &retry.target, retry.user.clone(), opts),
                None => Ok(()),
            },
        );
    match done {
        Ok(()) => exit::OK,
        Err(e) => {
            print_error_with(&platform, &e, hints);
            e.exit_code()
        }
    }
}
