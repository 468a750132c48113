// Dates, sizes and countries for display, in the UI language.

import { lang, locale, t, formatNumber, type Lang } from "../i18n";
import { api } from "../api";

const dtf = new Map<string, Intl.DateTimeFormat>();
function fmt(key: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const k = `${locale()}|${key}`;
  let f = dtf.get(k);
  if (!f) {
    f = new Intl.DateTimeFormat(locale(), opts);
    dtf.set(k, f);
  }
  return f;
}

/** A stored date ("2024", "2024-03", "~2024-03-15") in words. */
export function formatFuzzyDate(stored: string | null | undefined): string {
  if (!stored) return "";
  const approx = stored.startsWith("~");
  const s = approx ? stored.slice(1) : stored;
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(s);
  if (!m) return stored;
  const y = Number(m[1]);
  const mo = m[2] ? Number(m[2]) : undefined;
  const d = m[3] ? Number(m[3]) : undefined;
  const date = new Date(Date.UTC(y, (mo ?? 1) - 1, d ?? 1, 12));
  date.setUTCFullYear(y);
  let text: string;
  if (d !== undefined) text = fmt("day", { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" }).format(date);
  else if (mo !== undefined) text = fmt("month", { year: "numeric", month: "long", timeZone: "UTC" }).format(date);
  else text = fmt("year", { year: "numeric", timeZone: "UTC" }).format(date);
  return approx ? t("date.approx", { date: text }) : text;
}

/** An exact day ("2024-03-15") in short words. */
export function formatDay(iso: string | null | undefined): string {
  if (!iso) return "";
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12));
  return fmt("dayShort", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" }).format(date);
}

/** An RFC 3339 time stamp in local time. */
export function formatDateTime(rfc3339: string | null | undefined): string {
  if (!rfc3339) return "";
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  return fmt("datetime", { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }).format(d);
}

export function formatBytes(n: number): string {
  const units: Array<[number, string]> = [
    [1024 ** 3, "gigabyte"],
    [1024 ** 2, "megabyte"],
    [1024, "kilobyte"],
  ];
  for (const [size, unit] of units) {
    if (n >= size) {
      try {
        return new Intl.NumberFormat(locale(), { style: "unit", unit, maximumFractionDigits: 1 }).format(n / size);
      } catch {
        return `${formatNumber(Math.round((n / size) * 10) / 10)} ${unit}`;
      }
    }
  }
  return t("unit.bytes", { n });
}

// Country names come from the core (`countries(lang)`): one table for the CLI, bundles and the UI.
const countryCache = new Map<Lang, Array<[string, string]>>();
const countryNames = new Map<Lang, Map<string, string>>();

export async function loadCountries(l: Lang = lang()): Promise<void> {
  if (countryCache.has(l)) return;
  const list = await api.countries(l);
  const collator = new Intl.Collator(l);
  list.sort((a, b) => collator.compare(a[1], b[1]));
  countryCache.set(l, list);
  countryNames.set(l, new Map(list));
}

/** Test hook and offline fallback. */
export function setCountries(l: Lang, list: Array<[string, string]>): void {
  countryCache.set(l, list);
  countryNames.set(l, new Map(list));
}

export function countries(): Array<[string, string]> {
  return countryCache.get(lang()) ?? countryCache.get("en") ?? [];
}

export function countryName(code: string | null | undefined): string {
  if (!code) return "";
  return countryNames.get(lang())?.get(code) ?? countryNames.get("en")?.get(code) ?? code;
}

/** A short form of an id or digest for display (the full value stays in a title). */
export function shortId(id: string | null | undefined, n = 8): string {
  return id ? id.slice(0, n) : "";
}
