//! Test harness: a temp environment per test, a private Secret Service
//! (dbus-daemon + gnome-keyring) per test, and a local profile server.

#![allow(dead_code)]

pub mod ci;
pub mod keyring;
pub mod proxy;
pub mod server;
pub mod tls;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// A D-Bus address where nothing listens: "no keychain reachable".
pub const NO_BUS: &str = "unix:path=/nonexistent/keyward-test-bus";

/// One test's world: its own HOME and KEYWARD_CONFIG_DIR, a cleared environment.
pub struct TestEnv {
    pub dir: tempfile::TempDir,
    pub bus: Option<String>,
    extra: Vec<(String, String)>,
}

impl TestEnv {
    /// No keychain reachable (no D-Bus session bus).
    pub fn new() -> TestEnv {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        TestEnv {
            dir,
            bus: None,
            extra: Vec::new(),
        }
    }

    /// With a real, private Secret Service.
    pub fn with_keyring(k: &keyring::Keyring) -> TestEnv {
        let mut e = TestEnv::new();
        e.bus = Some(k.address.clone());
        e
    }

    pub fn config_dir(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    pub fn credentials_file(&self) -> PathBuf {
        self.config_dir().join("credentials.json")
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir().join("config.toml")
    }

    pub fn set_env(&mut self, k: &str, v: &str) {
        self.extra.push((k.into(), v.into()));
    }

    /// `keyward ARGS` in this environment.
    pub fn cmd(&self, args: &[&str]) -> Command {
        Command::from_std(self.std_cmd(args))
    }

    /// `keyward ARGS` in this environment, as a std Command (for background runs).
    pub fn std_cmd(&self, args: &[&str]) -> std::process::Command {
        let mut c = std::process::Command::new(keyward_bin());
        c.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.dir.path().join("home"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("home/.config"))
            .env("XDG_RUNTIME_DIR", self.dir.path())
            .env("KEYWARD_CONFIG_DIR", self.config_dir())
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                self.bus.as_deref().unwrap_or(NO_BUS),
            )
            .args(args);
        for (k, v) in &self.extra {
            c.env(k, v);
        }
        c
    }

    /// Start `keyward ARGS` in the background.
    pub fn spawn(&self, args: &[&str]) -> spawn::Running {
        spawn::Running::start(self.std_cmd(args))
    }

    /// Run and capture (code, stdout, stderr), with `stdin` fed in.
    pub fn run(&self, args: &[&str], stdin: &str) -> Out {
        Out::of(self.cmd(args), stdin)
    }

    /// Like [`TestEnv::run`], with `dir` as the current directory.
    pub fn run_in(&self, dir: &Path, args: &[&str], stdin: &str) -> Out {
        let mut cmd = self.cmd(args);
        cmd.current_dir(dir);
        Out::of(cmd, stdin)
    }

    /// credentials.json by API URL: each record under its `api_url` (the
    /// first of several accounts of one API URL keeps the API URL, the
    /// others their store keys). `read_credentials_raw` is the file as is.
    pub fn read_credentials(&self) -> Option<serde_json::Value> {
        let raw = self.read_credentials_raw()?;
        let mut by_url = serde_json::Map::new();
        for (key, rec) in raw.as_object()? {
            let url = rec["api_url"].as_str().unwrap_or(key).to_string();
            let k = if by_url.contains_key(&url) {
                key.clone()
            } else {
                url
            };
            by_url.insert(k, rec.clone());
        }
        Some(serde_json::Value::Object(by_url))
    }

    /// Write credentials.json from records in any keying (the by-API-URL
    /// view of `read_credentials`): each record goes under its store key,
    /// `<api_url>#<account>` (account: id, else email, else name, else
    /// login), or the API URL for a record with no account.
    pub fn write_credentials(&self, records: &serde_json::Value) {
        let mut out = serde_json::Map::new();
        for (key, rec) in records.as_object().expect("a JSON object") {
            let url = rec["api_url"].as_str().unwrap_or(key);
            let u = &rec["user"];
            let account = ["id", "email", "name", "login"]
                .iter()
                .find_map(|f| u[f].as_str().filter(|v| !v.is_empty()));
            let k = match account {
                Some(a) if rec["version"].as_u64().unwrap_or(1) >= 2 => format!("{url}#{a}"),
                _ => key.clone(),
            };
            out.insert(k, rec.clone());
        }
        std::fs::create_dir_all(self.config_dir()).unwrap();
        std::fs::write(
            self.credentials_file(),
            serde_json::Value::Object(out).to_string(),
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(
                self.credentials_file(),
                std::fs::Permissions::from_mode(0o600),
            )
            .unwrap();
        }
    }

