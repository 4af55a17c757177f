//! `auth status` and `whoami`: what is stored for each environment, its
//! expiry and tenant, and the `--check` verdict for monitoring. Offline:
//! nothing here touches the network.

use crate::error::{Error, Result};
use crate::record::{Expiry, Record, Tenant, User};
use crate::session::{Session, Source};
use crate::store::{Location, Stored};
use crate::time::now;
use serde::Serialize;
use std::time::Duration;

/// What `auth status` shows for one environment.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// The environment.
    pub api_url: String,
    /// Where the API URL came from (absent in `--all` listings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_url_source: Option<Source>,
    /// The user.
    pub user: User,
    /// token / oauth.
    pub kind: &'static str,
    /// The token, masked unless asked for.
    pub token: String,
    /// Whether `token` is the full value.
    pub token_shown: bool,
    /// Unix seconds, when the token expires.
    pub expires_at: Option<i64>,
    /// "expires in 42m", "expired 3m ago", "no expiry".
    pub expiry: String,
    /// True when expired.
    pub expired: bool,
    /// True when a refresh token is stored.
    pub refreshable: bool,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// The tenant in effect.
    pub tenant: Option<String>,
    /// Where the tenant came from.
    pub tenant_source: Option<Source>,
    /// Tenants known from the profile.
    pub tenants: Vec<Tenant>,
    /// Where the record is stored.
    pub stored_in: Location,
}

/// `{ENV}_TOKEN` is set and shadows stored credentials.
#[derive(Debug, Clone, Serialize)]
pub struct EnvTokenStatus {
    /// The variable's name.
    pub variable: String,
    /// The token, masked unless asked for.
    pub token: String,
    /// API URL, when one resolves.
    pub api_url: Option<String>,
    /// A stored credential this token shadows, if any.
    pub shadows: Option<Location>,
}

/// Build the status of a stored record.
pub fn status_of(
    session: &Session,
    stored: &Stored,
    tenant_flag: Option<&str>,
    show_token: bool,
) -> Result<Status> {
    let c = &stored.record;
    let expiry = c.expiry();
    let tenant = session.tenant(tenant_flag, c.tenant.as_deref())?;
    let refreshable = c.refresh_token.is_some();
    let mut expiry_text = expiry.describe();
    if matches!(expiry, Expiry::Ago(_)) && refreshable {
        expiry_text.push_str(" (will refresh on next use)");
    }
    Ok(Status {
        api_url: c.api_url.clone(),
        api_url_source: None,
        user: c.user.clone(),
        kind: c.kind.as_str(),
        token: if show_token {
            c.access_token.expose().to_string()
        } else {
            c.access_token.masked()
        },
        token_shown: show_token,
        expires_at: c.expires_at,
        expiry: expiry_text,
        expired: matches!(expiry, Expiry::Ago(_)),
        refreshable,
        scopes: c.scopes.clone(),
        tenant: tenant.as_ref().map(|t| t.0.clone()),
        tenant_source: tenant.map(|t| t.1),
        tenants: c.tenants.clone(),
        stored_in: stored.location.clone(),
    })
}

/// Everything `auth status` reports.
#[derive(Debug, Clone)]
pub struct Report {
    /// `{ENV}_TOKEN`, when set.
    pub env_token: Option<EnvTokenStatus>,
    /// One entry per environment shown.
    pub entries: Vec<Status>,
    /// Store notices.
    pub warnings: Vec<String>,
}

