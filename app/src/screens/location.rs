//! Step 1, Location: the country the visitor lives in, the offices near their postal code, and
//! the office chosen (it cannot change later; step 3's address starts in its country).

use std::cell::RefCell;
use std::rc::Rc;
use std::str::FromStr;

use kiosk_core::Language;
use kiosk_core::catalogue::Procedure;
use kiosk_core::country::CountryCode;
use kiosk_core::postal::PostalCode;
use kiosk_core::session::Step;
use kiosk_core::time::AppointmentTime;
use kiosk_sync::api::{CatalogueOffice, NearOffice};
use slint::{ComponentHandle, SharedString};

use super::{Ctx, Screen, on, on1};
use crate::nav::Nav;
use crate::ui::{Location, OfficeCard};
use crate::view::{Frame, s};
use crate::visit::Visit;
use crate::words::{self, Msg};

/// What step 1 keeps between touches.
#[derive(Debug, Default)]
pub struct State {
    pub frame: Frame,
    /// The country chosen (the catalogue's most common one until the visitor picks).
    pub country: String,
    pub near: Vec<NearOffice>,
    pub search_msg: Option<Msg>,
}

/// Checks the postal code before searching the offices near it.
pub fn check_search(country: &str, postal: &str) -> Result<(CountryCode, PostalCode), Msg> {
    let country = country.parse::<CountryCode>().map_err(|_| words::choose_country())?;
    let postal = PostalCode::parse(postal, country).map_err(Msg::explain)?;
    Ok((country, postal))
}

/// The server's offices near the code, or why there are none to show.
pub fn search_result(st: &mut State, result: Result<Vec<NearOffice>, kiosk_sync::ApiError>) {
    st.near.clear();
    st.search_msg = Some(match result {
        Ok(near) if near.is_empty() => words::no_offices_near(),
        Ok(near) => {
            st.near = near;
            words::touch_an_office()
        }
        Err(e) if e.kind().is_some() => words::postal_code_unknown(),
        Err(_) => words::unreachable(),
    });
}

/// The office touched: the session takes it (the rules say whether it may); step 3's address
/// starts in its country.
pub fn choose_office(st: &mut State, v: &mut Visit, id: &str) {
    let Some(office) = v.offices.iter().find(|o| o.id == id).map(CatalogueOffice::office) else {
        return;
    };
    match office {
        Ok(office) => {
            let country = office.country;
            match v.session.choose_office(office) {
                Ok(()) => {
                    st.frame.errors = None;
                    v.applicant.start_in_country(country);
                }
                Err(e) => st.frame.errors = Some(Msg::explain(e)),
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "the catalogue has an office the kiosk cannot read");
            st.frame.errors = Some(words::office_unbookable());
        }
    }
}

fn office_card(v: &Visit, near: &NearOffice, lang: Language) -> Option<OfficeCard> {
    let o = v.offices.iter().find(|o| o.id == near.office_id)?;
    let tz = chrono_tz::Tz::from_str(&o.tz).ok()?;
    let next = near.next_available.map_or_else(
        || {
            lang.pick("Sin citas disponibles por ahora", "No appointments available for now")
                .to_owned()
        },
        |at| {
            let at = AppointmentTime::new(at, tz);
            format!("{} {}", lang.pick("Próxima cita:", "Next appointment:"), at.label(lang))
        },
    );
    let known: Vec<&str> = o
        .procedures
        .iter()
        .filter(|p| Procedure::from_id(p).is_some())
        .map(String::as_str)
        .collect();
    Some(OfficeCard {
        id: s(&o.id),
        name: s(&o.name),
        address: s(o.address_line()),
        phone: s(o
            .phone
            .as_deref()
            .map_or(String::new(), |p| format!("{} {p}", lang.pick("Teléfono:", "Phone:")))),
        next_available: s(next),
        distance: s(near.distance_km.map_or(String::new(), |km| match lang {
            Language::Es => format!("A {km:.0} km"),
            Language::En => format!("{:.0} miles away ({km:.0} km)", km / 1.609),
        })),
        procedures: s(Procedure::labels(&known, lang)),
        chosen: v.session.office().is_some_and(|c| c.id.0 == o.id),
    })
}

