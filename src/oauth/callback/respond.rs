//! What the listener answers: the routing of one request and the small
//! self-contained HTML pages it serves.

use super::{CALLBACK_PATH, Callback, CallbackError, Expect, MAX_ERROR_CHARS, PRODUCT};
use crate::oauth::params::Params;
use http_body_util::Full;
use hyper::StatusCode;
use hyper::body::Bytes;
use hyper::header::{self, HeaderValue};

/// An HTTP answer; always HTML, always `Connection: close`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Response {
    pub(super) status: StatusCode,
    pub(super) allow_get: bool,
    pub(super) body: String,
}

impl Response {
    fn new(status: StatusCode, body: String) -> Self {
        Self {
            status,
            allow_get: false,
            body,
        }
    }

    /// The answer as hyper sends it: the page with its security headers.
    /// hyper adds `Content-Length` (and `Date`).
    pub(super) fn into_http(self) -> hyper::Response<Full<Bytes>> {
        let mut response = hyper::Response::new(Full::new(Bytes::from(self.body)));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        let fixed = [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONNECTION, "close"),
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
            ),
        ];
        for (name, value) in fixed {
            headers.insert(name, HeaderValue::from_static(value));
        }
        if self.allow_get {
            headers.insert(header::ALLOW, HeaderValue::from_static("GET"));
        }
        response
    }
}

/// Decides the answer to one complete request, and whether it ends the
/// wait.
pub(super) fn route(
    method: &str,
    target: &str,
    expect: &Expect,
) -> (Response, Option<Result<Callback, CallbackError>>) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != CALLBACK_PATH {
        let body = page(
            Tone::Error,
            "Not found",
            "Not found",
            "<p>There is nothing here. This address only receives the login redirect.</p>",
        );
        return (Response::new(StatusCode::NOT_FOUND, body), None);
    }
    if method != "GET" {
        let body = page(
            Tone::Error,
            "Method not allowed",
            "Method not allowed",
            "<p>Only <code>GET</code> is supported here.</p>",
        );
        let mut response = Response::new(StatusCode::METHOD_NOT_ALLOWED, body);
        response.allow_get = true;
        return (response, None);
    }

    let Ok(params) = Params::parse(query) else {
        let body = page(
            Tone::Error,
            "Invalid response",
            "Invalid response",
            "<p>The login response repeats a parameter, so it was rejected.</p>\
             <p>Return to your terminal and try again.</p>",
        );
        return (Response::new(StatusCode::BAD_REQUEST, body), None);
    };

    if params.state.as_deref() != Some(expect.state.as_str()) {
        let body = page(
            Tone::Error,
            "State mismatch",
            "Unexpected login response",
            "<p>State mismatch, this response was not for this login.</p>\
             <p>If a login is in progress in your terminal, finish it from the \
             link it printed.</p>",
        );
        return (Response::new(StatusCode::BAD_REQUEST, body), None);
    }

    if let Some(issuer) = &expect.issuer
        && params.iss.as_deref() != Some(issuer.as_str())
    {
        let body = page(
            Tone::Error,
            "Issuer mismatch",
            "Issuer mismatch",
            "<p>This response did not come from the expected authorization server, \
             so it was rejected.</p><p>The login in your terminal is still waiting.</p>",
        );
        return (Response::new(StatusCode::BAD_REQUEST, body), None);
    }

    if let Some(error) = params.error {
        let error = crate::text::printable(&error, MAX_ERROR_CHARS);
        let description = params
            .error_description
            .as_deref()
            .map(|d| crate::text::printable(d, MAX_ERROR_CHARS))
            .filter(|d| !d.is_empty());
        let body = denied_page(&error, description.as_deref());
        return (
            Response::new(StatusCode::OK, body),
            Some(Err(CallbackError::Denied { error, description })),
        );
    }

    let Some(code) = params.code.filter(|c| !c.is_empty()) else {
        let body = page(
            Tone::Error,
            "No authorization code",
            "No authorization code",
            "<p>The response carried no authorization code.</p>\
             <p>Return to your terminal and try again.</p>",
        );
        return (Response::new(StatusCode::BAD_REQUEST, body), None);
    };

    let body = page(
        Tone::Success,
        "\u{2713} Logged in \u{2014} return to your terminal",
        "Logged in",
        "<p>Return to your terminal \u{2014} you can close this tab.</p>",
    );
    (
        Response::new(StatusCode::OK, body),
        Some(Ok(Callback {
            code,
            iss: params.iss,
        })),
    )
}

/// Plain words for the error codes of RFC 6749 §4.1.2.1.
fn explain_error(error: &str) -> &'static str {
    match error {
        "access_denied" => "The request was denied.",
        "invalid_request" => "The login request was invalid.",
        "unauthorized_client" => "This application is not allowed to log in this way.",
        "unsupported_response_type" => "The server does not support this kind of login.",
        "invalid_scope" => "The requested permissions are invalid or unknown.",
        "server_error" => "The server ran into an error.",
        "temporarily_unavailable" => "The server is temporarily unavailable.",
        _ => "The authorization server returned an error.",
    }
}

