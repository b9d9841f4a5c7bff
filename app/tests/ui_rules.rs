//! Rules the UI's source must keep: every visible string translated into Spanish, and every
//! text colour of the theme readable on its background (WCAG 2.2 AA, 4.5:1).

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::collections::BTreeSet;
use std::path::Path;

/// `(context, msgid)` of every `@tr("...")` in the UI: the context is the component it is in.
fn ui_strings() -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let mut files = Vec::new();
    collect(&Path::new(env!("CARGO_MANIFEST_DIR")).join("ui"), &mut files);
    for file in files {
        let src = std::fs::read_to_string(&file).unwrap();
        let mut component = String::new();
        for line in src.lines() {
            let t = line.trim_start();
            let decl = t.strip_prefix("export ").unwrap_or(t);
            if let Some(rest) = decl.strip_prefix("component ") {
                rest.split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .clone_into(&mut component);
            }
            let mut rest = line;
            while let Some(i) = rest.find("@tr(\"") {
                rest = &rest[i + 5..];
                let end = end_of_string(rest);
                out.insert((component.clone(), rest[..end].to_owned()));
                rest = &rest[end..];
            }
        }
    }
    out
}

fn end_of_string(s: &str) -> usize {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return i,
            _ => escaped = false,
        }
    }
    s.len()
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "slint") {
            out.push(path);
        }
    }
}

/// `(context, msgid) -> msgstr` of a bundled translation.
fn catalogue(lang: &str) -> Vec<(String, String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("lang/{lang}/LC_MESSAGES/citas-kiosk.po"));
    let src = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    let (mut ctx, mut id) = (String::new(), String::new());
    for line in src.lines() {
        let quoted = |prefix: &str| {
            line.strip_prefix(prefix)
                .map(|r| r.trim().trim_matches('"').replace("\\\"", "\"").replace("\\\\", "\\"))
        };
        if let Some(c) = quoted("msgctxt ") {
            ctx = c;
        } else if let Some(i) = quoted("msgid ") {
            id = i;
        } else if let Some(s) = quoted("msgstr ")
            && !id.is_empty()
        {
            out.push((ctx.clone(), id.clone(), s));
        }
    }
    out
}

#[test]
fn every_ui_string_has_a_spanish_translation() {
    let es = catalogue("es");
    let strings = ui_strings();
    assert!(strings.len() > 70, "the UI's strings were found ({})", strings.len());
    assert!(strings.contains(&("WelcomePage".to_owned(), "Book an appointment".to_owned())));
    let missing: Vec<_> = strings
        .into_iter()
        .filter(|(ctx, id)| !es.iter().any(|(c, i, s)| c == ctx && i == id && !s.is_empty()))
        .collect();
    assert!(missing.is_empty(), "untranslated (component, string): {missing:#?}");
}

#[test]
fn spanish_translations_keep_every_placeholder() {
    for (ctx, id, s) in catalogue("es") {
        assert_eq!(
            id.matches("{}").count(),
            s.matches("{}").count(),
            "{ctx}: {id:?} -> {s:?}"
        );
    }
}

fn theme_colour(name: &str) -> [f64; 3] {
    let src = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/components/theme.slint")).unwrap();
    let line = src
        .lines()
        .find(|l| l.contains(&format!("<color> {name}:")))
        .unwrap_or_else(|| panic!("no colour {name} in the theme"));
    let hex = line.split('#').nth(1).unwrap().trim_end_matches(';').trim();
    rgb(hex)
}

fn rgb(hex: &str) -> [f64; 3] {
    let byte = |i: usize| f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
    [byte(0), byte(2), byte(4)]
}

/// WCAG 2.2 relative luminance and contrast ratio.
fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let lum = |c: [f64; 3]| {
        let ch = |v: f64| {
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2])
    };
    let (x, y) = (lum(a) + 0.05, lum(b) + 0.05);
    x.max(y) / x.min(y)
}

#[test]
fn theme_text_colours_reach_wcag_aa_contrast_on_their_backgrounds() {
    let white = rgb("ffffff");
    let pairs = [
        // (text, background)
        ("ink", "page"),
        ("ink", "card"),
        ("muted", "page"),
        ("muted", "card"),
        ("brand-dark", "page"),
        ("brand-dark", "card"),
        ("danger", "page"),
        ("danger", "card"),
        ("ok", "page"),
        ("ok", "card"),
        ("ink", "many"),
        ("ink", "some"),
        ("ink", "few"),
        ("ink", "full"),
        ("muted", "closed"),
        ("brand-dark", "full"),
    ];
    let mut failures = Vec::new();
    for (fg, bg) in pairs {
        let ratio = contrast(theme_colour(fg), theme_colour(bg));
        if ratio < 4.5 {
            failures.push(format!("{fg} on {bg}: {ratio:.2}"));
        }
    }
    // White text on the brand colour (primary buttons, chosen chips).
    for bg in ["brand", "brand-dark"] {
        let ratio = contrast(white, theme_colour(bg));
        if ratio < 4.5 {
            failures.push(format!("white on {bg}: {ratio:.2}"));
        }
    }
    assert!(failures.is_empty(), "below 4.5:1: {failures:?}");
}

#[test]
fn contrast_is_computed_as_wcag_defines_it() {
    assert!((contrast(rgb("000000"), rgb("ffffff")) - 21.0).abs() < 1e-9);
    assert!((contrast(rgb("777777"), rgb("ffffff")) - 4.48).abs() < 0.01);
}
