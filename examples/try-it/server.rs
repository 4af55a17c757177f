//! HTTP for the [`Provider`]: hyper's HTTP/1 server on a loopback socket,
//! and the routes (RFC 8414 metadata, authorization and consent, token,
//! revocation, device authorization and verification, registration, the
//! profile).

use crate::account::PROFILE_PATH;
use crate::clients::{Params, Refusal};
use crate::device::VERIFICATION_PATH;
use crate::pages::{self, CONSENT_PATH};
use crate::provider::{Authorize, Provider};
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{Value, json};
use std::convert::Infallible;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The metadata document keyward looks for first (RFC 8414).
pub const METADATA_PATH: &str = "/.well-known/oauth-authorization-server";
/// The largest request body read.
const MAX_BODY: usize = 64 * 1024;
/// Time to send a request head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// The provider, shared by every connection.
pub type Shared = Arc<Mutex<Provider>>;

/// One request, as the routes see it.
#[derive(Debug, Default)]
pub struct Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub authorization: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub body: &'a [u8],
}

/// An answer, and a note for the request log.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    pub note: String,
}

impl Reply {
    fn json(status: u16, v: &Value, note: impl Into<String>) -> Reply {
        Reply {
            status,
            headers: vec![
                ("content-type", "application/json".into()),
                ("cache-control", "no-store".into()),
            ],
            body: v.to_string().into_bytes(),
            note: note.into(),
        }
    }

    fn refusal(r: &Refusal, note: &str) -> Reply {
        Reply::json(r.status, &r.body(), format!("{note}: {}", r.error))
    }

    fn html(status: u16, page: String, note: impl Into<String>) -> Reply {
        Reply {
            status,
            headers: vec![
                ("content-type", "text/html; charset=utf-8".into()),
                ("cache-control", "no-store".into()),
                ("x-frame-options", "DENY".into()),
                ("referrer-policy", "no-referrer".into()),
                ("x-content-type-options", "nosniff".into()),
                // The consent form's answer is a redirect to the client's
                // loopback listener, on another port.
                (
                    "content-security-policy",
                    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http://127.0.0.1:*; frame-ancestors 'none'".into(),
                ),
            ],
            body: page.into_bytes(),
            note: note.into(),
        }
    }

    fn redirect(location: String, note: impl Into<String>) -> Reply {
        Reply {
            status: 303,
            headers: vec![
                ("location", location),
                ("cache-control", "no-store".into()),
                ("referrer-policy", "no-referrer".into()),
            ],
            body: Vec::new(),
            note: note.into(),
        }
    }

    fn empty(status: u16, note: impl Into<String>) -> Reply {
        Reply {
            status,
            headers: vec![("cache-control", "no-store".into())],
            body: Vec::new(),
            note: note.into(),
        }
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A form body, or the refusal for one in another format.
fn form<'a>(r: &Request<'a>) -> Result<&'a [u8], Refusal> {
    match r.content_type {
        Some(t) if t.starts_with("application/x-www-form-urlencoded") => Ok(r.body),
        _ => Err(Refusal::new(
            "invalid_request",
            "send the parameters as application/x-www-form-urlencoded",
        )),
    }
}

/// Answer one request (RFC 6749 and friends). Pure apart from `p`.
pub fn route(p: &mut Provider, r: &Request, now: Instant) -> Reply {
    let allowed = match r.path {
        METADATA_PATH | PROFILE_PATH | "/oauth/authorize" | "/" => "GET",
        "/oauth/token"
        | "/oauth/revoke"
        | "/oauth/device_authorization"
        | "/oauth/register"
        | CONSENT_PATH => "POST",
        VERIFICATION_PATH => "GET, POST",
        _ => {
            let v = json!({"error": "not_found", "error_description": format!("nothing at {}", r.path)});
            return Reply::json(404, &v, "not found");
        }
    };
    if !allowed.split(", ").any(|m| m == r.method) {
        let mut reply = Reply::empty(405, "method not allowed");
        reply.headers.push(("allow", allowed.into()));
        return reply;
    }
    match r.path {
        "/" => Reply::html(
            200,
            pages::index(&p.issuer, METADATA_PATH, PROFILE_PATH),
            "",
        ),
        METADATA_PATH => Reply::json(200, &p.metadata(), ""),
        "/oauth/authorize" => match p.authorize(r.query.as_bytes(), now) {
            Authorize::Consent(id, t) => Reply::html(200, pages::consent(&id, &t), "consent page"),
            Authorize::Redirect(to) => Reply::redirect(to, "error sent back to the client"),
            Authorize::Refuse(why) => Reply::html(
                400,
                pages::message("This login cannot go on", &why),
                format!("refused: {why}"),
            ),
        },
        CONSENT_PATH => consent(p, r, now),
        "/oauth/token" => {
            let grant = Params::parse(r.body)
                .ok()
                .and_then(|f| f.get("grant_type").map(|g| short_grant(g).to_string()))
                .unwrap_or_else(|| "no grant_type".into());
            match form(r).and_then(|body| p.token(body, now)) {
                Ok(v) => Reply::json(200, &v, format!("{grant}: tokens issued")),
                Err(e) => Reply::refusal(&e, &grant),
            }
        }
        "/oauth/revoke" => match form(r).and_then(|body| p.revoke(body)) {
            Ok(()) => Reply::empty(200, "revoked"),
            Err(e) => Reply::refusal(&e, "revocation"),
        },
        "/oauth/device_authorization" => {
            match form(r).and_then(|body| p.device_authorization(body, now)) {
                Ok(v) => Reply::json(200, &v, "device code issued"),
                Err(e) => Reply::refusal(&e, "device authorization"),
            }
        }
        "/oauth/register" => {
            if !r
                .content_type
                .is_some_and(|t| t.starts_with("application/json"))
            {
                let e = Refusal::new(
                    "invalid_client_metadata",
                    "send the metadata as application/json",
                );
                return Reply::refusal(&e, "registration");
            }
            match p.register(r.body, unix_now()) {
                Ok(v) => {
                    let note = format!("registered {}", v["client_id"].as_str().unwrap_or(""));
                    Reply::json(201, &v, note)
                }
                Err(e) => Reply::refusal(&e, "registration"),
            }
        }
        VERIFICATION_PATH => verification(p, r, now),
        _ => profile(p, r, now),
    }
}

