//! Tokens obtained without a person: a CI job's ID token exchanged for an
//! access token (RFC 8693, `auth login --federated`), and the client
//! credentials grant (`auth login --client-credentials`). Both are obtained
//! again when they expire, never refreshed ([`reobtain`], under the same
//! lock as a refresh: see [`crate::auth::refresh`]).
//!
//! The CI's ID token and GitHub's request token are secrets: they are read,
//! sent to the token endpoint (or GitHub) and dropped; they never reach a
//! record, a message or a trace.

use crate::api_url::ApiUrl;
use crate::error::{Error, Result};
use crate::http::Client;
use crate::id_token::{Federation, IdTokenSource, TOKEN_EXCHANGE_GRANT, peek};
use crate::oauth::endpoints::Endpoints;
use crate::oauth::token::{self, OAuthError, TokenResponse};
use crate::record::{Record, RecordKind};
use crate::secret::Secret;
use crate::session::Session;
use crate::time::{human_duration, now};
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Longest ID token read from a variable, a file or a command.
const MAX_ID_TOKEN: usize = 64 * 1024;

/// How long `--id-token-command` may run.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// When an ID token is fetched: at `auth login --federated`, or to renew
/// the login it made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// The login itself: a source that gives nothing was named wrong.
    Login,
    /// Renewing a stored login: the job that logged in has probably ended.
    Renewal,
}

/// The source gives nothing: exit 4, with what to check at login, or that
/// the job that logged in has probably ended.
fn gone(source: &IdTokenSource, why: &str, when: Moment) -> Error {
    let hint = match (when, source) {
        (Moment::Renewal, _) => {
            "a federated login lasts as long as the CI job that made it: run `{bin} auth login --federated` in this job".into()
        }
        (Moment::Login, IdTokenSource::GithubActions) => {
            "give the workflow (or the job) `permissions: id-token: write`".into()
        }
        (Moment::Login, IdTokenSource::Env { variable }) => format!(
            "have the CI put the ID token in ${variable} (GitLab: `id_tokens: {variable}: aud: ...` in the job), or name another variable with --id-token-env"
        ),
        (Moment::Login, IdTokenSource::Command { .. }) => {
            "check the command given with --id-token-command: run it in the job yourself; it must print the ID token alone".into()
        }
        (Moment::Login, IdTokenSource::File { .. }) => {
            "check the path given with --id-token-file (a Kubernetes projected token is where the pod's volume mounts it)".into()
        }
    };
    Error::Auth {
        message: format!(
            "cannot get the CI job's ID token from {}: {why}",
            source.describe()
        ),
        hint: Some(hint),
    }
}

/// Fetch the CI ID token from `fed`'s source, for its audience.
pub async fn id_token(
    session: &Session,
    api_url: &ApiUrl,
    fed: &Federation,
    when: Moment,
) -> Result<Secret> {
    let token = match &fed.source {
        IdTokenSource::GithubActions => github(session, api_url, fed, when).await?,
        IdTokenSource::Env { variable } => match std::env::var(variable) {
            Ok(v) if !v.trim().is_empty() => Secret::new(v.trim()),
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(gone(&fed.source, "it is not text (UTF-8)", when));
            }
            _ => return Err(gone(&fed.source, "the variable is not set", when)),
        },
        IdTokenSource::File { path } => {
            let path = std::path::Path::new(path);
            // A FIFO or a device would block or never end: files only
            // (a projected token's symlinks are followed).
            if path.metadata().is_ok_and(|m| !m.is_file()) {
                return Err(gone(&fed.source, "it is not a regular file", when));
            }
            let text = crate::limits::read_to_string(path)
                .map_err(|e| gone(&fed.source, &e.describe(), when))?;
            Secret::new(text.trim())
        }
        IdTokenSource::Command { command } => run_command(&fed.source, command, when)?,
    };
    if token.is_empty() {
        return Err(gone(&fed.source, "it is empty", when));
    }
    if token.expose().len() > MAX_ID_TOKEN || !token.expose().chars().all(|c| c.is_ascii_graphic())
    {
        return Err(gone(&fed.source, "what it gives is not one token", when));
    }
    if let Some(exp) = peek(token.expose()).and_then(|p| p.exp)
        && exp <= now()
    {
        return Err(Error::Auth {
            message: format!(
                "the CI job's ID token from {} expired {} ago",
                fed.source.describe(),
                human_duration(now() - exp)
            ),
            hint: Some("ID tokens live as long as the CI issues them for: run `{bin} auth login --federated` in a running job".into()),
        });
    }
    Ok(token)
}

