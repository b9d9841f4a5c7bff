//! Maintenance for consulate staff, one screen in three rooms: [`pin_pad`] (a long press on the
//! welcome screen's corner opens it; kiosk-store checks the PIN against argon2id hashes and
//! locks the pad after five wrong ones), [`report`] (the health report of kiosk-health, the last
//! tickets and the log's recent problems) and [`actions`] (test print, test scan, sync now,
//! reprint, out of service with a notice for visitors, restart). This module holds what the
//! three share: who is signed in, the audit log, the answer guard, the two-minute idle close.

pub mod actions;
pub mod pin_pad;
pub mod report;

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use chrono::Utc;
use kiosk_core::Language;
use kiosk_core::health::Observations;
use kiosk_core::staff::{MAINTENANCE_IDLE_SECONDS, StaffId};
use slint::{ComponentHandle, Timer, TimerMode};

use super::{Ctx, Screen};
use crate::bridge::Generation;
use crate::nav::Nav;
use crate::ui::{AppWindow, Maintenance, MaintenanceTab};

/// Maintenance closes after this long without a touch.
pub const IDLE_CLOSE: Duration = Duration::from_secs(MAINTENANCE_IDLE_SECONDS);

/// [`IDLE_CLOSE`] in milliseconds, unless a test shortened it.
static IDLE_AFTER_MS: AtomicU64 = AtomicU64::new(MAINTENANCE_IDLE_SECONDS * 1000);

/// Tests: maintenance closes after `d` without a touch instead of [`IDLE_CLOSE`].
pub fn close_when_idle_for(d: Duration) {
    IDLE_AFTER_MS.store(u64::try_from(d.as_millis()).unwrap_or(u64::MAX), Ordering::SeqCst);
}

/// Set when staff asked for a restart: `main` starts the kiosk again once the window closed.
static RESTART: AtomicBool = AtomicBool::new(false);

/// Whether staff asked for the app to restart (the event loop has been told to end).
pub fn restart_requested() -> bool {
    RESTART.load(Ordering::SeqCst)
}

/// The maintenance screen: the PIN pad in front of it, the staff member's session behind it.
pub struct MaintenanceScreen {
    ctx: Ctx,
    pub pad: Rc<pin_pad::PinPad>,
    /// Who is signed in (`None`: maintenance is closed).
    staff: RefCell<Option<StaffId>>,
    /// The last observations, graded again when the language changes.
    observed: RefCell<Option<Observations>>,
    /// The test scan under way.
    scan: RefCell<Option<tokio_util::sync::CancellationToken>>,
    idle: Timer,
    /// Bumped when a staff member's session ends: answers for it are dropped.
    session: Generation,
    /// Itself, for what the shell asks through `&self` (a render reloads the lists).
    me: std::rc::Weak<MaintenanceScreen>,
}

impl std::fmt::Debug for MaintenanceScreen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MaintenanceScreen")
            .field("staff", &self.staff.borrow())
            .finish_non_exhaustive()
    }
}

impl MaintenanceScreen {
    pub fn new(ctx: Ctx) -> Rc<MaintenanceScreen> {
        let screen = Rc::new_cyclic(|me| MaintenanceScreen {
            pad: pin_pad::PinPad::new(ctx.clone()),
            ctx,
            staff: RefCell::default(),
            observed: RefCell::default(),
            scan: RefCell::default(),
            idle: Timer::default(),
            session: Generation::default(),
            me: me.clone(),
        });
        screen.wire();
        screen
    }

    fn wire(self: &Rc<Self>) {
        let Some(ui) = self.ctx.ui() else { return };
        let m = ui.global::<Maintenance>();
        let weak = Rc::downgrade(self);
        m.on_close(move || {
            if let Some(s) = weak.upgrade() {
                s.close("maintenance-closed");
            }
        });
        let weak = Rc::downgrade(self);
        m.on_choose_tab(move |tab| {
            if let Some(s) = weak.upgrade()
                && let Some(ui) = s.ctx.ui()
            {
                ui.global::<Maintenance>().set_tab(tab);
            }
        });
        report::wire(self);
        actions::wire(self);
        self.load_service_state();
    }

    fn language(&self) -> Language {
        self.ctx.language()
    }

    fn staff(&self) -> Option<StaffId> {
        self.staff.borrow().clone()
    }

    /// Whether a staff member is in maintenance.
    pub fn is_open(&self) -> bool {
        self.staff.borrow().is_some()
    }

