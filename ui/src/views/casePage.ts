// A case: the subject card, then one tab per kind of record (situation
// history, incidents, instruments, proceedings, testimonies, sources,
// evidence) and the timeline. Sources are marked as the most sensitive data
// and their identity stays hidden until asked for.

import { api, toApiError } from "../api";
import { app, handleLockedError, navigate } from "../app";
import { formatNumber, t, tEnum } from "../i18n";
import { clear, h, isolated, isolatedText, type Child } from "../lib/dom";
import { icon } from "../lib/icons";
import { countryName, formatBytes, formatDateTime, formatDay, formatFuzzyDate } from "../lib/format";
import { remember } from "../lib/session";
import { errorMessage } from "../lib/errors";
import type { CaseOverview, Kind, Place, ProceedingStatus, StoredRecord, TimelineEntry } from "../model";
import { badge, loading, riskBadge } from "./widgets";
import { draftDialog } from "./draft";
import { confirmDialog, openDialog, toast } from "./dialog";
import { openRecordForm } from "./recordForms";
import { onLeave, refreshUrgentCount, showViewError, viewToken } from "./shell";
import { installDropTarget, pickAndAttach, saveCopy, viewEvidence } from "./evidence";
import { timelineText } from "./timelineText";

export const TABS = ["situations", "incidents", "instruments", "proceedings", "testimonies", "sources", "evidence", "timeline"] as const;
export type Tab = (typeof TABS)[number];

export function tabForKind(kind: Kind): Tab {
  const map: Record<Kind, Tab> = {
    case: "situations",
    situation: "situations",
    incident: "incidents",
    instrument: "instruments",
    proceeding: "proceedings",
    testimony: "testimonies",
    source: "sources",
    evidence: "evidence",
  };
  return map[kind];
}

const TAB_KIND: Partial<Record<Tab, Kind>> = {
  situations: "situation",
  incidents: "incident",
  instruments: "instrument",
  proceedings: "proceeding",
  testimonies: "testimony",
  sources: "source",
};

function place(p: Place | null | undefined): string {
  if (!p) return "";
  return [p.locality, countryName(p.country ?? null)].filter(Boolean).join(t("punct.list"));
}

function meta(rows: Array<[string, Child] | null | false>): HTMLElement {
  const dl = h("dl", { class: "meta" });
  for (const r of rows) {
    if (!r) continue;
    const [k, v] = r;
    if (v === "" || v === null || v === undefined || (Array.isArray(v) && !v.length)) continue;
    dl.append(h("dt", null, k), h("dd", null, v));
  }
  return dl;
}

function textBlock(text: string | undefined, lang?: string): HTMLElement | null {
  if (!text || !text.trim()) return null;
  return h("p", { class: "text-auto record-text", dir: "auto", lang }, text);
}

export function renderCase(main: HTMLElement, id: string, tab?: string): void {
  const alive = viewToken();
  clear(main, loading());
  const current: Tab | undefined = (TABS as readonly string[]).includes(tab ?? "") ? (tab as Tab) : undefined;
  Promise.all([api.caseGet(id), api.timeline(id)])
    .then(([o, tl]) => {
      if (!alive()) return;
      remember("case", o);
      drawCase(main, o, tl, current);
    })
    .catch((e) => alive() && showViewError(e, main));
}

function reload(o: CaseOverview, tab: Tab | undefined): void {
  app.route = { name: "case", id: o.case.id, tab };
  const main = document.getElementById("view");
  if (!main) return;
  const alive = viewToken();
  Promise.all([api.caseGet(o.case.id), api.timeline(o.case.id)])
    .then(([o2, tl]) => {
      if (!alive()) return;
      remember("case", o2);
      drawCase(main, o2, tl, tab);
    })
    .catch((e) => alive() && showViewError(e, main));
  void refreshUrgentCount();
}

