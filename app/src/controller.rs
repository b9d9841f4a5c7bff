//! The controller: UI callbacks -> `kiosk-core` rules and `kiosk-sync` calls -> UI properties.
//!
//! Long work runs on the tokio runtime; results come back to the Slint event loop through
//! `upgrade_in_event_loop`. What the screens show in words (dates, procedure names, errors) is
//! rendered here from kept values, so switching language re-renders it without losing input.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use kiosk_core::Language;
use kiosk_sync::api::Booking;
use kiosk_sync::{ConfirmOutcome, EngineError, SyncEngine};
use slint::{ComponentHandle, Timer, TimerMode, Weak};

use crate::nav::{Nav, Navigator};
use crate::screens::Ctx;
use crate::screens::lookup::LookupScreen;
use crate::screens::maintenance::MaintenanceScreen;
use crate::ui::{AppWindow, Keyboard, Kiosk, Llave, LlaveState, Page, SignIn, TicketState, Visit};
use crate::visit::{self, Forms, VisitState};

pub use crate::services::{KioskInfo, Services};

/// A visit is wiped after this long without a touch: a warning first, then the wipe.
pub const IDLE_WARNING_AFTER: Duration = Duration::from_mins(1);
pub const IDLE_WIPE_AFTER: Duration = Duration::from_secs(90);

/// What the controller keeps between callbacks (the visitor's data of the current visit).
#[derive(Debug, Default)]
struct State {
    /// The visitor's language, shared with the screens.
    language: Rc<Cell<Language>>,
    maintenance: Option<Rc<MaintenanceScreen>>,
    lookup: Option<Rc<LookupScreen>>,
    visit: VisitState,
    forms: Option<Forms>,
    services: Option<Services>,
    /// When step 4 last asked the scanner for its status.
    scanner_checked: Option<std::time::Instant>,
}

/// The timers of the screen: inactivity, the hold's countdown, the server's health, dimming.
#[derive(Default)]
struct Timers {
    idle_warning: Timer,
    idle_countdown: Timer,
    tick: Timer,
    health: Timer,
    dim: Timer,
}

/// The welcome screen dims after this long with nobody in front of it and no touch.
pub const DIM_AFTER: Duration = Duration::from_mins(3);

/// Tests: the welcome screen dims after `d` instead of [`DIM_AFTER`].
pub fn dim_after(d: Duration) {
    DIM_WAIT.set(d);
}

/// Dims the screen (and the backlight, where the display has one) or lights it again.
fn set_dimmed(ui: &AppWindow, dimmed: bool) {
    let k = ui.global::<Kiosk>();
    if k.get_dimmed() == dimmed {
        return;
    }
    k.set_dimmed(dimmed);
    let backlight = STATE.with_borrow(|st| st.services.as_ref().and_then(|s| s.device.backlight.clone()));
    if let Some(b) = backlight
        && let Err(e) = b.set_dimmed(dimmed)
    {
        tracing::warn!(error = %e, "the display's backlight cannot be set");
    }
}

/// How often the welcome screen asks whether the server answers.
const HEALTH_EVERY: Duration = Duration::from_secs(15);

thread_local! {
    /// Lives on the UI thread only: callbacks and `upgrade_in_event_loop` closures run there.
    static STATE: RefCell<State> = RefCell::new(State::default());
    static TIMERS: Timers = Timers::default();
    /// The presence sensor sees someone in front of the kiosk.
    static PRESENT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static DIM_WAIT: std::cell::Cell<Duration> = const { std::cell::Cell::new(DIM_AFTER) };
}

/// (Re)starts the countdown to dimming the welcome screen.
fn start_dim_timer(ui: &AppWindow) {
    let weak = ui.as_weak();
    TIMERS.with(|t| {
        t.dim.start(TimerMode::SingleShot, DIM_WAIT.get(), move || {
            let Some(ui) = weak.upgrade() else { return };
            let k = ui.global::<Kiosk>();
            if k.get_page() == Page::Welcome && !PRESENT.get() && !ui.global::<crate::ui::StaffPad>().get_pad_open() {
                tracing::debug!("nobody in front of the kiosk: dimming");
                set_dimmed(&ui, true);
            }
        });
    });
}

/// Someone arrived in front of the kiosk (presence sensor) or left.
fn presence(ui: &AppWindow, here: bool) {
    PRESENT.set(here);
    if here {
        set_dimmed(ui, false);
    }
    start_dim_timer(ui);
}

/// Re-renders every text that depends on the language.
fn rerender(ui: &AppWindow, state: &State) {
    if let Some(forms) = &state.forms {
        visit::render(ui, &state.visit, forms, state.language.get());
    }
}

/// Runs `f` on the visit, then shows the result.
fn with_visit<R>(ui: &AppWindow, f: impl FnOnce(&mut VisitState) -> R) -> R {
    STATE.with_borrow_mut(|st| {
        let r = f(&mut st.visit);
        rerender(ui, st);
        r
    })
}

/// Runs `work` on the runtime and `then` on the UI thread with its answer, unless the visit
/// ended meanwhile (an answer for a wiped visit is dropped). While it runs the step shows busy.
fn spawn_for_visit<T: Send + 'static>(
    ui: &Weak<AppWindow>,
    work: impl Future<Output = T> + Send + 'static,
    then: impl FnOnce(&AppWindow, &mut VisitState, T) + Send + 'static,
) {
    let Some(app) = ui.upgrade() else { return };
    let Some((runtime, generation)) = STATE.with_borrow_mut(|st| {
        st.visit.busy = true;
        let r = st.services.as_ref().map(|s| (s.runtime.clone(), st.visit.generation));
        rerender(&app, st);
        r
    }) else {
        return;
    };
    let ui = ui.clone();
    runtime.spawn(async move {
        let answer = work.await;
        let _ = ui.upgrade_in_event_loop(move |app| {
            STATE.with_borrow_mut(|st| {
                if st.visit.generation != generation {
                    return;
                }
                st.visit.busy = false;
                then(&app, &mut st.visit, answer);
                rerender(&app, st);
            });
        });
    });
}

