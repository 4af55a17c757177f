//! `auth doctor` against a local API (metadata, profile, `Date`), each
//! broken state on its own: an open credentials file, a config.toml that
//! does not parse and others can write, an API URL that does not answer, a
//! rejected token, an API without metadata or `Date`, a clock five minutes
//! off, a taken callback port; `--offline`, and the `--json` document (its
//! README table too). The keychain's states are in `doctor_keychain.rs`.
//! The doctor changes nothing: no permission, no file.

use crate::common::server::{Reply, Server};
use crate::common::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

pub(super) const GOOD: &str = "kwd_doctor_good_0123456789";
const REVOKED: &str = "kwd_doctor_revoked_0123456789";

/// A local API: RFC 8414 metadata, a profile endpoint accepting `GOOD`,
/// and a `Date` header `clock_offset` seconds off on every answer.
pub(super) fn api(clock_offset: i64) -> Server {
    let base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
    let b = base.clone();
    let srv = Server::start(move |r| {
        let base = b.get().cloned().unwrap_or_default();
        let mut reply = match r.path.as_str() {
            "/.well-known/oauth-authorization-server" => Reply::json(
                200,
                json!({
                    "issuer": base,
                    "authorization_endpoint": format!("{base}/oauth/authorize"),
                    "token_endpoint": format!("{base}/oauth/token"),
                    "device_authorization_endpoint": format!("{base}/oauth/device"),
                }),
            ),
            "/api/v1/profile" => match r.header("authorization") {
                Some(a) if a == format!("Bearer {GOOD}") => {
                    Reply::json(200, json!({"name": "Dora", "email": "dora@doc.test"}))
                }
                _ => Reply::json(401, json!({"message": "Unauthenticated."})),
            },
            _ => Reply::json(404, json!({"message": "Not Found"})),
        };
        let at = if clock_offset >= 0 {
            SystemTime::now() + Duration::from_secs(clock_offset as u64)
        } else {
            SystemTime::now() - Duration::from_secs(clock_offset.unsigned_abs())
        };
        reply
            .headers
            .push(("Date".into(), httpdate::fmt_http_date(at)));
        reply
    });
    base.set(srv.url()).unwrap();
    srv
}

/// A port nothing listens on now.
pub(super) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Give `url` a callback port of its own: the default ones may be taken
/// by other tests' logins.
pub(super) fn own_port(env: &TestEnv, url: &str) -> u16 {
    let p = free_port();
    env.run(
        &["config", "set", "callback_ports", &p.to_string(), "-h", url],
        "",
    )
    .ok();
    p
}

/// `auth doctor ARGS` as text, and as JSON.
pub(super) fn doctor(env: &TestEnv, args: &[&str]) -> (Out, Value) {
    let mut a = vec!["auth", "doctor"];
    a.extend_from_slice(args);
    let text = env.run(&a, "");
    a.push("--json");
    let out = env.run(&a, "");
    assert_eq!(
        out.code, text.code,
        "--json exits as the text does\n{out:#?}"
    );
    let j = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:#?}"));
    (text, j)
}

pub(super) fn statuses(j: &Value) -> BTreeMap<String, String> {
    j["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

pub(super) fn failing(j: &Value) -> Vec<String> {
    statuses(j)
        .into_iter()
        .filter(|(_, s)| s == "fail")
        .map(|(id, _)| id)
        .collect()
}

pub(super) fn check<'a>(j: &'a Value, id: &str) -> &'a Value {
    j["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id} check: {j}"))
}

/// A file-store environment logged in to `url` with `token`.
fn file_env(url: &str, token: &str) -> TestEnv {
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_CREDENTIAL_STORE", "file");
    store_oauth(&env, url, token, "rt_doctor", 3600, "cli");
    own_port(&env, url);
    env
}

#[cfg(unix)]
fn chmod(p: &std::path::Path, m: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
}

#[test]
fn a_credentials_file_others_can_read_is_reported_and_left_alone() {
    let srv = api(0);
    let env = file_env(&srv.url(), GOOD);
    chmod(&env.credentials_file(), 0o644);
    let (out, j) = doctor(&env, &["-h", &srv.url()]);
    let path = env.credentials_file().display().to_string();
    out.code(1)
        .stdout_has(&format!(
            "✗ {path} is 0644: other users can read the tokens in it"
        ))
        .stdout_has(&format!("Fix: chmod 600 {path}"))
        .stdout_has("- The stored login was not read")
        .not_anywhere(GOOD);
    assert_eq!(failing(&j), ["credentials_file"], "{j}");
    assert_eq!(
        mode(&env.credentials_file()),
        0o644,
        "doctor changes nothing"
    );
    // once fixed, the token is checked
    chmod(&env.credentials_file(), 0o600);
    let (out, _) = doctor(&env, &["-h", &srv.url()]);
    out.ok()
        .stdout_has("✓ The API accepts the stored token of Nora Net");
}

