//! The book (`book/`), checked in two parts.
//!
//! (a) `includes_resolve_to_anchors_in_compiled_sources` runs in every `cargo test` and needs no
//!     mdbook: every `{{#include path:anchor}}` in `book/src` names an existing file with exactly one
//!     `ANCHOR:`/`ANCHOR_END:` pair; a Rust code block holds nothing but includes, is marked
//!     `ignore`, and includes only from source files of compiled crates (a module declared from the
//!     crate root, or a binary), so every listing in the book is compiled, linted and tested code;
//!     every image and chapter link resolves (with `#fragment`s checked against the headings); and
//!     every chapter is listed in `SUMMARY.md`.
//! (a′) `sources_hold_no_control_characters`: a TeX command written through a string escape
//!     (`"\rvert"`, `"\text"`, `"\rho"` in an editing script) becomes a line break, tab or form
//!     feed plus the command's tail (`vert`, `ext`, `ho`), which KaTeX renders as plain words: no
//!     chapter or included fragment holds a tab, carriage return or other control character.
//! (b) `built_book_is_offline_and_fully_rendered` checks the HTML in `book/book/` when it exists
//!     (CI builds it and sets `RMT_SGD_REQUIRE_BOOK=1`, which makes a missing book an error): no
//!     script, stylesheet or image is loaded from the network, no TeX is left unrendered outside code,
//!     pages with math link the vendored KaTeX stylesheet, and every font and image they need exists.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// Files under `dir` (recursively, following symbolic links) whose name ends with `ext`.
fn files_with_ext(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<PathBuf> = fs::read_dir(&d)
            .unwrap_or_else(|e| panic!("read {}: {e}", d.display()))
            .map(|e| e.expect("dir entry").path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// `a/b/../c` -> `a/c` without touching the file system (keeps symbolic links meaningful).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn rel(p: &Path) -> String {
    p.strip_prefix(repo_root())
        .unwrap_or(p)
        .display()
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// (a) sources of the book
// ---------------------------------------------------------------------------------------------

/// One `{{#include ...}}` directive.
#[derive(Debug)]
struct Include {
    line: usize,
    path: String,
    anchor: Option<String>,
}

/// The unescaped `{{#...}}` directives on a line (mdbook treats `\{{#` as literal text).
fn directives(line: &str, lineno: usize, md: &Path, errors: &mut Vec<String>) -> Vec<Include> {
    let mut out = Vec::new();
    let mut rest = line;
    let mut offset = 0;
    while let Some(i) = rest.find("{{#") {
        let abs = offset + i;
        let escaped = abs > 0 && line.as_bytes()[abs - 1] == b'\\';
        let after = &rest[i + 3..];
        let Some(end) = after.find("}}") else {
            errors.push(format!("{}:{lineno}: unterminated {{{{#", rel(md)));
            break;
        };
        let body = after[..end].trim();
        if !escaped {
            let (kind, arg) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
            if kind != "include" {
                errors.push(format!(
                    "{}:{lineno}: `{{{{#{kind}}}}}`: only {{{{#include}}}} is used in this book",
                    rel(md)
                ));
            } else {
                let arg = arg.trim();
                let (path, anchor) = match arg.split_once(':') {
                    Some((p, a)) => (p.to_string(), Some(a.to_string())),
                    None => (arg.to_string(), None),
                };
                if let Some(a) = &anchor {
                    if a.is_empty()
                        || !a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        || a.chars().all(|c| c.is_ascii_digit())
                    {
                        errors.push(format!(
                            "{}:{lineno}: `{arg}`: include by a named anchor, not by line numbers",
                            rel(md)
                        ));
                    }
                }
                out.push(Include {
                    line: lineno,
                    path,
                    anchor,
                });
            }
        }
        let consumed = i + 3 + end + 2;
        offset += consumed;
        rest = &rest[consumed..];
    }
    out
}

/// The crate-relative module path of a source file is reachable from the crate root: each
/// component `m` is declared as `mod m;` in its parent (`lib.rs`/`main.rs`, `x.rs` or `x/mod.rs`).
fn compiled_source(file: &Path) -> Result<(), String> {
    let root = repo_root();
    let relp = file
        .strip_prefix(&root)
        .map_err(|_| "outside the repository".to_string())?;
    let parts: Vec<String> = relp
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.len() < 4 || parts[0] != "crates" || parts[2] != "src" {
        return Err("not under crates/<crate>/src/".into());
    }
    if !parts.last().unwrap().ends_with(".rs") {
        return Err("not a .rs file".into());
    }
    let src = root.join(&parts[0]).join(&parts[1]).join("src");
    let inner = &parts[3..];
    // Crate roots and binaries are compiled targets by themselves.
    if inner == ["lib.rs"] || inner == ["main.rs"] || (inner.len() == 2 && inner[0] == "bin") {
        return Ok(());
    }
    let crate_root = ["lib.rs", "main.rs"]
        .iter()
        .map(|f| src.join(f))
        .find(|p| p.exists())
        .ok_or("the crate has neither lib.rs nor main.rs")?;
    // Module names along the path: a/b.rs -> [a, b]; a/mod.rs -> [a].
    let mut names: Vec<String> = inner.iter().map(|s| s.to_string()).collect();
    let last = names.pop().unwrap();
    if last != "mod.rs" {
        names.push(last.trim_end_matches(".rs").to_string());
    }
    let mut parent = crate_root;
    let mut dir = src.clone();
    for name in &names {
        let text = fs::read_to_string(&parent).map_err(|e| format!("{}: {e}", rel(&parent)))?;
        let declared = text.lines().any(|l| {
            let t = l.trim();
            let t = t
                .strip_prefix("pub(crate) ")
                .or_else(|| t.strip_prefix("pub "))
                .unwrap_or(t);
            t == format!("mod {name};")
        });
        if !declared {
            return Err(format!(
                "module `{name}` is not declared in {}",
                rel(&parent)
            ));
        }
        let as_file = dir.join(format!("{name}.rs"));
        let as_dir = dir.join(name).join("mod.rs");
        parent = if as_file.exists() { as_file } else { as_dir };
        dir = dir.join(name);
    }
    Ok(())
}

/// mdbook's heading ids: alphanumerics, `_` and `-` kept (ASCII lowercased), whitespace to `-`,
/// everything else dropped.
fn heading_id(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c.to_ascii_lowercase())
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// Heading ids of a chapter (headings with inline math are skipped: their ids depend on KaTeX).
fn heading_ids(md: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut in_code = false;
    for line in md.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code || !line.starts_with('#') {
            continue;
        }
        let text = line.trim_start_matches('#').trim();
        if text.contains('$') {
            continue;
        }
        ids.insert(heading_id(&text.replace('`', "")));
    }
    ids
}

/// `line` without its inline math (`$...$`); `display` tracks whether we are inside a `$$` block.
fn without_math(line: &str, display: &mut bool) -> String {
    let mut out = String::new();
    let mut in_math = *display;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                if !in_math {
                    out.push(c);
                    out.push(n);
                }
            }
            continue;
        }
        if c == '$' {
            if chars.peek() == Some(&'$') {
                chars.next();
                *display = !*display;
                in_math = *display;
            } else if !*display {
                in_math = !in_math;
            }
            continue;
        }
        if !in_math {
            out.push(c);
        }
    }
    out
}

