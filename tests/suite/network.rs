//! The network core through the real binary: TLS with a private CA,
//! redirects, proxies, fail-fast causes, secrets in server errors, long
//! tokens byte for byte, and the headers keyward sends.
//!
//! Every server here listens on 127.0.0.1; the one name looked up is a
//! `.invalid` one, which keyward refuses without asking DNS.

use crate::common::peers;
use crate::common::proxy::Proxy;
use crate::common::server::{Reply, Request, Server};
use crate::common::spawn::param;
use crate::common::tls::TestCa;
use crate::common::*;
use base64::Engine;
use serde_json::json;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const UA: &str = concat!("keyward/", env!("CARGO_PKG_VERSION"));
const TOKEN: &str = "kwd_net_token_0123456789";
const CLIENT: &str = "net-cli";

fn nora() -> serde_json::Value {
    json!({"data": {"name": "Nora Net", "email": "nora@net.test"}})
}

fn bearer(r: &Request) -> Option<&str> {
    r.header("authorization")?.strip_prefix("Bearer ")
}

/// A profile endpoint (no discovery documents) accepting `TOKEN`.
fn profile_handler(r: &Request) -> Reply {
    match r.path.as_str() {
        "/api/v1/profile" if bearer(r) == Some(TOKEN) => Reply::json(200, nora()),
        "/api/v1/profile" => Reply::json(401, json!({"message": "Unauthenticated."})),
        _ => Reply::json(404, json!({"message": "Not Found"})),
    }
}

fn login(env: &TestEnv, url: &str, token: &str) -> Out {
    env.run(&["auth", "login", "--token-stdin", "--api-url", url], token)
}

#[track_caller]
fn nothing_stored(env: &TestEnv) {
    assert!(
        !env.credentials_file().exists(),
        "a credential was stored: {}",
        credentials_text(env)
    );
}

/// `token` issued by a token endpoint answering refresh grants: every
/// refresh returns `issue(refresh_token_sent)`.
fn token_server(
    issue: impl Fn(&str) -> Reply + Send + Sync + 'static,
) -> (Server, Arc<Mutex<Vec<String>>>) {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let sent2 = sent.clone();
    let srv = Server::start(move |r| match r.path.as_str() {
        "/oauth/token" => {
            let f = r.form();
            if f.get("grant_type").map(String::as_str) != Some("refresh_token")
                || f.get("client_id").map(String::as_str) != Some(CLIENT)
            {
                return Reply::json(400, json!({"error": "invalid_request"}));
            }
            let rt = f.get("refresh_token").cloned().unwrap_or_default();
            sent2.lock().unwrap().push(rt.clone());
            issue(&rt)
        }
        _ => Reply::json(404, json!({})),
    });
    (srv, sent)
}

fn issued(access: &str, refresh: &str) -> Reply {
    Reply::json(
        200,
        json!({"access_token": access, "token_type": "Bearer", "expires_in": 3600, "refresh_token": refresh}),
    )
}

// ---------------------------------------------------------------- TLS

fn tls_server(ca: &TestCa) -> Server {
    Server::start_tls(ca.server.clone(), profile_handler)
}

#[test]
fn tls_private_ca_is_refused_without_its_certificate() {
    let ca = TestCa::new();
    let srv = tls_server(&ca);
    let env = TestEnv::new();
    login(&env, &srv.url(), TOKEN)
        .code(1)
        .stderr_has(&format!("could not reach {}/", srv.url()))
        .stderr_has("Caused by: certificate not trusted")
        .stderr_has("config set ca_file")
        .not_anywhere(TOKEN);
    nothing_stored(&env);
    assert!(
        srv.requests().is_empty(),
        "no request may cross an untrusted connection"
    );
}