#[test]
fn a_config_that_does_not_parse_and_others_can_write() {
    let srv = api(0);
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_CREDENTIAL_STORE", "file");
    std::fs::create_dir_all(env.config_dir()).unwrap();
    chmod(&env.config_dir(), 0o700);
    std::fs::write(
        env.config_file(),
        "api_url = \"https://a.test\"\ntenant = [unclosed\n",
    )
    .unwrap();
    chmod(&env.config_file(), 0o664);
    let (out, j) = doctor(&env, &["-h", &srv.url(), "--offline"]);
    let path = env.config_file().display().to_string();
    out.code(1)
        .stdout_has("✗ config.toml does not parse: not valid TOML (line 2)")
        .stdout_has("the other checks ran with the default settings")
        .stdout_has(&format!("✗ {path} is 0664: other users can change it"))
        .stdout_has(&format!("Fix: chmod go-w {path}"))
        // the other checks still ran
        .stdout_has("allback port");
    let f = failing(&j);
    assert!(f.contains(&"config".to_string()), "{j}");
    assert!(f.contains(&"config_permissions".to_string()), "{j}");
    assert_eq!(mode(&env.config_file()), 0o664, "doctor changes nothing");
    // a config that parses, with a key keyward does not know: worth knowing
    std::fs::write(env.config_file(), "tennant = \"acme\"\n").unwrap();
    chmod(&env.config_file(), 0o600);
    let (out, j) = doctor(&env, &["-h", &srv.url(), "--offline"]);
    out.stdout_has("! config.toml parses, but keyward ignores 1 key it does not know")
        .stdout_has("unknown key `tennant`, did you mean `tenant`?");
    assert_eq!(check(&j, "config")["status"], "warn");
}

#[test]
fn an_api_url_that_does_not_answer() {
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let env = file_env(&url, GOOD);
    let (out, j) = doctor(&env, &["-h", &url]);
    out.code(1)
        .stdout_has(&format!("✗ {url} does not answer: connection refused"))
        .stdout_has("Fix: check that the API URL is right and that the server is running")
        .stdout_has(&format!("- Discovery not checked: {url} does not answer"));
    assert_eq!(failing(&j), ["api_url"], "{j}");
    assert_eq!(check(&j, "clock")["status"], "skip");
}

#[test]
fn a_token_the_api_rejects() {
    let srv = api(0);
    let url = srv.url();
    let env = file_env(&url, REVOKED);
    let (out, j) = doctor(&env, &["-h", &url]);
    out.code(1)
        .stdout_has(&format!(
            "✗ The API rejects the stored token of Nora Net (nora@net.test): HTTP 401 from {url}/api/v1/profile"
        ))
        .stdout_has(&format!("Fix: log in again: `keyward auth login -h {url}`"))
        .not_anywhere(REVOKED);
    assert_eq!(failing(&j), ["token"], "{j}");
    // not logged in at all
    let other = TestEnv::new();
    let mut other = other;
    other.set_env("KEYWARD_CREDENTIAL_STORE", "file");
    own_port(&other, &url);
    let (out, _) = doctor(&other, &["-h", &url]);
    out.code(1)
        .stdout_has(&format!("✗ Not logged in to {url}"))
        .stdout_has(&format!("Fix: run `keyward auth login -h {url}`"));
    // an environment token is checked instead of the stored login
    let mut env = env;
    env.set_env("KEYWARD_TOKEN", GOOD);
    let (out, _) = doctor(&env, &["-h", &url]);
    out.ok()
        .stdout_has("✓ The API accepts the token in KEYWARD_TOKEN")
        .not_anywhere(GOOD);
}

#[test]
fn an_api_without_metadata_or_date_is_worth_knowing_not_broken() {
    let srv = Server::profile(vec![(GOOD, json!({"name": "Nora Net"}))]);
    let url = srv.url();
    let env = file_env(&url, GOOD);
    let (out, j) = doctor(&env, &["-h", &url]);
    out.ok()
        .stdout_has("! No discovery document: keyward uses the default endpoints")
        .stdout_has(&format!(
            "Tried {url}/.well-known/oauth-authorization-server, {url}/.well-known/openid-configuration"
        ))
        .stdout_has(&format!("`keyward config set token_url URL -h {url}`"))
        .stdout_has(&format!("- Not compared: {url} sent no Date header"))
        .stdout_has("✓ The API accepts the stored token of Nora Net");
    assert_eq!(check(&j, "discovery")["status"], "warn");
    assert_eq!(check(&j, "clock")["status"], "skip");
    assert_eq!(j["ok"], json!(true));
}

