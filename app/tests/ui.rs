//! The real UI driven through Slint's testing backend, as a visitor would: elements found by
//! their accessible label, activated and typed into.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use citas_kiosk::demo;
use citas_kiosk::shell;
use citas_kiosk::ui::{AppWindow, Kiosk, Lookup, Page};
use i_slint_backend_testing::ElementHandle;
use slint::ComponentHandle;

fn press(ui: &AppWindow, label: &str) {
    let element = ElementHandle::find_by_accessible_label(ui, label)
        .next()
        .unwrap_or_else(|| panic!("no element labelled {label:?} on screen"));
    element.invoke_accessible_default_action();
}

#[test]
fn a_visitor_switches_language_and_is_told_what_is_wrong_with_a_code_in_that_language() {
    i_slint_backend_testing::init_no_event_loop();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let demo = runtime.block_on(demo::start()).unwrap();
    let ui = AppWindow::new().unwrap();
    let _shell = shell::wire(
        &ui,
        demo.services(runtime.handle().clone(), citas_kiosk::device::DeviceParts::simulated())
            .unwrap(),
    );

    // Spanish first, for the next visitor.
    assert_eq!(ui.global::<Kiosk>().get_language(), "es");
    assert!(
        ElementHandle::find_by_accessible_label(&ui, "Ya tengo una cita")
            .next()
            .is_some()
    );
    press(&ui, "English");
    assert_eq!(ui.global::<Kiosk>().get_language(), "en");
    press(&ui, "I already have an appointment");
    assert_eq!(ui.global::<Kiosk>().get_page(), Page::Lookup);

    // The field, not its caption above it (both say "Appointment code").
    let field = ElementHandle::find_by_accessible_label(&ui, "Appointment code")
        .find(|e| e.accessible_role() == Some(i_slint_backend_testing::AccessibleRole::TextInput))
        .unwrap();
    field.set_accessible_value("abc");
    press(&ui, "Search");
    let error = ui.global::<Lookup>().get_code_error().to_string();
    assert!(
        error.starts_with("The code has 8 characters and you typed 3"),
        "{error}"
    );

    // Switching language re-renders the message and keeps what was typed.
    press(&ui, "Español");
    let error = ui.global::<Lookup>().get_code_error().to_string();
    assert!(
        error.starts_with("El código tiene 8 caracteres y escribió 3"),
        "{error}"
    );
    assert_eq!(ui.global::<Lookup>().get_code(), "abc");

    // Finishing wipes the visit and returns to the welcome screen in Spanish.
    press(&ui, "Terminar");
    assert_eq!(ui.global::<Kiosk>().get_page(), Page::Welcome);
    assert_eq!(ui.global::<Lookup>().get_code(), "");
    assert_eq!(ui.global::<Lookup>().get_code_error(), "");
    assert_eq!(ui.global::<Kiosk>().get_language(), "es");
    runtime.block_on(demo.central.stop());
}
