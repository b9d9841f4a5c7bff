//! Maintenance for consulate staff: a long press on the welcome screen's top-left corner opens
//! the PIN pad (kiosk-store checks the PIN against argon2id hashes and locks the pad after five
//! wrong ones); the right PIN opens the maintenance screens: the health report
//! (kiosk-health), test print, test scan, sync now, reprints, out of service with a notice for
//! visitors, restart, and the recent problems in the log. Every action is audited with the
//! staff member's id. Maintenance closes itself after two minutes without a touch.

use std::cell::RefCell;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::Utc;
use kiosk_core::health::{Area, Level, Observations, Report};
use kiosk_core::staff::{MAINTENANCE_IDLE_SECONDS, Notice, PIN_DIGITS, PinOutcome, StaffId};
use kiosk_core::{Explain, Language};
use slint::{ComponentHandle, ModelRc, Timer, TimerMode, VecModel, Weak};

use crate::controller::Services;
use crate::ui::{AppWindow, ErrorRow, HealthLine, JobRow, Kiosk, MaintenanceTab, Page, Staff};

/// Maintenance closes after this long without a touch.
pub const IDLE_CLOSE: Duration = Duration::from_secs(MAINTENANCE_IDLE_SECONDS);

thread_local! {
    /// [`IDLE_CLOSE`], unless a test shortened it.
    static IDLE_AFTER: std::cell::Cell<Duration> = const { std::cell::Cell::new(IDLE_CLOSE) };
}

/// Tests: maintenance closes after `d` without a touch instead of [`IDLE_CLOSE`].
pub fn close_when_idle_for(d: Duration) {
    IDLE_AFTER.set(d);
}
/// Tickets listed for reprinting.
const RECENT_TICKETS: u32 = 10;
/// Side of the test scan's picture, in pixels.
const SCAN_PICTURE_SIDE: u32 = 900;
/// Resolution of the test scan: enough to judge it, quick to come.
const TEST_SCAN_DPI: u32 = 150;

/// Set when staff asked for a restart: `main` starts the kiosk again once the window closed.
static RESTART: AtomicBool = AtomicBool::new(false);

/// Whether staff asked for the app to restart (the event loop has been told to end).
pub fn restart_requested() -> bool {
    RESTART.load(Ordering::SeqCst)
}

#[derive(Default)]
struct Maintenance {
    services: Option<Services>,
    staff: Option<StaffId>,
    /// The last observations, graded again when the language changes.
    observed: Option<Observations>,
    scan: Option<tokio_util::sync::CancellationToken>,
    idle: Timer,
}

thread_local! {
    static MAINT: RefCell<Maintenance> = RefCell::new(Maintenance::default());
}

fn language(ui: &AppWindow) -> Language {
    ui.global::<Kiosk>().get_language().parse().unwrap_or_default()
}

fn services() -> Option<Services> {
    MAINT.with_borrow(|m| m.services.clone())
}

fn staff() -> Option<StaffId> {
    MAINT.with_borrow(|m| m.staff.clone())
}

/// Runs `work` on the runtime and `then` on the UI thread, only while the same staff member's
/// maintenance is still open.
fn spawn<T: Send + 'static>(
    ui: &Weak<AppWindow>,
    work: impl Future<Output = T> + Send + 'static,
    then: impl FnOnce(&AppWindow, T) + Send + 'static,
) {
    let (Some(services), who) = (services(), staff()) else {
        return;
    };
    let ui = ui.clone();
    services.runtime.spawn(async move {
        let answer = work.await;
        let _ = ui.upgrade_in_event_loop(move |app| {
            if staff() == who {
                then(&app, answer);
            }
        });
    });
}

