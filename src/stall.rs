//! Reading a file the user chose (a file to attach, a bundle to open or
//! import, a backup to restore) so that a source that stops answering
//! cannot keep the vault open ([`Source`]); and writing one (a bundle, a
//! backup, a plaintext copy) so that a destination that stops answering
//! cannot either ([`Destination`], at the end of this module).
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
                    // `zeroize`, whose byte-by-byte volatile writes made a
                    // visible share of an attach (docs/bench/fixes.md, 13).
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

/// Runs `work` on a helper thread and waits for it at most [`WAIT`] at a
/// time, calling `on_wait` in between; its `false` returns a cancelled error
/// ([`is_cancelled`]) at once, and the thread is abandoned (what it
/// returns, when it does, is dropped). For work that holds no part of the
/// vault but takes long without a progress report: scrypt's key derivation
/// for a passphrase bundle takes a second or more in a debug build on a
/// busy machine, and a lock must not wait for it.
pub fn off_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
    on_wait: &mut dyn FnMut() -> bool,
) -> io::Result<T> {
    let (done, result) = std::sync::mpsc::sync_channel(1);
    std::thread::Builder::new().name("amana-work".into()).spawn(move || {
        let _ = done.send(work());
    })?;
    loop {
        match result.recv_timeout(WAIT) {
            Ok(t) => return Ok(t),
            Err(RecvTimeoutError::Timeout) => {
                if !on_wait() {
                    return Err(cancelled());
                }
            }
            Err(RecvTimeoutError::Disconnected) => return Err(io::Error::other("the helper thread stopped")),
        }
    }
}

/// Bytes handed to the writing thread at a time.
pub const WRITE_CHUNK: usize = 4 * CHUNK;

/// What the writing thread is asked to do.
enum Job {
    /// Append these bytes.
    Data(Zeroizing<Vec<u8>>),
    /// Sync the file and rename it into place.
    Commit,
}

/// What the writing thread answers.
enum Back {
    /// The temporary file is created.
    Opened,
    /// A buffer written out, zeroed, for reuse.
    Buffer(Zeroizing<Vec<u8>>),
    /// The file is in place, with this size.
    Committed(u64),
    /// The consumer left without a commit, and the temporary file is removed.
    Gone,
    /// Creating, writing, syncing or renaming failed; the temporary file is gone.
    Failed(io::Error),
}

/// Who decided the end of a [`Destination`]: the rename into place and the
/// consumer's stop meet here, so that a file is never left in place that
/// its operation reported as stopped (an export the audit log does not
/// know of), whichever comes first. Held only for a moment, never across
/// a file operation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    Pending,
    /// The consumer stopped waiting: nothing may be left in place.
    Abandoned,
    /// The file was renamed into place, with this size.
    Done(u64),
}

/// A file the user chose to write (a bundle, a backup, a plaintext copy),
/// written on a helper thread so that a destination that stops answering
/// (a hung network share or USB stick) cannot keep the vault open: the
/// counterpart of [`Source`].
///
/// The content goes to a temporary file beside `out`, which the helper
/// thread creates (refusing an `out` that exists: [`io::ErrorKind::AlreadyExists`]),
/// fills, syncs and renames into place only at [`Destination::commit`].
/// Every wait for the helper thread is bounded by [`WAIT`], after which
/// `on_wait` decides whether to go on waiting; its `false` ends the write
/// with a cancelled error ([`is_cancelled`]) and abandons the thread, which
/// removes the temporary file (and, if its rename raced the stop, the file
/// in place) whenever its blocked call returns. Dropped without a commit,
/// the destination leaves nothing behind in the same way.
///
/// At most [`DEPTH`] buffers of [`WRITE_CHUNK`] bytes are in flight; each is
/// zeroed before reuse and zeroized when dropped, as a plaintext copy
/// passes through them.
pub struct Destination<'a> {
    /// `None` once dropped, which tells the helper thread to clean up.
    jobs: Option<SyncSender<Job>>,
    back: Receiver<Back>,
    fate: std::sync::Arc<std::sync::Mutex<Fate>>,
    current: Zeroizing<Vec<u8>>,
    spare: Vec<Zeroizing<Vec<u8>>>,
    /// Buffers made so far (at most DEPTH).
    made: usize,
    stop: Option<Stop>,
    on_wait: &'a mut dyn FnMut() -> bool,
}

