//! `--screenshots DIR [--size WxH]`: renders every screen headless with the software renderer,
//! in both languages, to `NN-<screen>-<lang>.png`, and exits. No display is needed.

use std::path::Path;
use std::rc::Rc;
use std::time::Duration;

use anyhow::Context;
use kiosk_core::{Explain, Language};
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};
use slint::{ComponentHandle, PhysicalSize, PlatformError};

use kiosk_sync::SyncEngine;

use crate::controller;
use crate::demo;
use crate::screens::lookup::{self, FoundBooking};
use crate::ui::{
    AppWindow, Keyboard, KeyboardLayout, Kiosk, Llave, LlaveState, Lookup, LookupState, Page, SignIn, Visit,
};
use crate::visit::{self, Forms, VisitState};

struct Headless {
    window: Rc<MinimalSoftwareWindow>,
}

impl Platform for Headless {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, PlatformError> {
        Ok(self.window.clone())
    }
}

fn save(ui: &AppWindow, path: &Path) -> anyhow::Result<()> {
    slint::platform::update_timers_and_animations();
    let shot = ui.window().take_snapshot().context("taking the snapshot")?;
    let file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), shot.width(), shot.height());
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(shot.as_bytes())?;
    Ok(())
}

/// Puts the window in the state of one screen, in a language.
type SetUp = Box<dyn Fn(&AppWindow, Language)>;

/// One screen: its file name and how to put the window in its state.
pub struct Screen {
    pub name: &'static str,
    page: Page,
    visit: Option<VisitState>,
    set_up: SetUp,
}

impl std::fmt::Debug for Screen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Screen")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Screen {
    fn new(name: &'static str, page: Page, visit: Option<&VisitState>) -> Screen {
        Screen {
            name,
            page,
            visit: visit.cloned(),
            set_up: Box::new(|_, _| {}),
        }
    }

    fn with(mut self, f: impl Fn(&AppWindow, Language) + 'static) -> Screen {
        self.set_up = Box::new(f);
        self
    }
}

/// Opens the on-screen keyboard as a focused field would.
fn keyboard(ui: &AppWindow, layout: KeyboardLayout, label: &str, echo: &str, accents: bool) {
    let k = ui.global::<Keyboard>();
    k.set_layout(layout);
    k.set_label(label.into());
    k.set_echo(echo.into());
    k.set_accents(accents);
    k.set_forced(true);
}

