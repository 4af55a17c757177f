//! `keyward api`: methods, headers, fields, --input, pagination, the 401
//! refresh and retry, and the origin rule, against local servers.

use super::lifecycle::{issuer, store};
use crate::common::server::{Reply, Server};
use crate::common::*;
use serde_json::{Value, json};
use std::sync::atomic::Ordering;
use std::time::Duration;

/// A server that answers every request with 200 and what it received, and
/// a login to it (token `tok-api`, tenant `acme` captured).
fn echo() -> (Server, TestEnv) {
    let srv = Server::start(|r| {
        let mut reply = Reply::json(
            200,
            json!({
                "method": r.method, "path": r.path, "query": r.query, "body": r.body,
                "authorization": r.header("authorization"), "tenant": r.header("x-tenant"),
                "accept": r.header("accept"), "content_type": r.header("content-type"),
                "user_agent": r.header("user-agent"), "extra": r.header("x-extra"),
            }),
        );
        reply.headers.push(("X-Served-By".into(), "echo".into()));
        reply
    });
    let env = TestEnv::new();
    store(&env, &srv.url(), "tok-api", None, Some(3600));
    (srv, env)
}

fn answer(out: &Out) -> Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:#?}"))
}

#[test]
fn get_sends_the_token_tenant_and_keywards_headers_and_prints_the_body_unchanged() {
    let (srv, env) = echo();
    let url = srv.url();
    let o = env.run(
        &["api", "/api/v1/things", "-h", &url, "--tenant", "acme"],
        "",
    );
    o.ok();
    let a = answer(&o);
    assert_eq!(a["method"], "GET");
    assert_eq!(a["path"], "/api/v1/things");
    assert_eq!(a["authorization"], "Bearer tok-api");
    assert_eq!(a["tenant"], "acme");
    assert_eq!(a["accept"], "application/json");
    assert_eq!(a["content_type"], Value::Null);
    assert!(
        a["user_agent"].as_str().unwrap().starts_with("keyward/"),
        "{a}"
    );
    // Not a terminal: the bytes as the server sent them, nothing added.
    let sent = srv.requests().last().unwrap().clone();
    assert!(
        !o.stdout.contains("\n  "),
        "not pretty-printed: {}",
        o.stdout
    );
    assert_eq!(sent.header("x-tenant"), Some("acme"));
    // -H adds and replaces; Authorization is refused and nothing is sent.
    let o = env.run(
        &[
            "api",
            "things",
            "-h",
            &url,
            "-H",
            "Accept: text/plain",
            "-H",
            "X-Extra: 1",
        ],
        "",
    );
    let a = answer(o.ok());
    assert_eq!(a["accept"], "text/plain");
    assert_eq!(a["extra"], "1");
    let before = srv.requests().len();
    env.run(
        &[
            "api",
            "things",
            "-h",
            &url,
            "-H",
            "Authorization: Bearer mine",
        ],
        "",
    )
    .code(2)
    .stderr_has("may not set Authorization");
    env.run(&["api", "things", "-h", &url, "-H", "no colon"], "")
        .code(2)
        .stderr_has("-H 'Name: value'");
    assert_eq!(srv.requests().len(), before, "nothing sent");
}

