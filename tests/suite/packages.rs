//! The release packages `scripts/release` renders (the Scoop manifest's
//! fields; the other three are run through their own tools by
//! `scripts/check-packages`), and a branded binary built on the library
//! (examples/acme, README "Build your own").

use super::lifecycle::example;
use crate::common::*;
use std::path::Path;

const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn release(args: &[&str]) -> Out {
    let mut c = assert_cmd::Command::new("bash");
    c.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/release"))
        .args(args);
    Out::of(c, "")
}

#[test]
fn release_renders_every_package_from_one_version_url_and_sha256() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let version = env!("CARGO_PKG_VERSION");
    let url = format!("https://github.com/keyward/keyward/archive/refs/tags/v{version}.tar.gz");
    release(&[
        version,
        &url,
        "--sha256",
        SHA,
        "--windows-url",
        "https://github.com/keyward/keyward/releases/download/v0/keyward.zip",
        "--windows-sha256",
        SHA,
        "--out",
        dir,
    ])
    .ok();
    // Scoop: the manifest fields Scoop requires, with the values given.
    let scoop: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("keyward.json")).unwrap())
            .expect("keyward.json is JSON");
    assert_eq!(scoop["version"], version);
    assert_eq!(scoop["bin"], "keyward.exe");
    assert_eq!(scoop["license"], "MIT|Apache-2.0");
    assert_eq!(scoop["homepage"], "https://github.com/keyward/keyward");
    assert!(!scoop["description"].as_str().unwrap().is_empty());
    let arch = &scoop["architecture"]["64bit"];
    assert_eq!(arch["hash"], SHA);
    assert!(arch["url"].as_str().unwrap().starts_with("https://"));
    // The other three carry the same version, URL and checksum.
    for f in ["keyward.spec", "keyward.rb", "PKGBUILD"] {
        let text = std::fs::read_to_string(out.path().join(f)).unwrap();
        assert!(text.contains(version) && text.contains(SHA), "{f}:\n{text}");
        assert!(
            text.contains(&url) || text.contains("${pkgver}"),
            "{f}:\n{text}"
        );
        let placeholder = text
            .split('@')
            .skip(1)
            .step_by(2)
            .any(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_uppercase() || c == '_'));
        assert!(!placeholder, "{f} kept a placeholder:\n{text}");
    }
}

#[test]
fn release_refuses_what_would_make_a_broken_package() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let url = "https://example.test/k.tar.gz";
    release(&["x.y", url, "--sha256", SHA, "--out", dir])
        .code(2)
        .stderr_has("not a version");
    release(&["0.2.0-rc1", url, "--sha256", SHA, "--out", dir])
        .code(2)
        .stderr_has("0.2.0~rc1");
    release(&[
        "0.2.0",
        "http://example.test/k.tar.gz",
        "--sha256",
        SHA,
        "--out",
        dir,
    ])
    .code(2)
    .stderr_has("not an https URL");
    release(&["0.2.0", url, "--out", dir])
        .code(2)
        .stderr_has("--sha256");
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn a_branded_binary_speaks_with_its_own_name_and_variables() {
    let env = TestEnv::new();
    let acme = |args: &[&str], vars: &[(&str, &str)]| {
        let mut c = assert_cmd::Command::new(example("acme"));
        c.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", env.dir.path().join("home"))
            .env("ACME_CONFIG_DIR", env.config_dir())
            .env("DBUS_SESSION_BUS_ADDRESS", NO_BUS)
            .args(args);
        for (k, v) in vars {
            c.env(k, v);
        }
        Out::of(c, "")
    };
    acme(&["--version"], &[])
        .ok()
        .stdout_has("acme ")
        .stdout_has("default client id: acme-cli");
    acme(&["auth", "token", "-h", "api.acme.test"], &[])
        .code(4)
        .stderr_has("acme auth login")
        .not_anywhere("keyward");
    // Its variables carry its prefix; keyward's are not read.
    acme(
        &["auth", "token", "-h", "api.acme.test"],
        &[("ACME_TOKEN_api_acme_test", "acme-env-token-0123")],
    )
    .ok()
    .stdout_has("acme-env-token-0123");
    acme(
        &["auth", "token", "-h", "api.acme.test"],
        &[("KEYWARD_TOKEN_api_acme_test", "keyward-env-token-0123")],
    )
    .code(4);
    assert!(!env.config_dir().join("credentials.json").exists());
}
