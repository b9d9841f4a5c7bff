//! The shell: builds the screens, owns the page (Rust decides which shows; `Kiosk.page` is
//! only read by the UI), the language (one copy, also told to the visit's session), the end of
//! a visit (every screen's `reset`), and what lies over every page: inactivity, dimming, the
//! server's health, the call-staff notice, out of service. Screens reach it only through the
//! [`Nav`] values they hand the navigator.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use kiosk_core::Language;
use slint::{ComponentHandle, Timer, TimerMode, Weak};

use crate::nav::{Nav, Navigator};
use crate::screens::applicant::ApplicantScreen;
use crate::screens::confirmation::ConfirmationScreen;
use crate::screens::date_time::DateTimeScreen;
use crate::screens::documents::DocumentsScreen;
use crate::screens::llave::LlaveScreen;
use crate::screens::location::LocationScreen;
use crate::screens::lookup::LookupScreen;
use crate::screens::maintenance::MaintenanceScreen;
use crate::screens::my_procedures::MyProceduresScreen;
use crate::screens::procedures::ProceduresScreen;
use crate::screens::register::RegisterScreen;
use crate::screens::sign_in::SignInScreen;
use crate::screens::welcome::WelcomeScreen;
use crate::screens::{Ctx, Screen};
use crate::services::Services;
use crate::ui::{AppWindow, Keyboard, Kiosk, Page};

pub mod display;
mod idle;
mod watch;

pub use idle::{DIM_AFTER, IDLE_WARNING_AFTER, IDLE_WIPE_AFTER, dim_after};

/// Every screen, built once.
struct Screens {
    welcome: Rc<WelcomeScreen>,
    lookup: Rc<LookupScreen>,
    sign_in: Rc<SignInScreen>,
    llave: Rc<LlaveScreen>,
    register: Rc<RegisterScreen>,
    my_procedures: Rc<MyProceduresScreen>,
    location: Rc<LocationScreen>,
    procedures: Rc<ProceduresScreen>,
    applicant: Rc<ApplicantScreen>,
    documents: Rc<DocumentsScreen>,
    date_time: Rc<DateTimeScreen>,
    confirmation: Rc<ConfirmationScreen>,
    maintenance: Rc<MaintenanceScreen>,
}

impl Screens {
    fn build(ctx: &Ctx) -> Screens {
        Screens {
            welcome: WelcomeScreen::new(ctx.clone()),
            lookup: LookupScreen::new(ctx.clone()),
            sign_in: SignInScreen::new(ctx.clone()),
            llave: LlaveScreen::new(ctx.clone()),
            register: RegisterScreen::new(ctx.clone()),
            my_procedures: MyProceduresScreen::new(ctx.clone()),
            location: LocationScreen::new(ctx.clone()),
            procedures: ProceduresScreen::new(ctx.clone()),
            applicant: ApplicantScreen::new(ctx.clone()),
            documents: DocumentsScreen::new(ctx.clone()),
            date_time: DateTimeScreen::new(ctx.clone()),
            confirmation: ConfirmationScreen::new(ctx.clone()),
            maintenance: MaintenanceScreen::new(ctx.clone()),
        }
    }

    /// The screen that owns `page`.
    fn of(&self, page: Page) -> Rc<dyn Screen> {
        match page {
            Page::Welcome => self.welcome.clone(),
            Page::Lookup => self.lookup.clone(),
            Page::SignIn => self.sign_in.clone(),
            Page::Llave => self.llave.clone(),
            Page::Register => self.register.clone(),
            Page::MyProcedures => self.my_procedures.clone(),
            Page::Location => self.location.clone(),
            Page::Procedures => self.procedures.clone(),
            Page::Applicant => self.applicant.clone(),
            Page::Documents => self.documents.clone(),
            Page::DateTime => self.date_time.clone(),
            Page::Confirmation => self.confirmation.clone(),
            Page::Maintenance => self.maintenance.clone(),
        }
    }

    fn all(&self) -> [Rc<dyn Screen>; 13] {
        [
            self.welcome.clone(),
            self.lookup.clone(),
            self.sign_in.clone(),
            self.llave.clone(),
            self.register.clone(),
            self.my_procedures.clone(),
            self.location.clone(),
            self.procedures.clone(),
            self.applicant.clone(),
            self.documents.clone(),
            self.date_time.clone(),
            self.confirmation.clone(),
            self.maintenance.clone(),
        ]
    }
}

