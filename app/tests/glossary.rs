//! One term per concept: no word `app/lang/glossary.toml` says to avoid is shown to a visitor
//! again, in a translation, a page's text or a string of the app and the rules it prints.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};

#[derive(serde::Deserialize)]
struct Glossary {
    term: Vec<Term>,
}

#[derive(serde::Deserialize)]
struct Term {
    concept: String,
    es: String,
    en: String,
    #[serde(default)]
    avoid_es: Vec<String>,
    #[serde(default)]
    avoid_en: Vec<String>,
}

fn files(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, exts, out);
        } else if path.extension().is_some_and(|e| exts.iter().any(|x| e == *x)) {
            out.push(path);
        }
    }
}

#[test]
fn no_screen_or_ticket_uses_a_word_the_glossary_replaced() {
    let app = Path::new(env!("CARGO_MANIFEST_DIR"));
    let glossary: Glossary = toml::from_str(&std::fs::read_to_string(app.join("lang/glossary.toml")).unwrap()).unwrap();
    assert!(glossary.term.len() >= 5);
    let mut sources = Vec::new();
    files(&app.join("ui"), &["slint"], &mut sources);
    files(&app.join("src"), &["rs"], &mut sources);
    files(&app.join("lang"), &["po"], &mut sources);
    // The rules print words too: the ticket, the health report, the fields' names.
    files(&app.join("../system/core/src"), &["rs"], &mut sources);
    let mut found = Vec::new();
    for file in &sources {
        let text = std::fs::read_to_string(file).unwrap();
        for term in &glossary.term {
            assert!(!term.es.is_empty() && !term.en.is_empty(), "{}", term.concept);
            for word in term.avoid_es.iter().chain(&term.avoid_en) {
                // Comments may name the old word (to say it is gone); shown text may not.
                for (n, line) in text.lines().enumerate() {
                    let code = line.trim_start();
                    if !code.starts_with("//") && !code.starts_with('#') && line.contains(word.as_str()) {
                        found.push(format!(
                            "{}:{}: {word:?} (say {:?} / {:?})",
                            file.display(),
                            n + 1,
                            term.es,
                            term.en
                        ));
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "words the glossary replaced:\n{}", found.join("\n"));
}
