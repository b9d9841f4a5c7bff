//! Step 5's screen: its callbacks, the calendar loaded on entering, the hold renewed every
//! second it needs to be, and Confirm.

use std::cell::RefCell;
use std::rc::Rc;

use kiosk_core::office::Slot;
use kiosk_core::session::Step;
use kiosk_sync::api::Hold as ServerHold;
use kiosk_sync::{ConfirmOutcome, EngineError};
use slint::{ComponentHandle, SharedString};

use super::{CONFIRM_PATIENCE, State, booking_request, change_month, choose_day, choose_time, confirmed, held};
use crate::nav::Nav;
use crate::screens::{Ctx, Screen, on, on1};
use crate::ui::{Calendar, Page};
use crate::visit::Visit;
use crate::words;

/// Step 5.
#[derive(Debug)]
pub struct DateTimeScreen {
    ctx: Ctx,
    state: RefCell<State>,
}

impl DateTimeScreen {
    pub fn new(ctx: Ctx) -> Rc<DateTimeScreen> {
        let screen = Rc::new(DateTimeScreen {
            ctx,
            state: RefCell::default(),
        });
        let Some(ui) = screen.ctx.ui() else { return screen };
        let g = ui.global::<Calendar>();
        g.on_change_month(on1(&screen, |s, delta: i32| {
            s.change(|st, v| change_month(st, v, delta, chrono::Utc::now()));
        }));
        g.on_choose_day(on1(&screen, |s, date: SharedString| {
            s.change(|st, _| choose_day(st, &date));
        }));
        g.on_choose_time(on1(&screen, |s, id: SharedString| s.choose_time(&id)));
        g.on_next(on(&screen, |s| {
            if s.state.borrow().reviewing {
                s.confirm();
            } else {
                s.change(|st, v| super::review(st, v, chrono::Utc::now()));
            }
        }));
        g.on_back(on(&screen, |s| {
            // From the review, Back is the calendar again.
            if std::mem::take(&mut s.state.borrow_mut().reviewing) {
                s.render();
                return;
            }
            s.ctx.back_step();
            s.state.borrow_mut().frame.errors = None;
            s.render();
        }));
        g.on_change_step(on1(&screen, |s, step: i32| s.change_step(step)));
        screen
    }

    fn change(&self, f: impl FnOnce(&mut State, &mut Visit)) {
        f(&mut self.state.borrow_mut(), &mut self.ctx.visit.borrow_mut());
        self.render();
    }

    /// Marks the step as awaiting an answer (with what is being done) and shows it.
    fn busy(&self, notice: Option<words::Msg>) -> bool {
        let mut st = self.state.borrow_mut();
        if st.frame.busy {
            return false;
        }
        st.frame.busy = true;
        st.frame.notice = notice;
        drop(st);
        self.render();
        true
    }

    /// The office's availability, loaded when the step is entered.
    fn load(self: &Rc<Self>) {
        let Some(office) = self.ctx.visit.borrow().session.office().cloned() else {
            return;
        };
        if !self.busy(Some(words::loading_calendar())) {
            return;
        }
        let engine = self.ctx.services.engine.clone();
        let me = self.clone();
        self.ctx.spawn(
            async move { engine.office_slots(&office, chrono::Utc::now()).await },
            move |slots| {
                me.change(|st, v| {
                    st.frame.busy = false;
                    st.frame.notice = None;
                    super::slots_loaded(st, v, slots, chrono::Utc::now());
                });
            },
        );
    }

    fn choose_time(self: &Rc<Self>, id: &str) {
        if self.state.borrow().frame.busy {
            return;
        }
        let chosen = {
            let mut st = self.state.borrow_mut();
            choose_time(&mut st, &mut self.ctx.visit.borrow_mut(), id, chrono::Utc::now())
        };
        let Some((slot, released)) = chosen else {
            self.render();
            return;
        };
        self.busy(None);
        let engine = self.ctx.services.engine.clone();
        let me = self.clone();
        self.ctx.spawn(
            async move {
                for old in released {
                    if let Err(e) = engine.release_hold(&old.id.0).await {
                        tracing::warn!(error = %e, "releasing the previous hold");
                    }
                }
                engine.hold(&slot.id.0).await.map(|h| (slot, h))
            },
            move |answer: Result<(Slot, ServerHold), EngineError>| {
                me.change(|st, v| {
                    st.frame.busy = false;
                    match answer {
                        Ok((slot, hold)) => held(st, v, &slot, Ok(hold)),
                        Err(e) => {
                            if let Some(slot) = v.session.slot().cloned() {
                                held(st, v, &slot, Err(e));
                            }
                        }
                    }
                });
            },
        );
    }