fn engine() -> Option<SyncEngine> {
    STATE.with_borrow(|st| st.services.as_ref().map(|s| s.engine.clone()))
}

/// Ends the visit (Finish, Cancel or inactivity): holds go back to the server, every field of
/// the visit is dropped, and the kiosk returns to the welcome screen in Spanish.
pub fn end_visit(ui: &AppWindow) {
    let (holds, services) = STATE.with_borrow_mut(|st| {
        if let Some((cancel, _)) = st.visit.llave.take() {
            cancel.cancel();
        }
        // A scan under way ends with the visit (its job is deleted on the scanner).
        if let Some(scanning) = st.visit.scanning.take() {
            scanning.cancel.cancel();
        }
        st.scanner_checked = None;
        let holds = st.visit.session.end();
        let generation = st.visit.generation + 1;
        st.visit = VisitState {
            generation,
            ..VisitState::default()
        };
        st.language.set(Language::Es);
        (holds, st.services.clone())
    });
    if let Some(services) = services {
        // What the visit left in the database's free pages and log is overwritten.
        let engine = services.engine.clone();
        services.runtime.spawn(async move {
            if let Err(e) = engine.with_store(kiosk_store::Store::scrub).await {
                tracing::warn!(error = %e, "scrubbing the database after a visit");
            }
        });
        for hold in holds {
            let engine = services.engine.clone();
            services.runtime.spawn(async move {
                if let Err(e) = engine.release_hold(&hold.id.0).await {
                    tracing::warn!(error = %e, "releasing a hold at the end of a visit");
                }
            });
        }
    }
    if let Some(lookup) = STATE.with_borrow(|st| st.lookup.clone()) {
        lookup.reset();
    }
    let si = ui.global::<SignIn>();
    si.set_email("".into());
    si.set_password("".into());
    si.set_terms_accepted(false);
    let v = ui.global::<Visit>();
    v.set_postal_code("".into());
    v.set_curp("".into());
    v.set_country("".into());
    let l = ui.global::<Llave>();
    l.set_user_code("".into());
    l.set_qr(slint::Image::default());
    l.set_state(LlaveState::Starting);
    // The keyboard's echo line holds the last thing typed: it goes too.
    let kb = ui.global::<Keyboard>();
    kb.set_echo("".into());
    kb.set_label("".into());
    kb.set_forced(false);
    set_language(ui, Language::Es);
    // A PIN pad left open is closed, its digits gone; maintenance's state too.
    if let Some(m) = STATE.with_borrow(|st| st.maintenance.clone()) {
        m.reset();
    }
    let k = ui.global::<Kiosk>();
    k.set_large_text(false);
    k.set_idle_warning(false);
    k.set_page(Page::Welcome);
    start_dim_timer(ui);
    STATE.with_borrow(|st| rerender(ui, st));
    TIMERS.with(|t| {
        t.idle_warning.stop();
        t.idle_countdown.stop();
    });
}

/// A touch: the inactivity clock starts again (maintenance's own, while it is open).
fn touched(ui: &AppWindow) {
    ui.global::<Kiosk>().set_idle_warning(false);
    set_dimmed(ui, false);
    start_dim_timer(ui);
    if ui.global::<Kiosk>().get_page() == Page::Maintenance {
        TIMERS.with(|t| {
            t.idle_warning.stop();
            t.idle_countdown.stop();
        });
        if let Some(m) = STATE.with_borrow(|st| st.maintenance.clone()) {
            m.touched();
        }
        return;
    }
    let weak = ui.as_weak();
    TIMERS.with(|t| {
        t.idle_countdown.stop();
        let countdown = IDLE_WIPE_AFTER.saturating_sub(IDLE_WARNING_AFTER);
        t.idle_warning
            .start(TimerMode::SingleShot, IDLE_WARNING_AFTER, move || {
                let Some(ui) = weak.upgrade() else { return };
                let k = ui.global::<Kiosk>();
                // On the welcome screen there is nothing to warn about: it quietly resets.
                if k.get_page() == Page::Welcome {
                    end_visit(&ui);
                    return;
                }
                k.set_idle_warning(true);
                k.set_idle_seconds_left(i32::try_from(countdown.as_secs()).unwrap_or(30));
                let weak = ui.as_weak();
                TIMERS.with(|t| {
                    t.idle_countdown
                        .start(TimerMode::Repeated, Duration::from_secs(1), move || {
                            let Some(ui) = weak.upgrade() else { return };
                            let k = ui.global::<Kiosk>();
                            let left = k.get_idle_seconds_left() - 1;
                            if left <= 0 {
                                tracing::info!("visit wiped after inactivity");
                                end_visit(&ui);
                            } else {
                                k.set_idle_seconds_left(left);
                            }
                        });
                });
            });
    });
}

