//! The interactive login (issue 12) in a real terminal (tmux), as a person
//! sees it: the API URL question, the method menu and each of its methods,
//! the client-id menu, dynamic registration, the tenant and logout pickers,
//! the re-login offer, and no question at all without a terminal, with `CI`
//! or with `KEYWARD_PROMPT_DISABLED`.

use crate::common::peers::{self, Provider};
use crate::common::server::{Reply, Server};
use crate::common::spawn::param;
use crate::common::tmux::{self, Tmux};
use crate::common::*;
use serde_json::json;
use std::time::{Duration, Instant};

const METHOD: &str = "How would you like to log in?";
const ALL_METHODS: [&str; 4] = [
    "Browser",
    "No browser: paste the code back",
    "Device code",
    "Paste a token",
];

/// The file store, so the test can read what was stored.
fn file_env() -> TestEnv {
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_CREDENTIAL_STORE", "file");
    env
}

/// [`file_env`] with `BROWSER` = headless Chromium signing in as `login`
/// (its log in the env's directory, see [`browser_log`]).
fn chromium_env(login: &str) -> TestEnv {
    let mut env = file_env();
    env.set_env("BROWSER", &peers::browser_command());
    env.set_env("KEYWARD_TEST_LOGIN", login);
    let log = env.dir.path().join("browser.log");
    env.set_env("KEYWARD_TEST_BROWSER_LOG", &log.to_string_lossy());
    env
}

fn browser_log(env: &TestEnv) -> String {
    std::fs::read_to_string(env.dir.path().join("browser.log")).unwrap_or_default()
}

/// Start `keyward ARGS` in a terminal, print `EXIT=<code>`, then run
/// `after` (sh) in the same shell, which survives a Ctrl-C as an
/// interactive one does.
fn term(env: &TestEnv, args: &[&str], after: &str) -> Tmux {
    let (vars, line) = tmux::keyward(env, args);
    Tmux::start(
        &vars,
        &format!("trap ':' INT; {line}; echo EXIT=$?; {after}"),
    )
}

/// [`term`] keeping the screen readable after the command.
fn terminal(env: &TestEnv, args: &[&str]) -> Tmux {
    term(env, args, "sleep 300")
}

