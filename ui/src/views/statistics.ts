// Statistics: what the organisation documents, as charts people would rather
// look at than read: cases by requesting and requested state, tactic, year,
// profile and outcome (bars), the flows from requesting to requested states
// (a flow diagram), and how long CCF requests take (a distribution).
// Filterable by period and tags. Drawn as SVG by this code, nothing fetched.

import { api, toApiError } from "../api";
import { handleLockedError } from "../app";
import { dir, formatNumber, t, tEnum } from "../i18n";
import { clear, h } from "../lib/dom";
import { icon } from "../lib/icons";
import { errorMessage } from "../lib/errors";
import { countryName } from "../lib/format";
import { bandPath, barLayout, flowLayout, histogram, type Datum } from "../lib/charts";
import type { EnumGroup } from "../model";
import type { Stats, StatCount } from "../generated";
import { showViewError, viewToken } from "./shell";
import { emptyState, errorLine, loading, setError } from "./widgets";

const SVG = "http://www.w3.org/2000/svg";

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** The label of a statistic's key: a country, an enum value, a year; "unknown"/"pending" translated. */
function labelOf(kind: "country" | EnumGroup | "year", key: string): string {
  if (key === "unknown") return t("stats.unknown");
  if (key === "pending") return t("stats.pending");
  if (kind === "country") return countryName(key);
  if (kind === "year") return key;
  return tEnum(kind, key);
}

function data(counts: StatCount[], kind: "country" | EnumGroup | "year"): Datum[] {
  return counts.map((c) => ({ key: c.key, label: labelOf(kind, c.key), value: c.count }));
}

const WIDTH = 460;

function barChart(title: string, items: Datum[], testid: string, opts: { keepOrder?: boolean } = {}): HTMLElement {
  const rtl = dir() === "rtl";
  const card = h("section", { class: "card chart-card", testid, "aria-label": title }, h("h2", null, title));
  if (!items.some((d) => d.value > 0)) {
    card.append(h("p", { class: "muted" }, t("stats.none")));
    return card;
  }
  const l = barLayout(items, { width: WIDTH, rtl, labelWidth: 150, max: opts.keepOrder ? 40 : 12, keepOrder: opts.keepOrder });
  const rows = l.rows;
  const s = svg("svg", { viewBox: `0 0 ${WIDTH} ${l.height + 4}`, width: "100%", role: "img", "aria-label": title, class: "chart" });
  for (const r of rows) {
    const g = svg("g", { class: "bar-row" });
    g.append(
      svg("title", {}, `${r.label}: ${formatNumber(r.value)}`),
      svg("text", { x: r.labelX, y: r.y + 17, "text-anchor": rtl ? "start" : "end", class: "chart-label", direction: rtl ? "rtl" : "ltr" }, r.label.length > 24 ? `${r.label.slice(0, 23)}…` : r.label),
      svg("rect", { x: r.x, y: r.y + 5, width: r.width, height: 16, rx: 3, class: "chart-bar" }),
      svg("text", { x: r.valueX, y: r.y + 17, "text-anchor": rtl ? "end" : "start", class: "chart-value" }, formatNumber(r.value)),
    );
    s.append(g);
  }
  card.append(s);
  return card;
}

