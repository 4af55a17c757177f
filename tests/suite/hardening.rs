//! Hostile input that must not reach the terminal, and hints that say
//! what is wrong (issue 15's findings 2 and 9).

use crate::common::server::{Reply, Server};
use crate::common::*;
use serde_json::json;

/// A device-flow server whose every shown field carries terminal escapes:
/// an OSC 52 clipboard write, a screen clear, a carriage return that would
/// overwrite the shown URL, an OSC 8 link and a bidi override.
fn hostile_device_server() -> Server {
    Server::start(move |r| {
        let base = format!("http://{}", r.header("host").unwrap_or_default());
        match r.path.as_str() {
            "/.well-known/oauth-authorization-server" => Reply::json(
                200,
                json!({
                    "issuer": base, "authorization_endpoint": format!("{base}/authorize"),
                    "token_endpoint": format!("{base}/token"),
                    "device_authorization_endpoint": format!("{base}/device/code"),
                }),
            ),
            "/device/code" => Reply::json(
                200,
                json!({"device_code": "dev-1",
                    "user_code": "\u{1b}]52;c;ZXZpbA==\u{7}WDJB\u{1b}[2J-MJHT",
                    "verification_uri": format!("{base}/device\rhttps://evil.example/\u{202e}"),
                    "verification_uri_complete": format!("\u{1b}]8;;https://evil.example\u{1b}\\{base}/device?c=1\u{1b}]8;;\u{1b}\\"),
                    "expires_in": 2, "interval": 1}),
            ),
            "/token" => Reply::json(
                400,
                json!({"error": "expired_token", "error_description": "gone \u{1b}[31mred\u{9b}0m"}),
            ),
            _ => Reply::json(404, json!({})),
        }
    })
}

#[test]
fn server_text_in_the_device_flow_cannot_drive_the_terminal() {
    let srv = hostile_device_server();
    let mut env = TestEnv::new();
    env.set_env("KEYWARD_CLIENT_ID", "cli");
    let out = env.run(
        &[
            "auth",
            "login",
            "--device",
            "-h",
            &srv.url(),
            "--timeout",
            "20",
        ],
        "",
    );
    out.code(1).stderr_has("the one-time code expired");
    let all = format!("{}{}", out.stdout, out.stderr);
    for bad in ['\u{1b}', '\r', '\u{7}', '\u{9b}', '\u{202e}'] {
        assert!(!all.contains(bad), "{bad:?} reached the terminal: {all:?}");
    }
    // what the server said is still shown, made printable
    out.stderr_has("WDJB")
        .stderr_has("-MJHT")
        .stderr_has(&format!("{}/device", srv.url()));
}

#[test]
fn config_values_cannot_drive_the_terminal() {
    let env = TestEnv::new();
    let esc = "read\u{1b}[2Jwrite";
    env.run(
        &["config", "set", "scopes", esc, "-h", "api.example.test"],
        "",
    )
    .code(2)
    .stderr_has("without control or invisible characters");
    // hand-written: a known key is refused, an unknown one is shown printable
    std::fs::create_dir_all(env.config_dir()).unwrap();
    let write = |text: &str| {
        std::fs::write(env.config_file(), text).unwrap();
        std::fs::set_permissions(
            env.config_file(),
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .unwrap();
    };
    write("[hosts.\"https://api.example.test\"]\nscopes = [\"a\\u001b[2Jb\"]\n");
    let out = env.run(&["config", "list"], "");
    out.code(1)
        .stderr_has("`hosts.\"https://api.example.test\".scopes` value must be");
    write("browsr = \"\\u001b]52;c;ZXZpbA==\\u0007x\"\n");
    let out = env.run(&["config", "list"], "");
    out.ok();
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(!all.contains('\u{1b}') && !all.contains('\u{7}'), "{all:?}");
    out.stdout_has("browsr=");
}
