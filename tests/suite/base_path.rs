//! API URLs with a base path (`https://x/api/v1`, as some platforms'
//! docs write them): the default endpoints are the same as for the bare
//! origin (the base path is never repeated, OAuth lives at the application
//! root), discovery for an application under a path, and a profile
//! endpoint that is not there says which URL was tried and how to set
//! `profile_url`.

use super::oauth::{bare_login, bare_server, get};
use crate::common::peers;
use crate::common::server::{Reply, Server};
use crate::common::spawn::param;
use crate::common::*;
use keyward::config::{Config, Paths};
use keyward::{Platform, Session, TokenSource};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TOKEN: &str = "kwd_base_path_0123456789";

fn jane() -> serde_json::Value {
    json!({"data": {"name": "Jane Doe", "email": "jane@example.test"}})
}

/// Every path `srv` was asked for.
fn paths(srv: &Server) -> Vec<String> {
    srv.requests().iter().map(|r| r.path.clone()).collect()
}

#[test]
fn token_login_with_or_without_the_base_path_reaches_the_same_profile() {
    let srv = Server::profile(vec![(TOKEN, jane())]);
    for (i, api) in [format!("{}/api/v1", srv.url()), srv.url()]
        .iter()
        .enumerate()
    {
        let env = TestEnv::new();
        env.run(&["auth", "login", "--token-stdin", "-h", api], TOKEN)
            .ok()
            .stderr_has(&format!("✓ Logged in to {api} as Jane Doe"));
        assert_eq!(srv.count("/api/v1/profile"), 2 * i + 1, "{api}");
        // the record keeps the API URL as given (normalised): its key
        let creds = env.read_credentials().unwrap();
        assert_eq!(creds[api.as_str()]["api_url"], api.as_str());
        // status --verify and whoami ask the same endpoint
        env.run(&["auth", "status", "--verify"], "")
            .ok()
            .stdout_has("Logged in as Jane Doe");
        assert_eq!(srv.count("/api/v1/profile"), 2 * i + 2, "{api}");
    }
    let wrong: Vec<String> = paths(&srv)
        .into_iter()
        .filter(|p| p != "/api/v1/profile" && !p.starts_with("/.well-known/"))
        .collect();
    assert!(wrong.is_empty(), "{wrong:?}");
}

#[test]
fn env_token_whoami_with_the_base_path() {
    let srv = Server::profile(vec![(TOKEN, jane())]);
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_API_URL", &format!("{}/api/v1/", srv.url()));
    env.set_env("KEYWARD_TOKEN", TOKEN);
    env.run(&["whoami"], "").ok().stdout_has("Jane Doe");
    assert_eq!(paths(&srv).last().unwrap(), "/api/v1/profile");
}

#[test]
fn oauth_login_with_the_base_path_uses_the_root_for_oauth() {
    let _ports = peers::callback_ports();
    let challenge = Arc::new(Mutex::new(String::new()));
    let srv = bare_server(challenge.clone());
    let api = format!("{}/api/v1", srv.url());
    let mut env = TestEnv::new();
    env.set_env("BROWSER", "true");
    let mut run = env.spawn(&bare_login(&api, "bare-cli", &["--timeout", "60"]));
    let url = run.authorize_url();
    assert!(
        url.starts_with(&format!("{}/oauth/authorize?", srv.url())),
        "{url}"
    );
    *challenge.lock().unwrap() = param(&url, "code_challenge").unwrap();
    let redirect = param(&url, "redirect_uri").unwrap();
    let port: u16 = redirect
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/callback")
        .parse()
        .unwrap();
    let state = param(&url, "state").unwrap();
    let ok = get(port, &format!("/callback?code=the-code&state={state}"));
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    run.finish(Duration::from_secs(60))
        .ok()
        .stderr_has(&format!("✓ Logged in to {api} as Bea Bare"));
    assert_eq!(srv.count("/oauth/token"), 1);
    assert_eq!(srv.count("/api/v1/profile"), 1);
    // discovery at the origin, as for the bare origin
    let p = paths(&srv);
    assert!(
        p.contains(&"/.well-known/oauth-authorization-server".to_string()),
        "{p:?}"
    );
    let creds = env.read_credentials().unwrap();
    assert_eq!(
        creds[api.as_str()]["refresh_token"],
        "bare_refresh_0123456789"
    );
}

