// Send cases: a four-step wizard. 1 the cases; 2 who can open the bundle
// (contacts, pasted age1… recipients, or a passphrase passed by another
// channel); 3 what to leave out, in plain words with counts; 4 review, the
// save dialog, the progress bar with Stop, and a summary of what was sent to
// whom. The core records the export in the audit log.

import { save as saveFile } from "@tauri-apps/plugin-dialog";
import { api, toApiError } from "../api";
import { handleLockedError, navigate } from "../app";
import { t } from "../i18n";
import { clear, h, isolated } from "../lib/dom";
import { icon } from "../lib/icons";
import { errorMessage } from "../lib/errors";
import { formatBytes } from "../lib/format";
import { bundleFileName, isAgeRecipient, leftOut, PROFILE_NAMES, profileOf, type LeftOut, type ProfileName } from "../lib/handover";
import { acceptable } from "../lib/strength";
import type { CaseListItem } from "../model";
import type { Contact, ExportSummary } from "../generated";
import { onWipe } from "../lib/session";
import { toast } from "./dialog";
import { checkList, fingerprintView, stepper } from "./handoverWidgets";
import { progressView } from "./progress";
import { showViewError, viewToken } from "./shell";
import { emptyState, errorLine, loading, passphraseInput, setError, strengthMeter } from "./widgets";

interface Wizard {
  step: number;
  cases: Set<string>;
  mode: "contacts" | "passphrase";
  contacts: Set<string>;
  pasted: string[];
  passphrase: string;
  profile: ProfileName;
  counts: LeftOut | null;
}

const STEPS = ["export.step.cases", "export.step.recipients", "export.step.profile", "export.step.send"];

export function renderExport(main: HTMLElement, preselect?: string): void {
  const alive = viewToken();
  const w: Wizard = { step: 0, cases: new Set(preselect ? [preselect] : []), mode: "contacts", contacts: new Set(), pasted: [], passphrase: "", profile: "no-source-identities", counts: null };
  // The passphrase lives only in this closure; forget it on lock.
  onWipe(() => {
    w.passphrase = "";
  });
  const body = h("div", { class: "view-body wizard" }, loading());
  clear(
    main,
    h("header", { class: "view-header" }, h("div", null, h("h1", { tabindex: "-1" }, t("export.title")), h("p", { class: "muted" }, t("export.intro")))),
    body,
  );
  Promise.all([api.casesList(), api.contacts()])
    .then(([cases, contacts]) => {
      if (!alive()) return;
      if (!cases.length) {
        clear(body, emptyState(t("export.no_cases.title"), t("export.no_cases.text")));
        return;
      }
      draw(body, w, cases, contacts, alive);
    })
    .catch((e) => alive() && showViewError(e, body));
}

function nav(w: Wizard, redraw: () => void, opts: { canNext: boolean; nextLabel?: string; onNext?: () => void }): HTMLElement {
  const back = h("button", { type: "button", class: "button", testid: "wizard-back", disabled: w.step === 0 }, icon("chevronPrev", 16), t("export.back"));
  back.addEventListener("click", () => {
    w.step -= 1;
    redraw();
  });
  const next = h("button", { type: "button", class: "button button-primary", testid: "wizard-next", disabled: !opts.canNext }, opts.nextLabel ?? t("export.next"), icon("chevronNext", 16));
  next.addEventListener("click", () => {
    if (opts.onNext) opts.onNext();
    else {
      w.step += 1;
      redraw();
    }
  });
  return h("div", { class: "wizard-nav" }, back, next);
}

function recipientsChosen(w: Wizard): boolean {
  // Set only once the passphrase is strong enough and typed twice the same.
  if (w.mode === "passphrase") return w.passphrase !== "";
  return w.contacts.size + w.pasted.length > 0;
}

