//! `scripts/release VERSION URL`: the RPM spec, Homebrew formula, Scoop
//! manifest and AUR PKGBUILD rendered from packaging/templates/. The tools
//! that read them (rpmspec, ruby, makepkg) run in `scripts/check-packages`;
//! here: the Scoop manifest's schema, the PKGBUILD as bash reads it, and
//! the script's refusals.

use std::path::Path;
use std::process::Command;

const URL: &str = "https://github.com/keyward/keyward/archive/refs/tags/v1.2.3.tar.gz";
const WIN: &str = "https://github.com/keyward/keyward/releases/download/v1.2.3/keyward-1.2.3-x86_64-pc-windows-msvc.zip";

fn release(args: &[&str]) -> std::process::Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    Command::new("bash")
        .arg(root.join("scripts/release"))
        .args(args)
        .output()
        .unwrap()
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
    use sha2::Digest;
    let tar_sha: String = sha2::Sha256::digest(b"not really a tarball")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
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
    let formula = read("keyward.rb");
    assert!(
        formula.contains(&format!("  url \"{URL}\"\n  sha256 \"{tar_sha}\"\n")),
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
        (vec!["1.2.3", URL, "--out", out], "no sha256 of the tarball"),
        (
            vec!["1.2.3", URL, "--sha256", "abc", "--out", out],
            "no sha256",
        ),
        (
            vec!["1.2", URL, "--sha256", sha, "--out", out],
            "is not a version",
        ),
        (
            vec!["1.2.3-rc1", URL, "--sha256", sha, "--out", out],
            "0.2.0~rc1",
        ),
        (
            vec![
                "1.2.3",
                "http://x.test/a.tar.gz",
                "--sha256",
                sha,
                "--out",
                out,
            ],
            "not an https URL",
        ),
        (
            vec![
                "1.2.3",
                "https://x.test/a?b=1&c=2",
                "--sha256",
                sha,
                "--out",
                out,
            ],
            "not an https URL",
        ),
        (
            vec![
                "1.2.3",
                URL,
                "--sha256",
                sha,
                "--windows-url",
                WIN,
                "--out",
                out,
            ],
            "no sha256 of the Windows zip",
        ),
    ] {
        let o = release(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(said) && err.contains("Solution: "),
            "{args:?}: {err}"
        );
    }
    // Without a Windows zip: no Scoop manifest, said so.
    let o = release(&["1.2.3", URL, "--sha256", sha, "--out", out]);
    assert!(o.status.success(), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("Scoop manifest (keyward.json) is not written")
    );
    assert!(!dir.path().join("keyward.json").exists());
    assert!(dir.path().join("PKGBUILD").exists());
}