#[test]
fn discovery_for_an_application_under_a_path() {
    // An issuer at http://HOST/app: its RFC 8414 document is at
    // /.well-known/oauth-authorization-server/app; the origin has none.
    let srv = Server::start(|r| {
        let base = format!("http://{}/app", r.header("host").unwrap_or_default());
        match r.path.as_str() {
            "/.well-known/oauth-authorization-server/app" => Reply::json(
                200,
                json!({
                    "issuer": base, "authorization_endpoint": format!("{base}/authorize"),
                    "token_endpoint": format!("{base}/token"),
                }),
            ),
            "/app/api/v1/profile"
                if r.header("authorization") == Some(&*format!("Bearer {TOKEN}")) =>
            {
                Reply::json(200, jane())
            }
            _ => Reply::json(404, json!({})),
        }
    });
    let env = TestEnv::new();
    for api in [
        format!("{}/app", srv.url()),
        format!("{}/app/api/v1", srv.url()),
    ] {
        env.run(&["auth", "login", "--token-stdin", "-h", &api], TOKEN)
            .ok()
            .stderr_has("as Jane Doe");
    }
    let p = paths(&srv);
    assert_eq!(p[0], "/.well-known/oauth-authorization-server/app", "{p:?}");
    assert_eq!(srv.count("/app/api/v1/profile"), 2, "{p:?}");
    // what it found is cached per API URL, with the path's endpoints
    let cache: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(env.config_dir().join("discovery.json")).unwrap(),
    )
    .unwrap();
    let token_endpoint = format!("{}/app/token", srv.url());
    for api in [
        format!("{}/app", srv.url()),
        format!("{}/app/api/v1", srv.url()),
    ] {
        assert_eq!(
            cache[&api]["metadata"]["token_endpoint"],
            token_endpoint.as_str(),
            "{cache:#}"
        );
    }
}

#[test]
fn a_missing_profile_endpoint_names_the_url_and_how_to_set_it() {
    let srv = Server::profile(vec![(TOKEN, jane())]);
    let env = TestEnv::new();
    // a base path keyward cannot guess: /v2 is not part of /api/v1/profile
    let api = format!("{}/v2", srv.url());
    let tried = format!("{api}/api/v1/profile");
    let set = format!(
        "Solution: set this API's profile endpoint, the URL that answers with the signed-in user: `keyward config set profile_url {}/… -h {api}`",
        srv.url()
    );
    env.run(&["auth", "login", "--token-stdin", "-h", &api], TOKEN)
        .code(1)
        .stderr_has(&format!(
            "the profile URL {tried} answered HTTP 404: Not Found"
        ))
        .stderr_has(&set)
        .not_anywhere(TOKEN);
    assert!(env.read_credentials().is_none());

    // whoami with an environment token says the same
    let mut with_env = TestEnv::new();
    with_env.set_env("KEYWARD_API_URL", &api);
    with_env.set_env("KEYWARD_TOKEN", TOKEN);
    with_env
        .run(&["whoami"], "")
        .code(1)
        .stderr_has(&format!("the profile URL {tried} answered HTTP 404"))
        .stderr_has(&set);

    // following the Solution fixes the login
    let right = format!("{}/api/v1/profile", srv.url());
    env.run(&["config", "set", "profile_url", &right, "-h", &api], "")
        .ok();
    env.run(&["auth", "login", "--token-stdin", "-h", &api], TOKEN)
        .ok()
        .stderr_has(&format!("✓ Logged in to {api} as Jane Doe"));

    // status --verify, once the endpoint is wrong again, says it too
    env.run(&["config", "unset", "profile_url", "-h", &api], "")
        .ok();
    env.run(&["auth", "status", "--verify"], "")
        .code(1)
        .stderr_has(&format!("the profile URL {tried} answered HTTP 404"))
        .stderr_has(&format!(
            "Set this API's profile endpoint, the URL that answers with the signed-in user: `keyward config set profile_url {}/… -h {api}`",
            srv.url()
        ));
}

/// keyward's platform under an environment prefix no test sets.
const LIB: Platform = Platform {
    env_prefix: "KEYWARD_BASEPATH_UNSET",
    ..Platform::keyward()
};

/// A token source over `env`'s config dir (file store) for `url`.
fn source(env: &TestEnv, url: &str) -> TokenSource {
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(env.config_file(), "credential_store = \"file\"\n").unwrap();
    let paths = Paths {
        dir: env.config_dir(),
    };
    let config = Config::load(&paths).unwrap();
    TokenSource::new(Session::new(LIB, paths, config), Some(url)).unwrap()
}

#[test]
fn token_source_get_joins_paths_by_the_same_rule() {
    let srv = Server::start(|r| match r.path.as_str() {
        "/api/v1/projects" if r.header("authorization") == Some(&*format!("Bearer {TOKEN}")) => {
            Reply::json(200, json!([{"id": 1}]))
        }
        _ => Reply::json(404, json!({})),
    });
    let env = TestEnv::new();
    let api = format!("{}/api/v1", srv.url());
    super::lifecycle::store(&env, &api, TOKEN, None, None);
    let src = source(&env, &api);
    for path in ["/api/v1/projects", "projects", "/projects"] {
        assert_eq!(src.get(path).unwrap().status, 200, "{path}");
    }
    let absolute = format!("{}/api/v1/projects", srv.url());
    assert_eq!(src.get(&absolute).unwrap().status, 200);
    assert_eq!(srv.count("/api/v1/projects"), 4, "{:?}", paths(&srv));
}
