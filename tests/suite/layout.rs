//! The shape of the source tree: data flows one way (no import cycle between
//! files), no file grows past 600 lines before its tests, and the library
//! builds without the command line.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Most lines a file in src/ may have before its `#[cfg(test)]` module.
const MAX_LINES: usize = 600;

struct File {
    /// `crate::a::b`.
    module: String,
    path: PathBuf,
    /// The code before the tests, without comments.
    code: String,
    /// Child modules declared with `mod x;`.
    children: BTreeSet<String>,
}

fn module_of(src: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    std::iter::once("crate".to_string())
        .chain(parts)
        .collect::<Vec<_>>()
        .join("::")
}

/// The text before the file's test module (`#[cfg(test)]` or
/// `#[cfg(all(test, ...))]` followed by `mod`).
fn before_tests(text: &str) -> &str {
    let mut offset = 0;
    let mut lines = text.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        let attr = line.starts_with("#[cfg(") && line.contains("test");
        if attr && lines.peek().is_some_and(|n| n.starts_with("mod ")) {
            return &text[..offset];
        }
        offset += line.len();
    }
    text
}

fn strip_comments(code: &str) -> String {
    code.lines()
        .map(|l| match l.find("//") {
            // good enough: the source has no "//" inside string literals
            // that name crate paths
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn load(src: &Path) -> Vec<File> {
    let mut out = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs")
                && p.file_name().unwrap() != "main.rs"
            {
                let text = std::fs::read_to_string(&p).unwrap();
                let code = strip_comments(before_tests(&text));
                let children = code
                    .lines()
                    .filter_map(|l| {
                        let l = l.trim();
                        let l = l
                            .strip_prefix("pub ")
                            .or_else(|| l.strip_prefix("pub(crate) "))
                            .unwrap_or(l);
                        l.strip_prefix("mod ")?
                            .strip_suffix(';')
                            .map(|m| m.trim().to_string())
                    })
                    .collect();
                out.push(File {
                    module: module_of(src, &p),
                    path: p,
                    code,
                    children,
                });
            }
        }
    }
    out
}

/// `use a::{b::{C, D}, e};` → ["a::b::C", "a::b::D", "a::e"].
fn expand(tree: &str) -> Vec<String> {
    let tree: String = tree.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(open) = tree.find('{') else {
        return vec![tree.split(" as ").next().unwrap_or(&tree).to_string()];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .flat_map(|p| expand(p).into_iter().map(move |x| format!("{prefix}{x}")))
        .map(|x| x.trim_end_matches("::self").to_string())
        .collect()
}

/// Turn a path written in `file` into an absolute `crate::...` path.
fn absolute(file: &File, path: &str) -> Option<String> {
    let mut segs: Vec<&str> = path.split("::").collect();
    let mut base: Vec<String> = file.module.split("::").map(str::to_string).collect();
    // `mod.rs`/`lib.rs` files are their module; `x.rs` files too. `super`
    // goes one level up from the file's module.
    match segs.first().copied() {
        Some("crate") => return Some(path.to_string()),
        Some("super") => {
            while segs.first() == Some(&"super") {
                segs.remove(0);
                base.pop();
            }
        }
        Some("self") => {
            segs.remove(0);
        }
        Some(first) if file.children.contains(first) => {}
        _ => return None,
    }
    base.extend(segs.iter().map(|s| s.to_string()));
    Some(base.join("::"))
}

/// The file an absolute path lands in, following re-exports of `lib.rs`
/// and `mod.rs` files.
fn resolve(
    files: &BTreeMap<String, &File>,
    reexports: &BTreeMap<String, String>,
    path: &str,
) -> Option<String> {
    let mut path = path.to_string();
    for _ in 0..8 {
        let segs: Vec<&str> = path.split("::").collect();
        let mut found = None;
        for n in (1..=segs.len()).rev() {
            let m = segs[..n].join("::");
            if files.contains_key(&m) {
                found = Some((m, n));
                break;
            }
        }
        let (m, n) = found?;
        if let Some(next) = segs.get(n)
            && let Some(target) = reexports.get(&format!("{m}::{next}"))
        {
            let rest = segs[n + 1..].join("::");
            path = if rest.is_empty() {
                target.clone()
            } else {
                format!("{target}::{rest}")
            };
            continue;
        }
        return Some(m);
    }
    None
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let all = load(&src);
    let files: BTreeMap<String, &File> = all.iter().map(|f| (f.module.clone(), f)).collect();
    // Re-exports: `pub use x::Y` in a file makes `<file>::Y` mean `<x>::Y`.
    let mut reexports = BTreeMap::new();
    let mut uses: BTreeMap<String, Vec<(String, bool)>> = BTreeMap::new();
    for f in &all {
        let mut list = Vec::new();
        for stmt in f.code.split(';') {
            let s = stmt.trim();
            let (is_pub, rest) = if let Some(r) = s.strip_prefix("pub use ") {
                (true, r)
            } else if let Some(r) = s.strip_prefix("pub(crate) use ") {
                (true, r)
            } else if let Some(r) = s.strip_prefix("use ") {
                (false, r)
            } else {
                continue;
            };
            for p in expand(rest) {
                let Some(abs) = absolute(f, &p) else { continue };
                if is_pub {
                    let name = p.rsplit("::").next().unwrap_or(&p).to_string();
                    reexports.insert(format!("{}::{name}", f.module), abs.clone());
                }
                list.push((abs, is_pub));
            }
        }
        uses.insert(f.module.clone(), list);
    }
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &all {
        let mut targets = BTreeSet::new();
        for (abs, is_pub) in &uses[&f.module] {
            // A module re-exporting its own children is not a dependency.
            let own_child = abs
                .strip_prefix(&format!("{}::", f.module))
                .and_then(|r| r.split("::").next())
                .is_some_and(|c| f.children.contains(c));
            if *is_pub && own_child {
                continue;
            }
            if let Some(t) = resolve(&files, &reexports, abs) {
                targets.insert(t);
            }
        }
        // Paths written inline: `crate::a::b(..)`, `super::x::y`, `child::f(..)`
        // (use statements were read above).
        let code = &f
            .code
            .split(';')
            .filter(|s| {
                let s = s.trim_start();
                !(s.starts_with("use ")
                    || s.starts_with("pub use ")
                    || s.starts_with("pub(crate) use "))
            })
            .collect::<Vec<_>>()
            .join(";");
        let bytes = code.as_bytes();
        let mut i = 0;
        while i < code.len() {
            if !code.is_char_boundary(i) {
                i += 1;
                continue;
            }
            let rest = &code[i..];
            let word_start = i == 0
                || !(bytes[i - 1].is_ascii_alphanumeric()
                    || bytes[i - 1] == b'_'
                    || bytes[i - 1] == b':');
            let starts = word_start
                && (rest.starts_with("crate::")
                    || rest.starts_with("super::")
                    || f.children
                        .iter()
                        .any(|c| rest.starts_with(&format!("{c}::"))));
            if !starts {
                i += 1;
                continue;
            }
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            let p = rest[..end].trim_end_matches(':');
            if let Some(abs) = absolute(f, p)
                && let Some(t) = resolve(&files, &reexports, &abs)
            {
                targets.insert(t);
            }
            i += end.max(1);
        }
        targets.remove(&f.module);
        graph.insert(f.module.clone(), targets);
    }
    graph
}

fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    // 0 = new, 1 = on the stack, 2 = done
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in graph.get(n).into_iter().flatten() {
            match state.get(m).copied().unwrap_or(0) {
                1 => {
                    let start = stack.iter().position(|s| s == m).unwrap();
                    let mut cycle = stack[start..].to_vec();
                    cycle.push(m.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(m, graph, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if state.get(n).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(c) = visit(n, graph, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn no_import_cycle_between_source_files() {
    let g = graph();
    assert!(g.len() > 30, "the scan found only {} files", g.len());
    // The scan sees real dependencies.
    assert!(
        g["crate::auth::login"].contains("crate::profile"),
        "{:?}",
        g["crate::auth::login"]
    );
    assert!(
        g["crate::error"].contains("crate::store"),
        "{:?}",
        g["crate::error"]
    );
    if let Some(c) = find_cycle(&g) {
        panic!("import cycle: {}", c.join(" -> "));
    }
}

#[test]
fn lower_layers_never_reach_up() {
    let g = graph();
    if std::env::var_os("LAYOUT_DEBUG").is_some() {
        for (k, v) in &g {
            eprintln!("{k}: {v:?}");
        }
    }
    // What a module may not depend on, directly or through others.
    let rules: &[(&str, &[&str])] = &[
        (
            "crate::store",
            &[
                "crate::error",
                "crate::config",
                "crate::session",
                "crate::auth",
                "crate::oauth",
                "crate::cli",
            ],
        ),
        (
            "crate::config",
            &[
                "crate::error",
                "crate::session",
                "crate::auth",
                "crate::oauth",
                "crate::cli",
            ],
        ),
        (
            "crate::record",
            &[
                "crate::error",
                "crate::store",
                "crate::config",
                "crate::session",
            ],
        ),
        (
            "crate::oauth",
            &["crate::auth", "crate::cli", "crate::token_source"],
        ),
        ("crate::auth", &["crate::cli", "crate::token_source"]),
        (
            "crate::session",
            &["crate::auth", "crate::oauth", "crate::cli"],
        ),
    ];
    for (module, forbidden) in rules {
        for (from, _) in g
            .iter()
            .filter(|(m, _)| *m == module || m.starts_with(&format!("{module}::")))
        {
            let mut seen = BTreeSet::new();
            let mut todo = vec![from.clone()];
            while let Some(n) = todo.pop() {
                for m in g.get(&n).into_iter().flatten() {
                    if seen.insert(m.clone()) {
                        todo.push(m.clone());
                    }
                }
            }
            for f in *forbidden {
                let bad: Vec<_> = seen
                    .iter()
                    .filter(|s| *s == f || s.starts_with(&format!("{f}::")))
                    .collect();
                assert!(bad.is_empty(), "{from} reaches {bad:?}");
            }
        }
    }
}

#[test]
fn no_source_file_passes_600_lines_before_its_tests() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut long = Vec::new();
    for f in load(&src) {
        let text = std::fs::read_to_string(&f.path).unwrap();
        let n = before_tests(&text).lines().count();
        if n > MAX_LINES {
            long.push(format!("{} ({n} lines)", f.path.display()));
        }
    }
    assert!(long.is_empty(), "split these files: {long:?}");
}

#[test]
fn the_library_builds_without_clap() {
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "tree",
            "-e",
            "normal",
            "--no-default-features",
            "--offline",
            "--prefix",
            "none",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo tree");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(tree.contains("keyring"), "{tree}");
    for krate in [
        "clap ",
        "clap_complete ",
        "clap_builder ",
        "indicatif ",
        "dialoguer ",
        "console ",
    ] {
        assert!(
            !tree.contains(krate),
            "{krate}is in the tree without the cli feature:\n{tree}"
        );
    }
}

#[test]
fn use_trees_expand() {
    assert_eq!(
        expand("crate::a::{b::{C, D}, e, self}"),
        [
            "crate::a::b::C",
            "crate::a::b::D",
            "crate::a::e",
            "crate::a"
        ]
    );
}

#[test]
fn outside_input_cannot_reach_a_panic_clippy_denies_it_in_src() {
    for file in ["src/lib.rs", "src/main.rs"] {
        let text =
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
                .unwrap();
        for lint in [
            "clippy::unwrap_used",
            "clippy::expect_used",
            "clippy::panic",
            "clippy::indexing_slicing",
        ] {
            assert!(text.contains(lint), "{file} does not deny {lint}");
        }
    }
}
