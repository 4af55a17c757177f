//! Debug traces: every HTTP request keyward makes and the response it got,
//! and diagnostic causes (the raw text behind a short error cause), as
//! [`Event`]s handed to a [`TraceSink`].
//!
//! The library never prints: without a sink, no event is even built. The
//! `keyward` CLI installs one when `{ENV}_DEBUG` is set (or `--debug` is
//! given) and renders the events on stderr; an embedder may install its own
//! with [`Session::with_trace`](crate::Session::with_trace).
//!
//! Events are copies made for showing, so every secret is already gone:
//! URLs lose secret-bearing query values and passwords, the `Authorization`,
//! `Proxy-Authorization`, `Cookie` and `Set-Cookie` headers lose their
//! values, and form and JSON bodies lose the values of [`SECRET_KEYS`]
//! (parsed, not searched: keys match without regard to case). Every text is
//! made printable (control characters become spaces) and cut at
//! [`MAX_TEXT`] bytes. The request actually sent is never touched.

use reqwest::header::HeaderMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Longest text (URL, header value, body, cause) an event carries, in bytes.
pub const MAX_TEXT: usize = 4096;

/// What a secret value is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// Keys whose values are secrets, in query strings, form bodies and JSON
/// bodies (at any depth). Compared without regard to case.
pub const SECRET_KEYS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "code",
    "code_verifier",
    "device_code",
    "subject_token",
    "actor_token",
    "client_secret",
    "password",
    "assertion",
];

/// Headers whose values are secrets. Compared without regard to case.
pub const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// Something worth showing to a person debugging keyward.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A request about to be sent.
    Request(Request),
    /// The response to the request with the same `id`.
    Response(Response),
    /// The request with this `id` got no usable response.
    Failed {
        /// The request's id.
        id: u64,
        /// Time from sending to failing.
        elapsed: Duration,
        /// Why, in words (no secret).
        cause: String,
    },
    /// A diagnostic cause: the raw text behind a short one.
    Diagnostic {
        /// What it is about ("keychain").
        topic: String,
        /// The text, printable and cut.
        text: String,
    },
}

/// A request, redacted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Pairs this request with its [`Response`].
    pub id: u64,
    /// `GET`, `POST`, ...
    pub method: String,
    /// The URL without secret query values or password.
    pub url: String,
    /// Headers (names as sent), secret values redacted.
    pub headers: Vec<(String, String)>,
    /// The body, redacted, when there is one.
    pub body: Option<String>,
}

/// A response, redacted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The [`Request`]'s id.
    pub id: u64,
    /// HTTP status.
    pub status: u16,
    /// Time from sending to the whole body read.
    pub elapsed: Duration,
    /// Headers, secret values redacted.
    pub headers: Vec<(String, String)>,
    /// The body, redacted, when there is one.
    pub body: Option<String>,
}

/// Where events go. Implementations must be cheap and must not fail.
pub trait TraceSink: Send + Sync {
    /// Take one event.
    fn event(&self, event: &Event);

    /// Whether request and response events are wanted (diagnostics always
    /// are). When false, HTTP traffic builds no event at all.
    fn http(&self) -> bool {
        true
    }
}

/// A shared sink, as a [`Session`](crate::Session) and an
/// [`http::Client`](crate::http::Client) hold it.
pub type Sink = Arc<dyn TraceSink>;

/// A new request id.
pub fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Request {
    /// The redacted copy of a request.
    pub fn new(
        id: u64,
        method: &str,
        url: &str,
        headers: &HeaderMap,
        body: Option<&[u8]>,
    ) -> Request {
        Request {
            id,
            method: printable(method),
            url: redact_url(url),
            headers: redact_headers(headers),
            body: body.and_then(|b| redact_body(content_type(headers), b)),
        }
    }
}

impl Response {
    /// The redacted copy of a response.
    pub fn new(
        id: u64,
        status: u16,
        elapsed: Duration,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Response {
        Response {
            id,
            status,
            elapsed,
            headers: redact_headers(headers),
            body: redact_body(content_type(headers), body),
        }
    }
}

impl Event {
    /// A diagnostic about `topic`, made printable and cut.
    pub fn diagnostic(topic: &str, text: &str) -> Event {
        Event::Diagnostic {
            topic: printable(topic),
            text: printable(text),
        }
    }
}

fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
}

/// Whether `key` names a secret (see [`SECRET_KEYS`]).
pub fn is_secret_key(key: &str) -> bool {
    SECRET_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

/// `text` with control characters as spaces, cut at [`MAX_TEXT`] bytes
/// (on a character boundary, marked with `…`).
pub fn printable(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.len() <= MAX_TEXT {
        return clean;
    }
    let mut end = MAX_TEXT;
    while !clean.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &clean[..end], text.len())
}