#[test]
fn tls_private_ca_is_trusted_with_ca_file_for_that_host_only() {
    let ca = TestCa::new();
    let srv = tls_server(&ca);
    let other = tls_server(&ca);
    let env = TestEnv::new();
    let pem = ca.write_ca(env.dir.path(), "ca.pem");
    env.run(
        &[
            "config",
            "set",
            "ca_file",
            pem.to_str().unwrap(),
            "--host",
            &srv.url(),
        ],
        "",
    )
    .ok();
    login(&env, &srv.url(), TOKEN)
        .ok()
        .stderr_has(&format!("Logged in to {} as Nora Net", srv.url()))
        .not_anywhere(TOKEN);
    let profile: Vec<Request> = srv
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/v1/profile")
        .collect();
    assert_eq!(profile.len(), 1);
    assert_eq!(bearer(&profile[0]), Some(TOKEN));
    assert_eq!(
        env.read_credentials().unwrap()[srv.url()]["access_token"],
        TOKEN
    );
    // The CA is trusted for that API URL only.
    login(&env, &other.url(), TOKEN)
        .code(1)
        .stderr_has("certificate not trusted");
    assert!(other.requests().is_empty());
    assert!(env.read_credentials().unwrap().get(other.url()).is_none());
}

#[test]
fn tls_private_ca_is_trusted_through_ssl_cert_file() {
    let ca = TestCa::new();
    let srv = tls_server(&ca);
    let mut env = TestEnv::new();
    let pem = ca.write_ca(env.dir.path(), "bundle.pem");
    env.set_env("SSL_CERT_FILE", pem.to_str().unwrap());
    login(&env, &srv.url(), TOKEN).ok().stderr_has("Logged in");
    assert_eq!(srv.count("/api/v1/profile"), 1);
    let cfg = std::fs::read_to_string(env.config_file()).unwrap();
    assert!(!cfg.contains("ca_file"), "{cfg}");
}

#[test]
fn tls_unusable_ca_file_is_an_error_naming_the_file() {
    let ca = TestCa::new();
    let srv = tls_server(&ca);
    let env = TestEnv::new();
    let missing = env.dir.path().join("missing-ca.pem");
    let junk = env.dir.path().join("junk-ca.pem");
    std::fs::write(&junk, "this is not a certificate\n").unwrap();
    for (path, why) in [
        (&missing, "No such file"),
        (&junk, "holds no PEM certificate"),
    ] {
        let p = path.to_str().unwrap();
        env.run(&["config", "set", "ca_file", p, "--host", &srv.url()], "")
            .ok();
        login(&env, &srv.url(), TOKEN)
            .code(1)
            .stderr_has(&format!("cannot use the CA file {p}"))
            .stderr_has(why)
            .stderr_has("ca_file")
            .not_anywhere(TOKEN);
        nothing_stored(&env);
    }
    assert!(srv.requests().is_empty());
}

#[test]
fn tls_ca_certificate_as_server_certificate_is_explained() {
    // Trusting it changes nothing: webpki never accepts a CA certificate
    // as a server's own, and the error says so instead of "set ca_file".
    let (pem, config) = TestCa::ca_as_server();
    let srv = Server::start_tls(config, profile_handler);
    let env = TestEnv::new();
    let path = env.dir.path().join("self-signed.pem");
    std::fs::write(&path, pem).unwrap();
    env.run(
        &[
            "config",
            "set",
            "ca_file",
            path.to_str().unwrap(),
            "--host",
            &srv.url(),
        ],
        "",
    )
    .ok();
    login(&env, &srv.url(), TOKEN)
        .code(1)
        .stderr_has("Caused by: the server presents a CA certificate as its own")
        .not_anywhere(TOKEN);
    nothing_stored(&env);
    assert!(srv.requests().is_empty());
}

// ---------------------------------------------------------------- redirects

