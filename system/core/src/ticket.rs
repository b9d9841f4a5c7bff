//! What a confirmation ticket says: the one model behind the printed ticket, its on-screen
//! preview and the print queue's stored jobs.
//!
//! The ticket carries no personal data: the visitor's name, CURP and address stay out of it, so
//! a ticket left in the tray, a job in the print queue or a preview on the maintenance screen
//! tells nobody who booked. The confirmation code is what identifies the appointment.
//!
//! Its JSON form (the print queue's rows, and `kioskctl ticket --booking FILE.json`):
//!
//! ```json
//! { "confirmation_code": "K7M4XR2P", "language": "es",
//!   "office": { "name": "Consulado General de México en Los Ángeles",
//!               "address": ["2401 W 6th St", "Los Angeles, CA 90057"],
//!               "phone": "+1 213-351-6800", "tz": "America/Los_Angeles" },
//!   "start": "2026-12-03T18:30:00Z", "minutes": 40, "procedures": ["passport"] }
//! ```
//!
//! `documents` may be given; without it the documents to bring follow from the procedures.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::booking::ConfirmationCode;
use crate::catalogue::{DocumentKind, Procedure, required_documents};
use crate::lang::Language;
use crate::time::AppointmentTime;

/// The office as the ticket names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketOffice {
    pub name: String,
    /// Postal address, one entry a line as it is written on an envelope.
    pub address: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The zone the appointment's time is read in.
    pub tz: Tz,
}

impl TicketOffice {
    /// The office's telephone as a printout's line ("Tel. +1 213-351-6800"), when it has one.
    pub fn phone_line(&self, lang: Language) -> Option<String> {
        self.phone
            .as_ref()
            .map(|p| format!("{} {p}", lang.pick("Tel.", "Phone")))
    }

    /// The office from its catalogue entry's parts: street on one line, "city, state ZIP" on the
    /// next (empty parts left out).
    pub fn from_parts(
        name: &str,
        street: &str,
        city: &str,
        state: &str,
        postal_code: &str,
        phone: Option<&str>,
        tz: Tz,
    ) -> TicketOffice {
        let place = [city.trim(), state.trim()]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        let place = [place.as_str(), postal_code.trim()]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        TicketOffice {
            name: name.trim().to_owned(),
            address: [street.trim().to_owned(), place]
                .into_iter()
                .filter(|l| !l.is_empty())
                .collect(),
            phone: phone.map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned),
            tz,
        }
    }
}

/// A confirmation ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// Printed exactly, large and in the QR code.
    pub confirmation_code: ConfirmationCode,
    /// The visitor's language when they confirmed.
    pub language: Language,
    pub office: TicketOffice,
    pub start: DateTime<Utc>,
    pub minutes: u32,
    pub procedures: Vec<Procedure>,
    #[serde(default)]
    documents: Option<Vec<DocumentKind>>,
}

impl Ticket {
    /// A ticket whose documents follow from its procedures.
    pub fn new(
        confirmation_code: ConfirmationCode,
        language: Language,
        office: TicketOffice,
        start: DateTime<Utc>,
        minutes: u32,
        procedures: Vec<Procedure>,
    ) -> Ticket {
        Ticket {
            confirmation_code,
            language,
            office,
            start,
            minutes,
            procedures,
            documents: None,
        }
    }

    /// The same ticket in another language (a reprint for a visitor who reads the other one).
    #[must_use]
    pub fn in_language(mut self, language: Language) -> Ticket {
        self.language = language;
        self
    }

    /// The original documents to bring: as given, else the procedures' (the three every
    /// booking needs, then each procedure's own).
    pub fn documents(&self) -> Vec<DocumentKind> {
        self.documents
            .clone()
            .unwrap_or_else(|| required_documents(self.procedures.iter().copied()))
    }

    pub fn appointment(&self) -> AppointmentTime {
        AppointmentTime::new(self.start, self.office.tz)
    }

