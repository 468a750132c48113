// The case list: a table with the figures that matter at a glance (current
// situation, days since arrest, risk, urgent items), filters and sorting.

import { api } from "../api";
import { navigate } from "../app";
import { formatNumber, t, tEnum } from "../i18n";
import { clear, h } from "../lib/dom";
import { icon } from "../lib/icons";
import { countryName } from "../lib/format";
import { onWipe, remember } from "../lib/session";
import { CASE_STATUSES, RISK_LEVELS, TACTICS, type CaseListItem } from "../model";
import { badge, emptyState, loading, riskBadge, select } from "./widgets";
import { openRecordForm } from "./recordForms";
import { refreshUrgentCount, showViewError, viewToken } from "./shell";
import { toast } from "./dialog";
import { backupBanner } from "./backup";

type SortKey = "name" | "title" | "situation" | "days" | "risk" | "status" | "urgent";

interface ListState {
  status: string;
  requesting: string;
  requested: string;
  tactic: string;
  urgency: string;
  sort: SortKey;
  desc: boolean;
}

const initialState = (): ListState => ({ status: "", requesting: "", requested: "", tactic: "", urgency: "", sort: "urgent", desc: true });
let state = initialState();
// Filters are reset on every lock (a wipe clears registrations, so each render registers again).
const resetState = () => {
  state = initialState();
  justCreated = null;
};
/** The case just created: shown highlighted (and focused) once, so the person sees where it went. */
let justCreated: string | null = null;

export function filterCases(items: CaseListItem[], s: ListState): CaseListItem[] {
  return items.filter(
    (c) =>
      (!s.status || c.status === s.status) &&
      (!s.requesting || c.requesting_states.includes(s.requesting)) &&
      (!s.requested || c.requested_states.includes(s.requested)) &&
      (!s.tactic || c.tactics.includes(s.tactic as CaseListItem["tactics"][number])) &&
      (!s.urgency || (s.urgency === "urgent" ? c.urgent > 0 : c.urgent === 0)),
  );
}

export function sortCases(items: CaseListItem[], key: SortKey, desc: boolean, collator = new Intl.Collator()): CaseListItem[] {
  const riskRank = (r: string) => (RISK_LEVELS as readonly string[]).indexOf(r);
  const statusRank = (r: string) => (CASE_STATUSES as readonly string[]).indexOf(r);
  const cmp = (a: CaseListItem, b: CaseListItem): number => {
    switch (key) {
      case "name":
        return collator.compare(a.name, b.name);
      case "title":
        return collator.compare(a.title, b.title);
      case "situation":
        return collator.compare(tEnum("situation", a.current_situation), tEnum("situation", b.current_situation));
      case "days":
        return (a.days_since_arrest ?? -1) - (b.days_since_arrest ?? -1);
      case "risk":
        return riskRank(a.risk) - riskRank(b.risk);
      case "status":
        return statusRank(a.status) - statusRank(b.status);
      case "urgent":
        return a.urgent - b.urgent || riskRank(a.risk) - riskRank(b.risk);
    }
  };
  return [...items].sort((a, b) => (desc ? -cmp(a, b) : cmp(a, b)));
}

/** Material received and not reviewed yet, and changes waiting in the Inbox: marked on the case's row. */
function caseMarks(c: CaseListItem): HTMLElement | null {
  if (!c.unreviewed && !c.proposals) return null;
  return h(
    "div",
    { class: "case-marks" },
    c.unreviewed > 0 ? badge(t("cases.unreviewed_badge", { n: c.unreviewed }), "unreviewed", { testid: "case-unreviewed-badge", title: t("record.unreviewed_hint") }) : null,
    c.proposals > 0 ? badge(t("cases.proposals_badge", { n: c.proposals }), "proposals", { testid: "case-proposals-badge" }) : null,
  );
}

export function renderCases(main: HTMLElement): void {
  const alive = viewToken();
  onWipe(resetState);
  const newCase = h("button", { type: "button", class: "button button-primary", testid: "new-case" }, icon("plus"), t("cases.new"));
  newCase.addEventListener("click", () =>
    openRecordForm({
      kind: "case",
      caseId: null,
      onSaved: (r) => {
        toast(t("cases.created"));
        justCreated = r.id;
        navigate({ name: "cases" });
      },
    }),
  );
  const body = h("div", { class: "view-body" }, loading());
  clear(main, h("header", { class: "view-header" }, h("div", null, h("h1", { tabindex: "-1" }, t("cases.title")), h("p", { class: "muted", testid: "cases-count" }, "")), newCase), backupBanner(), body);

  api
    .casesList()
    .then((items) => {
      if (!alive()) return;
      remember("cases", items);
      renderList(body, items, main.querySelector('[data-testid="cases-count"]')!);
    })
    .catch((e) => alive() && showViewError(e, body));
  void refreshUrgentCount();
}