/// `url` without the values of secret query parameters and without a
/// password; text that is not a URL is only made printable.
pub fn redact_url(url: &str) -> String {
    let Ok(mut u) = url::Url::parse(url) else {
        return printable(url);
    };
    if u.password().is_some() {
        let _ = u.set_password(Some("REDACTED"));
    }
    if let Some(query) = u.query().map(str::to_string) {
        u.set_query(Some(&redact_form(&query)));
    }
    printable(u.as_str())
}

/// Header pairs, with the values of [`SECRET_HEADERS`] redacted. An
/// `Authorization` value keeps its scheme (`Bearer [REDACTED]`).
pub fn redact_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let name = name.as_str();
            let value = String::from_utf8_lossy(value.as_bytes());
            let shown = if SECRET_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name)) {
                redact_credentials(name, &value)
            } else {
                printable(&value)
            };
            (printable(name), shown)
        })
        .collect()
}

fn redact_credentials(name: &str, value: &str) -> String {
    let scheme = value.split_once(' ').map(|(s, _)| s).filter(|s| {
        !s.is_empty() && s.len() <= 20 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    });
    match scheme {
        Some(s) if name.to_ascii_lowercase().ends_with("authorization") => {
            format!("{s} {REDACTED}")
        }
        _ => REDACTED.to_string(),
    }
}

/// A body for showing: JSON and forms parsed and their secret values
/// redacted; other text made printable; anything else described. `None`
/// when empty.
pub fn redact_body(content_type: Option<&str>, body: &[u8]) -> Option<String> {
    if body.is_empty() {
        return None;
    }
    let ct = content_type.unwrap_or_default().to_ascii_lowercase();
    let Ok(text) = std::str::from_utf8(body) else {
        return Some(format!("[{} bytes, not text]", body.len()));
    };
    let says_json = ct.contains("json");
    let says_form = ct.contains("x-www-form-urlencoded");
    if !says_form && let Ok(mut v) = serde_json::from_str::<serde_json::Value>(text) {
        redact_json(&mut v);
        return Some(printable(&v.to_string()));
    }
    if says_json {
        // Not JSON after all: nothing is known of its structure, and it
        // may be a secret-bearing form.
        return Some(redacted_unknown(text));
    }
    if says_form || looks_like_form(text) {
        return Some(printable(&redact_form(text)));
    }
    Some(printable(text))
}

/// Text that claimed a structure it lacks: shown only when no secret key
/// appears in it at all.
fn redacted_unknown(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    if SECRET_KEYS.iter().any(|k| lower.contains(k)) {
        format!(
            "[{} bytes, not shown: unparsable, names a secret]",
            text.len()
        )
    } else {
        printable(text)
    }
}

/// `a=1&b=2` with no spaces: a form, whatever the content type says.
fn looks_like_form(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty()
        && t.contains('=')
        && !t.chars().any(char::is_whitespace)
        && t.split('&')
            .all(|p| p.split_once('=').is_some_and(|(k, _)| !k.is_empty()))
}

