//! The wait of a login: Ctrl-C in every phase, a browser that cannot be
//! opened, and failing fast when the server cannot be reached.

use super::oauth::{bare_login, bare_server, get};
use crate::common::peers;
use crate::common::server::{Reply, Server};
use crate::common::spawn::param;
use crate::common::*;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn dead_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn port_of(authorize_url: &str) -> u16 {
    param(authorize_url, "redirect_uri")
        .unwrap()
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/callback")
        .parse()
        .unwrap()
}

fn interrupt(pid: u32) {
    std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
}

#[track_caller]
fn assert_cancelled(out: &Out, env: &TestEnv) {
    assert_eq!(out.code, 130, "Ctrl-C exits 130\n{out:#?}");
    assert!(out.stderr.contains("Login cancelled"), "{out:#?}");
    assert!(!out.stderr.contains("error:"), "{out:#?}");
    assert!(
        !env.credentials_file().exists() && !env.config_file().exists(),
        "nothing written"
    );
}

#[test]
fn ctrl_c_while_the_browser_is_open_exits_130() {
    let _ports = peers::callback_ports();
    let srv = bare_server(Arc::new(Mutex::new(String::new())));
    let mut env = TestEnv::new();
    env.set_env("BROWSER", "true");
    let mut run = env.spawn(&bare_login(&srv.url(), "bare-cli", &[]));
    let url = run.authorize_url();
    interrupt(run.pid());
    let out = run.finish(Duration::from_secs(10));
    assert_cancelled(&out, &env);
    std::net::TcpListener::bind(("127.0.0.1", port_of(&url))).expect("the port is free again");
}

#[test]
fn ctrl_c_while_waiting_for_a_paste_exits_130() {
    let _ports = peers::callback_ports();
    let srv = bare_server(Arc::new(Mutex::new(String::new())));
    let env = TestEnv::new();
    let mut run = env.spawn(&bare_login(&srv.url(), "bare-cli", &["--no-browser"]));
    run.authorize_url();
    run.wait_line("the paste prompt", Duration::from_secs(10), |l| {
        l.contains("paste the code")
    });
    interrupt(run.pid());
    let out = run.finish(Duration::from_secs(10));
    assert_cancelled(&out, &env);
}

#[test]
fn ctrl_c_during_the_device_flow_exits_130() {
    let srv = Server::start(move |r| {
        let base = format!("http://{}", r.header("host").unwrap_or_default());
        match r.path.as_str() {
            "/.well-known/oauth-authorization-server" => Reply::json(
                200,
                json!({"issuer": base, "authorization_endpoint": format!("{base}/authorize"),
                "token_endpoint": format!("{base}/token"), "device_authorization_endpoint": format!("{base}/device/code")}),
            ),
            "/device/code" => Reply::json(
                200,
                json!({"device_code": "dev-1", "user_code": "WDJB-MJHT",
                "verification_uri": format!("{base}/device"), "expires_in": 120, "interval": 1}),
            ),
            "/token" => Reply::json(400, json!({"error": "authorization_pending"})),
            _ => Reply::json(404, json!({})),
        }
    });
    let env = TestEnv::new();
    let mut run = env.spawn(&bare_login(&srv.url(), "dev-cli", &["--device"]));
    run.wait_line("the user code", Duration::from_secs(10), |l| {
        l.contains("WDJB-MJHT")
    });
    interrupt(run.pid());
    let out = run.finish(Duration::from_secs(10));
    assert_cancelled(&out, &env);
}

