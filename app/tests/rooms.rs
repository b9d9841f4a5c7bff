//! The app's house rules, checked on its sources: a room per idea, no file over 400 lines, no
//! `thread_local`, no import circle between rooms, and a screen never naming the shell or
//! another screen (it leaves through a `Nav` value).
//!
//! A room is a top-level module of `app/src` (`shell`, `visit`, `words`...) or one screen
//! (`screens::location`, `screens::date_time`, whose files all belong to it).

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    out.sort();
    out
}

/// The room of a file, from its path under `app/src` (`None`: the crate's root files).
fn room_of(rel: &Path) -> Option<String> {
    let parts: Vec<String> = rel
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    match parts.as_slice() {
        [only] if only == "lib" || only == "main" => None,
        [screens, screen, ..] if screens == "screens" && screen != "mod" => Some(format!("screens::{screen}")),
        [top, ..] => Some(top.clone()),
        [] => None,
    }
}

/// The rooms a file names: `crate::a` (`crate::screens::x` for a screen) and `super::`.
fn named(rel: &Path, text: &str, screens: &BTreeSet<String>) -> BTreeSet<String> {
    let paths = regex::Regex::new(r"\bcrate::([a-z_]+)(?:::([a-z_]+))?").unwrap();
    let mut rooms = BTreeSet::new();
    for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
        for c in paths.captures_iter(line) {
            let top = c[1].to_owned();
            match c.get(2).map(|m| m.as_str()) {
                Some(screen) if top == "screens" && screens.contains(screen) => {
                    rooms.insert(format!("screens::{screen}"));
                }
                _ => {
                    rooms.insert(top);
                }
            }
        }
        // A screen's own top file naming `super::` names the screens' root.
        let depth = rel.components().count();
        let is_screen_top = rel.starts_with("screens") && depth == 2 && !rel.ends_with("mod.rs");
        if is_screen_top && line.contains("super::") {
            rooms.insert("screens".to_owned());
        }
    }
    rooms
}

struct House {
    /// Each room and the rooms it names.
    edges: BTreeMap<String, BTreeSet<String>>,
    long_files: Vec<String>,
    thread_locals: Vec<String>,
}

fn survey() -> House {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let screens: BTreeSet<String> = std::fs::read_dir(src.join("screens"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| p.with_extension("").file_name().unwrap().to_string_lossy().into_owned())
        .filter(|n| n != "mod")
        .collect();
    let mut house = House {
        edges: BTreeMap::new(),
        long_files: Vec::new(),
        thread_locals: Vec::new(),
    };
    for path in sources() {
        let rel = path.strip_prefix(&src).unwrap().to_path_buf();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines = text.lines().count();
        if lines > 400 {
            house.long_files.push(format!("{} ({lines} lines)", rel.display()));
        }
        if text.contains("thread_local!") {
            house.thread_locals.push(rel.display().to_string());
        }
        let Some(room) = room_of(&rel) else { continue };
        let mut named = named(&rel, &text, &screens);
        named.remove(&room);
        house.edges.entry(room).or_default().extend(named);
    }
    house
}

/// A circle of rooms, if there is one.
fn circle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        at: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == at) {
            let mut c = path[i..].to_vec();
            c.push(at.to_owned());
            return Some(c);
        }
        if done.contains(at) {
            return None;
        }
        path.push(at.to_owned());
        for next in edges.get(at).into_iter().flatten() {
            if let Some(c) = visit(next, edges, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(at.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    edges.keys().find_map(|k| visit(k, edges, &mut Vec::new(), &mut done))
}

#[test]
fn no_file_of_the_app_is_over_400_lines_and_none_keeps_thread_local_state() {
    let house = survey();
    assert!(house.long_files.is_empty(), "too long: {:?}", house.long_files);
    assert!(
        house.thread_locals.is_empty(),
        "thread_local in {:?}",
        house.thread_locals
    );
}

#[test]
fn no_room_of_the_app_imports_a_room_that_imports_it_back() {
    let house = survey();
    assert!(house.edges.contains_key("shell") && house.edges.contains_key("screens::location"));
    assert_eq!(circle(&house.edges), None);
}

#[test]
fn a_screen_names_neither_the_shell_nor_another_screen() {
    let house = survey();
    for (room, named) in house.edges.iter().filter(|(r, _)| r.starts_with("screens::")) {
        let wrong: Vec<&String> = named
            .iter()
            .filter(|n| n.as_str() == "shell" || n.starts_with("screens::"))
            .collect();
        assert!(wrong.is_empty(), "{room} names {wrong:?}");
    }
}

#[test]
fn a_circle_between_rooms_is_found() {
    let mut edges = BTreeMap::new();
    edges.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    edges.insert("b".to_owned(), BTreeSet::from(["c".to_owned()]));
    edges.insert("c".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(
        circle(&edges),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    edges.remove("c");
    assert_eq!(circle(&edges), None);
}
