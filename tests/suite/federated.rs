//! `auth login --federated` (RFC 8693 exchange of a CI job's ID token) and
//! `auth login --client-credentials`, against the real OpenID provider
//! with a second issuer playing the CI (tests/peers/ci-issuer.mjs).

use crate::common::ci::{self, CI_NAME, CiIssuer, TOKEN_EXCHANGE_GRANT};
use crate::common::server::{Reply, Server};
use crate::common::*;
use serde_json::json;

const AUD: &str = "https://api.keyward.test";
const SERVICE_SECRET: &str = "s3cret-service-0123456789";

fn env_for(p: &crate::common::peers::Provider) -> TestEnv {
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_CLIENT_ID", &p.client_id);
    env
}

fn login_args<'a>(p: &'a crate::common::peers::Provider, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "auth",
        "login",
        "--federated",
        "-h",
        &p.issuer,
        "--audience",
        AUD,
    ];
    a.extend_from_slice(extra);
    a
}

/// Make the stored token expire now, so the next use renews it.
fn expire(env: &TestEnv) {
    let mut map = env.read_credentials_raw().unwrap();
    for (_, rec) in map.as_object_mut().unwrap() {
        rec["expires_at"] = json!(unix_now() - 5);
    }
    env.write_credentials(&map);
}

#[test]
fn a_github_actions_job_logs_in_with_its_id_token_and_nothing_secret_is_kept() {
    let ci = CiIssuer::start();
    let p = ci.provider(AUD, &[("EXCHANGE_TTL", "300")]);
    let mut env = env_for(&p);
    env.set_env("GITHUB_ACTIONS", "true");
    env.set_env("ACTIONS_ID_TOKEN_REQUEST_URL", &ci.request_url);
    env.set_env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", &ci.request_token);
    let out = env.run(&login_args(&p, &[]), "");
    out.ok()
        .stderr_has(&format!("✓ Logged in to {} as {CI_NAME}", p.issuer))
        .not_anywhere(&ci.request_token);
    assert_eq!(
        ci.id_token_requests(),
        [format!("GET /_apis/idtoken bearer=ok audience={AUD}")]
    );
    assert_eq!(p.grant_count(TOKEN_EXCHANGE_GRANT), 1);
    let rec = &env.read_credentials().unwrap()[p.issuer.as_str()];
    assert_eq!(rec["kind"], "federated");
    assert_eq!(
        rec["federation"],
        json!({"source": {"kind": "github-actions"}, "audience": AUD,
               "subject_token_type": "urn:ietf:params:oauth:token-type:id_token"})
    );
    assert!(rec.get("refresh_token").is_none());
    let file = credentials_text(&env);
    assert!(!file.contains("eyJ"), "a JWT was stored: {file}");
    assert!(!file.contains(&ci.request_token));

    env.run(&["auth", "status"], "")
        .ok()
        .stdout_has("Credential: federated (exchanges an ID token from GitHub Actions (audience https://api.keyward.test) again when it expires)");
    let json: serde_json::Value =
        serde_json::from_str(&env.run(&["auth", "status", "--json"], "").ok().stdout).unwrap();
    assert_eq!(
        json["environments"][0]["accounts"][0]["federation"],
        json!({"source": {"kind": "github-actions"}, "audience": AUD,
               "subject_token_type": "urn:ietf:params:oauth:token-type:id_token"})
    );
    let token = env
        .run(&["auth", "token"], "")
        .ok()
        .stdout
        .trim()
        .to_string();
    assert!(!token.is_empty());

    // auth refresh exchanges again; the debug trace shows neither token.
    let mut traced = env_for(&p);
    for (k, v) in [
        ("ACTIONS_ID_TOKEN_REQUEST_URL", ci.request_url.as_str()),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", ci.request_token.as_str()),
        ("KEYWARD_DEBUG", "api"),
    ] {
        traced.set_env(k, v);
    }
    std::fs::create_dir_all(traced.config_dir()).unwrap();
    std::fs::copy(env.credentials_file(), traced.credentials_file()).unwrap();
    std::fs::copy(env.config_file(), traced.config_file()).unwrap();
    let out = traced.run(&["auth", "refresh"], "");
    out.ok()
        .stderr_has("Obtaining a new access token…")
        .stderr_has("✓ New token obtained")
        .stderr_has("urn:ietf:params:oauth:grant-type:token-exchange")
        .not_anywhere(&ci.request_token)
        .not_anywhere("eyJ");
    assert_eq!(p.grant_count(TOKEN_EXCHANGE_GRANT), 2);
    assert_eq!(ci.id_token_requests().len(), 2);
    // `keyward api` (the library's TokenSource) exchanges again too.
    expire(&traced);
    traced
        .run(&["api", "/me"], "")
        .ok()
        .stdout_has(CI_NAME)
        .not_anywhere(&ci.request_token)
        .not_anywhere("eyJ");
    assert_eq!(p.grant_count(TOKEN_EXCHANGE_GRANT), 3);
}

