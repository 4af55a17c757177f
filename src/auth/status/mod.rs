//! `auth status`: every stored environment (or the one asked for), each
//! login's state and whether it is usable, and the `--check` verdict for
//! monitoring. Offline, except `--verify`, which asks each API's profile
//! endpoint whether it still accepts the token (never refreshing, never
//! writing a credential).

mod model;
mod stores;
mod verify;

pub use model::{Account, EnvToken, Environment, Problem, Report, Severity, TenantInfo, UserInfo};
pub use stores::{StoreListing, stores};

use crate::api_url::ApiUrl;
use crate::error::Result;
use crate::record::{Expiry, Record, Tenant, User};
use crate::secret::Secret;
use crate::session::{Session, Source, host_key};
use crate::store::{Location, StoreChain, StoreError, Stored};
use crate::time::{human_duration, now};
use model::{capitalize, login_command, relogin, settle};
use serde::Serialize;
use std::time::Duration;

/// One stored login, as `whoami` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// The environment.
    pub api_url: String,
    /// Where the API URL came from, when known.
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

/// The status of a stored record (what `whoami` shows).
pub fn status_of(
    session: &Session,
    stored: &Stored,
    tenant_flag: Option<&str>,
    show_token: bool,
) -> Result<Status> {
    let c = &stored.record;
    let api_url = crate::api_url::ApiUrl::parse(&c.api_url)?;
    let tenant = session.tenant(&api_url, tenant_flag, c.tenant.as_deref())?;
    Ok(Status {
        api_url: c.api_url.clone(),
        api_url_source: None,
        user: c.user.clone(),
        kind: c.kind.as_str(),
        token: shown(&c.access_token, show_token),
        token_shown: show_token,
        expires_at: c.expires_at,
        expiry: expiry_text(c),
        expired: matches!(c.expiry(), Expiry::Ago(_)),
        refreshable: c.renewable(),
        scopes: c.scopes.clone(),
        tenant: tenant.as_ref().map(|t| t.0.clone()),
        tenant_source: tenant.map(|t| t.1),
        tenants: c.tenants.clone(),
        stored_in: stored.location.clone(),
    })
}

/// What `auth status` is asked for.
#[derive(Debug, Clone, Default)]
pub struct Options<'a> {
    /// `-h`: only this environment (else every stored one and the default).
    pub api_url: Option<&'a str>,
    /// `--tenant`.
    pub tenant: Option<&'a str>,
    /// `-t`: show whole tokens.
    pub show_token: bool,
    /// `--verify`: ask each API whether it accepts its token.
    pub verify: bool,
}

fn shown(token: &Secret, show: bool) -> String {
    if show {
        token.expose().to_string()
    } else {
        token.masked()
    }
}

/// "exchanges $KEYWARD_ID_TOKEN (audience …) again when it expires".
fn renewed_by(c: &Record) -> Option<String> {
    if let Some(f) = &c.federation {
        return Some(format!(
            "exchanges an ID token from {} (audience {}) again when it expires",
            f.source.describe(),
            f.audience
        ));
    }
    c.client_secret
        .as_ref()
        .map(|_| "obtains a new token with the stored client secret when it expires".to_string())
}

/// "expired 3m ago (will refresh on next use)" and the like.
fn expiry_text(c: &Record) -> String {
    let mut text = c.expiry().describe();
    if matches!(c.expiry(), Expiry::Ago(_)) && c.renewable() && c.refresh_failed.is_none() {
        text.push_str(" (will refresh on next use)");
    }
    text
}

/// Fill a hint's `{bin}` and `{ENV}` placeholders.
fn fill(session: &Session, hint: String) -> String {
    hint.replace("{bin}", session.platform.name)
        .replace("{ENV}", session.platform.env_prefix)
}

/// What the stores hold for one API URL: its accounts.
enum Lookup {
    Found(Vec<Stored>),
    Missing,
    /// A store that may hold it could not be read: what, and what to do.
    Unreadable(String, Option<String>),
}

