//! [`Record`]: one stored login (JSON), its expiry arithmetic, and the
//! tenant slug rule.

use crate::input::InputError;
use crate::secret::Secret;
use crate::time::{human_duration, now};
use serde::{Deserialize, Serialize};

/// Refresh when the token expires within this many seconds (or half its
/// lifetime, when shorter: see [`Record::refresh_margin`]).
pub const REFRESH_MARGIN: i64 = 60;

/// The record format version written by this build. Older readers ignore
/// fields they do not know; newer versions migrate older records in place.
///
/// Version 2 keeps one record per (API URL, account), under
/// [`Record::key`]; version 1 kept one per API URL, under the API URL.
pub const RECORD_VERSION: u32 = 2;

/// The store key of the record of `account` at `api_url`: the API URL
/// alone when the account is not known (a token login without a profile),
/// else `<api_url>#<account>` (a normalised API URL has no `#`).
pub fn store_key(api_url: &str, account: Option<&str>) -> String {
    match account {
        Some(a) if !a.is_empty() => format!("{api_url}#{a}"),
        _ => api_url.to_string(),
    }
}

/// The API URL part of a store key.
pub fn key_api_url(key: &str) -> &str {
    key.split_once('#').map_or(key, |(u, _)| u)
}

/// How the login was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum RecordKind {
    /// A token the user pasted (personal access token).
    Token,
    /// An OAuth login (browser, paste-back or device flow).
    Oauth,
    /// A CI job's ID token exchanged for an access token (RFC 8693):
    /// exchanged again, not refreshed.
    Federated,
    /// A service account's client credentials grant: obtained again, not
    /// refreshed.
    #[serde(rename = "client-credentials")]
    ClientCredentials,
    /// A kind written by a newer version.
    #[serde(other)]
    Unknown,
}

impl RecordKind {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Token => "token",
            RecordKind::Oauth => "oauth",
            RecordKind::Federated => "federated",
            RecordKind::ClientCredentials => "client-credentials",
            RecordKind::Unknown => "unknown",
        }
    }
}

/// Who the token belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Login / preferred username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<String>,
    /// Stable subject id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl User {
    /// What tells accounts apart: the profile's `sub` (or `id`), else the
    /// email, else the name (else the login name).
    pub fn account(&self) -> Option<&str> {
        self.id
            .as_deref()
            .or(self.email.as_deref())
            .or(self.name.as_deref())
            .or(self.login.as_deref())
    }

    /// "Jane Doe (jane@example.com)", or what is known of it.
    pub fn display(&self) -> String {
        let name = self
            .name
            .as_deref()
            .or(self.login.as_deref())
            .or(self.id.as_deref());
        match (name, self.email.as_deref()) {
            (Some(n), Some(e)) => format!("{n} ({e})"),
            (Some(n), None) => n.to_string(),
            (None, Some(e)) => e.to_string(),
            (None, None) => "unknown user".to_string(),
        }
    }
}

/// A tenant the user belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    /// Identifier sent as `X-Tenant`.
    pub slug: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// One stored login for one API URL: the credential record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    /// Record format version.
    #[serde(default = "one")]
    pub version: u32,
    /// The normalised API URL this record is for.
    pub api_url: String,
    /// How it was obtained.
    pub kind: RecordKind,
    /// The access token.
    pub access_token: Secret,
    /// The refresh token, for OAuth logins that got one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    /// Expiry of the access token, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    /// When the access token was issued, Unix seconds (sizes the refresh margin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<i64>,
    /// Token type (`Bearer`).
    #[serde(default = "bearer")]
    pub token_type: String,
    /// Granted scopes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// The user.
    #[serde(default)]
    pub user: User,
    /// The tenant in use when the login happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Tenants the profile listed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tenants: Vec<Tenant>,
    /// OAuth client id used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// When it was stored, Unix seconds.
    #[serde(default)]
    pub created_at: i64,
    /// The last refresh the server refused (`invalid_grant`): the tokens are
    /// kept as they were, and `auth status` reports the login as not usable
    /// until a refresh or a new login succeeds (both clear it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_failed: Option<RefreshFailure>,
    /// A federated login: where its CI ID token comes from (never the
    /// token), to exchange again when the access token expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub federation: Option<crate::id_token::Federation>,
    /// A client-credentials login: the client secret, to obtain a new
    /// token when this one expires. Kept in the store, never in config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
}

/// A refresh the server refused, as [`Record::refresh_failed`] keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshFailure {
    /// When, Unix seconds.
    pub at: i64,
    /// The server's error (`invalid_grant: ...`), made printable.
    pub error: String,
}