/// Wait (up to `secs`) for the command's exit code; the screen on failure.
#[track_caller]
fn exit_code(t: &Tmux, secs: u64) -> String {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let s = t.screen();
        if let Some(at) = s.find("EXIT=") {
            return s[at + 5..].lines().next().unwrap_or("").trim().to_string();
        }
        assert!(
            Instant::now() < deadline,
            "no exit after {secs} s; the screen:\n{s}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The choices a menu shows under `question` (dialoguer: `❯ ` marks the
/// highlighted one).
#[track_caller]
fn menu(t: &Tmux, question: &str) -> Vec<String> {
    let asked = format!("? {question}");
    let items_of = |s: &str| -> Vec<String> {
        let lines: Vec<&str> = s.lines().collect();
        let Some(at) = lines.iter().rposition(|l| l.contains(&asked)) else {
            return Vec::new();
        };
        lines[at + 1..]
            .iter()
            .take_while(|l| l.starts_with("❯ ") || l.starts_with("  "))
            .map(|l| l[l.char_indices().nth(2).unwrap().0..].trim().to_string())
            .collect()
    };
    // The menu is drawn a line at a time: wait until its items are on
    // screen (one highlighted) and the same on two looks in a row.
    let mut last = Vec::new();
    t.wait_for(&format!("the menu under {asked:?}"), |s| {
        let items = items_of(s);
        let drawn = !items.is_empty() && s.contains("❯ ");
        let settled = drawn && items == last;
        last = items;
        if drawn && !settled {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        settled
    });
    last
}

/// Pick choice `n` (0-based) of the menu on screen: `n` times Down, Enter.
fn pick(t: &Tmux, n: usize) {
    let mut keys = vec!["Down"; n];
    keys.push("Enter");
    t.keys(&keys);
}

/// The trimmed line after the first line containing `marker`.
#[track_caller]
fn line_after(screen: &str, marker: &str) -> String {
    let mut lines = screen.lines().skip_while(|l| !l.contains(marker));
    lines.next().expect(marker);
    lines.next().unwrap_or_default().trim().to_string()
}

/// No 12-character piece of `token` is anywhere on `screen`.
#[track_caller]
fn assert_hidden(screen: &str, token: &str) {
    for start in 0..=token.len() - 12 {
        let piece = &token[start..start + 12];
        assert!(
            !screen.contains(piece),
            "the screen shows part of the token ({piece:?}):\n{screen}"
        );
    }
}

fn config_text(env: &TestEnv) -> String {
    std::fs::read_to_string(env.config_file()).unwrap_or_default()
}

fn config(env: &TestEnv) -> toml::Table {
    config_text(env).parse().expect("config.toml is TOML")
}

fn record(env: &TestEnv, url: &str) -> serde_json::Value {
    env.read_credentials().unwrap_or(json!({}))[url].clone()
}

fn jane() -> serde_json::Value {
    json!({"data": {"id": 7, "name": "Jane Doe", "email": "jane@example.test"}})
}

/// Paste `token` at the hidden prompt on screen, check that it never
/// shows, then press Enter.
#[track_caller]
fn paste_hidden(t: &Tmux, token: &str) {
    t.wait_text("Paste your token:");
    t.paste(token);
    std::thread::sleep(Duration::from_millis(200));
    assert_hidden(&t.screen(), token);
    t.keys(&["Enter"]);
}

// ---- the method menu, each method ----

#[test]
fn browser_is_the_default_of_the_method_menu() {
    let _ports = peers::callback_ports();
    let p = Provider::start(&[]);
    let mut env = chromium_env("alice");
    env.set_env("KEYWARD_CLIENT_ID", &p.client_id);
    let t = terminal(&env, &["auth", "login", "-h", &p.issuer, "--timeout", "60"]);
    assert_eq!(menu(&t, METHOD), ALL_METHODS, "{}", t.screen());
    assert!(t.screen().contains("❯ Browser"), "{}", t.screen());
    t.keys(&["Enter"]);
    assert_eq!(
        exit_code(&t, 60),
        "0",
        "{}\n{}",
        t.screen(),
        browser_log(&env)
    );
    let screen = t.screen();
    assert!(
        screen.contains(&format!("✔ {METHOD} · Browser")),
        "{screen}"
    );
    assert!(
        screen.contains("Opening your browser to log in."),
        "{screen}"
    );
    assert!(
        screen.contains(&format!(
            "✓ Logged in to {} as Test User alice (alice@example.test)",
            p.issuer
        )),
        "{screen}"
    );
    let rec = record(&env, &p.issuer);
    assert_eq!(rec["kind"], "oauth", "{rec}");
    assert_eq!(rec["client_id"], p.client_id.as_str());
    assert!(rec["refresh_token"].is_string(), "{rec}");
}

#[test]
fn device_code_chosen_from_the_menu() {
    let p = Provider::start(&[]);
    let mut env = file_env();
    env.set_env("KEYWARD_CLIENT_ID", &p.client_id);
    let t = terminal(&env, &["auth", "login", "-h", &p.issuer, "--timeout", "90"]);
    assert_eq!(menu(&t, METHOD), ALL_METHODS);
    pick(&t, 2);
    let screen = t.wait_text("Waiting for you to approve");
    assert!(
        screen.contains(&format!("✔ {METHOD} · Device code")),
        "{screen}"
    );
    let code = line_after(&screen, "Device code")
        .rsplit(' ')
        .next()
        .unwrap()
        .to_string();
    assert!(
        screen.contains(&format!("! First copy your one-time code: {code}")),
        "{screen}"
    );
    let uri = line_after(&screen, "enter it:");
    assert!(uri.starts_with(&format!("{}/device", p.issuer)), "{uri}");
    let st = std::process::Command::new("node")
        .arg(peers::require_peers().join("device.mjs"))
        .arg(&uri)
        .arg(&code)
        .env("KEYWARD_TEST_LOGIN", "dora")
        .env(
            "KEYWARD_TEST_BROWSER_LOG",
            env.dir.path().join("browser.log"),
        )
        .status()
        .unwrap();
    assert!(st.success(), "device.mjs failed:\n{}", browser_log(&env));
    assert_eq!(exit_code(&t, 60), "0", "{}", t.screen());
    assert!(
        t.screen()
            .contains(&format!("✓ Logged in to {} as Test User dora", p.issuer)),
        "{}",
        t.screen()
    );
    let rec = record(&env, &p.issuer);
    assert_eq!(rec["kind"], "oauth", "{rec}");
    assert_eq!(rec["user"]["email"], "dora@example.test");
}

/// Run Chromium to the callback without letting it reach keyward; return
/// the address it was sent to.
fn browse_without_following(env: &TestEnv, url: &str) -> String {
    let file = env.dir.path().join("callback.txt");
    let st = std::process::Command::new("node")
        .arg(peers::require_peers().join("browser.mjs"))
        .arg(url)
        .env("KEYWARD_TEST_CALLBACK_FILE", &file)
        .env("KEYWARD_TEST_NO_FOLLOW", "1")
        .env("KEYWARD_TEST_LOGIN", "nobrow")
        .env(
            "KEYWARD_TEST_BROWSER_LOG",
            env.dir.path().join("browser.log"),
        )
        .status()
        .expect("node browser.mjs");
    assert!(st.success(), "browser.mjs failed:\n{}", browser_log(env));
    std::fs::read_to_string(&file).unwrap().trim().to_string()
}

#[test]
fn no_browser_chosen_prints_the_url_and_takes_the_address_pasted_back() {
    let _ports = peers::callback_ports();
    peers::require_chromium();
    let p = Provider::start(&[]);
    let mut env = file_env();
    env.set_env("KEYWARD_CLIENT_ID", &p.client_id);
    // a browser that must not be opened
    let opened = env.dir.path().join("opened");
    env.set_env("BROWSER", &format!("touch {}", opened.display()));
    let t = terminal(&env, &["auth", "login", "-h", &p.issuer, "--timeout", "90"]);
    menu(&t, METHOD);
    pick(&t, 1);
    let screen = t.wait_settled("Then paste the code");
    assert!(
        screen.contains(&format!("✔ {METHOD} · No browser: paste the code back")),
        "{screen}"
    );
    let url = line_after(&screen, "Open this URL in a browser to log in:");
    assert!(url.starts_with(&format!("{}/auth?", p.issuer)), "{url}");
    assert_eq!(
        param(&url, "redirect_uri").as_deref(),
        Some("http://127.0.0.1:8765/callback")
    );
    let callback = browse_without_following(&env, &url);
    assert!(callback.contains("code="), "{callback}");
    t.paste(&format!("{callback}\n"));
    assert_eq!(exit_code(&t, 30), "0", "{}", t.screen());
    assert!(
        t.screen()
            .contains(&format!("✓ Logged in to {} as Test User nobrow", p.issuer)),
        "{}",
        t.screen()
    );
    assert!(!opened.exists(), "no browser was opened");
    assert_eq!(record(&env, &p.issuer)["kind"], "oauth");
}

#[test]
fn paste_a_token_chosen_reads_it_hidden() {
    let token = "kwd_menu_pasted_token_6f1e9a2b7c4d";
    let srv = Server::profile(vec![(token, jane())]);
    let url = srv.url();
    let mut env = file_env();
    env.set_env("KEYWARD_CLIENT_ID", "menu-cli");
    let t = terminal(&env, &["auth", "login", "-h", &url]);
    // no device flow in this server's metadata (it has none): not offered
    assert_eq!(
        menu(&t, METHOD),
        [
            "Browser",
            "No browser: paste the code back",
            "Paste a token"
        ]
    );
    pick(&t, 2);
    paste_hidden(&t, token);
    assert_eq!(exit_code(&t, 10), "0", "{}", t.screen());
    let screen = t.screen();
    assert!(
        screen.contains(&format!("✔ {METHOD} · Paste a token")),
        "{screen}"
    );
    assert!(
        screen.contains(&format!(
            "✓ Logged in to {url} as Jane Doe (jane@example.test)"
        )),
        "{screen}"
    );
    assert_hidden(&screen, token);
    let rec = record(&env, &url);
    assert_eq!(rec["kind"], "token");
    assert_eq!(rec["access_token"], token);
}

// ---- the API URL question ----

#[test]
fn no_api_url_asks_which_api_and_refuses_a_bad_answer() {
    let token = "kwd_which_api_token_0123456789";
    let srv = Server::profile(vec![(token, jane())]);
    let mut env = file_env();
    env.set_env("KEYWARD_CLIENT_ID", "which-cli");
    let t = terminal(&env, &["auth", "login"]);
    t.wait_text("? Which API do you want to log in to?");
    t.type_text("http://api.example.com");
    t.keys(&["Enter"]);
    let screen = t.wait_text("tokens would cross the network unencrypted");
    assert!(
        screen.contains(
            "✘ refusing plain-http API URL `http://api.example.com`: tokens would cross the network unencrypted"
        ),
        "the reason is shown:\n{screen}"
    );
    // asked again; a bare host (loopback: http) is accepted
    t.keys(&["C-u"]);
    let host = format!("127.0.0.1:{}", srv.port);
    t.type_text(&host);
    t.keys(&["Enter"]);
    menu(&t, METHOD);
    assert!(
        t.screen().contains(&format!(
            "✔ Which API do you want to log in to? (e.g. api.example.com) · {host}"
        )),
        "{}",
        t.screen()
    );
    pick(&t, 2);
    paste_hidden(&t, token);
    assert_eq!(exit_code(&t, 10), "0", "{}", t.screen());
    let url = srv.url();
    let screen = t.screen();
    assert!(
        screen.contains(&format!("✓ Logged in to {url} as Jane Doe")),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("{url} is now the default API URL")),
        "{screen}"
    );
    assert_eq!(record(&env, &url)["access_token"], token);
    assert_eq!(config(&env)["api_url"].as_str(), Some(url.as_str()));
}

#[test]
fn an_unreachable_api_fails_before_any_question() {
    let gone = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", gone.local_addr().unwrap());
    drop(gone);
    let env = file_env();
    let t = terminal(&env, &["auth", "login", "-h", &url]);
    assert_eq!(exit_code(&t, 10), "1", "{}", t.screen());
    let screen = t.screen();
    assert!(screen.contains("error:"), "{screen}");
    assert!(screen.contains("Solution:"), "{screen}");
    assert!(!screen.contains('?'), "nothing was asked:\n{screen}");
    assert!(!env.credentials_file().exists());
}

#[test]
fn a_server_gone_fails_before_any_question_even_with_cached_discovery() {
    let token = "kwd_cached_discovery_0123456789";
    let srv = Server::profile(vec![(token, jane())]);
    let url = srv.url();
    let mut env = file_env();
    env.set_env("KEYWARD_CLIENT_ID", "gone-cli");
    env.run(&["auth", "login", "--token-stdin", "-h", &url], token)
        .ok();
    assert!(env.config_dir().join("discovery.json").exists());
    drop(srv);
    let t = terminal(&env, &["auth", "login", "-h", &url]);
    assert_eq!(exit_code(&t, 10), "1", "{}", t.screen());
    let screen = t.screen();
    assert!(screen.contains("error:"), "{screen}");
    assert!(!screen.contains(METHOD), "nothing was asked:\n{screen}");
    assert_eq!(record(&env, &url)["access_token"], token, "the login stays");
}

// ---- the tenant picker ----

fn two_tenants(token: &str) -> Server {
    Server::profile(vec![(
        token,
        json!({"data": {"id": 9, "name": "Tia", "email": "tia@x.test",
            "tenants": [{"slug": "acme", "name": "Acme"}, {"slug": "beta", "name": "Beta"}]}}),
    )])
}

#[test]
fn the_tenant_picker_stores_the_choice_in_the_login_only() {
    let token = "kwd_tenant_pick_token_0123456789";
    let srv = two_tenants(token);
    let url = srv.url();
    let env = file_env();
    let t = terminal(&env, &["auth", "login", "--token-stdin", "-h", &url]);
    paste_hidden(&t, token);
    let question = format!("Which tenant should {url} use by default?");
    assert_eq!(menu(&t, &question), ["acme (Acme)", "beta (Beta)"]);
    pick(&t, 1);
    assert_eq!(exit_code(&t, 10), "0", "{}", t.screen());
    let screen = t.screen();
    assert!(
        screen.contains(&format!("✔ {question} · beta (Beta)")),
        "{screen}"
    );
    assert!(screen.contains("✓ Logged in"), "{screen}");
    let rec = record(&env, &url);
    assert_eq!(rec["tenant"], "beta", "{rec}");
    assert!(
        !config(&env).contains_key("tenant"),
        "no global tenant key:\n{}",
        config_text(&env)
    );
    // `auth status --verify` checks the login with the chosen tenant
    env.run(&["auth", "status", "--verify"], "")
        .ok()
        .stdout_has("Tenant: beta");
    assert_eq!(
        srv.requests().last().unwrap().header("x-tenant"),
        Some("beta")
    );
}

#[test]
fn no_tenant_picker_when_tenant_is_given() {
    let token = "kwd_tenant_flag_token_0123456789";
    let srv = two_tenants(token);
    let url = srv.url();
    let env = file_env();
    let t = terminal(
        &env,
        &[
            "auth",
            "login",
            "--token-stdin",
            "-h",
            &url,
            "--tenant",
            "acme",
        ],
    );
    paste_hidden(&t, token);
    assert_eq!(exit_code(&t, 10), "0", "{}", t.screen());
    let screen = t.screen();
    assert!(!screen.contains("Which tenant"), "{screen}");
    assert!(screen.contains("✓ Logged in"), "{screen}");
    assert_eq!(record(&env, &url)["tenant"], "acme");
    // without a terminal: no picker, no tenant chosen
    let env = file_env();
    env.run(&["auth", "login", "--token-stdin", "-h", &url], token)
        .ok()
        .not_anywhere("Which tenant");
    assert!(record(&env, &url)["tenant"].is_null());
}

#[test]
fn the_tenant_picker_after_a_device_login() {
    let srv = no_registration_server(json!({"id": 4, "name": "Dev",
        "tenants": [{"slug": "north"}, {"slug": "south"}, {"slug": "west"}]}));
    let url = srv.url();
    let env = file_env();
    let t = terminal(
        &env,
        &[
            "auth",
            "login",
            "--device",
            "-h",
            &url,
            "--client-id",
            "typed-cli",
        ],
    );
    let question = format!("Which tenant should {url} use by default?");
    assert_eq!(menu(&t, &question), ["north", "south", "west"]);
    pick(&t, 2);
    assert_eq!(exit_code(&t, 10), "0", "{}", t.screen());
    let screen = t.screen();
    assert!(screen.contains("CDEF-GHJK"), "{screen}");
    assert!(
        !screen.contains("Waiting for you"),
        "the spinner is gone:\n{screen}"
    );
    assert!(screen.contains(&format!("✔ {question} · west")), "{screen}");
    assert!(
        screen.contains(&format!("✓ Logged in to {url} as Dev")),
        "{screen}"
    );
    let rec = record(&env, &url);
    assert_eq!(rec["tenant"], "west", "{rec}");
    assert_eq!(rec["kind"], "oauth");
    assert!(!config(&env).contains_key("tenant"));
}

// ---- the logout picker ----

#[test]
fn the_logout_picker_removes_only_the_chosen_login() {
    let (one, two) = ("https://one.example.test", "https://two.example.test");
    let env = file_env();
    store_oauth(&env, one, "at-one", "rt-one", 3600, "cli");
    store_oauth(&env, two, "at-two", "rt-two", 3600, "cli");
    // the config default does not name the login to remove
    env.run(&["config", "set", "api_url", one], "").ok();
    env.run(&["auth", "logout"], "")
        .code(2)
        .stderr_has("several logins are stored")
        .stderr_has("-h ");
    assert!(record(&env, one).is_object() && record(&env, two).is_object());

    let t = terminal(&env, &["auth", "logout"]);
    let question = "Which API do you want to log out of?";
    let items = menu(&t, question);
    let mut sorted = items.clone();
    sorted.sort();
    assert_eq!(sorted, [one, two]);
    // the default (highlighted) is the config's API URL
    assert!(t.screen().contains(&format!("❯ {one}")), "{}", t.screen());
    // pick the other one
    let (picked, kept) = (two, one);
    let to = items.iter().position(|i| i == picked).unwrap();
    let from = items.iter().position(|i| i == kept).unwrap();
    let mut keys = if to > from {
        vec!["Down"; to - from]
    } else {
        vec!["Up"; from - to]
    };
    keys.push("Enter");
    t.keys(&keys);
    assert_eq!(exit_code(&t, 10), "0", "{}", t.screen());
    let screen = t.screen();
    assert!(
        screen.contains(&format!("✔ {question} · {picked}")),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("✓ Logged out of {picked}")),
        "{screen}"
    );
    assert!(record(&env, picked).is_null(), "{picked} removed");
    assert_eq!(record(&env, kept)["access_token"], "at-one");
}

// ---- the client-id menu ----

/// A server with metadata (device flow, no registration), whose device
/// login is approved at once for client `typed-cli`, with `profile`.
fn no_registration_server(profile: serde_json::Value) -> Server {
    Server::start(move |r| {
        let base = format!("http://{}", r.header("host").unwrap_or_default());
        match r.path.as_str() {
            "/.well-known/oauth-authorization-server" => Reply::metadata(&base, true),
            "/device/code"
                if r.form().get("client_id").map(String::as_str) == Some("typed-cli") =>
            {
                Reply::json(
                    200,
                    json!({"device_code": "dev-1", "user_code": "CDEF-GHJK",
                    "verification_uri": format!("{base}/device"), "expires_in": 120, "interval": 1}),
                )
            }
            "/token"
                if r.form().get("client_id").map(String::as_str) == Some("typed-cli")
                    && r.form().get("device_code").map(String::as_str) == Some("dev-1") =>
            {
                Reply::json(
                    200,
                    json!({"access_token": "typed_access_0123456789", "refresh_token": "typed_refresh_0123456789", "expires_in": 600}),
                )
            }
            "/api/v1/profile"
                if matches!(
                    r.header("authorization"),
                    Some("Bearer typed_access_0123456789" | "Bearer kwd_pasted_no_client_0123")
                ) =>
            {
                Reply::json(200, profile.clone())
            }
            _ => Reply::json(400, json!({"error": "invalid_request"})),
        }
    })
}

const CLIENT_MENU: [&str; 2] = ["Paste a token", "Enter an OAuth client id"];

/// The question of the client-id menu for `url`.
fn client_question(url: &str) -> String {
    format!("No OAuth client id is known for {url}. What would you like to do?")
}

#[test]
fn the_client_id_menu_takes_a_typed_client_id_and_saves_it_after_the_login() {
    let srv = no_registration_server(json!({"id": 3, "name": "Cid"}));
    let url = srv.url();
    let env = file_env();
    let t = terminal(&env, &["auth", "login", "-h", &url, "--timeout", "30"]);
    assert_eq!(menu(&t, &client_question(&url)), CLIENT_MENU);
    pick(&t, 1);
    t.wait_text("? OAuth client id");
    t.type_text("typed cli");
    t.keys(&["Enter"]);
    t.wait_text("✘ a client id is one word");
    t.keys(&["C-u"]);
    t.type_text("typed-cli");
    t.keys(&["Enter"]);
    // then how to log in with it
    assert_eq!(menu(&t, METHOD), ALL_METHODS);
    assert!(!config_text(&env).contains("typed-cli"), "not saved yet");
    pick(&t, 2);
    assert_eq!(exit_code(&t, 30), "0", "{}", t.screen());
    let screen = t.screen();
    assert!(screen.contains("✔ OAuth client id · typed-cli"), "{screen}");
    assert!(screen.contains("CDEF-GHJK"), "{screen}");
    assert!(
        screen.contains(&format!("✓ Logged in to {url} as Cid")),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("the client id is saved for {url} (config.toml)")),
        "{screen}"
    );
    let cfg = config(&env);
    assert_eq!(
        cfg["hosts"][url.as_str()]["client_id"].as_str(),
        Some("typed-cli"),
        "{cfg}"
    );
    assert!(!cfg.contains_key("client_id"), "{cfg}");
    assert_eq!(record(&env, &url)["client_id"], "typed-cli");
}

