//! Hostile input (issue 15, findings 1, 5, 6, 8, 10, 12, 13): URLs that
//! once panicked, numbers and durations out of range, closed pipes, long
//! API URLs, environment tokens, oversized files and odd environments. Each
//! test runs the real binary.

use super::lifecycle::{now, store};
use super::oauth::{bare_login, bare_server};
use crate::common::server::{Reply, Server};
use crate::common::*;
use serde_json::json;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A non-ASCII `http:` URL whose byte 7 is inside a character: it used to
/// panic while the refusal was written.
const NON_ASCII_HTTP: &str = "http:aé://x";

#[track_caller]
fn no_panic(out: &Out) {
    assert!(
        !out.stderr.contains("panicked") && out.code != 101,
        "a panic\n{out:#?}"
    );
}

// ---- 1. non-ASCII http: URLs ----

#[test]
fn a_non_ascii_http_url_is_refused_at_every_entry_point() {
    let mut env = TestEnv::new();
    for args in [
        vec!["auth", "token", "--api-url", NON_ASCII_HTTP],
        vec!["auth", "status", "-h", NON_ASCII_HTTP],
        vec!["config", "set", "api_url", NON_ASCII_HTTP],
        vec!["config", "set", "client_id", "c", "--host", NON_ASCII_HTTP],
        vec!["config", "get", "client_id", "--host", NON_ASCII_HTTP],
    ] {
        let out = env.run(&args, "");
        no_panic(&out);
        out.code(2).stderr_has("refusing plain-http API URL");
    }
    env.set_env("KEYWARD_API_URL", NON_ASCII_HTTP);
    let out = env.run(&["auth", "token"], "");
    no_panic(&out);
    out.code(2).stderr_has("KEYWARD_API_URL");
}

#[test]
fn a_config_toml_holding_a_non_ascii_http_url_can_be_repaired() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(
        env.config_file(),
        format!(
            "api_url = \"{NON_ASCII_HTTP}\"\n[hosts.\"{NON_ASCII_HTTP}\"]\nclient_id = \"c\"\n"
        ),
    )
    .unwrap();
    for args in [
        &["auth", "token"][..],
        &["auth", "status"],
        &["config", "list"],
    ] {
        let out = env.run(args, "");
        no_panic(&out);
        assert_ne!(out.code, 0, "{out:#?}");
        out.stderr_has("config.toml").stderr_has("api_url");
    }
    env.run(&["config", "unset", "api_url"], "").ok();
    let text = std::fs::read_to_string(env.config_file()).unwrap();
    assert!(!text.contains("api_url ="), "{text}");
    // the host section with the odd key is no API URL: kept, and harmless
    let out = env.run(&["config", "list"], "");
    no_panic(&out);
    out.ok();
}

// ---- 5. numbers and durations from outside ----

/// A device-flow server: `device` is the device authorization response's
/// numbers, `token` the token response's `expires_in`.
fn device_server(device: serde_json::Value, token_expires_in: serde_json::Value) -> Server {
    Server::start(move |r| {
        let base = format!("http://{}", r.header("host").unwrap_or_default());
        match r.path.as_str() {
            "/.well-known/oauth-authorization-server" => Reply::json(
                200,
                json!({"issuer": base, "authorization_endpoint": format!("{base}/authorize"),
                "token_endpoint": format!("{base}/token"),
                "device_authorization_endpoint": format!("{base}/device/code")}),
            ),
            "/device/code" => {
                let mut body = json!({"device_code": "dev-1", "user_code": "WDJB-MJHT",
                    "verification_uri": format!("{base}/device")});
                for (k, v) in device.as_object().unwrap() {
                    body[k] = v.clone();
                }
                Reply::json(200, body)
            }
            "/token" => Reply::json(
                200,
                json!({"access_token": "dev_access_1", "token_type": "Bearer",
                "refresh_token": "dev_refresh_1", "expires_in": token_expires_in}),
            ),
            "/api/v1/profile" => Reply::json(200, json!({"name": "Dee", "email": "dee@x.test"})),
            _ => Reply::json(404, json!({})),
        }
    })
}

fn device_login(env: &TestEnv, srv: &Server, extra: &[&str]) -> Out {
    let url = srv.url();
    let mut args = vec![
        "auth",
        "login",
        "--device",
        "--api-url",
        &url,
        "--client-id",
        "dev-cli",
    ];
    args.extend_from_slice(extra);
    env.run(&args, "")
}

