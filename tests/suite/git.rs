//! `auth setup-git` and `auth git-credential` with a real git: `git
//! credential fill`, and `git ls-remote`/`clone`/`push` against a local git
//! server (`git http-backend` behind tests/peers/git-server.mjs) that wants
//! Basic authentication and checks the password at the API.

use crate::common::keyring::Keyring;
use crate::common::peers::{Provider, start_node_peer};
use crate::common::server::Server;
use crate::common::*;
use crate::suite::lifecycle::{issuer, store};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand};
use std::sync::atomic::Ordering;
use std::time::Duration;

const TOKEN: &str = "kwd_git_token_0123456789";

fn git_bin() -> PathBuf {
    require("git", "sudo apt-get install -y git")
}

/// `git ARGS` in the test's world: its HOME (so its ~/.gitconfig), its
/// keyward config, no system config, no prompts.
fn git(env: &TestEnv, dir: &Path, args: &[&str], stdin: &str) -> Out {
    let mut c = StdCommand::new(git_bin());
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", env.dir.path().join("home"))
        .env("XDG_CONFIG_HOME", env.dir.path().join("home/.config"))
        .env("KEYWARD_CONFIG_DIR", env.config_dir())
        .env("DBUS_SESSION_BUS_ADDRESS", NO_BUS)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_AUTHOR_NAME", "T")
        .env("GIT_AUTHOR_EMAIL", "t@x.test")
        .env("GIT_COMMITTER_NAME", "T")
        .env("GIT_COMMITTER_EMAIL", "t@x.test")
        .current_dir(dir)
        .args(args);
    Out::of(assert_cmd::Command::from_std(c), stdin)
}

fn home(env: &TestEnv) -> PathBuf {
    env.dir.path().join("home")
}

fn gitconfig(env: &TestEnv) -> String {
    std::fs::read_to_string(home(env).join(".gitconfig")).unwrap_or_default()
}

fn saved_credentials(env: &TestEnv) -> String {
    std::fs::read_to_string(home(env).join(".git-credentials")).unwrap_or_default()
}

/// A git server on loopback; `repo.git` holds one commit on `main`.
struct GitServer {
    child: Child,
    url: String,
    auth_log: PathBuf,
    _root: tempfile::TempDir,
}

impl GitServer {
    fn start(env: &TestEnv, check_url: &str) -> GitServer {
        let root = tempfile::tempdir().unwrap();
        let work = root.path().join("work");
        std::fs::create_dir_all(&work).unwrap();
        let bare = root.path().join("repo.git");
        git(
            env,
            root.path(),
            &["init", "-q", "--bare", "-b", "main", bare.to_str().unwrap()],
            "",
        )
        .ok();
        git(env, &work, &["init", "-q", "-b", "main"], "").ok();
        std::fs::write(work.join("README"), "hello\n").unwrap();
        git(env, &work, &["add", "README"], "").ok();
        git(env, &work, &["commit", "-q", "-m", "first"], "").ok();
        git(
            env,
            &work,
            &["push", "-q", bare.to_str().unwrap(), "main"],
            "",
        )
        .ok();
        let auth_log = root.path().join("auth.log");
        let (root_s, log_s) = (
            root.path().to_string_lossy().into_owned(),
            auth_log.to_string_lossy().into_owned(),
        );
        let (child, v) = start_node_peer(
            "git-server.mjs",
            &[
                ("GIT_PROJECT_ROOT", root_s.as_str()),
                ("CHECK_URL", check_url),
                ("AUTH_LOG", log_s.as_str()),
            ],
        );
        GitServer {
            child,
            url: v["url"].as_str().unwrap().to_string(),
            auth_log,
            _root: root,
        }
    }

    fn repo(&self) -> String {
        format!("{}/repo.git", self.url)
    }

    fn auth_log(&self) -> String {
        std::fs::read_to_string(&self.auth_log).unwrap_or_default()
    }
}

impl Drop for GitServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn fill(env: &TestEnv, url: &str) -> Out {
    let u = url::Url::parse(url).unwrap();
    let host = match u.port() {
        Some(p) => format!("{}:{p}", u.host_str().unwrap()),
        None => u.host_str().unwrap().to_string(),
    };
    git(
        env,
        &home(env),
        &["credential", "fill"],
        &format!("protocol={}\nhost={host}\n\n", u.scheme()),
    )
}