#[test]
fn the_client_id_menu_can_take_a_token_instead() {
    let srv = no_registration_server(json!({"id": 3, "name": "Cid"}));
    let url = srv.url();
    let env = file_env();
    let t = terminal(&env, &["auth", "login", "-h", &url]);
    assert_eq!(menu(&t, &client_question(&url)), CLIENT_MENU);
    t.keys(&["Enter"]);
    paste_hidden(&t, "kwd_pasted_no_client_0123");
    assert_eq!(exit_code(&t, 10), "0", "{}", t.screen());
    let screen = t.screen();
    assert!(
        screen.contains(&format!("✔ {} · Paste a token", client_question(&url))),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("✓ Logged in to {url} as Cid")),
        "{screen}"
    );
    assert_eq!(record(&env, &url)["kind"], "token");
    assert!(!config_text(&env).contains("client_id"));
    // without a terminal: the usage error names --client-id
    let env = file_env();
    env.run(&["auth", "login", "-h", &url], "")
        .code(2)
        .stderr_has("no OAuth client id is known")
        .stderr_has("--client-id");
}

// ---- dynamic client registration ----

/// How many registration requests the provider saw.
fn registrations(p: &Provider) -> usize {
    std::fs::read_to_string(&p.request_log)
        .unwrap_or_default()
        .lines()
        .filter(|l| *l == "POST /reg")
        .count()
}

