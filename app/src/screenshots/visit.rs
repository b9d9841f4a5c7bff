//! A whole visit walked for `--screenshots` against the demo's simulator, with the same
//! functions the screens call, each screen's state kept on the way and drawn by the screen's
//! own render.

use anyhow::Context;
use kiosk_core::Language;
use kiosk_sync::SyncEngine;
use slint::ComponentHandle;

use super::{Screen, keyboard};
use crate::demo;
use crate::screens::confirmation::{self, TicketView};
use crate::screens::{applicant, date_time, documents, location, my_procedures, procedures, register, sign_in};
use crate::ui::{
    AppWindow, Applicant, Calendar, Confirmation, Documents, KeyboardLayout, Kiosk, Llave, LlaveState, Location,
    MyProcedures, Page, Procedures, Register, SignIn,
};
use crate::view::Rows;
use crate::visit::{Outcome, Visit};

/// A screen drawn from `state` by `render`.
fn shot<S: 'static>(name: &'static str, page: Page, state: S, render: fn(&AppWindow, &S, Language)) -> Screen {
    Screen::new(name, page).with(move |ui, lang| render(ui, &state, lang))
}

fn sign_in_page(ui: &AppWindow, (st, email, password): &(sign_in::State, &str, &str), lang: Language) {
    let g = ui.global::<SignIn>();
    sign_in::render_into(&g, st, lang);
    g.set_email((*email).into());
    g.set_password((*password).into());
    g.set_terms_open(false);
}

fn location_page(ui: &AppWindow, (st, v): &(location::State, Visit), lang: Language) {
    let g = ui.global::<Location>();
    location::render_into(&g, st, v, lang);
    g.set_postal_code("90057".into());
}

fn procedures_page(ui: &AppWindow, (st, v): &(procedures::State, Visit), lang: Language) {
    let g = ui.global::<Procedures>();
    let forms = procedures::Forms::default();
    g.set_identity_fields(forms.identity.model());
    g.set_info_fields(forms.info.model());
    procedures::render_into(&g, &forms, st, v, lang);
    g.set_curp(if st.no_curp { "" } else { "GODE561231HDFRRN00" }.into());
}

fn applicant_page(ui: &AppWindow, (st, v): &(applicant::State, Visit), lang: Language) {
    let g = ui.global::<Applicant>();
    let rows = Rows::default();
    g.set_fields(rows.model());
    applicant::render_into(&g, &rows, st, v, lang);
}

fn register_page(ui: &AppWindow, (st, v): &(register::RegisterState, Visit), lang: Language) {
    let g = ui.global::<Register>();
    let rows = Rows::default();
    g.set_fields(rows.model());
    register::render_into(&g, &rows, st, v, lang);
}

