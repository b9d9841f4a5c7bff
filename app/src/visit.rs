//! A new appointment: sign-in, the five steps and the confirmation.
//!
//! The [`Session`] of `kiosk-core` holds every rule; this module turns the visitor's touches
//! into session calls and server calls, and renders the session back into the `Visit` and
//! `SignIn` globals. Every text shown is rendered from kept values (errors as values, not as
//! strings), so the language switch re-renders the running screen without losing input.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::rc::Rc;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use kiosk_core::applicant::{ApplicantDraft, CurpRecord, IdentityDraft, InfoDraft, MaritalStatus, NoCurpDraft};
use kiosk_core::calendar;
use kiosk_core::catalogue::{DocumentKind, InfoField, Procedure, ProcedureGroup};
use kiosk_core::country::CountryCode;
use kiosk_core::curp::{BirthState, Curp, MexicanState, Sex};
use kiosk_core::email::Email;
use kiosk_core::form::{Field, FieldError};
use kiosk_core::name::PersonName;
use kiosk_core::office::{Hold, Office, Slot, SlotId};
use kiosk_core::postal::PostalCode;
use kiosk_core::session::{Document, Session, SessionError, Step, StepError, StepErrors};
use kiosk_core::time::{AppointmentTime, date_label};
use kiosk_core::{Explain, Language};
use kiosk_scan::escl::ScanOptions;
use kiosk_scan::{Budget, DeviceUri, ScanError, ScannedPage, Thumbnail};
use kiosk_sync::api::ProblemKind;
use kiosk_sync::api::{AccountSession, Booking, Catalogue, CatalogueOffice, NearOffice};
use kiosk_sync::{ConfirmOutcome, EngineError, SyncEngine};
use slint::{ComponentHandle, Model, ModelRc, SharedString, VecModel};

use crate::ui::{
    AppWindow, Choice, DayCell, DocumentRow, FieldKind, FormField, OfficeCard, Page, ProcedureCard, Register, SignIn,
    Visit,
};

/// How long a confirmation is tried before the visitor is told it waits in the outbox.
const CONFIRM_PATIENCE: Duration = Duration::from_secs(12);
/// How long a document upload is retried in place.
const UPLOAD_PATIENCE: Duration = Duration::from_secs(15);

/// A message for the visitor, kept as a value and worded at render time in their language.
#[derive(Clone)]
pub struct Msg(Rc<dyn Fn(Language) -> String>);

impl Msg {
    pub fn new(f: impl Fn(Language) -> String + 'static) -> Msg {
        Msg(Rc::new(f))
    }

    pub fn words(es: &'static str, en: &'static str) -> Msg {
        Msg::new(move |l| l.pick(es, en).to_owned())
    }

    pub fn explain(e: impl Explain + 'static) -> Msg {
        Msg::new(move |l| e.explain(l))
    }

    pub fn text(&self, lang: Language) -> String {
        (self.0)(lang)
    }
}

impl fmt::Debug for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Language::En))
    }
}

fn unreachable_msg() -> Msg {
    Msg::words(
        "No podemos comunicarnos con el sistema de citas en este momento. Intente de nuevo en unos minutos o pida ayuda al personal.",
        "We cannot reach the appointment system right now. Try again in a few minutes or ask the staff.",
    )
}

/// Where the confirmation ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    Confirmed(Booking),
    /// Waiting in the outbox: not confirmed.
    Pending,
}

/// Everything of one visit that is not in the [`Session`] itself.
#[derive(Debug, Default, Clone)]
pub struct VisitState {
    /// Bumped when a visit ends: answers that arrive for an older visit are dropped.
    pub generation: u64,
    pub session: Session,
    pub account: Option<AccountSession>,
    /// The account's appointments, for "My procedures" (`None` until the server answered).
    pub my_bookings: Option<Result<Vec<Booking>, ()>>,
    /// A Llave MX sign-in in progress: its cancel switch and when its code expires.
    pub llave: Option<(tokio_util::sync::CancellationToken, std::time::Instant)>,
    pub offices: Vec<CatalogueOffice>,
    pub countries: Vec<(String, String, String)>,
    pub sign_in_error: Option<Msg>,
    pub register: crate::register::RegisterState,
    pub errors: Option<Msg>,
    pub notice: Option<Msg>,
    pub busy: bool,
    // step 1
    pub near: Vec<NearOffice>,
    pub search_msg: Option<Msg>,
    // step 2
    pub curp_record: Option<CurpRecord>,
    pub curp_error: Option<Msg>,
    pub no_curp: bool,
    pub no_curp_draft: NoCurpDraft,
    pub identity_errors: Vec<FieldError>,
    pub info_open: Option<Procedure>,
    pub info_draft: InfoDraft,
    pub info_errors: Vec<FieldError>,
    // step 3
    pub applicant: ApplicantDraft,
    pub applicant_errors: Vec<FieldError>,
    // step 4
    /// The pages scanned for each document (kept so "Add a page" can rebuild its PDF) and
    /// their thumbnails. Personal data: gone with the visit.
    pub scans: BTreeMap<DocumentKind, Scanned>,
    /// The scan in progress.
    pub scanning: Option<Scanning>,
    /// Documents the visitor wants in colour (a photo ID); grayscale otherwise.
    pub color: BTreeSet<DocumentKind>,
    /// What the scanner said when last asked: ready, or why not.
    pub scanner: Option<Result<(), ScanError>>,
    // step 5
    pub month: Option<(i32, u32)>,
    /// Whether `slots` holds the office's availability yet (the calendar shows nothing before).
    pub slots_loaded: bool,
    pub slots: Vec<Slot>,
    pub day: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    /// The confirmation's printed ticket (no personal data on it): where it is, its picture.
    pub ticket: Option<TicketView>,
}

/// A visitor's ticket on screen.
#[derive(Debug, Clone, Default)]
pub struct TicketView {
    pub state: crate::ui::TicketState,
    pub preview: slint::Image,
}

impl VisitState {
    fn office(&self) -> Option<&CatalogueOffice> {
        let id = self.session.office().map(|o| o.id.0.as_str())?;
        self.offices.iter().find(|o| o.id == id)
    }
}

/// The form models, kept across renders so a field being typed in is never rebuilt.
#[derive(Clone)]
pub struct Forms {
    identity: Rc<VecModel<FormField>>,
    info: Rc<VecModel<FormField>>,
    applicant: Rc<VecModel<FormField>>,
    register: Rc<VecModel<FormField>>,
}

impl fmt::Debug for Forms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Forms").finish_non_exhaustive()
    }
}

impl Forms {
    pub fn install(ui: &AppWindow) -> Forms {
        let forms = Forms {
            identity: Rc::new(VecModel::default()),
            info: Rc::new(VecModel::default()),
            applicant: Rc::new(VecModel::default()),
            register: Rc::new(VecModel::default()),
        };
        let v = ui.global::<Visit>();
        v.set_identity_fields(ModelRc::from(forms.identity.clone()));
        v.set_info_fields(ModelRc::from(forms.info.clone()));
        v.set_applicant_fields(ModelRc::from(forms.applicant.clone()));
        ui.global::<Register>()
            .set_fields(ModelRc::from(forms.register.clone()));
        forms
    }
}

