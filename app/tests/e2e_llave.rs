//! Sign in with Llave MX: the QR code on screen, refused on the phone the first time, approved
//! with a new code the second; the visit then starts at step 1 for that account.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::sync::Arc;

use citas_kiosk::shell;
use citas_kiosk::ui::{Kiosk, Llave, LlaveState, Page};
use common::{Harness, press, until};
use kiosk_device::clock::AssumedClock;
use kiosk_device::gpio::{Led, SimGpio};
use slint::ComponentHandle;

#[test]
fn a_visitor_signs_in_with_llave_mx_after_a_refusal_on_their_phone() {
    // The kiosk starts with its clock not yet synchronised, and a call-staff button.
    let clock = Arc::new(AssumedClock::new(false));
    let board = Arc::new(SimGpio::default());
    let device = citas_kiosk::device::DeviceParts::new(board.clone(), clock.clone());
    Harness::start_with(device).run(|h| async move {
        let ui = &h.ui;
        // No booking (no time could be shown right) until the clock is set; the LED is red.
        common::until_text(
            ui,
            "Este quiosco está ajustando su reloj y todavía no puede mostrar horarios de citas. En unos minutos podrá agendar aquí.",
        )
        .await;
        press(ui, "Reservar una cita");
        assert_eq!(h.page(), Page::Welcome, "booking is disabled");
        assert_eq!(board.led(), Some(Led::OutOfService));
        clock.set(true);
        h.shell.check_health();
        until(ui, "the clock synchronised", |ui| !ui.global::<Kiosk>().get_clock_unsynced()).await;
        assert_eq!(board.led(), Some(Led::Ok));

        // The call-staff button: a notice, counted once however the contact bounced.
        let t = std::time::Instant::now();
        board.button_edge(t);
        board.button_edge(t + std::time::Duration::from_millis(5));
        common::until_text(ui, "Llamamos a una persona del personal; vendrá a ayudarle.").await;
        assert_eq!(h.device_calls(), 1);

        // Nobody in front of the kiosk: the welcome screen dims; someone arriving wakes it,
        // and while they stand there it does not dim again.
        shell::dim_after(std::time::Duration::from_millis(200));
        ui.global::<Kiosk>().invoke_touched();
        until(ui, "the screen dimmed", |ui| ui.global::<Kiosk>().get_dimmed()).await;
        board.presence(true);
        until(ui, "the screen woken", |ui| !ui.global::<Kiosk>().get_dimmed()).await;
        common::pause(std::time::Duration::from_millis(400)).await;
        assert!(!ui.global::<Kiosk>().get_dimmed(), "dimmed with someone in front");
        board.presence(false);
        until(ui, "dimmed once they left", |ui| ui.global::<Kiosk>().get_dimmed()).await;
        shell::dim_after(shell::DIM_AFTER);
        // A finger anywhere on the dimmed screen.
        let middle = slint::LogicalPosition::new(640.0, 400.0);
        let button = slint::platform::PointerEventButton::Left;
        ui.window().dispatch_event(slint::platform::WindowEvent::PointerPressed { position: middle, button });
        ui.window().dispatch_event(slint::platform::WindowEvent::PointerReleased { position: middle, button });
        assert!(!ui.global::<Kiosk>().get_dimmed(), "a touch wakes it");
        assert_eq!(h.page(), Page::Welcome, "the waking touch pressed nothing");

        press(ui, "Reservar una cita");
        press(ui, "Iniciar sesión con Llave MX en su teléfono");
        until(ui, "the QR code", |ui| {
            ui.global::<Llave>().get_state() == LlaveState::Waiting
        })
        .await;
        assert_eq!(h.page(), Page::Llave);
        let l = ui.global::<Llave>();
        assert!(l.get_qr().size().width > 100, "a QR code is drawn");
        assert!(l.get_seconds_left() > 60, "with a countdown");

        // Refused on the phone.
        let code = l.get_user_code().to_string();
        h.admin(
            reqwest::Method::POST,
            "llave/approve",
            Some(serde_json::json!({"user_code": code, "email": "ana@example.com", "approve": false})),
        );
        until(ui, "the refusal", |ui| {
            ui.global::<Llave>().get_state() == LlaveState::Denied
        })
        .await;

        // A new code, approved.
        press(ui, "Nuevo código");
        until(ui, "a new QR code", |ui| {
            let l = ui.global::<Llave>();
            l.get_state() == LlaveState::Waiting && l.get_user_code() != code.as_str()
        })
        .await;
        let code = ui.global::<Llave>().get_user_code().to_string();
        h.admin(
            reqwest::Method::POST,
            "llave/approve",
            Some(serde_json::json!({"user_code": code, "email": "ana@example.com", "approve": true})),
        );
        until(ui, "my procedures", |_| h.page() == Page::MyProcedures).await;
        assert!(
            ui.global::<citas_kiosk::ui::MyProcedures>()
                .get_account_email()
                .contains("ana@example.com"),
            "signed in as the account approved on the phone"
        );
    });
}
