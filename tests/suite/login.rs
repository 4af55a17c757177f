//! Token login, status, token, whoami, logout through the file store and
//! the HTTP profile endpoint.

use crate::common::server::Server;
use crate::common::*;
use serde_json::json;

fn jane() -> serde_json::Value {
    json!({"data": {"name": "Jane Doe", "email": "jane@example.test", "tenants": [{"slug": "acme", "name": "Acme"}, "beta"]}})
}

const TOKEN: &str = "kwd_good_token_0123456789";

#[test]
fn token_stdin_login_then_status_token_whoami_logout() {
    let srv = Server::profile(vec![(TOKEN, jane())]);
    let env = TestEnv::new();
    let url = srv.url();
    env.run(
        &["auth", "login", "--token-stdin", "--api-url", &url],
        &format!("  {TOKEN}  \n"),
    )
    .ok()
    .stderr_has(&format!(
        "✓ Logged in to {url} as Jane Doe (jane@example.test)"
    ))
    .stderr_has("credentials.json")
    .not_anywhere(TOKEN);
    // the first login saved the default API URL
    let cfg = std::fs::read_to_string(env.config_file()).unwrap();
    assert!(cfg.contains(&format!("api_url = \"{url}\"")), "{cfg}");
    assert_eq!(mode(&env.config_file()), 0o600);
    assert_eq!(mode(&env.credentials_file()), 0o600);
    assert_eq!(mode(&env.config_dir()), 0o700);

    let st = env.run(&["auth", "status"], "");
    st.ok()
        .stdout_has("Logged in as Jane Doe (jane@example.test)")
        .stdout_has("kwd_")
        .stdout_has("no expiry")
        .stdout_has("credentials.json")
        .not_anywhere(TOKEN);
    env.run(&["auth", "status", "--show-token"], "")
        .ok()
        .stdout_has(TOKEN);
    let j: serde_json::Value =
        serde_json::from_str(&env.run(&["auth", "status", "--json"], "").ok().stdout).unwrap();
    let account = &j["environments"][0]["accounts"][0];
    assert_eq!(account["kind"], "token");
    assert_eq!(account["stored_in"]["store"], "file");
    assert_eq!(account["user"]["email"], "jane@example.test");

    let t = env.run(&["auth", "token"], "");
    t.ok();
    assert_eq!(t.stdout, format!("{TOKEN}\n"));
    assert_eq!(t.stderr, "");

    env.run(&["whoami"], "")
        .ok()
        .stdout_has("Jane Doe")
        .stdout_has("jane@example.test")
        .stdout_has(&url);

    env.run(&["auth", "logout"], "")
        .ok()
        .stderr_has("Logged out");
    env.run(&["auth", "logout"], "")
        .ok()
        .stderr_has("nothing to remove");
    let t = env.run(&["auth", "token"], "");
    t.code(4)
        .stderr_has("not logged in")
        .stderr_has("keyward auth login");
    assert_eq!(t.stdout, "");
    env.run(&["whoami"], "").code(4);
    env.run(&["auth", "status"], "")
        .code(1)
        .stderr_has("keyward auth login");
    // logout keeps preferences
    assert!(
        std::fs::read_to_string(env.config_file())
            .unwrap()
            .contains("api_url")
    );
}

#[test]
fn rejected_token_exits_4_and_keeps_the_existing_credential() {
    let srv = Server::profile(vec![(TOKEN, jane())]);
    let env = TestEnv::new();
    let url = srv.url();
    env.run(
        &["auth", "login", "--token-stdin", "--api-url", &url],
        TOKEN,
    )
    .ok();
    let before = std::fs::read_to_string(env.credentials_file()).unwrap();
    env.run(
        &["auth", "login", "--token-stdin", "--api-url", &url],
        "kwd_revoked_token_999999",
    )
    .code(4)
    .stderr_has(&format!("token rejected by {url}"))
    .not_anywhere("kwd_revoked_token_999999");
    assert_eq!(
        std::fs::read_to_string(env.credentials_file()).unwrap(),
        before
    );
    assert_eq!(
        env.run(&["auth", "token"], "").ok().stdout,
        format!("{TOKEN}\n")
    );
}

