//! Staff maintenance through the real UI: a long press on the welcome screen's corner, the PIN
//! pad, the health report, a test print on the printer simulator, out of service and back,
//! closing when idle, and the pad's lock after five wrong PINs. Every step is in the audit log
//! with the staff member's id.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::time::Duration;

use citas_kiosk::startup::Stage;
use citas_kiosk::ui::{Kiosk, Maintenance, MaintenanceTab, Page, StaffPad, Startup};
use common::{Harness, pause, press, type_into, until};
use i_slint_backend_testing::ElementHandle;
use kiosk_core::staff::{Pin, StaffId};
use kiosk_device::clock::AssumedClock;
use kiosk_device::gpio::{Led, SimGpio};
use slint::platform::{PointerEventButton, WindowEvent};
use slint::{ComponentHandle, LogicalPosition, Model};

const ANA_PIN: &str = "402913";

fn corner(ui: &citas_kiosk::ui::AppWindow, pressed: bool) {
    let position = LogicalPosition::new(20.0, 20.0);
    let button = PointerEventButton::Left;
    ui.window().dispatch_event(if pressed {
        WindowEvent::PointerPressed { position, button }
    } else {
        WindowEvent::PointerReleased { position, button }
    });
}

/// Holds the corner until the PIN pad opens, as staff do.
async fn hold_corner(ui: &citas_kiosk::ui::AppWindow) {
    corner(ui, true);
    until(ui, "the PIN pad", |ui| ui.global::<StaffPad>().get_pad_open()).await;
    corner(ui, false);
}

fn type_pin(ui: &citas_kiosk::ui::AppWindow, pin: &str) {
    for d in pin.chars() {
        press(ui, &d.to_string());
    }
    press(ui, "Entrar");
}

fn audit(h: &Harness) -> Vec<(String, String, String)> {
    h.runtime
        .block_on(h.demo.engine.with_store(|s| s.audit_log(100)))
        .unwrap()
        .into_iter()
        .rev()
        .map(|(_, staff, action, detail)| (staff, action, detail))
        .collect()
}

fn did(h: &Harness, staff: &str, action: &str) -> bool {
    audit(h).iter().any(|(s, a, _)| s == staff && a == action)
}