/// Walks a whole visit against the demo's simulator with the same functions the controller
/// calls, keeping the state of every screen on the way.
fn visit_screens(
    engine: &SyncEngine,
    scanner: &kiosk_scan::DeviceUri,
    runtime: &tokio::runtime::Handle,
) -> anyhow::Result<Vec<Screen>> {
    let now = chrono::Utc::now();
    let client = engine.client().clone();
    let mut st = VisitState::default();
    let catalogue = runtime.block_on(visit::load_catalogue(engine))?;
    visit::apply_catalogue(&mut st, &catalogue);
    let mut screens = Vec::new();

    if let Err(msg) = visit::check_sign_in(demo::DEMO_EMAIL, demo::DEMO_PASSWORD, false) {
        st.sign_in_error = Some(msg);
    }
    screens.push(Screen::new("sign-in", Page::SignIn, Some(&st)).with(|ui, _| {
        ui.global::<SignIn>().set_email(demo::DEMO_EMAIL.into());
        ui.global::<SignIn>().set_password(demo::DEMO_PASSWORD.into());
    }));
    st.sign_in_error = None;
    let auth = runtime.block_on(client.llave_start())?;
    screens.push(Screen::new("llave-mx", Page::Llave, Some(&st)).with(move |ui, _| {
        let l = ui.global::<Llave>();
        let target = auth
            .verification_uri_complete
            .as_deref()
            .unwrap_or(&auth.verification_uri);
        if let Some(qr) = crate::llave::qr_image(target, 8) {
            l.set_qr(qr);
        }
        l.set_user_code(auth.user_code.as_str().into());
        l.set_address(auth.verification_uri.as_str().into());
        l.set_seconds_left(287);
        l.set_state(LlaveState::Waiting);
    }));
    let mut reg = st.clone();
    for (k, v) in [
        ("procedures_for", "self"),
        ("country", "US"),
        ("default_office", "LAX"),
        ("given_names", "Ana"),
        ("email", "ana@"),
        ("password", "consulado2026"),
    ] {
        crate::register::edit(&mut reg.register, k, v);
    }
    let _ = crate::register::check(&mut reg);
    screens.push(Screen::new("create-account", Page::Register, Some(&reg)));
    let mut sent = st.clone();
    sent.register.sent_to = Some("ana.nunez@example.com".into());
    screens.push(Screen::new("create-account-sent", Page::Register, Some(&sent)));
    screens.push(Screen::new("keyboard-email", Page::SignIn, Some(&st)).with(|ui, lang| {
        keyboard(
            ui,
            KeyboardLayout::Email,
            lang.pick("Correo electrónico", "E-mail"),
            "visitante@exa",
            false,
        );
    }));
    let account = runtime.block_on(client.sign_in(demo::DEMO_EMAIL, demo::DEMO_PASSWORD))?;
    st.session.sign_in(
        account.account_id.clone(),
        kiosk_core::email::Email::parse(demo::DEMO_EMAIL)?,
    );
    st.account = Some(account);

    // 1 Location.
    let near = runtime.block_on(client.offices_near("US", "90057")).map(|n| n.offices);
    visit::search_result(&mut st, near);
    visit::choose_office(&mut st, "LAX");
    let location = |ui: &AppWindow, _: Language| {
        ui.global::<Visit>().set_country("US".into());
        ui.global::<Visit>().set_postal_code("90057".into());
    };
    screens.push(Screen::new("location", Page::Location, Some(&st)).with(location));
    anyhow::ensure!(visit::next(&mut st, now).is_some(), "step 1 of the screenshot visit");

    // 2 Type of procedure: with a CURP, the passport's form, and the no-CURP path.
    let curp = runtime.block_on(client.curp("GODE561231HDFRRN00"));
    visit::curp_found(&mut st, curp);
    visit::toggle_procedure(&mut st, "passport");
    visit::toggle_procedure(&mut st, "voter_credential");
    let with_curp = |ui: &AppWindow, _: Language| ui.global::<Visit>().set_curp("GODE561231HDFRRN00".into());
    screens.push(Screen::new("procedures", Page::Procedures, Some(&st)).with(with_curp));
    visit::open_info(&mut st, "passport");
    visit::edit_info(&mut st, "passport_kind", "renewal");
    screens.push(Screen::new("procedure-information", Page::Procedures, Some(&st)));
    visit::edit_info(&mut st, "passport_validity", "6");
    let today = visit::office_today(&st, now);
    visit::info_done(&mut st, today);
    let mut no_curp = st.clone();
    visit::set_no_curp(&mut no_curp, true);
    visit::identity_edited(&mut no_curp, "given_names", "Jane");
    visit::identity_edited(&mut no_curp, "birth_date", "14/02/1985");
    let _ = visit::next(&mut no_curp, now);
    screens.push(Screen::new("procedures-no-curp", Page::Procedures, Some(&no_curp)));
    anyhow::ensure!(visit::next(&mut st, now).is_some(), "step 2 of the screenshot visit");

    // 3 Applicant, first with mistakes.
    visit::applicant_edited(&mut st, "birth_city", "Ciudad de México");
    visit::applicant_edited(&mut st, "postal_code", "9005");
    let _ = visit::next(&mut st, now);
    screens.push(Screen::new("applicant", Page::Applicant, Some(&st)));
    screens.push(
        Screen::new("keyboard-letters", Page::Applicant, Some(&st)).with(|ui, lang| {
            keyboard(
                ui,
                KeyboardLayout::Letters,
                lang.pick("Ciudad", "City"),
                "Los Ángeles",
                true,
            );
        }),
    );
    screens.push(
        Screen::new("keyboard-phone", Page::Applicant, Some(&st)).with(|ui, lang| {
            keyboard(
                ui,
                KeyboardLayout::Phone,
                lang.pick("Teléfono de emergencia", "Emergency phone"),
                "(213) 351-",
                false,
            );
        }),
    );
    for (k, v) in [
        ("marital_status", "married"),
        ("postal_code", "90057"),
        ("address_state", "California"),
        ("city", "Los Angeles"),
        ("street", "2401 W 6th St"),
        ("emergency_name", "María José Núñez Güemes"),
        ("emergency_phone", "(213) 351-6800"),
    ] {
        visit::applicant_edited(&mut st, k, v);
    }
    anyhow::ensure!(visit::next(&mut st, now).is_some(), "step 3 of the screenshot visit");

    // 4 Documents: one scanned, then all.
    let kinds = st.session.required_documents();
    for (i, kind) in kinds.iter().enumerate() {
        let outcome = runtime.block_on(visit::scan_document(
            scanner.clone(),
            engine.clone(),
            *kind,
            false,
            Vec::new(),
            tokio_util::sync::CancellationToken::new(),
            |_| {},
        ));
        visit::scanned(&mut st, *kind, outcome);
        if i == 0 {
            screens.push(Screen::new("documents", Page::Documents, Some(&st)));
        }
    }
    anyhow::ensure!(visit::next(&mut st, now).is_some(), "step 4 of the screenshot visit");

    // 5 Date and time: the first free day, its first time, held.
    let office = st.session.office().cloned().context("an office")?;
    let slots = runtime.block_on(visit::office_slots(engine, &office));
    visit::slots_loaded(&mut st, slots, now);
    let first = st
        .slots
        .iter()
        .filter(|s| s.remaining > 0 && s.start > now)
        .min_by_key(|s| s.start)
        .cloned()
        .context("a free slot")?;
    visit::choose_day(
        &mut st,
        &kiosk_core::time::office_date(office.tz, first.start).to_string(),
    );
    let (slot, _) = visit::choose_time(&mut st, &first.id.0, now).context("choosing the time")?;
    let hold = runtime.block_on(engine.hold(&slot.id.0));
    visit::held(&mut st, &slot, hold);
    screens.push(Screen::new("date-time", Page::DateTime, Some(&st)));
    let mut idle = st.clone();
    idle.errors = None;
    screens.push(
        Screen::new("inactivity-warning", Page::DateTime, Some(&idle)).with(|ui, _| {
            ui.global::<Kiosk>().set_idle_warning(true);
            ui.global::<Kiosk>().set_idle_seconds_left(27);
        }),
    );

    // Confirmation, and the same visit kept while the network is down.
    let request = visit::booking_request(&mut st, Language::Es, now).context("the booking request")?;
    let mut pending = st.clone();
    let outcome = runtime.block_on(engine.confirm(&request, visit::confirm_patience()));
    anyhow::ensure!(
        visit::confirmed(&mut st, outcome),
        "the screenshot visit was not confirmed"
    );
    // Its ticket as the printer prints it.
    if let Some(visit::Outcome::Confirmed(b)) = &st.outcome {
        let code = b.code.clone();
        let json = runtime
            .block_on(engine.with_store(move |s| s.print_jobs_for(&code)))?
            .into_iter()
            .find_map(|j| j.ticket)
            .context("the confirmation queued no ticket")?;
        let ticket: kiosk_core::ticket::Ticket = serde_json::from_str(&json)?;
        let p = kiosk_print::preview::ticket(&ticket, kiosk_print::Paper::MM80)?;
        st.ticket = Some(visit::TicketView {
            state: crate::ui::TicketState::Printed,
            preview: slint::Image::from_rgb8(crate::printing::preview_pixels(&p)),
        });
    }
    screens.push(Screen::new("confirmation", Page::Confirmation, Some(&st)));
    st.ticket = None;
    pending.outcome = Some(visit::Outcome::Pending);
    screens.push(Screen::new("confirmation-pending", Page::Confirmation, Some(&pending)));
    // My procedures, with the appointment just booked for the account.
    let token = st.account.as_ref().map(|a| a.token.clone()).context("signed in")?;
    let mine = runtime.block_on(client.my_bookings(&token))?;
    let mut home = VisitState::default();
    visit::apply_catalogue(&mut home, &catalogue);
    home.account.clone_from(&st.account);
    home.my_bookings = Some(Ok(mine.bookings));
    screens.push(Screen::new("my-procedures", Page::MyProcedures, Some(&home)));
    Ok(screens)
}

