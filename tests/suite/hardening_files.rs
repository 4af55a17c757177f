//! Issue 15, the files keyward keeps (findings 3, 4, 7 and 11): its own
//! files are never followed through a symbolic link, a config someone else
//! can change is refused, temp files a killed writer left are removed, and
//! what keyward did not create is left as it is.

use crate::common::server::Server;
use crate::common::*;
use serde_json::json;
use std::os::unix::fs::{PermissionsExt, symlink};
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

fn is_link(p: &Path) -> bool {
    std::fs::symlink_metadata(p)
        .map(|m| m.file_type().is_symlink())
        .unwrap_or(false)
}

/// Every file under `dir` that holds `needle`.
fn files_holding(dir: &Path, needle: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if std::fs::read_to_string(&p).is_ok_and(|t| t.contains(needle)) {
            out.push(p.display().to_string());
        }
    }
    out
}

// Finding 3: a symbolic link where keyward keeps a file of its own.

#[test]
fn a_linked_credentials_file_is_refused_and_its_target_left_alone() {
    let srv = profile();
    let env = file_env();
    let notes = env.dir.path().join("notes.txt");
    std::fs::write(&notes, "{}").unwrap();
    chmod(&notes, 0o644);
    symlink(&notes, env.credentials_file()).unwrap();
    let url = srv.url();
    for args in [
        vec!["auth", "token", "--api-url", &url],
        vec!["auth", "status", "--api-url", &url],
        vec!["auth", "logout", "--api-url", &url],
    ] {
        let out = env.run(&args, "");
        assert_ne!(out.code, 0, "{args:?}: {out:#?}");
        out.stderr_has("credentials.json is a symbolic link")
            .stderr_has("replace the link with the file itself");
        assert!(
            out.stderr
                .to_lowercase()
                .contains("move the file the link points to into its place"),
            "{out:#?}"
        );
    }
    login(&env, &srv.url())
        .code(1)
        .stderr_has("credentials.json is a symbolic link");
    assert_eq!(
        mode(&notes),
        0o644,
        "never chmod what keyward did not create"
    );
    assert!(is_link(&env.credentials_file()), "the link is not replaced");
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "{}");
}

#[test]
fn logout_never_claims_a_removal_through_a_link() {
    let srv = profile();
    let env = file_env();
    login(&env, &srv.url()).ok();
    // the store moved elsewhere, a link left in its place
    let elsewhere = env.dir.path().join("elsewhere.json");
    std::fs::rename(env.credentials_file(), &elsewhere).unwrap();
    symlink(&elsewhere, env.credentials_file()).unwrap();
    let out = env.run(&["auth", "logout"], "");
    assert_ne!(out.code, 0, "{out:#?}");
    out.stderr_has("is a symbolic link");
    assert!(!out.stderr.contains("Removed"), "{out:#?}");
    assert!(!out.stderr.contains("removed"), "{out:#?}");
    assert!(std::fs::read_to_string(&elsewhere).unwrap().contains(TOKEN));
}

#[test]
fn a_dangling_lock_link_creates_nothing_outside_the_config_dir() {
    let srv = profile();
    let env = file_env();
    let outside = env.dir.path().join("outside-file");
    symlink(&outside, env.config_dir().join(".credentials.lock")).unwrap();
    login(&env, &srv.url())
        .code(1)
        .stderr_has(".credentials.lock is a symbolic link");
    assert!(!outside.exists(), "a file was created through the link");
    assert!(!env.credentials_file().exists());
}

#[test]
fn a_linked_login_index_is_not_replaced() {
    let srv = profile();
    let env = file_env();
    let target = env.dir.path().join("logins-elsewhere.json");
    std::fs::write(&target, "{}").unwrap();
    chmod(&target, 0o644);
    symlink(&target, env.config_dir().join("logins.json")).unwrap();
    login(&env, &srv.url());
    assert!(is_link(&env.config_dir().join("logins.json")));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "{}");
    assert_eq!(mode(&target), 0o644);
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

// Finding 7: temp files a writer killed mid-write left behind.

fn stale_temp(env: &TestEnv, name: &str) -> std::path::PathBuf {
    let p = env.config_dir().join(name);
    let f = std::fs::File::create(&p).unwrap();
    std::fs::write(&p, format!("{{\"x\": {{\"access_token\": \"{TOKEN}\"}}}}")).unwrap();
    chmod(&p, 0o600);
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(120))
        .unwrap();
    p
}

