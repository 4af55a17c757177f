//! `auth status` through the real binary: every environment by default,
//! exit 1 with the report on stderr when a login it shows is not usable,
//! `--json` (its schema pinned by a snapshot and README's table),
//! `--verify`, the refused-refresh mark, the keychain that cannot be read,
//! and `KEYWARD_TOKEN` scoped to one API URL.

use super::lifecycle::{issuer, now, store};
use crate::common::keyring::Keyring;
use crate::common::server::{Reply, Server};
use crate::common::*;
use serde_json::{Value, json};
use std::time::Duration;

const GOOD: &str = "kwd_status_good_0123456789";

fn json_of(out: &Out) -> Value {
    out.ok();
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e})\n{out:#?}"))
}

fn set_default(env: &TestEnv, url: &str) {
    env.run(&["config", "set", "api_url", url], "").ok();
}

/// Write a personal-access-token record straight into the file store.
fn store_token(env: &TestEnv, url: &str, token: &str) {
    store(env, url, token, None, None);
    let mut map = env.read_credentials().unwrap();
    map[url]["kind"] = json!("token");
    env.write_credentials(&map);
}

#[test]
fn lists_every_environment_with_the_default_first_and_marked() {
    let env = TestEnv::new();
    let (a, b) = ("https://a.example.test", "https://b.example.test");
    store(&env, a, "kwd_a_token_000000000", None, None);
    store(&env, b, "kwd_b_token_000000000", Some("r"), Some(3600));
    set_default(&env, b);
    let out = env.run(&["auth", "status"], "");
    out.ok()
        .stdout_has(&format!(
            "{b} (default)\n  ✓ Logged in as Rita (rita@x.test)"
        ))
        .stdout_has(&format!("\n{a}\n  ✓ Logged in as Rita"))
        .stdout_has("expires in 60m")
        .stdout_has("no expiry")
        .not_anywhere("kwd_a_token_000000000");
    assert!(
        out.stdout.find(b).unwrap() < out.stdout.find(a).unwrap(),
        "the default comes first\n{out:#?}"
    );
    assert!(!out.stdout.contains(&format!("{a} (default)")), "{out:#?}");
    // -h narrows to one; --all is still accepted and is the default
    let one = env.run(&["auth", "status", "-h", a], "");
    one.ok().stdout_has(a);
    assert!(!one.stdout.contains(b), "{one:#?}");
    assert_eq!(
        env.run(&["auth", "status", "--all"], "").ok().stdout,
        out.stdout
    );
    // -t shows the whole token
    env.run(&["auth", "status", "-t", "-h", a], "")
        .ok()
        .stdout_has("kwd_a_token_000000000");
}

#[test]
fn fresh_install_says_not_logged_in_and_the_command_to_run() {
    let mut env = TestEnv::new();
    // no keychain to wonder about (see without_dbus_... for that)
    env.set_env("KEYWARD_CREDENTIAL_STORE", "file");
    let out = env.run(&["auth", "status"], "");
    out.code(1)
        .stderr_has("Not logged in to any API.")
        .stderr_has("To log in, run: keyward auth login -h <api_url>");
    assert_eq!(out.stdout, "");
    let j = json_of(&env.run(&["auth", "status", "--json"], ""));
    assert_eq!(j["environments"], json!([]));
    // with a default API URL, the plain command
    env.set_env("KEYWARD_API_URL", "https://api.example.test");
    env.run(&["auth", "status"], "")
        .code(1)
        .stderr_has("Not logged in to any API.\nTo log in, run: keyward auth login\n");
    // -h names one environment: it is reported, not logged in
    env.run(&["auth", "status", "-h", "other.example.test"], "")
        .code(1)
        .stderr_has("https://other.example.test\n  X Not logged in to https://other.example.test")
        .stderr_has("To log in, run: keyward auth login -h https://other.example.test");
    env.run(&["auth", "status", "-h", "api.example.test"], "")
        .code(1)
        .stderr_has("To log in, run: keyward auth login\n");
}