/// The headless window every screen is drawn in (software renderer, no display).
pub struct HeadlessWindow {
    pub ui: AppWindow,
    pub window: Rc<MinimalSoftwareWindow>,
    forms: Forms,
}

impl std::fmt::Debug for HeadlessWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeadlessWindow").finish_non_exhaustive()
    }
}

impl HeadlessWindow {
    /// Installs the headless platform (once per process) and opens the kiosk's window.
    pub fn open((w, h): (u32, u32)) -> anyhow::Result<HeadlessWindow> {
        let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
        slint::platform::set_platform(Box::new(Headless { window: window.clone() }))
            .map_err(|e| anyhow::anyhow!("setting the headless platform: {e}"))?;
        let ui = AppWindow::new()?;
        ui.window().set_size(PhysicalSize::new(w, h));
        ui.show()?;
        let forms = Forms::install(&ui);
        Ok(HeadlessWindow { ui, window, forms })
    }

    /// Puts the window in the state of `screen` in `lang`.
    pub fn show(&self, screen: &Screen, lang: Language) {
        let ui = &self.ui;
        let k = ui.global::<Kiosk>();
        k.set_idle_warning(false);
        k.set_dimmed(false);
        k.set_staff_out_of_service(false);
        k.set_startup(crate::ui::Startup::Ready);
        ui.global::<crate::ui::StaffPad>().set_pad_open(false);
        ui.global::<Keyboard>().set_forced(false);
        k.set_page(screen.page);
        if let Some(st) = &screen.visit {
            visit::render(ui, st, &self.forms, lang);
        }
        (screen.set_up)(ui, lang);
    }
}

