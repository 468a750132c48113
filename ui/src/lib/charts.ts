// Chart geometry for the Statistics screen, without the DOM: horizontal bar
// charts, a flow diagram between states and a histogram. Everything is
// computed for a given width and direction, so right-to-left layouts put
// labels on the right and grow bars leftwards. Drawn as SVG by views/charts.

export interface Datum {
  key: string;
  label: string;
  value: number;
}

export interface BarRow {
  key: string;
  label: string;
  value: number;
  /** Top of the bar's row. */
  y: number;
  /** The bar. */
  x: number;
  width: number;
  /** Where the label is drawn (its anchor point). */
  labelX: number;
  /** Where the value is drawn. */
  valueX: number;
}

export interface BarLayout {
  rows: BarRow[];
  height: number;
  anchorLabel: "start" | "end";
  anchorValue: "start" | "end";
}

/** Horizontal bars, largest first (ties by label), the longest filling the space after the labels. */
export function barLayout(data: Datum[], opts: { width: number; rowHeight?: number; labelWidth?: number; rtl?: boolean; max?: number; keepOrder?: boolean }): BarLayout {
  const rowH = opts.rowHeight ?? 26;
  const labelW = opts.labelWidth ?? Math.round(opts.width * 0.36);
  const valueW = 44;
  const room = Math.max(10, opts.width - labelW - valueW - 8);
  const nonzero = [...data].filter((d) => d.value > 0);
  const sorted = (opts.keepOrder ? nonzero : nonzero.sort((a, b) => b.value - a.value || a.label.localeCompare(b.label))).slice(0, opts.max ?? 12);
  const top = Math.max(1, ...sorted.map((d) => d.value));
  const rows = sorted.map((d, i) => {
    const w = Math.max(2, Math.round((d.value / top) * room));
    const x = opts.rtl ? opts.width - labelW - 8 - w : labelW + 8;
    return {
      key: d.key,
      label: d.label,
      value: d.value,
      y: i * rowH,
      x,
      width: w,
      labelX: opts.rtl ? opts.width : labelW,
      valueX: opts.rtl ? x - 6 : x + w + 6,
    };
  });
  return { rows, height: rows.length * rowH, anchorLabel: "end", anchorValue: opts.rtl ? "end" : "start" };
}

export interface FlowNode {
  key: string;
  label: string;
  total: number;
  y: number;
  height: number;
}

export interface FlowLink {
  source: string;
  target: string;
  count: number;
  /** Vertical centre of the band at each end. */
  y0: number;
  y1: number;
  thickness: number;
}

export interface FlowLayout {
  left: FlowNode[];
  right: FlowNode[];
  links: FlowLink[];
  height: number;
  /** x of the inner edges of the two columns of nodes. */
  x0: number;
  x1: number;
  nodeWidth: number;
}

/** A two-column flow diagram: requesting states (start side) to requested states (end side). */
export function flowLayout(
  flows: Array<{ source: string; target: string; count: number }>,
  opts: { width: number; label: (code: string) => string; rtl?: boolean; gap?: number; unit?: number },
): FlowLayout {
  const gap = opts.gap ?? 10;
  const unit = opts.unit ?? 18;
  const nodeWidth = 12;
  const live = flows.filter((f) => f.count > 0);
  const totals = (side: "source" | "target") => {
    const m = new Map<string, number>();
    for (const f of live) m.set(f[side], (m.get(f[side]) ?? 0) + f.count);
    return [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  };
  const place = (entries: Array<[string, number]>): FlowNode[] => {
    let y = 0;
    return entries.map(([key, total]) => {
      const n = { key, label: opts.label(key), total, y, height: total * unit };
      y += n.height + gap;
      return n;
    });
  };
  const sources = place(totals("source"));
  const targets = place(totals("target"));
  const height = Math.max(0, ...[...sources, ...targets].map((n) => n.y + n.height));
  // Bands leave each node in the order of the other side's nodes, so they do not cross needlessly.
  const order = (nodes: FlowNode[]) => new Map(nodes.map((n, i) => [n.key, i]));
  const so = order(sources);
  const to = order(targets);
  const usedOut = new Map<string, number>();
  const usedIn = new Map<string, number>();
  const links = [...live]
    .sort((a, b) => so.get(a.source)! - so.get(b.source)! || to.get(a.target)! - to.get(b.target)!)
    .map((f) => {
      const s = sources[so.get(f.source)!];
      const t = targets[to.get(f.target)!];
      const thickness = f.count * unit;
      const o = usedOut.get(f.source) ?? 0;
      usedOut.set(f.source, o + thickness);
      return { f, s, t, thickness, y0: s.y + o + thickness / 2 };
    });
  for (const l of [...links].sort((a, b) => to.get(a.f.target)! - to.get(b.f.target)! || so.get(a.f.source)! - so.get(b.f.source)!)) {
    const i = usedIn.get(l.f.target) ?? 0;
    usedIn.set(l.f.target, i + l.thickness);
    (l as { y1?: number }).y1 = l.t.y + i + l.thickness / 2;
  }
  const labelRoom = Math.min(200, Math.round(opts.width * 0.26));
  const x0 = labelRoom + nodeWidth;
  const x1 = opts.width - labelRoom - nodeWidth;
  return {
    left: opts.rtl ? targets : sources,
    right: opts.rtl ? sources : targets,
    links: links.map((l) => {
      const y1 = (l as { y1?: number }).y1!;
      return opts.rtl
        ? { source: l.f.source, target: l.f.target, count: l.f.count, y0: y1, y1: l.y0, thickness: l.thickness }
        : { source: l.f.source, target: l.f.target, count: l.f.count, y0: l.y0, y1, thickness: l.thickness };
    }),
    height,
    x0,
    x1,
    nodeWidth,
  };
}

/** The SVG path of a band between the two columns (a smooth S-curve of the given thickness). */
export function bandPath(x0: number, y0: number, x1: number, y1: number, thickness: number): string {
  const h = thickness / 2;
  const mx = (x0 + x1) / 2;
  const r = (n: number) => Math.round(n * 10) / 10;
  return [
    `M${r(x0)},${r(y0 - h)}`,
    `C${r(mx)},${r(y0 - h)} ${r(mx)},${r(y1 - h)} ${r(x1)},${r(y1 - h)}`,
    `L${r(x1)},${r(y1 + h)}`,
    `C${r(mx)},${r(y1 + h)} ${r(mx)},${r(y0 + h)} ${r(x0)},${r(y0 + h)}`,
    "Z",
  ].join(" ");
}

export interface Column {
  key: string;
  value: number;
  x: number;
  width: number;
  y: number;
  height: number;
}

/** Vertical columns of a histogram in reading order (reversed right to left), scaled to `height`. */
export function histogram(buckets: Array<{ key: string; count: number }>, opts: { width: number; height: number; rtl?: boolean }): Column[] {
  const n = buckets.length;
  if (!n) return [];
  const slot = opts.width / n;
  const w = Math.max(4, Math.round(slot * 0.7));
  const top = Math.max(1, ...buckets.map((b) => b.count));
  return buckets.map((b, i) => {
    const pos = opts.rtl ? n - 1 - i : i;
    const h = Math.round((b.count / top) * opts.height);
    return { key: b.key, value: b.count, x: Math.round(pos * slot + (slot - w) / 2), width: w, y: opts.height - h, height: h };
  });
}
