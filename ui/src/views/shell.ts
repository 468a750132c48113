// The main layout: sidebar (Cases, Urgent with its count, Search, Audit log,
// Settings), the Lock button, and the view area the router fills.

import { api, toApiError, URGENT_WITHIN_DAYS, type ApiError } from "../api";
import { app, appRoot, handleLockedError, lock, navigate, screens, type Route } from "../app";
import { formatNumber, t } from "../i18n";
import { clear, h } from "../lib/dom";
import { icon } from "../lib/icons";
import { errorMessage } from "../lib/errors";
import { onWipe } from "../lib/session";
import { renderCases } from "./cases";
import { renderCase } from "./casePage";
import { renderUrgent } from "./urgent";
import { renderSearch } from "./search";
import { renderAudit } from "./audit";
import { renderSettings } from "./settings";
import { renderExport } from "./exportWizard";
import { renderBundle } from "./bundleOpen";
import { renderInbox } from "./inbox";
import { renderContacts } from "./contacts";
import { renderIdentity } from "./identity";
import { renderBackup } from "./backup";
import { renderStatistics } from "./statistics";

const NAV: Array<{ name: Route["name"]; key: string; icon: string; testid: string }> = [
  { name: "cases", key: "nav.cases", icon: "folder", testid: "nav-cases" },
  { name: "urgent", key: "nav.urgent", icon: "alert", testid: "nav-urgent" },
  { name: "search", key: "nav.search", icon: "search", testid: "nav-search" },
  { name: "stats", key: "nav.stats", icon: "chart", testid: "nav-stats" },
  { name: "export", key: "nav.export", icon: "send", testid: "nav-export" },
  { name: "bundle", key: "nav.bundle", icon: "inbox", testid: "nav-bundle" },
  { name: "inbox", key: "nav.inbox", icon: "check", testid: "nav-inbox" },
  { name: "contacts", key: "nav.contacts", icon: "users", testid: "nav-contacts" },
  { name: "identity", key: "nav.identity", icon: "key", testid: "nav-identity" },
  { name: "backup", key: "nav.backup", icon: "archive", testid: "nav-backup" },
  { name: "audit", key: "nav.audit", icon: "list", testid: "nav-audit" },
  { name: "settings", key: "nav.settings", icon: "settings", testid: "nav-settings" },
];

let urgentCount: number | null = null;
/** Proposed changes waiting in the Inbox. */
let inboxCount: number | null = null;
const resetUrgentCount = () => {
  urgentCount = null;
  inboxCount = null;
};

function renderShell(): void {
  const nav = h(
    "nav",
    { class: "nav", "aria-label": t("nav.label") },
    h(
      "ul",
      null,
      NAV.map((n) =>
        h(
          "li",
          null,
          h(
            "button",
            { type: "button", class: "nav-item", testid: n.testid, "data-route": n.name, onclick: () => navigate({ name: n.name } as Route) },
            icon(n.icon, 20),
            h("span", { class: "nav-label" }, t(n.key)),
            n.name === "urgent" ? h("span", { class: "nav-count", testid: "urgent-count", hidden: !urgentCount }, urgentCount ? formatNumber(urgentCount) : "") : null,
            n.name === "inbox" ? h("span", { class: "nav-count nav-count-inbox", testid: "inbox-count", hidden: !inboxCount }, inboxCount ? formatNumber(inboxCount) : "") : null,
          ),
        ),
      ),
    ),
  );
  const lockBtn = h(
    "button",
    { type: "button", class: "lock-button", testid: "lock-button", title: t("lock.shortcut_hint"), onclick: () => void lock("manual") },
    icon("lock", 20),
    h("span", null, t("lock.button")),
  );
  const sidebar = h(
    "aside",
    { class: "sidebar" },
    h("div", { class: "brand" }, h("span", { class: "brand-mark" }, icon("shield", 22)), h("span", { class: "brand-name" }, t("app.name"))),
    nav,
    h("div", { class: "sidebar-foot" }, lockBtn, h("p", { class: "lock-hint" }, t("lock.shortcut_hint"))),
  );
  clear(appRoot(), h("div", { class: "shell" }, sidebar, h("main", { class: "view", id: "view", tabindex: "-1" })));
  onWipe(resetUrgentCount);
  void refreshUrgentCount();
  void refreshInboxCount();
}

