import { describe, expect, it } from "vitest";
import { asciiDigits, parseDateInput, todayIso } from "./dates";

const ok = (input: string, approx = false, exact = false) => {
  const r = parseDateInput(input, approx, exact);
  if (!r.ok) throw new Error(`${input}: ${r.error}`);
  return r.value;
};
const err = (input: string, approx = false, exact = false) => {
  const r = parseDateInput(input, approx, exact);
  if (r.ok) throw new Error(`${input} should be refused, got ${r.value}`);
  return r.error;
};

describe("date input", () => {
  it("accepts a year, a month or a day", () => {
    expect(ok("2024")).toBe("2024");
    expect(ok("2024-03")).toBe("2024-03");
    expect(ok("2024-03-15")).toBe("2024-03-15");
    expect(ok(" 2024-03-15 ")).toBe("2024-03-15");
  });

  it("marks approximate dates with the toggle or a leading ~", () => {
    expect(ok("2024-03", true)).toBe("~2024-03");
    expect(ok("~2019")).toBe("~2019");
    expect(ok("~ 2019-07-01")).toBe("~2019-07-01");
  });

  it("pads one-digit months and days and accepts / and . separators", () => {
    expect(ok("2024-3-5")).toBe("2024-03-05");
    expect(ok("2024/03/05")).toBe("2024-03-05");
    expect(ok("2024.3")).toBe("2024-03");
  });

  it("understands Arabic-Indic digits", () => {
    expect(asciiDigits("٢٠٢٤-٠٣-١٥")).toBe("2024-03-15");
    expect(ok("٢٠٢٤-٠٣-١٥")).toBe("2024-03-15");
    expect(ok("۲۰۲۴")).toBe("2024");
  });

  it("refuses impossible dates", () => {
    for (const s of ["2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-06-31", "2024-01-32", "2024-01-00"]) {
      expect(err(s), s).toBe("date.error.impossible");
    }
    expect(ok("2024-02-29")).toBe("2024-02-29");
    expect(ok("2000-02-29")).toBe("2000-02-29");
  });

  it("refuses what is not a date", () => {
    for (const s of ["", "~", "abcd", "24-01-01", "2024-01-01-01", "2024-", "15/03/2024", "2024-001"]) expect(err(s), s).toBe("date.error.format");
    expect(err("0999-01-01")).toBe("date.error.range");
  });

  it("requires an exact, non-approximate day where the core needs a Date", () => {
    expect(ok("2024-03-15", false, true)).toBe("2024-03-15");
    expect(err("2024-03", false, true)).toBe("date.error.exact");
    expect(err("2024-03-15", true, true)).toBe("date.error.exact");
  });

  it("today is computed in UTC like the core", () => {
    expect(todayIso(new Date(Date.UTC(2026, 0, 5, 23, 30)))).toBe("2026-01-05");
  });
});
