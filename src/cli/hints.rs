//! `Solution:` lines that repeat the environment a command acted on: a
//! hint naming one of the program's commands (`keyward auth login`,
//! `keyward tenants list`, ...) gets ` -h <api_url>` and ` --tenant <t>`
//! added where that command takes them, so that following it fixes the
//! environment that failed, not the default one.
//!
//! `-h` is the one spelling hints use for the API URL: it is gh's
//! (`gh auth login -h HOST`), and the flag every command taking an API
//! URL accepts, in keyward and in a CLI that mounts its `auth` commands.

/// The API URL and tenant a command acted on, and which commands take them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hints {
    /// The API URL to repeat: given on the command line or by
    /// `{ENV}_API_URL`, and not the default one.
    pub api_url: Option<String>,
    /// The tenant to repeat: given with `--tenant`.
    pub tenant: Option<String>,
    /// The account to repeat: given with `-u/--user`.
    pub user: Option<String>,
    /// The built-in default API URL, when it is the one a command without
    /// `-h` acts on (no config `api_url`, no pin): hints drop `-h` naming
    /// it, so that users of a build with a baked-in API URL type only
    /// `<tool> auth login`.
    pub builtin_api_url: Option<String>,
    /// Commands by path (`"auth login"`) with whether they take `-h` and
    /// `--tenant`.
    pub commands: Vec<CommandFlags>,
}

/// Which of the environment flags one command takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandFlags {
    /// The words after the program's name: `"auth login"`.
    pub path: String,
    /// It takes `-h/--hostname/--api-url`.
    pub api_url: bool,
    /// It takes `--tenant`.
    pub tenant: bool,
    /// It takes `-u/--user`.
    pub user: bool,
}

/// Shell words that end one command of a line.
const SEPARATORS: &[&str] = &["|", "||", "&&", ";"];

impl Hints {
    /// Every command of `cmd`'s tree (the program itself left out) and
    /// whether it takes the API URL (an argument with id `api_url`) and the
    /// tenant (id `tenant`).
    pub fn commands_of(cmd: &clap::Command) -> Vec<CommandFlags> {
        fn walk(cmd: &clap::Command, prefix: &str, out: &mut Vec<CommandFlags>) {
            for sub in cmd.get_subcommands() {
                let path = format!("{prefix}{}", sub.get_name()).trim().to_string();
                let has = |id: &str| sub.get_arguments().any(|a| a.get_id() == id);
                out.push(CommandFlags {
                    path: path.clone(),
                    api_url: has("api_url"),
                    tenant: has("tenant"),
                    user: has("user"),
                });
                walk(sub, &format!("{path} "), out);
            }
        }
        let mut out = Vec::new();
        walk(cmd, "", &mut out);
        out
    }