function drawCase(main: HTMLElement, o: CaseOverview, tl: TimelineEntry[], tab: Tab | undefined): void {
  const c = o.case.data;
  const names = c.subject.names ?? [];
  const primary = names[0]?.name ?? t("cases.unnamed");

  const back = h("button", { type: "button", class: "link-button back", testid: "back-to-cases", onclick: () => navigate({ name: "cases" }) }, icon("arrowBack", 16), t("case.back"));
  const edit = h("button", { type: "button", class: "button", testid: "case-edit" }, icon("edit", 16), t("case.edit"));
  edit.addEventListener("click", () => openRecordForm({ kind: "case", caseId: o.case.id, record: o.case, onSaved: () => { toast(t("saved")); reload(o, tab); } }));
  const del = h("button", { type: "button", class: "button button-danger-quiet", testid: "case-delete" }, icon("trash", 16), t("case.delete"));
  const send = h("button", { type: "button", class: "button", testid: "case-send", onclick: () => navigate({ name: "export", caseId: o.case.id }) }, icon("send", 16), t("case.send"));
  const draft = h("button", { type: "button", class: "button", testid: "case-draft", onclick: () => draftDialog(o.case.id) }, icon("file", 16), t("case.draft"));
  del.addEventListener("click", async () => {
    const ok = await confirmDialog({
      title: t("case.delete.title"),
      message: h("div", null, h("p", null, t("case.delete.message", { name: isolatedText(primary) })), h("p", { class: "strong" }, t("delete.irreversible"))),
      confirm: t("case.delete.confirm"),
      danger: true,
      check: t("case.delete.check"),
    });
    if (!ok) return;
    try {
      await api.recordDelete(o.case.id);
      toast(t("case.deleted"));
      navigate({ name: "cases" });
    } catch (e) {
      showViewError(e);
    }
  });

  // ---- subject card
  const otherNames = names.slice(1);
  const subjectCard = h(
    "section",
    { class: "card subject-card", "aria-labelledby": "subject-name" },
    h(
      "div",
      { class: "subject-main" },
      h("div", { class: "subject-avatar", "aria-hidden": "true" }, icon("user", 28)),
      h(
        "div",
        { class: "subject-id" },
        h("h1", { id: "subject-name", dir: "auto", testid: "case-subject-name", tabindex: "-1" }, primary),
        c.title ? h("p", { class: "subject-title", dir: "auto" }, c.title) : null,
        otherNames.length
          ? h("ul", { class: "aka", "aria-label": t("case.other_names") }, otherNames.map((n) => h("li", null, isolated(n.name, { class: "aka-name" }), h("span", { class: "aka-kind" }, tEnum("name_kind", n.kind ?? "primary")))))
          : null,
        h(
          "div",
          { class: "chips-row" },
          (c.subject.nationalities ?? []).map((n) => h("span", { class: "chip chip-quiet" }, icon("globe", 14), countryName(n))),
          (c.subject.profiles ?? []).map((p) => h("span", { class: "chip chip-profile" }, tEnum("profile", p))),
          (c.tags ?? []).map((tag) => h("span", { class: "chip chip-tag", dir: "auto" }, "#", tag)),
        ),
      ),
      h(
        "div",
        { class: "subject-figures" },
        h("div", { class: "figure" }, h("span", { class: "figure-label" }, t("case.current_situation")), o.current_situation ? h("span", { class: ["situation", `situation-${o.current_situation}`] }, tEnum("situation", o.current_situation)) : h("span", { class: "muted" }, t("case.no_situation"))),
        o.days_since_arrest !== null
          ? h("div", { class: "figure figure-alert", testid: "days-since-arrest" }, h("span", { class: "figure-label" }, t("case.days_since_arrest")), h("span", { class: "figure-value" }, formatNumber(o.days_since_arrest)))
          : null,
        h("div", { class: "figure" }, h("span", { class: "figure-label" }, t("field.risk")), riskBadge(c.risk ?? "medium")),
        h("div", { class: "figure" }, h("span", { class: "figure-label" }, t("field.status")), badge(tEnum("status", c.status ?? "open"), `status-${c.status ?? "open"}`)),
      ),
    ),
    meta([
      [t("case.form.subject_kind"), tEnum("subject_kind", c.subject.kind ?? "person")],
      [t("case.form.born"), formatFuzzyDate(c.subject.born)],
      [t("case.location"), place(c.subject.current_location)],
    ]),
    c.summary ? h("div", { class: "summary" }, h("h2", { class: "h-small" }, t("case.form.summary")), textBlock(c.summary)) : null,
    c.private_notes
      ? h("details", { class: "private-notes" }, h("summary", null, icon("lock", 14), t("case.form.private_notes")), textBlock(c.private_notes))
      : null,
  );

  // ---- sections: every part of the case on one page, with a sticky index
  const counts = sectionCounts(o, tl);
  const sections = TABS.map((name) => {
    const sec = h("section", { class: ["case-section", `section-${name}`], id: `sec-${name}`, "aria-labelledby": `sec-${name}-h`, tabindex: "-1" });
    drawTab(sec, o, tl, name, (next) => reload(o, next ?? name));
    return sec;
  });
  const links = TABS.map((name, i) =>
    h(
      "button",
      { type: "button", class: ["tab", name === "sources" && "tab-sensitive"], testid: `tab-${name}`, "data-section": name, onclick: () => goTo(i, true) },
      name === "sources" ? icon("lock", 14) : null,
      t(`tab.${name}`),
      h("span", { class: "tab-count" }, formatNumber(counts[name])),
    ),
  );
  const mark = (i: number) =>
    links.forEach((b, j) => {
      b.setAttribute("aria-current", j === i ? "true" : "false");
    });
  const goTo = (i: number, focus: boolean) => {
    app.route = { name: "case", id: o.case.id, tab: TABS[i] };
    sections[i].scrollIntoView({ block: "start" });
    if (focus) sections[i].focus({ preventScroll: true });
    mark(i);
  };
  const nav = h("nav", { class: "tabs section-nav", "aria-label": t("case.sections"), testid: "case-sections" }, links);
  // Mark the section being read while scrolling.
  const onScroll = () => {
    const navBottom = nav.getBoundingClientRect().bottom + 40;
    let current = 0;
    sections.forEach((sec, i) => {
      if (sec.getBoundingClientRect().top <= navBottom) current = i;
    });
    mark(current);
  };
  main.addEventListener("scroll", onScroll, { passive: true });
  onLeave(() => main.removeEventListener("scroll", onScroll));

  clear(
    main,
    h("div", { class: "view-topbar" }, back, h("div", { class: "actions" }, send, draft, edit, del)),
    trustBanners(o, () => reload(o, tab)),
    subjectCard,
    nav,
    ...sections,
  );
  installDropTarget(o, () => reload(o, "evidence"), onLeave);
  if (tab) goTo(TABS.indexOf(tab), false);
  else {
    mark(0);
    (main.querySelector("#subject-name") as HTMLElement | null)?.focus({ preventScroll: true });
  }
}

