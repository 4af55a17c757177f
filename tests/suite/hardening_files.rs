//! Issue 15, the files keyward keeps: a config someone else can change is
//! refused (finding 4).

use crate::common::server::Server;
use crate::common::*;
use serde_json::json;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

const TOKEN: &str = "kwd_hardening_files_token_0123456789";

fn profile() -> Server {
    Server::profile(vec![(TOKEN, json!({"name": "Kim", "email": "kim@x.test"}))])
}

fn chmod(p: &Path, m: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
}

/// A file store in a 0700 config directory that exists.
fn file_env() -> TestEnv {
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_CREDENTIAL_STORE", "file");
    std::fs::create_dir_all(env.config_dir()).unwrap();
    chmod(&env.config_dir(), 0o700);
    env
}

fn login(env: &TestEnv, url: &str) -> Out {
    env.run(&["auth", "login", "--token-stdin", "--api-url", url], TOKEN)
}

// Finding 4: a config someone else can change.

#[test]
fn a_config_others_can_write_is_refused_with_the_chmod() {
    let srv = profile();
    let env = file_env();
    login(&env, &srv.url()).ok();
    let cfg = env.config_file();
    // another local user appends a token_url of their own
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str(&format!(
        "[hosts.\"{}\"]\ntoken_url = \"https://evil.test/token\"\n",
        srv.url()
    ));
    std::fs::write(&cfg, text).unwrap();
    chmod(&cfg, 0o666);
    let shown = cfg.display().to_string();
    for args in [
        vec!["auth", "token"],
        vec!["auth", "refresh"],
        vec!["auth", "status"],
        vec!["config", "list"],
    ] {
        env.run(&args, "")
            .code(1)
            .stderr_has(&format!("refusing to use {shown} (config.toml)"))
            .stderr_has("writable by its group and every user (mode 0666)")
            .stderr_has(&format!("chmod go-w {shown}"))
            .not_anywhere(TOKEN);
    }
    // doctor reports, and changes nothing
    let out = env.run(&["auth", "doctor", "--offline"], "");
    out.code(1)
        .stdout_has(&format!("{shown} is 0666: other users can change it"))
        .stdout_has(&format!("Fix: chmod go-w {shown}"));
    assert_eq!(mode(&cfg), 0o666);
    // the user can repair with keyward itself
    env.run(&["config", "unset", "token_url", "--host", &srv.url()], "")
        .ok();
    assert!(!std::fs::read_to_string(&cfg).unwrap().contains("evil"));
    assert_eq!(mode(&cfg), 0o600, "written 0600, as ever");
    env.run(&["auth", "token"], "").ok().stdout_has(TOKEN);
}

#[test]
fn a_group_writable_config_dir_is_refused_and_a_0755_one_is_fine() {
    let srv = profile();
    let env = file_env();
    login(&env, &srv.url()).ok();
    chmod(&env.config_dir(), 0o775);
    let dir = env.config_dir().display().to_string();
    env.run(&["auth", "token"], "")
        .code(1)
        .stderr_has(&format!("refusing to use {dir} (the config directory)"))
        .stderr_has("writable by its group (mode 0775)")
        .stderr_has(&format!("chmod go-w {dir}"));
    env.run(&["auth", "doctor", "--offline"], "")
        .code(1)
        .stdout_has("is 0775: other users can replace files in it");
    chmod(&env.config_dir(), 0o755);
    env.run(&["auth", "token"], "").ok().stdout_has(TOKEN);
}

#[test]
fn a_ca_file_others_can_write_is_refused() {
    let srv = profile();
    let env = file_env();
    login(&env, &srv.url()).ok();
    let ca = env.dir.path().join("ca.pem");
    std::fs::write(&ca, "").unwrap();
    chmod(&ca, 0o644);
    let mut text = std::fs::read_to_string(env.config_file()).unwrap();
    text.push_str(&format!(
        "[hosts.\"{}\"]\nca_file = \"{}\"\n",
        srv.url(),
        ca.display()
    ));
    std::fs::write(env.config_file(), text).unwrap();
    chmod(&env.config_file(), 0o600);
    env.run(&["auth", "token"], "").ok();
    chmod(&ca, 0o646);
    env.run(&["auth", "token"], "")
        .code(1)
        .stderr_has(&format!("refusing to use {} (ca_file)", ca.display()))
        .stderr_has("trust a server of their own")
        .stderr_has(&format!("chmod go-w {}", ca.display()));
}
