//! Maintenance's report: the health of every part (kiosk-health's observations, graded by
//! kiosk-core in the staff member's language), the last tickets that can be printed again, and
//! the log's recent problems by part of the kiosk.

use std::rc::Rc;

use kiosk_core::Language;
use kiosk_core::health::{Area, Level, Observations, Report};
use slint::{ComponentHandle, ModelRc, VecModel};

use super::MaintenanceScreen;
use crate::ui::{AppWindow, ErrorRow, HealthLine, JobRow, Maintenance};

/// Tickets listed for reprinting.
const RECENT_TICKETS: u32 = 10;

pub(super) fn wire(screen: &Rc<MaintenanceScreen>) {
    let Some(ui) = screen.ctx.ui() else { return };
    let weak = Rc::downgrade(screen);
    ui.global::<Maintenance>().on_refresh(move || {
        if let Some(s) = weak.upgrade() {
            s.refresh();
        }
    });
}

impl MaintenanceScreen {
    /// Asks every part again (kiosk-health) and shows the report; the lists too.
    pub(super) fn refresh(self: &Rc<Self>) {
        let Some(ui) = self.ctx.ui() else { return };
        ui.global::<Maintenance>().set_checking(true);
        let sources = self.ctx.services.health_sources();
        self.spawn(async move { kiosk_health::observe(&sources).await }, |s, ui, o| {
            ui.global::<Maintenance>().set_checking(false);
            show_observations(ui, &o, s.language());
            *s.observed.borrow_mut() = Some(o);
        });
        self.show_lists();
    }

    /// The last tickets and the recent problems in the log.
    pub(super) fn show_lists(self: &Rc<Self>) {
        let Some(ui) = self.ctx.ui() else { return };
        show_problems(&ui, crate::logging::recent(), self.language());
        let Some(printing) = self.ctx.services.printing.clone() else {
            return;
        };
        self.spawn(async move { printing.recent(RECENT_TICKETS).await }, |s, ui, jobs| {
            show_jobs(ui, jobs, s.language());
        });
    }
}

fn level_index(level: Level) -> i32 {
    match level {
        Level::Green => 0,
        Level::Amber => 1,
        Level::Red => 2,
    }
}

/// Observations graded in `lang`, onto the health tab.
pub fn show_observations(ui: &AppWindow, o: &Observations, lang: Language) {
    let r = Report::grade(o, lang);
    let m = ui.global::<Maintenance>();
    m.set_overall(level_index(r.overall));
    m.set_overall_word(r.overall.word(lang).into());
    // Worst first: the line that makes the summary amber or red is the one in view.
    let mut checks: Vec<_> = r.checks.iter().collect();
    checks.sort_by_key(|c| std::cmp::Reverse(level_index(c.level)));
    let lines: Vec<HealthLine> = checks
        .into_iter()
        .map(|c| HealthLine {
            area: c.area.label(lang).into(),
            level: level_index(c.level),
            word: c.level.word(lang).into(),
            detail: c.detail.clone().into(),
        })
        .collect();
    m.set_health(ModelRc::new(VecModel::from(lines)));
    let at = r.observations.at.with_timezone(&chrono::Local);
    m.set_checked_at(at.format("%H:%M:%S").to_string().into());
}

/// The recent problems of the log, in `lang`.
pub fn show_problems(ui: &AppWindow, problems: Vec<crate::logging::Problem>, lang: Language) {
    let errors: Vec<ErrorRow> = problems
        .into_iter()
        .map(|p| ErrorRow {
            when: p
                .at
                .with_timezone(&chrono::Local)
                .format("%d/%m %H:%M")
                .to_string()
                .into(),
            area: area_of(&p.target, lang).into(),
            message: p.message.into(),
        })
        .collect();
    ui.global::<Maintenance>()
        .set_errors(ModelRc::new(VecModel::from(errors)));
}

/// The recent tickets that can be printed again.
pub fn show_jobs(ui: &AppWindow, jobs: Vec<kiosk_store::PrintJob>, lang: Language) {
    let rows: Vec<JobRow> = jobs
        .into_iter()
        .filter(|j| j.ticket.is_some())
        .map(|j| JobRow {
            id: i32::try_from(j.id).unwrap_or(i32::MAX),
            code: j.booking_code.into(),
            when: j
                .created_at
                .with_timezone(&chrono::Local)
                .format("%d/%m %H:%M")
                .to_string()
                .into(),
            state: job_state(j.state, j.last_error.as_deref(), lang).into(),
        })
        .collect();
    ui.global::<Maintenance>()
        .set_recent_jobs(ModelRc::new(VecModel::from(rows)));
}

/// A ticket's state in staff's words.
fn job_state(state: kiosk_store::PrintState, error: Option<&str>, lang: Language) -> String {
    use kiosk_store::PrintState;
    match (state, error) {
        (PrintState::Printed, _) => lang.pick("impreso", "printed").to_owned(),
        (PrintState::Queued, None) => lang.pick("en espera", "waiting").to_owned(),
        (PrintState::Queued, Some(e)) => match lang {
            Language::Es => format!("en espera ({e})"),
            Language::En => format!("waiting ({e})"),
        },
        (PrintState::Abandoned, _) => lang.pick("no impreso", "not printed").to_owned(),
    }
}

/// The part of the kiosk a log line came from, in staff's words.
fn area_of(target: &str, lang: Language) -> &'static str {
    let starts = |p: &str| target.starts_with(p);
    if starts("kiosk_print") || starts("citas_kiosk::printing") {
        Area::Printer.label(lang)
    } else if starts("kiosk_scan") {
        Area::Scanner.label(lang)
    } else if starts("kiosk_sync") || starts("reqwest") || starts("hyper") {
        Area::Central.label(lang)
    } else if starts("kiosk_store") {
        lang.pick("Base de datos", "Database")
    } else if starts("kiosk_device") || starts("citas_kiosk::device") {
        lang.pick("Equipo", "Device")
    } else {
        lang.pick("Aplicación", "App")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_line_is_put_under_the_part_of_the_kiosk_it_came_from() {
        assert_eq!(
            area_of("kiosk_print::queue", Language::En),
            Area::Printer.label(Language::En)
        );
        assert_eq!(
            area_of("kiosk_scan::escl", Language::Es),
            Area::Scanner.label(Language::Es)
        );
        assert_eq!(
            area_of("reqwest::connect", Language::En),
            Area::Central.label(Language::En)
        );
        assert_eq!(area_of("kiosk_store", Language::En), "Database");
        assert_eq!(area_of("citas_kiosk::screens", Language::Es), "Aplicación");
    }

    #[test]
    fn a_waiting_ticket_says_why_it_waits() {
        use kiosk_store::PrintState;
        assert_eq!(
            job_state(PrintState::Queued, Some("paper out"), Language::En),
            "waiting (paper out)"
        );
        assert_eq!(job_state(PrintState::Queued, None, Language::Es), "en espera");
        assert_eq!(job_state(PrintState::Printed, Some("old"), Language::En), "printed");
        assert_eq!(job_state(PrintState::Abandoned, None, Language::Es), "no impreso");
    }
}
