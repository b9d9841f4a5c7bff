//! The procedures a consulate offers, what each needs from the visitor, and which documents.
//!
//! This is the kiosk's built-in knowledge of the Citas SRE catalogue: the three groups the
//! booking page shows (vital records, notarial services, identity documents), whether a
//! procedure needs its "Enter information" form before it counts as complete, how long an
//! appointment for it usually takes, and the documents to scan for it. The central server says
//! which procedures each office offers; it does not change what a procedure is.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::lang::Language;

/// The groups of the "Type of procedure" step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcedureGroup {
    /// Registro civil.
    VitalRecords,
    /// Servicios notariales.
    NotarialServices,
    /// Pasaporte, matrícula consular, credencial INE.
    IdentityDocuments,
}

impl ProcedureGroup {
    pub const ALL: [ProcedureGroup; 3] = [
        ProcedureGroup::VitalRecords,
        ProcedureGroup::NotarialServices,
        ProcedureGroup::IdentityDocuments,
    ];

    pub fn label(self, lang: Language) -> &'static str {
        match self {
            ProcedureGroup::VitalRecords => lang.pick("Registro civil", "Vital records"),
            ProcedureGroup::NotarialServices => lang.pick("Servicios notariales", "Notarial services"),
            ProcedureGroup::IdentityDocuments => {
                lang.pick("Pasaporte, matrícula consular e INE", "Passport, consular ID and INE")
            }
        }
    }
}

/// A procedure a visitor can book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Procedure {
    BirthRegistration,
    MarriageRegistration,
    DeathRegistration,
    PowerOfAttorney,
    PowerOfAttorneyRevocation,
    Will,
    InheritanceRepudiation,
    ParentalConsent,
    Passport,
    ConsularId,
    VoterCredential,
}

/// A document the visitor scans at the kiosk. Every booking asks for the first three; a
/// procedure may add others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// Acta de nacimiento, certificado de nacionalidad, carta de naturalización...
    ProofOfNationality,
    /// Documento probatorio: what the procedure is about.
    SupportingDocument,
    /// Identificación oficial con fotografía.
    ProofOfIdentity,
    /// Comprobante de domicilio (matrícula consular, INE).
    ProofOfAddress,
    /// The foreign birth certificate being registered.
    ForeignBirthCertificate,
    /// The foreign marriage certificate being registered.
    ForeignMarriageCertificate,
    /// The foreign death certificate being registered.
    ForeignDeathCertificate,
    /// Identification of the minor's other parent (parental consent).
    OtherParentIdentity,
}

impl DocumentKind {
    /// The three every booking needs, in the order the Documents step shows them.
    pub const BASE: [DocumentKind; 3] = [
        DocumentKind::ProofOfNationality,
        DocumentKind::SupportingDocument,
        DocumentKind::ProofOfIdentity,
    ];

    /// A photo identification: the one kind a colour scan helps (the face and the security
    /// print are checked against the visitor); every other document is read in grey, smaller
    /// under the 1,000,000-byte limit.
    pub fn is_photo_id(self) -> bool {
        matches!(self, DocumentKind::ProofOfIdentity | DocumentKind::OtherParentIdentity)
    }

    pub fn label(self, lang: Language) -> &'static str {
        match self {
            DocumentKind::ProofOfNationality => lang.pick("Prueba de nacionalidad", "Proof of nationality"),
            DocumentKind::SupportingDocument => lang.pick("Documento probatorio", "Supporting document"),
            DocumentKind::ProofOfIdentity => lang.pick("Prueba de identidad", "Proof of identity"),
            DocumentKind::ProofOfAddress => lang.pick("Comprobante de domicilio", "Proof of address"),
            DocumentKind::ForeignBirthCertificate => {
                lang.pick("Certificado de nacimiento extranjero", "Foreign birth certificate")
            }
            DocumentKind::ForeignMarriageCertificate => {
                lang.pick("Certificado de matrimonio extranjero", "Foreign marriage certificate")
            }
            DocumentKind::ForeignDeathCertificate => {
                lang.pick("Certificado de defunción extranjero", "Foreign death certificate")
            }
            DocumentKind::OtherParentIdentity => lang.pick(
                "Identificación del otro padre o madre",
                "Identification of the other parent",
            ),
        }
    }
}

