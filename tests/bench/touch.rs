//! The driver of `tests/bench/touch.sh`: a whole visit in demo mode, touched as a visitor
//! touches it, on a headless window drawn by Slint's software renderer, with an event loop of
//! its own (answers from the runtime come back through it, as on the kiosk). For each screen,
//! the same touch repeated: the time from the pointer's press to the next frame rendered, and
//! (under gdb, see touch.gdb.py) the properties set meanwhile.
//!
//! It is copied into `app/examples/` of each tree measured, so it uses only what every version
//! of the app has: the demo, the window, the `Kiosk` global and the accessible labels. The one
//! line that differs between versions (how the screens are wired) is written by touch.sh where
//! it says `WIRE`.

#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use citas_kiosk::ui::{AppWindow, Kiosk, Page};
use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use slint::platform::software_renderer::{MinimalSoftwareWindow, PremultipliedRgbaColor, RepaintBufferType};
use slint::platform::{EventLoopProxy, Platform, PointerEventButton, WindowAdapter, WindowEvent};
use slint::{ComponentHandle, LogicalPosition, PhysicalSize, PlatformError};

type Job = Box<dyn FnOnce() + Send>;

/// What `invoke_from_event_loop` (and so `spawn_local`, `upgrade_in_event_loop`) hands the loop.
#[derive(Clone, Default)]
struct Queue(Arc<Mutex<VecDeque<Job>>>);

struct Proxy(Queue);

impl EventLoopProxy for Proxy {
    fn quit_event_loop(&self) -> Result<(), slint::EventLoopError> {
        Ok(())
    }

    fn invoke_from_event_loop(&self, job: Job) -> Result<(), slint::EventLoopError> {
        self.0 .0.lock().unwrap().push_back(job);
        Ok(())
    }
}

struct Headless {
    window: Rc<MinimalSoftwareWindow>,
    queue: Queue,
}

impl Platform for Headless {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, PlatformError> {
        Ok(self.window.clone())
    }

    fn new_event_loop_proxy(&self) -> Option<Box<dyn EventLoopProxy>> {
        Some(Box::new(Proxy(self.queue.clone())))
    }
}

/// gdb's marks around one touch (touch.gdb.py counts `Property::set` between them); the C
/// calling convention puts `screen` where the script reads it.
#[inline(never)]
extern "C" fn bench_touch_begin(screen: u32) {
    std::hint::black_box(screen);
}

#[inline(never)]
extern "C" fn bench_touch_end() {
    std::hint::black_box(());
}

struct Bench {
    ui: AppWindow,
    window: Rc<MinimalSoftwareWindow>,
    queue: Queue,
    buffer: Vec<PremultipliedRgbaColor>,
    width: usize,
    samples: Vec<(&'static str, Duration)>,
    screen: u32,
}

const SCREENS: [&str; 9] = [
    "welcome",
    "lookup",
    "sign_in",
    "my_procedures",
    "location",
    "procedures",
    "applicant",
    "documents",
    "date_time",
];

impl Bench {
    /// Runs what the loop was handed, the timers, and draws a frame if one is due.
    fn pump(&mut self) -> bool {
        loop {
            let job = self.queue.0.lock().unwrap().pop_front();
            match job {
                Some(job) => job(),
                None => break,
            }
        }
        slint::platform::update_timers_and_animations();
        self.draw()
    }

    fn draw(&mut self) -> bool {
        let (buffer, width) = (&mut self.buffer, self.width);
        self.window.draw_if_needed(|renderer| {
            renderer.render(buffer, width);
        })
    }

    /// Lets the loop run until `done` holds (answers from the simulators, timers).
    fn until(&mut self, what: &str, done: impl Fn(&AppWindow) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !done(&self.ui) {
            assert!(Instant::now() < deadline, "waited a minute for {what}");
            self.pump();
            std::thread::sleep(Duration::from_millis(2));
        }
        self.pump();
    }

    fn find(&self, label: &str) -> Option<ElementHandle> {
        self.find_where(label, |r| !matches!(r, Some(AccessibleRole::Text) | None))
    }

    fn find_where(&self, label: &str, role: fn(Option<AccessibleRole>) -> bool) -> Option<ElementHandle> {
        ElementHandle::find_by_accessible_label(&self.ui, label).find(|e| role(e.accessible_role()))
    }

    /// The element labelled `label`, scrolled into view as a finger would: its middle clear of
    /// the header above the page and the Back / Next bar below it.
    fn in_view(&mut self, label: &str) -> ElementHandle {
        self.in_view_where(label, |r| !matches!(r, Some(AccessibleRole::Text) | None))
    }