impl<'a> Destination<'a> {
    /// Starts writing `out` on a helper thread; see the type's documentation.
    /// `crash_label` names the crash points around the rename
    /// (`{label}.before-rename`, `{label}.after-rename`).
    pub fn create(
        out: &Path,
        crash_label: &'static str,
        on_wait: &'a mut dyn FnMut() -> bool,
    ) -> io::Result<Destination<'a>> {
        let (jobs, todo) = std::sync::mpsc::sync_channel(DEPTH + 2);
        let (answer, back) = std::sync::mpsc::sync_channel(DEPTH + 3);
        let fate = std::sync::Arc::new(std::sync::Mutex::new(Fate::Pending));
        let shared = std::sync::Arc::clone(&fate);
        let out = out.to_path_buf();
        std::thread::Builder::new()
            .name("amana-destination".into())
            .spawn(move || drain(out, crash_label, todo, answer, shared))?;
        let mut dest = Destination {
            jobs: Some(jobs),
            back,
            fate,
            current: Zeroizing::new(Vec::with_capacity(WRITE_CHUNK)),
            spare: Vec::new(),
            made: 1,
            stop: None,
            on_wait,
        };
        match dest.next_answer(false)? {
            Back::Opened => Ok(dest),
            _ => Err(dest.fail(io::Error::other("the writing thread answered out of turn"))),
        }
    }

    /// Waits for the helper thread's next answer, calling `on_wait` every
    /// [`WAIT`]. A returned buffer is kept for reuse, and ends the wait only
    /// `for_buffer`.
    fn next_answer(&mut self, for_buffer: bool) -> io::Result<Back> {
        loop {
            match self.back.recv_timeout(WAIT) {
                Ok(Back::Buffer(b)) => {
                    self.spare.push(b);
                    if for_buffer {
                        return Ok(Back::Opened);
                    }
                }
                Ok(Back::Failed(e)) => return Err(self.fail(e)),
                Ok(other) => return Ok(other),
                Err(RecvTimeoutError::Timeout) => {
                    if !(self.on_wait)() {
                        return Err(self.abandon());
                    }
                }
                Err(RecvTimeoutError::Disconnected) => return Err(self.fail(writer_stopped())),
            }
        }
    }

    fn fail(&mut self, e: io::Error) -> io::Error {
        self.stop = Some(Stop::Failed);
        e
    }

    /// The consumer stops waiting. If the file already went into place, the
    /// helper thread sees no difference: the commit stands (see [`Fate`]).
    fn abandon(&mut self) -> io::Error {
        self.give_up();
        self.stop = Some(Stop::Cancelled);
        cancelled()
    }

    /// Unless the file is already in place, nothing may be left there.
    fn give_up(&self) {
        let mut fate = self.fate.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if *fate == Fate::Pending {
            *fate = Fate::Abandoned;
        }
    }

    fn check(&self) -> io::Result<()> {
        match self.stop {
            None => Ok(()),
            Some(Stop::Cancelled) => Err(cancelled()),
            Some(_) => Err(io::Error::other("the file could not be written")),
        }
    }

    /// Hands the current buffer to the helper thread and takes an empty one,
    /// waiting (bounded) for one to come back when all are in flight.
    fn hand_over(&mut self) -> io::Result<()> {
        self.check()?;
        while let Ok(answer) = self.back.try_recv() {
            match answer {
                Back::Buffer(b) => self.spare.push(b),
                Back::Failed(e) => return Err(self.fail(e)),
                _ => return Err(self.fail(io::Error::other("the writing thread answered out of turn"))),
            }
        }
        let next = match self.spare.pop() {
            Some(b) => b,
            None if self.made < DEPTH => {
                self.made += 1;
                Zeroizing::new(Vec::with_capacity(WRITE_CHUNK))
            }
            None => {
                self.next_answer(true)?;
                match self.spare.pop() {
                    Some(b) => b,
                    None => return Err(self.fail(io::Error::other("the writing thread answered out of turn"))),
                }
            }
        };
        let full = std::mem::replace(&mut self.current, next);
        self.send(Job::Data(full))
    }

    /// Sends a job; if the helper thread has ended, the error it sent.
    fn send(&mut self, job: Job) -> io::Result<()> {
        let sent = self.jobs.as_ref().map(|jobs| jobs.send(job).is_ok()).unwrap_or(false);
        if sent {
            return Ok(());
        }
        while let Ok(answer) = self.back.try_recv() {
            if let Back::Failed(e) = answer {
                return Err(self.fail(e));
            }
        }
        Err(self.fail(writer_stopped()))
    }

    /// Writes what is left, syncs the file and renames it to `out` (which
    /// must still not exist); the size written. Waits as the writes do.
    pub fn commit(mut self) -> io::Result<u64> {
        if !self.current.is_empty() {
            self.hand_over()?;
        }
        self.check()?;
        self.send(Job::Commit)?;
        match self.next_answer(false) {
            Ok(Back::Committed(size)) => Ok(size),
            Ok(_) => Err(io::Error::other("the writing thread answered out of turn")),
            Err(e) if is_cancelled(&e) => {
                // The rename may have won the race with the stop.
                let fate = *self.fate.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                match fate {
                    Fate::Done(size) => Ok(size),
                    _ => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }
}

impl std::io::Write for Destination<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.check()?;
        if self.current.len() == WRITE_CHUNK {
            self.hand_over()?;
        }
        let n = (WRITE_CHUNK - self.current.len()).min(data.len());
        self.current.extend_from_slice(&data[..n]);
        Ok(n)
    }

    /// Nothing to do: the bytes go out in chunks, and all of them, synced, at
    /// [`Destination::commit`].
    fn flush(&mut self) -> io::Result<()> {
        self.check()
    }
}

