import { describe, expect, it } from "vitest";
import { applyMergePatch, mergePatch } from "./patch";

describe("merge patch for record edits", () => {
  it("sends only what changed, nulls what was removed, recurses into objects", () => {
    const before = { text: "a", language: "ar", place: { country: "TR", locality: "Istanbul" }, interviewer: "R." };
    const after = { text: "b", language: "ar", place: { country: "TR" } };
    const p = mergePatch(before, after);
    expect(p).toEqual({ text: "b", place: { locality: null }, interviewer: null });
    expect(applyMergePatch(before, p)).toEqual(after);
  });

  it("replaces arrays whole and is empty when nothing changed", () => {
    expect(mergePatch({ tags: ["a", "b"] }, { tags: ["b"] })).toEqual({ tags: ["b"] });
    expect(mergePatch({ x: { y: 1 } }, { x: { y: 1 } })).toEqual({});
  });
});