fn registered_id(screen: &str, issuer: &str) -> String {
    let start = format!("✓ Registered keyward as an OAuth client of {issuer} (client id ");
    let at = screen
        .find(&start)
        .unwrap_or_else(|| panic!("no registration line:\n{screen}"))
        + start.len();
    screen[at..].split(')').next().unwrap().to_string()
}

#[test]
fn registration_in_a_terminal_then_reused() {
    let _ports = peers::callback_ports();
    let p = Provider::start(&[("REGISTRATION", "1"), ("REQUEST_LOG_ALL", "1")]);
    let env = chromium_env("reggie");
    let t = terminal(&env, &["auth", "login", "-h", &p.issuer, "--timeout", "60"]);
    // the question first (nothing registered yet), every method offered
    assert_eq!(menu(&t, METHOD), ALL_METHODS);
    assert_eq!(
        registrations(&p),
        0,
        "registered before an OAuth login was chosen"
    );
    t.keys(&["Enter"]);
    let id = registered_id(&t.wait_text("); saved in config.toml"), &p.issuer);
    assert!(
        t.screen().contains("); saved in config.toml"),
        "{}",
        t.screen()
    );
    assert_eq!(
        exit_code(&t, 60),
        "0",
        "{}\n{}",
        t.screen(),
        browser_log(&env)
    );
    assert!(
        t.screen()
            .contains(&format!("✓ Logged in to {} as Test User reggie", p.issuer)),
        "{}",
        t.screen()
    );
    assert_eq!(registrations(&p), 1);
    let cfg = config(&env);
    assert_eq!(
        cfg["hosts"][p.issuer.as_str()]["client_id"].as_str(),
        Some(id.as_str()),
        "{cfg}"
    );
    assert_eq!(record(&env, &p.issuer)["client_id"], id.as_str());

    // the next login uses the saved client id: no second registration
    let out = env.run(&["auth", "login", "-h", &p.issuer, "--timeout", "60"], "");
    out.ok().stderr_has("✓ Logged in");
    assert!(!out.stderr.contains("Registered"), "{out:#?}");
    assert_eq!(registrations(&p), 1);
    assert_eq!(record(&env, &p.issuer)["client_id"], id.as_str());
}