/// Writes a staff action to the audit log (in the background; a failure is logged).
fn audit(action: &'static str, detail: String) {
    let (Some(services), Some(who)) = (services(), staff()) else {
        return;
    };
    let engine = services.engine.clone();
    services.runtime.spawn(async move {
        let at = Utc::now();
        if let Err(e) = engine
            .with_store(move |s| s.audit(who.as_str(), action, &detail, at))
            .await
        {
            tracing::error!(error = %e, action, "the audit log cannot be written");
        }
    });
}

/// What the last action did, shown at the top of the screen.
fn said(ui: &AppWindow, failed: bool, words: &str) {
    let s = ui.global::<Staff>();
    s.set_action_failed(failed);
    s.set_action_message(words.into());
}

fn busy(ui: &AppWindow, busy: bool) {
    ui.global::<Staff>().set_busy(busy);
}

/// Connects the PIN pad and the maintenance screens; reads whether staff left the kiosk out
/// of service.
pub fn wire(ui: &AppWindow, services: &Services) {
    MAINT.with_borrow_mut(|m| m.services = Some(services.clone()));
    load_service_state(ui);
    let s = ui.global::<Staff>();
    s.set_pin_min_digits(i32::try_from(*PIN_DIGITS.start()).unwrap_or(6));
    s.set_pin_max_digits(i32::try_from(*PIN_DIGITS.end()).unwrap_or(12));
    s.on_corner_held({
        let ui = ui.as_weak();
        move || {
            if let Some(app) = ui.upgrade() {
                open_pad(&app);
            }
        }
    });
    s.on_pad_cancel({
        let ui = ui.as_weak();
        move || {
            if let Some(app) = ui.upgrade() {
                close_pad(&app);
            }
        }
    });
    s.on_pin_submit({
        let ui = ui.as_weak();
        move || {
            if let Some(app) = ui.upgrade() {
                submit_pin(&app);
            }
        }
    });
    s.on_close({
        let ui = ui.as_weak();
        move || {
            if let Some(app) = ui.upgrade() {
                close(&app, "maintenance-closed");
            }
        }
    });
    s.on_refresh({
        let ui = ui.as_weak();
        move || refresh(&ui)
    });
    s.on_test_print({
        let ui = ui.as_weak();
        move || test_print(&ui)
    });
    s.on_test_scan({
        let ui = ui.as_weak();
        move || test_scan(&ui)
    });
    s.on_sync_now({
        let ui = ui.as_weak();
        move || sync_now(&ui)
    });
    s.on_reprint({
        let ui = ui.as_weak();
        move |id| reprint(&ui, i64::from(id))
    });
    s.on_set_out_of_service({
        let ui = ui.as_weak();
        move |out| set_out_of_service(&ui, out)
    });
    s.on_restart({
        let ui = ui.as_weak();
        move || {
            if let Some(app) = ui.upgrade() {
                restart(&app);
            }
        }
    });
}

/// Whether staff keep the kiosk out of service (it survives restarts), onto the screen.
fn load_service_state(ui: &AppWindow) {
    let Some(services) = services() else { return };
    let weak = ui.as_weak();
    let engine = services.engine.clone();
    services.runtime.spawn(async move {
        let out = engine.with_store(|s| s.out_of_service()).await;
        let _ = weak.upgrade_in_event_loop(move |app| match out {
            Ok(out) => show_service_state(&app, out.map(|o| o.message)),
            Err(e) => tracing::error!(error = %e, "reading whether the kiosk is out of service"),
        });
    });
}

fn show_service_state(ui: &AppWindow, out: Option<String>) {
    let k = ui.global::<Kiosk>();
    k.set_staff_out_of_service(out.is_some());
    k.set_staff_notice(out.clone().unwrap_or_default().into());
    if let Some(message) = out {
        ui.global::<Staff>().set_notice(message.into());
    }
}