/// Replaces a model's rows, row by row when the shape is unchanged, so the elements (and the
/// focus and cursor of a field being typed in) stay.
fn sync_rows<T: Clone + PartialEq + 'static>(model: &VecModel<T>, rows: Vec<T>) {
    if model.row_count() == rows.len() {
        for (i, row) in rows.into_iter().enumerate() {
            if model.row_data(i).as_ref() != Some(&row) {
                model.set_row_data(i, row);
            }
        }
    } else {
        model.set_vec(rows);
    }
}

fn model<T: Clone + 'static>(rows: Vec<T>) -> ModelRc<T> {
    ModelRc::from(Rc::new(VecModel::from(rows)))
}

fn s(text: impl AsRef<str>) -> SharedString {
    SharedString::from(text.as_ref())
}

pub(crate) fn choice(id: impl AsRef<str>, label: impl AsRef<str>) -> Choice {
    Choice {
        id: s(id),
        label: s(label),
    }
}

pub(crate) fn choices(list: Vec<Choice>) -> ModelRc<Choice> {
    model(list)
}

// ---- forms -------------------------------------------------------------------------------

pub(crate) fn field(key: &str, label: &str, value: &str, kind: FieldKind) -> FormField {
    FormField {
        key: s(key),
        label: s(label),
        hint: SharedString::new(),
        value: s(value),
        error: SharedString::new(),
        kind,
        choices: choices(Vec::new()),
    }
}

pub(crate) fn with_error(mut f: FormField, errors: &[FieldError], which: Field, lang: Language) -> FormField {
    if let Some(e) = errors.iter().find(|e| e.field == which) {
        f.error = s(e.problem.explain(lang));
    }
    f
}

fn date_hint(lang: Language) -> String {
    lang.pick(
        "Escriba la fecha como AAAA-MM-DD, por ejemplo 1990-05-21.",
        "Write the date as YYYY-MM-DD, for example 1990-05-21.",
    )
    .to_owned()
}

fn country_choices(st: &VisitState, lang: Language) -> Vec<Choice> {
    st.countries
        .iter()
        .map(|(code, es, en)| choice(code, lang.pick(es, en)))
        .collect()
}

fn identity_rows(st: &VisitState, lang: Language) -> Vec<FormField> {
    let d = &st.no_curp_draft;
    let e = &st.identity_errors;
    let mut birth = field(
        "birth_date",
        Field::BirthDate.label(lang),
        &d.birth_date,
        FieldKind::Date,
    );
    birth.hint = s(date_hint(lang));
    let mut sex = field(
        "sex",
        Field::Sex.label(lang),
        d.sex.map_or("", |x| sex_id(x)),
        FieldKind::Choice,
    );
    sex.choices = choices(
        [Sex::Female, Sex::Male, Sex::NonBinary]
            .into_iter()
            .map(|x| choice(sex_id(x), x.label(lang)))
            .collect(),
    );
    let mut nationality = field(
        "nationality",
        Field::Nationality.label(lang),
        &d.nationality,
        FieldKind::Choice,
    );
    nationality.choices = choices(country_choices(st, lang));
    vec![
        with_error(
            field(
                "given_names",
                Field::GivenNames.label(lang),
                &d.given_names,
                FieldKind::Text,
            ),
            e,
            Field::GivenNames,
            lang,
        ),
        with_error(
            field(
                "first_last_name",
                Field::FirstLastName.label(lang),
                &d.first_last_name,
                FieldKind::Text,
            ),
            e,
            Field::FirstLastName,
            lang,
        ),
        with_error(
            field(
                "second_last_name",
                Field::SecondLastName.label(lang),
                &d.second_last_name,
                FieldKind::Text,
            ),
            e,
            Field::SecondLastName,
            lang,
        ),
        with_error(birth, e, Field::BirthDate, lang),
        with_error(sex, e, Field::Sex, lang),
        with_error(nationality, e, Field::Nationality, lang),
    ]
}

fn sex_id(x: Sex) -> &'static str {
    match x {
        Sex::Male => "H",
        Sex::Female => "M",
        Sex::NonBinary => "X",
    }
}

fn info_key(f: InfoField) -> String {
    serde_json::to_value(f)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn info_rows(st: &VisitState, lang: Language) -> Vec<FormField> {
    let Some(p) = st.info_open else { return Vec::new() };
    p.info_fields()
        .iter()
        .map(|&f| {
            let label = f.label(p, lang);
            let value = st.info_draft.get(f);
            let mut row = match f {
                InfoField::PassportKind => {
                    let mut r = field(&info_key(f), label, value, FieldKind::Choice);
                    r.choices = choices(
                        kiosk_core::applicant::PassportKind::ALL
                            .into_iter()
                            .map(|k| choice(k.id(), k.label(lang)))
                            .collect(),
                    );
                    r
                }
                InfoField::PassportValidity => {
                    let mut r = field(&info_key(f), label, value, FieldKind::Choice);
                    r.choices = choices(
                        kiosk_core::applicant::PASSPORT_VALIDITIES
                            .into_iter()
                            .map(|y| choice(y.to_string(), format!("{y} {}", lang.pick("años", "years"))))
                            .collect(),
                    );
                    r
                }
                InfoField::EventDate => {
                    let mut r = field(&info_key(f), label, value, FieldKind::Date);
                    r.hint = s(date_hint(lang));
                    r
                }
                InfoField::PersonName | InfoField::OtherPersonName | InfoField::EventPlace => {
                    field(&info_key(f), label, value, FieldKind::Text)
                }
            };
            row = with_error(row, &st.info_errors, Field::Info(p, f), lang);
            row
        })
        .collect()
}

fn applicant_rows(st: &VisitState, lang: Language) -> Vec<FormField> {
    let d = &st.applicant;
    let e = &st.applicant_errors;
    let countries = country_choices(st, lang);
    let mut rows = Vec::new();
    let mut birth_country = field(
        "birth_country",
        Field::BirthCountry.label(lang),
        &d.birth_country,
        FieldKind::Choice,
    );
    birth_country.choices = choices(countries.clone());
    rows.push(with_error(birth_country, e, Field::BirthCountry, lang));
    if d.birth_country == "MX" {
        let mut state = field(
            "birth_state",
            Field::BirthState.label(lang),
            d.birth_state.map_or("", MexicanState::code),
            FieldKind::Choice,
        );
        state.choices = choices(
            MexicanState::ALL
                .into_iter()
                .map(|m| choice(m.code(), m.name()))
                .collect(),
        );
        rows.push(with_error(state, e, Field::BirthState, lang));
    }
    rows.push(with_error(
        field(
            "birth_city",
            Field::BirthCity.label(lang),
            &d.birth_city,
            FieldKind::Text,
        ),
        e,
        Field::BirthCity,
        lang,
    ));
    let mut marital = field(
        "marital_status",
        Field::MaritalStatus.label(lang),
        d.marital_status.map_or("", marital_id),
        FieldKind::Choice,
    );
    marital.choices = choices(
        MaritalStatus::ALL
            .into_iter()
            .map(|m| choice(marital_id(m), m.label(lang)))
            .collect(),
    );
    rows.push(with_error(marital, e, Field::MaritalStatus, lang));
    let mut address_country = field(
        "address_country",
        Field::AddressCountry.label(lang),
        &d.address_country,
        FieldKind::Choice,
    );
    address_country.choices = choices(countries);
    rows.push(with_error(address_country, e, Field::AddressCountry, lang));
    for (key, f, value, kind) in [
        ("postal_code", Field::PostalCode, &d.postal_code, FieldKind::Number),
        ("address_state", Field::AddressState, &d.address_state, FieldKind::Text),
        ("city", Field::City, &d.city, FieldKind::Text),
        ("street", Field::Street, &d.street, FieldKind::Text),
        (
            "emergency_name",
            Field::EmergencyName,
            &d.emergency_name,
            FieldKind::Text,
        ),
        (
            "emergency_phone",
            Field::EmergencyPhone,
            &d.emergency_phone,
            FieldKind::Phone,
        ),
    ] {
        rows.push(with_error(field(key, f.label(lang), value, kind), e, f, lang));
    }
    rows
}

fn marital_id(m: MaritalStatus) -> &'static str {
    match m {
        MaritalStatus::Single => "single",
        MaritalStatus::Married => "married",
        MaritalStatus::CommonLaw => "common_law",
        MaritalStatus::Divorced => "divorced",
        MaritalStatus::Separated => "separated",
        MaritalStatus::Widowed => "widowed",
    }
}