fn lookup(session: &Session, stores: &StoreChain, api_url: &ApiUrl) -> Lookup {
    match stores.accounts(api_url.as_str()) {
        Ok(found) if !found.is_empty() => Lookup::Found(found),
        // In auto mode an unreachable keychain reads as "not there", and
        // stays unreachable for the rest of the run: this login may be in it.
        Ok(_) => match stores.unsearched() {
            Some(why) => {
                let hint = StoreError::Unavailable {
                    cause: why.clone(),
                    detail: None,
                }
                .hint();
                Lookup::Unreadable(why, hint.map(|h| fill(session, h)))
            }
            None => Lookup::Missing,
        },
        Err(e) => Lookup::Unreadable(
            match e.cause() {
                Some(c) => format!("{e}: {c}"),
                None => e.to_string(),
            },
            e.hint().map(|h| fill(session, h)),
        ),
    }
}

/// Build the `auth status` report. Nothing stored is not an error: the
/// report is then empty (every environment) or says "not logged in" (`-h`).
/// With `opts.verify` each unexpired token is sent to its profile endpoint.
pub fn report(session: &Session, opts: &Options<'_>) -> Result<Report> {
    let (default, default_source) = match session.api_url_if_any(None)? {
        Some((u, s)) => (Some(u), Some(s)),
        None => (None, None),
    };
    let stores = session.stores()?;
    let mut warnings = session.take_warnings();
    let mut targets: Vec<(ApiUrl, Lookup)> = Vec::new();
    let narrowed = opts.api_url.is_some();
    if let Some(flag) = opts.api_url {
        let (u, _) = session.api_url(Some(flag))?;
        let found = lookup(session, stores, &u);
        targets.push((u, found));
    } else {
        let (records, unlisted) = stores.list_readable()?;
        if let Some(e) = unlisted {
            let cause = e.cause().map(|c| format!(" ({c})")).unwrap_or_default();
            warnings.push(format!("{e}{cause}; logins stored there are not listed"));
        }
        for s in records {
            match ApiUrl::parse(&s.record.api_url) {
                Ok(u) => match targets.iter_mut().find(|(t, _)| *t == u) {
                    Some((_, Lookup::Found(v))) => v.push(s),
                    _ => targets.push((u, Lookup::Found(vec![s]))),
                },
                Err(e) => warnings.push(format!("a stored login was skipped: {}", e.message)),
            }
        }
        if let Some(d) = &default
            && !targets.iter().any(|(u, _)| u == d)
        {
            let found = lookup(session, stores, d);
            targets.push((d.clone(), found));
        }
    }
    let plain_var = session.platform.env_var("TOKEN");
    let plain_set = std::env::var_os(&plain_var).is_some_and(|v| !v.is_empty());
    let mut environments = Vec::new();
    let mut default_missing = false;
    for (u, found) in targets {
        let is_default = default.as_ref() == Some(&u);
        match environment(session, opts, &u, found, is_default, narrowed)? {
            Some(mut e) => {
                if is_default {
                    e.api_url_source = default_source.clone();
                }
                environments.push(e)
            }
            None => default_missing |= is_default,
        }
    }
    if let Some(d) = default.as_ref().filter(|_| default_missing)
        && !environments.is_empty()
    {
        warnings.push(format!(
            "not logged in to the default API URL {d}: run `{} auth login`",
            session.platform.name
        ));
    }
    if plain_set && default.is_none() && !narrowed {
        warnings.push(format!(
            "{plain_var} is set, but with no default API URL it applies only to the API URL a command names: pass `-h <api_url>`"
        ));
    }
    environments.sort_by(|a, b| (!a.default, &a.api_url).cmp(&(!b.default, &b.api_url)));
    if opts.verify {
        verify::verify(session, &mut environments)?;
    }
    for e in &mut environments {
        settle(e);
    }
    warnings.extend(stores.take_warnings());
    Ok(Report {
        environments,
        warnings,
    })
}