fn open_pad(ui: &AppWindow) {
    if ui.global::<Kiosk>().get_page() != Page::Welcome {
        return;
    }
    let s = ui.global::<Staff>();
    s.set_pin("".into());
    s.set_pad_message("".into());
    s.set_pad_locked(false);
    s.set_pad_open(true);
    // Already locked: say so at once rather than after a PIN.
    let Some(services) = services() else { return };
    let weak = ui.as_weak();
    let engine = services.engine.clone();
    services.runtime.spawn(async move {
        let lock = engine.with_store(|s| s.pad_lock()).await;
        let _ = weak.upgrade_in_event_loop(move |app| {
            let now = Utc::now();
            if let Ok(lock) = lock
                && lock.is_locked(now)
            {
                let s = app.global::<Staff>();
                s.set_pad_locked(true);
                let words = PinOutcome::Locked {
                    minutes_left: lock.minutes_left(now),
                }
                .explain(language(&app));
                s.set_pad_message(words.into());
            }
        });
    });
}

fn close_pad(ui: &AppWindow) {
    let s = ui.global::<Staff>();
    s.set_pin("".into());
    s.set_pad_message("".into());
    s.set_pad_open(false);
}

fn submit_pin(ui: &AppWindow) {
    let s = ui.global::<Staff>();
    // The PIN leaves the screen at once; only its check goes on.
    let typed = s.get_pin().to_string();
    s.set_pin("".into());
    let Some(services) = services() else { return };
    let weak = ui.as_weak();
    let engine = services.engine.clone();
    services.runtime.spawn(async move {
        let outcome = engine.with_store(move |s| s.staff_sign_in(&typed, Utc::now())).await;
        let _ = weak.upgrade_in_event_loop(move |app| {
            let lang = language(&app);
            let s = app.global::<Staff>();
            match outcome {
                Ok(PinOutcome::Welcome(id)) => open(&app, id),
                Ok(other) => {
                    s.set_pad_locked(matches!(other, PinOutcome::Locked { .. }));
                    s.set_pad_message(other.explain(lang).into());
                }
                Err(e) => {
                    tracing::error!(error = %e, "checking a staff PIN");
                    s.set_pad_message(
                        lang.pick(
                            "No se pudo comprobar el PIN. Intente de nuevo.",
                            "The PIN could not be checked. Try again.",
                        )
                        .into(),
                    );
                }
            }
        });
    });
}

/// The right PIN: maintenance opens on the health report.
fn open(ui: &AppWindow, id: StaffId) {
    tracing::info!(staff = %id, "maintenance opened");
    close_pad(ui);
    let s = ui.global::<Staff>();
    s.set_staff_id(id.as_str().into());
    MAINT.with_borrow_mut(|m| {
        m.staff = Some(id);
        m.observed = None;
    });
    s.set_tab(MaintenanceTab::Health);
    s.set_action_message("".into());
    s.set_notice_error("".into());
    s.set_scan_page(slint::Image::default());
    ui.global::<Kiosk>().set_page(Page::Maintenance);
    touched(ui);
    refresh(&ui.as_weak());
}

/// Leaves maintenance for the welcome screen; `why` goes to the audit log.
pub fn close(ui: &AppWindow, why: &'static str) {
    if staff().is_none() {
        return;
    }
    audit(why, String::new());
    tracing::info!(why, "maintenance closed");
    leave(ui);
}

/// Maintenance's state dropped and the visitor's welcome screen back.
fn leave(ui: &AppWindow) {
    let scan = MAINT.with_borrow_mut(|m| {
        m.idle.stop();
        m.staff = None;
        m.observed = None;
        m.scan.take()
    });
    if let Some(scan) = scan {
        scan.cancel();
    }
    let s = ui.global::<Staff>();
    s.set_staff_id("".into());
    s.set_scan_page(slint::Image::default());
    s.set_action_message("".into());
    s.set_busy(false);
    // The visitor's screen, in Spanish, as every visit starts.
    crate::controller::end_visit(ui);
}

