//! The crate's error type, with the exit code and the "Solution:" hint a
//! user sees. Lower layers have their own error types ([`InputError`],
//! [`ConfigError`], [`StoreError`](crate::store::StoreError),
//! [`HttpError`]); this one wraps them.

use crate::config::ConfigError;
use crate::http::HttpError;
use crate::input::InputError;
use std::path::PathBuf;

/// Exit codes (documented in README and `--help`).
pub mod exit {
    /// Success.
    pub const OK: i32 = 0;
    /// A failure: network, storage, server, configuration.
    pub const ERROR: i32 = 1;
    /// Bad usage: a flag, an argument or an input value is wrong.
    pub const USAGE: i32 = 2;
    /// Authentication: no credential, rejected, or expired.
    pub const AUTH: i32 = 4;
    /// Cancelled by the person (Ctrl-C): nothing was written. 128 + SIGINT,
    /// what shells report for a command ended by Ctrl-C.
    pub const CANCELLED: i32 = 130;
}

/// Everything that can go wrong. Messages never contain a token.
///
/// Hints may contain `{bin}`, replaced by the program name when shown (see
/// [`Error::hint_for`]), so that an embedding CLI says "run `acme auth login`".
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bad input from the user: exit 2.
    #[error("{message}")]
    Usage {
        /// What is wrong.
        message: String,
        /// What to do instead.
        hint: Option<String>,
    },
    /// No credential stored for this API URL.
    #[error("not logged in to {api_url}")]
    NotLoggedIn {
        /// The environment.
        api_url: String,
        /// Why a store could not be searched, when one could not.
        unsearched: Option<String>,
    },
    /// The server said no to the token.
    #[error("token rejected by {api_url} (HTTP {status})")]
    TokenRejected {
        /// The environment.
        api_url: String,
        /// 401 or 403.
        status: u16,
    },
    /// The stored access token has expired and cannot be refreshed.
    #[error("the stored token for {api_url} expired {ago} ago")]
    Expired {
        /// The environment.
        api_url: String,
        /// Human form ("3m").
        ago: String,
    },
    /// The token expires sooner than the caller needs (`auth token
    /// --min-valid`, [`TokenSource::token_valid_for`](crate::TokenSource::token_valid_for))
    /// and no refresh gives a longer-lived one: the login has no refresh
    /// token (exit 4: only a new login helps), or the server's new token
    /// lives less than that too (exit 1).
    #[error("the token for {api_url} expires in {left}, sooner than the {wanted} asked for")]
    ExpiresTooSoon {
        /// The environment.
        api_url: String,
        /// How long the token still lives, in human form ("3m").
        left: String,
        /// What was asked for, in human form ("5m").
        wanted: String,
        /// True when the token was just refreshed (the server issues
        /// tokens that live less than `wanted`); false when it cannot be
        /// refreshed.
        refreshed: bool,
    },
    /// The server refused the refresh token (`invalid_grant`, or a 400/401
    /// from the token endpoint): it has expired or been revoked, and only a
    /// new login helps.
    #[error("the server refused to refresh the token ({detail})")]
    RefreshRefused {
        /// The server's error (`invalid_grant: ...`), secrets removed.
        detail: String,
    },
    /// An authentication failure with its own message (OAuth errors, refresh).
    #[error("{message}")]
    Auth {
        /// What happened.
        message: String,
        /// What to do.
        hint: Option<String>,
    },
    /// config.toml could not be read or is malformed.
    #[error("{}: {message}", path.display())]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column where known.
        message: String,
    },
    /// The credential store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// A request did not get a usable response.
    #[error("{}", network_message(url, *kind))]
    Network {
        /// Where we tried to go.
        url: String,
        /// Why not (no secrets inside).
        cause: String,
        /// The kind of cause, which picks the hint.
        kind: crate::http::Cause,
        /// The whole chain of errors behind `cause`, shown when debugging.
        detail: Option<String>,
    },
    /// A response we cannot use.
    #[error("{url} answered HTTP {status}{}", detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Http {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
        /// Server's error text, if short and safe.
        detail: Option<String>,
    },
    /// Exit with `code` without printing anything more (the command already
    /// said what it had to, e.g. `auth status --check`).
    #[error("exit status {code}")]
    Quiet {
        /// The exit code.
        code: i32,
    },
    /// The person cancelled (Ctrl-C at a prompt or while waiting): exit 130,
    /// nothing was written, and there is nothing to advise.
    #[error("Login cancelled")]
    Cancelled,
    /// Any other failure, with its cause and hint.
    #[error("{message}")]
    Other {
        /// What happened.
        message: String,
        /// Why.
        cause: Option<String>,
        /// What to do.
        hint: Option<String>,
    },
}

