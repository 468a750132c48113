import { describe, expect, it } from "vitest";
import { bandPath, barLayout, flowLayout, histogram } from "./charts";

const data = [
  { key: "SA", label: "Saudi Arabia", value: 4 },
  { key: "EG", label: "Egypt", value: 8 },
  { key: "TR", label: "Türkiye", value: 0 },
  { key: "AE", label: "UAE", value: 2 },
];

describe("bar charts", () => {
  it("sort largest first, drop zeros, and scale the longest bar to the room", () => {
    const l = barLayout(data, { width: 400, labelWidth: 100 });
    expect(l.rows.map((r) => r.key)).toEqual(["EG", "SA", "AE"]);
    const room = 400 - 100 - 44 - 8;
    expect(l.rows[0].width).toBe(room);
    expect(l.rows[1].width).toBe(Math.round(room / 2));
    expect(l.rows.map((r) => r.y)).toEqual([0, 26, 52]);
    expect(l.height).toBe(78);
  });
  it("mirror right to left: labels on the right, bars growing leftwards", () => {
    const ltr = barLayout(data, { width: 400, labelWidth: 100 });
    const rtl = barLayout(data, { width: 400, labelWidth: 100, rtl: true });
    for (const [a, b] of ltr.rows.map((r, i) => [r, rtl.rows[i]])) {
      expect(b.width).toBe(a.width);
      expect(b.x + b.width).toBe(400 - a.x);
      expect(b.valueX).toBeLessThan(b.x);
    }
    expect(rtl.rows[0].labelX).toBe(400);
  });
  it("keep at most `max` rows, and the given order when asked (years)", () => {
    expect(barLayout(data, { width: 300, max: 1 }).rows).toHaveLength(1);
    expect(barLayout(data, { width: 300, keepOrder: true }).rows.map((r) => r.key)).toEqual(["SA", "EG", "AE"]);
  });
});

describe("flow diagram", () => {
  const flows = [
    { source: "EG", target: "TR", count: 3 },
    { source: "EG", target: "FR", count: 1 },
    { source: "SA", target: "TR", count: 2 },
    { source: "SA", target: "DE", count: 0 },
  ];
  it("stacks nodes by total and bands without overlap, conserving counts", () => {
    const l = flowLayout(flows, { width: 600, label: (c) => c, unit: 10, gap: 5 });
    expect(l.left.map((n) => [n.key, n.total])).toEqual([["EG", 4], ["SA", 2]]);
    expect(l.right.map((n) => [n.key, n.total])).toEqual([["TR", 5], ["FR", 1]]);
    expect(l.links).toHaveLength(3);
    // The bands leaving EG fill EG's node exactly, one after the other.
    const eg = l.left[0];
    const fromEg = l.links.filter((k) => k.source === "EG").sort((a, b) => a.y0 - b.y0);
    expect(fromEg[0].y0 - fromEg[0].thickness / 2).toBe(eg.y);
    expect(fromEg[1].y0 + fromEg[1].thickness / 2).toBe(eg.y + eg.height);
    expect(l.height).toBe(Math.max(4 * 10 + 5 + 2 * 10, 5 * 10 + 5 + 10));
  });
  it("puts the requesting states on the right in right-to-left layouts", () => {
    const l = flowLayout(flows, { width: 600, label: (c) => c, rtl: true });
    expect(l.right.map((n) => n.key)).toEqual(["EG", "SA"]);
    expect(l.left.map((n) => n.key)).toEqual(["TR", "FR"]);
  });
  it("draws a closed band", () => {
    const d = bandPath(0, 10, 100, 50, 4);
    expect(d.startsWith("M0,8 C50,8 50,48 100,48 L100,52")).toBe(true);
    expect(d.endsWith("Z")).toBe(true);
  });
});

describe("histogram", () => {
  it("scales to the tallest column and reverses right to left", () => {
    const b = [{ key: "0-30", count: 1 }, { key: "31-90", count: 4 }, { key: "91+", count: 0 }];
    const c = histogram(b, { width: 300, height: 100 });
    expect(c.map((x) => x.height)).toEqual([25, 100, 0]);
    expect(c[0].x).toBeLessThan(c[1].x);
    const r = histogram(b, { width: 300, height: 100, rtl: true });
    expect(r[0].x).toBeGreaterThan(r[1].x);
    expect(histogram([], { width: 10, height: 10 })).toEqual([]);
  });
});