#[test]
fn gitlab_variable_file_and_command_sources() {
    let ci = CiIssuer::start();
    let p = ci.provider(AUD, &[("EXCHANGE_TTL", "300")]);
    // GitLab: `id_tokens:` into KEYWARD_ID_TOKEN, found without a flag.
    let mut env = env_for(&p);
    let jwt = ci.mint(AUD, 300);
    env.set_env("KEYWARD_ID_TOKEN", &jwt);
    env.run(&login_args(&p, &[]), "").ok().not_anywhere(&jwt);
    let rec = &env.read_credentials().unwrap()[p.issuer.as_str()];
    assert_eq!(
        rec["federation"]["source"],
        json!({"kind": "env", "variable": "KEYWARD_ID_TOKEN"})
    );
    assert!(!credentials_text(&env).contains(&jwt));

    // A file, read again at each exchange (a rotated projected token).
    let env = env_for(&p);
    let file = env.dir.path().join("token");
    std::fs::write(&file, format!("{}\n", ci.mint(AUD, 300))).unwrap();
    env.run(
        &login_args(&p, &["--id-token-file", file.to_str().unwrap()]),
        "",
    )
    .ok();
    let before = p.grant_count(TOKEN_EXCHANGE_GRANT);
    std::fs::write(&file, ci.mint(AUD, 600)).unwrap();
    expire(&env);
    env.run(&["auth", "token"], "").ok();
    assert_eq!(p.grant_count(TOKEN_EXCHANGE_GRANT), before + 1);
    std::fs::remove_file(&file).unwrap();
    expire(&env);
    env.run(&["auth", "token"], "")
        .code(4)
        .stderr_has("cannot get the CI job's ID token from the file")
        .stderr_has("auth login --federated");

    // A command (Buildkite's `buildkite-agent oidc request-token`).
    let env = env_for(&p);
    std::fs::write(&file, ci.mint(AUD, 300)).unwrap();
    let cmd = format!("cat '{}'", file.display());
    env.run(&login_args(&p, &["--id-token-command", &cmd]), "")
        .ok();
    let rec = &env.read_credentials().unwrap()[p.issuer.as_str()];
    assert_eq!(
        rec["federation"]["source"],
        json!({"kind": "command", "command": cmd})
    );
    env.run(&login_args(&p, &["--id-token-command", "exit 3"]), "")
        .code(4)
        .stderr_has("it failed");
    // A command that leaves a process behind holding its output open: what
    // it printed is used, without waiting for that process (a hang check,
    // not a timing one: it would wait 300 s).
    let started = std::time::Instant::now();
    // (Its stderr goes elsewhere: the test waits for keyward's to close.)
    let lingering = format!("sleep 299 2>/dev/null & cat '{}'", file.display());
    env.run(&login_args(&p, &["--id-token-command", &lingering]), "")
        .ok();
    assert!(started.elapsed() < std::time::Duration::from_secs(120));
    let _ = std::process::Command::new("pkill")
        .args(["-f", "^sleep 299$"])
        .status();
}

