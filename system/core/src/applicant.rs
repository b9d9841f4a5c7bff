//! What the visitor types in steps 2 and 3, kept as drafts exactly as typed (so going back shows
//! it again, mistakes included) and turned into checked values only when the step is left.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalogue::{InfoField, Procedure};
use crate::country::CountryCode;
use crate::curp::{Curp, MexicanState, Sex};
use crate::form::{Checker, Field, FieldError, UnknownField};
use crate::lang::Language;
use crate::name::PersonName;
use crate::phone::Phone;
use crate::postal::PostalCode;

/// The answer of the central server's CURP lookup: whose CURP it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurpRecord {
    pub curp: Curp,
    pub given_names: PersonName,
    pub first_last_name: PersonName,
    pub second_last_name: Option<PersonName>,
}

/// The "no CURP / foreign national" path: the data a CURP would have given, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoCurpDraft {
    pub given_names: String,
    pub first_last_name: String,
    pub second_last_name: String,
    /// As typed: `DD/MM/AAAA` (or `AAAA-MM-DD`), read by `form::parse_date`.
    pub birth_date: String,
    pub sex: Option<Sex>,
    pub nationality: String,
}

/// A checked no-CURP identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoCurpIdentity {
    pub given_names: PersonName,
    pub first_last_name: PersonName,
    pub second_last_name: Option<PersonName>,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub nationality: CountryCode,
}

/// Who the appointment is for, checked: found by CURP or entered on the no-CURP path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Identity {
    Curp(CurpRecord),
    NoCurp(NoCurpIdentity),
}

impl Identity {
    pub fn given_names(&self) -> &PersonName {
        match self {
            Identity::Curp(r) => &r.given_names,
            Identity::NoCurp(i) => &i.given_names,
        }
    }

    pub fn first_last_name(&self) -> &PersonName {
        match self {
            Identity::Curp(r) => &r.first_last_name,
            Identity::NoCurp(i) => &i.first_last_name,
        }
    }

    pub fn second_last_name(&self) -> Option<&PersonName> {
        match self {
            Identity::Curp(r) => r.second_last_name.as_ref(),
            Identity::NoCurp(i) => i.second_last_name.as_ref(),
        }
    }

    pub fn curp(&self) -> Option<&Curp> {
        match self {
            Identity::Curp(r) => Some(&r.curp),
            Identity::NoCurp(_) => None,
        }
    }

    /// "Given names First Second", as a ticket or a screen prints it.
    pub fn full_name(&self) -> String {
        let mut out = format!("{} {}", self.given_names().as_str(), self.first_last_name().as_str());
        if let Some(second) = self.second_last_name() {
            out.push(' ');
            out.push_str(second.as_str());
        }
        out
    }
}

/// Who the appointment is for, as entered so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum IdentityDraft {
    #[default]
    Missing,
    Curp(CurpRecord),
    NoCurp(NoCurpDraft),
}

impl IdentityDraft {
    /// The applicant's name as the visitor gave it (or their CURP's record holds), "Given
    /// names First Second"; `None` before step 2 has one.
    pub fn display_name(&self) -> Option<String> {
        let parts: Vec<String> = match self {
            IdentityDraft::Missing => return None,
            IdentityDraft::Curp(r) => [
                Some(&r.given_names),
                Some(&r.first_last_name),
                r.second_last_name.as_ref(),
            ]
            .into_iter()
            .flatten()
            .map(|n| n.as_str().to_owned())
            .collect(),
            IdentityDraft::NoCurp(d) => [&d.given_names, &d.first_last_name, &d.second_last_name]
                .into_iter()
                .map(|n| n.trim().to_owned())
                .collect(),
        };
        let name = parts
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        (!name.is_empty()).then_some(name)
    }
}

impl NoCurpDraft {
    /// One field set as typed (or chosen: the sex by its CURP letter), by the field's key.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), UnknownField> {
        let v = value.to_owned();
        match key {
            "given_names" => self.given_names = v,
            "first_last_name" => self.first_last_name = v,
            "second_last_name" => self.second_last_name = v,
            "birth_date" => self.birth_date = v,
            "sex" => self.sex = Sex::from_letter(value),
            "nationality" => self.nationality = v,
            other => return Err(UnknownField(other.to_owned())),
        }
        Ok(())
    }

    pub fn validate(&self, today: NaiveDate) -> Result<NoCurpIdentity, Vec<FieldError>> {
        let mut c = Checker::default();
        let given_names = c.name(Field::GivenNames, &self.given_names);
        let first_last_name = c.name(Field::FirstLastName, &self.first_last_name);
        let second_last_name = c.optional_name(Field::SecondLastName, &self.second_last_name);
        let birth_date = c.past_date(Field::BirthDate, &self.birth_date, today);
        let sex = c.required(Field::Sex, self.sex);
        let nationality = c.country(Field::Nationality, &self.nationality);
        let value = (|| {
            Some(NoCurpIdentity {
                given_names: given_names?,
                first_last_name: first_last_name?,
                second_last_name: second_last_name.ok()?,
                birth_date: birth_date?,
                sex: sex?,
                nationality: nationality?,
            })
        })();
        c.finish(value)
    }
}

