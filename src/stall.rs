//! Reading a file the user chose (a file to attach, a bundle to open or
//! import, a backup to restore) so that a source that stops answering
//! cannot keep the vault open.
//!
//! A lock tells a running operation to stop at its next progress report
//! (the progress callback answers `false`). An operation blocked inside
//! `read()` on a FIFO that never delivers, or a hung network share or USB
//! mount, never reaches one, and would hold the vault (its mutex in the
//! app, the open database, the key) for as long as the source stalls. So
//! the file is opened and read on a helper thread, which hands chunks of
//! [`CHUNK`] bytes over a bounded channel; the operation waits at most
//! [`WAIT`] at a time, and, while nothing arrives, reports its progress
//! again with the same figures, so a stop ends it within that interval with
//! `Cancelled`, and everything that touches the vault is dropped on the
//! operation's own thread.
//!
//! A helper thread stuck in `open()` or `read()` is abandoned: it holds only
//! the source's file handle and the one buffer being filled, which holds
//! zeros while the read is pending (every buffer is zeroed before it is
//! filled again, and zeroized when dropped). When the read returns, if ever,
//! the thread finds nobody listening and ends, closing the file.
//!
//! Memory stays bounded: at most [`DEPTH`] chunks wait in the channel, one
//! is being filled and one read; buffers go back to the helper thread for
//! reuse. The consumer reads the chunks in place ([`BufRead`]), so this
//! adds no copy of the data to what a `BufReader` over the file did.

use std::fs::File;
use std::io::{self, BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::time::Duration;

use zeroize::Zeroizing;

use crate::evidence::CHUNK;

/// Longest wait for the source between two progress reports: the most a
/// stop (a lock) waits for an operation whose source stalls.
pub const WAIT: Duration = Duration::from_millis(100);

/// Chunks read ahead and waiting for the consumer.
pub const DEPTH: usize = 4;

/// What the helper thread hands over.
enum Msg {
    /// The file is open; its length when opened.
    Opened(u64),
    /// The next chunk; empty at the end of the file.
    Data(Zeroizing<Vec<u8>>),
    /// Opening or reading failed.
    Failed(io::Error),
}

/// Why a source gives nothing more.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stop {
    End,
    Cancelled,
    Failed,
}

/// The error of a source whose consumer was told to stop; see [`is_cancelled`].
#[derive(Debug)]
struct Cancelled;

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cancelled")
    }
}

impl std::error::Error for Cancelled {}

/// The error of a source opened with `regular_only` that is not a regular
/// file; see [`is_not_a_file`].
#[derive(Debug)]
struct NotAFile;

impl std::fmt::Display for NotAFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a regular file")
    }
}

impl std::error::Error for NotAFile {}

/// Whether `e` says the path is not a regular file (see [`Source::open`]).
pub fn is_not_a_file(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<NotAFile>())
}

fn cancelled() -> io::Error {
    // Not `Interrupted`: io::copy and read_exact would retry that forever.
    io::Error::other(Cancelled)
}

/// Whether `e` is a source's "cancelled" (a progress report answered
/// `false`), rather than a failure of the file.
pub fn is_cancelled(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<Cancelled>())
}

/// A file the user chose, opened and read on a helper thread; see the
/// module documentation. Each wait for the source is bounded by [`WAIT`],
/// after which the caller's `on_wait` decides whether to go on waiting.
pub struct Source {
    incoming: Receiver<Msg>,
    /// Read buffers, zeroed, handed back for reuse.
    spent: SyncSender<Zeroizing<Vec<u8>>>,
    current: Zeroizing<Vec<u8>>,
    pos: usize,
    len: u64,
    stop: Option<Stop>,
}