#[test]
fn staff_open_maintenance_test_print_take_the_kiosk_out_of_service_and_back_and_five_wrong_pins_lock_the_pad() {
    let board = std::sync::Arc::new(SimGpio::default());
    let device = citas_kiosk::device::DeviceParts::new(board.clone(), std::sync::Arc::new(AssumedClock::new(true)));
    let h = Harness::start_with(device);
    h.runtime
        .block_on(h.demo.engine.with_store(|s| {
            s.staff_add(
                &StaffId::parse("ana").unwrap(),
                &Pin::parse(ANA_PIN).unwrap(),
                chrono::Utc::now(),
            )
        }))
        .unwrap();
    h.ui.global::<StaffPad>().set_long_press(150);
    h.run(|h| async move {
        let ui = &h.ui;
        assert_eq!(h.page(), Page::Welcome);

        // A tap on the corner is not a long press.
        corner(ui, true);
        corner(ui, false);
        pause(Duration::from_millis(400)).await;
        assert!(!ui.global::<StaffPad>().get_pad_open(), "a tap opened the PIN pad");

        // Hold it: the pad; the right PIN: maintenance, with the health of every part.
        hold_corner(ui).await;
        type_pin(ui, ANA_PIN);
        until(ui, "maintenance", |ui| {
            ui.global::<Kiosk>().get_page() == Page::Maintenance
        })
        .await;
        assert_eq!(ui.global::<Maintenance>().get_staff_id(), "ana");
        assert!(!ui.global::<StaffPad>().get_pad_open());
        assert_eq!(ui.global::<StaffPad>().get_digits(), 0, "the PIN left the screen");
        until(ui, "the health report", |ui| {
            let s = ui.global::<Maintenance>();
            !s.get_checking() && s.get_health().row_count() == 10
        })
        .await;
        let line = |area: &str| {
            ui.global::<Maintenance>()
                .get_health()
                .iter()
                .find(|l| l.area == area)
                .unwrap_or_else(|| panic!("no {area} line"))
        };
        assert_eq!(
            (line("Impresora").level, line("Impresora").word.as_str()),
            (0, "Correcto")
        );
        assert_eq!(line("Escáner").level, 0, "{}", line("Escáner").detail);
        assert!(line("Servidor central").detail.starts_with("Responde en "));
        // In English at a touch.
        press(ui, "English");
        until(ui, "the report in English", |ui| {
            ui.global::<Maintenance>()
                .get_health()
                .iter()
                .any(|l| l.area == "Printer" && l.word == "OK")
        })
        .await;
        assert!(did(&h, "ana", "maintenance-opened"));

        // Test print: the printer simulator receives the test page.
        ui.global::<Maintenance>().set_tab(MaintenanceTab::Devices);
        press(ui, "Test print");
        until(ui, "the test print", |ui| {
            ui.global::<Maintenance>()
                .get_action_message()
                .starts_with("Test page printed")
        })
        .await;
        let jobs = h.demo.printer.control.jobs();
        let page = jobs.last().expect("a job printed");
        assert!(
            page.text.contains("PRUEBA DE IMPRESIÓN") && page.text.contains("demo-kiosk"),
            "{}",
            page.text
        );
        assert_eq!(page.qr, vec!["TEST".to_owned()]);
        assert!(did(&h, "ana", "test-print"));

        // Out of service with a message: visitors see only the notice, and cannot book.
        ui.global::<Maintenance>().set_tab(MaintenanceTab::Service);
        type_into(ui, "Message for visitors", "  Please use the kiosk\nby the door ");
        press(ui, "Take out of service");
        until(ui, "out of service", |ui| {
            ui.global::<Kiosk>().get_staff_out_of_service()
        })
        .await;
        until(ui, "the LED red", |_| board.led() == Some(Led::OutOfService)).await;
        press(ui, "Close maintenance");
        until(ui, "the welcome screen", |ui| {
            ui.global::<Kiosk>().get_page() == Page::Welcome
        })
        .await;
        assert_eq!(
            ui.global::<Kiosk>().get_staff_notice(),
            "Please use the kiosk by the door"
        );
        common::until_text(ui, "Please use the kiosk by the door").await;
        // A finger on "Book an appointment" lands on the notice, not the button.
        let book = ElementHandle::find_by_accessible_label(ui, "Reservar una cita")
            .next()
            .unwrap();
        book.single_click(PointerEventButton::Left).await;
        assert_eq!(h.page(), Page::Welcome);
        assert!(did(&h, "ana", "out-of-service") && did(&h, "ana", "maintenance-closed"));
        // It stays so in the store (a restart keeps it).
        let kept = h
            .runtime
            .block_on(h.demo.engine.with_store(|s| s.out_of_service()))
            .unwrap();
        assert_eq!(kept.unwrap().message, "Please use the kiosk by the door");

        // Back in service.
        hold_corner(ui).await;
        type_pin(ui, ANA_PIN);
        until(ui, "maintenance", |ui| {
            ui.global::<Kiosk>().get_page() == Page::Maintenance
        })
        .await;
        ui.global::<Maintenance>().set_tab(MaintenanceTab::Service);
        press(ui, "Volver a poner en servicio");
        until(ui, "back in service", |ui| {
            !ui.global::<Kiosk>().get_staff_out_of_service()
        })
        .await;
        until(ui, "the LED no longer red", |_| board.led() != Some(Led::OutOfService)).await;
        assert!(did(&h, "ana", "back-in-service"));

        // Left alone, maintenance closes itself.
        citas_kiosk::screens::maintenance::close_when_idle_for(Duration::from_millis(300));
        press(ui, "Estado");
        until(ui, "maintenance closing when idle", |ui| {
            ui.global::<Kiosk>().get_page() == Page::Welcome
        })
        .await;
        assert!(did(&h, "ana", "maintenance-closed-idle"));
        assert_eq!(ui.global::<Maintenance>().get_staff_id(), "");

        // Five wrong PINs lock the pad; then even the right PIN cannot be typed.
        hold_corner(ui).await;
        for left in (1..=4).rev() {
            type_pin(ui, "111111");
            let want = format!("PIN incorrecto. Le quedan {left} intentos.");
            until(ui, &want, |ui| {
                ui.global::<StaffPad>().get_pad_message() == want.as_str()
            })
            .await;
        }
        type_pin(ui, "111111");
        until(ui, "the lock", |ui| ui.global::<StaffPad>().get_pad_locked()).await;
        assert!(
            ui.global::<StaffPad>()
                .get_pad_message()
                .starts_with("Demasiados intentos"),
            "{}",
            ui.global::<StaffPad>().get_pad_message()
        );
        let four = ElementHandle::find_by_accessible_label(ui, "4").next().unwrap();
        assert!(
            !four.accessible_enabled().unwrap_or(true),
            "a locked pad takes no digits"
        );
        assert_eq!(h.page(), Page::Welcome);
        assert!(did(&h, "-", "pin-pad-locked"));
        // Cancelled and opened again, it still says it is locked.
        press(ui, "Cancelar");
        hold_corner(ui).await;
        until(ui, "the lock said at once", |ui| {
            ui.global::<StaffPad>().get_pad_locked()
        })
        .await;
        let wrong = audit(&h).into_iter().filter(|(_, a, _)| a == "pin-wrong").count();
        assert_eq!(wrong, 4);
        press(ui, "Cancelar");

        // Until the kiosk is ready (not provisioned, no server yet) the start-up screen covers
        // everything: it says what is missing; a finger on "Book an appointment" lands on it, and
        // the corner opens no PIN pad.
        let detail = "/data/kiosk/kiosk.toml:4: kiosk.id: 1 to 64 letters, digits, '-' or '_'";
        Stage::NotSetUp {
            problems: vec![detail.into()],
        }
        .show(ui);
        common::until_text(ui, "This kiosk is not set up yet").await;
        common::until_text(ui, "Este quiosco aún no está configurado").await;
        common::until_text(ui, detail).await;
        // (The welcome screen was made anew when maintenance closed: its button is found again.)
        let book = ElementHandle::find_by_accessible_label(ui, "Reservar una cita")
            .next()
            .unwrap();
        book.single_click(PointerEventButton::Left).await;
        assert_eq!(h.page(), Page::Welcome);
        corner(ui, true);
        pause(Duration::from_millis(400)).await;
        corner(ui, false);
        assert!(
            !ui.global::<StaffPad>().get_pad_open(),
            "the PIN pad opened behind the start-up screen"
        );
        // Ready: the same finger books.
        ui.global::<Kiosk>().set_startup(Startup::Ready);
        book.single_click(PointerEventButton::Left).await;
        until(ui, "the next page", |ui| {
            ui.global::<Kiosk>().get_page() != Page::Welcome
        })
        .await;
    });
}
