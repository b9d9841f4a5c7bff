//! The staff PIN pad, over the welcome screen: digits shown as dots (the digits themselves stay
//! here, and go the moment they are checked), the lock said at once when the pad is locked, the
//! store's verdict in the staff member's language. The right PIN asks the shell to open
//! maintenance ([`Nav::Maintenance`]).

use std::cell::RefCell;
use std::rc::Rc;

use chrono::Utc;
use kiosk_core::Explain;
use kiosk_core::staff::{PIN_DIGITS, PinOutcome};
use slint::ComponentHandle;

use crate::bridge::Generation;
use crate::nav::Nav;
use crate::screens::Ctx;
use crate::ui::StaffPad;

/// The PIN pad's screen.
#[derive(Debug)]
pub struct PinPad {
    ctx: Ctx,
    /// The digits typed so far (never on screen).
    pin: RefCell<String>,
    /// Bumped when the pad closes: a verdict for a closed pad is dropped.
    opened: Generation,
}

impl PinPad {
    pub fn new(ctx: Ctx) -> Rc<PinPad> {
        let pad = Rc::new(PinPad {
            ctx,
            pin: RefCell::default(),
            opened: Generation::default(),
        });
        pad.wire();
        pad
    }

    fn wire(self: &Rc<Self>) {
        let Some(ui) = self.ctx.ui() else { return };
        let p = ui.global::<StaffPad>();
        p.set_pin_min_digits(i32::try_from(*PIN_DIGITS.start()).unwrap_or(6));
        p.set_pin_max_digits(i32::try_from(*PIN_DIGITS.end()).unwrap_or(12));
        let weak = Rc::downgrade(self);
        p.on_corner_held(move || {
            if let Some(s) = weak.upgrade() {
                s.open();
            }
        });
        let weak = Rc::downgrade(self);
        p.on_pad_cancel(move || {
            if let Some(s) = weak.upgrade() {
                s.close();
            }
        });
        let weak = Rc::downgrade(self);
        p.on_digit(move |d| {
            if let Some(s) = weak.upgrade() {
                s.digit(&d);
            }
        });
        let weak = Rc::downgrade(self);
        p.on_clear(move || {
            if let Some(s) = weak.upgrade() {
                s.set_pin(String::new());
            }
        });
        let weak = Rc::downgrade(self);
        p.on_pin_submit(move || {
            if let Some(s) = weak.upgrade() {
                s.submit();
            }
        });
    }

    fn set_pin(&self, pin: String) {
        let digits = i32::try_from(pin.chars().count()).unwrap_or(i32::MAX);
        *self.pin.borrow_mut() = pin;
        if let Some(ui) = self.ctx.ui() {
            ui.global::<StaffPad>().set_digits(digits);
        }
    }

    /// One key: only a digit, and never past the longest PIN.
    fn digit(&self, d: &str) {
        let mut pin = self.pin.borrow().clone();
        if d.len() == 1 && d.bytes().all(|b| b.is_ascii_digit()) && pin.len() < *PIN_DIGITS.end() {
            pin.push_str(d);
        }
        self.set_pin(pin);
    }

    fn open(self: &Rc<Self>) {
        let Some(ui) = self.ctx.ui() else { return };
        self.opened.bump();
        self.set_pin(String::new());
        let p = ui.global::<StaffPad>();
        p.set_pad_message("".into());
        p.set_pad_locked(false);
        p.set_pad_open(true);
        // Already locked: say so at once rather than after a PIN.
        let engine = self.ctx.services.engine.clone();
        let weak = Rc::downgrade(self);
        self.ctx.bridge.spawn(
            &self.opened,
            async move { engine.with_store(|s| s.pad_lock()).await },
            move |lock| {
                let Some(s) = weak.upgrade() else { return };
                let Some(ui) = s.ctx.ui() else { return };
                let now = Utc::now();
                if let Ok(lock) = lock
                    && lock.is_locked(now)
                {
                    let p = ui.global::<StaffPad>();
                    p.set_pad_locked(true);
                    let words = PinOutcome::Locked {
                        minutes_left: lock.minutes_left(now),
                    }
                    .explain(s.ctx.language());
                    p.set_pad_message(words.into());
                }
            },
        );
    }

    /// The pad closes, its digits gone.
    pub fn close(&self) {
        self.opened.bump();
        self.set_pin(String::new());
        if let Some(ui) = self.ctx.ui() {
            let p = ui.global::<StaffPad>();
            p.set_pad_message("".into());
            p.set_pad_open(false);
        }
    }

    fn submit(self: &Rc<Self>) {
        // The PIN leaves the screen at once; only its check goes on.
        let typed = std::mem::take(&mut *self.pin.borrow_mut());
        self.set_pin(String::new());
        let engine = self.ctx.services.engine.clone();
        let weak = Rc::downgrade(self);
        self.ctx.bridge.spawn(
            &self.opened,
            async move { engine.with_store(move |s| s.staff_sign_in(&typed, Utc::now())).await },
            move |outcome| {
                let Some(s) = weak.upgrade() else { return };
                let Some(ui) = s.ctx.ui() else { return };
                let lang = s.ctx.language();
                let p = ui.global::<StaffPad>();
                match outcome {
                    Ok(PinOutcome::Welcome(id)) => s.ctx.nav.go(Nav::Maintenance(id)),
                    Ok(other) => {
                        p.set_pad_locked(matches!(other, PinOutcome::Locked { .. }));
                        p.set_pad_message(other.explain(lang).into());
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "checking a staff PIN");
                        p.set_pad_message(
                            lang.pick(
                                "No se pudo comprobar el PIN. Intente de nuevo.",
                                "The PIN could not be checked. Try again.",
                            )
                            .into(),
                        );
                    }
                }
            },
        );
    }
}