function draw(body: HTMLElement, w: Wizard, cases: CaseListItem[], contacts: Contact[], alive: () => boolean): void {
  const redraw = () => alive() && draw(body, w, cases, contacts, alive);
  const panel = h("section", { class: "card wizard-panel", testid: `wizard-step-${w.step + 1}` });
  clear(body, stepper(STEPS.map((k) => t(k)), w.step), panel);
  const focusFirst = () => panel.querySelector<HTMLElement>("input, button, textarea, select")?.focus();

  if (w.step === 0) {
    const count = h("p", { class: "muted", testid: "export-cases-count" }, t("export.cases.chosen", { n: w.cases.size }));
    const navEl = nav(w, redraw, { canNext: w.cases.size > 0 });
    const list = checkList(cases, {
      key: (c) => c.id,
      name: t("export.step.cases"),
      testid: "export-case",
      checked: (c) => w.cases.has(c.id),
      onChange: (c, on) => {
        if (on) w.cases.add(c.id);
        else w.cases.delete(c.id);
        w.counts = null;
        count.textContent = t("export.cases.chosen", { n: w.cases.size });
        (navEl.querySelector('[data-testid="wizard-next"]') as HTMLButtonElement).disabled = w.cases.size === 0;
      },
      label: (c) => [h("strong", { dir: "auto" }, c.name || t("cases.unnamed")), c.title ? h("span", { class: "muted", dir: "auto" }, ` · ${c.title}`) : null],
    });
    panel.append(h("h2", null, t("export.cases.title")), h("p", { class: "muted" }, t("export.cases.hint")), list, count, navEl);
  } else if (w.step === 1) {
    drawRecipients(panel, w, contacts, redraw);
  } else if (w.step === 2) {
    drawProfile(panel, w, redraw, alive);
  } else {
    drawSend(panel, w, cases, contacts, redraw);
  }
  focusFirst();
}

function drawRecipients(panel: HTMLElement, w: Wizard, contacts: Contact[], redraw: () => void): void {
  const navEl = nav(w, redraw, { canNext: recipientsChosen(w) });
  const nextBtn = navEl.querySelector('[data-testid="wizard-next"]') as HTMLButtonElement;
  const refresh = () => (nextBtn.disabled = !recipientsChosen(w));
  const modeRadio = (mode: Wizard["mode"], label: string) => {
    const r = h("input", { type: "radio", name: "export-mode", value: mode, checked: w.mode === mode, testid: `export-mode-${mode}` });
    r.addEventListener("change", () => {
      if (!r.checked) return;
      w.mode = mode;
      redraw();
    });
    return h("label", { class: "check-chip" }, r, h("span", null, label));
  };
  panel.append(h("h2", null, t("export.recipients.title")), h("div", { class: "inline mode-choice", role: "radiogroup" }, modeRadio("contacts", t("export.mode.contacts")), modeRadio("passphrase", t("export.mode.passphrase"))));

  if (w.mode === "contacts") {
    const unverified = h("div", { class: "callout callout-warning", role: "status", hidden: true, testid: "export-unverified" }, icon("alert"), h("p", null, t("export.recipients.unverified")));
    const showUnverified = () => (unverified.hidden = !contacts.some((c) => w.contacts.has(c.id) && !c.verified));
    const list = contacts.length
      ? checkList(contacts, {
          key: (c) => c.id,
          name: t("export.mode.contacts"),
          testid: "export-contact",
          checked: (c) => w.contacts.has(c.id),
          onChange: (c, on) => {
            if (on) w.contacts.add(c.id);
            else w.contacts.delete(c.id);
            showUnverified();
            refresh();
          },
          label: (c) => [
            h("strong", { dir: "auto" }, c.display_name),
            h("span", { class: ["badge", c.verified ? "badge-ok" : "badge-pending"] }, t(c.verified ? "contacts.verified" : "contacts.not_verified")),
            h("span", { class: "check-item-sub" }, fingerprintView(c.fingerprint)),
          ],
        })
      : h("p", { class: "muted", testid: "export-no-contacts" }, t("export.recipients.no_contacts"), " ", h("button", { type: "button", class: "link-button", onclick: () => navigate({ name: "contacts" }) }, t("nav.contacts")));
    const input = h("input", { type: "text", class: "input input-mono", testid: "export-paste", placeholder: "age1…", dir: "ltr", spellcheck: "false", autocomplete: "off" });
    const err = errorLine("export-paste-error");
    const chips = h("div", { class: "chips", testid: "export-pasted" });
    const drawChips = () =>
      chips.replaceChildren(
        ...w.pasted.map((r) =>
          h("span", { class: "chip chip-mono", dir: "ltr" }, `${r.slice(0, 12)}…${r.slice(-6)}`, h("button", { type: "button", class: "chip-remove", "aria-label": t("action.remove_item", { item: r }), onclick: () => { w.pasted = w.pasted.filter((x) => x !== r); drawChips(); refresh(); } }, icon("x", 14))),
        ),
      );
    const add = h("button", { type: "button", class: "button", testid: "export-paste-add" }, icon("plus", 16), t("export.recipients.add"));
    const addPasted = () => {
      const v = input.value.trim();
      if (!isAgeRecipient(v)) {
        setError(err, t("export.recipients.bad"));
        return;
      }
      setError(err, null);
      if (!w.pasted.includes(v)) w.pasted.push(v);
      input.value = "";
      drawChips();
      refresh();
    };
    add.addEventListener("click", addPasted);
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        addPasted();
      }
    });
    drawChips();
    showUnverified();
    panel.append(
      h("p", { class: "muted" }, t("export.recipients.hint")),
      list,
      unverified,
      h("div", { class: "field" }, h("label", { class: "field-label", for: "export-paste" }, t("export.recipients.paste")), h("div", { class: "inline" }, input, add), h("div", { class: "field-hint" }, t("export.recipients.paste_hint")), err),
      chips,
    );
    input.id = "export-paste";
  } else {
    const p1 = passphraseInput("export-passphrase", "new-password");
    const p2 = passphraseInput("export-passphrase-confirm", "new-password");
    p1.input.id = "exp-p1";
    p2.input.id = "exp-p2";
    p1.input.value = p2.input.value = w.passphrase;
    const meter = strengthMeter("export-strength");
    const mismatch = errorLine("export-passphrase-mismatch");
    const check = () => {
      const s = meter.update(p1.input.value);
      const same = p1.input.value === p2.input.value;
      setError(mismatch, p2.input.value && !same ? t("create.mismatch") : null);
      w.passphrase = acceptable(s) && same ? p1.input.value : "";
      refresh();
    };
    p1.input.addEventListener("input", check);
    p2.input.addEventListener("input", check);
    meter.update(p1.input.value);
    panel.append(
      h("div", { class: "callout callout-warning", testid: "export-passphrase-warning" }, icon("alert"), h("div", null, h("p", { class: "strong" }, t("export.passphrase.warning_title")), h("p", null, t("export.passphrase.warning")))),
      h("div", { class: "stack narrow" }, h("div", { class: "field" }, h("label", { class: "field-label", for: "exp-p1" }, t("export.passphrase.label")), p1.wrap, meter.el), h("div", { class: "field" }, h("label", { class: "field-label", for: "exp-p2" }, t("create.confirm")), p2.wrap, mismatch)),
    );
  }
  panel.append(navEl);
}

