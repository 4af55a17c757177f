//! OAuth logins: against a local authorization server without metadata
//! (the defaults), and against a real OpenID provider (oidc-provider) with
//! real headless Chromium as the user's browser.

use crate::common::peers::{self, Provider};
use crate::common::server::{Reply, Server};
use crate::common::spawn::param;
use crate::common::*;
use base64::Engine;
use serde_json::json;
use sha2::Digest;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const MINUTE: Duration = Duration::from_secs(60);

/// Send raw bytes to 127.0.0.1:port and return what came back (status line first).
pub(crate) fn raw(port: u16, bytes: &[u8]) -> String {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return String::new();
    };
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = s.write_all(bytes);
    let _ = s.shutdown(std::net::Shutdown::Write);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn get(port: u16, target: &str) -> String {
    raw(
        port,
        format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    )
}

fn s256(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}

/// `auth login --api-url URL --client-id CLIENT EXTRA...`
pub(crate) fn bare_login<'a>(url: &'a str, client: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["auth", "login", "--api-url", url, "--client-id", client];
    a.extend_from_slice(extra);
    a
}

/// An authorization server with no metadata: /oauth/token (checking PKCE
/// against the challenge the test saw) and /api/v1/profile.
pub(crate) fn bare_server(challenge: Arc<Mutex<String>>) -> Server {
    Server::start(move |r| match r.path.as_str() {
        "/oauth/token" => {
            let f = r.form();
            let ok = f.get("grant_type").map(String::as_str) == Some("authorization_code")
                && f.get("code").map(String::as_str) == Some("the-code")
                && f.get("client_id").map(String::as_str) == Some("bare-cli")
                && f.get("redirect_uri")
                    .is_some_and(|u| u.starts_with("http://127.0.0.1:"))
                && f.get("code_verifier").map(|v| s256(v))
                    == Some(challenge.lock().unwrap().clone());
            if ok {
                Reply::json(
                    200,
                    json!({"access_token": "bare_access_0123456789", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "bare_refresh_0123456789"}),
                )
            } else {
                Reply::json(
                    400,
                    json!({"error": "invalid_grant", "error_description": "bad code or verifier"}),
                )
            }
        }
        "/api/v1/profile" if r.header("authorization") == Some("Bearer bare_access_0123456789") => {
            Reply::json(
                200,
                json!({"data": {"name": "Bea Bare", "email": "bea@bare.test"}}),
            )
        }
        _ => Reply::json(404, json!({"message": "Not Found"})),
    })
}