/// Marital status, as the Citas SRE form lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaritalStatus {
    Single,
    Married,
    CommonLaw,
    Divorced,
    Separated,
    Widowed,
}

impl MaritalStatus {
    pub const ALL: [MaritalStatus; 6] = [
        MaritalStatus::Single,
        MaritalStatus::Married,
        MaritalStatus::CommonLaw,
        MaritalStatus::Divorced,
        MaritalStatus::Separated,
        MaritalStatus::Widowed,
    ];

    /// Its identifier, as a form's choice names it.
    pub fn id(self) -> &'static str {
        match self {
            MaritalStatus::Single => "single",
            MaritalStatus::Married => "married",
            MaritalStatus::CommonLaw => "common_law",
            MaritalStatus::Divorced => "divorced",
            MaritalStatus::Separated => "separated",
            MaritalStatus::Widowed => "widowed",
        }
    }

    pub fn from_id(id: &str) -> Option<MaritalStatus> {
        MaritalStatus::ALL.into_iter().find(|m| m.id() == id)
    }

    pub fn label(self, lang: Language) -> &'static str {
        match self {
            MaritalStatus::Single => lang.pick("Soltero(a)", "Single"),
            MaritalStatus::Married => lang.pick("Casado(a)", "Married"),
            MaritalStatus::CommonLaw => lang.pick("Unión libre", "Common-law partner"),
            MaritalStatus::Divorced => lang.pick("Divorciado(a)", "Divorced"),
            MaritalStatus::Separated => lang.pick("Separado(a)", "Separated"),
            MaritalStatus::Widowed => lang.pick("Viudo(a)", "Widowed"),
        }
    }
}

/// Step 3 as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplicantDraft {
    pub birth_country: String,
    /// Asked only when the birth country is Mexico.
    pub birth_state: Option<MexicanState>,
    pub birth_city: String,
    pub marital_status: Option<MaritalStatus>,
    pub address_country: String,
    pub postal_code: String,
    pub address_state: String,
    pub city: String,
    pub street: String,
    pub emergency_name: String,
    /// Read with the address country's numbering plan unless written with `+`.
    pub emergency_phone: String,
}

/// Step 3, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicantInfo {
    pub birth_country: CountryCode,
    pub birth_state: Option<MexicanState>,
    pub birth_city: String,
    pub marital_status: MaritalStatus,
    pub address_country: CountryCode,
    pub postal_code: PostalCode,
    pub address_state: String,
    pub city: String,
    pub street: String,
    pub emergency_name: PersonName,
    pub emergency_phone: Phone,
}

impl ApplicantDraft {
    /// One field of step 3 set as typed (or chosen, by its choice's id), by the field's key.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), UnknownField> {
        let v = value.to_owned();
        match key {
            "birth_country" => self.birth_country = v,
            "birth_state" => self.birth_state = MexicanState::from_code(value),
            "birth_city" => self.birth_city = v,
            "marital_status" => self.marital_status = MaritalStatus::from_id(value),
            "address_country" => self.address_country = v,
            "postal_code" => self.postal_code = v,
            "address_state" => self.address_state = v,
            "city" => self.city = v,
            "street" => self.street = v,
            "emergency_name" => self.emergency_name = v,
            "emergency_phone" => self.emergency_phone = v,
            other => return Err(UnknownField(other.to_owned())),
        }
        Ok(())
    }

    /// The office chosen at step 1: the address starts in its country (the visitor lives
    /// where the office serves).
    pub fn start_in_country(&mut self, country: CountryCode) {
        self.address_country = country.to_string();
    }

    /// The CURP found at step 2: born in Mexico, in the state the CURP says, unless the
    /// visitor already said where they were born. Born abroad (`NE`), nothing is assumed.
    pub fn start_from_curp(&mut self, curp: &Curp) {
        if let crate::curp::BirthState::Mexico(state) = curp.birth_state()
            && self.birth_country.is_empty()
        {
            self.birth_country = "MX".into();
            self.birth_state = Some(state);
        }
    }

    pub fn validate(&self) -> Result<ApplicantInfo, Vec<FieldError>> {
        let mut c = Checker::default();
        let birth_country = c.country(Field::BirthCountry, &self.birth_country);
        let birth_state = if birth_country == Some(CountryCode::MX) {
            c.required(Field::BirthState, self.birth_state).map(Some)
        } else {
            Some(None)
        };
        let birth_city = c.text(Field::BirthCity, &self.birth_city);
        let marital_status = c.required(Field::MaritalStatus, self.marital_status);
        let address_country = c.country(Field::AddressCountry, &self.address_country);
        let postal_code =
            address_country.and_then(|ac| c.check(Field::PostalCode, PostalCode::parse(&self.postal_code, ac)));
        let address_state = c.text(Field::AddressState, &self.address_state);
        let city = c.text(Field::City, &self.city);
        let street = c.text(Field::Street, &self.street);
        let emergency_name = c.name(Field::EmergencyName, &self.emergency_name);
        let emergency_phone =
            address_country.and_then(|ac| c.check(Field::EmergencyPhone, Phone::parse(&self.emergency_phone, ac)));
        let value = (|| {
            Some(ApplicantInfo {
                birth_country: birth_country?,
                birth_state: birth_state?,
                birth_city: birth_city?,
                marital_status: marital_status?,
                address_country: address_country?,
                postal_code: postal_code?,
                address_state: address_state?,
                city: city?,
                street: street?,
                emergency_name: emergency_name?,
                emergency_phone: emergency_phone?,
            })
        })();
        c.finish(value)
    }
}

