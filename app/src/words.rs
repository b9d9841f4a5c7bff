//! Every message a visitor reads about what happened (a server's answer, a scan, a rule), made
//! here and nowhere else: kept as a [`Msg`] value and worded at render time in the visitor's
//! language, so switching language re-words what is on screen without losing it. The texts
//! fixed in a page (`@tr` in `.slint`) are translated by the `.po` files instead.

use std::fmt;
use std::rc::Rc;

use kiosk_core::{Explain, Language};
use kiosk_sync::api::ProblemKind;

/// A message for the visitor, worded when shown.
#[derive(Clone)]
pub struct Msg(Rc<dyn Fn(Language) -> String>);

impl Msg {
    pub fn new(f: impl Fn(Language) -> String + 'static) -> Msg {
        Msg(Rc::new(f))
    }

    fn words(es: &'static str, en: &'static str) -> Msg {
        Msg::new(move |l| l.pick(es, en).to_owned())
    }

    /// A rule's or a device's own explanation (`kiosk-core`'s and the crates' [`Explain`]).
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

/// A kept message in `lang`, or nothing.
pub fn text(msg: Option<&Msg>, lang: Language) -> String {
    msg.map(|m| m.text(lang)).unwrap_or_default()
}

pub fn unreachable() -> Msg {
    Msg::words(
        "No podemos comunicarnos con el sistema de citas en este momento. Intente de nuevo en unos minutos o pida ayuda al personal.",
        "We cannot reach the appointment system right now. Try again in a few minutes or ask the staff.",
    )
}

// ---- signing in, creating an account ----------------------------------------------------

/// A sign-in the server refused, by what it said.
pub fn sign_in_refused(kind: Option<&ProblemKind>) -> Msg {
    match kind {
        Some(ProblemKind::BadCredentials) => Msg::words(
            "El correo o la contraseña no son correctos. Revíselos e intente de nuevo.",
            "The e-mail or the password is not right. Check them and try again.",
        ),
        Some(ProblemKind::AccountNotConfirmed) => Msg::words(
            "Su cuenta aún no está activada: abra el correo que le enviamos y siga el enlace.",
            "Your account is not activated yet: open the e-mail we sent you and follow the link.",
        ),
        _ => unreachable(),
    }
}

pub fn no_offices_to_load() -> Msg {
    Msg::words(
        "No podemos cargar las oficinas consulares en este momento. Pida ayuda al personal.",
        "We cannot load the consular offices right now. Ask the staff for help.",
    )
}

pub fn cannot_register_now() -> Msg {
    Msg::words(
        "No podemos crear cuentas en este momento. Pida ayuda al personal.",
        "We cannot create accounts right now. Ask the staff for help.",
    )
}

/// How many fields are marked, in words ("el dato marcado" / "los 3 datos marcados").
fn marked(n: usize, lang: Language) -> String {
    match (lang, n) {
        (Language::Es, 0 | 1) => "el dato marcado en rojo".to_owned(),
        (Language::Es, n) => format!("los {n} datos marcados en rojo"),
        (Language::En, 0 | 1) => "the item marked in red".to_owned(),
        (Language::En, n) => format!("the {n} items marked in red"),
    }
}

/// `fields` fields of the account form are wrong.
pub fn registration_incomplete(fields: usize) -> Msg {
    Msg::new(move |lang| match lang {
        Language::Es => format!("Corrija {} para crear su cuenta.", marked(fields, lang)),
        Language::En => format!("Correct {} to create your account.", marked(fields, lang)),
    })
}

/// A registration the server refused (`None`: it could not be reached).
pub fn registration_refused(kind: Option<&ProblemKind>) -> Msg {
    match kind {
        Some(ProblemKind::EmailTaken) => Msg::words(
            "Ya existe una cuenta con ese correo. Inicie sesión con él.",
            "An account with that e-mail already exists. Sign in with it.",
        ),
        Some(_) => Msg::words(
            "El sistema de citas no aceptó los datos. Revíselos o pida ayuda al personal.",
            "The appointment system did not accept the data. Check it or ask the staff.",
        ),
        None => Msg::words(
            "No podemos comunicarnos con el sistema de citas en este momento. Intente de nuevo en unos minutos.",
            "We cannot reach the appointment system right now. Try again in a few minutes.",
        ),
    }
}

// ---- the steps --------------------------------------------------------------------------

/// `fields` fields of a step are wrong: the line says how many, so a visitor who sees one
/// knows to look for the others.
pub fn fields_marked_red(fields: usize) -> Msg {
    Msg::new(move |lang| match lang {
        Language::Es => format!("Corrija {} para continuar.", marked(fields, lang)),
        Language::En => format!("Correct {} to continue.", marked(fields, lang)),
    })
}

pub fn choose_country() -> Msg {
    Msg::words("Elija el país donde vive.", "Choose the country where you live.")
}

pub fn no_offices_near() -> Msg {
    Msg::words(
        "No hay consulados cerca de ese código postal. Revise el código o pida ayuda al personal.",
        "There are no consulates near that code. Check the code or ask the staff.",
    )
}

pub fn touch_an_office() -> Msg {
    Msg::words(
        "Toque la oficina consular donde quiere su cita.",
        "Touch the consular office where you want your appointment.",
    )
}

pub fn postal_code_unknown() -> Msg {
    Msg::words(
        "No reconocemos ese código postal. Revíselo e intente de nuevo.",
        "We do not recognise that postal code. Check it and try again.",
    )
}

pub fn office_unbookable() -> Msg {
    Msg::words(
        "No podemos dar citas en esa oficina desde este quiosco. Elija otra o pida ayuda al personal.",
        "This kiosk cannot book that office. Choose another or ask the staff.",
    )
}

pub fn curp_not_found() -> Msg {
    Msg::words(
        "RENAPO no tiene registrada esa CURP. Revísela, o elija «No tengo CURP» y escriba sus datos.",
        "RENAPO has no record of that CURP. Check it, or choose \"I do not have a CURP\" and type your data.",
    )
}

pub fn document_not_saved() -> Msg {
    Msg::words(
        "No pudimos guardar el documento. Vuelva a escanearlo; si se repite, pida ayuda al personal.",
        "We could not save the document. Scan it again; if it happens again, ask the staff.",
    )
}

pub fn loading_calendar() -> Msg {
    Msg::words("Cargando el calendario de citas…", "Loading the appointment calendar…")
}

pub fn office_full() -> Msg {
    Msg::words(
        "Esta oficina no tiene citas libres por ahora. Intente otro día o pida ayuda al personal.",
        "This office has no free appointments for now. Try another day or ask the staff.",
    )
}

pub fn slot_taken() -> Msg {
    Msg::words(
        "Otra persona acaba de tomar ese horario. Elija otro; el calendario ya está actualizado.",
        "Someone else has just taken that time. Choose another; the calendar is up to date.",
    )
}

pub fn hold_ran_out() -> Msg {
    Msg::words(
        "El tiempo para confirmar terminó y el horario se liberó. Elija el horario de nuevo.",
        "The time to confirm ran out and the time was released. Choose the time again.",
    )
}

pub fn confirming() -> Msg {
    Msg::words("Confirmando su cita…", "Confirming your appointment…")
}

pub fn request_refused() -> Msg {
    Msg::words(
        "El sistema de citas no aceptó la solicitud. Pida ayuda al personal.",
        "The appointment system did not accept the request. Ask the staff for help.",
    )
}

pub fn request_not_saved() -> Msg {
    Msg::words(
        "No pudimos guardar su solicitud. Pida ayuda al personal.",
        "We could not save your request. Ask the staff for help.",
    )
}

/// "1 página", "3 pages": a count of pages in words, never "página(s)".
pub fn pages(n: usize, lang: Language) -> String {
    match (lang, n) {
        (Language::Es, 1) => "1 página".to_owned(),
        (Language::Es, n) => format!("{n} páginas"),
        (Language::En, 1) => "1 page".to_owned(),
        (Language::En, n) => format!("{n} pages"),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn pages_are_counted_in_words_never_with_a_parenthesised_plural() {
        assert_eq!(super::pages(1, Language::Es), "1 página");
        assert_eq!(super::pages(2, Language::Es), "2 páginas");
        assert_eq!(super::pages(1, Language::En), "1 page");
        assert_eq!(super::pages(3, Language::En), "3 pages");
    }

    use super::*;

    #[test]
    fn the_line_under_a_step_counts_the_fields_to_correct() {
        assert_eq!(
            fields_marked_red(3).text(Language::Es),
            "Corrija los 3 datos marcados en rojo para continuar."
        );
        assert_eq!(
            fields_marked_red(1).text(Language::En),
            "Correct the item marked in red to continue."
        );
        assert_eq!(
            registration_incomplete(2).text(Language::En),
            "Correct the 2 items marked in red to create your account."
        );
    }

    #[test]
    fn a_refused_sign_in_says_why_and_an_unknown_refusal_is_told_as_unreachable() {
        let wrong = sign_in_refused(Some(&ProblemKind::BadCredentials)).text(Language::En);
        assert!(wrong.contains("password is not right"), "{wrong}");
        let inactive = sign_in_refused(Some(&ProblemKind::AccountNotConfirmed)).text(Language::Es);
        assert!(inactive.contains("no está activada"), "{inactive}");
        assert_eq!(
            sign_in_refused(None).text(Language::En),
            unreachable().text(Language::En)
        );
    }

    #[test]
    fn a_message_kept_is_worded_in_the_language_asked_when_shown() {
        let m = slot_taken();
        assert!(m.text(Language::Es).starts_with("Otra persona"));
        assert!(m.text(Language::En).starts_with("Someone else"));
        assert_eq!(text(None, Language::Es), "");
    }
}
