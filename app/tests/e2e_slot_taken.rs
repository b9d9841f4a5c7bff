//! The held time is lost (the hold ran out on the server and someone else booked the last
//! place) while the visitor confirms: they are told, stay on the calendar with the day
//! refreshed, and nothing is shown as confirmed; they then confirm another time while the
//! server cannot be reached: the request is saved, NOT confirmed, and a slip prints (no code,
//! no QR code, the request's reference); once the network returns the outbox delivers it.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use chrono::{DateTime, Utc};
use citas_kiosk::demo::{DEMO_EMAIL, DEMO_PASSWORD};
use citas_kiosk::ui::Page;
use common::{Harness, press, scan_every_document, type_into, until, until_shown};
use slint::{ComponentHandle, Model};

#[test]
fn a_slot_taken_sends_the_visitor_back_and_a_confirm_without_network_prints_a_slip() {
    Harness::start().run(|h| async move {
        let ui = &h.ui;
        // One place, nine days ahead, at a minute no seeded slot uses.
        let start: DateTime<Utc> = (Utc::now() + chrono::Duration::days(9))
            .date_naive()
            .and_hms_opt(19, 7, 0)
            .unwrap()
            .and_utc();
        let new = h.admin(
            reqwest::Method::POST,
            "slots",
            Some(serde_json::json!({"office_id": "LAX", "start": start, "capacity": 1})),
        );
        let contested = new["id"].as_str().unwrap().to_owned();

        press(ui, "English");
        press(ui, "Book an appointment");
        type_into(ui, "E-mail", DEMO_EMAIL);
        type_into(ui, "Password", DEMO_PASSWORD);
        press(ui, "I have read and accept the terms and conditions");
        press(ui, "Sign in");
        until(ui, "my procedures", |_| h.page() == Page::MyProcedures).await;
        press(ui, "Book an appointment");
        assert_eq!(h.page(), Page::Location);
        type_into(ui, "ZIP or postal code", "90057");
        press(ui, "Search offices");
        until_shown(ui, "Consulado General de México en Los Ángeles").await;
        press(ui, "Consulado General de México en Los Ángeles");
        press(ui, "Next");
        until(ui, "step 2", |_| h.page() == Page::Procedures).await;
        let digit = kiosk_core::curp::check_digit("LOMM900517MJCPRR0").unwrap();
        type_into(ui, "CURP", &format!("LOMM900517MJCPRR0{digit}"));
        press(ui, "Search CURP");
        until(ui, "whose CURP it is", |ui| {
            !ui.global::<citas_kiosk::ui::Procedures>().get_curp_owner().is_empty()
        })
        .await;
        press(ui, "Consular ID card (matrícula consular)");
        press(ui, "Next");
        until(ui, "step 3", |_| h.page() == Page::Applicant).await;
        type_into(ui, "Town or city of birth", "Guadalajara");
        press(ui, "Marital status: Divorced");
        type_into(ui, "ZIP or postal code", "90057");
        type_into(ui, "State or province", "California");
        type_into(ui, "City", "Los Angeles");
        type_into(ui, "Street and number", "2401 W 6th St");
        type_into(ui, "Emergency contact", "José López");
        type_into(ui, "Emergency phone", "+1 213 351 6800");
        press(ui, "Next");
        until(ui, "step 4", |_| h.page() == Page::Documents).await;
        scan_every_document(ui, "Scan").await;
        press(ui, "Next");
        until(ui, "step 5", |_| h.page() == Page::DateTime).await;

        // Find the contested slot's day (it may be next month) and hold it.
        let day = start
            .with_timezone(&chrono_tz::America::Los_Angeles)
            .date_naive()
            .to_string();
        until(ui, "the calendar", |ui| common::first_free_day(ui).is_some()).await;
        let find_day = |ui: &citas_kiosk::ui::AppWindow| {
            ui.global::<citas_kiosk::ui::Calendar>()
                .get_days()
                .iter()
                .find(|d| d.date == day.as_str())
        };
        if find_day(ui).is_none() {
            press(ui, "Next month");
        }
        let cell = find_day(ui).unwrap();
        press(ui, &format!("{} {}", cell.day, cell.long_label));
        until(ui, "the day's times", |ui| {
            ui.global::<citas_kiosk::ui::Calendar>()
                .get_times()
                .iter()
                .any(|t| t.id == contested.as_str())
        })
        .await;
        let v = ui.global::<citas_kiosk::ui::Calendar>();
        let time = v.get_times().iter().find(|t| t.id == contested.as_str()).unwrap();
        press(ui, &format!("{}: {}", v.get_day_label(), time.label));
        until(ui, "the hold", |ui| {
            !ui.global::<citas_kiosk::ui::Calendar>().get_hold_text().is_empty()
        })
        .await;

        // The server's hold runs out and another kiosk books the last place.
        h.admin(
            reqwest::Method::POST,
            "clock",
            Some(serde_json::json!({"seconds": 301})),
        );
        let engine = h.demo.engine.clone();
        let taken = contested.clone();
        let other = h
            .runtime
            .block_on(async move {
                let docs = kiosk_tests::documents(&engine).await;
                engine
                    .client()
                    .confirm(&uuid_like(), &kiosk_tests::passport_booking(&taken, &docs))
                    .await
            })
            .unwrap();
        assert_eq!(other.slot_id, contested);

        press(ui, "Review appointment");
        press(ui, "Confirm appointment");
        until(ui, "the slot-taken message", |ui| {
            ui.global::<citas_kiosk::ui::Calendar>()
                .get_errors()
                .starts_with("Someone else has just taken that time")
        })
        .await;
        assert_eq!(h.page(), Page::DateTime, "back on the calendar, not on a confirmation");
        assert_eq!(
            ui.global::<citas_kiosk::ui::Confirmation>().get_code(),
            "",
            "nothing shown as confirmed"
        );
        until(ui, "the refreshed day", |ui| {
            !ui.global::<citas_kiosk::ui::Calendar>()
                .get_times()
                .iter()
                .any(|t| t.id == contested.as_str())
        })
        .await;

        // Another time of the refreshed calendar, confirmed while the server cannot be reached:
        // saved, NOT confirmed, and a slip to take away (no code, no QR, the reference).
        let slot = common::pick_first_time(ui).await;
        assert_ne!(slot, contested);
        press(ui, "Review appointment");
        h.admin(reqwest::Method::PUT, "faults", Some(serde_json::json!({"reset": 1.0})));
        press(ui, "Confirm appointment");
        until(ui, "the request saved", |_| h.page() == Page::Confirmation).await;
        let c = ui.global::<citas_kiosk::ui::Confirmation>();
        assert!(c.get_pending());
        assert_eq!(c.get_code(), "", "nothing shown as confirmed");
        let reference = c.get_reference().to_string();
        assert_eq!(reference.len(), 9, "{reference:?}");
        common::until_text(ui, "Take your slip from the printer. It is NOT an appointment ticket.").await;
        let jobs = h.demo.printer.control.jobs();
        assert_eq!(jobs.len(), 1);
        assert!(jobs[0].text.contains("NOT CONFIRMED"), "{}", jobs[0].text);
        assert!(jobs[0].text.contains(&reference), "{}", jobs[0].text);
        assert!(jobs[0].qr.is_empty(), "a slip has nothing to scan");
        for personal in ["Lopez", "López", "LOMM900517", "Guadalajara"] {
            assert!(!jobs[0].text.contains(personal), "{personal} on the slip");
        }

        // The network returns: the outbox delivers the request; its ticket is kept for staff
        // or a lookup, not printed to an empty tray.
        h.admin(reqwest::Method::PUT, "faults", Some(serde_json::json!({})));
        let engine = h.demo.engine.clone();
        let drained = h
            .runtime
            .block_on(async move {
                engine.retry_now().await?;
                engine.drain().await
            })
            .unwrap();
        assert_eq!(drained.delivered, 1, "{drained:?}");
        assert_eq!(
            h.demo.printer.control.jobs().len(),
            1,
            "no ticket printed after the visit"
        );

        // "I already have an appointment": the demo's booking found and its ticket printed.
        press(ui, "Finish");
        press(ui, "English"); // each visit starts in Spanish
        press(ui, "I already have an appointment");
        common::type_into(ui, "Appointment code", &h.demo.sample_code);
        press(ui, "Search");
        until(ui, "the booking found", |ui| {
            ui.global::<citas_kiosk::ui::Lookup>().get_state() == citas_kiosk::ui::LookupState::Found
        })
        .await;
        press(ui, "Print ticket");
        common::until_text(ui, "Take your ticket from the printer.").await;
        let jobs = h.demo.printer.control.jobs();
        assert_eq!(jobs.len(), 2);
        assert_eq!(jobs[1].qr, vec![h.demo.sample_code.clone()]);
        assert!(
            jobs[1].text.contains("APPOINTMENT CONFIRMATION"),
            "in the visitor's language"
        );
        assert!(
            !common::labels(ui).iter().any(|l| l.contains("Print ticket")),
            "one copy a visit"
        );
    });
}

/// An idempotency key of the other kiosk.
fn uuid_like() -> String {
    format!("other-kiosk-{}", std::process::id())
}
