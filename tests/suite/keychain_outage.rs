//! A keychain outage is not a logout: against a real gnome-keyring, with
//! the bus gone or the daemon frozen (SIGSTOP), the login index tells
//! "stored there, cannot be reached" from "not logged in", and the keychain
//! record survives every command.

use crate::common::keyring::Keyring;
use crate::common::server::Server;
use crate::common::*;
use serde_json::json;

const TOKEN: &str = "kwd_outage_token_0123456789";
const NEW: &str = "kwd_outage_new_token_0123456789";

fn server() -> Server {
    Server::profile(vec![
        (TOKEN, json!({"name": "Kim"})),
        (NEW, json!({"name": "Kim"})),
    ])
}

/// A login stored in the keychain of `k`.
fn logged_in(k: &Keyring, url: &str) -> TestEnv {
    let env = TestEnv::with_keyring(k);
    env.run(&["auth", "login", "--with-token", "-h", url], TOKEN)
        .ok()
        .stderr_has("✓ Logged in");
    assert!(k.lookup(url).is_some(), "stored in the keychain");
    env
}

#[test]
fn with_the_bus_gone_the_login_is_unknown_not_missing_and_survives() {
    let k = Keyring::start();
    let srv = server();
    let url = srv.url();
    let mut env = logged_in(&k, &url);
    let index = std::fs::read_to_string(env.config_dir().join("logins.json")).unwrap();
    assert!(index.contains("\"keychain\""), "{index}");
    assert!(!index.contains(TOKEN), "no secret in the index");

    env.bus = None; // D-Bus gone
    env.run(&["auth", "status"], "")
        .code(1)
        .stderr_has("the OS keychain is not reachable")
        .stderr_has(&format!("the login to {url} is stored there"))
        .not_anywhere("ot logged in");
    env.run(&["auth", "token"], "")
        .code(1)
        .stderr_has("the OS keychain is not reachable")
        .stderr_has("config set credential_store file")
        .not_anywhere("not logged in")
        .not_anywhere(TOKEN);
    env.run(&["auth", "logout"], "")
        .code(1)
        .stderr_has("was not removed")
        .not_anywhere("nothing to remove");
    // an API URL the index does not know: just not logged in
    env.run(&["auth", "status", "-h", "other.example.test"], "")
        .code(1)
        .stderr_has("Not logged in to https://other.example.test")
        .not_anywhere("Could not tell");
    env.run(&["auth", "token", "-h", "other.example.test"], "")
        .code(4)
        .stderr_has("not logged in");

    // a new login falls back to the file, in one line saying so
    let out = env.run(&["auth", "login", "--with-token", "-h", &url], NEW);
    out.ok()
        .stderr_has("stored in")
        .stderr_has("an older login stays in the keychain, unused")
        .stderr_has("`keyward config set credential_store file`");
    let notices: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("not reachable"))
        .collect();
    assert_eq!(notices.len(), 1, "{out:#?}");

    // the bus is back: the keychain record survived; the file's is used and
    // the keychain's is said to be shadowed
    env.bus = Some(k.address.clone());
    assert!(k.lookup(&url).is_some(), "the keychain record survived");
    env.run(&["auth", "status"], "")
        .ok()
        .stdout_has("shadowed by this one");
    let stores = env.run(&["auth", "status", "--stores", "--json"], "");
    let j: serde_json::Value = serde_json::from_str(&stores.ok().stdout).unwrap();
    let keychain = j["stores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["store"] == "keychain")
        .expect("the keychain is listed");
    assert_eq!(keychain["shadowed"], json!([url]), "{j}");
    env.run(&["auth", "status", "--stores"], "")
        .ok()
        .stdout_has("(shadowed: the file's copy is used)");
    // a login with the keychain reachable removes the file's copy
    env.run(&["auth", "login", "--with-token", "-h", &url], NEW)
        .ok();
    let creds = env.read_credentials().unwrap_or(json!({}));
    assert!(creds.get(url.as_str()).is_none(), "{creds}");
    env.run(&["auth", "status"], "")
        .ok()
        .not_anywhere("shadowed");
    assert_eq!(env.run(&["auth", "token"], "").ok().stdout.trim(), NEW);
}

