//! `auth doctor` and the OS keychain, against a real gnome-keyring on a
//! private D-Bus: every check passing (and nothing written: no probe item,
//! no file), then each way the keychain cannot be reached: no D-Bus session
//! bus, a bus without a Secret Service, a locked collection, a daemon that
//! does not answer (SIGSTOP). `file` mode does not use it at all.

use super::doctor::{GOOD, api, check, doctor, failing, own_port, statuses};
use crate::common::keyring::Keyring;
use crate::common::*;
use serde_json::json;
use std::time::Duration;

/// Every keyward item in the keychain of `k`, as secret-tool lists them.
fn items(k: &Keyring) -> String {
    let o = k
        .env(&mut std::process::Command::new("secret-tool"))
        .args(["search", "--all", "service", "keyward"])
        .output()
        .expect("secret-tool");
    let mut lines: Vec<String> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .chain(String::from_utf8_lossy(&o.stderr).lines())
        .filter(|l| l.starts_with("attribute.username") || l.starts_with('['))
        .map(str::to_string)
        .collect();
    lines.sort();
    lines.join("\n")
}

/// Each file of the config directory with its mode and contents.
fn snapshot_dir(env: &TestEnv) -> Vec<(String, u32, Vec<u8>)> {
    let mut out: Vec<(String, u32, Vec<u8>)> = std::fs::read_dir(env.config_dir())
        .map(|d| {
            d.map(|e| {
                let p = e.unwrap().path();
                let bytes = std::fs::read(&p).unwrap_or_default();
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    mode(&p),
                    bytes,
                )
            })
            .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn everything_passes_with_a_real_keychain_and_a_live_api_and_nothing_changes() {
    let k = Keyring::start();
    let srv = api(0);
    let url = srv.url();
    let env = TestEnv::with_keyring(&k);
    env.run(&["auth", "login", "--with-token", "-h", &url], GOOD)
        .ok();
    assert!(k.lookup(&url).is_some(), "the login is in the keychain");
    env.run(&["config", "set", "api_url", &url], "").ok();
    let port = own_port(&env, &url);
    let keychain_before = items(&k);
    let files_before = snapshot_dir(&env);

    let (out, j) = doctor(&env, &[]);
    out.ok()
        .stdout_has(&format!("Checking {url} and this machine"))
        .stdout_has("✓ The OS keychain (Secret Service) answers; its default collection is unlocked")
        .stdout_has("✓ No credentials file")
        .stdout_has("✓ config.toml parses")
        .stdout_has("✓ Only you can change config.toml (0600)")
        .stdout_has(&format!("✓ {url} answers (HTTP 404)"))
        .stdout_has(&format!(
            "✓ Discovery found OAuth server metadata (RFC 8414) at {url}/.well-known/oauth-authorization-server"
        ))
        .stdout_has(&format!("issuer {url}; authorization endpoint {url}/oauth/authorize;"))
        .stdout_has(&format!("device authorization endpoint {url}/oauth/device"))
        .stdout_has(&format!(
            "profile endpoint {url}/api/v1/profile (default)"
        ))
        .stdout_has(&format!(
            "✓ The API accepts the stored token of Dora (dora@doc.test) at {url}/api/v1/profile"
        ))
        .stdout_has("✓ The local clock agrees with the server's")
        .stdout_has(&format!(
            "✓ The browser login's callback port is free on 127.0.0.1: {port}"
        ))
        .stdout_has("No problem found.")
        .not_anywhere("✗")
        .not_anywhere(GOOD);
    assert_eq!(j["ok"], json!(true));
    assert_eq!(j["api_url"], json!(url));
    assert!(failing(&j).is_empty(), "{j}");
    assert!(
        statuses(&j).values().all(|s| s == "pass"),
        "every check passes: {j}"
    );
    // nothing was written: no probe item, no cache, no permission changed
    assert_eq!(items(&k), keychain_before, "the keychain is as it was");
    assert_eq!(
        snapshot_dir(&env),
        files_before,
        "the config directory is as it was"
    );
}

#[test]
fn no_dbus_session_bus() {
    let srv = api(0);
    let env = TestEnv::new(); // DBUS_SESSION_BUS_ADDRESS points nowhere
    own_port(&env, &srv.url());
    let (out, j) = doctor(&env, &["-h", &srv.url(), "--offline"]);
    out.code(1)
        .stdout_has("✗ The OS keychain (Secret Service) is not reachable: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS)")
        .stdout_has("Meanwhile new logins are stored in credentials.json")
        .stdout_has("Fix: start a D-Bus session")
        .stdout_has("`keyward config set credential_store file`");
    assert_eq!(failing(&j), ["keychain", "token"], "{j}");
    // file mode: the keychain is not used, and that is fine
    let mut env = env;
    env.set_env("KEYWARD_CREDENTIAL_STORE", "file");
    let (out, j) = doctor(&env, &["-h", &srv.url(), "--offline"]);
    out.stdout_has("- The OS keychain is not used: KEYWARD_CREDENTIAL_STORE is `file`");
    assert_eq!(check(&j, "keychain")["status"], "skip");
}

/// A session bus of its own with no service on it, and no service files,
/// so nothing can be started on demand.
struct BareBus {
    _dir: tempfile::TempDir,
    address: String,
    pid: u32,
}

impl BareBus {
    fn start() -> BareBus {
        let dbus = require("dbus-daemon", crate::common::keyring::INSTALL);
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("bus.conf");
        std::fs::write(
            &conf,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                dir.path().join("bus").display()
            ),
        )
        .unwrap();
        let out = std::process::Command::new(dbus)
            .arg(format!("--config-file={}", conf.display()))
            .args(["--fork", "--print-address=1", "--print-pid=1"])
            .output()
            .expect("start dbus-daemon");
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut lines = text.lines();
        let address = lines.next().unwrap().trim().to_string();
        let pid = lines.next().unwrap().trim().parse().unwrap();
        BareBus {
            _dir: dir,
            address,
            pid,
        }
    }
}

impl Drop for BareBus {
    fn drop(&mut self) {
        // SAFETY: the dbus-daemon this test started.
        unsafe { libc::kill(self.pid as i32, libc::SIGTERM) };
    }
}

#[test]
fn a_bus_without_a_secret_service() {
    let bus = BareBus::start();
    let srv = api(0);
    let mut env = TestEnv::new();
    env.bus = Some(bus.address.clone());
    own_port(&env, &srv.url());
    let (out, j) = doctor(&env, &["-h", &srv.url(), "--offline"]);
    out.code(1)
        .stdout_has("✗ The OS keychain (Secret Service) is not reachable: no Secret Service (gnome-keyring, KeePassXC, ...) is running on the session bus")
        .stdout_has("Fix: start a Secret Service on the session bus");
    assert_eq!(check(&j, "keychain")["status"], "fail");
}

#[test]
fn a_locked_collection() {
    let k = Keyring::start();
    let srv = api(0);
    let env = TestEnv::with_keyring(&k);
    own_port(&env, &srv.url());
    k.lock_collection();
    let (out, j) = doctor(&env, &["-h", &srv.url(), "--offline"]);
    out.code(1)
        .stdout_has("✗ The OS keychain (Secret Service) is not reachable: the keychain is locked and wants an interactive prompt")
        .stdout_has("Fix: unlock the login keyring");
    assert_eq!(check(&j, "keychain")["status"], "fail");
    assert_eq!(items(&k), "", "no probe item was stored");
}

#[test]
fn a_keychain_daemon_that_does_not_answer() {
    let k = Keyring::start();
    let srv = api(0);
    let env = TestEnv::with_keyring(&k);
    own_port(&env, &srv.url());
    env.run(&["config", "set", "keychain_timeout", "1"], "")
        .ok();
    let pid = k.daemon_pid().expect("the keyring daemon's pid") as i32;
    // SAFETY: signals to the private daemon this test started.
    unsafe { libc::kill(pid, libc::SIGSTOP) };
    let started = std::time::Instant::now();
    let out = env.run(&["auth", "doctor", "-h", &srv.url(), "--offline"], "");
    let took = started.elapsed();
    // SAFETY: as above.
    unsafe { libc::kill(pid, libc::SIGCONT) };
    out.code(1)
        .stdout_has("✗ The OS keychain (Secret Service) is not reachable: the keychain did not answer within 1.0s")
        .stdout_has("Fix: restart the keychain daemon")
        .stdout_has("`keyward config set keychain_timeout 10`");
    assert!(
        took < Duration::from_secs(10),
        "bounded by the timeout: {took:?}"
    );
}
