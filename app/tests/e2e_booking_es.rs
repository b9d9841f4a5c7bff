//! A visitor books a passport appointment in Spanish, from the welcome screen to the
//! confirmation, with their CURP; the booking is then checked on the central server.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use std::sync::{Arc, Mutex};

use citas_kiosk::demo::{DEMO_EMAIL, DEMO_PASSWORD};
use citas_kiosk::ui::{Kiosk, Page};
use common::{Harness, press, scan_every_document, type_into, until, until_shown};
use kiosk_sim::scanner::{ScannerChange, ScannerFaults};
use slint::{ComponentHandle, Model};

/// Everything the kiosk logs in this process, as it would reach journald (redacted).
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The visitor's data this scenario types or the server returns for their CURP.
const PERSONAL: [&str; 8] = [
    "GODE561231HDFRRN00",
    "Enrique",
    "González",
    "Durán",
    "María José Núñez Güemes",
    "624-3917",
    "2136243917",
    DEMO_EMAIL,
];

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// The same visit on the Pi's 7" display (800x480) and a totem (1080x1920, drawn at 1.5x):
/// every button the visitor needs is found on screen, scrolling only inside lists.
#[test]
fn the_same_booking_is_made_on_the_pis_small_display_and_on_a_totem() {
    if std::env::var_os("KIOSK_E2E_SIZE").is_some() {
        return;
    }
    common::run_at_sizes(
        "a_visitor_books_a_passport_appointment_in_spanish_with_their_curp",
        &["800x480", "1080x1920"],
    );
}