/// `urn:ietf:params:oauth:grant-type:device_code` as `device_code`.
fn short_grant(g: &str) -> &str {
    g.rsplit(':').next().unwrap_or(g)
}

fn consent(p: &mut Provider, r: &Request, now: Instant) -> Reply {
    let params = Params::parse(r.body).unwrap_or_default();
    let approve = match params.get("decision") {
        Some("approve") => true,
        Some("deny") => false,
        _ => {
            let page = pages::message("Approve or deny", "Answer with the Approve or Deny button.");
            return Reply::html(400, page, "consent without a decision");
        }
    };
    match p.decide(params.get("ticket").unwrap_or(""), approve, now) {
        Ok(to) if approve => Reply::redirect(to, "approved: code sent to the client"),
        Ok(to) => Reply::redirect(to, "denied: access_denied sent to the client"),
        Err(why) => Reply::html(
            400,
            pages::message("This login cannot go on", &why),
            "stale consent",
        ),
    }
}

fn verification(p: &mut Provider, r: &Request, now: Instant) -> Reply {
    let params = if r.method == "POST" {
        Params::parse(r.body)
    } else {
        Params::parse(r.query.as_bytes())
    }
    .unwrap_or_default();
    let Some(code) = params.get("user_code") else {
        return Reply::html(200, pages::device_entry(None), "verification page");
    };
    if r.method == "GET" {
        return match p.device_pending(code, now) {
            Ok(pending) => Reply::html(200, pages::device_consent(&pending), "device consent page"),
            Err(why) => Reply::html(400, pages::device_entry(Some(&why)), "unknown user code"),
        };
    }
    let approve = params.get("decision") == Some("approve");
    match p.device_decide(code, approve, now) {
        Ok(()) => {
            let note = if approve {
                "device login approved"
            } else {
                "device login denied"
            };
            Reply::html(200, pages::device_done(approve), note)
        }
        Err(why) => Reply::html(400, pages::device_entry(Some(&why)), "unknown user code"),
    }
}

fn profile(p: &Provider, r: &Request, now: Instant) -> Reply {
    match p.profile(r.authorization, now) {
        Ok(v) => Reply::json(200, &v, "profile"),
        Err(error) => {
            let (challenge, says) = match error {
                Some(e) => (
                    format!(r#"Bearer realm="try-it", error="{e}""#),
                    "the access token is unknown, expired or revoked",
                ),
                None => (
                    r#"Bearer realm="try-it""#.to_string(),
                    "send an access token: Authorization: Bearer <token>",
                ),
            };
            let mut reply = Reply::json(401, &json!({"message": says}), "profile: 401");
            reply.headers.push(("www-authenticate", challenge));
            reply
        }
    }
}

/// Serve `listener` until `stop` resolves, printing one line per request
/// when `log` is set. Must run inside a tokio runtime with I/O and time.
pub async fn serve(
    listener: std::net::TcpListener,
    provider: Shared,
    log: bool,
    stop: impl Future<Output = ()>,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let mut stop = std::pin::pin!(stop);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors, a connection reset before the
                // accept…: go on after a breath.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => return Ok(()),
        };
        let provider = Arc::clone(&provider);
        tokio::spawn(async move {
            let service = service_fn(move |req| handle(Arc::clone(&provider), req, log));
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEAD_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn handle(
    provider: Shared,
    req: hyper::Request<Incoming>,
    log: bool,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let reply = match Limited::new(body, MAX_BODY).collect().await {
        Ok(body) => {
            let body = body.to_bytes();
            let request = Request {
                method: parts.method.as_str(),
                path: parts.uri.path(),
                query: parts.uri.query().unwrap_or(""),
                authorization: header("authorization"),
                content_type: header("content-type"),
                body: &body,
            };
            let mut p = provider.lock().unwrap_or_else(PoisonError::into_inner);
            route(&mut p, &request, Instant::now())
        }
        Err(_) => Reply::empty(413, "request body too large or cut short"),
    };
    if log {
        let note = if reply.note.is_empty() {
            String::new()
        } else {
            format!("  ({})", reply.note)
        };
        println!(
            "  {} {} → {}{note}",
            parts.method,
            parts.uri.path(),
            reply.status
        );
    }
    let mut response = hyper::Response::new(Full::new(Bytes::from(reply.body)));
    *response.status_mut() = hyper::StatusCode::from_u16(reply.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in reply.headers {
        if let Ok(v) = hyper::header::HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, v);
        }
    }
    Ok(response)
}