#[test]
fn token_endpoint_redirect_is_refused_and_never_followed() {
    // Another origin that would happily issue tokens.
    let (elsewhere, _) = token_server(|_| issued("at-elsewhere", "rt-elsewhere"));
    let target = format!("{}/oauth/token", elsewhere.url());
    let srv = Server::start(move |r| match r.path.as_str() {
        "/oauth/token" => Reply::redirect(307, &target),
        _ => Reply::json(404, json!({})),
    });
    let env = TestEnv::new();
    store_oauth(&env, &srv.url(), "at-old-0001", "rt-old-0001", -60, CLIENT);
    let before = credentials_text(&env);
    let out = env.run(&["auth", "token", "--api-url", &srv.url()], "");
    out.code(1)
        .stderr_has(&format!(
            "{}/oauth/token answered with a redirect",
            srv.url()
        ))
        .stderr_has(&format!("it redirected to {}", elsewhere.url()))
        .not_anywhere("rt-old-0001")
        .not_anywhere("at-old-0001");
    assert_eq!(out.stdout, "");
    assert_eq!(srv.count("/oauth/token"), 1);
    assert!(
        elsewhere.requests().is_empty(),
        "the other origin got {:?}",
        elsewhere.requests()
    );
    assert_eq!(credentials_text(&env), before, "the credential changed");
}

#[test]
fn profile_redirect_is_refused_and_never_followed() {
    let elsewhere = Server::start(profile_handler);
    let target = format!("{}/api/v1/profile", elsewhere.url());
    let redirecting = Arc::new(AtomicBool::new(false));
    let r2 = redirecting.clone();
    let srv = Server::start(move |r| {
        if r.path == "/api/v1/profile" && r2.load(Ordering::SeqCst) {
            Reply::redirect(302, &target)
        } else {
            profile_handler(r)
        }
    });
    let env = TestEnv::new();
    login(&env, &srv.url(), TOKEN).ok();
    let before = credentials_text(&env);
    redirecting.store(true, Ordering::SeqCst);
    login(&env, &srv.url(), "kwd_net_other_token_42")
        .code(1)
        .stderr_has(&format!(
            "{}/api/v1/profile answered with a redirect",
            srv.url()
        ))
        .stderr_has(&format!("it redirected to {}", elsewhere.url()))
        .not_anywhere("kwd_net_other_token_42");
    assert!(
        elsewhere.requests().is_empty(),
        "the other origin got {:?}",
        elsewhere.requests()
    );
    assert_eq!(credentials_text(&env), before, "the credential changed");
    assert_eq!(
        env.run(&["auth", "token", "--api-url", &srv.url()], "")
            .ok()
            .stdout,
        format!("{TOKEN}\n")
    );
}

/// A server whose RFC 8414 document is behind a redirect to `meta_at`
/// (a path on this server, or a URL elsewhere).
fn redirected_discovery(meta_at: impl Fn(&str) -> String + Send + Sync + 'static) -> Server {
    Server::start(move |r| {
        let base = format!("http://{}", r.header("host").unwrap_or_default());
        match r.path.as_str() {
            "/.well-known/oauth-authorization-server" => Reply::redirect(301, &meta_at(&base)),
            "/meta" => Reply::json(
                200,
                json!({"issuer": base, "authorization_endpoint": format!("{base}/authorize"),
                       "token_endpoint": format!("{base}/custom/token")}),
            ),
            "/custom/token" => issued("at-from-custom", "rt-from-custom"),
            "/oauth/token" => issued("at-from-default", "rt-from-default"),
            _ => Reply::json(404, json!({})),
        }
    })
}

#[test]
fn discovery_follows_a_same_origin_redirect() {
    let srv = redirected_discovery(|_| "/meta".to_string());
    let env = TestEnv::new();
    store_oauth(&env, &srv.url(), "at-old-0002", "rt-old-0002", -60, CLIENT);
    let out = env.run(&["auth", "token", "--api-url", &srv.url()], "");
    out.ok();
    assert_eq!(out.stdout, "at-from-custom\n");
    assert_eq!(srv.count("/meta"), 1);
    assert_eq!(srv.count("/custom/token"), 1);
    assert_eq!(srv.count("/oauth/token"), 0);
    let cache = std::fs::read_to_string(env.config_dir().join("discovery.json")).unwrap();
    assert!(cache.contains("/custom/token"), "{cache}");
}

