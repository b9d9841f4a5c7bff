//! What staff do in maintenance: a test page, a test scan (shown, never kept), sync now, reprint
//! a ticket, out of service with an optional notice for visitors (or back in service), restart
//! the app. Every action is audited with the staff member's id; each says what it did.

use std::rc::Rc;
use std::sync::atomic::Ordering;

use chrono::Utc;
use kiosk_core::staff::Notice;
use kiosk_core::{Explain, Language};
use slint::ComponentHandle;

use super::{MaintenanceScreen, RESTART, busy, said};
use crate::nav::Nav;
use crate::ui::{AppWindow, Maintenance};

/// Side of the test scan's picture, in pixels.
const SCAN_PICTURE_SIDE: u32 = 900;
/// Resolution of the test scan: enough to judge it, quick to come.
const TEST_SCAN_DPI: u32 = 150;

pub(super) fn wire(screen: &Rc<MaintenanceScreen>) {
    let Some(ui) = screen.ctx.ui() else { return };
    let m = ui.global::<Maintenance>();
    let on = |f: fn(&Rc<MaintenanceScreen>)| {
        let weak = Rc::downgrade(screen);
        move || {
            if let Some(s) = weak.upgrade() {
                f(&s);
            }
        }
    };
    m.on_test_print(on(MaintenanceScreen::test_print));
    m.on_test_scan(on(MaintenanceScreen::test_scan));
    m.on_sync_now(on(MaintenanceScreen::sync_now));
    m.on_restart(on(MaintenanceScreen::restart));
    let weak = Rc::downgrade(screen);
    m.on_reprint(move |id| {
        if let Some(s) = weak.upgrade() {
            s.reprint(i64::from(id));
        }
    });
    let weak = Rc::downgrade(screen);
    m.on_set_out_of_service(move |out| {
        if let Some(s) = weak.upgrade() {
            s.set_out_of_service(out);
        }
    });
}

fn when_now() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M").to_string()
}