    /// [`Bench::in_view`] for an element of the roles `role` accepts (rows of a long form are
    /// only there once scrolled to).
    fn in_view_where(&mut self, label: &str, role: fn(Option<AccessibleRole>) -> bool) -> ElementHandle {
        let size = self.ui.window().size();
        let (w, h) = (size.width as f32, size.height as f32);
        // At 1280x800 the header takes the top 80 px and the Back / Next bar the bottom 110
        // (the touches measured there are the header's).
        let visible = |e: &ElementHandle| {
            let p = e.absolute_position();
            let s = e.size();
            let (x, y) = (p.x + s.width / 2.0, p.y + s.height / 2.0);
            let in_bar = p.y < 80.0;
            let in_page = y > 100.0 && y < h - 110.0;
            x > 0.0 && x < w && y < h && (in_bar || in_page)
        };
        for dy in [0.0, 150.0, -150.0] {
            for _ in 0..40 {
                if let Some(e) = self.find_where(label, role).filter(visible) {
                    return e;
                }
                if dy == 0.0 {
                    break;
                }
                self.ui.window().dispatch_event(WindowEvent::PointerScrolled {
                    position: LogicalPosition::new(w / 2.0, h / 2.0),
                    delta_x: 0.0,
                    delta_y: -dy,
                });
                self.pump();
            }
        }
        panic!("nothing labelled {label:?} on screen")
    }

    /// A touch, measured: press to the next frame rendered.
    fn touch(&mut self, label: &str) -> Duration {
        let e = self.in_view(label);
        let (p, s) = (e.absolute_position(), e.size());
        let at = LogicalPosition::new(p.x + s.width / 2.0, p.y + s.height / 2.0);
        self.pump();
        let window = self.ui.window();
        let start = Instant::now();
        bench_touch_begin(self.screen);
        window.dispatch_event(WindowEvent::PointerPressed {
            position: at,
            button: PointerEventButton::Left,
        });
        window.dispatch_event(WindowEvent::PointerReleased {
            position: at,
            button: PointerEventButton::Left,
        });
        slint::platform::update_timers_and_animations();
        self.draw();
        bench_touch_end();
        start.elapsed()
    }

    /// `labels` touched in turn, `times` touches in all, each measured for `screen`.
    fn measure(&mut self, screen: &'static str, labels: &[&str], times: usize) {
        self.screen = u32::try_from(SCREENS.iter().position(|s| *s == screen).unwrap()).unwrap();
        for i in 0..times {
            let took = self.touch(labels[i % labels.len()]);
            self.samples.push((screen, took));
            // Whatever the touch started (none of these calls a server) settles before the next.
            self.pump();
        }
    }

    /// A touch not measured (moving through the visit), by the element's default action.
    fn press(&mut self, label: &str) {
        let e = match self.find(label) {
            Some(e) => e,
            None => self.in_view(label),
        };
        e.invoke_accessible_default_action();
        self.pump();
    }

    fn type_into(&mut self, label: &str, text: &str) {
        let e = self.in_view_where(label, |r| r == Some(AccessibleRole::TextInput));
        e.set_accessible_value(text);
        self.pump();
    }

    fn page(&self) -> Page {
        self.ui.global::<Kiosk>().get_page()
    }

    fn shown(&self, label: &str) -> bool {
        self.find(label).is_some()
    }