#[test]
fn fields_make_a_json_body_or_the_query_and_input_is_the_body() {
    let (srv, env) = echo();
    let url = srv.url();
    // -f/-F: POST with a JSON body, typed values converted.
    let o = env.run(
        &[
            "api",
            "projects",
            "-h",
            &url,
            "-f",
            "name=demo",
            "-F",
            "size=3",
            "-F",
            "private=true",
            "-F",
            "note=null",
            "-f",
            "raw=true",
            "-F",
            "tags[]=a",
            "-F",
            "tags[]=b",
            "-F",
            "owner[login]=ann",
        ],
        "",
    );
    let a = answer(o.ok());
    assert_eq!(a["method"], "POST");
    assert_eq!(a["content_type"], "application/json");
    let body: Value = serde_json::from_str(a["body"].as_str().unwrap()).unwrap();
    assert_eq!(
        body,
        json!({"name": "demo", "raw": "true", "size": 3, "private": true, "note": null,
               "tags": ["a", "b"], "owner": {"login": "ann"}})
    );
    // GET with fields: the query string.
    let o = env.run(
        &[
            "api",
            "search",
            "-h",
            &url,
            "-X",
            "GET",
            "-f",
            "q=a b&c",
            "-F",
            "per_page=100",
        ],
        "",
    );
    let a = answer(o.ok());
    assert_eq!(a["method"], "GET");
    assert_eq!(a["query"], "q=a+b%26c&per_page=100");
    assert_eq!(a["body"], "");
    // -F key=@file and @- (stdin), with another method.
    let file = env.dir.path().join("note.txt");
    std::fs::write(&file, "from a file").unwrap();
    let o = env.run(
        &[
            "api",
            "projects/1",
            "-h",
            &url,
            "-X",
            "patch",
            "-F",
            &format!("note=@{}", file.display()),
            "-F",
            "stdin=@-",
        ],
        "from stdin",
    );
    let a = answer(o.ok());
    assert_eq!(a["method"], "PATCH");
    let body: Value = serde_json::from_str(a["body"].as_str().unwrap()).unwrap();
    assert_eq!(body, json!({"note": "from a file", "stdin": "from stdin"}));
    // --input -: the body as given (POST), fields in the query.
    let o = env.run(
        &[
            "api",
            "projects",
            "-h",
            &url,
            "--input",
            "-",
            "-f",
            "dry_run=1",
        ],
        "{\"name\": \"from input\"}",
    );
    let a = answer(o.ok());
    assert_eq!(a["method"], "POST");
    assert_eq!(a["body"], "{\"name\": \"from input\"}");
    assert_eq!(a["query"], "dry_run=1");
    // stdin asked for twice, a missing file, a bad field, a bad method: exit 2, nothing sent.
    let before = srv.requests().len();
    for (args, said) in [
        (
            vec!["--input", "-", "-F", "x=@-"],
            "standard input is read once",
        ),
        (
            vec!["-F", "x=@/nonexistent/file"],
            "cannot read /nonexistent/file",
        ),
        (vec!["-f", "novalue"], "has no `=`"),
        (vec!["-X", "GE T"], "is not an HTTP method"),
        (vec!["--paginate", "-X", "POST"], "--paginate follows"),
    ] {
        let mut all = vec!["api", "projects", "-h", &url];
        all.extend(args);
        env.run(&all, "").code(2).stderr_has(said);
    }
    assert_eq!(srv.requests().len(), before, "nothing sent");
}

#[test]
fn include_silent_and_errors_keep_the_body_and_the_exit_code() {
    let srv = Server::start(|r| match r.path.as_str() {
        "/api/v1/missing" => Reply::json(404, json!({"message": "No such thing."})),
        "/api/v1/broken" => Reply::json(500, json!({"message": "Oops."})),
        "/api/v1/moved" => Reply::redirect(302, "https://elsewhere.test/v2/moved?token=secret-123"),
        _ => {
            let mut reply = Reply::json(200, json!({"ok": true}));
            reply.headers.push(("X-Served-By".into(), "test".into()));
            reply
        }
    });
    let env = TestEnv::new();
    let url = srv.url();
    store(&env, &url, "tok-api", None, Some(3600));
    let o = env.run(&["api", "/api/v1/ok", "-h", &url, "-i"], "");
    o.ok();
    assert!(o.stdout.starts_with("HTTP/1.1 200 OK\n"), "{}", o.stdout);
    assert!(o.stdout.contains("\nx-served-by: test\n"), "{}", o.stdout);
    assert!(o.stdout.ends_with("\n\n{\"ok\":true}"), "{}", o.stdout);
    let o = env.run(&["api", "/api/v1/ok", "-h", &url, "--silent"], "");
    o.ok();
    assert_eq!(o.stdout, "");
    let o = env.run(&["api", "/api/v1/missing", "-h", &url], "");
    o.code(1)
        .stderr_has("error: HTTP 404 Not Found (GET ")
        .stderr_has("/api/v1/missing)");
    assert_eq!(
        o.stdout, "{\"message\":\"No such thing.\"}",
        "the body, as gh prints it"
    );
    env.run(&["api", "/api/v1/broken", "-h", &url, "-X", "DELETE"], "")
        .code(1)
        .stderr_has("error: HTTP 500 Internal Server Error (DELETE ")
        .stderr_has("try again later");
    o.not_anywhere("tok-api");
    // A redirect says where it pointed, and is not followed.
    let moved = env.run(&["api", "/api/v1/moved", "-h", &url], "");
    moved
        .code(1)
        .stderr_has("it redirected to https://elsewhere.test/v2/moved")
        .stderr_has("keyward does not follow redirects")
        .not_anywhere("secret-123")
        .not_anywhere("tok-api");
    assert_eq!(srv.count("/api/v1/moved"), 1);
}

