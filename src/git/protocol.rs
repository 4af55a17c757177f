//! git's credential helper protocol (`gitcredentials(7)`): the request git
//! writes to a helper's stdin, and the answer a helper writes back.
//!
//! A request is `key=value` lines, ended by a blank line or the end of
//! input. Keys hold no `=`, newline or NUL; values no newline or NUL. A
//! later line wins over an earlier one with the same key; `url=` stands for
//! its parts. Secrets git may send (`password`, `credential`,
//! `oauth_refresh_token`) are never kept: keyward answers from its own
//! store, and a typed password must never reach it.

use crate::secret::Secret;
use std::fmt;
use std::io::Write;

/// The most a request may hold. Real ones are a few hundred bytes
/// (`wwwauth[]` headers can add a few kilobytes).
pub const MAX_REQUEST: usize = 1024 * 1024;

/// What git asks about: the parts keyward matches on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    /// `https`, `http`, ...
    pub protocol: Option<String>,
    /// The host, with `:port` when it is not the default.
    pub host: Option<String>,
    /// The repository path, when `credential.useHttpPath` is set.
    pub path: Option<String>,
    /// The user name from the remote URL or from config
    /// (`credential.username`), if any.
    pub username: Option<String>,
}

/// Why a request could not be read. It names the line, never its text (a
/// line may hold a password).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError {
    /// 1-based line number; 0 for the input as a whole.
    pub line: usize,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "git's credential request {}", self.reason)
        } else {
            write!(
                f,
                "line {} of git's credential request {}",
                self.line, self.reason
            )
        }
    }
}

impl std::error::Error for ProtocolError {}

impl Request {
    /// Read a request (see the module documentation).
    pub fn parse(input: &[u8]) -> Result<Request, ProtocolError> {
        if input.len() > MAX_REQUEST {
            return Err(ProtocolError {
                line: 0,
                reason: "is over 1 MiB",
            });
        }
        let text = std::str::from_utf8(input).map_err(|e| ProtocolError {
            line: 1 + input
                .iter()
                .take(e.valid_up_to())
                .filter(|b| **b == b'\n')
                .count(),
            reason: "is not UTF-8",
        })?;
        let mut req = Request::default();
        for (i, raw) in text.split('\n').enumerate() {
            let line_no = i + 1;
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if line.is_empty() {
                break;
            }
            let bad = |reason| ProtocolError {
                line: line_no,
                reason,
            };
            if line.contains('\0') {
                return Err(bad("holds a NUL byte"));
            }
            let (key, value) = line.split_once('=').ok_or(bad("has no `=`"))?;
            if key.is_empty() {
                return Err(bad("has an empty key"));
            }
            match key {
                "protocol" => req.protocol = Some(value.to_string()),
                "host" => req.host = Some(value.to_string()),
                "path" => req.path = Some(value.to_string()),
                "username" => req.username = Some(value.to_string()),
                "url" => req
                    .apply_url(value)
                    .map_err(|()| bad("has a `url` git could not have sent"))?,
                // password, credential, oauth_refresh_token, capability[],
                // wwwauth[], state[], ...: not needed to answer, and some are
                // secrets. Dropped here and never kept.
                _ => {}
            }
        }
        Ok(req)
    }

    /// `url=`: the URL's parts, as if each had its own line (an absent
    /// part clears the earlier value, as git does).
    fn apply_url(&mut self, value: &str) -> Result<(), ()> {
        let url = url::Url::parse(value).map_err(|_| ())?;
        let host = url.host_str().unwrap_or_default();
        self.protocol = Some(url.scheme().to_string());
        self.host = match url.port() {
            Some(p) if !host.is_empty() => Some(format!("{host}:{p}")),
            _ if host.is_empty() => None,
            _ => Some(host.to_string()),
        };
        let path = url.path().trim_start_matches('/');
        self.path = (!path.is_empty()).then(|| path.to_string());
        let user = url.username();
        self.username = (!user.is_empty()).then(|| {
            percent_encoding::percent_decode_str(user)
                .decode_utf8_lossy()
                .into_owned()
        });
        Ok(())
    }
}

/// A helper's answer to `get`.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The user name git sends in Basic authentication.
    pub username: String,
    /// The token, sent as the password.
    pub password: Secret,
    /// When the token expires, Unix seconds (git 2.41+ reads it as
    /// `password_expiry_utc` and stops using it after).
    pub expires_at: Option<i64>,
}

