// A tiny DOM builder: no innerHTML anywhere, so no record content can ever
// be interpreted as markup.

export type Child = Node | string | number | null | undefined | false | Child[];
export type Attrs = { [k: string]: unknown };

function append(el: Node, c: Child): void {
  if (c === null || c === undefined || c === false) return;
  if (Array.isArray(c)) {
    for (const x of c) append(el, x);
  } else if (c instanceof Node) {
    el.appendChild(c);
  } else {
    el.appendChild(document.createTextNode(String(c)));
  }
}

const PROPS = new Set(["value", "checked", "selected", "disabled", "indeterminate", "readOnly", "multiple", "open"]);

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") el.className = Array.isArray(v) ? v.filter(Boolean).join(" ") : String(v);
      else if (k === "testid") el.setAttribute("data-testid", String(v));
      else if (k === "style" && typeof v === "string") el.setAttribute("style", v);
      else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2).toLowerCase(), v as EventListener);
      else if (PROPS.has(k)) (el as unknown as Record<string, unknown>)[k] = v;
      else if (v === true) el.setAttribute(k, "");
      else el.setAttribute(k, String(v));
    }
  }
  for (const c of children) append(el, c);
  return el;
}

export function clear(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  for (const c of children) append(el, c);
}

/** A unique id for label/field pairs. */
let seq = 0;
export function uid(prefix = "f"): string {
  seq += 1;
  return `${prefix}-${seq}`;
}

/** Announces a sentence to screen readers. */
export function announce(text: string): void {
  const live = document.getElementById("live");
  if (live) {
    live.textContent = "";
    setTimeout(() => (live.textContent = text), 30);
  }
}

/**
 * A name, title, pseudonym or file name from a record, as an element isolated
 * from the text around it (`<bdi dir="auto">`). Records come from hostile
 * senders: a name ending in U+202E (RLO) or an unclosed isolate would
 * otherwise reorder whatever is shown after it on the same line, so one
 * record could read as another. The core refuses overrides in such fields;
 * this keeps records stored before that, and marks, from reaching their
 * neighbours.
 */
export function isolated(text: string | null | undefined, attrs?: Attrs | null): HTMLElement {
  return h("bdi", { dir: "auto", ...(attrs ?? {}) }, text ?? "");
}

/**
 * The same for a name placed inside a sentence that is a plain string (a
 * toast, a dialog title, an aria-label, a timeline line): first-strong
 * isolate (U+2068) … pop directional isolate (U+2069), which end whatever
 * embedding, override or isolate the name left open.
 */
export function isolatedText(text: string | null | undefined): string {
  return `\u2068${text ?? ""}\u2069`;
}
