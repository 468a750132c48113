// End-to-end "who may change what" in the real app: the app's vault (A)
// sends a case to vault C, whose owner (Omar) A has as a contact but never
// verified. C edits a testimony of that case (a record A created, so not
// C's to change), opens a case of its own, and sends both back. In the app,
// A opens the bundle: the plan says what importing would do (the new case
// held for review, the change to A's testimony waiting for a decision, field
// by field) before anything is written; after the import the change waits
// in the Inbox (count in the sidebar), the person rejects it (after a
// confirmation), and the testimony is unchanged (read back through the
// CLI). The new case carries the "not reviewed" marks until marked reviewed.
// Screenshots in English and Arabic of the plan and the Inbox.
//
// `runInbox(ctx)` is called by run.mjs after the handover (same ctx).
// Vault C and the exports are made with the CLI.

import fs from 'node:fs';
import path from 'node:path';
import { Session, sleep } from './webdriver.mjs';
import { assert, shot, step } from './steps.mjs';
import { cliFor, unlock } from './handover.mjs';

const TESTIMONY = 'He was taken at the airport at dawn.';
const CHANGED = 'He was never detained; he left of his own accord (Omar\'s version).';

/** Scrolls the element to the top of the view (for a screenshot of it). */
const scrollTo = (s, testid) => s.script(`document.querySelector('[data-testid="${testid}"]').scrollIntoView({ block: 'start' })`);