impl MaintenanceScreen {
    fn test_print(self: &Rc<Self>) {
        let Some(ui) = self.ctx.ui() else { return };
        let lang = self.language();
        let Some(printing) = self.ctx.services.printing.clone() else {
            said(
                &ui,
                true,
                lang.pick(
                    "Este quiosco no tiene impresora configurada.",
                    "This kiosk has no printer configured.",
                ),
            );
            return;
        };
        self.audit("test-print", String::new());
        busy(&ui, true);
        said(
            &ui,
            false,
            lang.pick("Imprimiendo la página de prueba…", "Printing the test page…"),
        );
        let kiosk_id = self.ctx.services.kiosk.id.clone();
        self.spawn(
            async move { printing.test_page(&kiosk_id, &when_now()).await },
            |s, ui, printed| {
                busy(ui, false);
                let lang = s.language();
                match printed {
                    Ok(p) if p.status.is_none_or(|st| !st.needs_attention()) => said(
                        ui,
                        false,
                        lang.pick(
                            "Página de prueba impresa: revise que se lean los acentos, la regla completa y el código QR.",
                            "Test page printed: check that the accents, the whole ruler and the QR code are readable.",
                        ),
                    ),
                    Ok(p) => {
                        let status = p.status.map(|st| st.explain(lang)).unwrap_or_default();
                        said(ui, true, &status);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "test print");
                        said(ui, true, &e.explain(lang));
                    }
                }
                s.refresh();
            },
        );
    }

    fn test_scan(self: &Rc<Self>) {
        let Some(ui) = self.ctx.ui() else { return };
        let lang = self.language();
        let Some(device) = self.ctx.services.scanner.clone() else {
            said(&ui, true, &kiosk_scan::ScanError::NoScanner.explain(lang));
            return;
        };
        self.audit("test-scan", String::new());
        let cancel = tokio_util::sync::CancellationToken::new();
        *self.scan.borrow_mut() = Some(cancel.clone());
        busy(&ui, true);
        ui.global::<Maintenance>().set_scan_page(slint::Image::default());
        said(
            &ui,
            false,
            lang.pick("Escaneando la página de prueba…", "Scanning the test page…"),
        );
        self.spawn(scan_one_page(device, cancel), |s, ui, scanned| {
            busy(ui, false);
            *s.scan.borrow_mut() = None;
            let lang = s.language();
            match scanned {
                Ok(t) => {
                    show_scan(ui, &t);
                    said(
                        ui,
                        false,
                        lang.pick(
                            "Página escaneada: revise que se lea bien. No se guarda ni se envía.",
                            "Page scanned: check that it reads well. It is neither kept nor sent.",
                        ),
                    );
                }
                Err(e) => {
                    tracing::warn!(error = %e, "test scan");
                    said(ui, true, &e.explain(lang));
                }
            }
        });
    }

    fn sync_now(self: &Rc<Self>) {
        let Some(ui) = self.ctx.ui() else { return };
        let lang = self.language();
        self.audit("sync-now", String::new());
        busy(&ui, true);
        said(&ui, false, lang.pick("Sincronizando…", "Syncing…"));
        let (engine, offices) = (
            self.ctx.services.engine.clone(),
            self.ctx.services.kiosk.offices.clone(),
        );
        self.spawn(
            async move {
                let now = Utc::now();
                engine.retry_now().await?;
                engine.sync_catalogue(now).await?;
                for office in &offices {
                    engine.sync_office(office, now).await?;
                }
                engine.drain().await
            },
            |s, ui, done| {
                busy(ui, false);
                let lang = s.language();
                match done {
                    Ok(report) => {
                        let words = match lang {
                            Language::Es => format!(
                                "Sincronizado. Envíos pendientes entregados: {}; aún en espera: {}.",
                                report.delivered, report.still_pending
                            ),
                            Language::En => format!(
                                "Synchronised. Waiting items delivered: {}; still waiting: {}.",
                                report.delivered, report.still_pending
                            ),
                        };
                        said(ui, false, &words);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "sync now");
                        let words = match lang {
                            Language::Es => format!("No se pudo sincronizar: {e}"),
                            Language::En => format!("Could not sync: {e}"),
                        };
                        said(ui, true, &words);
                    }
                }
                s.refresh();
            },
        );
    }

    fn reprint(self: &Rc<Self>, id: i64) {
        let Some(ui) = self.ctx.ui() else { return };
        let lang = self.language();
        let Some(printing) = self.ctx.services.printing.clone() else {
            return;
        };
        self.audit("reprint", format!("job {id}"));
        busy(&ui, true);
        said(&ui, false, lang.pick("Reimprimiendo…", "Reprinting…"));
        self.spawn(async move { printing.reprint(id).await }, |s, ui, outcome| {
            busy(ui, false);
            let lang = s.language();
            match outcome {
                crate::printing::TicketOutcome::Printed => {
                    said(ui, false, lang.pick("Boleto reimpreso.", "Ticket reprinted."));
                }
                crate::printing::TicketOutcome::AskStaff { why, status } => {
                    let words = status.map_or(why, |st| st.explain(lang));
                    said(ui, true, &words);
                }
            }
            s.refresh();
        });
    }

    fn set_out_of_service(self: &Rc<Self>, out: bool) {
        let Some(ui) = self.ctx.ui() else { return };
        let lang = self.language();
        let Some(who) = self.staff() else { return };
        let m = ui.global::<Maintenance>();
        let notice = if out {
            match Notice::parse(&m.get_notice()) {
                Ok(n) => n,
                Err(e) => {
                    m.set_notice_error(e.explain(lang).into());
                    return;
                }
            }
        } else {
            None
        };
        m.set_notice_error("".into());
        busy(&ui, true);
        let engine = self.ctx.services.engine.clone();
        self.spawn(
            async move {
                let now = Utc::now();
                let message = notice.as_ref().map(|n| n.as_str().to_owned()).unwrap_or_default();
                engine
                    .with_store(move |s| {
                        if out {
                            s.take_out_of_service(&who, notice.as_ref(), now)
                        } else {
                            s.back_in_service(&who, now)
                        }
                    })
                    .await
                    .map(|()| message)
            },
            move |s, ui, done| {
                busy(ui, false);
                let lang = s.language();
                match done {
                    Ok(message) => {
                        tracing::warn!(out_of_service = out, "service state changed by staff");
                        ui.global::<Maintenance>().set_notice(message.as_str().into());
                        let words = if out {
                            lang.pick(
                                "El quiosco está fuera de servicio. Los visitantes ven el aviso al cerrar mantenimiento.",
                                "The kiosk is out of service. Visitors see the notice once maintenance closes.",
                            )
                        } else {
                            lang.pick("El quiosco está de nuevo en servicio.", "The kiosk is back in service.")
                        };
                        said(ui, false, words);
                        s.ctx.nav.go(Nav::ServiceState(out.then_some(message)));
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "changing the service state");
                        said(ui, true, &e.to_string());
                    }
                }
                s.refresh();
            },
        );
    }

    /// Restarts the app: audited first (the audit line is in the store before the loop ends),
    /// then the event loop is told to end and `main` starts the kiosk again.
    fn restart(self: &Rc<Self>) {
        let Some(ui) = self.ctx.ui() else { return };
        let lang = self.language();
        let Some(who) = self.staff() else { return };
        busy(&ui, true);
        said(
            &ui,
            false,
            lang.pick("Reiniciando la aplicación…", "Restarting the app…"),
        );
        let engine = self.ctx.services.engine.clone();
        self.spawn(
            async move {
                let at = Utc::now();
                engine
                    .with_store(move |s| s.audit(who.as_str(), "restart", "", at))
                    .await
            },
            |s, _, audited| {
                if let Err(e) = audited {
                    tracing::error!(error = %e, "the audit log cannot be written");
                }
                tracing::warn!("restart asked by staff");
                RESTART.store(true, Ordering::SeqCst);
                s.clear();
                s.ctx.nav.go(Nav::EndVisit);
                let _ = slint::quit_event_loop();
            },
        );
    }
}

