// End-to-end test of the real Amana desktop app: built binary, Xvfb,
// tauri-driver + WebKitWebDriver. A field researcher's session: create a
// vault, add a case with an Arabic testimony and a file, view the file, play a
// recording (the page's process sandboxed, nothing of it on the disk), find
// the case by a name variant, see it in the urgent view, lock by idle timeout,
// unlock, switch language, crash the page's web process (the app locks and
// loads it again on the lock screen); then the handover between two vaults
// (handover.mjs), and a change from a sender not verified that waits in the
// Inbox and is rejected (inbox.mjs). Screenshots go to docs/screenshots/. Afterwards no
// canary from the session may appear in any file outside the vault's
// encrypted files (HOME, TMPDIR, the webview's data and cache dirs).
//
// Usage: node tests/e2e/run.mjs <app binary> <amana CLI binary>

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Session, sleep, until } from './webdriver.mjs';
import { appPid, assert, runSteps, screenShot, shot, step } from './steps.mjs';
import { CANARY_SOURCE, runHandover } from './handover.mjs';
import { runInbox } from './inbox.mjs';
import { memoryAfterLock, processTree } from './memory.mjs';
import { lockedWithNewWebProcess, unlockByKeyboard, webProcesses } from './relock.mjs';
import { canaryWav, namespaces, watchWebProcesses } from './media.mjs';

const [app, cli] = process.argv.slice(2);
if (!app || !cli) throw new Error('usage: run.mjs APP_BINARY CLI_BINARY');
const PASS = 'a long passphrase for the e2e test';
const CANARY_LATIN = 'CANARY-e2e-7Q4Z';
const CANARY_ARABIC = 'شاهدكناري';
const CANARY_MEDIA = 'CANARY-media-3K8V';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'amana-e2e-'));
const dirs = { vault: path.join(root, 'vault'), home: path.join(root, 'home'), tmp: path.join(root, 'tmp') };
for (const d of [dirs.home, dirs.tmp]) fs.mkdirSync(d, { recursive: true });
const env = {
  ...process.env,
  AMANA_VAULT: dirs.vault,
  HOME: dirs.home,
  TMPDIR: dirs.tmp,
  XDG_DATA_HOME: path.join(dirs.home, '.local/share'),
  XDG_CACHE_HOME: path.join(dirs.home, '.cache'),
  XDG_CONFIG_HOME: path.join(dirs.home, '.config'),
  // No session bus: nothing may need one, and nothing may be remembered.
  DBUS_SESSION_BUS_ADDRESS: 'disabled:',
};

const children = [];
function start(cmd, args, opts = {}) {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  child.detached = !!opts.detached;
  child.stdout.on('data', (d) => process.env.E2E_VERBOSE && process.stdout.write(`[${cmd}] ${d}`));
  child.stderr.on('data', (d) => process.env.E2E_VERBOSE && process.stderr.write(`[${cmd}] ${d}`));
  children.push(child);
  return child;
}
// A detached child (tauri-driver) leads its own process group: the
// WebKitWebDriver and app processes it started go with it. Nothing may
// outlive the run (no_network.sh's strace waits for every process).
function stop(c) {
  try {
    if (c.detached) process.kill(-c.pid, 'SIGKILL');
    else c.kill('SIGTERM');
  } catch {
    /* already gone */
  }
}
function cleanup() {
  for (const c of children.reverse()) stop(c);
}
process.on('exit', cleanup);

function amana(args, input) {
  return execFileSync(cli, [...args, '--json'], { env: { ...env, AMANA_PASSPHRASE: PASS }, input, encoding: 'utf8' });
}

