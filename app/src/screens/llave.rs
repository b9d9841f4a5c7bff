//! Signing in with Llave MX: a code from the server, its QR code on screen for the visitor's
//! phone, the countdown, and the wait (`kiosk_sync::llave`, RFC 8628) until they approve,
//! deny, or the code expires. Approved, the visitor goes to "My procedures" as after a
//! password.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Instant;

use kiosk_sync::api::{Booking, Catalogue, DeviceAuthorization};
use kiosk_sync::llave::Outcome;
use kiosk_sync::{ApiError, EngineError};
use slint::{ComponentHandle, Image, Rgb8Pixel, SharedPixelBuffer};
use tokio_util::sync::CancellationToken;

use super::{Ctx, Screen, on};
use crate::nav::Nav;
use crate::ui::{Llave, LlaveState, Page};

/// A sign-in in progress: its cancel switch and when its code expires.
#[derive(Debug)]
struct Pending {
    cancel: CancellationToken,
    expires: Instant,
}

/// What a sign-in loads once approved: the catalogue, and the account's appointments.
type AfterSignIn = (Result<Catalogue, EngineError>, Result<Vec<Booking>, ()>);

/// The Llave MX screen.
#[derive(Debug)]
pub struct LlaveScreen {
    ctx: Ctx,
    pending: RefCell<Option<Pending>>,
}

impl LlaveScreen {
    pub fn new(ctx: Ctx) -> Rc<LlaveScreen> {
        let screen = Rc::new(LlaveScreen {
            ctx,
            pending: RefCell::default(),
        });
        if let Some(ui) = screen.ctx.ui() {
            let g = ui.global::<Llave>();
            g.on_start(on(&screen, LlaveScreen::start));
            g.on_cancel(on(&screen, |s| {
                s.stop();
                s.ctx.nav.go(Nav::To(Page::SignIn));
            }));
        }
        screen
    }

    fn stop(&self) {
        if let Some(p) = self.pending.borrow_mut().take() {
            p.cancel.cancel();
        }
    }

    fn set_state(&self, state: LlaveState) {
        if let Some(ui) = self.ctx.ui() {
            ui.global::<Llave>().set_state(state);
        }
    }

    /// Asks the server for a code, then shows it and waits for the phone.
    fn start(self: &Rc<Self>) {
        self.stop();
        self.set_state(LlaveState::Starting);
        let client = self.ctx.services.engine.client().clone();
        let me = self.clone();
        self.ctx.spawn(async move { client.llave_start().await }, move |auth| {
            me.code_given(auth);
        });
    }

