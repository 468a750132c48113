// The steps of an e2e run, shared by every script here (run.mjs,
// open_bundle.mjs, handover.mjs, memory.mjs): each step prints one line,
// `PASS name (N ms)` or `FAIL name: error`, and a failed step stops the run;
// at the end one line counts them, `P passed, F failed`, and the process
// exits 1 if anything failed. The counts are this module's, so the steps of
// a script and of the scripts it imports are summed together.

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sleep, until } from './webdriver.mjs';
// memory.mjs imports `assert` from here: a cycle, safe because both sides only
// call each other's functions, never at load time.
import { processTree } from './memory.mjs';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
/** Where `shot` writes its screenshots. */
export const SHOTS = path.join(repo, 'docs/screenshots');

let passed = 0;
let failed = 0;

/** Runs one step; on failure prints why and throws `step failed: NAME`. */
export async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    passed++;
    console.log(`PASS ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.stack || e}`);
    throw new Error(`step failed: ${name}`);
  }
}

/** Throws `msg` unless `cond` holds. */
export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

/**
 * Saves what the X server shows of the session's app window as
 * docs/screenshots/NAME.png: what a person sees. Not WebDriver's screenshot:
 * WebKit draws Amana's pages without OpenGL (src-tauri/src/lib.rs,
 * guard_web_process), and in that mode WebKitWebDriver's screenshot waits for
 * the page to paint again; on a page at rest it waited 300 s, its timeout.
 */
export async function shot(s, name) {
  await sleep(800); // WebKit repaints late
  await screenShot(name, { pid: appPid(s.application) });
}

/** The app's main process (exactly one must be running). */
export function appPid(app) {
  const mains = processTree(app).filter((p) => p.main);
  if (mains.length !== 1) throw new Error(`expected one app process, found ${mains.length}`);
  return mains[0].pid;
}

/**
 * The visible X windows (ids) that `xdotool search --onlyvisible ...criteria`
 * finds; none is an empty list (xdotool exits 1, silently). A window that
 * goes away while xdotool reads its attributes (GTK maps and unmaps helper
 * windows as an app starts) makes Xlib print "X Error of failed request:
 * BadWindow" and exit 1 too: that is a race with the app, not "no window",
 * so the search runs again. Anything else xdotool says is thrown.
 */
export async function visibleWindows(criteria, env = process.env) {
  let last = '';
  for (let attempt = 0; attempt < 20; attempt++) {
    const r = spawnSync('xdotool', ['search', '--onlyvisible', ...criteria], { env, encoding: 'utf8' });
    if (r.error) throw r.error;
    if (r.status === 0) return r.stdout.split('\n').filter(Boolean);
    last = r.stderr.trim();
    if (r.status === 1 && last === '') return [];
    if (!/BadWindow|X Error/.test(last)) throw new Error(`xdotool search ${criteria.join(' ')}: ${last}`);
    await sleep(50);
  }
  throw new Error(`xdotool search ${criteria.join(' ')} kept failing: ${last}`);
}

/** The app's visible window (X id), once it exists. */
export async function appWindow(pid, env = process.env) {
  let win = '';
  await until(async () => {
    win = (await visibleWindows(['--pid', String(pid)], env)).pop() ?? '';
    return !!win;
  }, 'the app window', 20000);
  return win;
}

/** A screenshot of the app's window, from the X server, as docs/screenshots/NAME.png. */
export async function screenShot(name, { pid, env = process.env }) {
  fs.mkdirSync(SHOTS, { recursive: true });
  execFileSync('import', ['-window', await appWindow(pid, env), path.join(SHOTS, `${name}.png`)], { env });
}

/**
 * Runs `main`, then prints the count, calls `cleanup` and exits: 1 if a step
 * failed or anything else did (the driver, the app not starting: counted as
 * `FAIL setup`, never a silent pass), else 0.
 */
export function runSteps(main, cleanup = () => {}) {
  return main()
    .catch((e) => {
      // A step's failure was already counted.
      if (!String(e?.message ?? e).startsWith('step failed')) {
        failed++;
        console.log(`FAIL setup: ${e?.stack || e}`);
      }
    })
    .finally(() => {
      console.log(`${passed} passed, ${failed} failed`);
      cleanup();
      process.exit(failed ? 1 : 0);
    });
}