// ------------------------------------------------------------------ tabs

type Reload = (tab?: Tab) => void;

function drawTab(panel: HTMLElement, o: CaseOverview, tl: TimelineEntry[], tab: Tab, reload: Reload): void {
  const kind = TAB_KIND[tab];
  const addBtn = kind
    ? h("button", { type: "button", class: "button button-primary", testid: `add-${kind}` }, icon("plus", 16), t(`add.${kind}`))
    : null;
  addBtn?.addEventListener("click", () =>
    openRecordForm({ kind: kind!, caseId: o.case.id, overview: o, onSaved: () => { toast(t("saved")); reload(tab); } }),
  );
  let body: HTMLElement;
  switch (tab) {
    case "situations":
      body = list([...o.situations].reverse(), (r, i) => situationCard(r, i === 0, o, reload), t("empty.situations"));
      break;
    case "incidents":
      body = list(o.incidents, (r) => incidentCard(r, o, reload), t("empty.incidents"));
      break;
    case "instruments":
      body = list(o.instruments, (r) => instrumentCard(r, o, reload), t("empty.instruments"));
      break;
    case "proceedings":
      body = list(o.proceedings, (p) => proceedingCard(p, o, reload), t("empty.proceedings"));
      break;
    case "testimonies":
      body = list(o.testimonies, (r) => testimonyCard(r, o, reload), t("empty.testimonies"));
      break;
    case "sources":
      body = h(
        "div",
        null,
        h("div", { class: "callout callout-sensitive", testid: "sources-warning" }, icon("lock", 20), h("div", null, h("strong", null, t("sources.warning.title")), h("p", null, t("sources.warning.text")))),
        list(o.sources, (r) => sourceCard(r, o, reload), t("empty.sources")),
      );
      break;
    case "evidence": {
      const attach = h("button", { type: "button", class: "button button-primary", testid: "attach-file" }, icon("paperclip", 16), t("evidence.attach"));
      attach.addEventListener("click", () => void pickAndAttach(o, () => reload("evidence")));
      body = h(
        "div",
        null,
        h("div", { class: "dropzone", testid: "dropzone" }, icon("paperclip", 20), h("span", null, t("evidence.drop_hint"))),
        list(o.evidence, (r) => evidenceCard(r, o, reload), t("empty.evidence")),
      );
      clear(panel, h("div", { class: "panel-head" }, h("h2", { id: "sec-evidence-h" }, t("tab.evidence"), count(o.evidence.length)), attach), body);
      return;
    }
    case "timeline":
      body = timelineList(o, tl);
      break;
  }
  clear(panel, h("div", { class: "panel-head" }, h("h2", { id: `sec-${tab}-h` }, t(`tab.${tab}`), count(sectionCounts(o, tl)[tab])), addBtn), body);
}