    /// The ticket's words, in its language.
    pub fn text(&self) -> TicketText {
        let lang = self.language;
        let when = self.appointment();
        TicketText {
            title: lang.pick("COMPROBANTE DE CITA", "APPOINTMENT CONFIRMATION"),
            office: self.office.name.clone(),
            address: self.office.address.clone(),
            phone: self.office.phone_line(lang),
            date: capitalised(&when.date_label(lang)),
            time: when.time_label(lang),
            duration: match lang {
                Language::Es => format!("Duración aproximada: {} min", self.minutes),
                Language::En => format!("About {} minutes", self.minutes),
            },
            procedures_heading: lang.pick("Trámites:", "Procedures:"),
            procedures: self.procedures.iter().map(|p| p.label(lang).to_owned()).collect(),
            documents_heading: lang.pick("Traiga sus documentos originales:", "Bring your original documents:"),
            documents: self.documents().iter().map(|d| d.label(lang).to_owned()).collect(),
            code_heading: lang.pick("Código de cita", "Appointment code"),
            code: self.confirmation_code.as_str().to_owned(),
            arrive: lang.pick(
                "Llegue 15 minutos antes de su cita.",
                "Arrive 15 minutes before your appointment.",
            ),
            cancel: lang.pick(
                "¿No puede venir? Cancele o consulte su cita con este código en «Ya tengo una cita» de este quiosco o en citas.sre.gob.mx, para que otra persona use el horario.",
                "Can't come? Cancel or look up your appointment with this code under \"I already have an appointment\" on this kiosk or at citas.sre.gob.mx, so someone else can use the time.",
            ),
        }
    }
}

/// Every line of a ticket as words, before any layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketText {
    pub title: &'static str,
    pub office: String,
    pub address: Vec<String>,
    pub phone: Option<String>,
    /// "Jueves 3 de diciembre de 2026" / "Thursday, December 3, 2026".
    pub date: String,
    /// "10:30 h (PST)" / "10:30 AM (PST)".
    pub time: String,
    pub duration: String,
    pub procedures_heading: &'static str,
    pub procedures: Vec<String>,
    pub documents_heading: &'static str,
    pub documents: Vec<String>,
    pub code_heading: &'static str,
    pub code: String,
    pub arrive: &'static str,
    pub cancel: &'static str,
}

/// A line starts with a capital letter ("jueves" begins the Spanish date).
pub(crate) fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn ticket(lang: Language) -> Ticket {
        Ticket::new(
            ConfirmationCode::parse("K7M4XR2P").unwrap(),
            lang,
            TicketOffice::from_parts(
                "Consulado General de México en Los Ángeles",
                "2401 W 6th St",
                "Los Angeles",
                "CA",
                "90057",
                Some("+1 213-351-6800"),
                chrono_tz::America::Los_Angeles,
            ),
            Utc.with_ymd_and_hms(2026, 12, 3, 18, 30, 0).unwrap(),
            40,
            vec![Procedure::Passport, Procedure::ParentalConsent],
        )
    }

    #[test]
    fn writes_the_appointment_in_the_office_zone_and_the_visitor_language() {
        let es = ticket(Language::Es).text();
        assert_eq!(es.date, "Jueves 3 de diciembre de 2026");
        assert_eq!(es.time, "10:30 h (PST)");
        let en = ticket(Language::En).text();
        assert_eq!(en.date, "Thursday, December 3, 2026");
        assert_eq!(en.time, "10:30 AM (PST)");
    }

    #[test]
    fn lists_the_documents_the_procedures_need() {
        let t = ticket(Language::En).text();
        assert_eq!(t.documents.len(), 4, "{:?}", t.documents);
        assert!(t.documents.contains(&"Identification of the other parent".to_owned()));
    }

    #[test]
    fn reads_the_documented_json_and_keeps_the_code_exact() {
        let json = r#"{ "confirmation_code": "K7M4XR2P", "language": "es",
          "office": { "name": "Consulado General de México en Los Ángeles",
                      "address": ["2401 W 6th St", "Los Angeles, CA 90057"],
                      "phone": "+1 213-351-6800", "tz": "America/Los_Angeles" },
          "start": "2026-12-03T18:30:00Z", "minutes": 40, "procedures": ["passport", "parental_consent"] }"#;
        let t: Ticket = serde_json::from_str(json).unwrap();
        assert_eq!(t, ticket(Language::Es));
        let back: Ticket = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
        assert_eq!(back, t);
    }

    #[test]
    fn refuses_json_whose_code_or_zone_is_not_real() {
        let base = serde_json::to_value(ticket(Language::Es)).unwrap();
        let mut bad_code = base.clone();
        bad_code["confirmation_code"] = "K7M4XR2".into();
        assert!(serde_json::from_value::<Ticket>(bad_code).is_err());
        let mut bad_zone = base;
        bad_zone["office"]["tz"] = "Mars/Olympus".into();
        assert!(serde_json::from_value::<Ticket>(bad_zone).is_err());
    }

    #[test]
    fn leaves_out_address_parts_the_catalogue_does_not_have() {
        let o = TicketOffice::from_parts("X", " 1 Main St ", "", "CA", "", None, chrono_tz::UTC);
        assert_eq!(o.address, vec!["1 Main St".to_owned(), "CA".to_owned()]);
        assert_eq!(o.phone, None);
    }
}
