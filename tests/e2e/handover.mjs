// End-to-end handover between two vaults in the real app (issue #6, "Done
// when"): vault A sends a case to vault B's contact card with the "no
// source identities" profile through the export wizard (the native save
// dialog is driven with xdotool, as a person would type the file name); B's
// app is launched with the bundle's path as its last argument, as a double
// click in the file manager does, shows the sender as verified, reads the
// case without importing, imports it, and the case has no source identity;
// a tampered copy shows the tampered screen. Screenshots in English and
// Arabic. Vault B and the contacts are prepared through the CLI.
//
// `runHandover(ctx)` is called by run.mjs inside its session (so its leak
// scan covers this flow). Alone: `node tests/e2e/handover.mjs APP CLI`.

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Session, sleep } from './webdriver.mjs';
import { assert, runSteps, shot, step, visibleWindows } from './steps.mjs';

/** A second canary: a source's real name, which must never reach vault B. */
export const CANARY_SOURCE = 'CANARY-source-3J8W';

/** Runs the CLI on `vault` with --json (input on stdin if given); returns its stdout. */
export function cliFor(ctx, vault) {
  return (args, input) =>
    execFileSync(ctx.cli, [...args, '--json'], {
      env: { ...ctx.env, AMANA_VAULT: vault, AMANA_PASSPHRASE: ctx.PASS },
      input,
      encoding: 'utf8',
    });
}

/** Types a path into the focused GTK file chooser (the native save dialog) and confirms it. */
async function answerSaveDialog(ctx, file) {
  const env = { ...ctx.env };
  let win = '';
  for (let i = 0; i < 50 && !win; i++) {
    await sleep(200);
    win = (await visibleWindows(['--name', ctx.saveTitle ?? 'Save'], env)).pop() ?? '';
  }
  if (!win) throw new Error('the native save dialog did not appear');
  execFileSync('xdotool', ['windowfocus', '--sync', win], { env });
  await sleep(300);
  // GTK's file chooser takes a full path in its name field; select what is there first.
  execFileSync('xdotool', ['key', '--window', win, 'ctrl+a'], { env });
  execFileSync('xdotool', ['type', '--window', win, '--delay', '5', file], { env });
  await sleep(200);
  execFileSync('xdotool', ['key', '--window', win, 'Return'], { env });
}

/** Unlocks with the test passphrase, on the lock screen in `lang` if given. */
export async function unlock(s, ctx, lang) {
  if (lang) {
    await s.select('auth-language-select', lang);
    await s.waitFor(async () => (await s.script('return document.documentElement.lang')) === lang, `the ${lang} unlock screen`);
  }
  await s.type('unlock-passphrase', ctx.PASS);
  await s.click('unlock-submit');
}

const bodyText = (s) => s.script('return document.body.innerText');

/**
 * ctx: { app, cli, env, root, vaultA, caseId, PASS, startDriver }
 * `startDriver(env)` (re)starts tauri-driver with that environment and returns its base URL.
 */