#[test]
fn an_unusable_login_exits_1_with_the_whole_report_on_stderr() {
    let env = TestEnv::new();
    let (ok, old) = ("https://ok.example.test", "https://old.example.test");
    store(&env, ok, "kwd_ok_token_00000000", None, None);
    store(&env, old, "kwd_old_token_0000000", None, Some(-180));
    let out = env.run(&["auth", "status"], "");
    out.code(1)
        .stderr_has(&format!("{old}\n  X Logged in as Rita (rita@x.test)"))
        .stderr_has("X The token expired 3m ago, and there is no refresh token")
        .stderr_has(&format!(
            "To log in again, run: keyward auth login -h {old}"
        ))
        .stderr_has(&format!("{ok}\n  ✓ Logged in as Rita"));
    assert_eq!(out.stdout, "", "the whole report goes to stderr");
    // narrowed to the usable one: exit 0 on stdout
    env.run(&["auth", "status", "-h", ok], "")
        .ok()
        .stdout_has(ok);
    // the default environment's fix carries no -h
    set_default(&env, old);
    env.run(&["auth", "status", "-h", old], "")
        .code(1)
        .stderr_has(&format!("{old} (default)"))
        .stderr_has("To log in again, run: keyward auth login\n");
    // expired with a refresh token is usable
    store(&env, old, "kwd_old_token_0000000", Some("r"), Some(-180));
    env.run(&["auth", "status"], "")
        .ok()
        .stdout_has("expired 3m ago (will refresh on next use)");
}

#[test]
fn json_always_exits_0_and_says_what_is_unusable() {
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_CREDENTIAL_STORE", "file");
    let url = "https://old.example.test";
    store(&env, url, "kwd_old_token_0000000", None, Some(-180));
    let j = json_of(&env.run(&["auth", "status", "--json"], ""));
    let e = &j["environments"][0];
    assert_eq!(e["api_url"], url);
    assert_eq!(e["usable"], false);
    assert_eq!(e["default"], false);
    assert_eq!(e["env_token"], Value::Null);
    let a = &e["accounts"][0];
    assert_eq!(a["active"], true);
    assert_eq!(a["usable"], false);
    assert_eq!(a["expired"], true);
    assert_eq!(a["problems"][0]["code"], "expired");
    assert_eq!(a["problems"][0]["severity"], "error");
    assert!(
        a["problems"][0]["fix"]
            .as_str()
            .unwrap()
            .contains("keyward auth login -h https://old.example.test"),
        "{a}"
    );
    // not logged in, narrowed: still exit 0
    let j = json_of(&env.run(&["auth", "status", "--json", "-h", "none.example.test"], ""));
    assert_eq!(j["environments"][0]["accounts"], json!([]));
    assert_eq!(j["environments"][0]["problems"][0]["code"], "not_logged_in");
}

#[test]
fn a_refused_refresh_marks_the_record_until_a_refresh_or_login_clears_it() {
    let is = issuer(Duration::ZERO);
    let env = TestEnv::new();
    let url = is.srv.url();
    // rt-0 is not the issuer's current refresh token: invalid_grant
    store(&env, &url, "at-0", Some("rt-0"), Some(-60));
    env.run(&["auth", "token", "-h", &url], "").code(4);
    let rec = env.read_credentials().unwrap()[&url].clone();
    assert_eq!(rec["access_token"], "at-0", "tokens untouched");
    assert_eq!(rec["refresh_token"], "rt-0", "tokens untouched");
    assert!(
        rec["refresh_failed"]["error"]
            .as_str()
            .unwrap()
            .starts_with("invalid_grant"),
        "{rec}"
    );
    let at = rec["refresh_failed"]["at"].as_i64().unwrap();
    assert!((now() - at).abs() < 60, "{rec}");
    env.run(&["auth", "status"], "")
        .code(1)
        .stderr_has("X The server refused to refresh the token")
        .stderr_has("invalid_grant")
        .stderr_has(&format!(
            "To log in again, run: keyward auth login -h {url}"
        ))
        .not_anywhere("will refresh on next use");
    let j = json_of(&env.run(&["auth", "status", "--json"], ""));
    let a = &j["environments"][0]["accounts"][0];
    assert_eq!(a["refresh_failed"]["at"], at);
    assert_eq!(a["problems"][0]["code"], "refresh_refused");
    env.run(&["auth", "status", "--check", "-h", &url], "")
        .code(1)
        .stdout_has("refused the last refresh");
    // a later refresh that succeeds clears the mark
    let mut map = env.read_credentials().unwrap();
    map[&url]["refresh_token"] = json!("rt-1");
    env.write_credentials(&map);
    assert_eq!(
        env.run(&["auth", "token", "-h", &url], "").ok().stdout,
        "at-2\n"
    );
    let rec = env.read_credentials().unwrap()[&url].clone();
    assert!(rec.get("refresh_failed").is_none(), "{rec}");
    env.run(&["auth", "status"], "").ok();
}

