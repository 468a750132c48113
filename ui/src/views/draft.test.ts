import { describe, expect, it } from "vitest";
import { DICTS, LANGS } from "../i18n";
import { DRAFT_KINDS, draftFileName } from "./draft";

describe("draft a letter", () => {
  it("names every kind in every language", () => {
    expect(DRAFT_KINDS).toHaveLength(4);
    for (const l of LANGS) for (const k of DRAFT_KINDS) expect(DICTS[l][`draft.kind.${k}`], `${l} ${k}`).toBeDefined();
  });
  it("proposes a file name with the right extension", () => {
    expect(draftFileName("ccf-request", "ar", "pdf")).toBe("ccf-request-ar.pdf");
    expect(draftFileName("case-summary", "fr", "md")).toBe("case-summary-fr.md");
  });
});
