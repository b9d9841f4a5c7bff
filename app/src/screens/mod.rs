//! The screens: one module per screen a visitor (or staff) sees. Each owns its callbacks, its
//! state, its render into its own global (declared in its page's `.slint` file) and its
//! `reset`; it reaches the runtime through the [`Bridge`], shares the visit through
//! [`Ctx::visit`], leaves through a [`Nav`] value, and imports neither the shell nor another
//! screen.
//!
//! A screen lets go of the visit (and of its own state) before it calls [`Navigator::go`]: the
//! shell enters the next screen at once, and that screen borrows them too.
//!
//! [`Nav`]: crate::nav::Nav

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use kiosk_core::Language;
use slint::Weak;

use crate::bridge::{Bridge, Generation};
use crate::nav::Navigator;
use crate::services::Services;
use crate::ui::AppWindow;
use crate::visit::Visit;

pub mod applicant;
pub mod confirmation;
pub mod date_time;
pub mod documents;
pub mod llave;
pub mod location;
pub mod lookup;
pub mod maintenance;
pub mod my_procedures;
pub mod procedures;
pub mod register;
pub mod sign_in;
pub mod welcome;

/// What the shell asks of every screen.
pub trait Screen {
    /// The page is about to show: load what it needs and render it.
    fn enter(self: Rc<Self>) {
        self.render();
    }
    /// Shows the screen's state again (in the language now chosen).
    fn render(&self);
    /// The visit ended: everything the screen kept of it is dropped, its page emptied.
    fn reset(&self);
    /// Every second while its page shows.
    fn tick(self: Rc<Self>) {}
}

/// What every screen is given: the window, the services, the bridge to the runtime, the
/// navigator, the visit and its generation, and the visitor's language.
#[derive(Clone)]
pub struct Ctx {
    pub ui: Weak<AppWindow>,
    pub services: Services,
    pub bridge: Bridge,
    pub nav: Navigator,
    /// The visit every visitor screen shares (replaced when it ends).
    pub visit: Rc<RefCell<Visit>>,
    /// Bumped when a visit ends: an answer for an earlier visit is dropped.
    pub generation: Generation,
    language: Rc<Cell<Language>>,
}

impl std::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("language", &self.language.get())
            .finish_non_exhaustive()
    }
}

impl Ctx {
    pub fn new(ui: &AppWindow, services: Services, nav: Navigator, language: Rc<Cell<Language>>) -> Ctx {
        Ctx {
            ui: slint::ComponentHandle::as_weak(ui),
            bridge: Bridge::new(services.runtime.clone()),
            services,
            nav,
            visit: Rc::default(),
            generation: Generation::default(),
            language,
        }
    }

    /// The language the screens speak now (the shell's one copy; the visit's session is told
    /// of every change too, for what it sends the server).
    pub fn language(&self) -> Language {
        self.language.get()
    }

    /// The visitor chose `lang` (the shell's to call).
    pub fn set_language(&self, lang: Language) {
        self.language.set(lang);
    }

    /// The window, while it is open.
    pub fn ui(&self) -> Option<AppWindow> {
        self.ui.upgrade()
    }

    /// A step's Next: the session goes on and the shell shows the next step, or why not.
    pub fn next_step(&self) -> Result<(), crate::visit::Stopped> {
        let next = self.visit.borrow_mut().next(chrono::Utc::now());
        next.map(|step| self.nav.go(crate::nav::Nav::To(crate::visit::page_of(step))))
    }

    /// A step's Back: the session goes back a step and the shell shows it.
    pub fn back_step(&self) {
        let step = self.visit.borrow_mut().session.back();
        self.nav.go(crate::nav::Nav::To(crate::visit::page_of(step)));
    }

    /// Runs `work` on the runtime and `then` on the UI thread, unless the visit ended meanwhile.
    pub fn spawn<T: Send + 'static>(
        &self,
        work: impl std::future::Future<Output = T> + Send + 'static,
        then: impl FnOnce(T) + 'static,
    ) {
        self.bridge.spawn(&self.generation, work, then);
    }
}

/// Wires a callback of no arguments to a method of the screen (held weakly: the window's
/// callbacks never keep a screen alive).
pub fn on<S: 'static>(screen: &Rc<S>, f: fn(&Rc<S>)) -> impl Fn() + 'static {
    let weak = Rc::downgrade(screen);
    move || {
        if let Some(s) = weak.upgrade() {
            f(&s);
        }
    }
}

/// [`on`] for a callback with one argument.
pub fn on1<S: 'static, A: 'static>(screen: &Rc<S>, f: fn(&Rc<S>, A)) -> impl Fn(A) + 'static {
    let weak = Rc::downgrade(screen);
    move |a| {
        if let Some(s) = weak.upgrade() {
            f(&s, a);
        }
    }
}

/// [`on`] for a callback with two arguments.
pub fn on2<S: 'static, A: 'static, B: 'static>(screen: &Rc<S>, f: fn(&Rc<S>, A, B)) -> impl Fn(A, B) + 'static {
    let weak = Rc::downgrade(screen);
    move |a, b| {
        if let Some(s) = weak.upgrade() {
            f(&s, a, b);
        }
    }
}