impl Procedure {
    /// Every procedure, in the order the step lists them.
    pub const ALL: [Procedure; 11] = [
        Procedure::BirthRegistration,
        Procedure::MarriageRegistration,
        Procedure::DeathRegistration,
        Procedure::PowerOfAttorney,
        Procedure::PowerOfAttorneyRevocation,
        Procedure::Will,
        Procedure::InheritanceRepudiation,
        Procedure::ParentalConsent,
        Procedure::Passport,
        Procedure::ConsularId,
        Procedure::VoterCredential,
    ];

    /// The stable identifier used by the central API (`birth_registration`, ...).
    pub fn id(self) -> &'static str {
        match self {
            Procedure::BirthRegistration => "birth_registration",
            Procedure::MarriageRegistration => "marriage_registration",
            Procedure::DeathRegistration => "death_registration",
            Procedure::PowerOfAttorney => "power_of_attorney",
            Procedure::PowerOfAttorneyRevocation => "power_of_attorney_revocation",
            Procedure::Will => "will",
            Procedure::InheritanceRepudiation => "inheritance_repudiation",
            Procedure::ParentalConsent => "parental_consent",
            Procedure::Passport => "passport",
            Procedure::ConsularId => "consular_id",
            Procedure::VoterCredential => "voter_credential",
        }
    }

    /// The procedure with this API identifier.
    pub fn from_id(id: &str) -> Option<Procedure> {
        Procedure::ALL.into_iter().find(|p| p.id() == id)
    }

    /// Procedures named by their API identifiers, as one line in `lang` ("Passport · Consular
    /// ID"); an identifier this kiosk does not know is shown as sent rather than dropped.
    pub fn labels<S: AsRef<str>>(ids: &[S], lang: Language) -> String {
        ids.iter()
            .map(|id| Procedure::from_id(id.as_ref()).map_or(id.as_ref(), |p| p.label(lang)))
            .collect::<Vec<_>>()
            .join(" · ")
    }

    pub fn group(self) -> ProcedureGroup {
        match self {
            Procedure::BirthRegistration | Procedure::MarriageRegistration | Procedure::DeathRegistration => {
                ProcedureGroup::VitalRecords
            }
            Procedure::PowerOfAttorney
            | Procedure::PowerOfAttorneyRevocation
            | Procedure::Will
            | Procedure::InheritanceRepudiation
            | Procedure::ParentalConsent => ProcedureGroup::NotarialServices,
            Procedure::Passport | Procedure::ConsularId | Procedure::VoterCredential => {
                ProcedureGroup::IdentityDocuments
            }
        }
    }

    pub fn label(self, lang: Language) -> &'static str {
        match self {
            Procedure::BirthRegistration => lang.pick("Registro de nacimiento", "Birth registration"),
            Procedure::MarriageRegistration => lang.pick("Registro de matrimonio", "Marriage registration"),
            Procedure::DeathRegistration => lang.pick("Registro de defunción", "Death registration"),
            Procedure::PowerOfAttorney => lang.pick("Poder notarial", "Power of attorney"),
            Procedure::PowerOfAttorneyRevocation => {
                lang.pick("Revocación de poder", "Revocation of a power of attorney")
            }
            Procedure::Will => lang.pick("Testamento", "Will"),
            Procedure::InheritanceRepudiation => lang.pick("Repudio de herencia", "Renunciation of inheritance"),
            Procedure::ParentalConsent => {
                lang.pick("Consentimiento para trámite de menores", "Parental consent for a minor")
            }
            Procedure::Passport => lang.pick("Pasaporte", "Passport"),
            Procedure::ConsularId => lang.pick("Matrícula consular", "Consular ID card (matrícula consular)"),
            Procedure::VoterCredential => lang.pick("Credencial para votar (INE)", "Voter ID card (INE)"),
        }
    }

    /// The fields of the procedure's "Enter information" form, in the order it shows them.
    /// Empty for procedures that are complete as soon as they are added: everything they need
    /// comes from the applicant's own data (matrícula, INE, a will made by the applicant).
    pub fn info_fields(self) -> &'static [InfoField] {
        use InfoField::{EventDate, EventPlace, OtherPersonName, PassportKind, PassportValidity, PersonName};
        match self {
            Procedure::BirthRegistration | Procedure::DeathRegistration => &[PersonName, EventDate, EventPlace],
            Procedure::MarriageRegistration => &[OtherPersonName, EventDate, EventPlace],
            Procedure::PowerOfAttorney => &[OtherPersonName],
            Procedure::PowerOfAttorneyRevocation => &[OtherPersonName, EventDate],
            Procedure::InheritanceRepudiation => &[PersonName, EventDate],
            Procedure::ParentalConsent => &[PersonName, OtherPersonName],
            Procedure::Passport => &[PassportKind, PassportValidity],
            Procedure::Will | Procedure::ConsularId | Procedure::VoterCredential => &[],
        }
    }

    /// Whether the procedure needs its "Enter information" form before it counts as complete.
    pub fn needs_information(self) -> bool {
        !self.info_fields().is_empty()
    }

    /// A typical appointment length in minutes, used to size slots.
    pub fn typical_minutes(self) -> u32 {
        match self {
            Procedure::Passport | Procedure::ConsularId => 20,
            Procedure::VoterCredential => 15,
            Procedure::BirthRegistration
            | Procedure::MarriageRegistration
            | Procedure::DeathRegistration
            | Procedure::PowerOfAttorneyRevocation
            | Procedure::InheritanceRepudiation
            | Procedure::ParentalConsent => 30,
            Procedure::PowerOfAttorney => 45,
            Procedure::Will => 60,
        }
    }

    /// The documents beyond [`DocumentKind::BASE`] this procedure adds.
    pub fn extra_documents(self) -> &'static [DocumentKind] {
        match self {
            Procedure::BirthRegistration => &[DocumentKind::ForeignBirthCertificate],
            Procedure::MarriageRegistration => &[DocumentKind::ForeignMarriageCertificate],
            Procedure::DeathRegistration => &[DocumentKind::ForeignDeathCertificate],
            Procedure::ParentalConsent => &[DocumentKind::OtherParentIdentity],
            Procedure::ConsularId | Procedure::VoterCredential => &[DocumentKind::ProofOfAddress],
            Procedure::PowerOfAttorney
            | Procedure::PowerOfAttorneyRevocation
            | Procedure::Will
            | Procedure::InheritanceRepudiation
            | Procedure::Passport => &[],
        }
    }
}

