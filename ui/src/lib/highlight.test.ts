import { describe, expect, it } from "vitest";
import { byteRangesToIndices, highlightSegments } from "./highlight";

const enc = new TextEncoder();
/** The byte range of the first occurrence of `part` in `text`, as Rust would give it. */
function byteRange(text: string, part: string): [number, number] {
  const at = text.indexOf(part);
  const start = enc.encode(text.slice(0, at)).length;
  return [start, start + enc.encode(part).length];
}

describe("search highlights: UTF-8 byte ranges to string indices", () => {
  it("ASCII: bytes and indices agree", () => {
    const s = "Idris Mansour was arrested";
    expect(byteRangesToIndices(s, [byteRange(s, "Mansour")])).toEqual([[6, 13]]);
  });

  it("Arabic letters take two bytes each", () => {
    const s = "…اعتُقل إدريس منصور في مطار إسطنبول";
    const r = byteRange(s, "إدريس");
    const [[a, b]] = byteRangesToIndices(s, [r]);
    expect(s.slice(a, b)).toBe("إدريس");
    expect(r[1] - r[0]).toBe(10);
  });

  it("Arabic with diacritics (combining marks) keeps the marks inside the match", () => {
    const s = "وَيُعْرَضُ فِي أَجْنِحَةِ الْمَعْرِضِ";
    const [[a, b]] = byteRangesToIndices(s, [byteRange(s, "أَجْنِحَةِ")]);
    expect(s.slice(a, b)).toBe("أَجْنِحَةِ");
  });

  it("emoji take four bytes but two UTF-16 units", () => {
    const s = "🙏🏽 Samir al-Kayali 📎 testimony";
    const segs = highlightSegments(s, [byteRange(s, "al-Kayali"), byteRange(s, "testimony")]);
    expect(segs.filter((x) => x.mark).map((x) => x.text)).toEqual(["al-Kayali", "testimony"]);
    expect(segs.map((x) => x.text).join("")).toBe(s);
  });

  it("mixed Arabic, emoji and Latin in one snippet", () => {
    const s = "قال 👮 إن Yidiresi Tuersun محتجز منذ ٣ أشهر";
    const ranges = [byteRange(s, "Yidiresi"), byteRange(s, "محتجز")];
    const segs = highlightSegments(s, ranges);
    expect(segs.filter((x) => x.mark).map((x) => x.text)).toEqual(["Yidiresi", "محتجز"]);
  });

  it("the ellipsis prefix (3 bytes) is accounted for", () => {
    const s = "…شهادة";
    expect(byteRangesToIndices(s, [[3, 15]])).toEqual([[1, 6]]);
  });

  it("offsets inside a character widen to whole characters; out of range is clamped; empty is dropped", () => {
    const s = "حسن";
    expect(byteRangesToIndices(s, [[1, 3]])).toEqual([[0, 2]]);
    expect(byteRangesToIndices(s, [[4, 100]])).toEqual([[2, 3]]);
    expect(byteRangesToIndices(s, [[2, 2], [5, 1]])).toEqual([]);
  });

  it("unsorted and overlapping ranges are merged", () => {
    const s = "abcdefgh";
    expect(byteRangesToIndices(s, [[4, 6], [0, 2], [1, 3]])).toEqual([[0, 3], [4, 6]]);
  });

  it("no highlight: one plain segment", () => {
    expect(highlightSegments("Kayali", [])).toEqual([{ text: "Kayali", mark: false }]);
  });
});
