//! What a print job holds: a confirmation ticket or the slip of a request saved and NOT
//! confirmed, read from the job's JSON by its reason, and laid out as lines. The slip's layout
//! lives here beside the choice; the ticket's is [`crate::layout`]'s.

use kiosk_core::slip::PendingSlip;
use kiosk_core::ticket::Ticket;
use kiosk_store::{PrintJob, PrintReason};

use crate::error::PrintError;
use crate::layout::{Align, Line, Paper, Size, Style, layout, push_list, push_wrapped};

/// A job's paper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Printout {
    Ticket(Ticket),
    Slip(PendingSlip),
}

impl Printout {
    /// The job's printout: a slip when it was queued as one, else a ticket.
    pub fn of_job(job: &PrintJob) -> Result<Printout, PrintError> {
        let json = job
            .ticket
            .as_deref()
            .ok_or_else(|| PrintError::BadTicket("no ticket was stored with this job".into()))?;
        let bad = |e: serde_json::Error| PrintError::BadTicket(e.to_string());
        Ok(match job.reason {
            PrintReason::Pending => Printout::Slip(serde_json::from_str(json).map_err(bad)?),
            PrintReason::Confirmation | PrintReason::Reprint | PrintReason::Test => {
                Printout::Ticket(serde_json::from_str(json).map_err(bad)?)
            }
        })
    }

    /// Its lines on `paper`.
    pub fn lines(&self, paper: Paper) -> Vec<Line> {
        match self {
            Printout::Ticket(t) => layout(t, paper),
            Printout::Slip(s) => slip(s, paper),
        }
    }
}

const CENTRE_BOLD: Style = Style {
    bold: true,
    size: Size::Normal,
    align: Align::Center,
};
const WARNING: Style = Style {
    bold: true,
    size: Size::Large,
    align: Align::Center,
};
const BODY: Style = Style {
    bold: false,
    size: Size::Normal,
    align: Align::Left,
};

/// The slip's lines on `paper`: "NOT CONFIRMED" large at the top and again by the time, the
/// reference large (no QR code: there is nothing a counter could scan yet).
pub fn slip(slip: &PendingSlip, paper: Paper) -> Vec<Line> {
    let t = slip.text();
    let centre = Style {
        bold: false,
        ..CENTRE_BOLD
    };
    let mut lines = Vec::with_capacity(40);
    push_wrapped(&mut lines, t.title, CENTRE_BOLD, paper);
    push_wrapped(&mut lines, t.warning, WARNING, paper);
    lines.push(Line::Feed(1));
    push_wrapped(&mut lines, &t.office, CENTRE_BOLD, paper);
    for a in &t.address {
        push_wrapped(&mut lines, a, centre, paper);
    }
    if let Some(phone) = &t.phone {
        push_wrapped(&mut lines, phone, centre, paper);
    }
    lines.push(Line::Rule);
    push_wrapped(&mut lines, t.requested, Style { bold: true, ..BODY }, paper);
    push_wrapped(&mut lines, &t.date, BODY, paper);
    push_wrapped(
        &mut lines,
        &t.time,
        Style {
            bold: true,
            size: Size::Tall,
            align: Align::Left,
        },
        paper,
    );
    lines.push(Line::Rule);
    push_wrapped(&mut lines, t.reference_heading, centre, paper);
    // Nine characters ("3F2A-91C0"): one line at double width on the narrowest paper.
    lines.push(Line::Text {
        text: t.reference.clone(),
        style: WARNING,
    });
    lines.push(Line::Rule);
    push_list(&mut lines, t.next_heading, &[t.next.to_owned()], paper);
    lines.push(Line::Feed(1));
    push_list(&mut lines, t.check_heading, &[t.check.to_owned()], paper);
    lines.push(Line::Rule);
    push_wrapped(&mut lines, t.not_a_ticket, CENTRE_BOLD, paper);
    lines
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use kiosk_core::Language;
    use kiosk_core::slip::RequestReference;
    use kiosk_core::ticket::TicketOffice;
    use kiosk_store::PrintState;

    use super::*;

    fn the_slip(lang: Language) -> PendingSlip {
        PendingSlip {
            reference: RequestReference::of_key("3f2a91c0-5b7e-4d21-9a8f-0c1d2e3f4a5b").unwrap(),
            language: lang,
            office: TicketOffice::from_parts(
                "Consulado General de México en San Bernardino",
                "293 North D St",
                "San Bernardino",
                "CA",
                "92401",
                Some("+1 909-889-9836"),
                chrono_tz::America::Los_Angeles,
            ),
            start: Utc.with_ymd_and_hms(2026, 12, 3, 18, 30, 0).unwrap(),
        }
    }

    fn job(reason: PrintReason, json: &str) -> PrintJob {
        PrintJob {
            id: 1,
            booking_code: "3F2A91C0".into(),
            ticket: Some(json.into()),
            reason,
            state: PrintState::Queued,
            attempts: 0,
            last_error: None,
            created_at: Utc::now(),
            printed_at: None,
        }
    }

    fn texts(lines: &[Line]) -> Vec<&str> {
        lines
            .iter()
            .filter_map(|l| match l {
                Line::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_slip_says_not_confirmed_carries_its_reference_and_no_qr_code() {
        for paper in [Paper::MM58, Paper::MM80, Paper::MM80_42] {
            for lang in [Language::Es, Language::En] {
                let lines = slip(&the_slip(lang), paper);
                let words = texts(&lines);
                assert!(words.contains(&"3F2A-91C0"), "{words:?}");
                assert!(!lines.iter().any(|l| matches!(l, Line::Qr { .. })));
                let all = words.join(" ");
                assert!(all.contains(lang.pick("NO CONFIRMADA", "NOT CONFIRMED")), "{all}");
                assert!(
                    all.contains(lang.pick("NO es un comprobante", "NOT an appointment ticket")),
                    "{all}"
                );
                for l in &lines {
                    if let Line::Text { text, style } = l {
                        assert!(text.chars().count() * style.size.width() <= paper.columns(), "{text}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_job_is_read_as_a_slip_or_a_ticket_by_its_reason() {
        let json = serde_json::to_string(&the_slip(Language::Es)).unwrap();
        assert!(matches!(
            Printout::of_job(&job(PrintReason::Pending, &json)),
            Ok(Printout::Slip(_))
        ));
        assert!(matches!(
            Printout::of_job(&job(PrintReason::Reprint, &json)),
            Err(PrintError::BadTicket(_))
        ));
        let mut none = job(PrintReason::Pending, "");
        none.ticket = None;
        assert!(Printout::of_job(&none).is_err());
    }
}