#[test]
fn a_new_login_clears_the_refused_refresh_mark() {
    let srv = Server::profile(vec![(GOOD, json!({"name": "Lena"}))]);
    let env = TestEnv::new();
    let url = srv.url();
    store(&env, &url, "at-0", Some("rt-0"), Some(-60));
    let mut map = env.read_credentials().unwrap();
    map[&url]["refresh_failed"] = json!({"at": now() - 30, "error": "invalid_grant"});
    env.write_credentials(&map);
    env.run(&["auth", "status"], "").code(1);
    env.run(&["auth", "login", "--with-token", "-h", &url], GOOD)
        .ok();
    assert!(
        env.read_credentials().unwrap()[&url]
            .get("refresh_failed")
            .is_none()
    );
    env.run(&["auth", "status"], "")
        .ok()
        .stdout_has("Logged in as Lena");
}

#[test]
fn without_dbus_logins_in_the_file_exit_0() {
    let env = TestEnv::new(); // no D-Bus session bus
    store(
        &env,
        "https://a.example.test",
        "kwd_a_token_000000000",
        None,
        None,
    );
    set_default(&env, "https://a.example.test");
    store(
        &env,
        "https://b.example.test",
        "kwd_b_token_000000000",
        None,
        None,
    );
    env.run(&["auth", "status"], "")
        .ok()
        .stdout_has("https://a.example.test (default)")
        .stdout_has("https://b.example.test")
        .stderr_has("logins stored there are not listed");
    // one not in the file may be in the keychain that cannot be read
    env.run(&["auth", "status", "-h", "c.example.test"], "")
        .code(1)
        .stderr_has("X Could not tell whether you are logged in to https://c.example.test: the OS keychain could not be searched")
        .stderr_has("credential_store file")
        .stderr_has("to log in anew, run: keyward auth login -h https://c.example.test");
}

#[test]
fn a_login_in_a_keychain_that_cannot_be_read_is_not_usable() {
    let k = Keyring::start();
    let srv = Server::profile(vec![(GOOD, json!({"name": "Kim"}))]);
    let with = TestEnv::with_keyring(&k);
    with.run(&["auth", "login", "--with-token", "-h", &srv.url()], GOOD)
        .ok();
    assert!(k.lookup(&srv.url()).is_some());
    with.run(&["auth", "status"], "")
        .ok()
        .stdout_has("stored in the OS keychain");
    // the same config, but no D-Bus: the default login is in the keychain
    let mut without = TestEnv::new();
    without.dir = with.dir;
    without
        .run(&["auth", "status"], "")
        .code(1)
        .stderr_has(&format!("{} (default)", srv.url()))
        .stderr_has("X Could not tell whether you are logged in")
        .stderr_has(&format!("the login to {} is stored there", srv.url()))
        .stderr_has("Unlock or start your keychain")
        .not_anywhere(GOOD);
}

