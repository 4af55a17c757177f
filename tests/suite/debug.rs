//! Debug output: `KEYWARD_DEBUG=api` (and `--debug`) traces each HTTP
//! request and response with every secret redacted; `KEYWARD_DEBUG=1`
//! prints diagnostic causes; a branded build reads its own variable.

use super::lifecycle::{example, issuer, store};
use super::oauth::{bare_login, bare_server, get};
use crate::common::peers;
use crate::common::server::Server;
use crate::common::spawn::param;
use crate::common::*;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TOKEN: &str = "kwd_debug_token_0123456789";

#[test]
fn debug_api_traces_a_token_login_without_the_token() {
    let srv = Server::profile(vec![(TOKEN, json!({"name": "Dee", "email": "dee@x.test"}))]);
    let url = srv.url();
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_CREDENTIAL_STORE", "file");
    // without debugging: no trace
    let plain = env.run(&["auth", "login", "--with-token", "-h", &url], TOKEN);
    plain.ok();
    assert!(!plain.stderr.contains("* Request"), "{plain:#?}");
    env.set_env("KEYWARD_DEBUG", "api");
    env.run(&["auth", "login", "--with-token", "-h", &url], TOKEN)
        .ok()
        .stderr_has("* Request ")
        .stderr_has(&format!(": GET {url}/api/v1/profile"))
        .stderr_has("> Authorization: Bearer [REDACTED]")
        .stderr_has("< HTTP 200 OK (")
        .stderr_has(" ms)")
        .stderr_has("\"name\":\"Dee\"")
        .stderr_has("✓ Logged in")
        .not_anywhere(TOKEN);
}

/// `auth refresh` traced by `how` (an environment variable or `--debug`).
fn traced_refresh(debug_env: Option<(&str, &str)>, flag: bool) {
    let is = issuer(Duration::ZERO);
    let url = is.srv.url();
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_CREDENTIAL_STORE", "file");
    if let Some((k, v)) = debug_env {
        env.set_env(k, v);
    }
    store(&env, &url, "at-1", Some("rt-1"), Some(-60));
    let mut args = vec!["auth", "refresh", "-h", &url];
    if flag {
        args.push("--debug");
    }
    let out = env.run(&args, "");
    out.ok()
        .stderr_has(&format!(": POST {url}/oauth/token"))
        .stderr_has("> Content-Type: application/x-www-form-urlencoded")
        .stderr_has("grant_type=refresh_token&refresh_token=[REDACTED]&client_id=life-cli")
        .stderr_has("< HTTP 200 OK (")
        .stderr_has("\"access_token\":\"[REDACTED]\"")
        .stderr_has("\"refresh_token\":\"[REDACTED]\"")
        .stderr_has("✓ Token refreshed")
        .not_anywhere("rt-1")
        .not_anywhere("rt-2")
        .not_anywhere("at-2");
    // the refresh really happened with the real tokens
    assert_eq!(
        env.read_credentials().unwrap()[&url]["refresh_token"],
        "rt-2"
    );
}

#[test]
fn debug_api_traces_a_refresh_without_its_tokens() {
    traced_refresh(Some(("KEYWARD_DEBUG", "api")), false);
}

#[test]
fn the_debug_flag_traces_as_debug_api_does() {
    traced_refresh(None, true);
}