#[test]
fn discovery_does_not_follow_a_cross_origin_redirect() {
    let elsewhere = redirected_discovery(|_| "/meta".to_string());
    let meta = format!("{}/meta", elsewhere.url());
    let srv = redirected_discovery(move |_| meta.clone());
    let env = TestEnv::new();
    store_oauth(&env, &srv.url(), "at-old-0003", "rt-old-0003", -60, CLIENT);
    let out = env.run(&["auth", "token", "--api-url", &srv.url()], "");
    out.ok();
    // The redirect was not followed: the default token endpoint was used.
    assert_eq!(out.stdout, "at-from-default\n");
    assert!(
        elsewhere.requests().is_empty(),
        "the other origin got {:?}",
        elsewhere.requests()
    );
    assert_eq!(srv.count("/oauth/token"), 1);
    assert_eq!(srv.count("/meta"), 0);
}

// ---------------------------------------------------------------- proxies

/// Finding (reqwest 0.13.5 on hyper-util 0.1.21): the proxy matcher built
/// from `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY` bypasses only what
/// `NO_PROXY` lists; loopback targets (`127.0.0.1`, `localhost`) are NOT
/// exempt by default, as with curl. So a proxy on 127.0.0.1 can carry
/// requests for an API on 127.0.0.1, and this test shows both ways.
#[test]
fn http_proxy_carries_requests_and_no_proxy_bypasses_it() {
    let srv = Server::start(profile_handler);
    let proxy = Proxy::start();

    let mut env = TestEnv::new();
    env.set_env("HTTP_PROXY", &proxy.url());
    login(&env, &srv.url(), TOKEN).ok().stderr_has("Logged in");
    let seen = proxy.seen();
    let targets: Vec<&str> = seen.iter().map(|s| s.target.as_str()).collect();
    let profile = format!("{}/api/v1/profile", srv.url());
    assert!(targets.contains(&profile.as_str()), "{targets:?}");
    assert!(
        targets.contains(&format!("{}/.well-known/oauth-authorization-server", srv.url()).as_str()),
        "{targets:?}"
    );
    assert!(seen.iter().all(|s| s.method == "GET"), "{seen:?}");
    assert_eq!(
        seen.len(),
        srv.requests().len(),
        "every request went through the proxy"
    );

    let mut direct = TestEnv::new();
    direct.set_env("HTTP_PROXY", &proxy.url());
    direct.set_env("NO_PROXY", "example.test, 127.0.0.1");
    let before = srv.requests().len();
    login(&direct, &srv.url(), TOKEN).ok();
    assert!(srv.requests().len() > before);
    assert_eq!(
        proxy.seen().len(),
        seen.len(),
        "NO_PROXY covers 127.0.0.1: nothing more went through the proxy"
    );
}

#[test]
fn https_proxy_tunnels_and_never_sees_the_token() {
    let ca = TestCa::new();
    let srv = tls_server(&ca);
    let proxy = Proxy::start();
    let mut env = TestEnv::new();
    let pem = ca.write_ca(env.dir.path(), "ca.pem");
    env.set_env("SSL_CERT_FILE", pem.to_str().unwrap());
    env.set_env("HTTPS_PROXY", &proxy.url());
    login(&env, &srv.url(), TOKEN).ok();
    let seen = proxy.seen();
    assert!(!seen.is_empty(), "nothing went through the proxy");
    let authority = format!("127.0.0.1:{}", srv.port);
    for s in &seen {
        assert_eq!(s.method, "CONNECT", "{seen:?}");
        assert_eq!(s.target, authority, "{seen:?}");
        assert!(!s.headers.contains_key("authorization"), "{seen:?}");
    }
    let profile: Vec<Request> = srv
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/v1/profile")
        .collect();
    assert_eq!(profile.len(), 1);
    assert_eq!(bearer(&profile[0]), Some(TOKEN));
}