fn stored(env: &TestEnv, url: &str) -> serde_json::Value {
    env.read_credentials().unwrap()[url].clone()
}

#[test]
fn huge_lifetimes_from_the_server_are_bounded() {
    let srv = device_server(
        json!({"expires_in": 18446744073709551615u64, "interval": 1}),
        json!(1e300),
    );
    let env = TestEnv::new();
    let out = device_login(&env, &srv, &[]);
    no_panic(&out);
    out.ok().stderr_has("Logged in");
    let rec = stored(&env, &srv.url());
    let life = rec["expires_at"].as_i64().unwrap() - rec["issued_at"].as_i64().unwrap();
    assert_eq!(life, 10 * 365 * 86400, "10 years at most");
    // valid: used as is, never refreshed
    let t = env.run(&["auth", "token", "--api-url", &srv.url()], "");
    t.ok();
    assert_eq!(t.stdout, "dev_access_1\n");
    assert_eq!(srv.count("/token"), 1, "only the login's poll");
}

#[test]
fn a_negative_lifetime_is_expired_not_eternal() {
    let srv = device_server(json!({"expires_in": 600, "interval": 1}), json!(-5));
    let env = TestEnv::new();
    device_login(&env, &srv, &[]).ok();
    let rec = stored(&env, &srv.url());
    assert_eq!(rec["expires_at"], rec["issued_at"], "{rec}");
    env.run(&["auth", "status", "--api-url", &srv.url()], "")
        .stdout_has("will refresh on next use");
}

#[test]
fn a_device_code_with_a_negative_lifetime_has_expired() {
    let srv = device_server(json!({"expires_in": -5, "interval": 1}), json!(3600));
    let env = TestEnv::new();
    let out = device_login(&env, &srv, &[]);
    no_panic(&out);
    out.code(1).stderr_has("the one-time code expired");
    assert_eq!(srv.count("/token"), 0);
}

#[test]
fn a_huge_polling_interval_waits_at_most_a_minute() {
    // 60 s (the cap) is longer than --timeout: the login gives up at once
    let srv = device_server(json!({"expires_in": 600, "interval": 1e300}), json!(3600));
    let env = TestEnv::new();
    let started = std::time::Instant::now();
    let out = device_login(&env, &srv, &["--timeout", "5"]);
    no_panic(&out);
    out.code(1).stderr_has("not approved in time");
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn out_of_range_flags_are_usage_errors() {
    let env = TestEnv::new();
    let out = env.run(
        &[
            "auth",
            "login",
            "--device",
            "--api-url",
            "https://a.test",
            "--timeout",
            "18446744073709551615",
        ],
        "",
    );
    no_panic(&out);
    out.code(2).stderr_has("1..=86400");
    for within in ["9223372036854775808s", "18446744073709551615", "36501d"] {
        let out = env.run(
            &[
                "auth", "status", "--check", "-h", "a.test", "--within", within,
            ],
            "",
        );
        no_panic(&out);
        out.code(2).stderr_has("at most 36500d");
    }
}

#[test]
fn the_longest_within_never_wraps_to_valid() {
    let srv = Server::profile(vec![]);
    let env = TestEnv::new();
    // an hour left, no refresh token: expiring within 100 years
    store(&env, &srv.url(), "at-1", None, Some(3600));
    env.run(
        &[
            "auth",
            "status",
            "--check",
            "--api-url",
            &srv.url(),
            "--within",
            "36500d",
        ],
        "",
    )
    .code(2);
}

#[test]
fn seconds_in_config_are_bounded() {
    let env = TestEnv::new();
    for bad in ["1e-300", "0", "601", "inf"] {
        let out = env.run(&["config", "set", "keychain_timeout", bad], "");
        out.code(2).stderr_has("0.001 <= s <= 600");
    }
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(env.config_file(), "keychain_timeout = 1e-300\n").unwrap();
    let out = env.run(&["auth", "status"], "");
    no_panic(&out);
    out.code(1)
        .stderr_has("`keychain_timeout` must be between 0.001 and 600 seconds");
    env.run(&["config", "unset", "keychain_timeout"], "").ok();
}

// ---- 6. broken pipes ----

/// Run keyward with its stdout (or stderr) a pipe whose reader is gone
/// before keyward starts; the other stream is captured.
fn with_closed(env: &TestEnv, args: &[&str], stdin: &str, close_stdout: bool) -> Out {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut c = env.std_cmd(args);
    c.stdin(Stdio::piped());
    if close_stdout {
        c.stdout(writer).stderr(Stdio::piped());
    } else {
        c.stderr(writer).stdout(Stdio::piped());
    }
    let mut child = c.spawn().unwrap();
    {
        use std::io::Write;
        let mut i = child.stdin.take().unwrap();
        let _ = i.write_all(stdin.as_bytes());
    }
    let mut captured = String::new();
    let stream: &mut dyn Read = match (&mut child.stdout, &mut child.stderr) {
        (Some(o), _) => o,
        (_, Some(e)) => e,
        _ => unreachable!(),
    };
    stream.read_to_string(&mut captured).unwrap();
    let code = child.wait().unwrap().code().unwrap_or(-1);
    let (stdout, stderr) = if close_stdout {
        (String::new(), captured)
    } else {
        (captured, String::new())
    };
    Out {
        code,
        stdout,
        stderr,
    }
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let mut env = TestEnv::new();
    let out = with_closed(&env, &["completion", "bash"], "", true);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""), "{out:#?}");
    env.set_env("KEYWARD_TOKEN", "env_token_1");
    env.set_env("KEYWARD_API_URL", "https://a.test");
    let out = with_closed(&env, &["auth", "token"], "", true);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""), "{out:#?}");
    env.run(&["config", "set", "tenant", "acme"], "").ok();
    let out = with_closed(&env, &["config", "list"], "", true);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""), "{out:#?}");
}