/// A field of a procedure's "Enter information" form. What the person fields mean depends on
/// the procedure (the child to register, the deceased, the spouse...): see [`InfoField::label`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InfoField {
    /// The person the act is about (child, deceased, minor).
    PersonName,
    /// The other person in the act (spouse, attorney-in-fact, other parent).
    OtherPersonName,
    /// The date of the event (birth, marriage, death, the power being revoked).
    EventDate,
    /// Where the event happened (city and country).
    EventPlace,
    /// First passport, renewal or replacement.
    PassportKind,
    /// 1, 3, 6 or 10 years.
    PassportValidity,
}

impl InfoField {
    pub fn label(self, procedure: Procedure, lang: Language) -> &'static str {
        use Procedure as P;
        match (self, procedure) {
            (InfoField::PersonName, P::BirthRegistration) => lang.pick(
                "Nombre completo de quien se registra",
                "Full name of the person being registered",
            ),
            (InfoField::PersonName, P::DeathRegistration | P::InheritanceRepudiation) => {
                lang.pick("Nombre completo de la persona fallecida", "Full name of the deceased")
            }
            (InfoField::PersonName, P::ParentalConsent) => {
                lang.pick("Nombre completo del menor", "Full name of the minor")
            }
            (InfoField::PersonName, _) => lang.pick("Nombre completo", "Full name"),
            (InfoField::OtherPersonName, P::MarriageRegistration) => {
                lang.pick("Nombre completo del cónyuge", "Full name of the spouse")
            }
            (InfoField::OtherPersonName, P::PowerOfAttorney | P::PowerOfAttorneyRevocation) => {
                lang.pick("Nombre completo del apoderado", "Full name of the attorney-in-fact")
            }
            (InfoField::OtherPersonName, P::ParentalConsent) => lang.pick(
                "Nombre completo del otro padre o madre",
                "Full name of the other parent",
            ),
            (InfoField::OtherPersonName, _) => {
                lang.pick("Nombre completo de la otra persona", "Full name of the other person")
            }
            (InfoField::EventDate, P::BirthRegistration) => lang.pick("Fecha de nacimiento", "Date of birth"),
            (InfoField::EventDate, P::MarriageRegistration) => lang.pick("Fecha del matrimonio", "Date of marriage"),
            (InfoField::EventDate, P::DeathRegistration | P::InheritanceRepudiation) => {
                lang.pick("Fecha de defunción", "Date of death")
            }
            (InfoField::EventDate, P::PowerOfAttorneyRevocation) => {
                lang.pick("Fecha del poder que se revoca", "Date of the power being revoked")
            }
            (InfoField::EventDate, _) => lang.pick("Fecha", "Date"),
            (InfoField::EventPlace, _) => lang.pick("Lugar (ciudad y país)", "Place (city and country)"),
            (InfoField::PassportKind, _) => lang.pick("Tipo de trámite", "Kind of application"),
            (InfoField::PassportValidity, _) => lang.pick("Vigencia (años)", "Validity (years)"),
        }
    }
}

