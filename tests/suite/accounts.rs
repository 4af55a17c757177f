//! Several accounts on one API URL: a login as another account adds it,
//! `auth switch`, `-u/--user`, `KEYWARD_USER`, logout of the active one,
//! status listing every account, and the migration of records written by
//! the one-account layout, in the keychain and in the file.

use crate::common::keyring::Keyring;
use crate::common::peers::{self, Provider};
use crate::common::server::Server;
use crate::common::*;
use serde_json::json;

const ALICE: &str = "kwd_alice_token_0123456789";
const BOB: &str = "kwd_bob_token_0123456789";
const CAROL: &str = "kwd_carol_token_0123456789";

fn profiles() -> Server {
    Server::profile(vec![
        (
            ALICE,
            json!({"id": "u-alice", "name": "Alice", "email": "alice@x.test"}),
        ),
        (
            BOB,
            json!({"id": "u-bob", "name": "Bob", "email": "bob@x.test"}),
        ),
        (
            CAROL,
            json!({"id": "u-carol", "name": "Bob", "email": "carol@x.test"}),
        ),
    ])
}

fn login(env: &TestEnv, url: &str, token: &str) -> Out {
    env.run(&["auth", "login", "--token-stdin", "-h", url], token)
}

/// `keyward ARGS` with `vars` set for this run only.
fn run_with(env: &TestEnv, args: &[&str], vars: &[(&str, &str)]) -> Out {
    let mut cmd = env.std_cmd(args);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let o = cmd.output().expect("run keyward");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn token(env: &TestEnv, args: &[&str]) -> String {
    let mut a = vec!["auth", "token"];
    a.extend_from_slice(args);
    env.run(&a, "").ok().stdout.trim().to_string()
}

#[test]
fn a_second_account_is_added_switched_picked_and_logged_out() {
    let k = Keyring::start();
    let srv = profiles();
    let env = TestEnv::with_keyring(&k);
    let url = srv.url();
    login(&env, &url, ALICE)
        .ok()
        .stderr_has(&format!("✓ Logged in to {url} as Alice (alice@x.test)\n"));
    // the second login adds bob and makes him active; alice stays
    login(&env, &url, BOB).ok().stderr_has(&format!(
        "✓ Logged in to {url} as Bob (bob@x.test); alice@x.test is still stored: `keyward auth switch -u alice@x.test`"
    ));
    let mut users: Vec<String> = k.items().into_iter().map(|(u, _)| u).collect();
    users.sort();
    assert_eq!(
        users,
        [format!("{url}#u-alice"), format!("{url}#u-bob")],
        "one keychain item per account"
    );
    assert_eq!(token(&env, &[]), BOB);
    // -u picks without switching: key, email in any case, name
    assert_eq!(token(&env, &["-u", "u-alice"]), ALICE);
    assert_eq!(token(&env, &["-u", "ALICE@x.test"]), ALICE);
    assert_eq!(token(&env, &["--user", "Alice"]), ALICE);
    assert_eq!(token(&env, &[]), BOB, "-u did not switch");
    // KEYWARD_USER does the same for a shell or a job
    let as_alice = [("KEYWARD_USER", "alice@x.test")];
    assert_eq!(
        run_with(&env, &["auth", "token"], &as_alice).ok().stdout,
        format!("{ALICE}\n")
    );
    run_with(&env, &["whoami", "--json"], &as_alice)
        .ok()
        .stdout_has("alice@x.test");
    // status lists both, the active one marked
    let out = env.run(&["auth", "status"], "");
    out.ok()
        .stdout_has("✓ Logged in as Bob (bob@x.test)")
        .stdout_has("Alice (alice@x.test) (not in use: `keyward auth switch -u alice@x.test`)");
    let j: serde_json::Value =
        serde_json::from_str(&env.run(&["auth", "status", "--json"], "").ok().stdout).unwrap();
    let accounts = j["environments"][0]["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 2, "{j}");
    let active: Vec<(&str, bool)> = accounts
        .iter()
        .map(|a| {
            (
                a["account"].as_str().unwrap(),
                a["active"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        active,
        [("u-bob", true), ("u-alice", false)],
        "the one in use first"
    );
    // status -u shows that account only, in use
    env.run(&["auth", "status", "-u", "alice@x.test"], "")
        .ok()
        .stdout_has("✓ Logged in as Alice")
        .not_anywhere("Bob");
    // switch with two accounts toggles
    env.run(&["auth", "switch"], "").ok().stderr_has(&format!(
        "✓ Switched the active account of {url} from Bob (bob@x.test) to Alice (alice@x.test)"
    ));
    assert_eq!(token(&env, &[]), ALICE);
    env.run(&["auth", "switch", "-u", "bob@x.test"], "").ok();
    assert_eq!(token(&env, &[]), BOB);
    // logging in again as bob replaces only bob's record
    login(&env, &url, BOB)
        .ok()
        .stderr_has("You were already logged in");
    assert_eq!(k.items().len(), 2);
    assert_eq!(token(&env, &["-u", "alice@x.test"]), ALICE);
    // logout removes the active account; the other becomes active
    env.run(&["auth", "logout"], "")
        .ok()
        .stderr_has(&format!("✓ Logged out of {url} as Bob (bob@x.test)"))
        .stderr_has(&format!(
            "Alice (alice@x.test) is now the active account of {url}"
        ));
    assert_eq!(token(&env, &[]), ALICE);
    assert_eq!(k.items().len(), 1);
    env.run(&["auth", "logout", "--all"], "").ok();
    assert!(k.items().is_empty());
    env.run(&["auth", "token"], "")
        .code(4)
        .stderr_has("not logged in");
}

#[test]
fn a_user_that_names_no_account_or_several_is_an_error_listing_them() {
    let srv = profiles();
    let env = TestEnv::new();
    let url = srv.url();
    for t in [ALICE, BOB, CAROL] {
        login(&env, &url, t).ok();
    }
    // Bob and Carol share the name "Bob"
    env.run(&["auth", "token", "-u", "bob"], "")
        .code(2)
        .stderr_has("matches 2 accounts")
        .stderr_has("u-bob")
        .stderr_has("u-carol")
        .not_anywhere(BOB)
        .not_anywhere(CAROL);
    env.run(&["auth", "token", "-u", "dave"], "")
        .code(4)
        .stderr_has("no account `dave`")
        .stderr_has("u-alice")
        .not_anywhere(ALICE);
    run_with(&env, &["auth", "token"], &[("KEYWARD_USER", "dave")])
        .code(4)
        .stderr_has("KEYWARD_USER");
    // three accounts: switch must be told which, without a terminal
    env.run(&["auth", "switch"], "")
        .code(2)
        .stderr_has("3 accounts are stored")
        .stderr_has("alice@x.test")
        .stderr_has("Solution: pass `-u USER`");
    env.run(&["auth", "switch", "-u", "dave"], "")
        .code(2)
        .stderr_has("no account `dave`");
    env.run(&["auth", "switch", "-u", "carol@x.test"], "").ok();
    assert_eq!(token(&env, &[]), CAROL);
    // logout -u removes that account only, the active one stays
    env.run(&["auth", "logout", "-u", "alice@x.test"], "")
        .ok()
        .stderr_has("as Alice");
    assert_eq!(token(&env, &[]), CAROL);
    let creds = env.read_credentials_raw().unwrap();
    let keys: Vec<&String> = creds.as_object().unwrap().keys().collect();
    assert_eq!(keys, [&format!("{url}#u-bob"), &format!("{url}#u-carol")]);
}

#[test]
fn switch_refuses_while_an_environment_token_applies_and_sets_the_default_with_h() {
    let srv = profiles();
    let other = profiles();
    let env = TestEnv::new();
    let (url, url2) = (srv.url(), other.url());
    login(&env, &url, ALICE).ok();
    login(&env, &url, BOB).ok();
    login(&env, &url2, ALICE).ok();
    login(&env, &url2, BOB).ok();
    let var = format!("KEYWARD_TOKEN_127_0_0_1_{}", srv.port);
    run_with(&env, &["auth", "switch", "-h", &url], &[(&var, "envtok")])
        .code(1)
        .stderr_has("switching the stored account");
    // -h also makes that API URL the default environment
    env.run(&["auth", "switch", "-h", &url2, "-u", "alice@x.test"], "")
        .ok()
        .stderr_has(&format!("{url2} is now the default API URL"));
    assert_eq!(token(&env, &[]), ALICE);
    assert_eq!(
        token(&env, &["-h", &url]),
        BOB,
        "the other API's active account"
    );
    // one account: nothing to switch to
    env.run(&["auth", "logout", "-h", &url, "-u", "alice@x.test"], "")
        .ok();
    env.run(&["auth", "switch", "-h", &url], "")
        .code(1)
        .stderr_has("only one account is stored");
}

#[test]
fn records_of_the_one_account_layout_move_in_the_file() {
    let srv = profiles();
    let env = TestEnv::new();
    let url = srv.url();
    std::fs::create_dir_all(env.config_dir()).unwrap();
    let old = json!({ url.clone(): {
        "version": 1, "api_url": url, "kind": "token", "access_token": ALICE,
        "token_type": "Bearer", "created_at": unix_now(),
        "user": {"id": "u-alice", "name": "Alice", "email": "alice@x.test"},
    }});
    std::fs::write(env.credentials_file(), old.to_string()).unwrap();
    std::fs::set_permissions(
        env.credentials_file(),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    std::fs::write(env.config_file(), format!("api_url = \"{url}\"\n")).unwrap();
    assert_eq!(token(&env, &[]), ALICE);
    let creds = env.read_credentials_raw().unwrap();
    let keys: Vec<&String> = creds.as_object().unwrap().keys().collect();
    assert_eq!(keys, [&format!("{url}#u-alice")], "moved: {creds}");
    assert_eq!(creds[format!("{url}#u-alice")]["version"], 2);
    // the moved record is a normal account: a second one is added beside it
    login(&env, &url, BOB)
        .ok()
        .stderr_has("alice@x.test is still stored");
    assert_eq!(token(&env, &["-u", "alice@x.test"]), ALICE);
}

#[test]
fn records_of_the_one_account_layout_move_in_the_keychain() {
    let k = Keyring::start();
    let srv = profiles();
    let env = TestEnv::with_keyring(&k);
    let url = srv.url();
    let old = json!({
        "version": 1, "api_url": url, "kind": "token", "access_token": ALICE,
        "token_type": "Bearer", "created_at": unix_now(),
        "user": {"id": "u-alice", "name": "Alice", "email": "alice@x.test"},
    });
    k.store(&url, &old.to_string());
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(env.config_file(), format!("api_url = \"{url}\"\n")).unwrap();
    env.run(&["auth", "status"], "")
        .ok()
        .stdout_has("Logged in as Alice");
    assert!(k.lookup_exact(&url).is_none(), "the old item is removed");
    let moved = k
        .lookup_exact(&format!("{url}#u-alice"))
        .expect("the new item is written");
    let rec: serde_json::Value = serde_json::from_str(&moved).unwrap();
    assert_eq!(rec["access_token"], ALICE);
    assert_eq!(rec["version"], 2);
    assert_eq!(token(&env, &[]), ALICE);
    assert_eq!(k.items().len(), 1);
}

#[test]
fn a_second_oauth_login_asks_the_provider_to_choose_the_account() {
    let _ports = peers::callback_ports();
    let p = Provider::start(&[]);
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_CLIENT_ID", &p.client_id);
    env.set_env("BROWSER", &peers::browser_command());
    let url = p.issuer.clone();
    let authorize_log = || -> Vec<String> {
        std::fs::read_to_string(&p.request_log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with("GET /auth "))
            .map(str::to_string)
            .collect()
    };
    run_with(
        &env,
        &["auth", "login", "-h", &url, "--timeout", "90"],
        &[("KEYWARD_TEST_LOGIN", "alice")],
    )
    .ok()
    .stderr_has("as Test User alice");
    assert_eq!(
        authorize_log(),
        ["GET /auth prompt=consent login_hint=-"],
        "the first login reuses whatever session the browser has"
    );
    run_with(
        &env,
        &[
            "auth",
            "login",
            "-h",
            &url,
            "--timeout",
            "90",
            "--login-hint",
            "bob",
            "--auth-param",
            "ui_locales=en",
        ],
        &[("KEYWARD_TEST_LOGIN", "bob")],
    )
    .ok()
    .stderr_has(
        "as Test User bob (bob@example.test); alice is still stored: `keyward auth switch -u alice`",
    );
    // the provider does not list select_account: `login` asks it to sign in anew
    assert_eq!(
        authorize_log()[1],
        "GET /auth prompt=login consent login_hint=bob"
    );
    let who = |args: &[&str]| {
        let mut a = vec!["whoami"];
        a.extend_from_slice(args);
        env.run(&a, "").ok().stdout.clone()
    };
    assert!(who(&[]).contains("bob@example.test"));
    assert!(who(&["-u", "alice"]).contains("alice@example.test"));
    env.run(&["auth", "switch"], "").ok();
    assert!(who(&[]).contains("alice@example.test"));
    // each account refreshes its own tokens
    env.run(&["auth", "refresh", "-u", "bob@example.test"], "")
        .ok()
        .stderr_has("Token refreshed for Test User bob");
    env.run(&["auth", "refresh"], "")
        .ok()
        .stderr_has("Token refreshed for Test User alice");
    let t_alice = token(&env, &[]);
    let t_bob = token(&env, &["-u", "bob"]);
    assert_ne!(t_alice, t_bob);
}

#[test]
fn auth_param_may_not_replace_the_protocol_parameters() {
    let env = TestEnv::new();
    env.run(
        &[
            "auth",
            "login",
            "-h",
            "api.example.test",
            "--auth-param",
            "redirect_uri=https://evil.test",
        ],
        "",
    )
    .code(2)
    .stderr_has("`redirect_uri` is set by the login itself");
    env.run(
        &[
            "auth",
            "login",
            "-h",
            "api.example.test",
            "--auth-param",
            "novalue",
        ],
        "",
    )
    .code(2)
    .stderr_has("is not NAME=VALUE");
}