/// A touch while maintenance is open: its two-minute clock starts again.
pub fn touched(ui: &AppWindow) {
    let weak = ui.as_weak();
    MAINT.with_borrow(|m| {
        m.idle.start(TimerMode::SingleShot, IDLE_AFTER.get(), move || {
            if let Some(app) = weak.upgrade() {
                close(&app, "maintenance-closed-idle");
            }
        });
    });
}

/// The language changed: the report and lists are said again in it.
pub fn rerender(ui: &AppWindow) {
    if staff().is_none() {
        return;
    }
    if let Some(o) = MAINT.with_borrow(|m| m.observed.clone()) {
        show_report(ui, &Report::grade(&o, language(ui)));
    }
    show_lists(&ui.as_weak());
}

fn level_index(level: Level) -> i32 {
    match level {
        Level::Green => 0,
        Level::Amber => 1,
        Level::Red => 2,
    }
}

/// Observations graded in the screen's language.
pub fn show_observations(ui: &AppWindow, o: &Observations) {
    show_report(ui, &Report::grade(o, language(ui)));
}

fn show_report(ui: &AppWindow, r: &Report) {
    let lang = language(ui);
    let s = ui.global::<Staff>();
    s.set_overall(level_index(r.overall));
    s.set_overall_word(r.overall.word(lang).into());
    let lines: Vec<HealthLine> = r
        .checks
        .iter()
        .map(|c| HealthLine {
            area: c.area.label(lang).into(),
            level: level_index(c.level),
            word: c.level.word(lang).into(),
            detail: c.detail.clone().into(),
        })
        .collect();
    s.set_health(ModelRc::new(VecModel::from(lines)));
    let at = r.observations.at.with_timezone(&chrono::Local);
    s.set_checked_at(at.format("%H:%M:%S").to_string().into());
}

/// Asks every part again (kiosk-health) and shows the report; the lists too.
fn refresh(ui: &Weak<AppWindow>) {
    let Some(services) = services() else { return };
    let Some(app) = ui.upgrade() else { return };
    app.global::<Staff>().set_checking(true);
    let sources = sources(&services);
    spawn(ui, async move { kiosk_health::observe(&sources).await }, |app, o| {
        app.global::<Staff>().set_checking(false);
        show_report(app, &Report::grade(&o, language(app)));
        MAINT.with_borrow_mut(|m| m.observed = Some(o));
    });
    show_lists(ui);
}

/// What the health report asks, from the running kiosk's services.
pub fn sources(services: &Services) -> kiosk_health::Sources {
    kiosk_health::Sources {
        engine: services.engine.clone(),
        printer: services.printing.as_ref().map(|p| p.queue().clone()),
        scanner: services.scanner.clone(),
        data_dir: services.kiosk.data_dir.clone(),
        offices: services.kiosk.offices.clone(),
        clock: services.device.clock.clone(),
        started: Some(services.kiosk.started),
        version: env!("CARGO_PKG_VERSION").into(),
        boot_file: services.kiosk.boot_file.clone(),
    }
}

/// The last tickets and the recent problems in the log.
fn show_lists(ui: &Weak<AppWindow>) {
    let Some(services) = services() else { return };
    let Some(app) = ui.upgrade() else { return };
    show_problems(&app, crate::logging::recent());
    let Some(printing) = services.printing.clone() else {
        return;
    };
    spawn(ui, async move { printing.recent(RECENT_TICKETS).await }, show_jobs);
}

/// The recent problems of the log, in the screen's language.
pub fn show_problems(ui: &AppWindow, problems: Vec<crate::logging::Problem>) {
    let lang = language(ui);
    let errors: Vec<ErrorRow> = problems
        .into_iter()
        .map(|p| ErrorRow {
            when: p
                .at
                .with_timezone(&chrono::Local)
                .format("%d/%m %H:%M")
                .to_string()
                .into(),
            area: area_of(&p.target, lang).into(),
            message: p.message.into(),
        })
        .collect();
    ui.global::<Staff>().set_errors(ModelRc::new(VecModel::from(errors)));
}

