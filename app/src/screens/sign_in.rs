//! Signing in with the Citas SRE account: the e-mail, the password and the terms checked by
//! `kiosk-core`, then the server; a signed-in visitor goes to "My procedures" with the
//! catalogue and their appointments loaded. From here: Llave MX, or creating an account.

use std::cell::RefCell;
use std::rc::Rc;

use kiosk_core::Language;
use kiosk_core::email::Email;
use kiosk_sync::api::{AccountSession, Booking, Catalogue};
use kiosk_sync::{ApiError, EngineError};
use slint::ComponentHandle;

use super::{Ctx, Screen, on};
use crate::nav::Nav;
use crate::ui::{Page, SignIn};
use crate::view::s;
use crate::words::{self, Msg};

/// What the sign-in keeps between touches.
#[derive(Debug, Default, Clone)]
pub struct State {
    pub error: Option<Msg>,
    pub busy: bool,
    pub terms: bool,
}

/// What a sign-in brings back: the account, the catalogue and the account's appointments.
type Answer = (
    Email,
    Result<AccountSession, ApiError>,
    Result<Catalogue, EngineError>,
    Result<Vec<Booking>, ()>,
);

/// The sign-in screen.
#[derive(Debug)]
pub struct SignInScreen {
    ctx: Ctx,
    state: RefCell<State>,
}

impl SignInScreen {
    pub fn new(ctx: Ctx) -> Rc<SignInScreen> {
        let screen = Rc::new(SignInScreen {
            ctx,
            state: RefCell::default(),
        });
        if let Some(ui) = screen.ctx.ui() {
            let g = ui.global::<SignIn>();
            g.on_submit(on(&screen, SignInScreen::submit));
            g.on_toggle_terms(on(&screen, |s| {
                let mut st = s.state.borrow_mut();
                st.terms = !st.terms;
                drop(st);
                s.render();
            }));
            g.on_llave(on(&screen, |s| s.ctx.nav.go(Nav::To(Page::Llave))));
            g.on_register(on(&screen, SignInScreen::register));
            g.on_back(on(&screen, |s| s.ctx.nav.go(Nav::EndVisit)));
        }
        screen
    }

    fn submit(self: &Rc<Self>) {
        let Some(ui) = self.ctx.ui() else { return };
        if self.state.borrow().busy {
            return;
        }
        let g = ui.global::<SignIn>();
        let (email, password) = (g.get_email().to_string(), g.get_password().to_string());
        let terms = self.state.borrow().terms;
        let email = match kiosk_core::registration::check_sign_in(&email, &password, terms) {
            Ok(e) => e,
            Err(e) => {
                self.state.borrow_mut().error = Some(Msg::explain(e));
                self.render();
                return;
            }
        };
        self.state.borrow_mut().busy = true;
        self.render();
        let engine = self.ctx.services.engine.clone();
        let me = self.clone();
        self.ctx.spawn(
            async move {
                let session = engine.client().sign_in(&email.to_string(), &password).await;
                let catalogue = engine.catalogue().await;
                let bookings = match &session {
                    Ok(s) => crate::visit::account_bookings(&engine, &s.token).await,
                    Err(_) => Err(()),
                };
                (email, session, catalogue, bookings)
            },
            move |answer| me.signed_in(answer),
        );
    }

    fn signed_in(&self, (email, session, catalogue, bookings): Answer) {
        self.state.borrow_mut().busy = false;
        let error = match (session, catalogue) {
            (Ok(account), Ok(catalogue)) => {
                let mut v = self.ctx.visit.borrow_mut();
                v.signed_in(account, email, &catalogue);
                v.my_bookings = Some(bookings);
                drop(v);
                self.state.borrow_mut().error = None;
                if let Some(ui) = self.ctx.ui() {
                    // The password leaves the screen with the sign-in.
                    ui.global::<SignIn>().set_password("".into());
                }
                self.render();
                self.ctx.nav.go(Nav::To(Page::MyProcedures));
                return;
            }
            (Err(e), _) => {
                tracing::info!(error = %e, "sign-in refused");
                words::sign_in_refused(e.kind().as_ref())
            }
            (Ok(_), Err(e)) => {
                tracing::warn!(error = %e, "catalogue unavailable");
                words::no_offices_to_load()
            }
        };
        self.state.borrow_mut().error = Some(error);
        self.render();
    }

    /// "Create an account": its form needs the catalogue's countries and offices.
    fn register(self: &Rc<Self>) {
        if self.state.borrow().busy {
            return;
        }
        self.state.borrow_mut().busy = true;
        self.render();
        let engine = self.ctx.services.engine.clone();
        let me = self.clone();
        self.ctx
            .spawn(async move { engine.catalogue().await }, move |catalogue| {
                me.state.borrow_mut().busy = false;
                match catalogue {
                    Ok(c) => {
                        me.ctx.visit.borrow_mut().apply_catalogue(&c);
                        me.render();
                        me.ctx.nav.go(Nav::To(Page::Register));
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "catalogue unavailable");
                        me.state.borrow_mut().error = Some(words::cannot_register_now());
                        me.render();
                    }
                }
            });
    }
}

/// Shows `st` on the sign-in page in `lang`.
pub fn render_into(g: &SignIn<'_>, st: &State, lang: Language) {
    crate::put!(g, get_error, set_error, s(words::text(st.error.as_ref(), lang)));
    crate::put!(g, get_busy, set_busy, st.busy);
    crate::put!(g, get_terms_accepted, set_terms_accepted, st.terms);
}

impl Screen for SignInScreen {
    fn render(&self) {
        if let Some(ui) = self.ctx.ui() {
            render_into(&ui.global::<SignIn>(), &self.state.borrow(), self.ctx.language());
        }
    }

    fn reset(&self) {
        *self.state.borrow_mut() = State::default();
        if let Some(ui) = self.ctx.ui() {
            let g = ui.global::<SignIn>();
            g.set_email("".into());
            g.set_password("".into());
            g.set_terms_open(false);
        }
        self.render();
    }
}