export async function runHandover(ctx) {
  const vaultB = path.join(ctx.root, 'vault-b');
  const out = path.join(ctx.root, 'handover');
  fs.mkdirSync(out, { recursive: true });
  const bundle = path.join(out, 'for-nadia.amana');
  const tampered = path.join(out, 'for-nadia-tampered.amana');
  const a = cliFor(ctx, ctx.vaultA);
  const b = cliFor(ctx, vaultB);

  await step('prepare vault B and both contact cards (CLI)', async () => {
    b(['init', '--kdf-memory-mib', '64', '--kdf-iterations', '1']);
    b(['identity', 'rename', 'Nadia, lawyer (fictional)']);
    a(['identity', 'rename', 'Lina, researcher (fictional)']);
    const cardB = JSON.stringify(JSON.parse(b(['identity', 'show'])).card);
    const cardA = JSON.stringify(JSON.parse(a(['identity', 'show'])).card);
    a(['contact', 'add', '--name', 'Nadia (lawyer)'], cardB);
    a(['contact', 'verify', 'Nadia (lawyer)']);
    b(['contact', 'add', '--name', 'Lina (researcher)'], cardA);
    b(['contact', 'verify', 'Lina (researcher)']);
    // The most sensitive data: who a source is. It must stay in vault A.
    const src = JSON.parse(a(['source', 'add', '--case', ctx.caseId], JSON.stringify({ pseudonym: 'Witness K', relation: 'witness', identity: { full_name: `Samira ${CANARY_SOURCE}`, contact: '+00 000 000' } })));
    a(['testimony', 'add', '--case', ctx.caseId], JSON.stringify({ text: 'He was taken at the airport at dawn.', language: 'en', source_id: src.id }));
    // Facts for the statistics: incidents between states and CCF requests.
    const add = (kind, caseId, record) => JSON.parse(a([kind, 'add', '--case', caseId], JSON.stringify(record)));
    add('incident', ctx.caseId, { tactic: 'extradition_proceedings', requesting_state: 'EG', requested_state: 'TR', date: '2023-05-14' });
    add('proceeding', ctx.caseId, { kind: 'ccf_deletion', filed_on: '2023-07-01', decided_on: '2024-02-20', outcome: 'granted' });
    const second = JSON.parse(a(['case', 'add'], JSON.stringify({ title: 'Red notice', subject: { names: [{ name: 'Youssef Amrani' }], profiles: ['journalist'] } }))).id;
    add('incident', second, { tactic: 'terrorism_listing', requesting_state: 'SA', requested_state: 'FR', date: '2024-03-02' });
    add('incident', second, { tactic: 'extradition_proceedings', requesting_state: 'EG', requested_state: 'FR', date: '2025-01-10' });
    add('proceeding', second, { kind: 'ccf_access', filed_on: '2025-02-01' });
  });

  let s = await Session.start(await ctx.startDriver({ ...ctx.env, AMANA_VAULT: ctx.vaultA }), ctx.app);
  try {
    await step('A: my identity and contacts', async () => {
      await unlock(s, ctx);
      await s.click('nav-identity');
      await s.find('identity-qr');
      const fp = await s.text('identity-fingerprint');
      assert(/^(\d{5}\s+){5}\d{5}$/.test(fp.trim()), `fingerprint in groups: ${fp}`);
      await shot(s, 'en-identity');
      await s.click('nav-contacts');
      await s.waitFor(async () => (await s.findAll('contact')).length === 1, 'the contact');
      assert((await s.text('contact-status')).includes('Verified'), 'the contact is verified');
      await shot(s, 'en-contacts');
      await s.click('contact-add');
      await s.click('contact-from-paste');
      await s.type('contact-card-text', 'not a card at all, just words');
      await s.click('contact-card-read');
      await s.waitFor(async () => (await s.text('contact-read-error')).length > 0, 'the bad-card message');
      await shot(s, 'en-contact-add-error');
      await s.click('dialog-close');
    });

    await step('A: send the case to Nadia without the sources\' identities (wizard, save dialog, progress, summary)', async () => {
      await s.click('nav-export');
      await s.find('export-case-check');
      await s.script(`document.querySelector('[data-testid="export-case-check"][value="${ctx.caseId}"]').click()`);
      await shot(s, 'en-export-cases');
      await s.click('wizard-next');
      await s.click('export-contact-check');
      await shot(s, 'en-export-recipients');
      await s.click('wizard-next');
      await s.find('export-profile-no-source-identities');
      assert(await s.script(`return document.querySelector('[data-testid="export-profile-no-source-identities"]').checked`), 'no source identities is the default');
      await s.waitFor(async () => (await s.findAll('export-left-out')).length === 1, 'what is left out, counted');
      assert((await s.text('export-left-out')).includes('one source'), `one source identity left out: ${await s.text('export-left-out')}`);
      await shot(s, 'en-export-profile');
      await s.click('wizard-next');
      await shot(s, 'en-export-review');
      await s.click('export-send');
      await answerSaveDialog({ ...ctx, saveTitle: 'Save the bundle' }, bundle);
      await s.find('export-done', { timeout: 30000 });
      assert(fs.existsSync(bundle), 'the bundle was written where the dialog said');
      const summary = await s.text('export-summary');
      assert(summary.includes('Nadia'), `summary names the recipient: ${summary}`);
      await shot(s, 'en-export-done');
      const log = JSON.parse(a(['log']));
      assert(log.some((e) => e.action === 'export' && e.kind === 'bundle'), 'the export is in the audit log');
    });

    await step('A: statistics as charts, and a draft letter written only where chosen, after the warning', async () => {
      await s.click('nav-stats');
      await s.find('stats-totals');
      await s.find('stats-flows');
      assert((await s.script(`return document.querySelectorAll('[data-testid="stats-flows"] .flow-band').length`)) === 3, 'three flows between states');
      assert((await s.script(`return document.querySelectorAll('[data-testid="stats-requesting"] rect').length`)) === 2, 'two requesting states');
      await shot(s, 'en-stats');
      await s.script(`document.querySelector('[data-testid="stats-ccf"]').scrollIntoView()`);
      await shot(s, 'en-stats-ccf');
      await s.click('nav-cases');
      await s.find('case-open');
      await s.script(`document.querySelector('[data-case-id="${ctx.caseId}"] [data-testid="case-open"], [data-case-id="${ctx.caseId}"][data-testid="case-open"]').click()`);
      await s.click('case-draft');
      await s.find('draft-warning');
      await s.select('draft-kind', 'ccf-request');
      await s.select('draft-format', 'md');
      await shot(s, 'en-draft');
      const draft = path.join(out, 'ccf-request.md');
      await s.click('draft-save');
      await answerSaveDialog({ ...ctx, saveTitle: 'Save the draft' }, draft);
      await s.waitFor(async () => fs.existsSync(draft) && !(await s.script(`return !!document.querySelector('[data-testid="draft-dialog"]')`)), 'the draft written');
      const text = fs.readFileSync(draft, 'utf8');
      assert(text.includes('Samir al-Kayali') && !text.includes(CANARY_SOURCE), 'the draft names the subject, not the source (no consent)');
      // A plaintext copy the person chose to write: removed so the leak scan checks only unintended copies.
      fs.rmSync(draft);
      for (const t of await s.findAll('toast')) await s.cmd('POST', `/element/${t}/click`, {});
    });

    await step('A in Arabic: identity, contacts and the wizard right to left', async () => {
      await s.click('nav-settings');
      await s.select('language-select', 'ar');
      await s.waitFor(async () => (await s.script('return document.documentElement.dir')) === 'rtl', 'dir=rtl');
      await s.click('nav-identity');
      await s.find('identity-qr');
      await shot(s, 'ar-identity');
      await s.click('nav-contacts');
      await s.find('contact');
      await shot(s, 'ar-contacts');
      await s.click('nav-export');
      await s.find('export-case-check');
      await s.script(`document.querySelector('[data-testid="export-case-check"][value="${ctx.caseId}"]').click()`);
      await s.click('wizard-next');
      await s.click('export-contact-check');
      await s.click('wizard-next');
      await s.find('export-left-out');
      await shot(s, 'ar-export-profile');
      await s.click('nav-stats');
      await s.find('stats-flows');
      await shot(s, 'ar-stats');
    });
  } finally {
    await s.end();
  }

  await step('make a tampered copy (decrypted with B\'s key, one byte of the signed manifest changed, encrypted again to B)', async () => {
    const idFile = path.join(out, 'b-identity.txt');
    b(['identity', 'export', '--out', idFile]);
    const recipientB = JSON.parse(b(['identity', 'show'])).card.age_recipient;
    // Kept in memory: the decrypted tar holds the case.
    const tar = execFileSync('age', ['-d', '-i', idFile, bundle], { maxBuffer: 64 << 20 });
    fs.rmSync(idFile);
    const at = tar.indexOf(Buffer.from('Witness K'));
    assert(at > 0, 'the pseudonym is in the manifest');
    tar[at] = 'V'.charCodeAt(0);
    fs.writeFileSync(tampered, execFileSync('age', ['-r', recipientB], { input: tar }));
  });

  const openInB = async (file, lang) => {
    const session = await Session.start(await ctx.startDriver({ ...ctx.env, AMANA_VAULT: vaultB }), ctx.app, {}, [file]);
    await unlock(session, ctx, lang);
    return session;
  };

  s = await openInB(bundle);
  try {
    await step('B, launched with the bundle: sender verified, fingerprint, nothing altered, identities left out', async () => {
      await s.find('bundle-sender', { timeout: 30000 });
      assert((await s.script(`return document.querySelector('[data-testid="bundle-sender-state"]').dataset.state`)) === 'verified', 'the sender is verified');
      const fp = JSON.parse(a(['identity', 'show'])).fingerprint;
      assert((await s.text('bundle-fingerprint')).replace(/\s+/g, ' ').trim() === fp, 'the fingerprint is the sender\'s');
      assert((await s.text('bundle-integrity')).includes('Nothing was altered'), 'integrity shown');
      assert((await s.text('bundle-redactions')).includes('who the sources are'), 'the redactions are said in plain words');
      await shot(s, 'en-bundle-summary');
    });

    await step('B: read without importing (nothing written), then import, then the case has no source identity', async () => {
      const before = JSON.parse(b(['case', 'list'])).length;
      await s.click('bundle-read');
      await s.find('read-case');
      await s.find('read-identity-withheld');
      assert(!(await bodyText(s)).includes(CANARY_SOURCE), 'no source identity in the read view');
      await shot(s, 'en-bundle-read');
      assert(JSON.parse(b(['case', 'list'])).length === before, 'reading wrote nothing');
      await s.click('bundle-read-back');
      await s.click('bundle-import');
      await s.find('import-done', { timeout: 30000 });
      await shot(s, 'en-bundle-imported');
      await s.click('import-open-case');
      await s.find('case-subject-name');
      await s.script(`document.querySelector('[data-testid="tab-sources"]')?.click()`);
      await sleep(300);
      const text = await bodyText(s);
      assert(text.includes('Witness K') && !text.includes(CANARY_SOURCE), 'the source is there by pseudonym only');
      await shot(s, 'en-bundle-case');
      const sources = JSON.parse(b(['source', 'list', '--case', ctx.caseId]));
      assert(sources.length === 1 && !JSON.stringify(sources).includes(CANARY_SOURCE) && !sources[0].data.identity, 'vault B holds no source identity');
    });
  } finally {
    await s.end();
  }

  s = await openInB(tampered);
  try {
    await step('B, launched with a tampered copy: the tampered screen, nothing written', async () => {
      await s.find('bundle-failure', { timeout: 30000 });
      assert((await s.script(`return document.querySelector('[data-testid="bundle-failure"]').dataset.failure`)) === 'tampered', 'the tampered screen');
      await shot(s, 'en-bundle-tampered');
    });
  } finally {
    await s.end();
  }

  for (const [file, name] of [[tampered, 'tampered'], [bundle, 'summary']]) {
    s = await openInB(file, 'ar');
    try {
      await step(`B in Arabic: the ${name} screen right to left`, async () => {
        await s.find(name === 'tampered' ? 'bundle-failure' : 'bundle-sender', { timeout: 30000 });
        assert((await s.script('return document.documentElement.dir')) === 'rtl', 'dir=rtl');
        await shot(s, `ar-bundle-${name}`);
        if (name === 'summary') {
          await s.click('bundle-read');
          await s.find('read-case');
          await shot(s, 'ar-bundle-read');
          await s.click('bundle-read-back');
          await s.click('bundle-import');
          await s.find('import-done', { timeout: 30000 });
          await shot(s, 'ar-bundle-imported');
        }
      });
    } finally {
      await s.end();
    }
  }
}

