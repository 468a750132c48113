import { describe, expect, it } from "vitest";
import schema from "./model/records.schema.json";
import { ENUMS } from "./model";

// The enum lists the UI offers must be exactly those of the core (`amana schema`).
function enumOf(kind: string, def: string): string[] {
  const defs = (schema as any).records[kind].$defs;
  return defs[def].oneOf.map((o: any) => o.const);
}

describe("record enums match the core's schema", () => {
  it.each([
    ["status", "case", "CaseStatus"],
    ["risk", "case", "RiskLevel"],
    ["subject_kind", "case", "SubjectKind"],
    ["name_kind", "case", "NameKind"],
    ["profile", "case", "Profile"],
    ["situation", "situation", "SituationKind"],
    ["tactic", "incident", "Tactic"],
    ["instrument_kind", "instrument", "InstrumentKind"],
    ["instrument_status", "instrument", "InstrumentStatus"],
    ["proceeding_kind", "proceeding", "ProceedingKind"],
    ["outcome", "proceeding", "Outcome"],
    ["relation", "source", "SourceRelation"],
  ] as const)("%s", (group, kind, def) => {
    expect([...ENUMS[group]]).toEqual(enumOf(kind, def));
  });
  it("kinds", () => {
    expect([...ENUMS.kind].sort()).toEqual(Object.keys((schema as any).records).concat("case").filter((v, i, a) => a.indexOf(v) === i).sort());
  });
});