/// Applies one edit of step 3's form to the draft.
pub fn edit_applicant(d: &mut ApplicantDraft, key: &str, value: &str) {
    let v = value.to_owned();
    match key {
        "birth_country" => d.birth_country = v,
        "birth_state" => d.birth_state = MexicanState::from_code(value),
        "birth_city" => d.birth_city = v,
        "marital_status" => d.marital_status = MaritalStatus::ALL.into_iter().find(|m| marital_id(*m) == value),
        "address_country" => d.address_country = v,
        "postal_code" => d.postal_code = v,
        "address_state" => d.address_state = v,
        "city" => d.city = v,
        "street" => d.street = v,
        "emergency_name" => d.emergency_name = v,
        "emergency_phone" => d.emergency_phone = v,
        other => tracing::warn!(field = other, "edit of an unknown applicant field"),
    }
}

/// Applies one edit of the no-CURP form to the draft.
pub fn edit_identity(d: &mut NoCurpDraft, key: &str, value: &str) {
    let v = value.to_owned();
    match key {
        "given_names" => d.given_names = v,
        "first_last_name" => d.first_last_name = v,
        "second_last_name" => d.second_last_name = v,
        "birth_date" => d.birth_date = v,
        "sex" => {
            d.sex = [Sex::Female, Sex::Male, Sex::NonBinary]
                .into_iter()
                .find(|x| sex_id(*x) == value);
        }
        "nationality" => d.nationality = v,
        other => tracing::warn!(field = other, "edit of an unknown identity field"),
    }
}

// ---- rendering ---------------------------------------------------------------------------

pub fn page_of(step: Step) -> Page {
    match step {
        Step::Location => Page::Location,
        Step::Procedures => Page::Procedures,
        Step::Applicant => Page::Applicant,
        Step::Documents => Page::Documents,
        Step::DateTime => Page::DateTime,
    }
}

fn office_card(st: &VisitState, near: &NearOffice, lang: Language) -> Option<OfficeCard> {
    let o = st.offices.iter().find(|o| o.id == near.office_id)?;
    let tz = chrono_tz::Tz::from_str(&o.tz).ok()?;
    let next = near.next_available.map_or_else(
        || {
            lang.pick("Sin citas disponibles por ahora", "No appointments available for now")
                .to_owned()
        },
        |at| {
            let at = AppointmentTime::new(at, tz);
            format!("{} {}", lang.pick("Próxima cita:", "Next appointment:"), at.label(lang))
        },
    );
    let procedures: Vec<&str> = o
        .procedures
        .iter()
        .filter_map(|p| Procedure::from_id(p))
        .map(|p| p.label(lang))
        .collect();
    Some(OfficeCard {
        id: s(&o.id),
        name: s(&o.name),
        address: s(format!("{}, {}, {} {}", o.address, o.city, o.state, o.postal_code)),
        phone: s(o
            .phone
            .as_deref()
            .map_or(String::new(), |p| format!("{} {p}", lang.pick("Teléfono:", "Phone:")))),
        next_available: s(next),
        distance: s(near.distance_km.map_or(String::new(), |km| match lang {
            Language::Es => format!("A {km:.0} km"),
            Language::En => format!("{:.0} miles away ({km:.0} km)", km / 1.609),
        })),
        procedures: s(procedures.join(" · ")),
        chosen: st.session.office().is_some_and(|c| c.id.0 == o.id),
    })
}

fn procedure_cards(st: &VisitState, lang: Language, today: NaiveDate) -> Vec<ProcedureCard> {
    let Some(office) = st.session.office() else {
        return Vec::new();
    };
    let mut cards = Vec::new();
    for group in ProcedureGroup::ALL {
        for p in Procedure::ALL
            .into_iter()
            .filter(|p| p.group() == group && office.procedures.contains(p))
        {
            let chosen = st.session.procedures().iter().any(|c| c.procedure == p);
            cards.push(ProcedureCard {
                id: s(p.id()),
                label: s(p.label(lang)),
                group: s(group.label(lang)),
                chosen,
                needs_info: p.needs_information(),
                info_complete: chosen && st.session.procedure_complete(p, today),
            });
        }
    }
    cards
}

fn document_rows(st: &VisitState, lang: Language) -> Vec<DocumentRow> {
    st.session
        .required_documents()
        .into_iter()
        .map(|kind| {
            let doc = st.session.documents().get(&kind);
            let scanning = st.scanning.as_ref().filter(|sc| sc.kind == kind);
            let thumbnails = st.scans.get(&kind).map(|sc| sc.thumbnails.clone()).unwrap_or_default();
            DocumentRow {
                kind: s(kind_id(kind)),
                label: s(kind.label(lang)),
                attached: doc.is_some(),
                scanning: scanning.is_some(),
                progress: s(scanning.map_or(String::new(), |sc| match (lang, sc.pages) {
                    (Language::Es, 0) => "Escaneando…".to_owned(),
                    (Language::En, 0) => "Scanning…".to_owned(),
                    (Language::Es, n) => format!("Escaneando… {n} página(s) recibida(s)"),
                    (Language::En, n) => format!("Scanning… {n} page(s) received"),
                })),
                color: st.color.contains(&kind),
                pages: model(thumbnails),
                summary: s(doc.map_or(String::new(), |d| {
                    let kb = d.bytes.div_ceil(1000);
                    match lang {
                        Language::Es => format!("Listo: {} página(s), {kb} KB", d.pages),
                        Language::En => format!("Done: {} page(s), {kb} KB", d.pages),
                    }
                })),
            }
        })
        .collect()
}