impl fmt::Display for Procedure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The documents a set of procedures needs: the three base ones, then each procedure's extras,
/// each kind once, in a stable order.
pub fn required_documents(procedures: impl IntoIterator<Item = Procedure>) -> Vec<DocumentKind> {
    let mut extras = BTreeSet::new();
    for p in procedures {
        extras.extend(p.extra_documents().iter().copied());
    }
    DocumentKind::BASE.into_iter().chain(extras).collect()
}

/// The appointment length for a set of procedures, in minutes.
pub fn total_minutes(procedures: impl IntoIterator<Item = Procedure>) -> u32 {
    procedures.into_iter().map(Procedure::typical_minutes).sum()
}

#[cfg(test)]
mod tests {
    #[test]
    fn procedures_are_labelled_in_one_line_and_an_unknown_one_is_shown_as_sent() {
        use super::Procedure;
        use crate::Language;
        let ids = ["passport", "consular_id", "apostille_v2"];
        assert_eq!(
            Procedure::labels(&ids, Language::En),
            format!(
                "{} · {} · apostille_v2",
                Procedure::Passport.label(Language::En),
                Procedure::ConsularId.label(Language::En)
            )
        );
        assert_eq!(Procedure::labels::<&str>(&[], Language::Es), "");
    }

    use super::*;

    #[test]
    fn every_group_has_procedures() {
        for g in ProcedureGroup::ALL {
            assert!(Procedure::ALL.iter().any(|p| p.group() == g), "{g:?}");
        }
    }

    #[test]
    fn procedure_ids_are_unique_and_round_trip() {
        for p in Procedure::ALL {
            assert_eq!(Procedure::from_id(p.id()), Some(p));
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{}\"", p.id()));
        }
        assert_eq!(Procedure::from_id("visa"), None);
    }

    #[test]
    fn passport_needs_information_and_matricula_is_complete_when_added() {
        assert!(Procedure::Passport.needs_information());
        assert!(Procedure::BirthRegistration.needs_information());
        assert!(!Procedure::ConsularId.needs_information());
        assert!(!Procedure::VoterCredential.needs_information());
        assert!(!Procedure::Will.needs_information());
    }

    #[test]
    fn every_info_field_has_a_label_in_both_languages() {
        for p in Procedure::ALL {
            for f in p.info_fields() {
                assert_ne!(f.label(p, Language::Es), f.label(p, Language::En), "{p:?} {f:?}");
            }
        }
    }

    #[test]
    fn every_booking_asks_for_the_three_base_documents() {
        assert_eq!(required_documents([Procedure::Passport]), DocumentKind::BASE.to_vec());
    }

    #[test]
    fn procedures_add_their_documents_once() {
        let docs = required_documents([
            Procedure::ConsularId,
            Procedure::VoterCredential,
            Procedure::BirthRegistration,
        ]);
        assert_eq!(
            docs,
            vec![
                DocumentKind::ProofOfNationality,
                DocumentKind::SupportingDocument,
                DocumentKind::ProofOfIdentity,
                DocumentKind::ProofOfAddress,
                DocumentKind::ForeignBirthCertificate,
            ]
        );
    }

    #[test]
    fn only_photo_identification_is_offered_in_colour() {
        assert!(DocumentKind::ProofOfIdentity.is_photo_id());
        assert!(DocumentKind::OtherParentIdentity.is_photo_id());
        assert!(!DocumentKind::ProofOfAddress.is_photo_id());
        assert!(!DocumentKind::ProofOfNationality.is_photo_id());
    }

    #[test]
    fn labels_differ_between_languages() {
        for p in Procedure::ALL {
            assert!(!p.label(Language::Es).is_empty());
            assert!(!p.label(Language::En).is_empty());
        }
        assert_ne!(Procedure::Will.label(Language::Es), Procedure::Will.label(Language::En));
    }

    #[test]
    fn adds_durations_of_several_procedures() {
        assert_eq!(total_minutes([Procedure::Passport, Procedure::VoterCredential]), 35);
    }
}
