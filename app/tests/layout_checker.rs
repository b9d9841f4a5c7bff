//! The layout checker (`layout/check.rs`) itself: on a window built to break each of its rules
//! once, it names every fault, so `tests/layout.rs` passing means the screens are right and
//! not that the checker sees nothing.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

#[path = "layout/check.rs"]
mod check;

// A window that breaks every rule once, for the checker to catch: a button below the window,
// a small target, two overlapping buttons, a cut text, a button cut by a plain clip, and a
// list cut without its cue.
slint::slint! {
    export component Broken inherits Window {
        width: 400px;
        height: 300px;
        below := TouchArea { x: 10px; y: 290px; width: 80px; height: 80px; }
        small := TouchArea { x: 10px; y: 10px; width: 30px; height: 30px; }
        left := TouchArea { x: 100px; y: 10px; width: 80px; height: 80px; }
        right := TouchArea { x: 150px; y: 40px; width: 80px; height: 80px; }
        Text { x: 10px; y: 120px; width: 40px; height: 30px; text: "A long line that cannot fit"; }
        Rectangle {
            x: 250px; y: 10px; width: 100px; height: 40px; clip: true;
            clipped := TouchArea { x: 0px; y: 0px; width: 100px; height: 80px; }
        }
        Flickable {
            x: 250px; y: 150px; width: 140px; height: 100px;
            content-height: 400px;
            in-list := TouchArea { x: 0px; y: 200px; width: 100px; height: 80px; }
        }
    }
}

#[test]
fn the_checker_names_each_broken_rule() {
    i_slint_backend_testing::init_no_event_loop();
    let ui = Broken::new().unwrap();
    let faults: Vec<String> = check::faults(&ui, 400.0, 300.0).into_iter().map(|f| f.0).collect();
    let has = |what: &str| faults.iter().any(|f| f.contains(what));
    // (A `slint!` component carries no debug info, so faults name rectangles, not ids.)
    assert!(has("(80x80 at (10,290)) is outside the 400x300 window"), "{faults:#?}");
    assert!(has("is a touch target of 30x30 at (10,10)"), "{faults:#?}");
    assert!(
        has("(80x80 at (100,10)) and  (80x80 at (150,40)) overlap"),
        "{faults:#?}"
    );
    assert!(has("is cut: needs"), "{faults:#?}");
    assert!(
        has("(100x80 at (250,10)) is cut to 100x40 at (250,10) by its parents"),
        "{faults:#?}"
    );
    // A flickable that is no ScrollList has no cue: what it cuts is cut.
    assert!(
        has("(100x80 at (250,350)) is outside the 400x300 window"),
        "{faults:#?}"
    );
    assert_eq!(faults.len(), 6, "{faults:#?}");
}
