// Widgets of "who may change what", shared by the Open-a-bundle plan, the
// import report and the Inbox: a proposed change with its reason and its
// field-by-field difference, and the list of what an import does.
//
// Names and labels from a bundle are always shown isolated (<bdi>, or
// Unicode isolates inside a sentence): a bidi override in one cannot make
// it, or what stands next to it, read as another.

import { formatNumber, t, tEnum } from "../i18n";
import { h, type Child } from "../lib/dom";
import { icon } from "../lib/icons";
import { actionText, diffRows, outcomeRows, reasonText, type DiffRow } from "../lib/proposals";
import type { ImportReport, ProposedChange } from "../generated";

/** Text that came from a bundle or a record, isolated from what surrounds it. */
export function bdi(text: string, attrs: Record<string, unknown> = {}): HTMLElement {
  return h("bdi", { dir: "auto", ...attrs }, text);
}

function valueCell(v: string | null, full: string | null, cut: boolean, testid: string): HTMLElement {
  if (v === null) return h("td", { class: "diff-absent muted", testid }, t("proposal.absent"));
  return h("td", { testid, title: cut ? full ?? undefined : undefined }, h("bdi", { dir: "auto", class: "diff-value" }, v));
}

/** The fields a proposal changes: field, here now → proposed. */
export function diffTable(rows: DiffRow[]): HTMLElement {
  if (!rows.length) return h("p", { class: "muted small" }, t("proposal.no_fields"));
  return h(
    "table",
    { class: "diff-table", testid: "proposal-diff" },
    h("thead", null, h("tr", null, h("th", { scope: "col" }, t("proposal.field")), h("th", { scope: "col" }, t("proposal.before")), h("th", { scope: "col", class: "diff-arrow", "aria-hidden": "true" }), h("th", { scope: "col" }, t("proposal.after")))),
    h(
      "tbody",
      null,
      rows.map((r) =>
        h(
          "tr",
          { class: r.sensitive && "diff-sensitive", testid: "proposal-diff-row", "data-field": r.field },
          h("th", { scope: "row" }, r.label, r.sensitive ? h("span", { class: "diff-sensitive-note" }, icon("lock", 13), t("proposal.sensitive")) : null),
          valueCell(r.before, r.beforeFull, r.beforeCut, "diff-before"),
          // The arrow follows the reading direction (→ in LTR, ← in RTL).
          h("td", { class: "diff-arrow", "aria-hidden": "true" }, icon("chevronNext", 14)),
          valueCell(r.after, r.afterFull, r.afterCut, "diff-after"),
        ),
      ),
    ),
  );
}

const ACTION_TONE = { add: "accent", change: "pending", delete: "urgent" } as const;

/** One proposed change: what, where, why, and the fields; `actions` (the Inbox's buttons) below. */
export function proposalCard(p: ProposedChange, opts: { actions?: Child; showCase?: boolean; notes?: Child } = {}): HTMLElement {
  return h(
    "li",
    { class: ["proposal", `proposal-${p.action}`, p.stale && "proposal-stale"], testid: "proposal", "data-proposal-id": p.id ?? "", "data-record-id": p.record_id, "data-action": p.action, "data-reason": p.reason },
    h(
      "div",
      { class: "proposal-head" },
      h("span", { class: ["badge", `badge-${ACTION_TONE[p.action]}`], testid: "proposal-action" }, actionText(p.action)),
      h("span", { class: ["kind-badge", `kind-${p.kind}`] }, tEnum("kind", p.kind)),
      h("strong", { class: "proposal-label" }, bdi(p.label, { testid: "proposal-label" })),
      opts.showCase !== false && p.kind !== "case" ? h("span", { class: "muted small proposal-case" }, `${t("inbox.in_case")}: `, bdi(p.case_label, { testid: "proposal-case" })) : null,
    ),
    h("p", { class: "proposal-reason", testid: "proposal-reason" }, icon("alert", 15), h("span", null, reasonText(p.reason))),
    p.stale ? h("p", { class: "proposal-stale-note", testid: "proposal-stale" }, icon("history", 15), h("span", null, t("inbox.stale"))) : null,
    p.action === "delete" ? null : diffTable(diffRows(p.fields)),
    opts.notes ?? null,
    opts.actions ? h("div", { class: "proposal-actions" }, opts.actions) : null,
  );
}

/**
 * What an import would do (`plan`) or did (`report`): new cases, records
 * added (and how many held for review), updated, already here, older,
 * deleted here and not brought back, proposed, files.
 */
export function outcomeList(r: ImportReport, mode: "plan" | "report"): HTMLElement {
  const dl = h("dl", { class: "meta review outcome-list", testid: `${mode}-outcomes` });
  if (r.new_cases.length) {
    dl.append(
      h("dt", null, t(mode === "plan" ? "plan.new_cases" : "report.new_cases")),
      h("dd", { testid: `${mode}-new-cases` }, h("ul", { class: "plain-list" }, r.new_cases.map(([, label]) => h("li", null, bdi(label))))),
    );
  }
  for (const [row, n] of outcomeRows(r)) {
    const extra = row === "added" && r.held_for_review > 0 ? h("span", { class: "held-note", testid: `${mode}-held` }, icon("alert", 14), t(mode === "plan" ? "plan.held" : "report.held", { n: r.held_for_review })) : null;
    dl.append(
      h("dt", { class: row === "not_brought_back" || row === "proposed" ? "strong" : undefined }, t(`${mode}.row.${row}`)),
      h("dd", { testid: `${mode}-${row.replace(/_/g, "-")}`, "data-n": String(n) }, h("span", { class: "outcome-n" }, formatNumber(n)), extra),
    );
  }
  return dl;
}