#[test]
fn refused_or_missing_id_tokens_store_nothing() {
    let ci = CiIssuer::start();
    let p = ci.provider(AUD, &[]);
    let cases = [
        (
            ci.mint("https://other.test", 300),
            "subject_token audience mismatch",
        ),
        (
            ci::tamper_signature(&ci.mint(AUD, 300)),
            "subject_token signature invalid",
        ),
        (ci.mint(AUD, -30), "expired"),
    ];
    for (jwt, why) in cases {
        let mut env = env_for(&p);
        env.set_env("KEYWARD_ID_TOKEN", &jwt);
        env.run(&login_args(&p, &[]), "")
            .code(4)
            .stderr_has(why)
            .not_anywhere(&jwt);
        assert!(!env.credentials_file().exists(), "{why}: nothing stored");
    }
    let env = env_for(&p);
    env.run(&login_args(&p, &[]), "")
        .code(2)
        .stderr_has("--id-token-env")
        .stderr_has("--id-token-file");
    let mut gh = env_for(&p);
    gh.set_env("GITHUB_ACTIONS", "true");
    gh.run(&login_args(&p, &[]), "")
        .code(2)
        .stderr_has("permissions: id-token: write");
    // The request token never goes over plain http to another host.
    gh.set_env(
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "http://ci.example.test/idtoken?api-version=2.0",
    );
    gh.set_env(
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "request-secret-0123456789",
    );
    gh.run(&login_args(&p, &[]), "")
        .code(1)
        .stderr_has("refusing ACTIONS_ID_TOKEN_REQUEST_URL `http://ci.example.test/idtoken")
        .not_anywhere("request-secret");
    env.run(&["auth", "login", "--audience", AUD, "-h", &p.issuer], "")
        .code(2);
    // A source named wrong at login: what to check, not "the job ended".
    let missing = env.dir.path().join("no-such-token");
    env.run(
        &login_args(&p, &["--id-token-file", missing.to_str().unwrap()]),
        "",
    )
    .code(4)
    .stderr_has("it does not exist")
    .stderr_has("check the path given with --id-token-file")
    .not_anywhere("lasts as long");
    env.run(&login_args(&p, &["--id-token-command", "exit 3"]), "")
        .code(4)
        .stderr_has("the command `exit 3`: it failed (exit status: 3)")
        .stderr_has("check the command given with --id-token-command");
    // Too much, or not one token; a FIFO is never opened; flags checked.
    env.run(&login_args(&p, &["--id-token-command", "yes"]), "")
        .code(4)
        .stderr_has("it printed more than 64 KiB");
    env.run(
        &login_args(&p, &["--id-token-command", "printf 'ab\\001cd'"]),
        "",
    )
    .code(4)
    .stderr_has("what it gives is not one token");
    env.run(
        &login_args(&p, &["--id-token-command", "printf '\\377abc'"]),
        "",
    )
    .code(4)
    .stderr_has("what it printed is not text (UTF-8)");
    let fifo = env.dir.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    env.run(
        &login_args(&p, &["--id-token-file", fifo.to_str().unwrap()]),
        "",
    )
    .code(4)
    .stderr_has("it is not a regular file");
    env.run(&login_args(&p, &["--id-token-env", "A=B"]), "")
        .code(2)
        .stderr_has("give the name of an environment variable");
    env.run(&login_args(&p, &["--id-token-command", " "]), "")
        .code(2)
        .stderr_has("the command is empty");
    env.run(
        &login_args(&p, &["--id-token-env", "X", "--id-token-file", "/x"]),
        "",
    )
    .code(2)
    .stderr_has("give only one of them")
    .stderr_has("Solution:");
    // GitHub refusing the request token: exit 4, with what to check; a
    // JWT in its answer is not shown.
    let mut bad = env_for(&p);
    bad.set_env("ACTIONS_ID_TOKEN_REQUEST_URL", &ci.request_url);
    bad.set_env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "wrong-request-token-0123");
    bad.run(&login_args(&p, &[]), "")
        .code(4)
        .stderr_has("GitHub Actions did not give the CI job's ID token")
        .stderr_has("HTTP 401")
        .stderr_has("permissions: id-token: write")
        .not_anywhere("wrong-request-token");
    // Only the URL: GitHub Actions without the permission.
    let mut half = env_for(&p);
    half.set_env("ACTIONS_ID_TOKEN_REQUEST_URL", &ci.request_url);
    half.run(&login_args(&p, &[]), "")
        .code(2)
        .stderr_has("are not both set");
}