#[test]
fn a_browser_login_never_shows_the_code_or_the_verifier() {
    let _ports = peers::callback_ports();
    let challenge = Arc::new(Mutex::new(String::new()));
    let srv = bare_server(challenge.clone());
    let mut env = TestEnv::new();
    env.set_env("BROWSER", "true");
    env.set_env("KEYWARD_CREDENTIAL_STORE", "file");
    env.set_env("KEYWARD_DEBUG", "api");
    let mut run = env.spawn(&bare_login(&srv.url(), "bare-cli", &["--timeout", "60"]));
    let url = run.authorize_url();
    *challenge.lock().unwrap() = param(&url, "code_challenge").unwrap();
    let redirect = param(&url, "redirect_uri").unwrap();
    let port: u16 = redirect
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/callback")
        .parse()
        .unwrap();
    let state = param(&url, "state").unwrap();
    let ok = get(port, &format!("/callback?code=the-code&state={state}"));
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    let out = run.finish(Duration::from_secs(60));
    let token_request = srv
        .requests()
        .into_iter()
        .find(|r| r.path == "/oauth/token")
        .unwrap();
    let verifier = token_request.form()["code_verifier"].clone();
    assert!(verifier.len() >= 43);
    out.ok()
        .stderr_has(&format!(": POST {}/oauth/token", srv.url()))
        .stderr_has("code=[REDACTED]")
        .stderr_has("code_verifier=[REDACTED]")
        .stderr_has("client_id=bare-cli")
        .stderr_has("> Authorization: Bearer [REDACTED]")
        .not_anywhere("the-code")
        .not_anywhere(&verifier)
        .not_anywhere("bare_access_0123456789")
        .not_anywhere("bare_refresh_0123456789");
}

#[test]
fn debug_1_shows_the_raw_keychain_error_the_normal_output_leaves_out() {
    let raw = "Failed to connect to address";
    let mut env = TestEnv::new(); // no D-Bus
    env.set_env("KEYWARD_CREDENTIAL_STORE", "keychain");
    let args = ["auth", "token", "-h", "https://elsewhere.example.test"];
    env.run(&args, "")
        .code(1)
        .stderr_has("Caused by: no D-Bus session bus")
        .not_anywhere(raw)
        .not_anywhere("Debug:");
    env.set_env("KEYWARD_DEBUG", "1");
    env.run(&args, "")
        .code(1)
        .stderr_has("Caused by: no D-Bus session bus")
        .stderr_has(&format!("Debug: zbus error: {raw}"))
        .stderr_has(NO_BUS);

    // auto mode gets past it (the file): the raw cause is a diagnostic
    let srv = Server::profile(vec![(TOKEN, json!({"name": "Dee"}))]);
    let mut env = TestEnv::new();
    let login = ["auth", "login", "--with-token", "-h", &srv.url()];
    env.run(&login, TOKEN)
        .ok()
        .stderr_has("keychain is not reachable (no D-Bus session bus")
        .not_anywhere(raw);
    env.set_env("KEYWARD_DEBUG", "1");
    let out = env.run(&login, TOKEN);
    out.ok()
        .stderr_has(&format!("* keychain: zbus error: {raw}"));
    assert_eq!(out.stderr.matches(raw).count(), 1, "said once\n{out:#?}");
    // level 1 is causes only: no HTTP traffic
    assert!(!out.stderr.contains("* Request"), "{out:#?}");
}

#[test]
fn a_branded_build_reads_its_own_debug_variable() {
    let is = issuer(Duration::ZERO);
    let url = is.srv.url();
    let env = TestEnv::new();
    store(&env, &url, "at-1", Some("rt-1"), Some(-60));
    let acme = |var: &str| {
        let o = std::process::Command::new(example("acme"))
            .args(["auth", "refresh", "-h", &url])
            .env_clear()
            .env("ACME_CONFIG_DIR", env.config_dir())
            .env("ACME_CREDENTIAL_STORE", "file")
            .env(var, "api")
            .output()
            .unwrap();
        assert!(o.status.success(), "{o:?}");
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    // keyward's variable means nothing to acme
    let quiet = acme("KEYWARD_DEBUG");
    assert!(!quiet.contains("* Request"), "{quiet}");
    let traced = acme("ACME_DEBUG");
    assert!(
        traced.contains(&format!(": POST {url}/oauth/token")),
        "{traced}"
    );
    assert!(traced.contains("refresh_token=[REDACTED]"), "{traced}");
    // the second refresh sent rt-2 and got at-3 and rt-3
    for secret in ["rt-2", "at-3", "rt-3"] {
        assert!(!traced.contains(secret), "{secret}: {traced}");
    }
}
