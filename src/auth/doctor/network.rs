//! The checks that ask the server: the API URL answers, discovery, the
//! token at the profile endpoint, and the clock against the server's
//! `Date`. Nothing is cached, refreshed or stored.

use super::check::{Check, Status, login_command};
use super::clock;
use crate::api_url::ApiUrl;
use crate::error::Error;
use crate::oauth::endpoints::{self, Endpoints, Fetched, Origin};
use crate::record::Expiry;
use crate::secret::Secret;
use crate::session::Session;
use std::time::SystemTime;

/// What the network checks are asked.
pub(super) struct Ask<'a> {
    /// The API URL, when one is known.
    pub api_url: Option<&'a ApiUrl>,
    /// `--tenant`.
    pub tenant: Option<&'a str>,
    /// `--offline`.
    pub offline: bool,
    /// config.toml did not parse (so its `api_url` was not read).
    pub config_broken: bool,
    /// credentials.json is open to other users: the store is not read.
    pub credentials_loose: bool,
}

/// The token to check.
enum Cred {
    /// An environment token: its variable.
    Env { variable: String, token: Secret },
    /// The stored login: whose.
    Stored {
        user: String,
        token: Secret,
        tenant: Option<String>,
    },
}

/// `api_url`, `discovery`, `token` and `clock`, in that order.
pub(super) fn checks(session: &Session, ask: &Ask<'_>) -> Vec<Check> {
    let Some(api) = ask.api_url else {
        return unknown_api_url(session, ask);
    };
    let cred = credential(session, api, ask);
    if ask.offline {
        let not = |id| skipped(id, "--offline");
        let token = match cred {
            Err(c) => c,
            Ok(Cred::Env { variable, .. }) => Check::new(
                "token",
                Status::Skip,
                format!("{variable} applies to {api}; it was not sent to the API (--offline)"),
            ),
            Ok(Cred::Stored { user, .. }) => Check::new(
                "token",
                Status::Skip,
                format!(
                    "Logged in to {api} as {user}; the token was not sent to the API (--offline)"
                ),
            ),
        };
        return vec![
            Check::new(
                "api_url",
                Status::Skip,
                format!("Not checked whether {api} answers: --offline"),
            ),
            not("discovery"),
            token,
            not("clock"),
        ];
    }
    let ran = crate::rt::block_on(async { Ok(online(session, api, ask.tenant, cred).await) });
    ran.unwrap_or_else(|e| {
        let fail = Check::new(
            "api_url",
            Status::Fail,
            format!("Could not check {api}: {e}"),
        )
        .maybe_fix(e.hint_for(&session.platform));
        let skip = |id| skipped(id, "the network checks could not run");
        vec![fail, skip("discovery"), skip("token"), skip("clock")]
    })
}

/// A check not made, named: "Discovery not checked: --offline".
fn skipped(id: &'static str, why: &str) -> Check {
    let what = match id {
        "discovery" => "Discovery",
        "token" => "The token",
        "clock" => "The clock",
        _ => "This",
    };
    Check::new(id, Status::Skip, format!("{what} not checked: {why}"))
}

fn unknown_api_url(session: &Session, ask: &Ask<'_>) -> Vec<Check> {
    let bin = session.platform.name;
    let mut fail = Check::new("api_url", Status::Fail, "No API URL is known").fix(format!(
        "pass `-h api.example.com`, set {}, or log in (`{bin} auth login` saves the first API as the default)",
        session.platform.env_var("API_URL")
    ));
    if ask.config_broken {
        fail = fail.detail("config.toml does not parse, so its api_url was not read");
    }
    let skip = |id| skipped(id, "no API URL");
    vec![fail, skip("discovery"), skip("token"), skip("clock")]
}

