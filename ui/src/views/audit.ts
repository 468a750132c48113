// The audit log, newest first, and whether its hash chain is intact.

import { api } from "../api";
import { formatNumber, has, t, tEnum } from "../i18n";
import { clear, h } from "../lib/dom";
import { icon } from "../lib/icons";
import { formatDateTime, shortId } from "../lib/format";
import { remember } from "../lib/session";
import { loading } from "./widgets";
import { showViewError, viewToken } from "./shell";

export const AUDIT_LIMIT = 500;

export function renderAudit(main: HTMLElement): void {
  const alive = viewToken();
  const body = h("div", { class: "view-body" }, loading());
  clear(main, h("header", { class: "view-header" }, h("div", null, h("h1", null, t("audit.title")), h("p", { class: "muted" }, t("audit.intro")))), body);
  api
    .auditLog(AUDIT_LIMIT)
    .then((v) => {
      if (!alive()) return;
      remember("audit", v);
      const ok = v.chain.problems.length === 0 && v.chain.first_broken === null;
      const chain = ok
        ? h("div", { class: "callout callout-ok", testid: "audit-chain", "data-ok": "true" }, icon("shieldCheck", 22), h("div", null, h("strong", null, t("audit.chain_ok")), h("p", null, t("audit.chain_ok_text", { n: v.chain.entries }))))
        : h(
            "div",
            { class: "callout callout-danger", testid: "audit-chain", "data-ok": "false", role: "alert" },
            icon("alert", 22),
            h(
              "div",
              null,
              h("strong", null, v.chain.first_broken !== null ? t("audit.chain_broken_at", { n: v.chain.first_broken }) : t("audit.chain_problems")),
              h("p", null, t("audit.chain_broken_text")),
              v.chain.problems.length ? h("details", null, h("summary", null, t("audit.details")), h("ul", { dir: "ltr", class: "problems" }, v.chain.problems.map((p) => h("li", null, p)))) : null,
            ),
          );
      const table = h(
        "table",
        { class: "table audit-table", testid: "audit-table" },
        h("thead", null, h("tr", null, h("th", { scope: "col", class: "num" }, t("audit.col.seq")), h("th", { scope: "col" }, t("audit.col.at")), h("th", { scope: "col" }, t("audit.col.action")), h("th", { scope: "col" }, t("audit.col.kind")), h("th", { scope: "col" }, t("audit.col.record")), h("th", { scope: "col" }, t("audit.col.hash")))),
        h(
          "tbody",
          null,
          v.entries.map((e) =>
            h(
              "tr",
              { testid: "audit-row", class: v.chain.first_broken !== null && e.seq >= v.chain.first_broken ? "is-broken" : undefined },
              h("td", { class: "num" }, formatNumber(e.seq)),
              h("td", null, formatDateTime(e.at)),
              h("td", null, h("span", { class: ["action", `action-${e.action}`] }, has(`enum.action.${e.action}`) ? tEnum("action", e.action) : e.action)),
              h("td", null, e.kind ? tEnum("kind", e.kind) : ""),
              h("td", null, e.record_id ? h("code", { title: e.record_id }, shortId(e.record_id)) : ""),
              h("td", null, h("code", { title: e.hash, class: "muted" }, shortId(e.hash, 12))),
            ),
          ),
        ),
      );
      clear(body, chain, v.entries.length ? h("div", { class: "table-wrap" }, table) : h("p", { class: "empty-inline" }, t("audit.empty")), v.entries.length >= AUDIT_LIMIT ? h("p", { class: "muted small" }, t("audit.limited", { n: AUDIT_LIMIT })) : null);
    })
    .catch((e) => alive() && showViewError(e, body));
}
