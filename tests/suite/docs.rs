//! Generated docs (completions, man page) must match the code.
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

#[test]
fn man_page_is_current() {
    let mut buf = Vec::new();
    clap_mangen::Man::new(keyward::cli::command())
        .render(&mut buf)
        .unwrap();
    check("packaging/keyward.1", &buf);
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
