//! keyward in a real terminal (tmux): the hidden token prompt and the
//! spinner, as a person sees them.

use crate::common::server::{Reply, Server};
use crate::common::tmux::{self, Tmux};
use crate::common::*;
use base64::Engine;
use serde_json::json;
use sha2::Digest;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

fn jane() -> serde_json::Value {
    json!({"data": {"name": "Jane Doe", "email": "jane@example.test"}})
}

/// A JWT-shaped token of exactly `len` bytes: three base64url parts joined
/// by dots, with varied content so that any part of it is recognisable.
fn jwt(len: usize) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let mut sig = sha2::Sha256::digest(b"signature").to_vec();
    sig.extend_from_slice(&sha2::Sha256::digest(b"more signature"));
    let signature = b64.encode(&sig);
    // base64url of n bytes (n divisible by 3) is 4n/3 characters
    let payload_chars = len - header.len() - signature.len() - 2;
    assert_eq!(payload_chars % 4, 0, "pick a length that needs no padding");
    let payload_bytes = payload_chars / 4 * 3;
    let prefix = r#"{"sub":"jane","blob":""#;
    let suffix = r#""}"#;
    let mut blob = String::new();
    let mut h = sha2::Sha256::digest(b"seed");
    while blob.len() < payload_bytes - prefix.len() - suffix.len() {
        h = sha2::Sha256::digest(h);
        blob.extend(h.iter().map(|b| format!("{b:02x}")));
    }
    blob.truncate(payload_bytes - prefix.len() - suffix.len());
    let payload = b64.encode(format!("{prefix}{blob}{suffix}"));
    let t = format!("{header}.{payload}.{signature}");
    assert_eq!(t.len(), len);
    t
}

/// No 16-character piece of `token` is anywhere on `screen`.
#[track_caller]
fn assert_hidden(screen: &str, token: &str) {
    for start in (0..=token.len() - 16).step_by(8) {
        let piece = &token[start..start + 16];
        assert!(
            !screen.contains(piece),
            "the screen shows part of the token ({piece:?} at {start}):\n{screen}"
        );
    }
    let last = &token[token.len() - 16..];
    assert!(!screen.contains(last), "the screen shows the token's end");
}

/// The file store, so the test can read what was stored.
fn file_env() -> TestEnv {
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_CREDENTIAL_STORE", "file");
    env
}

/// Start `keyward ARGS` in a terminal, then `after` (sh) in the same shell.
/// The shell survives a Ctrl-C as an interactive one does (it traps SIGINT;
/// keyward, its child, gets the default disposition).
fn run_in_terminal(env: &TestEnv, args: &[&str], after: &str) -> Tmux {
    let (vars, line) = tmux::keyward(env, args);
    Tmux::start(
        &vars,
        &format!("trap ':' INT; {line}; echo EXIT=$?; {after}"),
    )
}

#[test]
fn a_4k_jwt_pasted_at_the_hidden_prompt_logs_in_and_never_shows() {
    let token = jwt(4096);
    let srv = Server::profile(vec![(&token, jane())]);
    let env = file_env();
    let url = srv.url();
    let t = run_in_terminal(
        &env,
        &["auth", "login", "--token-stdin", "--api-url", &url],
        "sleep 120",
    );
    t.wait_text("Paste your token:");
    t.paste(&token);
    // still nothing on screen after the whole paste, before Enter
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_hidden(&t.screen(), &token);
    t.keys(&["Enter"]);
    assert_eq!(t.wait_value("EXIT"), "0", "{}", t.screen());
    let screen = t.screen();
    assert!(
        screen.contains(&format!(
            "✓ Logged in to {url} as Jane Doe (jane@example.test)"
        )),
        "{screen}"
    );
    assert_hidden(&screen, &token);

    // the server saw the whole token, and the store holds it byte for byte
    let auth: Vec<String> = srv
        .requests()
        .iter()
        .filter_map(|r| r.header("authorization").map(str::to_string))
        .collect();
    assert_eq!(auth, [format!("Bearer {token}")]);
    let creds = env.read_credentials().expect("credentials.json");
    assert_eq!(creds[&url]["access_token"].as_str(), Some(token.as_str()));
}

