//! The client against a real eSCL server's recorded answers: AirSane (in front of the SANE test
//! backend) as sane-airscan saw it scan ten pages from the feeder
//! (`tests/fixtures/airsane-adf-10-pages.trace.log`, copied from the shared fixtures).
//!
//! A loopback server replays each recorded answer, byte for byte as framed on the wire: replies
//! closed without a length, chunked pages, a relative `Location`, the 409 that ends the feeder.
//! Every request the client makes must be the next one in the transcript (method and path).
//! The pages' pixels were not recorded (only "3753 bytes of data saved as 00000000.png" and
//! "Gray, 1181x1181"), so each is replaced by a PNG of that kind.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use kiosk_scan::escl::{ScanOptions, Scanner};
use kiosk_scan::transport::Tcp;
use kiosk_scan::{Budget, build};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

const TRACE: &str = include_str!("fixtures/airsane-adf-10-pages.trace.log");

#[derive(Debug, Clone)]
struct Exchange {
    method: String,
    path: String,
    status: String,
    headers: Vec<(String, String)>,
    body: Body,
}

#[derive(Debug, Clone)]
enum Body {
    Text(String),
    /// "N bytes of data saved as FILE.png": a page.
    Page,
}

fn is_timestamp(line: &str) -> bool {
    let b = line.as_bytes();
    b.len() > 13 && b[2] == b':' && b[5] == b':' && b[8] == b'.' && b[12] == b':'
}

/// The exchanges of the transcript, in order.
fn exchanges() -> Vec<Exchange> {
    let mut out = Vec::new();
    for block in TRACE.split("\n==============================\n").skip(1) {
        let mut lines = block.lines();
        let request = lines.next().unwrap();
        let (method, url) = request.split_once(' ').unwrap();
        let path = url.split_once("://").unwrap().1;
        let path = &path[path.find('/').unwrap()..];
        // Request headers and any request body, up to the recorded status.
        let status = lines
            .by_ref()
            .find_map(|l| l.strip_prefix("Status: "))
            .unwrap()
            .to_owned();
        let mut headers = Vec::new();
        for l in lines.by_ref() {
            if l.is_empty() {
                break;
            }
            let (k, v) = l.split_once(": ").unwrap();
            headers.push((k.to_owned(), v.to_owned()));
        }
        let rest: Vec<&str> = lines.take_while(|l| !is_timestamp(l)).collect();
        let text = rest.join("\n").trim_end().to_owned();
        let body = if text.contains("bytes of data saved as") {
            Body::Page
        } else {
            Body::Text(text)
        };
        out.push(Exchange {
            method: method.to_owned(),
            path: path.to_owned(),
            status,
            headers,
            body,
        });
    }
    out
}

/// A page as the SANE test backend made it: 8-bit gray, 1181 x 1181 (A4-ish at 150 dpi).
fn page_png() -> Vec<u8> {
    let (w, h) = (1181u32, 1181u32);
    let mut png_bytes = Vec::new();
    let mut enc = png::Encoder::new(&mut png_bytes, w, h);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().unwrap();
    let data: Vec<u8> = (0..w * h)
        .map(|i| if (i / w / 40 + i % w / 40) % 2 == 0 { 40 } else { 230 })
        .collect();
    writer.write_image_data(&data).unwrap();
    writer.finish().unwrap();
    png_bytes
}

/// Reads one request's head and body off `stream`: method and path.
async fn read_request(stream: &mut tokio::net::TcpStream) -> (String, String) {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).await.unwrap();
        buf.push(byte[0]);
    }
    let head = String::from_utf8(buf).unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().unwrap())
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await.unwrap();
    let mut first = head.lines().next().unwrap().split(' ');
    (first.next().unwrap().to_owned(), first.next().unwrap().to_owned())
}

/// Serves the recorded answers in order; records what was asked.
async fn replay_server(script: Vec<Exchange>) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&asked);
    tokio::spawn(async move {
        let png = page_png();
        for ex in script {
            let (mut stream, _) = listener.accept().await.unwrap();
            let (method, path) = read_request(&mut stream).await;
            log.lock().unwrap().push(format!("{method} {path}"));
            assert_eq!((method.as_str(), path.as_str()), (ex.method.as_str(), ex.path.as_str()));
            let mut head = format!("HTTP/1.1 {}\r\n", ex.status);
            for (k, v) in &ex.headers {
                let _ = write!(head, "{k}: {v}\r\n");
            }
            head.push_str("\r\n");
            stream.write_all(head.as_bytes()).await.unwrap();
            let chunked = ex
                .headers
                .iter()
                .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v == "chunked");
            let body: Vec<u8> = match &ex.body {
                Body::Page => png.clone(),
                Body::Text(t) => t.as_bytes().to_vec(),
            };
            if chunked {
                for chunk in body.chunks(3706) {
                    stream
                        .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                        .await
                        .unwrap();
                    stream.write_all(chunk).await.unwrap();
                    stream.write_all(b"\r\n").await.unwrap();
                }
                stream.write_all(b"0\r\n\r\n").await.unwrap();
            } else {
                // As recorded: no Content-Length, the end of the body is the end of the connection.
                stream.write_all(&body).await.unwrap();
            }
            stream.shutdown().await.unwrap();
        }
    });
    (port, asked)
}

#[test]
fn the_transcript_holds_the_exchanges_the_replay_relies_on() {
    let script = exchanges();
    assert_eq!(
        script.len(),
        16,
        "capabilities, status, job, 10 pages, 409, status, delete"
    );
    assert!(script.iter().filter(|e| matches!(e.body, Body::Page)).count() == 10);
    let post = script.iter().find(|e| e.method == "POST").unwrap();
    assert!(
        post.headers
            .iter()
            .any(|(k, v)| k == "location" && v.starts_with("/eSCL/ScanJobs/"))
    );
    assert!(script.iter().any(|e| e.status == "409 Conflict"));
    assert!(
        script
            .iter()
            .all(|e| !e.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-length"))),
        "every answer is closed without a length or chunked"
    );
}

#[tokio::test]
async fn scans_all_ten_pages_from_the_recorded_airsane_server() {
    let script = exchanges();
    let expected: Vec<String> = script.iter().map(|e| format!("{} {}", e.method, e.path)).collect();
    let (port, asked) = replay_server(script).await;
    let scanner = Scanner::new(
        Arc::new(Tcp {
            host: "127.0.0.1".into(),
            port,
        }),
        "/eSCL",
    )
    .unwrap();
    let options = ScanOptions {
        dpi: 150,
        max_pages: 20,
        ..ScanOptions::default()
    };
    let pages = scanner.scan(options, &CancellationToken::new(), |_| {}).await.unwrap();
    assert_eq!(pages.len(), 10);
    assert!(pages.iter().all(|p| p.data == page_png()), "every page whole");
    assert_eq!(
        *asked.lock().unwrap(),
        expected,
        "the same conversation as sane-airscan's"
    );
    let pdf = build(&pages, Budget::CITAS).unwrap();
    assert_eq!(pdf.pages, 10);
    assert!(pdf.bytes.len() <= 1_000_000);
}