#[test]
fn pasting_a_token_registers_no_client() {
    let p = Provider::start(&[("REGISTRATION", "1"), ("REQUEST_LOG_ALL", "1")]);
    let env = file_env();
    let t = terminal(&env, &["auth", "login", "-h", &p.issuer]);
    assert_eq!(menu(&t, METHOD), ALL_METHODS);
    pick(&t, 3);
    paste_hidden(&t, &p.pat);
    assert_eq!(exit_code(&t, 20), "0", "{}", t.screen());
    assert!(t.screen().contains("✓ Logged in"), "{}", t.screen());
    assert!(!t.screen().contains("Registered"), "{}", t.screen());
    assert_eq!(registrations(&p), 0);
    assert!(!config_text(&env).contains("client_id"));
}

#[test]
fn registration_without_a_terminal() {
    let _ports = peers::callback_ports();
    let p = Provider::start(&[("REGISTRATION", "1"), ("REQUEST_LOG_ALL", "1")]);
    let env = chromium_env("robo");
    let out = env.run(&["auth", "login", "-h", &p.issuer, "--timeout", "60"], "");
    out.ok();
    let id = registered_id(&out.stderr, &p.issuer);
    out.stderr_has("saved in config.toml")
        .stderr_has("✓ Logged in")
        .stderr_has("Test User robo")
        .not_anywhere(METHOD);
    assert_eq!(registrations(&p), 1);
    assert_eq!(
        config(&env)["hosts"][p.issuer.as_str()]["client_id"].as_str(),
        Some(id.as_str())
    );
    assert_eq!(record(&env, &p.issuer)["client_id"], id.as_str());
}

// ---- the re-login offer ----

/// An API whose token endpoint refuses every refresh token and whose
/// profile accepts `new_token`.
fn refusing_server(new_token: &'static str) -> Server {
    Server::start(move |r| match r.path.as_str() {
        "/oauth/token" => Reply::json(
            400,
            json!({"error": "invalid_grant", "error_description": "grant request is invalid"}),
        ),
        "/api/v1/profile" if r.header("authorization") == Some(&format!("Bearer {new_token}")) => {
            Reply::json(
                200,
                json!({"id": 1, "name": "Nora Net", "email": "nora@net.test"}),
            )
        }
        _ => Reply::json(404, json!({})),
    })
}

