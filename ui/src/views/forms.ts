// A small declarative form engine for records: each field has a path into
// the record's JSON; reading a form starts from the record as it was, so
// fields the form does not show are kept, and an edit becomes a minimal
// merge patch.

import { h, uid } from "../lib/dom";
import { icon } from "../lib/icons";
import { enumOptions, t, tEnum } from "../i18n";
import type { EnumGroup } from "../model";
import { NAME_KINDS } from "../model";
import { countriesMulti, countrySelect, dateInput, enumSelect, errorLine, select, setError } from "./widgets";

export type Spec =
  | { type: "text" | "textarea"; path: string; label: string; required?: boolean; testid?: string; hint?: string; rows?: number; mono?: boolean; wide?: boolean; dirAuto?: boolean }
  | { type: "enum"; path: string; label: string; group: EnumGroup; optional?: boolean; testid?: string }
  | { type: "fuzzydate" | "date"; path: string; label: string; required?: boolean; testid?: string }
  | { type: "country"; path: string; label: string; required?: boolean; testid?: string }
  | { type: "countries"; path: string; label: string; testid?: string }
  | { type: "checkbox"; path: string; label: string; testid?: string }
  | { type: "checks"; path: string; label: string; group: EnumGroup; testid?: string }
  | { type: "tags"; path: string; label: string; hint?: string; testid?: string }
  | { type: "lines"; path: string; label: string; hint?: string; testid?: string }
  | { type: "tristate"; path: string; label: string; testid?: string }
  | { type: "select"; path: string; label: string; options: Array<[string, string]>; empty: string; testid?: string }
  | { type: "language"; path: string; label: string; testid?: string }
  | { type: "names"; path: string; label: string }
  | { type: "section"; legend: string; fields: Spec[]; tone?: "sensitive" | "muted"; note?: string; wide?: boolean };

type ReadResult = { ok: true; value: unknown } | { ok: false; error: string };

export interface Control {
  el: HTMLElement;
  path: string;
  read(): ReadResult;
  showError(msg: string | null): void;
  dirty(): boolean;
  focus(): void;
}

// ------------------------------------------------------------ paths

