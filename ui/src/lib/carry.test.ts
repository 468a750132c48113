// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";

import { carryAcrossReload, decodeCarried, encodeCarried, takeCarried } from "./carry";

describe("what crosses the reload after a lock", () => {
  it("round-trips the notice, the language and the auto-lock setting", () => {
    const c = { notice: { reason: "idle" as const, discardedUnsaved: true }, lang: "ar" as const, autoLockMinutes: 12 };
    expect(decodeCarried(`#${encodeCarried(c)}`)).toEqual(c);
    expect(decodeCarried(encodeCarried({ notice: { reason: "manual", discardedUnsaved: false } }))).toEqual({
      notice: { reason: "manual", discardedUnsaved: false },
    });
  });

  it("ignores what it does not know, and values out of range", () => {
    expect(decodeCarried("#locked=evil&lang=de&autolock=0")).toEqual({});
    expect(decodeCarried("#autolock=121")).toEqual({});
    expect(decodeCarried("#autolock=5.5")).toEqual({});
    expect(decodeCarried("#autolock=-3&lang=fr")).toEqual({ lang: "fr" });
    expect(decodeCarried("")).toEqual({});
  });

  it("is taken once: the fragment leaves the URL", () => {
    carryAcrossReload({ notice: { reason: "panic", discardedUnsaved: false }, lang: "fr", autoLockMinutes: 3 });
    expect(location.hash).toContain("locked=panic");
    expect(takeCarried()).toEqual({ notice: { reason: "panic", discardedUnsaved: false }, lang: "fr", autoLockMinutes: 3 });
    expect(location.hash).toBe("");
    expect(takeCarried()).toEqual({});
  });
});
