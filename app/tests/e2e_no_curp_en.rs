//! A foreign national without a CURP books a power of attorney in English; switching language
//! halfway keeps what they typed.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use citas_kiosk::demo::{DEMO_EMAIL, DEMO_PASSWORD};
use citas_kiosk::ui::{Kiosk, Page, Visit};
use common::{Harness, press, scan_every_document, type_into, until, until_shown};
use slint::{ComponentHandle, Model};

#[test]
fn a_foreign_national_without_curp_books_in_english_and_keeps_input_across_a_language_switch() {
    Harness::start().run(|h| async move {
        let ui = &h.ui;
        press(ui, "English");
        assert_eq!(ui.global::<Kiosk>().get_language(), "en");
        press(ui, "Book an appointment");
        type_into(ui, "E-mail", DEMO_EMAIL);
        type_into(ui, "Password", "wrong password");
        press(ui, "I have read and accept the terms and conditions");
        press(ui, "Sign in");
        until(ui, "the refusal", |ui| {
            ui.global::<citas_kiosk::ui::SignIn>()
                .get_error()
                .starts_with("The e-mail or the password is not right")
        })
        .await;
        type_into(ui, "Password", DEMO_PASSWORD);
        press(ui, "Sign in");
        until(ui, "step 1", |_| h.page() == Page::Location).await;

        // 1 Location: Chicago, whose calendar the kiosk has not synced yet.
        press(ui, "Country where you live: United States");
        type_into(ui, "ZIP or postal code", "6060");
        press(ui, "Search offices");
        assert!(
            ui.global::<Visit>().get_search_message().contains("ZIP"),
            "a four-digit ZIP is explained: {}",
            ui.global::<Visit>().get_search_message()
        );
        type_into(ui, "ZIP or postal code", "60608");
        press(ui, "Search offices");
        until_shown(ui, "Consulado General de México en Chicago").await;
        press(ui, "Consulado General de México en Chicago");
        press(ui, "Next");
        until(ui, "step 2", |_| h.page() == Page::Procedures).await;

        // 2 No CURP: the data instead, checked field by field.
        press(ui, "I do not have a CURP or I am a foreign national");
        type_into(ui, "Given name(s)", "Jane");
        type_into(ui, "First last name", "Doe");
        type_into(ui, "Date of birth", "14/02/1985");
        press(ui, "Sex: Female");
        press(ui, "Nationality: United States");
        press(ui, "Power of attorney");
        press(ui, "Next");
        assert_eq!(h.page(), Page::Procedures);
        let birth = ui
            .global::<Visit>()
            .get_identity_fields()
            .iter()
            .find(|f| f.key == "birth_date")
            .unwrap();
        assert!(!birth.error.is_empty(), "the date's format is explained next to it");
        type_into(ui, "Date of birth", "1985-02-14");
        press(ui, "Enter information");
        type_into(ui, "Full name of the attorney-in-fact", "John Smith");
        press(ui, "Information completed");
        press(ui, "Next");
        until(ui, "step 3", |_| h.page() == Page::Applicant).await;

        // 3 Applicant information, with a language switch in the middle.
        press(ui, "Country of birth: United States");
        type_into(ui, "Town or city of birth", "Chicago");
        press(ui, "Español");
        assert_eq!(ui.global::<Visit>().get_step_title(), "Datos del solicitante");
        let city = ui
            .global::<Visit>()
            .get_applicant_fields()
            .iter()
            .find(|f| f.key == "birth_city")
            .unwrap();
        assert_eq!(city.label, "Municipio o ciudad de nacimiento");
        assert_eq!(city.value, "Chicago", "what was typed survives the switch");
        press(ui, "English");
        press(ui, "Marital status: Single");
        type_into(ui, "ZIP or postal code", "60608");
        type_into(ui, "State or province", "Illinois");
        type_into(ui, "City", "Chicago");
        type_into(ui, "Street and number", "204 S Ashland Ave");
        type_into(ui, "Emergency contact", "Mary Doe");
        type_into(ui, "Emergency phone", "312 738 2383");
        press(ui, "Next");
        until(ui, "step 4", |_| h.page() == Page::Documents).await;

        scan_every_document(ui, "Scan").await;
        press(ui, "Next");
        until(ui, "step 5", |_| h.page() == Page::DateTime).await;

        let slot = common::pick_first_time(ui).await;
        assert!(ui.global::<Visit>().get_hold_text().starts_with("Held for you"));
        press(ui, "Confirm appointment");
        until(ui, "the confirmation", |_| h.page() == Page::Confirmation).await;
        let code = ui.global::<Visit>().get_code().to_string();
        let engine = h.demo.engine.clone();
        let booking = h
            .runtime
            .block_on(async move { engine.client().booking(&code).await })
            .unwrap();
        assert_eq!(booking.office_id, "CHI");
        assert_eq!(booking.slot_id, slot);
        assert_eq!(booking.procedures, vec!["power_of_attorney".to_owned()]);
    });
}
