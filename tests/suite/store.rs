//! The credential store against a real Secret Service (a private
//! gnome-keyring on its own D-Bus), the file fallback, and the modes.

use crate::common::keyring::Keyring;
use crate::common::server::Server;
use crate::common::*;
use serde_json::json;

const TOKEN: &str = "kwd_keychain_token_0123456789";

fn profile() -> Server {
    Server::profile(vec![(TOKEN, json!({"name": "Kim", "email": "kim@x.test"}))])
}

#[test]
fn login_goes_to_the_keychain_and_writes_no_file() {
    let k = Keyring::start();
    let srv = profile();
    let env = TestEnv::with_keyring(&k);
    let url = srv.url();
    env.run(
        &["auth", "login", "--token-stdin", "--api-url", &url],
        TOKEN,
    )
    .ok()
    .stderr_has("Logged in")
    .not_anywhere("credentials.json");
    let secret = k.lookup(&url).expect("record in the keychain");
    let rec: serde_json::Value = serde_json::from_str(&secret).unwrap();
    assert_eq!(rec["access_token"], TOKEN);
    assert_eq!(rec["api_url"], url);
    assert_eq!(rec["kind"], "token");
    assert_eq!(rec["user"]["name"], "Kim");
    assert!(
        !env.credentials_file().exists(),
        "no file may be written when the keychain works"
    );
    env.run(&["auth", "status"], "")
        .ok()
        .stdout_has("stored in the OS keychain");
    let j: serde_json::Value =
        serde_json::from_str(&env.run(&["auth", "status", "--json"], "").ok().stdout).unwrap();
    assert_eq!(
        j["environments"][0]["accounts"][0]["stored_in"]["store"],
        "keychain"
    );
    assert_eq!(
        env.run(&["auth", "token"], "").ok().stdout,
        format!("{TOKEN}\n")
    );
    env.run(&["auth", "logout"], "").ok().stderr_has("keychain");
    assert!(k.lookup(&url).is_none());
}

#[test]
fn no_dbus_falls_back_to_the_file_and_says_so() {
    let srv = profile();
    let env = TestEnv::new(); // DBUS_SESSION_BUS_ADDRESS points nowhere
    env.run(
        &["auth", "login", "--token-stdin", "--api-url", &srv.url()],
        TOKEN,
    )
    .ok()
    .stderr_has("keychain is not reachable")
    .stderr_has(&env.credentials_file().display().to_string());
    assert_eq!(mode(&env.credentials_file()), 0o600);
    let creds = env.read_credentials().unwrap();
    assert_eq!(creds[srv.url()]["access_token"], TOKEN);
    env.run(&["auth", "status"], "")
        .ok()
        .stdout_has("(file, 0600)");
    // said once, not once per lookup
    let again = env.run(
        &["auth", "login", "--token-stdin", "--api-url", &srv.url()],
        TOKEN,
    );
    assert_eq!(
        again.ok().stderr.matches("keychain").count(),
        1,
        "{again:?}"
    );
    // nothing found anywhere, on a machine that never used the keychain
    // (the login index knows every login): just not logged in
    let out = env.run(
        &[
            "auth",
            "token",
            "--api-url",
            "https://elsewhere.example.test",
        ],
        "",
    );
    out.code(4)
        .stderr_has("not logged in to https://elsewhere.example.test")
        .not_anywhere("could not be searched");
}

#[test]
fn keychain_mode_fails_instead_of_falling_back() {
    let srv = profile();
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_CREDENTIAL_STORE", "keychain");
    env.run(
        &["auth", "login", "--token-stdin", "--api-url", &srv.url()],
        TOKEN,
    )
    .code(1)
    .stderr_has("keychain is not reachable")
    .stderr_has("credential_store file");
    assert!(!env.credentials_file().exists());
}

#[test]
fn file_mode_never_touches_the_keychain() {
    let k = Keyring::start();
    let srv = profile();
    let env = TestEnv::with_keyring(&k);
    env.run(&["config", "set", "credential_store", "file"], "")
        .ok();
    env.run(
        &["auth", "login", "--token-stdin", "--api-url", &srv.url()],
        TOKEN,
    )
    .ok()
    .not_anywhere("not reachable");
    assert!(k.lookup(&srv.url()).is_none());
    assert_eq!(
        env.read_credentials().unwrap()[srv.url()]["access_token"],
        TOKEN
    );
}