impl Source {
    /// Opens `path` on a helper thread; with `regular_only`, a path that is
    /// not a regular file is refused ([`is_not_a_file`]) without being
    /// opened (a FIFO would block `open()` until someone writes to it).
    /// The path's metadata is looked up there too: on a hung mount, that
    /// blocks as a read does. While the opening does not return, `on_wait`
    /// is called every [`WAIT`]; if it answers `false`, this returns a
    /// cancelled error ([`is_cancelled`]) and the thread is abandoned.
    pub fn open(path: &Path, regular_only: bool, on_wait: &mut dyn FnMut() -> bool) -> io::Result<Source> {
        let (to_consumer, incoming) = std::sync::mpsc::sync_channel(DEPTH);
        let (spent, reuse) = std::sync::mpsc::sync_channel(DEPTH + 2);
        let path = path.to_path_buf();
        std::thread::Builder::new()
            .name("amana-source".into())
            .spawn(move || fill(path, regular_only, to_consumer, reuse))?;
        let mut source = Source { incoming, spent, current: Zeroizing::new(Vec::new()), pos: 0, len: 0, stop: None };
        loop {
            match source.incoming.recv_timeout(WAIT) {
                Ok(Msg::Opened(len)) => {
                    source.len = len;
                    return Ok(source);
                }
                Ok(Msg::Failed(e)) => return Err(e),
                Ok(Msg::Data(_)) => return Err(io::Error::other("the reading thread sent data before opening")),
                Err(RecvTimeoutError::Timeout) if on_wait() => {}
                Err(RecvTimeoutError::Timeout) => return Err(cancelled()),
                Err(RecvTimeoutError::Disconnected) => return Err(stopped()),
            }
        }
    }

    /// The file's length when it was opened (0 for a FIFO).
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file was empty when opened.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// What is left of the current chunk, waiting for the next one if it is
    /// used up; empty at the end of the file. While nothing arrives,
    /// `on_wait` is called every [`WAIT`]; its `false` stops this source for
    /// good with a cancelled error.
    pub fn fill(&mut self, on_wait: &mut dyn FnMut() -> bool) -> io::Result<&[u8]> {
        while self.pos == self.current.len() {
            match self.stop {
                Some(Stop::End) => return Ok(&[]),
                Some(Stop::Cancelled) => return Err(cancelled()),
                Some(Stop::Failed) => return Err(io::Error::other("the file could not be read")),
                None => {}
            }
            match self.incoming.recv_timeout(WAIT) {
                Ok(Msg::Data(next)) => {
                    if next.is_empty() {
                        self.stop = Some(Stop::End);
                    }
                    let mut used = std::mem::replace(&mut self.current, next);
                    self.pos = 0;
                    // Zeroed before it goes back: a buffer waiting for reuse,
                    // or taken by a thread that then blocks, holds nothing.
                    // A plain fill (a memset; it cannot be dropped as dead,
                    // the buffer is read again after the channel), not
                    // `zeroize`, whose byte-by-byte volatile writes cost a
                    // sixth of an attach's time (measured on 1 GiB).
                    used.fill(0);
                    let _ = self.spent.try_send(used);
                }
                Ok(Msg::Failed(e)) => {
                    self.stop = Some(Stop::Failed);
                    return Err(e);
                }
                Ok(Msg::Opened(_)) => {
                    self.stop = Some(Stop::Failed);
                    return Err(io::Error::other("the reading thread opened the file twice"));
                }
                Err(RecvTimeoutError::Timeout) => {
                    if !on_wait() {
                        self.stop = Some(Stop::Cancelled);
                        return Err(cancelled());
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.stop = Some(Stop::Failed);
                    return Err(stopped());
                }
            }
        }
        Ok(&self.current[self.pos..])
    }

    /// Marks `n` bytes of what [`Source::fill`] returned as used.
    pub fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.current.len());
    }

    /// This source as a buffered reader that reports every chunk's length
    /// to `on_progress` as it arrives, and 0 every [`WAIT`] while none does;
    /// its `false` stops the source with a cancelled error.
    pub fn watched(self, on_progress: &mut dyn FnMut(u64) -> bool) -> Watched<'_> {
        Watched { source: self, on_progress }
    }
}

fn stopped() -> io::Error {
    io::Error::other("the reading thread stopped before the end of the file")
}

