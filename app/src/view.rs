//! Building what a page shows: Slint strings, models and choices, a form's field with its
//! hint and error, the failed attempt its first error belongs to, and a form's rows replaced in place (so the field being typed in keeps its
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
        reveal: 0,
    }
}

/// The failed attempts of a form (a Next that left errors), numbered for the whole run so each
/// is new to the page: the list scrolls to the first field with an error once an attempt
/// (scroll_list.slint's `Reveal`), not again while the visitor types or scrolls.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Attempt(i32);

impl Attempt {
    /// A new failed attempt.
    pub fn failed() -> Attempt {
        static LAST: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);
        Attempt(
            LAST.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                .saturating_add(1),
        )
    }

    /// The rows, the first one with an error marked with this attempt.
    pub fn mark(self, mut rows: Vec<FormField>) -> Vec<FormField> {
        if let Some(first) = rows.iter_mut().find(|r| !r.error.is_empty()) {
            first.reveal = self.0;
        }
        rows
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
        "Día, mes y año: DD/MM/AAAA, por ejemplo 21/05/1990.",
        "Day, month and year: DD/MM/YYYY, for example 21/05/1990.",
    )
    .to_owned()
}

/// A row of a list a page shows: kept in a [`Rows`] across renders. A row holding a model of
/// its own (a field's choices, a document's pages) takes the previous row's when the contents
/// are the same, so an unchanged row compares equal and is not set again.
pub trait Row: Clone + PartialEq + 'static {
    fn adopt(&mut self, _previous: &Self) {}
}

/// Whether two models hold equal rows.
fn same_rows<T: Clone + PartialEq + 'static>(a: &ModelRc<T>, b: &ModelRc<T>) -> bool {
    a.row_count() == b.row_count() && a.iter().zip(b.iter()).all(|(x, y)| x == y)
}

impl Row for FormField {
    fn adopt(&mut self, previous: &Self) {
        if same_rows(&self.choices, &previous.choices) {
            self.choices = previous.choices.clone();
        }
    }
}

impl Row for crate::ui::DocumentRow {
    fn adopt(&mut self, previous: &Self) {
        if same_rows(&self.pages, &previous.pages) {
            self.pages = previous.pages.clone();
        }
    }
}

impl Row for Choice {}
impl Row for SharedString {}
impl Row for crate::ui::OfficeCard {}
impl Row for crate::ui::ProcedureCard {}
impl Row for crate::ui::DayCell {}
impl Row for crate::ui::ReviewLine {}
impl Row for crate::ui::BookingCard {}

/// A list's rows, kept across renders: a render sets only the rows that changed, so a field
/// being typed in is never rebuilt (its focus and cursor stay) and a touch sets little.
pub struct Rows<T: Row = FormField>(Rc<VecModel<T>>);

impl<T: Row> Default for Rows<T> {
    fn default() -> Self {
        Rows(Rc::new(VecModel::default()))
    }
}

impl<T: Row> Clone for Rows<T> {
    fn clone(&self) -> Self {
        Rows(self.0.clone())
    }
}

impl<T: Row> std::fmt::Debug for Rows<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Rows({})", self.0.row_count())
    }
}

impl<T: Row> Rows<T> {
    /// The model to give the page once.
    pub fn model(&self) -> ModelRc<T> {
        ModelRc::from(self.0.clone())
    }

    /// Replaces the rows, row by row when the shape is unchanged.
    pub fn set(&self, rows: Vec<T>) {
        sync(&self.0, rows);
    }
}

/// Fills a page's list in place, setting only the rows that changed; the first time (the
/// page's list is not one of ours yet) the model to give the page.
pub fn fill<T: Row>(current: &ModelRc<T>, rows: Vec<T>) -> Option<ModelRc<T>> {
    if let Some(kept) = current.as_any().downcast_ref::<VecModel<T>>() {
        sync(kept, rows);
        None
    } else {
        Some(ModelRc::from(Rc::new(VecModel::from(rows))))
    }
}

fn sync<T: Row>(model: &VecModel<T>, rows: Vec<T>) {
    if model.row_count() == rows.len() {
        for (i, mut row) in rows.into_iter().enumerate() {
            let Some(previous) = model.row_data(i) else { continue };
            row.adopt(&previous);
            if previous != row {
                model.set_row_data(i, row);
            }
        }
    } else {
        model.set_vec(rows);
    }
}

/// [`fill`] a list property of a page's global.
#[macro_export]
macro_rules! fill {
    ($global:expr, $get:ident, $set:ident, $rows:expr $(,)?) => {{
        if let Some(m) = $crate::view::fill(&$global.$get(), $rows) {
            $global.$set(m);
        }
    }};
}

/// Sets a page's property only when its value changes: a touch re-sets nothing it left alone.
#[macro_export]
macro_rules! put {
    ($global:expr, $get:ident, $set:ident, $value:expr $(,)?) => {{
        let value = $value;
        if $global.$get() != value {
            $global.$set(value);
        }
    }};
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
        $crate::put!(g, get_step_title, set_step_title, $crate::view::s($step.label(lang)));
        $crate::put!(
            g,
            get_errors,
            set_errors,
            $crate::view::s($crate::words::text(frame.errors.as_ref(), lang))
        );
        $crate::put!(g, get_busy, set_busy, frame.busy);
        $crate::put!(
            g,
            get_notice,
            set_notice,
            $crate::view::s($crate::words::text(frame.notice.as_ref(), lang))
        );
    }};
}
