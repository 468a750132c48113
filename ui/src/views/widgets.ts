// Reusable form widgets: passphrase field with show/hide, strength meter,
// date field (YYYY / YYYY-MM / YYYY-MM-DD + approximate), country pickers.

import { h, uid, type Child } from "../lib/dom";
import { icon } from "../lib/icons";
import { enumOptions, t, tEnum } from "../i18n";
import { estimateStrength, type Strength } from "../lib/strength";
import { parseDateInput, splitStoredDate } from "../lib/dates";
import { countries, countryName } from "../lib/format";
import type { EnumGroup } from "../model";

export function field(label: string, control: HTMLElement, opts: { hint?: Child; error?: HTMLElement; required?: boolean; wide?: boolean; id?: string } = {}): HTMLElement {
  const id = opts.id ?? control.id ?? uid();
  if (!control.id) control.id = id;
  const hintId = opts.hint ? `${id}-hint` : undefined;
  if (hintId) control.setAttribute("aria-describedby", hintId);
  return h(
    "div",
    { class: ["field", opts.wide && "field-wide"] },
    h("label", { for: control.id, class: "field-label" }, label, opts.required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null),
    control,
    opts.hint ? h("div", { class: "field-hint", id: hintId }, opts.hint) : null,
    opts.error ?? null,
  );
}

export function errorLine(testid?: string): HTMLElement {
  return h("div", { class: "field-error", role: "alert", testid, hidden: true });
}

export function setError(el: HTMLElement, text: string | null): void {
  el.textContent = text ?? "";
  el.hidden = !text;
}

export function passphraseInput(testid: string, autocomplete: "current-password" | "new-password" | "off"): { wrap: HTMLElement; input: HTMLInputElement } {
  const input = h("input", {
    type: "password",
    class: "input input-secret",
    testid,
    autocomplete,
    spellcheck: "false",
    autocapitalize: "off",
    dir: "auto",
  });
  const toggle = h("button", {
    type: "button",
    class: "icon-button secret-toggle",
    "aria-label": t("passphrase.show"),
    "aria-pressed": "false",
    testid: `${testid}-toggle`,
  }, icon("eye"));
  toggle.addEventListener("click", () => {
    const show = input.type === "password";
    input.type = show ? "text" : "password";
    toggle.setAttribute("aria-pressed", String(show));
    toggle.setAttribute("aria-label", t(show ? "passphrase.hide" : "passphrase.show"));
    toggle.replaceChildren(icon(show ? "eyeOff" : "eye"));
    input.focus();
  });
  return { wrap: h("div", { class: "secret-wrap" }, input, toggle), input };
}

export function strengthMeter(testid = "strength"): { el: HTMLElement; update(p: string): Strength } {
  const bars = [0, 1, 2, 3].map(() => h("span", { class: "meter-bar" }));
  const label = h("span", { class: "meter-label", testid: `${testid}-label` });
  const hints = h("ul", { class: "meter-hints" });
  const el = h("div", { class: "meter", testid, "data-score": "0" }, h("div", { class: "meter-bars", "aria-hidden": "true" }, bars), label, hints);
  const update = (p: string) => {
    const s = estimateStrength(p);
    el.dataset.score = p ? String(s.score) : "";
    const lit = p ? Math.max(1, s.score) : 0;
    bars.forEach((b, i) => b.classList.toggle("on", i < lit));
    label.textContent = p ? t("strength.label", { level: t(`strength.${s.score}`) }) : t("strength.empty");
    hints.replaceChildren(...(p ? s.hints.map((k) => h("li", null, t(k))) : []));
    return s;
  };
  update("");
  return { el, update };
}