#[test]
fn verify_asks_the_profile_endpoint_and_never_writes() {
    let srv = Server::profile(vec![(GOOD, json!({"name": "Vera"}))]);
    let env = TestEnv::new();
    let url = srv.url();
    store_token(&env, &url, GOOD);
    // plain status is offline
    env.run(&["auth", "status"], "").ok();
    assert_eq!(srv.requests().len(), 0, "plain status sends nothing");
    let before = std::fs::read(env.credentials_file()).unwrap();
    env.run(&["auth", "status", "--verify"], "")
        .ok()
        .stdout_has("✓ The API accepts the token");
    assert_eq!(srv.count("/api/v1/profile"), 1);
    let seen = srv.requests();
    let profile = seen.iter().find(|r| r.path == "/api/v1/profile").unwrap();
    assert_eq!(
        profile.header("authorization"),
        Some(format!("Bearer {GOOD}").as_str())
    );
    let j = json_of(&env.run(&["auth", "status", "--verify", "--json"], ""));
    assert_eq!(j["environments"][0]["accounts"][0]["verified"], true);
    // a token the API refuses: X and exit 1
    store_token(&env, &url, "kwd_revoked_0123456789");
    env.run(&["auth", "status", "--verify"], "")
        .code(1)
        .stderr_has("X Logged in as Rita")
        .stderr_has("X The server rejected the token (HTTP 401)")
        .stderr_has("To log in again, run: keyward auth login -h");
    let j = json_of(&env.run(&["auth", "status", "--verify", "--json"], ""));
    assert_eq!(j["environments"][0]["accounts"][0]["verified"], false);
    // an expired token is not sent
    let asked = srv.count("/api/v1/profile");
    store(&env, &url, "kwd_expired_0123456789", Some("r"), Some(-60));
    env.run(&["auth", "status", "--verify"], "")
        .ok()
        .stdout_has("Not checked: the token has expired");
    assert_eq!(srv.count("/api/v1/profile"), asked);
    // never a refresh, never a write
    assert!(srv.count("/oauth/token") == 0);
    store_token(&env, &url, GOOD);
    let before_verify = std::fs::read(env.credentials_file()).unwrap();
    env.run(&["auth", "status", "--verify"], "").ok();
    assert_eq!(
        std::fs::read(env.credentials_file()).unwrap(),
        before_verify
    );
    assert_ne!(before, Vec::<u8>::new());
}

#[test]
fn verify_without_an_answer_says_it_could_not_check() {
    let env = TestEnv::new();
    let dead = "http://127.0.0.1:1";
    store_token(&env, dead, GOOD);
    env.run(&["auth", "status", "--verify"], "")
        .code(1)
        .stderr_has("? Logged in as Rita")
        .stderr_has("? Could not check the token")
        .stderr_has("connection refused");
    let j = json_of(&env.run(&["auth", "status", "--verify", "--json"], ""));
    let a = &j["environments"][0]["accounts"][0];
    assert_eq!(a["verified"], Value::Null);
    assert_eq!(a["problems"][0]["code"], "not_verified");
    // a server that never answers, within http_timeout
    let slow = Server::start(|_| {
        let mut r = Reply::json(200, json!({"name": "late"}));
        r.delay = Duration::from_secs(5);
        r
    });
    let env = TestEnv::new();
    store_token(&env, &slow.url(), GOOD);
    env.run(&["config", "set", "http_timeout", "1"], "").ok();
    let start = std::time::Instant::now();
    env.run(&["auth", "status", "--verify"], "")
        .code(1)
        .stderr_has("? Could not check the token")
        .stderr_has("timed out");
    assert!(start.elapsed() < Duration::from_secs(15));
}

#[test]
fn keyward_token_shows_where_it_applies_and_says_so_elsewhere() {
    let mut env = TestEnv::new();
    let (a, b) = ("https://a.example.test", "https://b.example.test");
    store(&env, a, "kwd_stored_a_00000000", None, Some(-180));
    store(&env, b, "kwd_stored_b_00000000", None, None);
    set_default(&env, a);
    env.set_env("KEYWARD_TOKEN", "kwd_from_env_abcdef123");
    // it applies to the default API URL, whose expired stored login is not in use
    let out = env.run(&["auth", "status"], "");
    out.ok()
        .stdout_has(&format!("{a} (default)\n  ✓ Logged in with KEYWARD_TOKEN"))
        .stdout_has("KEYWARD_TOKEN is set: it is used instead of any stored login")
        .stdout_has("- Stored login: Rita (rita@x.test) (not in use while KEYWARD_TOKEN is set)")
        .stdout_has("! The token expired 3m ago")
        .not_anywhere("kwd_from_env_abcdef123");
    let j = json_of(&env.run(&["auth", "status", "--json"], ""));
    let ea = &j["environments"][0];
    assert_eq!(ea["env_token"]["variable"], "KEYWARD_TOKEN");
    assert_eq!(ea["usable"], true);
    assert_eq!(ea["accounts"][0]["active"], false);
    assert_eq!(j["environments"][1]["env_token"], Value::Null);
    env.run(&["auth", "status", "-t", "-h", a], "")
        .ok()
        .stdout_has("kwd_from_env_abcdef123");
    // narrowed to another API URL: ignored here, and said so
    env.run(&["auth", "status", "-h", b], "")
        .ok()
        .stdout_has(&format!(
            "! KEYWARD_TOKEN is set but ignored here: it applies to {a}"
        ))
        .stdout_has("✓ Logged in as Rita");
    // KEYWARD_TOKEN_<host> applies to its host
    env.set_env("KEYWARD_TOKEN_b_example_test", "kwd_host_token_9876543");
    let j = json_of(&env.run(&["auth", "status", "--json"], ""));
    assert_eq!(
        j["environments"][1]["env_token"]["variable"],
        "KEYWARD_TOKEN_b_example_test"
    );
}