#[test]
fn stale_temp_files_go_when_the_store_is_locked_and_at_logout() {
    let srv = profile();
    let env = file_env();
    let a = stale_temp(&env, ".tmp-Ab12Cd");
    let not_ours = stale_temp(&env, ".tmp-mine-keep");
    login(&env, &srv.url()).ok();
    assert!(!a.exists(), "removed when the store was next locked");
    assert!(not_ours.exists(), "only keyward's own names");
    std::fs::remove_file(&not_ours).unwrap();
    let b = stale_temp(&env, ".tmp-Zz99yy");
    env.run(&["auth", "logout"], "").ok();
    assert!(!b.exists(), "removed at logout");
    assert_eq!(
        files_holding(&env.config_dir(), TOKEN),
        Vec::<String>::new(),
        "no token left on disk after logout"
    );
}

#[test]
fn logout_with_nothing_stored_still_removes_stale_temp_files() {
    // A logout with nothing stored still cleans up.
    let env = file_env();
    let t = stale_temp(&env, ".tmp-k1LL9x");
    env.run(
        &["auth", "logout", "--api-url", "https://api.example.test"],
        "",
    );
    assert!(!t.exists());
}

// Finding 11: what keyward did not create is left as it is.

#[test]
fn an_existing_0755_config_dir_is_left_alone_without_a_word() {
    let srv = profile();
    let env = file_env();
    chmod(&env.config_dir(), 0o755);
    let out = login(&env, &srv.url());
    out.ok();
    assert!(!out.stderr.contains("0755"), "{out:#?}");
    assert_eq!(mode(&env.config_dir()), 0o755);
    env.run(&["config", "set", "tenant", "acme"], "").ok();
    let out = env.run(&["auth", "token"], "");
    out.ok();
    assert_eq!(out.stderr, "");
    assert_eq!(mode(&env.config_dir()), 0o755);
    assert_eq!(mode(&env.credentials_file()), 0o600);
}

#[test]
fn a_config_dir_keyward_creates_is_0700() {
    let srv = profile();
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_CREDENTIAL_STORE", "file");
    login(&env, &srv.url()).ok();
    assert_eq!(mode(&env.config_dir()), 0o700);
}

#[test]
fn config_set_writes_through_a_linked_config_toml() {
    let env = file_env();
    let dots = env.dir.path().join("dotfiles");
    std::fs::create_dir(&dots).unwrap();
    let target = dots.join("keyward.toml");
    std::fs::write(&target, "# my dotfiles\ntenant = \"old\"\n").unwrap();
    chmod(&target, 0o644);
    symlink(&target, env.config_file()).unwrap();
    env.run(&["config", "set", "tenant", "acme"], "").ok();
    assert!(is_link(&env.config_file()), "the link stays a link");
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(text.contains("# my dotfiles"), "{text}");
    assert!(text.contains("tenant = \"acme\""), "{text}");
    assert_eq!(mode(&target), 0o644, "the file keeps its mode");
    env.run(&["config", "get", "tenant"], "")
        .ok()
        .stdout_has("acme");
    let leftovers: Vec<_> = std::fs::read_dir(&dots).unwrap().flatten().collect();
    assert_eq!(
        leftovers.len(),
        1,
        "no temp file left in {}",
        dots.display()
    );
}

#[test]
fn kill_9_mid_write_then_logout_leaves_no_token_on_disk() {
    use std::io::Write;
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let srv = profile();
    let env = file_env();
    let start = Instant::now();
    login(&env, &srv.url()).ok();
    // the store is written near the end of a login: kill across its second half
    let run = start.elapsed();
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..60u32 {
        let mut child = env
            .std_cmd(&["auth", "login", "--token-stdin", "--api-url", &srv.url()])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(TOKEN.as_bytes()).unwrap();
        drop(stdin);
        std::thread::sleep(run / 2 + run * i / 100);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        for e in std::fs::read_dir(env.config_dir()).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(".tmp-") {
                seen.insert(name);
            }
        }
    }
    eprintln!("temp files left by the kills: {}", seen.len());
    // what a killed writer left is more than a second old by now
    std::thread::sleep(Duration::from_millis(1100));
    env.run(&["auth", "logout"], "").ok();
    assert_eq!(
        files_holding(&env.config_dir(), TOKEN),
        Vec::<String>::new(),
        "no token left on disk after logout"
    );
}
