// What needs attention now, in the order the core ranks it: deadlines
// passed, deadlines near, people detained pending extradition.

import { api, URGENT_WITHIN_DAYS } from "../api";
import { navigate } from "../app";
import { t, tEnum } from "../i18n";
import { clear, h } from "../lib/dom";
import { icon } from "../lib/icons";
import { remember } from "../lib/session";
import type { UrgentItem } from "../model";
import { emptyState, loading } from "./widgets";
import { showViewError, viewToken } from "./shell";

export function urgentReason(u: UrgentItem): { text: string; tone: string } {
  switch (u.reason) {
    case "deadline_passed":
      return { text: t("urgent.deadline_passed", { n: u.days_overdue }), tone: "overdue" };
    case "deadline_near":
      return { text: u.days_left === 0 ? t("deadline.today") : t("urgent.deadline_near", { n: u.days_left }), tone: u.days_left <= 7 ? "danger" : "warning" };
    case "in_custody":
      if (u.days_since_arrest === null) return { text: t("urgent.in_custody_unknown", { situation: tEnum("situation", u.situation) }), tone: "custody" };
      return {
        text: u.situation === "detained_pending_extradition" ? t("urgent.detained", { n: u.days_since_arrest }) : t("urgent.arrested", { n: u.days_since_arrest }),
        tone: "custody",
      };
  }
}

export function renderUrgent(main: HTMLElement): void {
  const alive = viewToken();
  const body = h("div", { class: "view-body" }, loading());
  clear(main, h("header", { class: "view-header" }, h("div", null, h("h1", { tabindex: "-1" }, t("urgent.title")), h("p", { class: "muted" }, t("urgent.intro", { n: URGENT_WITHIN_DAYS })))), body);
  api
    .urgent(URGENT_WITHIN_DAYS)
    .then(async (items) => {
      if (!alive()) return;
      remember("urgent", items);
      // Say which proceeding each deadline belongs to (one read per case concerned).
      const what = new Map<string, string>();
      await Promise.all(
        [...new Set(items.filter((u) => u.reason !== "in_custody").map((u) => u.case_id))].map((id) =>
          api
            .caseGet(id)
            .then((o) => o.proceedings.forEach((p) => what.set(p.record.id, tEnum("proceeding_kind", p.record.data.kind) + (p.record.data.forum ? ` · ${p.record.data.forum}` : ""))))
            .catch(() => undefined),
        ),
      );
      if (!alive()) return;
      if (!items.length) {
        clear(body, emptyState(t("urgent.empty.title"), t("urgent.empty.text")));
        return;
      }
      clear(
        body,
        h(
          "ul",
          { class: "urgent-list" },
          items.map((u) => {
            const r = urgentReason(u);
            const open = () => navigate({ name: "case", id: u.case_id, tab: u.reason === "in_custody" ? "situations" : "proceedings" });
            return h(
              "li",
              null,
              h(
                "button",
                { type: "button", class: ["urgent-item", `urgent-${r.tone}`], testid: "urgent-item", "data-reason": u.reason, onclick: open },
                h("span", { class: "urgent-icon", "aria-hidden": "true" }, icon(u.reason === "in_custody" ? "lock" : "clock", 22)),
                h(
                  "span",
                  { class: "urgent-text" },
                  h("span", { class: "urgent-reason" }, r.text),
                  what.get(u.record_id) ? h("span", { class: "urgent-what", dir: "auto" }, what.get(u.record_id)!) : null,
                  h("span", { class: "urgent-case", dir: "auto" }, u.case_label),
                ),
                h("span", { class: "urgent-go" }, t("urgent.open"), icon("chevronNext", 18)),
              ),
            );
          }),
        ),
      );
    })
    .catch((e) => alive() && showViewError(e, body));
}
