//! Per-project pins through the binary: a `.keyward.toml` in the current
//! directory or a parent chooses the API URL and the tenant (flags and
//! variables still win), `auth status` names it, an unsafe one is ignored
//! with a warning, and one holding a token is refused.

use crate::common::server::Server;
use crate::common::*;
use serde_json::{Value, json};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::PathBuf;

const TA: &str = "kwd_pin_a_0123456789";
const TB: &str = "kwd_pin_b_0123456789";

/// Two environments logged in with a token each (the first is the config
/// default), and a project directory (`project/src` below it).
struct World {
    env: TestEnv,
    a: Server,
    b: Server,
    project: PathBuf,
}

impl World {
    fn new() -> World {
        let a = Server::profile(vec![(TA, json!({"name": "Ann A", "email": "ann@a.test"}))]);
        let b = Server::profile(vec![(TB, json!({"name": "Bob B", "email": "bob@b.test"}))]);
        let env = TestEnv::new();
        for (srv, tok) in [(&a, TA), (&b, TB)] {
            env.run(&["auth", "login", "--token-stdin", "-h", &srv.url()], tok)
                .ok();
        }
        let project = env.dir.path().join("project");
        std::fs::create_dir_all(project.join("src")).unwrap();
        World { env, a, b, project }
    }

    /// Write the project's pin with `mode`.
    fn pin(&self, text: &str, mode: u32) -> PathBuf {
        let p = self.project.join(".keyward.toml");
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        p
    }

    /// `keyward ARGS` in `project/src`.
    fn inside(&self, args: &[&str]) -> Out {
        self.env.run_in(&self.project.join("src"), args, "")
    }

    /// `keyward ARGS` outside the project.
    fn outside(&self, args: &[&str]) -> Out {
        self.env.run_in(self.env.dir.path(), args, "")
    }
}

fn json_of(out: &Out) -> Value {
    out.ok();
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e})\n{out:#?}"))
}

fn filtered(w: &World, text: &str) -> String {
    text.replace(&w.env.dir.path().display().to_string(), "[TMP]")
        .replace(&w.a.url(), "[A]")
        .replace(&w.b.url(), "[B]")
}

#[test]
fn a_pin_chooses_the_api_url_and_tenant_of_its_directory_and_below() {
    let w = World::new();
    assert_eq!(w.outside(&["auth", "token"]).ok().stdout, format!("{TA}\n"));
    let pin = w.pin(
        &format!("api_url = \"{}\"\ntenant = \"acme\"\n", w.b.url()),
        0o644,
    );
    // found from a subdirectory
    assert_eq!(w.inside(&["auth", "token"]).ok().stdout, format!("{TB}\n"));
    let from = format!("(from {})", pin.display());
    let status = w.inside(&["auth", "status"]);
    status
        .ok()
        .stdout_has(&format!("{} (default, from {})", w.b.url(), pin.display()))
        .stdout_has(&format!("Tenant: acme {from}"));
    insta::assert_snapshot!("pinned_status", filtered(&w, &status.stdout));
    let j = json_of(&w.inside(&["auth", "status", "--json"]));
    let e = &j["environments"][0];
    assert_eq!(e["api_url"], w.b.url().as_str());
    assert_eq!(e["default"], true);
    let source = json!({"kind": "pin", "name": pin.display().to_string()});
    assert_eq!(e["api_url_source"], source);
    assert_eq!(e["tenant_source"], source);
    assert_eq!(j["environments"][1]["api_url_source"], Value::Null);
    // the pin's tenant is for its API URL: A, named with -h, has none
    w.inside(&["auth", "status", "-h", &w.a.url()])
        .ok()
        .stdout_has("Tenant: none");
    // outside, nothing changed
    w.outside(&["auth", "status"])
        .ok()
        .stdout_has(&format!("{} (default)\n", w.a.url()))
        .not_anywhere(".keyward.toml");
}

