//! `scripts/release VERSION URL`: the RPM spec, Homebrew formula, Scoop
//! manifest and AUR PKGBUILD rendered from packaging/templates/. The tools
//! that read them (rpmspec, ruby, makepkg) run in `scripts/check-packages`;
//! here: the Scoop manifest's schema, the PKGBUILD as bash reads it (its
//! `check()` run on a stand-in binary), the spec's `%check`, the version in
//! each package's form, paths relative to the caller, and the script's
//! refusals.

use std::path::Path;
use std::process::Command;

const URL: &str = "https://github.com/keyward/keyward/archive/refs/tags/v1.2.3.tar.gz";
const WIN: &str = "https://github.com/keyward/keyward/releases/download/v1.2.3/keyward-1.2.3-x86_64-pc-windows-msvc.zip";

fn release(args: &[&str]) -> std::process::Output {
    release_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// The script run from `cwd`, as a release engineer runs it from anywhere.
fn release_in(cwd: &Path, args: &[&str]) -> std::process::Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    Command::new("bash")
        .arg(root.join("scripts/release"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The PKGBUILD sourced by bash, as makepkg reads it: the variables named.
fn pkgbuild_vars(pkgbuild: &Path, names: &[&str]) -> Vec<String> {
    let print: Vec<String> = names.iter().map(|n| format!("\"${{{n}}}\"")).collect();
    let o = Command::new("bash")
        .arg("-c")
        .arg(format!(
            r#"set -eu; source "$1"; printf '%s\n' {}"#,
            print.join(" ")
        ))
        .arg("bash")
        .arg(pkgbuild)
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A stand-in for the built binary in `dir/keyward-VERSION/target/release`
/// that prints `printed` for `keyward -V`, as the packages' checks run it.
fn fake_build(dir: &Path, version: &str, printed: &str) {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join(format!("keyward-{version}/target/release"));
    std::fs::create_dir_all(&bin).unwrap();
    let keyward = bin.join("keyward");
    std::fs::write(&keyward, format!("#!/bin/sh\necho '{printed}'\n")).unwrap();
    std::fs::set_permissions(&keyward, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn release_renders_the_four_packages_from_the_templates() {
    let out = tempfile::tempdir().unwrap();
    let tarball = out.path().join("keyward-1.2.3.tar.gz");
    std::fs::write(&tarball, b"not really a tarball").unwrap();
    let sha = "6a0ba1e5b4a6d11bd0fc6d6f2bb59d2d54a1c8d6e9b1ea3d3b8ffd1d0b4c8b7a";
    let dir = out.path().join("out");
    let o = release(&[
        "1.2.3",
        URL,
        "--tarball",
        tarball.to_str().unwrap(),
        "--windows-url",
        WIN,
        "--windows-sha256",
        sha,
        "--out",
        dir.to_str().unwrap(),
        "--allow-other-version",
    ]);
    assert!(o.status.success(), "{o:?}");
    let listed = String::from_utf8(o.stdout).unwrap();
    for f in ["keyward.spec", "keyward.rb", "keyward.json", "PKGBUILD"] {
        assert!(
            listed.contains(&format!("{}/{f}", dir.display())),
            "{listed}"
        );
    }
    // sha256 of the local file, computed by the script (sha2 here)
    let tar_sha = sha256_hex(b"not really a tarball");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();

    // Scoop: the fields scoop's schema requires, and the ones it installs by.
    let scoop: serde_json::Value = serde_json::from_str(&read("keyward.json")).unwrap();
    assert_eq!(scoop["version"], "1.2.3");
    assert_eq!(scoop["homepage"], "https://github.com/keyward/keyward");
    assert_eq!(scoop["license"], "MIT|Apache-2.0");
    assert_eq!(scoop["bin"], "keyward.exe");
    assert!(scoop["description"].as_str().is_some_and(|d| !d.is_empty()));
    let x64 = &scoop["architecture"]["64bit"];
    assert_eq!(x64["url"], WIN);
    assert_eq!(x64["hash"], sha);

    // PKGBUILD, as makepkg reads it: sourced by bash.
    let o = Command::new("bash")
        .arg("-c")
        .arg(r#"set -eu; source "$1"; printf '%s\n' "$pkgname" "$pkgver" "$pkgrel" "${source[0]}" "${sha256sums[0]}" "${license[0]}"; declare -F prepare build check package"#)
        .arg("bash")
        .arg(dir.join("PKGBUILD"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    let lines: Vec<String> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        lines[..6],
        [
            "keyward",
            "1.2.3",
            "1",
            &format!("keyward-1.2.3.tar.gz::{URL}"),
            &tar_sha,
            "MIT OR Apache-2.0"
        ]
    );
    assert_eq!(lines.len(), 10, "{lines:?}");

    let spec = read("keyward.spec");
    assert!(spec.contains("\nVersion:        1.2.3\n"), "{spec}");
    assert!(
        spec.contains(&format!(
            "\nSource0:        {URL}#/keyward-%{{version}}.tar.gz\n"
        )),
        "{spec}"
    );
    assert!(
        spec.contains(&format!(
            "echo \"{tar_sha}  %{{SOURCE0}}\" | sha256sum -c -"
        )),
        "{spec}"
    );
    assert!(
        spec.contains("\n%autosetup -n keyward-1.2.3\n")
            && spec.contains("\n./target/release/keyward -V | grep -qx 'keyward 1.2.3'\n"),
        "{spec}"
    );
    let formula = read("keyward.rb");
    assert!(
        formula.contains(&format!(
            "  url \"{URL}\"\n  version \"1.2.3\"\n  sha256 \"{tar_sha}\"\n"
        )),
        "{formula}"
    );
    // Every package installs every man page, completions and licences.
    for text in [&spec, &formula, &read("PKGBUILD")] {
        for f in [
            "packaging/man/*.1",
            "completions/keyward.bash",
            "completions/_keyward",
            "completions/keyward.fish",
        ] {
            assert!(text.contains(f), "{f}: {text}");
        }
    }
    for text in [&spec, &read("PKGBUILD")] {
        assert!(text.contains("LICENSE-MIT LICENSE-APACHE"), "{text}");
    }
}

#[test]
fn release_refuses_what_a_package_cannot_hold() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let sha = &"0".repeat(64);
    for (args, said) in [
        (vec!["1.2.3", URL], "no sha256 of the tarball"),
        (
            vec!["1.2.3", URL, "--sha256", "abc"],
            "--sha256 'abc' is not a sha256 of the tarball",
        ),
        (vec!["1.2", URL, "--sha256", sha], "is not a version"),
        (vec!["1.2.3.4", URL, "--sha256", sha], "is not a version"),
        // pacman would sort 1.2.31 after 1.2.4: a pre-release starts with a letter
        (vec!["1.2.3-1", URL, "--sha256", sha], "is not a version"),
        (
            vec!["1.2.3", "http://x.test/a.tar.gz", "--sha256", sha],
            "not an https URL",
        ),
        (
            vec!["1.2.3", "https://x.test/a.tar.gz#frag", "--sha256", sha],
            "'https://x.test/a.tar.gz#frag' has a '#'",
        ),
        (
            vec!["1.2.3", "https://x.test/$HOME.tar.gz", "--sha256", sha],
            "has a '$'",
        ),
        (
            vec!["1.2.3", "https://x.test/a b.tar.gz", "--sha256", sha],
            "has a ' '",
        ),
        (
            vec!["1.2.3", "https://x.test/a%zz.tar.gz", "--sha256", sha],
            "has a '%' that is not %XX",
        ),
        (
            vec!["1.2.3", URL, "--sha256", sha, "--windows-url", WIN],
            "no sha256 of the Windows zip",
        ),
        (
            vec![
                "1.2.3",
                URL,
                "--sha256",
                sha,
                "--windows-url",
                WIN,
                "--windows-zip",
                "/nonexistent.zip",
            ],
            "--windows-zip /nonexistent.zip: no such file",
        ),
    ] {
        let mut args = args;
        args.extend(["--out", out, "--allow-other-version"]);
        let o = release(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.starts_with("error: ") && err.contains(said) && err.contains("\nSolution: "),
            "{args:?}: {err}"
        );
    }
    assert!(!dir.path().join("PKGBUILD").exists());
    // Without a Windows zip: no Scoop manifest, said so.
    let o = release(&[
        "1.2.3",
        URL,
        "--sha256",
        sha,
        "--out",
        out,
        "--allow-other-version",
    ]);
    assert!(o.status.success(), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("Scoop manifest (keyward.json) is not written")
    );
    assert!(!dir.path().join("keyward.json").exists());
    assert!(dir.path().join("PKGBUILD").exists());
}

/// A pre-release: the tarball unpacks to keyward-1.2.3-rc1/ (Cargo's form,
/// what `keyward -V` prints); RPM and pacman cannot hold the '-' and sort
/// the release after 1.2.3~rc1 and 1.2.3rc1. `1.2.3~rc1` is read the same.
#[test]
fn release_renders_a_pre_release_that_builds() {
    let sha = &"ab".repeat(32);
    let mut rendered = Vec::new();
    for given in ["1.2.3-rc1", "1.2.3~rc1"] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let o = release(&[
            given,
            URL,
            "--sha256",
            sha,
            "--windows-url",
            WIN,
            "--windows-sha256",
            sha,
            "--out",
            out.to_str().unwrap(),
            "--allow-other-version",
        ]);
        assert!(o.status.success(), "{given}: {o:?}");
        let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap();

        let spec = read("keyward.spec");
        assert!(spec.contains("\nVersion:        1.2.3~rc1\n"), "{spec}");
        assert!(
            spec.contains("\n%autosetup -n keyward-1.2.3-rc1\n"),
            "{spec}"
        );
        assert!(
            spec.contains(" keyward contributors - 1.2.3~rc1-1\n- keyward 1.2.3-rc1\n"),
            "{spec}"
        );
        // %check, run in the unpacked directory on a binary printing 1.2.3-rc1
        let check = spec
            .split("\n%check\n")
            .nth(1)
            .and_then(|rest| rest.split("\n\n").next())
            .unwrap();
        assert_eq!(
            check,
            "./target/release/keyward -V | grep -qx 'keyward 1.2.3-rc1'"
        );
        let build = tempfile::tempdir().unwrap();
        fake_build(build.path(), "1.2.3-rc1", "keyward 1.2.3-rc1");
        let ok = Command::new("bash")
            .args(["-c", check])
            .current_dir(build.path().join("keyward-1.2.3-rc1"))
            .status()
            .unwrap();
        assert!(ok.success(), "{check}");

        let formula = read("keyward.rb");
        assert!(formula.contains("\n  version \"1.2.3-rc1\"\n"), "{formula}");
        assert!(
            formula.contains(
                r##"assert_match "keyward #{version}", shell_output("#{bin}/keyward --version")"##
            ),
            "{formula}"
        );
        let scoop: serde_json::Value = serde_json::from_str(&read("keyward.json")).unwrap();
        assert_eq!(scoop["version"], "1.2.3-rc1");

        // PKGBUILD: pkgver without '-' (makepkg refuses one), the source's
        // directory in Cargo's form; check() and package() run from there.
        let pkgbuild = out.join("PKGBUILD");
        assert_eq!(
            pkgbuild_vars(&pkgbuild, &["pkgver", "_version", "source[0]"]),
            [
                "1.2.3rc1",
                "1.2.3-rc1",
                &format!("keyward-1.2.3-rc1.tar.gz::{URL}")
            ]
        );
        let run_check = |printed: &str| {
            let src = tempfile::tempdir().unwrap();
            fake_build(src.path(), "1.2.3-rc1", printed);
            Command::new("bash")
                .arg("-c")
                .arg(r#"set -eu; source "$1"; check"#)
                .arg("bash")
                .arg(&pkgbuild)
                .current_dir(src.path())
                .status()
                .unwrap()
        };
        assert!(run_check("keyward 1.2.3-rc1").success());
        assert!(!run_check("keyward 1.2.3~rc1").success());
        rendered.push(
            ["keyward.spec", "keyward.rb", "keyward.json", "PKGBUILD"].map(|f| {
                read(f)
                    .lines()
                    .filter(|l| !l.starts_with("* ")) // the RPM changelog's date
                    .collect::<Vec<_>>()
                    .join("\n")
            }),
        );
    }
    assert_eq!(rendered[0], rendered[1], "1.2.3-rc1 and 1.2.3~rc1 differ");
}

/// --tarball, --windows-zip and --out name files from where the script is
/// run, not from the repository's root.
#[test]
fn release_reads_and_writes_paths_relative_to_the_caller() {
    let cwd = tempfile::tempdir().unwrap();
    std::fs::write(cwd.path().join("keyward-1.2.3.tar.gz"), b"source").unwrap();
    std::fs::write(cwd.path().join("keyward.zip"), b"zip").unwrap();
    let o = release_in(
        cwd.path(),
        &[
            "1.2.3",
            URL,
            "--tarball",
            "keyward-1.2.3.tar.gz",
            "--windows-url",
            WIN,
            "--windows-zip",
            "./keyward.zip",
            "--out",
            "rel",
            "--allow-other-version",
        ],
    );
    assert!(o.status.success(), "{o:?}");
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "rel/keyward.spec\nrel/keyward.rb\nrel/PKGBUILD\nrel/keyward.json\n"
    );
    let rel = cwd.path().join("rel");
    let pkgbuild = std::fs::read_to_string(rel.join("PKGBUILD")).unwrap();
    assert!(
        pkgbuild.contains(&format!("sha256sums=('{}')", sha256_hex(b"source"))),
        "{pkgbuild}"
    );
    let scoop = std::fs::read_to_string(rel.join("keyward.json")).unwrap();
    assert!(scoop.contains(&sha256_hex(b"zip")), "{scoop}");
    // nothing written under the repository's root
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(!root.join("rel").exists());

    // A relative path that exists only under the repository's root is not read.
    let o = release_in(
        cwd.path(),
        &[
            "1.2.3",
            URL,
            "--tarball",
            "Cargo.toml",
            "--allow-other-version",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--tarball Cargo.toml: no such file"),
        "{o:?}"
    );
}

/// The usage names every argument; a bad one is an error naming it, with a
/// Solution and the usage, exit 2.
#[test]
fn release_usage_and_bad_arguments() {
    let main_line = "./scripts/release VERSION URL (--sha256 HEX | --tarball FILE)";
    let o = release(&["--help"]);
    assert!(o.status.success(), "{o:?}");
    let help = String::from_utf8(o.stdout).unwrap();
    assert!(help.starts_with(main_line), "{help}");
    for arg in [
        "--windows-url URL",
        "--windows-zip FILE",
        "--out DIR",
        "--allow-other-version",
    ] {
        assert!(help.contains(arg), "{arg}: {help}");
    }
    let sha = &"0".repeat(64);
    for (args, said) in [
        (vec![], "error: VERSION and URL are required"),
        (vec!["1.2.3"], "error: VERSION and URL are required"),
        (
            vec!["1.2.3", URL, "--frob"],
            "error: unknown argument '--frob'",
        ),
        (
            vec!["1.2.3", URL, "--sha256=abc"],
            "error: unknown argument '--sha256=abc'\nSolution: write the value after a space: --sha256 abc",
        ),
        (
            vec!["1.2.3", URL, "extra", "--sha256", sha],
            "error: unexpected argument 'extra'",
        ),
        (
            vec!["1.2.3", URL, "--sha256"],
            "error: --sha256 needs a value",
        ),
        (
            vec!["1.2.3", URL, "--sha256", sha, "--out"],
            "error: --out needs a value",
        ),
    ] {
        let o = release(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with(said), "{args:?}: {err}");
        assert!(
            err.contains("\nSolution: ") && err.contains(main_line),
            "{args:?}: {err}"
        );
    }
}

/// VERSION is Cargo.toml's: another is refused (the packages would check
/// that `keyward -V` prints it) unless --allow-other-version. An upper-case
/// --sha256 is read as lower case; one given with --tarball must match it.
/// A query string's `&` reaches every package intact.
#[test]
fn release_checks_the_version_and_sha256_and_keeps_the_url() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let own = env!("CARGO_PKG_VERSION");
    let sha = "ABCDEF0123456789".repeat(4);

    let o = release(&["9.9.9", URL, "--sha256", &sha, "--out", out]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "error: version 9.9.9 is not the one in Cargo.toml ({own})"
        )) && err.contains("Solution: ")
            && err.contains("--allow-other-version"),
        "{err}"
    );
    assert!(!dir.path().join("keyward.spec").exists());

    let url = "https://dl.test/keyward.tar.gz?tag=v1&kind=source";
    let o = release(&[own, url, "--sha256", &sha, "--out", out]);
    assert!(o.status.success(), "{o:?}");
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
    let lower = sha.to_lowercase();
    assert!(read("keyward.rb").contains(&format!("  url \"{url}\"\n")));
    assert!(read("keyward.rb").contains(&format!("  sha256 \"{lower}\"\n")));
    assert!(read("keyward.spec").contains(&format!(
        "\nSource0:        {url}#/keyward-%{{version}}.tar.gz\n"
    )));
    assert_eq!(
        pkgbuild_vars(
            &dir.path().join("PKGBUILD"),
            &["source[0]", "sha256sums[0]"]
        ),
        [format!("keyward-{own}.tar.gz::{url}"), lower]
    );

    let tarball = dir.path().join("keyward.tar.gz");
    std::fs::write(&tarball, b"source").unwrap();
    let tarball = tarball.to_str().unwrap();
    let o = release(&[
        own,
        URL,
        "--sha256",
        &sha,
        "--tarball",
        tarball,
        "--out",
        out,
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "is not the sha256 of {tarball} ({})",
            sha256_hex(b"source")
        )),
        "{err}"
    );
    let upper = sha256_hex(b"source").to_uppercase();
    let o = release(&[
        own,
        URL,
        "--sha256",
        &upper,
        "--tarball",
        tarball,
        "--out",
        out,
    ]);
    assert!(o.status.success(), "{o:?}");
}