function renderList(body: HTMLElement, items: CaseListItem[], countEl: Element): void {
  if (!items.length) {
    clear(body, emptyState(t("cases.empty.title"), t("cases.empty.text")));
    countEl.textContent = "";
    return;
  }
  const uniq = (xs: string[]) => [...new Set(xs)].sort((a, b) => countryName(a).localeCompare(countryName(b)));
  const requesting = uniq(items.flatMap((c) => c.requesting_states));
  const requested = uniq(items.flatMap((c) => c.requested_states));
  const tactics = (TACTICS as readonly string[]).filter((x) => items.some((c) => c.tactics.includes(x as never)));

  const mk = (key: keyof ListState, label: string, options: Array<[string, string]>, testid: string) => {
    const s = select(options, (state[key] as string) || null, { empty: t("filter.all"), testid });
    s.value = state[key] as string;
    s.addEventListener("change", () => {
      (state as unknown as Record<string, string>)[key] = s.value;
      draw();
    });
    const id = `flt-${testid}`;
    s.id = id;
    return h("div", { class: "filter" }, h("label", { for: id }, label), s);
  };
  const filters = h(
    "div",
    { class: "filters", role: "group", "aria-label": t("filter.label") },
    mk("status", t("field.status"), CASE_STATUSES.map((v) => [v, tEnum("status", v)]), "filter-status"),
    mk("requesting", t("field.requesting_state"), requesting.map((c) => [c, countryName(c)]), "filter-requesting"),
    mk("requested", t("field.requested_state"), requested.map((c) => [c, countryName(c)]), "filter-requested"),
    mk("tactic", t("field.tactic"), tactics.map((v) => [v, tEnum("tactic", v)]), "filter-tactic"),
    mk("urgency", t("field.urgency"), [["urgent", t("filter.urgent_only")], ["calm", t("filter.not_urgent")]], "filter-urgency"),
  );
  const reset = h("button", { type: "button", class: "link-button", testid: "filter-reset" }, t("filter.reset"));
  reset.addEventListener("click", () => {
    const { sort, desc } = state;
    state = { ...initialState(), sort, desc };
    renderList(body, items, countEl);
  });
  filters.appendChild(h("div", { class: "filter filter-reset" }, reset));

  const tableWrap = h("div", { class: "table-wrap" });
  const columns: Array<[SortKey, string, string?]> = [
    ["name", t("cases.col.subject")],
    ["title", t("cases.col.title")],
    ["situation", t("cases.col.situation")],
    ["days", t("cases.col.days"), "num"],
    ["risk", t("cases.col.risk")],
    ["status", t("cases.col.status")],
    ["urgent", t("cases.col.urgent")],
  ];

  const draw = () => {
    const shown = sortCases(filterCases(items, state), state.sort, state.desc);
    countEl.textContent = shown.length === items.length ? t("cases.count", { n: items.length }) : t("cases.count_filtered", { n: shown.length, total: items.length });
    const thead = h(
      "thead",
      null,
      h(
        "tr",
        null,
        columns.map(([key, label, cls]) => {
          const active = state.sort === key;
          const btn = h("button", { type: "button", class: "sort-button", testid: `sort-${key}` }, label, h("span", { class: "sort-mark", "aria-hidden": "true" }, active ? (state.desc ? "▼" : "▲") : ""));
          btn.addEventListener("click", () => {
            if (state.sort === key) state.desc = !state.desc;
            else {
              state.sort = key;
              state.desc = key === "urgent" || key === "risk" || key === "days";
            }
            draw();
            (tableWrap.querySelector(`[data-testid="sort-${key}"]`) as HTMLElement | null)?.focus();
          });
          return h("th", { scope: "col", class: cls, "aria-sort": active ? (state.desc ? "descending" : "ascending") : "none" }, btn);
        }),
      ),
    );
    const tbody = h(
      "tbody",
      null,
      shown.map((c) => {
        const open = () => navigate({ name: "case", id: c.id });
        const row = h(
          "tr",
          { class: ["case-row", c.urgent > 0 && "is-urgent", c.id === justCreated && "is-new"], testid: "case-row", "data-case-id": c.id, onclick: open },
          h(
            "td",
            { class: "cell-name" },
            h("button", { type: "button", class: "row-link", testid: "case-open", onclick: (e: Event) => { e.stopPropagation(); open(); } }, c.name ? h("bdi", { dir: "auto" }, c.name) : t("cases.unnamed")),
            caseMarks(c),
          ),
          h("td", { class: "cell-title" }, c.title ? h("bdi", { dir: "auto" }, c.title) : h("span", { class: "muted" }, "—")),
          h("td", null, c.current_situation ? h("span", { class: ["situation", `situation-${c.current_situation}`] }, tEnum("situation", c.current_situation)) : h("span", { class: "muted" }, "—")),
          h("td", { class: "num" }, c.days_since_arrest !== null ? h("span", { class: "days-figure", title: t("cases.days_since_arrest", { n: c.days_since_arrest }) }, formatNumber(c.days_since_arrest)) : h("span", { class: "muted" }, "—")),
          h("td", null, riskBadge(c.risk)),
          h("td", null, badge(tEnum("status", c.status), `status-${c.status}`)),
          h("td", null, c.urgent > 0 ? badge(t("cases.urgent_badge", { n: c.urgent }), "urgent", { testid: "case-urgent-badge" }) : null),
        );
        return row;
      }),
    );
    const table = h("table", { class: "table cases-table", testid: "cases-table" }, h("caption", { class: "sr-only" }, t("cases.title")), thead, tbody);
    clear(tableWrap, shown.length ? table : h("p", { class: "muted pad" }, t("cases.no_match")));
    if (justCreated) {
      tableWrap.querySelector<HTMLElement>(".case-row.is-new .row-link")?.focus();
      justCreated = null;
    }
  };
  clear(body, filters, tableWrap);
  draw();
}
