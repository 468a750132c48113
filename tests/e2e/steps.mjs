// The steps of an e2e run, shared by every script here (run.mjs,
// open_bundle.mjs, handover.mjs, memory.mjs): each step prints one line,
// `PASS name (N ms)` or `FAIL name: error`, and a failed step stops the run;
// at the end one line counts them, `P passed, F failed`, and the process
// exits 1 if anything failed. The counts are this module's, so the steps of
// a script and of the scripts it imports are summed together.

import fs from 'node:fs';
import path from 'node:path';
import { sleep } from './webdriver.mjs';

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

/** Saves a screenshot of the session's window as docs/screenshots/NAME.png. */
export async function shot(s, name) {
  await sleep(800); // WebKit repaints late
  fs.mkdirSync(SHOTS, { recursive: true });
  fs.writeFileSync(path.join(SHOTS, `${name}.png`), await s.screenshot());
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