/// Build the `auth status` report: the resolved environment, or with `all`
/// every stored one. Nothing stored (and no `{ENV}_TOKEN`) is an error.
pub fn report(
    session: &Session,
    api_url_flag: Option<&str>,
    tenant_flag: Option<&str>,
    show_token: bool,
    all: bool,
) -> Result<Report> {
    let resolved = session.api_url(api_url_flag);
    let stores = session.stores()?;
    let env = match &resolved {
        Ok((u, _)) => session.env_token(u)?,
        Err(_) => None,
    };
    let env_token = match env {
        Some(e) => {
            let t = e.token;
            let api_url = resolved.as_ref().ok().map(|(u, _)| u.clone());
            let shadows = match &api_url {
                Some(u) => stores.get(u.as_str()).ok().flatten().map(|s| s.location),
                None => None,
            };
            Some(EnvTokenStatus {
                variable: e.variable,
                token: if show_token {
                    t.expose().to_string()
                } else {
                    t.masked()
                },
                api_url: api_url.map(|u| u.to_string()),
                shadows,
            })
        }
        None => None,
    };
    let mut entries: Vec<Status> = Vec::new();
    if all {
        for s in stores.list()? {
            entries.push(status_of(session, &s, tenant_flag, show_token)?);
        }
    } else if let Ok((u, src)) = &resolved
        && let Some(s) = stores.get(u.as_str())?
    {
        let mut st = status_of(session, &s, tenant_flag, show_token)?;
        st.api_url_source = Some(src.clone());
        entries.push(st);
    }
    let warnings = stores.take_warnings();
    if entries.is_empty() && env_token.is_none() {
        return Err(match resolved {
            Err(e) if !all => e,
            Ok((u, _)) if !all => Error::NotLoggedIn {
                api_url: u.to_string(),
                unsearched: stores.unsearched(),
            },
            _ => Error::Auth {
                message: "not logged in to any API".into(),
                hint: Some("run `{bin} auth login`".into()),
            },
        });
    }
    Ok(Report {
        env_token,
        entries,
        warnings,
    })
}

/// `auth status --check` for the resolved environment: the exit code, one
/// line of text, and store notices.
pub fn check_env(
    session: &Session,
    api_url_flag: Option<&str>,
    within: Duration,
) -> Result<(i32, String, Vec<String>)> {
    let (api_url, _) = session.api_url(api_url_flag)?;
    let stores = session.stores()?;
    let found = stores.get(api_url.as_str())?;
    let warnings = stores.take_warnings();
    let (code, text) = check(found.as_ref().map(|s| &s.record), within);
    Ok((code, format!("{api_url}: {text}"), warnings))
}

/// `auth status --check`: 0 usable; 1 nothing stored, or expired without a
/// refresh token; 2 expiring within `within` without a refresh token.
pub fn check(record: Option<&Record>, within: Duration) -> (i32, String) {
    let Some(c) = record else {
        return (1, "not logged in".into());
    };
    let refreshable = c.refresh_token.is_some();
    match c.expiry_at(now()) {
        Expiry::Never => (0, "valid, no expiry".into()),
        Expiry::Ago(_) if refreshable => (
            0,
            format!("{} (will refresh on next use)", c.expiry().describe()),
        ),
        Expiry::Ago(_) => (
            1,
            format!("{}, and there is no refresh token", c.expiry().describe()),
        ),
        Expiry::In(s) if !refreshable && s <= within.as_secs() as i64 => (
            2,
            format!("{}, and there is no refresh token", c.expiry().describe()),
        ),
        Expiry::In(_) => (0, format!("valid, {}", c.expiry().describe())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api_url::ApiUrl;
    use crate::record::RecordKind;
    use crate::secret::Secret;

    fn record(expires_in: Option<i64>, refresh: bool) -> Record {
        let mut c = Record::new(
            &ApiUrl::parse("https://a.test").unwrap(),
            RecordKind::Oauth,
            Secret::new("t"),
        );
        c.expires_at = expires_in.map(|e| now() + e);
        if refresh {
            c.refresh_token = Some(Secret::new("r"));
        }
        c
    }

    #[test]
    fn check_codes() {
        let day = Duration::from_secs(86400);
        assert_eq!(check(None, day).0, 1);
        assert_eq!(check(Some(&record(None, false)), day).0, 0);
        assert_eq!(check(Some(&record(Some(-10), true)), day).0, 0);
        assert_eq!(check(Some(&record(Some(-10), false)), day).0, 1);
        assert_eq!(check(Some(&record(Some(3600), false)), day).0, 2);
        assert_eq!(
            check(Some(&record(Some(3600), false)), Duration::from_secs(60)).0,
            0
        );
        assert_eq!(check(Some(&record(Some(3600), true)), day).0, 0);
    }
}