/// GitHub Actions: GET `ACTIONS_ID_TOKEN_REQUEST_URL&audience=AUD` with
/// the request token as bearer; the answer is `{"value": "<jwt>"}`.
async fn github(
    session: &Session,
    api_url: &ApiUrl,
    fed: &Federation,
    when: Moment,
) -> Result<Secret> {
    let (Ok(url), Ok(bearer)) = (
        std::env::var("ACTIONS_ID_TOKEN_REQUEST_URL"),
        std::env::var("ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
    ) else {
        return Err(gone(
            &fed.source,
            "ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set (the workflow needs `permissions: id-token: write`)",
            when,
        ));
    };
    let bearer = Secret::new(bearer);
    // The request token is a secret: never over plain http to another host.
    let url = crate::api_url::check_endpoint("ACTIONS_ID_TOKEN_REQUEST_URL", &url).map_err(|_| {
        Error::other(
            format!(
                "refusing ACTIONS_ID_TOKEN_REQUEST_URL `{}`: it must be an https:// URL (or http:// on a loopback host), or the request token would cross the network unencrypted",
                crate::trace::redact_url(&url)
            ),
            None,
            Some("GitHub Actions sets it to an https:// URL: unset it outside GitHub Actions, or name the ID token's source with --id-token-env, --id-token-command or --id-token-file".into()),
        )
    })?;
    let sep = if url.contains('?') { '&' } else { '?' };
    let audience: String = url::form_urlencoded::byte_serialize(fed.audience.as_bytes()).collect();
    let full = format!("{url}{sep}audience={audience}");
    // No trace: the answer is the ID token itself.
    let http = session.http_client(api_url)?.with_trace(None);
    let auth = format!("bearer {}", bearer.expose());
    let redacted_url = crate::trace::redact_url(&url);
    let resp = http
        .get(&full, &[("Authorization", auth.as_str())])
        .await
        .map_err(|e| {
            Error::other(
                format!("cannot get the CI job's ID token from GitHub Actions ({redacted_url})"),
                Some(e.to_string()),
                Some("GitHub Actions serves ID tokens to the running job only: run this in the job's steps, and retry if GitHub had a hiccup".into()),
            )
        })?;
    let refused = |why: String| {
        Error::Auth {
        message: format!("GitHub Actions did not give the CI job's ID token ({redacted_url}): {why}"),
        hint: Some(match when {
            Moment::Login => "give the workflow (or the job) `permissions: id-token: write`, and run this in the job's steps, where ACTIONS_ID_TOKEN_REQUEST_TOKEN is current".into(),
            Moment::Renewal => "a federated login lasts as long as the CI job that made it: run `{bin} auth login --federated` in this job".into(),
        }),
    }
    };
    if !(200..300).contains(&resp.status) {
        let detail = resp.error_detail(&[bearer.expose()]);
        return Err(refused(match detail {
            Some(d) => format!("HTTP {}: {d}", resp.status),
            None => format!("HTTP {}", resp.status),
        }));
    }
    resp.json()
        .and_then(|v| v.get("value").and_then(|x| x.as_str()).map(Secret::new))
        .ok_or_else(|| refused("its answer has no `value`".into()))
}

/// Run `command` with `sh -c` and take what it prints; it may run
/// [`COMMAND_TIMEOUT`].
fn run_command(source: &IdTokenSource, command: &str, when: Moment) -> Result<Secret> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| gone(source, &format!("it could not be started: {e}"), when))?;
    // Read on a thread into a shared buffer: a background process the
    // command left behind may hold the pipe open long after the command
    // ended, and what the command printed is all there is to read by then.
    let buf = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let (done_tx, done) = std::sync::mpsc::channel::<()>();
    if let Some(stdout) = child.stdout.take() {
        let buf = std::sync::Arc::clone(&buf);
        std::thread::spawn(move || {
            let mut stdout = stdout.take(MAX_ID_TOKEN as u64 + 1);
            let mut chunk = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut chunk) {
                let Some(got) = chunk.get(..n).filter(|g| !g.is_empty()) else {
                    break;
                };
                if let Ok(mut b) = buf.lock() {
                    b.extend_from_slice(got);
                }
            }
            zeroize::Zeroize::zeroize(&mut chunk);
            let _ = done_tx.send(());
        });
    }
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if started.elapsed() < COMMAND_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(20));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(gone(source, "it did not finish within 60 s", when));
            }
        }
    };
    // What the command printed is in the pipe by now: half a second to
    // drain it, not the background process's lifetime.
    let _ = done.recv_timeout(Duration::from_millis(500));
    let mut bytes = buf
        .lock()
        .map(|mut b| std::mem::take(&mut *b))
        .unwrap_or_default();
    if bytes.len() > MAX_ID_TOKEN {
        // Checked before the status: it was stopped from writing more.
        zeroize::Zeroize::zeroize(&mut bytes);
        return Err(gone(
            source,
            &format!("it printed more than {} KiB", MAX_ID_TOKEN / 1024),
            when,
        ));
    }
    if !status.success() {
        zeroize::Zeroize::zeroize(&mut bytes);
        return Err(gone(source, &format!("it failed ({status})"), when));
    }
    let text = String::from_utf8(std::mem::take(&mut bytes)).map_err(|e| {
        zeroize::Zeroize::zeroize(&mut e.into_bytes());
        gone(source, "what it printed is not text (UTF-8)", when)
    })?;
    let token = Secret::new(text.trim());
    drop(text);
    Ok(token)
}

