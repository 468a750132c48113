import { describe, expect, it } from "vitest";
import { acceptable, estimateStrength, MIN_PASSPHRASE_CHARS } from "./strength";

describe("passphrase strength", () => {
  it("empty and short passphrases are refused", () => {
    expect(estimateStrength("").score).toBe(0);
    const s = estimateStrength("Ab3$xY9");
    expect(s.tooShort).toBe(true);
    expect(acceptable(s)).toBe(false);
    expect(s.hints).toContain("strength.hint.length");
    expect(MIN_PASSPHRASE_CHARS).toBe(10);
  });

  it("common passwords are very weak whatever their decoration", () => {
    for (const p of ["password123", "P@ssw0rd2024", "azertyuiop", "qwertyuiop!", "motdepasse1", "1234567890"]) {
      const s = estimateStrength(p);
      expect(s.score, p).toBe(0);
      expect(acceptable(s), p).toBe(false);
    }
    expect(estimateStrength("password123").common).toBe(true);
  });

  it("repeats and sequences are penalised", () => {
    expect(estimateStrength("aaaaaaaaaaaa").score).toBe(0);
    expect(estimateStrength("abcdefghijkl").score).toBe(0);
    expect(estimateStrength("aaaaaaaaaaaa").hints).toContain("strength.hint.repeat");
  });

  it("a word and a year is weak", () => {
    const s = estimateStrength("Istanbul2024!");
    expect(s.score).toBeLessThanOrEqual(1);
  });

  it("longer and more varied is stronger", () => {
    const a = estimateStrength("tigerlamp");
    const b = estimateStrength("tiger lamp river");
    const c = estimateStrength("tiger lamp river, 7 Quiet boats");
    expect(b.bits).toBeGreaterThan(a.bits);
    expect(c.bits).toBeGreaterThan(b.bits);
    expect(c.score).toBe(4);
    expect(acceptable(c)).toBe(true);
  });

  it("an Arabic sentence counts as strong", () => {
    const s = estimateStrength("الشمس تشرق على جبال الأطلس");
    expect(s.score).toBeGreaterThanOrEqual(3);
    expect(acceptable(s)).toBe(true);
  });

  it("counts characters, not UTF-16 units", () => {
    // 9 emoji are 18 UTF-16 units but 9 characters: too short.
    expect(estimateStrength("🙂🙃😀😁😂🤣😃😄😅").tooShort).toBe(true);
  });
});