/// The recent tickets that can be printed again.
pub fn show_jobs(ui: &AppWindow, jobs: Vec<kiosk_store::PrintJob>) {
    let lang = language(ui);
    let rows: Vec<JobRow> = jobs
        .into_iter()
        .filter(|j| j.ticket.is_some())
        .map(|j| JobRow {
            id: i32::try_from(j.id).unwrap_or(i32::MAX),
            code: j.booking_code.into(),
            when: j
                .created_at
                .with_timezone(&chrono::Local)
                .format("%d/%m %H:%M")
                .to_string()
                .into(),
            state: job_state(j.state, j.last_error.as_deref(), lang).into(),
        })
        .collect();
    ui.global::<Staff>().set_recent_jobs(ModelRc::new(VecModel::from(rows)));
}

/// The test scan's page.
pub fn show_scan(ui: &AppWindow, t: &kiosk_scan::Thumbnail) {
    let pixels = slint::SharedPixelBuffer::<slint::Rgb8Pixel>::clone_from_slice(&t.rgb, t.width, t.height);
    ui.global::<Staff>().set_scan_page(slint::Image::from_rgb8(pixels));
}

fn job_state(state: kiosk_store::PrintState, error: Option<&str>, lang: Language) -> String {
    use kiosk_store::PrintState;
    match (state, error) {
        (PrintState::Printed, _) => lang.pick("impreso", "printed").to_owned(),
        (PrintState::Queued, None) => lang.pick("en espera", "waiting").to_owned(),
        (PrintState::Queued, Some(e)) => match lang {
            Language::Es => format!("en espera ({e})"),
            Language::En => format!("waiting ({e})"),
        },
        (PrintState::Abandoned, _) => lang.pick("no impreso", "not printed").to_owned(),
    }
}

/// The part of the kiosk a log line came from, in staff's words.
fn area_of(target: &str, lang: Language) -> &'static str {
    let starts = |p: &str| target.starts_with(p);
    if starts("kiosk_print") || starts("citas_kiosk::printing") {
        Area::Printer.label(lang)
    } else if starts("kiosk_scan") {
        Area::Scanner.label(lang)
    } else if starts("kiosk_sync") || starts("reqwest") || starts("hyper") {
        Area::Central.label(lang)
    } else if starts("kiosk_store") {
        lang.pick("Base de datos", "Database")
    } else if starts("kiosk_device") || starts("citas_kiosk::device") {
        lang.pick("Equipo", "Device")
    } else {
        lang.pick("Aplicación", "App")
    }
}

fn when_now() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M").to_string()
}

fn test_print(ui: &Weak<AppWindow>) {
    let Some(app) = ui.upgrade() else { return };
    let lang = language(&app);
    let Some(services) = services() else { return };
    let Some(printing) = services.printing.clone() else {
        said(
            &app,
            true,
            lang.pick(
                "Este quiosco no tiene impresora configurada.",
                "This kiosk has no printer configured.",
            ),
        );
        return;
    };
    audit("test-print", String::new());
    busy(&app, true);
    said(
        &app,
        false,
        lang.pick("Imprimiendo la página de prueba…", "Printing the test page…"),
    );
    let kiosk_id = services.kiosk.id.clone();
    spawn(
        ui,
        async move { printing.test_page(&kiosk_id, &when_now()).await },
        move |app, printed| {
            busy(app, false);
            let lang = language(app);
            match printed {
                Ok(p) if p.status.is_none_or(|s| !s.needs_attention()) => said(
                    app,
                    false,
                    lang.pick(
                        "Página de prueba impresa: revise que se lean los acentos, la regla completa y el código QR.",
                        "Test page printed: check that the accents, the whole ruler and the QR code are readable.",
                    ),
                ),
                Ok(p) => {
                    let status = p.status.map(|s| s.explain(lang)).unwrap_or_default();
                    said(app, true, &status);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "test print");
                    said(app, true, &e.explain(lang));
                }
            }
            refresh(&app.as_weak());
        },
    );
}

