//! The layering contract: every `crate::` path under `src/` must be an edge the README's layer
//! table allows, and the files of one folder must not import each other in a cycle. Reading the
//! table from the README keeps the documentation and the check one thing.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The README's table: module -> modules it may import (`None` = anything, for the CLI).
fn table() -> BTreeMap<String, Option<BTreeSet<String>>> {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let begin = readme
        .find("<!-- layers:begin -->")
        .expect("layers:begin marker");
    let end = readme
        .find("<!-- layers:end -->")
        .expect("layers:end marker");
    let mut table = BTreeMap::new();
    for row in readme[begin..end].lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let names = ticked(cells[1]);
        let allowed = if cells[2] == "every module" {
            None
        } else {
            Some(ticked(cells[2]))
        };
        for name in names {
            assert!(
                table.insert(name.clone(), allowed.clone()).is_none(),
                "`{name}` has two rows in the layer table"
            );
        }
    }
    table
}

fn ticked(cell: &str) -> BTreeSet<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("read src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The identifiers that follow `prefix` (`crate::` or `super::`) in `text`'s code lines (comments
/// and doc comments may name any module).
fn paths_after<'a>(text: &'a str, prefix: &'a str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("//") {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find(prefix) {
            let preceded_by_ident = rest[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':');
            rest = &rest[at + prefix.len()..];
            let ident: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !preceded_by_ident {
                found.push((n + 1, ident));
            }
        }
    }
    found
}

struct Source {
    rel: String,
    top: String,
    text: String,
}

fn sources() -> Vec<Source> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(&src)
                .expect("under src")
                .to_string_lossy()
                .replace('\\', "/");
            let top = rel
                .split('/')
                .next()
                .expect("first component")
                .trim_end_matches(".rs")
                .to_string();
            let mut text = fs::read_to_string(&path).expect("read source");
            // Unit tests may reach anywhere in their own folder; the shipped graph is what counts.
            if let Some(at) = text.find("#[cfg(test)]\nmod ") {
                text.truncate(at);
            }
            Source { rel, top, text }
        })
        .collect()
}

#[test]
fn every_crate_import_is_an_edge_the_layer_table_allows() {
    let table = table();
    let mut offences = Vec::new();
    for source in sources() {
        if source.top == "lib" || source.top == "main" {
            continue;
        }
        let Some(allowed) = table.get(&source.top) else {
            offences.push(format!(
                "src/{}: module `{}` has no row in README's layer table",
                source.rel, source.top
            ));
            continue;
        };
        for (line, target) in paths_after(&source.text, "crate::") {
            if target.is_empty() {
                offences.push(format!(
                    "src/{}:{line}: grouped `crate::{{..}}` import: write one `use crate::module::..` per module",
                    source.rel
                ));
                continue;
            }
            if target == source.top {
                continue;
            }
            if !table.contains_key(&target) {
                offences.push(format!(
                    "src/{}:{line}: unknown module `{target}`",
                    source.rel
                ));
                continue;
            }
            if let Some(allowed) = allowed
                && !allowed.contains(&target)
            {
                offences.push(format!(
                    "src/{}:{line}: `{}` imports `{target}`, which its row does not allow",
                    source.rel, source.top
                ));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "layering broken:\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_layer_table_itself_has_no_cycle() {
    let table = table();
    let graph: BTreeMap<String, BTreeSet<String>> = table
        .iter()
        .filter_map(|(m, allowed)| allowed.as_ref().map(|a| (m.clone(), a.clone())))
        .collect();
    if let Some(cycle) = find_cycle(&graph) {
        panic!("the layer table allows a cycle: {}", cycle.join(" -> "));
    }
    for (module, allowed) in &graph {
        for target in allowed {
            assert!(
                table.contains_key(target),
                "`{module}` may import `{target}`, which has no row"
            );
        }
    }
}

#[test]
fn the_files_of_one_folder_do_not_import_each_other_in_a_cycle() {
    let sources = sources();
    // folder -> sibling file -> siblings it names (via `super::x` or `crate::folder::x`).
    let mut folders: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    let siblings_of = |folder: &str| -> BTreeSet<String> {
        sources
            .iter()
            .filter_map(|s| {
                let (dir, file) = s.rel.rsplit_once('/')?;
                (dir == folder && file != "mod.rs")
                    .then(|| file.trim_end_matches(".rs").to_string())
            })
            .chain(sources.iter().filter_map(|s| {
                let rest = s.rel.strip_prefix(&format!("{folder}/"))?;
                let (sub, _) = rest.split_once('/')?;
                Some(sub.to_string())
            }))
            .collect()
    };
    for source in &sources {
        let Some((folder, file)) = source.rel.rsplit_once('/') else {
            continue;
        };
        if file == "mod.rs" || file.starts_with("test") {
            continue;
        }
        let me = file.trim_end_matches(".rs").to_string();
        let siblings = siblings_of(folder);
        let folder_path = format!("crate::{}::", folder.replace('/', "::"));
        let mut named: BTreeSet<String> = paths_after(&source.text, "super::")
            .into_iter()
            .map(|(_, ident)| ident)
            .chain(
                paths_after(&source.text, &folder_path)
                    .into_iter()
                    .map(|(_, ident)| ident),
            )
            .filter(|ident| siblings.contains(ident) && *ident != me)
            .collect();
        named.retain(|n| !n.is_empty());
        folders
            .entry(folder.to_string())
            .or_default()
            .entry(me)
            .or_default()
            .extend(named);
    }
    let cycles: Vec<String> = folders
        .iter()
        .filter_map(|(folder, graph)| {
            find_cycle(graph).map(|c| format!("src/{folder}: {}", c.join(" -> ")))
        })
        .collect();
    assert!(
        cycles.is_empty(),
        "files import each other in a cycle:\n{}",
        cycles.join("\n")
    );
}

#[test]
fn the_checker_sees_a_cycle_and_a_grouped_import() {
    let mut graph = BTreeMap::new();
    graph.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    graph.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    assert!(find_cycle(&graph).is_some());
    graph.insert("b".to_string(), BTreeSet::new());
    assert!(find_cycle(&graph).is_none());
    let text = "use crate::{ir, config};\n// use crate::server;\nlet x = crate::routing::run();";
    let found: Vec<String> = paths_after(text, "crate::")
        .into_iter()
        .map(|(_, i)| i)
        .collect();
    assert_eq!(found, vec!["".to_string(), "routing".to_string()]);
}

/// A cycle in `graph` (edges to nodes outside it are ignored), as the path that closes it.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(node) {
            Some(2) => return None,
            Some(1) => {
                let from = stack.iter().position(|n| n == node).unwrap_or(0);
                let mut cycle = stack[from..].to_vec();
                cycle.push(node.to_string());
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(node.to_string(), 1);
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if graph.contains_key(next)
                && let Some(cycle) = visit(next, graph, state, stack)
            {
                return Some(cycle);
            }
        }
        stack.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        let mut stack = Vec::new();
        if let Some(cycle) = visit(node, graph, &mut state, &mut stack) {
            return Some(cycle);
        }
    }
    None
}