#[test]
fn both_base_path_forms_reach_the_same_endpoint() {
    let (srv, env) = echo();
    let origin = srv.url();
    let with_base = format!("{origin}/api/v1");
    store(&env, &with_base, "tok-base", None, Some(3600));
    for (api_url, path, token) in [
        (&origin, "/api/v1/projects", "tok-api"),
        (&with_base, "/api/v1/projects", "tok-base"),
        (&with_base, "projects", "tok-base"),
        (&with_base, "/projects", "tok-base"),
    ] {
        let a = answer(env.run(&["api", path, "-h", api_url], "").ok());
        assert_eq!(a["path"], "/api/v1/projects", "{api_url} + {path}");
        assert_eq!(a["authorization"], format!("Bearer {token}"));
    }
    // A full URL on the API URL's origin is fine.
    let a = answer(
        env.run(
            &["api", &format!("{origin}/api/v1/x?y=1"), "-h", &origin],
            "",
        )
        .ok(),
    );
    assert_eq!(a["path"], "/api/v1/x");
}

#[test]
fn a_url_on_another_origin_is_refused_and_nothing_is_sent() {
    let (srv, env) = echo();
    let other = Server::start(|_| Reply::json(200, json!({})));
    for target in [
        format!("{}/api/v1/profile", other.url()),
        "https://example.com/api/v1/profile".to_string(),
        format!("{}/x", srv.url().replace("127.0.0.1", "localhost")),
    ] {
        let o = env.run(&["api", &target, "-h", &srv.url()], "");
        o.code(2)
            .stderr_has("is not on the API URL's origin")
            .stderr_has("nothing was sent");
    }
    assert_eq!(other.requests().len(), 0);
    assert_eq!(srv.requests().len(), 0);
}

/// Pages 1..=3 of `/api/v1/items`, each linking to the next one way or another.
fn pager(style: &'static str) -> Server {
    Server::start(move |r| {
        let page: usize = r
            .query
            .strip_prefix("page=")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1);
        let next = (page < 3).then(|| format!("/api/v1/items?page={}", page + 1));
        let items = json!([{"id": page * 10 + 1}, {"id": page * 10 + 2}]);
        match style {
            "link" => {
                let mut reply = Reply::json(200, items);
                if let Some(n) = next {
                    reply.headers.push((
                        "Link".into(),
                        format!("<{n}>; rel=\"next\", </api/v1/items?page=3>; rel=\"last\""),
                    ));
                }
                reply
            }
            "links.next" => {
                let host = r.header("host").unwrap_or_default().to_string();
                let next = next.map(|n| format!("http://{host}{n}"));
                Reply::json(
                    200,
                    json!({"data": items, "links": {"next": next}, "meta": {"current_page": page}}),
                )
            }
            _ => Reply::json(
                200,
                json!({"current_page": page, "data": items, "next_page_url": next}),
            ),
        }
    })
}

#[test]
fn paginate_follows_link_headers_and_body_links_and_merges_the_pages() {
    let env = TestEnv::new();
    let ids = |v: &Value| -> Vec<u64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_u64().unwrap())
            .collect()
    };
    let link = pager("link");
    store(&env, &link.url(), "tok-api", None, Some(3600));
    let a = answer(
        env.run(&["api", "items", "-h", &link.url(), "--paginate"], "")
            .ok(),
    );
    assert_eq!(ids(&a), [11, 12, 21, 22, 31, 32]);
    assert_eq!(link.requests().len(), 3);
    assert!(
        link.requests()
            .iter()
            .all(|r| r.header("authorization") == Some("Bearer tok-api"))
    );
    // Without --paginate: one page, as it came.
    let a = answer(env.run(&["api", "items", "-h", &link.url()], "").ok());
    assert_eq!(ids(&a), [11, 12]);
    for style in ["links.next", "next_page_url"] {
        let srv = pager(style);
        store(&env, &srv.url(), "tok-api", None, Some(3600));
        let o = env.run(
            &["api", "/api/v1/items", "-h", &srv.url(), "--paginate"],
            "",
        );
        let a = answer(o.ok());
        assert_eq!(ids(&a["data"]), [11, 12, 21, 22, 31, 32], "{style}");
        // The first page's other fields.
        let page = if style == "links.next" {
            &a["meta"]["current_page"]
        } else {
            &a["current_page"]
        };
        assert_eq!(page, 1, "{style}: {a}");
        assert_eq!(srv.requests().len(), 3, "{style}");
    }
}

