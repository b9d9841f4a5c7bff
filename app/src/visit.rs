//! The visit: what the visitor's screens share, and only that. The [`Session`] of `kiosk-core`
//! (every rule of the five steps), the account signed in, the catalogue as the steps need it,
//! step 3's draft (which steps 1 and 2 pre-fill) and how the confirmation ended. Each screen
//! keeps the rest of what it shows itself. One per visit: the shell replaces it when a visit
//! ends, so nothing of a visitor stays for the next.

use chrono::{DateTime, NaiveDate, Utc};
use kiosk_core::Language;
use kiosk_core::applicant::ApplicantDraft;
use kiosk_core::country::CountryCode;
use kiosk_core::email::Email;
use kiosk_core::form::FieldError;
use kiosk_core::session::{SessionError, Step, StepError, StepErrors};
use kiosk_sync::api::{AccountSession, Booking, Catalogue, CatalogueOffice};

use crate::ui::{Choice, Page};
use crate::words::{self, Msg};

pub use kiosk_core::session::Session;

/// Where the confirmation ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    Confirmed(Booking),
    /// Waiting in the outbox: not confirmed. The request's reference, for its slip (`None`
    /// only when the engine could not say which outbox entry it is).
    Pending(Option<kiosk_core::slip::RequestReference>),
}

/// A country of the catalogue: its code and its names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country {
    pub code: String,
    pub es: String,
    pub en: String,
}

/// What the visitor's screens share.
#[derive(Debug, Default, Clone)]
pub struct Visit {
    pub session: Session,
    pub account: Option<AccountSession>,
    /// The account's appointments, for "My procedures" (`None` until the server answered).
    pub my_bookings: Option<Result<Vec<Booking>, ()>>,
    pub offices: Vec<CatalogueOffice>,
    pub countries: Vec<Country>,
    /// Step 3 as typed (pre-filled by the office's country and the CURP's birth state).
    pub applicant: ApplicantDraft,
    pub outcome: Option<Outcome>,
}

/// Why the visitor stays on a step: the fields to mark, and the line under them.
#[derive(Debug, Clone)]
pub struct Stopped {
    pub fields: Vec<FieldError>,
    pub msg: Msg,
}

impl Visit {
    /// The office chosen, as the catalogue describes it.
    pub fn office(&self) -> Option<&CatalogueOffice> {
        let id = self.session.office().map(|o| o.id.0.as_str())?;
        self.offices.iter().find(|o| o.id == id)
    }

    /// Takes the catalogue's offices and the countries whose codes this kiosk reads.
    pub fn apply_catalogue(&mut self, c: &Catalogue) {
        self.offices.clone_from(&c.offices);
        self.countries = c
            .countries
            .iter()
            .filter_map(|v| {
                let code = v.get("code")?.as_str()?;
                code.parse::<CountryCode>().ok()?;
                Some(Country {
                    code: code.to_owned(),
                    es: v.get("name_es")?.as_str()?.to_owned(),
                    en: v.get("name_en")?.as_str()?.to_owned(),
                })
            })
            .collect();
    }

    /// A signed-in account (by password or Llave MX) starts the visit.
    pub fn signed_in(&mut self, account: AccountSession, email: Email, catalogue: &Catalogue) {
        self.apply_catalogue(catalogue);
        self.session.sign_in(account.account_id.clone(), email);
        self.account = Some(account);
    }

    /// The countries as choices, named in `lang`.
    pub fn country_choices(&self, lang: Language) -> Vec<Choice> {
        self.countries
            .iter()
            .map(|c| crate::view::choice(&c.code, lang.pick(&c.es, &c.en)))
            .collect()
    }

    /// The country step 1 starts on (kiosk-core's rule: where most offices are).
    pub fn default_country(&self) -> String {
        kiosk_core::office::most_common_country(self.offices.iter().map(|o| o.country.as_str()))
            .unwrap_or_default()
            .to_owned()
    }

