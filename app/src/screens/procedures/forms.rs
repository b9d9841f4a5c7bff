//! Step 2's two forms: the data of a visitor without a CURP, and the information a procedure
//! needs (a passport's kind and validity, a registration's event), as rows labelled and
//! explained in the visitor's language.

use kiosk_core::Language;
use kiosk_core::catalogue::InfoField;
use kiosk_core::curp::Sex;
use kiosk_core::form::Field;

use super::State;
use crate::ui::{FieldKind, FormField};
use crate::view::{choice, choices, date_hint, field, s, with_error};
use crate::visit::Visit;

pub fn identity_rows(st: &State, v: &Visit, lang: Language) -> Vec<FormField> {
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
        d.sex.map_or(String::new(), |x| x.code().to_string()).as_str(),
        FieldKind::Choice,
    );
    sex.choices = choices(
        [Sex::Female, Sex::Male, Sex::NonBinary]
            .into_iter()
            .map(|x| choice(x.code().to_string(), x.label(lang)))
            .collect(),
    );
    let mut nationality = field(
        "nationality",
        Field::Nationality.label(lang),
        &d.nationality,
        FieldKind::Choice,
    );
    nationality.choices = choices(v.country_choices(lang));
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

pub fn info_key(f: InfoField) -> String {
    serde_json::to_value(f)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub fn info_rows(st: &State, lang: Language) -> Vec<FormField> {
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
                            .map(|y| choice(y.to_string(), years(y, lang)))
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

/// "1 año", "3 años": a passport's validity in words.
fn years(n: u8, lang: kiosk_core::Language) -> String {
    match (lang, n) {
        (kiosk_core::Language::Es, 1) => "1 año".to_owned(),
        (kiosk_core::Language::Es, n) => format!("{n} años"),
        (kiosk_core::Language::En, 1) => "1 year".to_owned(),
        (kiosk_core::Language::En, n) => format!("{n} years"),
    }
}