#[test]
fn a_browser_that_cannot_be_opened_switches_to_paste_back() {
    let _ports = peers::callback_ports();
    let challenge = Arc::new(Mutex::new(String::new()));
    let srv = bare_server(challenge.clone());
    let mut env = TestEnv::new();
    env.set_env("BROWSER", "/nonexistent/keyward-test-browser");
    let mut run = env.spawn(&bare_login(&srv.url(), "bare-cli", &[]));
    let url = run.authorize_url();
    *challenge.lock().unwrap() = param(&url, "code_challenge").unwrap();
    run.wait_line("the paste prompt", Duration::from_secs(10), |l| {
        l.contains("paste the code")
    });
    let state = param(&url, "state").unwrap();
    let port = port_of(&url);
    run.write_line(&format!(
        "http://127.0.0.1:{port}/callback?code=the-code&state={state}"
    ));
    let out = run.finish(Duration::from_secs(30));
    out.ok()
        .stderr_has("Could not open a browser")
        .stderr_has("✓ Logged in")
        .stderr_has("Bea Bare");
}

#[test]
fn with_no_browser_the_listener_keeps_waiting() {
    let _ports = peers::callback_ports();
    let challenge = Arc::new(Mutex::new(String::new()));
    let srv = bare_server(challenge.clone());
    let mut env = TestEnv::new();
    env.set_env("BROWSER", "/nonexistent/keyward-test-browser");
    let mut run = env.spawn(&bare_login(&srv.url(), "bare-cli", &[]));
    let url = run.authorize_url();
    *challenge.lock().unwrap() = param(&url, "code_challenge").unwrap();
    // Nothing is pasted, stdin even closes: the browser of another device
    // (or a port forward) still completes the login.
    run.close_stdin();
    let state = param(&url, "state").unwrap();
    let page = get(
        port_of(&url),
        &format!("/callback?code=the-code&state={state}"),
    );
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    let out = run.finish(Duration::from_secs(30));
    out.ok().stderr_has("✓ Logged in");
}

/// A `$BROWSER` that leaves a mark when it runs.
fn marking_browser(env: &mut TestEnv) -> std::path::PathBuf {
    let mark = env.dir.path().join("browser-ran");
    let script = env.dir.path().join("browser.sh");
    std::fs::write(&script, format!("touch '{}'\n", mark.display())).unwrap();
    env.set_env("BROWSER", &format!("sh {}", script.display()));
    mark
}

#[test]
fn an_unreachable_server_fails_before_the_browser_opens() {
    let mut env = TestEnv::new();
    let mark = marking_browser(&mut env);
    let url = format!("http://127.0.0.1:{}", dead_port());
    let started = Instant::now();
    env.run(&bare_login(&url, "bare-cli", &[]), "")
        .code(1)
        .stderr_has("could not reach")
        .stderr_has("Caused by: connection refused")
        .stderr_has("Solution:");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(!mark.exists(), "no browser was opened");
    assert!(!env.credentials_file().exists());
}

#[test]
fn with_cached_endpoints_the_token_server_is_checked_before_the_browser_opens() {
    let mut env = TestEnv::new();
    let mark = marking_browser(&mut env);
    let url = format!("http://127.0.0.1:{}", dead_port());
    // Discovery answered yesterday... well, a minute ago: no metadata.
    std::fs::create_dir_all(env.config_dir()).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    std::fs::write(
        env.config_dir().join("discovery.json"),
        json!({ url.clone(): {"fetched_at": now, "origin": "none", "metadata": null} }).to_string(),
    )
    .unwrap();
    env.run(&bare_login(&url, "bare-cli", &[]), "")
        .code(1)
        .stderr_has(&format!("could not reach {url}/oauth/token"))
        .stderr_has("connection refused");
    assert!(!mark.exists(), "no browser was opened");
}

#[test]
fn device_login_to_an_unreachable_server_says_so() {
    let env = TestEnv::new();
    let url = format!("http://127.0.0.1:{}", dead_port());
    let out = env.run(&bare_login(&url, "dev-cli", &["--device"]), "");
    out.code(1)
        .stderr_has("could not reach")
        .stderr_has("connection refused");
    assert!(
        !out.stderr.contains("does not advertise"),
        "an unreachable server is not a server without a device endpoint\n{out:#?}"
    );
}