/// The test scan's page, onto the devices tab.
pub fn show_scan(ui: &AppWindow, t: &kiosk_scan::Thumbnail) {
    let pixels = slint::SharedPixelBuffer::<slint::Rgb8Pixel>::clone_from_slice(&t.rgb, t.width, t.height);
    ui.global::<Maintenance>()
        .set_scan_page(slint::Image::from_rgb8(pixels));
}

/// The test scan: one page at a modest resolution, as a picture for the screen (nothing kept).
pub async fn scan_one_page(
    device: kiosk_scan::DeviceUri,
    cancel: tokio_util::sync::CancellationToken,
) -> Result<kiosk_scan::Thumbnail, kiosk_scan::ScanError> {
    let scanner = device.connect().await?;
    // The document pipeline step 4 uses, whole: the page, its PDF within the budget, its
    // picture; nothing of it is kept or sent.
    let request = kiosk_scan::DocumentScan {
        options: kiosk_scan::escl::ScanOptions {
            dpi: TEST_SCAN_DPI,
            max_pages: 1,
            ..kiosk_scan::escl::ScanOptions::default()
        },
        earlier: Vec::new(),
        budget: kiosk_scan::Budget::CITAS,
        thumbnail_side: SCAN_PICTURE_SIDE,
    };
    let doc = kiosk_scan::scan_document(&scanner, request, &cancel, |_| {}).await?;
    doc.thumbnails
        .into_iter()
        .next()
        .ok_or_else(|| kiosk_scan::ScanError::Protocol("the scanner sent no page".into()))
}