/// Shows step 1 in `lang`.
pub fn render_into(g: &Location<'_>, st: &State, v: &Visit, lang: Language) {
    crate::render_frame!(g, Step::Location, st.frame, lang);
    crate::fill!(g, get_countries, set_countries, v.country_choices(lang));
    crate::put!(g, get_country, set_country, s(&st.country));
    crate::put!(
        g,
        get_search_message,
        set_search_message,
        s(words::text(st.search_msg.as_ref(), lang))
    );
    crate::fill!(
        g,
        get_offices,
        set_offices,
        st.near.iter().filter_map(|n| office_card(v, n, lang)).collect()
    );
}

/// Step 1.
#[derive(Debug)]
pub struct LocationScreen {
    ctx: Ctx,
    state: RefCell<State>,
}

impl LocationScreen {
    pub fn new(ctx: Ctx) -> Rc<LocationScreen> {
        let screen = Rc::new(LocationScreen {
            ctx,
            state: RefCell::default(),
        });
        if let Some(ui) = screen.ctx.ui() {
            let g = ui.global::<Location>();
            g.on_choose_country(on1(&screen, |s, id: SharedString| {
                s.state.borrow_mut().country = id.to_string();
                s.render();
            }));
            g.on_search_offices(on(&screen, LocationScreen::search));
            g.on_choose_office(on1(&screen, |s, id: SharedString| {
                choose_office(&mut s.state.borrow_mut(), &mut s.ctx.visit.borrow_mut(), &id);
                s.render();
            }));
            g.on_next(on(&screen, |s| {
                let stopped = s.ctx.next_step().err();
                s.state.borrow_mut().frame.errors = stopped.map(|st| st.msg);
                s.render();
            }));
            // Cancel, on the first step: the visit ends.
            g.on_back(on(&screen, |s| s.ctx.nav.go(Nav::EndVisit)));
        }
        screen
    }

    fn search(self: &Rc<Self>) {
        let Some(ui) = self.ctx.ui() else { return };
        let g = ui.global::<Location>();
        let checked = {
            let mut st = self.state.borrow_mut();
            if st.frame.busy {
                return;
            }
            let checked = check_search(&st.country, &g.get_postal_code());
            match &checked {
                Ok(_) => st.frame.busy = true,
                Err(msg) => {
                    st.near.clear();
                    st.search_msg = Some(msg.clone());
                }
            }
            checked
        };
        let Ok((country, postal)) = checked else {
            self.render();
            return;
        };
        g.set_postal_code(postal.as_str().into());
        self.render();
        let client = self.ctx.services.engine.client().clone();
        let me = self.clone();
        self.ctx.spawn(
            async move {
                client
                    .offices_near(country.as_str(), postal.as_str())
                    .await
                    .map(|n| n.offices)
            },
            move |near| {
                let mut st = me.state.borrow_mut();
                st.frame.busy = false;
                search_result(&mut st, near);
                drop(st);
                me.render();
            },
        );
    }
}

impl Screen for LocationScreen {
    /// The country starts on the one most of the catalogue's offices are in.
    fn enter(self: Rc<Self>) {
        {
            let mut st = self.state.borrow_mut();
            if st.country.is_empty() {
                st.country = self.ctx.visit.borrow().default_country();
            }
        }
        self.render();
    }

    fn render(&self) {
        if let Some(ui) = self.ctx.ui() {
            render_into(
                &ui.global::<Location>(),
                &self.state.borrow(),
                &self.ctx.visit.borrow(),
                self.ctx.language(),
            );
        }
    }

    fn reset(&self) {
        *self.state.borrow_mut() = State::default();
        if let Some(ui) = self.ctx.ui() {
            ui.global::<Location>().set_postal_code("".into());
        }
        self.render();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_needs_a_country_and_a_postal_code_of_its_form() {
        let no_country = check_search("", "90057").expect_err("no country");
        assert!(no_country.text(Language::En).contains("country"));
        assert!(check_search("US", "9005").is_err(), "a US ZIP code has five digits");
        let (country, postal) = check_search("US", "90057").expect("a good search");
        assert_eq!((country.as_str(), postal.as_str()), ("US", "90057"));
    }

    #[test]
    fn no_office_near_the_code_says_so_and_shows_none() {
        let mut st = State::default();
        search_result(&mut st, Ok(Vec::new()));
        assert!(st.near.is_empty());
        assert!(
            st.search_msg
                .expect("a message")
                .text(Language::En)
                .contains("no consulates")
        );
    }

    #[test]
    fn an_office_not_in_the_catalogue_is_not_chosen() {
        let (mut st, mut v) = (State::default(), Visit::default());
        choose_office(&mut st, &mut v, "NOWHERE");
        assert!(v.session.office().is_none());
        assert!(v.applicant.address_country.is_empty());
    }
}
