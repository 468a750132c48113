// Search highlights come from Rust as BYTE ranges into the UTF-8 snippet.
// JavaScript strings are indexed in UTF-16 code units, so they must be
// converted: an Arabic letter is 2 bytes but 1 unit; an emoji is 4 bytes
// but 2 units.

export interface Segment {
  text: string;
  mark: boolean;
}

/** Bytes a code point takes in UTF-8. */
function utf8Len(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/**
 * Converts byte ranges [start, end) into UTF-16 index ranges. A byte offset
 * inside a character is moved outwards to that character's boundary; ranges
 * past the end are clamped; empty and inverted ranges are dropped; the result
 * is sorted and overlapping ranges are merged.
 */
export function byteRangesToIndices(text: string, ranges: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  // boundaries[i] = [byteOffset, utf16Offset] at each code point start, plus the end.
  const bytes: number[] = [];
  const units: number[] = [];
  let b = 0;
  let u = 0;
  for (const ch of text) {
    bytes.push(b);
    units.push(u);
    const cp = ch.codePointAt(0)!;
    b += utf8Len(cp);
    u += ch.length;
  }
  bytes.push(b);
  units.push(u);
  const totalBytes = b;

  const toUnitFloor = (byte: number): number => {
    // Largest boundary <= byte.
    let lo = 0;
    let hi = bytes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (bytes[mid] <= byte) lo = mid;
      else hi = mid - 1;
    }
    return units[lo];
  };
  const toUnitCeil = (byte: number): number => {
    // Smallest boundary >= byte.
    let lo = 0;
    let hi = bytes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (bytes[mid] >= byte) hi = mid;
      else lo = mid + 1;
    }
    return units[lo];
  };

  const out: Array<[number, number]> = [];
  for (const [s0, e0] of ranges) {
    if (!Number.isFinite(s0) || !Number.isFinite(e0)) continue;
    const s = Math.max(0, Math.min(s0, totalBytes));
    const e = Math.max(0, Math.min(e0, totalBytes));
    if (e <= s) continue;
    const a = toUnitFloor(s);
    const z = toUnitCeil(e);
    if (z > a) out.push([a, z]);
  }
  out.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const merged: Array<[number, number]> = [];
  for (const r of out) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/** Splits a snippet into plain and marked segments. */
export function highlightSegments(text: string, byteRanges: ReadonlyArray<readonly [number, number]>): Segment[] {
  const ranges = byteRangesToIndices(text, byteRanges);
  const segs: Segment[] = [];
  let at = 0;
  for (const [s, e] of ranges) {
    if (s > at) segs.push({ text: text.slice(at, s), mark: false });
    segs.push({ text: text.slice(s, e), mark: true });
    at = e;
  }
  if (at < text.length) segs.push({ text: text.slice(at), mark: false });
  return segs;
}
