//! The kiosk's view of the central API's messages (`openapi.yaml` beside this crate is the
//! contract). Written independently of the simulator's, on purpose.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use kiosk_core::catalogue::DocumentKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `POST /v1/devices/enrol` answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Enrolment {
    pub device_id: String,
    pub credential: String,
}

/// A catalogue office.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct CatalogueOffice {
    pub id: String,
    pub name: String,
    pub address: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
    pub phone: Option<String>,
    pub tz: String,
    pub latitude: f64,
    pub longitude: f64,
    pub procedures: Vec<String>,
    pub thresholds: kiosk_core::availability::Thresholds,
}

/// `GET /v1/catalog`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Catalogue {
    pub countries: Vec<Value>,
    pub states: Vec<Value>,
    pub procedures: Vec<Value>,
    pub documents: Vec<Value>,
    pub offices: Vec<CatalogueOffice>,
}

/// One office of `GET /v1/offices/near`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NearOffice {
    pub office_id: String,
    pub distance_km: Option<f64>,
    pub next_available: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NearOffices {
    pub postal_code: String,
    pub offices: Vec<NearOffice>,
}

/// A slot as the server sends it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Slot {
    pub id: String,
    pub start: DateTime<Utc>,
    pub minutes: u32,
    pub capacity: u32,
    pub remaining: u32,
}

/// `GET /v1/offices/{id}/availability`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Availability {
    pub office_id: String,
    pub cursor: String,
    pub full: bool,
    pub slots: Vec<Slot>,
    pub removed: Vec<String>,
}

/// `GET /v1/curp/{curp}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CurpRecord {
    pub curp: String,
    pub given_names: String,
    pub first_last_name: String,
    pub second_last_name: Option<String>,
    pub birth_date: NaiveDate,
    pub sex: String,
    pub birth_state: String,
}

/// A hold on a slot.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Hold {
    pub id: String,
    pub slot_id: String,
    pub expires_at: DateTime<Utc>,
}

/// An uploaded document.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Document {
    pub id: String,
    pub sha256: String,
    pub bytes: u64,
    pub kind: DocumentKind,
}

/// The applicant as a booking carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub given_names: String,
    pub first_last_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub second_last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curp: Option<String>,
    /// Step 3's data (place of birth, address, emergency contact...).
    #[serde(flatten)]
    pub details: BTreeMap<String, Value>,
}

/// `POST /v1/bookings` body. Stored as-is in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingRequest {
    pub slot_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hold_id: Option<String>,
    pub procedures: Vec<String>,
    pub applicant: Applicant,
    pub documents: BTreeMap<DocumentKind, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<kiosk_core::Language>,
}

/// A booking as the server reports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Booking {
    pub code: String,
    pub status: String,
    pub office_id: String,
    pub slot_id: String,
    pub start: DateTime<Utc>,
    pub minutes: u32,
    pub procedures: Vec<String>,
    pub account_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Bookings {
    pub bookings: Vec<Booking>,
}

/// `POST /v1/accounts` body: the Citas SRE registration form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Registration {
    pub email: String,
    pub password: String,
    pub given_names: String,
    pub first_last_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub second_last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_office: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub procedures_for: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<kiosk_core::Language>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Account {
    pub id: String,
    pub email: String,
    pub confirmed: bool,
}

/// A signed-in account.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AccountSession {
    pub account_id: String,
    pub email: String,
    pub token: String,
}

/// RFC 8628 device authorization answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DeviceAuthorization {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub expires_in: u64,
    #[serde(default = "five")]
    pub interval: u64,
}

fn five() -> u64 {
    5
}

/// The longest a device code is waited for, whatever the server says (RFC 8628 suggests 30
/// minutes; a visitor at a kiosk gives up long before, and a huge `expires_in` must not
/// overflow a deadline).
pub const MAX_CODE_LIFETIME: std::time::Duration = std::time::Duration::from_mins(15);
/// The longest wait between two polls, whatever the server (or its `slow_down`s) asks.
pub const MAX_POLL_INTERVAL: std::time::Duration = std::time::Duration::from_mins(1);

impl DeviceAuthorization {
    /// How long the code is good for: the server's `expires_in`, at most [`MAX_CODE_LIFETIME`].
    pub fn lifetime(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.expires_in).min(MAX_CODE_LIFETIME)
    }

    /// Between two polls: the server's `interval`, 1 second to [`MAX_POLL_INTERVAL`].
    pub fn poll_interval(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.interval.max(1)).min(MAX_POLL_INTERVAL)
    }
}

/// RFC 8628 token answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LlaveToken {
    pub access_token: String,
    pub account_id: String,
    pub email: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct Problem {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub detail: String,
    /// The OAuth error code, on the Llave MX token endpoint.
    #[serde(default)]
    pub error: Option<String>,
}