/// The running kiosk's shell. Keep it for as long as the window runs: its timers and screens
/// live in it.
#[must_use = "the kiosk's screens and timers stop when the shell is dropped"]
pub struct Shell {
    ui: Weak<AppWindow>,
    ctx: Ctx,
    screens: Screens,
    /// The page shown (the UI's `Kiosk.page` follows it).
    page: Cell<Page>,
    /// Every second: the page's own clock (countdowns, the hold, the scanner).
    tick: Timer,
    idle: idle::Idle,
    health: Timer,
    watchers: RefCell<Vec<tokio::task::JoinHandle<()>>>,
}

impl std::fmt::Debug for Shell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shell")
            .field("page", &self.page.get())
            .finish_non_exhaustive()
    }
}

impl Drop for Shell {
    fn drop(&mut self) {
        for w in self.watchers.borrow_mut().drain(..) {
            w.abort();
        }
    }
}

/// How often the shell asks whether the server answers.
const HEALTH_EVERY: Duration = Duration::from_secs(15);

/// Switches the running UI's language.
pub fn set_language(ui: &AppWindow, lang: Language) {
    if let Err(e) = slint::select_bundled_translation(lang.tag()) {
        tracing::error!(error = %e, language = lang.tag(), "no bundled translation");
    }
    ui.global::<Kiosk>().set_language(lang.tag().into());
}

/// Builds the screens over `services` and connects the window's own callbacks.
pub fn wire(ui: &AppWindow, services: Services) -> Rc<Shell> {
    let nav = Navigator::default();
    let ctx = Ctx::new(ui, services, nav.clone(), Rc::new(Cell::new(Language::Es)));
    set_language(ui, Language::Es);
    let shell = Rc::new(Shell {
        ui: ui.as_weak(),
        screens: Screens::build(&ctx),
        ctx,
        page: Cell::new(Page::Welcome),
        tick: Timer::default(),
        idle: idle::Idle::default(),
        health: Timer::default(),
        watchers: RefCell::default(),
    });
    let weak = Rc::downgrade(&shell);
    nav.handle_with(move |n| {
        if let Some(shell) = weak.upgrade() {
            shell.navigate(n);
        }
    });
    let services = &shell.ctx.services;
    if let Some(printing) = &services.printing {
        printing.start_retrying(&services.runtime);
    }
    shell.wire_window(ui);
    watch::start(&shell, services);
    let weak = Rc::downgrade(&shell);
    shell.tick.start(TimerMode::Repeated, Duration::from_secs(1), move || {
        if let Some(shell) = weak.upgrade() {
            shell.screens.of(shell.page.get()).tick();
        }
    });
    shell.check_health();
    let weak = Rc::downgrade(&shell);
    shell.health.start(TimerMode::Repeated, HEALTH_EVERY, move || {
        if let Some(shell) = weak.upgrade() {
            shell.check_health();
        }
    });
    for s in shell.screens.all() {
        s.render();
    }
    shell.idle.start_dim_timer(&shell);
    shell
}

impl Shell {
    fn wire_window(self: &Rc<Self>, ui: &AppWindow) {
        let on = |f: fn(&Rc<Shell>)| {
            let weak = Rc::downgrade(self);
            move || {
                if let Some(shell) = weak.upgrade() {
                    f(&shell);
                }
            }
        };
        let k = ui.global::<Kiosk>();
        k.on_go_home(on(Shell::end_visit));
        k.on_touched(on(Shell::touched));
        k.on_more_time(on(Shell::touched));
        let weak = Rc::downgrade(self);
        k.on_language_chosen(move |tag| {
            if let (Some(shell), Ok(lang)) = (weak.upgrade(), tag.parse::<Language>()) {
                shell.set_language(lang);
            }
        });
        let ui_weak = ui.as_weak();
        ui.global::<Keyboard>().on_key(move |text| {
            // The on-screen keyboard types into whatever has the focus, as a real one would.
            if let Some(ui) = ui_weak.upgrade() {
                let w = ui.window();
                w.dispatch_event(slint::platform::WindowEvent::KeyPressed { text: text.clone() });
                w.dispatch_event(slint::platform::WindowEvent::KeyReleased { text });
            }
        });
    }