/// Every second: the Llave MX code's countdown, the hold's countdown on screen, and the
/// hold's renewal before it runs out.
fn tick(ui: &AppWindow) {
    if ui.global::<Kiosk>().get_page() == Page::Documents {
        check_scanner(ui);
    }
    if ui.global::<Kiosk>().get_page() == Page::Llave
        && let Some((_, expires)) = STATE.with_borrow(|st| st.visit.llave.clone())
    {
        let left = expires.saturating_duration_since(std::time::Instant::now()).as_secs();
        ui.global::<Llave>().set_seconds_left(i32::try_from(left).unwrap_or(0));
    }
    if ui.global::<Kiosk>().get_page() != Page::DateTime {
        return;
    }
    let now = chrono::Utc::now();
    let renew = STATE.with_borrow_mut(|st| {
        rerender_hold(ui, st);
        let renew = if st.visit.busy {
            None
        } else {
            visit::hold_to_renew(&st.visit, now)
        };
        if let Some(h) = st.visit.session.hold()
            && !h.is_live(now)
            && st.visit.errors.is_none()
        {
            st.visit.errors = Some(visit::Msg::words(
                "El tiempo para confirmar terminó y el horario se liberó. Elija el horario de nuevo.",
                "The time to confirm ran out and the time was released. Choose the time again.",
            ));
            rerender(ui, st);
        }
        renew
    });
    if let (Some(hold), Some(engine)) = (renew, engine()) {
        let slot = STATE.with_borrow(|st| st.visit.session.slot().cloned());
        let Some(slot) = slot else { return };
        spawn_for_visit(
            &ui.as_weak(),
            async move { engine.renew_hold(&hold.id.0).await },
            move |_, v, renewed| visit::held(v, &slot, renewed),
        );
    }
}

fn rerender_hold(ui: &AppWindow, st: &State) {
    if st.forms.is_some() {
        let v = ui.global::<Visit>();
        let text = visit::hold_text_now(&st.visit, st.language.get());
        if v.get_hold_text() != text.as_str() {
            v.set_hold_text(text.into());
        }
    }
}

/// Switches the running UI's language.
pub fn set_language(ui: &AppWindow, lang: Language) {
    if let Err(e) = slint::select_bundled_translation(lang.tag()) {
        tracing::error!(error = %e, language = lang.tag(), "no bundled translation");
    }
    ui.global::<Kiosk>().set_language(lang.tag().into());
}

/// Connects every callback of `ui` to the services.
pub fn wire(ui: &AppWindow, services: Services) {
    let forms = Forms::install(ui);
    STATE.with_borrow_mut(|st| {
        *st = State {
            forms: Some(forms),
            services: Some(services.clone()),
            ..State::default()
        };
    });
    set_language(ui, Language::Es);
    if services.scanner == Some(kiosk_scan::DeviceUri::Usb) {
        watch_usb_scanners(ui, &services.runtime);
    }
    if let Some(printing) = &services.printing {
        printing.start_retrying(&services.runtime);
    }
    watch_device(ui, &services);
    let nav = Navigator::default();
    let language = STATE.with_borrow(|st| st.language.clone());
    let ctx = Ctx::new(ui, services, nav.clone(), language);
    let maintenance = MaintenanceScreen::new(ctx.clone());
    let lookup = LookupScreen::new(ctx);
    STATE.with_borrow_mut(|st| {
        st.maintenance = Some(maintenance.clone());
        st.lookup = Some(lookup);
    });
    nav.handle_with({
        let ui = ui.as_weak();
        move |n| {
            if let Some(ui) = ui.upgrade() {
                navigate(&ui, &maintenance, n);
            }
        }
    });
    TIMERS.with(|t| {
        let weak = ui.as_weak();
        t.tick.start(TimerMode::Repeated, Duration::from_secs(1), move || {
            if let Some(ui) = weak.upgrade() {
                tick(&ui);
            }
        });
    });
    wire_visit(ui);
    TIMERS.with(|t| {
        let weak = ui.as_weak();
        check_health(&weak);
        t.health
            .start(TimerMode::Repeated, HEALTH_EVERY, move || check_health(&weak));
    });
    ui.global::<Keyboard>().on_key({
        let ui = ui.as_weak();
        move |text| {
            // The on-screen keyboard types into whatever has the focus, as a real one would.
            if let Some(ui) = ui.upgrade() {
                let w = ui.window();
                w.dispatch_event(slint::platform::WindowEvent::KeyPressed { text: text.clone() });
                w.dispatch_event(slint::platform::WindowEvent::KeyReleased { text });
            }
        }
    });

    let kiosk = ui.global::<Kiosk>();
    kiosk.on_language_chosen({
        let ui = ui.as_weak();
        move |tag| {
            let Some(ui) = ui.upgrade() else { return };
            let Ok(lang) = tag.parse::<Language>() else { return };
            set_language(&ui, lang);
            let (maintenance, lookup) = STATE.with_borrow_mut(|st| {
                st.language.set(lang);
                st.visit.session.set_language(lang);
                rerender(&ui, st);
                (st.maintenance.clone(), st.lookup.clone())
            });
            if let Some(m) = maintenance {
                m.relabel();
            }
            if let Some(l) = lookup {
                l.relabel();
            }
        }
    });
    kiosk.on_go_home({
        let ui = ui.as_weak();
        move || {
            if let Some(ui) = ui.upgrade() {
                end_visit(&ui);
            }
        }
    });
    kiosk.on_touched({
        let ui = ui.as_weak();
        move || {
            if let Some(ui) = ui.upgrade() {
                touched(&ui);
            }
        }
    });
    kiosk.on_more_time({
        let ui = ui.as_weak();
        move || {
            if let Some(ui) = ui.upgrade() {
                touched(&ui);
            }
        }
    });
}

/// How long the "staff has been called" notice stays.
const STAFF_NOTICE: Duration = Duration::from_secs(20);

