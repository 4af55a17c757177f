//! Environment tokens through the binary: which API URL `KEYWARD_TOKEN`
//! applies to, `KEYWARD_TOKEN_<host>` for jobs that talk to several APIs,
//! the refusals of `auth login`, `logout` and `refresh` where one applies,
//! `whoami` with one, and values that are refused.

use super::lifecycle::{issuer, store};
use crate::common::server::{Reply, Server};
use crate::common::*;
use serde_json::json;
use std::sync::atomic::Ordering;
use std::time::Duration;

const ENV_TOKEN: &str = "kwd_env_0123456789abcdef";
const A: &str = "https://api.example.com";
const B: &str = "https://api-staging.example.com";

/// A test world with stored logins for `A` (`stored-a`) and `B` (`stored-b`).
fn two_logins() -> TestEnv {
    let env = TestEnv::new();
    store(&env, A, "stored-a", None, None);
    store(&env, B, "stored-b", None, None);
    env
}

fn set_default(env: &TestEnv, url: &str) {
    env.run(&["config", "set", "api_url", url], "").ok();
}

/// `auth token -h URL`'s stdout, or `auth token` without one.
fn token(env: &TestEnv, url: Option<&str>) -> String {
    let mut args = vec!["auth", "token"];
    args.extend(url.map(|u| ["-h", u]).into_iter().flatten());
    env.run(&args, "").ok().stdout.clone()
}

/// `KEYWARD_TOKEN_<host>` for a loopback test server.
fn host_var(srv: &Server) -> String {
    format!("KEYWARD_TOKEN_127_0_0_1_{}", srv.port)
}

fn eve() -> serde_json::Value {
    json!({"name": "Eve Env", "email": "eve@x.test"})
}

/// A loopback URL where nothing listens.
fn dead_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

#[test]
fn keyward_token_applies_to_the_default_api_url_from_config_only() {
    let mut env = two_logins();
    set_default(&env, A);
    env.set_env("KEYWARD_TOKEN", ENV_TOKEN);
    assert_eq!(token(&env, None), format!("{ENV_TOKEN}\n"));
    assert_eq!(token(&env, Some(A)), format!("{ENV_TOKEN}\n"));
    assert_eq!(
        token(&env, Some("api.example.com")),
        format!("{ENV_TOKEN}\n")
    );
    // another API URL ignores it and uses its stored login
    assert_eq!(token(&env, Some(B)), "stored-b\n");
    // ... or says it is not logged in, without suggesting the variable
    let out = env.run(&["auth", "token", "-h", "https://other.example.com"], "");
    out.code(4)
        .stderr_has("not logged in to https://other.example.com")
        .stderr_has("Solution: run `keyward auth login")
        .not_anywhere("KEYWARD_TOKEN")
        .not_anywhere(ENV_TOKEN);
}

#[test]
fn keyward_api_url_decides_which_api_url_keyward_token_is_for() {
    let mut env = two_logins();
    set_default(&env, A);
    env.set_env("KEYWARD_TOKEN", ENV_TOKEN);
    env.set_env("KEYWARD_API_URL", B);
    assert_eq!(token(&env, None), format!("{ENV_TOKEN}\n"));
    assert_eq!(token(&env, Some(B)), format!("{ENV_TOKEN}\n"));
    // the config default is not the token's API URL any more
    assert_eq!(token(&env, Some(A)), "stored-a\n");
}

#[test]
fn without_a_default_keyward_token_applies_to_the_api_url_the_command_names() {
    let mut env = two_logins();
    env.set_env("KEYWARD_TOKEN", ENV_TOKEN);
    assert_eq!(token(&env, Some(A)), format!("{ENV_TOKEN}\n"));
    assert_eq!(token(&env, Some(B)), format!("{ENV_TOKEN}\n"));
    env.run(&["auth", "token"], "")
        .code(2)
        .stderr_has("no API URL given")
        .not_anywhere(ENV_TOKEN);
    // -h cannot step around it here: the way on is KEYWARD_API_URL
    env.run(
        &["auth", "login", "--with-token", "-h", A],
        "kwd_new_token_123",
    )
    .code(1)
    .stderr_has("KEYWARD_TOKEN")
    .stderr_has("Solution: unset KEYWARD_TOKEN")
    .stderr_has("set KEYWARD_API_URL");
}