/**
 * The Inbox's count in the sidebar: proposed changes waiting for a decision.
 * Read again after imports and decisions (`known`: a count just read).
 */
export async function refreshInboxCount(known?: number): Promise<void> {
  if (known !== undefined) inboxCount = known;
  else {
    try {
      inboxCount = (await api.proposals(false)).length;
    } catch (e) {
      if (handleLockedError(toApiError(e))) return;
      inboxCount = null;
    }
  }
  const el = document.querySelector<HTMLElement>('[data-testid="inbox-count"]');
  if (el) {
    el.hidden = !inboxCount;
    el.textContent = inboxCount ? formatNumber(inboxCount) : "";
    el.setAttribute("aria-label", t("inbox.count_aria", { n: inboxCount ?? 0 }));
  }
}

export async function refreshUrgentCount(): Promise<void> {
  try {
    const items = await api.urgent(URGENT_WITHIN_DAYS);
    urgentCount = items.length;
  } catch (e) {
    if (handleLockedError(toApiError(e))) return;
    urgentCount = null;
  }
  const el = document.querySelector<HTMLElement>('[data-testid="urgent-count"]');
  if (el) {
    el.hidden = !urgentCount;
    el.textContent = urgentCount ? formatNumber(urgentCount) : "";
    el.setAttribute("aria-label", t("urgent.count", { n: urgentCount ?? 0 }));
  }
}

export function viewRoot(): HTMLElement {
  return document.getElementById("view")!;
}

/** A token that says whether a view's async work is still wanted. */
export function viewToken(): () => boolean {
  const seq = app.renderSeq;
  return () => seq === app.renderSeq && app.unlocked;
}

export function showViewError(e: unknown, target: HTMLElement = viewRoot()): void {
  const err: ApiError = toApiError(e);
  if (handleLockedError(err)) return;
  clear(target, h("div", { class: "callout callout-danger", role: "alert", testid: "view-error" }, icon("alert"), h("p", null, errorMessage(err))));
}

// Things a view set up that must stop when another view replaces it (listeners).
const leaving = new Set<() => void>();
export function onLeave(fn: () => void): void {
  leaving.add(fn);
  onWipe(fn);
}
function runLeave(): void {
  for (const fn of [...leaving]) {
    try {
      fn();
    } catch {
      /* ignore */
    }
  }
  leaving.clear();
}

function route(r: Route): void {
  runLeave();
  const main = viewRoot();
  if (!main) return;
  for (const b of Array.from(document.querySelectorAll<HTMLElement>(".nav-item"))) {
    const active = b.dataset.route === (r.name === "case" ? "cases" : r.name);
    b.classList.toggle("active", active);
    if (active) b.setAttribute("aria-current", "page");
    else b.removeAttribute("aria-current");
  }
  main.replaceChildren();
  main.scrollTop = 0;
  switch (r.name) {
    case "cases":
      renderCases(main);
      break;
    case "case":
      renderCase(main, r.id, r.tab);
      break;
    case "urgent":
      renderUrgent(main);
      break;
    case "search":
      renderSearch(main, r.query, r.offset);
      break;
    case "audit":
      renderAudit(main);
      break;
    case "settings":
      renderSettings(main);
      break;
    case "export":
      renderExport(main, r.caseId);
      break;
    case "bundle":
      renderBundle(main);
      break;
    case "inbox":
      renderInbox(main);
      break;
    case "contacts":
      renderContacts(main);
      break;
    case "identity":
      renderIdentity(main);
      break;
    case "backup":
      renderBackup(main);
      break;
    case "stats":
      renderStatistics(main);
      break;
  }
}

screens.shell = renderShell;
screens.route = route;