impl Answer {
    /// Write the answer in git's format. Refused (and nothing written) when
    /// a value holds a newline, a carriage return or a NUL: it would add
    /// lines of its own to what git reads.
    pub fn write_to(&self, out: &mut impl Write) -> std::io::Result<()> {
        let unsafe_value = |v: &str| v.contains(['\n', '\r', '\0']) || v.is_empty();
        if unsafe_value(&self.username) || unsafe_value(self.password.expose()) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "the user name or the token holds a line break or a NUL, or is empty",
            ));
        }
        let mut text = String::with_capacity(64 + self.password.expose().len());
        text.push_str("username=");
        text.push_str(&self.username);
        text.push_str("\npassword=");
        text.push_str(self.password.expose());
        text.push('\n');
        if let Some(e) = self.expires_at {
            text.push_str(&format!("password_expiry_utc={e}\n"));
        }
        let written = out.write_all(text.as_bytes()).and_then(|()| out.flush());
        zeroize::Zeroize::zeroize(&mut text);
        written
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(s: &str) -> Request {
        Request::parse(s.as_bytes()).unwrap()
    }

    #[test]
    fn reads_the_parts_and_stops_at_the_blank_line() {
        let r = req("protocol=https\nhost=git.example.com:8443\nusername=bob\n\nhost=evil\n");
        assert_eq!(r.protocol.as_deref(), Some("https"));
        assert_eq!(r.host.as_deref(), Some("git.example.com:8443"));
        assert_eq!(r.username.as_deref(), Some("bob"));
        assert_eq!(r.path, None);
    }

    #[test]
    fn later_lines_win_and_unknown_keys_and_crlf_are_fine() {
        let r = req("host=a\r\ncapability[]=authtype\nwwwauth[]=Basic realm=\"x\"\nhost=b\n");
        assert_eq!(r.host.as_deref(), Some("b"));
        assert_eq!(req("").host, None);
        assert_eq!(req("host=\n").host.as_deref(), Some(""));
    }

    #[test]
    fn url_stands_for_its_parts() {
        let r = req("url=https://al%40ice@git.example.com:8443/org/repo.git\n");
        assert_eq!(r.protocol.as_deref(), Some("https"));
        assert_eq!(r.host.as_deref(), Some("git.example.com:8443"));
        assert_eq!(r.path.as_deref(), Some("org/repo.git"));
        assert_eq!(r.username.as_deref(), Some("al@ice"));
        let r = req("username=x\nurl=https://h.test\n");
        assert_eq!(r.username, None, "the url had no user name");
    }

    #[test]
    fn bad_lines_are_named_by_number_never_by_content() {
        let e = Request::parse(b"host=a\npassword hunter2\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(!e.to_string().contains("hunter2"));
        assert_eq!(Request::parse(b"=x\n").unwrap_err().line, 1);
        assert_eq!(Request::parse(b"host=a\0b\n").unwrap_err().line, 1);
        assert_eq!(Request::parse(b"a=1\nb=\xff\n").unwrap_err().line, 2);
        assert_eq!(Request::parse(b"url=::nope\n").unwrap_err().line, 1);
        let big = vec![b'a'; MAX_REQUEST + 1];
        assert_eq!(Request::parse(&big).unwrap_err().line, 0);
    }

    #[test]
    fn secrets_in_the_request_are_not_kept() {
        let r = req("host=h\npassword=hunter2\ncredential=abc\noauth_refresh_token=rt\n");
        assert!(!format!("{r:?}").contains("hunter2"));
        assert!(!format!("{r:?}").contains("rt\""));
    }

    #[test]
    fn answers_in_git_format_and_refuses_line_breaks() {
        let mut out = Vec::new();
        Answer {
            username: "x-access-token".into(),
            password: Secret::new("tok"),
            expires_at: Some(1_900_000_000),
        }
        .write_to(&mut out)
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "username=x-access-token\npassword=tok\npassword_expiry_utc=1900000000\n"
        );
        for (user, pass) in [
            ("u", "a\nhost=evil"),
            ("u\n", "t"),
            ("u", "a\rb"),
            ("", "t"),
        ] {
            let mut out = Vec::new();
            let a = Answer {
                username: user.into(),
                password: Secret::new(pass),
                expires_at: None,
            };
            assert!(a.write_to(&mut out).is_err());
            assert!(out.is_empty());
        }
    }
}
