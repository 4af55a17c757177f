//! `--json` everywhere: each reporting command's document pinned by a
//! snapshot, README naming every field it prints, errors as one JSON object
//! on stderr; and `auth token --min-valid` / `--json` against a real token
//! endpoint (a local server) and the file store.

use super::lifecycle::{issuer, store};
use crate::common::server::Server;
use crate::common::*;
use serde_json::{Value, json};
use std::sync::atomic::Ordering;
use std::time::Duration;

const TOKEN: &str = "kwd_json_token_0123456789";

/// A profile server, and an environment logged in to it with a personal
/// access token (file store), its tenant set in config.toml.
fn logged_in() -> (Server, TestEnv) {
    let srv = Server::profile(vec![(
        TOKEN,
        json!({"data": {"id": 7, "name": "Jay", "email": "jay@x.test", "login": "jay",
            "tenant": {"slug": "acme"},
            "tenants": [{"slug": "acme", "name": "Acme"}, "gamma"]}}),
    )]);
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_CREDENTIAL_STORE", "file");
    env.run(
        &["auth", "login", "--token-stdin", "--api-url", &srv.url()],
        TOKEN,
    )
    .ok();
    env.run(&["tenants", "use", "gamma"], "").ok();
    (srv, env)
}

fn filters(env: &TestEnv) -> Vec<(String, String)> {
    vec![
        (
            regex_escape(&env.dir.path().display().to_string()),
            "[TMP]".into(),
        ),
        (r"127\.0\.0\.1:\d+".into(), "127.0.0.1:[PORT]".into()),
        (
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ".into(),
            "[RFC3339]".into(),
        ),
        (
            r"expires in \d+[smhd]".into(),
            "expires in [DURATION]".into(),
        ),
    ]
}

fn snapshot(env: &TestEnv, name: &str, text: &str) {
    let f = filters(env);
    let f: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    insta::with_settings!({filters => f}, {
        insta::assert_snapshot!(name, text);
    });
}

/// Run `args` (which include `--json`), expect exit 0 and one JSON document.
fn doc(env: &TestEnv, args: &[&str]) -> (String, Value) {
    let out = env.run(args, "");
    out.ok();
    let v = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:#?}"));
    (out.stdout.clone(), v)
}

/// An OAuth login whose token lives 4 minutes, refreshable at `issuer`.
fn oauth_env(url: &str) -> TestEnv {
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_CREDENTIAL_STORE", "file");
    store(&env, url, "at-1", Some("rt-1"), Some(240));
    env
}

/// Every command's document, by the README heading that documents it.
fn documents() -> Vec<(&'static str, Vec<Value>)> {
    let (srv, env) = logged_in();
    let url = srv.url();
    let mut by_env = TestEnv::new();
    by_env.set_env("KEYWARD_TOKEN", TOKEN);
    by_env.set_env("KEYWARD_API_URL", &url);
    let is = issuer(Duration::ZERO);
    let oauth = oauth_env(&is.srv.url());
    let not_logged_in = TestEnv::new();
    let err = not_logged_in.run(&["whoami", "--json", "-h", "https://a.test"], "");
    err.code(4);
    vec![
        (
            "### `auth token --json`",
            vec![
                doc(&env, &["auth", "token", "--json"]).1,
                doc(&by_env, &["auth", "token", "--json"]).1,
                doc(&oauth, &["auth", "token", "--json", "-h", &is.srv.url()]).1,
            ],
        ),
        (
            "### `whoami --json`",
            vec![
                doc(&env, &["whoami", "--json"]).1,
                doc(&env, &["whoami", "--json", "--tenant", "acme"]).1,
                doc(&by_env, &["whoami", "--json"]).1,
            ],
        ),
        (
            "### `tenants list --json`",
            vec![
                doc(&env, &["tenants", "list", "--json"]).1,
                doc(&env, &["tenants", "list", "--json", "--tenant", "acme"]).1,
            ],
        ),
        (
            "### `config list --json`",
            vec![doc(&env, &["config", "list", "--json"]).1],
        ),
        (
            "## JSON output",
            vec![serde_json::from_str(err.stderr.trim()).unwrap()],
        ),
    ]
}

