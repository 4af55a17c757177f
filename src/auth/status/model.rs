//! The `auth status` report: what `--json` prints (its field names are
//! documented in README and pinned by a snapshot test), and the rules that
//! decide whether a login is usable.

use crate::api_url::ApiUrl;
use crate::record::RefreshFailure;
use crate::secret::Secret;
use crate::session::{Session, Source};
use crate::store::Location;
use serde::Serialize;

/// Everything `auth status` reports (the `--json` document).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The environments shown: the default one first, then by API URL.
    pub environments: Vec<Environment>,
    /// Notices about the stores and the environment variables.
    pub warnings: Vec<String>,
}

impl Report {
    /// True when something is shown and every shown environment's active
    /// login is usable (exit 0).
    pub fn usable(&self) -> bool {
        !self.environments.is_empty() && self.environments.iter().all(|e| e.usable)
    }
}

/// One API URL: its logins and whether the one in use is usable.
#[derive(Debug, Clone, Serialize)]
pub struct Environment {
    /// The API URL.
    pub api_url: String,
    /// True for the API URL commands use without `-h`.
    pub default: bool,
    /// For the default environment: where its API URL came from
    /// (`{ENV}_API_URL`, a per-project pin, config, built in); `None` for
    /// the others.
    pub api_url_source: Option<Source>,
    /// `{ENV}_TOKEN` (or `{ENV}_TOKEN_<host>`), when it applies here: it is
    /// used instead of any stored login.
    pub env_token: Option<EnvToken>,
    /// The tenant in effect.
    pub tenant: Option<String>,
    /// Where the tenant came from.
    pub tenant_source: Option<Source>,
    /// True when the login in use (the environment token, else the active
    /// account) can be used.
    pub usable: bool,
    /// What is wrong with the environment itself (nothing stored, a store
    /// that cannot be read, an environment token that cannot be used).
    pub problems: Vec<Problem>,
    /// The stored logins (one today).
    pub accounts: Vec<Account>,
}

/// An environment token that applies to an environment.
#[derive(Debug, Clone, Serialize)]
pub struct EnvToken {
    /// The variable's name.
    pub variable: String,
    /// The token, masked unless asked for.
    pub token: String,
    /// Whether `token` is the full value.
    pub token_shown: bool,
    /// `--verify`'s verdict: accepted, rejected, or not checked (null).
    pub verified: Option<bool>,
    /// What is wrong with it.
    pub problems: Vec<Problem>,
    /// The token itself, for `--verify`.
    #[serde(skip)]
    pub(crate) secret: Secret,
}

/// One stored login.
#[derive(Debug, Clone, Serialize)]
pub struct Account {
    /// The account id that tells it from the API URL's other accounts
    /// (the profile's `sub`/`id`, else email, else name); null when unknown.
    pub account: Option<String>,
    /// True when commands use it: the active account (the last login or
    /// `auth switch`), or the one `-u`/`{ENV}_USER` picks; false for the
    /// others, and while an environment token applies.
    pub active: bool,
    /// For an account not in use, the command that makes it active.
    pub switch: Option<String>,
    /// For the account in use, what picked it when it is not the active
    /// one of the last login or `auth switch`: `-u` (a flag), `{ENV}_USER`
    /// (env) or a per-project pin.
    pub chosen_by: Option<crate::session::Source>,
    /// Who it belongs to.
    pub user: UserInfo,
    /// `token`, `oauth`, `federated` or `client-credentials`.
    pub kind: &'static str,
    /// For a federated login, where its CI ID token comes from and for
    /// which audience (never the token).
    pub federation: Option<crate::id_token::Federation>,
    /// How a federated or client-credentials login is renewed, in words
    /// (text output only).
    #[serde(skip)]
    pub renewed_by: Option<String>,
    /// The access token, masked unless asked for.
    pub token: String,
    /// Whether `token` is the full value.
    pub token_shown: bool,
    /// When the token expires, Unix seconds.
    pub expires_at: Option<i64>,
    /// "expires in 42m", "expired 3m ago", "no expiry".
    pub expiry: String,
    /// True when expired.
    pub expired: bool,
    /// True when a refresh token is stored.
    pub refreshable: bool,
    /// The last refresh the server refused, until a refresh or login succeeds.
    pub refresh_failed: Option<RefreshFailure>,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Tenants the profile listed at login.
    pub tenants: Vec<TenantInfo>,
    /// Where the record is stored.
    pub stored_in: Location,
    /// True when it can be used.
    pub usable: bool,
    /// `--verify`'s verdict: accepted, rejected, or not checked (null).
    pub verified: Option<bool>,
    /// What is wrong with it.
    pub problems: Vec<Problem>,
    /// The access token itself, for `--verify`.
    #[serde(skip)]
    pub(crate) secret: Secret,
}