/// An OAuth login to `url`, the default API URL, with a token that expired
/// and a refresh token.
fn store_dead(env: &TestEnv, url: &str) {
    store_oauth(
        env,
        url,
        "old_access_0123",
        "dead_refresh_0123",
        -600,
        "relog-cli",
    );
    env.run(&["config", "set", "api_url", url], "").ok();
}

/// [`store_dead`] without the refresh token.
fn store_expired(env: &TestEnv, url: &str) {
    store_dead(env, url);
    let mut creds = env.read_credentials().unwrap();
    creds[url].as_object_mut().unwrap().remove("refresh_token");
    env.write_credentials(&creds);
}

/// `keyward ARGS` in a terminal with stdout into a file; returns the
/// terminal and the file.
fn term_stdout(env: &TestEnv, args: &[&str]) -> (Tmux, std::path::PathBuf) {
    let out = env.dir.path().join(format!("stdout-{}", args.join("-")));
    let (vars, line) = tmux::keyward(env, args);
    let t = Tmux::start(
        &vars,
        &format!(
            "trap ':' INT; {line} > {}; echo EXIT=$?; sleep 300",
            tmux::sh_quote(&out.to_string_lossy())
        ),
    );
    (t, out)
}

const AGAIN: &str = "Log in again now?";

#[test]
fn an_expired_token_offers_a_new_login() {
    const NEW: &str = "kwd_relogin_new_token_0123456789";
    let srv = refusing_server(NEW);
    let url = srv.url();
    // no client id configured: the expired login's is used again
    let env = file_env();
    store_expired(&env, &url);
    let before = credentials_text(&env);

    // Enter: No, the default; nothing changes
    let (t, stdout) = term_stdout(&env, &["auth", "token"]);
    let screen = t.wait_text(AGAIN);
    assert!(
        screen.contains(&format!("error: the stored token for {url} expired")),
        "{screen}"
    );
    assert!(
        screen.contains(&format!(
            "Solution: run `keyward auth login -h {url}` again"
        )),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("? {AGAIN} (y/n) › no")),
        "{screen}"
    );
    t.keys(&["Enter"]);
    assert_eq!(exit_code(&t, 10), "4", "{}", t.screen());
    assert_eq!(std::fs::read_to_string(&stdout).unwrap(), "");
    assert_eq!(credentials_text(&env), before, "nothing changed");

    // y: the login runs (its menu), then the new token is printed
    let (t, stdout) = term_stdout(&env, &["auth", "token"]);
    t.wait_text(AGAIN);
    t.type_text("y");
    assert_eq!(
        menu(&t, METHOD),
        [
            "Browser",
            "No browser: paste the code back",
            "Paste a token"
        ]
    );
    pick(&t, 2);
    paste_hidden(&t, NEW);
    assert_eq!(exit_code(&t, 10), "0", "{}", t.screen());
    let screen = t.screen();
    assert!(screen.contains(&format!("✔ {AGAIN} · yes")), "{screen}");
    assert!(
        screen.contains(&format!("✓ Logged in to {url} as Nora Net")),
        "{screen}"
    );
    assert_hidden(&screen, NEW);
    assert_eq!(
        std::fs::read_to_string(&stdout).unwrap(),
        format!("{NEW}\n")
    );
    assert_eq!(record(&env, &url)["access_token"], NEW);
}

#[test]
fn a_refused_refresh_offers_a_new_login() {
    const NEW: &str = "kwd_relogin_after_refusal_0123";
    let srv = refusing_server(NEW);
    let url = srv.url();
    let mut env = file_env();
    env.set_env("KEYWARD_CLIENT_ID", "relog-cli");
    store_dead(&env, &url);

    // auth refresh, Enter: No
    let t = terminal(&env, &["auth", "refresh"]);
    let screen = t.wait_text(AGAIN);
    assert!(
        screen.contains("error: the server refused to refresh the token (invalid_grant"),
        "{screen}"
    );
    assert!(
        screen.contains("Solution: your refresh token has expired or been revoked."),
        "{screen}"
    );
    t.keys(&["Enter"]);
    assert_eq!(exit_code(&t, 10), "4", "{}", t.screen());
    let rec = record(&env, &url);
    assert_eq!(rec["access_token"], "old_access_0123", "nothing changed");
    assert_eq!(rec["refresh_token"], "dead_refresh_0123", "nothing changed");

    // auth token, y
    let (t, stdout) = term_stdout(&env, &["auth", "token"]);
    t.wait_text(AGAIN);
    t.type_text("y");
    menu(&t, METHOD);
    pick(&t, 2);
    paste_hidden(&t, NEW);
    assert_eq!(exit_code(&t, 10), "0", "{}", t.screen());
    assert_eq!(
        std::fs::read_to_string(&stdout).unwrap(),
        format!("{NEW}\n")
    );
    let rec = record(&env, &url);
    assert_eq!(rec["access_token"], NEW);
    assert_eq!(rec["kind"], "token");
}

#[test]
fn no_relogin_offer_without_a_person_to_answer() {
    let srv = refusing_server("kwd_never_used_0123456789");
    let url = srv.url();
    let mut env = file_env();
    env.set_env("KEYWARD_CLIENT_ID", "relog-cli");
    store_expired(&env, &url);
    let before = credentials_text(&env);
    env.run(&["auth", "token"], "")
        .code(4)
        .stderr_has("expired")
        .stderr_has("Solution:")
        .not_anywhere(AGAIN);
    for (k, v) in [("CI", "1"), ("KEYWARD_PROMPT_DISABLED", "1")] {
        let mut env = file_env();
        env.set_env("KEYWARD_CLIENT_ID", "relog-cli");
        env.set_env(k, v);
        store_expired(&env, &url);
        let t = terminal(&env, &["auth", "token"]);
        assert_eq!(exit_code(&t, 10), "4", "{k}: {}", t.screen());
        let screen = t.screen();
        assert!(screen.contains("Solution:"), "{k}: {screen}");
        assert!(!screen.contains(AGAIN), "{k}: {screen}");
    }
    assert_eq!(credentials_text(&env), before);
}

