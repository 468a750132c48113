// Search: names in any spelling, testimonies, notes. Results show the
// snippet with its matches marked (byte ranges from the core converted to
// string indices), and page.

import { api } from "../api";
import { app, navigate } from "../app";
import { formatNumber, t, tEnum } from "../i18n";
import { clear, h } from "../lib/dom";
import { icon } from "../lib/icons";
import { highlightSegments } from "../lib/highlight";
import { remember } from "../lib/session";
import type { SearchHit } from "../model";
import { tabForKind } from "./casePage";
import { loading } from "./widgets";
import { showViewError, viewToken } from "./shell";

export const PAGE_SIZE = 20;

export function snippetNode(hit: Pick<SearchHit, "snippet" | "highlights">): HTMLElement {
  const p = h("p", { class: "snippet text-auto", dir: "auto", testid: "search-snippet" });
  for (const s of highlightSegments(hit.snippet, hit.highlights)) p.append(s.mark ? h("mark", null, s.text) : document.createTextNode(s.text));
  return p;
}

export function renderSearch(main: HTMLElement, query = "", offset = 0): void {
  const input = h("input", { type: "text", class: "input input-search", testid: "search-input", value: query, dir: "auto", "aria-label": t("search.label"), placeholder: t("search.placeholder"), autocomplete: "off", spellcheck: "false" });
  const go = h("button", { type: "submit", class: "button button-primary", testid: "search-submit" }, icon("search", 16), t("search.submit"));
  const form = h("form", { class: "search-form", role: "search" }, h("span", { class: "search-icon", "aria-hidden": "true" }, icon("search", 18)), input, go);
  const results = h("div", { class: "search-results", "aria-live": "polite" });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    run(input.value, 0);
  });
  clear(main, h("header", { class: "view-header" }, h("div", null, h("h1", null, t("search.title")), h("p", { class: "muted" }, t("search.intro")))), form, results);
  input.focus();

  const run = (q: string, off: number) => {
    app.route = { name: "search", query: q, offset: off };
    if (!q.trim()) {
      results.replaceChildren();
      return;
    }
    const alive = viewToken();
    clear(results, loading());
    api
      .search(q, PAGE_SIZE, off)
      .then((r) => {
        if (!alive()) return;
        remember("search", r);
        if (!r.hits.length) {
          clear(results, h("p", { class: "empty-inline", testid: "search-empty" }, t("search.none", { query: q })));
          return;
        }
        const from = off + 1;
        const to = off + r.hits.length;
        const prev = h("button", { type: "button", class: "button button-small", testid: "search-prev", disabled: off === 0 }, icon("chevronPrev", 16), t("search.prev"));
        const next = h("button", { type: "button", class: "button button-small", testid: "search-next", disabled: to >= r.total }, t("search.next"), icon("chevronNext", 16));
        prev.addEventListener("click", () => run(q, Math.max(0, off - PAGE_SIZE)));
        next.addEventListener("click", () => run(q, off + PAGE_SIZE));
        clear(
          results,
          h("p", { class: "muted", testid: "search-count" }, t("search.count", { from, to, n: r.total })),
          h(
            "ol",
            { class: "hits", start: String(from) },
            r.hits.map((hit) =>
              h(
                "li",
                null,
                h(
                  "button",
                  { type: "button", class: "hit", testid: "search-result", onclick: () => navigate({ name: "case", id: hit.case_id, tab: hit.kind === "case" ? undefined : tabForKind(hit.kind) }) },
                  h(
                    "span",
                    { class: "hit-head" },
                    h("span", { class: ["kind-badge", `kind-${hit.kind}`] }, tEnum("kind", hit.kind)),
                    h("span", { class: "hit-case" }, h("bdi", { dir: "auto" }, hit.case_label)),
                    hit.name_variant ? h("span", { class: "hit-variant", title: t("search.variant_hint") }, t("search.variant")) : null,
                    hit.unreviewed ? h("span", { class: "badge badge-unreviewed hit-unreviewed", testid: "search-unreviewed", title: t("record.unreviewed_hint") }, icon("alert", 13), t("search.unreviewed")) : null,
                  ),
                  snippetNode(hit),
                ),
              ),
            ),
          ),
          r.total > PAGE_SIZE ? h("nav", { class: "pager", "aria-label": t("search.pages") }, prev, h("span", { class: "muted" }, t("search.page", { page: Math.floor(off / PAGE_SIZE) + 1, pages: formatNumber(Math.ceil(r.total / PAGE_SIZE)) })), next) : null,
        );
      })
      .catch((e) => alive() && showViewError(e, results));
  };
  if (query) run(query, offset);
}
