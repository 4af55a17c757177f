//! A real terminal for tests: tmux, headless, on a private socket (`-L`)
//! per test, with the environment passed with `-e` (the tmux server does
//! not pass the test's on). A test types with `send-keys` and reads what a
//! person would see with `capture-pane`, scrollback included.

use super::TestEnv;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long [`Tmux::wait_for`] waits.
pub const WAIT: Duration = Duration::from_secs(10);

static SESSIONS: AtomicUsize = AtomicUsize::new(0);

/// One tmux server and session, killed (by name, on its own socket) when
/// dropped.
pub struct Tmux {
    socket: String,
    session: String,
    dir: tempfile::TempDir,
    /// The socket's file (tmux leaves it behind when its server exits).
    socket_path: Option<std::path::PathBuf>,
}

/// `s` quoted for sh.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The environment and the quoted command line of `keyward ARGS` in `env`,
/// for a tmux session.
pub fn keyward(env: &TestEnv, args: &[&str]) -> (Vec<(String, String)>, String) {
    let cmd = env.std_cmd(args);
    let vars = cmd
        .get_envs()
        .filter_map(|(k, v)| Some((k.to_str()?.to_string(), v?.to_str()?.to_string())))
        .collect();
    let line = std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| sh_quote(&a.to_string_lossy()))
        .collect::<Vec<_>>()
        .join(" ");
    (vars, line)
}

impl Tmux {
    /// Run `script` with `sh -c` in a new 200x50 terminal whose environment
    /// is `vars` (and tmux's own `TMUX`, `TMUX_PANE`), with `TERM`
    /// xterm-256color unless `vars` sets it.
    /// Keep the script alive at its end (e.g. `sleep 120`) to read the
    /// screen after the command under test has finished.
    #[track_caller]
    pub fn start(vars: &[(String, String)], script: &str) -> Tmux {
        super::require("tmux", "apt-get install -y tmux");
        let dir = tempfile::tempdir().expect("temp dir");
        // No user config; history large enough for everything a test
        // prints; TERM in the pane is tmux's `default-terminal` (it
        // overrides `-e TERM=...`).
        let term = vars
            .iter()
            .find(|(k, _)| k == "TERM")
            .map_or("xterm-256color", |(_, v)| v.as_str());
        let conf = dir.path().join("tmux.conf");
        std::fs::write(
            &conf,
            format!(
                "set -g history-limit 200000\nset -g status off\nset -g default-terminal {}\n",
                sh_quote(term)
            ),
        )
        .unwrap();
        let n = SESSIONS.fetch_add(1, Ordering::SeqCst);
        let t = Tmux {
            socket: format!("kwtest-{}-{n}", std::process::id()),
            session: format!("t{n}"),
            dir,
            socket_path: None,
        };
        let mut args: Vec<String> = vec![
            "-f".into(),
            conf.to_string_lossy().into_owned(),
            "new-session".into(),
            "-d".into(),
            "-s".into(),
            t.session.clone(),
            "-x".into(),
            "200".into(),
            "-y".into(),
            "50".into(),
        ];
        for (k, v) in vars.iter().filter(|(k, _)| k != "TERM") {
            args.extend(["-e".into(), format!("{k}={v}")]);
        }
        args.extend(["sh".into(), "-c".into(), script.into()]);
        let mut t = t;
        let out = t.tmux(&args);
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let path = t.display("#{socket_path}");
        t.socket_path = (!path.is_empty()).then(|| path.into());
        t
    }

    fn tmux<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Output {
        let mut c = Command::new("tmux");
        // The tmux server takes its global environment from the client that
        // starts it, and every pane inherits it: the test run's own `CI`
        // (set in CI) or `KEYWARD_*` must not reach the keyward under test.
        for (k, _) in std::env::vars_os() {
            if k == "CI" || k.to_string_lossy().starts_with("KEYWARD_") {
                c.env_remove(k);
            }
        }
        c.env_remove("TMUX")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux")
    }

