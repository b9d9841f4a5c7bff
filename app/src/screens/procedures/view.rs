//! What step 2 shows: the CURP's owner, the procedures the office offers as cards (chosen, and
//! whether their information is complete), and the two forms.

use chrono::NaiveDate;
use kiosk_core::Language;
use kiosk_core::applicant::IdentityDraft;
use kiosk_core::catalogue::{Procedure, ProcedureGroup};
use kiosk_core::name::PersonName;
use kiosk_core::session::Step;

use super::{State, forms};
use crate::ui::{ProcedureCard, Procedures};
use crate::view::{Rows, s};
use crate::visit::Visit;
use crate::words;

fn procedure_cards(v: &Visit, lang: Language, today: NaiveDate) -> Vec<ProcedureCard> {
    let Some(office) = v.session.office() else {
        return Vec::new();
    };
    let mut cards = Vec::new();
    for group in ProcedureGroup::ALL {
        for p in Procedure::ALL
            .into_iter()
            .filter(|p| p.group() == group && office.procedures.contains(p))
        {
            let chosen = v.session.procedures().iter().any(|c| c.procedure == p);
            cards.push(ProcedureCard {
                id: s(p.id()),
                label: s(p.label(lang)),
                group: s(group.label(lang)),
                chosen,
                needs_info: p.needs_information(),
                info_complete: chosen && v.session.procedure_complete(p, today),
            });
        }
    }
    cards
}

/// Whose CURP it is, once found.
pub(super) fn curp_owner(v: &Visit, lang: Language) -> String {
    match v.session.identity() {
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
    }
}

/// The two forms' rows, kept across renders.
#[derive(Debug, Clone, Default)]
pub struct Forms {
    pub identity: Rows,
    pub info: Rows,
}

/// Shows step 2 in `lang`.
pub fn render_into(g: &Procedures<'_>, forms: &Forms, st: &State, v: &Visit, lang: Language) {
    crate::render_frame!(g, Step::Procedures, st.frame, lang);
    let today = v.office_today(chrono::Utc::now());
    crate::put!(g, get_curp_owner, set_curp_owner, s(curp_owner(v, lang)));
    crate::put!(
        g,
        get_curp_error,
        set_curp_error,
        s(words::text(st.curp_error.as_ref(), lang))
    );
    crate::put!(g, get_no_curp, set_no_curp, st.no_curp);
    forms
        .identity
        .set(st.identity_attempt.mark(forms::identity_rows(st, v, lang)));
    crate::fill!(g, get_procedures, set_procedures, procedure_cards(v, lang, today));
    crate::put!(
        g,
        get_info_procedure,
        set_info_procedure,
        s(st.info_open.map_or("", Procedure::id))
    );
    crate::put!(
        g,
        get_info_title,
        set_info_title,
        s(st.info_open.map_or("", |p| p.label(lang)))
    );
    forms.info.set(st.info_attempt.mark(forms::info_rows(st, lang)));
}
