//! A private Secret Service for one test: its own dbus-daemon and an
//! unlocked gnome-keyring with a `login` collection. Never the user's.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const INSTALL: &str = "sudo apt-get install -y gnome-keyring dbus-daemon libsecret-tools";

pub struct Keyring {
    pub dir: tempfile::TempDir,
    pub address: String,
    bus_pid: u32,
}

impl Keyring {
    pub fn start() -> Keyring {
        let dbus = super::require("dbus-daemon", INSTALL);
        let gkd = super::require("gnome-keyring-daemon", INSTALL);
        super::require("secret-tool", INSTALL);
        let dir = tempfile::tempdir().unwrap();
        for d in ["data", "run", "home"] {
            std::fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        let sock = dir.path().join("bus");
        let out = Command::new(dbus)
            .args(["--session", "--fork", "--print-address=1", "--print-pid=1"])
            .arg(format!("--address=unix:path={}", sock.display()))
            .output()
            .expect("start dbus-daemon");
        assert!(
            out.status.success(),
            "dbus-daemon failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let mut lines = text.lines();
        let address = lines.next().expect("bus address").trim().to_string();
        let bus_pid: u32 = lines.next().expect("bus pid").trim().parse().expect("pid");
        let k = Keyring {
            dir,
            address,
            bus_pid,
        };
        let mut child = k
            .env(&mut Command::new(gkd))
            .args(["--unlock", "--components=secrets"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start gnome-keyring-daemon");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(b"test-password").unwrap();
        }
        let _ = child.wait();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if k.bus_query("NameHasOwner")
                .is_some_and(|o| o.contains("true"))
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "gnome-keyring did not register on the bus"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        k
    }

    /// `cmd` with this keyring's environment.
    pub fn env<'a>(&self, cmd: &'a mut Command) -> &'a mut Command {
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_RUNTIME_DIR", self.dir.path().join("run"))
            .env("HOME", self.dir.path().join("home"))
    }

    /// The record of the login to `api_url` under service `keyward`: the
    /// item whose username is `api_url` (the one-account layout, or a login
    /// with no account id), else the only item of an account of `api_url`
    /// (`<api_url>#<account>`).
    pub fn lookup(&self, api_url: &str) -> Option<String> {
        if let Some(s) = self.lookup_exact(api_url) {
            return Some(s);
        }
        let mut found: Vec<String> = self
            .items()
            .into_iter()
            .filter(|(user, _)| user.starts_with(&format!("{api_url}#")))
            .map(|(_, secret)| secret)
            .collect();
        (found.len() == 1).then(|| found.remove(0))
    }

    /// Every item under service `keyward`: (username, secret).
    pub fn items(&self) -> Vec<(String, String)> {
        let o = self
            .env(&mut Command::new("secret-tool"))
            .args(["search", "--all", "service", "keyward"])
            .output()
            .expect("secret-tool");
        // secret-tool prints each item's secret on stdout and its
        // attributes on stderr, items in the same order on both.
        let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        let secrets = stdout
            .lines()
            .filter_map(|l| l.strip_prefix("secret = ").map(str::to_string));
        let users = stderr
            .lines()
            .filter_map(|l| l.strip_prefix("attribute.username = ").map(str::to_string));
        users.zip(secrets).collect()
    }

    /// The secret stored for exactly `account` under service `keyward`, via `secret-tool`.
    pub fn lookup_exact(&self, account: &str) -> Option<String> {
        let o = self
            .env(&mut Command::new("secret-tool"))
            .args(["lookup", "service", "keyward", "username", account])
            .output()
            .expect("secret-tool");
        if o.status.success() && !o.stdout.is_empty() {
            Some(String::from_utf8_lossy(&o.stdout).into_owned())
        } else {
            None
        }
    }

    /// Ask the bus `org.freedesktop.DBus.<method>` about org.freedesktop.secrets;
    /// the reply as text.
    fn bus_query(&self, method: &str) -> Option<String> {
        let o = self
            .env(&mut Command::new("dbus-send"))
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/",
            ])
            .arg(format!("org.freedesktop.DBus.{method}"))
            .arg("string:org.freedesktop.secrets")
            .output()
            .ok()?;
        Some(String::from_utf8_lossy(&o.stdout).into_owned())
    }

    /// Pid of the gnome-keyring-daemon on this bus (to freeze it with SIGSTOP).
    pub fn daemon_pid(&self) -> Option<u32> {
        self.bus_query("GetConnectionUnixProcessID")?
            .split_whitespace()
            .last()
            .and_then(|s| s.parse().ok())
    }

    /// Lock the `login` collection, as a screen lock or `secret-tool lock`
    /// would.
    pub fn lock_collection(&self) {
        let mut c = Command::new("dbus-send");
        self.env(&mut c).args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            "array:objpath:/org/freedesktop/secrets/collection/login",
        ]);
        let o = c.output().expect("dbus-send");
        assert!(o.status.success(), "{o:?}");
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }
}

impl Drop for Keyring {
    fn drop(&mut self) {
        if let Some(pid) = self.daemon_pid() {
            let _ = Command::new("kill")
                .args(["-CONT", &pid.to_string()])
                .status();
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
        let _ = Command::new("kill").arg(self.bus_pid.to_string()).status();
    }
}

impl Keyring {
    /// Store `secret` for `account` under service `keyward`, via `secret-tool`.
    pub fn store(&self, account: &str, secret: &str) {
        use std::io::Write;
        let mut child = self
            .env(&mut Command::new("secret-tool"))
            .args([
                "store",
                "--label=test",
                "service",
                "keyward",
                "username",
                account,
            ])
            .stdin(Stdio::piped())
            .spawn()
            .expect("secret-tool");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(secret.as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success(), "secret-tool store failed");
    }
}
