//! Sign in with Llave MX: the QR code on screen, refused on the phone the first time, approved
//! with a new code the second; the visit then starts at step 1 for that account.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use citas_kiosk::ui::{Llave, LlaveState, Page};
use common::{Harness, press, until};
use slint::ComponentHandle;

#[test]
fn a_visitor_signs_in_with_llave_mx_after_a_refusal_on_their_phone() {
    Harness::start().run(|h| async move {
        let ui = &h.ui;
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
            ui.global::<citas_kiosk::ui::Visit>()
                .get_account_email()
                .contains("ana@example.com"),
            "signed in as the account approved on the phone"
        );
    });
}