#[test]
fn paginate_refuses_a_next_link_to_another_origin_and_stops_loops() {
    let elsewhere = Server::start(|_| Reply::json(200, json!([])));
    let far = elsewhere.url();
    let srv = Server::start(move |r| {
        if r.path == "/api/v1/loop" {
            let mut reply = Reply::json(200, json!([1]));
            reply
                .headers
                .push(("Link".into(), "</api/v1/loop>; rel=\"next\"".into()));
            return reply;
        }
        let mut reply = Reply::json(200, json!([1]));
        reply
            .headers
            .push(("Link".into(), format!("<{far}/steal>; rel=\"next\"")));
        reply
    });
    let env = TestEnv::new();
    store(&env, &srv.url(), "tok-api", None, Some(3600));
    let o = env.run(&["api", "items", "-h", &srv.url(), "--paginate"], "");
    o.code(1)
        .stderr_has("the next page")
        .stderr_has("is not on the API URL's origin");
    assert_eq!(
        elsewhere.requests().len(),
        0,
        "the token never went elsewhere"
    );
    let o = env.run(&["api", "/api/v1/loop", "-h", &srv.url(), "--paginate"], "");
    o.code(1).stderr_has("stopped after 1000 pages");
    assert_eq!(srv.count("/api/v1/loop"), 1000);
}

