//! The Node.js test peers in tests/peers: a real OpenID provider
//! (oidc-provider) and headless Chromium (playwright-core) as `$BROWSER`.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};

pub const INSTALL: &str = "apt-get install -y nodejs npm chromium && npm ci --prefix tests/peers";

/// Tests that use the fixed callback ports 8765-8769 take this lock.
static PORTS: Mutex<()> = Mutex::new(());

pub fn callback_ports() -> MutexGuard<'static, ()> {
    PORTS.lock().unwrap_or_else(|e| e.into_inner())
}

pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers")
}

#[track_caller]
pub fn require_peers() -> PathBuf {
    super::require("node", INSTALL);
    let d = dir();
    for m in ["oidc-provider", "playwright-core"] {
        assert!(
            d.join("node_modules").join(m).is_dir(),
            "the npm package `{m}` is needed by this test and is not installed.\nInstall it with: npm ci --prefix tests/peers\n(or run ./scripts/test, which installs every test component)"
        );
    }
    d
}

#[track_caller]
pub fn require_chromium() {
    assert!(
        std::path::Path::new("/usr/bin/chromium").exists(),
        "Chromium is needed by this test and is not installed.\nInstall it with: apt-get install -y chromium"
    );
}

/// A running oidc-provider.
pub struct Provider {
    child: Child,
    pub issuer: String,
    pub port: u16,
    pub pat: String,
    pub client_id: String,
    pub request_log: PathBuf,
    /// The whole ready line (`profile_endpoint`, `service_client_id`, ...).
    pub ready: serde_json::Value,
    _dir: tempfile::TempDir,
}

/// Start `node tests/peers/SCRIPT` with `env`, its stdin a pipe (it exits
/// when the pipe closes), and read the JSON line it prints when ready.
pub fn start_node_peer(script: &str, env: &[(&str, &str)]) -> (Child, serde_json::Value) {
    let peers = require_peers();
    let mut cmd = Command::new("node");
    cmd.arg(peers.join(script))
        .current_dir(&peers)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("start node {script}: {e}"));
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap_or_else(|e| panic!("{script} output: {e}"));
    let v = serde_json::from_str(first.trim())
        .unwrap_or_else(|e| panic!("{script} said {first:?}: {e}"));
    (child, v)
}

impl Provider {
    pub fn start(env: &[(&str, &str)]) -> Provider {
        let dir = tempfile::tempdir().unwrap();
        let request_log = dir.path().join("requests.log");
        let log = request_log.to_string_lossy().into_owned();
        let mut all = vec![("REQUEST_LOG", log.as_str())];
        all.extend_from_slice(env);
        let (child, v) = start_node_peer("provider.mjs", &all);
        Provider {
            child,
            issuer: v["issuer"].as_str().unwrap().to_string(),
            port: v["port"].as_u64().unwrap() as u16,
            pat: v["pat"].as_str().unwrap_or_default().to_string(),
            client_id: v["client_id"].as_str().unwrap_or("keyward-cli").to_string(),
            request_log,
            ready: v,
            _dir: dir,
        }
    }

    /// The profile route (`/api/v1/profile`, with TOKEN_EXCHANGE=1 or
    /// CLIENT_CREDENTIALS=1): accepts exchanged and client credentials tokens.
    pub fn profile_endpoint(&self) -> String {
        format!("{}/api/v1/profile", self.issuer)
    }

    /// Every line of the request log.
    pub fn requests(&self) -> Vec<String> {
        std::fs::read_to_string(&self.request_log)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// How many token endpoint requests had this `grant_type`.
    pub fn grant_count(&self, grant_type: &str) -> usize {
        let line = format!("POST /token {grant_type}");
        self.requests().iter().filter(|l| **l == line).count()
    }

    /// Lines of the token endpoint request log.
    pub fn token_requests(&self) -> Vec<String> {
        std::fs::read_to_string(&self.request_log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("token"))
            .map(str::to_string)
            .collect()
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `$BROWSER` value: node browser.mjs.
pub fn browser_command() -> String {
    require_chromium();
    format!("node {}", require_peers().join("browser.mjs").display())
}