function count(n: number): HTMLElement {
  return h("span", { class: "section-count" }, formatNumber(n));
}

/** How many records each section of the case holds. */
function sectionCounts(o: CaseOverview, tl: TimelineEntry[]): Record<Tab, number> {
  return {
    situations: o.situations.length,
    incidents: o.incidents.length,
    instruments: o.instruments.length,
    proceedings: o.proceedings.length,
    testimonies: o.testimonies.length,
    sources: o.sources.length,
    evidence: o.evidence.length,
    timeline: tl.length,
  };
}

function list<T>(items: T[], card: (x: T, i: number) => HTMLElement, empty: string): HTMLElement {
  if (!items.length) return h("p", { class: "empty-inline" }, empty);
  return h("ul", { class: "cards" }, items.map((x, i) => h("li", null, card(x, i))));
}

function recordActions(r: StoredRecord, o: CaseOverview, reload: Reload, opts: { extra?: HTMLElement[]; label: string }): HTMLElement {
  const edit = h("button", { type: "button", class: "button button-small", testid: "record-edit", "aria-label": `${t("action.edit")}: ${opts.label}` }, icon("edit", 15), t("action.edit"));
  edit.addEventListener("click", () => openRecordForm({ kind: r.kind, caseId: o.case.id, record: r, overview: o, onSaved: () => { toast(t("saved")); reload(); } }));
  const hist = h("button", { type: "button", class: "button button-small button-quiet", testid: "record-history", "aria-label": `${t("action.history")}: ${opts.label}` }, icon("history", 15), t("action.history"));
  hist.addEventListener("click", () => void showHistory(r));
  const del = h("button", { type: "button", class: "button button-small button-danger-quiet", testid: "record-delete", "aria-label": `${t("action.delete")}: ${opts.label}` }, icon("trash", 15), t("action.delete"));
  del.addEventListener("click", async () => {
    const ok = await confirmDialog({
      title: t(`delete.${r.kind}.title`),
      message: h("div", null, h("p", { dir: "auto" }, opts.label), h("p", null, t("delete.irreversible"))),
      confirm: t("action.delete"),
      danger: true,
    });
    if (!ok) return;
    try {
      await api.recordDelete(r.id);
      toast(t("deleted"));
      reload();
    } catch (e) {
      actionError(e);
    }
  });
  const mark = r.unreviewed
    ? h("span", { class: "badge badge-unreviewed record-unreviewed", testid: "record-unreviewed", title: t("record.unreviewed_hint") }, icon("alert", 13), t("record.unreviewed"))
    : null;
  return h("div", { class: "card-actions" }, mark, ...(opts.extra ?? []), edit, hist, del);
}

/** Every record of the case, the case itself included. */
function allRecords(o: CaseOverview): StoredRecord[] {
  return [o.case, ...o.situations, ...o.incidents, ...o.instruments, ...o.proceedings.map((p) => p.record), ...o.testimonies, ...o.sources, ...o.evidence];
}

/**
 * Material received from a sender not verified and not reviewed yet: a
 * banner with "Mark as reviewed"; and changes to this case waiting in the
 * Inbox (read after the page is drawn).
 */