type Obj = { [k: string]: unknown };
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export function getPath(o: unknown, path: string): unknown {
  let cur: unknown = o;
  for (const p of path.split(".")) {
    if (!isObj(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

export function setPath(o: Obj, path: string, value: unknown): void {
  const parts = path.split(".");
  let cur: Obj = o;
  for (const p of parts.slice(0, -1)) {
    if (!isObj(cur[p])) cur[p] = {};
    cur = cur[p] as Obj;
  }
  const last = parts[parts.length - 1];
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}

/** Removes empty objects (an optional place with nothing in it) and null optionals. */
export function prune(o: Obj): Obj {
  for (const [k, v] of Object.entries(o)) {
    if (v === null || v === undefined) delete o[k];
    else if (isObj(v)) {
      prune(v);
      if (Object.keys(v).length === 0) delete o[k];
    }
  }
  return o;
}

// ------------------------------------------------------------ controls

function labelled(label: string, control: HTMLElement, err: HTMLElement, opts: { required?: boolean; hint?: string; wide?: boolean } = {}): HTMLElement {
  if (!control.id) control.id = uid();
  return h(
    "div",
    { class: ["field", opts.wide && "field-wide"] },
    h("label", { class: "field-label", for: control.id }, label, opts.required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null),
    control,
    opts.hint ? h("div", { class: "field-hint" }, opts.hint) : null,
    err,
  );
}

function simple(spec: Spec & { path: string }, el: HTMLElement, focusEl: HTMLElement, err: HTMLElement, read: () => ReadResult, snapshot: () => string): Control {
  const start = snapshot();
  return {
    el,
    path: spec.path,
    read,
    showError: (m) => {
      setError(err, m);
      focusEl.setAttribute("aria-invalid", String(!!m));
    },
    dirty: () => snapshot() !== start,
    focus: () => focusEl.focus(),
  };
}

function textControl(spec: Extract<Spec, { type: "text" | "textarea" }>, initial: unknown): Control {
  const value = typeof initial === "string" ? initial : "";
  const input =
    spec.type === "textarea"
      ? h("textarea", { class: ["input", "textarea", spec.dirAuto !== false && "text-auto"], rows: spec.rows ?? 4, testid: spec.testid, dir: "auto", value })
      : h("input", { type: "text", class: ["input", spec.mono && "input-mono"], testid: spec.testid, dir: spec.mono ? "ltr" : "auto", value, autocomplete: "off" });
  const err = errorLine();
  return simple(
    spec,
    labelled(spec.label, input, err, { required: spec.required, hint: spec.hint, wide: spec.wide || spec.type === "textarea" }),
    input,
    err,
    () => {
      const v = input.value.trim() ? input.value : "";
      if (spec.required && !v.trim()) return { ok: false, error: t("form.error.required") };
      return { ok: true, value: v === "" ? undefined : spec.type === "text" ? v.trim() : v };
    },
    () => input.value,
  );
}

function enumControl(spec: Extract<Spec, { type: "enum" }>, initial: unknown): Control {
  const s = enumSelect(spec.group, (initial as string) ?? null, { empty: spec.optional ? t("form.none") : undefined, testid: spec.testid });
  const err = errorLine();
  return simple(spec, labelled(spec.label, s, err), s, err, () => ({ ok: true, value: s.value || undefined }), () => s.value);
}

function selectControl(spec: Extract<Spec, { type: "select" }>, initial: unknown): Control {
  const s = select(spec.options, (initial as string) ?? null, { empty: spec.empty, testid: spec.testid });
  const err = errorLine();
  return simple(spec, labelled(spec.label, s, err), s, err, () => ({ ok: true, value: s.value || undefined }), () => s.value);
}

function dateControl(spec: Extract<Spec, { type: "fuzzydate" | "date" }>, initial: unknown): Control {
  const d = dateInput({ value: (initial as string) ?? null, exact: spec.type === "date", required: spec.required, testid: spec.testid, label: spec.label });
  const err = d.el.querySelector(".field-error") as HTMLElement;
  return {
    el: d.el,
    path: spec.path,
    read: () => {
      const r = d.read();
      return r.ok ? { ok: true, value: r.value ?? undefined } : r;
    },
    showError: (m) => {
      setError(err, m);
      d.input.setAttribute("aria-invalid", String(!!m));
    },
    dirty: d.dirty,
    focus: () => d.input.focus(),
  };
}

function countryControl(spec: Extract<Spec, { type: "country" }>, initial: unknown): Control {
  const s = countrySelect((initial as string) ?? null, { testid: spec.testid, empty: spec.required ? t("form.choose_country") : t("form.none") });
  const err = errorLine();
  return simple(
    spec,
    labelled(spec.label, s, err, { required: spec.required }),
    s,
    err,
    () => (spec.required && !s.value ? { ok: false, error: t("form.error.country") } : { ok: true, value: s.value || undefined }),
    () => s.value,
  );
}

function countriesControl(spec: Extract<Spec, { type: "countries" }>, initial: unknown): Control {
  const m = countriesMulti(Array.isArray(initial) ? (initial as string[]) : [], spec.testid);
  const err = errorLine();
  const sel = m.el.querySelector("select")!;
  const el = labelled(spec.label, m.el, err);
  el.querySelector("label")!.setAttribute("for", sel.id || (sel.id = uid()));
  return { el, path: spec.path, read: () => ({ ok: true, value: m.read() }), showError: (x) => setError(err, x), dirty: m.dirty, focus: () => sel.focus() };
}

function checkboxControl(spec: Extract<Spec, { type: "checkbox" }>, initial: unknown): Control {
  const c = h("input", { type: "checkbox", checked: initial === true, testid: spec.testid });
  const el = h("label", { class: "check-row" }, c, h("span", null, spec.label));
  const start = c.checked;
  return { el, path: spec.path, read: () => ({ ok: true, value: c.checked }), showError: () => {}, dirty: () => c.checked !== start, focus: () => c.focus() };
}

function checksControl(spec: Extract<Spec, { type: "checks" }>, initial: unknown): Control {
  const values = new Set(Array.isArray(initial) ? (initial as string[]) : []);
  const boxes = enumOptions(spec.group).map(([v, label]) => {
    const c = h("input", { type: "checkbox", value: v, checked: values.has(v), testid: spec.testid ? `${spec.testid}-${v}` : undefined });
    return { v, c, el: h("label", { class: "check-chip" }, c, h("span", null, label)) };
  });
  const el = h("fieldset", { class: "field field-wide fieldset-plain" }, h("legend", { class: "field-label" }, spec.label), h("div", { class: "check-grid" }, boxes.map((b) => b.el)));
  const read = () => boxes.filter((b) => b.c.checked).map((b) => b.v);
  const start = JSON.stringify(read());
  return { el, path: spec.path, read: () => ({ ok: true, value: read() }), showError: () => {}, dirty: () => JSON.stringify(read()) !== start, focus: () => boxes[0]?.c.focus() };
}

function listControl(spec: Extract<Spec, { type: "tags" | "lines" }>, initial: unknown): Control {
  const arr = Array.isArray(initial) ? (initial as string[]) : [];
  const input =
    spec.type === "tags"
      ? h("input", { type: "text", class: "input", value: arr.join(", "), testid: spec.testid, dir: "auto" })
      : h("textarea", { class: "input textarea text-auto", rows: 3, value: arr.join("\n"), testid: spec.testid, dir: "auto" });
  const err = errorLine();
  const split = () =>
    input.value
      .split(spec.type === "tags" ? /[,،\n]/ : /\n/)
      .map((s) => s.trim())
      .filter(Boolean);
  return simple(spec, labelled(spec.label, input, err, { hint: spec.hint, wide: spec.type === "lines" }), input, err, () => ({ ok: true, value: [...new Set(split())] }), () => input.value);
}

function tristateControl(spec: Extract<Spec, { type: "tristate" }>, initial: unknown): Control {
  const s = select(
    [
      ["yes", t("form.tristate.yes")],
      ["no", t("form.tristate.no")],
    ],
    initial === true ? "yes" : initial === false ? "no" : null,
    { empty: t("form.tristate.unknown"), testid: spec.testid },
  );
  const err = errorLine();
  return simple(spec, labelled(spec.label, s, err), s, err, () => ({ ok: true, value: s.value === "yes" ? true : s.value === "no" ? false : undefined }), () => s.value);
}

function languageControl(spec: Extract<Spec, { type: "language" }>, initial: unknown): Control {
  const code = typeof initial === "string" && initial ? initial : "ar";
  const known = ["ar", "fr", "en"].includes(code);
  const s = select(
    [
      ["ar", tEnum("language", "ar")],
      ["fr", tEnum("language", "fr")],
      ["en", tEnum("language", "en")],
      ["other", t("form.language.other")],
    ],
    known ? code : "other",
    { testid: spec.testid },
  );
  const other = h("input", { type: "text", class: "input input-short", value: known ? "" : code, placeholder: t("form.language.code_placeholder"), "aria-label": t("form.language.code"), dir: "ltr", testid: spec.testid ? `${spec.testid}-code` : undefined, hidden: known });
  s.addEventListener("change", () => {
    other.hidden = s.value !== "other";
    if (!other.hidden) other.focus();
  });
  const err = errorLine();
  const el = labelled(spec.label, h("div", { class: "inline" }, s, other), err, { required: true });
  el.querySelector("label")!.setAttribute("for", s.id || (s.id = uid()));
  return simple(
    spec,
    el,
    s,
    err,
    () => {
      if (s.value !== "other") return { ok: true, value: s.value };
      const v = other.value.trim();
      if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(v)) return { ok: false, error: t("form.error.language") };
      return { ok: true, value: v.toLowerCase() };
    },
    () => `${s.value}|${other.value}`,
  );
}

function namesControl(spec: Extract<Spec, { type: "names" }>, initial: unknown): Control {
  const rows = h("div", { class: "names" });
  const err = errorLine();
  const items: Array<{ input: HTMLInputElement; kind: HTMLSelectElement; row: HTMLElement }> = [];
  const kindOptions = (NAME_KINDS as readonly string[]).map((k) => [k, tEnum("name_kind", k)] as [string, string]);
  const addRow = (name = "", kind = items.length === 0 ? "primary" : "transliteration", focus = false) => {
    const input = h("input", { type: "text", class: "input", value: name, dir: "auto", "aria-label": t("case.form.name"), autocomplete: "off", testid: items.length === 0 ? "case-form-name" : `case-form-name-${items.length}` });
    const kindSel = select(kindOptions, kind, { testid: `case-form-name-kind-${items.length}` });
    kindSel.setAttribute("aria-label", t("case.form.name_kind"));
    const remove = h("button", { type: "button", class: "icon-button", "aria-label": t("case.form.remove_name"), title: t("case.form.remove_name") }, icon("x"));
    const row = h("div", { class: "name-row" }, input, kindSel, remove);
    const item = { input, kind: kindSel, row };
    remove.addEventListener("click", () => {
      if (items.length <= 1) {
        input.value = "";
        input.focus();
        return;
      }
      items.splice(items.indexOf(item), 1);
      row.remove();
      items[0]?.input.focus();
    });
    items.push(item);
    rows.appendChild(row);
    if (focus) input.focus();
  };
  const list = Array.isArray(initial) ? (initial as Array<{ name: string; kind?: string }>) : [];
  if (list.length) list.forEach((n) => addRow(n.name, n.kind ?? "primary"));
  else addRow();
  const add = h("button", { type: "button", class: "button button-small", testid: "case-form-add-name" }, icon("plus", 16), t("case.form.add_name"));
  add.addEventListener("click", () => addRow("", "transliteration", true));
  const snapshot = () => JSON.stringify(items.map((i) => [i.input.value, i.kind.value]));
  const start = snapshot();
  const el = h(
    "fieldset",
    { class: "field field-wide fieldset-plain" },
    h("legend", { class: "field-label" }, spec.label, h("span", { class: "req", "aria-hidden": "true" }, " *")),
    h("div", { class: "field-hint" }, t("case.form.names_hint")),
    rows,
    add,
    err,
  );
  return {
    el,
    path: spec.path,
    read: () => {
      const names = items.filter((i) => i.input.value.trim()).map((i) => ({ name: i.input.value.trim(), kind: i.kind.value }));
      if (!names.length) return { ok: false, error: t("case.form.error.name") };
      return { ok: true, value: names };
    },
    showError: (m) => setError(err, m),
    dirty: () => snapshot() !== start,
    focus: () => items[0]?.input.focus(),
  };
}

function build(spec: Exclude<Spec, { type: "section" }>, data: unknown): Control {
  const initial = getPath(data, spec.path);
  switch (spec.type) {
    case "text":
    case "textarea":
      return textControl(spec, initial);
    case "enum":
      return enumControl(spec, initial);
    case "select":
      return selectControl(spec, initial);
    case "fuzzydate":
    case "date":
      return dateControl(spec, initial);
    case "country":
      return countryControl(spec, initial);
    case "countries":
      return countriesControl(spec, initial);
    case "checkbox":
      return checkboxControl(spec, initial);
    case "checks":
      return checksControl(spec, initial);
    case "tags":
    case "lines":
      return listControl(spec, initial);
    case "tristate":
      return tristateControl(spec, initial);
    case "language":
      return languageControl(spec, initial);
    case "names":
      return namesControl(spec, initial);
  }
}

export interface BuiltForm {
  el: HTMLElement;
  controls: Control[];
  /** Reads and validates; on failure shows messages and focuses the first bad field. */
  collect(extra?: (data: Obj) => Array<{ path: string; error: string }>): { ok: true; data: Obj } | { ok: false };
  dirty(): boolean;
}

export function buildForm(specs: Spec[], initial: Obj): BuiltForm {
  const controls: Control[] = [];
  const render = (list: Spec[]): HTMLElement[] =>
    list.map((s) => {
      if (s.type === "section") {
        return h(
          "fieldset",
          { class: ["form-section", s.tone && `form-section-${s.tone}`] },
          h("legend", null, s.tone === "sensitive" ? icon("lock", 16) : null, s.legend),
          s.note ? h("p", { class: "section-note" }, s.note) : null,
          h("div", { class: "form-grid" }, render(s.fields)),
        );
      }
      const c = build(s, initial);
      controls.push(c);
      return c.el;
    });
  const el = h("div", { class: "form-grid form-top" }, render(specs));
  return {
    el,
    controls,
    dirty: () => controls.some((c) => c.dirty()),
    collect(extra) {
      const data = JSON.parse(JSON.stringify(initial ?? {})) as Obj;
      let firstBad: Control | null = null;
      let failed = false;
      for (const c of controls) {
        const r = c.read();
        if (!r.ok) {
          c.showError(r.error);
          failed = true;
          firstBad ??= c;
        } else {
          c.showError(null);
          setPath(data, c.path, r.value);
        }
      }
      prune(data);
      if (!failed && extra) {
        for (const problem of extra(data)) {
          const c = controls.find((x) => x.path === problem.path);
          c?.showError(problem.error);
          failed = true;
          firstBad ??= c ?? null;
        }
      }
      if (failed) {
        firstBad?.focus();
        return { ok: false };
      }
      return { ok: true, data };
    },
  };
}
