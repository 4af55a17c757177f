//! Generated docs (completions, man pages) must match the code.
//! Regenerate with `KEYWARD_REGENERATE=1 cargo test docs`.

use std::path::Path;

fn check(path: &str, content: &[u8]) {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if std::env::var_os("KEYWARD_REGENERATE").is_some() {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
        return;
    }
    let on_disk = std::fs::read(&p).unwrap_or_default();
    assert!(
        on_disk == content,
        "{path} is out of date with the CLI definition.\nSolution: run `KEYWARD_REGENERATE=1 cargo test docs` and commit the result."
    );
}

#[test]
fn completions_are_current() {
    use clap_complete::Shell;
    for (shell, file) in [
        (Shell::Bash, "completions/keyward.bash"),
        (Shell::Zsh, "completions/_keyward"),
        (Shell::Fish, "completions/keyward.fish"),
        (Shell::PowerShell, "completions/_keyward.ps1"),
        (Shell::Elvish, "completions/keyward.elv"),
    ] {
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut keyward::cli::command(), "keyward", &mut buf);
        check(file, &buf);
    }
}

/// One man page per visible command, as `cargo deb` and the packages install
/// them: `keyward.1`, `keyward-auth.1`, `keyward-auth-login.1`, ... (hidden
/// commands such as `auth git-credential` have none). Named and walked the
/// way `clap_mangen::generate_to` does, rendered in memory.
fn man_pages() -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(cmd: &clap::Command, pages: &mut std::collections::BTreeMap<String, Vec<u8>>) {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, pages);
        }
        // The footer names the program, not the subcommand ("login 0.1.0").
        let man = clap_mangen::Man::new(cmd.clone())
            .source(format!("keyward {}", env!("CARGO_PKG_VERSION")));
        let mut buf = Vec::new();
        man.render(&mut buf).unwrap();
        pages.insert(man.get_filename(), buf);
    }
    let mut cmd = keyward::cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = std::collections::BTreeMap::new();
    walk(&cmd, &mut pages);
    pages
}

const MAN_DIR: &str = "packaging/man";

#[test]
fn man_pages_are_current() {
    let pages = man_pages();
    for must in ["keyward.1", "keyward-auth-login.1", "keyward-api.1"] {
        assert!(pages.contains_key(must), "{must}: {:?}", pages.keys());
    }
    assert!(!pages.contains_key("keyward-auth-git-credential.1"));
    assert!(!pages.contains_key("keyward-help.1"));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(MAN_DIR);
    let regenerate = std::env::var_os("KEYWARD_REGENERATE").is_some();
    // A page of a command that is gone (or renamed) is stale too.
    for entry in std::fs::read_dir(&dir).into_iter().flatten() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !pages.contains_key(&name) {
            if regenerate {
                std::fs::remove_file(dir.join(&name)).unwrap();
            } else {
                panic!(
                    "{MAN_DIR}/{name} is no command's man page.\nSolution: run `KEYWARD_REGENERATE=1 cargo test docs` and commit the result."
                );
            }
        }
    }
    for (name, page) in &pages {
        check(&format!("{MAN_DIR}/{name}"), page);
    }
}

/// Every man page is in the .deb (Cargo.toml `[package.metadata.deb]`).
#[test]
fn the_deb_installs_every_man_page() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let manifest: toml::Table = manifest.parse().unwrap();
    let assets = manifest["package"]["metadata"]["deb"]["assets"]
        .as_array()
        .unwrap();
    let sources: Vec<&str> = assets.iter().map(|a| a[0].as_str().unwrap()).collect();
    assert!(
        sources.contains(&"packaging/man/*.1"),
        "packaging/man/*.1 is not a .deb asset: {sources:?}"
    );
}

#[test]
fn help_texts_have_examples_and_exit_codes() {
    let mut cmd = keyward::cli::command();
    let top = cmd.render_long_help().to_string();
    assert!(
        top.contains("Exit codes") && top.contains("4  authentication"),
        "{top}"
    );
    for sub in cmd.get_subcommands_mut() {
        let name = sub.get_name().to_string();
        if sub.has_subcommands() {
            let group = sub.render_long_help().to_string();
            assert!(
                group.contains("Examples:"),
                "`{name}` --help has no examples"
            );
            for leaf in sub.get_subcommands_mut() {
                if leaf.get_name() == "help" {
                    continue;
                }
                let h = leaf.render_long_help().to_string();
                assert!(
                    h.contains("Examples:"),
                    "`{name} {}` --help has no examples",
                    leaf.get_name()
                );
            }
        } else if name != "help" {
            let h = sub.render_long_help().to_string();
            assert!(h.contains("Examples:"), "`{name}` --help has no examples");
        }
    }
}
