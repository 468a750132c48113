// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { h, isolated, isolatedText } from "./dom";

// A name from a bundle that ends in RIGHT-TO-LEFT OVERRIDE would reverse the
// text after it ("Karim\u202E · Extradition…") unless it is isolated.
const HOSTILE = "Karim Aziz\u202E";

describe("isolated names", () => {
  it("puts a record's name in its own <bdi dir=auto>, as text", () => {
    const el = isolated(HOSTILE);
    expect(el.tagName).toBe("BDI");
    expect(el.getAttribute("dir")).toBe("auto");
    expect(el.textContent).toBe(HOSTILE);
    expect(el.children.length).toBe(0);
  });

  it("never reads markup from a name", () => {
    const el = isolated("<img src=x onerror=alert(1)>");
    expect(el.children.length).toBe(0);
    expect(el.textContent).toBe("<img src=x onerror=alert(1)>");
  });

  it("keeps extra attributes and shows nothing for a missing name", () => {
    const el = isolated(undefined, { class: "file-name", testid: "x" });
    expect(el.className).toBe("file-name");
    expect(el.getAttribute("data-testid")).toBe("x");
    expect(el.textContent).toBe("");
  });

  it("keeps the neighbours of a hostile name outside its isolate", () => {
    const line = h("li", null, isolated(HOSTILE), " · ", isolated("تسليم"));
    const [first, sep, second] = Array.from(line.childNodes);
    expect((first as Element).tagName).toBe("BDI");
    expect(sep.textContent).toBe(" · ");
    expect((second as Element).tagName).toBe("BDI");
  });

  it("closes a name inside a sentence with FSI…PDI", () => {
    const s = isolatedText(HOSTILE);
    expect(s).toBe("\u2068Karim Aziz\u202E\u2069");
    expect(isolatedText(null)).toBe("\u2068\u2069");
  });
});
