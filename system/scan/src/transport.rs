//! Byte streams to a scanner: one per HTTP exchange.
//!
//! - [`Tcp`]: network scanners, and USB scanners that Debian's `ipp-usb` daemon exposes on
//!   `localhost:600xx`. A new connection for every exchange, closed after it (as sane-airscan
//!   does): nothing half-read can leak into the next exchange.
//! - [`InterfacePool`]: streams that cannot be reopened, the IPP-over-USB interfaces of a device
//!   (see `usb`). One exchange per interface at a time; an interface whose last exchange did
//!   not end cleanly (cancelled, timed out, cut off) is drained before it is used again, because
//!   closing a USB pipe does not discard the bytes still in it.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A byte stream to a scanner.
pub trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {
    /// Told when an HTTP exchange on this stream ended cleanly: its response read to the end.
    fn exchange_complete(&mut self) {}
}

impl Io for tokio::net::TcpStream {}
impl Io for tokio::io::DuplexStream {}

/// Where a scanner is and how to reach it.
pub trait Transport: Send + Sync + fmt::Debug {
    /// A stream for one HTTP exchange.
    fn open(&self) -> BoxFuture<'_, io::Result<Box<dyn Io>>>;
    /// The `Host` header (`localhost` for USB: some devices refuse anything else).
    fn host(&self) -> String;
    /// Whether each exchange asks for `Connection: close` (a new stream every time).
    fn close_after_exchange(&self) -> bool;
}

/// A scanner on the network (or behind the `ipp-usb` daemon).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tcp {
    pub host: String,
    pub port: u16,
}

impl Transport for Tcp {
    fn open(&self) -> BoxFuture<'_, io::Result<Box<dyn Io>>> {
        Box::pin(async move {
            let stream = tokio::net::TcpStream::connect((self.host.as_str(), self.port)).await?;
            stream.set_nodelay(true)?;
            Ok(Box::new(stream) as Box<dyn Io>)
        })
    }

    fn host(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    fn close_after_exchange(&self) -> bool {
        true
    }
}

/// How long draining waits for more stale bytes before it calls an interface clean.
const DRAIN_QUIET: Duration = Duration::from_millis(50);
/// Draining gives up (and the interface stays out of use) after this many bytes.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

struct Slot {
    io: Box<dyn Io>,
    dirty: bool,
}

struct Shared {
    idle: Mutex<Vec<Slot>>,
    permits: Arc<Semaphore>,
}

/// Streams that stay open across exchanges (USB interfaces), lent one exchange at a time.
#[derive(Clone)]
pub struct InterfacePool {
    shared: Arc<Shared>,
    host: String,
}

impl fmt::Debug for InterfacePool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InterfacePool")
            .field("available", &self.shared.permits.available_permits())
            .finish_non_exhaustive()
    }
}

impl InterfacePool {
    /// A pool of `streams`, all to one device, reached as `host`.
    pub fn new(streams: Vec<Box<dyn Io>>, host: &str) -> InterfacePool {
        let n = streams.len();
        InterfacePool {
            shared: Arc::new(Shared {
                idle: Mutex::new(streams.into_iter().map(|io| Slot { io, dirty: false }).collect()),
                permits: Arc::new(Semaphore::new(n)),
            }),
            host: host.to_owned(),
        }
    }

