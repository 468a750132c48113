// Translation: every string the UI shows goes through t(key). Three complete
// languages; Arabic switches the whole layout to right-to-left.

import { en } from "./en";
import { fr } from "./fr";
import { ar } from "./ar";
import type { Messages, Msg } from "./types";
import { ENUMS, type EnumGroup } from "../model";

export type Lang = "en" | "fr" | "ar";
export const LANGS: Lang[] = ["en", "ar", "fr"];
export const DICTS: Record<Lang, Messages> = { en, fr, ar };

/** The locale for Intl formatting (dates, numbers). Arabic uses Intl's `ar` default, consistently. */
const LOCALES: Record<Lang, string> = { en: "en-GB", fr: "fr-FR", ar: "ar" };

let current: Lang = "en";
const listeners = new Set<(l: Lang) => void>();

export function lang(): Lang {
  return current;
}

export function locale(): string {
  return LOCALES[current];
}

export function dir(l: Lang = current): "rtl" | "ltr" {
  return l === "ar" ? "rtl" : "ltr";
}

/** The language to start in: the system's, if it is one of ours. */
export function detectLang(navLangs: readonly string[] = typeof navigator !== "undefined" ? navigator.languages ?? [navigator.language] : []): Lang {
  for (const l of navLangs) {
    const base = (l || "").toLowerCase().split(/[-_]/)[0];
    if (base === "ar" || base === "fr" || base === "en") return base;
  }
  return "en";
}

export function setLang(l: Lang): void {
  current = l;
  if (typeof document !== "undefined") {
    document.documentElement.lang = l;
    document.documentElement.dir = dir(l);
    document.title = t("app.name");
  }
  for (const fn of listeners) fn(l);
}

export function onLangChange(fn: (l: Lang) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

const pluralRules = new Map<string, Intl.PluralRules>();
const numberFormats = new Map<string, Intl.NumberFormat>();

export function formatNumber(n: number, l: Lang = current): string {
  const key = l;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(LOCALES[l]);
    numberFormats.set(key, f);
  }
  return f.format(n);
}

function pick(msg: Msg, n: number | undefined, l: Lang): string {
  if (typeof msg === "string") return msg;
  if (n === undefined) return msg.other;
  if (n === 0 && msg.zero !== undefined) return msg.zero;
  let pr = pluralRules.get(l);
  if (!pr) {
    pr = new Intl.PluralRules(LOCALES[l]);
    pluralRules.set(l, pr);
  }
  return msg[pr.select(n)] ?? msg.other;
}

export type Params = Record<string, string | number>;

/** Translates a key. `{name}` placeholders are filled; numbers are formatted for the language; `n` chooses the plural form. */
export function t(key: string, params?: Params, l: Lang = current): string {
  const msg = DICTS[l][key] ?? DICTS.en[key];
  if (msg === undefined) return key;
  const n = typeof params?.n === "number" ? params.n : undefined;
  const text = pick(msg, n, l);
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => {
    const v = params[name];
    if (v === undefined) return m;
    return typeof v === "number" ? formatNumber(v, l) : v;
  });
}

export function has(key: string, l: Lang = current): boolean {
  return DICTS[l][key] !== undefined;
}

/** The translated name of an enum value (`enum.<group>.<value>`). */
export function tEnum(group: EnumGroup, value: string | null | undefined): string {
  if (value === null || value === undefined || value === "") return "";
  const key = `enum.${group}.${value}`;
  return has(key) ? t(key) : value.replace(/_/g, " ");
}

/** Options for a select of an enum, in the order the core defines. */
export function enumOptions(group: EnumGroup): Array<[string, string]> {
  return (ENUMS[group] as readonly string[]).map((v) => [v, tEnum(group, v)]);
}