function drawProfile(panel: HTMLElement, w: Wizard, redraw: () => void, alive: () => boolean): void {
  const summary = h("div", { class: "callout callout-info", testid: "export-profile-summary", "aria-live": "polite" });
  const showSummary = () => {
    const p = profileOf(w.profile);
    const lines: HTMLElement[] = [h("p", { class: "strong" }, t(`export.profile.${w.profile}.summary`))];
    if (w.counts) {
      const out = leftOut(p, w.counts);
      lines.push(h("p", { testid: "export-left-out" }, out.sourceIdentities || out.privateNotes ? t("export.profile.counts", { sources: t("export.profile.count_sources", { n: out.sourceIdentities }), notes: t("export.profile.count_notes", { n: out.privateNotes }) }) : t("export.profile.nothing_left_out")));
    }
    summary.replaceChildren(icon("shield"), h("div", null, lines));
  };
  const options = PROFILE_NAMES.map((n) => {
    const r = h("input", { type: "radio", name: "export-profile", value: n, checked: w.profile === n, testid: `export-profile-${n}` });
    r.addEventListener("change", () => {
      if (r.checked) {
        w.profile = n;
        showSummary();
      }
    });
    return h("label", { class: ["choice", n === "full" && "choice-sensitive"] }, r, h("span", null, h("strong", null, t(`export.profile.${n}`)), h("span", { class: "muted small" }, t(`export.profile.${n}.hint`))));
  });
  panel.append(h("h2", null, t("export.profile.title")), h("div", { class: "choices", role: "radiogroup", "aria-label": t("export.profile.title") }, options), summary, nav(w, redraw, { canNext: true }));
  showSummary();
  if (!w.counts) {
    // Count what the profiles would leave out in the chosen cases.
    Promise.all([...w.cases].map((id) => api.caseGet(id)))
      .then((overviews) => {
        if (!alive()) return;
        w.counts = {
          sourceIdentities: overviews.reduce((n, o) => n + o.sources.filter((s) => !!s.data.identity).length, 0),
          privateNotes: overviews.filter((o) => (o.case.data.private_notes ?? "").trim() !== "").length,
        };
        showSummary();
      })
      .catch(() => undefined);
  }
}

