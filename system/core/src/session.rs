//! The visitor's whole visit as a pure state machine: the five steps of the Citas SRE booking
//! and what surrounds them (language, account, confirmation, the end of the visit).
//!
//! Rules it enforces (each has a test below):
//! - a step is left forward only when it validates; every problem of the step is reported;
//! - going back keeps what was entered, as typed;
//! - only the current step's data can be changed;
//! - the office is locked once step 1 is left;
//! - a procedure counts as "Information completed" only when its form validates;
//! - step 4 asks for exactly the documents the chosen procedures need;
//! - a slot can be chosen only from the chosen office, and must be held (live) to go on;
//! - ending the visit clears every field and hands back the holds to release on the server.
//!
//! Time comes in as arguments (`now`, `today`), never from a clock: the session does no I/O.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::applicant::{ApplicantDraft, ApplicantInfo, CurpRecord, Identity, IdentityDraft, InfoDraft, NoCurpDraft};
use crate::catalogue::{DocumentKind, Procedure, required_documents, total_minutes};
use crate::email::Email;
use crate::form::FieldError;
use crate::lang::{Explain, Language};
use crate::office::{Hold, Office, Slot, SlotId};
use crate::time::AppointmentTime;

/// Citas SRE's limit for one document ("1 MB"), read as decimal so no file near it is refused
/// by the server.
pub const MAX_DOCUMENT_BYTES: u64 = 1_000_000;

/// The most procedures one appointment may carry.
pub const MAX_PROCEDURES: usize = 5;

/// The five steps, in order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Step {
    #[default]
    Location,
    Procedures,
    Applicant,
    Documents,
    DateTime,
}

impl Step {
    pub const ALL: [Step; 5] = [
        Step::Location,
        Step::Procedures,
        Step::Applicant,
        Step::Documents,
        Step::DateTime,
    ];

    /// 1 to 5, for "Step N of 5".
    pub fn number(self) -> u8 {
        match self {
            Step::Location => 1,
            Step::Procedures => 2,
            Step::Applicant => 3,
            Step::Documents => 4,
            Step::DateTime => 5,
        }
    }

    pub fn label(self, lang: Language) -> &'static str {
        match self {
            Step::Location => lang.pick("Ubicación", "Location"),
            Step::Procedures => lang.pick("Tipo de trámite", "Type of procedure"),
            Step::Applicant => lang.pick("Datos del solicitante", "Applicant information"),
            Step::Documents => lang.pick("Documentos", "Documents"),
            Step::DateTime => lang.pick("Fecha y hora", "Date and time"),
        }
    }

    fn next(self) -> Option<Step> {
        Step::ALL.get(usize::from(self.number())).copied()
    }

    fn previous(self) -> Option<Step> {
        Step::ALL.get(usize::from(self.number()).checked_sub(2)?).copied()
    }
}

/// Who is booking.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Visitor {
    #[default]
    Guest,
    SignedIn {
        account_id: String,
        email: Email,
    },
}

/// A scanned document attached to the visit (the PDF itself lives with the scanner service).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// The scan service's handle to the PDF.
    pub id: String,
    pub pages: u16,
    pub bytes: u64,
}

/// A chosen procedure and its form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChosenProcedure {
    pub procedure: Procedure,
    pub info: InfoDraft,
}

/// What the server answered when it confirmed the booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    pub code: String,
    pub time: AppointmentTime,
}

/// Why a step cannot be left yet. Every one is shown at once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error("no office chosen")]
    NoOffice,
    #[error("no CURP searched and no personal data entered")]
    NoIdentity,
    #[error("no procedure chosen")]
    NoProcedure,
    #[error("the information of {0} is not complete")]
    ProcedureIncomplete(Procedure),
    #[error(transparent)]
    Field(#[from] FieldError),
    #[error("{0:?} not scanned")]
    MissingDocument(DocumentKind),
    #[error("no date and time chosen")]
    NoSlot,
    #[error("the chosen time is not held")]
    NoHold,
    #[error("the hold on the chosen time expired")]
    HoldExpired,
}

impl Explain for StepError {
    fn explain(&self, lang: Language) -> String {
        match self {
            StepError::NoOffice => lang
                .pick("Elija una oficina consular.", "Choose a consular office.")
                .to_owned(),
            StepError::NoIdentity => lang
                .pick(
                    "Busque su CURP, o elija «No tengo CURP» y escriba sus datos.",
                    "Search your CURP, or choose \"I have no CURP\" and enter your details.",
                )
                .to_owned(),
            StepError::NoProcedure => lang
                .pick("Elija al menos un trámite.", "Choose at least one procedure.")
                .to_owned(),
            StepError::ProcedureIncomplete(p) => match lang {
                Language::Es => format!("Falta «Capturar información» de {}.", p.label(lang)),
                Language::En => format!("\"Enter information\" is still missing for {}.", p.label(lang)),
            },
            StepError::Field(e) => e.explain(lang),
            StepError::MissingDocument(d) => match lang {
                Language::Es => format!("Falta escanear: {}.", d.label(lang)),
                Language::En => format!("Still to scan: {}.", d.label(lang)),
            },
            StepError::NoSlot => lang
                .pick("Elija un día y una hora.", "Choose a day and a time.")
                .to_owned(),
            StepError::NoHold => lang
                .pick(
                    "Estamos apartando ese horario; espere un momento o elija otro.",
                    "We are holding that time for you; wait a moment or choose another.",
                )
                .to_owned(),
            StepError::HoldExpired => lang
                .pick(
                    "Se acabó el tiempo para confirmar ese horario. Elíjalo de nuevo.",
                    "The time to confirm that slot ran out. Choose it again.",
                )
                .to_owned(),
        }
    }
}