/// The helper thread: opens `path`, then reads it chunk by chunk until its
/// end, an error, or the consumer is gone (a send fails).
fn fill(path: PathBuf, regular_only: bool, to_consumer: SyncSender<Msg>, reuse: Receiver<Zeroizing<Vec<u8>>>) {
    let checked = match std::fs::metadata(&path) {
        Ok(m) if regular_only && !m.is_file() => Err(io::Error::new(io::ErrorKind::InvalidInput, NotAFile)),
        _ => Ok(()),
    };
    let opened = checked.and_then(|()| File::open(&path)).and_then(|f| Ok((f.metadata()?.len(), f)));
    let (len, file) = match opened {
        Ok(o) => o,
        Err(e) => {
            let _ = to_consumer.send(Msg::Failed(e));
            return;
        }
    };
    let mut file = crate::fault::user_file(file, &path);
    if to_consumer.send(Msg::Opened(len)).is_err() {
        return;
    }
    loop {
        // Reused buffers come back zeroed; this only grows a short one.
        let mut buf = reuse.try_recv().unwrap_or_else(|_| Zeroizing::new(Vec::with_capacity(CHUNK)));
        buf.resize(CHUNK, 0);
        let read = loop {
            match file.read(&mut buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                other => break other,
            }
        };
        let msg = match read {
            Ok(n) => {
                buf.truncate(n);
                Msg::Data(buf)
            }
            Err(e) => Msg::Failed(e),
        };
        let last = !matches!(&msg, Msg::Data(b) if !b.is_empty());
        if to_consumer.send(msg).is_err() || last {
            return;
        }
    }
}

/// A [`Source`] as a buffered reader, reporting progress; see
/// [`Source::watched`].
pub struct Watched<'a> {
    source: Source,
    on_progress: &'a mut dyn FnMut(u64) -> bool,
}

impl Watched<'_> {
    /// The file's length when it was opened (0 for a FIFO).
    pub fn len(&self) -> u64 {
        self.source.len
    }

    /// Whether the file was empty when opened.
    pub fn is_empty(&self) -> bool {
        self.source.len == 0
    }
}

impl BufRead for Watched<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let fresh = self.source.pos == self.source.current.len();
        let on_progress = &mut *self.on_progress;
        let n = self.source.fill(&mut || on_progress(0))?.len();
        if fresh && n > 0 && !on_progress(n as u64) {
            self.source.stop = Some(Stop::Cancelled);
            return Err(cancelled());
        }
        Ok(&self.source.current[self.source.pos..])
    }

    fn consume(&mut self, n: usize) {
        self.source.consume(n);
    }
}

impl Read for Watched<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn a_file_comes_through_whole_in_chunks_and_counted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let data: Vec<u8> = (0..CHUNK * 3 + 1234).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let source = Source::open(&path, true, &mut || true).unwrap();
        assert_eq!(source.len(), data.len() as u64);
        let mut counted = 0u64;
        let mut on_progress = |n| {
            counted += n;
            true
        };
        let mut reader = source.watched(&mut on_progress);
        let mut back = Vec::new();
        reader.read_to_end(&mut back).unwrap();
        drop(reader);
        assert_eq!(back, data);
        assert_eq!(counted, data.len() as u64);
    }

    #[test]
    fn a_missing_file_fails_as_opening_it_would() {
        let dir = tempfile::tempdir().unwrap();
        let err = Source::open(&dir.path().join("absent"), true, &mut || true).err().unwrap();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(!is_cancelled(&err));
        let err = Source::open(dir.path(), true, &mut || true).err().unwrap();
        assert!(is_not_a_file(&err));
    }

    /// A FIFO nobody opens for writing blocks `open()` itself: the stop is
    /// seen all the same, and again at every later call.
    #[test]
    fn a_stop_ends_the_wait_for_a_source_that_never_opens_or_delivers() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let started = Instant::now();
        let mut waits = 0;
        let err = Source::open(&fifo, false, &mut || {
            waits += 1;
            waits < 3
        })
        .err()
        .unwrap();
        assert!(is_cancelled(&err));
        assert!(started.elapsed() < WAIT * 3 + Duration::from_millis(500), "{:?}", started.elapsed());

        // Opened, with a writer that never writes: every read blocks.
        let _writer = std::fs::OpenOptions::new().read(true).write(true).open(&fifo).unwrap();
        let source = Source::open(&fifo, false, &mut || true).unwrap();
        let mut reports = Vec::new();
        let mut on_progress = |n| {
            reports.push(n);
            reports.len() < 2
        };
        let mut reader = source.watched(&mut on_progress);
        let started = Instant::now();
        let err = reader.read(&mut [0u8; 16]).err().unwrap();
        assert!(is_cancelled(&err));
        assert!(started.elapsed() < WAIT * 2 + Duration::from_millis(500), "{:?}", started.elapsed());
        assert!(is_cancelled(&reader.read(&mut [0u8; 16]).err().unwrap()), "stopped for good");
        drop(reader);
        assert_eq!(reports, [0, 0], "the same figures while waiting");
    }
}