/// The token the API would get, or the finished `token` check when there
/// is none to send.
fn credential(session: &Session, api: &ApiUrl, ask: &Ask<'_>) -> Result<Cred, Check> {
    let platform = &session.platform;
    let login = login_command(session, api);
    let fail = |summary: String| Check::new("token", Status::Fail, summary);
    match session.env_token(api) {
        Err(e) => return Err(fail(e.to_string()).maybe_fix(e.hint_for(platform))),
        Ok(Some(t)) => {
            return Ok(Cred::Env {
                variable: t.variable,
                token: t.token,
            });
        }
        Ok(None) => {}
    }
    if ask.credentials_loose {
        return Err(Check::new(
            "token",
            Status::Skip,
            "The stored login was not read: reading credentials.json would change its permissions, and doctor changes nothing",
        )
        .fix(format!(
            "chmod 600 {}, then run `{} auth doctor` again",
            session.paths.credentials_file().display(),
            platform.name
        )));
    }
    let stored = crate::auth::stored(session, api);
    if let Ok(stores) = session.stores() {
        // Fallback notices: the keychain check says it in its own words.
        let _ = stores.take_warnings();
    }
    let stored = match stored {
        Ok(s) => s,
        Err(Error::NotLoggedIn { unsearched, .. }) => {
            return Err(fail(format!("Not logged in to {api}"))
                .maybe_detail(unsearched)
                .fix(format!("run `{login}`")));
        }
        Err(e) => {
            let cause = e.cause().map(|c| format!(": {c}")).unwrap_or_default();
            return Err(fail(format!(
                "The stored login for {api} cannot be read: {e}{cause}"
            ))
            .maybe_detail(e.detail())
            .maybe_fix(e.hint_for(platform)));
        }
    };
    let r = &stored.record;
    let user = r.user.display();
    if let Some(f) = &r.refresh_failed {
        return Err(fail(format!(
            "The server refused the last refresh of {user}'s token ({})",
            f.error
        ))
        .fix(format!("log in again: `{login}`")));
    }
    if let Expiry::Ago(_) = r.expiry() {
        let when = r.expiry().describe();
        return Err(if r.renewable() {
            Check::new(
                "token",
                Status::Skip,
                format!(
                    "The access token of {user} {when}; the next `{} auth token` refreshes it (doctor refreshes nothing)",
                    platform.name
                ),
            )
        } else {
            fail(format!(
                "The access token of {user} {when}, and there is no refresh token"
            ))
            .fix(format!("log in again: `{login}`"))
        });
    }
    let tenant = session
        .tenant(api, ask.tenant, r.tenant.as_deref())
        .ok()
        .flatten()
        .map(|(t, _)| t);
    Ok(Cred::Stored {
        user,
        token: r.access_token.clone(),
        tenant,
    })
}

/// A failed request as a check: what failed, why, and what to do.
fn failed(id: &'static str, what: &str, e: &Error, session: &Session, api: &ApiUrl) -> Check {
    let cause = e.cause().map(|c| format!(": {c}")).unwrap_or_default();
    Check::new(id, Status::Fail, format!("{what}: {e}{cause}"))
        .maybe_detail(e.detail())
        .maybe_fix(
            e.hint_for(&session.platform)
                .map(|h| h.replace("<api_url>", api.as_str())),
        )
}

async fn online(
    session: &Session,
    api: &ApiUrl,
    tenant: Option<&str>,
    cred: Result<Cred, Check>,
) -> Vec<Check> {
    let http = match session.http_client(api) {
        Ok(h) => h,
        Err(e) => {
            let skip = |id| skipped(id, "no HTTP client");
            return vec![
                failed("api_url", "No request can be made", &e, session, api),
                skip("discovery"),
                cred.err().unwrap_or_else(|| skip("token")),
                skip("clock"),
            ];
        }
    };
    let sent = SystemTime::now();
    let ping = http.ping(api.as_str()).await;
    let received = SystemTime::now();
    let ping = match ping {
        Ok(p) => p,
        Err(e) => {
            let cause = e.cause.clone();
            let e = Error::from(e);
            let skip = |id| skipped(id, &format!("{api} does not answer"));
            let mut fail = failed("api_url", "", &e, session, api);
            fail.summary = format!("{api} does not answer: {cause}");
            return vec![
                fail,
                skip("discovery"),
                cred.err().unwrap_or_else(|| skip("token")),
                skip("clock"),
            ];
        }
    };
    let answered = if ping.status >= 500 {
        Check::new(
            "api_url",
            Status::Warn,
            format!("{api} answers, with a server error (HTTP {})", ping.status),
        )
        .detail("Any answer shows the server can be reached; this one says it is not well")
    } else {
        Check::new(
            "api_url",
            Status::Pass,
            format!("{api} answers (HTTP {})", ping.status),
        )
    };
    let (discovery, endpoints) = match endpoints::fetch(session, &http, api).await {
        Ok(f) => {
            let ep = endpoints::resolve_with(session, api, f.origin, f.metadata.clone());
            (found(session, api, &f, &ep), ep)
        }
        Err(e) => (
            failed(
                "discovery",
                "Discovery failed",
                &Error::from(e),
                session,
                api,
            ),
            endpoints::resolve_offline(session, api),
        ),
    };
    let token = match cred {
        Err(c) => c,
        Ok(c) => token(session, api, &http, &endpoints, tenant, c).await,
    };
    let origin = crate::http::origin_of(api.as_str());
    let clock = match ping.date.as_deref().map(|d| (d, clock::parse_http_date(d))) {
        None => Check::new(
            "clock",
            Status::Skip,
            format!("Not compared: {origin} sent no Date header"),
        ),
        Some((d, None)) => Check::new(
            "clock",
            Status::Skip,
            format!(
                "Not compared: {origin} sent a Date header that is not an HTTP date ({})",
                crate::text::printable(d, 60)
            ),
        ),
        Some((_, Some(date))) => clock::judge(clock::skew(date, sent, received), &origin),
    };
    vec![answered, discovery, token, clock]
}