/// A change the session refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("this belongs to step {expected:?}, the visit is at {current:?}")]
    WrongStep { expected: Step, current: Step },
    #[error("the office cannot change after step 1")]
    OfficeLocked,
    #[error("{0} is not offered by this office")]
    NotOffered(Procedure),
    #[error("{0} is already chosen")]
    AlreadyChosen(Procedure),
    #[error("{0} is not chosen")]
    NotChosen(Procedure),
    #[error("at most {MAX_PROCEDURES} procedures per appointment")]
    TooManyProcedures,
    #[error("{0:?} is not needed for these procedures")]
    DocumentNotNeeded(DocumentKind),
    #[error("the document is empty")]
    EmptyDocument,
    #[error("the document has {bytes} bytes, more than {MAX_DOCUMENT_BYTES}")]
    DocumentTooLarge { bytes: u64 },
    #[error("the slot belongs to another office")]
    SlotOfAnotherOffice,
    #[error("the slot is full")]
    SlotFull,
    #[error("the slot has already begun")]
    SlotInThePast,
    #[error("the hold is for another slot")]
    HoldForAnotherSlot,
    #[error("the visit is already confirmed")]
    AlreadyConfirmed,
    #[error(transparent)]
    Incomplete(#[from] StepErrors),
}

/// Every reason a step cannot be left.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the step is not complete: {0:?}")]
pub struct StepErrors(pub Vec<StepError>);

impl Explain for SessionError {
    fn explain(&self, lang: Language) -> String {
        match self {
            SessionError::WrongStep { expected, .. } => match lang {
                Language::Es => format!("Regrese al paso {} para cambiar eso.", expected.number()),
                Language::En => format!("Go back to step {} to change that.", expected.number()),
            },
            SessionError::OfficeLocked => lang
                .pick(
                    "La oficina consular ya no se puede cambiar. Para elegir otra, termine y empiece de nuevo.",
                    "The consular office can no longer be changed. To choose another, finish and start again.",
                )
                .to_owned(),
            SessionError::NotOffered(p) => match lang {
                Language::Es => format!("Esta oficina no ofrece {}.", p.label(lang)),
                Language::En => format!("This office does not offer {}.", p.label(lang)),
            },
            SessionError::AlreadyChosen(p) => match lang {
                Language::Es => format!("Ya eligió {}.", p.label(lang)),
                Language::En => format!("You already chose {}.", p.label(lang)),
            },
            SessionError::NotChosen(p) => match lang {
                Language::Es => format!("No ha elegido {}.", p.label(lang)),
                Language::En => format!("You have not chosen {}.", p.label(lang)),
            },
            SessionError::TooManyProcedures => match lang {
                Language::Es => format!("Una cita tiene como máximo {MAX_PROCEDURES} trámites."),
                Language::En => format!("One appointment holds {MAX_PROCEDURES} procedures at most."),
            },
            SessionError::DocumentNotNeeded(d) => match lang {
                Language::Es => format!("Sus trámites no piden {}.", d.label(lang)),
                Language::En => format!("Your procedures do not ask for {}.", d.label(lang)),
            },
            SessionError::EmptyDocument => lang
                .pick(
                    "El documento está vacío: escanéelo otra vez.",
                    "The document is empty: scan it again.",
                )
                .to_owned(),
            SessionError::DocumentTooLarge { .. } => lang
                .pick(
                    "El documento pesa más de 1 MB: escanee menos páginas.",
                    "The document is larger than 1 MB: scan fewer pages.",
                )
                .to_owned(),
            SessionError::SlotOfAnotherOffice => lang
                .pick(
                    "Ese horario es de otra oficina.",
                    "That time belongs to another office.",
                )
                .to_owned(),
            SessionError::SlotFull => lang
                .pick(
                    "Ese horario ya se ocupó. Elija otro.",
                    "That time was just taken. Choose another.",
                )
                .to_owned(),
            SessionError::SlotInThePast => lang
                .pick(
                    "Ese horario ya pasó. Elija otro.",
                    "That time has passed. Choose another.",
                )
                .to_owned(),
            SessionError::HoldForAnotherSlot => lang
                .pick("Elija el horario de nuevo.", "Choose the time again.")
                .to_owned(),
            SessionError::AlreadyConfirmed => lang
                .pick("Su cita ya está confirmada.", "Your appointment is already confirmed.")
                .to_owned(),
            SessionError::Incomplete(errors) => errors.0.iter().map(|e| e.explain(lang)).collect::<Vec<_>>().join("\n"),
        }
    }
}