function trustBanners(o: CaseOverview, reload: () => void): HTMLElement {
  const box = h("div", { class: "case-trust" });
  const unreviewed = allRecords(o).filter((r) => r.unreviewed).length;
  if (unreviewed) {
    const btn = h("button", { type: "button", class: "button", testid: "case-mark-reviewed" }, icon("check", 16), t("case.mark_reviewed"));
    btn.addEventListener("click", async () => {
      btn.disabled = true;
      try {
        await api.markCaseReviewed(o.case.id);
        toast(t("case.reviewed"));
        reload();
      } catch (e) {
        btn.disabled = false;
        actionError(e);
      }
    });
    box.append(
      h(
        "div",
        { class: "callout callout-warning unreviewed-banner", role: "status", testid: "case-unreviewed-banner" },
        icon("alert", 22),
        h("div", null, h("strong", null, t("case.unreviewed.title")), h("p", null, t("case.unreviewed.text")), h("p", { class: "small strong", testid: "case-unreviewed-count" }, t("case.unreviewed.count", { n: unreviewed }))),
        btn,
      ),
    );
  }
  const alive = viewToken();
  api
    .proposals(false)
    .then((ps) => {
      const n = ps.filter((p) => p.case_id === o.case.id).length;
      if (!alive() || !n) return;
      box.append(
        h(
          "div",
          { class: "callout callout-info unreviewed-banner", testid: "case-proposals-banner" },
          icon("inbox", 22),
          h("div", null, h("p", null, t("case.proposals.text", { n }))),
          h("button", { type: "button", class: "button", testid: "case-open-inbox", onclick: () => navigate({ name: "inbox" }) }, t("case.proposals.open")),
        ),
      );
    })
    .catch(() => undefined);
  return box;
}

function card(kind: Kind, title: Child, badges: Child, body: Child, actions: HTMLElement, extraClass?: string, testid?: string): HTMLElement {
  return h(
    "article",
    { class: ["card", "record-card", `record-${kind}`, extraClass], testid: testid ?? `${kind}-card` },
    h("header", { class: "card-head" }, h("h3", null, title), h("div", { class: "badges" }, badges)),
    body,
    actions,
  );
}

function situationCard(r: StoredRecord<import("../model").SituationData>, latest: boolean, o: CaseOverview, reload: Reload): HTMLElement {
  const d = r.data;
  const label = `${tEnum("situation", d.situation)} — ${formatFuzzyDate(d.date)}`;
  return card(
    "situation",
    h("span", { class: ["situation", `situation-${d.situation}`] }, tEnum("situation", d.situation)),
    [latest ? badge(t("situation.current"), "accent") : null, h("span", { class: "date" }, formatFuzzyDate(d.date))],
    [meta([[t("form.place"), place(d.place)]]), textBlock(d.notes)],
    recordActions(r, o, reload, { label }),
    latest ? "is-current" : undefined,
  );
}

function incidentCard(r: StoredRecord<import("../model").IncidentData>, o: CaseOverview, reload: Reload): HTMLElement {
  const d = r.data;
  return card(
    "incident",
    tEnum("tactic", d.tactic),
    h("span", { class: "date" }, formatFuzzyDate(d.date)),
    [
      meta([
        [t("field.requesting_state"), countryName(d.requesting_state)],
        [t("field.requested_state"), countryName(d.requested_state)],
      ]),
      textBlock(d.description),
      d.sources?.length ? h("div", null, h("h4", { class: "h-small" }, t("incident.form.sources")), h("ul", { class: "citations" }, d.sources.map((s) => h("li", { dir: "auto" }, s)))) : null,
    ],
    recordActions(r, o, reload, { label: tEnum("tactic", d.tactic) }),
  );
}

