//! Token lifecycle: refresh on use, exactly once across processes,
//! `auth refresh`, `status --check`, revocation, and the 401 retry of the
//! library (through examples/acme).

use crate::common::server::{Reply, Server};
use crate::common::*;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Write an OAuth record straight into the file store.
pub(crate) fn store(
    env: &TestEnv,
    url: &str,
    access: &str,
    refresh: Option<&str>,
    expires_in: Option<i64>,
) {
    let mut rec = json!({
        "version": 2, "api_url": url, "kind": "oauth", "access_token": access,
        "token_type": "Bearer", "user": {"name": "Rita", "email": "rita@x.test"},
        "client_id": "life-cli", "created_at": now(),
    });
    if let Some(r) = refresh {
        rec["refresh_token"] = json!(r);
    }
    if let Some(e) = expires_in {
        rec["expires_at"] = json!(now() + e);
    }
    std::fs::create_dir_all(env.config_dir()).unwrap();
    let mut map = env.read_credentials_raw().unwrap_or(json!({}));
    map[format!("{url}#rita@x.test")] = rec;
    std::fs::write(env.credentials_file(), map.to_string()).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        env.credentials_file(),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
}

/// A token endpoint that rotates refresh tokens: `rt-N` -> access `at-N+1`, refresh `rt-N+1`.
/// Old refresh tokens are refused with invalid_grant. Counts refresh requests.
pub(crate) struct Issuer {
    pub(crate) srv: Server,
    pub(crate) refreshes: Arc<AtomicUsize>,
}

pub(crate) fn issuer(delay: Duration) -> Issuer {
    let refreshes = Arc::new(AtomicUsize::new(0));
    let current = Arc::new(Mutex::new(1usize));
    let (r2, c2) = (refreshes.clone(), current.clone());
    let srv = Server::start(move |r| match r.path.as_str() {
        "/oauth/token" => {
            let f = r.form();
            if f.get("grant_type").map(String::as_str) != Some("refresh_token")
                || f.get("client_id").map(String::as_str) != Some("life-cli")
            {
                return Reply::json(400, json!({"error": "invalid_request"}));
            }
            r2.fetch_add(1, Ordering::SeqCst);
            let mut cur = c2.lock().unwrap();
            if f.get("refresh_token") != Some(&format!("rt-{}", *cur)) {
                return Reply::json(
                    400,
                    json!({"error": "invalid_grant", "error_description": "grant request is invalid"}),
                );
            }
            *cur += 1;
            let mut reply = Reply::json(
                200,
                json!({"access_token": format!("at-{}", *cur), "token_type": "Bearer", "expires_in": 3600, "refresh_token": format!("rt-{}", *cur)}),
            );
            reply.delay = delay;
            reply
        }
        "/oauth/revoke" => Reply::json(200, json!({})),
        "/api/v1/projects" => {
            if r.header("authorization")
                .is_some_and(|a| a.starts_with("Bearer at-") && a != "Bearer at-1")
            {
                Reply::json(200, json!({"projects": ["apollo"]}))
            } else {
                Reply::json(401, json!({"message": "Unauthenticated."}))
            }
        }
        _ => Reply::json(404, json!({})),
    });
    Issuer { srv, refreshes }
}