    /// Everything the pane shows and has shown (scrollback included),
    /// wrapped lines joined.
    #[track_caller]
    pub fn screen(&self) -> String {
        let target = self.target();
        let out = self.tmux(&[
            "capture-pane",
            "-p",
            "-J",
            "-S",
            "-",
            "-E",
            "-",
            "-t",
            &target,
        ]);
        assert!(
            out.status.success(),
            "tmux capture-pane failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Poll the screen until `pred` holds (at most [`WAIT`]); returns it.
    #[track_caller]
    pub fn wait_for(&self, what: &str, mut pred: impl FnMut(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; the screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Poll until the screen contains `text`.
    #[track_caller]
    pub fn wait_text(&self, text: &str) -> String {
        self.wait_for(&format!("{text:?}"), |s| s.contains(text))
    }

    /// Poll until the screen contains `text` and then shows the same on
    /// two looks in a row: what follows `text` has been drawn too.
    #[track_caller]
    pub fn wait_settled(&self, text: &str) -> String {
        let mut last = String::new();
        self.wait_for(&format!("{text:?} and a still screen"), |s| {
            let settled = s.contains(text) && s == last;
            if s.contains(text) && !settled {
                std::thread::sleep(Duration::from_millis(100));
            }
            last = s.to_string();
            settled
        })
    }

    /// Type `text` literally (as a paste would deliver it), in pieces.
    #[track_caller]
    pub fn type_text(&self, text: &str) {
        let target = self.target();
        let mut rest = text;
        while !rest.is_empty() {
            let mut n = rest.len().min(1024);
            while !rest.is_char_boundary(n) {
                n -= 1;
            }
            let out = self.tmux(&["send-keys", "-t", &target, "-l", &rest[..n]]);
            assert!(out.status.success(), "tmux send-keys failed");
            rest = &rest[n..];
        }
    }

    /// Paste `text` as a terminal paste does: all at once, through a tmux
    /// buffer (`load-buffer` + `paste-buffer`), newlines as Enter.
    #[track_caller]
    pub fn paste(&self, text: &str) {
        let file = self.dir.path().join("paste");
        std::fs::write(&file, text).unwrap();
        let file = file.to_string_lossy().into_owned();
        let out = self.tmux(&["load-buffer", "-b", "kwpaste", &file]);
        assert!(out.status.success(), "tmux load-buffer failed");
        let target = self.target();
        let out = self.tmux(&["paste-buffer", "-d", "-b", "kwpaste", "-t", &target]);
        assert!(out.status.success(), "tmux paste-buffer failed");
    }

    /// Press keys by tmux name (`Enter`, `C-c`, `C-d`, `BSpace`).
    #[track_caller]
    pub fn keys(&self, keys: &[&str]) {
        let target = self.target();
        let mut args = vec!["send-keys", "-t", &target];
        args.extend_from_slice(keys);
        let out = self.tmux(&args);
        assert!(out.status.success(), "tmux send-keys failed");
    }

    /// A tmux format for the pane (`#{cursor_flag}`, ...).
    pub fn display(&self, format: &str) -> String {
        let target = self.target();
        let out = self.tmux(&["display-message", "-p", "-t", &target, format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn target(&self) -> String {
        format!("={}:", self.session)
    }

    /// The value after `NAME=` on the screen (`echo NAME=$?` in the script).
    #[track_caller]
    pub fn wait_value(&self, name: &str) -> String {
        let key = format!("{name}=");
        let s = self.wait_text(&key);
        let at = s.find(&key).unwrap() + key.len();
        s[at..].lines().next().unwrap_or("").trim().to_string()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let target = format!("={}", self.session);
        let _ = self.tmux(&["kill-session", "-t", &target]);
        if let Some(p) = &self.socket_path {
            let _ = std::fs::remove_file(p);
        }
    }
}
