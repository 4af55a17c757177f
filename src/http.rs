//! The HTTP client, built only by commands that go to the network.
//! Synchronous (`ureq` with rustls); the only async code in keyward is the
//! loopback callback listener (hyper on tokio, `oauth::callback`).

use std::time::Duration;

/// A request that got no usable response. Never carries a secret.
#[derive(Debug, Clone, thiserror::Error)]
#[error("could not reach {url}")]
pub struct HttpError {
    /// Where we tried to go.
    pub url: String,
    /// Why not ("connection refused", "timed out", ...).
    pub cause: String,
}

type Result<T> = std::result::Result<T, HttpError>;

/// How long a request may take, connection included.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Largest response body read (1 MiB).
const MAX_BODY: u64 = 1 << 20;

/// A response: status and body bytes.
#[derive(Debug)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Body (at most 1 MiB).
    pub body: Vec<u8>,
}

impl Response {
    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// A short, printable error detail from a JSON error body
    /// (`error_description`, `message`, `error`), never echoing `secret`.
    pub fn error_detail(&self, secret: Option<&str>) -> Option<String> {
        let v = self.json()?;
        let obj = v.as_object()?;
        let text = ["error_description", "message", "error", "detail", "title"]
            .iter()
            .find_map(|k| obj.get(*k).and_then(|x| x.as_str()))?;
        let mut t: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
        if let Some(s) = secret.filter(|s| s.len() >= 4) {
            t = t.replace(s, "***");
        }
        Some(t)
    }
}

/// A blocking HTTP client with timeouts.
#[derive(Debug, Clone)]
pub struct Http {
    agent: ureq::Agent,
}

impl Http {
    /// A client whose requests give up after `timeout`.
    pub fn new(timeout: Duration) -> Http {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .timeout_connect(Some(timeout.min(Duration::from_secs(10))))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(concat!("keyward/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Http { agent }
    }

    /// GET `url` with `headers`.
    pub fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<Response> {
        let mut req = self.agent.get(url).header("Accept", "application/json");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        finish(url, req.call())
    }

    /// POST an `application/x-www-form-urlencoded` body to `url`.
    pub fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Result<Response> {
        let mut req = self.agent.post(url).header("Accept", "application/json");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        finish(url, req.send_form(form.iter().copied()))
    }
}

fn finish(
    url: &str,
    r: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<Response> {
    let mut resp = r.map_err(|e| HttpError {
        url: url.to_string(),
        cause: describe(&e),
    })?;
    let status = resp.status().as_u16();
    let body = resp
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_vec()
        .map_err(|e| HttpError {
            url: url.to_string(),
            cause: format!("reading the response failed: {}", describe(&e)),
        })?;
    Ok(Response { status, body })
}

fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "connection timed out".into(),
        ureq::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::ConnectionRefused => "connection refused".into(),
            std::io::ErrorKind::TimedOut => "connection timed out".into(),
            _ => io.to_string(),
        },
        ureq::Error::HostNotFound => "host not found (DNS)".into(),
        other => other.to_string(),
    }
}