#[test]
fn a_visitor_books_a_passport_appointment_in_spanish_with_their_curp() {
    let logs = Logs::default();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(citas_kiosk::logging::Redacting({
                let logs = logs.clone();
                move || logs.clone()
            }))
            .finish(),
    )
    .unwrap();
    Harness::start().run(|h| async move {
        let ui = &h.ui;
        assert_eq!(ui.global::<Kiosk>().get_language(), "es");
        press(ui, "Reservar una cita");
        assert_eq!(h.page(), Page::SignIn);

        // Sign in; the terms must be accepted first.
        type_into(ui, "Correo electrónico", DEMO_EMAIL);
        type_into(ui, "Contraseña", DEMO_PASSWORD);
        press(ui, "Iniciar sesión");
        until(ui, "the terms reminder", |ui| {
            ui.global::<citas_kiosk::ui::SignIn>()
                .get_error()
                .contains("términos y condiciones")
        })
        .await;
        // The terms can be read before they are accepted.
        press(ui, "Leer los términos y condiciones");
        assert!(
            common::labels(ui)
                .iter()
                .any(|l| l.contains("Nadie puede cobrarle por una cita")),
            "the terms are on screen"
        );
        press(ui, "Cerrar");
        assert!(!ui.global::<citas_kiosk::ui::SignIn>().get_terms_open());
        press(ui, "He leído y acepto los términos y condiciones");
        press(ui, "Iniciar sesión");
        until(ui, "my procedures", |_| h.page() == Page::MyProcedures).await;
        press(ui, "Reservar una cita");
        assert_eq!(h.page(), Page::Location);

        // 1 Location.
        press(ui, "País donde vive: Estados Unidos");
        type_into(ui, "Código postal", "90057");
        press(ui, "Buscar oficinas");
        until_shown(ui, "Consulado General de México en Los Ángeles").await;
        press(ui, "Consulado General de México en Los Ángeles");
        press(ui, "Siguiente");
        until(ui, "step 2", |_| h.page() == Page::Procedures).await;
        assert_eq!(h.page(), Page::Procedures);

        // 2 Type of procedure: a wrong CURP is explained, the right one shows whose it is.
        type_into(ui, "CURP", "GODE561231HDFRRN01");
        press(ui, "Buscar CURP");
        let error = ui.global::<citas_kiosk::ui::Procedures>().get_curp_error().to_string();
        assert!(
            error.starts_with("El último carácter de la CURP no corresponde"),
            "{error}"
        );
        type_into(ui, "CURP", "gode561231hdfrrn00");
        press(ui, "Buscar CURP");
        until(ui, "whose CURP it is", |ui| {
            !ui.global::<citas_kiosk::ui::Procedures>().get_curp_owner().is_empty()
        })
        .await;
        assert_eq!(
            ui.global::<citas_kiosk::ui::Procedures>().get_curp_owner(),
            "CURP de: Enrique González Durán"
        );
        press(ui, "Pasaporte");
        press(ui, "Siguiente");
        assert_eq!(h.page(), Page::Procedures, "the passport's information is missing");
        press(ui, "Capturar información");
        press(ui, "Tipo de trámite: Renovación");
        press(ui, "Vigencia (años): 6 años");
        press(ui, "Guardar información");
        press(ui, "Siguiente");
        until(ui, "step 3", |_| h.page() == Page::Applicant).await;

        // 3 Applicant information: born in Mexico City according to the CURP; the rest typed.
        // Typed on the on-screen keyboard, with a capital and an accented letter.
        common::type_on_keyboard(
            ui,
            "Municipio o ciudad de nacimiento",
            &[
                "Mayúscula",
                "C",
                "i",
                "u",
                "d",
                "a",
                "d",
                "Espacio",
                "d",
                "e",
                "Espacio",
                "Mayúscula",
                "M",
                "Acentos",
                "é",
                "x",
                "i",
                "c",
                "o",
            ],
            "Listo",
        )
        .await;
        let city = ui
            .global::<citas_kiosk::ui::Applicant>()
            .get_fields()
            .iter()
            .find(|f| f.key == "birth_city")
            .unwrap();
        assert_eq!(city.value, "Ciudad de México", "typed on the on-screen keyboard");
        press(ui, "Estado civil: Casado(a)");
        type_into(ui, "Código postal", "9005");
        type_into(ui, "Estado o provincia", "California");
        type_into(ui, "Ciudad", "Los Ángeles");
        type_into(ui, "Calle y número", "2401 W 6th St");
        type_into(ui, "Contacto de emergencia", "María José Núñez Güemes");
        type_into(ui, "Teléfono de emergencia", "(213) 624-3917");
        press(ui, "Siguiente");
        assert_eq!(h.page(), Page::Applicant, "a four-digit ZIP keeps the visitor here");
        let postal = ui
            .global::<citas_kiosk::ui::Applicant>()
            .get_fields()
            .iter()
            .find(|f| f.key == "postal_code")
            .unwrap();
        assert!(!postal.error.is_empty(), "the ZIP code's error is shown next to it");
        slint::platform::update_timers_and_animations();
        common::assert_in_view(ui, "Código postal", "the field with the first error, after Siguiente");
        type_into(ui, "Código postal", "90057");
        press(ui, "Siguiente");
        until(ui, "step 4", |_| h.page() == Page::Documents).await;

        // 4 Documents. The first from the feeder, which jams on its second sheet: the visitor
        // is told, in Spanish, and nothing is attached; the job is gone from the scanner.
        let first = ui
            .global::<citas_kiosk::ui::Documents>()
            .get_documents()
            .row_data(0)
            .unwrap()
            .label
            .to_string();
        h.demo.scanner.control.change(ScannerChange {
            feeder_pages: Some(2),
            faults: Some(ScannerFaults {
                jam: 1,
                ..ScannerFaults::default()
            }),
            jammed: None,
        });
        press(ui, &format!("Escanear: {first}"));
        until(ui, "the scan", |ui| {
            !ui.global::<citas_kiosk::ui::Documents>().get_busy()
        })
        .await;
        let errors = ui.global::<citas_kiosk::ui::Documents>().get_errors().to_string();
        assert!(errors.starts_with("Hay papel atascado en el alimentador"), "{errors}");
        assert!(
            !ui.global::<citas_kiosk::ui::Documents>()
                .get_documents()
                .row_data(0)
                .unwrap()
                .attached
        );
        assert_eq!(h.demo.scanner.control.view().jobs, 0, "no job left on the scanner");
        // Sheets put back: the one left in the feeder, then the back of the document on the
        // glass with "Add a page"; both pages are shown to check.
        press(ui, &format!("Escanear: {first}"));
        until(ui, "the rescan", |ui| {
            !ui.global::<citas_kiosk::ui::Documents>().get_busy()
        })
        .await;
        assert!(ui.global::<citas_kiosk::ui::Documents>().get_errors().is_empty());
        press(ui, &format!("Añadir una página: {first}"));
        until(ui, "the second page", |ui| {
            !ui.global::<citas_kiosk::ui::Documents>().get_busy()
        })
        .await;
        let row = ui
            .global::<citas_kiosk::ui::Documents>()
            .get_documents()
            .row_data(0)
            .unwrap();
        assert!(row.attached);
        assert_eq!(row.pages.row_count(), 2, "a thumbnail of each page");
        assert!(row.summary.starts_with("Listo: 2 páginas"), "{}", row.summary);
        scan_every_document(ui, "Escanear").await;
        press(ui, "Siguiente");
        until(ui, "step 5", |_| h.page() == Page::DateTime).await;

        // 5 Date and time, held, confirmed.
        let slot = common::pick_first_time(ui).await;
        assert!(
            ui.global::<citas_kiosk::ui::Calendar>()
                .get_hold_text()
                .starts_with("Apartamos para usted")
        );
        // The review before Confirm: everything the booking carries, in view.
        press(ui, "Revisar la cita");
        until(ui, "the review", |ui| {
            ui.global::<citas_kiosk::ui::Calendar>().get_reviewing()
        })
        .await;
        let review = |ui: &citas_kiosk::ui::AppWindow| {
            ui.global::<citas_kiosk::ui::Calendar>()
                .get_review()
                .iter()
                .map(|l| format!("{}: {}", l.label, l.value))
                .collect::<Vec<_>>()
        };
        let lines = review(ui);
        // What Confirm confirms is in view beside it, without scrolling, on every display.
        slint::platform::update_timers_and_animations();
        common::assert_button_in_view(ui, "Cambiar: Fecha y hora", "the review's date and time");
        common::assert_button_in_view(ui, "Confirmar cita", "the review's Confirm");
        assert!(
            lines.first().is_some_and(|l| l.starts_with("Fecha y hora: ")),
            "the time comes first: {lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("Oficina: Consulado") && l.ends_with("(no se puede cambiar)")),
            "{lines:?}"
        );
        assert!(
            lines.contains(&"Solicitante: Enrique González Durán".to_owned()),
            "{lines:?}"
        );
        assert!(lines.iter().any(|l| l.starts_with("Trámites: Pasaporte")), "{lines:?}");
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("Documentos: ") && l.contains("página")),
            "{lines:?}"
        );
        assert!(lines.iter().any(|l| l.starts_with("Fecha y hora: ")), "{lines:?}");
        // A line changed from the review goes back to its step and returns through Next.
        press(ui, "Cambiar: Solicitante");
        until(ui, "step 3 from the review", |_| h.page() == Page::Applicant).await;
        press(ui, "Siguiente");
        until(ui, "step 4 again", |_| h.page() == Page::Documents).await;
        press(ui, "Siguiente");
        until(ui, "step 5 again, loaded", |ui| {
            h.page() == Page::DateTime && !ui.global::<citas_kiosk::ui::Calendar>().get_busy()
        })
        .await;
        press(ui, "Revisar la cita");
        until(ui, "the review again", |ui| {
            ui.global::<citas_kiosk::ui::Calendar>().get_reviewing()
        })
        .await;
        assert_eq!(review(ui), lines, "nothing lost on the way");
        press(ui, "Confirmar cita");
        until(ui, "the confirmation", |_| h.page() == Page::Confirmation).await;
        let v = ui.global::<citas_kiosk::ui::Confirmation>();
        assert!(!v.get_pending());
        let code = v.get_code().to_string();
        assert_eq!(code.len(), 8);

        // The ticket comes out of the printer, with the code in its QR, and the screen says so.
        until(ui, "the ticket printed", |ui| {
            ui.global::<citas_kiosk::ui::Confirmation>().get_ticket() == citas_kiosk::ui::TicketState::Printed
        })
        .await;
        common::until_text(ui, "Tome su comprobante de la impresora.").await;
        let jobs = h.demo.printer.control.jobs();
        assert_eq!(jobs.len(), 1, "one ticket");
        assert_eq!(jobs[0].qr, vec![code.clone()]);
        assert!(
            jobs[0].text.contains("Pasaporte") && jobs[0].text.contains("Código de cita"),
            "{}",
            jobs[0].text
        );
        assert!(!jobs[0].text.contains("CURP"), "no personal data on the ticket");

        // The server has it, for this slot, procedure and account.
        let engine = h.demo.engine.clone();
        let booking = h
            .runtime
            .block_on(async move { engine.client().booking(&code).await })
            .unwrap();
        assert_eq!(booking.slot_id, slot);
        assert_eq!(booking.status, "confirmed");
        assert_eq!(booking.procedures, vec!["passport".to_owned()]);
        assert!(booking.account_id.is_some(), "booked for the signed-in account");

        // Finish wipes the visit.
        press(ui, "Terminar");
        assert_eq!(h.page(), Page::Welcome);
        assert_eq!(ui.global::<citas_kiosk::ui::SignIn>().get_email(), "");
        assert_eq!(ui.global::<citas_kiosk::ui::Procedures>().get_curp(), "");
        assert_eq!(
            ui.global::<citas_kiosk::ui::Keyboard>().get_echo(),
            "",
            "nothing typed stays on screen"
        );
        assert!(
            ui.global::<citas_kiosk::ui::Applicant>()
                .get_fields()
                .iter()
                .all(|f| f.value.is_empty())
        );
        assert_eq!(ui.global::<citas_kiosk::ui::Confirmation>().get_code(), "");

        // Once the visit is over, none of the visitor's data is in the kiosk's files (its
        // database and the database's log, scrubbed when the visit ended) nor in its logs.
        let found = || {
            let mut found = Vec::new();
            for f in h.demo.kiosk_files() {
                let bytes = std::fs::read(&f).unwrap_or_default();
                for p in PERSONAL.iter().filter(|p| contains(&bytes, p)) {
                    found.push(format!("{p:?} in {}", f.display()));
                }
            }
            found
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !found().is_empty() && std::time::Instant::now() < deadline {
            common::pause(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(
            found(),
            Vec::<String>::new(),
            "the visitor's data left in the kiosk's files"
        );
        let logged = logs.0.lock().unwrap().clone();
        assert!(logged.len() > 1000, "the kiosk logged its work");
        for p in PERSONAL {
            assert!(!contains(&logged, p), "{p:?} is in the kiosk's log");
        }
        let printed: String = h.demo.printer.control.jobs().iter().map(|j| j.text.clone()).collect();
        for p in PERSONAL {
            assert!(!printed.contains(p), "{p:?} is on the ticket");
        }
    });
}