    /// The page shown now.
    pub fn page(&self) -> Page {
        self.page.get()
    }

    /// Shows `page`: its screen is entered (it loads what it needs and renders).
    fn show(&self, page: Page) {
        self.page.set(page);
        if let Some(ui) = self.ui.upgrade() {
            ui.global::<Kiosk>().set_page(page);
        }
        self.screens.of(page).enter();
    }

    /// The visitor chose a language: the session and the page shown speak it now (the other
    /// pages render in it when entered).
    fn set_language(&self, lang: Language) {
        self.ctx.set_language(lang);
        self.ctx.visit.borrow_mut().session.set_language(lang);
        if let Some(ui) = self.ui.upgrade() {
            set_language(&ui, lang);
        }
        self.screens.of(self.page.get()).render();
    }

    /// Acts on a screen's navigation request.
    fn navigate(self: &Rc<Self>, nav: Nav) {
        match nav {
            Nav::To(page) => self.show(page),
            Nav::EndVisit => self.end_visit(),
            Nav::Maintenance(id) => {
                self.show(Page::Maintenance);
                self.screens.maintenance.open(id);
            }
            Nav::ServiceState(notice) => {
                if let Some(ui) = self.ui.upgrade() {
                    let k = ui.global::<Kiosk>();
                    k.set_staff_out_of_service(notice.is_some());
                    k.set_staff_notice(notice.unwrap_or_default().into());
                }
                self.check_health();
            }
        }
    }

    /// Ends the visit (Finish, Cancel, inactivity, maintenance closed): holds go back to the
    /// server, the database's free pages are scrubbed, every screen forgets it, and the kiosk
    /// is back on the welcome screen in Spanish.
    pub fn end_visit(self: &Rc<Self>) {
        self.ctx.generation.bump();
        let visit = std::mem::take(&mut *self.ctx.visit.borrow_mut());
        let mut session = visit.session;
        let holds = session.end();
        let engine = self.ctx.services.engine.clone();
        let bridge = &self.ctx.bridge;
        {
            let engine = engine.clone();
            bridge.detach(async move {
                if let Err(e) = engine.with_store(kiosk_store::Store::scrub).await {
                    tracing::warn!(error = %e, "scrubbing the database after a visit");
                }
            });
        }
        for hold in holds {
            let engine = engine.clone();
            bridge.detach(async move {
                if let Err(e) = engine.release_hold(&hold.id.0).await {
                    tracing::warn!(error = %e, "releasing a hold at the end of a visit");
                }
            });
        }
        self.ctx.set_language(Language::Es);
        if let Some(ui) = self.ui.upgrade() {
            set_language(&ui, Language::Es);
            // The keyboard's echo line holds the last thing typed: it goes too.
            let kb = ui.global::<Keyboard>();
            kb.set_echo("".into());
            kb.set_label("".into());
            kb.set_forced(false);
            let k = ui.global::<Kiosk>();
            k.set_large_text(false);
            k.set_idle_warning(false);
        }
        for s in self.screens.all() {
            s.reset();
        }
        self.idle.visit_ended();
        self.show(Page::Welcome);
        self.idle.start_dim_timer(self);
    }

    /// A touch: the inactivity clock starts again (maintenance's own, while it is open).
    fn touched(self: &Rc<Self>) {
        if self.page.get() == Page::Maintenance {
            self.idle.touched_in_maintenance(self);
            self.screens.maintenance.touched();
        } else {
            self.idle.touched(self);
        }
    }

    /// Out of service, the clock and the status LED, from the server's health: asked every
    /// 15 s, and at once when staff change the service state.
    pub fn check_health(&self) {
        watch::check_health(&self.ui, &self.ctx);
    }

    /// A USB scanner was plugged in or out: step 4 asks it again at once.
    fn scanner_changed(&self) {
        self.screens.documents.scanner_changed();
        if self.page.get() == Page::Documents {
            self.screens.documents.clone().tick();
        }
    }
}
