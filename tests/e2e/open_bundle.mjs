// End-to-end test of a bundle handed to the real, running app by the file
// manager (a double click runs `amana-desktop %f` again): the second launch,
// on the same vault, hands its path to the running app over the D-Bus session
// bus and exits 0; the running app emits `open-bundle` with the absolute path
// (resolved against the second launch's folder), and its UI opens that bundle
// (here: made for someone else, so the "not for you" screen). A launch on
// another vault (AMANA_VAULT) keeps a window of its own. A private dbus-daemon
// and Xvfb of its own, tauri-driver on free ports. The startup path (launched
// with the bundle) is in handover.mjs; without a session bus (run.mjs, make
// package-test) every launch runs on its own.
//
// Usage: node tests/e2e/open_bundle.mjs <app binary> <amana CLI binary>

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Session, sleep, until } from './webdriver.mjs';
import { assert, runSteps, step, visibleWindows } from './steps.mjs';

const [app, cli] = process.argv.slice(2);
if (!app || !cli) throw new Error('usage: open_bundle.mjs APP_BINARY CLI_BINARY');
const PASS = 'a long passphrase for the open-bundle e2e test';
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'amana-e2e-open-'));
const dirs = {
  home: path.join(root, 'home'),
  tmp: path.join(root, 'tmp'),
  downloads: path.join(root, 'Downloads'),
};
for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
// A real bundle from the test vectors, made for another vault's key.
const vector = path.join(repo, 'tests/testdata/bundles/valid_x25519.amana');
const bundleName = 'from researcher — مصدر.amana';
fs.copyFileSync(vector, path.join(dirs.downloads, bundleName));

const env = {
  ...process.env,
  AMANA_VAULT: path.join(root, 'vault-a'),
  HOME: dirs.home,
  TMPDIR: dirs.tmp,
  XDG_DATA_HOME: path.join(dirs.home, '.local/share'),
  XDG_CACHE_HOME: path.join(dirs.home, '.cache'),
  XDG_CONFIG_HOME: path.join(dirs.home, '.config'),
  XDG_RUNTIME_DIR: path.join(dirs.tmp, 'runtime'),
};
fs.mkdirSync(env.XDG_RUNTIME_DIR, { mode: 0o700 });

const children = [];
function start(cmd, args, opts = {}) {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  child.stdout.on('data', (d) => process.env.E2E_VERBOSE && process.stdout.write(`[${path.basename(cmd)}] ${d}`));
  child.stderr.on('data', (d) => process.env.E2E_VERBOSE && process.stderr.write(`[${path.basename(cmd)}] ${d}`));
  child.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  children.push(child);
  return child;
}
process.on('exit', () => {
  for (const c of children.reverse()) if (c.exitCode === null) c.kill('SIGTERM');
});

/** The first line a child prints on stdout (Xvfb's display, dbus-daemon's address). */
function firstLine(child, what) {
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const i = buf.indexOf('\n');
      if (i >= 0) resolve(buf.slice(0, i).trim());
    });
    child.on('exit', () => reject(new Error(`${what} exited before printing`)));
  });
}