    /// `hint` with every backticked command of `bin` carrying the API URL
    /// and the tenant, where it takes them and does not name them already.
    pub fn rewrite(&self, hint: &str, bin: &str) -> String {
        if self.api_url.is_none()
            && self.tenant.is_none()
            && self.user.is_none()
            && self.builtin_api_url.is_none()
        {
            return hint.to_string();
        }
        hint.split('`')
            .enumerate()
            .map(|(i, part)| {
                if i % 2 == 1 {
                    self.rewrite_code(part, bin)
                } else {
                    part.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("`")
    }

    /// One backticked piece of shell: each command of `bin` in it.
    fn rewrite_code(&self, code: &str, bin: &str) -> String {
        let mut words = code.split_whitespace().peekable();
        let mut out: Vec<String> = Vec::new();
        let mut changed = false;
        while let Some(w) = words.next() {
            out.push(w.to_string());
            if w != bin {
                continue;
            }
            // The words of this command, up to the next separator.
            let mut args: Vec<&str> = Vec::new();
            while let Some(a) = words.next_if(|a| !SEPARATORS.contains(a)) {
                args.push(a);
            }
            let before = args.len();
            self.drop_builtin_api_url(&mut args);
            changed |= args.len() != before;
            out.extend(args.iter().map(|a| a.to_string()));
            let added = self.additions(&args);
            changed |= !added.is_empty();
            out.extend(added);
        }
        if changed {
            out.join(" ")
        } else {
            code.to_string()
        }
    }

    /// Remove `-h <built-in API URL>` (any spelling) from a command's
    /// words, when no other API URL is to be repeated.
    fn drop_builtin_api_url(&self, args: &mut Vec<&str>) {
        let Some(builtin) = self.builtin_api_url.as_deref() else {
            return;
        };
        if self.api_url.is_some() {
            return;
        }
        const FLAGS: [&str; 3] = ["-h", "--hostname", "--api-url"];
        let mut kept = Vec::with_capacity(args.len());
        let mut words = args.iter().copied().peekable();
        while let Some(w) = words.next() {
            if FLAGS.contains(&w) && words.peek() == Some(&builtin) {
                words.next();
            } else if !FLAGS
                .iter()
                .any(|f| w.strip_prefix(f).and_then(|r| r.strip_prefix('=')) == Some(builtin))
            {
                kept.push(w);
            }
        }
        *args = kept;
    }

    /// The flags to add to a command given as the words after `bin`.
    fn additions(&self, args: &[&str]) -> Vec<String> {
        let Some(flags) = self
            .commands
            .iter()
            .filter(|c| {
                let path: Vec<&str> = c.path.split(' ').collect();
                args.get(..path.len()) == Some(&path[..])
            })
            .max_by_key(|c| c.path.len())
        else {
            return Vec::new();
        };
        let names = |long: &[&str], short: Option<&str>| {
            args.iter().any(|a| {
                Some(*a) == short
                    || long
                        .iter()
                        .any(|l| *a == *l || a.starts_with(&format!("{l}=")))
            })
        };
        let mut add = Vec::new();
        if flags.api_url
            && let Some(u) = &self.api_url
            && !names(&["--api-url", "--hostname"], Some("-h"))
        {
            add.extend(["-h".to_string(), u.clone()]);
        }
        if flags.tenant
            && let Some(t) = &self.tenant
            && !names(&["--tenant"], None)
        {
            add.extend(["--tenant".to_string(), t.clone()]);
        }
        if flags.user
            && let Some(u) = &self.user
            && !names(&["--user"], Some("-u"))
            && !u.contains(|c: char| c.is_whitespace() || "'\"`$\\".contains(c))
        {
            add.extend(["-u".to_string(), u.clone()]);
        }
        add
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hints(api_url: Option<&str>, tenant: Option<&str>) -> Hints {
        let flags = |path: &str, api_url, tenant| CommandFlags {
            path: path.into(),
            api_url,
            tenant,
            user: path == "auth refresh",
        };
        Hints {
            api_url: api_url.map(Into::into),
            tenant: tenant.map(Into::into),
            user: None,
            builtin_api_url: None,
            commands: vec![
                flags("auth", false, false),
                flags("auth login", true, true),
                flags("auth refresh", true, false),
                flags("tenants", false, false),
                flags("tenants list", true, false),
                flags("config set", false, false),
            ],
        }
    }

    #[test]
    fn commands_that_take_an_account_get_the_one_given() {
        let mut h = hints(None, None);
        h.user = Some("alice@x.test".into());
        assert_eq!(
            h.rewrite(
                "run `keyward auth refresh` or `keyward auth login`",
                "keyward"
            ),
            "run `keyward auth refresh -u alice@x.test` or `keyward auth login`"
        );
        // never a value the shell would split or expand
        h.user = Some("Alice Smith".into());
        assert_eq!(
            h.rewrite("run `keyward auth refresh`", "keyward"),
            "run `keyward auth refresh`"
        );
    }

    #[test]
    fn commands_get_the_api_url_and_tenant_they_take() {
        let h = hints(Some("https://staging.test"), Some("acme"));
        assert_eq!(
            h.rewrite("run `keyward auth login` again", "keyward"),
            "run `keyward auth login -h https://staging.test --tenant acme` again"
        );
        assert_eq!(
            h.rewrite("run `keyward auth login --device` again", "keyward"),
            "run `keyward auth login --device -h https://staging.test --tenant acme` again"
        );
        // refresh takes no tenant; tenants list neither
        assert_eq!(
            h.rewrite(
                "try `keyward auth refresh`, or `keyward tenants list`",
                "keyward"
            ),
            "try `keyward auth refresh -h https://staging.test`, or `keyward tenants list -h https://staging.test`"
        );
    }

    #[test]
    fn the_built_in_api_url_goes_unsaid() {
        let mut h = hints(None, None);
        h.builtin_api_url = Some("https://api.acme.test".into());
        assert_eq!(
            h.rewrite(
                "run `keyward auth login -h https://api.acme.test` again, or `keyward auth status --hostname=https://api.acme.test`",
                "keyward"
            ),
            "run `keyward auth login` again, or `keyward auth status`"
        );
        // another API URL is kept, and so is the built-in one where
        // another is to be repeated
        let other = "run `keyward auth login -h https://other.test`";
        assert_eq!(h.rewrite(other, "keyward"), other);
        h.api_url = Some("https://other.test".into());
        assert_eq!(
            h.rewrite(
                "run `keyward auth login -h https://api.acme.test`",
                "keyward"
            ),
            "run `keyward auth login -h https://api.acme.test`"
        );
    }

    #[test]
    fn never_twice() {
        let h = hints(Some("https://staging.test"), Some("acme"));
        for given in [
            "-h https://other.test",
            "--api-url https://other.test",
            "--hostname https://other.test",
            "--api-url=https://other.test",
        ] {
            assert_eq!(
                h.rewrite(&format!("run `keyward auth login {given}`"), "keyward"),
                format!("run `keyward auth login {given} --tenant acme`")
            );
        }
        assert_eq!(
            h.rewrite("run `keyward auth login --tenant=x -h a.test`", "keyward"),
            "run `keyward auth login --tenant=x -h a.test`"
        );
    }

    #[test]
    fn other_text_and_commands_are_left_alone() {
        let h = hints(Some("https://staging.test"), Some("acme"));
        for hint in [
            "set `keyward config set credential_store file` (or KEYWARD_CREDENTIAL_STORE=file)",
            "check the `api_url` key; `keyward` is the program",
            "run `acme auth login`",
            "pass `--api-url https://api.example.com`",
            "no code at all",
        ] {
            assert_eq!(h.rewrite(hint, "keyward"), hint);
        }
        // nothing to add: nothing changes, spacing included
        let none = hints(None, None);
        let hint = "run `keyward  auth login` again";
        assert_eq!(none.rewrite(hint, "keyward"), hint);
    }

    #[test]
    fn pipelines_and_branded_names() {
        let h = hints(Some("https://staging.test"), None);
        assert_eq!(
            h.rewrite(
                "`echo \"$TOKEN\" | acme auth login --with-token && acme auth refresh`",
                "acme"
            ),
            "`echo \"$TOKEN\" | acme auth login --with-token -h https://staging.test && acme auth refresh -h https://staging.test`"
        );
    }

    #[test]
    fn the_real_command_tree() {
        let cmds = Hints::commands_of(&crate::cli::command());
        let get = |p: &str| cmds.iter().find(|c| c.path == p).unwrap().clone();
        assert!(get("auth login").api_url && get("auth login").tenant);
        assert!(get("auth refresh").api_url && !get("auth refresh").tenant);
        assert!(get("whoami").api_url);
        // config's -h is a per-host section, not the environment
        assert!(!get("config set").api_url);
        assert!(!get("auth").api_url);
    }
}