fn profile_env() -> (Server, TestEnv) {
    let srv = Server::profile(vec![(
        TOKEN,
        json!({"id": 7, "name": "Gita", "email": "gita@x.test"}),
    )]);
    let env = TestEnv::new();
    env.run(&["auth", "login", "--token-stdin", "-h", &srv.url()], TOKEN)
        .ok();
    (srv, env)
}

#[test]
fn git_clones_and_pushes_with_the_login_and_store_never_gets_the_token() {
    let p = Provider::start(&[]);
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_CLIENT_ID", &p.client_id);
    env.run(&["auth", "login", "--token-stdin", "-h", &p.issuer], &p.pat)
        .ok();
    let srv = GitServer::start(&env, &format!("{}/me", p.issuer));
    // A plain-text helper the user had before: it must never see the token.
    git(
        &env,
        &home(&env),
        &["config", "--global", "credential.helper", "store"],
        "",
    )
    .ok();
    env.run(
        &["config", "set", "git_hosts", &srv.url, "--host", &p.issuer],
        "",
    )
    .ok();

    env.run(&["auth", "setup-git"], "")
        .ok()
        .stderr_has(&format!("Configured git to use keyward for {}\n", p.issuer))
        .not_anywhere("Repositories on another host")
        .stderr_has(&format!(
            "Configured git to use keyward for {} (with the login to {})",
            srv.url, p.issuer
        ));
    let cfg = gitconfig(&env);
    assert!(
        cfg.contains(&format!(
            "[credential \"{}\"]\n\thelper = \n\thelper = !'",
            srv.url
        )),
        "{cfg}"
    );
    assert!(cfg.contains("' auth git-credential"), "{cfg}");

    let f = fill(&env, &srv.url);
    f.ok()
        .stdout_has("username=x-access-token\n")
        .stdout_has(&format!("password={}\n", p.pat));

    let work = env.dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    git(&env, &work, &["ls-remote", &srv.repo()], "")
        .ok()
        .stdout_has("refs/heads/main")
        .not_anywhere(&p.pat);
    git(&env, &work, &["clone", "-q", &srv.repo(), "clone"], "").ok();
    let clone = work.join("clone");
    std::fs::write(clone.join("NEW"), "pushed\n").unwrap();
    git(&env, &clone, &["add", "NEW"], "").ok();
    git(&env, &clone, &["commit", "-q", "-m", "second"], "").ok();
    git(&env, &clone, &["push", "-q", "origin", "main"], "")
        .ok()
        .not_anywhere(&p.pat);
    git(&env, &work, &["ls-remote", &srv.repo(), "main"], "")
        .ok()
        .stdout_has(git(&env, &clone, &["rev-parse", "HEAD"], "").stdout.trim());

    let log = srv.auth_log();
    assert!(log.contains("x-access-token ok"), "{log}");
    assert!(
        !log.contains("denied"),
        "every password git sent was the token: {log}"
    );
    assert!(
        !saved_credentials(&env).contains(&p.pat),
        "the store helper was handed the token"
    );
    assert!(!gitconfig(&env).contains(&p.pat));
}

#[test]
fn a_helper_set_after_keywards_makes_it_refuse_until_setup_git_runs_again() {
    let (api, env) = profile_env();
    let srv = GitServer::start(&env, &format!("{}/api/v1/profile", api.url()));
    env.run(
        &["config", "set", "git_hosts", &srv.url, "--host", &api.url()],
        "",
    )
    .ok();
    env.run(&["auth", "setup-git"], "").ok();
    // keyward's section holds another setting of the user's ...
    git(
        &env,
        &home(&env),
        &[
            "config",
            "--global",
            &format!("credential.{}.useHttpPath", srv.url),
            "true",
        ],
        "",
    )
    .ok();
    // ... and a helper set afterwards: a new [credential] section after it.
    git(
        &env,
        &home(&env),
        &["config", "--global", "credential.helper", "store"],
        "",
    )
    .ok();
    let work = env.dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let refused = git(&env, &work, &["ls-remote", &srv.repo()], "");
    assert_ne!(refused.code, 0);
    refused
        .stderr_has(&format!("not answering git for {}", srv.url))
        .stderr_has("credential helper `store`")
        .stderr_has("auth setup-git` again")
        .not_anywhere(TOKEN);
    assert!(!saved_credentials(&env).contains(TOKEN));

    env.run(&["auth", "setup-git"], "")
        .ok()
        .not_anywhere("would also hand");
    // The section moved after `store`, the user's setting kept in it.
    let cfg = gitconfig(&env);
    let section = cfg
        .rfind(&format!("[credential \"{}\"]", srv.url))
        .expect(&cfg);
    assert!(cfg.find("helper = store").unwrap() < section, "{cfg}");
    assert!(
        cfg[section..].starts_with(&format!(
            "[credential \"{}\"]\n\tusehttppath = true\n\thelper = \n\thelper = !'",
            srv.url
        )),
        "{cfg}"
    );
    assert_eq!(
        cfg.to_lowercase().matches("usehttppath").count(),
        1,
        "{cfg}"
    );
    git(&env, &work, &["ls-remote", &srv.repo()], "")
        .ok()
        .stdout_has("refs/heads/main");
    assert!(
        !saved_credentials(&env).contains(TOKEN),
        "the store helper was handed the token"
    );
}

