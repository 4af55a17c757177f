//! `Solution:` lines repeat the environment that failed (`-h`, `--tenant`),
//! and the device flow ends with exit 1 when the login is denied or not
//! approved in time.

use super::lifecycle::{issuer, store};
use crate::common::server::{Reply, Server};
use crate::common::*;
use serde_json::json;
use std::time::Duration;

#[test]
fn a_failed_refresh_points_to_a_login_for_the_same_api_url() {
    let is = issuer(Duration::ZERO);
    let url = is.srv.url();
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_CREDENTIAL_STORE", "file");
    // rt-0 is not the issuer's current refresh token: invalid_grant
    store(&env, &url, "at-0", Some("rt-0"), Some(-60));
    env.run(&["auth", "refresh", "-h", &url], "")
        .code(4)
        .stderr_has(&format!("Run `keyward auth login -h {url}` again."));
    // from the environment variable: the same
    env.set_env("KEYWARD_API_URL", &url);
    env.run(&["auth", "refresh"], "")
        .code(4)
        .stderr_has(&format!("Run `keyward auth login -h {url}` again."));
    // the default API URL needs no -h
    let mut env2 = TestEnv::new();
    env2.set_env("KEYWARD_CREDENTIAL_STORE", "file");
    store(&env2, &url, "at-0", Some("rt-0"), Some(-60));
    env2.run(&["config", "set", "api_url", &url], "").ok();
    for args in [vec!["auth", "refresh"], vec!["auth", "refresh", "-h", &url]] {
        env2.run(&args, "")
            .code(4)
            .stderr_has("Run `keyward auth login` again.");
    }
}

#[test]
fn not_logged_in_names_the_api_url_once() {
    let env = TestEnv::new();
    let out = env.run(
        &["auth", "token", "-h", "https://elsewhere.example.test"],
        "",
    );
    out.code(4)
        .stderr_has("Solution: run `keyward auth login -h https://elsewhere.example.test`");
    assert_eq!(out.stderr.matches("-h https://").count(), 1, "{out:#?}");
    // `auth refresh` says it is refreshing only when there is a login to
    // refresh
    let out = env.run(
        &["auth", "refresh", "-h", "https://elsewhere.example.test"],
        "",
    );
    out.code(4)
        .stderr_has("Solution: run `keyward auth login -h https://elsewhere.example.test`")
        .not_anywhere("Refreshing");
}

/// A device-flow server whose token endpoint answers `pending` first, then
/// `outcome` (an OAuth error code).
fn device_server(outcome: &'static str, expires_in: u64) -> Server {
    Server::start(move |r| {
        let base = format!("http://{}", r.header("host").unwrap_or_default());
        match r.path.as_str() {
            "/.well-known/oauth-authorization-server" => Reply::metadata(&base, true),
            "/device/code" => Reply::json(
                200,
                json!({"device_code": "dev-secret-0123456789", "user_code": "WDJB-MJHT",
                "verification_uri": format!("{base}/device"), "expires_in": expires_in, "interval": 1}),
            ),
            "/token" => Reply::json(400, json!({ "error": outcome })),
            _ => Reply::json(404, json!({})),
        }
    })
}

fn device_login(srv: &Server, timeout: &str) -> Out {
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_CREDENTIAL_STORE", "file");
    let url = srv.url();
    let out = env.run(
        &[
            "auth",
            "login",
            "--device",
            "-h",
            &url,
            "--tenant",
            "acme",
            "--client-id",
            "dev-cli",
            "--timeout",
            timeout,
        ],
        "",
    );
    assert!(!env.credentials_file().exists());
    out
}

#[test]
fn a_denied_device_login_exits_1_and_says_how_to_try_again() {
    let srv = device_server("access_denied", 120);
    let url = srv.url();
    device_login(&srv, "60")
        .code(1)
        .stderr_has("error: the device login was denied in the browser")
        .stderr_has(&format!(
            "Solution: run `keyward auth login --device -h {url} --tenant acme` again and approve the request in the browser"
        ))
        .not_anywhere("dev-secret-0123456789");
}

#[test]
fn an_expired_device_code_exits_1() {
    let srv = device_server("expired_token", 120);
    let url = srv.url();
    device_login(&srv, "60")
        .code(1)
        .stderr_has("the one-time code expired")
        .stderr_has(&format!(
            "`keyward auth login --device -h {url} --tenant acme`"
        ));
    // the code's own lifetime ends the wait: a longer --timeout would not help
    let srv = device_server("authorization_pending", 2);
    device_login(&srv, "60")
        .code(1)
        .stderr_has("not approved in time: the one-time code expired");
}

#[test]
fn a_device_login_not_approved_within_the_timeout_exits_1() {
    let srv = device_server("authorization_pending", 120);
    let url = srv.url();
    device_login(&srv, "2")
        .code(1)
        .stderr_has("error: the device login was not approved in time\n")
        .stderr_has(&format!(
            "`keyward auth login --device -h {url} --tenant acme`"
        ))
        .stderr_has("raise --timeout");
}
