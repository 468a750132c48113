// A recording played in the app's viewer, watched from outside: WebKitGTK
// plays <audio>/<video> through GStreamer's playbin, whose progressive
// download buffering writes the stream to a temporary file it names under
// /var/tmp (WebKit-Media-XXXXXX) and unlinks at once. The app runs its web
// process in WebKit's bubblewrap sandbox (src-tauri/src/sandbox.rs), where
// /tmp and /var/tmp are a tmpfs private to that process: in memory, gone
// with it. This checks, while a canary recording plays, every file the web
// process holds open: none may be a regular file on a disk-backed file
// system outside the vault, and the web process must be in namespaces of
// its own (mount and network).

import fs from 'node:fs';
import path from 'node:path';
import { sleep } from './webdriver.mjs';
import { assert } from './steps.mjs';
import { webProcesses } from './relock.mjs';

const TMPFS_MAGIC = 0x01021994;
const PROC_MAGIC = 0x9fa0;

/**
 * A WAV file (16-bit PCM, mono, 8 kHz) of `seconds` whose samples spell
 * `canary` over and over: valid audio (noise), and any copy of its bytes
 * anywhere holds the canary.
 */
export function canaryWav(file, canary, seconds = 30) {
  const rate = 8000;
  const dataLen = rate * 2 * seconds;
  const data = Buffer.alloc(dataLen);
  const c = Buffer.from(canary);
  for (let i = 0; i < dataLen; i++) data[i] = c[i % c.length];
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + dataLen, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(dataLen, 40);
  fs.writeFileSync(file, Buffer.concat([h, data]));
}

/** The namespaces (mnt, net) of process `pid`. */
export function namespaces(pid) {
  return Object.fromEntries(['mnt', 'net'].map((ns) => [ns, fs.readlinkSync(`/proc/${pid}/ns/${ns}`)]));
}

/**
 * The files process `pid` holds open that are regular files on a disk
 * (not tmpfs, not a memfd, not a pipe or socket), each as
 * `{ fd, link, type }`; files under `allowed` (the vault) left out.
 */
export function diskFilesOpen(pid, allowed = []) {
  const out = [];
  let fds;
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch (e) {
    if (e.code === 'ENOENT') return out;
    throw e;
  }
  for (const fd of fds) {
    const p = `/proc/${pid}/fd/${fd}`;
    let link;
    let st;
    let sfs;
    try {
      link = fs.readlinkSync(p);
      st = fs.statSync(p);
      sfs = fs.statfsSync(p);
    } catch {
      continue; // closed meanwhile
    }
    if (!st.isFile()) continue;
    if (sfs.type === TMPFS_MAGIC || sfs.type === PROC_MAGIC || link.startsWith('/memfd:') || link.startsWith('anon_inode:')) continue;
    if (allowed.some((a) => link.startsWith(a))) continue;
    // Shared libraries, fonts, the GStreamer registry: read-only system files.
    if (/^\/(usr|etc|lib|var\/cache\/fontconfig)\//.test(link)) continue;
    out.push({ fd, link, type: sfs.type.toString(16) });
  }
  return out;
}

/** Watches the app's web processes for `ms`: disk files they open, and whether any read back holds `canary`. */
export async function watchWebProcesses(app, ms, { allowed = [], canary } = {}) {
  const seen = new Map();
  const until = Date.now() + ms;
  while (Date.now() < until) {
    for (const pid of webProcesses(app)) {
      for (const f of diskFilesOpen(pid, allowed)) {
        const key = `${pid}:${f.link}`;
        if (seen.has(key)) continue;
        let holdsCanary = false;
        try {
          holdsCanary = canary ? fs.readFileSync(`/proc/${pid}/fd/${f.fd}`).includes(Buffer.from(canary)) : false;
        } catch {
          /* gone */
        }
        seen.set(key, { pid, ...f, holdsCanary });
      }
    }
    await sleep(100);
  }
  return [...seen.values()];
}