/// Kind of passport application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PassportKind {
    FirstTime,
    Renewal,
    Replacement,
}

impl PassportKind {
    pub const ALL: [PassportKind; 3] = [
        PassportKind::FirstTime,
        PassportKind::Renewal,
        PassportKind::Replacement,
    ];

    pub fn id(self) -> &'static str {
        match self {
            PassportKind::FirstTime => "first_time",
            PassportKind::Renewal => "renewal",
            PassportKind::Replacement => "replacement",
        }
    }

    pub fn label(self, lang: Language) -> &'static str {
        match self {
            PassportKind::FirstTime => lang.pick("Primera vez", "First passport"),
            PassportKind::Renewal => lang.pick("Renovación", "Renewal"),
            PassportKind::Replacement => {
                lang.pick("Reposición por robo o extravío", "Replacement of a lost or stolen one")
            }
        }
    }
}

/// The passport validities the SRE issues, in years.
pub const PASSPORT_VALIDITIES: [u8; 4] = [1, 3, 6, 10];

/// A procedure's "Enter information" form as typed: one text per field (choices hold their id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InfoDraft(pub BTreeMap<InfoField, String>);

impl InfoDraft {
    pub fn get(&self, field: InfoField) -> &str {
        self.0.get(&field).map_or("", String::as_str)
    }

    pub fn set(&mut self, field: InfoField, value: impl Into<String>) {
        self.0.insert(field, value.into());
    }