#[test]
fn refresh_on_use_then_fast_path() {
    let is = issuer(Duration::ZERO);
    let env = TestEnv::new();
    let url = is.srv.url();
    store(&env, &url, "at-1", Some("rt-1"), Some(-240));
    env.run(&["auth", "status", "--api-url", &url], "")
        .ok()
        .stdout_has("expired 4m ago (will refresh on next use)");
    let t = env.run(&["auth", "token", "--api-url", &url], "");
    t.ok();
    assert_eq!(t.stdout, "at-2\n");
    assert_eq!(is.refreshes.load(Ordering::SeqCst), 1);
    let rec = &env.read_credentials().unwrap()[&url];
    assert_eq!(rec["refresh_token"], "rt-2");
    assert!(rec["expires_at"].as_i64().unwrap() > now() + 3000);
    // valid now: no request at all
    assert_eq!(
        env.run(&["auth", "token", "--api-url", &url], "")
            .ok()
            .stdout,
        "at-2\n"
    );
    assert_eq!(is.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(
        is.srv.requests().len(),
        1 + 2,
        "one refresh plus the two discovery probes, nothing else"
    );
}

#[test]
fn twenty_four_racing_processes_refresh_exactly_once() {
    let is = issuer(Duration::from_millis(300));
    let env = TestEnv::new();
    let url = is.srv.url();
    store(&env, &url, "at-1", Some("rt-1"), Some(10)); // expires within 60 s
    let children: Vec<_> = (0..24)
        .map(|_| {
            let mut c = env.std_cmd(&["auth", "token", "--api-url", &url]);
            c.stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            c.spawn().unwrap()
        })
        .collect();
    let outs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for o in &outs {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(String::from_utf8_lossy(&o.stdout), "at-2\n");
    }
    assert_eq!(
        is.refreshes.load(Ordering::SeqCst),
        1,
        "exactly one refresh request"
    );
}

#[test]
fn refused_refresh_exits_4_and_keeps_the_credential() {
    let is = issuer(Duration::ZERO);
    let env = TestEnv::new();
    let url = is.srv.url();
    store(&env, &url, "at-0", Some("rt-revoked"), Some(-60));
    let mut before = env.read_credentials().unwrap();
    env.run(&["auth", "token", "--api-url", &url], "")
        .code(4)
        .stderr_has("invalid_grant")
        .stderr_has(&format!("Solution: your refresh token has expired or been revoked. Run `keyward auth login -h {url}` again."))
        .not_anywhere("rt-revoked");
    // the tokens are kept as they were; the record only gains the refusal mark
    let mut after = env.read_credentials().unwrap();
    let mark = after[&url]
        .as_object_mut()
        .unwrap()
        .remove("refresh_failed");
    assert!(mark.is_some_and(|m| m["error"].as_str().unwrap().starts_with("invalid_grant")));
    assert_eq!(after, before.take());
    env.run(&["auth", "refresh", "--api-url", &url], "").code(4);
}

#[test]
fn refused_refresh_uses_tokens_another_process_stored() {
    let env = Arc::new(TestEnv::new());
    let file = env.credentials_file();
    let srv = Server::start(move |r| {
        if r.path == "/oauth/token" {
            // Another machine's login lands while our refresh is refused.
            let mut map: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            let url = map.as_object().unwrap().keys().next().unwrap().clone();
            map[&url]["access_token"] = json!("at-from-elsewhere");
            map[&url]["refresh_token"] = json!("rt-from-elsewhere");
            map[&url]["expires_at"] = json!(now() + 3600);
            std::fs::write(&file, map.to_string()).unwrap();
            return Reply::json(400, json!({"error": "invalid_grant"}));
        }
        Reply::json(404, json!({}))
    });
    let url = srv.url();
    store(&env, &url, "at-old", Some("rt-old"), Some(-60));
    assert_eq!(
        env.run(&["auth", "token", "--api-url", &url], "")
            .ok()
            .stdout,
        "at-from-elsewhere\n"
    );
}

#[test]
fn auth_refresh_command() {
    let is = issuer(Duration::ZERO);
    let env = TestEnv::new();
    let url = is.srv.url();
    store(&env, &url, "at-1", Some("rt-1"), Some(3000));
    env.run(&["auth", "refresh", "--api-url", &url], "")
        .ok()
        .stderr_has("Refreshing access token…")
        .stderr_has("Token refreshed for Rita (rita@x.test) (expires in 60m)");
    assert_eq!(is.refreshes.load(Ordering::SeqCst), 1);
    // a token login has nothing to refresh
    let tok = TestEnv::new();
    let prof = Server::profile(vec![("kwd_plain_0123456789", json!({"name": "P"}))]);
    tok.run(
        &["auth", "login", "--token-stdin", "--api-url", &prof.url()],
        "kwd_plain_0123456789",
    )
    .ok();
    tok.run(&["auth", "refresh"], "")
        .code(4)
        .stderr_has("this credential has no refresh token");
}

#[test]
fn refresh_network_failure_exits_1() {
    let env = TestEnv::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    store(&env, &url, "at-1", Some("rt-1"), Some(-60));
    env.run(&["auth", "token", "--api-url", &url], "")
        .code(1)
        .stderr_has("Caused by: connection refused");
    assert_eq!(
        env.read_credentials().unwrap()[&url]["refresh_token"],
        "rt-1"
    );
}

#[test]
fn kill_9_during_a_refresh_leaves_a_readable_store() {
    let is = issuer(Duration::from_secs(5));
    let env = TestEnv::new();
    let url = is.srv.url();
    store(&env, &url, "at-1", Some("rt-1"), Some(-60));
    let mut child = env
        .std_cmd(&["auth", "token", "--api-url", &url])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while is.refreshes.load(Ordering::SeqCst) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "no refresh request arrived"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL, in the middle of the refresh
    child.wait().unwrap();
    // the store is whole: the old credential, readable
    let rec = &env
        .read_credentials()
        .expect("credentials.json is valid JSON")[&url];
    assert_eq!(rec["access_token"], "at-1");
    env.run(&["auth", "status", "--api-url", &url], "").ok();
    // and the lock died with the process: the next refresh goes through (the
    // server rotated rt-1 already, so it is refused and the record is kept)
    let start = std::time::Instant::now();
    env.run(&["auth", "token", "--api-url", &url], "").code(4);
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "the killed process's lock was released"
    );
    assert_eq!(
        env.read_credentials().unwrap()[&url]["access_token"],
        "at-1"
    );
}