#[test]
fn flags_and_variables_beat_the_pin_and_the_pin_beats_config() {
    let mut w = World::new();
    w.env
        .run(
            &["config", "set", "tenant", "from-config", "-h", &w.b.url()],
            "",
        )
        .ok();
    w.pin(
        &format!("api_url = \"{}\"\ntenant = \"acme\"\n", w.b.url()),
        0o600,
    );
    w.inside(&["auth", "status", "-h", &w.b.url()])
        .ok()
        .stdout_has("Tenant: acme (from ");
    w.outside(&["auth", "status", "-h", &w.b.url()])
        .ok()
        .stdout_has("Tenant: from-config (from config.toml, for this API URL)");
    assert_eq!(
        w.inside(&["auth", "token", "-h", &w.a.url()]).ok().stdout,
        format!("{TA}\n")
    );
    w.inside(&["auth", "status", "--tenant", "flagged"])
        .ok()
        .stdout_has("Tenant: flagged (from --tenant)");
    // KEYWARD_TOKEN belongs to the directory's default API URL, the pin's
    w.env.set_env("KEYWARD_TOKEN", "kwd_env_abcdef0123");
    assert_eq!(
        w.inside(&["auth", "token"]).ok().stdout,
        "kwd_env_abcdef0123\n"
    );
    assert_eq!(
        w.inside(&["auth", "token", "-h", &w.a.url()]).ok().stdout,
        format!("{TA}\n")
    );
    w.env.set_env("KEYWARD_API_URL", &w.a.url());
    w.env.set_env("KEYWARD_TENANT", "from-env");
    assert_eq!(
        w.inside(&["auth", "token", "-h", &w.b.url()]).ok().stdout,
        format!("{TB}\n")
    );
    w.inside(&["auth", "status"])
        .ok()
        .stdout_has(&format!("{} (default)\n", w.a.url()))
        .stdout_has("Tenant: from-env (from KEYWARD_TENANT)");
}

#[test]
fn config_get_says_that_the_pin_wins_here() {
    let w = World::new();
    let pin = w.pin(&format!("api_url = \"{}\"\n", w.b.url()), 0o644);
    let out = w.inside(&["config", "get", "api_url"]);
    assert_eq!(out.ok().stdout, format!("{}\n", w.a.url()));
    out.stderr_has(&format!(
        "! in this directory {} sets api_url = {}: commands run here use that, not config.toml",
        pin.display(),
        w.b.url()
    ));
    w.inside(&["config", "list"])
        .ok()
        .stderr_has(&format!("{} sets api_url", pin.display()));
    let out = w.outside(&["config", "get", "api_url"]);
    out.ok().not_anywhere(".keyward.toml");
}

#[test]
fn a_pin_others_can_write_is_ignored_with_a_warning_naming_it() {
    let w = World::new();
    let pin = w.pin(&format!("api_url = \"{}\"\n", w.b.url()), 0o664);
    let warning = format!(
        "! ignored {p}: it is writable by its group (mode 0664), and a pin someone else can change must not choose your account; to use it, `chmod go-w {p}`",
        p = pin.display()
    );
    let out = w.inside(&["auth", "token"]);
    assert_eq!(out.ok().stdout, format!("{TA}\n"), "the config default");
    out.stderr_has(&warning);
    assert_eq!(out.stderr.matches("! ignored").count(), 1, "once\n{out:#?}");
    let out = w.inside(&["auth", "status"]);
    out.ok()
        .stderr_has(&warning)
        .stdout_has(&format!("{} (default)\n", w.a.url()));
    let j = json_of(&w.inside(&["auth", "status", "--json"]));
    assert_eq!(j["warnings"][0], warning.trim_start_matches("! "), "{j:#}");
    // a planted pin with a token in it stops nothing either
    std::fs::write(&pin, "token = \"kwd_planted\"\n").unwrap();
    w.inside(&["auth", "token"]).ok().stderr_has("! ignored");
    // fixed as the warning says, it counts
    std::fs::set_permissions(&pin, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(&pin, format!("api_url = \"{}\"\n", w.b.url())).unwrap();
    let out = w.inside(&["auth", "token"]);
    assert_eq!(out.ok().stdout, format!("{TB}\n"));
    out.not_anywhere("ignored");
}

/// True when the tests run as root (who can give a file to another user).
fn root() -> bool {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("f");
    std::fs::write(&f, "").unwrap();
    std::fs::metadata(&f).unwrap().uid() == 0
}

#[test]
fn a_pin_owned_by_another_user_is_ignored() {
    if !root() {
        eprintln!("skipped: only root can give a file to another user");
        return;
    }
    let w = World::new();
    let pin = w.pin(&format!("api_url = \"{}\"\n", w.b.url()), 0o644);
    std::os::unix::fs::chown(&pin, Some(4242), Some(4242)).unwrap();
    let out = w.inside(&["auth", "token"]);
    assert_eq!(out.ok().stdout, format!("{TA}\n"));
    out.stderr_has(&format!(
        "! ignored {p}: it belongs to uid 4242, not to you (uid 0) or root",
        p = pin.display()
    ))
    .stderr_has(&format!("`sudo chown 0 {}`", pin.display()));
}

#[test]
fn a_pin_holding_a_token_or_an_unknown_key_is_refused() {
    let w = World::new();
    let pin = w.pin(
        &format!(
            "api_url = \"{}\"\ntoken = \"kwd_s3cr3t_in_a_pin\"\n",
            w.b.url()
        ),
        0o600,
    );
    let out = w.inside(&["auth", "token"]);
    out.code(1)
        .stderr_has(&format!(
            "pins never hold secrets: remove `token` from {}",
            pin.display()
        ))
        .stderr_has("KEYWARD_TOKEN")
        .stderr_has("revoke")
        .not_anywhere("s3cr3t");
    w.inside(&["auth", "status"])
        .code(1)
        .stderr_has("pins never hold secrets");
    w.pin("tenatn = \"acme\"\n", 0o600);
    w.inside(&["auth", "status"])
        .code(1)
        .stderr_has(&format!("unknown key `tenatn` in {}", pin.display()))
        .stderr_has("a pin may set only `api_url`, `tenant`, `user`");
    w.pin("api_url = \"ftp://x\"\n", 0o600);
    w.inside(&["auth", "token"])
        .code(1)
        .stderr_has(&format!("{}: `api_url` is invalid", pin.display()));
    // config commands still work, to mend things
    w.inside(&["config", "list"]).ok();
}

/// The pin's directory is where it is found: a symlinked pin counts by
/// its target.
#[test]
fn a_symlinked_pin_counts_by_its_target() {
    let w = World::new();
    let shared = w.env.dir.path().join("shared.toml");
    std::fs::write(&shared, format!("api_url = \"{}\"\n", w.b.url())).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o644)).unwrap();
    let link = w.project.join(".keyward.toml");
    std::os::unix::fs::symlink(&shared, &link).unwrap();
    assert_eq!(w.inside(&["auth", "token"]).ok().stdout, format!("{TB}\n"));
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o666)).unwrap();
    w.inside(&["auth", "token"])
        .ok()
        .stderr_has(&format!("! ignored {}", link.display()));
}

