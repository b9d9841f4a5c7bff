//! The screens: one module per screen a visitor (or staff) sees. Each owns its callbacks, its
//! state, its render into its own global (declared in its page's `.slint` file) and its
//! `reset`; it reaches the runtime through the [`Bridge`], leaves through a [`Nav`] value, and
//! imports neither the shell nor another screen.
//!
//! [`Nav`]: crate::nav::Nav

use std::cell::Cell;
use std::rc::Rc;

use kiosk_core::Language;
use slint::Weak;

use crate::bridge::Bridge;
use crate::nav::Navigator;
use crate::services::Services;
use crate::ui::AppWindow;

pub mod lookup;
pub mod maintenance;

/// What every screen is given: the window, the services, the bridge to the runtime, the
/// navigator, and the visitor's language (one copy, kept by the shell).
#[derive(Clone)]
pub struct Ctx {
    pub ui: Weak<AppWindow>,
    pub services: Services,
    pub bridge: Bridge,
    pub nav: Navigator,
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
            language,
        }
    }

    /// The language the screens speak now.
    pub fn language(&self) -> Language {
        self.language.get()
    }

    /// The window, while it is open.
    pub fn ui(&self) -> Option<AppWindow> {
        self.ui.upgrade()
    }
}
