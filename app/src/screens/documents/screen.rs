//! Step 4's screen: its callbacks, a scan's progress page by page, and the scanner asked
//! between scans whether it is there and free.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Instant;

use kiosk_scan::ScanError;
use slint::{ComponentHandle, SharedString};
use tokio_util::sync::CancellationToken;

use super::{SCANNER_CHECK_EVERY, Scanning, State, parse_kind, render_into, scan_and_upload, scanned};
use crate::screens::{Ctx, Screen, on, on2};
use crate::ui::Documents;
use crate::words::Msg;

/// Step 4.
#[derive(Debug)]
pub struct DocumentsScreen {
    ctx: Ctx,
    state: RefCell<State>,
}

impl DocumentsScreen {
    pub fn new(ctx: Ctx) -> Rc<DocumentsScreen> {
        let screen = Rc::new(DocumentsScreen {
            ctx,
            state: RefCell::default(),
        });
        let Some(ui) = screen.ctx.ui() else { return screen };
        let g = ui.global::<Documents>();
        g.on_scan_document(on2(&screen, |s, id: SharedString, add: bool| s.scan(&id, add)));
        g.on_cancel_scan(on(&screen, |s| {
            if let Some(scanning) = &s.state.borrow().scanning {
                scanning.cancel.cancel();
            }
        }));
        g.on_set_color(on2(&screen, |s, id: SharedString, on: bool| {
            let kind = parse_kind(&s.ctx.visit.borrow(), &id);
            if let Some(kind) = kind {
                let mut st = s.state.borrow_mut();
                // Colour is offered for photo identification only (the page shows it for
                // nothing else); a stray callback for another kind changes nothing.
                if on && kind.is_photo_id() {
                    st.color.insert(kind);
                } else {
                    st.color.remove(&kind);
                }
            }
            s.render();
        }));
        g.on_next(on(&screen, |s| {
            if s.state.borrow().frame.busy {
                return;
            }
            let stopped = s.ctx.next_step().err();
            s.state.borrow_mut().frame.errors = stopped.map(|st| st.msg);
            s.render();
        }));
        g.on_back(on(&screen, |s| {
            s.ctx.back_step();
            s.state.borrow_mut().frame.errors = None;
            s.render();
        }));
        screen
    }

    /// Scan (or "Add a page"): progress shown page by page; the job deleted on the scanner
    /// whatever happens.
    fn scan(self: &Rc<Self>, id: &str, add: bool) {
        let Some(kind) = parse_kind(&self.ctx.visit.borrow(), id) else {
            return;
        };
        let Some(device) = self.ctx.services.scanner.clone() else {
            self.state.borrow_mut().frame.errors = Some(Msg::explain(ScanError::NoScanner));
            self.render();
            return;
        };
        let (color, earlier, cancel) = {
            let mut st = self.state.borrow_mut();
            if st.frame.busy {
                return;
            }
            let earlier = if add {
                st.scans.get(&kind).map(|s| s.pages.clone()).unwrap_or_default()
            } else {
                Vec::new()
            };
            let cancel = CancellationToken::new();
            st.frame.errors = None;
            st.frame.busy = true;
            st.scanning = Some(Scanning {
                kind,
                pages: 0,
                cancel: cancel.clone(),
            });
            (st.color.contains(&kind) && kind.is_photo_id(), earlier, cancel)
        };
        self.render();
        // Each page as it arrives: "Scanning... N page(s) received".
        let (pages_tx, pages_rx) = tokio::sync::mpsc::unbounded_channel::<usize>();
        let me = Rc::downgrade(self);
        self.ctx.bridge.stream(&self.ctx.generation, pages_rx, move |n| {
            let Some(me) = me.upgrade() else { return };
            if let Some(scanning) = me.state.borrow_mut().scanning.as_mut() {
                scanning.pages = n;
            }
            me.render();
        });
        let engine = self.ctx.services.engine.clone();
        let me = self.clone();
        self.ctx.spawn(
            scan_and_upload(device, engine, kind, color, earlier, cancel, move |n| {
                let _ = pages_tx.send(n);
            }),
            move |outcome| {
                {
                    let mut st = me.state.borrow_mut();
                    st.frame.busy = false;
                    scanned(&mut st, &mut me.ctx.visit.borrow_mut(), kind, outcome);
                }
                me.render();
            },
        );
    }

    /// A USB scanner was plugged in or out: ask it again at once rather than at the next poll.
    pub fn scanner_changed(self: &Rc<Self>) {
        self.state.borrow_mut().scanner_checked = None;
    }

    /// Between scans, every few seconds: whether the scanner is connected, unplugged or busy.
    fn check_scanner(self: &Rc<Self>) {
        {
            let mut st = self.state.borrow_mut();
            let due = st.scanner_checked.is_none_or(|at| at.elapsed() >= SCANNER_CHECK_EVERY);
            if !due || st.frame.busy {
                return;
            }
            st.scanner_checked = Some(Instant::now());
        }
        let Some(device) = self.ctx.services.scanner.clone() else {
            self.state.borrow_mut().scanner = Some(Err(ScanError::NoScanner));
            self.render();
            return;
        };
        let me = self.clone();
        self.ctx.spawn(async move { device.readiness().await }, move |status| {
            {
                let mut st = me.state.borrow_mut();
                if st.frame.busy {
                    return;
                }
                st.scanner = Some(status);
            }
            me.render();
        });
    }
}

impl Screen for DocumentsScreen {
    fn render(&self) {
        if let Some(ui) = self.ctx.ui() {
            render_into(
                &ui.global::<Documents>(),
                &self.state.borrow(),
                &self.ctx.visit.borrow(),
                self.ctx.language(),
            );
        }
    }

    /// A scan under way ends with the visit (its job is deleted on the scanner).
    fn reset(&self) {
        if let Some(scanning) = self.state.borrow_mut().scanning.take() {
            scanning.cancel.cancel();
        }
        *self.state.borrow_mut() = State::default();
        self.render();
    }

    fn tick(self: Rc<Self>) {
        self.check_scanner();
    }
}
