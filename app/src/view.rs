//! Building what a page shows: Slint strings, models and choices, a form's field with its
//! hint and error, and a form's rows replaced in place (so the field being typed in keeps its
//! focus and cursor). Shared by every screen; it knows no screen.

use std::rc::Rc;

use kiosk_core::Language;
use kiosk_core::form::{Field, FieldError};
use slint::{Model, ModelRc, SharedString, VecModel};

use crate::ui::{Choice, FieldKind, FormField};

pub fn s(text: impl AsRef<str>) -> SharedString {
    SharedString::from(text.as_ref())
}

pub fn model<T: Clone + 'static>(rows: Vec<T>) -> ModelRc<T> {
    ModelRc::from(Rc::new(VecModel::from(rows)))
}

pub fn choice(id: impl AsRef<str>, label: impl AsRef<str>) -> Choice {
    Choice {
        id: s(id),
        label: s(label),
    }
}

pub fn choices(list: Vec<Choice>) -> ModelRc<Choice> {
    model(list)
}

/// A field of a form, without hint or error.
pub fn field(key: &str, label: &str, value: &str, kind: FieldKind) -> FormField {
    FormField {
        key: s(key),
        label: s(label),
        hint: SharedString::new(),
        value: s(value),
        error: SharedString::new(),
        kind,
        choices: choices(Vec::new()),
    }
}

/// A field with its choices.
pub fn with_choices(mut f: FormField, list: Vec<Choice>) -> FormField {
    f.choices = choices(list);
    f
}

/// A field with the error `errors` has for it, if any.
pub fn with_error(mut f: FormField, errors: &[FieldError], which: Field, lang: Language) -> FormField {
    if let Some(e) = errors.iter().find(|e| e.field == which) {
        f.error = s(kiosk_core::Explain::explain(&e.problem, lang));
    }
    f
}

/// How a date is typed, under a date field.
pub fn date_hint(lang: Language) -> String {
    lang.pick(
        "Escriba la fecha como AAAA-MM-DD, por ejemplo 1990-05-21.",
        "Write the date as YYYY-MM-DD, for example 1990-05-21.",
    )
    .to_owned()
}

/// A form's rows, kept across renders so a field being typed in is never rebuilt.
#[derive(Clone, Default)]
pub struct Rows(Rc<VecModel<FormField>>);

impl std::fmt::Debug for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Rows({})", self.0.row_count())
    }
}

impl Rows {
    /// The model to give the page once.
    pub fn model(&self) -> ModelRc<FormField> {
        ModelRc::from(self.0.clone())
    }

    /// Replaces the rows, row by row when the shape is unchanged, so the elements (and the
    /// focus and cursor of a field being typed in) stay.
    pub fn set(&self, rows: Vec<FormField>) {
        sync_rows(&self.0, rows);
    }
}

fn sync_rows<T: Clone + PartialEq + 'static>(model: &VecModel<T>, rows: Vec<T>) {
    if model.row_count() == rows.len() {
        for (i, row) in rows.into_iter().enumerate() {
            if model.row_data(i).as_ref() != Some(&row) {
                model.set_row_data(i, row);
            }
        }
    } else {
        model.set_vec(rows);
    }
}

/// What every step's frame shows besides its content: the line that keeps the visitor on the
/// step, whether an answer is awaited, and what is being done meanwhile.
#[derive(Debug, Clone, Default)]
pub struct Frame {
    pub errors: Option<crate::words::Msg>,
    pub busy: bool,
    pub notice: Option<crate::words::Msg>,
}

/// Renders a step's [`Frame`] into its page's global (each step's global has the same frame
/// properties, generated as methods of a different type).
#[macro_export]
macro_rules! render_frame {
    ($global:expr, $step:expr, $frame:expr, $lang:expr) => {{
        let (g, frame, lang) = (&$global, &$frame, $lang);
        g.set_step_title($crate::view::s($step.label(lang)));
        g.set_errors($crate::view::s($crate::words::text(frame.errors.as_ref(), lang)));
        g.set_busy(frame.busy);
        g.set_notice($crate::view::s($crate::words::text(frame.notice.as_ref(), lang)));
    }};
}