#[test]
fn reads_and_logout_cover_both_stores() {
    let k = Keyring::start();
    let srv = profile();
    let other = Server::profile(vec![("kwd_other_token_000000", json!({"name": "Other"}))]);
    // one record in the file (written while no keychain was reachable) ...
    let nobus = TestEnv::new();
    nobus
        .run(
            &["auth", "login", "--token-stdin", "--api-url", &other.url()],
            "kwd_other_token_000000",
        )
        .ok();
    // ... and one in the keychain, same config dir
    let mut env = TestEnv::with_keyring(&k);
    env.dir = nobus.dir;
    env.run(
        &["auth", "login", "--token-stdin", "--api-url", &srv.url()],
        TOKEN,
    )
    .ok();
    assert!(k.lookup(&srv.url()).is_some());
    assert_eq!(
        env.run(&["auth", "token", "--api-url", &other.url()], "")
            .ok()
            .stdout,
        "kwd_other_token_000000\n"
    );
    env.run(&["auth", "status", "--all"], "")
        .ok()
        .stdout_has("Kim")
        .stdout_has("Other");
    env.run(&["auth", "logout", "--api-url", &other.url()], "")
        .ok()
        .stderr_has("credentials.json");
    assert!(
        env.read_credentials()
            .unwrap()
            .as_object()
            .unwrap()
            .is_empty()
    );
    assert!(k.lookup(&srv.url()).is_some(), "the other record stays");
}