#[test]
fn keyward_token_without_a_default_applies_only_to_the_named_api_url() {
    let mut env = TestEnv::new();
    let a = "https://a.example.test";
    store(&env, a, "kwd_stored_a_00000000", None, None);
    env.set_env("KEYWARD_TOKEN", "kwd_from_env_abcdef123");
    let out = env.run(&["auth", "status"], "");
    out.ok()
        .stdout_has("✓ Logged in as Rita")
        .stderr_has("KEYWARD_TOKEN is set, but with no default API URL");
    assert!(
        !out.stdout.contains("Logged in with KEYWARD_TOKEN"),
        "{out:#?}"
    );
    env.run(&["auth", "status", "-h", a], "")
        .ok()
        .stdout_has("✓ Logged in with KEYWARD_TOKEN");
    // a value that cannot be a token: said, not usable, where it applies
    env.set_env("KEYWARD_TOKEN", "two words");
    env.run(&["auth", "status", "-h", a], "")
        .code(1)
        .stderr_has("X KEYWARD_TOKEN cannot be used as a token")
        .stderr_has("Set KEYWARD_TOKEN to exactly the token")
        .not_anywhere("two words");
    let listed = env.run(&["auth", "status"], "");
    listed.ok().stdout_has("✓ Logged in as Rita");
    assert!(!listed.stdout.contains("cannot be used"), "{listed:#?}");
}

// ---- the --json schema and README ----

/// Every key path of `v`: `environments[].accounts[].user.name`.
#[test]
fn the_stored_logins_tenant_does_not_follow_an_environment_token() {
    let mut env = TestEnv::new();
    let a = "https://a.example.test";
    store(&env, a, "kwd_stored_a_00000000", None, None);
    let mut map = env.read_credentials().unwrap();
    map[a]["tenant"] = json!("stored-tenant");
    env.write_credentials(&map);
    env.run(&["auth", "status", "-h", a], "")
        .ok()
        .stdout_has("Tenant: stored-tenant");
    env.set_env("KEYWARD_TOKEN", "kwd_from_env_abcdef123");
    let out = env.run(&["auth", "status", "-h", a, "--json"], "");
    let j = json_of(out.ok());
    assert_eq!(j["environments"][0]["tenant"], Value::Null, "{out:#?}");
    env.run(&["auth", "status", "-h", a, "--tenant", "named"], "")
        .ok()
        .stdout_has("Tenant: named");
}