#[test]
fn twenty_four_racing_processes_exchange_once_and_a_job_that_ended_is_exit_4() {
    let ci = CiIssuer::start();
    let p = ci.provider(AUD, &[("EXCHANGE_TTL", "300")]);
    let mut env = env_for(&p);
    env.set_env("KEYWARD_ID_TOKEN", &ci.mint(AUD, 600));
    env.run(&login_args(&p, &[]), "").ok();
    expire(&env);
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
            String::from_utf8(o.stdout).unwrap()
        })
        .collect();
    assert!(outs.iter().all(|o| *o == outs[0] && !o.trim().is_empty()));
    assert_eq!(
        p.grant_count(TOKEN_EXCHANGE_GRANT),
        2,
        "the login and exactly one exchange again"
    );

    // The job ended: its variable is gone.
    let ended = {
        let mut e = env_for(&p);
        std::fs::create_dir_all(e.config_dir()).unwrap();
        std::fs::copy(env.credentials_file(), e.credentials_file()).unwrap();
        e.set_env("KEYWARD_API_URL", &p.issuer);
        e
    };
    expire(&ended);
    ended
        .run(&["auth", "token"], "")
        .code(4)
        .stderr_has(
            "cannot get the CI job's ID token from $KEYWARD_ID_TOKEN: the variable is not set",
        )
        .stderr_has("a federated login lasts as long as the CI job that made it");
    // `auth status` shows it until a new token is obtained.
    let status = ended.run(&["auth", "status"], "");
    assert_ne!(status.code, 0, "{status:#?}");
    status
        .stderr_has("A new token could not be obtained")
        .stderr_has(&format!(
            "To log in again, run: keyward auth login --federated --id-token-env KEYWARD_ID_TOKEN --audience {AUD}\n"
        ));
    let json = ended.run(&["auth", "status", "--json"], "");
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let account = &v["environments"][0]["accounts"][0];
    assert_eq!(account["usable"], false, "{v:#}");
    assert!(
        account["refresh_failed"]["error"]
            .as_str()
            .unwrap()
            .contains("the variable is not set"),
        "{v:#}"
    );
}

#[test]
fn the_exchange_sends_audience_and_resource_only_when_configured() {
    let ci = CiIssuer::start();
    let p = ci.provider(AUD, &[("EXCHANGE_REQUIRE_AUDIENCE", "deploy-api")]);
    let mut env = env_for(&p);
    env.set_env("KEYWARD_ID_TOKEN", &ci.mint(AUD, 300));
    env.run(&login_args(&p, &[]), "")
        .code(4)
        .stderr_has("audience must be deploy-api");
    env.run(
        &[
            "config",
            "set",
            "exchange_audience",
            "deploy-api",
            "--host",
            &p.issuer,
        ],
        "",
    )
    .ok();
    env.run(&login_args(&p, &[]), "").ok();
    assert!(
        p.requests()
            .iter()
            .any(|l| l == "exchange audience=deploy-api resource=-"),
        "{:?}",
        p.requests()
    );
}

#[test]
fn a_server_without_token_exchange_is_named() {
    let srv = Server::start(|r| match r.path.as_str() {
        "/.well-known/oauth-authorization-server" => Reply::json(
            200,
            json!({"issuer": "x", "authorization_endpoint": "http://127.0.0.1:1/a",
                   "token_endpoint": "http://127.0.0.1:1/t",
                   "grant_types_supported": ["authorization_code", "refresh_token"]}),
        ),
        _ => Reply::json(404, json!({})),
    });
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_ID_TOKEN", "a.b.c");
    env.run(
        &[
            "auth",
            "login",
            "--federated",
            "-h",
            &srv.url(),
            "--client-id",
            "x",
        ],
        "",
    )
    .code(1)
    .stderr_has("does not offer token exchange (RFC 8693)")
    .stderr_has("authorization_code, refresh_token");
}