/// Every screen: the welcome and lookup screens (with `found`, a real booking), then a whole
/// visit walked against the demo's simulator.
pub fn all_screens(
    found: &FoundBooking,
    engine: &SyncEngine,
    scanner: &kiosk_scan::DeviceUri,
    runtime: &tokio::runtime::Handle,
) -> anyhow::Result<Vec<Screen>> {
    let mut screens = vec![
        Screen::new("welcome", Page::Welcome, None).with(|ui, _| ui.global::<Kiosk>().set_out_of_service(false)),
        Screen::new("welcome-out-of-service", Page::Welcome, None)
            .with(|ui, _| ui.global::<Kiosk>().set_out_of_service(true)),
        Screen::new("lookup", Page::Lookup, None).with(|ui, _| {
            ui.global::<Kiosk>().set_out_of_service(false);
            ui.global::<Lookup>().set_state(LookupState::Idle);
            ui.global::<Lookup>().set_code("".into());
        }),
        Screen::new("lookup-not-found", Page::Lookup, None).with(|ui, _| {
            ui.global::<Lookup>().set_code("ABCD2345".into());
            ui.global::<Lookup>().set_state(LookupState::NotFound);
        }),
        Screen::new("lookup-found", Page::Lookup, None).with({
            let found = found.clone();
            move |ui, lang| lookup::show_found(ui, &found, lang)
        }),
        Screen::new("lookup-confirm-cancel", Page::Lookup, None).with({
            let found = found.clone();
            move |ui, lang| {
                lookup::show_found(ui, &found, lang);
                ui.global::<Lookup>().set_state(LookupState::ConfirmCancel);
            }
        }),
    ];
    screens.extend(visit_screens(engine, scanner, runtime)?);
    Ok(screens)
}

/// Staff's screens, from what the demo's kiosk really reports: the PIN pad, the health report,
/// the printer and scanner after a test scan, the service tab with the log's recent problems,
/// the visitors' out-of-service notice, and the dimmed welcome screen.
fn maintenance_screens(services: &crate::controller::Services) -> anyhow::Result<Vec<Screen>> {
    use crate::screens::maintenance::{actions, report};
    use crate::ui::{Maintenance, MaintenanceTab, StaffPad};
    let runtime = &services.runtime;
    let observed = runtime.block_on(kiosk_health::observe(&services.health_sources()));
    let scanner = services.scanner.clone().context("the demo has a scanner")?;
    let page = runtime.block_on(actions::scan_one_page(
        scanner,
        tokio_util::sync::CancellationToken::new(),
    ))?;
    let printing = services.printing.clone().context("the demo has a printer")?;
    let jobs = runtime.block_on(printing.recent(10));
    let problems = crate::logging::recent();
    let staff = |ui: &AppWindow, tab: MaintenanceTab| {
        ui.global::<StaffPad>().set_pad_open(false);
        let s = ui.global::<Maintenance>();
        s.set_staff_id("ana.lopez".into());
        s.set_tab(tab);
        s.set_action_message("".into());
        s.set_action_failed(false);
    };
    let mut screens = vec![
        Screen::new("staff-pin-pad", Page::Welcome, None).with(|ui, _| {
            let s = ui.global::<StaffPad>();
            s.set_pad_open(true);
            s.set_pad_locked(false);
            s.set_digits(4);
            s.set_pad_message(
                kiosk_core::staff::PinOutcome::Wrong { tries_left: 3 }
                    .explain(lang_of(ui))
                    .into(),
            );
        }),
        Screen::new("staff-pin-pad-locked", Page::Welcome, None).with(|ui, _| {
            let s = ui.global::<StaffPad>();
            s.set_digits(0);
            s.set_pad_locked(true);
            s.set_pad_message(
                kiosk_core::staff::PinOutcome::Locked { minutes_left: 15 }
                    .explain(lang_of(ui))
                    .into(),
            );
        }),
    ];
    screens.push(Screen::new("maintenance-health", Page::Maintenance, None).with({
        let observed = observed.clone();
        move |ui, _| {
            staff(ui, MaintenanceTab::Health);
            report::show_observations(ui, &observed, lang_of(ui));
        }
    }));
    screens.push(
        Screen::new("maintenance-devices", Page::Maintenance, None).with(move |ui, lang| {
            staff(ui, MaintenanceTab::Devices);
            actions::show_scan(ui, &page);
            report::show_jobs(ui, jobs.clone(), lang);
            ui.global::<Maintenance>().set_action_message(
                lang.pick(
                    "Página escaneada: revise que se lea bien. No se guarda ni se envía.",
                    "Page scanned: check that it reads well. It is neither kept nor sent.",
                )
                .into(),
            );
        }),
    );
    screens.push(
        Screen::new("maintenance-service", Page::Maintenance, None).with(move |ui, _| {
            staff(ui, MaintenanceTab::Service);
            report::show_problems(ui, problems.clone(), lang_of(ui));
            ui.global::<Kiosk>().set_staff_out_of_service(true);
            ui.global::<Maintenance>()
                .set_notice("Por favor use el quiosco junto a la puerta / Please use the kiosk by the door".into());
        }),
    );
    screens.push(
        Screen::new("out-of-service-by-staff", Page::Welcome, None).with(|ui, _| {
            let k = ui.global::<Kiosk>();
            k.set_staff_out_of_service(true);
            k.set_staff_notice("Por favor use el quiosco junto a la puerta / Please use the kiosk by the door".into());
        }),
    );
    screens.push(Screen::new("welcome-dimmed", Page::Welcome, None).with(|ui, _| {
        ui.global::<Kiosk>().set_staff_out_of_service(false);
        ui.global::<Kiosk>().set_dimmed(true);
    }));
    screens.extend(startup_screens());
    Ok(screens)
}