#[test]
fn status_check_exit_codes() {
    let env = TestEnv::new();
    let url = "https://check.example.test";
    let check = |within: &str| {
        env.run(
            &[
                "auth",
                "status",
                "--check",
                "--within",
                within,
                "--api-url",
                url,
            ],
            "",
        )
        .code
    };
    assert_eq!(check("24h"), 1, "nothing stored");
    store(&env, url, "a", None, None);
    assert_eq!(check("24h"), 0, "no expiry");
    store(&env, url, "a", None, Some(3600));
    assert_eq!(check("24h"), 2, "expiring within 24h, no refresh token");
    assert_eq!(check("30m"), 0, "not within 30m");
    store(&env, url, "a", Some("r"), Some(3600));
    assert_eq!(check("24h"), 0, "refreshable");
    store(&env, url, "a", Some("r"), Some(-60));
    assert_eq!(check("24h"), 0, "expired but refreshable");
    store(&env, url, "a", None, Some(-60));
    assert_eq!(check("24h"), 1, "expired, no refresh token");
    let o = env.run(&["auth", "status", "--check", "--api-url", url], "");
    assert!(
        o.stdout.contains("expired") && !o.stdout.contains("\"a\""),
        "{o:?}"
    );
}

#[test]
fn whoami_warns_when_the_token_is_about_to_expire() {
    let env = TestEnv::new();
    let url = "https://who.example.test";
    store(&env, url, "a", None, Some(20));
    env.run(&["whoami", "--api-url", url], "")
        .ok()
        .stderr_has("expires in");
    store(&env, url, "a", None, Some(3600));
    let o = env.run(&["whoami", "--api-url", url], "");
    assert!(!o.ok().stderr.contains("expires"), "{o:?}");
}