    /// Confirm: through the outbox, so a confirmed booking is never lost; back to the calendar
    /// with the day refreshed if the time was taken meanwhile.
    fn confirm(self: &Rc<Self>) {
        if self.state.borrow().frame.busy {
            return;
        }
        let request = {
            let mut st = self.state.borrow_mut();
            booking_request(
                &mut st,
                &self.ctx.visit.borrow(),
                self.ctx.language(),
                chrono::Utc::now(),
            )
        };
        let Some(request) = request else {
            self.render();
            return;
        };
        let office = self.ctx.visit.borrow().session.office().cloned();
        self.busy(Some(words::confirming()));
        let engine = self.ctx.services.engine.clone();
        let me = self.clone();
        self.ctx.spawn(
            async move {
                let outcome = engine.confirm(&request, CONFIRM_PATIENCE).await;
                // After "slot taken" the calendar is refreshed from the server before it shows.
                let slots = match (&outcome, office) {
                    (Ok(ConfirmOutcome::SlotTaken), Some(office)) => {
                        Some(engine.office_slots(&office, chrono::Utc::now()).await)
                    }
                    _ => None,
                };
                (outcome, slots)
            },
            move |(outcome, slots)| {
                let done = {
                    let (mut st, mut v) = (me.state.borrow_mut(), me.ctx.visit.borrow_mut());
                    st.frame.busy = false;
                    st.frame.notice = None;
                    let done = confirmed(&mut st, &mut v, outcome);
                    if let Some(slots) = slots {
                        let errors = st.frame.errors.clone();
                        super::slots_loaded(&mut st, &v, slots, chrono::Utc::now());
                        st.frame.errors = errors;
                    }
                    done
                };
                me.render();
                if done {
                    me.ctx.nav.go(Nav::To(Page::Confirmation));
                }
            },
        );
    }
}

impl Screen for DateTimeScreen {
    /// Entering the step loads the office's calendar (the month shown is kept).
    fn enter(self: Rc<Self>) {
        self.render();
        self.load();
    }

    fn render(&self) {
        if let Some(ui) = self.ctx.ui() {
            super::render_into(
                &ui.global::<Calendar>(),
                &self.state.borrow(),
                &self.ctx.visit.borrow(),
                self.ctx.language(),
            );
        }
    }

    fn reset(&self) {
        *self.state.borrow_mut() = State::default();
        self.render();
    }

    /// The hold's countdown, its renewal before it runs out, and "choose again" once it has.
    fn tick(self: Rc<Self>) {
        let now = chrono::Utc::now();
        let renew = {
            let mut st = self.state.borrow_mut();
            let v = self.ctx.visit.borrow();
            super::hold_lapsed(&mut st, &v, now);
            super::hold_to_renew(&st, &v, now).zip(v.session.slot().cloned())
        };
        self.render_hold();
        let Some((hold, slot)) = renew else { return };
        self.busy(None);
        let engine = self.ctx.services.engine.clone();
        let me = self.clone();
        self.ctx
            .spawn(async move { engine.renew_hold(&hold.id.0).await }, move |renewed| {
                me.change(|st, v| {
                    st.frame.busy = false;
                    held(st, v, &slot, renewed);
                });
            });
    }
}

impl DateTimeScreen {
    /// "Change" beside a line of the review: its step (the calendar for the date and time).
    fn change_step(&self, number: i32) {
        let step = Step::ALL.into_iter().find(|s| i32::from(s.number()) == number);
        self.state.borrow_mut().reviewing = false;
        match step {
            Some(Step::DateTime) | None => self.render(),
            Some(step) => {
                let step = self.ctx.visit.borrow_mut().session.back_to(step);
                self.render();
                self.ctx.nav.go(Nav::To(crate::visit::page_of(step)));
            }
        }
    }

    /// Only the hold's line and the step's errors: the calendar is not rebuilt every second.
    fn render_hold(&self) {
        let Some(ui) = self.ctx.ui() else { return };
        let g = ui.global::<Calendar>();
        let lang = self.ctx.language();
        let text = super::view::hold_text(&self.ctx.visit.borrow(), lang, chrono::Utc::now());
        if g.get_hold_text() != text.as_str() {
            g.set_hold_text(text.into());
        }
        let errors = words::text(self.state.borrow().frame.errors.as_ref(), lang);
        if g.get_errors() != errors.as_str() {
            g.set_errors(errors.into());
        }
    }
}