function flowChart(stats: Stats): HTMLElement {
  const rtl = dir() === "rtl";
  const title = t("stats.flows");
  const card = h("section", { class: "card chart-card chart-wide", testid: "stats-flows", "aria-label": title }, h("h2", null, title), h("p", { class: "muted small" }, t("stats.flows_hint")));
  if (!stats.flows.some((f) => f.count > 0)) {
    card.append(h("p", { class: "muted" }, t("stats.none")));
    return card;
  }
  const width = 900;
  const l = flowLayout(stats.flows, { width, label: (c) => countryName(c), rtl, unit: 22, gap: 12 });
  const s = svg("svg", { viewBox: `0 -4 ${width} ${l.height + 8}`, width: "100%", role: "img", "aria-label": title, class: "chart chart-flow" });
  const palette = ["#1c5a8c", "#6b2fa0", "#b45309", "#1d6f46", "#b42318", "#0f766e", "#7c3aed", "#a16207"];
  const colour = new Map((rtl ? l.right : l.left).map((n, i) => [n.key, palette[i % palette.length]]));
  for (const k of l.links) {
    const p = svg("path", { d: bandPath(l.x0, k.y0, l.x1, k.y1, k.thickness), class: "flow-band", fill: colour.get(k.source) ?? "#1c5a8c" });
    p.append(svg("title", {}, `${countryName(k.source)} → ${countryName(k.target)}: ${formatNumber(k.count)}`));
    s.append(p);
  }
  const nodes = (list: typeof l.left, side: "left" | "right") => {
    for (const n of list) {
      const x = side === "left" ? l.x0 - l.nodeWidth : l.x1;
      s.append(svg("rect", { x, y: n.y, width: l.nodeWidth, height: n.height, rx: 2, class: "flow-node", fill: colour.get(n.key) ?? "#5a6675" }));
      const tx = side === "left" ? x - 8 : x + l.nodeWidth + 8;
      const anchor = side === "left" ? "end" : "start";
      s.append(svg("text", { x: tx, y: n.y + n.height / 2 + 5, "text-anchor": anchor, class: "chart-label", direction: "ltr" }, `${n.label} (${formatNumber(n.total)})`));
    }
  };
  nodes(l.left, "left");
  nodes(l.right, "right");
  const sides = rtl ? [t("stats.requested"), t("stats.requesting")] : [t("stats.requesting"), t("stats.requested")];
  card.append(h("div", { class: "flow-legend" }, h("span", null, sides[0]), h("span", null, icon(rtl ? "chevronPrev" : "chevronNext", 14)), h("span", null, sides[1])), s);
  return card;
}

function ccfChart(stats: Stats): HTMLElement {
  const rtl = dir() === "rtl";
  const title = t("stats.ccf");
  const c = stats.ccf;
  const card = h("section", { class: "card chart-card chart-wide", testid: "stats-ccf", "aria-label": title }, h("h2", null, title));
  const figures = h(
    "div",
    { class: "figures-row" },
    figure(t("stats.ccf.requests"), c.requests),
    figure(t("stats.ccf.decided"), c.decided.count),
    figure(t("stats.ccf.median"), c.decided.median_days === null ? "—" : t("stats.days", { n: Math.round(c.decided.median_days) })),
    figure(t("stats.ccf.pending"), c.pending.count),
    figure(t("stats.ccf.pending_longest"), c.pending.max_days === null ? "—" : t("stats.days", { n: c.pending.max_days })),
  );
  card.append(figures);
  const w = 860;
  const hgt = 140;
  const draw = (label: string, buckets: Array<{ key: string; count: number }>, cls: string, testid: string) => {
    if (!buckets.some((b) => b.count > 0)) return null;
    const cols = histogram(buckets, { width: w, height: hgt, rtl });
    const s = svg("svg", { viewBox: `0 -18 ${w} ${hgt + 42}`, width: "100%", role: "img", "aria-label": label, class: "chart", "data-testid": testid });
    s.append(svg("line", { x1: 0, y1: hgt, x2: w, y2: hgt, class: "chart-axis" }));
    for (const col of cols) {
      const g = svg("g", {});
      g.append(svg("title", {}, `${t("stats.days_range", { range: col.key })}: ${formatNumber(col.value)}`));
      g.append(svg("rect", { x: col.x, y: col.y, width: col.width, height: Math.max(col.height, col.value ? 2 : 0), rx: 3, class: cls }));
      if (col.value) g.append(svg("text", { x: col.x + col.width / 2, y: col.y - 5, "text-anchor": "middle", class: "chart-value" }, formatNumber(col.value)));
      g.append(svg("text", { x: col.x + col.width / 2, y: hgt + 18, "text-anchor": "middle", class: "chart-label", direction: "ltr" }, col.key));
      s.append(g);
    }
    return h("div", { class: "histogram" }, h("h3", { class: "h-small" }, label), s);
  };
  const decided = draw(t("stats.ccf.decided_dist"), c.decided.buckets, "chart-bar", "stats-ccf-decided");
  const pending = draw(t("stats.ccf.pending_dist"), c.pending.buckets, "chart-bar chart-bar-pending", "stats-ccf-pending");
  if (!decided && !pending) card.append(h("p", { class: "muted" }, t("stats.none")));
  card.append(...[decided, pending].filter((x): x is HTMLDivElement => !!x), h("p", { class: "muted small" }, t("stats.ccf.axis")));
  return card;
}