impl Problem {
    /// The type's stable name (`slot-taken`), without the `urn:citas:problem:` prefix.
    pub fn name(&self) -> &str {
        self.kind.strip_prefix("urn:citas:problem:").unwrap_or(&self.kind)
    }

    /// Which problem it is, for the kiosk to act on.
    pub fn kind(&self) -> ProblemKind {
        ProblemKind::from_name(self.name())
    }
}

/// The problems the kiosk acts on, by their name (the `type` `urn:citas:problem:<name>` of an
/// RFC 9457 answer); any other is [`ProblemKind::Other`], its name kept for the log. The
/// names are matched here once, never as strings at the screens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// Sign-in: the e-mail or the password is wrong.
    BadCredentials,
    /// Sign-in: the account was never activated from its e-mail.
    AccountNotConfirmed,
    /// Registration: an account has this e-mail already.
    EmailTaken,
    /// RENAPO has no such CURP.
    CurpNotFound,
    /// No booking has this confirmation code.
    BookingNotFound,
    /// The time was taken by someone else meanwhile.
    SlotTaken,
    /// The hold ran out before the confirmation.
    HoldExpired,
    /// The hold is not known (released, or never there).
    HoldNotFound,
    /// The sync cursor is too old: the calendar is fetched whole.
    CursorExpired,
    Other(String),
}

impl ProblemKind {
    const NAMED: [(&'static str, ProblemKind); 9] = [
        ("bad-credentials", ProblemKind::BadCredentials),
        ("account-not-confirmed", ProblemKind::AccountNotConfirmed),
        ("email-taken", ProblemKind::EmailTaken),
        ("curp-not-found", ProblemKind::CurpNotFound),
        ("booking-not-found", ProblemKind::BookingNotFound),
        ("slot-taken", ProblemKind::SlotTaken),
        ("hold-expired", ProblemKind::HoldExpired),
        ("hold-not-found", ProblemKind::HoldNotFound),
        ("cursor-expired", ProblemKind::CursorExpired),
    ];

    pub fn from_name(name: &str) -> ProblemKind {
        Self::NAMED
            .iter()
            .find(|(n, _)| *n == name)
            .map_or_else(|| ProblemKind::Other(name.to_owned()), |(_, k)| k.clone())
    }

    pub fn name(&self) -> &str {
        match self {
            ProblemKind::Other(name) => name,
            known => Self::NAMED.iter().find(|(_, k)| k == known).map_or("", |(n, _)| n),
        }
    }

    /// The hold is gone: the visitor must choose the time again.
    pub fn is_hold_gone(&self) -> bool {
        matches!(self, ProblemKind::HoldExpired | ProblemKind::HoldNotFound)
    }
}

/// Why a catalogue office cannot be used: the server sent something the kiosk cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadOffice {
    #[error("office {id}: unknown time zone {tz:?}")]
    TimeZone { id: String, tz: String },
    #[error("office {id}: bad country {country:?}")]
    Country { id: String, country: String },
}

/// Why a booking's ticket cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadTicket {
    #[error(transparent)]
    Office(#[from] BadOffice),
    #[error("booking code {0:?} is not a confirmation code")]
    Code(String),
}

impl Booking {
    /// The status a cancelled booking has.
    pub const CANCELLED: &'static str = "cancelled";

    pub fn is_cancelled(&self) -> bool {
        self.status == Booking::CANCELLED
    }
}

impl CatalogueOffice {
    /// The office's address on one line: street, city, state and postal code.
    pub fn address_line(&self) -> String {
        format!("{}, {}, {} {}", self.address, self.city, self.state, self.postal_code)
    }

    /// The office as its tickets name it.
    pub fn ticket_office(&self) -> Result<kiosk_core::ticket::TicketOffice, BadOffice> {
        let tz = self.tz.parse::<chrono_tz::Tz>().map_err(|_| BadOffice::TimeZone {
            id: self.id.clone(),
            tz: self.tz.clone(),
        })?;
        Ok(kiosk_core::ticket::TicketOffice::from_parts(
            &self.name,
            &self.address,
            &self.city,
            &self.state,
            &self.postal_code,
            self.phone.as_deref(),
            tz,
        ))
    }