#[test]
fn a_pins_user_picks_a_stored_account_of_its_api_and_is_passed_over_otherwise() {
    const TA2: &str = "kwd_pin_a2_0123456789";
    let a = Server::profile(vec![
        (
            TA,
            json!({"id": "u-ann", "name": "Ann A", "email": "ann@a.test"}),
        ),
        (
            TA2,
            json!({"id": "u-cy", "name": "Cy", "email": "cy@a.test"}),
        ),
    ]);
    let env = TestEnv::new();
    let url = a.url();
    for tok in [TA, TA2] {
        env.run(&["auth", "login", "--token-stdin", "-h", &url], tok)
            .ok();
    }
    let project = env.dir.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    let pin = project.join(".keyward.toml");
    let write = |text: &str, mode: u32| {
        std::fs::write(&pin, text).unwrap();
        std::fs::set_permissions(&pin, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    let token = |args: &[&str], vars: &[(&str, &str)]| {
        let mut a = vec!["auth", "token"];
        a.extend_from_slice(args);
        let mut cmd = env.cmd(&a);
        cmd.current_dir(&project);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{o:?}");
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    };
    // cy logged in last: the active account
    assert_eq!(token(&[], &[]), TA2);
    write(
        &format!("api_url = \"{url}\"\nuser = \"ann@a.test\"\n"),
        0o644,
    );
    assert_eq!(token(&[], &[]), TA, "the pin's user");
    // flag and variable beat the pin
    assert_eq!(token(&["-u", "cy@a.test"], &[]), TA2);
    assert_eq!(token(&[], &[("KEYWARD_USER", "cy@a.test")]), TA2);
    // status names the pin as what picked the account
    env.run_in(&project, &["auth", "status"], "")
        .ok()
        .stdout_has(&format!(
            "✓ Logged in as Ann A (ann@a.test) (from {})",
            pin.display()
        ));
    // outside the project the active account is used
    assert_eq!(
        env.run_in(env.dir.path(), &["auth", "token", "-h", &url], "")
            .ok()
            .stdout
            .trim(),
        TA2
    );
    // an account that is not stored: passed over, with a notice
    write(&format!("api_url = \"{url}\"\nuser = \"dave\"\n"), 0o644);
    let out = env.run_in(&project, &["auth", "token"], "");
    out.ok()
        .stderr_has(&format!("`dave` (from {}) is not stored", pin.display()));
    assert_eq!(out.stdout.trim(), TA2);
    // a pin others can write chooses nobody's account
    write(
        &format!("api_url = \"{url}\"\nuser = \"ann@a.test\"\n"),
        0o666,
    );
    let out = env.run_in(&project, &["auth", "token"], "");
    out.ok().stderr_has("ignored");
    assert_eq!(out.stdout.trim(), TA2);
}