#[test]
fn browser_flow_with_default_endpoints_and_hostile_requests() {
    let _ports = peers::callback_ports();
    let challenge = Arc::new(Mutex::new(String::new()));
    let srv = bare_server(challenge.clone());
    let mut env = TestEnv::new();
    env.set_env("BROWSER", "true");
    let mut run = env.spawn(&bare_login(&srv.url(), "bare-cli", &["--timeout", "60"]));
    let url = run.authorize_url();
    assert!(
        url.starts_with(&format!("{}/oauth/authorize?", srv.url())),
        "{url}"
    );
    assert_eq!(param(&url, "response_type").as_deref(), Some("code"));
    assert_eq!(
        param(&url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    let verifier_free = !url.contains("code_verifier");
    assert!(verifier_free);
    *challenge.lock().unwrap() = param(&url, "code_challenge").unwrap();
    let redirect = param(&url, "redirect_uri").unwrap();
    let port: u16 = redirect
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/callback")
        .parse()
        .unwrap();
    let state = param(&url, "state").unwrap();

    // Hostile and wrong requests do not end the login.
    assert!(raw(port, b"\x00\x01garbage\r\n\r\n").starts_with("HTTP/1.1 400"));
    let huge = format!(
        "GET /callback HTTP/1.1\r\nX-Big: {}\r\n\r\n",
        "a".repeat(64 * 1024)
    );
    assert!(raw(port, huge.as_bytes()).starts_with("HTTP/1.1 431"));
    assert!(get(port, "/favicon.ico").starts_with("HTTP/1.1 404"));
    assert!(
        raw(
            port,
            b"POST /callback HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
        )
        .starts_with("HTTP/1.1 405")
    );
    let wrong = get(port, "/callback?code=the-code&state=not-the-state");
    assert!(
        wrong.starts_with("HTTP/1.1 400") && wrong.contains("State mismatch"),
        "{wrong}"
    );
    let _idle = TcpStream::connect(("127.0.0.1", port)).unwrap(); // connects, says nothing

    let ok = get(port, &format!("/callback?code=the-code&state={state}"));
    assert!(
        ok.starts_with("HTTP/1.1 200") && ok.contains("Logged in"),
        "{ok}"
    );
    let out = run.finish(MINUTE);
    out.ok()
        .stderr_has(&format!(
            "✓ Logged in to {} as Bea Bare (bea@bare.test)",
            srv.url()
        ))
        .not_anywhere("bare_access_0123456789");
    let creds = env.read_credentials().unwrap();
    let rec = &creds[srv.url()];
    assert_eq!(rec["kind"], "oauth");
    assert_eq!(rec["refresh_token"], "bare_refresh_0123456789");
    assert_eq!(rec["client_id"], "bare-cli");
    assert!(rec["expires_at"].as_i64().unwrap() > 0);
    // discovery was tried, then the defaults were used
    let paths: Vec<String> = srv.requests().iter().map(|r| r.path.clone()).collect();
    assert!(
        paths.contains(&"/.well-known/oauth-authorization-server".to_string()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"/.well-known/openid-configuration".to_string()),
        "{paths:?}"
    );
    env.run(&["auth", "status"], "")
        .ok()
        .stdout_has("oauth")
        .stdout_has("expires in");
}

#[test]
fn discovery_through_the_openid_configuration_document() {
    let srv = Server::start(|r| {
        let base = format!("http://{}", r.header("host").unwrap_or_default());
        match r.path.as_str() {
            "/.well-known/openid-configuration" => Reply::json(
                200,
                json!({
                    "issuer": base, "authorization_endpoint": format!("{base}/authorize"),
                    "token_endpoint": format!("{base}/token"), "userinfo_endpoint": format!("{base}/userinfo"),
                }),
            ),
            "/userinfo" if r.header("authorization") == Some("Bearer kwd_oidc_pat_0123456789") => {
                Reply::json(
                    200,
                    json!({"sub": "s-1", "name": "Olive", "email": "olive@oidc.test"}),
                )
            }
            _ => Reply::json(404, json!({})),
        }
    });
    let env = TestEnv::new();
    env.run(
        &["auth", "login", "--token-stdin", "--api-url", &srv.url()],
        "kwd_oidc_pat_0123456789",
    )
    .ok()
    .stderr_has("as Olive (olive@oidc.test)");
    let cache = std::fs::read_to_string(env.config_dir().join("discovery.json")).unwrap();
    assert!(cache.contains("\"openid-configuration\""), "{cache}");
    // the cache spares the round trips next time
    let before = srv.requests().len();
    env.run(
        &["auth", "login", "--token-stdin", "--api-url", &srv.url()],
        "kwd_oidc_pat_0123456789",
    )
    .ok();
    let paths: Vec<String> = srv.requests()[before..]
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(paths, ["/userinfo"]);
}

#[test]
fn no_client_id_lists_the_ways_to_give_one() {
    let srv = bare_server(Arc::new(Mutex::new(String::new())));
    let env = TestEnv::new();
    env.run(&["auth", "login", "--api-url", &srv.url()], "")
        .code(2)
        .stderr_has("no OAuth client id")
        .stderr_has("--client-id")
        .stderr_has("KEYWARD_CLIENT_ID")
        .stderr_has("config set client_id")
        .stderr_has("KEYWARD_DEFAULT_CLIENT_ID");
}

#[test]
fn all_callback_ports_taken() {
    let _ports = peers::callback_ports();
    let held: Vec<_> = (8765..=8769)
        .filter_map(|p| std::net::TcpListener::bind(("127.0.0.1", p)).ok())
        .collect();
    assert_eq!(held.len(), 5, "ports 8765-8769 must be free for this test");
    let srv = bare_server(Arc::new(Mutex::new(String::new())));
    let mut env = TestEnv::new();
    env.set_env("BROWSER", "true");
    env.run(&bare_login(&srv.url(), "bare-cli", &[]), "")
        .code(1)
        .stderr_has("no callback port available (tried 8765–8769)")
        .stderr_has("--no-browser");
}

#[test]
fn callback_timeout_ends_cleanly() {
    let _ports = peers::callback_ports();
    let srv = bare_server(Arc::new(Mutex::new(String::new())));
    let mut env = TestEnv::new();
    env.set_env("BROWSER", "true");
    env.run(&bare_login(&srv.url(), "bare-cli", &["--timeout", "1"]), "")
        .code(1)
        .stderr_has("timed out");
    assert!(!env.credentials_file().exists());
}

#[test]
fn ctrl_c_while_waiting_ends_cleanly() {
    let _ports = peers::callback_ports();
    let srv = bare_server(Arc::new(Mutex::new(String::new())));
    let mut env = TestEnv::new();
    env.set_env("BROWSER", "true");
    let mut run = env.spawn(&bare_login(&srv.url(), "bare-cli", &[]));
    let url = run.authorize_url();
    let port: u16 = param(&url, "redirect_uri")
        .unwrap()
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/callback")
        .parse()
        .unwrap();
    std::process::Command::new("kill")
        .args(["-INT", &run.pid().to_string()])
        .status()
        .unwrap();
    let out = run.finish(Duration::from_secs(10));
    assert_ne!(out.code, 0);
    assert!(
        !env.credentials_file().exists() && !env.config_file().exists(),
        "nothing written"
    );
    std::net::TcpListener::bind(("127.0.0.1", port)).expect("the callback port is free again");
}

#[test]
fn ssh_sessions_get_advice_and_the_port_forward() {
    let _ports = peers::callback_ports();
    let srv = bare_server(Arc::new(Mutex::new(String::new())));
    let mut env = TestEnv::new();
    env.set_env("SSH_CONNECTION", "10.0.0.1 50000 10.0.0.2 22");
    env.set_env("BROWSER", "true");
    env.run(&bare_login(&srv.url(), "bare-cli", &["--timeout", "1"]), "")
        .code(1)
        .stderr_has("SSH session")
        .stderr_has("--no-browser")
        .stderr_has("ssh -L 8765:127.0.0.1:8765 <host>");
    env.run(
        &bare_login(&srv.url(), "bare-cli", &["--no-browser", "--timeout", "1"]),
        "",
    )
    .code(1)
    .stderr_has("ssh -L 8765:127.0.0.1:8765 <host>")
    .stderr_has("paste");
}

#[test]
fn no_browser_uses_oob_where_the_metadata_lists_it() {
    let srv = Server::start(|r| {
        let base = format!("http://{}", r.header("host").unwrap_or_default());
        match r.path.as_str() {
            "/.well-known/oauth-authorization-server" => Reply::json(
                200,
                json!({
                    "issuer": base, "authorization_endpoint": format!("{base}/authorize"), "token_endpoint": format!("{base}/token"),
                    "redirect_uris_supported": ["urn:ietf:wg:oauth:2.0:oob"],
                }),
            ),
            "/token"
                if r.form().get("redirect_uri").map(String::as_str)
                    == Some("urn:ietf:wg:oauth:2.0:oob")
                    && r.form().get("code").map(String::as_str) == Some("oob-code") =>
            {
                Reply::json(
                    200,
                    json!({"access_token": "oob_access_0123456789", "expires_in": 600}),
                )
            }
            "/token" => Reply::json(400, json!({"error": "invalid_grant"})),
            "/api/v1/profile" => Reply::json(200, json!({"name": "Otto"})),
            _ => Reply::json(404, json!({})),
        }
    });
    let env = TestEnv::new();
    let mut run = env.spawn(&bare_login(
        &srv.url(),
        "oob-cli",
        &["--no-browser", "--timeout", "30"],
    ));
    let url = run.authorize_url();
    assert_eq!(
        param(&url, "redirect_uri").as_deref(),
        Some("urn:ietf:wg:oauth:2.0:oob")
    );
    run.write_line("oob-code");
    run.finish(MINUTE)
        .ok()
        .stderr_has("✓ Logged in")
        .stderr_has("Otto");
}

#[test]
fn device_flow_honours_interval_and_slow_down() {
    let polls = Arc::new(Mutex::new(Vec::<std::time::Instant>::new()));
    let p2 = polls.clone();
    let srv = Server::start(move |r| {
        let base = format!("http://{}", r.header("host").unwrap_or_default());
        match r.path.as_str() {
            "/.well-known/oauth-authorization-server" => Reply::json(
                200,
                json!({
                    "issuer": base, "authorization_endpoint": format!("{base}/authorize"), "token_endpoint": format!("{base}/token"),
                    "device_authorization_endpoint": format!("{base}/device/code"),
                }),
            ),
            "/device/code" => Reply::json(
                200,
                json!({"device_code": "dev-1", "user_code": "WDJB-MJHT",
                "verification_uri": format!("{base}/device"), "expires_in": 120, "interval": 1}),
            ),
            "/token" => {
                let mut p = p2.lock().unwrap();
                p.push(std::time::Instant::now());
                match p.len() {
                    1 => Reply::json(400, json!({"error": "authorization_pending"})),
                    2 => Reply::json(400, json!({"error": "slow_down"})),
                    _ => Reply::json(
                        200,
                        json!({"access_token": "dev_access_0123456789", "expires_in": 600}),
                    ),
                }
            }
            "/api/v1/profile" => Reply::json(200, json!({"name": "Dev"})),
            _ => Reply::json(404, json!({})),
        }
    });
    let env = TestEnv::new();
    let out = env.run(
        &bare_login(&srv.url(), "dev-cli", &["--device", "--timeout", "60"]),
        "",
    );
    out.ok().stderr_has("WDJB-MJHT").stderr_has("✓ Logged in");
    let p = polls.lock().unwrap();
    assert_eq!(p.len(), 3);
    let first_gap = p[1] - p[0];
    let after_slow_down = p[2] - p[1];
    assert!(
        first_gap >= Duration::from_millis(900) && first_gap < Duration::from_secs(4),
        "{first_gap:?}"
    );
    assert!(
        after_slow_down >= Duration::from_millis(5900),
        "slow_down adds 5 s: {after_slow_down:?}"
    );
}

// ---- against the real OpenID provider and Chromium ----

fn oidc_env(p: &Provider) -> TestEnv {
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_CLIENT_ID", &p.client_id);
    env
}

#[test]
fn real_browser_login_against_openid_provider() {
    let _ports = peers::callback_ports();
    let p = Provider::start(&[]);
    let mut env = oidc_env(&p);
    env.set_env("BROWSER", &peers::browser_command());
    env.set_env("KEYWARD_TEST_LOGIN", "alice");
    let out = env.run(
        &["auth", "login", "--api-url", &p.issuer, "--timeout", "90"],
        "",
    );
    out.ok()
        .stderr_has(&format!("✓ Logged in to {} as", p.issuer))
        .stderr_has("alice@example.test");
    let creds = env.read_credentials().unwrap();
    let rec = &creds[p.issuer.as_str()];
    assert_eq!(rec["kind"], "oauth");
    assert!(
        rec["refresh_token"].is_string(),
        "offline_access should give a refresh token: {rec}"
    );
    assert!(
        rec["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "openid")
    );
    // discovery found the provider's metadata (userinfo as the profile) and cached it
    let cache = std::fs::read_to_string(env.config_dir().join("discovery.json")).unwrap();
    assert!(
        cache.contains(&format!("\"userinfo_endpoint\": \"{}/me\"", p.issuer)),
        "{cache}"
    );
    // the token works at userinfo
    let tok = env
        .run(&["auth", "token"], "")
        .ok()
        .stdout
        .trim()
        .to_string();
    assert!(!tok.is_empty());
    env.run(&["whoami"], "")
        .ok()
        .stdout_has("alice@example.test");
}

#[test]
fn port_fallback_when_8765_is_taken() {
    let _ports = peers::callback_ports();
    let _held =
        std::net::TcpListener::bind(("127.0.0.1", 8765)).expect("port 8765 free for the test");
    let p = Provider::start(&[]);
    let mut env = oidc_env(&p);
    env.set_env("BROWSER", &peers::browser_command());
    let mut run = env.spawn(&["auth", "login", "--api-url", &p.issuer, "--timeout", "90"]);
    let url = run.authorize_url();
    assert_eq!(
        param(&url, "redirect_uri").as_deref(),
        Some("http://127.0.0.1:8766/callback")
    );
    run.finish(Duration::from_secs(120))
        .ok()
        .stderr_has("✓ Logged in");
}

#[test]
fn access_denied_in_the_browser_exits_1() {
    let _ports = peers::callback_ports();
    let p = Provider::start(&[]);
    let mut env = oidc_env(&p);
    env.set_env("BROWSER", &peers::browser_command());
    env.set_env("KEYWARD_TEST_DENY", "1");
    env.run(
        &["auth", "login", "--api-url", &p.issuer, "--timeout", "90"],
        "",
    )
    .code(1)
    .stderr_has("access_denied");
    assert!(!env.credentials_file().exists());
}

/// Run the browser to the callback without letting it load; return the callback URL.
fn browse_without_following(url: &str) -> String {
    peers::require_chromium();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("callback.txt");
    let st = std::process::Command::new("node")
        .arg(peers::require_peers().join("browser.mjs"))
        .arg(url)
        .env("KEYWARD_TEST_CALLBACK_FILE", &file)
        .env("KEYWARD_TEST_NO_FOLLOW", "1")
        .status()
        .expect("node browser.mjs");
    assert!(st.success(), "browser.mjs failed");
    std::fs::read_to_string(&file).unwrap().trim().to_string()
}

#[test]
fn paste_back_of_the_whole_redirect_url() {
    let _ports = peers::callback_ports();
    let p = Provider::start(&[]);
    let env = oidc_env(&p);
    let mut run = env.spawn(&[
        "auth",
        "login",
        "--no-browser",
        "--api-url",
        &p.issuer,
        "--timeout",
        "90",
    ]);
    let url = run.authorize_url();
    assert_eq!(
        param(&url, "redirect_uri").as_deref(),
        Some("http://127.0.0.1:8765/callback")
    );
    let callback = browse_without_following(&url);
    assert!(
        callback.starts_with("http://127.0.0.1:8765/callback?"),
        "{callback}"
    );
    // a paste with the wrong state is refused, and keyward asks again
    let state = param(&callback, "state").unwrap();
    run.write_line(&callback.replace(&state, "forged-state"));
    run.wait_line("the state complaint", MINUTE, |l| l.contains("state"));
    run.write_line(&callback);
    run.finish(MINUTE).ok().stderr_has("✓ Logged in");
    assert_eq!(
        env.read_credentials().unwrap()[p.issuer.as_str()]["kind"],
        "oauth"
    );
}

#[test]
fn paste_back_of_a_bare_code() {
    let _ports = peers::callback_ports();
    let p = Provider::start(&[]);
    let env = oidc_env(&p);
    let mut run = env.spawn(&[
        "auth",
        "login",
        "--no-browser",
        "--api-url",
        &p.issuer,
        "--timeout",
        "90",
    ]);
    let url = run.authorize_url();
    let callback = browse_without_following(&url);
    run.write_line(&param(&callback, "code").unwrap());
    run.finish(MINUTE).ok().stderr_has("✓ Logged in");
}

#[test]
fn no_browser_completes_by_itself_when_the_browser_reaches_the_port() {
    let _ports = peers::callback_ports();
    let p = Provider::start(&[]);
    let env = oidc_env(&p);
    let mut run = env.spawn(&[
        "auth",
        "login",
        "--no-browser",
        "--api-url",
        &p.issuer,
        "--timeout",
        "90",
    ]);
    let url = run.authorize_url();
    let st = std::process::Command::new("node")
        .arg(peers::require_peers().join("browser.mjs"))
        .arg(&url)
        .status()
        .unwrap();
    assert!(st.success());
    run.finish(MINUTE).ok().stderr_has("✓ Logged in");
}

#[test]
fn device_flow() {
    let p = Provider::start(&[]);
    let env = oidc_env(&p);
    let mut run = env.spawn(&[
        "auth",
        "login",
        "--device",
        "--api-url",
        &p.issuer,
        "--timeout",
        "120",
    ]);
    let code_line = run.wait_line("the user code", MINUTE, |l| l.contains("one-time code"));
    let user_code = code_line.rsplit(' ').next().unwrap().trim().to_string();
    let uri = run
        .wait_line("the verification URL", MINUTE, |l| {
            l.trim_start().starts_with("http")
        })
        .trim()
        .to_string();
    let st = std::process::Command::new("node")
        .arg(peers::require_peers().join("device.mjs"))
        .arg(&uri)
        .arg(&user_code)
        .status()
        .unwrap();
    assert!(st.success(), "device.mjs failed");
    run.finish(Duration::from_secs(120))
        .ok()
        .stderr_has("✓ Logged in");
    let rec = &env.read_credentials().unwrap()[p.issuer.as_str()];
    assert_eq!(rec["kind"], "oauth");
}

#[test]
fn token_login_is_validated_at_the_oidc_userinfo_endpoint() {
    let p = Provider::start(&[]);
    let env = oidc_env(&p);
    env.run(
        &["auth", "login", "--token-stdin", "--api-url", &p.issuer],
        &p.pat,
    )
    .ok()
    .stderr_has("✓ Logged in");
    env.run(
        &["auth", "login", "--token-stdin", "--api-url", &p.issuer],
        "not-a-valid-token-xyz",
    )
    .code(4);
    assert_eq!(env.run(&["auth", "token"], "").ok().stdout.trim(), p.pat);
}