    /// Today in the chosen office's zone (the kiosk's UTC day before an office is chosen).
    pub fn office_today(&self, now: DateTime<Utc>) -> NaiveDate {
        self.session
            .office_tz()
            .map_or_else(|| now.date_naive(), |tz| now.with_timezone(&tz).date_naive())
    }

    /// Tries to leave the current step for the next: the new step, or why not (field errors
    /// to show next to their fields).
    pub fn next(&mut self, now: DateTime<Utc>) -> Result<Step, Stopped> {
        if self.session.step() == Step::Applicant {
            // The draft is in the session already; this re-applies it should the step have
            // been entered without an edit.
            let _ = self.session.set_applicant(self.applicant.clone());
        }
        match self.session.next(now) {
            Ok(step) => Ok(step),
            Err(SessionError::Incomplete(StepErrors(errors))) => {
                let (fields, others): (Vec<StepError>, Vec<StepError>) =
                    errors.into_iter().partition(|e| matches!(e, StepError::Field(_)));
                let fields: Vec<FieldError> = fields
                    .into_iter()
                    .filter_map(|e| match e {
                        StepError::Field(f) => Some(f),
                        _ => None,
                    })
                    .collect();
                let msg = if others.is_empty() {
                    words::fields_marked_red(fields.len())
                } else {
                    Msg::explain(SessionError::Incomplete(StepErrors(others)))
                };
                Err(Stopped { fields, msg })
            }
            Err(e) => Err(Stopped {
                fields: Vec::new(),
                msg: Msg::explain(e),
            }),
        }
    }
}

/// The appointments of the account signed in with `token`, as "My procedures" keeps them: a
/// failure is kept as such (logged), and the visitor can still book.
pub async fn account_bookings(engine: &kiosk_sync::SyncEngine, token: &str) -> Result<Vec<Booking>, ()> {
    engine.my_bookings(token).await.map_err(|e| {
        tracing::warn!(error = %e, "the account's appointments");
    })
}

/// The page of a step.
pub fn page_of(step: Step) -> Page {
    match step {
        Step::Location => Page::Location,
        Step::Procedures => Page::Procedures,
        Step::Applicant => Page::Applicant,
        Step::Documents => Page::Documents,
        Step::DateTime => Page::DateTime,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn office(id: &str, country: &str) -> CatalogueOffice {
        serde_json::from_value(serde_json::json!({
            "id": id, "name": id, "address": "", "city": "", "state": "", "postal_code": "",
            "country": country, "phone": null, "tz": "America/Los_Angeles",
            "latitude": 0.0, "longitude": 0.0, "procedures": [],
            "thresholds": {"high": 60, "low": 20},
        }))
        .expect("an office")
    }

    #[test]
    fn step_1_starts_on_the_country_most_offices_are_in() {
        let v = Visit {
            offices: vec![office("LAX", "US"), office("SFO", "US"), office("YVR", "CA")],
            ..Visit::default()
        };
        assert_eq!(v.default_country(), "US");
        assert_eq!(Visit::default().default_country(), "");
    }

    #[test]
    fn leaving_step_1_without_an_office_says_why_and_stays() {
        let mut v = Visit::default();
        let stopped = v.next(Utc::now()).expect_err("no office chosen");
        assert!(!stopped.msg.text(Language::En).is_empty());
        assert_eq!(v.session.step(), Step::Location);
    }

    #[test]
    fn a_country_the_kiosk_cannot_read_is_left_out_of_the_choices() {
        let mut v = Visit::default();
        let catalogue: Catalogue = serde_json::from_value(serde_json::json!({
            "countries": [
                {"code": "MX", "name_es": "México", "name_en": "Mexico"},
                {"code": "??", "name_es": "Nada", "name_en": "Nothing"},
            ],
            "states": [], "procedures": [], "documents": [], "offices": [],
        }))
        .expect("a catalogue");
        v.apply_catalogue(&catalogue);
        let names: Vec<String> = v
            .country_choices(Language::En)
            .iter()
            .map(|c| c.label.to_string())
            .collect();
        assert_eq!(names, ["Mexico"]);
    }
}