// ---- no prompt at all ----

#[test]
fn no_question_with_ci_or_prompts_disabled_or_without_a_terminal() {
    let _ports = peers::callback_ports();
    let p = Provider::start(&[]);
    let nobody: [(&str, Option<(&str, &str)>); 3] = [
        ("CI", Some(("CI", "1"))),
        ("PROMPT_DISABLED", Some(("KEYWARD_PROMPT_DISABLED", "1"))),
        ("no terminal", None),
    ];
    for (what, var) in nobody {
        let mut env = chromium_env("quiet");
        env.set_env("KEYWARD_CLIENT_ID", &p.client_id);
        if let Some((k, v)) = var {
            env.set_env(k, v);
        }
        // no API URL: a usage error naming -h
        let login = ["auth", "login", "-h", &p.issuer, "--timeout", "60"];
        let (no_url, logged_in) = if var.is_some() {
            let t = terminal(&env, &["auth", "login"]);
            assert_eq!(exit_code(&t, 10), "2", "{what}: {}", t.screen());
            let no_url = t.screen();
            let t = terminal(&env, &login);
            assert_eq!(
                exit_code(&t, 60),
                "0",
                "{what}: {}\n{}",
                t.screen(),
                browser_log(&env)
            );
            (no_url, t.screen())
        } else {
            let no_url = env.run(&["auth", "login"], "");
            no_url.code(2);
            let out = env.run(&login, "");
            out.ok();
            (no_url.stderr.clone(), out.stderr.clone())
        };
        assert!(
            no_url.contains("error: no API URL given"),
            "{what}: {no_url}"
        );
        assert!(no_url.contains("pass `-h "), "{what}: {no_url}");
        assert!(!no_url.contains("Which API"), "{what}: {no_url}");
        // with an API URL and a client id: the browser, without asking how
        assert!(!logged_in.contains(METHOD), "{what}: {logged_in}");
        assert!(
            logged_in.contains("Opening your browser to log in."),
            "{what}: {logged_in}"
        );
        assert!(
            logged_in.contains(&format!("✓ Logged in to {} as Test User quiet", p.issuer)),
            "{what}: {logged_in}"
        );
        assert_eq!(record(&env, &p.issuer)["kind"], "oauth", "{what}");
    }
}

// ---- the same account again ----

#[test]
fn the_same_account_again_says_so() {
    let (first, second) = ("kwd_first_token_0123456789", "kwd_second_token_0123456789");
    let other = "kwd_other_account_0123456789";
    let srv = Server::profile(vec![
        (first, jane()),
        (second, jane()),
        (
            other,
            json!({"data": {"id": 8, "name": "Olga", "email": "olga@example.test"}}),
        ),
    ]);
    let url = srv.url();
    let env = file_env();
    env.run(&["auth", "login", "--token-stdin", "-h", &url], first)
        .ok()
        .not_anywhere("already");
    let t = terminal(&env, &["auth", "login", "--token-stdin", "-h", &url]);
    paste_hidden(&t, second);
    assert_eq!(exit_code(&t, 10), "0", "{}", t.screen());
    let screen = t.screen();
    assert!(
        screen.contains(&format!(
            "! You were already logged in to {url} as Jane Doe (jane@example.test)"
        )),
        "{screen}"
    );
    assert!(screen.contains("✓ Logged in"), "{screen}");
    assert_eq!(record(&env, &url)["access_token"], second);
    // another account: no such line
    env.run(&["auth", "login", "--token-stdin", "-h", &url], other)
        .ok()
        .not_anywhere("already");
}

// ---- Ctrl-C ----

#[test]
fn ctrl_c_at_the_method_menu_cancels_and_restores_the_terminal() {
    let srv = Server::profile(vec![]);
    let mut env = file_env();
    env.set_env("KEYWARD_CLIENT_ID", "ctrl-cli");
    let t = term(
        &env,
        &["auth", "login", "-h", &srv.url()],
        "echo STTY-BEGIN; stty -a; echo STTY-END; printf 'TYPE:'; read -r line; echo GOT=$line; sleep 300",
    );
    menu(&t, METHOD);
    assert_eq!(
        t.display("#{cursor_flag}"),
        "0",
        "the menu hides the cursor"
    );
    t.keys(&["C-c"]);
    assert_eq!(exit_code(&t, 10), "130", "{}", t.screen());
    let screen = t.wait_text("STTY-END");
    assert_eq!(screen.matches("Login cancelled").count(), 1, "{screen}");
    assert!(!screen.contains("error:"), "{screen}");
    assert!(!env.credentials_file().exists(), "nothing stored");
    assert!(!env.config_file().exists(), "nothing written");
    assert_eq!(t.display("#{cursor_flag}"), "1", "the cursor is shown");
    let stty = &screen[screen.find("STTY-BEGIN").unwrap()..screen.find("STTY-END").unwrap()];
    let flags: Vec<&str> = stty.split_whitespace().collect();
    for flag in ["echo", "icanon", "isig"] {
        assert!(flags.contains(&flag), "`{flag}` is off:\n{stty}");
    }
    t.wait_text("TYPE:");
    t.type_text("echoed");
    t.wait_text("TYPE:echoed");
    t.keys(&["Enter"]);
    t.wait_text("GOT=echoed");
}

/// The line on screen that contains `text`.
#[track_caller]
fn line_with(screen: &str, text: &str) -> String {
    screen
        .lines()
        .find(|l| l.contains(text))
        .unwrap_or_else(|| panic!("no {text:?} on screen:\n{screen}"))
        .to_string()
}

#[test]
fn ctrl_c_at_the_api_url_question_ends_the_line_first() {
    let env = file_env();
    let t = terminal(&env, &["auth", "login"]);
    t.wait_text("? Which API do you want to log in to?");
    t.type_text("half.example");
    t.keys(&["C-c"]);
    assert_eq!(exit_code(&t, 10), "130", "{}", t.screen());
    let screen = t.screen();
    assert_eq!(line_with(&screen, "Login cancelled"), "Login cancelled");
    assert_eq!(t.display("#{cursor_flag}"), "1", "the cursor is shown");
    assert!(!env.config_file().exists(), "nothing written");
}

