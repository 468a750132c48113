import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { DICTS, LANGS, detectLang, setLang, t, tEnum, type Lang } from "./index";
import type { Msg } from "./types";
import { ENUMS } from "../model";
import { ERROR_CODES } from "../lib/errors";

const forms = (m: Msg): string[] => (typeof m === "string" ? [m] : Object.values(m).filter((x): x is string => typeof x === "string"));
const placeholders = (s: string) => new Set([...s.matchAll(/\{(\w+)\}/g)].map((x) => x[1]));

describe("translations", () => {
  const keys = (l: Lang) => Object.keys(DICTS[l]).sort();

  it.each(LANGS)("%s has exactly the same keys as English", (l) => {
    const en = new Set(keys("en"));
    const other = new Set(keys(l));
    const missing = [...en].filter((k) => !other.has(k));
    const extra = [...other].filter((k) => !en.has(k));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  });

  it.each(LANGS)("%s has no empty message and a plural 'other' form everywhere", (l) => {
    for (const [k, m] of Object.entries(DICTS[l])) {
      if (typeof m !== "string") expect(m.other, `${l} ${k}`).toBeTruthy();
      for (const f of forms(m)) expect(f.trim(), `${l} ${k}`).not.toBe("");
    }
  });

  it.each(LANGS)("%s uses the same placeholders as English", (l) => {
    for (const [k, m] of Object.entries(DICTS.en)) {
      const want = placeholders(typeof m === "string" ? m : m.other);
      const got = DICTS[l][k];
      const otherForm = typeof got === "string" ? got : got.other;
      expect([...placeholders(otherForm)].sort(), `${l} ${k}`).toEqual([...want].sort());
      // Singular/dual forms may spell the number out, but never invent a placeholder.
      for (const f of forms(got)) for (const p of placeholders(f)) expect(want.has(p), `${l} ${k} {${p}}`).toBe(true);
    }
  });

  it("every enum value is translated in every language", () => {
    for (const l of LANGS) {
      for (const [group, values] of Object.entries(ENUMS)) {
        for (const v of values) expect(DICTS[l][`enum.${group}.${v}`], `${l} enum.${group}.${v}`).toBeDefined();
      }
    }
  });

  it("every error code of the core is translated", () => {
    for (const l of LANGS) for (const code of ERROR_CODES) expect(DICTS[l][`error.${code}`], `${l} ${code}`).toBeDefined();
  });

  it("every key used in the source exists", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith(".ts") && !p.endsWith(".test.ts") && !p.includes("/i18n/")) files.push(p);
      }
    };
    walk(join(__dirname, ".."));
    const used = new Set<string>();
    for (const f of files) {
      const src = readFileSync(f, "utf8");
      for (const m of src.matchAll(/\bt\(\s*"([a-z0-9_.]+)"/g)) used.add(m[1]);
      for (const m of src.matchAll(/t\((?:\w+ \? )"([a-z0-9_.]+)" : "([a-z0-9_.]+)"/g)) used.add(m[1]).add(m[2]);
      for (const m of src.matchAll(/"((?:strength\.hint|date\.error|nav)\.[a-z_]+)"/g)) used.add(m[1]);
    }
    // Keys built from enums and kinds.
    for (const k of ["case", "situation", "incident", "instrument", "proceeding", "testimony", "source", "evidence"]) {
      used.add(`add.${k}`).add(`edit.${k}`).add(`delete.${k}.title`);
    }
    for (const tab of ["situations", "incidents", "instruments", "proceedings", "testimonies", "sources", "evidence", "timeline"]) used.add(`tab.${tab}`);
    for (const s of [0, 1, 2, 3, 4]) used.add(`strength.${s}`);
    expect(used.size).toBeGreaterThan(300);
    const missing = [...used].filter((k) => DICTS.en[k] === undefined);
    expect(missing).toEqual([]);
  });

  it("says the CCF's full name in each language", () => {
    setLang("en");
    expect(tEnum("proceeding_kind", "ccf_deletion")).toContain("Commission for the Control of INTERPOL's Files");
    setLang("fr");
    expect(tEnum("proceeding_kind", "ccf_deletion")).toContain("Commission de contrôle des fichiers d'INTERPOL");
    setLang("ar");
    expect(tEnum("proceeding_kind", "ccf_deletion")).toContain("لجنة الرقابة على محفوظات الإنتربول");
    setLang("en");
  });

  it("chooses plural forms and formats numbers per language", () => {
    expect(t("cases.count", { n: 1 }, "en")).toBe("1 case");
    expect(t("cases.count", { n: 3 }, "en")).toBe("3 cases");
    expect(t("cases.count", { n: 1 }, "fr")).toBe("1 dossier");
    expect(t("cases.count", { n: 2 }, "ar")).toBe("قضيتان");
    expect(t("cases.count", { n: 1 }, "ar")).toBe("قضية واحدة");
    // 1200 days: grouped per locale.
    expect(t("proceeding.days_pending", { n: 1200 }, "en")).toBe("Pending for 1,200 days");
    expect(t("proceeding.days_pending", { n: 1200 }, "fr")).toMatch(/^En attente depuis 1\s200 jours$/);
  });

  it("counts what a bundle or a backup holds in words, never as 'record(s)'", () => {
    const counts = (l: "en" | "fr" | "ar", cases: number, records: number, files: number) =>
      t("export.done.counts", { cases: t("count.cases", { n: cases }, l), records: t("count.records", { n: records }, l), files: t("count.files", { n: files }, l) }, l);
    expect(counts("en", 1, 8, 1)).toBe("1 case, 8 records, 1 file");
    expect(counts("fr", 1, 8, 0)).toBe("1 dossier, 8 fiches, 0 fichier");
    // Arabic: dual, 3-10 (plural), 11-99 (singular, accusative), 100 (singular).
    expect(counts("ar", 2, 3, 11)).toBe("قضيتان، 3 سجلات، 11 ملفًا");
    expect(t("count.records", { n: 100 }, "ar")).toBe("100 سجل");
    for (const l of ["en", "fr", "ar"] as const) {
      for (const key of ["export.done.counts", "backup.done_counts", "backup.restore.done"]) expect(t(key, { cases: "", records: "", files: "" }, l)).not.toMatch(/\(s\)/);
    }
  });

  it("falls back to English, then to the key, never to nothing", () => {
    expect(t("no.such.key")).toBe("no.such.key");
  });

  it("starts in the system language when it is one of ours", () => {
    expect(detectLang(["ar-MA", "fr"])).toBe("ar");
    expect(detectLang(["fr-CA"])).toBe("fr");
    expect(detectLang(["de-DE", "en-US"])).toBe("en");
    expect(detectLang(["tr"])).toBe("en");
  });
});
