// Dates as case work records them: a year ("2024"), a month ("2024-03") or a
// day ("2024-03-15"), possibly approximate ("~2024-03"). Same rules as the
// Rust core (src/dossier/date.rs): impossible dates are refused.

export type DateError = "date.error.format" | "date.error.impossible" | "date.error.exact" | "date.error.range";

export type ParsedDate =
  | { ok: true; value: string; year: number; month?: number; day?: number; approximate: boolean }
  | { ok: false; error: DateError };

/** Arabic-Indic and Eastern Arabic-Indic digits to ASCII, so a person typing on an Arabic keyboard is understood. */
export function asciiDigits(s: string): string {
  return s.replace(/[\u0660-\u0669\u06f0-\u06f9]/g, (d) => {
    const c = d.charCodeAt(0);
    return String(c >= 0x06f0 ? c - 0x06f0 : c - 0x0660);
  });
}

export function daysInMonth(year: number, month: number): number {
  if ([1, 3, 5, 7, 8, 10, 12].includes(month)) return 31;
  if ([4, 6, 9, 11].includes(month)) return 30;
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return 0;
}

const pad = (n: number, w: number) => String(n).padStart(w, "0");

/**
 * Parses what a person typed in a date field. `approximate` is the
 * "approximate" toggle; a leading "~" also marks it. With `exact`, only a
 * full day that is not approximate is accepted (the core's `Date`).
 * Separators "-", "/" and "." are accepted; one-digit months and days are padded.
 */
export function parseDateInput(input: string, approximate = false, exact = false): ParsedDate {
  let t = asciiDigits(input).trim();
  if (t.startsWith("~")) {
    approximate = true;
    t = t.slice(1).trim();
  }
  const m = /^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?$/.exec(t);
  if (!m) return { ok: false, error: "date.error.format" };
  const year = Number(m[1]);
  const month = m[2] === undefined ? undefined : Number(m[2]);
  const day = m[3] === undefined ? undefined : Number(m[3]);
  if (year < 1000 || year > 9999) return { ok: false, error: "date.error.range" };
  if (month !== undefined && (month < 1 || month > 12)) return { ok: false, error: "date.error.impossible" };
  if (day !== undefined && (day < 1 || day > daysInMonth(year, month!))) return { ok: false, error: "date.error.impossible" };
  if (exact && (day === undefined || approximate)) return { ok: false, error: "date.error.exact" };
  let value = pad(year, 4);
  if (month !== undefined) value += "-" + pad(month, 2);
  if (day !== undefined) value += "-" + pad(day, 2);
  if (approximate) value = "~" + value;
  return { ok: true, value, year, month, day, approximate };
}

/** Splits a stored fuzzy date ("~2024-03") into its parts, or null if it is not one. */
export function splitStoredDate(s: string | null | undefined): { text: string; approximate: boolean } | null {
  if (!s) return null;
  const approximate = s.startsWith("~");
  return { text: approximate ? s.slice(1) : s, approximate };
}

/** Today as YYYY-MM-DD in UTC (as the core computes "today"). */
export function todayIso(now: Date = new Date()): string {
  return `${pad(now.getUTCFullYear(), 4)}-${pad(now.getUTCMonth() + 1, 2)}-${pad(now.getUTCDate(), 2)}`;
}
