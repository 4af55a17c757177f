//! Tenant precedence and the tenants commands.

use crate::common::server::Server;
use crate::common::*;
use serde_json::json;

const TOKEN: &str = "kwd_tenant_token_0123456789";

fn setup() -> (Server, TestEnv) {
    let srv = Server::profile(vec![(
        TOKEN,
        json!({"data": {"name": "T", "email": "t@x.test", "tenant": {"slug": "acme"}, "tenants": [{"slug": "acme", "name": "Acme"}, {"slug": "beta", "name": "Beta"}, "gamma"]}}),
    )]);
    let env = TestEnv::new();
    env.run(
        &["auth", "login", "--token-stdin", "--api-url", &srv.url()],
        TOKEN,
    )
    .ok();
    (srv, env)
}

fn tenant_of(env: &TestEnv, args: &[&str]) -> (String, String) {
    let mut a = vec!["auth", "status", "--json"];
    a.extend_from_slice(args);
    let j: serde_json::Value = serde_json::from_str(&env.run(&a, "").ok().stdout).unwrap();
    let e = &j["environments"][0];
    (
        e["tenant"].as_str().unwrap_or("").to_string(),
        e["tenant_source"]["kind"]
            .as_str()
            .unwrap_or("")
            .to_string(),
    )
}

#[test]
fn precedence_flag_env_config_login() {
    let (_srv, mut env) = setup();
    assert_eq!(tenant_of(&env, &[]), ("acme".into(), "login".into()));
    env.run(&["tenants", "use", "beta"], "").ok();
    assert_eq!(tenant_of(&env, &[]), ("beta".into(), "host_config".into()));
    // the top-level tenant is only the fallback: the API URL's own wins
    env.run(&["config", "set", "tenant", "gamma", "--global"], "")
        .ok();
    assert_eq!(tenant_of(&env, &[]), ("beta".into(), "host_config".into()));
    env.run(&["config", "unset", "tenant"], "").ok();
    assert_eq!(tenant_of(&env, &[]), ("gamma".into(), "config".into()));
    env.run(&["tenants", "use", "beta"], "").ok();
    env.set_env("KEYWARD_TENANT", "gamma");
    assert_eq!(tenant_of(&env, &[]), ("gamma".into(), "env".into()));
    assert_eq!(
        tenant_of(&env, &["--tenant", "acme"]),
        ("acme".into(), "flag".into())
    );
    env.run(&["auth", "status", "--tenant", "acme"], "")
        .ok()
        .stdout_has("Tenant: acme (from --tenant)");
    env.run(&["auth", "status"], "")
        .ok()
        .stdout_has("Tenant: gamma (from KEYWARD_TENANT)");
    env.run(&["whoami"], "").ok().stdout_has("gamma");
}

#[test]
fn list_marks_current_and_use_validates() {
    let (_srv, env) = setup();
    let l = env.run(&["tenants", "list"], "");
    l.ok()
        .stdout_has("* acme\tAcme")
        .stdout_has("  beta\tBeta")
        .stdout_has("  gamma");
    env.run(&["tenants", "use", "nope"], "")
        .code(2)
        .stderr_has("acme, beta, gamma");
    env.run(&["tenants", "use", "beta"], "").ok();
    env.run(&["tenants", "list"], "").ok().stdout_has("* beta");
    let cfg = std::fs::read_to_string(env.config_file()).unwrap();
    assert!(cfg.contains("tenant = \"beta\""), "{cfg}");
}

#[test]
fn tenants_list_when_not_logged_in_exits_4() {
    let env = TestEnv::new();
    env.run(&["tenants", "list", "--api-url", "https://a.test"], "")
        .code(4);
}

const TOKEN_A: &str = "kwd_api_a_token_0123456789";
const TOKEN_B: &str = "kwd_api_b_token_0123456789";

/// Two APIs, each with its own two tenants; each records the `X-Tenant`
/// header of every request it gets.
fn two_apis() -> (Server, Server) {
    let a = Server::profile(vec![(
        TOKEN_A,
        json!({"name": "A", "tenants": ["globex", "acme"]}),
    )]);
    let b = Server::profile(vec![(
        TOKEN_B,
        json!({"name": "B", "tenants": ["initech", "hooli"]}),
    )]);
    (a, b)
}

