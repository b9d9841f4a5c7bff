//! Step 5's review: before Confirm, everything the booking will carry on one screen (the date
//! and time in the office's zone first, then the office, the procedures, the applicant's name,
//! the documents attached) and, beside each line a visitor may still change, the step that changes it.

use kiosk_core::Language;
use kiosk_core::session::Step;
use kiosk_core::time::AppointmentTime;
use slint::SharedString;

use crate::ui::ReviewLine;
use crate::visit::Visit;
use crate::words;

fn line(label: &str, value: String, step: Option<Step>) -> ReviewLine {
    ReviewLine {
        label: label.into(),
        value: SharedString::from(value),
        step: step.map_or(0, |s| i32::from(s.number())),
    }
}

/// The review's lines in `lang`. The office has no step to go back to: it cannot change once
/// chosen (Citas SRE's rule), and the line says so.
pub fn lines(v: &Visit, lang: Language) -> Vec<ReviewLine> {
    let s = &v.session;
    let mut out = Vec::new();
    // What Confirm confirms comes first: on the smallest screen it is in view beside the button.
    if let (Some(slot), Some(office)) = (s.slot(), s.office()) {
        out.push(line(
            lang.pick("Fecha y hora", "Date and time"),
            AppointmentTime::new(slot.start, office.tz).label(lang),
            Some(Step::DateTime),
        ));
    }
    if let Some(office) = s.office() {
        let fixed = lang.pick("(no se puede cambiar)", "(cannot be changed)");
        out.push(line(
            lang.pick("Oficina", "Office"),
            format!("{} {fixed}", office.name),
            None,
        ));
    }
    let procedures: Vec<&str> = s.procedures().iter().map(|c| c.procedure.label(lang)).collect();
    out.push(line(
        lang.pick("Trámites", "Procedures"),
        procedures.join(" · "),
        Some(Step::Procedures),
    ));
    if let Some(name) = s.identity().display_name() {
        out.push(line(lang.pick("Solicitante", "Applicant"), name, Some(Step::Applicant)));
    }
    let documents: Vec<String> = s
        .documents()
        .iter()
        .map(|(kind, d)| format!("{} ({})", kind.label(lang), words::pages(usize::from(d.pages), lang)))
        .collect();
    if !documents.is_empty() {
        out.push(line(
            lang.pick("Documentos", "Documents"),
            documents.join(" · "),
            Some(Step::Documents),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_visit_reviews_only_what_it_has() {
        let v = Visit::default();
        let lines = lines(&v, Language::Es);
        // Only the procedures line (empty): no office, no name, no documents, no time.
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].step, 2);
    }
}