#[test]
fn a_closed_or_full_stderr_keeps_the_commands_result() {
    let srv = Server::profile(vec![(
        "pat_0123456789",
        json!({"name": "Pat", "email": "pat@x.test"}),
    )]);
    let env = TestEnv::new();
    let url = srv.url();
    // the action happens, and its exit code stands, though nobody reads stderr
    let out = with_closed(
        &env,
        &["auth", "login", "--api-url", &url, "--with-token"],
        "pat_0123456789\n",
        false,
    );
    no_panic(&out);
    assert_eq!(out.code, 0, "{out:#?}");
    assert!(env.read_credentials().unwrap().get(&url).is_some());
    let normal = env.run(&["auth", "status", "--api-url", "https://nobody.test"], "");
    assert_ne!(normal.code, 0, "{normal:#?}");
    let closed = with_closed(
        &env,
        &["auth", "status", "--api-url", "https://nobody.test"],
        "",
        false,
    );
    assert_eq!(closed.code, normal.code, "{closed:#?}");
    // `2>/dev/full` and `2>&-`
    for redirect in ["2>/dev/full", "2>&-"] {
        let o = Command::new("sh")
            .arg("-c")
            .arg(format!("exec \"$0\" \"$@\" {redirect}"))
            .arg(keyward_bin())
            .args(["auth", "status", "--api-url", "https://nobody.test"])
            .envs(
                env.std_cmd(&[])
                    .get_envs()
                    .filter_map(|(k, v)| Some((k, v?))),
            )
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(normal.code), "{redirect}: {o:?}");
    }
}

// ---- 8. long API URLs ----

#[test]
fn a_long_api_url_logs_in_and_refreshes() {
    let srv = Server::start(|r| {
        if r.path.ends_with("/oauth/token") {
            let f = r.form();
            if f.get("refresh_token").map(String::as_str) == Some("rt-1") {
                return Reply::json(
                    200,
                    json!({"access_token": "at-2", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "rt-2"}),
                );
            }
            return Reply::json(400, json!({"error": "invalid_grant"}));
        }
        if r.path.ends_with("/api/v1/profile") {
            return Reply::json(200, json!({"name": "Rita", "email": "rita@x.test"}));
        }
        Reply::json(404, json!({}))
    });
    let segment = "s".repeat(49);
    let url = format!("{}/{}", srv.url(), [segment.as_str(); 6].join("/"));
    assert!(url.len() > 300);
    let env = TestEnv::new();
    env.run(
        &["auth", "login", "--api-url", &url, "--with-token"],
        "pat-1\n",
    )
    .ok();
    // the login expires: an OAuth record with a refresh token
    store(&env, &url, "at-1", Some("rt-1"), Some(-240));
    let t = env.run(&["auth", "token", "--api-url", &url], "");
    t.ok();
    assert_eq!(t.stdout, "at-2\n");
    for entry in std::fs::read_dir(env.config_dir()).unwrap() {
        let name = entry.unwrap().file_name();
        assert!(name.len() < 64, "{name:?}");
    }
    let rec = stored(&env, &url);
    assert!(rec["expires_at"].as_i64().unwrap() > now() + 3000);
}

