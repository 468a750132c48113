//! Streams on two threads: the SHA-256 of a stream computed beside it
//! ([`Sha256Pipe`]), and decryption read ahead of its consumer ([`ReadAhead`]).
//! Without SHA extensions in the CPU, SHA-256 is the slowest step of every
//! evidence stream, and an export both decrypts a vault file and encrypts the
//! bundle: on two cores, each of those can have one to itself. The SHA-256
//! is `ring`'s, whose assembly (AVX2 here, SHA extensions where the CPU has
//! them) runs at twice the speed of the `sha2` crate's on this machine
//! (docs/bench/fixes.md, 9). Data crosses
//! in zeroized buffers of [`CHUNK`] bytes through bounded channels, so memory
//! stays constant and no plaintext is left in freed memory.

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError};

use ring::digest::{Context, SHA256};
use zeroize::Zeroizing;

use super::CHUNK;

/// SHA-256 of a stream, computed on a second thread once the stream is longer
/// than [`Sha256Pipe::INLINE`], so that hashing overlaps with reading,
/// decrypting, encrypting and writing. Without SHA extensions in the CPU,
/// SHA-256 is the slowest step of every evidence stream (a third of the speed
/// of ChaCha20-Poly1305, measured in BENCHMARKS.md). Data crosses in zeroized
/// buffers of `CHUNK` bytes through a bounded channel, so memory stays
/// constant (at most `DEPTH + 2` buffers), and the digest is the same as a
/// single-threaded hash of the same bytes.
pub(crate) struct Sha256Pipe {
    state: PipeState,
    seen: u64,
}

enum PipeState {
    Inline(Context),
    Threaded {
        /// The buffer being filled.
        filling: Zeroizing<Vec<u8>>,
        to_worker: std::sync::mpsc::SyncSender<Zeroizing<Vec<u8>>>,
        returned: std::sync::mpsc::Receiver<Zeroizing<Vec<u8>>>,
        buffers: usize,
        worker: std::thread::JoinHandle<Context>,
        /// The worker is gone (it cannot fail, but a lost hash must never pass).
        failed: bool,
    },
}

impl Sha256Pipe {
    /// Streams up to this length are hashed on the calling thread.
    const INLINE: u64 = 1 << 20;
    /// Buffers in flight to the hashing thread.
    const DEPTH: usize = 8;

    pub(crate) fn new() -> Self {
        Sha256Pipe { state: PipeState::Inline(Context::new(&SHA256)), seen: 0 }
    }

    pub(crate) fn update(&mut self, mut data: &[u8]) {
        self.seen += data.len() as u64;
        if let PipeState::Inline(hasher) = &mut self.state {
            if self.seen <= Self::INLINE {
                hasher.update(data);
                return;
            }
            let hasher = std::mem::replace(hasher, Context::new(&SHA256));
            match Self::spawn(hasher.clone()) {
                Some(threaded) => self.state = threaded,
                None => {
                    // No thread to be had: hash here.
                    self.state = PipeState::Inline(hasher);
                    if let PipeState::Inline(h) = &mut self.state {
                        h.update(data);
                    }
                    return;
                }
            }
        }
        let PipeState::Threaded { filling, to_worker, returned, buffers, failed, .. } = &mut self.state else {
            return;
        };
        while !data.is_empty() {
            let room = CHUNK - filling.len();
            let (now, later) = data.split_at(room.min(data.len()));
            filling.extend_from_slice(now);
            data = later;
            if filling.len() == CHUNK {
                let next = match returned.try_recv() {
                    Ok(b) => b,
                    Err(_) if *buffers < Self::DEPTH + 2 => {
                        *buffers += 1;
                        Zeroizing::new(Vec::with_capacity(CHUNK))
                    }
                    Err(_) => match returned.recv() {
                        Ok(b) => b,
                        Err(_) => {
                            *failed = true;
                            Zeroizing::new(Vec::with_capacity(CHUNK))
                        }
                    },
                };
                let full = std::mem::replace(filling, next);
                if to_worker.send(full).is_err() {
                    *failed = true;
                }
                filling.clear();
            }
        }
    }

