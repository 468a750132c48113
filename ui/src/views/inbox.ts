// The Inbox: changes that came in bundles and wait for the person, grouped
// by bundle (who sent it, verified or not, fingerprint, when received),
// each with its reason in plain words and its field-by-field difference.
// Accept or reject one, or all of a bundle. Rejecting, and accepting a
// deletion, ask first; accepting a change says it becomes a new version
// and the current one stays in the history. After each decision the list,
// the count in the sidebar and the case data are read again.

import { api, toApiError } from "../api";
import { handleLockedError, navigate } from "../app";
import { t } from "../i18n";
import { clear, h } from "../lib/dom";
import { icon } from "../lib/icons";
import { errorMessage } from "../lib/errors";
import { formatDateTime } from "../lib/format";
import { groupByBundle, isolate, type BundleGroup } from "../lib/proposals";
import { remember } from "../lib/session";
import type { Decided, DecideRequest, ProposedChange } from "../generated";
import { confirmDialog, toast } from "./dialog";
import { fingerprintView, senderBadge } from "./handoverWidgets";
import { bdi, proposalCard } from "./proposalWidgets";
import { refreshInboxCount, showViewError, viewToken } from "./shell";
import { emptyState, loading } from "./widgets";

export function renderInbox(main: HTMLElement): void {
  const alive = viewToken();
  const body = h("div", { class: "view-body inbox-view" }, loading());
  clear(main, h("header", { class: "view-header" }, h("div", null, h("h1", { tabindex: "-1" }, t("inbox.title")), h("p", { class: "muted" }, t("inbox.intro")))), body);
  api
    .proposals(false)
    .then((ps) => {
      if (!alive()) return;
      remember("inbox", ps);
      drawInbox(main, body, ps);
      updateCount(ps.length);
    })
    .catch((e) => alive() && showViewError(e, body));
}

function updateCount(n: number): void {
  void refreshInboxCount(n);
}

function drawInbox(main: HTMLElement, body: HTMLElement, ps: ProposedChange[]): void {
  if (!ps.length) {
    clear(body, emptyState(t("inbox.empty.title"), t("inbox.empty.text")));
    body.firstElementChild?.setAttribute("data-testid", "inbox-empty");
    return;
  }
  clear(body, groupByBundle(ps).map((g) => bundleSection(main, g)));
}

function bundleSection(main: HTMLElement, g: BundleGroup): HTMLElement {
  const state = g.sender_verified ? "verified" : "unverified";
  const acceptAll = h("button", { type: "button", class: "button", testid: "inbox-accept-all" }, icon("check", 16), t("inbox.accept_all"));
  const rejectAll = h("button", { type: "button", class: "button button-danger-quiet", testid: "inbox-reject-all" }, icon("x", 16), t("inbox.reject_all"));
  acceptAll.addEventListener("click", () => void decideBundle(main, g, true));
  rejectAll.addEventListener("click", () => void decideBundle(main, g, false));
  return h(
    "section",
    { class: ["card", "inbox-bundle", `sender-${state}`], testid: "inbox-bundle", "data-bundle-id": g.bundle_id, "aria-label": `${t("inbox.bundle_from")} ${g.sender_name}` },
    h(
      "div",
      { class: "inbox-bundle-head" },
      h("span", { class: "subject-avatar" }, icon("user", 20)),
      h(
        "div",
        { class: "inbox-sender" },
        h("p", { class: "muted small" }, t("inbox.bundle_from")),
        h("h2", { testid: "inbox-sender-name" }, bdi(g.sender_name)),
        h("p", { class: "muted small", testid: "inbox-received" }, t("inbox.received", { date: formatDateTime(g.received_at) }), " · ", t("inbox.changes", { n: g.items.length })),
      ),
      senderBadge(state, "inbox-sender-state"),
    ),
    h("div", { class: "inbox-fingerprint" }, h("span", { class: "muted small" }, t("bundle.fingerprint")), fingerprintView(g.sender_fingerprint, { testid: "inbox-fingerprint" })),
    !g.sender_verified ? h("div", { class: "callout callout-warning" }, icon("alert"), h("p", null, t("bundle.sender.unverified_advice"))) : null,
    h("ul", { class: "proposals" }, g.items.map((p) => proposalCard(p, { notes: acceptNote(p), actions: proposalActions(main, p) }))),
    g.items.length > 1 ? h("div", { class: "actions inbox-bundle-actions" }, acceptAll, rejectAll) : null,
  );
}