/// The call-staff button: a notice on screen for [`STAFF_NOTICE`], and a count for the next
/// heartbeat (the consulate's system sees which kiosk called).
fn watch_device(ui: &AppWindow, services: &Services) {
    let mut events = services.device.gpio.subscribe();
    let (device, ui) = (services.device.clone(), ui.as_weak());
    services.runtime.spawn(async move {
        loop {
            match events.recv().await {
                Ok(kiosk_device::gpio::DeviceEvent::CallStaff) => {
                    device.staff_calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    tracing::info!("the call-staff button was pressed");
                    let _ = ui.upgrade_in_event_loop(|app| {
                        app.global::<Kiosk>().set_staff_called(true);
                        let weak = app.as_weak();
                        slint::Timer::single_shot(STAFF_NOTICE, move || {
                            if let Some(app) = weak.upgrade() {
                                app.global::<Kiosk>().set_staff_called(false);
                            }
                        });
                    });
                }
                Ok(kiosk_device::gpio::DeviceEvent::Presence(here)) => {
                    tracing::debug!(here, "presence sensor");
                    let _ = ui.upgrade_in_event_loop(move |app| presence(&app, here));
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(missed = n, "device events arrived faster than they were read");
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    });
}

/// Goes to a step's page; entering step 5 loads its calendar.
fn show_step(ui: &AppWindow, step: kiosk_core::session::Step) {
    ui.global::<Kiosk>().set_page(visit::page_of(step));
    if step == kiosk_core::session::Step::DateTime {
        let office = STATE.with_borrow(|st| st.visit.session.office().cloned());
        if let (Some(office), Some(engine)) = (office, engine()) {
            STATE.with_borrow_mut(|st| {
                st.visit.notice = Some(visit::Msg::words(
                    "Cargando el calendario de citas…",
                    "Loading the appointment calendar…",
                ));
            });
            spawn_for_visit(
                &ui.as_weak(),
                async move { visit::office_slots(&engine, &office).await },
                |_, v, slots| {
                    v.notice = None;
                    visit::slots_loaded(v, slots, chrono::Utc::now());
                },
            );
        }
    }
}

/// The sign-in form and the five steps.
fn wire_visit(ui: &AppWindow) {
    let si = ui.global::<SignIn>();
    si.on_submit({
        let ui = ui.as_weak();
        move || {
            let Some(app) = ui.upgrade() else { return };
            let si = app.global::<SignIn>();
            let (email, password) = (si.get_email().to_string(), si.get_password().to_string());
            let checked = visit::check_sign_in(&email, &password, si.get_terms_accepted());
            let email = match checked {
                Ok(e) => e,
                Err(msg) => {
                    with_visit(&app, |v| v.sign_in_error = Some(msg));
                    return;
                }
            };
            let Some(engine) = engine() else { return };
            spawn_for_visit(
                &ui,
                async move {
                    let session = engine.client().sign_in(&email.to_string(), &password).await;
                    let catalogue = visit::load_catalogue(&engine).await;
                    let bookings = match &session {
                        Ok(s) => my_bookings(&engine, &s.token).await,
                        Err(_) => Err(()),
                    };
                    (email, session, catalogue, bookings)
                },
                |app, v, (email, session, catalogue, bookings)| match (session, catalogue) {
                    (Ok(account), Ok(catalogue)) => {
                        visit::signed_in(v, account, email, &catalogue);
                        v.my_bookings = Some(bookings);
                        app.global::<SignIn>().set_password("".into());
                        app.global::<Visit>().set_country(visit::default_country(v).into());
                        app.global::<Kiosk>().set_page(Page::MyProcedures);
                    }
                    (Err(e), _) => {
                        tracing::info!(error = %e, "sign-in refused");
                        v.sign_in_error = Some(visit::sign_in_failed(&e));
                    }
                    (Ok(_), Err(e)) => {
                        tracing::warn!(error = %e, "catalogue unavailable");
                        v.sign_in_error = Some(visit::Msg::words(
                            "No podemos cargar las oficinas consulares en este momento. Pida ayuda al personal.",
                            "We cannot load the consular offices right now. Ask the staff for help.",
                        ));
                    }
                },
            );
        }
    });

    wire_llave(ui);
    wire_register(ui);

    let v = ui.global::<Visit>();
    v.on_start_procedure({
        let ui = ui.as_weak();
        move || {
            if let Some(app) = ui.upgrade() {
                app.global::<Kiosk>().set_page(Page::Location);
            }
        }
    });
    v.on_next({
        let ui = ui.as_weak();
        move || {
            let Some(app) = ui.upgrade() else { return };
            if app.global::<Kiosk>().get_page() == Page::DateTime {
                confirm(&app);
                return;
            }
            if let Some(step) = with_visit(&app, |v| visit::next(v, chrono::Utc::now())) {
                show_step(&app, step);
                STATE.with_borrow(|st| rerender(&app, st));
            }
        }
    });
    v.on_back({
        let ui = ui.as_weak();
        move || {
            let Some(app) = ui.upgrade() else { return };
            let at_first = STATE.with_borrow(|st| st.visit.session.step() == kiosk_core::session::Step::Location);
            if at_first {
                end_visit(&app);
                return;
            }
            let step = with_visit(&app, |v| {
                v.errors = None;
                v.info_open = None;
                v.session.back()
            });
            app.global::<Kiosk>().set_page(visit::page_of(step));
        }
    });
    v.on_search_offices({
        let ui = ui.as_weak();
        move || {
            let Some(app) = ui.upgrade() else { return };
            let v = app.global::<Visit>();
            let checked = visit::check_search(&v.get_country(), &v.get_postal_code());
            let (country, postal) = match checked {
                Ok(c) => c,
                Err(msg) => {
                    with_visit(&app, |v| {
                        v.near.clear();
                        v.search_msg = Some(msg);
                    });
                    return;
                }
            };
            v.set_postal_code(postal.as_str().into());
            let Some(engine) = engine() else { return };
            spawn_for_visit(
                &ui,
                async move {
                    engine
                        .client()
                        .offices_near(country.as_str(), postal.as_str())
                        .await
                        .map(|n| n.offices)
                },
                |_, v, near| visit::search_result(v, near),
            );
        }
    });
    v.on_choose_office({
        let ui = ui.as_weak();
        move |id| {
            if let Some(app) = ui.upgrade() {
                with_visit(&app, |v| visit::choose_office(v, &id));
            }
        }
    });
    v.on_search_curp({
        let ui = ui.as_weak();
        move || {
            let Some(app) = ui.upgrade() else { return };
            let typed = app.global::<Visit>().get_curp().to_string();
            let curp = match kiosk_core::curp::Curp::parse(&typed) {
                Ok(c) => c,
                Err(e) => {
                    with_visit(&app, |v| v.curp_error = Some(visit::Msg::explain(e)));
                    return;
                }
            };
            app.global::<Visit>().set_curp(curp.as_str().into());
            let Some(engine) = engine() else { return };
            spawn_for_visit(
                &ui,
                async move { engine.client().curp(curp.as_str()).await },
                |_, v, record| visit::curp_found(v, record),
            );
        }
    });
    v.on_set_no_curp({
        let ui = ui.as_weak();
        move |on| {
            if let Some(app) = ui.upgrade() {
                with_visit(&app, |v| visit::set_no_curp(v, on));
            }
        }
    });
    v.on_identity_edited({
        let ui = ui.as_weak();
        move |key, value| {
            if let Some(app) = ui.upgrade() {
                with_visit(&app, |v| visit::identity_edited(v, &key, &value));
            }
        }
    });
    v.on_toggle_procedure({
        let ui = ui.as_weak();
        move |id| {
            if let Some(app) = ui.upgrade() {
                with_visit(&app, |v| visit::toggle_procedure(v, &id));
            }
        }
    });
    v.on_open_info({
        let ui = ui.as_weak();
        move |id| {
            if let Some(app) = ui.upgrade() {
                with_visit(&app, |v| visit::open_info(v, &id));
            }
        }
    });
    v.on_info_edited({
        let ui = ui.as_weak();
        move |key, value| {
            if let Some(app) = ui.upgrade() {
                with_visit(&app, |v| visit::edit_info(v, &key, &value));
            }
        }
    });
    v.on_info_done({
        let ui = ui.as_weak();
        move || {
            if let Some(app) = ui.upgrade() {
                with_visit(&app, |v| {
                    let today = visit::office_today(v, chrono::Utc::now());
                    visit::info_done(v, today);
                });
            }
        }
    });
    v.on_applicant_edited({
        let ui = ui.as_weak();
        move |key, value| {
            if let Some(app) = ui.upgrade() {
                with_visit(&app, |v| visit::applicant_edited(v, &key, &value));
            }
        }
    });
    v.on_scan_document({
        let ui = ui.as_weak();
        move |id, add| scan_document(&ui, &id, add)
    });
    v.on_cancel_scan(move || {
        STATE.with_borrow(|st| {
            if let Some(scanning) = &st.visit.scanning {
                scanning.cancel.cancel();
            }
        });
    });
    v.on_set_color({
        let ui = ui.as_weak();
        move |id, on| {
            let Some(app) = ui.upgrade() else { return };
            with_visit(&app, |v| {
                if let Some(kind) = visit::parse_kind(v, &id) {
                    if on {
                        v.color.insert(kind);
                    } else {
                        v.color.remove(&kind);
                    }
                }
            });
        }
    });
    v.on_change_month({
        let ui = ui.as_weak();
        move |delta| {
            if let Some(app) = ui.upgrade() {
                with_visit(&app, |v| visit::change_month(v, delta, chrono::Utc::now()));
            }
        }
    });
    v.on_choose_day({
        let ui = ui.as_weak();
        move |date| {
            if let Some(app) = ui.upgrade() {
                with_visit(&app, |v| visit::choose_day(v, &date));
            }
        }
    });
    v.on_choose_time({
        let ui = ui.as_weak();
        move |id| {
            let Some(app) = ui.upgrade() else { return };
            let Some((slot, released)) = with_visit(&app, |v| visit::choose_time(v, &id, chrono::Utc::now())) else {
                return;
            };
            let Some(engine) = engine() else { return };
            spawn_for_visit(
                &ui,
                async move {
                    for old in released {
                        if let Err(e) = engine.release_hold(&old.id.0).await {
                            tracing::warn!(error = %e, "releasing the previous hold");
                        }
                    }
                    engine.hold(&slot.id.0).await.map(|h| (slot, h))
                },
                |_, v, answer: Result<(kiosk_core::office::Slot, kiosk_sync::api::Hold), EngineError>| match answer {
                    Ok((slot, hold)) => visit::held(v, &slot, Ok(hold)),
                    Err(e) => {
                        let slot = v.session.slot().cloned();
                        if let Some(slot) = slot {
                            visit::held(v, &slot, Err(e));
                        }
                    }
                },
            );
        }
    });
}

/// Step 5's Confirm: through the outbox, so a confirmed booking is never lost; back to the
/// calendar with the day refreshed if the slot was taken meanwhile.
fn confirm(app: &AppWindow) {
    let lang = STATE.with_borrow(|st| st.language.get());
    let Some(request) = with_visit(app, |v| visit::booking_request(v, lang, chrono::Utc::now())) else {
        return;
    };
    let office = STATE.with_borrow(|st| st.visit.session.office().cloned());
    let Some(engine) = engine() else { return };
    STATE.with_borrow_mut(|st| {
        st.visit.notice = Some(visit::Msg::words(
            "Confirmando su cita…",
            "Confirming your appointment…",
        ));
    });
    spawn_for_visit(
        &app.as_weak(),
        async move {
            let outcome = engine.confirm(&request, visit::confirm_patience()).await;
            // After "slot taken" the calendar is refreshed from the server before it shows.
            let slots = match (&outcome, office) {
                (Ok(ConfirmOutcome::SlotTaken), Some(office)) => Some(visit::office_slots(&engine, &office).await),
                _ => None,
            };
            (outcome, slots)
        },
        |app, v, (outcome, slots)| {
            v.notice = None;
            let done = visit::confirmed(v, outcome);
            if let Some(slots) = slots {
                let errors = v.errors.clone();
                visit::slots_loaded(v, slots, chrono::Utc::now());
                v.errors = errors;
            }
            if done {
                app.global::<Kiosk>().set_page(Page::Confirmation);
            }
            if let Some(visit::Outcome::Confirmed(b)) = &v.outcome {
                // After this answer's handler lets go of the state.
                let (ui, code) = (app.as_weak(), b.code.clone());
                slint::Timer::single_shot(Duration::ZERO, move || {
                    if let Some(app) = ui.upgrade() {
                        print_confirmation_ticket(&app, code);
                    }
                });
            }
        },
    );
}

fn printing() -> Option<crate::printing::Printing> {
    STATE.with_borrow(|st| st.services.as_ref().and_then(|s| s.printing.clone()))
}

/// Prints the ticket the confirmation of `code` queued, showing its picture meanwhile and
/// then whether to take it or ask staff. The booking is confirmed whatever happens here.
fn print_confirmation_ticket(app: &AppWindow, code: String) {
    let Some(printing) = printing() else { return };
    let work = {
        let printing = printing.clone();
        async move {
            let (id, ticket) = printing.confirmation_ticket(&code).await?;
            Some((
                id,
                printing.preview(&ticket).as_ref().map(crate::printing::preview_pixels),
            ))
        }
    };
    spawn_quiet(&app.as_weak(), work, move |app, st, found| {
        let Some((id, pixels)) = found else {
            tracing::error!("the confirmation queued no ticket");
            st.visit.ticket = Some(visit::TicketView {
                state: TicketState::AskStaff,
                preview: slint::Image::default(),
            });
            return;
        };
        st.visit.ticket = Some(visit::TicketView {
            state: TicketState::Printing,
            preview: pixels.map(slint::Image::from_rgb8).unwrap_or_default(),
        });
        spawn_quiet_from(
            st,
            &app.as_weak(),
            async move { printing.print(id).await },
            |_, st, outcome| {
                if let Some(t) = st.visit.ticket.as_mut() {
                    t.state = outcome.ticket_state();
                }
            },
        );
    });
}

/// Runs `work` on the runtime and `then` on the UI thread, unless the visit ended meanwhile;
/// unlike [`spawn_for_visit`] the screen is not marked busy (the visitor may leave).
fn spawn_quiet<T: Send + 'static>(
    ui: &Weak<AppWindow>,
    work: impl Future<Output = T> + Send + 'static,
    then: impl FnOnce(&AppWindow, &mut State, T) + Send + 'static,
) {
    STATE.with_borrow(|st| spawn_quiet_from(st, ui, work, then));
}

/// [`spawn_quiet`] from code that already holds the state (an answer's handler).
fn spawn_quiet_from<T: Send + 'static>(
    st: &State,
    ui: &Weak<AppWindow>,
    work: impl Future<Output = T> + Send + 'static,
    then: impl FnOnce(&AppWindow, &mut State, T) + Send + 'static,
) {
    let Some(runtime) = st.services.as_ref().map(|s| s.runtime.clone()) else {
        return;
    };
    let generation = st.visit.generation;
    let ui = ui.clone();
    runtime.spawn(async move {
        let answer = work.await;
        let _ = ui.upgrade_in_event_loop(move |app| {
            STATE.with_borrow_mut(|st| {
                if st.visit.generation == generation {
                    then(&app, st, answer);
                    rerender(&app, st);
                }
            });
        });
    });
}

/// Step 4's Scan (or "Add a page"): the scanner's pages to a PDF within the budget, uploaded
/// and attached; progress shown page by page; cancellable; the job deleted on the scanner
/// whatever happens.
fn scan_document(ui: &Weak<AppWindow>, id: &str, add: bool) {
    let Some(app) = ui.upgrade() else { return };
    let prepared = STATE.with_borrow_mut(|st| {
        let kind = visit::parse_kind(&st.visit, id)?;
        let services = st.services.clone()?;
        let Some(device) = services.scanner.clone() else {
            st.visit.errors = Some(visit::Msg::explain(kiosk_scan::ScanError::NoScanner));
            rerender(&app, st);
            return None;
        };
        if st.visit.busy {
            return None;
        }
        let earlier = if add {
            st.visit.scans.get(&kind).map(|s| s.pages.clone()).unwrap_or_default()
        } else {
            Vec::new()
        };
        let cancel = tokio_util::sync::CancellationToken::new();
        st.visit.errors = None;
        st.visit.scanning = Some(visit::Scanning {
            kind,
            pages: 0,
            cancel: cancel.clone(),
        });
        let color = st.visit.color.contains(&kind);
        Some((
            kind,
            device,
            services.engine,
            color,
            earlier,
            cancel,
            st.visit.generation,
        ))
    });
    let Some((kind, device, engine, color, earlier, cancel, generation)) = prepared else {
        return;
    };
    // Each page as it arrives: "Scanning... N page(s) received".
    let progress = {
        let ui = ui.clone();
        move |n: usize| {
            let _ = ui.upgrade_in_event_loop(move |app| {
                STATE.with_borrow_mut(|st| {
                    if st.visit.generation != generation {
                        return;
                    }
                    if let Some(scanning) = st.visit.scanning.as_mut() {
                        scanning.pages = n;
                    }
                    rerender(&app, st);
                });
            });
        }
    };
    spawn_for_visit(
        ui,
        visit::scan_document(device, engine, kind, color, earlier, cancel, progress),
        move |_, v, outcome| visit::scanned(v, kind, outcome),
    );
}

/// A USB scanner plugged in or out (`nusb::watch_devices`): step 4 asks the scanner again at
/// once instead of at its next poll, so the visitor sees "ready" or "no scanner" within a
/// moment. Hardware-only: this machine has no USB bus to watch.
fn watch_usb_scanners(ui: &AppWindow, runtime: &tokio::runtime::Handle) {
    use futures_util::StreamExt;
    let ui = ui.as_weak();
    runtime.spawn(async move {
        let events = match kiosk_scan::usb::watch() {
            Ok(events) => events,
            Err(e) => {
                tracing::warn!(error = %e, "USB hot-plug events are not available; the scanner is polled");
                return;
            }
        };
        let mut events = std::pin::pin!(events);
        while let Some(event) = events.next().await {
            tracing::info!(?event, "USB scanner plugged in or out");
            let _ = ui.upgrade_in_event_loop(|app| {
                STATE.with_borrow_mut(|st| st.scanner_checked = None);
                if app.global::<Kiosk>().get_page() == Page::Documents {
                    check_scanner(&app);
                }
            });
        }
    });
}

/// How often step 4 asks the scanner whether it is there and free.
const SCANNER_CHECK_EVERY: Duration = Duration::from_secs(5);

/// At step 4, between scans: whether the scanner is connected, unplugged or busy.
fn check_scanner(ui: &AppWindow) {
    let device = STATE.with_borrow_mut(|st| {
        let due = st.scanner_checked.is_none_or(|at| at.elapsed() >= SCANNER_CHECK_EVERY);
        if !due || st.visit.busy {
            return None;
        }
        st.scanner_checked = Some(std::time::Instant::now());
        st.services.as_ref().map(|s| s.scanner.clone())
    });
    match device {
        None => {}
        Some(None) => STATE.with_borrow_mut(|st| {
            st.visit.scanner = Some(Err(kiosk_scan::ScanError::NoScanner));
            rerender(ui, st);
        }),
        Some(Some(device)) => spawn_quiet(&ui.as_weak(), visit::scanner_status(device), |_, st, status| {
            if !st.visit.busy {
                st.visit.scanner = Some(status);
            }
        }),
    }
}

/// Llave MX: a code from the server, its QR on screen, then the wait for the visitor's phone.
fn wire_llave(ui: &AppWindow) {
    let l = ui.global::<Llave>();
    l.on_start({
        let ui = ui.as_weak();
        move || {
            let Some(app) = ui.upgrade() else { return };
            let Some(engine) = engine() else { return };
            STATE.with_borrow_mut(|st| {
                if let Some((cancel, _)) = st.visit.llave.take() {
                    cancel.cancel();
                }
            });
            app.global::<Llave>().set_state(LlaveState::Starting);
            app.global::<Kiosk>().set_page(Page::Llave);
            let client = engine.client().clone();
            spawn_quiet(&ui, async move { client.llave_start().await }, {
                let ui = ui.clone();
                move |app, st, auth| {
                    let l = app.global::<Llave>();
                    let auth = match auth {
                        Ok(a) => a,
                        Err(e) => {
                            tracing::warn!(error = %e, "Llave MX device authorization");
                            l.set_state(LlaveState::Unreachable);
                            return;
                        }
                    };
                    let target = auth
                        .verification_uri_complete
                        .clone()
                        .unwrap_or_else(|| auth.verification_uri.clone());
                    let Some(qr) = crate::llave::qr_image(&target, 8) else {
                        l.set_state(LlaveState::Unreachable);
                        return;
                    };
                    l.set_qr(qr);
                    l.set_user_code(auth.user_code.clone().into());
                    l.set_address(auth.verification_uri.clone().into());
                    l.set_seconds_left(i32::try_from(auth.expires_in).unwrap_or(0));
                    l.set_state(LlaveState::Waiting);
                    let cancel = tokio_util::sync::CancellationToken::new();
                    let expires = std::time::Instant::now() + Duration::from_secs(auth.expires_in);
                    st.visit.llave = Some((cancel.clone(), expires));
                    let client = engine.client().clone();
                    spawn_quiet_from(
                        st,
                        &ui,
                        async move {
                            let outcome = crate::llave::wait(client, auth, cancel).await;
                            let catalogue = match &outcome {
                                crate::llave::Outcome::Approved(t) => Some((
                                    visit::load_catalogue(&engine).await,
                                    my_bookings(&engine, &t.access_token).await,
                                )),
                                _ => None,
                            };
                            (outcome, catalogue)
                        },
                        |app, st, (outcome, catalogue)| llave_ended(app, st, outcome, catalogue),
                    );
                }
            });
        }
    });
    l.on_cancel({
        let ui = ui.as_weak();
        move || {
            let Some(app) = ui.upgrade() else { return };
            STATE.with_borrow_mut(|st| {
                if let Some((cancel, _)) = st.visit.llave.take() {
                    cancel.cancel();
                }
            });
            app.global::<Kiosk>().set_page(Page::SignIn);
        }
    });
}

/// What a sign-in loads: the catalogue, and the account's appointments.
type AfterSignIn = (
    Result<kiosk_sync::api::Catalogue, EngineError>,
    Result<Vec<Booking>, ()>,
);

fn llave_ended(app: &AppWindow, st: &mut State, outcome: crate::llave::Outcome, catalogue: Option<AfterSignIn>) {
    use crate::llave::Outcome;
    st.visit.llave = None;
    let l = app.global::<Llave>();
    match (outcome, catalogue) {
        (Outcome::Approved(token), Some((Ok(catalogue), bookings))) => {
            let Ok(email) = kiosk_core::email::Email::parse(&token.email) else {
                tracing::warn!("Llave MX answered an address that is not an e-mail");
                l.set_state(LlaveState::Unreachable);
                return;
            };
            let account = kiosk_sync::api::AccountSession {
                account_id: token.account_id,
                email: token.email,
                token: token.access_token,
            };
            visit::signed_in(&mut st.visit, account, email, &catalogue);
            st.visit.my_bookings = Some(bookings);
            l.set_state(LlaveState::Approved);
            app.global::<Visit>()
                .set_country(visit::default_country(&st.visit).into());
            app.global::<Kiosk>().set_page(Page::MyProcedures);
        }
        (Outcome::Denied, _) => l.set_state(LlaveState::Denied),
        (Outcome::Expired, _) => l.set_state(LlaveState::Expired),
        (Outcome::Cancelled, _) => {}
        (Outcome::Approved(_) | Outcome::Failed, _) => l.set_state(LlaveState::Unreachable),
    }
}

/// "Create an account": the form, its checks, the server's answer.
fn wire_register(ui: &AppWindow) {
    ui.global::<SignIn>().on_register({
        let ui = ui.as_weak();
        move || {
            let Some(engine) = engine() else { return };
            spawn_for_visit(
                &ui,
                async move { visit::load_catalogue(&engine).await },
                |app, v, catalogue| match catalogue {
                    Ok(c) => {
                        visit::apply_catalogue(v, &c);
                        v.register = crate::register::RegisterState::default();
                        app.global::<Kiosk>().set_page(Page::Register);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "catalogue unavailable");
                        v.sign_in_error = Some(visit::Msg::words(
                            "No podemos crear cuentas en este momento. Pida ayuda al personal.",
                            "We cannot create accounts right now. Ask the staff for help.",
                        ));
                    }
                },
            );
        }
    });
    let r = ui.global::<crate::ui::Register>();
    r.on_edited({
        let ui = ui.as_weak();
        move |key, value| {
            if let Some(app) = ui.upgrade() {
                with_visit(&app, |v| crate::register::edit(&mut v.register, &key, &value));
            }
        }
    });
    r.on_submit({
        let ui = ui.as_weak();
        move || {
            let Some(app) = ui.upgrade() else { return };
            let lang = STATE.with_borrow(|st| st.language.get());
            let Some(registration) = with_visit(&app, crate::register::check) else {
                return;
            };
            let Some(engine) = engine() else { return };
            let body = crate::register::wire(&registration, lang);
            let email = body.email.clone();
            spawn_for_visit(
                &ui,
                async move { engine.client().register(&body).await },
                move |_, v, answer| crate::register::answered(&mut v.register, email, answer),
            );
        }
    });
    r.on_back({
        let ui = ui.as_weak();
        move || {
            let Some(app) = ui.upgrade() else { return };
            // Leaving the form drops what was typed in it (the password included).
            with_visit(&app, |v| v.register = crate::register::RegisterState::default());
            app.global::<Kiosk>().set_page(Page::SignIn);
        }
    });
}

