//! The library for async Rust CLIs: a cached `TokenSource`, `token()` inside
//! a tokio runtime, `token_async()` with the caller's client, and the
//! authorized `reqwest::Request` with one refresh and one retry after a 401.
//! Through the library itself and through `examples/acme_async`.

use super::lifecycle::{Issuer, example, issuer, store};
use crate::common::server::{Reply, Server};
use crate::common::*;
use keyward::config::{Config, Paths};
use keyward::{Platform, Session, TokenSource};
use serde_json::json;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// A platform whose environment variables no test sets: everything comes
/// from the test's own config dir.
const LIB: Platform = Platform {
    name: "libtest",
    env_prefix: "KEYWARD_LIBTEST_UNSET",
    keychain_service: "keyward-libtest",
    config_dir_name: "keyward-libtest",
    default_api_url: None,
    default_client_id: Some("life-cli"),
    default_scopes: &[],
    endpoints: keyward::PlatformEndpoints::NONE,
};

/// A token source over `env`'s config dir, with the file store.
fn source(env: &TestEnv, url: &str) -> TokenSource {
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(env.config_file(), "credential_store = \"file\"\n").unwrap();
    let paths = Paths {
        dir: env.config_dir(),
    };
    let config = Config::load(&paths).unwrap();
    TokenSource::new(Session::new(LIB, paths, config), Some(url)).unwrap()
}

fn client(source: &TokenSource) -> keyward::reqwest::Client {
    source.client_builder().unwrap().build().unwrap()
}

fn stored_access(env: &TestEnv, url: &str) -> String {
    env.read_credentials().unwrap()[url]["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn token_refreshes_inside_a_tokio_runtime_without_panicking() {
    let is = issuer(Duration::ZERO);
    let env = TestEnv::new();
    let url = is.srv.url();
    store(&env, &url, "at-1", Some("rt-1"), Some(-60));
    let src = source(&env, &url);
    // the sync API, called from async code: the refresh runs on a thread
    // of its own instead of nesting runtimes
    assert_eq!(src.token().unwrap().expose(), "at-2");
    assert_eq!(is.refreshes.load(Ordering::SeqCst), 1);
    // cached now: no store read, no refresh
    std::fs::remove_file(env.credentials_file()).unwrap();
    assert_eq!(src.token().unwrap().expose(), "at-2");
    assert_eq!(is.refreshes.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn concurrent_token_async_calls_make_one_refresh() {
    let is = issuer(Duration::from_millis(300));
    let env = TestEnv::new();
    let url = is.srv.url();
    store(&env, &url, "at-1", Some("rt-1"), Some(-60));
    let src = source(&env, &url);
    let client = client(&src);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..24 {
        let (src, client) = (src.clone(), client.clone());
        tasks.spawn(async move { src.token_async(&client).await });
    }
    let mut tokens = Vec::new();
    while let Some(t) = tasks.join_next().await {
        tokens.push(t.unwrap().unwrap().expose().to_string());
    }
    assert_eq!(tokens.len(), 24);
    assert!(tokens.iter().all(|t| t == "at-2"), "{tokens:?}");
    assert_eq!(is.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(stored_access(&env, &url), "at-2");
}

#[tokio::test]
async fn token_async_never_blocks_the_executor_on_the_refresh_lock() {
    let is = issuer(Duration::ZERO);
    let env = TestEnv::new();
    let url = is.srv.url();
    store(&env, &url, "at-1", Some("rt-1"), Some(-60));
    let src = source(&env, &url);
    let client = client(&src);
    // Another process holds the refresh lock for 1 s.
    let lock = keyward::auth::refresh::lock_path(src.session(), &format!("{url}#rita@x.test"));
    let holder = {
        let f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock)
            .unwrap();
        f.lock().unwrap();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(1));
            drop(f);
        })
    };
    // A ticker on the same (current-thread) executor keeps running while
    // the token waits for the lock.
    let ticks = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let t2 = ticks.clone();
    let ticker = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            t2.fetch_add(1, Ordering::SeqCst);
        }
    });
    let token = src.token_async(&client).await.unwrap();
    ticker.abort();
    holder.join().unwrap();
    assert_eq!(token.expose(), "at-2");
    assert!(
        ticks.load(Ordering::SeqCst) >= 10,
        "the executor ran only {} ticks while the lock was held",
        ticks.load(Ordering::SeqCst)
    );
}

/// An API whose projects accept only tokens from the second one on.
fn api(is: &Issuer) -> String {
    is.srv.url()
}