#[test]
fn ctrl_c_at_the_prompt_cancels_stores_nothing_and_restores_the_terminal() {
    let srv = Server::profile(vec![]);
    let env = file_env();
    let t = run_in_terminal(
        &env,
        &["auth", "login", "--token-stdin", "--api-url", &srv.url()],
        "echo TERM=$TERM; echo STTY-BEGIN; stty -a; echo STTY-END; printf 'TYPE:'; read -r line; echo GOT=$line; sleep 120",
    );
    t.wait_text("Paste your token:");
    t.type_text("half-typed-secret-4711");
    t.keys(&["C-c"]);
    assert_eq!(t.wait_value("EXIT"), "130", "{}", t.screen());
    assert_eq!(t.wait_value("TERM"), "xterm-256color");
    let screen = t.wait_text("STTY-END");
    assert_eq!(screen.matches("Login cancelled").count(), 1, "{screen}");
    assert!(!screen.contains("error:"), "{screen}");
    assert!(!screen.contains("Solution:"), "{screen}");
    assert!(!screen.contains("half-typed"), "{screen}");
    assert!(srv.requests().is_empty(), "nothing was sent");
    assert!(!env.credentials_file().exists(), "nothing stored");
    assert!(!env.config_file().exists(), "nothing written");

    // the terminal is back in its normal (cooked, echoing) mode
    let stty = &screen[screen.find("STTY-BEGIN").unwrap()..screen.find("STTY-END").unwrap()];
    let flags: Vec<&str> = stty.split_whitespace().collect();
    for flag in ["echo", "icanon", "isig", "iexten"] {
        assert!(flags.contains(&flag), "`{flag}` is off:\n{stty}");
    }
    // and what one types is echoed again
    t.wait_text("TYPE:");
    t.type_text("now-visible");
    t.wait_text("TYPE:now-visible");
    t.keys(&["Enter"]);
    t.wait_text("GOT=now-visible");
}

#[test]
fn ctrl_d_on_an_empty_prompt_is_no_token() {
    let srv = Server::profile(vec![]);
    let env = file_env();
    let t = run_in_terminal(
        &env,
        &["auth", "login", "--token-stdin", "--api-url", &srv.url()],
        "sleep 120",
    );
    t.wait_text("Paste your token:");
    t.keys(&["C-d"]);
    assert_eq!(t.wait_value("EXIT"), "2", "{}", t.screen());
    assert!(t.screen().contains("error: no token on standard input"));
    assert!(srv.requests().is_empty());
}

#[test]
fn backspace_at_the_prompt_edits_the_hidden_token() {
    let token = "kwd_edited_token_0123456789";
    let srv = Server::profile(vec![(token, jane())]);
    let env = file_env();
    let url = srv.url();
    let t = run_in_terminal(
        &env,
        &["auth", "login", "--token-stdin", "--api-url", &url],
        "sleep 120",
    );
    t.wait_text("Paste your token:");
    t.type_text("kwd_edited_tokXX");
    t.keys(&["BSpace", "BSpace"]);
    t.type_text("en_0123456789");
    t.keys(&["Enter"]);
    assert_eq!(t.wait_value("EXIT"), "0", "{}", t.screen());
    let creds = env.read_credentials().expect("credentials.json");
    assert_eq!(creds[&url]["access_token"], token);
    assert!(!t.screen().contains("kwd_edited"));
}

#[test]
fn a_paste_over_64_kib_is_refused_and_its_tail_never_reaches_the_shell() {
    let srv = Server::profile(vec![]);
    let env = file_env();
    let t = run_in_terminal(
        &env,
        &["auth", "login", "--token-stdin", "--api-url", &srv.url()],
        "printf 'TYPE:'; read -r line; echo \"GOT=[$line]\"; sleep 120",
    );
    t.wait_text("Paste your token:");
    // 300 KiB of varied characters (more than the kernel buffers for a
    // terminal), with Enter at the end of the paste
    let mut big: String = (0..300 * 1024)
        .map(|i| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[i % 36]))
        .collect();
    big.push('\n');
    t.paste(&big);
    assert_eq!(t.wait_value("EXIT"), "2", "{}", t.screen());
    let screen = t.screen();
    assert!(screen.contains("longer than 64 KiB"), "{screen}");
    assert!(screen.contains("< token.txt"), "{screen}");
    assert!(srv.requests().is_empty());
    // the shell's next read gets only what is typed now
    t.wait_text("TYPE:");
    t.type_text("next");
    t.keys(&["Enter"]);
    assert_eq!(t.wait_value("GOT"), "[next]", "{}", t.screen());
    assert!(!t.screen().contains("abcdefghijklmnop"));
}