#[test]
fn ctrl_c_at_the_tenant_picker_stores_nothing() {
    let token = "kwd_tenant_ctrl_c_token_0123456789";
    let srv = two_tenants(token);
    let env = file_env();
    let t = terminal(&env, &["auth", "login", "--token-stdin", "-h", &srv.url()]);
    paste_hidden(&t, token);
    menu(&t, "Which tenant should");
    t.keys(&["C-c"]);
    assert_eq!(exit_code(&t, 10), "130", "{}", t.screen());
    let screen = t.screen();
    assert_eq!(screen.matches("Login cancelled").count(), 1, "{screen}");
    assert!(!screen.contains("✓"), "{screen}");
    assert_eq!(t.display("#{cursor_flag}"), "1", "the cursor is shown");
    assert!(!env.credentials_file().exists(), "nothing stored");
    assert!(!env.config_file().exists(), "nothing written");
}

#[test]
fn ctrl_c_at_the_logout_picker_logs_nobody_out() {
    let env = file_env();
    store_oauth(&env, "https://one.example.test", "at-1", "rt-1", 3600, "c");
    store_oauth(&env, "https://two.example.test", "at-2", "rt-2", 3600, "c");
    let before = credentials_text(&env);
    let t = terminal(&env, &["auth", "logout"]);
    menu(&t, "Which API do you want to log out of?");
    t.keys(&["C-c"]);
    assert_eq!(exit_code(&t, 10), "130", "{}", t.screen());
    let screen = t.screen();
    assert_eq!(
        line_with(&screen, "cancelled"),
        "Logout cancelled",
        "{screen}"
    );
    assert!(!screen.contains("Login"), "{screen}");
    assert_eq!(t.display("#{cursor_flag}"), "1", "the cursor is shown");
    assert_eq!(credentials_text(&env), before);
}

#[test]
fn ctrl_c_at_the_relogin_offer_keeps_the_error_and_the_cursor() {
    let srv = refusing_server("kwd_never_used_0123456789");
    let env = file_env();
    store_expired(&env, &srv.url());
    let before = credentials_text(&env);
    let t = terminal(&env, &["auth", "token"]);
    t.wait_text(AGAIN);
    t.keys(&["C-c"]);
    assert_eq!(exit_code(&t, 10), "4", "{}", t.screen());
    let screen = t.screen();
    assert_eq!(
        line_with(&screen, "EXIT="),
        "EXIT=4",
        "on its own line:\n{screen}"
    );
    assert_eq!(t.display("#{cursor_flag}"), "1", "the cursor is shown");
    assert_eq!(credentials_text(&env), before);
}

#[test]
fn switch_with_three_accounts_asks_which_at_a_terminal() {
    let url = "https://api.example.test";
    let env = file_env();
    let mut map = serde_json::Map::new();
    for (i, who) in ["ann", "bea", "cid"].iter().enumerate() {
        map.insert(
            format!("{url}#u-{who}"),
            json!({"version": 2, "api_url": url, "kind": "token", "access_token": format!("tok-{who}"),
                "token_type": "Bearer", "created_at": unix_now() + i as i64,
                "user": {"id": format!("u-{who}"), "name": who, "email": format!("{who}@x.test")}}),
        );
    }
    env.write_credentials(&serde_json::Value::Object(map));
    env.run(&["config", "set", "api_url", url], "").ok();
    // without a terminal: a usage error listing them
    env.run(&["auth", "switch"], "")
        .code(2)
        .stderr_has("3 accounts are stored")
        .stderr_has("bea@x.test");
    let t = terminal(&env, &["auth", "switch"]);
    let question = format!("Which account of {url} do you want to use?");
    let items = menu(&t, &question);
    assert_eq!(
        items,
        [
            "ann (ann@x.test)",
            "bea (bea@x.test)",
            "cid (cid@x.test) (active)"
        ]
    );
    // the active (newest) one is highlighted; pick the first
    assert!(
        t.screen().contains("❯ cid (cid@x.test) (active)"),
        "{}",
        t.screen()
    );
    t.keys(&["Up", "Up", "Enter"]);
    assert_eq!(exit_code(&t, 10), "0", "{}", t.screen());
    assert!(
        t.screen().contains(&format!(
            "✓ Switched the active account of {url} from cid (cid@x.test) to ann (ann@x.test)"
        )),
        "{}",
        t.screen()
    );
    assert_eq!(env.run(&["auth", "token"], "").ok().stdout, "tok-ann\n");
}

// ---- after the browser's callback ----

#[test]
fn keys_typed_after_the_callback_all_reach_the_next_question() {
    use crate::suite::try_it;
    let _ports = peers::callback_ports();
    let env = file_env();
    let port = try_it::free_port();
    let _served = try_it::serve(&env, port);
    let h = format!("127.0.0.1:{port}");
    // No browser to open: keyward prints the address and reads a pasted
    // code while it waits for the callback.
    let t = terminal(
        &env,
        &["auth", "login", "-h", &h, "--web", "--timeout", "60"],
    );
    let screen = t.wait_text("Then paste the code");
    let url = line_after(&screen, "Open this URL in a browser to log in:");
    // The browser's side arrives on the callback, not on the terminal.
    let approved = std::process::Command::new(try_it::exe())
        .args(["--approve", &url])
        .output()
        .unwrap();
    assert!(
        approved.status.success(),
        "{}",
        String::from_utf8_lossy(&approved.stderr)
    );
    let question = format!("Which tenant should http://{h} use by default?");
    assert_eq!(
        menu(&t, &question),
        ["acme (Acme Inc)", "globex (Globex Corp)"]
    );
    // Every key is the menu's: none goes to the paste reader left behind.
    pick(&t, 1);
    assert_eq!(exit_code(&t, 20), "0", "{}", t.screen());
    assert_eq!(record(&env, &format!("http://{h}"))["tenant"], "globex");
}