/** ctx: { app, cli, env, root, vaultA, caseId, PASS, startDriver } */
export async function runInbox(ctx) {
  const vaultC = path.join(ctx.root, 'vault-c');
  const out = path.join(ctx.root, 'inbox');
  fs.mkdirSync(out, { recursive: true });
  const toC = path.join(out, 'for-omar.amana');
  const back = path.join(out, 'from-omar.amana');
  const a = cliFor(ctx, ctx.vaultA);
  const c = cliFor(ctx, vaultC);
  let testimonyId = '';
  let newCaseId = '';

  await step('C (Omar, not verified by A) receives the case, edits A\'s testimony, opens a case of his own and sends both back (CLI)', async () => {
    c(['init', '--kdf-memory-mib', '64', '--kdf-iterations', '1']);
    c(['identity', 'rename', 'Omar, journalist (fictional)']);
    const cardA = JSON.stringify(JSON.parse(a(['identity', 'show'])).card);
    const cardC = JSON.stringify(JSON.parse(c(['identity', 'show'])).card);
    // A adds Omar's card but never compares fingerprints: not verified.
    a(['contact', 'add', '--name', 'Omar (journalist)'], cardC);
    c(['contact', 'add', '--name', 'Lina (researcher)'], cardA);
    const testimonies = JSON.parse(a(['testimony', 'list', '--case', ctx.caseId]));
    testimonyId = testimonies.find((t) => t.data.text === TESTIMONY)?.id;
    assert(testimonyId, 'A has the testimony to be changed');
    // Everything, sources' identities included: sent back without them (the
    // default profile), they are listed as left out and never erase A's.
    // (Sent without them, Omar's copy would have none to leave out, and its
    // source would come back as a proposal to remove the identity.)
    a(['export', '--case', ctx.caseId, '--to', 'Omar (journalist)', '--profile', 'full', '--out', toC]);
    c(['import', toC]);
    c(['testimony', 'edit', testimonyId], JSON.stringify({ text: CHANGED }));
    newCaseId = JSON.parse(c(['case', 'add'], JSON.stringify({ title: 'Deportation order', subject: { names: [{ name: 'Hana Saleh (fictional)' }] } }))).id;
    c(['testimony', 'add', '--case', newCaseId], JSON.stringify({ text: 'She was told to leave within 48 hours.', language: 'en' }));
    c(['export', '--case', ctx.caseId, '--case', newCaseId, '--to', 'Lina (researcher)', '--out', back]);
  });

  const openInA = async (lang) => {
    const s = await Session.start(await ctx.startDriver({ ...ctx.env, AMANA_VAULT: ctx.vaultA }), ctx.app, {}, [back]);
    await unlock(s, ctx, lang);
    await s.find('bundle-plan', { timeout: 30000 });
    return s;
  };

  let s = await openInA('ar');
  try {
    await step('A in Arabic: the plan of the bundle from an unverified sender, right to left', async () => {
      assert((await s.script('return document.documentElement.dir')) === 'rtl', 'dir=rtl');
      assert((await s.script(`return document.querySelector('[data-testid="bundle-sender-state"]').dataset.state`)) === 'unverified', 'the sender is not verified');
      await scrollTo(s, 'bundle-plan');
      await shot(s, 'ar-bundle-plan');
    });
  } finally {
    await s.end();
  }

  s = await openInA();
  try {
    await step('A: before importing, the plan says what would happen (held for review, the change field by field); nothing written', async () => {
      const before = JSON.parse(a(['case', 'list'])).length;
      assert((await s.script(`return document.querySelector('[data-testid="bundle-sender-state"]').dataset.state`)) === 'unverified', 'the sender is not verified');
      assert((await s.findAll('bundle-not-addressed')).length === 0, 'the bundle was made for A: no warning');
      const plan = await s.text('bundle-plan');
      assert((await s.text('plan-new-cases')).includes('Hana Saleh'), `the new case is named: ${plan}`);
      assert((await s.text('plan-held')).includes('Not reviewed'), `records held for review: ${plan}`);
      const proposals = await s.findAll('proposal');
      assert(proposals.length === 1, `one proposed change: ${proposals.length}`);
      const p = await s.script(`const p = document.querySelector('[data-testid="bundle-plan"] [data-testid="proposal"]'); return { action: p.dataset.action, reason: p.dataset.reason, record: p.dataset.recordId, before: p.querySelector('[data-testid="diff-before"]').innerText, after: p.querySelector('[data-testid="diff-after"]').innerText, why: p.querySelector('[data-testid="proposal-reason"]').innerText }`);
      assert(p.action === 'change' && p.record === testimonyId, `a change to A's testimony: ${JSON.stringify(p)}`);
      assert(p.before.includes(TESTIMONY) && p.after.includes('never detained'), `before → after: ${JSON.stringify(p)}`);
      assert(/did not create this record|not verified/.test(p.why), `the reason in plain words: ${p.why}`);
      assert(JSON.parse(a(['case', 'list'])).length === before, 'opening wrote nothing');
      await scrollTo(s, 'bundle-plan');
      await shot(s, 'en-bundle-plan');
    });

    await step('A: import; the report shows the same categories, the change waits in the Inbox (count in the sidebar)', async () => {
      await s.click('bundle-import');
      await s.find('import-done', { timeout: 30000 });
      assert((await s.script(`return document.querySelector('[data-testid="report-proposed"]').dataset.n`)) === '1', 'one change waiting');
      assert((await s.text('report-held')).includes('Not reviewed'), 'held for review in the report');
      await s.waitFor(async () => (await s.text('inbox-count')).trim() === '1', 'the Inbox count');
      await shot(s, 'en-bundle-imported-proposals');
      assert(JSON.parse(a(['testimony', 'list', '--case', ctx.caseId])).find((t) => t.id === testimonyId).data.text === TESTIMONY, 'importing did not change the testimony');
      await s.click('import-open-inbox');
      await s.find('inbox-bundle');
      assert((await s.text('inbox-sender-name')).includes('Omar'), 'grouped under the sender');
      assert((await s.script(`return document.querySelector('[data-testid="inbox-sender-state"]').dataset.state`)) === 'unverified', 'the sender is shown not verified');
      assert((await s.text('proposal-accept-note')).includes('new version'), 'accepting is said to make a new version');
      await shot(s, 'en-inbox');
    });

    await step('A: the case list marks the new case "not reviewed" and A\'s case with a proposed change; the case page has the banner', async () => {
      await s.click('nav-cases');
      await s.find('case-row');
      const marks = await s.script(`return [...document.querySelectorAll('[data-testid="case-row"]')].map((r) => ({ id: r.dataset.caseId, unreviewed: r.querySelector('[data-testid="case-unreviewed-badge"]')?.innerText ?? '', proposals: r.querySelector('[data-testid="case-proposals-badge"]')?.innerText ?? '' }))`);
      const mine = marks.find((m) => m.id === ctx.caseId);
      const theirs = marks.find((m) => m.id === newCaseId);
      assert(mine && mine.proposals.includes('1 proposed change') && !mine.unreviewed, `A's case: ${JSON.stringify(mine)}`);
      assert(theirs && /\d+ not reviewed/.test(theirs.unreviewed), `the new case: ${JSON.stringify(theirs)}`);
      await shot(s, 'en-cases-marks');
      await s.script(`document.querySelector('[data-case-id="${newCaseId}"] [data-testid="case-open"]').click()`);
      await s.find('case-unreviewed-banner');
      assert((await s.findAll('record-unreviewed')).length >= 1, 'records marked not reviewed');
      await shot(s, 'en-case-unreviewed');
    });

    await step('A in Arabic: the Inbox right to left', async () => {
      await s.click('nav-settings');
      await s.select('language-select', 'ar');
      await s.waitFor(async () => (await s.script('return document.documentElement.dir')) === 'rtl', 'dir=rtl');
      await s.click('nav-inbox');
      await s.find('proposal');
      await shot(s, 'ar-inbox');
      await s.click('nav-settings');
      await s.select('language-select', 'en');
      await s.waitFor(async () => (await s.script('return document.documentElement.dir')) === 'ltr', 'dir=ltr');
    });

    await step('A: reject the change (confirmed); the Inbox is empty and the testimony is unchanged', async () => {
      await s.click('nav-inbox');
      await s.find('proposal');
      await s.click('proposal-reject');
      await s.find('confirm-reject');
      await shot(s, 'en-inbox-reject-confirm');
      await s.click('confirm-ok');
      await s.find('inbox-empty', { timeout: 15000 });
      await s.waitFor(async () => await s.script(`return document.querySelector('[data-testid="inbox-count"]').hidden`), 'no count in the sidebar');
      const t = JSON.parse(a(['testimony', 'list', '--case', ctx.caseId])).find((x) => x.id === testimonyId);
      assert(t.data.text === TESTIMONY, `the testimony is unchanged: ${t.data.text}`);
      const decided = JSON.parse(a(['inbox', '--all']));
      assert(decided.length === 1 && decided[0].status === 'rejected', `the proposal is rejected: ${JSON.stringify(decided.map((d) => d.status))}`);
      assert(JSON.parse(a(['log'])).some((e) => e.action === 'reject'), 'the rejection is in the audit log');
      // And the case page shows A's testimony as it was.
      await s.click('nav-cases');
      await s.find('case-row');
      await s.script(`document.querySelector('[data-case-id="${ctx.caseId}"] [data-testid="case-open"]').click()`);
      await s.find('case-subject-name');
      await sleep(300);
      const text = await s.script('return document.body.innerText');
      assert(text.includes(TESTIMONY) && !text.includes('never detained'), 'the case page shows the testimony unchanged');
      assert((await s.findAll('case-proposals-banner')).length === 0, 'no change waiting for this case');
    });

    await step('A: mark the new case as reviewed; its marks go', async () => {
      await s.click('nav-cases');
      await s.find('case-row');
      await s.script(`document.querySelector('[data-case-id="${newCaseId}"] [data-testid="case-open"]').click()`);
      await s.click('case-mark-reviewed');
      await s.waitFor(async () => (await s.findAll('case-unreviewed-banner')).length === 0, 'the banner gone');
      assert((await s.findAll('record-unreviewed')).length === 0, 'no record marked any more');
      const log = JSON.parse(a(['log']));
      assert(log.some((e) => e.action === 'review'), 'the review is in the audit log');
    });
  } finally {
    await s.end();
  }
}