/// Link and image targets `](target)` and `src="target"` of a line.
fn link_targets(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (open, close) in [("](", ')'), ("src=\"", '"')] {
        let mut rest = line;
        while let Some(i) = rest.find(open) {
            let after = &rest[i + open.len()..];
            match after.find(close) {
                Some(end) => {
                    out.push(after[..end].trim().to_string());
                    rest = &after[end..];
                }
                None => break,
            }
        }
    }
    out
}

#[test]
fn sources_hold_no_control_characters() {
    let root = repo_root();
    let mut files = files_with_ext(&root.join("book").join("src"), ".md");
    for dir in ["data", "tests/measured"] {
        files.extend(
            files_with_ext(&root.join(dir), ".md")
                .into_iter()
                .filter(|p| !p.to_string_lossy().contains("/python/runs/")),
        );
    }
    files.push(root.join("README.md"));
    let mut errors = Vec::new();
    for f in &files {
        let text = fs::read_to_string(f).unwrap_or_default();
        for (k, line) in text.lines().enumerate() {
            if let Some(c) = line.chars().find(|c| c.is_control()) {
                errors.push(format!("{}:{}: control character {c:?}", rel(f), k + 1));
            }
        }
        // A lost "\r" (carriage return) also splits TeX as `\lvert … B` / `vert$` over two lines.
        for (k, pair) in text.lines().collect::<Vec<_>>().windows(2).enumerate() {
            let next = pair[1].trim_start();
            if pair[0].contains('$')
                && ["vert", "ho$", "ho ", "ightarrow", "ext{"]
                    .iter()
                    .any(|t| next.starts_with(t))
            {
                errors.push(format!(
                    "{}:{}: `{next}` looks like a TeX command split by a lost \\r",
                    rel(f),
                    k + 2
                ));
            }
        }
    }
    assert!(files.len() > 20, "only {} files read", files.len());
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn includes_resolve_to_anchors_in_compiled_sources() {
    let src = repo_root().join("book").join("src");
    assert!(src.is_dir(), "book/src is missing");
    let chapters = files_with_ext(&src, ".md");
    let summary = fs::read_to_string(src.join("SUMMARY.md")).expect("book/src/SUMMARY.md");
    let mut errors = Vec::new();
    let (mut n_rust, mut n_other) = (0usize, 0usize);

    for md in &chapters {
        let text = fs::read_to_string(md).unwrap();
        let dir = md.parent().unwrap();
        let name = md
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if name != "SUMMARY.md" && !summary.contains(&format!("({name})")) {
            errors.push(format!("{}: not listed in SUMMARY.md", rel(md)));
        }
        // Fenced blocks: (fence, info string) while inside one.
        let mut fence: Option<(String, String)> = None;
        let mut display_math = false;
        for (k, line) in text.lines().enumerate() {
            let lineno = k + 1;
            let t = line.trim_start();
            let ticks = t.chars().take_while(|&c| c == '`').count();
            if ticks >= 3 {
                let f = "`".repeat(ticks);
                match &fence {
                    None => {
                        fence = Some((f, t[ticks..].trim().to_string()));
                        continue;
                    }
                    Some((open, _)) if *open == f && t[ticks..].trim().is_empty() => {
                        fence = None;
                        continue;
                    }
                    _ => {}
                }
            }
            let in_rust =
                matches!(&fence, Some((f, info)) if f == "```" && info.starts_with("rust"));
            let incs = directives(line, lineno, md, &mut errors);
            if in_rust {
                let info = &fence.as_ref().unwrap().1;
                if !info.split(',').any(|w| w.trim() == "ignore") {
                    errors.push(format!(
                        "{}:{lineno}: rust block `{info}` must be `rust,ignore` (its code is compiled in its crate)",
                        rel(md)
                    ));
                }
                if !line.trim().is_empty() && incs.len() != 1 {
                    errors.push(format!(
                        "{}:{lineno}: a Rust block holds only {{{{#include}}}} lines, found `{}`",
                        rel(md),
                        line.trim()
                    ));
                }
            }
            for inc in incs {
                let file = normalize(&dir.join(&inc.path));
                if !file.is_file() {
                    errors.push(format!(
                        "{}:{}: include `{}`: no such file {}",
                        rel(md),
                        inc.line,
                        inc.path,
                        rel(&file)
                    ));
                    continue;
                }
                if in_rust {
                    n_rust += 1;
                    if inc.anchor.is_none() {
                        errors.push(format!(
                            "{}:{}: Rust include `{}` needs an anchor",
                            rel(md),
                            inc.line,
                            inc.path
                        ));
                    }
                    if let Err(e) = compiled_source(&file) {
                        errors.push(format!(
                            "{}:{}: `{}` is not compiled code: {e}",
                            rel(md),
                            inc.line,
                            inc.path
                        ));
                    }
                } else {
                    n_other += 1;
                }
                if let Some(anchor) = &inc.anchor {
                    let code = fs::read_to_string(&file).unwrap();
                    let marker = |kind: &str| {
                        code.lines()
                            .enumerate()
                            .filter(|(_, l)| {
                                // `// ANCHOR: x` in Rust, `# ANCHOR: x` in Python,
                                // `<!-- ANCHOR: x -->` in generated Markdown.
                                l.trim()
                                    .trim_start_matches("//")
                                    .trim_start_matches('#')
                                    .trim_start_matches("<!--")
                                    .trim_end_matches("-->")
                                    .trim()
                                    .strip_prefix(kind)
                                    .is_some_and(|r| r.trim() == anchor)
                            })
                            .map(|(i, _)| i)
                            .collect::<Vec<_>>()
                    };
                    let (start, end) = (marker("ANCHOR:"), marker("ANCHOR_END:"));
                    match (start.as_slice(), end.as_slice()) {
                        ([s], [e]) if s + 1 < *e => {}
                        _ => errors.push(format!(
                            "{}:{}: anchor `{anchor}` in {}: need one ANCHOR and one later ANCHOR_END \
                             around some code, found starts at {start:?} and ends at {end:?}",
                            rel(md),
                            inc.line,
                            rel(&file)
                        )),
                    }
                }
            }
            if fence.is_some() {
                continue;
            }
            for target in link_targets(&without_math(line, &mut display_math)) {
                if target.is_empty()
                    || target.starts_with("http://")
                    || target.starts_with("https://")
                    || target.starts_with("mailto:")
                {
                    continue;
                }
                let (path, frag) = match target.split_once('#') {
                    Some((p, f)) => (p, Some(f)),
                    None => (target.as_str(), None),
                };
                let file = if path.is_empty() {
                    md.clone()
                } else {
                    normalize(&dir.join(path))
                };
                if !file.exists() {
                    errors.push(format!(
                        "{}:{lineno}: link `{target}`: no such file {}",
                        rel(md),
                        rel(&file)
                    ));
                    continue;
                }
                if let (Some(frag), true) = (frag, file.extension().is_some_and(|e| e == "md")) {
                    let ids = heading_ids(&fs::read_to_string(&file).unwrap());
                    if !ids.contains(frag) {
                        errors.push(format!(
                            "{}:{lineno}: link `{target}`: no heading with id `{frag}` in {}",
                            rel(md),
                            rel(&file)
                        ));
                    }
                }
            }
        }
        if fence.is_some() {
            errors.push(format!("{}: unterminated code block", rel(md)));
        }
    }
    eprintln!(
        "book: {} chapters, {n_rust} Rust listings included from compiled sources, {n_other} other includes",
        chapters.len()
    );
    assert!(n_rust > 0, "the book includes no code");
    assert!(errors.is_empty(), "book sources:\n{}", errors.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// (b) the built HTML
// ---------------------------------------------------------------------------------------------

/// `text` with the contents of every `<tag ...>...</tag>` removed.
fn strip_elements(text: &str, tag: &str) -> String {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(&open) {
        // `<pre` must not match `<prefix`: the next byte ends the tag name.
        let next = rest.as_bytes().get(i + open.len()).copied();
        if !matches!(next, Some(b'>' | b' ' | b'\n' | b'\t')) {
            out.push_str(&rest[..i + open.len()]);
            rest = &rest[i + open.len()..];
            continue;
        }
        out.push_str(&rest[..i]);
        match rest[i..].find(&close) {
            Some(j) => rest = &rest[i + j + close.len()..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every `<tag ...>` start tag of the given names, as its attribute text.
fn start_tags<'a>(html: &'a str, names: &[&str]) -> Vec<(String, &'a str)> {
    let mut out = Vec::new();
    let lower = html.to_ascii_lowercase();
    for name in names {
        let open = format!("<{name}");
        let mut from = 0;
        while let Some(i) = lower[from..].find(&open) {
            let start = from + i;
            let next = lower.as_bytes().get(start + open.len()).copied();
            let end = lower[start..].find('>').map_or(lower.len(), |e| start + e);
            if matches!(next, Some(b' ' | b'>' | b'\n' | b'\t' | b'/')) {
                out.push((name.to_string(), &html[start..end]));
            }
            from = end.max(start + 1);
        }
    }
    out
}

/// The value of attribute `name` in a start tag, if any.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let pat = format!(" {name}=");
    let i = tag.find(&pat)? + pat.len();
    let rest = &tag[i..];
    let (quote, rest) = match rest.chars().next()? {
        q @ ('"' | '\'') => (q, &rest[1..]),
        _ => (' ', rest),
    };
    Some(rest.split(quote).next().unwrap_or(""))
}

/// Text that is still TeX: `$$`, `\(`, `\)`, `\[`, `\]`, `$` before a letter or backslash, or a
/// control word (backslash + letters).
fn raw_tex(text: &str) -> Option<String> {
    let b = text.as_bytes();
    for i in 0..b.len() {
        let next = b.get(i + 1).copied();
        let hit = match b[i] {
            b'$' => {
                matches!(next, Some(b'$' | b'\\')) || next.is_some_and(|c| c.is_ascii_alphabetic())
            }
            b'\\' => {
                matches!(next, Some(b'(' | b')' | b'[' | b']'))
                    || next.is_some_and(|c| c.is_ascii_alphabetic())
            }
            _ => false,
        };
        if hit {
            let mut lo = i.saturating_sub(40);
            while !text.is_char_boundary(lo) {
                lo -= 1;
            }
            let mut hi = (i + 40).min(text.len());
            while !text.is_char_boundary(hi) {
                hi += 1;
            }
            return Some(text[lo..hi].replace('\n', " "));
        }
    }
    None
}

fn is_remote(url: &str) -> bool {
    let u = url.trim().to_ascii_lowercase();
    u.starts_with("http://") || u.starts_with("https://") || u.starts_with("//")
}

#[test]
fn built_book_is_offline_and_fully_rendered() {
    let out = repo_root().join("book").join("book");
    if !out.join("index.html").is_file() {
        let required = std::env::var("RMT_SGD_REQUIRE_BOOK").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "RMT_SGD_REQUIRE_BOOK=1 but book/book/index.html does not exist: run `mdbook build book` first"
        );
        eprintln!("book: book/book/ not built, HTML checks skipped (run `mdbook build book`)");
        return;
    }
    let pages = files_with_ext(&out, ".html");
    let mut errors = Vec::new();
    let (mut with_math, mut images) = (0usize, 0usize);
    let mut stylesheets = BTreeSet::new();
    for page in &pages {
        let html = fs::read_to_string(page).unwrap();
        let dir = page.parent().unwrap();
        let name = rel(page);
        // 1. Nothing is loaded from the network.
        for (tag, text) in start_tags(
            &html,
            &[
                "script", "link", "img", "source", "iframe", "embed", "video", "audio",
            ],
        ) {
            for attr in ["src", "href", "srcset", "data"] {
                if let Some(v) = attribute(text, attr) {
                    if is_remote(v) {
                        errors.push(format!(
                            "{name}: <{tag} {attr}=\"{v}\"> loads from the network"
                        ));
                    } else if tag == "img" && attr == "src" {
                        images += 1;
                        let f = normalize(&dir.join(v.split(['#', '?']).next().unwrap()));
                        if !f.is_file() {
                            errors.push(format!("{name}: image {v} missing from the output"));
                        }
                    } else if tag == "link" && attr == "href" && v.ends_with(".css") {
                        stylesheets.insert(normalize(&dir.join(v)));
                    }
                }
            }
        }
        // Links between pages land on an existing id.
        for (_, text) in start_tags(&html, &["a"]) {
            let Some(href) = attribute(text, "href") else {
                continue;
            };
            let Some((path, frag)) = href.split_once('#') else {
                continue;
            };
            if is_remote(href) || path.contains(':') || frag.is_empty() {
                continue;
            }
            let target = if path.is_empty() {
                page.clone()
            } else {
                normalize(&dir.join(path))
            };
            match fs::read_to_string(&target) {
                Ok(t) if t.contains(&format!("id=\"{frag}\"")) => {}
                Ok(_) => errors.push(format!("{name}: link {href}: no element with id `{frag}`")),
                Err(_) => errors.push(format!("{name}: link {href}: no such page")),
            }
        }
        for cdn in [
            "cdn.jsdelivr",
            "cdnjs.",
            "unpkg.com",
            "fonts.googleapis",
            "mathjax",
        ] {
            if html.to_ascii_lowercase().contains(cdn) {
                errors.push(format!("{name}: mentions `{cdn}`"));
            }
        }
        // 2. No TeX is left outside code.
        let mut text = html.clone();
        for tag in ["pre", "code", "script", "style", "annotation", "title"] {
            text = strip_elements(&text, tag);
        }
        if let Some(ctx) = raw_tex(&text) {
            errors.push(format!("{name}: unrendered TeX near `{ctx}`"));
        }
        if html.contains("katex-error") {
            errors.push(format!(
                "{name}: KaTeX could not parse some math (katex-error)"
            ));
        }
        // 3. Pages with math use the vendored KaTeX stylesheet.
        if html.contains("class=\"katex") {
            with_math += 1;
            let linked = start_tags(&html, &["link"]).iter().any(|(_, t)| {
                attribute(t, "href").is_some_and(|h| h.ends_with("katex/katex.min.css"))
            });
            if !linked {
                errors.push(format!(
                    "{name}: has math but does not link katex/katex.min.css"
                ));
            }
        }
    }
    // 4. Every stylesheet exists, loads nothing remote, and every font or image it names exists.
    let mut fonts = 0usize;
    for css in &stylesheets {
        let Ok(text) = fs::read_to_string(css) else {
            errors.push(format!("stylesheet {} missing from the output", rel(css)));
            continue;
        };
        let mut rest = text.as_str();
        while let Some(i) = rest.find("url(") {
            let after = &rest[i + 4..];
            let end = after.find(')').unwrap_or(after.len());
            let url = after[..end].trim().trim_matches(['"', '\'']);
            rest = &after[end..];
            if url.starts_with("data:") {
                continue;
            }
            if is_remote(url) {
                errors.push(format!("{}: url({url}) loads from the network", rel(css)));
                continue;
            }
            let f = normalize(
                &css.parent()
                    .unwrap()
                    .join(url.split(['#', '?']).next().unwrap()),
            );
            if f.is_file() {
                fonts += 1;
            } else {
                errors.push(format!("{}: url({url}) missing from the output", rel(css)));
            }
        }
        if text.contains("@import")
            && (text.contains("@import url(http") || text.contains("@import \"http"))
        {
            errors.push(format!("{}: @import from the network", rel(css)));
        }
    }
    eprintln!(
        "book: {} pages, {with_math} with KaTeX math, {images} images, {} stylesheets naming {fonts} local files",
        pages.len(),
        stylesheets.len()
    );
    assert!(
        with_math > 0,
        "no page contains rendered math: is mdbook-katex running?"
    );
    assert!(
        stylesheets
            .iter()
            .any(|s| s.ends_with("katex/katex.min.css")),
        "the KaTeX stylesheet is not linked"
    );
    assert!(errors.is_empty(), "built book:\n{}", errors.join("\n"));
}