#[test]
fn setup_git_warns_about_a_helper_it_cannot_cut_off() {
    let (api, env) = profile_env();
    // A repository whose own config adds a helper after the global ones.
    let repo = env.dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&env, &repo, &["init", "-q"], "").ok();
    git(&env, &repo, &["config", "credential.helper", "store"], "").ok();
    env.run_in(&repo, &["auth", "setup-git"], "")
        .ok()
        .stderr_has("would also hand that token to the helper `store`")
        .stderr_has(&format!("keyward will not answer for {}", api.url()))
        .stderr_has("remove that helper from ")
        .stderr_has("so `setup-git` cannot cut it off")
        .stderr_has(&format!(
            "Repositories on another host than the API: `keyward config set git_hosts HOST -h {}`",
            api.url()
        ));
}

#[test]
fn only_stored_or_mapped_origins_get_an_answer_and_store_erase_change_nothing() {
    let (api, env) = profile_env();
    let host = api.url().trim_start_matches("http://").to_string();
    let get = |req: &str| env.run(&["auth", "git-credential", "get"], req);
    assert_eq!(
        get(&format!("protocol=http\nhost={host}\n")).ok().stdout,
        format!("username=x-access-token\npassword={TOKEN}\n")
    );
    for req in [
        "protocol=https\nhost=git.other.test\n".to_string(),
        format!("protocol=https\nhost={host}\n"),
        format!("protocol=ssh\nhost={host}\n"),
        "protocol=http\nhost=127.0.0.1:1\n".to_string(),
        format!("protocol=http\nhost={host}\nusername=somebody-else\n"),
        format!("host={host}\n"),
    ] {
        let out = get(&req);
        out.ok();
        assert_eq!(out.stdout, "", "{req}");
    }
    // The user name git sends by default is fine, and so is the account's.
    get(&format!(
        "protocol=http\nhost={host}\nusername=x-access-token\n"
    ))
    .ok()
    .stdout_has(TOKEN);
    get(&format!(
        "url={}/org/repo.git\nusername=gita@x.test\n",
        api.url()
    ))
    .ok()
    .stdout_has("username=gita@x.test\n")
    .stdout_has(TOKEN);

    let before = credentials_text(&env);
    for op in ["store", "erase", "frobnicate"] {
        env.run(
            &["auth", "git-credential", op],
            &format!(
                "protocol=http\nhost={host}\nusername=x-access-token\npassword=typed-by-hand\n\n"
            ),
        )
        .ok()
        .not_anywhere("typed-by-hand");
        assert_eq!(credentials_text(&env), before, "{op} changed the store");
    }
    env.run(&["auth", "token"], "").ok().stdout_has(TOKEN);

    let bad = get("protocol=http\npassword hunter2\n");
    bad.code(2)
        .stderr_has("line 2 of git's credential request has no `=`");
    bad.not_anywhere("hunter2");

    // gh's own section (`gh auth setup-git`) for github.com is not
    // keyward's: no "not logged in" for it.
    std::fs::create_dir_all(home(&env)).unwrap();
    std::fs::write(
        home(&env).join(".gitconfig"),
        "[credential \"https://github.com\"]\n\thelper = \n\thelper = !/usr/bin/gh auth git-credential\n",
    )
    .unwrap();
    let gh = get("protocol=https\nhost=github.com\n");
    gh.ok().not_anywhere("not logged in");
    assert_eq!(gh.stdout, "");
    std::fs::remove_file(home(&env).join(".gitconfig")).unwrap();

    // Through git: our helper is asked about another origin and says nothing.
    let cmd = format!("!'{}' auth git-credential", keyward_bin().display());
    let out = git(
        &env,
        &home(&env),
        &[
            "-c",
            &format!("credential.helper={cmd}"),
            "credential",
            "fill",
        ],
        "protocol=https\nhost=git.other.test\n\n",
    );
    assert_ne!(out.code, 0, "git found no credential and may not prompt");
    assert!(!out.stdout.contains("password="), "{}", out.stdout);

    // Logged out of the default API URL: its origin is still keyward's, so
    // the helper says why it has no answer (git then prompts).
    env.run(&["auth", "logout"], "").ok();
    let out = get(&format!("protocol=http\nhost={host}\n"));
    out.code(4)
        .stderr_has(&format!("not logged in to {}", api.url()))
        .stderr_has("auth login");
    assert_eq!(out.stdout, "");
}