#[test]
fn logout_revoke_calls_the_revocation_endpoint() {
    let is = issuer(Duration::ZERO);
    let env = TestEnv::new();
    let url = is.srv.url();
    env.run(
        &[
            "config",
            "set",
            "revocation_url",
            &format!("{url}/oauth/revoke"),
            "--host",
            &url,
        ],
        "",
    )
    .ok();
    store(&env, &url, "at-1", Some("rt-1"), Some(3600));
    env.run(&["auth", "logout", "--revoke", "--api-url", &url], "")
        .ok()
        .stderr_has("Revoked the refresh token and access token");
    let revokes: Vec<_> = is
        .srv
        .requests()
        .into_iter()
        .filter(|r| r.path == "/oauth/revoke")
        .collect();
    assert_eq!(revokes.len(), 2);
    assert_eq!(revokes[0].form()["token_type_hint"], "refresh_token");
    assert_eq!(revokes[0].form()["token"], "rt-1");
    store(&env, &url, "at-1", Some("rt-1"), Some(3600));
    env.run(&["auth", "logout", "--api-url", &url], "")
        .ok()
        .stderr_has("This logout is local");
}

/// An example binary (built by `cargo test`).
pub(crate) fn example(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let p = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name);
    assert!(
        p.exists(),
        "examples/{name} is not built: run `cargo test` (which builds examples)"
    );
    p
}

fn acme() -> std::path::PathBuf {
    example("acme")
}