function drawSend(panel: HTMLElement, w: Wizard, cases: CaseListItem[], contacts: Contact[], redraw: () => void): void {
  const chosenCases = cases.filter((c) => w.cases.has(c.id));
  const chosenContacts = contacts.filter((c) => w.contacts.has(c.id));
  const to =
    w.mode === "passphrase"
      ? [h("li", null, icon("lock", 16), t("export.review.passphrase"))]
      : [...chosenContacts.map((c) => h("li", { dir: "auto" }, icon("user", 16), c.display_name, " ", h("span", { class: ["badge", c.verified ? "badge-ok" : "badge-pending"] }, t(c.verified ? "contacts.verified" : "contacts.not_verified")))), ...w.pasted.map((r) => h("li", { dir: "ltr", class: "input-mono" }, r))];
  const review = h(
    "dl",
    { class: "meta review", testid: "export-review" },
    h("dt", null, t("export.step.cases")),
    h("dd", null, h("ul", { class: "plain-list" }, chosenCases.map((c) => h("li", null, isolated(c.name), c.title ? [" · ", isolated(c.title)] : "")))),
    h("dt", null, t("export.step.recipients")),
    h("dd", null, h("ul", { class: "plain-list" }, to)),
    h("dt", null, t("export.step.profile")),
    h("dd", null, t(`export.profile.${w.profile}.summary`)),
  );
  const progress = progressView("export-progress");
  const err = h("div", { class: "form-error", role: "alert", hidden: true, testid: "export-error" });
  const navEl = nav(w, redraw, { canNext: true, nextLabel: t("export.choose_where"), onNext: () => void send() });
  const sendBtn = navEl.querySelector('[data-testid="wizard-next"]') as HTMLButtonElement;
  sendBtn.dataset.testid = "export-send";
  const backBtn = navEl.querySelector('[data-testid="wizard-back"]') as HTMLButtonElement;
  panel.append(h("h2", null, t("export.review.title")), review, progress.el, err, navEl);

  const send = async () => {
    let out: string | null;
    try {
      out = await saveFile({ defaultPath: bundleFileName("handover"), title: t("export.save_title"), filters: [{ name: t("bundle.file_type"), extensions: ["amana"] }] });
    } catch (e) {
      toast(errorMessage(toApiError(e)), "error");
      return;
    }
    if (!out) return;
    await run(out);
  };
  const run = async (out: string) => {
    sendBtn.disabled = backBtn.disabled = true;
    err.hidden = true;
    progress.start(t("export.writing"));
    try {
      const summary = await api.exportBundle(
        {
          cases: [...w.cases],
          records: [],
          to: w.mode === "contacts" ? [...w.contacts, ...w.pasted] : [],
          passphrase: w.mode === "passphrase" ? w.passphrase : null,
          profile: profileOf(w.profile),
          out,
        },
        (p) => progress.update(p),
      );
      w.passphrase = "";
      showDone(panel, summary, w);
    } catch (x) {
      const e = toApiError(x);
      if (handleLockedError(e)) return;
      progress.hide();
      sendBtn.disabled = backBtn.disabled = false;
      err.hidden = false;
      err.replaceChildren(icon("alert"), h("span", null, errorMessage(e)));
    }
  };
}

function showDone(panel: HTMLElement, s: ExportSummary, w: Wizard): void {
  clear(
    panel,
    h("div", { class: "done-head" }, h("span", { class: "done-icon" }, icon("check", 28)), h("h2", { tabindex: "-1", testid: "export-done" }, t("export.done.title"))),
    h(
      "dl",
      { class: "meta review", testid: "export-summary" },
      h("dt", null, t("export.done.file")),
      h("dd", null, h("code", { class: "path", dir: "ltr" }, s.path)),
      h("dt", null, t("export.done.size")),
      h("dd", { testid: "export-size" }, formatBytes(s.size)),
      h("dt", null, t("export.done.contents")),
      h("dd", null, t("export.done.counts", { cases: t("count.cases", { n: s.cases }), records: t("count.records", { n: s.records }), files: t("count.files", { n: s.files }) })),
      h("dt", null, t("export.done.to")),
      h("dd", null, h("ul", { class: "plain-list", testid: "export-recipients" }, s.recipients.map((r) => h("li", { dir: "auto" }, r === "this vault" ? t("export.done.this_vault") : r === "a passphrase" ? t("export.review.passphrase") : r)))),
      h("dt", null, t("export.step.profile")),
      h("dd", null, t(`export.profile.${w.profile}.summary`), s.redactions ? ` ${t("export.done.redactions", { n: s.redactions })}` : ""),
    ),
    s.unreviewed
      ? h("p", { class: "callout callout-warning", role: "note", testid: "export-unreviewed" }, t("export.done.unreviewed", { n: s.unreviewed }))
      : null,
    h("p", { class: "muted" }, icon("list", 16), " ", t("export.done.audit")),
    h("div", { class: "actions" }, h("button", { type: "button", class: "button", testid: "export-again", onclick: () => navigate({ name: "export" }) }, t("export.again")), h("button", { type: "button", class: "button button-primary", onclick: () => navigate({ name: "cases" }) }, t("export.done.back"))),
  );
  panel.querySelector<HTMLElement>("h2")?.focus();
}