// ---------------------------------------------------------------- fail fast

#[test]
fn refused_port_fails_fast_with_its_cause() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port(); // closed again: nothing listens there now
    let env = TestEnv::new();
    let url = format!("http://127.0.0.1:{port}");
    let start = Instant::now();
    login(&env, &url, TOKEN)
        .code(1)
        .stderr_has(&format!("error: could not reach {url}/"))
        .stderr_has("Caused by: connection refused")
        .stderr_has("the server is running")
        .not_anywhere(TOKEN);
    assert!(start.elapsed() < Duration::from_secs(10));
    nothing_stored(&env);
    assert!(!env.config_file().exists(), "no default API URL was saved");
}

#[test]
fn silent_server_fails_within_the_connect_timeout() {
    // Connections complete in the kernel's backlog; nothing ever answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}", silent.local_addr().unwrap().port());
    let env = TestEnv::new();
    env.run(&["config", "set", "http_connect_timeout", "2"], "")
        .ok();
    let start = Instant::now();
    login(&env, &url, TOKEN)
        .code(1)
        .stderr_has("Caused by: timed out")
        .stderr_has("http_connect_timeout")
        .not_anywhere(TOKEN);
    let took = start.elapsed();
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(
        took >= Duration::from_secs(1),
        "gave up before the timeout: {took:?}"
    );
    nothing_stored(&env);
    drop(silent);
}

#[test]
fn slow_profile_fails_within_http_timeout() {
    let srv = Server::start(|r| match r.path.as_str() {
        "/api/v1/profile" => {
            let mut reply = profile_handler(r);
            reply.delay = Duration::from_secs(20);
            reply
        }
        _ => Reply::json(404, json!({})),
    });
    let env = TestEnv::new();
    env.run(&["config", "set", "http_timeout", "2"], "").ok();
    let start = Instant::now();
    login(&env, &srv.url(), TOKEN)
        .code(1)
        .stderr_has(&format!("could not reach {}/api/v1/profile", srv.url()))
        .stderr_has("Caused by: timed out");
    let took = start.elapsed();
    assert!(took < Duration::from_secs(10), "took {took:?}");
    nothing_stored(&env);
}

#[test]
fn invalid_name_is_not_resolved() {
    let env = TestEnv::new();
    let start = Instant::now();
    login(&env, "https://keyward-test.invalid", TOKEN)
        .code(1)
        .stderr_has("could not reach https://keyward-test.invalid/")
        .stderr_has("Caused by: name not resolved")
        .stderr_has("check the host name")
        .not_anywhere(TOKEN);
    assert!(start.elapsed() < Duration::from_secs(10));
    nothing_stored(&env);
}

// ---------------------------------------------------------------- secrets

/// Deterministic filler from `alphabet`.
fn filler(seed: u64, len: usize, alphabet: &[u8]) -> String {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            alphabet[(x >> 33) as usize % alphabet.len()] as char
        })
        .collect()
}

const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Every visible ASCII character: what a token may hold, form-encoding
/// specials (`%`, `&`, `+`, `=`, `/`) and JSON specials (`"`, `\`) included.
fn visible_ascii() -> Vec<u8> {
    (0x21u8..=0x7e).collect()
}