#[test]
fn a_frozen_keychain_daemon_is_not_a_logout() {
    let k = Keyring::start();
    let srv = server();
    let url = srv.url();
    let env = logged_in(&k, &url);
    env.run(&["config", "set", "keychain_timeout", "1"], "")
        .ok();
    let pid = k.daemon_pid().expect("the keyring daemon's pid") as i32;
    // SAFETY: signals to the private daemon this test started.
    unsafe { libc::kill(pid, libc::SIGSTOP) };
    let token = env.run(&["auth", "token"], "");
    let status = env.run(&["auth", "status"], "");
    let logout = env.run(&["auth", "logout"], "");
    let login = env.run(&["auth", "login", "--with-token", "-h", &url], NEW);
    // SAFETY: as above.
    unsafe { libc::kill(pid, libc::SIGCONT) };
    login
        .ok()
        .stderr_has("an older login stays in the keychain, unused")
        .stderr_has("config set credential_store file");
    token
        .code(1)
        .stderr_has("the OS keychain is not reachable")
        .not_anywhere("not logged in");
    status
        .code(1)
        .stderr_has(&format!("the login to {url} is stored there"));
    logout.code(1).stderr_has("was not removed");
    // The daemon, just resumed, may take a moment to answer again on a
    // loaded machine (secret-tool then finds nothing): ask for a while.
    let survived = (0..50).any(|_| {
        k.lookup(&url).is_some() || {
            std::thread::sleep(std::time::Duration::from_millis(100));
            false
        }
    });
    assert!(survived, "the keychain record survived");
    // the file's newer login is used; the keychain's is shadowed
    assert_eq!(env.run(&["auth", "token"], "").ok().stdout.trim(), NEW);
    env.run(&["auth", "status"], "")
        .ok()
        .stdout_has("shadowed by this one");
}

#[test]
fn a_locked_collection_is_not_a_logout() {
    let k = Keyring::start();
    let srv = server();
    let url = srv.url();
    let env = logged_in(&k, &url);
    k.lock_collection();
    env.run(&["auth", "token"], "")
        .code(1)
        .stderr_has("the OS keychain is not reachable")
        .not_anywhere("ot logged in");
    env.run(&["auth", "status"], "")
        .code(1)
        .stderr_has(&format!("the login to {url} is stored there"));
    env.run(&["auth", "logout"], "")
        .code(1)
        .stderr_has("was not removed");
    env.run(&["auth", "login", "--with-token", "-h", &url], NEW)
        .ok()
        .stderr_has("an older login stays in the keychain, unused");
    // still there, locked (its secret cannot be read without unlocking)
    let mut c = std::process::Command::new("dbus-send");
    k.env(&mut c).args([
        "--session",
        "--print-reply",
        "--dest=org.freedesktop.secrets",
        "/org/freedesktop/secrets",
        "org.freedesktop.Secret.Service.SearchItems",
        "dict:string:string:service,keyward",
    ]);
    let o = c.output().expect("dbus-send");
    let reply = String::from_utf8_lossy(&o.stdout);
    assert!(
        reply.contains("/org/freedesktop/secrets/collection/login/"),
        "the keychain record survived: {reply}"
    );
}

#[test]
fn a_machine_that_never_used_the_keychain_is_just_not_logged_in() {
    let srv = server();
    let env = TestEnv::new(); // no D-Bus, ever
    env.run(&["auth", "status", "-h", &srv.url()], "")
        .code(1)
        .stderr_has(&format!("Not logged in to {}", srv.url()));
    env.run(&["auth", "login", "--with-token", "-h", &srv.url()], TOKEN)
        .ok();
    env.run(&["auth", "status", "-h", "other.example.test"], "")
        .code(1)
        .stderr_has("Not logged in to https://other.example.test")
        .not_anywhere("Could not tell");
    env.run(&["auth", "status"], "").ok();
}

#[test]
fn records_from_before_the_index_are_indexed_on_first_read() {
    let k = Keyring::start();
    let srv = server();
    let url = srv.url();
    let mut env = logged_in(&k, &url);
    // as a keyward without the index left it
    std::fs::remove_file(env.config_dir().join("logins.json")).unwrap();
    env.bus = None;
    env.run(&["auth", "status"], "")
        .code(1)
        .stderr_has("Could not tell whether you are logged in")
        .stderr_has("could not be searched");
    env.bus = Some(k.address.clone());
    env.run(&["auth", "token"], "").ok();
    env.bus = None;
    env.run(&["auth", "status"], "")
        .code(1)
        .stderr_has(&format!("the login to {url} is stored there"));
}