#[test]
fn a_keychain_that_hangs_counts_as_unreachable() {
    let k = Keyring::start();
    let srv = profile();
    let env = TestEnv::with_keyring(&k);
    env.run(&["config", "set", "keychain_timeout", "0.5"], "")
        .ok();
    let pid = k.daemon_pid().expect("daemon pid");
    std::process::Command::new("kill")
        .args(["-STOP", &pid.to_string()])
        .status()
        .unwrap();
    let start = std::time::Instant::now();
    let out = env.run(
        &["auth", "login", "--token-stdin", "--api-url", &srv.url()],
        TOKEN,
    );
    std::process::Command::new("kill")
        .args(["-CONT", &pid.to_string()])
        .status()
        .unwrap();
    out.ok()
        .stderr_has("did not answer within 0.5s")
        .stderr_has("credentials.json");
    assert!(start.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(
        env.read_credentials().unwrap()[srv.url()]["access_token"],
        TOKEN
    );
}

#[test]
fn loose_credentials_file_is_tightened_with_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let srv = profile();
    let env = TestEnv::new();
    env.run(
        &["auth", "login", "--token-stdin", "--api-url", &srv.url()],
        TOKEN,
    )
    .ok();
    std::fs::set_permissions(
        env.credentials_file(),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let t = env.run(&["auth", "token"], "");
    t.ok()
        .stderr_has("readable by other users")
        .stderr_has("0600");
    assert_eq!(t.stdout, format!("{TOKEN}\n"));
    assert_eq!(mode(&env.credentials_file()), 0o600);
}

#[test]
fn corrupt_credentials_file_is_a_clear_error_and_is_kept() {
    let srv = profile();
    let env = TestEnv::new();
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(env.credentials_file(), "{ this is not json").unwrap();
    env.run(&["auth", "token", "--api-url", &srv.url()], "")
        .code(1)
        .stderr_has("credentials.json")
        .stderr_has("Solution:");
    env.run(
        &["auth", "login", "--token-stdin", "--api-url", &srv.url()],
        TOKEN,
    )
    .code(1);
    assert_eq!(
        std::fs::read_to_string(env.credentials_file()).unwrap(),
        "{ this is not json"
    );
}

#[test]
fn bad_store_mode_is_a_usage_error() {
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_CREDENTIAL_STORE", "vault");
    env.run(&["auth", "token", "--api-url", "https://a.test"], "")
        .code(2)
        .stderr_has("KEYWARD_CREDENTIAL_STORE");
}

#[test]
fn a_refreshed_keychain_record_stays_in_the_keychain() {
    let k = Keyring::start();
    let srv = Server::start(|r| {
        if r.path == "/oauth/token"
            && r.form().get("refresh_token").map(String::as_str) == Some("rt-k1")
        {
            crate::common::server::Reply::json(
                200,
                json!({"access_token": "at-k2", "expires_in": 3600, "refresh_token": "rt-k2"}),
            )
        } else {
            crate::common::server::Reply::json(404, json!({}))
        }
    });
    let url = srv.url();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let rec = json!({"version": 2, "api_url": url, "kind": "oauth", "access_token": "at-k1", "refresh_token": "rt-k1",
        "expires_at": now - 5, "client_id": "k-cli", "user": {"name": "Kay"}, "created_at": now});
    k.store(&format!("{url}#Kay"), &rec.to_string());
    let env = TestEnv::with_keyring(&k);
    assert_eq!(
        env.run(&["auth", "token", "--api-url", &url], "")
            .ok()
            .stdout,
        "at-k2\n"
    );
    let stored: serde_json::Value = serde_json::from_str(&k.lookup(&url).unwrap()).unwrap();
    assert_eq!(stored["access_token"], "at-k2");
    assert_eq!(stored["refresh_token"], "rt-k2");
    assert!(
        !env.credentials_file().exists(),
        "the refresh must not move the record to the file"
    );
}

#[test]
fn a_record_too_big_for_the_keychain_goes_to_the_file_and_the_keychain_copy_goes() {
    let k = Keyring::start();
    let big = format!("kwd_big_{}", "b".repeat(2048));
    let srv = Server::profile(vec![
        (TOKEN, json!({"id": "u-kim", "name": "Kim"})),
        (big.as_str(), json!({"id": "u-kim", "name": "Kim"})),
    ]);
    let mut env = TestEnv::with_keyring(&k);
    // A keychain that takes at most 1000 bytes, as Windows' takes 2560.
    env.set_env("KEYWARD_KEYCHAIN_MAX_BYTES", "1000");
    let url = srv.url();
    env.run(&["auth", "login", "--token-stdin", "-h", &url], TOKEN)
        .ok()
        .not_anywhere("more than the OS keychain takes");
    assert!(k.lookup(&url).is_some());
    let out = env.run(&["auth", "login", "--token-stdin", "-h", &url], &big);
    out.ok()
        .stderr_has("bytes, more than the OS keychain takes (1000 bytes); stored in")
        .stderr_has("credentials.json (mode 0600) instead (its older copy there is removed)")
        .not_anywhere(&big[..40]);
    assert!(k.items().is_empty(), "no stale keychain copy is left");
    assert_eq!(mode(&env.credentials_file()), 0o600);
    assert_eq!(
        env.run(&["auth", "token", "-h", &url], "").ok().stdout,
        format!("{big}\n")
    );
    env.run(&["auth", "status", "-h", &url], "")
        .ok()
        .stdout_has("(file, 0600)");
    // a small record goes back to the keychain, and the file copy goes
    env.run(&["auth", "login", "--token-stdin", "-h", &url], TOKEN)
        .ok();
    assert!(k.lookup(&url).is_some());
    assert_eq!(env.read_credentials().unwrap(), json!({}));
}

#[test]
fn a_4_kib_token_round_trips_through_the_real_secret_service() {
    let k = Keyring::start();
    let big: String = (0..4096).map(|i| (b'A' + (i % 26) as u8) as char).collect();
    let srv = Server::profile(vec![(big.as_str(), json!({"id": "u-jo", "name": "Jo"}))]);
    let env = TestEnv::with_keyring(&k);
    let url = srv.url();
    env.run(&["auth", "login", "--token-stdin", "-h", &url], &big)
        .ok()
        .not_anywhere("more than the OS keychain takes");
    let rec: serde_json::Value = serde_json::from_str(&k.lookup(&url).unwrap()).unwrap();
    assert_eq!(rec["access_token"].as_str().unwrap().len(), 4096);
    assert!(!env.credentials_file().exists());
    assert_eq!(
        env.run(&["auth", "token", "-h", &url], "").ok().stdout,
        format!("{big}\n")
    );
}
