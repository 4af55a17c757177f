//! gh's command conventions: `-h` is `--hostname` where a command takes an
//! API URL and a usage error elsewhere (help is `--help`), bare hosts,
//! `--with-token` from stdin, `-s`/`-t`, and `keyward login`.

use crate::common::server::Server;
use crate::common::*;

const TOKEN: &str = "kwd_conv_0123456789abcdef";

fn profile() -> Server {
    Server::profile(vec![(
        TOKEN,
        serde_json::json!({"name": "Gus", "email": "gus@x.test"}),
    )])
}

/// `127.0.0.1:PORT`, the bare-host form of a loopback test server.
fn bare(srv: &Server) -> String {
    srv.url().trim_start_matches("http://").to_string()
}

#[test]
fn dash_h_is_the_hostname_and_a_bare_loopback_host_means_http() {
    let srv = profile();
    let env = TestEnv::new();
    env.run(&["auth", "login", "--with-token", "-h", &bare(&srv)], TOKEN)
        .ok()
        .stderr_has(&format!("Logged in to {}", srv.url()));
    let out = env.run(&["auth", "token", "-h", &bare(&srv)], "");
    assert_eq!(out.ok().stdout, format!("{TOKEN}\n"));
    env.run(&["auth", "token", "--hostname", &srv.url()], "")
        .ok();
    env.run(&["whoami", "-h", &bare(&srv)], "")
        .ok()
        .stdout_has("Gus");
}

#[test]
fn dash_h_elsewhere_is_a_usage_error_that_points_to_help() {
    let env = TestEnv::new();
    for args in [&["-h"][..], &["completion", "-h"], &["auth", "-h"]] {
        let out = env.run(args, "");
        out.code(2)
            .stderr_has("-h is not help in keyward: it is --hostname")
            .stderr_has("keyward --help");
        assert!(out.stdout.is_empty(), "no help was printed: {out:#?}");
    }
    // `auth token -h` without a value: clap says a value is missing
    env.run(&["auth", "token", "-h"], "").code(2);
    for args in [
        &["--help"][..],
        &["auth", "--help"],
        &["auth", "token", "--help"],
        &["help", "auth", "login"],
        &["config", "--help"],
    ] {
        env.run(args, "").ok().stdout_has("Usage:");
    }
}

#[test]
fn a_bare_host_means_https() {
    let env = TestEnv::new();
    env.run(&["config", "set", "api_url", "api.example.test"], "")
        .ok();
    assert_eq!(
        env.run(&["config", "get", "api_url"], "").ok().stdout,
        "https://api.example.test\n"
    );
}

#[test]
fn with_token_reads_all_of_stdin_and_refuses_inner_whitespace() {
    let srv = profile();
    let env = TestEnv::new();
    env.run(
        &["auth", "login", "--with-token", "-h", &srv.url()],
        &format!("\n  {TOKEN}\n\n"),
    )
    .ok();
    let other = TestEnv::new();
    other
        .run(
            &["auth", "login", "--with-token", "-h", &srv.url()],
            "kwd_first\nkwd_second\n",
        )
        .code(2)
        .stderr_has("cannot be used")
        .not_anywhere("kwd_first");
    assert!(!other.credentials_file().exists());
    // --token-stdin is the same thing
    other
        .run(&["auth", "login", "--token-stdin", "-h", &srv.url()], TOKEN)
        .ok();
}

#[test]
fn with_token_value_still_works_with_its_warning() {
    let srv = profile();
    let env = TestEnv::new();
    env.run(
        &["auth", "login", "--with-token", TOKEN, "-h", &srv.url()],
        "",
    )
    .ok()
    .stderr_has("shell history");
}

#[test]
fn scopes_with_a_token_login_is_a_usage_error() {
    let env = TestEnv::new();
    for args in [
        &[
            "auth",
            "login",
            "--with-token",
            "-s",
            "read",
            "-h",
            "api.example.test",
        ][..],
        &[
            "auth",
            "login",
            "--token-stdin",
            "--scopes",
            "read",
            "-h",
            "api.example.test",
        ],
    ] {
        env.run(args, TOKEN).code(2);
    }
    assert!(!env.credentials_file().exists());
}

#[test]
fn short_flags_s_and_t() {
    let srv = profile();
    let env = TestEnv::new();
    env.run(&["auth", "login", "--with-token", "-h", &srv.url()], TOKEN)
        .ok();
    let out = env.run(&["auth", "status", "-t", "-h", &srv.url()], "");
    out.stdout_has(TOKEN);
    // -s parses (the login then fails for want of a server, after parsing)
    env.run(
        &[
            "auth",
            "login",
            "-s",
            "read,write",
            "--client-id",
            "c",
            "-h",
            "127.0.0.1:1",
        ],
        "",
    )
    .code(1)
    .stderr_has("connection refused");
}

#[test]
fn gh_style_top_level_commands_point_to_auth() {
    let env = TestEnv::new();
    for sub in ["login", "logout", "status", "token", "refresh"] {
        env.run(&[sub], "")
            .code(2)
            .stderr_has(&format!("did you mean `keyward auth {sub}`?"));
    }
}

#[test]
fn completion_takes_no_api_url_or_tenant_and_config_list_takes_a_host() {
    let env = TestEnv::new();
    let help = env.run(&["completion", "--help"], "").ok().stdout.clone();
    assert!(
        !help.contains("--api-url") && !help.contains("--tenant"),
        "{help}"
    );
    env.run(&["completion", "bash", "--tenant", "x"], "")
        .code(2);
    let help = env
        .run(&["config", "list", "--help"], "")
        .ok()
        .stdout
        .clone();
    assert!(
        help.contains("--host") && !help.contains("--tenant"),
        "{help}"
    );
    env.run(
        &["config", "set", "client_id", "one", "-h", "a.example.test"],
        "",
    )
    .ok();
    env.run(
        &[
            "config",
            "set",
            "client_id",
            "two",
            "--api-url",
            "b.example.test",
        ],
        "",
    )
    .ok();
    let out = env.run(&["config", "list", "-h", "a.example.test"], "");
    out.ok().stdout_has("client_id=one");
    assert!(!out.stdout.contains("two"), "{out:#?}");
}

#[test]
fn status_all_is_still_accepted_but_hidden() {
    let env = TestEnv::new();
    let help = env
        .run(&["auth", "status", "--help"], "")
        .ok()
        .stdout
        .clone();
    assert!(!help.contains("--all"), "{help}");
    let out = env.run(&["auth", "status", "--all"], "");
    assert_ne!(out.code, 2, "{out:#?}");
}