fn test_scan(ui: &Weak<AppWindow>) {
    let Some(app) = ui.upgrade() else { return };
    let lang = language(&app);
    let Some(services) = services() else { return };
    let Some(device) = services.scanner.clone() else {
        said(&app, true, &kiosk_scan::ScanError::NoScanner.explain(lang));
        return;
    };
    audit("test-scan", String::new());
    let cancel = tokio_util::sync::CancellationToken::new();
    MAINT.with_borrow_mut(|m| m.scan = Some(cancel.clone()));
    busy(&app, true);
    app.global::<Staff>().set_scan_page(slint::Image::default());
    said(
        &app,
        false,
        lang.pick("Escaneando la página de prueba…", "Scanning the test page…"),
    );
    spawn(ui, scan_one_page(device, cancel), move |app, scanned| {
        busy(app, false);
        MAINT.with_borrow_mut(|m| m.scan = None);
        let lang = language(app);
        match scanned {
            Ok(t) => {
                show_scan(app, &t);
                said(
                    app,
                    false,
                    lang.pick(
                        "Página escaneada: revise que se lea bien. No se guarda ni se envía.",
                        "Page scanned: check that it reads well. It is neither kept nor sent.",
                    ),
                );
            }
            Err(e) => {
                tracing::warn!(error = %e, "test scan");
                said(app, true, &e.explain(lang));
            }
        }
    });
}

/// The test scan: one page at a modest resolution, as a picture for the screen (nothing kept).
pub async fn scan_one_page(
    device: kiosk_scan::DeviceUri,
    cancel: tokio_util::sync::CancellationToken,
) -> Result<kiosk_scan::Thumbnail, kiosk_scan::ScanError> {
    let scanner = device.connect().await?;
    let options = kiosk_scan::escl::ScanOptions {
        dpi: TEST_SCAN_DPI,
        max_pages: 1,
        ..kiosk_scan::escl::ScanOptions::default()
    };
    let pages = scanner.scan(options, &cancel, |_| {}).await?;
    let first = pages
        .into_iter()
        .next()
        .ok_or_else(|| kiosk_scan::ScanError::Protocol("the scanner sent no page".into()))?;
    tokio::task::spawn_blocking(move || kiosk_scan::thumbnail(&first, SCAN_PICTURE_SIDE))
        .await
        .map_err(|e| kiosk_scan::ScanError::Protocol(e.to_string()))?
        .map_err(|e| kiosk_scan::ScanError::Protocol(e.to_string()))
}

fn sync_now(ui: &Weak<AppWindow>) {
    let Some(app) = ui.upgrade() else { return };
    let lang = language(&app);
    let Some(services) = services() else { return };
    audit("sync-now", String::new());
    busy(&app, true);
    said(&app, false, lang.pick("Sincronizando…", "Syncing…"));
    let (engine, offices) = (services.engine.clone(), services.kiosk.offices.clone());
    spawn(
        ui,
        async move {
            let now = Utc::now();
            engine.retry_now().await?;
            engine.sync_catalogue(now).await?;
            for office in &offices {
                engine.sync_office(office, now).await?;
            }
            engine.drain().await
        },
        move |app, done| {
            busy(app, false);
            let lang = language(app);
            match done {
                Ok(report) => {
                    let words = match lang {
                        Language::Es => format!(
                            "Sincronizado. Envíos pendientes entregados: {}; aún en espera: {}.",
                            report.delivered, report.still_pending
                        ),
                        Language::En => format!(
                            "Synchronised. Waiting items delivered: {}; still waiting: {}.",
                            report.delivered, report.still_pending
                        ),
                    };
                    said(app, false, &words);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "sync now");
                    let words = match lang {
                        Language::Es => format!("No se pudo sincronizar: {e}"),
                        Language::En => format!("Could not sync: {e}"),
                    };
                    said(app, true, &words);
                }
            }
            refresh(&app.as_weak());
        },
    );
}