/// Walks a whole visit against the demo's simulator.
pub(super) fn screens(
    engine: &SyncEngine,
    scanner: &kiosk_scan::DeviceUri,
    runtime: &tokio::runtime::Handle,
) -> anyhow::Result<Vec<Screen>> {
    let now = chrono::Utc::now();
    let client = engine.client().clone();
    let mut v = Visit::default();
    let catalogue = runtime.block_on(engine.catalogue())?;
    v.apply_catalogue(&catalogue);
    let mut screens = Vec::new();

    // Sign in as a visitor first sees it (what "Reservar una cita" opens), then filled in with
    // the terms not yet accepted.
    let refused = sign_in::State {
        error: kiosk_core::registration::check_sign_in(demo::DEMO_EMAIL, demo::DEMO_PASSWORD, false)
            .err()
            .map(crate::words::Msg::explain),
        ..sign_in::State::default()
    };
    let fresh = (sign_in::State::default(), "", "");
    screens.push(shot("sign-in", Page::SignIn, fresh, sign_in_page));
    let filled = (refused.clone(), demo::DEMO_EMAIL, demo::DEMO_PASSWORD);
    screens.push(shot("sign-in-refused", Page::SignIn, filled, sign_in_page));
    screens.push(shot("sign-in-terms", Page::SignIn, refused, |ui, st, lang| {
        let g = ui.global::<SignIn>();
        sign_in::render_into(&g, st, lang);
        g.set_terms_open(true);
    }));
    let auth = runtime.block_on(client.llave_start())?;
    screens.push(Screen::new("llave-mx", Page::Llave).with(move |ui, _| {
        let l = ui.global::<Llave>();
        let target = auth
            .verification_uri_complete
            .as_deref()
            .unwrap_or(&auth.verification_uri);
        if let Some(qr) = crate::screens::llave::qr_image(target, 8) {
            l.set_qr(qr);
        }
        l.set_user_code(auth.user_code.as_str().into());
        l.set_address(auth.verification_uri.as_str().into());
        l.set_seconds_left(287);
        l.set_state(LlaveState::Waiting);
    }));
    let mut reg = register::RegisterState::default();
    for (k, value) in [
        ("procedures_for", "self"),
        ("country", "US"),
        ("default_office", "LAX"),
        ("given_names", "Ana"),
        ("email", "ana@"),
        ("password", "consulado2026"),
    ] {
        register::edit(&mut reg, k, value);
    }
    let _ = register::check(&mut reg, &v);
    screens.push(shot("create-account", Page::Register, (reg, v.clone()), register_page));
    let sent = register::RegisterState {
        sent_to: Some("ana.nunez@example.com".into()),
        ..register::RegisterState::default()
    };
    screens.push(shot(
        "create-account-sent",
        Page::Register,
        (sent, v.clone()),
        register_page,
    ));
    screens.push(shot(
        "keyboard-email",
        Page::SignIn,
        sign_in::State::default(),
        |ui, st, lang| {
            sign_in::render_into(&ui.global::<SignIn>(), st, lang);
            keyboard(
                ui,
                KeyboardLayout::Email,
                lang.pick("Correo electrónico", "E-mail"),
                "visitante@exa",
                false,
            );
        },
    ));
    let account = runtime.block_on(client.sign_in(demo::DEMO_EMAIL, demo::DEMO_PASSWORD))?;
    v.signed_in(account, kiosk_core::email::Email::parse(demo::DEMO_EMAIL)?, &catalogue);

    // 1 Location.
    let mut loc = location::State {
        country: "US".into(),
        ..location::State::default()
    };
    let near = runtime.block_on(client.offices_near("US", "90057")).map(|n| n.offices);
    location::search_result(&mut loc, near);
    location::choose_office(&mut loc, &mut v, "LAX");
    screens.push(shot("location", Page::Location, (loc, v.clone()), location_page));
    anyhow::ensure!(v.next(now).is_ok(), "step 1 of the screenshot visit");

    // 2 Type of procedure: with a CURP, the passport's form, and the no-CURP path.
    let mut step2 = procedures::State::default();
    let curp = runtime.block_on(client.curp("GODE561231HDFRRN00"));
    procedures::curp_found(&mut step2, &mut v, curp);
    procedures::toggle_procedure(&mut step2, &mut v, "passport");
    procedures::toggle_procedure(&mut step2, &mut v, "voter_credential");
    screens.push(shot(
        "procedures",
        Page::Procedures,
        (step2.clone(), v.clone()),
        procedures_page,
    ));
    procedures::open_info(&mut step2, &v, "passport");
    procedures::edit_info(&mut step2, "passport_kind", "renewal");
    screens.push(shot(
        "procedure-information",
        Page::Procedures,
        (step2.clone(), v.clone()),
        procedures_page,
    ));
    procedures::edit_info(&mut step2, "passport_validity", "6");
    let today = v.office_today(now);
    procedures::info_done(&mut step2, &mut v, today);
    let (mut no_curp, mut no_curp_visit) = (step2.clone(), v.clone());
    procedures::set_no_curp(&mut no_curp, &mut no_curp_visit, true);
    procedures::identity_edited(&mut no_curp, &mut no_curp_visit, "given_names", "Jane");
    procedures::identity_edited(&mut no_curp, &mut no_curp_visit, "birth_date", "14/02/1985");
    if let Err(stopped) = no_curp_visit.next(now) {
        no_curp.identity_errors = stopped.fields;
        no_curp.frame.errors = Some(stopped.msg);
    }
    screens.push(shot(
        "procedures-no-curp",
        Page::Procedures,
        (no_curp, no_curp_visit),
        procedures_page,
    ));
    anyhow::ensure!(v.next(now).is_ok(), "step 2 of the screenshot visit");

    // 3 Applicant, first with mistakes.
    let mut step3 = applicant::State::default();
    applicant::edited(&mut step3, &mut v, "birth_city", "Ciudad de México");
    applicant::edited(&mut step3, &mut v, "postal_code", "9005");
    if let Err(stopped) = v.next(now) {
        step3.errors = stopped.fields;
        step3.frame.errors = Some(stopped.msg);
    }
    screens.push(shot(
        "applicant",
        Page::Applicant,
        (step3.clone(), v.clone()),
        applicant_page,
    ));
    screens.push(
        shot(
            "keyboard-letters",
            Page::Applicant,
            (step3.clone(), v.clone()),
            applicant_page,
        )
        .with(|ui, lang| {
            keyboard(
                ui,
                KeyboardLayout::Letters,
                lang.pick("Ciudad", "City"),
                "Los Ángeles",
                true,
            );
        }),
    );
    screens.push(
        shot(
            "keyboard-phone",
            Page::Applicant,
            (step3.clone(), v.clone()),
            applicant_page,
        )
        .with(|ui, lang| {
            keyboard(
                ui,
                KeyboardLayout::Phone,
                lang.pick("Teléfono de emergencia", "Emergency phone"),
                "(213) 351-",
                false,
            );
        }),
    );
    for (k, value) in [
        ("marital_status", "married"),
        ("postal_code", "90057"),
        ("address_state", "California"),
        ("city", "Los Angeles"),
        ("street", "2401 W 6th St"),
        ("emergency_name", "María José Núñez Güemes"),
        ("emergency_phone", "(213) 351-6800"),
    ] {
        applicant::edited(&mut step3, &mut v, k, value);
    }
    anyhow::ensure!(v.next(now).is_ok(), "step 3 of the screenshot visit");

    // 4 Documents: one scanned, then all.
    let mut step4 = documents::State::default();
    let kinds = v.session.required_documents();
    for (i, kind) in kinds.iter().enumerate() {
        let outcome = runtime.block_on(documents::scan_and_upload(
            scanner.clone(),
            engine.clone(),
            *kind,
            false,
            Vec::new(),
            tokio_util::sync::CancellationToken::new(),
            |_| {},
        ));
        documents::scanned(&mut step4, &mut v, *kind, outcome);
        if i == 0 {
            screens.push(shot(
                "documents",
                Page::Documents,
                (step4.clone(), v.clone()),
                |ui, (st, v), lang| {
                    documents::render_into(&ui.global::<Documents>(), st, v, lang);
                },
            ));
        }
    }
    anyhow::ensure!(v.next(now).is_ok(), "step 4 of the screenshot visit");

    // 5 Date and time: the first free day, its first time, held.
    let mut step5 = date_time::State::default();
    let office = v.session.office().cloned().context("an office")?;
    let slots = runtime.block_on(engine.office_slots(&office, now));
    date_time::slots_loaded(&mut step5, &v, slots, now);
    let first = step5
        .slots
        .iter()
        .filter(|s| s.remaining > 0 && s.start > now)
        .min_by_key(|s| s.start)
        .cloned()
        .context("a free slot")?;
    date_time::choose_day(
        &mut step5,
        &kiosk_core::time::office_date(office.tz, first.start).to_string(),
    );
    let (slot, _) = date_time::choose_time(&mut step5, &mut v, &first.id.0, now).context("choosing the time")?;
    let hold = runtime.block_on(engine.hold(&slot.id.0));
    date_time::held(&mut step5, &mut v, &slot, hold);
    let calendar = |ui: &AppWindow, (st, v): &(date_time::State, Visit), lang: Language| {
        date_time::render_into(&ui.global::<Calendar>(), st, v, lang);
    };
    screens.push(shot("date-time", Page::DateTime, (step5.clone(), v.clone()), calendar));
    let mut idle = step5.clone();
    idle.frame.errors = None;
    screens.push(
        shot("inactivity-warning", Page::DateTime, (idle, v.clone()), calendar).with(|ui, _| {
            ui.global::<Kiosk>().set_idle_warning(true);
            ui.global::<Kiosk>().set_idle_seconds_left(27);
        }),
    );

    // The review before Confirm.
    let mut review = step5.clone();
    date_time::review(&mut review, &v, now);
    anyhow::ensure!(
        review.reviewing,
        "the screenshot visit cannot be reviewed: {:?}",
        review.frame.errors
    );
    screens.push(shot("date-time-review", Page::DateTime, (review, v.clone()), calendar));

    // Confirmation, and the same visit kept while the network is down.
    let request = date_time::booking_request(&mut step5, &v, Language::Es, now).context("the booking request")?;
    let mut pending = v.clone();
    let outcome = runtime.block_on(engine.confirm(&request, date_time::CONFIRM_PATIENCE));
    anyhow::ensure!(
        date_time::confirmed(&mut step5, &mut v, outcome),
        "the screenshot visit was not confirmed"
    );
    // Its ticket as the printer prints it.
    let Some(Outcome::Confirmed(b)) = &v.outcome else {
        anyhow::bail!("the screenshot visit was not confirmed");
    };
    let code = b.code.clone();
    let json = runtime
        .block_on(engine.with_store(move |s| s.print_jobs_for(&code)))?
        .into_iter()
        .find_map(|j| j.ticket)
        .context("the confirmation queued no ticket")?;
    let ticket: kiosk_core::ticket::Ticket = serde_json::from_str(&json)?;
    let p = kiosk_print::preview::ticket(&ticket, kiosk_print::Paper::MM80)?;
    let printed = TicketView {
        state: crate::ui::TicketState::Printed,
        preview: slint::Image::from_rgb8(crate::printing::preview_pixels(&p)),
    };
    screens.push(shot(
        "confirmation",
        Page::Confirmation,
        (Some(printed), v.clone()),
        |ui, (t, v), lang| {
            confirmation::render_into(&ui.global::<Confirmation>(), t.as_ref(), v, lang);
        },
    ));
    // The same visit while the network is down: its slip as the printer prints it.
    pending.outcome = Some(Outcome::Pending(Some(kiosk_core::slip::RequestReference::of_key(
        "3f2a91c0-5b7e-4d21-9a8f-0c1d2e3f4a5b",
    )?)));
    let slip = confirmation::pending_slip(&pending, Language::Es).context("the pending visit's slip")?;
    let p = kiosk_print::preview::printout(&kiosk_print::Printout::Slip(slip), kiosk_print::Paper::MM80)?;
    let slip = TicketView {
        state: crate::ui::TicketState::Printed,
        preview: slint::Image::from_rgb8(crate::printing::preview_pixels(&p)),
    };
    screens.push(shot(
        "confirmation-pending",
        Page::Confirmation,
        (Some(slip), pending),
        |ui, (t, v), lang| {
            confirmation::render_into(&ui.global::<Confirmation>(), t.as_ref(), v, lang);
        },
    ));
    // My procedures, with the appointment just booked for the account.
    let token = v.account.as_ref().map(|a| a.token.clone()).context("signed in")?;
    let mine = runtime.block_on(engine.my_bookings(&token))?;
    let mut home = Visit::default();
    home.apply_catalogue(&catalogue);
    home.account.clone_from(&v.account);
    home.my_bookings = Some(Ok(mine));
    screens.push(shot("my-procedures", Page::MyProcedures, home, |ui, v, lang| {
        my_procedures::render_into(&ui.global::<MyProcedures>(), v, lang);
    }));
    Ok(screens)
}