    fn spawn(hasher: Context) -> Option<PipeState> {
        let (to_worker, from_main) = std::sync::mpsc::sync_channel::<Zeroizing<Vec<u8>>>(Self::DEPTH);
        let (to_main, returned) = std::sync::mpsc::sync_channel(Self::DEPTH + 2);
        let worker = std::thread::Builder::new()
            .name("amana-sha256".into())
            .spawn(move || {
                let mut hasher = hasher;
                for mut buf in from_main {
                    hasher.update(buf.as_slice());
                    buf.clear();
                    let _ = to_main.try_send(buf);
                }
                hasher
            })
            .ok()?;
        Some(PipeState::Threaded {
            filling: Zeroizing::new(Vec::with_capacity(CHUNK)),
            to_worker,
            returned,
            buffers: 1,
            worker,
            failed: false,
        })
    }

    /// Bytes hashed so far.
    pub(crate) fn len(&self) -> u64 {
        self.seen
    }

    /// The hex digest of everything passed to `update`; `None` if the
    /// hashing thread was lost (then nothing can be vouched for).
    pub(crate) fn finish(self) -> Option<String> {
        match self.state {
            PipeState::Inline(hasher) => Some(hex::encode(hasher.finish())),
            PipeState::Threaded { filling, to_worker, worker, failed, returned, .. } => {
                let sent = filling.is_empty() || to_worker.send(filling).is_ok();
                drop(to_worker);
                drop(returned);
                let hasher = worker.join().ok()?;
                (sent && !failed).then(|| hex::encode(hasher.finish()))
            }
        }
    }
}

/// A reader whose source is read on a second thread, up to [`Self::DEPTH`]
/// chunks ahead: an export decrypts the vault file there while this thread
/// encrypts the bundle. Errors arrive in order after the data before them;
/// the end of the source is an explicit empty chunk, so a lost thread is an
/// error, never a silent end. Dropping the reader stops the thread.
pub(crate) struct ReadAhead {
    incoming: Option<Receiver<io::Result<Zeroizing<Vec<u8>>>>>,
    /// Emptied buffers, handed back for reuse.
    spent: SyncSender<Zeroizing<Vec<u8>>>,
    current: Zeroizing<Vec<u8>>,
    pos: usize,
    ended: bool,
    worker: Option<std::thread::JoinHandle<()>>,
}

impl ReadAhead {
    /// Chunks read ahead.
    const DEPTH: usize = 4;

