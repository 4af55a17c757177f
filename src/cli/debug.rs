//! Debug output: the session every command runs in, with a trace sink when
//! `{ENV}_DEBUG` (or `--debug`) asks for one, and the rendering of trace
//! events on stderr, as `GH_DEBUG=api` shows gh's traffic:
//!
//! ```text
//! * Request 3: POST http://127.0.0.1:8080/oauth/token
//! > Content-Type: application/x-www-form-urlencoded
//! >
//! > grant_type=refresh_token&refresh_token=[REDACTED]&client_id=cli
//! < HTTP 200 OK (12 ms)
//! < Content-Type: application/json
//! <
//! < {"access_token":"[REDACTED]","expires_in":3600}
//! ```

use super::ui::{DebugLevel, above_spinner};
use crate::error::Result;
use crate::platform::Platform;
use crate::session::Session;
use crate::trace::{Event, Sink, TraceSink};
use std::sync::Arc;

/// The platform's session, with the CLI's trace sink when debugging. The
/// per-project pin is looked for now: a pin ignored as unsafe is said on
/// stderr, once, before anything else (one that cannot be used is an error
/// where the command uses it).
pub fn load_session(platform: Platform) -> Result<Session> {
    let session = load_session_unwarned(platform)?;
    let _ = session.pin();
    super::ui::warn_all(&session.take_warnings());
    Ok(session)
}

/// Like [`load_session`], leaving the pin's warnings to the command, which
/// reports them with its own (`auth status` lists them in its report).
pub(super) fn load_session_unwarned(platform: Platform) -> Result<Session> {
    Ok(Session::load(platform)?.with_trace(trace_sink(&platform)))
}

/// The CLI's trace sink for `platform`, when `{ENV}_DEBUG` (or `--debug`)
/// asks for one: it prints diagnostic causes (`{ENV}_DEBUG=1`) and HTTP
/// traffic (`{ENV}_DEBUG=api`) on stderr. An embedding CLI can hand it to
/// [`Keyward::with_trace`](crate::Keyward::with_trace) for its own commands.
pub fn trace_sink(platform: &Platform) -> Option<Sink> {
    match DebugLevel::current(platform) {
        DebugLevel::Off => None,
        level => Some(Arc::new(Stderr {
            http: level >= DebugLevel::Api,
        })),
    }
}

/// Renders events on stderr.
struct Stderr {
    http: bool,
}

impl TraceSink for Stderr {
    fn event(&self, event: &Event) {
        above_spinner(&render(event));
    }
    fn http(&self) -> bool {
        self.http
    }
}

/// `content-type` as `Content-Type`.
fn title_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut c = part.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn lines(out: &mut String, mark: char, headers: &[(String, String)], body: Option<&str>) {
    for (k, v) in headers {
        out.push_str(&format!("{mark} {}: {v}\n", title_case(k)));
    }
    if let Some(b) = body {
        out.push_str(&format!("{mark}\n{mark} {b}\n"));
    }
}

/// One event as text, each line ending with a newline.
pub fn render(event: &Event) -> String {
    let mut out = String::new();
    match event {
        Event::Request(r) => {
            out.push_str(&format!("* Request {}: {} {}\n", r.id, r.method, r.url));
            lines(&mut out, '>', &r.headers, r.body.as_deref());
        }
        Event::Response(r) => {
            let reason = reqwest::StatusCode::from_u16(r.status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .map(|s| format!(" {s}"))
                .unwrap_or_default();
            out.push_str(&format!(
                "< HTTP {}{reason} ({} ms)\n",
                r.status,
                r.elapsed.as_millis()
            ));
            lines(&mut out, '<', &r.headers, r.body.as_deref());
        }
        Event::Failed { id, elapsed, cause } => out.push_str(&format!(
            "* Request {id} failed after {} ms: {cause}\n",
            elapsed.as_millis()
        )),
        Event::Diagnostic { topic, text } => out.push_str(&format!("* {topic}: {text}\n")),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};
    use std::time::Duration;

    #[test]
    fn requests_and_responses_render_as_gh_debug_shows_them() {
        let mut h = HeaderMap::new();
        h.insert(
            "authorization",
            HeaderValue::from_static("Bearer tok_0123456789"),
        );
        h.insert(
            "content-type",
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        let req = Event::Request(crate::trace::Request::new(
            7,
            "POST",
            "http://127.0.0.1:1/token",
            &h,
            Some(b"grant_type=refresh_token&refresh_token=rt_0123456789"),
        ));
        assert_eq!(
            render(&req),
            "* Request 7: POST http://127.0.0.1:1/token\n\
             > Authorization: Bearer [REDACTED]\n\
             > Content-Type: application/x-www-form-urlencoded\n\
             >\n\
             > grant_type=refresh_token&refresh_token=[REDACTED]\n"
        );
        let mut h = HeaderMap::new();
        h.insert("content-type", HeaderValue::from_static("application/json"));
        let resp = Event::Response(crate::trace::Response::new(
            7,
            200,
            Duration::from_millis(12),
            &h,
            br#"{"access_token":"at_0123456789","expires_in":60}"#,
        ));
        assert_eq!(
            render(&resp),
            "< HTTP 200 OK (12 ms)\n\
             < Content-Type: application/json\n\
             <\n\
             < {\"access_token\":\"[REDACTED]\",\"expires_in\":60}\n"
        );
        let failed = Event::Failed {
            id: 7,
            elapsed: Duration::from_millis(5),
            cause: "connection refused".into(),
        };
        assert_eq!(
            render(&failed),
            "* Request 7 failed after 5 ms: connection refused\n"
        );
        assert_eq!(
            render(&Event::diagnostic("keychain", "zbus error: x")),
            "* keychain: zbus error: x\n"
        );
    }
}
