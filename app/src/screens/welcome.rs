//! The welcome screen: the two ways in (book an appointment, or "I already have one"). What it
//! shows besides (out of service, the clock, dimming, the staff corner) is the shell's.

use std::rc::Rc;

use slint::ComponentHandle;

use super::{Ctx, Screen, on};
use crate::nav::Nav;
use crate::ui::{Page, Welcome};

/// The welcome screen.
#[derive(Debug)]
pub struct WelcomeScreen {
    ctx: Ctx,
}

impl WelcomeScreen {
    pub fn new(ctx: Ctx) -> Rc<WelcomeScreen> {
        let screen = Rc::new(WelcomeScreen { ctx });
        if let Some(ui) = screen.ctx.ui() {
            let w = ui.global::<Welcome>();
            w.on_book(on(&screen, |s| s.ctx.nav.go(Nav::To(Page::SignIn))));
            w.on_lookup(on(&screen, |s| s.ctx.nav.go(Nav::To(Page::Lookup))));
        }
        screen
    }
}

impl Screen for WelcomeScreen {
    fn render(&self) {}
    fn reset(&self) {}
}