    /// Checks every field `procedure` asks for; fields it does not ask for are ignored.
    pub fn validate(&self, procedure: Procedure, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::default();
        for &f in procedure.info_fields() {
            let field = Field::Info(procedure, f);
            let text = self.get(f);
            match f {
                InfoField::PersonName | InfoField::OtherPersonName => {
                    c.name(field, text);
                }
                InfoField::EventDate => {
                    c.past_date(field, text, today);
                }
                InfoField::EventPlace => {
                    c.text(field, text);
                }
                InfoField::PassportKind => {
                    c.choice(field, text, PassportKind::ALL.iter().any(|k| k.id() == text));
                }
                InfoField::PassportValidity => {
                    c.choice(
                        field,
                        text,
                        text.parse::<u8>().is_ok_and(|y| PASSPORT_VALIDITIES.contains(&y)),
                    );
                }
            }
        }
        c.finish(Some(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::Problem;
    use crate::lang::Explain;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    #[test]
    fn a_field_set_by_key_lands_in_it_and_an_unknown_key_changes_nothing() {
        let mut d = ApplicantDraft::default();
        d.set("marital_status", "widowed").unwrap();
        d.set("birth_state", "JC").unwrap();
        assert_eq!(d.marital_status, Some(MaritalStatus::Widowed));
        assert_eq!(d.birth_state, MexicanState::from_code("JC"));
        let before = d.clone();
        assert_eq!(d.set("shoe_size", "42"), Err(UnknownField("shoe_size".into())));
        assert_eq!(d, before);
        let mut n = NoCurpDraft::default();
        n.set("sex", "X").unwrap();
        assert_eq!(n.sex, Some(Sex::NonBinary));
        n.set("sex", "?").unwrap();
        assert_eq!(n.sex, None, "a letter no CURP uses chooses nothing");
        assert!(n.set("curp", "X").is_err());
        for m in MaritalStatus::ALL {
            assert_eq!(MaritalStatus::from_id(m.id()), Some(m));
        }
    }

    #[test]
    fn a_curp_starts_step_3_born_in_its_state_unless_the_visitor_said_otherwise() {
        let curp = Curp::parse("GODE561231HDFRRN00").unwrap();
        let mut d = ApplicantDraft::default();
        d.start_from_curp(&curp);
        assert_eq!(d.birth_country, "MX");
        assert_eq!(d.birth_state, Some(MexicanState::from_code("DF").unwrap()));
        let mut typed = ApplicantDraft {
            birth_country: "US".into(),
            ..ApplicantDraft::default()
        };
        typed.start_from_curp(&curp);
        assert_eq!((typed.birth_country.as_str(), typed.birth_state), ("US", None));
    }

    #[test]
    fn the_office_chosen_starts_the_address_in_its_country() {
        let mut d = ApplicantDraft::default();
        d.start_in_country("US".parse().unwrap());
        assert_eq!(d.address_country, "US");
    }

    pub(crate) fn good_applicant() -> ApplicantDraft {
        ApplicantDraft {
            birth_country: "MX".into(),
            birth_state: Some(MexicanState::Jalisco),
            birth_city: "Guadalajara".into(),
            marital_status: Some(MaritalStatus::Married),
            address_country: "US".into(),
            postal_code: "90057".into(),
            address_state: "California".into(),
            city: "Los Angeles".into(),
            street: "2401 W 6th St".into(),
            emergency_name: "María José Núñez Güemes".into(),
            emergency_phone: "(213) 351-6800".into(),
        }
    }

    #[test]
    fn accepts_a_complete_applicant_and_stores_phone_in_e164() {
        let info = good_applicant().validate().unwrap();
        assert_eq!(info.emergency_phone.e164(), "+12133516800");
        assert_eq!(info.postal_code.as_str(), "90057");
    }

    #[test]
    fn reports_every_wrong_applicant_field_at_once() {
        let mut d = good_applicant();
        d.birth_state = None;
        d.postal_code = "9005".into();
        d.emergency_name = "R2D2".into();
        d.street = "   ".into();
        let errs = d.validate().unwrap_err();
        let fields: Vec<Field> = errs.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec![
                Field::BirthState,
                Field::PostalCode,
                Field::Street,
                Field::EmergencyName
            ]
        );
        assert!(
            errs.iter()
                .any(|e| e.explain(Language::Es).starts_with("Código postal: "))
        );
    }

    #[test]
    fn asks_for_the_birth_state_only_for_people_born_in_mexico() {
        let mut d = good_applicant();
        d.birth_country = "US".into();
        d.birth_state = None;
        assert!(d.validate().unwrap().birth_state.is_none());
    }

    #[test]
    fn reads_canadian_addresses_with_canadian_rules() {
        let mut d = good_applicant();
        d.address_country = "CA".into();
        d.postal_code = "h3a 2y7".into();
        d.emergency_phone = "514-288-2502".into();
        let info = d.validate().unwrap();
        assert_eq!(info.postal_code.as_str(), "H3A2Y7");
        assert_eq!(info.emergency_phone.e164(), "+15142882502");
    }

    #[test]
    fn accepts_no_curp_identity_and_rejects_a_future_birth_date() {
        let mut d = NoCurpDraft {
            given_names: "Zoë".into(),
            first_last_name: "O'Brien-Łukasiewicz".into(),
            second_last_name: String::new(),
            birth_date: "1990-05-17".into(),
            sex: Some(Sex::Female),
            nationality: "pl".into(),
        };
        let id = d.validate(today()).unwrap();
        assert_eq!(id.second_last_name, None);
        assert_eq!(id.nationality.as_str(), "PL");
        d.birth_date = "2027-01-01".into();
        let errs = d.validate(today()).unwrap_err();
        assert_eq!(errs[0].problem, Problem::FutureDate);
    }

    #[test]
    fn passport_form_needs_a_kind_and_an_issued_validity() {
        let mut f = InfoDraft::default();
        assert_eq!(f.validate(Procedure::Passport, today()).unwrap_err().len(), 2);
        f.set(InfoField::PassportKind, "renewal");
        f.set(InfoField::PassportValidity, "5");
        let errs = f.validate(Procedure::Passport, today()).unwrap_err();
        assert_eq!(errs[0].problem, Problem::NotAChoice);
        f.set(InfoField::PassportValidity, "6");
        assert_eq!(f.validate(Procedure::Passport, today()), Ok(()));
    }

    #[test]
    fn birth_registration_form_checks_name_date_and_place() {
        let mut f = InfoDraft::default();
        f.set(InfoField::PersonName, "Nguyễn Thị Minh Khai");
        f.set(InfoField::EventDate, "2026-02-30");
        f.set(InfoField::EventPlace, "Houston, Texas");
        let errs = f.validate(Procedure::BirthRegistration, today()).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].problem, Problem::NotADate);
        f.set(InfoField::EventDate, "2026-02-28");
        assert_eq!(f.validate(Procedure::BirthRegistration, today()), Ok(()));
    }
}
