//! `examples/try-it`, README's first command: the tour in non-interactive
//! mode (every step, the token never shown, the temporary config removed),
//! a failing step named, `--keep`, and `--serve` with the real keyward
//! binary logging in through it (browser flow with `--approve` as BROWSER,
//! device flow), then Ctrl-C.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Builds `examples/try-it` once, in the tests' profile, and returns its
/// path (`cargo test --test cli` alone does not build examples).
pub(crate) fn exe() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let mut cargo = Command::new(env!("CARGO"));
        cargo.current_dir(env!("CARGO_MANIFEST_DIR")).args([
            "build",
            "--example",
            "try-it",
            "--message-format=json",
        ]);
        if !cfg!(debug_assertions) {
            cargo.arg("--release");
        }
        let out = cargo.output().expect("run cargo");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "cargo build --example try-it failed:\n{}\n{stdout}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v["reason"] == "compiler-artifact" && v["target"]["name"] == "try-it")
            .find_map(|v| v["executable"].as_str().map(PathBuf::from))
            .expect("cargo named no try-it executable")
    })
}

fn text(o: &Output) -> (i32, String, String) {
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The example with a clean environment in `env`'s directory: its own
/// HOME and TMPDIR, no keychain, no display.
fn example(env: &TestEnv, args: &[&str]) -> Command {
    let tmp = env.dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut c = Command::new(exe());
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", env.dir.path().join("home"))
        .env("XDG_CONFIG_HOME", env.dir.path().join("home/.config"))
        .env("TMPDIR", &tmp)
        .env("DBUS_SESSION_BUS_ADDRESS", NO_BUS)
        .stdin(Stdio::null())
        .args(args);
    c
}

/// What no output may hold: a token of the try-it server beyond the few
/// characters a mask shows.
#[track_caller]
fn no_token_shown(out: &str) {
    for prefix in ["try_at_", "try_rt_", "try_ac_", "try_dc_"] {
        for (at, _) in out.match_indices(prefix) {
            let shown = out[at + prefix.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .count();
            assert!(shown <= 2, "a token is shown at {at}:\n{out}");
        }
    }
}

#[test]
fn the_readme_command_runs_every_step_masks_the_token_and_cleans_up() {
    // keyward listens on the fixed callback ports 8765-8769.
    let _ports = peers::callback_ports();
    let env = TestEnv::new();
    let tmp = env.dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    // The README's command (without --release: the tests' profile).
    let mut cargo = Command::new(env!("CARGO"));
    cargo
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "-q", "--example", "try-it"])
        .args((!cfg!(debug_assertions)).then_some("--release"))
        .args(["--", "--non-interactive"])
        .env("TMPDIR", &tmp)
        .env("KEYWARD_TOKEN", "kwd_from_the_callers_environment")
        .env("DBUS_SESSION_BUS_ADDRESS", NO_BUS)
        .env_remove("KEYWARD_DEBUG")
        // The test runner's own variable (scripts/test's release pass) is
        // not the caller's: it would be listed as set aside too.
        .env_remove("KEYWARD_TEST_BIN")
        .stdin(Stdio::null());
    let _ = exe();
    let started = Instant::now();
    let (code, stdout, stderr) = text(&cargo.output().unwrap());
    let all = format!("{stdout}\n{stderr}");
    assert_eq!(code, 0, "{all}");
    assert!(started.elapsed() < Duration::from_secs(120), "{all}");
    let port = stdout
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .expect("the server's address");
    let h = format!("127.0.0.1:{port}");
    for (i, command) in [
        format!("keyward auth login -h {h} --web --tenant acme"),
        format!("keyward auth status -h {h}"),
        format!("keyward auth token -h {h}"),
        format!("keyward whoami -h {h}"),
        format!("keyward tenants list -h {h}"),
        format!("keyward auth refresh -h {h}"),
        format!("keyward auth logout -h {h} --revoke"),
        format!(
            "curl -H \"Authorization: Bearer <the token of step 3>\" http://{h}/api/v1/profile"
        ),
        format!("keyward auth status -h {h}"),
    ]
    .iter()
    .enumerate()
    {
        let step = format!("[{}/9] ", i + 1);
        let at = stdout
            .find(&step)
            .unwrap_or_else(|| panic!("no step {step}\n{all}"));
        assert!(
            stdout[at..].contains(&format!("\n  $ {command}\n")),
            "{command}\n{all}"
        );
    }
    for said in [
        format!("Logged in to http://{h} as Dev User (dev@example.test)"),
        "Token refreshed".into(),
        "Revoked the refresh token and access token at the server".into(),
        format!("Not logged in to http://{h}"),
    ] {
        assert!(stderr.contains(&said), "stderr lacks {said:?}\n{all}");
    }
    for said in [
        "Tenant: acme",
        "acme\tAcme Inc",
        "globex\tGlobex Corp",
        "HTTP 401 Unauthorized",
        "error=\"invalid_token\"",
        "(50 characters; try-it --show-token shows it)",
        "Set aside for this run: KEYWARD_TOKEN",
        "All 9 steps worked",
    ] {
        assert!(stdout.contains(said), "stdout lacks {said:?}\n{all}");
    }
    no_token_shown(&all);
    // The temporary config directory is gone, and nothing else was left.
    let dir = stdout
        .split("Removed the temporary config directory ")
        .nth(1)
        .and_then(|r| r.split(".\n").next())
        .expect("the config directory's removal");
    assert!(dir.starts_with(tmp.to_str().unwrap()), "{dir}");
    assert!(!Path::new(dir).exists(), "{dir} is left");
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_failing_step_is_named_and_keep_uses_the_normal_config() {
    // keyward listens on the fixed callback ports 8765-8769.
    let _ports = peers::callback_ports();
    let env = TestEnv::new();
    // --keep: the caller's config directory; here it is a file, so the
    // login step fails and the tour stops there.
    let not_a_dir = env.dir.path().join("file");
    std::fs::write(&not_a_dir, "").unwrap();
    let (code, stdout, stderr) = text(
        &example(&env, &["--non-interactive", "--keep"])
            .env("KEYWARD_CONFIG_DIR", &not_a_dir)
            .output()
            .unwrap(),
    );
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("--keep: keyward uses your own config directory"),
        "{stdout}"
    );
    assert!(
        stderr.contains("error: step 1/10 `keyward auth login -h 127.0.0.1:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--tenant acme` failed: exit 1, expected 0"),
        "{stderr}"
    );
    assert!(stderr.contains("Solution: "), "{stderr}");
    assert!(!stdout.contains("[2/10]"), "{stdout}");

    // Kept: the login went to that directory and the default API URL it
    // set is put back.
    let (code, stdout, stderr) = text(
        &example(&env, &["--non-interactive", "--keep", "--token-ttl", "1"])
            .env("KEYWARD_CONFIG_DIR", env.config_dir())
            .env("KEYWARD_CREDENTIAL_STORE", "file")
            .output()
            .unwrap(),
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("[10/10] Put your config back"), "{stdout}");
    assert!(
        stdout.contains("$ keyward config unset api_url"),
        "{stdout}"
    );
    assert!(
        stderr.contains(&format!(
            "removed from {}",
            env.credentials_file().display()
        )),
        "{stderr}"
    );
    let config = std::fs::read_to_string(env.config_file()).unwrap_or_default();
    assert!(!config.contains("api_url"), "{config}");
    assert!(env.config_dir().exists());
    no_token_shown(&format!("{stdout}{stderr}"));
}