function instrumentCard(r: StoredRecord<import("../model").InstrumentData>, o: CaseOverview, reload: Reload): HTMLElement {
  const d = r.data;
  const st = d.status ?? "unknown";
  return card(
    "instrument",
    tEnum("instrument_kind", d.kind),
    badge(tEnum("instrument_status", st), `instrument-${st}`),
    [
      meta([
        [t("instrument.form.issuing_state"), countryName(d.issuing_state)],
        [t("form.reference"), d.reference ? h("code", null, d.reference) : ""],
        [t("instrument.form.issued_on"), formatFuzzyDate(d.issued_on)],
        [t("instrument.form.learnt_on"), formatFuzzyDate(d.learnt_on)],
        [t("instrument.form.withdrawn_on"), formatFuzzyDate(d.withdrawn_on)],
      ]),
      textBlock(d.notes),
    ],
    recordActions(r, o, reload, { label: tEnum("instrument_kind", d.kind) }),
  );
}

/** "Days pending" and deadline badges, coloured by urgency. */
export function proceedingBadges(p: Pick<ProceedingStatus, "days_pending" | "days_to_deadline" | "open">, deadline?: string | null, outcome?: string | null): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (p.days_pending !== null) {
    out.push(badge(p.open ? t("proceeding.days_pending", { n: p.days_pending }) : t("proceeding.days_taken", { n: p.days_pending }), p.open ? "pending" : "neutral", { testid: "days-pending" }));
  }
  if (p.open && p.days_to_deadline !== null) {
    const d = p.days_to_deadline;
    const tone = d < 0 ? "overdue" : d <= 7 ? "danger" : d <= 14 ? "warning" : "neutral";
    const text = d < 0 ? t("deadline.passed", { n: -d }) : d === 0 ? t("deadline.today") : t("deadline.in", { n: d });
    out.push(badge(text, `deadline-${tone}`, { testid: "deadline-badge", title: deadline ? formatDay(deadline) : undefined }));
  }
  if (!p.open) out.push(badge(outcome ? tEnum("outcome", outcome) : t("proceeding.decided"), outcome === "granted" || outcome === "partly_granted" ? "ok" : "neutral"));
  return out;
}

function proceedingCard(p: ProceedingStatus, o: CaseOverview, reload: Reload): HTMLElement {
  const d = p.record.data;
  const im = d.interim_measures;
  return card(
    "proceeding",
    tEnum("proceeding_kind", d.kind),
    proceedingBadges(p, d.deadline, d.outcome),
    [
      meta([
        [t("proceeding.form.forum"), d.forum ? h("span", { dir: "auto" }, d.forum) : ""],
        [t("form.reference"), d.reference ? h("code", null, d.reference) : ""],
        [t("proceeding.form.filed_on"), formatDay(d.filed_on)],
        [t("proceeding.form.deadline"), formatDay(d.deadline)],
        [t("proceeding.form.decided_on"), formatDay(d.decided_on)],
        [t("proceeding.form.outcome"), d.outcome ? tEnum("outcome", d.outcome) : ""],
        im
          ? [
              t("proceeding.form.interim"),
              [
                im.requested_on ? t("proceeding.interim.requested", { date: formatDay(im.requested_on) }) : "",
                im.granted_on ? " · " + t("proceeding.interim.granted", { date: formatDay(im.granted_on) }) : "",
                im.respected === true ? " · " + t("proceeding.interim.respected") : im.respected === false ? " · " : "",
                im.respected === false ? h("strong", { class: "text-danger" }, t("proceeding.interim.violated")) : "",
              ],
            ]
          : null,
      ]),
      textBlock(d.notes),
    ],
    recordActions(p.record, o, reload, { label: tEnum("proceeding_kind", d.kind) }),
    p.open && p.days_to_deadline !== null && p.days_to_deadline < 0 ? "is-overdue" : undefined,
  );
}