    /// Labels of the buttons whose label `wanted` accepts.
    fn buttons(&self, wanted: impl Fn(&str) -> bool) -> Vec<String> {
        i_slint_backend_testing::ElementQuery::from_root(&self.ui)
            .find_all()
            .into_iter()
            .filter(|e| e.accessible_role() == Some(AccessibleRole::Button))
            .filter_map(|e| e.accessible_label().map(|l| l.to_string()))
            .filter(|l| wanted(l))
            .collect()
    }
}

fn main() {
    let times: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(30);
    let (w, h) = (1280, 800);
    let window = MinimalSoftwareWindow::new(RepaintBufferType::ReusedBuffer);
    let queue = Queue::default();
    slint::platform::set_platform(Box::new(Headless {
        window: window.clone(),
        queue: queue.clone(),
    }))
    .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let demo = runtime.block_on(citas_kiosk::demo::start()).unwrap();
    let ui = AppWindow::new().unwrap();
    let services = demo
        .services(runtime.handle().clone(), citas_kiosk::device::DeviceParts::simulated())
        .unwrap();
    let _shell = (); // WIRE
    ui.window().set_size(PhysicalSize::new(w, h));
    ui.show().unwrap();
    let mut b = Bench {
        ui,
        window,
        queue,
        buffer: vec![PremultipliedRgbaColor::default(); (w * h) as usize],
        width: w as usize,
        samples: Vec::new(),
        screen: 0,
    };
    b.pump();

    // Welcome: the language, back and forth.
    b.measure("welcome", &["English", "Español"], times);
    // "I already have an appointment": a code of the wrong form, searched again and again.
    b.press("Ya tengo una cita");
    b.type_into("Código de la cita", "abc");
    b.measure("lookup", &["Buscar"], times);
    b.press("Terminar");
    // Sign-in: the terms, on and off; then in.
    b.press("Reservar una cita");
    b.type_into("Correo electrónico", citas_kiosk::demo::DEMO_EMAIL);
    b.type_into("Contraseña", citas_kiosk::demo::DEMO_PASSWORD);
    let terms = "He leído y acepto los términos y condiciones";
    // An odd number of touches: the terms end accepted.
    b.measure("sign_in", &[terms], times / 2 * 2 + 1);
    b.press("Iniciar sesión");
    b.until("my procedures", |ui| ui.global::<Kiosk>().get_page() == Page::MyProcedures);
    // My procedures: the larger text, on and off.
    b.measure("my_procedures", &["Letra más grande"], times / 2 * 2);
    b.press("Reservar una cita");
    // 1 Location: the country, then the office, touched again and again.
    b.measure(
        "location",
        &["País donde vive: Canadá", "País donde vive: Estados Unidos"],
        times / 2 * 2,
    );
    b.type_into("Código postal", "90057");
    b.press("Buscar oficinas");
    let office = "Consulado General de México en Los Ángeles";
    let deadline = Instant::now() + Duration::from_secs(60);
    while !b.shown(office) {
        assert!(Instant::now() < deadline, "no offices");
        b.pump();
        std::thread::sleep(Duration::from_millis(2));
    }
    b.measure("location", &[office], times);
    b.press("Siguiente");
    b.until("step 2", |ui| ui.global::<Kiosk>().get_page() == Page::Procedures);
    // 2 Procedures: the passport, chosen and dropped.
    b.type_into("CURP", "GODE561231HDFRRN00");
    b.press("Buscar CURP");
    let owner = "CURP de: Enrique González Durán";
    let deadline = Instant::now() + Duration::from_secs(60);
    while ElementHandle::find_by_accessible_label(&b.ui, owner).next().is_none() {
        assert!(Instant::now() < deadline, "the CURP's owner");
        b.pump();
        std::thread::sleep(Duration::from_millis(2));
    }
    // An odd number of touches: the passport ends chosen.
    b.measure("procedures", &["Pasaporte"], times / 2 * 2 + 1);
    b.press("Capturar información");
    b.press("Tipo de trámite: Renovación");
    b.press("Vigencia (años): 6 años");
    b.press("Guardar información");
    b.press("Siguiente");
    b.until("step 3", |ui| ui.global::<Kiosk>().get_page() == Page::Applicant);
    // 3 Applicant: the marital status, back and forth.
    b.measure(
        "applicant",
        &["Estado civil: Casado(a)", "Estado civil: Soltero(a)"],
        times / 2 * 2,
    );
    for (label, text) in [
        ("Municipio o ciudad de nacimiento", "Ciudad de México"),
        ("Código postal", "90057"),
        ("Estado o provincia", "California"),
        ("Ciudad", "Los Ángeles"),
        ("Calle y número", "2401 W 6th St"),
        ("Contacto de emergencia", "María José Núñez Güemes"),
        ("Teléfono de emergencia", "(213) 624-3917"),
    ] {
        b.type_into(label, text);
    }
    b.press("Siguiente");
    b.until("step 4", |ui| ui.global::<Kiosk>().get_page() == Page::Documents);
    // 4 Documents: colour on and off for the first; then every one scanned.
    let colour = b.buttons(|l| l.starts_with("A color (identificación con foto): "));
    b.measure("documents", &[colour[0].as_str()], times / 2 * 2);
    let mut misses = 0;
    while misses < 20 {
        let Some(scan) = b.buttons(|l| l.starts_with("Escanear: ")).into_iter().next() else {
            // The rows further down are made once scrolled to.
            misses += 1;
            b.ui.window().dispatch_event(WindowEvent::PointerScrolled {
                position: LogicalPosition::new(640.0, 400.0),
                delta_x: 0.0,
                delta_y: -150.0,
            });
            b.pump();
            continue;
        };
        b.press(&scan);
        let deadline = Instant::now() + Duration::from_secs(60);
        let rescan = scan.replacen("Escanear", "Volver a escanear", 1);
        while !b.shown(&rescan) {
            assert!(Instant::now() < deadline, "the scan of {scan}");
            b.pump();
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    b.press("Siguiente");
    b.until("step 5", |ui| ui.global::<Kiosk>().get_page() == Page::DateTime);
    // 5 Date and time: two free days, one and then the other.
    // A day's label is its number and its availability in words ("12 Muchos horarios").
    let free = |l: &str| {
        let (day, words) = l.split_once(' ').unwrap_or_default();
        !day.is_empty() && day.chars().all(|c| c.is_ascii_digit()) && !words.starts_with("Lleno") && !words.starts_with("Cerrado")
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while b.buttons(free).len() < 2 {
        assert!(Instant::now() < deadline, "two free days");
        b.pump();
        std::thread::sleep(Duration::from_millis(2));
    }
    let days = b.buttons(free);
    b.measure("date_time", &[days[0].as_str(), days[1].as_str()], times / 2 * 2);
    assert_eq!(b.page(), Page::DateTime);

    // Median and p95 per screen, one line each: "screen n median_us p95_us".
    for screen in SCREENS {
        let mut t: Vec<Duration> = b.samples.iter().filter(|(s, _)| *s == screen).map(|(_, d)| *d).collect();
        if t.is_empty() {
            continue;
        }
        t.sort_unstable();
        let at = |q: f64| t[((t.len() - 1) as f64 * q).round() as usize].as_micros();
        println!("{screen} {} {} {}", t.len(), at(0.5), at(0.95));
    }
    runtime.block_on(demo.central.stop());
}