    /// Interfaces neither lent out nor lost.
    pub fn idle(&self) -> usize {
        self.shared.idle.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    async fn lend(&self) -> io::Result<Box<dyn Io>> {
        loop {
            let permit = Arc::clone(&self.shared.permits)
                .acquire_owned()
                .await
                .map_err(|_| io::Error::new(io::ErrorKind::NotConnected, "the device is gone"))?;
            let slot = self.shared.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
            let Some(mut slot) = slot else {
                // Every interface was lost (drained past the limit): nothing left to lend.
                permit.forget();
                return Err(io::Error::new(io::ErrorKind::NotConnected, "no usable interface left"));
            };
            if slot.dirty {
                match drain(&mut slot.io).await {
                    Ok(n) => {
                        if n > 0 {
                            tracing::warn!(bytes = n, "drained an unfinished answer from a scanner interface");
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "a scanner interface could not be drained; it stays out of use");
                        permit.forget();
                        continue;
                    }
                }
            }
            return Ok(Box::new(Lease {
                io: Some(slot.io),
                dirty: true,
                shared: Arc::clone(&self.shared),
                _permit: permit,
            }));
        }
    }
}

/// Reads and drops whatever is waiting on `io` until it has been quiet for [`DRAIN_QUIET`].
async fn drain(io: &mut Box<dyn Io>) -> io::Result<usize> {
    let mut buf = vec![0u8; 16 * 1024];
    let mut total = 0;
    loop {
        match tokio::time::timeout(DRAIN_QUIET, io.read(&mut buf)).await {
            Err(_) => return Ok(total),
            Ok(Ok(0)) => return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "interface closed")),
            Ok(Ok(n)) => {
                total += n;
                if total > DRAIN_LIMIT {
                    return Err(io::Error::other("the interface does not stop sending"));
                }
            }
            Ok(Err(e)) => return Err(e),
        }
    }
}

impl Transport for InterfacePool {
    fn open(&self) -> BoxFuture<'_, io::Result<Box<dyn Io>>> {
        Box::pin(self.lend())
    }

    fn host(&self) -> String {
        self.host.clone()
    }

    fn close_after_exchange(&self) -> bool {
        false
    }
}

/// An interface lent for one exchange; it goes back to the pool when dropped, marked for
/// draining unless the exchange completed.
struct Lease {
    io: Option<Box<dyn Io>>,
    dirty: bool,
    shared: Arc<Shared>,
    _permit: OwnedSemaphorePermit,
}

impl Lease {
    fn io(&mut self) -> io::Result<&mut Box<dyn Io>> {
        self.io
            .as_mut()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotConnected, "interface returned"))
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(io) = self.io.take() {
            self.shared
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(Slot { io, dirty: self.dirty });
        }
        // The permit is released after the slot is back (field order).
    }
}

impl AsyncRead for Lease {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.io() {
            Ok(io) => Pin::new(io).poll_read(cx, buf),
            Err(e) => Poll::Ready(Err(e)),
        }
    }
}

impl AsyncWrite for Lease {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.io() {
            Ok(io) => Pin::new(io).poll_write(cx, buf),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.io() {
            Ok(io) => Pin::new(io).poll_flush(cx),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // A USB interface is never shut down between exchanges.
        Poll::Ready(Ok(()))
    }
}

impl Io for Lease {
    fn exchange_complete(&mut self) {
        self.dirty = false;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use tokio::io::AsyncWriteExt;

    use super::*;

    #[tokio::test]
    async fn stale_bytes_of_an_unfinished_exchange_are_drained_before_the_interface_is_lent_again() {
        let (kiosk_end, mut device_end) = tokio::io::duplex(1024);
        let pool = InterfacePool::new(vec![Box::new(kiosk_end)], "localhost");
        let lease = pool.lend().await.unwrap();
        // The device answers, but the kiosk drops the lease without reading (a crash mid-exchange).
        device_end
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstale")
            .await
            .unwrap();
        drop(lease);
        assert_eq!(pool.idle(), 1);
        let mut lease = pool.lend().await.unwrap();
        device_end.write_all(b"fresh").await.unwrap();
        let mut buf = [0u8; 5];
        lease.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"fresh");
    }

    #[tokio::test]
    async fn one_exchange_per_interface_at_a_time() {
        let (kiosk_end, _device_end) = tokio::io::duplex(1024);
        let pool = InterfacePool::new(vec![Box::new(kiosk_end)], "localhost");
        let mut lease = pool.lend().await.unwrap();
        assert!(
            tokio::time::timeout(Duration::from_millis(50), pool.lend())
                .await
                .is_err(),
            "a second exchange waits for the interface"
        );
        lease.exchange_complete();
        drop(lease);
        assert!(pool.lend().await.is_ok());
    }
}
