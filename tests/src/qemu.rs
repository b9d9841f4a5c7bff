//! Driving an emulated machine from a test: QEMU's machine protocol (QMP) for screenshots and
//! touches, the test image's command channel (a shell on a virtconsole), and a network
//! namespace of the test's own so the guest reaches loopback and nothing else.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The test's own network namespace, held by a child process for as long as this lives.
#[derive(Debug)]
pub struct Netns {
    holder: Child,
}

impl Netns {
    /// Moves the calling thread into a new network namespace with only loopback up. Threads
    /// and processes it starts afterwards are in it too; the rest of the test process is not.
    pub fn enter() -> std::io::Result<Netns> {
        let mut holder = Command::new("unshare")
            .args(["--net", "sleep", "3600"])
            .stdin(Stdio::null())
            .spawn()?;
        let path = format!("/proc/{}/ns/net", holder.id());
        // `unshare` execs `sleep` once the namespace is made; until then the link is its parent's.
        let ours = std::fs::read_link("/proc/self/ns/net")?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::fs::read_link(&path).ok().is_none_or(|l| l == ours) {
            if Instant::now() > deadline {
                let _ = holder.kill();
                return Err(std::io::Error::other("unshare --net made no namespace"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let ns = File::open(&path)?;
        rustix::thread::move_into_link_name_space(ns.as_fd(), Some(rustix::thread::LinkNameSpaceType::Network))?;
        let up = Command::new("ip").args(["link", "set", "lo", "up"]).status()?;
        if !up.success() {
            return Err(std::io::Error::other("ip link set lo up failed"));
        }
        Ok(Netns { holder })
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = self.holder.kill();
        let _ = self.holder.wait();
    }
}

/// Connects to a socket QEMU makes, once it is there (within `wait`).
fn connect(path: &Path, wait: Duration) -> std::io::Result<UnixStream> {
    let deadline = Instant::now() + wait;
    loop {
        match UnixStream::connect(path) {
            Ok(s) => return Ok(s),
            Err(e) if Instant::now() > deadline => return Err(e),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// A QMP connection (QEMU's JSON machine protocol over a Unix socket).
#[derive(Debug)]
pub struct Qmp {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

impl Qmp {
    /// Connects once QEMU has made its socket (within `wait`), and leaves capabilities mode.
    pub fn connect(path: &Path, wait: Duration) -> std::io::Result<Qmp> {
        let stream = connect(path, wait)?;
        stream.set_read_timeout(Some(Duration::from_mins(1)))?;
        let mut qmp = Qmp {
            reader: BufReader::new(stream.try_clone()?),
            writer: stream,
        };
        let greeting = qmp.read()?;
        if greeting.get("QMP").is_none() {
            return Err(std::io::Error::other(format!("not a QMP greeting: {greeting}")));
        }
        qmp.execute("qmp_capabilities", &json!({}))?;
        Ok(qmp)
    }

    fn read(&mut self) -> std::io::Result<Value> {
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "QMP closed"));
        }
        serde_json::from_str(&line).map_err(std::io::Error::other)
    }

    /// Runs one command and returns its `return` value (events in between are skipped).
    pub fn execute(&mut self, command: &str, arguments: &Value) -> std::io::Result<Value> {
        let mut msg = serde_json::to_vec(&json!({"execute": command, "arguments": arguments}))?;
        msg.push(b'\n');
        self.writer.write_all(&msg)?;
        loop {
            let v = self.read()?;
            if let Some(r) = v.get("return") {
                return Ok(r.clone());
            }
            if let Some(e) = v.get("error") {
                return Err(std::io::Error::other(format!("QMP {command}: {e}")));
            }
        }
    }

    /// The display as it is now.
    pub fn screendump(&mut self, dir: &Path) -> std::io::Result<Frame> {
        let file = dir.join("screendump.ppm");
        let _ = std::fs::remove_file(&file);
        self.execute("screendump", &json!({"filename": file}))?;
        Frame::from_ppm(&std::fs::read(&file)?)
    }

    /// A tap at `(x, y)` on a `width` x `height` display, through the virtio tablet: its
    /// absolute axes run 0..=0x7fff whatever the display's size.
    pub fn tap(&mut self, x: u32, y: u32, width: u32, height: u32) -> std::io::Result<()> {
        let abs = |v: u32, size: u32| u64::from(v) * 0x7fff / u64::from(size.max(2) - 1);
        let at = json!([
            {"type": "abs", "data": {"axis": "x", "value": abs(x, width)}},
            {"type": "abs", "data": {"axis": "y", "value": abs(y, height)}},
        ]);
        self.execute("input-send-event", &json!({"events": at}))?;
        for down in [true, false] {
            let press = json!([{"type": "btn", "data": {"down": down, "button": "left"}}]);
            self.execute("input-send-event", &json!({"events": press}))?;
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(())
    }
}

/// An RGB picture of the display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub width: u32,
    pub height: u32,
    /// Row-major RGB, 3 bytes a pixel.
    pub rgb: Vec<u8>,
}

impl Frame {
    /// A binary PPM (P6, maxval 255), as QEMU's screendump writes it.
    pub fn from_ppm(bytes: &[u8]) -> std::io::Result<Frame> {
        let bad = |why: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("PPM: {why}"));
        let mut fields = Vec::new();
        let mut at = 0;
        while fields.len() < 4 {
            while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
                at += 1;
            }
            let start = at;
            while bytes.get(at).is_some_and(|b| !b.is_ascii_whitespace()) {
                at += 1;
            }
            if start == at {
                return Err(bad("short header"));
            }
            fields.push(std::str::from_utf8(&bytes[start..at]).map_err(|_| bad("header"))?);
        }
        if fields[0] != "P6" || fields[3] != "255" {
            return Err(bad("not P6 with maxval 255"));
        }
        let width: u32 = fields[1].parse().map_err(|_| bad("width"))?;
        let height: u32 = fields[2].parse().map_err(|_| bad("height"))?;
        let rgb = bytes.get(at + 1..).ok_or_else(|| bad("no pixels"))?.to_vec();
        if rgb.len() != width as usize * height as usize * 3 {
            return Err(bad("pixel count"));
        }
        Ok(Frame { width, height, rgb })
    }

    /// A PNG, as the app's `--screenshots` writes it (RGB or RGBA, 8 bits).
    pub fn from_png(path: &Path) -> std::io::Result<Frame> {
        let decoder = png::Decoder::new(BufReader::new(File::open(path)?));
        let mut reader = decoder.read_info().map_err(std::io::Error::other)?;
        let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
        let info = reader.next_frame(&mut buf).map_err(std::io::Error::other)?;
        let channels = match info.color_type {
            png::ColorType::Rgb => 3,
            png::ColorType::Rgba => 4,
            other => return Err(std::io::Error::other(format!("{}: {other:?} PNG", path.display()))),
        };
        let rgb = buf[..info.buffer_size()]
            .chunks_exact(channels)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        Ok(Frame {
            width: info.width,
            height: info.height,
            rgb,
        })
    }

    /// The share of pixels (0 to 1) whose colour differs from `other`'s by more than
    /// `tolerance` in any channel; 1 when the sizes differ.
    pub fn differs_from(&self, other: &Frame, tolerance: u8) -> f64 {
        if (self.width, self.height) != (other.width, other.height) {
            return 1.0;
        }
        let differing = self
            .rgb
            .chunks_exact(3)
            .zip(other.rgb.chunks_exact(3))
            .filter(|(a, b)| a.iter().zip(b.iter()).any(|(x, y)| x.abs_diff(*y) > tolerance))
            .count();
        share(differing, self.width, self.height)
    }

    /// The `width` x `height` part of the frame from (`x`, `y`), cut at its edges.
    #[must_use]
    pub fn crop(&self, x: u32, y: u32, width: u32, height: u32) -> Frame {
        let (x, y) = (x.min(self.width), y.min(self.height));
        let (width, height) = (width.min(self.width - x), height.min(self.height - y));
        let row = |r: u32| {
            let start = ((y + r) * self.width + x) as usize * 3;
            &self.rgb[start..start + width as usize * 3]
        };
        Frame {
            width,
            height,
            rgb: (0..height).flat_map(|r| row(r).iter().copied()).collect(),
        }
    }

    /// The share of pixels within `tolerance` of `rgb` in every channel.
    pub fn share_of(&self, rgb: [u8; 3], tolerance: u8) -> f64 {
        let near = self
            .rgb
            .chunks_exact(3)
            .filter(|p| p.iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= tolerance))
            .count();
        share(near, self.width, self.height)
    }

    /// The colour most of the picture has (a screen's background).
    pub fn dominant(&self) -> [u8; 3] {
        let mut counts = std::collections::HashMap::<[u8; 3], usize>::new();
        for p in self.rgb.chunks_exact(3) {
            *counts.entry([p[0], p[1], p[2]]).or_default() += 1;
        }
        counts.into_iter().max_by_key(|(_, n)| *n).map_or([0, 0, 0], |(c, _)| c)
    }

    /// Writes the frame as a PNG (for a failing test's evidence).
    pub fn save_png(&self, path: &Path) -> std::io::Result<()> {
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(File::create(path)?), self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(std::io::Error::other)?;
        writer.write_image_data(&self.rgb).map_err(std::io::Error::other)
    }
}

/// `count` pixels as a share of a `width` x `height` frame.
fn share(count: usize, width: u32, height: u32) -> f64 {
    let count = f64::from(u32::try_from(count).unwrap_or(u32::MAX));
    count / (f64::from(width) * f64::from(height)).max(1.0)
}

/// The test image's command channel: a root shell on the guest's /dev/hvc0, reached through
/// QEMU's socket for that virtconsole.
#[derive(Debug)]
pub struct Channel {
    stream: UnixStream,
    pending: Vec<u8>,
    count: u64,
}

/// What one command printed (standard output and error together) and its exit status.
#[derive(Debug, Clone)]
pub struct Output {
    pub status: i32,
    pub text: String,
}

impl Channel {
    pub fn connect(path: &Path, wait: Duration) -> std::io::Result<Channel> {
        let stream = connect(path, wait)?;
        stream.set_read_timeout(Some(Duration::from_millis(500)))?;
        Ok(Channel {
            stream,
            pending: Vec::new(),
            count: 0,
        })
    }

    /// Runs `command` in the guest's shell and waits up to `timeout` for it to end. The output
    /// sits between two marker lines carrying a fresh number; the shell's echo of the command
    /// line itself carries `$?` unexpanded, so it never matches the closing marker.
    pub fn run(&mut self, command: &str, timeout: Duration) -> std::io::Result<Output> {
        self.count += 1;
        let n = self.count;
        let line = format!("echo @@B{n}; ( {command} ) 2>&1 </dev/null; echo \"@@E{n} $?\"\n");
        self.stream.write_all(line.as_bytes())?;
        let begin = format!("@@B{n}");
        let end = format!("@@E{n} ");
        let deadline = Instant::now() + timeout;
        let mut buf = [0u8; 8192];
        loop {
            let text = String::from_utf8_lossy(&self.pending).replace('\r', "");
            if let Some(b) = text.lines().position(|l| l == begin) {
                let lines: Vec<&str> = text.lines().collect();
                if let Some(e) = lines[b + 1..]
                    .iter()
                    .position(|l| l.starts_with(&end) && l[end.len()..].parse::<i32>().is_ok())
                {
                    let status = lines[b + 1 + e][end.len()..].parse().unwrap_or(-1);
                    let out = lines[b + 1..b + 1 + e].join("\n");
                    self.pending.clear();
                    return Ok(Output { status, text: out });
                }
            }
            if Instant::now() > deadline {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!(
                        "{command:?}: no answer in {timeout:?}; the channel said: {}",
                        text.chars()
                            .rev()
                            .take(2000)
                            .collect::<String>()
                            .chars()
                            .rev()
                            .collect::<String>()
                    ),
                ));
            }
            match self.stream.read(&mut buf) {
                Ok(0) => return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "channel closed")),
                Ok(k) => self.pending.extend_from_slice(&buf[..k]),
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Waits until the guest's shell answers (the channel's unit has started), probing every
    /// few seconds: what is written before the guest opens its end is lost.
    pub fn wait_ready(&mut self, within: Duration) -> std::io::Result<()> {
        let deadline = Instant::now() + within;
        loop {
            match self.run("true", Duration::from_secs(5)) {
                Ok(_) => return Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut && Instant::now() < deadline => {}
                Err(e) => return Err(e),
            }
        }
    }
}