#[test]
fn library_refreshes_once_and_retries_once_on_401() {
    let is = issuer(Duration::ZERO);
    let env = TestEnv::new();
    let url = is.srv.url();
    // at-1 is "valid" by its expiry but the server refuses it
    store(&env, &url, "at-1", Some("rt-1"), Some(3600));
    let run = |args: &[&str]| {
        let o = std::process::Command::new(acme())
            .args(args)
            .env_clear()
            .env("ACME_CONFIG_DIR", env.config_dir())
            .env("ACME_CREDENTIAL_STORE", "file")
            .output()
            .unwrap();
        (
            o.status.code().unwrap(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (code, out, err) = run(&["projects", "--api-url", &url]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("apollo"), "{out}");
    assert_eq!(is.refreshes.load(Ordering::SeqCst), 1);
    // keyward's auth commands, mounted in acme, use acme's name in hints
    let (code, _, err) = run(&["auth", "token", "--api-url", "https://nobody.example.test"]);
    assert_eq!(code, 4);
    assert!(err.contains("acme auth login"), "{err}");
    // a server that keeps refusing: one refresh, one retry, then exit 4
    let deny = Server::start(|r| {
        if r.path == "/oauth/token" {
            Reply::json(
                200,
                json!({"access_token": "still-bad", "expires_in": 3600}),
            )
        } else {
            Reply::json(401, json!({}))
        }
    });
    let mut map = env.read_credentials().unwrap();
    let mut rec = map[&url].clone();
    rec["api_url"] = json!(deny.url());
    map[deny.url()] = rec;
    env.write_credentials(&map);
    let (code, _, err) = run(&["projects", "--api-url", &deny.url()]);
    assert_eq!(code, 4, "{err}");
    assert_eq!(deny.count("/api/v1/projects"), 2);
    assert_eq!(deny.count("/oauth/token"), 1);
}

/// Against the real OpenID provider, whose refresh tokens rotate and whose
/// reuse of an old refresh token revokes the whole grant: 24 racing
/// processes, one refresh; then a stale refresh token exits 4 and leaves the
/// stored credential as it was.
#[test]
fn real_provider_short_lived_token_lifecycle() {
    use crate::common::peers::{self, Provider};
    let _ports = peers::callback_ports();
    let p = Provider::start(&[("ACCESS_TOKEN_TTL", "30")]);
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_CLIENT_ID", &p.client_id);
    env.set_env("BROWSER", &peers::browser_command());
    env.run(
        &["auth", "login", "--api-url", &p.issuer, "--timeout", "90"],
        "",
    )
    .ok();
    let mut map = env.read_credentials().unwrap();
    let first = map[p.issuer.as_str()].clone();
    assert!(first["refresh_token"].is_string(), "{first}");
    assert_eq!(
        first["expires_at"].as_i64().unwrap() - first["issued_at"].as_i64().unwrap(),
        30
    );
    // A record from before `issued_at` existed: a 30 s token counts as
    // expiring (60 s margin). Its refreshed successor (half-life margin, 15 s)
    // does not, so late racers do not refresh it again.
    map[p.issuer.as_str()]
        .as_object_mut()
        .unwrap()
        .remove("issued_at");
    env.write_credentials(&map);
    let snapshot = std::fs::read_to_string(env.credentials_file()).unwrap();
    env.run(&["auth", "status"], "")
        .ok()
        .stdout_has("expires in");

    // 24 processes want a token that expires within 60 s
    let children: Vec<_> = (0..24)
        .map(|_| {
            let mut c = env.std_cmd(&["auth", "token"]);
            c.stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            c.spawn().unwrap()
        })
        .collect();
    let outs: Vec<String> = children
        .into_iter()
        .map(|c| {
            let o = c.wait_with_output().unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            String::from_utf8_lossy(&o.stdout).into_owned()
        })
        .collect();
    assert!(
        outs.iter().all(|o| o == &outs[0]),
        "all print the same token"
    );
    assert_ne!(
        outs[0].trim(),
        first["access_token"].as_str().unwrap(),
        "a new token"
    );
    let refreshes = p
        .token_requests()
        .iter()
        .filter(|l| l.ends_with("refresh_token"))
        .count();
    assert_eq!(
        refreshes,
        1,
        "exactly one refresh request: {:?}",
        p.token_requests()
    );
    // the new token works at the provider
    env.run(
        &["auth", "login", "--token-stdin", "--api-url", &p.issuer],
        outs[0].trim(),
    )
    .ok();

    // Put the old record back: its refresh token has been rotated away.
    std::fs::write(env.credentials_file(), &snapshot).unwrap();
    env.run(&["auth", "refresh"], "")
        .code(4)
        .stderr_has("invalid_grant")
        .stderr_has("Run `keyward auth login` again.");
    // the stored credential is not destroyed: only the refusal is marked
    let mut after = env.read_credentials_raw().unwrap();
    let mark = after[format!("{}#alice", p.issuer)]
        .as_object_mut()
        .unwrap()
        .remove("refresh_failed");
    assert!(mark.is_some(), "{after}");
    assert_eq!(
        after,
        serde_json::from_str::<serde_json::Value>(&snapshot).unwrap(),
        "the stored credential is not destroyed"
    );
    env.run(&["auth", "status"], "")
        .code(1)
        .stderr_has("The server refused to refresh the token");
}

#[test]
fn library_sends_no_captured_tenant_with_an_environment_token() {
    let srv = Server::start(|_| Reply::json(200, json!({"projects": ["apollo"]})));
    let env = TestEnv::new();
    let url = srv.url();
    store(&env, &url, "at-stored", None, None);
    let mut map = env.read_credentials().unwrap();
    map[url.as_str()]["tenant"] = json!("stored-tenant");
    env.write_credentials(&map);
    let run = |extra: &[(&str, &str)]| {
        let mut c = std::process::Command::new(acme());
        c.args(["projects", "--api-url", &url])
            .env_clear()
            .env("ACME_CONFIG_DIR", env.config_dir())
            .env("ACME_CREDENTIAL_STORE", "file");
        for (k, v) in extra {
            c.env(k, v);
        }
        let o = c.output().unwrap();
        assert!(o.status.success(), "{o:?}");
    };
    let sent = || {
        let r = srv.requests();
        let last = r.last().unwrap();
        (
            last.header("authorization").map(str::to_string),
            last.header("x-tenant").map(str::to_string),
        )
    };
    // the stored login sends the tenant it captured
    run(&[]);
    assert_eq!(
        sent(),
        (
            Some("Bearer at-stored".into()),
            Some("stored-tenant".into())
        )
    );
    // an environment token is not that login: no captured tenant follows it
    run(&[("ACME_TOKEN", "env-token")]);
    assert_eq!(sent(), (Some("Bearer env-token".into()), None));
    // a tenant the person names still applies
    run(&[("ACME_TOKEN", "env-token"), ("ACME_TENANT", "named")]);
    assert_eq!(
        sent(),
        (Some("Bearer env-token".into()), Some("named".into()))
    );
}