#[test]
fn a_clock_five_minutes_off() {
    let srv = api(-300);
    let url = srv.url();
    let env = file_env(&url, GOOD);
    let (out, j) = doctor(&env, &["-h", &url]);
    out.code(1)
        .stdout_has(&format!(
            "✗ The local clock is 5m 0s ahead of the server's (the Date header of {url}): more than 60s"
        ))
        .stdout_has("TLS")
        .stdout_has("`iat`, `nbf`")
        .stdout_has("federated tokens")
        .stdout_has("Fix: set the clock right");
    assert_eq!(failing(&j), ["clock"], "{j}");
}

#[test]
fn a_callback_port_that_is_taken() {
    let srv = api(0);
    let url = srv.url();
    let env = file_env(&url, GOOD);
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = held.local_addr().unwrap().port();
    let free = free_port();
    env.run(
        &[
            "config",
            "set",
            "callback_ports",
            &format!("{taken},{free}"),
            "-h",
            &url,
        ],
        "",
    )
    .ok();
    let (out, j) = doctor(&env, &["-h", &url, "--offline"]);
    out.code(1)
        .stdout_has(&format!(
            "✗ Callback port {taken} on 127.0.0.1 is taken (in use)"
        ))
        .stdout_has(&format!(
            "A browser login listens on the first free port, {free}"
        ))
        .stdout_has(&format!(
            "`keyward config set callback_ports 9001,9002 -h {url}`"
        ));
    assert_eq!(failing(&j), ["callback_ports"], "{j}");
    drop(held);
}

#[test]
fn offline_sends_nothing_and_says_what_it_skipped() {
    let srv = api(0);
    let url = srv.url();
    let env = file_env(&url, GOOD);
    let (out, j) = doctor(&env, &["-h", &url, "--offline"]);
    out.ok()
        .stdout_has(&format!("- Not checked whether {url} answers: --offline"))
        .stdout_has(&format!(
            "- Logged in to {url} as Nora Net (nora@net.test); the token was not sent to the API (--offline)"
        ));
    assert!(srv.requests().is_empty(), "{:?}", srv.requests());
    let s = statuses(&j);
    for id in ["api_url", "discovery", "token", "clock"] {
        assert_eq!(s[id], "skip", "{id}: {j}");
    }
}

/// The `--json` document, with a check of every kind of status.
fn full_json() -> (TestEnv, Server, String) {
    let srv = api(0);
    let url = srv.url();
    let env = file_env(&url, GOOD);
    let text = std::fs::read_to_string(env.config_file()).unwrap();
    std::fs::write(env.config_file(), format!("colour = \"blue\"\n{text}")).unwrap();
    let out = env.run(&["auth", "doctor", "-h", &url, "--json"], "");
    out.ok();
    (env, srv, out.stdout.clone())
}

#[test]
fn json_snapshot() {
    let (env, _srv, stdout) = full_json();
    let tmp = regex_escape(&env.dir.path().display().to_string());
    let filters = vec![
        (tmp.as_str(), "[TMP]"),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
        (r"127\.0\.0\.1: \d+", "127.0.0.1: [PORT]"),
        (r"\): (the same second|\d+s (ahead|behind))", "): [SKEW]"),
    ];
    insta::with_settings!({filters => filters}, {
        insta::assert_snapshot!("doctor_json", stdout);
    });
}

#[test]
fn readme_documents_every_json_field_and_check() {
    let (_env, _srv, stdout) = full_json();
    let j: Value = serde_json::from_str(&stdout).unwrap();
    let table = readme_section("### `auth doctor --json`");
    let documented: Vec<&str> = table
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .collect();
    let mut fields = vec!["api_url", "ok", "checks"];
    for k in j["checks"][0].as_object().unwrap().keys() {
        fields.push(Box::leak(format!("checks[].{k}").into_boxed_str()));
    }
    for f in &fields {
        assert!(documented.contains(f), "README's doctor table lacks `{f}`");
    }
    for d in &documented {
        assert!(
            fields.contains(d),
            "README documents `{d}`, which doctor does not print"
        );
    }
    let checks = readme_section("## Diagnosing problems: `auth doctor`");
    for id in statuses(&j).keys() {
        assert!(
            checks.contains(&format!("`{id}`")),
            "README does not describe the `{id}` check"
        );
    }
}
