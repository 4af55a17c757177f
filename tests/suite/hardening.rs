//! Hostile input that must not reach the terminal, and hints that say
//! what is wrong (issue 15's findings 2 and 9).

use crate::common::server::{Reply, Server};
use crate::common::*;
use serde_json::json;

/// A device-flow server whose every shown field carries terminal escapes:
/// an OSC 52 clipboard write, a screen clear, a carriage return that would
/// overwrite the shown URL, an OSC 8 link and a bidi override.
fn hostile_device_server() -> Server {
    Server::start(move |r| {
        let base = format!("http://{}", r.header("host").unwrap_or_default());
        match r.path.as_str() {
            "/.well-known/oauth-authorization-server" => Reply::metadata(&base, true),
            "/device/code" => Reply::json(
                200,
                json!({"device_code": "dev-1",
                    "user_code": "\u{1b}]52;c;ZXZpbA==\u{7}WDJB\u{1b}[2J-MJHT",
                    "verification_uri": format!("{base}/device\rhttps://evil.example/\u{202e}"),
                    "verification_uri_complete": format!("\u{1b}]8;;https://evil.example\u{1b}\\{base}/device?c=1\u{1b}]8;;\u{1b}\\"),
                    "expires_in": 2, "interval": 1}),
            ),
            "/token" => Reply::json(
                400,
                json!({"error": "expired_token", "error_description": "gone \u{1b}[31mred\u{9b}0m"}),
            ),
            _ => Reply::json(404, json!({})),
        }
    })
}

#[test]
fn server_text_in_the_device_flow_cannot_drive_the_terminal() {
    let srv = hostile_device_server();
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_CLIENT_ID", "cli");
    let out = env.run(
        &[
            "auth",
            "login",
            "--device",
            "-h",
            &srv.url(),
            "--timeout",
            "20",
        ],
        "",
    );
    out.code(1).stderr_has("the one-time code expired");
    let all = format!("{}{}", out.stdout, out.stderr);
    for bad in ['\u{1b}', '\r', '\u{7}', '\u{9b}', '\u{202e}'] {
        assert!(!all.contains(bad), "{bad:?} reached the terminal: {all:?}");
    }
    // what the server said is still shown, made printable
    out.stderr_has("WDJB")
        .stderr_has("-MJHT")
        .stderr_has(&format!("{}/device", srv.url()));
}