/// The start-up screen at each stage, with the detail a technician would read: a provisioned
/// file with a mistake (checked by kiosk-config), an unreachable server, a refused token, a
/// database that cannot be opened.
fn startup_screens() -> Vec<Screen> {
    use crate::startup::Stage;
    let broken =
        "[server]\nurl = \"https://citas.sre.example/api/\"\n[kiosk]\nid = \"LAX LOBBY 1\"\noffices = [\"LAX\"]\n";
    let problems = match kiosk_config::Config::parse(broken, Path::new(kiosk_config::PROVISIONED)) {
        Ok(_) => Vec::new(),
        Err(e) => e.problems.iter().map(ToString::to_string).collect(),
    };
    let retry_in = Duration::from_secs(16);
    let stages = [
        ("startup-not-set-up", Stage::NotSetUp { problems }),
        (
            "startup-connecting",
            Stage::Connecting {
                attempt: 4,
                error: "enrolling with the central server: no answer from the central server: connection refused"
                    .into(),
                retry_in,
            },
        ),
        (
            "startup-token-refused",
            Stage::TokenRefused {
                error: "enrolling with the central server: the central server refused (401 invalid-enrolment-token): \
                        unknown or already used enrolment token"
                    .into(),
                retry_in,
            },
        ),
        (
            "startup-cannot-start",
            Stage::CannotStart {
                attempt: 2,
                error: "the kiosk's database: disk I/O error".into(),
                retry_in,
            },
        ),
    ];
    stages
        .into_iter()
        .map(|(name, stage)| Screen::new(name, Page::Welcome, None).with(move |ui, _| stage.show(ui)))
        .collect()
}

fn lang_of(ui: &AppWindow) -> Language {
    ui.global::<Kiosk>().get_language().parse().unwrap_or_default()
}

/// Renders every screen in both languages to `NN-<screen>-<lang>.png` in `dir`.
pub fn render_all(
    dir: &Path,
    size: (u32, u32),
    found: &FoundBooking,
    services: &crate::controller::Services,
) -> anyhow::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let headless = HeadlessWindow::open(size)?;
    let scanner = services.scanner.clone().context("the demo has a scanner")?;
    let mut screens = all_screens(found, &services.engine, &scanner, &services.runtime)?;
    screens.extend(maintenance_screens(services)?);
    let mut written = Vec::new();
    for lang in Language::ALL {
        controller::set_language(&headless.ui, lang);
        for (i, screen) in screens.iter().enumerate() {
            headless.show(screen, lang);
            let path = dir.join(format!("{:02}-{}-{}.png", i + 1, screen.name, lang.tag()));
            save(&headless.ui, &path)?;
            written.push(path);
        }
    }
    Ok(written)
}