/// The user of a login; every field is present, null when unknown.
#[derive(Debug, Clone, Serialize)]
pub struct UserInfo {
    /// Display name.
    pub name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Login / preferred username.
    pub login: Option<String>,
    /// Stable subject id.
    pub id: Option<String>,
    /// What the text output shows: "Jane Doe (jane@example.com)".
    pub display: String,
}

/// A tenant of a login; `name` is null when unknown.
#[derive(Debug, Clone, Serialize)]
pub struct TenantInfo {
    /// The slug sent as `X-Tenant`.
    pub slug: String,
    /// Its display name.
    pub name: Option<String>,
}

/// How much a [`Problem`] matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The login cannot be used (exit 1).
    Error,
    /// Worth knowing; the login can be used.
    Warning,
}

/// Something wrong with an environment or a login, and what fixes it.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// A stable identifier: `not_logged_in`, `store_unreadable`,
    /// `env_token_invalid`, `env_token_ignored`, `expired`,
    /// `refresh_refused`, `token_rejected`, `not_verified`, `shadowed`.
    pub code: &'static str,
    /// Whether it makes the login unusable.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// What to do ("To log in again, run: keyward auth login").
    pub fix: Option<String>,
}

impl Problem {
    pub(crate) fn error(code: &'static str, message: String, fix: Option<String>) -> Problem {
        Problem {
            code,
            severity: Severity::Error,
            message,
            fix,
        }
    }
}

/// The command that logs in to `api_url` (`-h` unless it is the default).
pub(crate) fn login_command(session: &Session, api_url: &ApiUrl, is_default: bool) -> String {
    let bin = session.platform.name;
    if is_default {
        format!("{bin} auth login")
    } else {
        format!("{bin} auth login -h {api_url}")
    }
}

/// `s` with its first letter in capitals (hints are written lowercase).
pub(crate) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn no_errors(problems: &[Problem]) -> bool {
    problems.iter().all(|p| p.severity != Severity::Error)
}

/// Work out `usable` from the problems found.
pub(crate) fn settle(e: &mut Environment) {
    for a in &mut e.accounts {
        a.usable = no_errors(&a.problems);
    }
    let active_ok = match &e.env_token {
        Some(t) => no_errors(&t.problems),
        None => e.accounts.iter().any(|a| a.active && a.usable),
    };
    e.usable = no_errors(&e.problems) && active_ok;
}

/// The login command that makes `c` again: unattended logins with their
/// flags (`--federated` and its ID token's source and audience;
/// `--client-credentials` with the client id).
pub(crate) fn relogin(login: &str, c: &crate::record::Record) -> String {
    use crate::id_token::IdTokenSource;
    match (c.kind, &c.federation) {
        (crate::record::RecordKind::Federated, Some(fed)) => {
            let source = match &fed.source {
                IdTokenSource::GithubActions => String::new(),
                IdTokenSource::Env { variable } => {
                    format!(" --id-token-env {}", shell_word(variable))
                }
                IdTokenSource::Command { command } => {
                    format!(" --id-token-command {}", shell_word(command))
                }
                IdTokenSource::File { path } => format!(" --id-token-file {}", shell_word(path)),
            };
            let audience = if fed.audience == c.api_url {
                String::new()
            } else {
                format!(" --audience {}", shell_word(&fed.audience))
            };
            format!("{login} --federated{source}{audience}")
        }
        (crate::record::RecordKind::ClientCredentials, _) => match &c.client_id {
            Some(id) => format!(
                "{login} --client-credentials --client-id {} --client-secret-stdin",
                shell_word(id)
            ),
            None => format!("{login} --client-credentials --client-secret-stdin"),
        },
        _ => login.to_string(),
    }
}

/// `s` as one shell word: as is when it is plain, else in single quotes.
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:@%+=,".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("KEYWARD_ID_TOKEN"), "KEYWARD_ID_TOKEN");
        assert_eq!(shell_word("/var/run/token"), "/var/run/token");
        assert_eq!(
            shell_word("buildkite-agent oidc request-token"),
            "'buildkite-agent oidc request-token'"
        );
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }
}