/** A date field: YYYY, YYYY-MM or YYYY-MM-DD, with an "approximate" toggle (unless an exact day is required). */
export function dateInput(opts: { value?: string | null; exact?: boolean; required?: boolean; testid?: string; label: string }): {
  el: HTMLElement;
  read(): { ok: true; value: string | null } | { ok: false; error: string };
  input: HTMLInputElement;
  dirty(): boolean;
} {
  const initial = splitStoredDate(opts.value ?? null);
  const input = h("input", {
    type: "text",
    class: "input input-date",
    inputmode: "numeric",
    placeholder: opts.exact ? t("date.placeholder.exact") : t("date.placeholder"),
    value: initial?.text ?? "",
    testid: opts.testid,
    autocomplete: "off",
    dir: "ltr",
  });
  const approx = opts.exact ? null : h("input", { type: "checkbox", checked: !!initial?.approximate, testid: opts.testid ? `${opts.testid}-approx` : undefined });
  const err = errorLine();
  const read = (): { ok: true; value: string | null } | { ok: false; error: string } => {
    const raw = input.value.trim();
    if (!raw) {
      if (opts.required) return { ok: false, error: t("form.error.required") };
      return { ok: true, value: null };
    }
    const p = parseDateInput(raw, approx?.checked ?? false, !!opts.exact);
    if (!p.ok) return { ok: false, error: t(p.error) };
    return { ok: true, value: p.value };
  };
  const validate = () => {
    const r = read();
    setError(err, r.ok ? null : r.error);
    input.setAttribute("aria-invalid", String(!r.ok));
  };
  input.addEventListener("blur", validate);
  approx?.addEventListener("change", validate);
  const id = uid("date");
  input.id = id;
  const el = h(
    "div",
    { class: "field" },
    h("label", { for: id, class: "field-label" }, opts.label, opts.required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null),
    h(
      "div",
      { class: "date-row" },
      input,
      approx ? h("label", { class: "check-inline" }, approx, h("span", null, t("date.approximate"))) : null,
    ),
    h("div", { class: "field-hint" }, opts.exact ? t("date.hint.exact") : t("date.hint")),
    err,
  );
  const start = `${input.value}|${approx?.checked}`;
  return { el, read, input, dirty: () => `${input.value}|${approx?.checked}` !== start };
}

export function select(options: Array<[string, string]>, value: string | null | undefined, opts: { empty?: string; testid?: string; required?: boolean } = {}): HTMLSelectElement {
  const s = h("select", { class: "input select", testid: opts.testid, required: opts.required });
  if (opts.empty !== undefined) s.appendChild(h("option", { value: "" }, opts.empty));
  for (const [v, label] of options) s.appendChild(h("option", { value: v }, label));
  // Set the value once every option exists (an option's "selected" set before insertion is not reliable).
  s.value = value ?? (opts.empty !== undefined ? "" : options[0]?.[0] ?? "");
  return s;
}

export function enumSelect(group: EnumGroup, value: string | null | undefined, opts: { empty?: string; testid?: string } = {}): HTMLSelectElement {
  return select(enumOptions(group), value, opts);
}

export function countrySelect(value: string | null | undefined, opts: { empty?: string; testid?: string } = {}): HTMLSelectElement {
  return select(countries(), value, { empty: opts.empty ?? t("form.choose_country"), testid: opts.testid });
}

/** Several countries: chips with a remove button, and a picker to add one. */
export function countriesMulti(values: string[] = [], testid?: string): { el: HTMLElement; read(): string[]; dirty(): boolean } {
  let current = [...values];
  const chips = h("div", { class: "chips" });
  const picker = countrySelect(null, { empty: t("form.add_country"), testid });
  const render = () => {
    chips.replaceChildren(
      ...current.map((code) =>
        h(
          "span",
          { class: "chip" },
          countryName(code),
          h("button", {
            type: "button",
            class: "chip-remove",
            "aria-label": t("action.remove_item", { item: countryName(code) }),
            onclick: () => {
              current = current.filter((c) => c !== code);
              render();
              picker.focus();
            },
          }, icon("x", 14)),
        ),
      ),
    );
  };
  picker.addEventListener("change", () => {
    const v = picker.value;
    if (v && !current.includes(v)) current.push(v);
    picker.value = "";
    render();
  });
  render();
  const start = JSON.stringify(values);
  return { el: h("div", { class: "multi" }, chips, picker), read: () => [...current], dirty: () => JSON.stringify(current) !== start };
}

export function badge(text: string, tone: string, opts: { testid?: string; title?: string } = {}): HTMLElement {
  return h("span", { class: ["badge", `badge-${tone}`], testid: opts.testid, title: opts.title }, text);
}

export function riskBadge(risk: string): HTMLElement {
  return badge(tEnum("risk", risk), `risk-${risk}`);
}

export function emptyState(title: string, text?: string, action?: HTMLElement): HTMLElement {
  return h("div", { class: "empty" }, icon("folder", 36), h("h3", null, title), text ? h("p", null, text) : null, action ?? null);
}

export function loading(): HTMLElement {
  return h("div", { class: "loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), t("status.loading"));
}
