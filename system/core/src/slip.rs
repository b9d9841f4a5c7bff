//! What the "saved, NOT confirmed" slip says: the paper a visitor takes away when the
//! confirmation could not reach the appointment system and waits in the kiosk's outbox.
//!
//! Like the ticket it carries no personal data (no name, CURP, e-mail or procedure): the
//! office, the time asked for marked NOT CONFIRMED, the request's reference, what happens next
//! and how to check. It never looks like a ticket: no appointment code, no QR code, and the
//! words "not confirmed" twice.
//!
//! Its JSON form (the print queue's rows):
//!
//! ```json
//! { "reference": "3F2A91C0", "language": "es",
//!   "office": { "name": "Consulado General de México en Los Ángeles",
//!               "address": ["2401 W 6th St", "Los Angeles, CA 90057"],
//!               "phone": "+1 213-351-6800", "tz": "America/Los_Angeles" },
//!   "start": "2026-12-03T18:30:00Z" }
//! ```

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::lang::Language;
use crate::ticket::TicketOffice;
use crate::time::AppointmentTime;

/// How many hex digits of the outbox entry's key a reference keeps: enough for staff to find
/// the one request among a kiosk's waiting few, short enough to read out at a counter.
const DIGITS: usize = 8;

/// A waiting request's reference: the first eight hex digits of its outbox key (its
/// idempotency key), upper case. Staff find the request by it (`kioskctl print-queue`, the
/// maintenance screen's recent tickets).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RequestReference(String);

/// Not a reference: fewer than eight hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a request reference is 8 hex digits, not {0:?}")]
pub struct BadReference(String);

impl RequestReference {
    /// The reference of an outbox key (a UUID's text, hyphens and all).
    pub fn of_key(key: &str) -> Result<RequestReference, BadReference> {
        let digits: String = key
            .chars()
            .filter(|c| *c != '-')
            .take(DIGITS)
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if digits.len() == DIGITS && digits.chars().all(|c| c.is_ascii_hexdigit()) {
            Ok(RequestReference(digits))
        } else {
            Err(BadReference(key.chars().take(40).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As it is printed and read out: two groups of four ("3F2A-91C0").
    pub fn grouped(&self) -> String {
        let (a, b) = self.0.split_at(DIGITS / 2);
        format!("{a}-{b}")
    }
}

impl TryFrom<String> for RequestReference {
    type Error = BadReference;
    /// Only a reference as stored (eight upper-case hex digits) is read back.
    fn try_from(s: String) -> Result<RequestReference, BadReference> {
        if s.len() == DIGITS && s.chars().all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c)) {
            Ok(RequestReference(s))
        } else {
            Err(BadReference(s.chars().take(40).collect()))
        }
    }
}

impl From<RequestReference> for String {
    fn from(r: RequestReference) -> String {
        r.0
    }
}

impl fmt::Display for RequestReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.grouped())
    }
}

/// The slip of a request saved on the kiosk and not confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSlip {
    pub reference: RequestReference,
    /// The visitor's language when they asked.
    pub language: Language,
    pub office: TicketOffice,
    /// The time asked for (not held by anyone until the server confirms).
    pub start: DateTime<Utc>,
}

/// Every line of a slip as words, before any layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlipText {
    pub title: &'static str,
    /// "CITA NO CONFIRMADA", printed large.
    pub warning: &'static str,
    pub office: String,
    pub address: Vec<String>,
    pub phone: Option<String>,
    pub requested: &'static str,
    pub date: String,
    pub time: String,
    pub reference_heading: &'static str,
    /// "3F2A-91C0".
    pub reference: String,
    pub next_heading: &'static str,
    pub next: &'static str,
    pub check_heading: &'static str,
    pub check: &'static str,
    pub not_a_ticket: &'static str,
}

impl PendingSlip {
    pub fn appointment(&self) -> AppointmentTime {
        AppointmentTime::new(self.start, self.office.tz)
    }