/// One environment; `None` when there is nothing to say about it (the
/// default API URL with nothing stored, when every environment is listed).
fn environment(
    session: &Session,
    opts: &Options<'_>,
    api_url: &ApiUrl,
    found: Lookup,
    is_default: bool,
    narrowed: bool,
) -> Result<Option<Environment>> {
    let login = login_command(session, api_url, is_default);
    let mut problems = Vec::new();
    let plain_var = session.platform.env_var("TOKEN");
    let host_var = format!("{plain_var}_{}", host_key(api_url));
    let host_set = [host_var.clone(), host_var.to_ascii_uppercase()]
        .iter()
        .any(|v| std::env::var_os(v).is_some());
    // The plain variable applies to `{ENV}_API_URL` or the default API URL,
    // else to the API URL a command names: only `-h` names one here.
    let looked_up = if host_set || narrowed || is_default {
        session.env_token(api_url)
    } else {
        Ok(None)
    };
    let env_token = match looked_up {
        Ok(t) => t,
        Err(e) => {
            problems.push(Problem::error(
                "env_token_invalid",
                e.to_string(),
                e.hint_for(&session.platform).map(|h| capitalize(&h)),
            ));
            None
        }
    };
    if env_token.is_none()
        && problems.is_empty()
        && narrowed
        && std::env::var_os(&plain_var).is_some_and(|v| !v.is_empty())
        && let Ok(Some(target)) = session.env_token_target()
        && &target != api_url
    {
        problems.push(Problem {
            code: "env_token_ignored",
            severity: Severity::Warning,
            message: format!("{plain_var} is set but ignored here: it applies to {target}"),
            fix: None,
        });
    }
    let token_applies =
        env_token.is_some() || problems.iter().any(|p| p.code == "env_token_invalid");
    // The accounts shown (the one `-u`/`{ENV}_USER` names, else all) and
    // the one in use.
    let (found, in_use) = match found {
        Lookup::Found(all) => match pick_shown(session, api_url, all) {
            Ok((shown, in_use)) => (Lookup::Found(shown), in_use),
            Err(p) => {
                problems.push(p);
                (Lookup::Found(Vec::new()), None)
            }
        },
        other => (other, None),
    };
    // The tenant a stored login captured is that login's: it does not
    // follow an environment token used instead of it.
    let captured = match &found {
        Lookup::Found(v) if !token_applies => v
            .iter()
            .find(|s| Some(&s.key) == in_use.as_ref())
            .and_then(|s| s.record.tenant.clone()),
        _ => None,
    };
    let tenant = session.tenant(api_url, opts.tenant, captured.as_deref())?;
    let mut accounts = Vec::new();
    match found {
        Lookup::Found(all) => {
            let several = all.len() > 1;
            for s in &all {
                let active = !token_applies && Some(&s.key) == in_use.as_ref();
                let mut a = account(s, active, opts.show_token, &login);
                if active {
                    a.chosen_by = crate::auth::account::chosen_by(session, api_url, s);
                }
                if several && !active && !token_applies {
                    a.switch = Some(format!(
                        "{} auth switch{} -u {}",
                        session.platform.name,
                        if is_default {
                            String::new()
                        } else {
                            format!(" -h {api_url}")
                        },
                        crate::auth::account::short_name(s, &all)
                    ));
                }
                // The file is read first: a keychain copy behind it is unused.
                if let Some(other) = session.stores()?.shadowed(&s.key) {
                    a.problems.push(Problem {
                        code: "shadowed",
                        severity: Severity::Warning,
                        message: format!(
                            "an older login in {other} is shadowed by this one (the file's is used)"
                        ),
                        fix: Some(format!(
                            "The next login while the keychain is reachable replaces both; `{} auth status --stores` lists each store's logins",
                            session.platform.name
                        )),
                    });
                }
                accounts.push(a);
            }
            // The account in use first, as gh lists them.
            accounts.sort_by_key(|a| !a.active);
        }
        Lookup::Missing if env_token.is_some() => {}
        Lookup::Missing if narrowed || !problems.is_empty() => problems.push(Problem::error(
            "not_logged_in",
            format!("not logged in to {api_url}"),
            Some(format!("To log in, run: {login}")),
        )),
        Lookup::Missing => return Ok(None),
        Lookup::Unreadable(why, hint) if env_token.is_none() => problems.push(Problem::error(
            "store_unreadable",
            format!("could not tell whether you are logged in to {api_url}: {why}"),
            Some(match hint {
                Some(h) => format!("{}; or, to log in anew, run: {login}", capitalize(&h)),
                None => format!("To log in anew, run: {login}"),
            }),
        )),
        Lookup::Unreadable(..) => {}
    }
    Ok(Some(Environment {
        api_url: api_url.to_string(),
        default: is_default,
        api_url_source: None,
        env_token: env_token.map(|t| EnvToken {
            variable: t.variable,
            token: shown(&t.token, opts.show_token),
            token_shown: opts.show_token,
            verified: None,
            problems: Vec::new(),
            secret: t.token,
        }),
        tenant: tenant.as_ref().map(|t| t.0.clone()),
        tenant_source: tenant.map(|t| t.1),
        usable: false,
        problems,
        accounts,
    }))
}