#[test]
fn an_expiring_token_is_refreshed_for_git() {
    let is = issuer(Duration::ZERO);
    let env = TestEnv::new();
    let api = is.srv.url();
    store(&env, &api, "at-1", Some("rt-1"), Some(-240));
    let srv = GitServer::start(&env, &format!("{api}/api/v1/projects"));
    env.run(
        &["config", "set", "git_hosts", &srv.url, "--host", &api],
        "",
    )
    .ok();
    env.run(&["auth", "setup-git"], "").ok();
    let work = env.dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    git(&env, &work, &["ls-remote", &srv.repo()], "")
        .ok()
        .stdout_has("refs/heads/main");
    assert_eq!(is.refreshes.load(Ordering::SeqCst), 1);
    assert!(srv.auth_log().contains("x-access-token ok"));
    let f = fill(&env, &srv.url);
    f.ok().stdout_has("password=at-2\n");
    let expiry: i64 = f
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("password_expiry_utc="))
        .expect("password_expiry_utc")
        .parse()
        .unwrap();
    assert!(
        (unix_now() + 3500..=unix_now() + 3600).contains(&expiry),
        "{expiry}"
    );
    assert_eq!(
        is.refreshes.load(Ordering::SeqCst),
        1,
        "still valid: no second refresh"
    );
}

#[test]
fn the_git_username_picks_the_account() {
    let srv = Server::profile(vec![
        (
            "tok-alice-0123456789",
            json!({"id": "a1", "name": "Alice", "email": "alice@x.test"}),
        ),
        (
            "tok-bob-0123456789",
            json!({"id": "b2", "name": "Bob", "email": "bob@x.test"}),
        ),
    ]);
    // In the real Secret Service: the helper reads the keychain as every
    // command does.
    let k = Keyring::start();
    let env = TestEnv::with_keyring(&k);
    for t in ["tok-alice-0123456789", "tok-bob-0123456789"] {
        env.run(&["auth", "login", "--token-stdin", "-h", &srv.url()], t)
            .ok();
    }
    let host = srv.url().trim_start_matches("http://").to_string();
    let get = |user: &str| {
        env.run(
            &["auth", "git-credential", "get"],
            &format!("protocol=http\nhost={host}\nusername={user}\n"),
        )
    };
    get("x-access-token").ok().stdout_has("tok-bob-0123456789");
    get("alice")
        .ok()
        .stdout_has("username=alice\npassword=tok-alice-0123456789\n");
    get("Bob@X.test").ok().stdout_has("tok-bob-0123456789");
    assert_eq!(get("carol").ok().stdout, "");
    assert!(
        !env.credentials_file().exists(),
        "both logins are in the keychain"
    );
    assert_eq!(k.items().len(), 2);
    // A per-host user name replaces x-access-token.
    env.run(
        &[
            "config",
            "set",
            "git_username",
            "oauth2",
            "--host",
            &srv.url(),
        ],
        "",
    )
    .ok();
    get("oauth2")
        .ok()
        .stdout_has("username=oauth2\npassword=tok-bob-0123456789\n");
    // ... and is what the server gets whichever account the URL picks;
    // x-access-token still picks none.
    get("alice")
        .ok()
        .stdout_has("username=oauth2\npassword=tok-alice-0123456789\n");
    get("x-access-token")
        .ok()
        .stdout_has("username=oauth2\npassword=tok-bob-0123456789\n");
}

