// Memory after lock: dumps the memory of the running, locked desktop app
// (its main process and every WebKit process under it) and scans it for the
// vault key and the session's canaries.
//
// The dump reads what a core file's memory segments would hold (anonymous
// and writable mappings) from /proc/PID/mem, page by resident page. gdb's
// gcore is used instead with AMANA_E2E_GCORE=1 when the process can be
// attached; under tests/e2e/no_network.sh (as in `make e2e`) the whole run is
// already traced by strace and a process has only one tracer, and WebKit's
// processes reserve ~64 GiB of untouched address space that gcore would
// write out in full.
//
// The vault key is derived independently, in the test helper
// examples/vault_key_for_tests.rs (key file + passphrase), never asked of the
// app: no build of the app can reveal it.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { assert } from './steps.mjs';

/** Pids of every process whose executable is `exe`, and of all their descendants. */
export function processTree(exe) {
  const real = fs.realpathSync(exe);
  const procs = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      let target = '';
      try {
        target = fs.readlinkSync(`/proc/${name}/exe`).replace(/ \(deleted\)$/, '');
      } catch {}
      const comm = fs.readFileSync(`/proc/${name}/comm`, 'utf8').trim();
      procs.push({ pid: Number(name), ppid, exe: target, comm });
    } catch {}
  }
  const roots = procs.filter((p) => p.exe === real);
  const inTree = new Set(roots.map((p) => p.pid));
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of procs) if (!inTree.has(p.pid) && inTree.has(p.ppid)) inTree.add(p.pid), (grew = true);
  }
  return procs.filter((p) => inTree.has(p.pid)).map((p) => ({ ...p, main: p.exe === real }));
}

function tracerOf(pid) {
  const m = /TracerPid:\s*(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** Calls `onChunk(buffer)` over the process's memory, in overlapping chunks. */
function readMemory(pid, dir, overlap, onChunk) {
  if (process.env.AMANA_E2E_GCORE && tracerOf(pid) === 0) {
    const prefix = path.join(dir, 'core');
    execFileSync('gcore', ['-o', prefix, String(pid)], { stdio: 'ignore', timeout: 300000 });
    const core = `${prefix}.${pid}`;
    const fd = fs.openSync(core, 'r');
    scanFd(fd, 0, fs.fstatSync(fd).size, overlap, onChunk);
    fs.closeSync(fd);
    const size = fs.statSync(core).size;
    fs.rmSync(core);
    return { how: 'gcore', bytes: size };
  }
  const fd = fs.openSync(`/proc/${pid}/mem`, 'r');
  const pagemap = fs.openSync(`/proc/${pid}/pagemap`, 'r');
  let bytes = 0;
  for (const line of fs.readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')) {
    // What a core dump holds by default (coredump_filter): anonymous and
    // writable mappings, not the read-only pages of mapped files (the
    // program and its libraries as they are on disk).
    const m = /^([0-9a-f]+)-([0-9a-f]+) (r)(w?)\S* \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (!m || m[6] === '[vvar]' || m[6] === '[vsyscall]') continue;
    const anonymous = m[5] === '0' || m[6] === '' || m[6].startsWith('[');
    if (!m[4] && !anonymous) continue;
    // WebKit reserves tens of GiB of address space it never touches: read
    // only the pages that exist (present or swapped, from /proc/PID/pagemap).
    const region = m[6] || `anonymous ${m[3]}${m[4] || '-'}`;
    for (const [start, length] of residentRuns(pagemap, parseInt(m[1], 16), parseInt(m[2], 16))) {
      try {
        bytes += scanFd(fd, start, length, overlap, (chunk, carried, at) => onChunk(chunk, carried, at, region));
      } catch {
        // A mapping that went away or cannot be read (guard pages): skip.
      }
    }
  }
  fs.closeSync(pagemap);
  fs.closeSync(fd);
  return { how: '/proc/PID/mem', bytes };
}

/** Runs [start, length] of pages in [from, to) that are present or swapped. */
function residentRuns(pagemap, from, to) {
  const PAGE = 4096;
  const runs = [];
  const entries = Buffer.alloc(8 * 65536);
  let runStart = -1;
  for (let page = from / PAGE; page < to / PAGE; ) {
    const count = Math.min(65536, to / PAGE - page);
    const n = fs.readSync(pagemap, entries, 0, count * 8, page * 8) / 8;
    if (n <= 0) break;
    for (let i = 0; i < n; i++) {
      // Bit 63: present in RAM; bit 62: swapped out.
      const resident = (entries[i * 8 + 7] & 0xc0) !== 0;
      const addr = (page + i) * PAGE;
      if (resident && runStart < 0) runStart = addr;
      if (!resident && runStart >= 0) runs.push([runStart, addr - runStart]), (runStart = -1);
    }
    page += n;
  }
  if (runStart >= 0) runs.push([runStart, to - runStart]);
  return runs;
}

function scanFd(fd, start, length, overlap, onChunk) {
  // Addresses of user space fit in 47 bits: plain numbers are exact.
  const CHUNK = 16 << 20;
  const buf = Buffer.alloc(CHUNK + overlap);
  let carry = 0;
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, carry, Math.min(CHUNK, length - done), start + done);
    if (n <= 0) break;
    const filled = carry + n;
    onChunk(buf.subarray(0, filled), carry, start + done - carry);
    const keep = Math.min(overlap - 1, filled);
    buf.copy(buf, 0, filled - keep, filled);
    carry = keep;
    done += n;
  }
  return done;
}