fn reprint(ui: &Weak<AppWindow>, id: i64) {
    let Some(app) = ui.upgrade() else { return };
    let lang = language(&app);
    let Some(printing) = services().and_then(|s| s.printing) else {
        return;
    };
    audit("reprint", format!("job {id}"));
    busy(&app, true);
    said(&app, false, lang.pick("Reimprimiendo…", "Reprinting…"));
    spawn(ui, async move { printing.reprint(id).await }, move |app, outcome| {
        busy(app, false);
        let lang = language(app);
        match outcome {
            crate::printing::TicketOutcome::Printed => {
                said(app, false, lang.pick("Boleto reimpreso.", "Ticket reprinted."));
            }
            crate::printing::TicketOutcome::AskStaff { why, status } => {
                let words = status.map_or(why, |s| s.explain(lang));
                said(app, true, &words);
            }
        }
        refresh(&app.as_weak());
    });
}

fn set_out_of_service(ui: &Weak<AppWindow>, out: bool) {
    let Some(app) = ui.upgrade() else { return };
    let lang = language(&app);
    let (Some(services), Some(who)) = (services(), staff()) else {
        return;
    };
    let s = app.global::<Staff>();
    let notice = if out {
        match Notice::parse(&s.get_notice()) {
            Ok(n) => n,
            Err(e) => {
                s.set_notice_error(e.explain(lang).into());
                return;
            }
        }
    } else {
        None
    };
    s.set_notice_error("".into());
    busy(&app, true);
    let engine = services.engine.clone();
    spawn(
        ui,
        async move {
            let now = Utc::now();
            let message = notice.as_ref().map(|n| n.as_str().to_owned()).unwrap_or_default();
            engine
                .with_store(move |s| {
                    if out {
                        s.take_out_of_service(&who, notice.as_ref(), now)
                    } else {
                        s.back_in_service(&who, now)
                    }
                })
                .await
                .map(|()| message)
        },
        move |app, done| {
            busy(app, false);
            let lang = language(app);
            match done {
                Ok(message) => {
                    tracing::warn!(out_of_service = out, "service state changed by staff");
                    show_service_state(app, out.then_some(message.clone()));
                    app.global::<Staff>().set_notice(message.into());
                    let words = if out {
                        lang.pick(
                            "El quiosco está fuera de servicio. Los visitantes ven el aviso al cerrar mantenimiento.",
                            "The kiosk is out of service. Visitors see the notice once maintenance closes.",
                        )
                    } else {
                        lang.pick("El quiosco está de nuevo en servicio.", "The kiosk is back in service.")
                    };
                    said(app, false, words);
                    crate::controller::check_health(&app.as_weak());
                }
                Err(e) => {
                    tracing::error!(error = %e, "changing the service state");
                    said(app, true, &e.to_string());
                }
            }
            refresh(&app.as_weak());
        },
    );
}

/// Restarts the app: audited first (the audit line is in the store before the loop ends), then
/// the event loop is told to end and `main` starts the kiosk again.
fn restart(ui: &AppWindow) {
    let lang = language(ui);
    let (Some(services), Some(who)) = (services(), staff()) else {
        return;
    };
    busy(ui, true);
    said(
        ui,
        false,
        lang.pick("Reiniciando la aplicación…", "Restarting the app…"),
    );
    let engine = services.engine.clone();
    spawn(
        &ui.as_weak(),
        async move {
            let at = Utc::now();
            engine
                .with_store(move |s| s.audit(who.as_str(), "restart", "", at))
                .await
        },
        |app, audited| {
            if let Err(e) = audited {
                tracing::error!(error = %e, "the audit log cannot be written");
            }
            tracing::warn!("restart asked by staff");
            RESTART.store(true, Ordering::SeqCst);
            leave(app);
            let _ = slint::quit_event_loop();
        },
    );
}