    /// Starts reading `source` on its own thread. If no thread can be
    /// started, the source is handed back to be read in place.
    pub(crate) fn spawn<R: Read + Send + 'static>(source: R) -> Result<Self, R> {
        let (to_main, incoming) = std::sync::mpsc::sync_channel::<io::Result<Zeroizing<Vec<u8>>>>(Self::DEPTH);
        let (spent, reuse) = std::sync::mpsc::sync_channel::<Zeroizing<Vec<u8>>>(Self::DEPTH + 2);
        // The source moves into the thread only once it exists.
        let slot = std::sync::Arc::new(std::sync::Mutex::new(Some(source)));
        let theirs = std::sync::Arc::clone(&slot);
        let started = std::thread::Builder::new().name("amana-read-ahead".into()).spawn(move || {
            let Some(mut source) = theirs.lock().ok().and_then(|mut s| s.take()) else { return };
            loop {
                let mut buf = match reuse.try_recv() {
                    Ok(b) => b,
                    Err(TryRecvError::Empty | TryRecvError::Disconnected) => Zeroizing::new(Vec::new()),
                };
                buf.resize(CHUNK, 0);
                let mut filled = 0;
                let outcome = loop {
                    match source.read(&mut buf[filled..]) {
                        Ok(0) => break Ok(()),
                        Ok(n) => {
                            filled += n;
                            if filled == CHUNK {
                                break Ok(());
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => break Err(e),
                    }
                };
                buf.truncate(filled);
                let last = filled == 0 || outcome.is_err();
                let sent = match outcome {
                    // Data read before an error is passed on first.
                    Err(e) => (filled == 0 || to_main.send(Ok(buf)).is_ok()) && to_main.send(Err(e)).is_ok(),
                    Ok(()) => to_main.send(Ok(buf)).is_ok(),
                };
                if last || !sent {
                    return;
                }
            }
        });
        match started {
            Ok(worker) => Ok(ReadAhead {
                incoming: Some(incoming),
                spent,
                current: Zeroizing::new(Vec::new()),
                pos: 0,
                ended: false,
                worker: Some(worker),
            }),
            Err(_) => {
                let source = slot.lock().ok().and_then(|mut s| s.take());
                Err(source.expect("a thread that never started cannot have taken the source"))
            }
        }
    }
}

impl Read for ReadAhead {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        while self.pos == self.current.len() {
            if self.ended {
                return Ok(0);
            }
            let incoming = self.incoming.as_ref().ok_or_else(|| io::Error::other("the reading thread stopped"))?;
            match incoming.recv() {
                Ok(Ok(next)) => {
                    self.ended = next.is_empty();
                    let mut done = std::mem::replace(&mut self.current, next);
                    done.clear();
                    let _ = self.spent.try_send(done);
                    self.pos = 0;
                }
                Ok(Err(e)) => {
                    self.incoming = None;
                    return Err(e);
                }
                Err(_) => {
                    self.incoming = None;
                    return Err(io::Error::other("the reading thread stopped before the end of the file"));
                }
            }
        }
        let n = out.len().min(self.current.len() - self.pos);
        out[..n].copy_from_slice(&self.current[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        // Closing the channel makes the thread's next send fail, and it ends.
        self.incoming = None;
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn the_threaded_digest_is_the_plain_sha256_whatever_the_pieces() {
        let len = (Sha256Pipe::INLINE as usize) * 3 + CHUNK * 5 + 12_345;
        let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
        for size in [0, 1, CHUNK - 1, Sha256Pipe::INLINE as usize, Sha256Pipe::INLINE as usize + 1, len] {
            for piece in [1usize, 4096, CHUNK, CHUNK + 7, 3 * CHUNK] {
                if size > 200_000 && piece < 4096 {
                    continue;
                }
                let mut pipe = Sha256Pipe::new();
                for part in data[..size].chunks(piece) {
                    pipe.update(part);
                }
                assert_eq!(pipe.len(), size as u64);
                assert_eq!(pipe.finish(), Some(hex::encode(Sha256::digest(&data[..size]))), "{size} bytes in {piece}");
            }
        }
    }

    #[test]
    fn a_pipe_dropped_unfinished_stops_its_thread() {
        let mut pipe = Sha256Pipe::new();
        pipe.update(&vec![7u8; Sha256Pipe::INLINE as usize * 2]);
        drop(pipe);
    }

    /// A source that yields `data` in uneven pieces, then fails if asked to.
    struct Uneven {
        data: Vec<u8>,
        at: usize,
        step: usize,
        fail_at_end: bool,
    }

    impl Read for Uneven {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.at == self.data.len() && self.fail_at_end {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "damaged"));
            }
            let n = buf.len().min(self.step).min(self.data.len() - self.at);
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            self.step = self.step % 70_001 + 13_337;
            Ok(n)
        }
    }

    fn sample(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 % 253) as u8).collect()
    }

    #[test]
    fn read_ahead_passes_every_byte_in_order_whatever_the_sizes() {
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 9 * CHUNK + 4321] {
            let data = sample(len);
            let source = Uneven { data: data.clone(), at: 0, step: 1, fail_at_end: false };
            let mut ahead = ReadAhead::spawn(source).ok().unwrap();
            let mut got = Vec::new();
            let mut buf = vec![0u8; 5000];
            loop {
                let n = ahead.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            assert_eq!(got, data, "{len} bytes");
            assert_eq!(ahead.read(&mut buf).unwrap(), 0, "the end stays the end");
        }
    }

    #[test]
    fn read_ahead_passes_the_data_then_the_error_never_a_clean_end() {
        let data = sample(3 * CHUNK + 17);
        let source = Uneven { data: data.clone(), at: 0, step: 1, fail_at_end: true };
        let mut ahead = ReadAhead::spawn(source).ok().unwrap();
        let mut got = Vec::new();
        let err = std::io::copy(&mut ahead, &mut got).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert_eq!(got, data);
        assert!(ahead.read(&mut [0u8; 8]).is_err(), "after an error, no clean end of file");
    }

    #[test]
    fn a_read_ahead_dropped_early_stops_its_thread() {
        let source = Uneven { data: sample(64 * CHUNK), at: 0, step: CHUNK, fail_at_end: false };
        let mut ahead = ReadAhead::spawn(source).ok().unwrap();
        let mut buf = [0u8; 10];
        ahead.read_exact(&mut buf).unwrap();
        drop(ahead); // joins the thread: the test would hang if it did not end
    }
}
