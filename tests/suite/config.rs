//! `config` commands and broken config files.

use crate::common::*;

#[test]
fn set_get_list_unset_keep_comments() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(
        env.config_file(),
        "# my settings\nfuture_key = \"kept\" # note\n",
    )
    .unwrap();
    env.run(
        &["config", "set", "api_url", "HTTPS://API.Example.test/"],
        "",
    )
    .ok();
    env.run(
        &[
            "config",
            "set",
            "client_id",
            "my-cli",
            "--host",
            "https://api.example.test",
        ],
        "",
    )
    .ok();
    env.run(
        &[
            "config",
            "set",
            "scopes",
            "read, write",
            "--host",
            "https://api.example.test",
        ],
        "",
    )
    .ok();
    assert_eq!(
        env.run(&["config", "get", "api_url"], "").ok().stdout,
        "https://api.example.test\n"
    );
    assert_eq!(
        env.run(
            &[
                "config",
                "get",
                "scopes",
                "--host",
                "https://api.example.test/"
            ],
            ""
        )
        .ok()
        .stdout,
        "read,write\n"
    );
    let l = env.run(&["config", "list"], "");
    l.ok()
        .stdout_has("api_url=https://api.example.test")
        .stdout_has("hosts.\"https://api.example.test\".client_id=my-cli");
    let text = std::fs::read_to_string(env.config_file()).unwrap();
    assert!(
        text.contains("# my settings") && text.contains("future_key = \"kept\" # note"),
        "{text}"
    );
    assert_eq!(mode(&env.config_file()), 0o600);
    env.run(&["config", "unset", "api_url"], "").ok();
    env.run(&["config", "get", "api_url"], "")
        .code(1)
        .stderr_has("not set");
}

#[test]
fn bad_keys_and_values_are_usage_errors() {
    let env = TestEnv::new();
    env.run(&["config", "set", "colour", "blue"], "")
        .code(2)
        .stderr_has("unknown config key");
    env.run(&["config", "set", "credential_store", "vault"], "")
        .code(2);
    env.run(&["config", "set", "api_url", "http://remote.example"], "")
        .code(2)
        .stderr_has("plain-http");
    env.run(&["config", "set", "client_id", "x"], "")
        .code(2)
        .stderr_has("--host");
    assert!(!env.config_file().exists());
}

#[test]
fn broken_config_names_file_and_line() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(
        env.config_file(),
        "api_url = \"https://a.test\"\n\ntenant = = nope\n",
    )
    .unwrap();
    for args in [
        &["auth", "token"][..],
        &["auth", "status"],
        &["config", "list"],
        &["whoami"],
    ] {
        env.run(args, "")
            .code(1)
            .stderr_has(&env.config_file().display().to_string())
            .stderr_has("line 3")
            .stderr_has("Solution:");
    }
    let e = env.run(&["config", "set", "tenant", "x"], "");
    e.code(1);
    assert!(
        std::fs::read_to_string(env.config_file())
            .unwrap()
            .contains("= = nope"),
        "broken file left as it was"
    );
}

#[test]
fn config_with_wrong_types_is_clear() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(env.config_file(), "api_url = 42\n").unwrap();
    env.run(&["auth", "token"], "")
        .code(1)
        .stderr_has("`api_url` must be a string");
}

#[test]
fn unknown_keys_never_fail_and_config_list_names_them() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(
        env.config_file(),
        "tennant = \"acme\"\n[hosts.\"https://api.example.test\"]\ntokne_url = \"https://x.test/t\"\n",
    )
    .unwrap();
    // Unknown keys do not stop other commands (`auth status` exits 1: not logged in).
    env.run(
        &["auth", "status", "--api-url", "https://api.example.test"],
        "",
    )
    .code(1)
    .stderr_has("keyward auth login -h https://api.example.test");
    env.run(&["config", "list"], "")
        .ok()
        .stdout_has("tennant=acme")
        .stderr_has("unknown key `tennant`, did you mean `tenant`?")
        .stderr_has(
            "unknown key `hosts.\"https://api.example.test\".tokne_url`, did you mean `token_url`?",
        );
    env.run(&["config", "get", "tennant"], "")
        .code(2)
        .stderr_has("did you mean `tenant`?");
}

#[test]
fn get_prints_the_effective_value_and_list_marks_defaults() {
    let env = TestEnv::new();
    let out = env.run(&["config", "get", "credential_store"], "");
    out.ok();
    assert_eq!(out.stdout, "auto\n");
    assert_eq!(out.stderr, "");
    env.run(&["config", "get", "http_timeout"], "")
        .ok()
        .stdout_has("30");
    env.run(&["config", "set", "http_timeout", "12"], "").ok();
    assert_eq!(
        env.run(&["config", "get", "http_timeout"], "").ok().stdout,
        "12\n"
    );
    let l = env.run(&["config", "list"], "");
    l.ok()
        .stdout_has("http_timeout=12\n")
        .stdout_has("credential_store=auto (default)")
        .stdout_has("keychain_timeout=3 (default)");
    assert!(!l.stdout.contains("http_timeout=30"), "{l:#?}");
    let j: serde_json::Value =
        serde_json::from_str(&env.run(&["config", "list", "--json"], "").ok().stdout).unwrap();
    assert_eq!(j["set"]["http_timeout"], "12");
    assert_eq!(j["defaults"]["credential_store"], "auto");
    assert!(j["defaults"].get("http_timeout").is_none(), "{j}");
    // a key with no default and no value: said, exit 1
    env.run(&["config", "get", "api_url"], "")
        .code(1)
        .stderr_has("`api_url` is not set");
}

#[test]
fn a_negative_timeout_is_keywards_validation_error() {
    let env = TestEnv::new();
    env.run(&["config", "set", "keychain_timeout", "-1"], "")
        .code(2)
        .stderr_has("invalid number of seconds `-1` (0.001 <= s <= 600)")
        .not_anywhere("unexpected argument");
}

#[test]
fn parallel_config_sets_are_all_kept() {
    let env = TestEnv::new();
    let mut children: Vec<std::process::Child> = (0..24)
        .map(|i| {
            env.std_cmd(&[
                "config",
                "set",
                "client_id",
                &format!("cli-{i}"),
                "-h",
                &format!("h{i}.example.test"),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
        })
        .collect();
    for c in &mut children {
        assert!(c.wait().unwrap().success());
    }
    let cfg: toml::Table = std::fs::read_to_string(env.config_file())
        .unwrap()
        .parse()
        .unwrap();
    let hosts = cfg["hosts"].as_table().unwrap();
    assert_eq!(hosts.len(), 24, "{cfg}");
    for i in 0..24 {
        assert_eq!(
            hosts[&format!("https://h{i}.example.test")]["client_id"].as_str(),
            Some(format!("cli-{i}").as_str())
        );
    }
}