#[test]
fn per_host_variables_serve_two_apis_in_one_job() {
    let mut env = TestEnv::new();
    store(
        &env,
        "https://third.example.com",
        "stored-third",
        None,
        None,
    );
    set_default(&env, A);
    // lowercase for one host, the upper-case form for the other; `-` is `__`
    env.set_env("KEYWARD_TOKEN_api_example_com", "kwd_prod_token_1");
    env.set_env(
        "KEYWARD_TOKEN_API__STAGING_EXAMPLE_COM",
        "kwd_staging_token_2",
    );
    assert_eq!(token(&env, None), "kwd_prod_token_1\n");
    assert_eq!(token(&env, Some(A)), "kwd_prod_token_1\n");
    assert_eq!(token(&env, Some(B)), "kwd_staging_token_2\n");
    // a port is part of the host's name: another port is another API
    env.run(&["auth", "token", "-h", "https://api.example.com:8443"], "")
        .code(4)
        .stderr_has("not logged in");
    assert_eq!(
        token(&env, Some("https://third.example.com")),
        "stored-third\n"
    );
    // the per-host variable wins over KEYWARD_TOKEN for its host
    env.set_env("KEYWARD_TOKEN", ENV_TOKEN);
    assert_eq!(token(&env, Some(A)), "kwd_prod_token_1\n");
    assert_eq!(token(&env, Some(B)), "kwd_staging_token_2\n");

    // with ports, through whoami (each token reads its own API's profile)
    let one = Server::profile(vec![("kwd_one_111", json!({"name": "One"}))]);
    let two = Server::profile(vec![("kwd_two_222", json!({"name": "Two"}))]);
    let mut env = TestEnv::new();
    env.set_env(&host_var(&one), "kwd_one_111");
    env.set_env(&host_var(&two), "kwd_two_222");
    env.run(&["whoami", "-h", &one.url()], "")
        .ok()
        .stdout_has("Name:    One")
        .stdout_has(&format!("from {}", host_var(&one)));
    env.run(&["whoami", "-h", &two.url()], "")
        .ok()
        .stdout_has("Name:    Two");
}

#[test]
fn login_logout_and_refresh_refuse_where_the_token_applies() {
    let srv = Server::profile(vec![("kwd_login_token_1", eve())]);
    let mut env = TestEnv::new();
    store(&env, &srv.url(), "stored-srv", None, None);
    set_default(&env, &srv.url());
    let before = credentials_text(&env);
    env.set_env("KEYWARD_TOKEN", ENV_TOKEN);
    for (args, stdin) in [
        (vec!["auth", "login", "--with-token"], "kwd_login_token_1"),
        (vec!["auth", "login"], ""),
        (vec!["auth", "login", "--device"], ""),
        (vec!["auth", "logout"], ""),
        (vec!["auth", "logout", "--revoke"], ""),
        (vec!["auth", "refresh"], ""),
    ] {
        let out = env.run(&args, stdin);
        out.code(1)
            .stderr_has("the value of KEYWARD_TOKEN is used for authentication to")
            .stderr_has(&srv.url())
            .stderr_has("Solution: ")
            .stderr_has("unset KEYWARD_TOKEN")
            .stderr_has("pass `-h` for another API")
            .not_anywhere(ENV_TOKEN)
            .not_anywhere("Refreshing");
        assert!(out.stdout.is_empty(), "{out:#?}");
    }
    assert_eq!(credentials_text(&env), before, "nothing stored or removed");
    assert!(srv.requests().is_empty(), "{:?}", srv.requests());

    // the per-host form refuses the same way, naming itself
    let mut env = TestEnv::new();
    env.set_env(&host_var(&srv), ENV_TOKEN);
    env.run(
        &["auth", "login", "--with-token", "-h", &srv.url()],
        "kwd_login_token_1",
    )
    .code(1)
    .stderr_has(&format!("the value of {}", host_var(&srv)))
    .stderr_has(&format!("unset {}", host_var(&srv)));
    assert!(srv.requests().is_empty());
    // a malformed value for this API URL is refused as such (exit 2)
    env.set_env(&host_var(&srv), "kwd bad");
    env.run(&["auth", "logout", "-h", &srv.url()], "")
        .code(2)
        .stderr_has("contains a space")
        .not_anywhere("kwd bad");
}

