//! The HTTP client (reqwest on rustls), built only by commands that go to
//! the network, once per command and API URL.
//!
//! - `User-Agent: keyward/<version>`; a connect timeout (5 s) and a total
//!   timeout (30 s) by default; response bodies capped at 1 MiB.
//! - Requests that carry credentials (token, revocation, device, profile)
//!   follow no redirect: a 3xx is an error naming where it pointed.
//!   Discovery may follow redirects within its own origin.
//! - `Authorization` headers are marked sensitive.
//! - Errors name the cause found by walking the error's sources
//!   ("connection refused", "timed out", ...), never a secret; the whole
//!   chain of sources is kept apart as a diagnostic ([`HttpError::detail`]).
//! - With a [`TraceSink`](crate::trace::TraceSink) (see
//!   [`Client::with_trace`]), each request and its response become
//!   redacted trace [`Event`]s.

mod cause;
pub mod tls;

use crate::trace::{self, Event, Sink};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::time::{Duration, Instant};

pub use cause::Cause;

/// How long a request may take, connection included, by default.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// How long connecting may take, by default.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Largest response body read (1 MiB).
const MAX_BODY: usize = 1 << 20;

/// Most same-origin redirects discovery follows.
const MAX_DISCOVERY_REDIRECTS: usize = 5;

/// A request that got no usable response. Never carries a secret.
#[derive(Debug, Clone, thiserror::Error)]
#[error("could not reach {url}")]
pub struct HttpError {
    /// Where we tried to go.
    pub url: String,
    /// Why not, in words ("connection refused", "timed out", ...).
    pub cause: String,
    /// The kind of cause, for hints.
    pub kind: Cause,
    /// Every error in the chain, for debugging (no secret: URLs and OS
    /// messages), when it says more than `cause`.
    pub detail: Option<String>,
}

type Result<T> = std::result::Result<T, HttpError>;

/// What the client is built with.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Total timeout of one request.
    pub timeout: Duration,
    /// Extra CA certificates to trust, besides the system's.
    pub tls: tls::Trust,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            connect_timeout: CONNECT_TIMEOUT,
            timeout: TIMEOUT,
            tls: tls::Trust::default(),
        }
    }
}

/// What [`Client::ping`] saw.
#[derive(Debug, Clone)]
pub struct Ping {
    /// HTTP status.
    pub status: u16,
    /// The `Date` header, as sent.
    pub date: Option<String>,
}

/// A response: status, headers that matter, and body bytes (at most 1 MiB).
#[derive(Debug)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Body.
    pub body: Vec<u8>,
}

impl Response {
    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// A short, printable error detail from a JSON error body
    /// (`error_description`, `message`, `error`), with every value of
    /// `secrets` (at least 4 characters long) replaced by `***`.
    pub fn error_detail(&self, secrets: &[&str]) -> Option<String> {
        let v = self.json()?;
        let obj = v.as_object()?;
        let text = ["error_description", "message", "error", "detail", "title"]
            .iter()
            .find_map(|k| obj.get(*k).and_then(|x| x.as_str()))?;
        Some(crate::text::printable(
            &redact_jwts(&redact(text, secrets)),
            200,
        ))
    }
}

/// `text` with every JWT-shaped word (`eyJ…` with a dot, as a server
/// echoing an ID token or an access token would show it) replaced by `***`.
pub fn redact_jwts(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("eyJ") {
        let (before, from) = rest.split_at(i);
        out.push_str(before);
        let len = from
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(from.len());
        let (word, after) = from.split_at(len);
        out.push_str(if word.contains('.') { "***" } else { word });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `text` with every occurrence of each secret (4+ characters) replaced by
/// `***`, as is and form-encoded (servers echo request bodies).
///
/// Redact before cutting text to length: a cut secret no longer matches,
/// and its first part would be shown.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut t = text.to_string();
    for s in secrets.iter().filter(|s| s.len() >= 4) {
        t = t.replace(*s, "***");
        let encoded: String = url::form_urlencoded::byte_serialize(s.as_bytes()).collect();
        if encoded != *s {
            t = t.replace(&encoded, "***");
        }
    }
    t
}

/// RFC 6761 §6.4: a name under `.invalid` never resolves, and name
/// resolution should say so at once. getaddrinfo asks DNS anyway, and
/// behind a resolver that does not answer it waits, so that the request
/// ends as "timed out"; keyward answers for such names itself.
fn never_resolves(url: &str) -> bool {
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
        })
        .is_some_and(|h| h == "invalid" || h.ends_with(".invalid"))
}