fn denied_page(error: &str, description: Option<&str>) -> String {
    let mut body = format!(
        "<p>{}</p><p><code>{}</code></p>",
        escape_html(explain_error(error)),
        escape_html(error)
    );
    if let Some(d) = description {
        body.push_str(&format!("<p>{}</p>", escape_html(d)));
    }
    body.push_str("<p>Return to your terminal to try again.</p>");
    page(Tone::Error, "Login failed", "Login failed", &body)
}

#[derive(Clone, Copy)]
enum Tone {
    Success,
    Error,
}

/// A complete HTML document. `title` and `heading` are escaped here;
/// `body_html` must already be safe HTML.
fn page(tone: Tone, title: &str, heading: &str, body_html: &str) -> String {
    let (class, icon) = match tone {
        Tone::Success => ("ok", "\u{2713}"),
        Tone::Error => ("err", "\u{2715}"),
    };
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{title}</title>
<style>
:root{{color-scheme:light dark;--bg:#f4f5f7;--card:#fff;--fg:#1f2328;--muted:#57606a;--ok:#1a7f37;--err:#cf222e}}
@media (prefers-color-scheme:dark){{:root{{--bg:#0d1117;--card:#161b22;--fg:#e6edf3;--muted:#9198a1;--ok:#2ea043;--err:#da3633}}}}
body{{margin:0;min-height:100vh;display:grid;place-items:center;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}}
main{{box-sizing:border-box;width:min(26rem,calc(100% - 2rem));padding:2rem;background:var(--card);border-radius:14px;box-shadow:0 1px 3px #0002,0 10px 30px #0001;text-align:center}}
.icon{{width:3.5rem;height:3.5rem;margin:0 auto;border-radius:50%;display:grid;place-items:center;color:#fff;font-size:1.8rem;font-weight:700}}
.ok .icon{{background:var(--ok)}}.err .icon{{background:var(--err)}}
h1{{font-size:1.4rem;margin:1rem 0 .5rem}}
p{{margin:.5rem 0;color:var(--muted);overflow-wrap:anywhere}}
code{{font:.9em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#8882;padding:.1em .4em;border-radius:4px}}
footer{{margin-top:1.5rem;font-size:.8rem;color:var(--muted);opacity:.8}}
</style></head>
<body class="{class}"><main><div class="icon" aria-hidden="true">{icon}</div>
<h1>{heading}</h1>
{body_html}
<footer>{product}</footer></main></body></html>
"#,
        title = escape_html(title),
        heading = escape_html(heading),
        product = PRODUCT,
    )
}

/// Escapes text for HTML element content and quoted attribute values.
pub(super) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod props {
    //! Callback requests, as the listener routes them (the property suite
    //! of issue 15; the others are in `crate::props`).
    use super::*;
    use proptest::prelude::*;

    fn query(pairs: &[(&str, &str)]) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            s.append_pair(k, v);
        }
        s.finish()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

        /// Any request: no panic; the page never carries the code, nor the
        /// server's text unescaped; the right state and a code end the
        /// wait with that code, anything else with the state does not.
        #[test]
        fn any_request(
            method in prop::sample::select(vec!["GET", "POST", "get", "HEAD", ""]),
            target in any::<String>(),
            code in "[A-Za-z0-9_-]{12,24}",
            state in "[A-Za-z0-9_-]{12,24}",
            text in any::<String>(),
            issuer in prop::option::of(Just("https://a.test".to_string())),
        ) {
            let expect = Expect { state: state.clone(), issuer: issuer.clone() };
            let _ = route(method, &target, &expect);
            let _ = route(method, &format!("{CALLBACK_PATH}?{target}"), &expect);
            let iss = issuer.clone().unwrap_or_default();
            let ok = format!("{CALLBACK_PATH}?{}", query(&[("code", &code), ("state", &state), ("iss", &iss)]));
            let (page, done) = route("GET", &ok, &expect);
            prop_assert!(!page.body.contains(&code));
            prop_assert_eq!(done.and_then(|d| d.ok()).map(|c| c.code), Some(code.clone()));
            let denied = format!("{CALLBACK_PATH}?{}", query(&[("error", "<script>"), ("error_description", &text), ("state", &state), ("iss", &iss)]));
            let (page, done) = route("GET", &denied, &expect);
            prop_assert!(!page.body.contains("<script>"));
            let was_denied = matches!(done, Some(Err(CallbackError::Denied { .. })));
            prop_assert!(was_denied);
            let wrong = format!("{CALLBACK_PATH}?{}", query(&[("code", &code), ("state", &text), ("iss", &iss)]));
            if text != state {
                let (page, done) = route("GET", &wrong, &expect);
                prop_assert!(done.is_none() && !page.body.contains(&code));
            }
        }
    }
}
