//! The one way work leaves the UI thread and its answer comes back: [`Bridge::spawn`] runs a
//! future on the tokio runtime and hands its output to a closure on the Slint event loop, unless
//! the [`Generation`] it was started under has moved on meanwhile (the visit ended, maintenance
//! closed): an answer for a wiped visit is dropped, never shown to the next visitor.
//!
//! The closure runs through `slint::spawn_local`, so it may hold the screens' `Rc` state: no
//! thread-local is needed to find it again. [`Bridge::stream`] does the same for a stream of
//! values (a scan's pages as they arrive, the device's buttons and sensor).

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;

/// A counter bumped when what started some work is over (a visit, a staff member's session).
#[derive(Debug, Clone, Default)]
pub struct Generation(Rc<Cell<u64>>);

impl Generation {
    pub fn current(&self) -> u64 {
        self.0.get()
    }

    /// What was started before now is over: its answers are dropped.
    pub fn bump(&self) {
        self.0.set(self.0.get().wrapping_add(1));
    }

    /// Whether `at` (a [`Generation::current`] taken earlier) is still the current one.
    pub fn is(&self, at: u64) -> bool {
        self.0.get() == at
    }
}

/// Runs work on the runtime for the UI thread.
#[derive(Debug, Clone)]
pub struct Bridge {
    runtime: tokio::runtime::Handle,
}

impl Bridge {
    pub fn new(runtime: tokio::runtime::Handle) -> Bridge {
        Bridge { runtime }
    }

    /// Runs `work` on the runtime, then `then` with its output on the UI thread while `guard`
    /// is still at the generation it had now.
    pub fn spawn<T: Send + 'static>(
        &self,
        guard: &Generation,
        work: impl Future<Output = T> + Send + 'static,
        then: impl FnOnce(T) + 'static,
    ) {
        let (guard, at) = (guard.clone(), guard.current());
        let handle = self.runtime.spawn(work);
        let answered = slint::spawn_local(async move {
            match handle.await {
                Ok(answer) if guard.is(at) => then(answer),
                Ok(_) => tracing::debug!("an answer for what has ended is dropped"),
                Err(e) => tracing::error!(error = %e, "work for the screen failed"),
            }
        });
        if let Err(e) = answered {
            tracing::warn!(error = %e, "no event loop to answer on: the answer is dropped");
        }
    }

    /// Hands each value `events` brings (from the runtime: a scan's pages, the device's
    /// buttons) to `each` on the UI thread, while `guard` is at the generation it had now; it
    /// stops when the sender is dropped or the generation moves on.
    pub fn stream<T: Send + 'static>(
        &self,
        guard: &Generation,
        mut events: tokio::sync::mpsc::UnboundedReceiver<T>,
        mut each: impl FnMut(T) + 'static,
    ) {
        let (guard, at) = (guard.clone(), guard.current());
        let heard = slint::spawn_local(async move {
            while let Some(event) = events.recv().await {
                if !guard.is(at) {
                    tracing::debug!("events for what has ended are dropped");
                    return;
                }
                each(event);
            }
        });
        if let Err(e) = heard {
            tracing::warn!(error = %e, "no event loop to hear events on: they are dropped");
        }
    }

    /// Runs `work` on the runtime for its own sake (nothing to show when it ends).
    pub fn detach(&self, work: impl Future<Output = ()> + Send + 'static) {
        self.runtime.spawn(work);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_old_generation_is_told_apart_from_the_current_one() {
        let g = Generation::default();
        let at = g.current();
        assert!(g.is(at));
        g.bump();
        assert!(!g.is(at), "an answer started before the bump would be shown");
        assert!(g.is(g.current()));
    }

    #[test]
    fn clones_share_one_generation() {
        let g = Generation::default();
        let seen = g.clone();
        let at = seen.current();
        g.bump();
        assert!(!seen.is(at));
    }
}