#[tokio::test]
async fn a_401_makes_exactly_one_refresh_and_one_retry() {
    let is = issuer(Duration::ZERO);
    let env = TestEnv::new();
    let url = api(&is);
    // at-1 is valid by its expiry, but the API refuses it
    store(&env, &url, "at-1", Some("rt-1"), Some(3600));
    let src = source(&env, &url);
    let client = client(&src);
    let req = client
        .get(format!("{url}/api/v1/projects"))
        .build()
        .unwrap();
    let resp = src.send(&client, req).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("apollo"));
    assert_eq!(is.srv.count("/api/v1/projects"), 2, "one retry");
    assert_eq!(is.refreshes.load(Ordering::SeqCst), 1, "one refresh");
    // the next request uses the remembered new token: no refresh, no retry
    let resp = src
        .send_builder(client.get(format!("{url}/api/v1/projects")))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(is.srv.count("/api/v1/projects"), 3);
    assert_eq!(is.refreshes.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_second_401_is_returned_after_one_refresh() {
    let srv = Server::start(|r| match r.path.as_str() {
        "/oauth/token" => Reply::json(
            200,
            json!({"access_token": "still-refused", "expires_in": 3600}),
        ),
        _ => Reply::json(401, json!({"message": "Unauthenticated."})),
    });
    let env = TestEnv::new();
    let url = srv.url();
    store(&env, &url, "at-1", Some("rt-1"), Some(3600));
    let src = source(&env, &url);
    let client = client(&src);
    let resp = src
        .send_builder(client.post(format!("{url}/api/v1/things")).body("{}"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(srv.count("/api/v1/things"), 2);
    assert_eq!(srv.count("/oauth/token"), 1);
}

#[tokio::test]
async fn a_streaming_body_is_sent_once_without_the_retry() {
    let is = issuer(Duration::ZERO);
    let env = TestEnv::new();
    let url = api(&is);
    store(&env, &url, "at-1", Some("rt-1"), Some(3600));
    let src = source(&env, &url);
    let client = client(&src);
    let body = keyward::reqwest::Body::wrap(String::from("{\"name\": \"x\"}"));
    let req = client
        .post(format!("{url}/api/v1/projects"))
        .body(body)
        .build()
        .unwrap();
    let resp = src.send(&client, req).await.unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(is.srv.count("/api/v1/projects"), 1, "sent once");
    assert_eq!(is.refreshes.load(Ordering::SeqCst), 0, "no refresh");
}

#[tokio::test]
async fn credentials_go_only_to_the_api_origin_and_never_replace_the_callers() {
    let seen = Server::start(|_| Reply::json(200, json!({})));
    let env = TestEnv::new();
    let url = seen.url();
    store(&env, &url, "at-own", None, Some(3600));
    let mut creds = env.read_credentials().unwrap();
    creds[&url]["tenant"] = json!("acme");
    env.write_credentials(&creds);
    let other = Server::start(|_| Reply::json(200, json!({})));
    let src = source(&env, &url);
    let client = client(&src);

    src.send_builder(client.get(format!("{url}/a")))
        .await
        .unwrap();
    src.send_builder(client.get(format!("{}/b", other.url())))
        .await
        .unwrap();
    src.send_builder(
        client
            .get(format!("{url}/c"))
            .header("Authorization", "Basic mine")
            .header("X-Tenant", "globex"),
    )
    .await
    .unwrap();

    let own = seen.requests();
    assert_eq!(own[0].header("authorization"), Some("Bearer at-own"));
    assert_eq!(own[0].header("x-tenant"), Some("acme"));
    assert_eq!(own[1].header("authorization"), Some("Basic mine"));
    assert_eq!(own[1].header("x-tenant"), Some("globex"));
    let foreign = other.requests();
    assert_eq!(foreign[0].header("authorization"), None);
    assert_eq!(foreign[0].header("x-tenant"), None);
}

#[tokio::test]
async fn a_refresh_by_another_process_is_seen_after_a_401() {
    let is = issuer(Duration::ZERO);
    let env = TestEnv::new();
    let url = api(&is);
    store(&env, &url, "at-1", Some("rt-1"), Some(3600));
    let src = source(&env, &url);
    let client = client(&src);
    assert_eq!(src.token_async(&client).await.unwrap().expose(), "at-1");
    // Another process refreshed meanwhile and stored at-5.
    store(&env, &url, "at-5", Some("rt-5"), Some(3600));
    let resp = src
        .send_builder(client.get(format!("{url}/api/v1/projects")))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let auth: Vec<String> = is
        .srv
        .requests()
        .iter()
        .filter(|r| r.path == "/api/v1/projects")
        .filter_map(|r| r.header("authorization").map(str::to_string))
        .collect();
    assert_eq!(auth, ["Bearer at-1", "Bearer at-5"]);
    assert_eq!(
        is.refreshes.load(Ordering::SeqCst),
        0,
        "no refresh of our own"
    );
}

#[test]
fn the_tenant_says_when_the_store_cannot_be_read() {
    let env = TestEnv::new();
    let src = source(&env, "https://api.example.test");
    std::fs::write(env.credentials_file(), "{ not json").unwrap();
    let e = src.tenant().unwrap_err();
    assert_eq!(e.exit_code(), 1, "{e}");
}

/// `examples/acme_async` in `env`, with acme's config dir and the file store.
fn acme_async(env: &TestEnv, args: &[&str], stdin: &str) -> Out {
    let mut c = assert_cmd::Command::new(example("acme_async"));
    let o = c
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", env.dir.path().join("home"))
        .env("ACME_CONFIG_DIR", env.config_dir())
        .env("ACME_CREDENTIAL_STORE", "file")
        .write_stdin(stdin)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

#[test]
fn the_async_example_logs_in_with_keywards_commands_and_calls_the_api() {
    let srv = Server::start(|r| match r.path.as_str() {
        "/api/v1/profile" if r.header("authorization") == Some("Bearer acme_pat_0123456789") => {
            Reply::json(200, json!({"name": "Ada", "tenants": ["acme"]}))
        }
        "/api/v1/projects"
            if r.header("authorization") == Some("Bearer acme_pat_0123456789")
                && r.header("x-tenant") == Some("acme") =>
        {
            Reply::json(200, json!({"projects": ["apollo"]}))
        }
        _ => Reply::json(401, json!({})),
    });
    let env = TestEnv::new();
    let url = srv.url();
    acme_async(
        &env,
        &["auth", "login", "--token-stdin", "--api-url", &url],
        "acme_pat_0123456789\n",
    )
    .ok()
    .stderr_has("✓ Logged in");
    acme_async(&env, &["projects", "--api-url", &url], "")
        .ok()
        .stdout_has("apollo");
    // keyward's hints carry the embedding program's name
    acme_async(
        &env,
        &["projects", "--api-url", "https://nobody.example.test"],
        "",
    )
    .code(4)
    .stderr_has("acme auth login");
}

#[test]
fn twenty_four_processes_of_twenty_four_tasks_make_one_refresh() {
    let is = issuer(Duration::from_millis(300));
    let env = TestEnv::new();
    let url = is.srv.url();
    store(&env, &url, "at-1", Some("rt-1"), Some(-60));
    let children: Vec<_> = (0..24)
        .map(|_| {
            std::process::Command::new(example("acme_async"))
                .args(["race", "24", "--api-url", &url])
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .env("ACME_CONFIG_DIR", env.config_dir())
                .env("ACME_CREDENTIAL_STORE", "file")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut tokens = Vec::new();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        tokens.extend(
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .map(str::to_string),
        );
    }
    assert_eq!(tokens.len(), 24 * 24);
    assert!(tokens.iter().all(|t| t == "at-2"), "{:?}", &tokens[..4]);
    assert_eq!(is.refreshes.load(Ordering::SeqCst), 1);
}

/// An embedder's interaction that has nobody to ask.
struct Nobody;

impl keyward::oauth::flows::Interaction for Nobody {
    fn notice(&self, _: &str) {}
    fn authorize_url(&self, _: &str, _: Option<Result<(), String>>) {}
    fn device_code(&self, _: &keyward::oauth::device::DeviceCode) {}
    fn waiting(&self, _: &str) -> Box<dyn std::any::Any + Send> {
        Box::new(())
    }
    fn line_reader(&self) -> Box<dyn FnMut() -> Option<String> + Send> {
        Box::new(|| None)
    }
}

#[test]
fn a_login_to_the_built_in_api_url_does_not_pin_it_in_config() {
    let srv = Server::profile(vec![(
        "tok-built-in-0123456789",
        json!({"id": 3, "name": "Bui"}),
    )]);
    let env = TestEnv::new();
    std::fs::create_dir_all(env.config_dir()).unwrap();
    let before = "credential_store = \"file\"\n";
    std::fs::write(env.config_file(), before).unwrap();
    // A build with this API URL built in (KEYWARD_DEFAULT_API_URL, or a
    // Platform's default_api_url).
    let url: &'static str = Box::leak(srv.url().into_boxed_str());
    let platform = Platform {
        default_api_url: Some(url),
        ..LIB
    };
    let paths = Paths {
        dir: env.config_dir(),
    };
    let login = |paths: Paths| {
        let config = Config::load(&paths).unwrap();
        let mut session = Session::new(platform, paths, config);
        let api = keyward::ApiUrl::parse(url).unwrap();
        keyward::rt::block_on(keyward::auth::login::with_token(
            &mut session,
            &api,
            None,
            keyward::Secret::new("tok-built-in-0123456789"),
            &Nobody,
        ))
        .unwrap()
    };
    let out = login(paths.clone());
    assert!(!out.saved_default, "the built-in default was saved");
    assert_eq!(std::fs::read_to_string(env.config_file()).unwrap(), before);
    // Another API URL is still saved as the default at its first login.
    let other = Platform {
        default_api_url: Some("https://api.elsewhere.test"),
        ..LIB
    };
    let config = Config::load(&paths).unwrap();
    let mut session = Session::new(other, paths, config);
    let out = keyward::rt::block_on(keyward::auth::login::with_token(
        &mut session,
        &keyward::ApiUrl::parse(url).unwrap(),
        None,
        keyward::Secret::new("tok-built-in-0123456789"),
        &Nobody,
    ))
    .unwrap();
    assert!(out.saved_default);
}