// Standalone: a fresh vault A with one case, then the handover flow.
if (import.meta.url === `file://${process.argv[1]}`) {
  const [app, cli] = process.argv.slice(2);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'amana-handover-'));
  const env = { ...process.env, HOME: path.join(root, 'home'), TMPDIR: path.join(root, 'tmp'), DBUS_SESSION_BUS_ADDRESS: 'disabled:' };
  fs.mkdirSync(env.HOME, { recursive: true });
  fs.mkdirSync(env.TMPDIR, { recursive: true });
  const children = [];
  let driver = null;
  // tauri-driver leads its own process group, so its WebKitWebDriver and
  // app processes are stopped with it and nothing outlives the run.
  const stopGroup = (c) => {
    try {
      process.kill(-c.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  const startDriver = async (e) => {
    if (driver) {
      const exited = new Promise((r) => (driver.exitCode !== null || driver.signalCode !== null ? r() : driver.once('exit', r)));
      stopGroup(driver);
      await exited;
    }
    driver = spawn('tauri-driver', ['--port', '4444', '--native-port', '4445'], { env: e, stdio: 'ignore', detached: true });
    children.push(driver);
    await sleep(1000);
    return 'http://127.0.0.1:4444';
  };
  const ctx = { app, cli, env, root, vaultA: path.join(root, 'vault-a'), PASS: 'a long passphrase for the e2e test', startDriver };
  await runSteps(
    async () => {
      if (!process.env.DISPLAY) {
        env.DISPLAY = ':96';
        process.env.DISPLAY = env.DISPLAY; // for the X screenshots (steps.mjs)
        children.push(spawn('Xvfb', [':96', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: 'ignore' }));
        await sleep(800);
      }
      const a = cliFor(ctx, ctx.vaultA);
      a(['init', '--kdf-memory-mib', '64', '--kdf-iterations', '1']);
      ctx.caseId = JSON.parse(a(['case', 'add'], JSON.stringify({ title: 'Extradition request', subject: { names: [{ name: 'Samir al-Kayali' }] } }))).id;
      await runHandover(ctx);
    },
    () => {
      for (const c of children.reverse()) (c === driver || c.spawnfile === 'tauri-driver' ? stopGroup(c) : c.kill('SIGTERM'));
      fs.rmSync(root, { recursive: true, force: true });
    },
  );
}