/// The account's appointments; a failure is kept as such (the visitor can still book).
async fn my_bookings(engine: &SyncEngine, token: &str) -> Result<Vec<Booking>, ()> {
    match engine.client().my_bookings(token).await {
        Ok(b) => Ok(b.bookings),
        Err(e) => {
            tracing::warn!(error = %e, "the account's appointments");
            Err(())
        }
    }
}

/// Out of service: the last call failed and nothing synced for a while
/// ([`kiosk_sync::SyncStatus::out_of_service`]); or the clock is not synchronised, so no
/// appointment time could be shown right. Looking an appointment up stays available. The
/// status LED says the same: red out of service, amber while something waits (the outbox, the
/// network), green otherwise.
pub fn check_health(ui: &Weak<AppWindow>) {
    let Some(services) = STATE.with_borrow(|st| st.services.clone()) else {
        return;
    };
    let engine = services.engine.clone();
    spawn_quiet(ui, async move { engine.status().await }, move |app, _, status| {
        let now = chrono::Utc::now();
        let clock_ok = services.device.clock.synchronised();
        let (out, degraded) = match &status {
            Ok(s) => (s.out_of_service(now), !s.online || s.outbox_depth > 0),
            Err(e) => {
                tracing::error!(error = %e, "the kiosk's store cannot be read");
                (true, true)
            }
        };
        let k = app.global::<Kiosk>();
        // Staff took it out of service: the LED says so too.
        let staff_out = k.get_staff_out_of_service();
        if k.get_out_of_service() != out {
            tracing::warn!(out_of_service = out, "booking availability changed");
            k.set_out_of_service(out);
        }
        if k.get_clock_unsynced() == clock_ok {
            tracing::warn!(synchronised = clock_ok, "the clock's state changed");
            k.set_clock_unsynced(!clock_ok);
        }
        let led = kiosk_device::gpio::Led::for_health(out || staff_out, clock_ok, degraded);
        if let Err(e) = services.device.gpio.set_led(led) {
            tracing::warn!(error = %e, "the status LED");
        }
    });
}

/// Acts on a screen's navigation request.
fn navigate(ui: &AppWindow, maintenance: &Rc<MaintenanceScreen>, nav: Nav) {
    match nav {
        Nav::To(page) => ui.global::<Kiosk>().set_page(page),
        Nav::EndVisit => end_visit(ui),
        Nav::Maintenance(id) => {
            ui.global::<Kiosk>().set_page(Page::Maintenance);
            maintenance.open(id);
        }
        Nav::ServiceState(notice) => {
            let k = ui.global::<Kiosk>();
            k.set_staff_out_of_service(notice.is_some());
            k.set_staff_notice(notice.unwrap_or_default().into());
            check_health(&ui.as_weak());
        }
    }
}