#[test]
fn rejected_first_login_stores_nothing() {
    let srv = Server::profile(vec![]);
    let env = TestEnv::new();
    env.run(
        &["auth", "login", "--token-stdin", "--api-url", &srv.url()],
        "kwd_nope_0123456789",
    )
    .code(4);
    assert!(!env.credentials_file().exists());
    assert!(
        !env.config_file().exists(),
        "no default saved for a failed login"
    );
}

#[test]
fn with_token_warns_about_history() {
    let srv = Server::profile(vec![(TOKEN, jane())]);
    let env = TestEnv::new();
    env.run(
        &[
            "auth",
            "login",
            "--with-token",
            TOKEN,
            "--api-url",
            &srv.url(),
        ],
        "",
    )
    .ok()
    .stderr_has("shell history")
    .stderr_has("auth login --with-token`");
}

#[test]
fn empty_stdin_is_a_usage_error() {
    let env = TestEnv::new();
    for input in ["", "\n", "   \n"] {
        env.run(
            &[
                "auth",
                "login",
                "--token-stdin",
                "--api-url",
                "https://api.example.test",
            ],
            input,
        )
        .code(2)
        .stderr_has("no token on standard input");
    }
    assert!(!env.credentials_file().exists());
}

#[test]
fn network_failure_exits_1_with_the_cause() {
    let env = TestEnv::new();
    // a port nothing listens on
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    env.run(
        &[
            "auth",
            "login",
            "--token-stdin",
            "--api-url",
            &format!("http://127.0.0.1:{port}"),
        ],
        TOKEN,
    )
    .code(1)
    .stderr_has("could not reach")
    .stderr_has("Caused by: connection refused")
    .not_anywhere(TOKEN);
    assert!(!env.credentials_file().exists());
}

#[test]
fn server_error_exits_1() {
    let srv =
        Server::start(|_| crate::common::server::Reply::json(500, json!({"message": "boom"})));
    let env = TestEnv::new();
    env.run(
        &["auth", "login", "--token-stdin", "--api-url", &srv.url()],
        TOKEN,
    )
    .code(1)
    .stderr_has("HTTP 500")
    .stderr_has("boom");
}

#[test]
fn oidc_userinfo_shape_and_custom_profile_url() {
    let srv = Server::start(|r| {
        if r.path == "/userinfo" && r.header("authorization") == Some("Bearer kwd_oidc_0123456789")
        {
            crate::common::server::Reply::json(
                200,
                json!({"sub": "u-1", "preferred_username": "jdoe", "email": "j@x.test"}),
            )
        } else {
            crate::common::server::Reply::json(401, json!({}))
        }
    });
    let env = TestEnv::new();
    let url = srv.url();
    env.run(
        &[
            "config",
            "set",
            "profile_url",
            &format!("{url}/userinfo"),
            "--host",
            &url,
        ],
        "",
    )
    .ok();
    env.run(
        &["auth", "login", "--token-stdin", "--api-url", &url],
        "kwd_oidc_0123456789",
    )
    .ok()
    .stderr_has("as jdoe (j@x.test)");
}

#[test]
fn two_api_urls_side_by_side_and_logout_of_one() {
    let a = Server::profile(vec![(
        "kwd_token_for_a_000000",
        json!({"name": "A User", "email": "a@x.test"}),
    )]);
    let b = Server::profile(vec![(
        "kwd_token_for_b_000000",
        json!({"name": "B User", "email": "b@x.test"}),
    )]);
    let env = TestEnv::new();
    env.run(
        &["auth", "login", "--token-stdin", "--api-url", &a.url()],
        "kwd_token_for_a_000000",
    )
    .ok();
    env.run(
        &["auth", "login", "--token-stdin", "--api-url", &b.url()],
        "kwd_token_for_b_000000",
    )
    .ok();
    // the default stays the first one
    assert_eq!(
        env.run(&["auth", "token"], "").ok().stdout,
        "kwd_token_for_a_000000\n"
    );
    assert_eq!(
        env.run(&["auth", "token", "--api-url", &b.url()], "")
            .ok()
            .stdout,
        "kwd_token_for_b_000000\n"
    );
    let all = env.run(&["auth", "status", "--all"], "");
    all.ok().stdout_has("A User").stdout_has("B User");
    env.run(&["auth", "logout", "--api-url", &a.url()], "").ok();
    env.run(&["auth", "token", "--api-url", &a.url()], "")
        .code(4);
    assert_eq!(
        env.run(&["auth", "token", "--api-url", &b.url()], "")
            .ok()
            .stdout,
        "kwd_token_for_b_000000\n"
    );
}

