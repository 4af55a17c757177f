//! The CI OpenID issuer in tests/peers/ci-issuer.mjs: it plays GitHub
//! Actions' ID token request endpoint (`ACTIONS_ID_TOKEN_REQUEST_URL` /
//! `ACTIONS_ID_TOKEN_REQUEST_TOKEN`) and mints RS256 ID tokens for the other
//! CI paths (env var, file, command). `ci.provider(AUD, &[])` starts the
//! OpenID provider with the token exchange grant trusting it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Child;
use std::time::Duration;

use super::peers::{Provider, require_peers, start_node_peer};

/// RFC 8693 grant type.
pub const TOKEN_EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// The `sub` of every token the issuer makes unless told otherwise.
pub const CI_SUB: &str = "repo:acme/app:ref:refs/heads/main";
/// The account the provider gives an exchanged token (`ci:<sub>`).
pub const CI_ACCOUNT: &str = "ci:repo:acme/app:ref:refs/heads/main";
/// Its `name` claim.
pub const CI_NAME: &str = "CI acme/app";

/// A running ci-issuer.mjs.
pub struct CiIssuer {
    child: Child,
    pub issuer: String,
    pub port: u16,
    pub jwks_uri: String,
    /// `ACTIONS_ID_TOKEN_REQUEST_URL` (ends in `?api-version=2.0`).
    pub request_url: String,
    /// `ACTIONS_ID_TOKEN_REQUEST_TOKEN` (random per start).
    pub request_token: String,
    pub request_log: PathBuf,
    _dir: tempfile::TempDir,
}

impl CiIssuer {
    pub fn start() -> CiIssuer {
        CiIssuer::start_with(&[])
    }

    /// With env: `ID_TOKEN_TTL` (seconds, default 300), `PORT`.
    pub fn start_with(env: &[(&str, &str)]) -> CiIssuer {
        let peers = require_peers();
        assert!(
            peers.join("node_modules/jose").is_dir(),
            "the npm package `jose` is needed by this test and is not installed.\nInstall it with: npm ci --prefix tests/peers"
        );
        let dir = tempfile::tempdir().unwrap();
        let request_log = dir.path().join("ci-requests.log");
        let log = request_log.to_string_lossy().into_owned();
        let mut all = vec![("REQUEST_LOG", log.as_str())];
        all.extend_from_slice(env);
        let (child, v) = start_node_peer("ci-issuer.mjs", &all);
        let s = |k: &str| v[k].as_str().unwrap().to_string();
        CiIssuer {
            issuer: s("issuer"),
            port: v["port"].as_u64().unwrap() as u16,
            jwks_uri: s("jwks_uri"),
            request_url: s("request_url"),
            request_token: s("request_token"),
            request_log,
            child,
            _dir: dir,
        }
    }

    /// A provider (tests/peers/provider.mjs) whose token exchange grant
    /// accepts this issuer's ID tokens carrying `aud`; `extra` env pairs
    /// add to it (`EXCHANGE_TTL`, `EXCHANGE_REQUIRE_AUDIENCE`,
    /// `CLIENT_CREDENTIALS`, ...).
    pub fn provider(&self, aud: &str, extra: &[(&str, &str)]) -> Provider {
        let mut env = vec![
            ("TOKEN_EXCHANGE", "1"),
            ("CI_ISSUER", self.issuer.as_str()),
            ("CI_JWKS_URL", self.jwks_uri.as_str()),
            ("EXCHANGE_ID_TOKEN_AUDIENCE", aud),
        ];
        env.extend_from_slice(extra);
        Provider::start(&env)
    }

    /// A signed ID token for `aud` that expires in `exp_in_secs` (negative:
    /// already expired), `sub` = [`CI_SUB`].
    pub fn mint(&self, aud: &str, exp_in_secs: i64) -> String {
        self.mint_with(&[("aud", aud), ("exp_in", &exp_in_secs.to_string())])
    }

    /// A signed ID token; query pairs `aud`, `exp_in`, `sub`, `iss`.
    pub fn mint_with(&self, query: &[(&str, &str)]) -> String {
        let q: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        let (status, body) = http_get(self.port, &format!("/mint?{}", q.join("&")), None);
        assert_eq!(status, 200, "ci-issuer /mint said {status}: {body}");
        body
    }

    /// The ID token the GitHub-style endpoint gives (with the right bearer).
    pub fn request(&self, aud: &str) -> String {
        let path = format!("/_apis/idtoken?api-version=2.0&audience={}", encode(aud));
        let auth = format!("bearer {}", self.request_token);
        let (status, body) = http_get(self.port, &path, Some(&auth));
        assert_eq!(
            status, 200,
            "ci-issuer /_apis/idtoken said {status}: {body}"
        );
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        v["value"].as_str().unwrap().to_string()
    }

    /// The request log, one line per request:
    /// `GET /_apis/idtoken bearer=ok|bad|none audience=<aud>|-` (never a token).
    pub fn requests(&self) -> Vec<String> {
        std::fs::read_to_string(&self.request_log)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// The `/_apis/idtoken` lines of the log.
    pub fn id_token_requests(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|l| l.contains(" /_apis/idtoken "))
            .collect()
    }
}

impl Drop for CiIssuer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `jwt` with one character in the middle of its signature changed (the
/// last character may carry only padding bits, so changing it may not
/// change the signature).
pub fn tamper_signature(jwt: &str) -> String {
    let (head, sig) = jwt.rsplit_once('.').expect("a JWT");
    let mut sig: Vec<u8> = sig.bytes().collect();
    let i = sig.len() / 2;
    sig[i] = if sig[i] == b'A' { b'B' } else { b'A' };
    format!("{head}.{}", String::from_utf8(sig).unwrap())
}

/// The claims of `jwt` (not verified).
pub fn claims(jwt: &str) -> serde_json::Value {
    use base64::Engine as _;
    let payload = jwt.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url payload");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

fn encode(v: &str) -> String {
    percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A plain HTTP/1.0 GET to 127.0.0.1:`port` (no chunked answers): (status, body).
pub fn http_get(port: u16, path: &str, authorization: Option<&str>) -> (u16, String) {
    http(port, "GET", path, authorization, None)
}

/// A form POST (`application/x-www-form-urlencoded`) to 127.0.0.1:`port`:
/// (status, body). E.g. a token exchange straight at the provider.
pub fn http_post_form(
    port: u16,
    path: &str,
    authorization: Option<&str>,
    form: &[(&str, &str)],
) -> (u16, String) {
    let body: Vec<String> = form
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    http(port, "POST", path, authorization, Some(&body.join("&")))
}

fn http(
    port: u16,
    method: &str,
    path: &str,
    authorization: Option<&str>,
    form: Option<&str>,
) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect to the test peer");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n");
    if let Some(a) = authorization {
        req.push_str(&format!("Authorization: {a}\r\n"));
    }
    if let Some(f) = form {
        req.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            f.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(form.unwrap_or_default());
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw)
        .expect("a response from the test peer");
    let (head, body) = raw.split_once("\r\n\r\n").expect("an HTTP response");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("a status code");
    (status, body.to_string())
}