#[test]
fn login_logout_and_refresh_work_as_before_for_other_api_urls() {
    let srv = Server::profile(vec![("kwd_login_token_1", eve())]);
    let is = issuer(Duration::ZERO);
    let mut env = TestEnv::new();
    set_default(&env, A);
    env.set_env("KEYWARD_TOKEN", ENV_TOKEN);
    env.run(
        &["auth", "login", "--with-token", "-h", &srv.url()],
        "kwd_login_token_1",
    )
    .ok()
    .stderr_has("Logged in to")
    .not_anywhere("KEYWARD_TOKEN");
    assert_eq!(token(&env, Some(&srv.url())), "kwd_login_token_1\n");
    env.run(&["auth", "logout", "-h", &srv.url()], "")
        .ok()
        .stderr_has("Logged out of")
        .not_anywhere("KEYWARD_TOKEN");
    assert!(env.read_credentials().unwrap().get(srv.url()).is_none());

    store(&env, &is.srv.url(), "at-1", Some("rt-1"), Some(3600));
    env.run(&["auth", "refresh", "-h", &is.srv.url()], "")
        .ok()
        .stderr_has("Token refreshed");
    assert_eq!(is.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(token(&env, Some(&is.srv.url())), "at-2\n");
}

#[test]
fn whoami_reads_the_profile_with_the_environment_token() {
    let srv = Server::profile(vec![(ENV_TOKEN, eve())]);
    let mut env = TestEnv::new();
    store(&env, &srv.url(), "stored-srv", None, None); // Rita's login
    set_default(&env, &srv.url());
    env.set_env("KEYWARD_TOKEN", ENV_TOKEN);
    env.set_env("KEYWARD_TENANT", "acme");
    let out = env.run(&["whoami"], "");
    out.ok()
        .stdout_has("Name:    Eve Env")
        .stdout_has("Email:   eve@x.test")
        .stdout_has(&format!("API URL: {}", srv.url()))
        .stdout_has("Tenant:  acme (from KEYWARD_TENANT)")
        .stdout_has("Token:   from KEYWARD_TOKEN (an environment token, not stored)")
        .not_anywhere("Rita")
        .not_anywhere(ENV_TOKEN);
    let profile: Vec<_> = srv
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/v1/profile")
        .collect();
    assert_eq!(profile.len(), 1);
    assert_eq!(
        profile[0].header("authorization"),
        Some(format!("Bearer {ENV_TOKEN}").as_str())
    );
    assert_eq!(profile[0].header("x-tenant"), Some("acme"));
    let json: serde_json::Value =
        serde_json::from_str(&env.run(&["whoami", "--json"], "").ok().stdout).unwrap();
    assert_eq!(json["name"], "Eve Env");
    assert_eq!(json["env_token"], "KEYWARD_TOKEN");
}

#[test]
fn whoami_without_an_environment_token_stays_offline() {
    let srv = Server::profile(vec![(ENV_TOKEN, eve())]);
    let mut env = TestEnv::new();
    store(&env, &srv.url(), "stored-srv", None, None);
    set_default(&env, &srv.url());
    // KEYWARD_TOKEN is for another API URL: the stored login answers
    env.set_env("KEYWARD_API_URL", A);
    env.set_env("KEYWARD_TOKEN", ENV_TOKEN);
    env.run(&["whoami", "-h", &srv.url()], "")
        .ok()
        .stdout_has("Name:    Rita")
        .not_anywhere("KEYWARD_TOKEN");
    let json: serde_json::Value = serde_json::from_str(
        &env.run(&["whoami", "-h", &srv.url(), "--json"], "")
            .ok()
            .stdout,
    )
    .unwrap();
    assert_eq!(json["name"], "Rita");
    assert!(json["env_token"].is_null());
    assert!(srv.requests().is_empty(), "{:?}", srv.requests());
}

#[test]
fn whoami_with_a_rejected_environment_token_exits_4() {
    let srv = Server::profile(vec![("kwd_someone_else_1", eve())]);
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_TOKEN", ENV_TOKEN);
    let out = env.run(&["whoami", "-h", &srv.url()], "");
    out.code(4)
        .stderr_has(&format!("token rejected by {} (HTTP 401)", srv.url()))
        .stderr_has("the environment token in KEYWARD_TOKEN")
        .stderr_has("Solution: put a current token")
        .not_anywhere("not logged in")
        .not_anywhere("or set KEYWARD_TOKEN")
        .not_anywhere("auth login")
        .not_anywhere(ENV_TOKEN);
    assert_eq!(srv.count("/api/v1/profile"), 1);
}

#[test]
fn whoami_with_an_environment_token_and_no_server_exits_1_with_the_cause() {
    let url = dead_url();
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_TOKEN", ENV_TOKEN);
    env.run(&["whoami", "-h", &url], "")
        .code(1)
        .stderr_has("cannot tell who the environment token in KEYWARD_TOKEN belongs to")
        .stderr_has("could not reach")
        .stderr_has("Caused by: ")
        .stderr_has("Solution: ")
        .not_anywhere("not logged in")
        .not_anywhere(ENV_TOKEN);
}

#[test]
fn a_value_with_a_newline_a_space_or_a_control_character_is_refused_unseen() {
    let srv = Server::start(|_| Reply::json(200, json!({"name": "Mallory"})));
    for value in [
        "kwd_nl_part\nX-Injected: yes",
        "kwd_trailing_nl_part\n",
        "kwd_space_part other_part",
        " kwd_leading_space_part",
        "kwd_tab_part\tx",
        "kwd_esc_part\u{1b}[2J",
    ] {
        for var in ["KEYWARD_TOKEN".to_string(), host_var(&srv)] {
            let mut env = TestEnv::new();
            env.set_env(&var, value);
            for args in [
                &["auth", "token", "-h", &srv.url()][..],
                &["whoami", "-h", &srv.url()],
            ] {
                let out = env.run(args, "");
                out.code(2)
                    .stderr_has(&format!("{var} cannot be used as a token"))
                    .stderr_has("Solution: set ")
                    .not_anywhere("_part")
                    .not_anywhere("X-Injected");
                assert!(out.stdout.is_empty(), "{out:#?}");
            }
        }
    }
    assert!(
        srv.requests().is_empty(),
        "never sent: {:?}",
        srv.requests()
    );
}

#[test]
fn auth_token_prints_the_environment_token_unchanged() {
    let mut env = TestEnv::new();
    let odd = "kwd_AbC-9._~+/=eyJhbGciOiJIUzI1NiJ9.e30.sig";
    env.set_env("KEYWARD_TOKEN", odd);
    let out = env.run(&["auth", "token", "-h", A], "");
    assert_eq!(out.ok().stdout, format!("{odd}\n"));
    assert!(out.stderr.is_empty(), "{out:#?}");
    // an empty variable is unset: the stored login (here none) is used
    env.set_env("KEYWARD_TOKEN", "");
    env.run(&["auth", "token", "-h", A], "")
        .code(4)
        .stderr_has("not logged in");
}