/// The `discovery` check for what [`endpoints::fetch`] found.
fn found(session: &Session, api: &ApiUrl, f: &Fetched, ep: &Endpoints) -> Check {
    let host = session.host(api);
    let declared = session.platform.endpoints;
    let meta = f.metadata.clone().unwrap_or_default();
    let mark =
        |value: &str, config: Option<&String>, from_meta: Option<&String>, built_in: bool| {
            let from = if config.map(String::as_str) == Some(value) {
                " (config.toml)"
            } else if from_meta.map(String::as_str) == Some(value) {
                ""
            } else if built_in {
                " (built in)"
            } else {
                " (default)"
            };
            format!("{value}{from}")
        };
    let mut parts = Vec::new();
    if let Some(i) = &ep.issuer {
        parts.push(format!("issuer {}", crate::text::printable(i, 300)));
    }
    parts.push(format!(
        "authorization endpoint {}",
        mark(
            &ep.authorize_url,
            host.authorize_url.as_ref(),
            meta.authorization_endpoint.as_ref(),
            declared.authorize.is_some()
        )
    ));
    parts.push(format!(
        "token endpoint {}",
        mark(
            &ep.token_url,
            host.token_url.as_ref(),
            meta.token_endpoint.as_ref(),
            declared.token.is_some()
        )
    ));
    parts.push(match &ep.device_authorization_url {
        Some(d) => format!(
            "device authorization endpoint {}",
            mark(
                d,
                host.device_authorization_url.as_ref(),
                meta.device_authorization_endpoint.as_ref(),
                declared.device_authorization.is_some()
            )
        ),
        None => "no device authorization endpoint (no --device)".to_string(),
    });
    parts.push(format!(
        "profile endpoint {}",
        mark(
            &ep.profile_url,
            host.profile_url.as_ref(),
            meta.userinfo_endpoint.as_ref(),
            declared.profile.is_some()
        )
    ));
    if let Some(r) = &ep.registration_url {
        parts.push(format!("client registration at {r} (RFC 7591)"));
    }
    let detail = parts.join("; ");
    let what = match f.origin {
        Origin::OpenId => "OpenID Connect metadata",
        Origin::OAuth => "OAuth server metadata (RFC 8414)",
        Origin::None => {
            let configured = host.authorize_url.is_some() || declared.authorize.is_some();
            let configured = configured && (host.token_url.is_some() || declared.token.is_some());
            let tried = f.tried.join(", ");
            if configured {
                return Check::new(
                    "discovery",
                    Status::Pass,
                    "No discovery document; the endpoints are set in config.toml or built in",
                )
                .detail(format!("{detail}. Tried {tried}"));
            }
            let bin = session.platform.name;
            return Check::new(
                "discovery",
                Status::Warn,
                "No discovery document: keyward uses the default endpoints",
            )
            .detail(format!("{detail}. Tried {tried}"))
            .fix(format!(
                "if logging in fails, set this API's endpoints: `{bin} config set token_url URL -h {api}` (and authorize_url, profile_url)"
            ));
        }
    };
    let at = f.url.as_deref().unwrap_or_default();
    Check::new(
        "discovery",
        Status::Pass,
        format!("Discovery found {what} at {at}"),
    )
    .detail(detail)
}

/// The `token` check: the profile endpoint's verdict on `cred`.
async fn token(
    session: &Session,
    api: &ApiUrl,
    http: &crate::http::Client,
    ep: &Endpoints,
    tenant: Option<&str>,
    cred: Cred,
) -> Check {
    let profile = &ep.profile_url;
    let (secret, tenant, whose, fix) = match &cred {
        Cred::Env { variable, token } => (
            token,
            session
                .tenant(api, tenant, None)
                .ok()
                .flatten()
                .map(|(t, _)| t),
            format!("the token in {variable}"),
            format!("set {variable} to a token the API accepts, or unset it"),
        ),
        Cred::Stored {
            user,
            token,
            tenant,
        } => (
            token,
            tenant.clone(),
            format!("the stored token of {user}"),
            format!("log in again: `{}`", login_command(session, api)),
        ),
    };
    match crate::profile::fetch(http, api, profile, secret, tenant.as_deref()).await {
        Ok(_) => Check::new(
            "token",
            Status::Pass,
            format!("The API accepts {whose} at {profile}"),
        ),
        Err(Error::TokenRejected { status, .. }) => Check::new(
            "token",
            Status::Fail,
            format!("The API rejects {whose}: HTTP {status} from {profile}"),
        )
        .fix(fix),
        Err(e) => failed(
            "token",
            &format!("Could not check {whose}"),
            &e,
            session,
            api,
        ),
    }
}