/// A device-flow server whose token endpoint says "pending" until `approved`.
fn device_server(approved: Arc<AtomicBool>) -> Server {
    Server::start(move |r| {
        let base = format!("http://{}", r.header("host").unwrap_or_default());
        match r.path.as_str() {
            "/.well-known/oauth-authorization-server" => Reply::metadata(&base, true),
            "/device/code" => Reply::json(
                200,
                json!({"device_code": "dev-1", "user_code": "WDJB-MJHT",
                "verification_uri": format!("{base}/device"), "expires_in": 120, "interval": 1}),
            ),
            "/token" if approved.load(Ordering::SeqCst) => Reply::json(
                200,
                json!({"access_token": "dev_access_0123456789", "expires_in": 600}),
            ),
            "/token" => Reply::json(400, json!({"error": "authorization_pending"})),
            "/api/v1/profile" => Reply::json(200, json!({"name": "Dev"})),
            _ => Reply::json(404, json!({})),
        }
    })
}

const WAITING: &str = "Waiting for you to approve the login in the browser…";
const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

fn device_login(env: &TestEnv, url: &str, after: &str) -> Tmux {
    run_in_terminal(
        env,
        &[
            "auth",
            "login",
            "--device",
            "--api-url",
            url,
            "--client-id",
            "dev-cli",
            "--timeout",
            "60",
        ],
        after,
    )
}

#[test]
fn the_spinner_turns_while_waiting_and_is_erased_after() {
    let approved = Arc::new(AtomicBool::new(false));
    let srv = device_server(approved.clone());
    let env = file_env();
    let t = device_login(&env, &srv.url(), "sleep 120");
    // the spinner line: a frame, then the message; it turns
    let spinner_frame = |s: &str| {
        s.lines()
            .find(|l| l.contains(WAITING))
            .and_then(|l| {
                FRAMES
                    .iter()
                    .find(|f| l.starts_with(&format!("{f} {WAITING}")))
            })
            .copied()
    };
    let first = spinner_frame(&t.wait_for("the spinner", |s| spinner_frame(s).is_some())).unwrap();
    t.wait_for("another frame", |s| {
        spinner_frame(s).is_some_and(|f| f != first)
    });
    assert!(t.screen().contains("WDJB-MJHT"));
    approved.store(true, Ordering::SeqCst);
    assert_eq!(t.wait_value("EXIT"), "0", "{}", t.screen());
    let screen = t.screen();
    assert!(screen.contains("✓ Logged in"), "{screen}");
    assert!(
        !screen.contains(WAITING),
        "the spinner line is erased:\n{screen}"
    );
    assert_eq!(t.display("#{cursor_flag}"), "1", "the cursor is shown");
}

#[test]
fn no_spinner_on_a_dumb_terminal() {
    let approved = Arc::new(AtomicBool::new(false));
    let srv = device_server(approved.clone());
    let mut env = file_env();
    env.set_env("TERM", "dumb");
    let t = device_login(&env, &srv.url(), "sleep 120");
    t.wait_text("WDJB-MJHT");
    // two polls (interval 1 s) without a spinner
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(2500);
    while std::time::Instant::now() < deadline {
        let s = t.screen();
        assert!(!s.contains("Waiting for you"), "{s}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    approved.store(true, Ordering::SeqCst);
    assert_eq!(t.wait_value("EXIT"), "0", "{}", t.screen());
}

#[test]
fn ctrl_c_while_the_spinner_turns_erases_it_and_says_login_cancelled() {
    let srv = device_server(Arc::new(AtomicBool::new(false)));
    let env = file_env();
    let t = device_login(&env, &srv.url(), "sleep 120");
    t.wait_text(WAITING);
    // The terminal echoes `^C`: indicatif pads its line to the full width,
    // so that echo must not push the cursor onto a line the erase misses.
    t.keys(&["C-c"]);
    assert_eq!(t.wait_value("EXIT"), "130", "{}", t.screen());
    let screen = t.screen();
    assert_eq!(screen.matches("Login cancelled").count(), 1, "{screen}");
    assert!(
        !screen.contains(WAITING),
        "the spinner line is erased:\n{screen}"
    );
    assert_eq!(t.display("#{cursor_flag}"), "1", "the cursor is shown");
    assert!(!env.credentials_file().exists(), "nothing stored");
}