/// The accounts to show of `all` (those of `api_url`), and the store key
/// of the one in use: with `-u`/`{ENV}_USER` only the account it names,
/// else every account, the active one in use. A USER that names none is
/// the environment's problem.
fn pick_shown(
    session: &Session,
    api_url: &ApiUrl,
    mut all: Vec<Stored>,
) -> std::result::Result<(Vec<Stored>, Option<String>), Problem> {
    all.sort_by(|a, b| a.key.cmp(&b.key));
    if let Some((user, source)) = session.user() {
        let picked = crate::auth::account::pick(&all, &user, &source, api_url)
            .map_err(|e| Problem::error("user_ambiguous", e.to_string(), None))?
            .cloned();
        return match picked {
            Some(s) => {
                let key = s.key.clone();
                Ok((vec![s], Some(key)))
            }
            None => Err(Problem::error(
                "user_not_stored",
                format!("no account `{user}` ({source}) is stored for {api_url}"),
                Some(format!(
                    "Stored: {}",
                    all.iter()
                        .map(|s| crate::auth::account::short_name(s, &all))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            )),
        };
    }
    let in_use = crate::auth::stored(session, api_url).ok().map(|s| s.key);
    Ok((all, in_use))
}

/// The account a stored record is.
fn account(s: &Stored, active: bool, show_token: bool, login: &str) -> Account {
    let c = &s.record;
    let expired = matches!(c.expiry(), Expiry::Ago(_));
    let refreshable = c.renewable();
    let mut problems = Vec::new();
    if let Some(f) = &c.refresh_failed {
        let what = if c.reobtainable() {
            "a new token could not be obtained"
        } else {
            "the server refused to refresh the token"
        };
        problems.push(Problem::error(
            "refresh_refused",
            format!("{what} {} ago ({})", human_duration(now() - f.at), f.error),
            Some(format!("To log in again, run: {}", relogin(login, c))),
        ));
    } else if expired && !refreshable {
        problems.push(Problem::error(
            "expired",
            format!(
                "the token {}, and there is no refresh token",
                c.expiry().describe()
            ),
            Some(format!("To log in again, run: {login}")),
        ));
    }
    let u = &c.user;
    Account {
        account: c.account().map(str::to_string),
        active,
        switch: None,
        chosen_by: None,
        user: UserInfo {
            name: u.name.clone(),
            email: u.email.clone(),
            login: u.login.clone(),
            id: u.id.clone(),
            display: u.display(),
        },
        kind: c.kind.as_str(),
        federation: c.federation.clone(),
        renewed_by: renewed_by(c),
        token: shown(&c.access_token, show_token),
        token_shown: show_token,
        expires_at: c.expires_at,
        expiry: expiry_text(c),
        expired,
        refreshable,
        refresh_failed: c.refresh_failed.clone(),
        scopes: c.scopes.clone(),
        tenants: c
            .tenants
            .iter()
            .map(|t| TenantInfo {
                slug: t.slug.clone(),
                name: t.name.clone(),
            })
            .collect(),
        stored_in: s.location.clone(),
        usable: false,
        verified: None,
        problems,
        secret: c.access_token.clone(),
    }
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
    let found = match crate::auth::stored(session, &api_url) {
        Ok(s) => Some(s),
        Err(crate::Error::NotLoggedIn { .. }) => None,
        Err(e) => return Err(e),
    };
    let mut warnings = session.take_warnings();
    warnings.extend(stores.take_warnings());
    let (code, text) = check(found.as_ref().map(|s| &s.record), within);
    Ok((code, format!("{api_url}: {text}"), warnings))
}

/// `auth status --check`: 0 usable; 1 nothing stored, or expired without a
/// refresh token (or with one the server refused); 2 expiring within
/// `within` without one.
pub fn check(record: Option<&Record>, within: Duration) -> (i32, String) {
    let Some(c) = record else {
        return (1, "not logged in".into());
    };
    let refreshable = c.renewable() && c.refresh_failed.is_none();
    let why = if c.refresh_failed.is_some() && c.reobtainable() {
        "and the last attempt to obtain a new one failed"
    } else if c.refresh_failed.is_some() {
        "and the server refused the last refresh"
    } else {
        "and there is no refresh token"
    };
    match c.expiry_at(now()) {
        Expiry::Never if c.refresh_failed.is_none() => (0, "valid, no expiry".into()),
        Expiry::Never => (1, format!("no expiry, {why}")),
        Expiry::Ago(_) if refreshable => (
            0,
            format!("{} (will refresh on next use)", c.expiry().describe()),
        ),
        Expiry::Ago(_) => (1, format!("{}, {why}", c.expiry().describe())),
        Expiry::In(s)
            if !refreshable && s <= i64::try_from(within.as_secs()).unwrap_or(i64::MAX) =>
        {
            (2, format!("{}, {why}", c.expiry().describe()))
        }
        Expiry::In(_) => (0, format!("valid, {}", c.expiry().describe())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::record::{RecordKind, RefreshFailure};

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

    fn refused(mut c: Record) -> Record {
        c.refresh_failed = Some(RefreshFailure {
            at: now() - 60,
            error: "invalid_grant".into(),
        });
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

    #[test]
    fn check_counts_a_refused_refresh_token_as_none() {
        let day = Duration::from_secs(86400);
        let (code, text) = check(Some(&refused(record(Some(-10), true))), day);
        assert_eq!(code, 1);
        assert!(text.contains("refused the last refresh"), "{text}");
        assert_eq!(check(Some(&refused(record(Some(3600), true))), day).0, 2);
        assert_eq!(
            check(
                Some(&refused(record(Some(3600), true))),
                Duration::from_secs(60)
            )
            .0,
            0
        );
    }

    fn stored(c: Record) -> Stored {
        Stored {
            key: c.key(),
            record: c,
            location: Location::Keychain,
        }
    }

    #[test]
    fn account_problems_and_usability() {
        let login = "keyward auth login";
        let mut e = Environment {
            api_url: "https://a.test".into(),
            default: true,
            api_url_source: None,
            env_token: None,
            tenant: None,
            tenant_source: None,
            usable: false,
            problems: Vec::new(),
            accounts: vec![account(
                &stored(record(Some(-10), true)),
                true,
                false,
                login,
            )],
        };
        settle(&mut e);
        assert!(e.usable, "expired but refreshable");
        assert!(e.accounts[0].expiry.contains("will refresh on next use"));

        e.accounts = vec![account(
            &stored(record(Some(-10), false)),
            true,
            false,
            login,
        )];
        settle(&mut e);
        assert!(!e.usable);
        assert_eq!(e.accounts[0].problems[0].code, "expired");
        assert!(
            e.accounts[0].problems[0]
                .fix
                .as_deref()
                .unwrap()
                .contains(login)
        );

        let a = account(
            &stored(refused(record(Some(-10), true))),
            true,
            false,
            login,
        );
        assert!(!a.expiry.contains("will refresh"), "{}", a.expiry);
        assert_eq!(a.problems.len(), 1);
        assert_eq!(a.problems[0].code, "refresh_refused");
        e.accounts = vec![a];
        settle(&mut e);
        assert!(!e.usable);

        // an inactive account does not count; the environment token does
        e.accounts = vec![account(
            &stored(record(Some(-10), false)),
            false,
            false,
            login,
        )];
        e.env_token = Some(EnvToken {
            variable: "KEYWARD_TOKEN".into(),
            token: "********".into(),
            token_shown: false,
            verified: None,
            problems: Vec::new(),
            secret: Secret::new("t"),
        });
        settle(&mut e);
        assert!(e.usable);
        assert!(!e.accounts[0].usable);
        // a warning never makes it unusable
        e.problems.push(Problem {
            code: "env_token_ignored",
            severity: Severity::Warning,
            message: String::new(),
            fix: None,
        });
        settle(&mut e);
        assert!(e.usable);
    }

    #[test]
    fn tokens_are_masked_unless_asked_for() {
        let mut c = record(None, false);
        c.access_token = Secret::new("kwd_secret_0123456789");
        let a = account(&stored(c.clone()), true, false, "x");
        assert!(!a.token.contains("secret"), "{}", a.token);
        assert!(!a.token_shown);
        let a = account(&stored(c), true, true, "x");
        assert_eq!(a.token, "kwd_secret_0123456789");
    }
}