impl Error {
    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>, hint: impl Into<Option<String>>) -> Self {
        Error::Usage {
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// A general error (exit 1).
    pub fn other(message: impl Into<String>, cause: Option<String>, hint: Option<String>) -> Self {
        Error::Other {
            message: message.into(),
            cause,
            hint,
        }
    }

    /// True when only a new login can fix this: the stored token has expired
    /// and cannot be refreshed, or the server refused the refresh token.
    pub fn needs_login(&self) -> bool {
        matches!(
            self,
            Error::Expired { .. }
                | Error::RefreshRefused { .. }
                | Error::ExpiresTooSoon {
                    refreshed: false,
                    ..
                }
        )
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage { .. } => exit::USAGE,
            Error::NotLoggedIn { .. }
            | Error::TokenRejected { .. }
            | Error::Expired { .. }
            | Error::RefreshRefused { .. }
            | Error::ExpiresTooSoon {
                refreshed: false, ..
            }
            | Error::Auth { .. } => exit::AUTH,
            Error::Quiet { code } => *code,
            Error::Cancelled => exit::CANCELLED,
            _ => exit::ERROR,
        }
    }

    /// The underlying cause, shown as "Caused by: ...".
    pub fn cause(&self) -> Option<String> {
        match self {
            Error::Network { cause, .. } => Some(cause.clone()),
            Error::NotLoggedIn { unsearched, .. } => unsearched.clone(),
            Error::Other { cause, .. } => cause.clone(),
            Error::Store(e) => e.cause(),
            Error::ExpiresTooSoon {
                refreshed: false, ..
            } => Some("this login has no refresh token".into()),
            Error::ExpiresTooSoon {
                refreshed: true, ..
            } => Some(
                "the token was just refreshed: the server issues tokens that live less than that"
                    .into(),
            ),
            _ => None,
        }
    }

    /// The raw diagnostic behind [`Error::cause`] (the keychain's own error
    /// text, every error in a network failure's chain), when it says more:
    /// for debugging (`{ENV}_DEBUG=1`), not for everyone. Never a secret.
    pub fn detail(&self) -> Option<String> {
        match self {
            Error::Network { detail, .. } => detail.clone(),
            Error::Store(e) => e.detail(),
            _ => None,
        }
    }

    /// The hint, with `{bin}` and `{ENV}` replaced by the platform's program
    /// name and environment-variable prefix.
    pub fn hint_for(&self, platform: &crate::Platform) -> Option<String> {
        let h: Option<String> = match self {
            Error::Usage { hint, .. } | Error::Auth { hint, .. } | Error::Other { hint, .. } => {
                hint.clone()
            }
            Error::NotLoggedIn { api_url, .. } => Some(format!(
                "run `{{bin}} auth login -h {api_url}`"
            )),
            Error::TokenRejected { .. } => Some(
                "check that the token is current and has access to this API, or run `{bin} auth login` to sign in in the browser".into(),
            ),
            Error::Expired { api_url, .. } => Some(format!(
                "run `{{bin}} auth login -h {api_url}` again"
            )),
            Error::ExpiresTooSoon { api_url, refreshed: false, .. } => Some(format!(
                "run `{{bin}} auth login -h {api_url}` for a new token"
            )),
            Error::ExpiresTooSoon { refreshed: true, .. } => Some(
                "ask for less with --min-valid (at most the tokens' lifetime)".into(),
            ),
            Error::RefreshRefused { .. } => Some(
                "your refresh token has expired or been revoked. Run `{bin} auth login` again.".into(),
            ),
            Error::Config { .. } => Some(
                "fix the file (it is TOML), or run `{bin} config list` after moving it aside".into(),
            ),
            Error::Store(e) => e.hint(),
            Error::Network { kind, .. } => Some(network_hint(*kind).into()),
            Error::Http { status, detail, .. } => {
                let not_json = detail
                    .as_deref()
                    .is_some_and(|d| d.starts_with("invalid_response"));
                match status {
                    500..=599 => Some(
                        "the server failed to answer: try again in a moment; if it keeps failing, tell the API's operators (`{bin} auth doctor` checks every endpoint)".into(),
                    ),
                    200..=299 if not_json => Some(
                        "that endpoint did not answer as an OAuth server does: check the endpoint URLs (`{bin} config list`, `{bin} auth doctor`)".into(),
                    ),
                    _ => None,
                }
            }
            Error::Quiet { .. } | Error::Cancelled => None,
        };
        h.map(|h| {
            h.replace("{bin}", platform.name)
                .replace("{ENV}", platform.env_prefix)
        })
    }
}

