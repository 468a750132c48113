import { describe, expect, it } from "vitest";
import { DICTS, LANGS, setLang } from "../i18n";
import type { ImportReport, ProposalReason, ProposedChange } from "../generated";
import schema from "../model/records.schema.json";
import {
  ACTION_KEYS, REASON_KEYS, changesNothing, cut, diffRows, fieldLabel, groupByBundle, isolate, outcomeRows, reasonText, valueText,
} from "./proposals";

// Every reason of the core, as generated (ui/src/generated/ProposalReason.ts).
const REASONS: ProposalReason[] = [
  "new_record_in_your_case", "not_custodian", "sender_not_verified", "not_addressed_to_you", "old_format", "edited_here",
  "same_version_different", "version_jump", "own_other_copy", "received_before_custody", "needs_a_record_not_taken", "deletion",
];

const proposal = (p: Partial<ProposedChange>): ProposedChange => ({
  id: "p1", record_id: "r1", kind: "testimony", case_id: "c1", case_label: "Salma Haddad (fictional)", label: "Testimony",
  action: "change", reason: "not_custodian", fields: [], sender_name: "Karim (fictional)", sender_fingerprint: "12345 67890",
  sender_verified: false, bundle_id: "b1", received_at: "2026-12-01T10:00:00Z", status: "pending", stale: false, ...p,
});

const report = (r: Partial<ImportReport>): ImportReport => ({
  bundle: {} as ImportReport["bundle"], dry_run: true, added: 0, added_to_existing_cases: 0, new_cases: [], held_for_review: 0,
  updated: 0, unchanged: 0, older: 0, not_brought_back: 0, rejected_before: 0, proposed: [], files_added: 0, vault_block: "none",
  restored: { identities: 0, contacts: 0 }, ...r,
});

describe("reasons and actions in plain words", () => {
  it("has a sentence for every reason of the core, in every language", () => {
    expect(Object.keys(REASON_KEYS).sort()).toEqual([...REASONS].sort());
    for (const l of LANGS) for (const r of REASONS) expect(DICTS[l][REASON_KEYS[r]], `${l} ${r}`).toBeTruthy();
    for (const l of LANGS) for (const k of Object.values(ACTION_KEYS)) expect(DICTS[l][k], `${l} ${k}`).toBeTruthy();
  });
  it("says each reason differently (no copy-paste left behind)", () => {
    for (const l of LANGS) {
      const texts = REASONS.map((r) => DICTS[l][REASON_KEYS[r]]);
      expect(new Set(texts).size, l).toBe(REASONS.length);
    }
  });
  it("reads in the UI language", () => {
    setLang("ar");
    expect(reasonText("deletion")).toContain("حذف المرسل");
    setLang("en");
    expect(reasonText("not_custodian")).toMatch(/did not create this record/);
  });
  it("names every field a record can have, in every language", () => {
    const fields = new Set<string>();
    for (const rec of Object.values((schema as { records: Record<string, { properties?: object }> }).records)) for (const f of Object.keys(rec.properties ?? {})) fields.add(f);
    expect(fields.size).toBeGreaterThan(30);
    for (const l of LANGS) for (const f of fields) expect(DICTS[l][`proposal.field.${f}`], `${l} ${f}`).toBeTruthy();
    setLang("en");
    expect(fieldLabel("text")).toBe("Text");
    expect(fieldLabel("some_new_field")).toBe("some new field");
  });
});