    /// Runs `work` on the runtime and `then` on the UI thread, only while the same staff
    /// member's maintenance is still open.
    fn spawn<T: Send + 'static>(
        self: &Rc<Self>,
        work: impl Future<Output = T> + Send + 'static,
        then: impl FnOnce(&Rc<Self>, &AppWindow, T) + 'static,
    ) {
        let weak = Rc::downgrade(self);
        self.ctx.bridge.spawn(&self.session, work, move |answer| {
            if let Some(s) = weak.upgrade()
                && let Some(ui) = s.ctx.ui()
            {
                then(&s, &ui, answer);
            }
        });
    }

    /// Writes a staff action to the audit log (in the background; a failure is logged).
    fn audit(&self, action: &'static str, detail: String) {
        let Some(who) = self.staff() else { return };
        let engine = self.ctx.services.engine.clone();
        self.ctx.bridge.detach(async move {
            let at = Utc::now();
            if let Err(e) = engine
                .with_store(move |s| s.audit(who.as_str(), action, &detail, at))
                .await
            {
                tracing::error!(error = %e, action, "the audit log cannot be written");
            }
        });
    }

    /// Whether staff keep the kiosk out of service (it survives restarts), onto the screen.
    fn load_service_state(self: &Rc<Self>) {
        let engine = self.ctx.services.engine.clone();
        let nav = self.ctx.nav.clone();
        let weak = Rc::downgrade(self);
        // Not tied to a staff member's session: this is read at start-up.
        self.ctx.bridge.spawn(
            &Generation::default(),
            async move { engine.with_store(|s| s.out_of_service()).await },
            move |out| match out {
                Ok(out) => {
                    let message = out.map(|o| o.message);
                    if let (Some(s), Some(m)) = (weak.upgrade(), &message)
                        && let Some(ui) = s.ctx.ui()
                    {
                        ui.global::<Maintenance>().set_notice(m.as_str().into());
                    }
                    nav.go(Nav::ServiceState(message));
                }
                Err(e) => tracing::error!(error = %e, "reading whether the kiosk is out of service"),
            },
        );
    }

    /// The right PIN: maintenance opens on the health report.
    pub fn open(self: &Rc<Self>, id: StaffId) {
        let Some(ui) = self.ctx.ui() else { return };
        tracing::info!(staff = %id, "maintenance opened");
        self.pad.close();
        let m = ui.global::<Maintenance>();
        m.set_staff_id(id.as_str().into());
        *self.staff.borrow_mut() = Some(id);
        *self.observed.borrow_mut() = None;
        m.set_tab(MaintenanceTab::Health);
        m.set_action_message("".into());
        m.set_notice_error("".into());
        m.set_scan_page(slint::Image::default());
        self.touched();
        self.refresh();
    }

    /// Leaves maintenance for the welcome screen; `why` goes to the audit log.
    pub fn close(&self, why: &'static str) {
        if !self.is_open() {
            return;
        }
        self.audit(why, String::new());
        tracing::info!(why, "maintenance closed");
        self.clear();
        // The visitor's screen, in Spanish, as every visit starts.
        self.ctx.nav.go(Nav::EndVisit);
    }

    /// Maintenance's state dropped (the PIN pad's too); the screen shows nothing of it.
    pub(super) fn clear(&self) {
        self.idle.stop();
        self.session.bump();
        *self.staff.borrow_mut() = None;
        *self.observed.borrow_mut() = None;
        if let Some(scan) = self.scan.borrow_mut().take() {
            scan.cancel();
        }
        self.pad.close();
        if let Some(ui) = self.ctx.ui() {
            let m = ui.global::<Maintenance>();
            m.set_staff_id("".into());
            m.set_scan_page(slint::Image::default());
            m.set_action_message("".into());
            m.set_busy(false);
        }
    }

    /// A touch while maintenance is open: its two-minute clock starts again.
    pub fn touched(self: &Rc<Self>) {
        let weak = Rc::downgrade(self);
        let after = Duration::from_millis(IDLE_AFTER_MS.load(Ordering::SeqCst));
        self.idle.start(TimerMode::SingleShot, after, move || {
            if let Some(s) = weak.upgrade() {
                s.close("maintenance-closed-idle");
            }
        });
    }

    /// The language changed: the report and lists are said again in it.
    fn relabel(self: &Rc<Self>) {
        if !self.is_open() {
            return;
        }
        let Some(ui) = self.ctx.ui() else { return };
        if let Some(o) = self.observed.borrow().as_ref() {
            report::show_observations(&ui, o, self.language());
        }
        self.show_lists();
    }
}

impl Screen for MaintenanceScreen {
    fn render(&self) {
        if let Some(me) = self.me.upgrade() {
            me.relabel();
        }
    }

    fn reset(&self) {
        self.clear();
    }
}

/// What the last action did, shown at the top of the screen.
fn said(ui: &AppWindow, failed: bool, words: &str) {
    let m = ui.global::<Maintenance>();
    m.set_action_failed(failed);
    m.set_action_message(words.into());
}

fn busy(ui: &AppWindow, busy: bool) {
    ui.global::<Maintenance>().set_busy(busy);
}