/**
 * Dumps and scans every process of the app. Returns one report per process:
 * { pid, comm, main, how, bytes, hits: { needleName: count } }.
 */
export function scanApp({ app, needles, dir }) {
  fs.mkdirSync(dir, { recursive: true });
  const overlap = Math.max(...Object.values(needles).map((b) => b.length));
  const reports = [];
  for (const p of processTree(app)) {
    const hits = Object.fromEntries(Object.keys(needles).map((k) => [k, 0]));
    // Where each hit is: the mapping's name ([heap], a library, or "anonymous").
    const where = Object.fromEntries(Object.keys(needles).map((k) => [k, new Set()]));
    let how;
    let bytes = 0;
    try {
      ({ how, bytes } = readMemory(p.pid, dir, overlap, (chunk, carried, _at, region = 'core file') => {
        for (const [name, needle] of Object.entries(needles)) {
          // A match wholly inside the bytes carried over was counted already.
          let at = chunk.indexOf(needle, Math.max(0, carried - needle.length + 1));
          while (at !== -1) {
            hits[name]++;
            where[name].add(region);
            if (process.env.E2E_MEMORY_CONTEXT) {
              const around = chunk.subarray(Math.max(0, at - 96), Math.min(chunk.length, at + needle.length + 96));
              console.log(`    ${name} at 0x${(_at + at).toString(16)} in ${region}: ${JSON.stringify(around.toString('latin1'))}`);
            }
            at = chunk.indexOf(needle, at + 1);
          }
        }
      }));
    } catch (e) {
      how = `not dumped: ${e.message}`;
    }
    reports.push({ ...p, how, bytes, hits, where: Object.fromEntries(Object.entries(where).map(([k, v]) => [k, [...v]])) });
  }
  return reports;
}

/** The needles: each text as UTF-8 and as UTF-16LE (JavaScript strings). */
export function textNeedles(texts) {
  const out = {};
  for (const [name, text] of Object.entries(texts)) {
    out[`${name} (UTF-8)`] = Buffer.from(text, 'utf8');
    out[`${name} (UTF-16)`] = Buffer.from(text, 'utf16le');
  }
  return out;
}

/** The vault key, unwrapped by the test helper, as raw bytes and as the hex SQLCipher is given. */
export function keyNeedles(helper, vaultDir, passphrase, env) {
  const hex = execFileSync(helper, [vaultDir], { env: { ...env, AMANA_PASSPHRASE: passphrase }, encoding: 'utf8' }).trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error('the helper printed no key');
  return { 'vault key (raw)': Buffer.from(hex, 'hex'), 'vault key (hex)': Buffer.from(hex, 'ascii') };
}

/**
 * The e2e step, run while the app is locked: dumps every process of the app
 * and asserts that none holds the vault key or a canary (see
 * docs/SECURITY.md, "Memory after lock"). E2E_MEMORY_CONTEXT=1 prints the
 * bytes around each canary found, to tell which copy it is.
 */
export function memoryAfterLock({ app, cli, env, vaultDir, passphrase, canaries, dir }) {
  const helper = path.join(path.dirname(cli), 'examples', 'vault_key_for_tests');
  const needles = { ...keyNeedles(helper, vaultDir, passphrase, env), ...textNeedles(canaries) };
  const reports = scanApp({ app, needles, dir });
  assert(reports.some((r) => r.main), 'the app process was found');
  for (const r of reports) {
    const found = Object.entries(r.hits).filter(([, n]) => n > 0).map(([k, n]) => `${k} ×${n} (in ${r.where[k].join(', ')})`);
    console.log(`  ${r.main ? 'app' : r.comm} (pid ${r.pid}): ${(r.bytes / 2 ** 20).toFixed(0)} MiB via ${r.how}; ${found.length ? found.join(', ') : 'nothing found'}`);
  }
  for (const r of reports) {
    assert(!r.how.startsWith('not dumped'), `${r.comm} (pid ${r.pid}) could not be dumped: ${r.how}`);
    for (const k of Object.keys(needles).filter((k) => k.startsWith('vault key'))) {
      assert(r.hits[k] === 0, `the ${k} is in the memory of ${r.comm} (pid ${r.pid}) after lock`);
    }
    // The web process that showed the vault was ended on lock, and what the
    // app's Rust code, glibc and WebKit's allocator free is overwritten
    // (src-tauri/src/main.rs, src-tauri/src/lib.rs).
    for (const k of Object.keys(needles).filter((k) => !k.startsWith('vault key'))) {
      assert(r.hits[k] === 0, `${k} is in the memory of ${r.comm} (pid ${r.pid}) after lock (${r.where[k].join(', ')})`);
    }
  }
  return reports;
}
