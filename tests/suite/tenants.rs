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
    assert_eq!(tenant_of(&env, &[]), ("beta".into(), "config".into()));
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