    /// The slip's words, in its language.
    pub fn text(&self) -> SlipText {
        let lang = self.language;
        let when = self.appointment();
        SlipText {
            title: lang.pick("SOLICITUD GUARDADA", "REQUEST SAVED"),
            warning: lang.pick("CITA NO CONFIRMADA", "NOT CONFIRMED"),
            office: self.office.name.clone(),
            address: self.office.address.clone(),
            phone: self.office.phone_line(lang),
            requested: lang.pick("Horario solicitado (NO confirmado):", "Time asked for (NOT confirmed):"),
            date: crate::ticket::capitalised(&when.date_label(lang)),
            time: when.time_label(lang),
            reference_heading: lang.pick("Referencia de la solicitud", "Request reference"),
            reference: self.reference.grouped(),
            next_heading: lang.pick("Qué sigue:", "What happens next:"),
            next: lang.pick(
                "Este quiosco enviará su solicitud al sistema de citas en cuanto vuelva la conexión. Si el horario sigue libre, recibirá por correo su código de cita. La cita vale solo con ese código.",
                "This kiosk will send your request to the appointment system as soon as the connection returns. If the time is still free, you will receive your appointment code by e-mail. The appointment is valid only with that code.",
            ),
            check_heading: lang.pick("Cómo consultarla:", "How to check:"),
            check: lang.pick(
                "Inicie sesión en citas.sre.gob.mx o en este quiosco y abra «Mis trámites». Si en 24 horas no recibe el correo, reserve de nuevo o pregunte al personal con esta referencia.",
                "Sign in at citas.sre.gob.mx or on this kiosk and open \"My procedures\". If no e-mail arrives within 24 hours, book again or ask the staff, giving this reference.",
            ),
            not_a_ticket: lang.pick(
                "Esta constancia de solicitud NO es un comprobante de cita.",
                "This slip is NOT an appointment ticket.",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn slip(lang: Language) -> PendingSlip {
        PendingSlip {
            reference: RequestReference::of_key("3f2a91c0-5b7e-4d21-9a8f-0c1d2e3f4a5b").unwrap(),
            language: lang,
            office: TicketOffice::from_parts(
                "Consulado General de México en Los Ángeles",
                "2401 W 6th St",
                "Los Angeles",
                "CA",
                "90057",
                None,
                chrono_tz::America::Los_Angeles,
            ),
            start: Utc.with_ymd_and_hms(2026, 12, 3, 18, 30, 0).unwrap(),
        }
    }

    #[test]
    fn a_reference_is_the_outbox_key_first_eight_hex_digits_grouped() {
        let r = RequestReference::of_key("3f2a91c0-5b7e-4d21-9a8f-0c1d2e3f4a5b").unwrap();
        assert_eq!(r.as_str(), "3F2A91C0");
        assert_eq!(r.to_string(), "3F2A-91C0");
        assert!(RequestReference::of_key("3f2a-9").is_err());
        assert!(RequestReference::of_key("zzzzzzzz-0000").is_err());
    }

    #[test]
    fn says_not_confirmed_in_the_office_zone_and_the_visitor_language() {
        let es = slip(Language::Es).text();
        assert_eq!(es.warning, "CITA NO CONFIRMADA");
        assert_eq!(es.date, "Jueves 3 de diciembre de 2026");
        assert_eq!(es.time, "10:30 h (PST)");
        assert_eq!(es.reference, "3F2A-91C0");
        let en = slip(Language::En).text();
        assert!(en.requested.contains("NOT confirmed"));
        assert_eq!(en.time, "10:30 AM (PST)");
    }

    #[test]
    fn reads_back_its_json_and_refuses_a_reference_that_is_not_one() {
        let s = slip(Language::Es);
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["reference"], "3F2A91C0");
        assert_eq!(serde_json::from_value::<PendingSlip>(json.clone()).unwrap(), s);
        let mut bad = json;
        bad["reference"] = "3f2a91c0".into();
        assert!(serde_json::from_value::<PendingSlip>(bad).is_err());
    }

    #[test]
    fn a_ticket_is_not_read_as_a_slip() {
        let ticket = r#"{ "confirmation_code": "K7M4XR2P", "language": "es",
          "office": { "name": "X", "address": [], "tz": "UTC" },
          "start": "2026-12-03T18:30:00Z", "minutes": 40, "procedures": ["passport"] }"#;
        assert!(serde_json::from_str::<PendingSlip>(ticket).is_err());
    }
}