/// The HTTP client of one command.
#[derive(Clone)]
pub struct Client {
    inner: reqwest::Client,
    connect_timeout: Duration,
    trace: Option<Sink>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("connect_timeout", &self.connect_timeout)
            .field("traced", &self.trace.is_some())
            .finish_non_exhaustive()
    }
}

/// What came back: status, headers, body.
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn location(&self) -> Option<String> {
        self.headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

impl Client {
    /// A client with `config`.
    pub fn new(config: &HttpConfig) -> std::result::Result<Client, crate::http::tls::TlsError> {
        let inner = builder(config)?
            .build()
            .map_err(|e| tls::TlsError::Build(cause::describe(&e).1))?;
        Ok(Client {
            inner,
            connect_timeout: config.connect_timeout,
            trace: None,
        })
    }

    /// Wrap a `reqwest::Client` the embedder already has (its redirect
    /// policy is its own: keyward checks 3xx answers itself).
    pub fn from_reqwest(inner: reqwest::Client) -> Client {
        Client {
            inner,
            connect_timeout: CONNECT_TIMEOUT,
            trace: None,
        }
    }

    /// Hand each request and its response, redacted, to `sink` (when it
    /// wants HTTP traffic, see [`TraceSink::http`](crate::trace::TraceSink::http)).
    pub fn with_trace(mut self, sink: Option<Sink>) -> Client {
        self.trace = sink.filter(|s| s.http());
        self
    }

    /// The underlying reqwest client.
    pub fn reqwest(&self) -> &reqwest::Client {
        &self.inner
    }

    /// GET `url` with `headers`; a redirect is an error.
    pub async fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<Response> {
        let req = self.inner.get(url).headers(header_map(url, headers)?);
        no_redirect(url, self.send(url, req, None).await?)
    }

    /// POST an `application/x-www-form-urlencoded` body; a redirect is an error.
    pub async fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Result<Response> {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form.iter().copied())
            .finish();
        // A body reqwest cannot replay: should the client follow redirects
        // (an embedder's may), a 307 or 308 is never resent elsewhere with
        // the secrets this form carries.
        let bytes = bytes::Bytes::from(body);
        let req = self
            .inner
            .post(url)
            .headers(header_map(url, headers)?)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(reqwest::Body::wrap(http_body_util::Full::new(
                bytes.clone(),
            )));
        no_redirect(url, self.send(url, req, Some(&bytes)).await?)
    }

    /// POST a JSON body; a redirect is an error.
    pub async fn post_json(&self, url: &str, body: &serde_json::Value) -> Result<Response> {
        let bytes = bytes::Bytes::from(body.to_string());
        let req = self
            .inner
            .post(url)
            .headers(header_map(url, &[])?)
            .header("Content-Type", "application/json")
            .body(reqwest::Body::wrap(http_body_util::Full::new(
                bytes.clone(),
            )));
        no_redirect(url, self.send(url, req, Some(&bytes)).await?)
    }

    /// GET a discovery document, following redirects within `url`'s origin
    /// only, and giving up after the connect timeout: discovery is the
    /// request that tells early whether the server can be reached at all.
    pub async fn get_discovery(&self, url: &str) -> Result<Response> {
        let origin = origin_of(url);
        let mut current = url.to_string();
        for _ in 0..=MAX_DISCOVERY_REDIRECTS {
            let req = self
                .inner
                .get(&current)
                .header("Accept", "application/json")
                .timeout(self.connect_timeout);
            let answer = self.send(&current, req, None).await?;
            let status = answer.status;
            match answer.location().filter(|_| (300..400).contains(&status)) {
                None => {
                    return Ok(Response {
                        status,
                        body: answer.body,
                    });
                }
                Some(loc) => {
                    let next = url::Url::parse(&current)
                        .and_then(|u| u.join(&loc))
                        .map(|u| u.to_string())
                        .unwrap_or(loc);
                    if origin_of(&next) != origin {
                        return Err(redirect_error(url, &next));
                    }
                    current = next;
                }
            }
        }
        Err(HttpError {
            url: url.to_string(),
            cause: "too many redirects".into(),
            kind: Cause::Redirect,
            detail: None,
        })
    }

    /// Make sure `url`'s server answers at all (any HTTP status will do),
    /// within the connect timeout: a HEAD request, which token endpoints
    /// refuse harmlessly.
    pub async fn probe(&self, url: &str) -> Result<()> {
        let req = self.inner.head(url).timeout(self.connect_timeout);
        self.send(url, req, None).await.map(|_| ())
    }

    /// GET `url` without a credential and without following a redirect,
    /// for `auth doctor`: any HTTP answer (a 404 or a 401 too) shows the
    /// server is up, and its `Date` header tells its clock.
    pub async fn ping(&self, url: &str) -> Result<Ping> {
        let req = self.inner.get(url).header("Accept", "*/*");
        let answer = self.send(url, req, None).await?;
        Ok(Ping {
            status: answer.status,
            date: answer
                .headers
                .get(reqwest::header::DATE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        })
    }

    /// Send `req` (whose body, when reqwest cannot replay it, is `body`),
    /// traced when there is a sink.
    async fn send(
        &self,
        url: &str,
        req: reqwest::RequestBuilder,
        body: Option<&[u8]>,
    ) -> Result<Answer> {
        if never_resolves(url) {
            return Err(HttpError {
                url: url.to_string(),
                cause: "name not resolved (names under .invalid never resolve)".into(),
                kind: Cause::NameNotResolved,
                detail: None,
            });
        }
        let req = req.build().map_err(|e| error_from(url, &e))?;
        let Some(sink) = &self.trace else {
            return self.execute(url, req).await;
        };
        let id = trace::next_id();
        let body = body.or_else(|| req.body().and_then(reqwest::Body::as_bytes));
        sink.event(&Event::Request(trace::Request::new(
            id,
            req.method().as_str(),
            req.url().as_str(),
            req.headers(),
            body,
        )));
        let started = Instant::now();
        let answer = self.execute(url, req).await;
        let elapsed = started.elapsed();
        sink.event(&match &answer {
            Ok(a) => Event::Response(trace::Response::new(
                id, a.status, elapsed, &a.headers, &a.body,
            )),
            Err(e) => Event::Failed {
                id,
                elapsed,
                cause: trace::printable(e.detail.as_deref().unwrap_or(&e.cause)),
            },
        });
        answer
    }

    async fn execute(&self, url: &str, req: reqwest::Request) -> Result<Answer> {
        let fail = |e: &reqwest::Error| error_from(url, e);
        let mut resp = self.inner.execute(req).await.map_err(|e| fail(&e))?;
        // A client that follows redirects (an embedder's) may have done so:
        // an answer from elsewhere is not the one asked for.
        if resp.url().as_str() != url && url::Url::parse(url).ok().as_ref() != Some(resp.url()) {
            return Err(redirect_error(url, resp.url().as_str()));
        }
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| fail(&e))? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(HttpError {
                    url: url.to_string(),
                    cause: format!("the response is larger than {} KiB", MAX_BODY / 1024),
                    kind: Cause::TooLarge,
                    detail: None,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
}

/// A `reqwest::ClientBuilder` set up as keyward's own client is: its TLS
/// trust (system store plus `ca_file`, rustls with an explicit provider, so
/// no process-wide provider is needed), timeouts, `User-Agent` and no
/// redirects. An embedder may add its own settings and use the one client
/// for its API calls and keyward's refreshes.
pub fn builder(config: &HttpConfig) -> std::result::Result<reqwest::ClientBuilder, tls::TlsError> {
    let tls = tls::client_config(&config.tls)?;
    Ok(reqwest::Client::builder()
        .user_agent(concat!("keyward/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(config.connect_timeout)
        .timeout(config.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .tls_backend_preconfigured(tls))
}

fn header_map(url: &str, headers: &[(&str, &str)]) -> Result<HeaderMap> {
    let mut map = HeaderMap::new();
    map.insert("Accept", HeaderValue::from_static("application/json"));
    for (k, v) in headers {
        let bad = || HttpError {
            url: url.to_string(),
            cause: format!("the {k} header value is not valid"),
            kind: Cause::Other,
            detail: None,
        };
        let name = HeaderName::from_bytes(k.as_bytes()).map_err(|_| bad())?;
        let mut value = HeaderValue::from_str(v).map_err(|_| bad())?;
        if name == reqwest::header::AUTHORIZATION {
            value.set_sensitive(true);
        }
        map.insert(name, value);
    }
    Ok(map)
}

fn no_redirect(url: &str, answer: Answer) -> Result<Response> {
    let status = answer.status;
    if (300..400).contains(&status)
        && let Some(loc) = answer.location()
    {
        let target = url::Url::parse(url)
            .and_then(|u| u.join(&loc))
            .map(|u| u.to_string())
            .unwrap_or(loc);
        return Err(redirect_error(url, &target));
    }
    Ok(Response {
        status,
        body: answer.body,
    })
}

fn redirect_error(url: &str, target: &str) -> HttpError {
    HttpError {
        url: url.to_string(),
        cause: format!(
            "it redirected to {}; keyward does not follow redirects for this request",
            origin_of(target)
        ),
        kind: Cause::Redirect,
        detail: None,
    }
}

/// The [`HttpError`] for a failed request to `url`, its cause named.
pub fn error_from(url: &str, e: &reqwest::Error) -> HttpError {
    let (kind, cause) = cause::describe(e);
    let chain = cause::chain(e);
    HttpError {
        url: url.to_string(),
        detail: (chain != cause).then_some(chain),
        cause,
        kind,
    }
}

/// `scheme://host[:port]` of `url`, or `url` itself when it does not parse.
pub fn origin_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => u.origin().ascii_serialization(),
        Err(_) => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_jwts_hides_token_shaped_words() {
        assert_eq!(
            redact_jwts("bad token eyJhbGciOi.eyJzdWIi.c2ln (aud) eyJ alone"),
            "bad token *** (aud) eyJ alone"
        );
        assert_eq!(redact_jwts("cut: eyJhbGciOiJSUzI1NiJ9.eyJp"), "cut: ***");
        assert_eq!(redact_jwts("nothing here"), "nothing here");
    }

    #[test]
    fn redact_hides_secrets() {
        assert_eq!(
            redact("bad refresh token rt-secret-1", &["rt-secret-1", "ab"]),
            "bad refresh token ***"
        );
    }

    #[test]
    fn redact_hides_form_encoded_secrets_and_redacts_before_cutting() {
        assert_eq!(
            redact("body: refresh_token=1%2F%2Fab%2Bcd&x=1", &["1//ab+cd"]),
            "body: refresh_token=***&x=1"
        );
        let secret = "s".repeat(300);
        let resp = Response {
            status: 400,
            body: serde_json::json!({ "message": format!("bad {secret}") })
                .to_string()
                .into_bytes(),
        };
        assert_eq!(resp.error_detail(&[&secret]).as_deref(), Some("bad ***"));
    }

    #[test]
    fn invalid_names_never_resolve() {
        assert!(never_resolves("https://keyward-test.invalid/x"));
        assert!(never_resolves("https://A.INVALID./x"));
        assert!(!never_resolves("https://invalid.example.com"));
        assert!(!never_resolves("http://127.0.0.1:8080"));
    }

    #[test]
    fn origins() {
        assert_eq!(origin_of("https://a.test/x?y"), "https://a.test");
        assert_eq!(origin_of("http://127.0.0.1:80/x"), "http://127.0.0.1");
    }

    #[test]
    fn authorization_is_sensitive() {
        let m = header_map("https://a.test", &[("Authorization", "Bearer x")]).unwrap();
        assert!(m["authorization"].is_sensitive());
        assert!(header_map("https://a.test", &[("X-Tenant", "a\nb")]).is_err());
    }
}