/// The key paths of `v`: `a`, `a.b`, `a[].c`. The values of `config list`'s
/// `set` and `defaults` are maps of config keys, documented as objects.
fn paths(v: &Value, prefix: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) if prefix != "set" && prefix != "defaults" => {
            for (k, v) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.push(p.clone());
                paths(v, &p, out);
            }
        }
        Value::Array(a) => {
            for v in a {
                paths(v, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

/// The field names in the first table under `heading` in README.
fn documented(heading: &str) -> Vec<String> {
    let text = readme_section(heading);
    let tables: Vec<&str> = text.split("| field | type | meaning |").collect();
    let table = tables
        .get(1)
        .unwrap_or_else(|| panic!("no field table under {heading}"));
    table
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with("| `"))
        .filter_map(|l| l.strip_prefix("| `")?.split('`').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn readme_names_every_field_each_json_document_has() {
    for (heading, docs) in documents() {
        let mut found = Vec::new();
        for d in &docs {
            paths(d, "", &mut found);
        }
        found.sort();
        found.dedup();
        let listed = documented(heading);
        for p in &found {
            assert!(listed.contains(p), "README's {heading} table lacks `{p}`");
        }
        for p in &listed {
            assert!(
                found.contains(p),
                "README's {heading} documents `{p}`, which no document printed"
            );
        }
    }
    // the JSON output section links each command's document
    let overview = readme_section("## JSON output");
    for cmd in [
        "auth status",
        "auth doctor",
        "auth token",
        "whoami",
        "tenants list",
        "config list",
    ] {
        assert!(
            overview.contains(&format!("| `{cmd} --json` |")),
            "README's JSON output lacks {cmd}"
        );
    }
}

#[test]
fn each_json_document_snapshot() {
    let (srv, env) = logged_in();
    let url = srv.url();
    let mut out = String::new();
    for args in [
        vec!["auth", "token", "--json"],
        vec!["whoami", "--json"],
        vec!["tenants", "list", "--json"],
        vec!["config", "list", "--json"],
        vec!["config", "list", "--json", "-h", url.as_str()],
    ] {
        out.push_str(&format!(
            "$ keyward {}\n{}\n",
            args.join(" "),
            doc(&env, &args).0
        ));
    }
    let mut by_env = TestEnv::new();
    by_env.set_env("KEYWARD_TOKEN", "kwd_env_token_0123456789");
    by_env.set_env("KEYWARD_API_URL", &url);
    out.push_str(&format!(
        "$ KEYWARD_TOKEN=... keyward auth token --json --min-valid 1h\n{}\n",
        doc(&by_env, &["auth", "token", "--json", "--min-valid", "1h"]).0
    ));
    let is = issuer(Duration::ZERO);
    let oauth = oauth_env(&is.srv.url());
    out.push_str(&format!(
        "$ keyward auth token --json --min-valid 5m   # refreshed\n{}",
        doc(
            &oauth,
            &[
                "auth",
                "token",
                "--json",
                "--min-valid",
                "5m",
                "-h",
                &is.srv.url()
            ]
        )
        .0
    ));
    snapshot(&env, "json_documents", &out);
}

/// Every reporting command given `--json` fails with one JSON object on
/// stderr, the text error's exit code, nothing on stdout.
#[test]
fn errors_are_one_json_object_with_json() {
    let env = TestEnv::new();
    let h = "https://a.test";
    let mut shown = String::new();
    for (args, code) in [
        (vec!["auth", "token", "--json", "-h", h], 4),
        (
            vec!["auth", "token", "--json", "--min-valid", "5m", "-h", h],
            4,
        ),
        (vec!["whoami", "--json", "-h", h], 4),
        (vec!["tenants", "list", "--json", "-h", h], 4),
    ] {
        let out = env.run(&args, "");
        out.code(code);
        assert_eq!(out.stdout, "", "{out:#?}");
        assert_eq!(out.stderr.lines().count(), 1, "{out:#?}");
        let v: Value = serde_json::from_str(&out.stderr).unwrap();
        assert_eq!(v["error"]["exit_code"], code);
        // the same command without --json: the same texts, as text
        let text_args: Vec<&str> = args.iter().copied().filter(|a| *a != "--json").collect();
        let text = env.run(&text_args, "");
        text.code(code);
        assert_eq!(
            text.stderr,
            format!(
                "error: {}\nSolution: {}\n",
                v["error"]["message"].as_str().unwrap(),
                v["error"]["solution"].as_str().unwrap()
            )
        );
        shown.push_str(&format!("$ keyward {}\n{}", args.join(" "), out.stderr));
    }
    // a broken config.toml: exit 1, for config list, status and doctor too
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(env.config_file(), "api_url = [\n").unwrap();
    for args in [
        vec!["config", "list", "--json"],
        vec!["auth", "status", "--json"],
        vec!["auth", "doctor", "--json", "--offline"],
    ] {
        let out = env.run(&args, "");
        if args[1] == "doctor" {
            // the doctor reports a broken config.toml as a failed check
            out.code(1);
            let v: Value = serde_json::from_str(&out.stdout).unwrap();
            assert_eq!(v["ok"], false);
            continue;
        }
        out.code(1);
        assert_eq!(out.stdout, "", "{out:#?}");
        let v: Value = serde_json::from_str(out.stderr.lines().last().unwrap()).unwrap();
        assert_eq!(v["error"]["exit_code"], 1);
        shown.push_str(&format!("$ keyward {}\n{}", args.join(" "), out.stderr));
    }
    // KEYWARD_DEBUG fills `debug` where there is a raw cause; else null
    let mut debug = TestEnv::new();
    debug.set_env("KEYWARD_DEBUG", "1");
    let out = debug.run(&["whoami", "--json", "-h", h], "");
    let v: Value = serde_json::from_str(&out.stderr).unwrap();
    assert_eq!(v["error"]["debug"], Value::Null);
    // clap's usage errors stay text
    let out = env.run(&["auth", "token", "--json", "--min-valid", "soon"], "");
    out.code(2).stderr_has("invalid duration `soon`");
    assert!(!out.stderr.starts_with('{'), "{out:#?}");
    snapshot(&env, "json_errors", &shown);
}

#[test]
fn json_errors_make_terminal_control_characters_spaces() {
    let env = TestEnv::new();
    let out = env.run(&["whoami", "--json", "-h", "https://a.test/\u{1b}[2Jx"], "");
    assert_ne!(out.code, 0);
    assert!(!out.stderr.contains('\u{1b}'), "{out:#?}");
    assert!(!out.stderr.contains("\\u001b"), "{out:#?}");
}

#[test]
fn min_valid_refreshes_a_token_that_expires_sooner() {
    let is = issuer(Duration::ZERO);
    let url = is.srv.url();
    let env = oauth_env(&url);
    let token = |extra: &[&str]| {
        let mut a = vec!["auth", "token", "-h", url.as_str()];
        a.extend_from_slice(extra);
        env.run(&a, "")
    };
    // 4 minutes left: plain `auth token` keeps it
    assert_eq!(token(&[]).ok().stdout, "at-1\n");
    assert_eq!(token(&["--min-valid", "3m"]).ok().stdout, "at-1\n");
    assert_eq!(is.refreshes.load(Ordering::SeqCst), 0);
    // 5 minutes asked for: refreshed first (under the lock, stored)
    assert_eq!(token(&["--min-valid", "5m"]).ok().stdout, "at-2\n");
    assert_eq!(is.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(
        env.read_credentials().unwrap()[&url]["refresh_token"],
        "rt-2"
    );
    // the new token lives an hour: enough for 30m, no request
    assert_eq!(token(&["--min-valid=30m"]).ok().stdout, "at-2\n");
    assert_eq!(is.refreshes.load(Ordering::SeqCst), 1);
    // 2h is more than the server's tokens live: one refresh, then exit 1
    let out = token(&["--min-valid", "2h"]);
    out.code(1)
        .stderr_has("sooner than the 2h asked for")
        .stderr_has("Solution: ask for less with --min-valid");
    assert_eq!(out.stdout, "");
    assert_eq!(is.refreshes.load(Ordering::SeqCst), 2);
    // the refreshed token was stored all the same
    assert_eq!(token(&[]).ok().stdout, "at-3\n");
}

#[test]
fn min_valid_below_the_refresh_margin_keeps_the_margin() {
    let is = issuer(Duration::ZERO);
    let url = is.srv.url();
    let env = TestEnv::new();
    store(&env, &url, "at-1", Some("rt-1"), Some(45));
    let out = env.run(&["auth", "token", "-h", &url, "--min-valid", "30s"], "");
    assert_eq!(out.ok().stdout, "at-2\n", "refreshed at the 60 s margin");
}

#[test]
fn min_valid_without_a_refresh_token_exits_4_and_prints_nothing() {
    let env = TestEnv::new();
    let url = "https://nothing.invalid";
    store(&env, url, "at-pat", None, Some(240));
    let out = env.run(&["auth", "token", "-h", url, "--min-valid", "5m"], "");
    out.code(4)
        .stderr_has(&format!(
            "error: the token for {url} expires in 4m, sooner than the 5m asked for\nCaused by: this login has no refresh token\nSolution: run `keyward auth login -h {url}` for a new token"
        ))
        .not_anywhere("at-pat");
    assert_eq!(out.stdout, "");
    let out = env.run(
        &["auth", "token", "-h", url, "--min-valid", "5m", "--json"],
        "",
    );
    out.code(4).not_anywhere("at-pat");
    let v: Value = serde_json::from_str(&out.stderr).unwrap();
    assert_eq!(v["error"]["cause"], "this login has no refresh token");
    // what it still lives is enough for less
    env.run(&["auth", "token", "-h", url, "--min-valid", "3m"], "")
        .ok()
        .stdout_has("at-pat");
    // a token without an expiry lives long enough for anything
    store(&env, url, "at-forever", None, None);
    env.run(&["auth", "token", "-h", url, "--min-valid", "36500d"], "")
        .ok()
        .stdout_has("at-forever");
    // 100 years at most, as `auth status --within`
    env.run(&["auth", "token", "-h", url, "--min-valid", "36501d"], "")
        .code(2)
        .stderr_has("at most 36500d");
}

#[test]
fn an_environment_token_is_printed_unchanged_whatever_min_valid() {
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_TOKEN_api_example_com", "kwd_env_0123456789");
    let out = env.run(
        &[
            "auth",
            "token",
            "-h",
            "api.example.com",
            "--min-valid",
            "1d",
        ],
        "",
    );
    assert_eq!(out.ok().stdout, "kwd_env_0123456789\n");
    let (_, v) = doc(&env, &["auth", "token", "-h", "api.example.com", "--json"]);
    assert_eq!(
        v,
        json!({"token": "kwd_env_0123456789", "expires_at": null,
            "api_url": "https://api.example.com",
            "env_token": "KEYWARD_TOKEN_api_example_com", "account": null})
    );
}

/// `auth token --json`: the expiry is the one stored from the token
/// endpoint's `expires_in`, as RFC 3339.
#[test]
fn token_json_expiry_comes_from_the_stored_expires_in() {
    let is = issuer(Duration::ZERO);
    let url = is.srv.url();
    let env = oauth_env(&url);
    let before = unix_now();
    let (_, v) = doc(
        &env,
        &["auth", "token", "--json", "--min-valid", "5m", "-h", &url],
    );
    assert_eq!(v["token"], "at-2");
    let stored = env.read_credentials().unwrap()[&url]["expires_at"]
        .as_i64()
        .unwrap();
    assert!((before + 3600..=unix_now() + 3600).contains(&stored));
    let t = v["expires_at"].as_str().unwrap();
    let http = httpdate::fmt_http_date(std::time::UNIX_EPOCH + Duration::from_secs(stored as u64));
    // the same instant: "Sun, 06 Nov 1994 08:49:37 GMT" vs 1994-11-06T08:49:37Z
    assert!(http.contains(&t[11..19]), "{http} vs {t}");
    assert!(http.contains(&format!(" {} ", &t[..4])), "{http} vs {t}");
    assert_eq!(v["account"], "rita@x.test");
}