/// The exchange (RFC 8693): the CI ID token for an access token at the
/// token endpoint. `audience`/`resource` are sent only when config sets
/// `exchange_audience`/`exchange_resource` for the host.
pub async fn exchange(
    session: &Session,
    http: &Client,
    api_url: &ApiUrl,
    ep: &Endpoints,
    fed: &Federation,
    client_id: Option<&str>,
    when: Moment,
) -> Result<TokenResponse> {
    offers(
        ep,
        api_url,
        TOKEN_EXCHANGE_GRANT,
        "token exchange (RFC 8693)",
    )?;
    let subject = id_token(session, api_url, fed, when).await?;
    let host = session.host(api_url);
    let mut form = vec![
        ("grant_type", TOKEN_EXCHANGE_GRANT),
        ("subject_token", subject.expose()),
        ("subject_token_type", fed.subject_token_type.as_str()),
    ];
    if let Some(c) = client_id {
        form.push(("client_id", c));
    }
    if let Some(a) = host.exchange_audience.as_deref() {
        form.push(("audience", a));
    }
    if let Some(r) = host.exchange_resource.as_deref() {
        form.push(("resource", r));
    }
    let got = token::request(http, &ep.token_url, &form).await?;
    got.map_err(|e| {
        let mut err = refused(
            api_url,
            "the CI job's ID token",
            &e,
            "check what the platform trusts for this CI job: its issuer, the audience (--audience, config `id_token_audience`) and the claims it maps to an account".into(),
        );
        if client_id.is_none()
            && let Error::Auth { hint, .. } = &mut err
        {
            *hint = Some(
                "no OAuth client id was sent: pass `--client-id ID` (or set the client id for the host), then log in again"
                    .into(),
            );
        }
        err
    })
}

/// The client credentials grant (RFC 6749 §4.4), the secret in the form
/// body (`client_secret_post`).
pub async fn client_credentials(
    http: &Client,
    api_url: &ApiUrl,
    ep: &Endpoints,
    client_id: &str,
    secret: &Secret,
    scopes: &[String],
    when: Moment,
) -> Result<TokenResponse> {
    offers(
        ep,
        api_url,
        "client_credentials",
        "the client credentials grant",
    )?;
    let scope = scopes.join(" ");
    let mut form = vec![
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        ("client_secret", secret.expose()),
    ];
    if !scope.is_empty() {
        form.push(("scope", scope.as_str()));
    }
    let got = token::request(http, &ep.token_url, &form).await?;
    got.map_err(|e| {
        let hint = match when {
            Moment::Login => "check the client id and secret (a secret rotated on the platform must be given anew)".into(),
            Moment::Renewal => format!(
                "the stored client secret no longer works (rotated or revoked?): log in again with the current one, `{{bin}} auth login --client-credentials --client-id {client_id} --client-secret-stdin -h {api_url}`"
            ),
        };
        refused(api_url, "the client credentials", &e, hint)
    })
}

/// An error when the server's metadata lists its grant types and `grant`
/// is not among them.
fn offers(ep: &Endpoints, api_url: &ApiUrl, grant: &str, what: &str) -> Result<()> {
    if ep.grant_types_supported.is_empty() || ep.grant_types_supported.iter().any(|g| g == grant) {
        return Ok(());
    }
    Err(Error::other(
        format!(
            "{api_url} does not offer {what}: its metadata lists grant_types_supported {}",
            ep.grant_types_supported.join(", ")
        ),
        None,
        Some(format!(
            "ask the platform's administrators to enable the `{grant}` grant for this client"
        )),
    ))
}

/// The token endpoint said no: exit 4 with its reason.
fn refused(api_url: &ApiUrl, what: &str, e: &OAuthError, hint: String) -> Error {
    Error::Auth {
        message: format!("{api_url} refused {what}: {e}"),
        hint: Some(hint),
    }
}

/// A new token for `record` (federated or client credentials), as a
/// refresh would give: exchanged again, or obtained again.
pub async fn reobtain(
    session: &Session,
    http: &Client,
    api_url: &ApiUrl,
    ep: &Endpoints,
    record: &Record,
) -> Result<TokenResponse> {
    let client_id = record
        .client_id
        .clone()
        .or_else(|| session.client_id(api_url, None).ok());
    match (record.kind, &record.federation, &record.client_secret) {
        (RecordKind::Federated, Some(fed), _) => {
            exchange(
                session,
                http,
                api_url,
                ep,
                fed,
                client_id.as_deref(),
                Moment::Renewal,
            )
            .await
        }
        (RecordKind::ClientCredentials, _, Some(secret)) => {
            let id = client_id.ok_or_else(|| {
                Error::other("the client-credentials login has no client id", None, None)
            })?;
            client_credentials(
                http,
                api_url,
                ep,
                &id,
                secret,
                &record.scopes,
                Moment::Renewal,
            )
            .await
        }
        _ => Err(Error::Auth {
            message: format!("this {} login cannot be renewed", record.kind.as_str()),
            hint: Some("run `{bin} auth login` to get a new token".into()),
        }),
    }
}