function testimonyCard(r: StoredRecord<import("../model").TestimonyData>, o: CaseOverview, reload: Reload): HTMLElement {
  const d = r.data;
  const source = o.sources.find((s) => s.id === d.source_id);
  const long = d.text.length > 600;
  const text = h("div", { class: ["testimony-text", "text-auto", long && "is-clamped"], dir: "auto", lang: d.language, testid: "testimony-body" }, d.text);
  const more = long ? h("button", { type: "button", class: "link-button", "aria-expanded": "false" }, t("testimony.read_all")) : null;
  more?.addEventListener("click", () => {
    const open = text.classList.toggle("is-clamped");
    more.textContent = open ? t("testimony.read_all") : t("testimony.collapse");
    more.setAttribute("aria-expanded", String(!open));
  });
  const langName = ["ar", "fr", "en"].includes(d.language) ? tEnum("language", d.language) : d.language;
  const attached = o.evidence.filter((e) => e.data.attached_to === r.id).length;
  return card(
    "testimony",
    [t("testimony.title"), d.date ? h("span", { class: "date" }, formatFuzzyDate(d.date)) : null],
    [badge(langName, "neutral"), attached ? badge(t("testimony.files", { n: attached }), "neutral") : null],
    [
      meta([
        [t("testimony.form.interviewer"), d.interviewer ? h("span", { dir: "auto" }, d.interviewer) : ""],
        [t("form.place"), place(d.place)],
        [t("testimony.form.source"), source ? h("span", { class: "source-ref" }, icon("lock", 13), h("span", { dir: "auto" }, source.data.pseudonym)) : ""],
      ]),
      text,
      more,
    ],
    recordActions(r, o, reload, { label: t("testimony.title") }),
  );
}

function sourceCard(r: StoredRecord<import("../model").SourceData>, o: CaseOverview, reload: Reload): HTMLElement {
  const d = r.data;
  const consent = d.consent ?? {};
  const chip = (ok: boolean | undefined, label: string) => h("span", { class: ["consent", ok ? "consent-yes" : "consent-no"] }, icon(ok ? "check" : "x", 13), label);
  const id = d.identity;
  const hasIdentity = !!id && !!(id.full_name || id.contact || id.notes);
  const identityBox = h("div", { class: "identity", testid: "source-identity", hidden: true });
  const toggle = hasIdentity ? h("button", { type: "button", class: "button button-small button-sensitive", testid: "source-show-identity", "aria-expanded": "false" }, icon("eye", 15), t("source.show_identity")) : null;
  toggle?.addEventListener("click", () => {
    const show = identityBox.hidden;
    if (show) {
      identityBox.replaceChildren(
        meta([
          [t("source.form.full_name"), id?.full_name ? h("span", { dir: "auto" }, id.full_name) : ""],
          [t("source.form.contact"), id?.contact ? h("span", { dir: "auto" }, id.contact) : ""],
        ]),
        textBlock(id?.notes) ?? "",
      );
    } else identityBox.replaceChildren();
    identityBox.hidden = !show;
    toggle.setAttribute("aria-expanded", String(show));
    toggle.replaceChildren(icon(show ? "eyeOff" : "eye", 15), t(show ? "source.hide_identity" : "source.show_identity"));
  });
  const used = o.testimonies.filter((x) => x.data.source_id === r.id).length;
  return card(
    "source",
    [icon("lock", 16), isolated(d.pseudonym)],
    [badge(tEnum("relation", d.relation ?? "witness"), "neutral"), used ? badge(t("source.testimonies", { n: used }), "neutral") : null],
    [
      h("div", { class: "consents", "aria-label": t("source.form.consent") }, chip(consent.share_with_lawyers, t("source.consent.lawyers")), chip(consent.share_with_un, t("source.consent.un")), chip(consent.publish, t("source.consent.publish"))),
      h("div", { class: "identity-row" }, hasIdentity ? toggle : h("span", { class: "muted small" }, t("source.no_identity")), identityBox),
    ],
    recordActions(r, o, reload, { label: isolatedText(d.pseudonym) }),
    "card-sensitive",
  );
}

function attachedLabel(o: CaseOverview, id: string): string {
  if (id === o.case.id) return t("evidence.attached.case");
  const inc = o.incidents.find((x) => x.id === id);
  if (inc) return `${t("enum.kind.incident")}: ${tEnum("tactic", inc.data.tactic)}`;
  const pr = o.proceedings.find((x) => x.record.id === id);
  if (pr) return `${t("enum.kind.proceeding")}: ${tEnum("proceeding_kind", pr.record.data.kind)}`;
  const te = o.testimonies.find((x) => x.id === id);
  if (te) return `${t("enum.kind.testimony")}${te.data.date ? " · " + formatFuzzyDate(te.data.date) : ""}`;
  return id.slice(0, 8);
}