// ---- 10. environment tokens ----

#[test]
fn an_env_token_with_a_newline_is_refused_unshown() {
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_TOKEN", "tok\nX-Injected: 1");
    env.set_env("KEYWARD_API_URL", "https://a.test");
    let out = env.run(&["auth", "token"], "");
    out.code(2).stderr_has("it contains a newline");
    out.not_anywhere("X-Injected");
    assert_eq!(out.stdout, "");
}

#[test]
fn an_env_token_needs_no_config_when_the_api_url_is_settled() {
    let mut env = TestEnv::new();
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(env.config_file(), "this is [not toml\n").unwrap();
    std::fs::write(env.credentials_file(), "not json either").unwrap();
    env.set_env("KEYWARD_TOKEN_b_test", "host_token_1");
    let out = env.run(&["auth", "token", "--api-url", "https://b.test"], "");
    out.ok();
    assert_eq!(out.stdout, "host_token_1\n");
    env.set_env("KEYWARD_TOKEN", "env_token_1");
    env.set_env("KEYWARD_API_URL", "https://a.test");
    let out = env.run(&["auth", "token"], "");
    out.ok();
    assert_eq!(out.stdout, "env_token_1\n");
    // not settled without the config (KEYWARD_TOKEN belongs to the default
    // API URL): only config.toml's api_url is read; other broken settings
    // do not matter
    let mut env3 = TestEnv::new();
    std::fs::create_dir_all(env3.config_dir()).unwrap();
    std::fs::write(
        env3.config_file(),
        "api_url = \"https://a.test\"\nkeychain_timeout = \"soon\"\n[hosts.x]\ncallback_ports = 7\n",
    )
    .unwrap();
    env3.set_env("KEYWARD_TOKEN", "env_token_3");
    for args in [&["auth", "token"][..], &["auth", "token", "-h", "a.test"]] {
        let out = env3.run(args, "");
        out.ok();
        assert_eq!(out.stdout, "env_token_3\n");
    }
    // for another API URL the stored login is wanted: the whole config is read
    env3.run(&["auth", "token", "-h", "b.test"], "")
        .code(1)
        .stderr_has("config.toml");
    // a config.toml that is not TOML cannot say which API URL is the default
    let mut env2 = TestEnv::new();
    std::fs::create_dir_all(env2.config_dir()).unwrap();
    std::fs::write(env2.config_file(), "this is [not toml\n").unwrap();
    env2.set_env("KEYWARD_TOKEN", "env_token_1");
    env2.run(&["auth", "token", "--api-url", "https://a.test"], "")
        .code(1)
        .stderr_has("config.toml");
}

#[test]
fn the_browser_never_sees_a_token_from_the_environment() {
    let _ports = peers::callback_ports();
    let challenge = Arc::new(Mutex::new(String::new()));
    let srv = bare_server(challenge);
    let mut env = TestEnv::new();
    let dump = env.dir.path().join("browser-env");
    let script = env.dir.path().join("browser.sh");
    std::fs::write(&script, format!("#!/bin/sh\nenv > {}\n", dump.display())).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    env.set_env("BROWSER", &script.to_string_lossy());
    // tokens for other API URLs: the login here is allowed, and must not leak them
    env.set_env("KEYWARD_API_URL", "https://other.test");
    env.set_env("KEYWARD_TOKEN", "secret_env_token_1");
    env.set_env("KEYWARD_TOKEN_other_test", "secret_env_token_2");
    env.set_env("KEYWARD_TOKEN_API_EXAMPLE_COM", "secret_env_token_3");
    let url = srv.url();
    let out = env.run(&bare_login(&url, "bare-cli", &["--timeout", "2"]), "");
    no_panic(&out);
    let seen = std::fs::read_to_string(&dump).expect("the browser ran");
    assert!(
        seen.contains("KEYWARD_API_URL=https://other.test"),
        "{seen}"
    );
    assert!(!seen.contains("secret_env_token"), "{seen}");
    assert!(!seen.contains("KEYWARD_TOKEN"), "{seen}");
}