#[test]
fn url_normalisation_makes_one_record() {
    let srv = Server::profile(vec![(TOKEN, jane())]);
    let env = TestEnv::new();
    let port = srv.port;
    env.run(
        &[
            "auth",
            "login",
            "--token-stdin",
            "--api-url",
            &format!("HTTP://127.0.0.1:{port}/"),
        ],
        TOKEN,
    )
    .ok();
    env.run(
        &[
            "auth",
            "token",
            "--api-url",
            &format!("http://127.0.0.1:{port}"),
        ],
        "",
    )
    .ok();
    let creds = env.read_credentials().unwrap();
    assert_eq!(creds.as_object().unwrap().len(), 1);
    assert!(
        creds.get(format!("http://127.0.0.1:{port}")).is_some(),
        "{creds}"
    );
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let env = TestEnv::new();
    env.run(
        &[
            "auth",
            "login",
            "--token-stdin",
            "--api-url",
            "http://api.example.com",
        ],
        TOKEN,
    )
    .code(2)
    .stderr_has("plain-http")
    .stderr_has("https://api.example.com");
}

#[test]
fn no_api_url_says_how_to_pass_one() {
    let env = TestEnv::new();
    env.run(&["auth", "token"], "")
        .code(2)
        .stderr_has("pass `-h api.example.com`")
        .stderr_has("KEYWARD_API_URL");
}

#[test]
fn keyward_token_env_wins_without_store_access() {
    let srv = Server::profile(vec![(TOKEN, jane())]);
    let mut env = TestEnv::new();
    env.run(
        &["auth", "login", "--token-stdin", "--api-url", &srv.url()],
        TOKEN,
    )
    .ok();
    env.set_env("KEYWARD_TOKEN", "kwd_from_env_abcdef123");
    assert_eq!(
        env.run(&["auth", "token"], "").ok().stdout,
        "kwd_from_env_abcdef123\n"
    );
    env.run(&["auth", "status"], "")
        .ok()
        .stdout_has("KEYWARD_TOKEN is set")
        .stdout_has(
            "Stored login: Jane Doe (jane@example.test) (not in use while KEYWARD_TOKEN is set)",
        )
        .not_anywhere("kwd_from_env_abcdef123");
    // no store access: even a broken credentials file does not matter
    std::fs::write(env.credentials_file(), "{broken").unwrap();
    assert_eq!(
        env.run(&["auth", "token"], "").ok().stdout,
        "kwd_from_env_abcdef123\n"
    );
}

#[test]
fn expired_token_exits_4() {
    let srv = Server::profile(vec![(TOKEN, jane())]);
    let env = TestEnv::new();
    let url = srv.url();
    env.run(
        &["auth", "login", "--token-stdin", "--api-url", &url],
        TOKEN,
    )
    .ok();
    let mut creds = env.read_credentials().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    creds[&url]["expires_at"] = json!(now - 180);
    env.write_credentials(&creds);
    let t = env.run(&["auth", "token"], "");
    t.code(4)
        .stderr_has("expired 3m ago")
        .stderr_has("auth login");
    assert_eq!(t.stdout, "");
    env.run(&["auth", "status"], "")
        .code(1)
        .stderr_has("expired 3m ago");
}

#[test]
fn x_tenant_header_is_sent_when_a_tenant_is_known() {
    let srv = Server::profile(vec![(TOKEN, jane())]);
    let env = TestEnv::new();
    env.run(
        &[
            "auth",
            "login",
            "--token-stdin",
            "--api-url",
            &srv.url(),
            "--tenant",
            "acme",
        ],
        TOKEN,
    )
    .ok();
    let reqs = srv.requests();
    assert_eq!(reqs.last().unwrap().header("x-tenant"), Some("acme"));
    env.run(
        &[
            "auth",
            "login",
            "--token-stdin",
            "--api-url",
            &srv.url(),
            "--tenant",
            "bad tenant!",
        ],
        TOKEN,
    )
    .code(2);
}

#[test]
fn usage_errors_exit_2() {
    let env = TestEnv::new();
    env.run(&["auth", "frobnicate"], "").code(2);
    env.run(&["auth", "login", "--with-token", "a", "--token-stdin"], "")
        .code(2);
    env.run(&[], "").code(2);
    env.run(&["--help"], "").ok().stdout_has("Exit codes");
}