fn x_tenants(srv: &Server) -> Vec<Option<String>> {
    srv.requests()
        .iter()
        .map(|r| r.header("x-tenant").map(str::to_string))
        .collect()
}

fn record_tenant(env: &TestEnv, url: &str) -> serde_json::Value {
    env.read_credentials().unwrap()[url]["tenant"].clone()
}

#[test]
fn a_tenant_belongs_to_its_api_url() {
    let (a, b) = two_apis();
    let (ua, ub) = (a.url(), b.url());
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_CREDENTIAL_STORE", "file");
    env.run(&["auth", "login", "--token-stdin", "-h", &ua], TOKEN_A)
        .ok();
    // A is the default API URL: `tenants use` sets A's tenant only
    env.run(&["tenants", "use", "globex"], "")
        .ok()
        .stderr_has(&format!("Default tenant for {ua} is now globex"));
    let cfg: toml::Table = std::fs::read_to_string(env.config_file())
        .unwrap()
        .parse()
        .unwrap();
    assert!(!cfg.contains_key("tenant"), "{cfg}");
    assert_eq!(cfg["hosts"][ua.as_str()]["tenant"].as_str(), Some("globex"));

    // a login to B sends no globex to B and keeps none in B's record
    env.run(&["auth", "login", "--token-stdin", "-h", &ub], TOKEN_B)
        .ok();
    assert!(
        !x_tenants(&b).iter().any(|t| t.as_deref() == Some("globex")),
        "{:?}",
        x_tenants(&b)
    );
    assert_ne!(record_tenant(&env, &ub), json!("globex"));
    env.run(&["auth", "status", "--verify", "-h", &ub], "").ok();
    assert!(!x_tenants(&b).iter().any(|t| t.as_deref() == Some("globex")));

    // `tenants use initech -h B` leaves A's tenant alone
    env.run(&["tenants", "use", "initech", "-h", &ub], "").ok();
    assert_eq!(
        tenant_of(&env, &["-h", &ua]),
        ("globex".into(), "host_config".into())
    );
    assert_eq!(
        tenant_of(&env, &["-h", &ub]),
        ("initech".into(), "host_config".into())
    );
    env.run(&["auth", "status", "--verify", "-h", &ua], "").ok();
    assert_eq!(x_tenants(&a).last().unwrap().as_deref(), Some("globex"));
    env.run(&["auth", "status", "--verify", "-h", &ub], "").ok();
    assert_eq!(x_tenants(&b).last().unwrap().as_deref(), Some("initech"));
    // `config set tenant` without -h writes the default API URL's (A's)
    env.run(&["config", "set", "tenant", "acme"], "")
        .ok()
        .stderr_has(&format!("tenant = acme for {ua}"));
    assert_eq!(tenant_of(&env, &["-h", &ua]).0, "acme");
    assert_eq!(tenant_of(&env, &["-h", &ub]).0, "initech");
}

#[test]
fn login_tenant_must_be_one_the_profile_lists() {
    let (a, _b) = two_apis();
    let ua = a.url();
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_CREDENTIAL_STORE", "file");
    env.run(
        &[
            "auth",
            "login",
            "--token-stdin",
            "-h",
            &ua,
            "--tenant",
            "acme",
        ],
        TOKEN_A,
    )
    .ok();
    assert_eq!(record_tenant(&env, &ua), json!("acme"));
    let before = std::fs::read_to_string(env.credentials_file()).unwrap();
    env.run(
        &[
            "auth",
            "login",
            "--token-stdin",
            "-h",
            &ua,
            "--tenant",
            "nope",
        ],
        TOKEN_A,
    )
    .code(2)
    .stderr_has(&format!("`nope` is not one of your tenants on {ua}"))
    .stderr_has("globex, acme");
    assert_eq!(
        std::fs::read_to_string(env.credentials_file()).unwrap(),
        before,
        "the good login is untouched"
    );
}