describe("a field's value as short text", () => {
  it("cuts long values with an ellipsis, on whole characters", () => {
    expect(cut("short", 10)).toBe("short");
    expect(cut("a".repeat(20), 10)).toBe(`${"a".repeat(9)}…`);
    expect(Array.from(cut("a".repeat(20), 10)).length).toBe(10);
    // Never half of a character outside the BMP.
    const s = "😀".repeat(12);
    expect(cut(s, 10)).toBe(`${"😀".repeat(9)}…`);
    expect(cut("word    then more", 8)).toBe("word…");
  });
  it("writes structured values as plain text, absent as null", () => {
    setLang("en");
    expect(valueText(null)).toBeNull();
    expect(valueText("")).toBeNull();
    expect(valueText("  ")).toBeNull();
    expect(valueText("نص الشهادة")).toBe("نص الشهادة");
    expect(valueText(1200)).toBe("1,200");
    expect(valueText(true)).toBe("yes");
    expect(valueText(["EG", "TR"])).toBe("EG, TR");
    expect(valueText({ country: "EG", locality: "Cairo" })).toBe("EG · Cairo");
    expect(valueText({ full_name: "Mona (fictional)", contact: null })).toBe("Mona (fictional)");
    expect(valueText([])).toBeNull();
  });
  it("makes diff rows: before → after, cut, the full text kept, who a source is marked", () => {
    setLang("en");
    const long = "x".repeat(500);
    const rows = diffRows([
      { field: "text", before: "old", after: long },
      { field: "identity", before: null, after: { full_name: "Mona (fictional)" } },
      { field: "notes", before: "gone", after: null },
    ]);
    expect(rows[0]).toMatchObject({ field: "text", label: "Text", before: "old", beforeCut: false, afterCut: true, afterFull: long, sensitive: false });
    expect(Array.from(rows[0].after!).length).toBe(240);
    expect(rows[0].after!.endsWith("…")).toBe(true);
    expect(rows[1]).toMatchObject({ before: null, after: "Mona (fictional)", sensitive: true });
    expect(rows[2]).toMatchObject({ before: "gone", after: null });
  });
});

describe("the inbox, grouped by bundle", () => {
  it("keeps each bundle's proposals together, oldest bundle first", () => {
    const ps = [
      proposal({ id: "a", bundle_id: "b2", received_at: "2026-12-03T00:00:00Z", sender_name: "Later (fictional)" }),
      proposal({ id: "b", bundle_id: "b1", received_at: "2026-12-01T00:00:00Z" }),
      proposal({ id: "c", bundle_id: "b2", received_at: "2026-12-03T00:00:00Z" }),
    ];
    const g = groupByBundle(ps);
    expect(g.map((x) => x.bundle_id)).toEqual(["b1", "b2"]);
    expect(g[1].items.map((p) => p.id)).toEqual(["a", "c"]);
    expect(g[1].sender_name).toBe("Later (fictional)");
    expect(groupByBundle([])).toEqual([]);
  });
  it("calls a bundle verified only if all its proposals say so", () => {
    const g = groupByBundle([proposal({ id: "a", sender_verified: true }), proposal({ id: "b", sender_verified: false })]);
    expect(g[0].sender_verified).toBe(false);
    expect(groupByBundle([proposal({ sender_verified: true })])[0].sender_verified).toBe(true);
  });
});

describe("what an import does", () => {
  it("lists the categories that apply, 'added' always", () => {
    expect(outcomeRows(report({}))).toEqual([["added", 0]]);
    const r = report({ added: 5, held_for_review: 5, updated: 1, older: 2, not_brought_back: 1, proposed: [proposal({})], files_added: 1 });
    expect(outcomeRows(r)).toEqual([["added", 5], ["updated", 1], ["older", 2], ["not_brought_back", 1], ["proposed", 1], ["files_added", 1]]);
  });
  it("knows when importing changes nothing", () => {
    expect(changesNothing(report({ unchanged: 4, older: 1 }))).toBe(true);
    expect(changesNothing(report({ proposed: [proposal({})] }))).toBe(false);
    expect(changesNothing(report({ new_cases: [["c", "Case"]], added: 1 }))).toBe(false);
  });
  it("has a label for each category, for the plan and the report, in every language", () => {
    for (const l of LANGS) {
      for (const [row] of outcomeRows(report({ added: 1, added_to_existing_cases: 1, updated: 1, unchanged: 1, older: 1, not_brought_back: 1, proposed: [proposal({})], files_added: 1 }))) {
        expect(DICTS[l][`plan.row.${row}`], `${l} plan ${row}`).toBeTruthy();
        expect(DICTS[l][`report.row.${row}`], `${l} report ${row}`).toBeTruthy();
      }
    }
  });
});

describe("text from a bundle inside a sentence", () => {
  it("is wrapped in Unicode isolates, so an override in it ends with it", () => {
    const hostile = "\u202Eevil";
    expect(isolate(hostile)).toBe("\u2068\u202Eevil\u2069");
  });
});