fn one() -> u32 {
    1
}

fn bearer() -> String {
    "Bearer".to_string()
}

/// The state of the access token's lifetime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// The token carries no expiry.
    Never,
    /// Valid for this many more seconds.
    In(i64),
    /// Expired this many seconds ago.
    Ago(i64),
}

impl Record {
    /// A new record of `kind` for `api_url`.
    pub fn new(api_url: &crate::ApiUrl, kind: RecordKind, access_token: Secret) -> Record {
        Record {
            version: RECORD_VERSION,
            api_url: api_url.as_str().to_string(),
            kind,
            access_token,
            refresh_token: None,
            expires_at: None,
            issued_at: None,
            token_type: bearer(),
            scopes: Vec::new(),
            user: User::default(),
            tenant: None,
            tenants: Vec::new(),
            client_id: None,
            created_at: now(),
            refresh_failed: None,
            federation: None,
            client_secret: None,
        }
    }

    /// True when a new access token can be had without the person: by the
    /// refresh token, or by exchanging a CI ID token or the client
    /// credentials again.
    pub fn renewable(&self) -> bool {
        self.refresh_token.is_some() || self.reobtainable()
    }

    /// True for a login that is obtained again rather than refreshed
    /// (federated, client credentials).
    pub fn reobtainable(&self) -> bool {
        match self.kind {
            RecordKind::Federated => self.federation.is_some(),
            RecordKind::ClientCredentials => self.client_secret.is_some(),
            _ => false,
        }
    }

    /// Expiry relative to `now`.
    pub fn expiry_at(&self, now: i64) -> Expiry {
        match self.expires_at {
            None => Expiry::Never,
            Some(t) if t > now => Expiry::In(t.saturating_sub(now)),
            Some(t) => Expiry::Ago(now.saturating_sub(t)),
        }
    }

    /// Expiry relative to the current time.
    pub fn expiry(&self) -> Expiry {
        self.expiry_at(now())
    }

    /// True when the token expires within `margin` seconds (or has expired).
    pub fn expires_within(&self, margin: i64) -> bool {
        match self.expiry() {
            Expiry::Never => false,
            Expiry::In(s) => s <= margin,
            Expiry::Ago(_) => true,
        }
    }

    /// Seconds before expiry at which the token counts as expiring: 60, or
    /// half its lifetime when that is shorter, so that a token that lives
    /// under two minutes is not refreshed on every use.
    pub fn refresh_margin(&self) -> i64 {
        match (self.issued_at, self.expires_at) {
            (Some(i), Some(e)) if e > i => (e.saturating_sub(i) / 2).min(REFRESH_MARGIN),
            _ => REFRESH_MARGIN,
        }
    }

    /// The account this record is for (see [`User::account`]), if known.
    pub fn account(&self) -> Option<&str> {
        self.user.account().filter(|a| !a.is_empty())
    }

    /// Where this record is kept in a store (see [`store_key`]).
    pub fn key(&self) -> String {
        store_key(&self.api_url, self.account())
    }

    /// Where a record of the one-account layout (version 1) is kept: under
    /// its API URL. `Some` only when that differs from [`Record::key`], so
    /// the record must move.
    pub fn legacy_key(&self) -> Option<String> {
        (self.version < 2 && self.key() != self.api_url).then(|| self.api_url.clone())
    }

