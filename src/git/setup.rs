//! Write keyward's credential helper into the user's git config (`git
//! config --global`), as `gh auth setup-git` does: for an origin, first a
//! blank `credential.<origin>.helper` (it empties the chain, so no helper
//! configured before, such as `store`, is ever handed keyward's token),
//! then `!'<keyward>' auth git-credential`. git itself writes the file.

use super::origin::Origin;
use crate::error::{Error, Result};
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The helper line for the program at `exe`: `!'/usr/bin/keyward' auth
/// git-credential`, the path quoted for the shell git runs it with.
pub fn helper_command(exe: &Path) -> String {
    let path = exe.to_string_lossy().replace('\'', r"'\''");
    format!("!'{path}' auth git-credential")
}

/// Run `git config --global ARGS`.
fn git_config<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Result<Output> {
    Command::new("git")
        .arg("config")
        .arg("--global")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            let hint = (e.kind() == std::io::ErrorKind::NotFound).then(|| {
                "install git (Debian: `sudo apt install git`), then run this again".to_string()
            });
            Error::other("cannot run git", Some(e.to_string()), hint)
        })
}

fn failed(what: &str, out: &Output) -> Error {
    Error::other(
        format!("`git config --global` could not {what}"),
        Some(crate::text::printable(
            &String::from_utf8_lossy(&out.stderr),
            300,
        )),
        Some("check that ~/.gitconfig is yours and writable (`git config --global --list`)".into()),
    )
}

/// Make keyward the one credential helper git runs for `origin`, with
/// `command` (see [`helper_command`]). Run again, it replaces its earlier
/// lines. The origin's section is written anew at the end of the file,
/// its other settings (`useHttpPath`, ...) kept in their order, so that it
/// comes after any `credential.helper` set since, which keyward's blank
/// line then cuts off.
pub fn install(origin: &Origin, command: &str) -> Result<()> {
    let key = format!("credential.{origin}.helper");
    let section = format!("credential.{origin}");
    let listed = git_config(&["-z", "--get-regexp", r"^credential\."])?;
    let prefix = format!("{section}.");
    let mut has_section = false;
    // Values are kept as bytes: git does not require UTF-8.
    let mut others: Vec<(String, std::ffi::OsString)> = Vec::new();
    for kv in listed.stdout.split(|b| *b == 0) {
        // `name\nvalue`; a bare `name` is a boolean set to true.
        let (name, value) = match kv.iter().position(|b| *b == b'\n') {
            Some(i) => kv.split_at(i),
            None => (kv, &b"\ntrue"[..]),
        };
        let value = value.get(1..).unwrap_or_default();
        let name = String::from_utf8_lossy(name);
        // The origin's own keys only: `credential.https://git.example.com.au.x`
        // is another section's.
        if let Some(var) = name.strip_prefix(&prefix).filter(|v| !v.contains('.')) {
            has_section = true;
            if !var.eq_ignore_ascii_case("helper") {
                others.push((name.to_string(), os_string(value)));
            }
        }
    }
    if has_section {
        let out = git_config(&["--remove-section", &section])?;
        if !out.status.success() {
            return Err(failed("remove the old keyward lines", &out));
        }
    }
    let ours = [(key.clone(), "".into()), (key.clone(), command.into())];
    for (k, value) in others.into_iter().chain(ours) {
        let args: [&std::ffi::OsStr; 3] = ["--add".as_ref(), k.as_ref(), &value];
        let out = git_config(&args)?;
        if !out.status.success() {
            return Err(failed(&format!("set {k}"), &out));
        }
    }
    Ok(())
}

/// Bytes git printed as an argument for git again, unchanged where the
/// platform allows it.
fn os_string(bytes: &[u8]) -> std::ffi::OsString {
    #[cfg(unix)]
    {
        <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(bytes).to_os_string()
    }
    #[cfg(not(unix))]
    {
        String::from_utf8_lossy(bytes).into_owned().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_is_quoted_for_the_shell() {
        assert_eq!(
            helper_command(Path::new("/usr/bin/keyward")),
            "!'/usr/bin/keyward' auth git-credential"
        );
        assert_eq!(
            helper_command(Path::new("/opt/it's here/kw")),
            r"!'/opt/it'\''s here/kw' auth git-credential"
        );
        use super::super::chain::names_program;
        for path in ["/usr/bin/keyward", "/opt/it's here/keyward"] {
            assert!(names_program(&helper_command(Path::new(path)), "keyward"));
        }
        assert!(names_program(
            "!/usr/bin/keyward auth git-credential",
            "keyward"
        ));
        // Another tool's helper of the same shape is not keyward's.
        assert!(!names_program(
            "!/usr/bin/gh auth git-credential",
            "keyward"
        ));
        assert!(!names_program(
            "!'/usr/bin/gh' auth git-credential",
            "keyward"
        ));
        assert!(!names_program("!'/usr/bin/keyward' auth token", "keyward"));
        assert!(!names_program("store", "keyward"));
        assert!(!names_program(
            "!'/unterminated auth git-credential",
            "keyward"
        ));
    }
}
