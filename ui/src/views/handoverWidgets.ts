// Widgets shared by the handover screens: a fingerprint in large grouped
// digits, the sender's trust badge, a numbered failure screen and the
// checkbox lists of the export wizard.

import { t } from "../i18n";
import { h, type Child } from "../lib/dom";
import { icon } from "../lib/icons";
import { fingerprintGroups, type Failure, type SenderState } from "../lib/handover";

/** A fingerprint as groups of digits, always left to right (people compare them across languages). */
export function fingerprintView(fp: string | null | undefined, opts: { large?: boolean; testid?: string } = {}): HTMLElement {
  const groups = fingerprintGroups(fp);
  if (!groups.length) return h("span", { class: "muted", testid: opts.testid }, t("contacts.no_fingerprint"));
  return h(
    "span",
    { class: ["fingerprint", opts.large && "fingerprint-large"], dir: "ltr", testid: opts.testid, "aria-label": t("fingerprint.aria", { digits: groups.join(" ") }) },
    // Real spaces between the groups: copied text and screen readers keep them.
    groups.flatMap((g, i) => [i ? " " : null, h("span", { class: "fp-group" }, g)]),
  );
}

const SENDER_TONE: Record<SenderState, string> = { this_vault: "ok", verified: "ok", unverified: "warning", unknown: "danger" };
const SENDER_ICON: Record<SenderState, string> = { this_vault: "shieldCheck", verified: "shieldCheck", unverified: "alert", unknown: "alert" };

export function senderBadge(state: SenderState, testid = "bundle-sender-state"): HTMLElement {
  return h("span", { class: ["trust", `trust-${SENDER_TONE[state]}`], testid, "data-state": state }, icon(SENDER_ICON[state], 18), t(`bundle.sender.${state}`));
}

/** A whole-view failure: what happened, that nothing was written, and what to do. */
export function failureView(f: Failure, detail: Child, actions: HTMLElement[]): HTMLElement {
  return h(
    "section",
    { class: ["failure", `failure-${f}`], role: "alert", testid: `bundle-failure`, "data-failure": f },
    h("div", { class: "failure-icon" }, icon(f === "disk_full" ? "download" : f === "not_for_you" ? "lock" : "alert", 40)),
    h("h2", { testid: "bundle-failure-title" }, t(`bundle.failure.${f}.title`)),
    h("p", { class: "failure-text" }, t(`bundle.failure.${f}.text`)),
    h("p", { class: "failure-advice" }, t(`bundle.failure.${f}.advice`)),
    detail ? h("p", { class: "muted small" }, detail) : null,
    h("p", { class: "failure-nothing" }, icon("check", 16), t("bundle.failure.nothing_written")),
    h("div", { class: "actions" }, actions),
  );
}

/** A list of checkboxes (cases, contacts), keyboard-usable, with a testid per row. */
export function checkList<T>(
  items: T[],
  opts: { key: (x: T) => string; label: (x: T) => Child; checked: (x: T) => boolean; onChange: (x: T, on: boolean) => void; testid: string; name: string },
): HTMLElement {
  return h(
    "ul",
    { class: "check-list", role: "group", "aria-label": opts.name },
    items.map((x) => {
      const box = h("input", { type: "checkbox", checked: opts.checked(x), testid: `${opts.testid}-check`, value: opts.key(x) });
      box.addEventListener("change", () => opts.onChange(x, box.checked));
      return h("li", null, h("label", { class: "check-item", testid: opts.testid }, box, h("span", { class: "check-item-body" }, opts.label(x))));
    }),
  );
}

/** The numbered steps of a wizard, the current one marked. */
export function stepper(labels: string[], current: number): HTMLElement {
  return h(
    "ol",
    { class: "stepper", testid: "wizard-steps" },
    labels.map((l, i) =>
      h(
        "li",
        { class: ["step", i === current && "step-current", i < current && "step-done"], "aria-current": i === current ? "step" : undefined },
        h("span", { class: "step-num" }, i < current ? icon("check", 14) : String(i + 1)),
        h("span", { class: "step-label" }, l),
      ),
    ),
  );
}
