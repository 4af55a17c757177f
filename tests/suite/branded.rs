//! README "Build your own": a platform team's builds. keyward built with
//! `KEYWARD_DEFAULT_API_URL` and `KEYWARD_DEFAULT_CLIENT_ID` (built here,
//! in target/branded so the main build is not invalidated), and a CLI under
//! its own name with its own `Platform` (`examples/acme.rs`).

use crate::suite::lifecycle::example;
use std::path::{Path, PathBuf};
use std::process::Command;

const API: &str = "https://api.acme.test";

/// keyward with acme's defaults baked in: `cargo build` as README says, in
/// target/branded (the first build there takes about a minute; `-j 1`
/// leaves a core to the tests running beside it).
fn branded_keyward() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = root.join("target/branded");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let o = Command::new(cargo)
        .current_dir(root)
        .args(["build", "--locked", "-j", "1", "--bin", "keyward"])
        .env("CARGO_TARGET_DIR", &target)
        .env("KEYWARD_DEFAULT_API_URL", API)
        .env("KEYWARD_DEFAULT_CLIENT_ID", "acme-cli")
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    target.join("debug/keyward")
}

fn run(
    bin: &Path,
    config: &Path,
    prefix: &str,
    args: &[&str],
    vars: &[(&str, &str)],
) -> (i32, String) {
    let o = Command::new(bin)
        .args(args)
        .env_clear()
        .env(format!("{prefix}_CONFIG_DIR"), config)
        .env(format!("{prefix}_CREDENTIAL_STORE"), "file")
        .envs(vars.iter().copied())
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    (o.status.code().unwrap_or(-1), text)
}

#[test]
fn keyward_built_with_defaults_needs_no_api_url() {
    let bin = branded_keyward();
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path();
    let (code, version) = run(&bin, cfg, "KEYWARD", &["--version"], &[]);
    assert_eq!(code, 0, "{version}");
    assert_eq!(
        version,
        format!(
            "keyward {}\ndefault API URL:   {API}\ndefault client id: acme-cli\n",
            env!("CARGO_PKG_VERSION")
        )
    );
    // `-V` is the version alone.
    let (_, short) = run(&bin, cfg, "KEYWARD", &["-V"], &[]);
    assert_eq!(short, format!("keyward {}\n", env!("CARGO_PKG_VERSION")));
    // Users type only `keyward auth login`.
    let (code, status) = run(&bin, cfg, "KEYWARD", &["auth", "status"], &[]);
    assert_eq!(code, 1, "{status}");
    assert!(
        status.contains("To log in, run: keyward auth login\n"),
        "{status}"
    );
    // The token for the built-in API URL, with no -h.
    let (code, token) = run(
        &bin,
        cfg,
        "KEYWARD",
        &["auth", "token"],
        &[("KEYWARD_TOKEN", "tok-1")],
    );
    assert_eq!((code, token.as_str()), (0, "tok-1\n"));
    let (code, err) = run(&bin, cfg, "KEYWARD", &["auth", "token"], &[]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains(&format!("not logged in to {API}")), "{err}");
    // The hint leaves the built-in API URL unsaid ...
    assert!(err.contains("Solution: run `keyward auth login`"), "{err}");
    assert!(!err.contains(" -h "), "{err}");
    // ... but not when config names another default.
    let (code, _) = run(
        &bin,
        cfg,
        "KEYWARD",
        &["config", "set", "api_url", "https://other.acme.test"],
        &[],
    );
    assert_eq!(code, 0);
    let (code, err) = run(&bin, cfg, "KEYWARD", &["auth", "token", "-h", API], &[]);
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains(&format!("Solution: run `keyward auth login -h {API}`")),
        "{err}"
    );
}

#[test]
fn a_cli_under_its_own_name_says_its_name_and_reads_its_variables() {
    let acme = example("acme");
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path();
    let (code, version) = run(&acme, cfg, "ACME", &["--version"], &[]);
    assert_eq!(code, 0, "{version}");
    assert_eq!(
        version,
        format!(
            "acme {}\ndefault API URL:   none\ndefault client id: acme-cli\n",
            env!("CARGO_PKG_VERSION")
        )
    );
    let (code, status) = run(&acme, cfg, "ACME", &["auth", "status"], &[]);
    assert_eq!(code, 1, "{status}");
    assert!(
        status.contains("run: acme auth login -h <api_url>"),
        "{status}"
    );
    assert!(!status.contains("keyward"), "{status}");
    let (code, err) = run(
        &acme,
        cfg,
        "ACME",
        &["auth", "token", "-h", API],
        &[("KEYWARD_TOKEN", "kw")],
    );
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains(&format!("Solution: run `acme auth login -h {API}`")),
        "{err}"
    );
    let (code, token) = run(
        &acme,
        cfg,
        "ACME",
        &["auth", "token"],
        &[("ACME_TOKEN", "tok-acme"), ("ACME_API_URL", API)],
    );
    assert_eq!((code, token.as_str()), (0, "tok-acme\n"));
}