#[test]
fn the_helper_reads_up_to_the_blank_line_and_setup_names_the_program_on_path() {
    use std::io::Write;
    let (api, env) = profile_env();
    let host = api.url().trim_start_matches("http://").to_string();
    // git's request ends at the blank line: the input stays open.
    let mut c = env.std_cmd(&["auth", "git-credential", "get"]);
    c.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    write!(stdin, "protocol=http\nhost={host}\n\n").unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "still reading after the blank line"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("password={TOKEN}\n")));

    // Run through a symlink on PATH (as package managers install it), the
    // helper line names the symlink, which survives upgrades.
    let bin = env.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let exe = std::fs::canonicalize(keyward_bin()).unwrap();
    std::os::unix::fs::symlink(&exe, bin.join("keyward")).unwrap();
    let mut c = env.std_cmd(&["auth", "setup-git"]);
    c.env(
        "PATH",
        format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        ),
    );
    let o = c.current_dir(env.dir.path()).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let cfg = gitconfig(&env);
    assert!(
        cfg.contains(&format!(
            "helper = !'{}' auth git-credential",
            bin.join("keyward").display()
        )),
        "{cfg}"
    );
}

#[test]
fn setup_git_says_what_is_missing() {
    let env = TestEnv::new();
    git_bin();
    env.run(&["auth", "setup-git"], "")
        .code(4)
        .stderr_has("not logged in to any API")
        .stderr_has("keyward auth login");
    env.run(&["auth", "setup-git", "-h", "api.nowhere.test"], "")
        .code(4)
        .stderr_has("not logged in to https://api.nowhere.test")
        .stderr_has("--force");
    env.run(&["auth", "setup-git", "--force"], "")
        .code(2)
        .stderr_has("-h URL");
    assert_eq!(gitconfig(&env), "", "nothing written on failure");
    env.run(
        &[
            "config",
            "set",
            "git_hosts",
            "git.nowhere.test",
            "--host",
            "api.nowhere.test",
        ],
        "",
    )
    .ok();
    env.run(
        &["auth", "setup-git", "-h", "api.nowhere.test", "--force"],
        "",
    )
    .ok()
    .stderr_has("for https://git.nowhere.test (with the login to https://api.nowhere.test)");
    let cfg = gitconfig(&env);
    assert!(
        cfg.contains("[credential \"https://api.nowhere.test\"]"),
        "{cfg}"
    );
    assert!(
        cfg.contains("[credential \"https://git.nowhere.test\"]"),
        "{cfg}"
    );
    // Twice: the same lines, not twice as many.
    env.run(
        &["auth", "setup-git", "-h", "api.nowhere.test", "--force"],
        "",
    )
    .ok();
    assert_eq!(gitconfig(&env), cfg);

    env.run(
        &[
            "config",
            "set",
            "git_hosts",
            "http://git.nowhere.test",
            "--host",
            "api.nowhere.test",
        ],
        "",
    )
    .code(2)
    .stderr_has("refusing plain-http git host `http://git.nowhere.test`");
    // One host at a time; a user name HTTP Basic can carry.
    env.run(
        &[
            "config",
            "set",
            "git_hosts",
            "*.nowhere.test",
            "--host",
            "api.nowhere.test",
        ],
        "",
    )
    .code(2)
    .stderr_has("wildcards are not supported");
    env.run(
        &[
            "config",
            "set",
            "git_username",
            "a:b",
            "--host",
            "api.nowhere.test",
        ],
        "",
    )
    .code(2)
    .stderr_has("cannot carry a `:`");

    // git is told who to log in to for an origin set up with --force.
    fill(&env, "https://api.nowhere.test")
        .stderr_has("not logged in to https://api.nowhere.test")
        .stderr_has("keyward auth login -h https://api.nowhere.test");

    let mut no_git = TestEnv::new();
    no_git.set_env("PATH", "/nonexistent");
    no_git
        .run(
            &["auth", "setup-git", "-h", "api.nowhere.test", "--force"],
            "",
        )
        .code(1)
        .stderr_has("cannot run git")
        .stderr_has("apt install git");
}