impl From<InputError> for Error {
    fn from(e: InputError) -> Self {
        Error::Usage {
            message: e.message,
            hint: e.hint,
        }
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        match e {
            ConfigError::File { path, message } => Error::Config { path, message },
            ConfigError::Input(i) => i.into(),
            ConfigError::Pin { message, hint, .. } => Error::other(message, None, hint),
            ConfigError::Unwritable {
                path,
                message,
                hint,
            } => Error::other(format!("{}: {message}", path.display()), None, hint),
            ConfigError::Untrusted { message, hint, .. } => Error::other(message, None, hint),
            ConfigError::NoDir { variable } => Error::other(
                "cannot find a home directory for the config files",
                None,
                Some(format!("set {variable} to a directory keyward may use")),
            ),
        }
    }
}

impl From<crate::http::tls::TlsError> for Error {
    fn from(e: crate::http::tls::TlsError) -> Self {
        Error::other(
            e.to_string(),
            None,
            Some("fix `ca_file` for this host (`{bin} config set ca_file /path/ca.pem --host <api_url>`), or unset it".into()),
        )
    }
}

impl From<HttpError> for Error {
    fn from(e: HttpError) -> Self {
        Error::Network {
            url: e.url,
            cause: e.cause,
            kind: e.kind,
            detail: e.detail,
        }
    }
}

/// The first line of a network error: what happened to the request.
fn network_message(url: &str, kind: crate::http::Cause) -> String {
    use crate::http::Cause as C;
    match kind {
        C::Redirect => format!("{url} answered with a redirect"),
        C::TooLarge => format!("{url} answered with too large a response"),
        _ => format!("could not reach {url}"),
    }
}

/// What to do about a request that got no response, by its cause.
fn network_hint(kind: crate::http::Cause) -> &'static str {
    use crate::http::Cause as C;
    match kind {
        C::Refused => "check that the API URL is right and that the server is running",
        C::TimedOut => {
            "check your network connection, proxy settings (HTTPS_PROXY) and the API URL; for a slow server raise `http_timeout` or `http_connect_timeout` in config.toml"
        }
        C::NameNotResolved => "check the host name in the API URL (and your DNS or VPN)",
        C::Untrusted => {
            "if the API uses a private CA, trust it for this host: `{bin} config set ca_file /path/to/ca.pem --host <api_url>` (or set SSL_CERT_FILE)"
        }
        C::Tls => "check the server's certificate (host name, expiry) and this machine's clock",
        C::NotTls => {
            "check the port in the URL; a server on this machine without TLS takes http:// (127.0.0.1 and localhost only)"
        }
        C::Redirect => {
            "set the endpoint URL keyward should use for this host in config.toml instead of relying on a redirect"
        }
        C::TooLarge => {
            "check the endpoint URL: it answered with far more than an OAuth or profile response"
        }
        _ => "check your network connection and the API URL, then try again",
    }
}

/// Shorthand.
pub type Result<T, E = Error> = std::result::Result<T, E>;