function figure(label: string, value: number | string): HTMLElement {
  return h("div", { class: "figure" }, h("span", { class: "figure-value" }, typeof value === "number" ? formatNumber(value) : value), h("span", { class: "figure-label" }, label));
}

export function renderStatistics(main: HTMLElement): void {
  const alive = viewToken();
  const from = h("input", { type: "number", class: "input input-short", min: "1900", max: "2100", placeholder: "2018", testid: "stats-from", id: "stats-from", dir: "ltr" });
  const to = h("input", { type: "number", class: "input input-short", min: "1900", max: "2100", placeholder: "2026", testid: "stats-to", id: "stats-to", dir: "ltr" });
  const tags = h("input", { type: "text", class: "input", testid: "stats-tags", id: "stats-tags", placeholder: t("stats.tags_placeholder"), dir: "auto" });
  const apply = h("button", { type: "submit", class: "button", testid: "stats-apply" }, t("stats.apply"));
  const err = errorLine("stats-filter-error");
  const body = h("div", { class: "view-body" }, loading());
  const form = h(
    "form",
    { class: "filters stats-filters", novalidate: true, "aria-label": t("stats.filter") },
    h("div", { class: "filter" }, h("label", { for: "stats-from" }, t("stats.from")), from),
    h("div", { class: "filter" }, h("label", { for: "stats-to" }, t("stats.to")), to),
    h("div", { class: "filter" }, h("label", { for: "stats-tags" }, t("stats.tags")), tags),
    h("div", { class: "filter" }, apply),
    err,
  );
  clear(main, h("header", { class: "view-header" }, h("div", null, h("h1", { tabindex: "-1" }, t("stats.title")), h("p", { class: "muted" }, t("stats.intro")))), form, body);
  const load = () => {
    const y = (v: string) => (v.trim() ? Number(v) : null);
    const fy = y(from.value);
    const ty = y(to.value);
    if ((fy !== null && !Number.isInteger(fy)) || (ty !== null && !Number.isInteger(ty)) || (fy !== null && ty !== null && ty < fy)) {
      setError(err, t("stats.bad_period"));
      return;
    }
    setError(err, null);
    clear(body, loading());
    const filter = {
      from: fy === null ? null : `${fy}-01-01`,
      to: ty === null ? null : `${ty}-12-31`,
      tags: tags.value.split(",").map((s) => s.trim()).filter(Boolean),
    };
    api
      .stats({ filter })
      .then((s) => alive() && draw(body, s))
      .catch((x) => {
        const e = toApiError(x);
        if (!alive() || handleLockedError(e)) return;
        if (e.code.startsWith("report.")) setError(err, errorMessage(e));
        else showViewError(e, body);
      });
  };
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    load();
  });
  load();
}

function draw(body: HTMLElement, s: Stats): void {
  if (!s.totals.cases) {
    clear(body, emptyState(t("stats.empty.title"), t("stats.empty.text")));
    return;
  }
  clear(
    body,
    h(
      "div",
      { class: "figures-row stats-totals", testid: "stats-totals" },
      figure(t("stats.total.cases"), s.totals.cases),
      figure(t("stats.total.incidents"), s.totals.incidents),
      figure(t("stats.total.proceedings"), s.totals.proceedings),
      figure(t("stats.total.handed_over_despite"), s.interim_measures.handed_over_despite),
    ),
    h(
      "div",
      { class: "chart-grid" },
      barChart(t("stats.by_requesting_state"), data(s.by_requesting_state, "country"), "stats-requesting"),
      barChart(t("stats.by_requested_state"), data(s.by_requested_state, "country"), "stats-requested"),
      barChart(t("stats.by_tactic"), data(s.by_tactic, "tactic"), "stats-tactic"),
      barChart(t("stats.by_year"), data(s.by_year, "year"), "stats-year", { keepOrder: true }),
      barChart(t("stats.by_profile"), data(s.by_profile, "profile"), "stats-profile"),
      barChart(t("stats.by_outcome"), data(s.by_outcome, "outcome"), "stats-outcome"),
    ),
    flowChart(s),
    ccfChart(s),
  );
}
