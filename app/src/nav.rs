//! Leaving a screen: a screen never calls another (nor the shell); it says where the visitor
//! goes as a [`Nav`] value on the [`Navigator`], and the shell, which alone owns the page, acts
//! on it. A screen calls [`Navigator::go`] once it has let go of its own state.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use kiosk_core::staff::StaffId;

use crate::ui::Page;

/// Where to go, or what the shell must do for a screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Nav {
    /// Show this page (the screen that owns it is entered first).
    To(Page),
    /// The visit is over (Finish, Cancel, inactivity, maintenance closed): every screen is
    /// reset and the kiosk is back on the welcome screen in Spanish.
    EndVisit,
    /// A staff member's PIN was right: maintenance opens for them.
    Maintenance(StaffId),
    /// Whether staff keep the kiosk out of service, and their notice for visitors (read at
    /// start-up, or just changed): visitors see only the notice; the LED says so too.
    ServiceState(Option<String>),
}

type Handler = Rc<dyn Fn(Nav)>;

/// The queue of navigation requests; the shell drains it.
#[derive(Clone, Default)]
pub struct Navigator {
    queue: Rc<RefCell<VecDeque<Nav>>>,
    handler: Rc<RefCell<Option<Handler>>>,
    draining: Rc<std::cell::Cell<bool>>,
}

impl std::fmt::Debug for Navigator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Navigator")
            .field("queued", &self.queue.borrow().len())
            .finish_non_exhaustive()
    }
}

impl Navigator {
    /// The shell's handler of every request.
    pub fn handle_with(&self, handler: impl Fn(Nav) + 'static) {
        *self.handler.borrow_mut() = Some(Rc::new(handler));
    }

    /// Asks for `nav`; handled at once, in order (a request made while one is being handled
    /// waits for it to finish).
    pub fn go(&self, nav: Nav) {
        self.queue.borrow_mut().push_back(nav);
        if self.draining.replace(true) {
            return;
        }
        loop {
            let next = self.queue.borrow_mut().pop_front();
            let Some(next) = next else { break };
            let handler = self.handler.borrow().clone();
            if let Some(h) = handler {
                h(next);
            } else {
                tracing::error!(?next, "a navigation request with no shell to handle it");
            }
        }
        self.draining.set(false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_made_while_handling_one_is_handled_after_it_in_order() {
        let nav = Navigator::default();
        let seen: Rc<RefCell<Vec<Nav>>> = Rc::default();
        let (again, log) = (nav.clone(), seen.clone());
        nav.handle_with(move |n| {
            log.borrow_mut().push(n.clone());
            if n == Nav::EndVisit {
                again.go(Nav::To(Page::Welcome));
                // Not handled yet: the first request is still being handled.
                assert_eq!(log.borrow().len(), 1);
            }
        });
        nav.go(Nav::EndVisit);
        nav.go(Nav::ServiceState(None));
        assert_eq!(
            *seen.borrow(),
            vec![Nav::EndVisit, Nav::To(Page::Welcome), Nav::ServiceState(None)]
        );
    }
}
