//! The printer as the screens show it: a ticket's outcome in the visitor's terms, and a
//! preview's pixels for a `slint::Image`. The print queue's worker is kiosk-print's
//! ([`kiosk_print::worker`]).

pub use kiosk_print::worker::{PRINT_WITHIN_MINUTES, Printing, RETRY_EVERY, TicketOutcome};

/// What the visitor is told of their ticket.
pub fn ticket_state(outcome: &TicketOutcome) -> crate::ui::TicketState {
    match outcome {
        TicketOutcome::Printed => crate::ui::TicketState::Printed,
        TicketOutcome::AskStaff { why, status } => {
            tracing::warn!(%why, ?status, "a visitor's ticket did not print; it stays queued");
            crate::ui::TicketState::AskStaff
        }
    }
}

/// A preview's pixels, for a `slint::Image` made on the UI thread.
pub fn preview_pixels(p: &kiosk_print::Preview) -> slint::SharedPixelBuffer<slint::Rgb8Pixel> {
    let mut buffer = slint::SharedPixelBuffer::<slint::Rgb8Pixel>::new(p.width, p.height);
    for (px, dot) in buffer.make_mut_slice().iter_mut().zip(&p.dots) {
        *px = slint::Rgb8Pixel::new(*dot, *dot, *dot);
    }
    buffer
}