#[test]
fn a_service_account_logs_in_with_client_credentials_and_gets_new_tokens() {
    let ci = CiIssuer::start();
    let p = ci.provider(
        AUD,
        &[
            ("CLIENT_CREDENTIALS", "1"),
            ("SERVICE_CLIENT_SECRET", SERVICE_SECRET),
            ("SERVICE_TOKEN_TTL", "300"),
        ],
    );
    let env = TestEnv::new();
    // The provider's profile endpoint answers for service accounts.
    let set_profile_url = |env: &TestEnv| {
        env.run(
            &[
                "config",
                "set",
                "profile_url",
                &p.profile_endpoint(),
                "--host",
                &p.issuer,
            ],
            "",
        )
        .ok();
    };
    let login = |env: &TestEnv, secret: &str| {
        env.run(
            &[
                "auth",
                "login",
                "--client-credentials",
                "--client-id",
                "keyward-service",
                "--client-secret-stdin",
                "-h",
                &p.issuer,
            ],
            secret,
        )
    };
    // Discovery names OpenID userinfo, which refuses a token with no person
    // behind it: said so, with the setting that fixes it; nothing stored.
    login(&env, SERVICE_SECRET)
        .code(4)
        .stderr_has(&format!("{}/me refused the token", p.issuer))
        .stderr_has(&format!(
            "`keyward config set profile_url URL --host {}`",
            p.issuer
        ))
        .not_anywhere(SERVICE_SECRET);
    assert!(!env.credentials_file().exists());
    set_profile_url(&env);
    login(&env, "wrong-secret-0123456789")
        .code(4)
        .stderr_has("invalid_client")
        .not_anywhere("wrong-secret");
    assert!(!env.credentials_file().exists());
    login(&env, SERVICE_SECRET)
        .ok()
        .stderr_has("Logged in to")
        .stderr_has("service keyward-service")
        .not_anywhere(SERVICE_SECRET);
    let rec = &env.read_credentials().unwrap()[p.issuer.as_str()];
    assert_eq!(rec["kind"], "client-credentials");
    assert_eq!(rec["client_secret"], SERVICE_SECRET, "kept in the store");
    assert!(
        !std::fs::read_to_string(env.config_file())
            .unwrap()
            .contains(SERVICE_SECRET)
    );
    env.run(&["auth", "status"], "")
        .ok()
        .stdout_has("client-credentials (obtains a new token with the stored client secret")
        .not_anywhere(SERVICE_SECRET);
    let first = env.run(&["auth", "token"], "").ok().stdout.clone();
    expire(&env);
    let second = env.run(&["auth", "token"], "").ok().stdout.clone();
    assert_ne!(first, second);
    assert_eq!(
        p.grant_count("client_credentials"),
        4,
        "a login userinfo refused, a refused login, the login, once again"
    );

    // From the environment; never from an argument.
    let mut env2 = TestEnv::new();
    env2.set_env("KEYWARD_CLIENT_SECRET", SERVICE_SECRET);
    set_profile_url(&env2);
    env2.run(
        &[
            "auth",
            "login",
            "--client-credentials",
            "--client-id",
            "keyward-service",
            "-h",
            &p.issuer,
        ],
        "",
    )
    .ok();
    TestEnv::new()
        .run(
            &[
                "auth",
                "login",
                "--client-credentials",
                "--client-id",
                "x",
                "-h",
                &p.issuer,
            ],
            "",
        )
        .code(2)
        .stderr_has("--client-secret-stdin")
        .stderr_has("KEYWARD_CLIENT_SECRET");
    TestEnv::new()
        .run(
            &[
                "auth",
                "login",
                "--client-credentials",
                "--client-id",
                "x",
                "--client-secret-stdin",
                "-h",
                &p.issuer,
            ],
            "",
        )
        .code(2)
        .stderr_has("no client secret on standard input")
        .not_anywhere("token");

    // The secret rotated on the platform: the renewal says so, and
    // `auth status` shows it until the next login.
    let mut map = env2.read_credentials_raw().unwrap();
    for (_, rec) in map.as_object_mut().unwrap() {
        rec["client_secret"] = json!("rotated-away-0123456789");
        rec["expires_at"] = json!(unix_now() - 5);
    }
    env2.write_credentials(&map);
    env2.run(&["auth", "token"], "")
        .code(4)
        .stderr_has("invalid_client")
        .stderr_has("the stored client secret no longer works")
        .stderr_has("--client-id keyward-service --client-secret-stdin")
        .not_anywhere("rotated-away");
    env2.run(&["auth", "status"], "")
        .code(1)
        .stderr_has("A new token could not be obtained")
        .stderr_has(
            "auth login --client-credentials --client-id keyward-service --client-secret-stdin",
        );
}