// ---- 12. sizes ----

#[test]
fn oversized_files_are_refused_clearly() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.config_dir()).unwrap();
    let mut big = b"{}".to_vec();
    big.resize(1024 * 1024 + 1, b' ');
    std::fs::write(env.credentials_file(), &big).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        env.credentials_file(),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    env.run(&["auth", "token", "--api-url", "https://a.test"], "")
        .code(1)
        .stderr_has("is larger than 1 MiB: not a keyward store");
    // the index and the discovery cache are only caches: one too large is
    // ignored, and the login is still found
    let srv = Server::profile(vec![]);
    store(&env, &srv.url(), "at-1", None, Some(3600));
    let huge = vec![b' '; 2 * 1024 * 1024];
    std::fs::write(env.config_dir().join("logins.json"), &huge).unwrap();
    std::fs::write(env.config_dir().join("discovery.json"), &huge).unwrap();
    let t = env.run(&["auth", "token", "--api-url", &srv.url()], "");
    t.ok();
    assert_eq!(t.stdout, "at-1\n");
    std::fs::remove_file(env.credentials_file()).unwrap();
    let mut toml = b"# padding\n".repeat(110_000);
    toml.extend_from_slice(b"api_url = \"https://a.test\"\n");
    std::fs::write(env.config_file(), &toml).unwrap();
    env.run(&["auth", "status"], "")
        .code(1)
        .stderr_has("is larger than 1 MiB: not a config file");
    std::fs::remove_file(env.config_file()).unwrap();
    // a pin
    let project = env.dir.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join(".keyward.toml"), &toml).unwrap();
    env.run_in(&project, &["auth", "token"], "")
        .code(1)
        .stderr_has("larger than 1 MiB");
}

#[test]
fn a_token_on_stdin_is_capped_at_64_kib() {
    let env = TestEnv::new();
    let token = "t".repeat(64 * 1024 + 1);
    let out = env.run(
        &[
            "auth",
            "login",
            "--api-url",
            "https://a.test",
            "--with-token",
        ],
        &token,
    );
    out.code(2).stderr_has("longer than 64 KiB");
    assert!(!out.stderr.contains(&token[..100]));
}

// ---- 13. HOME ----

/// keyward with only PATH and `vars`, in `cwd`.
fn bare(cwd: &Path, vars: &[(&str, &Path)], args: &[&str]) -> std::process::Output {
    let mut c = Command::new(keyward_bin());
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DBUS_SESSION_BUS_ADDRESS", NO_BUS)
        .current_dir(cwd)
        .args(args);
    for (k, v) in vars {
        c.env(k, v);
    }
    c.output().unwrap()
}

#[test]
fn a_relative_home_is_ignored() {
    let d = tempfile::tempdir().unwrap();
    let o = bare(
        d.path(),
        &[("HOME", Path::new("home"))],
        &["config", "set", "api_url", "https://a.test"],
    );
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("KEYWARD_CONFIG_DIR"));
    assert_eq!(
        std::fs::read_dir(d.path()).unwrap().count(),
        0,
        "nothing under the cwd"
    );
}

#[test]
fn a_missing_home_is_never_created() {
    let d = tempfile::tempdir().unwrap();
    let home = d.path().join("missing/home");
    let o = bare(
        d.path(),
        &[("HOME", &home)],
        &["config", "set", "api_url", "https://a.test"],
    );
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("does not exist"),
        "{o:?}"
    );
    assert!(!d.path().join("missing").exists());
}

#[test]
fn missing_config_dirs_are_created_private() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let home = d.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let o = bare(
        d.path(),
        &[("HOME", &home)],
        &["config", "set", "api_url", "https://a.test"],
    );
    assert!(o.status.success(), "{o:?}");
    assert_eq!(mode(&home.join(".config")), 0o700);
    assert_eq!(mode(&home.join(".config/keyward")), 0o700);
    let xdg = d.path().join("xdg");
    let o = bare(
        d.path(),
        &[("HOME", &home), ("XDG_CONFIG_HOME", &xdg)],
        &["config", "set", "api_url", "https://a.test"],
    );
    assert!(o.status.success(), "{o:?}");
    assert_eq!(mode(&xdg), 0o700);
    assert_eq!(mode(&xdg.join("keyward")), 0o700);
}