    /// credentials.json as it is: records by store key.
    pub fn read_credentials_raw(&self) -> Option<serde_json::Value> {
        let t = std::fs::read_to_string(self.credentials_file()).ok()?;
        serde_json::from_str(&t).ok()
    }
}

/// A finished run.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// Run `cmd` (60 s at most) with `stdin` fed in, and capture it.
    pub fn of(mut cmd: Command, stdin: &str) -> Out {
        let o = cmd
            .write_stdin(stdin)
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .expect("run keyward");
        Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    #[track_caller]
    pub fn ok(&self) -> &Self {
        assert_eq!(self.code, 0, "expected success\n{self:#?}");
        self
    }
    #[track_caller]
    pub fn code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "expected exit {code}\n{self:#?}");
        self
    }
    #[track_caller]
    pub fn stderr_has(&self, s: &str) -> &Self {
        assert!(self.stderr.contains(s), "stderr lacks {s:?}\n{self:#?}");
        self
    }
    #[track_caller]
    pub fn stdout_has(&self, s: &str) -> &Self {
        assert!(self.stdout.contains(s), "stdout lacks {s:?}\n{self:#?}");
        self
    }
    #[track_caller]
    pub fn not_anywhere(&self, s: &str) -> &Self {
        assert!(
            !self.stdout.contains(s) && !self.stderr.contains(s),
            "output contains {s:?}\n{self:#?}"
        );
        self
    }
}

/// Fail with the install command when a program the tests need is missing.
#[track_caller]
/// The binary under test: `KEYWARD_TEST_BIN` when set (`scripts/test`
/// runs the suite a second time against the release build, statically
/// linked on Linux), else the one cargo built for these tests.
pub fn keyward_bin() -> PathBuf {
    match std::env::var_os("KEYWARD_TEST_BIN") {
        Some(bin) => PathBuf::from(bin),
        None => assert_cmd::cargo::cargo_bin("keyward"),
    }
}

pub fn require(program: &str, install: &str) -> PathBuf {
    for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
        let p = dir.join(program);
        if p.is_file() {
            return p;
        }
    }
    panic!(
        "`{program}` is needed by this test and is not installed.\nInstall it with: {install}\n(or run ./scripts/test, which installs every test component)"
    );
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Write an OAuth credential for `url` straight into the file store (so
/// that `auth token` must refresh it when `expires_in` is negative).
pub fn store_oauth(
    env: &TestEnv,
    url: &str,
    access: &str,
    refresh: &str,
    expires_in: i64,
    client_id: &str,
) {
    let rec = serde_json::json!({
        "version": 2, "api_url": url, "kind": "oauth", "access_token": access,
        "token_type": "Bearer", "refresh_token": refresh, "expires_at": unix_now() + expires_in,
        "user": {"name": "Nora Net", "email": "nora@net.test"},
        "client_id": client_id, "created_at": unix_now(),
    });
    std::fs::create_dir_all(env.config_dir()).unwrap();
    let mut map = env.read_credentials_raw().unwrap_or(serde_json::json!({}));
    map[format!("{url}#nora@net.test")] = rec;
    std::fs::write(env.credentials_file(), map.to_string()).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            env.credentials_file(),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
    }
}

/// The credentials file as it is on disk ("" when there is none).
pub fn credentials_text(env: &TestEnv) -> String {
    std::fs::read_to_string(env.credentials_file()).unwrap_or_default()
}

/// The lines of README from the heading `start` up to the next heading.
pub fn readme_section(start: &str) -> String {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("README has no {start:?}"));
    let rest = &text[from..];
    let end = rest[start.len()..]
        .find("\n#")
        .map(|e| e + start.len())
        .unwrap_or(rest.len());
    rest[..end].trim_end().to_string()
}

/// `s` as a regular expression that matches it literally (for insta
/// filters of paths).
pub fn regex_escape(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' || c == '_' || c == '-' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

/// File mode bits.
#[cfg(unix)]
pub fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}
pub mod peers;
pub mod spawn;
pub mod tmux;