    fn code_given(self: &Rc<Self>, auth: Result<DeviceAuthorization, ApiError>) {
        let Some(ui) = self.ctx.ui() else { return };
        let auth = match auth {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %e, "Llave MX device authorization");
                self.set_state(LlaveState::Unreachable);
                return;
            }
        };
        let target = auth
            .verification_uri_complete
            .as_deref()
            .unwrap_or(&auth.verification_uri);
        let Some(qr) = qr_image(target, 8) else {
            self.set_state(LlaveState::Unreachable);
            return;
        };
        let g = ui.global::<Llave>();
        g.set_qr(qr);
        g.set_user_code(auth.user_code.as_str().into());
        g.set_address(auth.verification_uri.as_str().into());
        let lifetime = auth.lifetime();
        g.set_seconds_left(i32::try_from(lifetime.as_secs()).unwrap_or(0));
        g.set_state(LlaveState::Waiting);
        let cancel = CancellationToken::new();
        *self.pending.borrow_mut() = Some(Pending {
            cancel: cancel.clone(),
            expires: Instant::now() + lifetime,
        });
        let engine = self.ctx.services.engine.clone();
        let me = self.clone();
        self.ctx.spawn(
            async move {
                let outcome = kiosk_sync::llave::wait(engine.client().clone(), auth, cancel).await;
                let loaded = match &outcome {
                    Outcome::Approved(t) => Some((
                        engine.catalogue().await,
                        crate::visit::account_bookings(&engine, &t.access_token).await,
                    )),
                    _ => None,
                };
                (outcome, loaded)
            },
            move |(outcome, loaded)| me.ended(outcome, loaded),
        );
    }

    fn ended(&self, outcome: Outcome, loaded: Option<AfterSignIn>) {
        *self.pending.borrow_mut() = None;
        match (outcome, loaded) {
            (Outcome::Approved(token), Some((Ok(catalogue), bookings))) => {
                let Ok(email) = kiosk_core::email::Email::parse(&token.email) else {
                    tracing::warn!("Llave MX answered an address that is not an e-mail");
                    self.set_state(LlaveState::Unreachable);
                    return;
                };
                let account = kiosk_sync::api::AccountSession {
                    account_id: token.account_id,
                    email: token.email,
                    token: token.access_token,
                };
                let mut v = self.ctx.visit.borrow_mut();
                v.signed_in(account, email, &catalogue);
                v.my_bookings = Some(bookings);
                drop(v);
                self.set_state(LlaveState::Approved);
                self.ctx.nav.go(Nav::To(Page::MyProcedures));
            }
            (Outcome::Denied, _) => self.set_state(LlaveState::Denied),
            (Outcome::Expired, _) => self.set_state(LlaveState::Expired),
            (Outcome::Cancelled, _) => {}
            (Outcome::Approved(_) | Outcome::Failed, _) => self.set_state(LlaveState::Unreachable),
        }
    }
}

impl Screen for LlaveScreen {
    /// Entering the screen asks for a code at once.
    fn enter(self: Rc<Self>) {
        self.start();
    }

    fn render(&self) {}

    fn reset(&self) {
        self.stop();
        if let Some(ui) = self.ctx.ui() {
            let g = ui.global::<Llave>();
            g.set_user_code("".into());
            g.set_qr(Image::default());
            g.set_state(LlaveState::Starting);
        }
    }

    /// The code's countdown.
    fn tick(self: Rc<Self>) {
        let Some(expires) = self.pending.borrow().as_ref().map(|p| p.expires) else {
            return;
        };
        let left = expires.saturating_duration_since(Instant::now()).as_secs();
        if let Some(ui) = self.ctx.ui() {
            ui.global::<Llave>().set_seconds_left(i32::try_from(left).unwrap_or(0));
        }
    }
}

/// The QR code of `text`, black on white with the standard four-module quiet zone, `scale`
/// pixels a module (the screen scales it further without blurring).
pub fn qr_image(text: &str, scale: u32) -> Option<Image> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let modules = u32::try_from(code.width()).ok()?;
    let colors = code.to_colors();
    let side = (modules + 8) * scale;
    let mut buffer = SharedPixelBuffer::<Rgb8Pixel>::new(side, side);
    let pixels = buffer.make_mut_slice();
    pixels.fill(Rgb8Pixel { r: 255, g: 255, b: 255 });
    for (i, c) in colors.iter().enumerate() {
        if *c != qrcode::Color::Dark {
            continue;
        }
        let i = u32::try_from(i).ok()?;
        let (mx, my) = (i % modules + 4, i / modules + 4);
        for dy in 0..scale {
            let row = (my * scale + dy) * side;
            for dx in 0..scale {
                let at = usize::try_from(row + mx * scale + dx).ok()?;
                if let Some(p) = pixels.get_mut(at) {
                    *p = Rgb8Pixel { r: 0, g: 0, b: 0 };
                }
            }
        }
    }
    Some(Image::from_rgb8(buffer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_square_with_its_quiet_zone_and_grows_with_its_scale() {
        let small = qr_image("https://llave.example/activate?code=ABCD-1234", 2).expect("a code");
        let big = qr_image("https://llave.example/activate?code=ABCD-1234", 8).expect("a code");
        assert_eq!(small.size().width, small.size().height);
        assert_eq!(big.size().width, small.size().width * 4);
    }
}