/// A form (or query string) with secret values redacted, keys and other
/// values encoded as they were.
pub fn redact_form(form: &str) -> String {
    form.split('&')
        .map(|pair| {
            let (raw_key, _) = pair.split_once('=').unwrap_or((pair, ""));
            let key: String = url::form_urlencoded::parse(raw_key.as_bytes())
                .map(|(k, _)| k.into_owned())
                .next()
                .unwrap_or_default();
            if is_secret_key(&key) {
                format!("{raw_key}={REDACTED}")
            } else {
                pair.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Replace the values of secret keys, at any depth.
pub fn redact_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if is_secret_key(k) {
                    *val = serde_json::Value::String(REDACTED.into());
                } else {
                    redact_json(val);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    const SECRET: &str = "s3cr3t-VALUE-0123456789";

    #[test]
    fn every_secret_key_is_redacted_in_forms_json_and_urls() {
        for key in SECRET_KEYS {
            for spelled in [key.to_string(), key.to_ascii_uppercase()] {
                let form = format!("grant_type=x&{spelled}={SECRET}&client_id=cli");
                let shown = redact_body(Some("application/x-www-form-urlencoded"), form.as_bytes())
                    .unwrap();
                assert!(!shown.contains(SECRET), "{key}: {shown}");
                assert!(shown.contains(&format!("{spelled}={REDACTED}")), "{shown}");
                assert!(shown.contains("client_id=cli"), "{shown}");
                // a form without its content type is still parsed
                assert!(!redact_body(None, form.as_bytes()).unwrap().contains(SECRET));

                let json = serde_json::json!({ "outer": { spelled.clone(): SECRET, "keep": 1 }, "list": [{ spelled.clone(): SECRET }] });
                let shown =
                    redact_body(Some("application/json"), json.to_string().as_bytes()).unwrap();
                assert!(!shown.contains(SECRET), "{key}: {shown}");
                assert!(shown.contains("\"keep\":1"), "{shown}");
                // JSON without its content type is still parsed
                let shown = redact_body(Some("text/plain"), json.to_string().as_bytes()).unwrap();
                assert!(!shown.contains(SECRET), "{key}: {shown}");

                let url = redact_url(&format!(
                    "https://a.test/cb?state=ok&{spelled}={SECRET}#frag"
                ));
                assert!(!url.contains(SECRET), "{key}: {url}");
                assert!(url.contains("state=ok"), "{url}");
            }
        }
    }

    #[test]
    fn other_keys_are_kept() {
        assert!(!is_secret_key("client_id"));
        assert!(!is_secret_key("codes"));
        assert_eq!(
            redact_form("client_id=cli&scope=a+b&Code=x"),
            format!("client_id=cli&scope=a+b&Code={REDACTED}")
        );
    }

    #[test]
    fn secret_headers_are_redacted_and_authorization_keeps_its_scheme() {
        let mut h = HeaderMap::new();
        h.insert(
            "authorization",
            HeaderValue::from_static("Bearer tok_0123456789"),
        );
        h.insert(
            "proxy-authorization",
            HeaderValue::from_static("Basic dXNlcjpwYXNz"),
        );
        h.insert("cookie", HeaderValue::from_static("session=abc123"));
        h.insert(
            "set-cookie",
            HeaderValue::from_static("session=abc123; HttpOnly"),
        );
        h.insert("x-tenant", HeaderValue::from_static("acme"));
        let shown = redact_headers(&h);
        let get = |n: &str| shown.iter().find(|(k, _)| k == n).unwrap().1.clone();
        assert_eq!(get("authorization"), format!("Bearer {REDACTED}"));
        assert_eq!(get("proxy-authorization"), format!("Basic {REDACTED}"));
        assert_eq!(get("cookie"), REDACTED);
        assert_eq!(get("set-cookie"), REDACTED);
        assert_eq!(get("x-tenant"), "acme");
        let mut bare = HeaderMap::new();
        bare.insert("authorization", HeaderValue::from_static("tok_0123456789"));
        assert_eq!(redact_headers(&bare)[0].1, REDACTED);
    }

    #[test]
    fn url_passwords_go() {
        let u = redact_url("https://user:hunter2@a.test/x");
        assert!(!u.contains("hunter2"), "{u}");
        assert!(u.contains("user:"), "{u}");
        assert_eq!(redact_url("not a url\x1b[31m"), "not a url [31m");
    }

    #[test]
    fn texts_are_printable_and_cut_at_4_kib() {
        assert_eq!(printable("a\x1b[2Jb\nc"), "a [2Jb c");
        let long = "é".repeat(MAX_TEXT);
        let cut = printable(&long);
        assert!(cut.len() < MAX_TEXT + 40, "{}", cut.len());
        assert!(
            cut.ends_with(&format!("… ({} bytes in all)", long.len())),
            "{cut}"
        );
        let body = format!("{{\"message\":\"{}\"}}", "x".repeat(10_000));
        let shown = redact_body(Some("application/json"), body.as_bytes()).unwrap();
        assert!(shown.len() < MAX_TEXT + 40);
        // a secret past the cut is redacted before cutting, never shown in part
        let body = format!(
            "{{\"pad\":\"{}\",\"access_token\":\"{SECRET}\"}}",
            "x".repeat(4080)
        );
        let shown = redact_body(Some("application/json"), body.as_bytes()).unwrap();
        assert!(!shown.contains("s3cr"), "{shown}");
    }

    #[test]
    fn unparsable_bodies() {
        assert_eq!(redact_body(None, b""), None);
        assert_eq!(
            redact_body(Some("application/octet-stream"), &[0xff, 0xfe, 0]).as_deref(),
            Some("[3 bytes, not text]")
        );
        let broken = format!("{{\"access_token\": \"{SECRET}\"");
        let shown = redact_body(Some("application/json"), broken.as_bytes()).unwrap();
        assert!(!shown.contains(SECRET), "{shown}");
        assert_eq!(
            redact_body(Some("text/html"), b"<h1>Bad Gateway</h1>").as_deref(),
            Some("<h1>Bad Gateway</h1>")
        );
    }
}