function freePort() {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const amanaWindows = () => visibleWindows(['--name', '^Amana$'], env);

async function main() {
  env.DISPLAY = `:${await firstLine(start('Xvfb', ['-displayfd', '1', '-screen', '0', '1280x800x24', '-nolisten', 'tcp']), 'Xvfb')}`;
  env.DBUS_SESSION_BUS_ADDRESS = await firstLine(
    start('dbus-daemon', ['--session', '--nofork', '--nopidfile', '--print-address=1']),
    'dbus-daemon',
  );
  const [port, nativePort] = [await freePort(), await freePort()];
  start('tauri-driver', ['--port', String(port), '--native-port', String(nativePort)]);
  const base = `http://127.0.0.1:${port}`;
  await until(() => fetch(`${base}/status`).then(() => true, () => false), 'tauri-driver', 60000);

  execFileSync(cli, ['init', '--json'], { env: { ...env, AMANA_PASSPHRASE: PASS }, stdio: 'ignore' });
  const s = await Session.start(base, app);
  try {
    await step('the running app is unlocked and listens', async () => {
      await s.type('unlock-passphrase', PASS);
      await s.click('unlock-submit');
      await s.find('nav-bundle', { timeout: 60000 });
      await s.script(
        `window.__e2eOpenBundle = [];
         const i = window.__TAURI_INTERNALS__;
         return i.invoke('plugin:event|listen', {
           event: 'open-bundle', target: { kind: 'Any' },
           handler: i.transformCallback((e) => window.__e2eOpenBundle.push(e.payload)),
         });`,
      );
      const n = (await amanaWindows()).length;
      assert(n === 1, `one window, got ${n}`);
    });

    await step('a second launch with a bundle hands it to the running app and exits', async () => {
      const second = start(app, [bundleName], { cwd: dirs.downloads });
      // Without the handover it would stay, with a window of its own.
      await until(async () => second.exitCode !== null || second.signalCode !== null || (await amanaWindows()).length > 1, 'the second launch to exit', 60000);
      assert((await amanaWindows()).length === 1, 'the second launch opened a window of its own');
      const { code, signal } = await second.exited;
      assert(code === 0, `the second launch exited with ${code ?? signal}`);
      const expected = path.join(dirs.downloads, bundleName);
      await s.waitFor(async () => (await s.script('return window.__e2eOpenBundle.length')) > 0, 'the open-bundle event');
      const events = await s.script('return window.__e2eOpenBundle');
      assert(JSON.stringify(events) === JSON.stringify([{ path: expected }]), `open-bundle events: ${JSON.stringify(events)}`);
      // The running window opened it: the bundle is for another vault's key.
      const failure = await s.find('bundle-failure', { timeout: 60000 });
      const kind = await s.cmd('GET', `/element/${failure}/attribute/data-failure`);
      assert(kind === 'not_for_you', `the bundle screen says ${kind}`);
      assert((await s.invoke('take_pending_open')) === null, 'the UI took the pending bundle (once)');
      const n = (await amanaWindows()).length;
      assert(n === 1, `still one window, got ${n}`);
    });

    await step('the window may call only what its capability grants', async () => {
      // Granted by name (capabilities/main.json): works.
      assert((await s.invoke('take_pending_open')) === null, 'an app command the window was granted');
      // Not granted: core window and path commands (dropped with core:default).
      for (const [cmd, args] of [
        ['plugin:window|set_title', { label: 'main', value: 'changed by the page' }],
        ['plugin:path|resolve_directory', { directory: 11 }],
        ['plugin:webview|print', { label: 'main' }],
      ]) {
        let refused = null;
        try {
          await s.invoke(cmd, args);
        } catch (e) {
          refused = String(e.message);
        }
        assert(refused !== null, `${cmd} was allowed`);
        assert(/not allowed|denied|ACL/i.test(refused), `${cmd} failed, but not by the ACL: ${refused}`);
      }
    });

    await step('a launch on another vault keeps a window of its own', async () => {
      const other = start(app, [bundleName], { cwd: dirs.downloads, env: { ...env, AMANA_VAULT: path.join(root, 'vault-b') } });
      await until(async () => (await amanaWindows()).length === 2 || other.exitCode !== null, 'a second window', 60000);
      assert(other.exitCode === null, `the launch on another vault exited with ${other.exitCode}`);
      const n = (await amanaWindows()).length;
      assert(n === 2, `two windows, one per vault; got ${n}`);
      const events = await s.script('return window.__e2eOpenBundle.length');
      assert(events === 1, `the first vault's app got ${events} open-bundle events, expected only the earlier one`);
      other.kill('SIGTERM');
      await other.exited;
    });
  } finally {
    await s.end();
  }
}

runSteps(main, () => {
  for (const c of children.reverse()) if (c.exitCode === null) c.kill('SIGTERM');
  fs.rmSync(root, { recursive: true, force: true });
});