fn paths(v: &Value, prefix: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.push(p.clone());
                paths(x, &p, out);
            }
        }
        Value::Array(items) => {
            for x in items {
                paths(x, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

/// A report with every field filled: an environment token, an inactive
/// stored account with a refused refresh and tenants, a verified token, a
/// default API URL from a per-project pin.
fn full_report() -> (TestEnv, Server, String) {
    let srv = Server::profile(vec![(GOOD, json!({"name": "Ann"}))]);
    let mut env = TestEnv::new();
    let url = srv.url();
    store(&env, &url, "kwd_stored_0123456789", Some("rt"), Some(3600));
    let mut map = env.read_credentials().unwrap();
    let rec = &mut map[&url];
    rec["scopes"] = json!(["read", "write"]);
    rec["tenant"] = json!("acme");
    rec["tenants"] = json!([{"slug": "acme", "name": "Acme"}, {"slug": "beta"}]);
    rec["user"] = json!({"name": "Ann", "email": "ann@x.test", "login": "ann", "id": "7"});
    rec["refresh_failed"] = json!({"at": now() - 120, "error": "invalid_grant: revoked"});
    env.write_credentials(&map);
    // a warning that does not depend on the machine: loose permissions
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        env.credentials_file(),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    set_default(&env, &url);
    // run in a project whose pin names the same API URL: the default's source
    let project = env.dir.path().join("project");
    std::fs::create_dir(&project).unwrap();
    let pin = project.join(".keyward.toml");
    std::fs::write(&pin, format!("api_url = \"{url}\"\n")).unwrap();
    std::fs::set_permissions(&pin, std::fs::Permissions::from_mode(0o644)).unwrap();
    env.set_env("KEYWARD_CREDENTIAL_STORE", "file");
    env.set_env("KEYWARD_TOKEN", GOOD);
    let out = env.run_in(
        &project,
        &["auth", "status", "--json", "--verify", "--tenant", "acme"],
        "",
    );
    out.ok();
    (env, srv, out.stdout.clone())
}

fn filters(env: &TestEnv) -> Vec<(String, String)> {
    vec![
        (
            regex_escape(&env.dir.path().display().to_string()),
            "[TMP]".into(),
        ),
        (r"127\.0\.0\.1:\d+".into(), "127.0.0.1:[PORT]".into()),
        (r#""(at|expires_at)": \d+"#.into(), r#""$1": [TIME]"#.into()),
        (
            r"expires in \d+[smhd]".into(),
            "expires in [DURATION]".into(),
        ),
        (r"\d+[smhd] ago".into(), "[DURATION] ago".into()),
    ]
}

#[test]
fn json_schema_snapshot() {
    let (env, _srv, stdout) = full_report();
    let f = filters(&env);
    let f: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    insta::with_settings!({filters => f}, {
        insta::assert_snapshot!("status_json", stdout);
    });
}

#[test]
fn readme_documents_every_json_field() {
    let (_env, _srv, stdout) = full_report();
    let j: Value = serde_json::from_str(&stdout).unwrap();
    let mut found = Vec::new();
    paths(&j, "", &mut found);
    // every `problems` array holds the same objects, documented once
    let found: Vec<String> = found
        .into_iter()
        .map(|p| match p.find("problems[].") {
            Some(i) => p[i..].to_string(),
            None => p,
        })
        .collect();
    let mut found = found;
    found.sort();
    found.dedup();
    let table = readme_section("### `auth status --json`");
    let documented: Vec<String> = table
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_string)
        .collect();
    for p in &found {
        assert!(
            documented.contains(p),
            "README's `auth status --json` table lacks `{p}`"
        );
    }
    for d in &documented {
        assert!(
            found.contains(d),
            "README documents `{d}`, which `auth status --json` does not print"
        );
    }
    insta::assert_snapshot!("readme_status_json_table", table);
}

#[test]
fn readme_exit_code_table_snapshot_and_behaviour() {
    let text = readme_section("## Exit codes");
    insta::assert_snapshot!("readme_exit_codes", text);
    // the table lists the codes `--help` lists
    let codes = |rows: Vec<&str>| -> Vec<String> {
        rows.iter()
            .filter_map(|l| l.split_whitespace().next())
            .filter(|w| w.chars().all(|c| c.is_ascii_digit()))
            .map(str::to_string)
            .collect()
    };
    let readme_codes = codes(text.lines().filter_map(|l| l.strip_prefix("| ")).collect());
    let env = TestEnv::new();
    let help = env.run(&["--help"], "").ok().stdout.clone();
    let exits = &help[help.find("Exit codes:").unwrap()..help.find("Environment:").unwrap()];
    assert_eq!(readme_codes, codes(exits.lines().skip(1).collect()));
    assert!(exits.contains("`auth status` exits 1"), "{exits}");
    // and what the note says: 1 for auth status, 4 for auth token and whoami
    let url = "https://expired.example.test";
    store(&env, url, "kwd_expired_0123456789", None, Some(-60));
    env.run(&["auth", "status"], "").code(1);
    env.run(&["auth", "status", "--json"], "").code(0);
    env.run(&["auth", "token", "-h", url], "").code(4);
    env.run(&["whoami", "-h", "https://none.example.test"], "")
        .code(4);
}