#[test]
fn config_values_cannot_drive_the_terminal() {
    let env = TestEnv::new();
    let esc = "read\u{1b}[2Jwrite";
    env.run(
        &["config", "set", "scopes", esc, "-h", "api.example.test"],
        "",
    )
    .code(2)
    .stderr_has("without control or invisible characters");
    // hand-written: a known key is refused, an unknown one is shown printable
    std::fs::create_dir_all(env.config_dir()).unwrap();
    let write = |text: &str| {
        std::fs::write(env.config_file(), text).unwrap();
        std::fs::set_permissions(
            env.config_file(),
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .unwrap();
    };
    write("[hosts.\"https://api.example.test\"]\nscopes = [\"a\\u001b[2Jb\"]\n");
    let out = env.run(&["config", "list"], "");
    out.code(1)
        .stderr_has("`hosts.\"https://api.example.test\".scopes` value must be");
    write("browsr = \"\\u001b]52;c;ZXZpbA==\\u0007x\"\n");
    let out = env.run(&["config", "list"], "");
    out.ok();
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(!all.contains('\u{1b}') && !all.contains('\u{7}'), "{all:?}");
    out.stdout_has("browsr=");
}

/// Hold the flock of `path` (as another keyward would, its pid written in
/// the file) until the returned file is dropped.
fn hold_lock(path: &std::path::Path) -> std::fs::File {
    use std::io::Write;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(path)
        .unwrap();
    f.lock().unwrap();
    f.set_len(0).unwrap();
    writeln!(f, "{}", std::process::id()).unwrap();
    f
}

#[test]
fn a_held_store_lock_names_its_holder_and_the_wait_not_the_permissions() {
    let srv = Server::profile(vec![("kwd_lock_token_0123", json!({"name": "Lee"}))]);
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_LOCK_TIMEOUT", "0.3");
    let _held = hold_lock(&env.config_dir().join(".credentials.lock"));
    let out = env.run(
        &["auth", "login", "--token-stdin", "-h", &srv.url()],
        "kwd_lock_token_0123",
    );
    out.code(1)
        .stderr_has(&format!(
            "another process (pid {}) holds it",
            std::process::id()
        ))
        .stderr_has("Solution: wait for process")
        .stderr_has("set KEYWARD_LOCK_TIMEOUT=SECONDS")
        .stderr_has("deleting the lock file does not release it")
        .not_anywhere("check the permissions")
        .not_anywhere("kwd_lock_token");
}

#[test]
fn a_held_refresh_lock_says_to_wait_never_to_delete_it() {
    let srv = Server::start(|_| Reply::json(500, json!({})));
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_LOCK_TIMEOUT", "0.3");
    let url = srv.url();
    store_oauth(&env, &url, "at-lock", "rt-lock", -60, "lock-cli");
    let session = keyward::session::Session::new(
        keyward::Platform::keyward(),
        keyward::config::Paths {
            dir: env.config_dir(),
        },
        keyward::config::Config::parse(env.config_file(), "").unwrap(),
    );
    let lock = keyward::auth::refresh::lock_path(&session, &format!("{url}#nora@net.test"));
    let _held = hold_lock(&lock);
    env.run(&["auth", "token", "-h", &url], "")
        .code(1)
        .stderr_has("could not take the refresh lock")
        .stderr_has("KEYWARD_LOCK_TIMEOUT")
        .not_anywhere("delete");
}

#[test]
fn a_profile_answer_too_large_is_named_as_such_not_as_unreachable() {
    let srv = Server::start(|_| Reply {
        status: 200,
        body: format!("{{\"name\": \"{}\"}}", "x".repeat(2 << 20)),
        delay: std::time::Duration::ZERO,
        headers: Vec::new(),
    });
    let env = TestEnv::new();
    env.run(
        &["auth", "login", "--token-stdin", "-h", &srv.url()],
        "kwd_big_profile_0123",
    )
    .code(1)
    .stderr_has("answered with too large a response")
    .not_anywhere("could not reach");
}

#[test]
fn a_non_ascii_token_is_bad_input_not_a_network_problem() {
    let srv = Server::profile(vec![]);
    let env = TestEnv::new();
    env.run(
        &["auth", "login", "--token-stdin", "-h", &srv.url()],
        "kwd_tøken_0123",
    )
    .code(2)
    .stderr_has("non-ASCII")
    .not_anywhere("network");
    assert!(srv.requests().is_empty(), "nothing was sent");
}

#[test]
fn a_system_opener_that_fails_is_reported_and_gets_no_token() {
    let srv = Server::start(move |r| {
        let base = format!("http://{}", r.header("host").unwrap_or_default());
        match r.path.as_str() {
            "/.well-known/oauth-authorization-server" => Reply::metadata(&base, false),
            _ => Reply::json(404, json!({})),
        }
    });
    let mut env = TestEnv::new();
    // an xdg-open that finds no browser, and writes down what it was given
    let bin = env.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let seen = env.dir.path().join("opener-env");
    std::fs::write(
        bin.join("xdg-open"),
        format!("#!/bin/sh\nenv > {}\nexit 3\n", seen.display()),
    )
    .unwrap();
    std::fs::set_permissions(
        bin.join("xdg-open"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    env.set_env(
        "PATH",
        &format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
    );
    env.set_env("DISPLAY", ":0");
    env.set_env("KEYWARD_CLIENT_ID", "cli");
    env.set_env("KEYWARD_TOKEN_example_test", "kwd_secret_in_env_0123");
    let out = env.run(
        &["auth", "login", "-w", "-h", &srv.url(), "--timeout", "2"],
        "",
    );
    out.code(1).stderr_has("could not open a browser");
    let opener_env = std::fs::read_to_string(&seen).expect("xdg-open ran");
    assert!(!opener_env.contains("kwd_secret_in_env"), "{opener_env}");
}