    /// The office as the visit's rules need it. Procedures the kiosk does not know are left out
    /// (a newer server may offer more than this kiosk can book).
    pub fn office(&self) -> Result<kiosk_core::office::Office, BadOffice> {
        let tz = self.tz.parse::<chrono_tz::Tz>().map_err(|_| BadOffice::TimeZone {
            id: self.id.clone(),
            tz: self.tz.clone(),
        })?;
        let country = self.country.parse().map_err(|_| BadOffice::Country {
            id: self.id.clone(),
            country: self.country.clone(),
        })?;
        Ok(kiosk_core::office::Office {
            id: self.id.as_str().into(),
            name: self.name.clone(),
            country,
            tz,
            procedures: self
                .procedures
                .iter()
                .filter_map(|p| kiosk_core::catalogue::Procedure::from_id(p))
                .collect(),
            thresholds: self.thresholds,
        })
    }
}

impl Booking {
    /// The booking's ticket at `office` (its catalogue entry), in `language`. Procedures this
    /// kiosk does not know are left off the ticket.
    pub fn ticket(
        &self,
        office: &CatalogueOffice,
        language: kiosk_core::Language,
    ) -> Result<kiosk_core::ticket::Ticket, BadTicket> {
        let code =
            kiosk_core::booking::ConfirmationCode::parse(&self.code).map_err(|_| BadTicket::Code(self.code.clone()))?;
        Ok(kiosk_core::ticket::Ticket::new(
            code,
            language,
            office.ticket_office()?,
            self.start,
            self.minutes,
            self.procedures
                .iter()
                .filter_map(|p| kiosk_core::catalogue::Procedure::from_id(p))
                .collect(),
        ))
    }
}

impl BookingRequest {
    /// The wire form of a visit ready to confirm. Step 3's fields, the no-CURP data and each
    /// procedure's "Enter information" form travel in the applicant's extra properties.
    pub fn from_visit(
        visit: &kiosk_core::session::BookingRequest,
        account_token: Option<String>,
        language: kiosk_core::Language,
    ) -> BookingRequest {
        use kiosk_core::applicant::Identity;
        let mut details = match serde_json::to_value(&visit.applicant) {
            Ok(Value::Object(map)) => map.into_iter().collect::<BTreeMap<_, _>>(),
            _ => BTreeMap::new(),
        };
        if let Identity::NoCurp(i) = &visit.identity {
            details.insert("birth_date".into(), Value::String(i.birth_date.to_string()));
            details.insert("sex".into(), Value::String(i.sex.code().to_string()));
            details.insert("nationality".into(), Value::String(i.nationality.to_string()));
        }
        let info: serde_json::Map<String, Value> = visit
            .procedures
            .iter()
            .filter(|c| !c.info.0.is_empty())
            .map(|c| {
                let fields = c
                    .info
                    .0
                    .iter()
                    .map(|(k, v)| {
                        (
                            serde_json::to_value(k)
                                .ok()
                                .and_then(|k| k.as_str().map(str::to_owned))
                                .unwrap_or_default(),
                            Value::String(v.clone()),
                        )
                    })
                    .collect::<serde_json::Map<_, _>>();
                (c.procedure.id().to_owned(), Value::Object(fields))
            })
            .collect();
        if !info.is_empty() {
            details.insert("procedure_info".into(), Value::Object(info));
        }
        BookingRequest {
            slot_id: visit.slot.id.0.clone(),
            hold_id: Some(visit.hold.id.0.clone()),
            procedures: visit.procedures.iter().map(|c| c.procedure.id().to_owned()).collect(),
            applicant: Applicant {
                given_names: visit.identity.given_names().as_str().to_owned(),
                first_last_name: visit.identity.first_last_name().as_str().to_owned(),
                second_last_name: visit.identity.second_last_name().map(|n| n.as_str().to_owned()),
                curp: visit.identity.curp().map(|c| c.as_str().to_owned()),
                details,
            },
            documents: visit.documents.iter().map(|(k, d)| (*k, d.id.clone())).collect(),
            account_token,
            language: Some(language),
        }
    }
}

#[cfg(test)]
mod problem_kind_tests {
    use super::*;

    #[test]
    fn every_named_problem_reads_back_as_its_name() {
        for (name, kind) in ProblemKind::NAMED {
            assert_eq!(ProblemKind::from_name(name), kind);
            assert_eq!(kind.name(), name);
        }
    }

    #[test]
    fn an_unknown_problem_keeps_its_name() {
        let k = ProblemKind::from_name("quota-exceeded");
        assert_eq!(k, ProblemKind::Other("quota-exceeded".into()));
        assert_eq!(k.name(), "quota-exceeded");
    }

    #[test]
    fn a_problem_type_is_read_without_its_urn() {
        let p = Problem {
            kind: "urn:citas:problem:slot-taken".into(),
            ..Problem::default()
        };
        assert_eq!(p.kind(), ProblemKind::SlotTaken);
        assert!(ProblemKind::HoldNotFound.is_hold_gone() && !ProblemKind::SlotTaken.is_hold_gone());
    }
}