/** What accepting would do, said before the buttons. */
function acceptNote(p: ProposedChange): HTMLElement {
  const key = p.action === "change" ? "inbox.change_becomes_version" : p.action === "add" ? "inbox.add_note" : "inbox.delete_note";
  return h("p", { class: ["accept-note", p.action === "delete" && "accept-note-danger"], testid: "proposal-accept-note" }, icon(p.action === "delete" ? "trash" : "history", 15), h("span", null, t(key)));
}

function proposalActions(main: HTMLElement, p: ProposedChange): HTMLElement[] {
  const accept = h("button", { type: "button", class: ["button", "button-small", p.action === "delete" ? "button-danger" : "button-primary"], testid: "proposal-accept" }, icon(p.action === "delete" ? "trash" : "check", 15), t("inbox.accept"));
  const reject = h("button", { type: "button", class: "button button-small", testid: "proposal-reject" }, icon("x", 15), t("inbox.reject"));
  const open = h("button", { type: "button", class: "link-button", testid: "proposal-open-case", onclick: () => navigate({ name: "case", id: p.case_id }) }, t("inbox.open_case"));
  accept.addEventListener("click", async () => {
    if (p.action === "delete") {
      const ok = await confirmDialog({
        title: t("inbox.confirm.delete.title"),
        message: h("div", null, h("p", null, t("inbox.confirm.delete.text", { label: isolate(p.label) })), h("p", { class: "strong" }, t("delete.irreversible"))),
        confirm: t("inbox.confirm.delete.ok"),
        danger: true,
        testid: "confirm-accept-delete",
      });
      if (!ok) return;
    }
    await decide(main, { proposal: p.id, bundle_id: null, accept: true }, [accept, reject]);
  });
  reject.addEventListener("click", async () => {
    const ok = await confirmDialog({
      title: t("inbox.confirm.reject.title"),
      message: h("div", null, h("p", { class: "strong" }, bdi(p.label)), h("p", null, t("inbox.confirm.reject.text"))),
      confirm: t("inbox.confirm.reject.ok"),
      warning: true,
      testid: "confirm-reject",
    });
    if (!ok) return;
    await decide(main, { proposal: p.id, bundle_id: null, accept: false }, [accept, reject]);
  });
  // A proposal from a dry run has no id: nothing to decide (never shown here).
  if (!p.id) accept.disabled = reject.disabled = true;
  return [accept, reject, p.action === "delete" && p.kind === "case" ? null : open].filter((x): x is HTMLButtonElement => x !== null);
}

async function decideBundle(main: HTMLElement, g: BundleGroup, accept: boolean): Promise<void> {
  const n = g.items.length;
  const deletions = g.items.filter((p) => p.action === "delete").length;
  const ok = await confirmDialog({
    title: t(accept ? "inbox.confirm.accept_all.title" : "inbox.confirm.reject_all.title"),
    message: h(
      "div",
      null,
      h("p", null, t(accept ? "inbox.confirm.accept_all.text" : "inbox.confirm.reject_all.text", { n })),
      accept && deletions ? h("p", { class: "strong" }, t("inbox.confirm.accept_all.deletions", { n: deletions })) : null,
    ),
    confirm: t(accept ? "inbox.confirm.accept_all.ok" : "inbox.confirm.reject_all.ok"),
    danger: accept && deletions > 0,
    warning: !accept,
    testid: accept ? "confirm-accept-all" : "confirm-reject-all",
  });
  if (!ok) return;
  await decide(main, { proposal: null, bundle_id: g.bundle_id, accept }, Array.from(main.querySelectorAll<HTMLButtonElement>(`[data-bundle-id="${g.bundle_id}"] button`)));
}

async function decide(main: HTMLElement, req: DecideRequest, buttons: HTMLButtonElement[]): Promise<void> {
  const alive = viewToken();
  for (const b of buttons) b.disabled = true;
  let done: Decided;
  try {
    done = await api.decideProposals(req);
  } catch (x) {
    const e = toApiError(x);
    if (handleLockedError(e) || !alive()) return;
    toast(errorMessage(e), "error");
    // Decided elsewhere meanwhile, or gone: show the list as it is now.
    renderInbox(main);
    return;
  }
  if (!alive()) return;
  if (done.accepted) toast(t("inbox.done.accepted", { n: done.accepted }));
  if (done.rejected) toast(t("inbox.done.rejected", { n: done.rejected }));
  // The list, the sidebar's count and the case data are read again.
  renderInbox(main);
}

