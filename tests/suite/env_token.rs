//! Environment tokens: `KEYWARD_TOKEN` applies to one API URL (as gh's
//! `GH_TOKEN` to one host), `KEYWARD_TOKEN_<host>` to its host; login,
//! logout and refresh step aside for them; `whoami` asks the profile.

use crate::common::server::Server;
use crate::common::*;
use serde_json::json;

const STORED: &str = "kwd_stored_0123456789";
const ENV: &str = "kwd_from_env_0123456789";

fn profile() -> Server {
    Server::profile(vec![
        (STORED, json!({"name": "Stored Sam"})),
        (ENV, json!({"name": "Env Eve", "email": "eve@x.test"})),
    ])
}

/// A login to `srv` stored with the file store.
fn logged_in(env: &TestEnv, srv: &Server) {
    env.run(&["auth", "login", "--with-token", "-h", &srv.url()], STORED)
        .ok();
}

fn token(env: &TestEnv, url: &str) -> String {
    env.run(&["auth", "token", "-h", url], "")
        .ok()
        .stdout
        .trim()
        .to_string()
}

#[test]
fn keyward_token_applies_to_the_default_api_url_only() {
    let (a, b) = (profile(), profile());
    let mut env = TestEnv::new();
    logged_in(&env, &a); // the first login makes A the default
    logged_in(&env, &b);
    env.set_env("KEYWARD_TOKEN", ENV);
    assert_eq!(token(&env, &a.url()), ENV);
    assert_eq!(token(&env, &b.url()), STORED, "another API URL ignores it");
}

#[test]
fn keyward_api_url_says_which_api_url_it_is_for() {
    let (a, b) = (profile(), profile());
    let mut env = TestEnv::new();
    logged_in(&env, &a);
    logged_in(&env, &b);
    env.set_env("KEYWARD_TOKEN", ENV);
    env.set_env("KEYWARD_API_URL", &b.url());
    assert_eq!(token(&env, &b.url()), ENV);
    assert_eq!(token(&env, &a.url()), STORED);
}

#[test]
fn without_a_default_it_applies_to_the_api_url_the_command_names() {
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_TOKEN", ENV);
    assert_eq!(token(&env, "https://api.example.test"), ENV);
    assert_eq!(token(&env, "https://other.example.test"), ENV);
    assert!(!env.credentials_file().exists(), "nothing read or written");
}

#[test]
fn a_token_per_host_for_jobs_that_talk_to_two_apis() {
    let (a, b) = (profile(), profile());
    let mut env = TestEnv::new();
    env.set_env(
        &format!("KEYWARD_TOKEN_127_0_0_1_{}", a.port),
        "kwd_for_a_0123",
    );
    env.set_env(
        &format!("KEYWARD_TOKEN_127_0_0_1_{}", b.port),
        "kwd_for_b_0123",
    );
    assert_eq!(token(&env, &a.url()), "kwd_for_a_0123");
    assert_eq!(token(&env, &b.url()), "kwd_for_b_0123");
    // a host name: dots are underscores, dashes double underscores
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_TOKEN_api_my__org_example_test", "kwd_named_0123");
    assert_eq!(token(&env, "api.my-org.example.test"), "kwd_named_0123");
}

#[test]
fn login_logout_and_refresh_step_aside_for_it_on_its_api_url_only() {
    let (a, b) = (profile(), profile());
    let mut env = TestEnv::new();
    logged_in(&env, &a);
    env.set_env("KEYWARD_TOKEN", ENV);
    for args in [
        &["auth", "login", "--with-token", "-h", &a.url()][..],
        &["auth", "logout", "-h", &a.url()],
        &["auth", "refresh", "-h", &a.url()],
    ] {
        env.run(args, STORED)
            .code(1)
            .stderr_has("KEYWARD_TOKEN is set")
            .stderr_has("Solution: to ")
            .stderr_has("unset KEYWARD_TOKEN")
            .not_anywhere(ENV);
    }
    // the stored login of A is still there
    let creds = env.read_credentials().unwrap();
    assert_eq!(creds[a.url().as_str()]["access_token"], STORED);
    // B is not what it applies to: a login and a logout work
    env.run(&["auth", "login", "--with-token", "-h", &b.url()], STORED)
        .ok();
    env.run(&["auth", "logout", "-h", &b.url()], "").ok();
}

#[test]
fn login_refuses_before_asking_for_a_token() {
    let a = profile();
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_TOKEN", ENV);
    // nothing on stdin: the refusal comes first, not "no token on standard input"
    env.run(&["auth", "login", "--with-token", "-h", &a.url()], "")
        .code(1)
        .stderr_has("KEYWARD_TOKEN is set");
    assert_eq!(a.count("/api/v1/profile"), 0);
}

#[test]
fn whoami_asks_the_profile_for_an_environment_token() {
    let a = profile();
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_TOKEN", ENV);
    let out = env.run(&["whoami", "-h", &a.url()], "");
    out.ok()
        .stdout_has("Env Eve")
        .stdout_has("from KEYWARD_TOKEN")
        .not_anywhere(ENV);
    assert!(!out.stderr.contains("not logged in"), "{out:#?}");
    // refused by the API: exit 4, and it says which variable
    env.set_env("KEYWARD_TOKEN", "kwd_refused_0123456789");
    env.run(&["whoami", "-h", &a.url()], "")
        .code(4)
        .stderr_has("KEYWARD_TOKEN was refused")
        .not_anywhere("kwd_refused_0123456789");
    // the API cannot be reached: exit 1, it says the token comes from the environment
    let dead = format!(
        "http://127.0.0.1:{}",
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    );
    env.run(&["whoami", "-h", &dead], "")
        .code(1)
        .stderr_has("comes from KEYWARD_TOKEN")
        .stderr_has("connection refused");
}

#[test]
fn a_token_with_a_newline_or_a_space_is_refused_and_never_printed() {
    for bad in [
        "kwd_line_one\nInjected: header",
        "kwd_two words",
        "kwd_ctrl\u{7}bell",
    ] {
        let mut env = TestEnv::new();
        env.set_env("KEYWARD_TOKEN", bad);
        let out = env.run(&["auth", "token", "-h", "api.example.test"], "");
        out.code(2).stderr_has("KEYWARD_TOKEN cannot be used");
        assert!(out.stdout.is_empty(), "{out:#?}");
        for part in ["kwd_line_one", "Injected", "two words", "kwd_ctrl"] {
            out.not_anywhere(part);
        }
    }
}