pub fn kind_id(kind: DocumentKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn calendar_view(ui: &AppWindow, st: &VisitState, lang: Language, now: DateTime<Utc>) {
    let v = ui.global::<Visit>();
    let Some(office) = st.session.office() else { return };
    if !st.slots_loaded {
        v.set_days(model(Vec::new()));
        v.set_month_label(SharedString::new());
        return;
    }
    let today = kiosk_core::time::office_date(office.tz, now);
    let (y, m) = st.month.unwrap_or((today.year(), today.month()));
    let Some(month) = calendar::month(office, y, m, &st.slots, now) else {
        return;
    };
    v.set_month_label(s(month.label(lang)));
    {
        use kiosk_core::availability::Availability as A;
        v.set_legend(model(
            [A::High, A::Medium, A::Low, A::Full]
                .into_iter()
                .map(|a| s(a.label(lang)))
                .collect(),
        ));
    }
    v.set_leading_blanks(i32::try_from(month.leading_blanks).unwrap_or(0));
    v.set_can_go_earlier((y, m) > (today.year(), today.month()));
    v.set_days(model(
        month
            .days
            .iter()
            .map(|d| DayCell {
                date: s(d.date.to_string()),
                day: i32::try_from(d.date.day()).unwrap_or(0),
                label: s(d.level.short_label(lang)),
                long_label: s(d.level.label(lang)),
                level: match d.level {
                    kiosk_core::availability::Availability::High => 4,
                    kiosk_core::availability::Availability::Medium => 3,
                    kiosk_core::availability::Availability::Low => 2,
                    kiosk_core::availability::Availability::Full => 1,
                    kiosk_core::availability::Availability::Closed => 0,
                },
                selectable: d.is_selectable(),
                selected: st.day == Some(d.date),
            })
            .collect(),
    ));
    if let Some(day) = st.day {
        {
            v.set_day_label(s(date_label(day, lang)));
            let times = calendar::free_times(office, day, &st.slots, now);
            v.set_times(choices(
                times
                    .iter()
                    .map(|slot| choice(&slot.id.0, AppointmentTime::new(slot.start, office.tz).time_label(lang)))
                    .collect(),
            ));
        }
    } else {
        v.set_day_label(SharedString::new());
        v.set_times(choices(Vec::new()));
    }
    v.set_chosen_time(s(st.session.slot().map_or("", |sl| sl.id.0.as_str())));
    v.set_hold_text(s(hold_text(st, lang, now)));
}

fn hold_text(st: &VisitState, lang: Language, now: DateTime<Utc>) -> String {
    let (Some(slot), Some(hold), Some(office)) = (st.session.slot(), st.session.hold(), st.session.office()) else {
        return String::new();
    };
    let left = hold.seconds_left(now);
    let at = AppointmentTime::new(slot.start, office.tz).label(lang);
    match lang {
        Language::Es => format!(
            "Apartamos para usted: {at}. Confirme en {}:{:02} min.",
            left / 60,
            left % 60
        ),
        Language::En => format!("Held for you: {at}. Confirm within {}:{:02} min.", left / 60, left % 60),
    }
}

/// Pushes the whole visit to the screen in the visitor's language.
pub fn render(ui: &AppWindow, st: &VisitState, forms: &Forms, lang: Language) {
    let now = Utc::now();
    let today = st
        .session
        .office_tz()
        .map_or_else(|| now.date_naive(), |tz| now.with_timezone(&tz).date_naive());
    let si = ui.global::<SignIn>();
    si.set_error(s(st.sign_in_error.as_ref().map(|m| m.text(lang)).unwrap_or_default()));
    si.set_busy(st.busy);
    let r = ui.global::<Register>();
    sync_rows(&forms.register, crate::register::rows(st, lang));
    r.set_error(s(st.register.error.as_ref().map(|m| m.text(lang)).unwrap_or_default()));
    r.set_busy(st.busy);
    r.set_sent(st.register.sent_to.is_some());
    r.set_email(s(st.register.sent_to.as_deref().unwrap_or_default()));

    let v = ui.global::<Visit>();
    let step = st.session.step();
    v.set_step(i32::from(step.number()));
    v.set_step_title(s(step.label(lang)));
    v.set_errors(s(st.errors.as_ref().map(|m| m.text(lang)).unwrap_or_default()));
    v.set_busy(st.busy);
    v.set_notice(s(st.notice.as_ref().map(|m| m.text(lang)).unwrap_or_default()));
    v.set_countries(choices(country_choices(st, lang)));
    v.set_account_email(s(st.account.as_ref().map_or("", |a| a.email.as_str())));
    v.set_my_bookings(model(my_bookings(st, lang)));
    v.set_my_bookings_message(s(match &st.my_bookings {
        None => lang.pick("Buscando sus citas…", "Looking for your appointments…"),
        Some(Ok(b)) if b.is_empty() => lang.pick(
            "Aún no tiene citas. Toque «Iniciar trámite» para reservar una.",
            "You have no appointments yet. Touch \"Start procedure\" to book one.",
        ),
        Some(Ok(_)) => "",
        Some(Err(())) => lang.pick(
            "No pudimos consultar sus citas en este momento; puede reservar una nueva.",
            "We could not look up your appointments right now; you can book a new one.",
        ),
    }));
    v.set_search_message(s(st.search_msg.as_ref().map(|m| m.text(lang)).unwrap_or_default()));
    v.set_offices(model(st.near.iter().filter_map(|n| office_card(st, n, lang)).collect()));

    v.set_curp_owner(s(match st.session.identity() {
        IdentityDraft::Curp(r) => format!(
            "{} {} {} {}",
            lang.pick("CURP de:", "CURP of:"),
            r.given_names.as_str(),
            r.first_last_name.as_str(),
            r.second_last_name.as_ref().map_or("", PersonName::as_str)
        )
        .trim_end()
        .to_owned(),
        _ => String::new(),
    }));
    v.set_curp_error(s(st.curp_error.as_ref().map(|m| m.text(lang)).unwrap_or_default()));
    v.set_no_curp(st.no_curp);
    sync_rows(&forms.identity, identity_rows(st, lang));
    v.set_procedures(model(procedure_cards(st, lang, today)));
    v.set_info_procedure(s(st.info_open.map_or("", Procedure::id)));
    v.set_info_title(s(st.info_open.map_or(String::new(), |p| p.label(lang).to_owned())));
    sync_rows(&forms.info, info_rows(st, lang));
    sync_rows(&forms.applicant, applicant_rows(st, lang));
    v.set_documents(model(document_rows(st, lang)));
    let (line, ready) = scanner_line(st, lang);
    v.set_scanner_status(s(line));
    v.set_scanner_ready(ready);
    // The month is worked out from every cached slot: only when step 5 shows it, not on
    // every keystroke of the earlier steps.
    if st.session.step() == Step::DateTime {
        calendar_view(ui, st, lang, now);
    } else if !v.get_hold_text().is_empty() || v.get_days().row_count() > 0 {
        // A finished visit's calendar and hold leave with it.
        v.set_days(model(Vec::new()));
        v.set_times(choices(Vec::new()));
        v.set_day_label(SharedString::new());
        v.set_month_label(SharedString::new());
        v.set_hold_text(SharedString::new());
        v.set_chosen_time(SharedString::new());
    }

    let ticket = st.ticket.clone().unwrap_or_default();
    v.set_ticket(ticket.state);
    v.set_ticket_preview(ticket.preview);
    match &st.outcome {
        Some(Outcome::Confirmed(b)) => {
            v.set_pending(false);
            v.set_code(s(&b.code));
            let office = st.office();
            v.set_office(s(office.map_or(b.office_id.as_str(), |o| o.name.as_str())));
            v.set_address(s(office.map_or(String::new(), |o| {
                format!("{}, {}, {} {}", o.address, o.city, o.state, o.postal_code)
            })));
            let tz = st.session.office_tz();
            v.set_date(s(tz.map_or(String::new(), |tz| {
                AppointmentTime::new(b.start, tz).date_label(lang)
            })));
            v.set_time(s(tz.map_or(String::new(), |tz| {
                AppointmentTime::new(b.start, tz).time_label(lang)
            })));
            let procs: Vec<&str> = b
                .procedures
                .iter()
                .map(|p| Procedure::from_id(p).map_or(p.as_str(), |p| p.label(lang)))
                .collect();
            v.set_chosen_procedures(s(procs.join(" · ")));
            let mut bring: Vec<SharedString> = st
                .session
                .required_documents()
                .into_iter()
                .map(|k| s(k.label(lang)))
                .collect();
            bring.push(s(lang.pick(
                "Su código de cita (en pantalla, en su correo o en su boleto)",
                "Your appointment code (on screen, in your e-mail or on your ticket)",
            )));
            v.set_bring(model(bring));
        }
        Some(Outcome::Pending) => v.set_pending(true),
        None => {
            // Nothing of a finished visit stays behind for the next visitor.
            v.set_pending(false);
            for set in [
                Visit::set_code,
                Visit::set_office,
                Visit::set_address,
                Visit::set_date,
                Visit::set_time,
            ] {
                set(&v, SharedString::new());
            }
            v.set_chosen_procedures(SharedString::new());
            v.set_bring(model(Vec::new()));
        }
    }
}

// ---- actions -----------------------------------------------------------------------------

/// Loads the catalogue (offices, countries) from the store; called when a visit starts.
pub async fn load_catalogue(engine: &SyncEngine) -> Result<Catalogue, EngineError> {
    if let Some((_, body)) = engine.with_store(|s| s.catalogue()).await?
        && let Ok(c) = serde_json::from_str::<Catalogue>(&body)
    {
        return Ok(c);
    }
    engine.sync_catalogue(Utc::now()).await?;
    let body = engine.with_store(|s| s.catalogue()).await?;
    body.and_then(|(_, b)| serde_json::from_str::<Catalogue>(&b).ok())
        .ok_or_else(|| EngineError::Payload("the catalogue could not be read".into()))
}

pub fn apply_catalogue(st: &mut VisitState, c: &Catalogue) {
    st.offices.clone_from(&c.offices);
    st.countries = c
        .countries
        .iter()
        .filter_map(|v| {
            let code = v.get("code")?.as_str()?;
            code.parse::<CountryCode>().ok()?;
            Some((
                code.to_owned(),
                v.get("name_es")?.as_str()?.to_owned(),
                v.get("name_en")?.as_str()?.to_owned(),
            ))
        })
        .collect();
}

/// What the sign-in form lacks before asking the server.
pub fn check_sign_in(email: &str, password: &str, terms: bool) -> Result<Email, Msg> {
    kiosk_core::registration::check_sign_in(email, password, terms).map_err(Msg::explain)
}

pub fn sign_in_failed(e: &kiosk_sync::ApiError) -> Msg {
    match e.kind() {
        Some(ProblemKind::BadCredentials) => Msg::words(
            "El correo o la contraseña no son correctos. Revíselos e intente de nuevo.",
            "The e-mail or the password is not right. Check them and try again.",
        ),
        Some(ProblemKind::AccountNotConfirmed) => Msg::words(
            "Su cuenta aún no está activada: abra el correo que le enviamos y siga el enlace.",
            "Your account is not activated yet: open the e-mail we sent you and follow the link.",
        ),
        _ => unreachable_msg(),
    }
}

/// Checks the postal code before searching the offices near it.
pub fn check_search(country: &str, postal: &str) -> Result<(CountryCode, PostalCode), Msg> {
    let country = country
        .parse::<CountryCode>()
        .map_err(|_| Msg::words("Elija el país donde vive.", "Choose the country where you live."))?;
    let postal = PostalCode::parse(postal, country).map_err(Msg::explain)?;
    Ok((country, postal))
}

pub fn search_result(st: &mut VisitState, result: Result<Vec<NearOffice>, kiosk_sync::ApiError>) {
    match result {
        Ok(near) if near.is_empty() => {
            st.near.clear();
            st.search_msg = Some(Msg::words(
                "No hay consulados cerca de ese código postal. Revise el código o pida ayuda al personal.",
                "There are no consulates near that code. Check the code or ask the staff.",
            ));
        }
        Ok(near) => {
            st.search_msg = Some(Msg::words(
                "Toque la oficina consular donde quiere su cita.",
                "Touch the consular office where you want your appointment.",
            ));
            st.near = near;
        }
        Err(e) if e.kind().is_some() => {
            st.near.clear();
            st.search_msg = Some(Msg::words(
                "No reconocemos ese código postal. Revíselo e intente de nuevo.",
                "We do not recognise that postal code. Check it and try again.",
            ));
        }
        Err(_) => {
            st.near.clear();
            st.search_msg = Some(unreachable_msg());
        }
    }
}

pub fn choose_office(st: &mut VisitState, id: &str) {
    let Some(office) = st.offices.iter().find(|o| o.id == id).map(CatalogueOffice::office) else {
        return;
    };
    match office {
        Ok(office) => {
            let country = office.country.to_string();
            match st.session.choose_office(office) {
                Ok(()) => {
                    st.errors = None;
                    // Step 3's address starts in the office's country; born in Mexico unless changed.
                    st.applicant.address_country = country;
                }
                Err(e) => st.errors = Some(Msg::explain(e)),
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "the catalogue has an office the kiosk cannot read");
            st.errors = Some(Msg::words(
                "No podemos dar citas en esa oficina desde este quiosco. Elija otra o pida ayuda al personal.",
                "This kiosk cannot book that office. Choose another or ask the staff.",
            ));
        }
    }
}

/// The server's CURP record, checked like anything else the server sends.
pub fn curp_record(r: &kiosk_sync::api::CurpRecord) -> Option<CurpRecord> {
    Some(CurpRecord {
        curp: Curp::parse(&r.curp).ok()?,
        given_names: PersonName::parse(&r.given_names).ok()?,
        first_last_name: PersonName::parse(&r.first_last_name).ok()?,
        second_last_name: match r.second_last_name.as_deref() {
            None | Some("") => None,
            Some(n) => Some(PersonName::parse(n).ok()?),
        },
    })
}

pub fn curp_found(st: &mut VisitState, result: Result<kiosk_sync::api::CurpRecord, kiosk_sync::ApiError>) {
    let record = match result {
        Ok(r) => curp_record(&r),
        Err(e) if e.kind() == Some(ProblemKind::CurpNotFound) => {
            st.curp_error = Some(Msg::words(
                "RENAPO no tiene registrada esa CURP. Revísela, o elija «No tengo CURP» y escriba sus datos.",
                "RENAPO has no record of that CURP. Check it, or choose \"I do not have a CURP\" and type your data.",
            ));
            return;
        }
        Err(_) => {
            st.curp_error = Some(unreachable_msg());
            return;
        }
    };
    let Some(record) = record else {
        tracing::warn!("the server's CURP record did not validate");
        st.curp_error = Some(unreachable_msg());
        return;
    };
    // Step 3 starts from what the CURP says: born in Mexico, in its state.
    if let BirthState::Mexico(state) = record.curp.birth_state()
        && st.applicant.birth_country.is_empty()
    {
        st.applicant.birth_country = "MX".into();
        st.applicant.birth_state = Some(state);
    }
    st.curp_error = None;
    st.curp_record = Some(record.clone());
    if let Err(e) = st.session.set_curp_identity(record) {
        st.errors = Some(Msg::explain(e));
    }
}

pub fn set_no_curp(st: &mut VisitState, on: bool) {
    st.no_curp = on;
    let result = if on {
        st.session.set_no_curp_identity(st.no_curp_draft.clone())
    } else if let Some(r) = st.curp_record.clone() {
        st.session.set_curp_identity(r)
    } else {
        st.session.clear_identity()
    };
    if let Err(e) = result {
        st.errors = Some(Msg::explain(e));
    }
}

pub fn toggle_procedure(st: &mut VisitState, id: &str) {
    let Some(p) = Procedure::from_id(id) else { return };
    let chosen = st.session.procedures().iter().any(|c| c.procedure == p);
    let result = if chosen {
        if st.info_open == Some(p) {
            st.info_open = None;
        }
        st.session.remove_procedure(p)
    } else {
        st.session.add_procedure(p)
    };
    st.errors = result.err().map(Msg::explain);
}

pub fn open_info(st: &mut VisitState, id: &str) {
    let Some(p) = Procedure::from_id(id) else { return };
    st.info_draft = st
        .session
        .procedures()
        .iter()
        .find(|c| c.procedure == p)
        .map(|c| c.info.clone())
        .unwrap_or_default();
    st.info_errors.clear();
    st.info_open = Some(p);
}

pub fn edit_info(st: &mut VisitState, key: &str, value: &str) {
    let Some(p) = st.info_open else { return };
    if let Some(&f) = p.info_fields().iter().find(|f| info_key(**f) == key) {
        st.info_draft.set(f, value);
    }
}

pub fn info_done(st: &mut VisitState, today: NaiveDate) {
    let Some(p) = st.info_open else { return };
    match st.session.set_procedure_info(p, st.info_draft.clone(), today) {
        Ok(Ok(())) => {
            st.info_open = None;
            st.info_errors.clear();
        }
        Ok(Err(errors)) => st.info_errors = errors,
        Err(e) => st.errors = Some(Msg::explain(e)),
    }
}

/// Keeps the no-CURP draft in the session as typed.
pub fn identity_edited(st: &mut VisitState, key: &str, value: &str) {
    edit_identity(&mut st.no_curp_draft, key, value);
    if st.no_curp
        && let Err(e) = st.session.set_no_curp_identity(st.no_curp_draft.clone())
    {
        st.errors = Some(Msg::explain(e));
    }
}

pub fn applicant_edited(st: &mut VisitState, key: &str, value: &str) {
    edit_applicant(&mut st.applicant, key, value);
    if let Err(e) = st.session.set_applicant(st.applicant.clone()) {
        st.errors = Some(Msg::explain(e));
    }
}

/// Tries to leave the current step: the new step, or `None` with the reasons kept for the
/// screen (field errors next to their fields).
pub fn next(st: &mut VisitState, now: DateTime<Utc>) -> Option<Step> {
    if st.session.step() == Step::Applicant {
        // The draft is in the session already; this re-applies it should the step have been
        // entered without an edit.
        let _ = st.session.set_applicant(st.applicant.clone());
    }
    match st.session.next(now) {
        Ok(step) => {
            st.errors = None;
            st.identity_errors.clear();
            st.applicant_errors.clear();
            Some(step)
        }
        Err(SessionError::Incomplete(StepErrors(errors))) => {
            let fields: Vec<FieldError> = errors
                .iter()
                .filter_map(|e| match e {
                    StepError::Field(f) => Some(f.clone()),
                    _ => None,
                })
                .collect();
            match st.session.step() {
                Step::Procedures => st.identity_errors = fields,
                Step::Applicant => st.applicant_errors = fields,
                _ => {}
            }
            let others: Vec<StepError> = errors
                .into_iter()
                .filter(|e| !matches!(e, StepError::Field(_)))
                .collect();
            st.errors = Some(if others.is_empty() {
                Msg::words(
                    "Corrija los datos marcados en rojo para continuar.",
                    "Correct the data marked in red to continue.",
                )
            } else {
                Msg::explain(SessionError::Incomplete(StepErrors(others)))
            });
            None
        }
        Err(e) => {
            st.errors = Some(Msg::explain(e));
            None
        }
    }
}

/// A document's scanned pages and what the visitor sees of them.
#[derive(Debug, Clone, Default)]
pub struct Scanned {
    pub pages: Vec<ScannedPage>,
    pub thumbnails: Vec<slint::Image>,
}

/// A scan under way.
#[derive(Debug, Clone)]
pub struct Scanning {
    pub kind: DocumentKind,
    /// Pages received so far.
    pub pages: usize,
    pub cancel: tokio_util::sync::CancellationToken,
}

/// The resolution asked of the scanner: legible documents, and a page that fits the 1 MB
/// budget as the scanner sends it.
pub const SCAN_DPI: u32 = 200;
/// The longer side of a page's thumbnail on screen, in pixels.
const THUMBNAIL_SIDE: u32 = 220;

/// A document scanned, built and uploaded.
#[derive(Debug)]
pub struct ScanDone {
    pub pages: Vec<ScannedPage>,
    pub thumbnails: Vec<Thumbnail>,
    pub uploaded: Result<kiosk_sync::api::Document, EngineError>,
}

/// Scans `kind` on `device` (after the pages in `earlier`, for "Add a page"), builds its PDF
/// within Citas SRE's budget and uploads it. `on_page` hears of each page as it arrives.
pub async fn scan_document(
    device: DeviceUri,
    engine: SyncEngine,
    kind: DocumentKind,
    color: bool,
    earlier: Vec<ScannedPage>,
    cancel: tokio_util::sync::CancellationToken,
    on_page: impl FnMut(usize) + Send,
) -> Result<ScanDone, ScanError> {
    let scanner = device.connect().await?;
    let options = ScanOptions {
        color,
        dpi: SCAN_DPI,
        ..ScanOptions::default()
    };
    let fresh = scanner.scan(options, &cancel, on_page).await?;
    let mut pages = earlier;
    pages.extend(fresh);
    let (pages, pdf, thumbnails) = tokio::task::spawn_blocking(move || {
        let pdf = kiosk_scan::build(&pages, Budget::CITAS);
        let thumbnails: Vec<Thumbnail> = pages
            .iter()
            .filter_map(|p| kiosk_scan::thumbnail(p, THUMBNAIL_SIDE).ok())
            .collect();
        (pages, pdf, thumbnails)
    })
    .await
    .map_err(|e| ScanError::Protocol(format!("building the PDF: {e}")))?;
    let pdf = pdf?;
    let uploaded = engine.upload_document(kind, pdf.bytes.into(), upload_patience()).await;
    Ok(ScanDone {
        pages,
        thumbnails,
        uploaded,
    })
}

/// A scan's outcome into the visit: the pages and thumbnails kept, the document attached; or
/// the reason told (a cancelled scan says nothing: the visitor asked for it).
pub fn scanned(st: &mut VisitState, kind: DocumentKind, outcome: Result<ScanDone, ScanError>) {
    st.scanning = None;
    match outcome {
        Ok(done) => {
            let thumbnails = done
                .thumbnails
                .iter()
                .map(|t| {
                    slint::Image::from_rgb8(slint::SharedPixelBuffer::<slint::Rgb8Pixel>::clone_from_slice(
                        &t.rgb, t.width, t.height,
                    ))
                })
                .collect();
            let pages = u16::try_from(done.pages.len()).unwrap_or(u16::MAX);
            if done.uploaded.is_ok() {
                st.scans.insert(
                    kind,
                    Scanned {
                        pages: done.pages,
                        thumbnails,
                    },
                );
            }
            attach(st, kind, pages, done.uploaded);
            st.scanner = Some(Ok(()));
        }
        Err(ScanError::Cancelled) => {}
        Err(e) => {
            tracing::info!(error = %e, "scan");
            if matches!(e, ScanError::NoScanner | ScanError::Disconnected | ScanError::Busy) {
                st.scanner = Some(Err(e.clone()));
            }
            st.errors = Some(Msg::explain(e));
        }
    }
}

/// The line above the documents: whether the scanner is ready, or why not in the words the
/// scan itself would use.
fn scanner_line(st: &VisitState, lang: Language) -> (String, bool) {
    match &st.scanner {
        None => (
            lang.pick("Buscando el escáner…", "Looking for the scanner…").to_owned(),
            false,
        ),
        Some(Ok(())) => (lang.pick("Escáner listo.", "Scanner ready.").to_owned(), true),
        Some(Err(e)) => (e.explain(lang), false),
    }
}

/// Asks the scanner whether it is there and free (while the visitor is at step 4).
pub async fn scanner_status(device: DeviceUri) -> Result<(), ScanError> {
    device.readiness().await
}

pub fn attach(
    st: &mut VisitState,
    kind: DocumentKind,
    pages: u16,
    uploaded: Result<kiosk_sync::api::Document, EngineError>,
) {
    match uploaded {
        Ok(d) => {
            let doc = Document {
                id: d.id,
                pages,
                bytes: d.bytes,
            };
            st.errors = st.session.attach_document(kind, doc).err().map(Msg::explain);
        }
        Err(e) => {
            tracing::warn!(error = %e, "document upload");
            st.errors = Some(Msg::words(
                "No pudimos guardar el documento. Vuelva a escanearlo; si se repite, pida ayuda al personal.",
                "We could not save the document. Scan it again; if it happens again, ask the staff.",
            ));
        }
    }
}

pub fn parse_kind(st: &VisitState, id: &str) -> Option<DocumentKind> {
    st.session.required_documents().into_iter().find(|k| kind_id(*k) == id)
}

/// The slots of the chosen office from the kiosk's cache, as the rules need them.
pub async fn office_slots(engine: &SyncEngine, office: &Office) -> Result<Vec<Slot>, EngineError> {
    let now = Utc::now();
    // A fresh delta first, so the calendar is as current as the network allows; the cache
    // answers if the network does not.
    if let Err(e) = engine.sync_office(&office.id.0, now).await {
        tracing::warn!(error = %e, office = %office.id.0, "showing cached availability");
    }
    let id = office.id.0.clone();
    let (from, to) = calendar::horizon(now);
    let cached = engine.with_store(move |s| s.slots(&id, from, to)).await?;
    Ok(cached
        .into_iter()
        .map(|c| Slot {
            id: SlotId(c.id),
            office: office.id.clone(),
            start: c.start,
            minutes: c.minutes,
            capacity: c.capacity,
            remaining: c.remaining,
        })
        .collect())
}

/// Puts the calendar on the first month with a free day.
pub fn slots_loaded(st: &mut VisitState, slots: Result<Vec<Slot>, EngineError>, now: DateTime<Utc>) {
    match slots {
        Ok(slots) => {
            st.slots = slots;
            st.slots_loaded = true;
            if st.month.is_none()
                && let Some(office) = st.session.office()
            {
                st.month = calendar::first_free_month(office, &st.slots, now);
            }
            if calendar::all_full(&st.slots) {
                st.errors = Some(Msg::words(
                    "Esta oficina no tiene citas libres por ahora. Intente otro día o pida ayuda al personal.",
                    "This office has no free appointments for now. Try another day or ask the staff.",
                ));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "loading the calendar");
            st.errors = Some(unreachable_msg());
        }
    }
}

pub fn change_month(st: &mut VisitState, delta: i32, now: DateTime<Utc>) {
    let Some(office) = st.session.office() else { return };
    let today = kiosk_core::time::office_date(office.tz, now);
    let shown = st.month.unwrap_or((today.year(), today.month()));
    st.month = Some(calendar::step_month(today, shown, delta));
    st.day = None;
}

pub fn choose_day(st: &mut VisitState, date: &str) {
    st.day = NaiveDate::from_str(date).ok();
}

/// Picks a time: the session records it and says which holds to release.
pub fn choose_time(st: &mut VisitState, id: &str, now: DateTime<Utc>) -> Option<(Slot, Vec<Hold>)> {
    let slot = st.slots.iter().find(|s| s.id.0 == id)?.clone();
    match st.session.choose_slot(slot.clone(), now) {
        Ok(()) => {
            st.errors = None;
            Some((slot, st.session.take_released_holds()))
        }
        Err(e) => {
            st.errors = Some(Msg::explain(e));
            None
        }
    }
}

pub fn held(st: &mut VisitState, slot: &Slot, hold: Result<kiosk_sync::api::Hold, EngineError>) {
    match hold {
        Ok(h) => {
            let hold = Hold {
                id: h.id.as_str().into(),
                slot: h.slot_id.as_str().into(),
                expires_at: h.expires_at,
            };
            if let Err(e) = st.session.set_hold(hold) {
                st.errors = Some(Msg::explain(e));
            }
        }
        Err(EngineError::Api(e)) if e.kind().is_some() => {
            // Taken or full meanwhile: the place is no longer there.
            calendar::mark_full(&mut st.slots, &slot.id);
            st.errors = Some(slot_taken_msg());
        }
        Err(e) => {
            tracing::warn!(error = %e, "holding a slot");
            st.errors = Some(unreachable_msg());
        }
    }
}

fn slot_taken_msg() -> Msg {
    Msg::words(
        "Otra persona acaba de tomar ese horario. Elija otro; el calendario ya está actualizado.",
        "Someone else has just taken that time. Choose another; the calendar is up to date.",
    )
}

/// Whether the hold needs renewing now (fewer than a minute left).
pub fn hold_to_renew(st: &VisitState, now: DateTime<Utc>) -> Option<Hold> {
    let hold = st.session.hold()?;
    hold.needs_renewal(now).then(|| hold.clone())
}

/// What to send to confirm, or why not.
pub fn booking_request(
    st: &mut VisitState,
    lang: Language,
    now: DateTime<Utc>,
) -> Option<kiosk_sync::api::BookingRequest> {
    match st.session.booking_request(now) {
        Ok(visit) => {
            st.errors = None;
            Some(kiosk_sync::api::BookingRequest::from_visit(
                &visit,
                st.account.as_ref().map(|a| a.token.clone()),
                lang,
            ))
        }
        Err(e) => {
            st.errors = Some(Msg::explain(e));
            None
        }
    }
}

/// What the confirmation became. Returns whether to show the confirmation screen.
pub fn confirmed(st: &mut VisitState, outcome: Result<ConfirmOutcome, EngineError>) -> bool {
    match outcome {
        Ok(ConfirmOutcome::Confirmed(b)) => {
            let slot = SlotId(b.slot_id.clone());
            if let Err(e) = st.session.confirm(b.code.clone(), &slot) {
                // The server's word wins: the booking exists, whatever the visit thought.
                tracing::error!(error = %e, code = %b.code, "confirmation for another slot than the visit's");
            }
            st.outcome = Some(Outcome::Confirmed(b));
            true
        }
        Ok(ConfirmOutcome::SlotTaken) => {
            if let Some(slot) = st.session.slot().cloned() {
                calendar::mark_full(&mut st.slots, &slot.id);
            }
            st.errors = Some(slot_taken_msg());
            false
        }
        Ok(ConfirmOutcome::Rejected(problem)) => {
            tracing::warn!(problem = problem.name(), detail = %problem.detail, "confirmation refused");
            st.errors = Some(match problem.kind() {
                k if k.is_hold_gone() => Msg::words(
                    "El tiempo para confirmar terminó y el horario se liberó. Elija el horario de nuevo.",
                    "The time to confirm ran out and the time was released. Choose the time again.",
                ),
                _ => Msg::words(
                    "El sistema de citas no aceptó la solicitud. Pida ayuda al personal.",
                    "The appointment system did not accept the request. Ask the staff for help.",
                ),
            });
            false
        }
        Ok(ConfirmOutcome::Pending { .. }) => {
            st.outcome = Some(Outcome::Pending);
            true
        }
        Ok(ConfirmOutcome::Delivered) => {
            tracing::error!("a confirmation answered as a plain delivery");
            st.outcome = Some(Outcome::Pending);
            true
        }
        Err(e) => {
            tracing::error!(error = %e, "the confirmation could not even be queued");
            st.errors = Some(Msg::words(
                "No pudimos guardar su solicitud. Pida ayuda al personal.",
                "We could not save your request. Ask the staff for help.",
            ));
            false
        }
    }
}

/// The patience values, for the controller.
pub fn confirm_patience() -> Duration {
    CONFIRM_PATIENCE
}

pub fn upload_patience() -> Duration {
    UPLOAD_PATIENCE
}

/// The hold's line, as of now.
pub fn hold_text_now(st: &VisitState, lang: Language) -> String {
    hold_text(st, lang, Utc::now())
}

/// Today in the chosen office's zone (the kiosk's UTC day before an office is chosen).
pub fn office_today(st: &VisitState, now: DateTime<Utc>) -> NaiveDate {
    st.session
        .office_tz()
        .map_or_else(|| now.date_naive(), |tz| now.with_timezone(&tz).date_naive())
}

/// The country step 1 starts on: the one most of the catalogue's offices are in (the kiosk
/// stands in one of them).
pub fn default_country(st: &VisitState) -> String {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for o in &st.offices {
        *counts.entry(o.country.as_str()).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(c, _)| c.to_owned())
        .unwrap_or_default()
}

/// The account's appointments as cards, soonest first, in the office's time zone.
fn my_bookings(st: &VisitState, lang: Language) -> Vec<crate::ui::BookingCard> {
    let Some(Ok(bookings)) = &st.my_bookings else {
        return Vec::new();
    };
    let mut sorted: Vec<&Booking> = bookings.iter().collect();
    sorted.sort_by_key(|b| b.start);
    sorted
        .into_iter()
        .map(|b| {
            let office = st.offices.iter().find(|o| o.id == b.office_id);
            let when = office.and_then(|o| chrono_tz::Tz::from_str(&o.tz).ok()).map_or_else(
                || date_label(b.start.date_naive(), lang),
                |tz| AppointmentTime::new(b.start, tz).label(lang),
            );
            let cancelled = b.status == "cancelled";
            crate::ui::BookingCard {
                code: s(&b.code),
                office: s(office.map_or(b.office_id.as_str(), |o| o.name.as_str())),
                when: s(when),
                procedures: s(b
                    .procedures
                    .iter()
                    .map(|p| Procedure::from_id(p).map_or(p.as_str(), |p| p.label(lang)))
                    .collect::<Vec<_>>()
                    .join(" · ")),
                status: s(if cancelled {
                    lang.pick("Cancelada", "Cancelled")
                } else {
                    lang.pick("Confirmada", "Confirmed")
                }),
                cancelled,
            }
        })
        .collect()
}

/// A signed-in account (by password or Llave MX) starts the visit at step 1.
pub fn signed_in(st: &mut VisitState, account: AccountSession, email: Email, catalogue: &Catalogue) {
    apply_catalogue(st, catalogue);
    st.session.sign_in(account.account_id.clone(), email);
    st.account = Some(account);
    st.sign_in_error = None;
}
