//! Nobody there: after a minute without a touch "Are you still there?", then the visit wiped;
//! on the welcome screen, with nobody in front of the presence sensor, the screen (and the
//! backlight) dims until a touch or someone arriving. The times are kiosk-core's
//! ([`kiosk_core::idle`]); the clocks are kept here.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use slint::{ComponentHandle, Timer, TimerMode};

use super::Shell;
use crate::ui::{Kiosk, Page, StaffPad};

pub use kiosk_core::idle::{DIM_AFTER, WARN_AFTER as IDLE_WARNING_AFTER, WIPE_AFTER as IDLE_WIPE_AFTER};

/// Tests shorten the dimming wait; milliseconds.
static DIM_AFTER_MS: AtomicU64 = AtomicU64::new(180_000);
const _: () = assert!(
    DIM_AFTER.as_secs() * 1000 == 180_000,
    "DIM_AFTER_MS starts at DIM_AFTER"
);

/// Tests: the welcome screen dims after `d` instead of [`DIM_AFTER`].
pub fn dim_after(d: Duration) {
    DIM_AFTER_MS.store(u64::try_from(d.as_millis()).unwrap_or(u64::MAX), Ordering::SeqCst);
}

/// The inactivity and dimming clocks.
#[derive(Default)]
pub(super) struct Idle {
    warning: Timer,
    countdown: Timer,
    dim: Timer,
    /// The presence sensor sees someone in front of the kiosk.
    present: Cell<bool>,
}

impl Idle {
    /// (Re)starts the countdown to dimming the welcome screen.
    pub(super) fn start_dim_timer(&self, shell: &Rc<Shell>) {
        let weak = Rc::downgrade(shell);
        let wait = Duration::from_millis(DIM_AFTER_MS.load(Ordering::SeqCst));
        self.dim.start(TimerMode::SingleShot, wait, move || {
            let Some(shell) = weak.upgrade() else { return };
            let Some(ui) = shell.ui.upgrade() else { return };
            if shell.page() == Page::Welcome && !shell.idle.present.get() && !ui.global::<StaffPad>().get_pad_open() {
                tracing::debug!("nobody in front of the kiosk: dimming");
                Idle::set_dimmed(&shell, true);
            }
        });
    }

    /// Dims the screen (and the backlight, where the display has one) or lights it again.
    fn set_dimmed(shell: &Shell, dimmed: bool) {
        let Some(ui) = shell.ui.upgrade() else { return };
        let k = ui.global::<Kiosk>();
        if k.get_dimmed() == dimmed {
            return;
        }
        k.set_dimmed(dimmed);
        if let Some(b) = &shell.ctx.services.device.backlight
            && let Err(e) = b.set_dimmed(dimmed)
        {
            tracing::warn!(error = %e, "the display's backlight cannot be set");
        }
    }

    /// Someone arrived in front of the kiosk (presence sensor) or left.
    pub(super) fn presence(&self, shell: &Rc<Shell>, here: bool) {
        self.present.set(here);
        if here {
            Idle::set_dimmed(shell, false);
        }
        self.start_dim_timer(shell);
    }

    /// The visit ended: no warning stays on screen, no countdown runs.
    pub(super) fn visit_ended(&self) {
        self.warning.stop();
        self.countdown.stop();
    }

    /// A touch while maintenance is open: the visitor's clocks do not run (maintenance has
    /// its own).
    pub(super) fn touched_in_maintenance(&self, shell: &Rc<Shell>) {
        self.wake(shell);
        self.visit_ended();
    }

    fn wake(&self, shell: &Rc<Shell>) {
        if let Some(ui) = shell.ui.upgrade() {
            let k = ui.global::<Kiosk>();
            crate::put!(k, get_idle_warning, set_idle_warning, false);
        }
        Idle::set_dimmed(shell, false);
        self.start_dim_timer(shell);
    }

    /// A touch: the inactivity clock starts again.
    pub(super) fn touched(&self, shell: &Rc<Shell>) {
        self.wake(shell);
        self.countdown.stop();
        let weak = Rc::downgrade(shell);
        self.warning.start(TimerMode::SingleShot, IDLE_WARNING_AFTER, move || {
            if let Some(shell) = weak.upgrade() {
                shell.idle.warn(&shell);
            }
        });
    }

    /// A minute without a touch: on the welcome screen the kiosk quietly resets; elsewhere
    /// "Are you still there?" counts down to the wipe.
    fn warn(&self, shell: &Rc<Shell>) {
        let Some(ui) = shell.ui.upgrade() else { return };
        if shell.page() == Page::Welcome {
            shell.end_visit();
            return;
        }
        let k = ui.global::<Kiosk>();
        k.set_idle_warning(true);
        k.set_idle_seconds_left(i32::try_from(kiosk_core::idle::countdown_seconds()).unwrap_or(30));
        let weak = Rc::downgrade(shell);
        self.countdown
            .start(TimerMode::Repeated, Duration::from_secs(1), move || {
                let Some(shell) = weak.upgrade() else { return };
                let Some(ui) = shell.ui.upgrade() else { return };
                let k = ui.global::<Kiosk>();
                let left = k.get_idle_seconds_left() - 1;
                if left <= 0 {
                    tracing::info!("visit wiped after inactivity");
                    shell.end_visit();
                } else {
                    k.set_idle_seconds_left(left);
                }
            });
    }
}