/// A JWT-shaped token (`header.payload.signature`, base64url) of `len` bytes.
fn jwt_shaped(len: usize, seed: u64) -> String {
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(br#"{"alg":"RS256","typ":"JWT","kid":"keyward-net-test"}"#);
    let signature = filler(seed, 342, B64URL);
    let payload = filler(seed + 1, len - header.len() - signature.len() - 2, B64URL);
    format!("{header}.{payload}.{signature}")
}

#[track_caller]
fn hides(out: &Out, secret: &str) {
    let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    for s in [secret, &secret[..24], &encoded, &encoded[..24]] {
        out.not_anywhere(s);
    }
}

#[test]
fn refresh_error_echoing_the_refresh_token_hides_it() {
    let refresh = format!("1//{}", filler(7, 2045, &visible_ascii()));
    let (srv, sent) = token_server(|rt| {
        Reply::json(
            400,
            json!({"error": "invalid_grant",
                   "error_description": format!("refresh token {rt} was revoked")}),
        )
    });
    let env = TestEnv::new();
    store_oauth(&env, &srv.url(), "at-old-0004", &refresh, -60, CLIENT);
    let before = credentials_text(&env);
    let out = env.run(&["auth", "token", "--api-url", &srv.url()], "");
    out.code(4)
        .stderr_has("the server refused to refresh the token (invalid_grant: refresh token *** was revoked)")
        .stderr_has("auth login");
    hides(&out, &refresh);
    let sent = sent.lock().unwrap();
    assert!(
        sent.len() == 1 && sent[0] == refresh,
        "the refresh token sent differs"
    );
    // the tokens are kept; the record gains the refusal mark, token removed
    let mut after = env.read_credentials_raw().unwrap();
    let mark = after[format!("{}#nora@net.test", srv.url())]
        .as_object_mut()
        .unwrap()
        .remove("refresh_failed")
        .unwrap();
    assert_eq!(
        mark["error"],
        "invalid_grant: refresh token *** was revoked"
    );
    assert_eq!(
        after,
        serde_json::from_str::<serde_json::Value>(&before).unwrap()
    );
}

#[test]
fn refresh_error_echoing_the_request_body_hides_the_token() {
    // Some servers echo the raw form body: the token appears form-encoded.
    let refresh = format!("1//{}+{}", filler(8, 60, B64URL), filler(9, 60, B64URL));
    let srv = Server::start(|r| match r.path.as_str() {
        "/oauth/token" => Reply::json(
            400,
            json!({"error": "invalid_request", "error_description": format!("cannot parse {}", r.body)}),
        ),
        _ => Reply::json(404, json!({})),
    });
    let env = TestEnv::new();
    store_oauth(&env, &srv.url(), "at-old-0005", &refresh, -60, CLIENT);
    let out = env.run(&["auth", "refresh", "--api-url", &srv.url()], "");
    out.code(4)
        .stderr_has("invalid_request")
        .stderr_has("grant_type=refresh_token");
    hides(&out, &refresh);
    assert!(
        srv.requests()[srv.requests().len() - 1]
            .body
            .contains("%2B")
    );
}

#[test]
fn profile_error_echoing_a_long_token_hides_it() {
    let token = jwt_shaped(4096, 11);
    let srv = Server::start(|r| match r.path.as_str() {
        "/api/v1/profile" => Reply::json(
            500,
            json!({"message": format!("no session for {}", r.header("authorization").unwrap_or(""))}),
        ),
        _ => Reply::json(404, json!({})),
    });
    let env = TestEnv::new();
    let out = login(&env, &srv.url(), &token);
    out.code(1)
        .stderr_has(&format!("{}/api/v1/profile answered HTTP 500", srv.url()))
        .stderr_has("no session for Bearer ***");
    hides(&out, &token);
    nothing_stored(&env);
}

/// GET `target` from 127.0.0.1:port; the response text.
fn http_get(port: u16, target: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

#[test]
fn code_exchange_error_echoing_code_and_verifier_hides_them() {
    let _ports = peers::callback_ports();
    let code = format!("code-{}", filler(12, 59, B64URL));
    let srv = Server::start(|r| match r.path.as_str() {
        "/oauth/token" => {
            let f = r.form();
            Reply::json(
                400,
                json!({"error": "invalid_grant", "error_description": format!(
                    "code {} does not match verifier {}",
                    f.get("code").map(String::as_str).unwrap_or(""),
                    f.get("code_verifier").map(String::as_str).unwrap_or(""))}),
            )
        }
        _ => Reply::json(404, json!({})),
    });
    let mut env = TestEnv::new();
    env.set_env("BROWSER", "true");
    let mut run = env.spawn(&[
        "auth",
        "login",
        "--api-url",
        &srv.url(),
        "--client-id",
        CLIENT,
        "--timeout",
        "60",
    ]);
    let url = run.authorize_url();
    let state = param(&url, "state").unwrap();
    let port: u16 = param(&url, "redirect_uri")
        .unwrap()
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/callback")
        .parse()
        .unwrap();
    let page = http_get(port, &format!("/callback?code={code}&state={state}"));
    let out = run.finish(Duration::from_secs(60));
    out.code(4)
        .stderr_has("the token endpoint refused the authorization code")
        .stderr_has("invalid_grant: code *** does not match verifier ***");
    let exchange: Vec<Request> = srv
        .requests()
        .into_iter()
        .filter(|r| r.path == "/oauth/token")
        .collect();
    assert_eq!(exchange.len(), 1);
    let form = exchange[0].form();
    assert_eq!(form["code"], code);
    let verifier = &form["code_verifier"];
    assert!(verifier.len() >= 43, "{verifier}");
    hides(&out, &code);
    hides(&out, verifier);
    assert!(!page.contains(&code) && !page.contains(verifier.as_str()));
    assert!(exchange[0].header("authorization").is_none());
    assert_eq!(exchange[0].header("user-agent"), Some(UA));
    nothing_stored(&env);
}

// ---------------------------------------------------------------- long tokens

#[test]
fn long_tokens_pass_byte_for_byte() {
    let access = jwt_shaped(4096, 21);
    let refresh = filler(22, 2048, &visible_ascii());
    let access2 = jwt_shaped(4096, 23);
    assert_eq!((access.len(), refresh.len()), (4096, 2048));
    let (a, r, a2) = (access.clone(), refresh.clone(), access2.clone());
    let (srv, sent) = token_server(move |rt| match rt {
        "rt-start-0001" => issued(&a, &r),
        // The long refresh token came back exactly as issued.
        t if t == r => issued(&a2, &r),
        _ => Reply::json(400, json!({"error": "invalid_grant"})),
    });
    let env = TestEnv::new();
    let url = srv.url();
    store_oauth(&env, &url, "at-start-0001", "rt-start-0001", -60, CLIENT);

    let out = env.run(&["auth", "token", "--api-url", &url], "");
    out.ok();
    assert!(
        out.stdout == format!("{access}\n"),
        "the printed token differs"
    );
    let rec = &env.read_credentials().unwrap()[&url];
    assert!(rec["access_token"] == access.as_str());
    assert!(
        rec["refresh_token"] == refresh.as_str(),
        "the stored refresh token differs"
    );

    // Valid now: printed from the store, unchanged.
    let out = env.run(&["auth", "token", "--api-url", &url], "");
    out.ok();
    assert!(out.stdout == format!("{access}\n"));
    assert_eq!(sent.lock().unwrap().len(), 1);

    // The long refresh token goes back in a form body byte for byte.
    env.run(&["auth", "refresh", "--api-url", &url], "")
        .ok()
        .stderr_has("Token refreshed")
        .not_anywhere(&refresh)
        .not_anywhere(&access2);
    assert!(sent.lock().unwrap()[1] == refresh);
    let out = env.run(&["auth", "token", "--api-url", &url], "");
    out.ok();
    assert!(out.stdout == format!("{access2}\n"));
}

#[test]
fn unusable_server_issued_tokens_are_refused() {
    for (access, refresh, why) in [
        (
            "at with-a-space",
            "rt-fine-0001",
            "access token keyward cannot use: it contains a space",
        ),
        (
            "at-bell\u{7}-0001",
            "rt-fine-0001",
            "access token keyward cannot use: it contains a control character",
        ),
        (
            "tök_abcdef_0001",
            "rt-fine-0001",
            "access token keyward cannot use: it contains a non-ASCII character",
        ),
        (
            "at-fine-0001",
            "rt\u{1b}[31m-0001",
            "refresh token keyward cannot use: it contains a control character",
        ),
    ] {
        let (a, r) = (access.to_string(), refresh.to_string());
        let (srv, _) = token_server(move |_| issued(&a, &r));
        let env = TestEnv::new();
        store_oauth(&env, &srv.url(), "at-old-0006", "rt-old-0006", -60, CLIENT);
        let before = credentials_text(&env);
        let out = env.run(&["auth", "token", "--api-url", &srv.url()], "");
        out.code(1)
            .stderr_has(&format!(
                "the token endpoint {}/oauth/token returned an {why}",
                srv.url()
            ))
            .stderr_has("never alters tokens")
            .not_anywhere(access)
            .not_anywhere(refresh);
        assert_eq!(out.stdout, "");
        assert_eq!(
            credentials_text(&env),
            before,
            "{why}: the credential changed"
        );
    }
}

#[test]
fn user_supplied_non_ascii_token_is_a_usage_error() {
    let srv = Server::start(profile_handler);
    let env = TestEnv::new();
    let out = login(&env, &srv.url(), "tök_ab");
    out.code(2)
        .stderr_has("the token cannot be used: it contains a non-ASCII character");
    let solution = out
        .stderr
        .lines()
        .find(|l| l.starts_with("Solution:"))
        .unwrap_or_else(|| panic!("no Solution line\n{out:#?}"));
    for network_words in ["network", "proxy", "running", "DNS", "ca_file", "timeout"] {
        assert!(!solution.contains(network_words), "{solution}");
    }
    assert!(
        srv.requests().is_empty(),
        "no request for an unusable token"
    );
    nothing_stored(&env);
}

// ---------------------------------------------------------------- headers

#[test]
fn user_agent_everywhere_and_authorization_only_at_the_profile() {
    let srv = Server::start(|r| {
        let base = format!("http://{}", r.header("host").unwrap_or_default());
        match r.path.as_str() {
            "/.well-known/oauth-authorization-server" => Reply::json(
                200,
                json!({"issuer": base, "authorization_endpoint": format!("{base}/authorize"),
                       "token_endpoint": format!("{base}/token"),
                       "revocation_endpoint": format!("{base}/revoke")}),
            ),
            "/token" => issued("at-fresh-0007", "rt-fresh-0007"),
            "/revoke" => Reply::json(200, json!({})),
            _ => profile_handler(r),
        }
    });
    let env = TestEnv::new();
    let url = srv.url();
    login(&env, &url, TOKEN).ok();
    store_oauth(&env, &url, "at-old-0007", "rt-old-0007", -60, CLIENT);
    assert_eq!(
        env.run(&["auth", "token", "--api-url", &url], "")
            .ok()
            .stdout,
        "at-fresh-0007\n"
    );
    env.run(&["auth", "logout", "--revoke", "--api-url", &url], "")
        .ok();
    let reqs = srv.requests();
    let paths: Vec<&str> = reqs.iter().map(|r| r.path.as_str()).collect();
    for p in [
        "/.well-known/oauth-authorization-server",
        "/api/v1/profile",
        "/token",
        "/revoke",
    ] {
        assert!(paths.contains(&p), "no request to {p}: {paths:?}");
    }
    for r in &reqs {
        assert_eq!(r.header("user-agent"), Some(UA), "{} {}", r.method, r.path);
        match r.path.as_str() {
            "/api/v1/profile" => assert_eq!(bearer(r), Some(TOKEN)),
            _ => assert!(
                r.header("authorization").is_none(),
                "Authorization sent to {}",
                r.path
            ),
        }
    }
}