/// What the kiosk sends to confirm, assembled once every step validates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingRequest {
    pub office: Office,
    pub slot: Slot,
    pub hold: Hold,
    pub identity: Identity,
    /// The procedures, each with its "Enter information" form (empty when it asks none).
    pub procedures: Vec<ChosenProcedure>,
    pub applicant: ApplicantInfo,
    pub documents: BTreeMap<DocumentKind, Document>,
}

/// One visitor's visit.
#[derive(Debug, Clone, Default)]
pub struct Session {
    language: Language,
    visitor: Visitor,
    step: Step,
    office: Option<Office>,
    office_locked: bool,
    identity: IdentityDraft,
    procedures: Vec<ChosenProcedure>,
    applicant: ApplicantDraft,
    documents: BTreeMap<DocumentKind, Document>,
    slot: Option<Slot>,
    hold: Option<Hold>,
    confirmation: Option<Confirmation>,
    /// Holds dropped by the visit that the server should release.
    released: Vec<Hold>,
}

impl Session {
    pub fn new(language: Language) -> Session {
        Session {
            language,
            ..Session::default()
        }
    }

    // ---- reading -------------------------------------------------------------------------

    pub fn language(&self) -> Language {
        self.language
    }
    pub fn visitor(&self) -> &Visitor {
        &self.visitor
    }
    pub fn step(&self) -> Step {
        self.step
    }
    pub fn office(&self) -> Option<&Office> {
        self.office.as_ref()
    }
    pub fn office_locked(&self) -> bool {
        self.office_locked
    }
    pub fn identity(&self) -> &IdentityDraft {
        &self.identity
    }
    pub fn procedures(&self) -> &[ChosenProcedure] {
        &self.procedures
    }
    pub fn applicant(&self) -> &ApplicantDraft {
        &self.applicant
    }
    pub fn documents(&self) -> &BTreeMap<DocumentKind, Document> {
        &self.documents
    }
    pub fn slot(&self) -> Option<&Slot> {
        self.slot.as_ref()
    }
    pub fn hold(&self) -> Option<&Hold> {
        self.hold.as_ref()
    }
    pub fn confirmation(&self) -> Option<&Confirmation> {
        self.confirmation.as_ref()
    }

    /// Whether a chosen procedure shows "Information completed".
    pub fn procedure_complete(&self, procedure: Procedure, today: NaiveDate) -> bool {
        self.procedures
            .iter()
            .find(|c| c.procedure == procedure)
            .is_some_and(|c| c.info.validate(procedure, today).is_ok())
    }

    /// The documents step 4 asks for, in order.
    pub fn required_documents(&self) -> Vec<DocumentKind> {
        required_documents(self.procedures.iter().map(|c| c.procedure))
    }

    /// The appointment length the chosen procedures need.
    pub fn appointment_minutes(&self) -> u32 {
        total_minutes(self.procedures.iter().map(|c| c.procedure))
    }

    /// The office's zone, for reading slots.
    pub fn office_tz(&self) -> Option<Tz> {
        self.office.as_ref().map(|o| o.tz)
    }

    // ---- what may change at any step ----------------------------------------------------

    /// The language switch on every screen.
    pub fn set_language(&mut self, language: Language) {
        self.language = language;
    }

    pub fn sign_in(&mut self, account_id: String, email: Email) {
        self.visitor = Visitor::SignedIn { account_id, email };
    }

    // ---- step changes --------------------------------------------------------------------

    fn at(&self, expected: Step) -> Result<(), SessionError> {
        if self.confirmation.is_some() {
            return Err(SessionError::AlreadyConfirmed);
        }
        if self.step == expected {
            Ok(())
        } else {
            Err(SessionError::WrongStep {
                expected,
                current: self.step,
            })
        }
    }