function evidenceCard(r: StoredRecord<import("../model").EvidenceData>, o: CaseOverview, reload: Reload): HTMLElement {
  const d = r.data;
  const a = d.acquisition ?? {};
  const view = h("button", { type: "button", class: "button button-small button-primary-quiet", testid: "evidence-view" }, icon("eye", 15), t("evidence.view"));
  view.addEventListener("click", () => void viewEvidence(r));
  const save = h("button", { type: "button", class: "button button-small button-quiet", testid: "evidence-save" }, icon("download", 15), t("evidence.save_copy"));
  save.addEventListener("click", () => void saveCopy(r));
  return card(
    "evidence",
    [icon("file", 16), isolated(d.file_name, { class: "file-name" })],
    [badge(d.media_type, "neutral"), badge(formatBytes(d.size), "neutral")],
    [
      textBlock(d.description),
      meta([
        [t("evidence.attached_to"), attachedLabel(o, d.attached_to)],
        [t("evidence.digest"), h("code", { class: "digest", title: d.sha256, testid: "evidence-digest" }, d.sha256)],
        [t("evidence.form.by"), a.by ? h("span", { dir: "auto" }, a.by) : ""],
        [t("evidence.form.on"), formatFuzzyDate(a.on)],
        [t("evidence.form.how"), a.how ? h("span", { dir: "auto" }, a.how) : ""],
        [t("evidence.form.from"), a.from ? h("span", { dir: "auto" }, a.from) : ""],
        [t("evidence.added"), formatDateTime(r.created_at)],
      ]),
    ],
    recordActions(r, o, reload, { label: isolatedText(d.file_name), extra: [view, save] }),
  );
}

function timelineList(o: CaseOverview, tl: TimelineEntry[]): HTMLElement {
  if (!tl.length) return h("p", { class: "empty-inline" }, t("empty.timeline"));
  const byId = new Map<string, StoredRecord>();
  byId.set(o.case.id, o.case as StoredRecord);
  for (const r of [...o.situations, ...o.incidents, ...o.instruments, ...o.testimonies, ...o.sources, ...o.evidence]) byId.set(r.id, r as StoredRecord);
  for (const p of o.proceedings) byId.set(p.record.id, p.record as StoredRecord);
  return h(
    "ol",
    { class: "timeline", testid: "timeline" },
    tl.map((e) => {
      const go = h("button", { type: "button", class: "timeline-link", onclick: () => navigate({ name: "case", id: o.case.id, tab: tabForKind(e.kind) }) }, timelineText(e, byId.get(e.record_id)));
      return h(
        "li",
        { class: ["timeline-item", `timeline-${e.kind}`], testid: "timeline-item" },
        h("span", { class: "timeline-date" }, formatFuzzyDate(e.date)),
        h("span", { class: "timeline-dot", "aria-hidden": "true" }),
        h("div", { class: "timeline-body" }, h("span", { class: "timeline-kind" }, tEnum("kind", e.kind)), go),
      );
    }),
  );
}

/** A source's identity is never shown in passing: not in its history either. */
function withoutIdentity(kind: Kind, value: unknown): unknown {
  if (kind !== "source" || typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const data = value as Record<string, unknown>;
  if (!data.identity) return data;
  const { identity: _hidden, ...rest } = data;
  return { ...rest, identity: t("history.identity_hidden") };
}

async function showHistory(r: StoredRecord): Promise<void> {
  try {
    const versions = await api.recordHistory(r.id);
    openDialog({
      title: t("history.title"),
      wide: true,
      testid: "history-dialog",
      body: h(
        "ol",
        { class: "history" },
        [...versions].reverse().map((v) =>
          h(
            "li",
            null,
            h("details", null, h("summary", null, h("strong", null, t("history.version", { n: v.version })), " · ", formatDateTime(v.saved_at)), h("pre", { class: "json", dir: "ltr" }, JSON.stringify(withoutIdentity(r.kind, v.data), null, 2))),
          ),
        ),
      ),
    });
  } catch (e) {
    actionError(e);
  }
}

/** A failed action on one record: say so, and keep the page. */
function actionError(e: unknown): void {
  const err = toApiError(e);
  if (handleLockedError(err)) return;
  toast(errorMessage(err), "error", 10000);
}