    /// Serialise to the stored JSON form.
    pub fn to_json(&self) -> String {
        // Serialising plain structs and strings cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parse the stored JSON form.
    pub fn from_json(text: &str) -> Result<Record, serde_json::Error> {
        serde_json::from_str(text)
    }
}

impl Expiry {
    /// "expires in 42m", "expired 3m ago", "no expiry".
    pub fn describe(self) -> String {
        match self {
            Expiry::Never => "no expiry".into(),
            Expiry::In(s) => format!("expires in {}", human_duration(s)),
            Expiry::Ago(s) => format!("expired {} ago", human_duration(s)),
        }
    }
}

/// Check a tenant slug: letters, digits, `-`, `_`, `.`; at most 100 characters.
pub fn check_tenant(slug: &str) -> Result<&str, InputError> {
    let ok = !slug.is_empty()
        && slug.len() <= 100
        && slug
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(slug)
    } else {
        Err(InputError::new(
            format!(
                "invalid tenant `{}`: use letters, digits, `-`, `_` or `.`",
                slug.escape_debug()
            ),
            Some("run `{bin} tenants list` to see your tenants".into()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cred() -> Record {
        Record::new(
            &crate::ApiUrl::parse("https://a.test").unwrap(),
            RecordKind::Token,
            Secret::new("tok_abcdefghijklmnop"),
        )
    }

    #[test]
    fn debug_never_shows_tokens() {
        let mut c = cred();
        c.refresh_token = Some(Secret::new("refresh_secret_value"));
        let d = format!("{c:?}");
        assert!(!d.contains("abcdefgh"), "{d}");
        assert!(!d.contains("refresh_secret"), "{d}");
        c.client_secret = Some(Secret::new("client_secret_value"));
        assert!(!format!("{c:?}").contains("client_secret_value"));
    }

    #[test]
    fn renewable_logins() {
        let mut c = cred();
        assert!(!c.renewable());
        c.kind = RecordKind::ClientCredentials;
        assert!(!c.renewable(), "no secret kept");
        c.client_secret = Some(Secret::new("s"));
        assert!(c.renewable() && c.reobtainable());
        let j = c.to_json();
        assert!(j.contains("\"kind\":\"client-credentials\""), "{j}");
        assert_eq!(
            Record::from_json(&j).unwrap().kind,
            RecordKind::ClientCredentials
        );
    }

    #[test]
    fn json_round_trip_and_unknown_fields() {
        let c = cred();
        let j = c.to_json();
        let back = Record::from_json(&j).unwrap();
        assert_eq!(back.access_token.expose(), "tok_abcdefghijklmnop");
        // a newer writer's record: unknown kind and extra fields still read
        let newer = j
            .replace("\"token\"", "\"saml\"")
            .replacen("{", "{\"future\":1,", 1);
        let back = Record::from_json(&newer).unwrap();
        assert_eq!(back.kind, RecordKind::Unknown);
    }

    #[test]
    fn refresh_failure_mark_round_trips_and_older_records_read() {
        let mut c = cred();
        assert!(!c.to_json().contains("refresh_failed"), "absent when unset");
        c.refresh_failed = Some(RefreshFailure {
            at: 1700000000,
            error: "invalid_grant: revoked".into(),
        });
        let j = c.to_json();
        let back = Record::from_json(&j).unwrap();
        assert_eq!(back.refresh_failed, c.refresh_failed);
        // a record written before the mark existed reads as unmarked
        let old = r#"{"version":1,"api_url":"https://a.test","kind":"oauth","access_token":"t"}"#;
        assert_eq!(Record::from_json(old).unwrap().refresh_failed, None);
        // an older reader sees the mark as an unknown field: the JSON stays an object
        let v: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(v["refresh_failed"]["error"], "invalid_grant: revoked");
    }

    #[test]
    fn expiry_describes() {
        let mut c = cred();
        assert_eq!(c.expiry_at(100), Expiry::Never);
        c.expires_at = Some(100 + 42 * 60);
        assert_eq!(c.expiry_at(100).describe(), "expires in 42m");
        c.expires_at = Some(100 - 180);
        assert_eq!(c.expiry_at(100).describe(), "expired 3m ago");
    }

    #[test]
    fn refresh_margin_scales_with_short_lifetimes() {
        let mut c = cred();
        assert_eq!(c.refresh_margin(), 60);
        c.issued_at = Some(1000);
        c.expires_at = Some(1030);
        assert_eq!(c.refresh_margin(), 15);
        c.expires_at = Some(1000 + 3600);
        assert_eq!(c.refresh_margin(), 60);
    }

    #[test]
    fn keys_are_per_account_and_old_records_know_where_they_were() {
        let mut c = cred();
        assert_eq!(c.key(), "https://a.test");
        assert_eq!(c.legacy_key(), None);
        c.user.id = Some("sub-1".into());
        c.user.email = Some("j@x.test".into());
        assert_eq!(c.key(), "https://a.test#sub-1");
        assert_eq!(key_api_url(&c.key()), "https://a.test");
        assert_eq!(c.legacy_key(), None, "written by this version");
        let old = r#"{"version":1,"api_url":"https://a.test","kind":"oauth","access_token":"t","user":{"email":"j@x.test"}}"#;
        let old = Record::from_json(old).unwrap();
        assert_eq!(old.legacy_key().as_deref(), Some("https://a.test"));
        assert_eq!(old.key(), "https://a.test#j@x.test");
    }

    #[test]
    fn user_display() {
        let u = User {
            name: Some("Jane".into()),
            email: Some("j@x.test".into()),
            ..Default::default()
        };
        assert_eq!(u.display(), "Jane (j@x.test)");
        assert_eq!(User::default().display(), "unknown user");
    }
}