#[test]
fn a_401_refreshes_once_and_retries_and_a_second_401_exits_4() {
    let is = issuer(Duration::ZERO);
    let env = TestEnv::new();
    let url = is.srv.url();
    // at-1 is valid by its expiry, but the server refuses it.
    store(&env, &url, "at-1", Some("rt-1"), Some(3600));
    let o = env.run(&["api", "/api/v1/projects", "-h", &url], "");
    o.ok();
    assert!(o.stdout.contains("apollo"), "{o:#?}");
    assert_eq!(is.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(is.srv.count("/api/v1/projects"), 2);
    assert_eq!(
        env.read_credentials().unwrap()[&url]["access_token"],
        "at-2"
    );
    // A POST body is sent again with the retry.
    store(&env, &url, "at-1", Some("rt-2"), Some(3600));
    env.run(&["api", "/api/v1/projects", "-h", &url, "-f", "name=x"], "")
        .ok();
    let posts: Vec<_> = is
        .srv
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/api/v1/projects")
        .collect();
    assert_eq!(posts.len(), 2);
    assert!(
        posts.iter().all(|r| r.body == "{\"name\":\"x\"}"),
        "{posts:?}"
    );
    // A token about to expire is refreshed before the request.
    store(&env, &url, "at-3", Some("rt-3"), Some(10));
    env.run(&["api", "/api/v1/projects", "-h", &url], "").ok();
    assert_eq!(is.refreshes.load(Ordering::SeqCst), 3);
    // A server that keeps refusing: one refresh, one retry, then exit 4.
    let deny = Server::start(|r| {
        if r.path == "/oauth/token" {
            Reply::json(
                200,
                json!({"access_token": "still-bad", "expires_in": 3600}),
            )
        } else {
            Reply::json(401, json!({"message": "Unauthenticated."}))
        }
    });
    store(&env, &deny.url(), "bad", Some("rt"), Some(3600));
    let o = env.run(&["api", "/api/v1/projects", "-h", &deny.url()], "");
    o.code(4)
        .stderr_has("token rejected by")
        .stderr_has("auth login");
    assert_eq!(o.stdout, "{\"message\":\"Unauthenticated.\"}");
    assert_eq!(deny.count("/api/v1/projects"), 2);
    assert_eq!(deny.count("/oauth/token"), 1);
    o.not_anywhere("still-bad").not_anywhere("\"bad\"");
    // Not logged in: exit 4 and nothing sent.
    let nobody = Server::start(|_| Reply::json(200, json!({})));
    env.run(&["api", "x", "-h", &nobody.url()], "")
        .code(4)
        .stderr_has("auth login");
    assert_eq!(nobody.requests().len(), 0);
}

#[test]
fn colour_and_pretty_printing_follow_no_color_and_clicolor_force() {
    let srv = Server::start(|_| {
        Reply::json(
            200,
            json!({"zeta": "\u{1b}]52;c;aGk=\u{7}\u{202e}x", "alpha": [1, true, null]}),
        )
    });
    let mut env = TestEnv::new();
    store(&env, &srv.url(), "tok-api", None, Some(3600));
    let raw = env
        .run(&["api", "/x", "-h", &srv.url()], "")
        .ok()
        .stdout
        .clone();
    assert_eq!(
        raw, "{\"zeta\":\"\\u001b]52;c;aGk=\\u0007\u{202e}x\",\"alpha\":[1,true,null]}",
        "piped: as sent"
    );
    env.set_env("CLICOLOR_FORCE", "1");
    let o = env.run(&["api", "/x", "-h", &srv.url()], "");
    let coloured = o.ok().stdout.clone();
    assert!(
        coloured.contains("\x1b[1;34m\"zeta\"\x1b[0m"),
        "{coloured:?}"
    );
    assert!(
        coloured.contains("\n  \x1b[1;34m\"alpha\"\x1b[0m: [\n    \x1b[36m1\x1b[0m,"),
        "{coloured:?}"
    );
    assert!(
        !coloured.contains('\u{202e}'),
        "made safe to show: {coloured:?}"
    );
    env.set_env("NO_COLOR", "1");
    let o = env.run(&["api", "/x", "-h", &srv.url()], "");
    assert_eq!(o.ok().stdout, raw, "NO_COLOR wins over CLICOLOR_FORCE");
}

#[test]
fn keyward_debug_api_traces_the_request_without_the_token() {
    let (srv, mut env) = echo();
    env.set_env("KEYWARD_DEBUG", "api");
    let o = env.run(
        &[
            "api",
            "/api/v1/things",
            "-h",
            &srv.url(),
            "-f",
            "password=hunter2",
        ],
        "",
    );
    o.ok()
        .stderr_has("POST http://127.0.0.1:")
        .stderr_has("/api/v1/things")
        .stderr_has("200");
    let err = o.stderr.clone();
    assert!(!err.contains("tok-api"), "{err}");
    assert!(
        !err.contains("hunter2"),
        "a secret-looking field is redacted: {err}"
    );
}

#[test]
fn json_reports_a_failure_as_one_object_and_still_prints_the_body() {
    let srv = Server::start(|_| Reply::json(404, json!({"message": "No such thing."})));
    let env = TestEnv::new();
    store(&env, &srv.url(), "tok-api", None, Some(3600));
    let o = env.run(&["api", "/api/v1/missing", "-h", &srv.url(), "--json"], "");
    o.code(1);
    assert_eq!(o.stdout, "{\"message\":\"No such thing.\"}");
    let last = o.stderr.lines().last().unwrap();
    let e: Value = serde_json::from_str(last).unwrap_or_else(|e| panic!("{e}: {o:#?}"));
    assert_eq!(e["error"]["exit_code"], 1);
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(
        msg.starts_with("HTTP 404 Not Found (GET http://127.0.0.1:"),
        "{msg}"
    );
    // Not logged in: exit 4, as an object too.
    let nobody = Server::start(|_| Reply::json(200, json!({})));
    let o = env.run(&["api", "x", "-h", &nobody.url(), "--json"], "");
    o.code(4);
    let e: Value = serde_json::from_str(o.stderr.lines().last().unwrap()).unwrap();
    assert_eq!(e["error"]["exit_code"], 4);
    assert!(
        e["error"]["solution"]
            .as_str()
            .unwrap()
            .contains("auth login"),
        "{e}"
    );
}
