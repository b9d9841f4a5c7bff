//! A foreign national without a CURP creates an account, activates it, and books a power of
//! attorney in English; switching language halfway keeps what they typed.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use citas_kiosk::ui::{Kiosk, Page, Register};
use common::{Harness, press, scan_every_document, type_into, until, until_shown};
use slint::{ComponentHandle, Model};

#[test]
fn a_foreign_national_registers_then_books_without_curp_in_english_keeping_input_across_a_language_switch() {
    Harness::start().run(|h| async move {
        let ui = &h.ui;
        press(ui, "English");
        assert_eq!(ui.global::<Kiosk>().get_language(), "en");
        press(ui, "Book an appointment");

        // No account yet: create one; the rules of the password are ticked off while typing.
        press(ui, "Create an account");
        until(ui, "the registration form", |_| h.page() == Page::Register).await;
        press(ui, "Who are the procedures for?: For me");
        press(ui, "Country where you live: United States");
        type_into(ui, "State or province where you live", "Illinois");
        press(ui, "Preferred consular office: Consulado General de México en Chicago");
        press(ui, "Country of birth: United States");
        press(ui, "Nationality: United States");
        type_into(ui, "Given name(s)", "Jane");
        type_into(ui, "First surname", "Doe");
        type_into(ui, "Main phone", "312 738 2383");
        type_into(ui, "E-mail", "jane.doe@example.com");
        type_into(ui, "Password", "weakpass");
        let rules = |ui: &citas_kiosk::ui::AppWindow| {
            ui.global::<Register>()
                .get_fields()
                .iter()
                .find(|f| f.key == "password")
                .unwrap()
                .hint
                .to_string()
        };
        assert!(rules(ui).contains("✗ An upper-case letter"), "{}", rules(ui));
        assert!(rules(ui).contains("✓ A lower-case letter"), "{}", rules(ui));
        type_into(ui, "Password", "Chicago#Consulate1");
        assert!(!rules(ui).contains('✗'), "{}", rules(ui));
        type_into(ui, "Confirm the password", "Chicago#Consulate2");
        press(ui, "Create account");
        let confirmation = ui
            .global::<Register>()
            .get_fields()
            .iter()
            .find(|f| f.key == "confirmation")
            .unwrap();
        assert!(!confirmation.error.is_empty(), "a mismatch is shown next to the field");
        type_into(ui, "Confirm the password", "Chicago#Consulate1");
        press(ui, "Create account");
        until(ui, "check your e-mail", |ui| ui.global::<Register>().get_sent()).await;

        // The visitor follows the link on their phone.
        let mail = h.admin(reqwest::Method::GET, "mailbox?to=jane.doe@example.com", None);
        let body = mail["messages"][0]["body"].as_str().unwrap().to_owned();
        let token = body.rsplit(' ').next().unwrap().to_owned();
        let engine = h.demo.engine.clone();
        h.runtime
            .block_on(async move { engine.client().confirm_account(&token).await })
            .unwrap();

        press(ui, "Go to sign in");
        assert_eq!(h.page(), Page::SignIn);
        type_into(ui, "E-mail", "jane.doe@example.com");
        type_into(ui, "Password", "wrong password");
        press(ui, "I have read and accept the terms and conditions");
        press(ui, "Sign in");
        until(ui, "the refusal", |ui| {
            ui.global::<citas_kiosk::ui::SignIn>()
                .get_error()
                .starts_with("The e-mail or the password is not right")
        })
        .await;
        type_into(ui, "Password", "Chicago#Consulate1");
        press(ui, "Sign in");
        until(ui, "my procedures", |_| h.page() == Page::MyProcedures).await;
        press(ui, "Book an appointment");
        assert_eq!(h.page(), Page::Location);

        // 1 Location: Chicago, whose calendar the kiosk has not synced yet.
        press(ui, "Country where you live: United States");
        type_into(ui, "ZIP or postal code", "6060");
        press(ui, "Search offices");
        assert!(
            ui.global::<citas_kiosk::ui::Location>().get_search_message().contains("ZIP"),
            "a four-digit ZIP is explained: {}",
            ui.global::<citas_kiosk::ui::Location>().get_search_message()
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
        type_into(ui, "First surname", "Doe");
        // A two-digit year is not guessed at.
        type_into(ui, "Date of birth", "14/02/85");
        press(ui, "Sex: Female");
        press(ui, "Nationality: United States");
        press(ui, "Power of attorney");
        press(ui, "Next");
        assert_eq!(h.page(), Page::Procedures);
        let birth = ui
            .global::<citas_kiosk::ui::Procedures>()
            .get_identity_fields()
            .iter()
            .find(|f| f.key == "birth_date")
            .unwrap();
        assert!(!birth.error.is_empty(), "the date's format is explained next to it");
        type_into(ui, "Date of birth", "14/02/1985");
        press(ui, "Enter information");
        type_into(ui, "Full name of the attorney-in-fact", "John Smith");
        press(ui, "Save information");
        press(ui, "Next");
        until(ui, "step 3", |_| h.page() == Page::Applicant).await;

        // 3 Applicant information, with a language switch in the middle.
        press(ui, "Country of birth: United States");
        type_into(ui, "Town or city of birth", "Chicago");
        press(ui, "Español");
        assert_eq!(ui.global::<citas_kiosk::ui::Applicant>().get_step_title(), "Datos del solicitante");
        let city = ui
            .global::<citas_kiosk::ui::Applicant>()
            .get_fields()
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
        assert!(ui.global::<citas_kiosk::ui::Calendar>().get_hold_text().starts_with("Held for you"));
        // The printer has run out of paper: the booking is confirmed all the same, the visitor
        // is told to ask staff, and the ticket prints by itself once paper is loaded.
        let no_paper = |paper| kiosk_sim::printer::PrinterChange {
            paper: Some(paper),
            ..Default::default()
        };
        h.demo.printer.control.change(no_paper(kiosk_sim::printer::Paper::Out));
        press(ui, "Review appointment");
        press(ui, "Confirm appointment");
        until(ui, "the confirmation", |_| h.page() == Page::Confirmation).await;
        until(ui, "the ticket refused", |ui| {
            ui.global::<citas_kiosk::ui::Confirmation>().get_ticket() == citas_kiosk::ui::TicketState::AskStaff
        })
        .await;
        common::until_text(
            ui,
            "Your ticket could not be printed. Your appointment IS confirmed: ask the staff for your ticket, or write down your code.",
        )
        .await;
        assert!(h.demo.printer.control.jobs().is_empty());
        h.demo.printer.control.change(no_paper(kiosk_sim::printer::Paper::Ok));
        until(ui, "the queued ticket printed", |_| h.demo.printer.control.jobs().len() == 1).await;
        let code = ui.global::<citas_kiosk::ui::Confirmation>().get_code().to_string();
        assert_eq!(h.demo.printer.control.jobs()[0].qr, vec![code.clone()]);
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