impl Drop for Destination<'_> {
    /// Not committed (an error elsewhere, or a stop): the helper thread
    /// removes what it wrote when it sees the jobs end. Waited for, so that
    /// nothing is left behind when this returns, unless the destination
    /// stalls: then (the write was stopped, or `on_wait` says stop) the
    /// thread is left to clean up whenever its call returns.
    fn drop(&mut self) {
        self.give_up();
        drop(self.jobs.take());
        loop {
            match self.back.recv_timeout(WAIT) {
                Ok(Back::Gone) | Err(RecvTimeoutError::Disconnected) => return,
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => {
                    if self.stop == Some(Stop::Cancelled) || !(self.on_wait)() {
                        return;
                    }
                }
            }
        }
    }
}

fn writer_stopped() -> io::Error {
    io::Error::other("the writing thread stopped before the end of the file")
}

/// The helper thread of a [`Destination`]: creates the temporary file,
/// writes every chunk, and at the commit syncs and renames it. Whatever
/// goes wrong, or if the consumer is gone, the temporary file is removed.
fn drain(
    out: PathBuf,
    crash_label: &'static str,
    jobs: Receiver<Job>,
    back: SyncSender<Back>,
    fate: std::sync::Arc<std::sync::Mutex<Fate>>,
) {
    use std::io::Write;
    let abandoned = || *fate.lock().unwrap_or_else(std::sync::PoisonError::into_inner) == Fate::Abandoned;
    // A file cut short by a crash of an earlier write to this place.
    crate::fsx::remove_stale_temps(&out);
    let tmp = crate::fsx::temp_sibling(&out);
    let exists = || io::Error::new(io::ErrorKind::AlreadyExists, "there is already a file at the chosen place");
    let opened = if out.symlink_metadata().is_ok() { Err(exists()) } else { crate::fsx::create_private(&tmp) };
    let mut file = match opened {
        Ok(f) => f,
        Err(e) => {
            let _ = back.send(Back::Failed(e));
            return;
        }
    };
    if back.send(Back::Opened).is_err() {
        let _ = std::fs::remove_file(&tmp);
        return;
    }
    // Sends can block only if the consumer neither reads answers nor ends:
    // answers are at most one per buffer (DEPTH) plus one final one.
    let mut size = 0u64;
    let result = loop {
        match jobs.recv() {
            Ok(Job::Data(mut buf)) => {
                if let Err(e) = file.write_all(&buf) {
                    break Err(e);
                }
                size += buf.len() as u64;
                buf.fill(0);
                buf.clear();
                let _ = back.try_send(Back::Buffer(buf));
            }
            Ok(Job::Commit) => break Ok(true),
            // The consumer is gone without a commit.
            Err(_) => break Ok(false),
        }
    };
    let committed = result.and_then(|commit| {
        if !commit || abandoned() {
            return Ok(false);
        }
        file.sync_all()?;
        crash_point_labelled(crash_label, "before-rename");
        if abandoned() {
            return Ok(false);
        }
        // Never over a file that appeared meanwhile: a hard link fails if
        // `out` exists. Where links are not supported (FAT on a USB
        // stick), a rename after one more look.
        match std::fs::hard_link(&tmp, &out) {
            Ok(()) => {
                let _ = std::fs::remove_file(&tmp);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Err(exists()),
            Err(_) if out.symlink_metadata().is_ok() => return Err(exists()),
            Err(_) => std::fs::rename(&tmp, &out)?,
        }
        let parent = out.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let _ = crate::fsx::sync_dir(parent);
        crash_point_labelled(crash_label, "after-rename");
        Ok(true)
    });
    drop(file);
    match committed {
        Ok(true) => {
            let mut f = fate.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if *f == Fate::Abandoned {
                // The stop came while the rename was under way: reported as
                // stopped, so nothing may stay in place.
                drop(f);
                let _ = std::fs::remove_file(&out);
                return;
            }
            *f = Fate::Done(size);
            drop(f);
            let _ = back.send(Back::Committed(size));
        }
        Ok(false) => {
            let _ = std::fs::remove_file(&tmp);
            let _ = back.send(Back::Gone);
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            let _ = back.send(Back::Failed(e));
        }
    }
}

fn crash_point_labelled(label: &str, point: &str) {
    crate::fault::crash_point(&format!("{label}.{point}"));
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

    fn names_in(dir: &Path) -> Vec<String> {
        let mut n: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        n.sort();
        n
    }

    /// Waits (up to a second) for the helper thread to clean up.
    fn eventually_names(dir: &Path, want: &[&str]) {
        let until = Instant::now() + Duration::from_secs(1);
        while names_in(dir) != want {
            assert!(Instant::now() < until, "{:?}", names_in(dir));
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn a_destination_appears_whole_and_owner_only_at_its_commit() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("bundle.amana");
        let data: Vec<u8> = (0..WRITE_CHUNK * DEPTH * 2 + 77).map(|i| (i * 13 % 251) as u8).collect();
        let mut waits = || true;
        let mut dest = Destination::create(&out, "test", &mut waits).unwrap();
        dest.write_all(&data).unwrap();
        assert!(!out.exists(), "nothing under the name before the commit");
        assert_eq!(dest.commit().unwrap(), data.len() as u64);
        assert_eq!(std::fs::read(&out).unwrap(), data);
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(names_in(dir.path()), ["bundle.amana"], "no temporary file left");
    }

    #[test]
    fn a_destination_never_replaces_a_file_and_leaves_nothing_when_dropped() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("taken");
        std::fs::write(&out, b"someone else's").unwrap();
        let mut waits = || true;
        let err = Destination::create(&out, "test", &mut waits).err().unwrap();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);

        // Appears while the destination is written: the commit refuses.
        let late = dir.path().join("late");
        let mut dest = Destination::create(&late, "test", &mut waits).unwrap();
        dest.write_all(b"mine").unwrap();
        std::fs::write(&late, b"theirs").unwrap();
        assert_eq!(dest.commit().unwrap_err().kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&late).unwrap(), b"theirs");

        // Dropped without a commit (an error elsewhere in the export).
        let dropped = dir.path().join("dropped");
        let mut dest = Destination::create(&dropped, "test", &mut waits).unwrap();
        dest.write_all(&vec![1u8; WRITE_CHUNK * 3]).unwrap();
        drop(dest);
        eventually_names(dir.path(), &["late", "taken"]);
        assert_eq!(std::fs::read(&out).unwrap(), b"someone else's");
    }

    #[test]
    fn a_destination_that_cannot_be_created_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let mut waits = || true;
        let err = Destination::create(&dir.path().join("no/such/folder/x"), "test", &mut waits).err().unwrap();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(!is_cancelled(&err));
    }
}