async function main() {
  if (!process.env.DISPLAY) {
    env.DISPLAY = ':97';
    process.env.DISPLAY = env.DISPLAY; // for the X screenshots (steps.mjs)
    start('Xvfb', [':97', '-screen', '0', '1280x800x24', '-nolisten', 'tcp']);
    await sleep(800);
  }
  let driver = start('tauri-driver', ['--port', '4444', '--native-port', '4445'], { detached: true });
  await sleep(1000);
  // The handover flow runs the app on two vaults: tauri-driver passes the
  // app its own environment, so it is restarted with the vault's.
  const startDriver = async (driverEnv) => {
    const exited = new Promise((r) => (driver.exitCode !== null || driver.signalCode !== null ? r() : driver.once('exit', r)));
    stop(driver);
    await exited;
    driver = start('tauri-driver', ['--port', '4444', '--native-port', '4445'], { env: driverEnv, detached: true });
    await sleep(1000);
    return 'http://127.0.0.1:4444';
  };
  let s = await Session.start('http://127.0.0.1:4444', app);
  try {
    await step('create a vault and confirm the recovery key', async () => {
      await s.type('create-passphrase', PASS);
      await s.type('create-confirm', PASS);
      await shot(s, 'en-create-vault');
      await s.click('create-submit');
      const key = await s.text('recovery-key');
      assert(/AMANA(-[0-9A-Z]{4}){9}/.test(key.replace(/\s+/g, '-').replace(/--+/g, '-')) || key.includes('AMANA'), `recovery key shown: ${key}`);
      await shot(s, 'en-recovery-key');
      await s.click('recovery-stored');
      await s.click('recovery-continue');
      await s.find('new-case');
    });

    let caseId;
    let lockedPid;
    await step('add a case with an Arabic testimony', async () => {
      await s.click('new-case');
      await s.type('case-form-name', 'Samir al-Kayali');
      await s.click('case-form-submit');
      await s.waitFor(async () => (await s.findAll('case-row')).length === 1, 'the new case in the list');
      const cases = JSON.parse(amana(['case', 'list']));
      assert(cases.length === 1, 'the case is in the vault');
      caseId = cases[0].id;
      await s.click('case-open');
      await s.click('add-testimony');
      await s.type('testimony-text', `اعتُقِلَ في المطارِ فجرًا ${CANARY_ARABIC} ${CANARY_LATIN}`);
      await s.select('testimony-language', 'ar');
      await s.click('testimony-submit');
      await s.waitFor(async () => JSON.parse(amana(['testimony', 'list', '--case', caseId])).length === 1, 'the testimony saved');
    });

    await step('attach a file and view it inside the app', async () => {
      // The native file dialog cannot be driven by WebDriver: the file is
      // attached through the CLI on the same vault, then viewed in the app.
      const f = path.join(dirs.tmp, 'note.txt');
      fs.writeFileSync(f, `statement ${CANARY_LATIN}\n`);
      amana(['attach', caseId, f, '--by', 'e2e']);
      fs.rmSync(f);
      await s.click('nav-cases');
      await s.click('case-open');
      await s.click('evidence-view');
      await s.find('viewer-verified');
      await s.waitFor(async () => (await s.script(`return document.querySelector('[data-testid="viewer-dialog"]').innerText.includes(arguments[0])`, [CANARY_LATIN])), 'the file shown in the viewer');
      await shot(s, 'en-evidence-viewer');
      await s.click('dialog-close');
      await s.waitFor(async () => !(await s.script(`return !!document.querySelector('[data-testid="viewer-dialog"]')`)), 'the viewer closed');
      await shot(s, 'en-case');
    });

    await step('play a recording: the page runs in WebKit\'s sandbox, and nothing of what it plays is in a file on the disk', async () => {
      const f = path.join(dirs.tmp, 'interview.wav');
      canaryWav(f, CANARY_MEDIA);
      amana(['attach', caseId, f, '--by', 'e2e']);
      fs.rmSync(f);
      await s.click('nav-cases');
      await s.click('case-open');
      await s.waitFor(async () => (await s.findAll('evidence-view')).length === 2, 'the recording in the case');
      // The "view" button of the recording's row: the one whose own row (the
      // largest ancestor holding no other such button) names the file.
      await s.script(`const views = [...document.querySelectorAll('[data-testid="evidence-view"]')];
        const row = (b) => { let e = b; while (e.parentElement && e.parentElement.querySelectorAll('[data-testid="evidence-view"]').length === 1) e = e.parentElement; return e; };
        views.find((b) => row(b).innerText.includes('interview.wav')).click();`);
      await s.find('viewer-verified');
      // The page's process: in mount and network namespaces of its own
      // (bubblewrap), not the app's.
      const mine = namespaces(appPid(app));
      const web = webProcesses(app);
      assert(web.length >= 1, 'a web process');
      for (const w of web) {
        const ns = namespaces(w);
        assert(ns.mnt !== mine.mnt && ns.net !== mine.net, `web process ${w} sandboxed: ${JSON.stringify(ns)} vs the app's ${JSON.stringify(mine)}`);
      }
      await s.waitFor(async () => s.script(`return !!document.querySelector('[data-testid="viewer-dialog"] audio')`), 'the audio player');
      const played = await s.script(`const a = document.querySelector('[data-testid="viewer-dialog"] audio'); a.muted = true; return a.play().then(() => 'playing', (e) => String(e));`);
      assert(played === 'playing', `the recording plays: ${played}`);
      // While it plays, every file the page's process holds open: none on a
      // disk-backed file system outside the vault (GStreamer's download
      // buffer, if used, is in the sandbox's private tmpfs).
      const open = await watchWebProcesses(app, 4000, { allowed: [dirs.vault], canary: CANARY_MEDIA });
      const at = await s.script(`return document.querySelector('[data-testid="viewer-dialog"] audio').currentTime`);
      assert(at > 1, `the recording played (at ${at} s)`);
      assert(open.length === 0, `files on the disk held by the page while it played: ${JSON.stringify(open)}`);
      console.log(`  played ${at.toFixed(1)} s in web process(es) ${web.join(', ')}; no file on a disk held open`);
      await shot(s, 'en-evidence-audio');
      await s.click('dialog-close');
      await s.waitFor(async () => !(await s.script(`return !!document.querySelector('[data-testid="viewer-dialog"]')`)), 'the viewer closed');
    });

    await step('find the case by a name variant', async () => {
      await s.click('nav-search');
      await s.type('search-input', 'Sameer Kayyali');
      await s.click('search-submit');
      await s.waitFor(async () => (await s.findAll('search-result')).length >= 1, 'a search result');
      await shot(s, 'en-search');
    });

    await step('see it in the urgent view', async () => {
      amana(['situation', 'add', '--case', caseId], JSON.stringify({ date: '2026-10-01', situation: 'detained_pending_extradition', place: { country: 'TR', locality: 'Istanbul' } }));
      await s.click('nav-urgent');
      await s.waitFor(async () => (await s.findAll('urgent-item')).length >= 1, 'an urgent item');
      await shot(s, 'en-urgent');
    });

    await step('lock by idle timeout: the vault closes and the page restarts in a new web process; the keyboard unlocks it again', async () => {
      await s.click('nav-settings');
      await s.type('autolock-minutes', '1');
      await s.script(`document.querySelector('[data-testid="autolock-minutes"]').dispatchEvent(new Event('change', { bubbles: true }))`);
      await s.waitFor(
        async () => s.script(`return [...document.querySelectorAll('[data-testid="toast"]')].some((t) => t.innerText.includes('1 minute'))`),
        'the auto-lock set to 1 minute',
      );
      const webBefore = webProcesses(app);
      const started = Date.now();
      // 15 s before the lock (a quarter of a 1-minute limit), a countdown
      // says so; the idle time runs on (WebDriver's scripts are no activity).
      const warningText = () => s.script(`const w = document.querySelector('[data-testid="idle-warning"]'); return w ? w.innerText : ''`);
      await s.waitFor(warningText, 'the countdown before the idle lock', 70000);
      const warning = await warningText();
      assert(Date.now() - started >= 40000, `warned only near the end (${Date.now() - started} ms)`);
      console.log(`  warned: ${JSON.stringify(warning)}`);
      await shot(s, 'en-idle-warning');
      let pid;
      try {
        pid = await lockedWithNewWebProcess({ app, vaultDir: dirs.vault, webBefore, timeout: 120000 });
      } catch (e) {
        // Not locked in time: what the window shows says why.
        const seen = await s.script('return document.body.innerText').catch((err) => `(no page: ${err.message})`);
        console.log(`  after ${Math.round((Date.now() - started) / 1000)} s the window shows: ${JSON.stringify(String(seen).slice(0, 600))}`);
        await shot(s, 'debug-idle-lock').catch(() => {});
        throw e;
      }
      assert(Date.now() - started >= 55000, 'locked only after the idle time');
      await sleep(1500);
      await screenShot('en-unlock', { pid, env });
      await unlockByKeyboard({ pid, env, passphrase: PASS, vaultDir: dirs.vault });
      // The WebDriver session ended with the old web process: this app goes,
      // and a new one on the same vault carries on under a new session.
      await s.end();
      process.kill(pid, 'SIGTERM');
      await until(() => !fs.existsSync(`/proc/${pid}`), 'the first app gone', 20000);
      s = await Session.start(await startDriver(env), app);
      await s.type('unlock-passphrase', PASS);
      await s.click('unlock-submit');
      await s.find('nav-cases');
    });

    await step('switch to Arabic: right-to-left everywhere', async () => {
      await s.click('nav-settings');
      await s.select('language-select', 'ar');
      await s.waitFor(async () => (await s.script('return document.documentElement.dir')) === 'rtl', 'dir=rtl');
      // Final ي is drawn with its dots, not as ى: the two words differ on
      // screen ("هويتي", my identity; a font setup drew it "هويتى"). Drawn
      // on a canvas with the page's own font, after it loaded.
      const yeh = await s.script(`const family = getComputedStyle(document.body).fontFamily;
        const draw = (t) => { const c = document.createElement('canvas'); c.width = 260; c.height = 100;
          const x = c.getContext('2d'); x.font = '56px ' + family; x.direction = 'rtl'; x.textBaseline = 'middle';
          x.fillStyle = '#000'; x.fillText(t, 240, 50); return c.toDataURL(); };
        return document.fonts.load('56px ' + family, 'هويتي').then(() => ({ family, differ: draw('هويتي') !== draw('هويتى') }));`);
      assert(yeh.differ, `final ي drawn as ى (dotless) in ${yeh.family}`);
      console.log(`  final ي and ى drawn apart in ${yeh.family}`);
      await s.click('nav-cases');
      await shot(s, 'ar-cases');
      await s.click('case-open');
      await shot(s, 'ar-case');
      await s.click('nav-urgent');
      await shot(s, 'ar-urgent');
      await s.click('nav-search');
      await s.type('search-input', 'اعتقل');
      await s.click('search-submit');
      await s.waitFor(async () => (await s.findAll('search-result')).length >= 1, 'an Arabic search result');
      await shot(s, 'ar-search');
      const webBefore = webProcesses(app);
      await s.click('lock-button');
      lockedPid = await lockedWithNewWebProcess({ app, vaultDir: dirs.vault, webBefore });
      await sleep(1500);
      await screenShot('ar-unlock', { pid: lockedPid, env });
    });

    await step('locked: neither the vault key nor a canary in the app\'s memory', async () => {
      memoryAfterLock({ app, cli, env, vaultDir: dirs.vault, passphrase: PASS, canaries: { CANARY_LATIN, CANARY_ARABIC }, dir: path.join(root, 'cores') });
    });

    await step('the locked app unlocks again from the keyboard', async () => {
      await unlockByKeyboard({ pid: lockedPid, env, passphrase: PASS, vaultDir: dirs.vault });
    });

    await step('the page\'s web process crashes: the app locks the vault and loads the page again on the lock screen, which says so; no core file', async () => {
      // No process of the app may leave a core file with memory in it
      // (src/hardening.rs): in each, WebKit's included, the core limit is
      // zero and the core filter keeps every mapping out.
      const procs = processTree(app);
      for (const p of procs) {
        const limit = fs.readFileSync(`/proc/${p.pid}/limits`, 'utf8').match(/^Max core file size\s+(\S+)\s+(\S+)/m);
        assert(limit && limit[1] === '0' && limit[2] === '0', `core files off in ${p.comm} (${p.pid}): ${limit?.[0]}`);
        const filter = parseInt(fs.readFileSync(`/proc/${p.pid}/coredump_filter`, 'utf8'), 16);
        assert(filter === 0, `no memory in a core of ${p.comm} (${p.pid}): coredump_filter ${filter.toString(16)}`);
      }
      // Where the kernel writes core files itself (a core_pattern without
      // '|'), a new one would appear in the web process's working folder.
      const pattern = fs.readFileSync('/proc/sys/kernel/core_pattern', 'utf8').trim();
      console.log(`  core_pattern: ${pattern}${pattern.startsWith('|') ? ' (a crash handler: only the filter and the limit above are checked)' : ''}`);
      const webBefore = webProcesses(app);
      assert(webBefore.length >= 1, 'a web process');
      const cwd = fs.readlinkSync(`/proc/${webBefore[0]}/cwd`);
      const cores = () => fs.readdirSync(cwd).filter((f) => /^core(\.\d+)?$/.test(f)).map((f) => `${f}:${fs.statSync(path.join(cwd, f)).mtimeMs}`);
      const coresBefore = cores();
      // SIGABRT, whose default is to end the process with a core file. (Not
      // SIGSEGV: JavaScriptCore handles that signal for its own use, and one
      // sent with kill() left the web process running.)
      for (const w of webBefore) process.kill(w, 'SIGABRT');
      const pid = await lockedWithNewWebProcess({ app, vaultDir: dirs.vault, webBefore });
      assert(pid === lockedPid, 'the same app process');
      await sleep(1500);
      await screenShot('ar-window-restarted', { pid, env });
      // The page came back on the lock screen: the keyboard unlocks it.
      await unlockByKeyboard({ pid, env, passphrase: PASS, vaultDir: dirs.vault });
      assert(JSON.stringify(cores()) === JSON.stringify(coresBefore), `no core file in ${cwd}: ${cores().join(', ')}`);
    });

    await s.end();
    await runHandover({ app, cli, env, root, vaultA: dirs.vault, caseId, PASS, startDriver });
    await runInbox({ app, cli, env, root, vaultA: dirs.vault, caseId, PASS, startDriver });
  } finally {
    await s.end();
    await sleep(500);
    cleanup();
  }

  await step('no canary outside the vault (HOME, TMPDIR, webview data and cache)', async () => {
    const vaultCipher = (p) => p === path.join(dirs.vault, 'vault.db') || p === path.join(dirs.vault, 'vault.key') || p.startsWith(path.join(dirs.vault, 'vault.db-')) || (p.startsWith(path.join(dirs.vault, 'files')) && p.endsWith('.age'));
    const hits = [];
    let scanned = 0;
    const walk = (d) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile() && !vaultCipher(p)) {
          scanned++;
          const b = fs.readFileSync(p);
          for (const c of [CANARY_LATIN, CANARY_ARABIC, CANARY_SOURCE, CANARY_MEDIA]) if (b.includes(Buffer.from(c))) hits.push(`${c} in ${p}`);
        }
      }
    };
    walk(root);
    assert(hits.length === 0, `canaries found: ${hits.join(', ')}`);
    console.log(`  scanned ${scanned} files outside the vault's encrypted files`);
  });

  await step('no record of the files chosen in the dialogs (GTK\'s recent files)', async () => {
    // The handover flow wrote a bundle and a draft through GTK's real save
    // dialog; GTK would list both in recently-used.xbel, in plain text,
    // with the app's name (src-tauri/src/lib.rs, forget_recent_files).
    const recent = path.join(env.XDG_DATA_HOME, 'recently-used.xbel');
    const text = fs.existsSync(recent) ? fs.readFileSync(recent, 'utf8') : '';
    assert(!/\.amana|amana-desktop|file:\/\//.test(text), `the dialogs' files are listed in ${recent}:\n${text.slice(0, 600)}`);
    console.log(`  ${recent}: ${fs.existsSync(recent) ? `${text.length} bytes, no file of the session` : 'not written'}`);
  });
}

runSteps(main, () => fs.rmSync(root, { recursive: true, force: true }));