    /// Every reason the current step cannot be left.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<(), StepErrors> {
        let today = self
            .office_tz()
            .map_or_else(|| now.date_naive(), |tz| now.with_timezone(&tz).date_naive());
        let mut errors = Vec::new();
        match self.step {
            Step::Location => {
                if self.office.is_none() {
                    errors.push(StepError::NoOffice);
                }
            }
            Step::Procedures => {
                match &self.identity {
                    IdentityDraft::Missing => errors.push(StepError::NoIdentity),
                    IdentityDraft::Curp(_) => {}
                    IdentityDraft::NoCurp(d) => {
                        if let Err(e) = d.validate(today) {
                            errors.extend(e.into_iter().map(StepError::Field));
                        }
                    }
                }
                if self.procedures.is_empty() {
                    errors.push(StepError::NoProcedure);
                }
                for c in &self.procedures {
                    if c.info.validate(c.procedure, today).is_err() {
                        errors.push(StepError::ProcedureIncomplete(c.procedure));
                    }
                }
            }
            Step::Applicant => {
                if let Err(e) = self.applicant.validate() {
                    errors.extend(e.into_iter().map(StepError::Field));
                }
            }
            Step::Documents => {
                for kind in self.required_documents() {
                    if !self.documents.contains_key(&kind) {
                        errors.push(StepError::MissingDocument(kind));
                    }
                }
            }
            Step::DateTime => match (&self.slot, &self.hold) {
                (None, _) => errors.push(StepError::NoSlot),
                (Some(_), None) => errors.push(StepError::NoHold),
                (Some(_), Some(h)) if !h.is_live(now) => errors.push(StepError::HoldExpired),
                _ => {}
            },
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(StepErrors(errors))
        }
    }

    /// Moves to the next step if this one validates. Leaving step 1 locks the office.
    /// At step 5 there is no next step: use [`Session::booking_request`] and
    /// [`Session::confirm`].
    pub fn next(&mut self, now: DateTime<Utc>) -> Result<Step, SessionError> {
        if self.confirmation.is_some() {
            return Err(SessionError::AlreadyConfirmed);
        }
        self.validate(now)?;
        if let Some(next) = self.step.next() {
            if self.step == Step::Location {
                self.office_locked = true;
            }
            self.step = next;
        }
        Ok(self.step)
    }

    /// Moves one step back; everything entered is kept. Step 1 stays at step 1.
    pub fn back(&mut self) -> Step {
        if self.confirmation.is_none()
            && let Some(previous) = self.step.previous()
        {
            self.step = previous;
        }
        self.step
    }

    /// Goes back to `step` to change something (step 5's review: "Change" beside a line);
    /// never forward, and never once confirmed. Everything entered is kept, the office stays
    /// locked.
    pub fn back_to(&mut self, step: Step) -> Step {
        while self.step.number() > step.number() && self.confirmation.is_none() {
            self.back();
        }
        self.step
    }

    // ---- step 1 ----------------------------------------------------------------------------

    pub fn choose_office(&mut self, office: Office) -> Result<(), SessionError> {
        self.at(Step::Location)?;
        if self.office_locked {
            return Err(SessionError::OfficeLocked);
        }
        self.office = Some(office);
        Ok(())
    }

    // ---- step 2 ----------------------------------------------------------------------------

    /// Records whose CURP was found by the server's lookup.
    pub fn set_curp_identity(&mut self, record: CurpRecord) -> Result<(), SessionError> {
        self.at(Step::Procedures)?;
        self.identity = IdentityDraft::Curp(record);
        Ok(())
    }

    /// The "no CURP" path: keeps the draft as typed; it is checked when the step is left.
    pub fn set_no_curp_identity(&mut self, draft: NoCurpDraft) -> Result<(), SessionError> {
        self.at(Step::Procedures)?;
        self.identity = IdentityDraft::NoCurp(draft);
        Ok(())
    }

    /// Neither a CURP nor the no-CURP data: the visitor left the no-CURP path before searching.
    pub fn clear_identity(&mut self) -> Result<(), SessionError> {
        self.at(Step::Procedures)?;
        self.identity = IdentityDraft::Missing;
        Ok(())
    }

    pub fn add_procedure(&mut self, procedure: Procedure) -> Result<(), SessionError> {
        self.at(Step::Procedures)?;
        let offered = self.office.as_ref().is_some_and(|o| o.procedures.contains(&procedure));
        if !offered {
            return Err(SessionError::NotOffered(procedure));
        }
        if self.procedures.iter().any(|c| c.procedure == procedure) {
            return Err(SessionError::AlreadyChosen(procedure));
        }
        if self.procedures.len() >= MAX_PROCEDURES {
            return Err(SessionError::TooManyProcedures);
        }
        self.procedures.push(ChosenProcedure {
            procedure,
            info: InfoDraft::default(),
        });
        self.procedures_changed();
        Ok(())
    }

    pub fn remove_procedure(&mut self, procedure: Procedure) -> Result<(), SessionError> {
        self.at(Step::Procedures)?;
        let before = self.procedures.len();
        self.procedures.retain(|c| c.procedure != procedure);
        if self.procedures.len() == before {
            return Err(SessionError::NotChosen(procedure));
        }
        self.procedures_changed();
        Ok(())
    }

    /// Stores a procedure's "Enter information" form as typed, and returns whether it is now
    /// complete, with its errors if not.
    pub fn set_procedure_info(
        &mut self,
        procedure: Procedure,
        info: InfoDraft,
        today: NaiveDate,
    ) -> Result<Result<(), Vec<FieldError>>, SessionError> {
        self.at(Step::Procedures)?;
        let chosen = self
            .procedures
            .iter_mut()
            .find(|c| c.procedure == procedure)
            .ok_or(SessionError::NotChosen(procedure))?;
        let verdict = info.validate(procedure, today);
        chosen.info = info;
        Ok(verdict)
    }

    /// Documents no longer needed are dropped; the slot (sized for the old procedures) is
    /// released.
    fn procedures_changed(&mut self) {
        let needed = self.required_documents();
        self.documents.retain(|k, _| needed.contains(k));
        self.slot = None;
        if let Some(h) = self.hold.take() {
            self.released.push(h);
        }
    }

    // ---- step 3 ----------------------------------------------------------------------------

    pub fn set_applicant(&mut self, draft: ApplicantDraft) -> Result<(), SessionError> {
        self.at(Step::Applicant)?;
        self.applicant = draft;
        Ok(())
    }

    // ---- step 4 ----------------------------------------------------------------------------

    /// Attaches (or replaces, on Rescan) the PDF for one required document.
    pub fn attach_document(&mut self, kind: DocumentKind, document: Document) -> Result<(), SessionError> {
        self.at(Step::Documents)?;
        if !self.required_documents().contains(&kind) {
            return Err(SessionError::DocumentNotNeeded(kind));
        }
        if document.bytes == 0 || document.pages == 0 {
            return Err(SessionError::EmptyDocument);
        }
        if document.bytes > MAX_DOCUMENT_BYTES {
            return Err(SessionError::DocumentTooLarge { bytes: document.bytes });
        }
        self.documents.insert(kind, document);
        Ok(())
    }

    // ---- step 5 ----------------------------------------------------------------------------

    /// Picks a slot of the chosen office; the hold on any previous slot is to be released.
    pub fn choose_slot(&mut self, slot: Slot, now: DateTime<Utc>) -> Result<(), SessionError> {
        self.at(Step::DateTime)?;
        let office = self.office.as_ref().map(|o| &o.id);
        if office != Some(&slot.office) {
            return Err(SessionError::SlotOfAnotherOffice);
        }
        if slot.start <= now {
            return Err(SessionError::SlotInThePast);
        }
        if slot.remaining == 0 {
            return Err(SessionError::SlotFull);
        }
        if let Some(h) = self.hold.take() {
            self.released.push(h);
        }
        self.slot = Some(slot);
        Ok(())
    }

    /// Records the server's hold on the chosen slot (or its renewal).
    pub fn set_hold(&mut self, hold: Hold) -> Result<(), SessionError> {
        self.at(Step::DateTime)?;
        if self.slot.as_ref().map(|s| &s.id) != Some(&hold.slot) {
            return Err(SessionError::HoldForAnotherSlot);
        }
        self.hold = Some(hold);
        Ok(())
    }

    /// Everything the server needs to confirm, once every step validates at `now`.
    pub fn booking_request(&self, now: DateTime<Utc>) -> Result<BookingRequest, SessionError> {
        self.at(Step::DateTime)?;
        self.validate(now)?;
        let applicant = self
            .applicant
            .validate()
            .map_err(|e| StepErrors(e.into_iter().map(StepError::Field).collect()))?;
        let today = self
            .office_tz()
            .map_or_else(|| now.date_naive(), |tz| now.with_timezone(&tz).date_naive());
        let identity = match &self.identity {
            IdentityDraft::Missing => return Err(StepErrors(vec![StepError::NoIdentity]).into()),
            IdentityDraft::Curp(record) => Identity::Curp(record.clone()),
            IdentityDraft::NoCurp(draft) => Identity::NoCurp(
                draft
                    .validate(today)
                    .map_err(|e| StepErrors(e.into_iter().map(StepError::Field).collect()))?,
            ),
        };
        match (&self.office, &self.slot, &self.hold) {
            (Some(office), Some(slot), Some(hold)) => Ok(BookingRequest {
                office: office.clone(),
                slot: slot.clone(),
                hold: hold.clone(),
                identity,
                procedures: self.procedures.clone(),
                applicant,
                documents: self.documents.clone(),
            }),
            _ => Err(StepErrors(vec![StepError::NoSlot]).into()),
        }
    }

    /// Records the server's confirmation of the held slot; the visit becomes read-only.
    pub fn confirm(&mut self, code: String, slot: &SlotId) -> Result<&Confirmation, SessionError> {
        self.at(Step::DateTime)?;
        let (Some(s), Some(office)) = (&self.slot, &self.office) else {
            return Err(StepErrors(vec![StepError::NoSlot]).into());
        };
        if &s.id != slot {
            return Err(SessionError::HoldForAnotherSlot);
        }
        let time = AppointmentTime::new(s.start, office.tz);
        // The hold became the booking: nothing to release.
        self.hold = None;
        Ok(self.confirmation.insert(Confirmation { code, time }))
    }

    /// Holds the visit dropped (slot changed, procedures changed) for the server to release.
    pub fn take_released_holds(&mut self) -> Vec<Hold> {
        std::mem::take(&mut self.released)
    }

    /// Ends the visit (finish, cancel or inactivity): every field is cleared and the language
    /// returns to Spanish for the next visitor. Returns the holds to release on the server.
    pub fn end(&mut self) -> Vec<Hold> {
        let mut released = std::mem::take(&mut self.released);
        released.extend(self.hold.take());
        *self = Session::default();
        released
    }

    /// The slot ids this session can no longer use (for tests and diagnostics).
    #[cfg(test)]
    fn is_pristine(&self) -> bool {
        self.office.is_none()
            && !self.office_locked
            && self.identity == IdentityDraft::Missing
            && self.procedures.is_empty()
            && self.applicant == ApplicantDraft::default()
            && self.documents.is_empty()
            && self.slot.is_none()
            && self.hold.is_none()
            && self.confirmation.is_none()
            && self.released.is_empty()
            && self.visitor == Visitor::Guest
            && self.step == Step::Location
            && self.language == Language::Es
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::TimeZone;

    use super::*;
    use crate::applicant::MaritalStatus;
    use crate::availability::Thresholds;
    use crate::catalogue::InfoField;
    use crate::country::CountryCode;
    use crate::curp::{Curp, MexicanState};
    use crate::name::PersonName;
    use crate::office::{HoldId, OfficeId};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 18, 0, 0).unwrap()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    fn office(id: &str) -> Office {
        Office {
            id: OfficeId::from(id),
            name: format!("Consulado {id}"),
            country: CountryCode::US,
            tz: chrono_tz::America::Los_Angeles,
            procedures: BTreeSet::from([Procedure::Passport, Procedure::ConsularId, Procedure::BirthRegistration]),
            thresholds: Thresholds::default(),
        }
    }

    fn slot(office: &str, id: &str) -> Slot {
        Slot {
            id: SlotId::from(id),
            office: OfficeId::from(office),
            start: Utc.with_ymd_and_hms(2026, 12, 3, 18, 30, 0).unwrap(),
            minutes: 20,
            capacity: 4,
            remaining: 2,
        }
    }

    fn hold(slot: &str, seconds: i64) -> Hold {
        Hold {
            id: HoldId::from("h1"),
            slot: SlotId::from(slot),
            expires_at: now() + chrono::Duration::seconds(seconds),
        }
    }

    fn curp_record() -> CurpRecord {
        CurpRecord {
            curp: Curp::parse("GODE561231HDFRRN00").unwrap(),
            given_names: PersonName::parse("Enrique").unwrap(),
            first_last_name: PersonName::parse("González").unwrap(),
            second_last_name: Some(PersonName::parse("Durán").unwrap()),
        }
    }

    fn applicant() -> ApplicantDraft {
        ApplicantDraft {
            birth_country: "MX".into(),
            birth_state: Some(MexicanState::CiudadDeMexico),
            birth_city: "Coyoacán".into(),
            marital_status: Some(MaritalStatus::Single),
            address_country: "US".into(),
            postal_code: "90057".into(),
            address_state: "California".into(),
            city: "Los Angeles".into(),
            street: "2401 W 6th St".into(),
            emergency_name: "María José Núñez Güemes".into(),
            emergency_phone: "213 351 6800".into(),
        }
    }

    fn passport_info() -> InfoDraft {
        let mut f = InfoDraft::default();
        f.set(InfoField::PassportKind, "renewal");
        f.set(InfoField::PassportValidity, "10");
        f
    }

    fn doc(bytes: u64) -> Document {
        Document {
            id: "pdf-1".into(),
            pages: 1,
            bytes,
        }
    }

    /// A session at step `step` with everything before it filled in correctly.
    fn at_step(step: Step) -> Session {
        let mut s = Session::new(Language::En);
        s.choose_office(office("LAX")).unwrap();
        if step == Step::Location {
            return s;
        }
        s.next(now()).unwrap();
        s.set_curp_identity(curp_record()).unwrap();
        s.add_procedure(Procedure::Passport).unwrap();
        s.set_procedure_info(Procedure::Passport, passport_info(), today())
            .unwrap()
            .unwrap();
        if step == Step::Procedures {
            return s;
        }
        s.next(now()).unwrap();
        s.set_applicant(applicant()).unwrap();
        if step == Step::Applicant {
            return s;
        }
        s.next(now()).unwrap();
        for kind in s.required_documents() {
            s.attach_document(kind, doc(200_000)).unwrap();
        }
        if step == Step::Documents {
            return s;
        }
        s.next(now()).unwrap();
        s
    }

    #[test]
    fn walks_all_five_steps_and_confirms() {
        let mut s = at_step(Step::DateTime);
        assert_eq!(s.step().number(), 5);
        s.choose_slot(slot("LAX", "s1"), now()).unwrap();
        s.set_hold(hold("s1", 300)).unwrap();
        let req = s.booking_request(now()).unwrap();
        assert_eq!(
            req.procedures.iter().map(|c| c.procedure).collect::<Vec<_>>(),
            vec![Procedure::Passport]
        );
        assert_eq!(req.documents.len(), 3);
        assert_eq!(req.identity.curp().map(Curp::as_str), Some("GODE561231HDFRRN00"));
        let c = s.confirm("ABC123".into(), &SlotId::from("s1")).unwrap();
        assert_eq!(
            c.time.label(Language::Es),
            "jueves 3 de diciembre de 2026, a las 10:30 h (PST)"
        );
        assert!(s.take_released_holds().is_empty());
    }

    #[test]
    fn the_review_goes_back_to_a_step_keeping_everything_and_never_forward() {
        let mut s = at_step(Step::DateTime);
        s.choose_slot(slot("LAX", "s1"), now()).unwrap();
        assert_eq!(s.back_to(Step::Applicant), Step::Applicant);
        assert!(s.office_locked());
        assert_eq!(s.procedures().len(), 1);
        assert_eq!(s.identity().display_name().as_deref(), Some("Enrique González Durán"));
        // Forward is Next's job, after each step validates again.
        assert_eq!(s.back_to(Step::DateTime), Step::Applicant);
        assert_eq!(s.next(now()), Ok(Step::Documents));
    }

    #[test]
    fn cannot_leave_a_step_until_it_validates() {
        let mut s = Session::new(Language::Es);
        assert_eq!(s.next(now()), Err(StepErrors(vec![StepError::NoOffice]).into()));
        assert_eq!(s.step(), Step::Location);
    }

    #[test]
    fn reports_every_problem_of_the_procedure_step_at_once() {
        let mut s = at_step(Step::Location);
        s.next(now()).unwrap();
        s.add_procedure(Procedure::BirthRegistration).unwrap();
        let Err(SessionError::Incomplete(StepErrors(errors))) = s.next(now()) else {
            panic!()
        };
        assert_eq!(
            errors,
            vec![
                StepError::NoIdentity,
                StepError::ProcedureIncomplete(Procedure::BirthRegistration)
            ]
        );
    }

    #[test]
    fn office_cannot_change_once_step_one_is_done() {
        let mut s = at_step(Step::Procedures);
        assert_eq!(s.back(), Step::Location);
        assert_eq!(s.choose_office(office("SAN")), Err(SessionError::OfficeLocked));
        assert_eq!(s.office().unwrap().id, OfficeId::from("LAX"));
        assert!(
            SessionError::OfficeLocked
                .explain(Language::Es)
                .contains("ya no se puede cambiar")
        );
    }

    #[test]
    fn office_can_change_freely_before_leaving_step_one() {
        let mut s = Session::new(Language::Es);
        s.choose_office(office("LAX")).unwrap();
        s.choose_office(office("SAN")).unwrap();
        assert_eq!(s.office().unwrap().id, OfficeId::from("SAN"));
    }

    #[test]
    fn going_back_keeps_what_was_entered_even_if_wrong() {
        let mut s = at_step(Step::Applicant);
        let mut typed = applicant();
        typed.postal_code = "9005".into();
        s.set_applicant(typed.clone()).unwrap();
        assert!(s.next(now()).is_err());
        assert_eq!(s.back(), Step::Procedures);
        assert_eq!(s.next(now()), Ok(Step::Applicant));
        assert_eq!(s.applicant(), &typed);
        assert_eq!(s.procedures()[0].info, passport_info());
    }

    #[test]
    fn only_the_current_steps_data_can_change() {
        let mut s = at_step(Step::Applicant);
        assert_eq!(
            s.add_procedure(Procedure::ConsularId),
            Err(SessionError::WrongStep {
                expected: Step::Procedures,
                current: Step::Applicant
            })
        );
    }

    #[test]
    fn procedure_shows_completed_only_when_its_form_validates() {
        let mut s = at_step(Step::Location);
        s.next(now()).unwrap();
        s.add_procedure(Procedure::Passport).unwrap();
        assert!(!s.procedure_complete(Procedure::Passport, today()));
        let mut half = InfoDraft::default();
        half.set(InfoField::PassportKind, "renewal");
        assert!(
            s.set_procedure_info(Procedure::Passport, half, today())
                .unwrap()
                .is_err()
        );
        assert!(!s.procedure_complete(Procedure::Passport, today()));
        s.set_procedure_info(Procedure::Passport, passport_info(), today())
            .unwrap()
            .unwrap();
        assert!(s.procedure_complete(Procedure::Passport, today()));
        // A procedure without a form is complete as soon as it is added.
        s.add_procedure(Procedure::ConsularId).unwrap();
        assert!(s.procedure_complete(Procedure::ConsularId, today()));
    }

    #[test]
    fn refuses_procedures_the_office_does_not_offer_or_twice() {
        let mut s = at_step(Step::Procedures);
        assert_eq!(
            s.add_procedure(Procedure::Will),
            Err(SessionError::NotOffered(Procedure::Will))
        );
        assert_eq!(
            s.add_procedure(Procedure::Passport),
            Err(SessionError::AlreadyChosen(Procedure::Passport))
        );
    }

    #[test]
    fn documents_step_asks_exactly_for_what_the_procedures_need() {
        let mut s = at_step(Step::Documents);
        assert_eq!(s.required_documents(), DocumentKind::BASE.to_vec());
        assert_eq!(
            s.attach_document(DocumentKind::ProofOfAddress, doc(10)),
            Err(SessionError::DocumentNotNeeded(DocumentKind::ProofOfAddress))
        );
        // Back to step 2, add the matrícula: proof of address is now asked for, and step 4
        // cannot be left without it.
        s.back();
        s.back();
        s.add_procedure(Procedure::ConsularId).unwrap();
        s.next(now()).unwrap();
        s.next(now()).unwrap();
        let Err(SessionError::Incomplete(StepErrors(errors))) = s.next(now()) else {
            panic!()
        };
        assert_eq!(errors, vec![StepError::MissingDocument(DocumentKind::ProofOfAddress)]);
        s.attach_document(DocumentKind::ProofOfAddress, doc(10)).unwrap();
        assert_eq!(s.next(now()), Ok(Step::DateTime));
    }

    #[test]
    fn dropping_a_procedure_drops_documents_no_longer_needed() {
        let mut s = at_step(Step::Procedures);
        s.add_procedure(Procedure::ConsularId).unwrap();
        s.next(now()).unwrap();
        s.set_applicant(applicant()).unwrap();
        s.next(now()).unwrap();
        for kind in s.required_documents() {
            s.attach_document(kind, doc(10)).unwrap();
        }
        assert_eq!(s.documents().len(), 4);
        s.back();
        s.back();
        s.remove_procedure(Procedure::ConsularId).unwrap();
        assert_eq!(
            s.documents().keys().copied().collect::<Vec<_>>(),
            DocumentKind::BASE.to_vec()
        );
    }

    #[test]
    fn refuses_documents_over_one_megabyte_and_empty_ones() {
        let mut s = at_step(Step::Documents);
        assert_eq!(
            s.attach_document(DocumentKind::ProofOfIdentity, doc(1_000_001)),
            Err(SessionError::DocumentTooLarge { bytes: 1_000_001 })
        );
        assert_eq!(s.attach_document(DocumentKind::ProofOfIdentity, doc(1_000_000)), Ok(()));
        assert_eq!(
            s.attach_document(DocumentKind::ProofOfIdentity, doc(0)),
            Err(SessionError::EmptyDocument)
        );
    }

    #[test]
    fn rescan_replaces_the_document() {
        let mut s = at_step(Step::Documents);
        s.attach_document(
            DocumentKind::ProofOfIdentity,
            Document {
                id: "new".into(),
                pages: 2,
                bytes: 5,
            },
        )
        .unwrap();
        assert_eq!(s.documents()[&DocumentKind::ProofOfIdentity].id, "new");
    }

    #[test]
    fn slot_can_be_chosen_only_from_the_chosen_office() {
        let mut s = at_step(Step::DateTime);
        assert_eq!(
            s.choose_slot(slot("SAN", "x"), now()),
            Err(SessionError::SlotOfAnotherOffice)
        );
        let mut full = slot("LAX", "f");
        full.remaining = 0;
        assert_eq!(s.choose_slot(full, now()), Err(SessionError::SlotFull));
        let mut past = slot("LAX", "p");
        past.start = now();
        assert_eq!(s.choose_slot(past, now()), Err(SessionError::SlotInThePast));
    }

    #[test]
    fn confirming_needs_a_live_hold_on_the_chosen_slot() {
        let mut s = at_step(Step::DateTime);
        s.choose_slot(slot("LAX", "s1"), now()).unwrap();
        assert!(
            matches!(s.booking_request(now()), Err(SessionError::Incomplete(StepErrors(e))) if e == vec![StepError::NoHold])
        );
        assert_eq!(s.set_hold(hold("other", 300)), Err(SessionError::HoldForAnotherSlot));
        s.set_hold(hold("s1", 300)).unwrap();
        let later = now() + chrono::Duration::seconds(301);
        assert!(
            matches!(s.booking_request(later), Err(SessionError::Incomplete(StepErrors(e))) if e == vec![StepError::HoldExpired])
        );
        assert!(s.booking_request(now()).is_ok());
        assert_eq!(s.hold().unwrap().seconds_left(now()), 300);
    }

    #[test]
    fn choosing_another_slot_releases_the_previous_hold() {
        let mut s = at_step(Step::DateTime);
        s.choose_slot(slot("LAX", "s1"), now()).unwrap();
        s.set_hold(hold("s1", 300)).unwrap();
        s.choose_slot(slot("LAX", "s2"), now()).unwrap();
        assert_eq!(s.hold(), None);
        assert_eq!(s.take_released_holds(), vec![hold("s1", 300)]);
    }

    #[test]
    fn a_confirmed_visit_cannot_change() {
        let mut s = at_step(Step::DateTime);
        s.choose_slot(slot("LAX", "s1"), now()).unwrap();
        s.set_hold(hold("s1", 300)).unwrap();
        s.confirm("ABC123".into(), &SlotId::from("s1")).unwrap();
        assert_eq!(
            s.choose_slot(slot("LAX", "s2"), now()),
            Err(SessionError::AlreadyConfirmed)
        );
        assert_eq!(s.back(), Step::DateTime);
        assert_eq!(s.next(now()), Err(SessionError::AlreadyConfirmed));
    }

    #[test]
    fn ending_the_visit_clears_every_field_and_returns_holds_to_release() {
        let mut s = at_step(Step::DateTime);
        s.sign_in("acc-1".into(), Email::parse("ana@example.com").unwrap());
        s.choose_slot(slot("LAX", "s1"), now()).unwrap();
        s.set_hold(hold("s1", 300)).unwrap();
        let released = s.end();
        assert_eq!(released, vec![hold("s1", 300)]);
        assert!(s.is_pristine());
    }

    #[test]
    fn no_curp_identity_is_checked_when_leaving_step_two() {
        let mut s = at_step(Step::Location);
        s.next(now()).unwrap();
        s.add_procedure(Procedure::ConsularId).unwrap();
        s.set_no_curp_identity(NoCurpDraft {
            given_names: "R2D2".into(),
            ..NoCurpDraft::default()
        })
        .unwrap();
        let Err(SessionError::Incomplete(StepErrors(errors))) = s.next(now()) else {
            panic!()
        };
        assert!(errors.len() >= 4, "{errors:?}");
        let text = SessionError::Incomplete(StepErrors(errors)).explain(Language::En);
        assert!(text.contains("Given name(s): A name has no digits"), "{text}");
    }

    #[test]
    fn every_step_has_a_number_and_a_label() {
        let numbers: Vec<u8> = Step::ALL.iter().map(|s| s.number()).collect();
        assert_eq!(numbers, vec![1, 2, 3, 4, 5]);
        assert_eq!(Step::DateTime.label(Language::Es), "Fecha y hora");
        assert_eq!(Step::Location.previous(), None);
        assert_eq!(Step::DateTime.next(), None);
    }
}