/// A free port on 127.0.0.1 (free when this returns).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `try-it --serve` on `port`, once it listens (killed when dropped).
pub(crate) fn serve(env: &TestEnv, port: u16) -> spawn::Running {
    let running = spawn::Running::start(example(env, &["--serve", "--port", &port.to_string()]));
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "try-it --serve did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    running
}

#[test]
fn serve_is_a_server_the_real_keyward_logs_in_to() {
    // keyward listens on the fixed callback ports 8765-8769.
    let _ports = peers::callback_ports();
    let env = TestEnv::new();
    let port = free_port();
    let served = serve(&env, port);
    let h = format!("127.0.0.1:{port}");
    let approve = format!("{} --approve", exe().display());

    // The port is taken now: a second server says so, with a way out.
    let (code, _, stderr) = text(
        &example(&env, &["--serve", "--port", &port.to_string()])
            .output()
            .unwrap(),
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(&format!("port {port} on 127.0.0.1 is in use")),
        "{stderr}"
    );
    assert!(
        stderr.contains("Solution: ") && stderr.contains("--port"),
        "{stderr}"
    );

    // The browser flow, `--approve` pressing Approve.
    let mut env = env;
    env.set_env("KEYWARD_CREDENTIAL_STORE", "file");
    env.set_env("BROWSER", &approve);
    // No client id: keyward registers itself (RFC 7591) and keeps it.
    let login = ["auth", "login", "-h", &h, "--timeout", "30"];
    env.run(&login, "")
        .ok()
        .stderr_has(&format!(
            "Registered keyward as an OAuth client of http://{h} (client id "
        ))
        .stderr_has(&format!(
            "Logged in to http://{h} as Dev User (dev@example.test)"
        ));
    let token = env
        .run(&["auth", "token", "-h", &h], "")
        .ok()
        .stdout
        .trim()
        .to_string();
    assert!(token.starts_with("try_at_") && token.len() > 40, "{token}");
    env.run(&["whoami", "-h", &h], "")
        .ok()
        .stdout_has("Dev User")
        .stdout_has("dev@example.test");
    env.run(&["tenants", "list", "-h", &h], "")
        .ok()
        .stdout_has("acme\tAcme Inc")
        .stdout_has("globex\tGlobex Corp");
    env.run(&["auth", "refresh", "-h", &h], "").ok();
    env.run(&["auth", "logout", "-h", &h, "--revoke"], "")
        .ok()
        .stderr_has("Revoked the refresh token");
    // The first token went with its grant.
    let mut with_old = TestEnv::new();
    with_old.set_env("KEYWARD_TOKEN", &token);
    with_old.run(&["whoami", "-h", &h], "").code(4);

    // Deny: keyward says the login was denied.
    env.set_env("BROWSER", &format!("{} --deny", exe().display()));
    env.run(&login, "").code(1).stderr_has("access_denied");

    // The device flow: the person opens the verification page with the code.
    let mut device = env.spawn(&["auth", "login", "-h", &h, "--device", "--timeout", "60"]);
    let line = device.wait_line("the user code", Duration::from_secs(30), |l| {
        l.contains("one-time code")
    });
    let code = line.rsplit(' ').next().unwrap().trim().to_string();
    let (c, stdout, stderr) = text(
        &Command::new(exe())
            .arg("--approve")
            .arg(format!("http://{h}/device?user_code={code}"))
            .output()
            .unwrap(),
    );
    assert_eq!(c, 0, "{stdout}{stderr}");
    assert!(stdout.contains("Device connected"), "{stdout}");
    let out = device.finish(Duration::from_secs(60));
    out.ok()
        .stderr_has(&format!("Logged in to http://{h} as Dev User"));

    // Ctrl-C stops the server cleanly; it logged the requests, no token.
    let mut running = served;
    #[cfg(unix)]
    {
        // SAFETY: a signal to the child this test started.
        unsafe { libc::kill(running.pid() as i32, libc::SIGINT) };
        running.close_stdin();
        let out = running.finish(Duration::from_secs(10));
        out.ok().stdout_has("Stopped.");
        out.stdout_has(&format!("keyward auth login -h {h}\n"));
        out.stdout_has("POST /oauth/token → 200  (authorization_code: tokens issued)");
        out.stdout_has("POST /oauth/token → 200  (refresh_token: tokens issued)");
        out.stdout_has("POST /device → 200  (device login approved)");
        out.stdout_has("POST /oauth/token → 200  (device_code: tokens issued)");
        out.stdout_has("POST /oauth/consent → 303  (denied: access_denied sent to the client)");
        out.stdout_has("GET /api/v1/profile → 401");
        no_token_shown(&out.stdout);
    }
    #[cfg(not(unix))]
    drop(running);
}

#[test]
fn help_documents_the_modes() {
    let env = TestEnv::new();
    let (code, stdout, _) = text(&example(&env, &["--help"]).output().unwrap());
    assert_eq!(code, 0);
    for s in [
        "--non-interactive",
        "--serve",
        "--port",
        "--keep",
        "--token-ttl",
        "--approve",
        "Examples:",
        "Exit codes:",
    ] {
        assert!(stdout.contains(s), "--help lacks {s}\n{stdout}");
    }
    let (code, _, stderr) = text(&example(&env, &["--port", "1"]).output().unwrap());
    assert_eq!(code, 2, "{stderr}");
}
