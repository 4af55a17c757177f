//! The fast path of `auth token`, the command scripts and prompts run many
//! times a minute: its few flags are read without building clap's whole
//! command tree. Anything it does not recognise exactly (another command,
//! `--help`, `--debug`, a flag given twice, a value that looks like a flag,
//! `-hVALUE`, a value that is not UTF-8, `--min-valid`, `--json`) goes to clap, which parses it as
//! always; both give [`AuthCommand::Token`] to the same code.

use super::auth::AuthCommand;
use super::target::{Account, Host};
use std::ffi::OsString;

/// `auth token` with `-h/--hostname/--api-url URL` and `-u/--user USER`
/// (each once, `--flag=VALUE` too), when `args` (the program name first)
/// are exactly that.
pub(super) fn auth_token(args: &[OsString]) -> Option<AuthCommand> {
    let mut words = args.iter().skip(1).map(|a| a.to_str());
    if words.next()?? != "auth" || words.next()?? != "token" {
        return None;
    }
    let mut api_url: Option<String> = None;
    let mut user: Option<String> = None;
    while let Some(word) = words.next() {
        let word = word?;
        let (name, inline) = match word.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v)),
            _ => (word, None),
        };
        let slot = match name {
            "-h" | "--hostname" | "--api-url" => &mut api_url,
            "-u" | "--user" => &mut user,
            _ => return None,
        };
        if slot.is_some() || (inline.is_some() && name.len() == 2) {
            return None;
        }
        let value = match inline {
            Some(v) => v,
            None => words.next()??,
        };
        // clap takes no value that starts with `-` (and an empty one
        // from `--flag=` is its to judge).
        if value.starts_with('-') || value.is_empty() {
            return None;
        }
        *slot = Some(value.to_string());
    }
    let mut target = Host::default();
    target.api_url = api_url;
    Some(AuthCommand::Token {
        target,
        account: Account { user },
        min_valid: None,
        json: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn args(line: &str) -> Vec<OsString> {
        std::iter::once("keyward")
            .chain(line.split(' ').filter(|w| !w.is_empty()))
            .map(OsString::from)
            .collect()
    }

    /// What clap makes of `line`, when it is `auth token` at all.
    fn by_clap(line: &str) -> Option<String> {
        match super::super::Cli::try_parse_from(args(line)) {
            Ok(super::super::Cli {
                command: super::super::Command::Auth(cmd @ AuthCommand::Token { .. }),
                debug: false,
            }) => Some(format!("{cmd:?}")),
            _ => None,
        }
    }

    #[test]
    fn every_flag_parses_as_clap_parses_it() {
        let accepted = [
            "auth token",
            "auth token -h api.example.com",
            "auth token --hostname api.example.com",
            "auth token --api-url https://api.example.com/v1",
            "auth token --api-url=https://api.example.com",
            "auth token --hostname=api.example.com",
            "auth token -u alice",
            "auth token --user alice@example.com",
            "auth token --user=alice",
            "auth token -h api.example.com -u alice",
            "auth token -u alice --api-url=x.test",
            "auth token -h a=b",
        ];
        for line in accepted {
            let fast = auth_token(&args(line)).map(|c| format!("{c:?}"));
            assert!(fast.is_some(), "the fast path should take {line:?}");
            assert_eq!(fast, by_clap(line), "{line:?}");
        }
    }

    #[test]
    fn anything_else_goes_to_clap() {
        for line in [
            "",
            "auth",
            "auth status",
            "token",
            "auth token --help",
            "auth token --debug",
            "auth token -h",
            "auth token -h a -h b",
            "auth token -u a --user b",
            "auth token -h -u",
            "auth token --api-url=",
            "auth token -hapi.example.com",
            "auth token -h=api.example.com",
            "auth token --tenant acme",
            // not the hot path: clap parses these (and their errors)
            "auth token --min-valid 5m",
            "auth token --min-valid=90s",
            "auth token -h a --min-valid 5m",
            "auth token --json",
            "auth token -u alice --json",
            "auth token --min-valid 5m --json",
            "auth token extra",
            "auth token --api",
            "auth --debug token",
        ] {
            assert!(
                auth_token(&args(line)).is_none(),
                "{line:?} must go to clap"
            );
        }
        // what falls through still is `auth token`, parsed by clap
        for line in [
            "auth token --min-valid 5m",
            "auth token --min-valid=90s",
            "auth token --json",
            "auth token --min-valid 5m --json",
        ] {
            let parsed = by_clap(line).unwrap_or_else(|| panic!("clap takes {line:?}"));
            assert!(
                parsed.contains("min_valid: Some") || parsed.contains("json: true"),
                "{parsed}"
            );
        }
        assert!(by_clap("auth token --min-valid soon").is_none());
        let not_utf8 = vec![
            OsString::from("keyward"),
            OsString::from("auth"),
            OsString::from("token"),
            OsString::from("-h"),
            std::os::unix::ffi::OsStringExt::from_vec(vec![0xff, 0xfe]),
        ];
        assert!(auth_token(&not_utf8).is_none());
    }
}
