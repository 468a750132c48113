// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from "vitest";
import { setLang } from "../i18n";
import { setCountries } from "../lib/format";
import { timelineText } from "./timelineText";
import { urgentReason } from "./urgent";
import { filterCases, sortCases } from "./cases";
import { buildForm, prune, setPath } from "./forms";
import { crossCheck, specsFor } from "./recordForms";
import { snippetNode } from "./search";
import { proceedingBadges } from "./casePage";
import type { CaseListItem, StoredRecord, TimelineEntry } from "../model";

beforeEach(() => {
  setLang("en");
  setCountries("en", [["EG", "Egypt"], ["RS", "Serbia"], ["TR", "Türkiye"]]);
});

const rec = (kind: StoredRecord["kind"], data: object): StoredRecord => ({ id: "r", kind, case_id: "c", version: 1, created_at: "", updated_at: "", data });

describe("timeline in the person's language", () => {
  it("translates the core's English facts from the record", () => {
    const e = (kind: TimelineEntry["kind"], what: string): TimelineEntry => ({ date: "2024-03", what, record_id: "r", kind });
    expect(timelineText(e("proceeding", "CCF deletion interim measures requested"), rec("proceeding", { kind: "ccf_deletion" }))).toBe(
      "Commission for the Control of INTERPOL's Files (CCF): deletion request: interim measures requested",
    );
    expect(timelineText(e("instrument", "INTERPOL red notice learnt of"), rec("instrument", { kind: "interpol_red_notice" }))).toBe("INTERPOL red notice: the subject learnt of it");
    setLang("fr");
    expect(timelineText(e("situation", "situation: arrested"), rec("situation", { situation: "arrested" }))).toBe("Situation : Arrêté");
    setLang("ar");
    expect(timelineText(e("testimony", "testimony recorded [ar]"), rec("testimony", { language: "ar" }))).toBe("تسجيل شهادة (العربية)");
    // Unknown shapes fall back to the core's words rather than to nothing.
    expect(timelineText(e("instrument", "something new"), rec("instrument", { kind: "interpol_red_notice" }))).toBe("something new");
  });
});

describe("urgent reasons", () => {
  it("says how many days, in each language", () => {
    const base = { case_id: "c", case_label: "x", record_id: "r" };
    expect(urgentReason({ ...base, reason: "deadline_passed", days_overdue: 3 }).text).toBe("Deadline passed 3 days ago");
    expect(urgentReason({ ...base, reason: "deadline_near", days_left: 1 }).text).toBe("Deadline in 1 day");
    expect(urgentReason({ ...base, reason: "deadline_near", days_left: 0 }).text).toBe("Deadline today");
    expect(urgentReason({ ...base, reason: "in_custody", days_since_arrest: 81, situation: "detained_pending_extradition" }).text).toBe(
      "Detained pending extradition for 81 days",
    );
    setLang("ar");
    expect(urgentReason({ ...base, reason: "deadline_near", days_left: 2 }).text).toBe("تنقضي المهلة بعد يومين");
  });
});

describe("case list filters and sorting", () => {
  const item = (p: Partial<CaseListItem>): CaseListItem => ({
    id: p.name ?? "x", name: "", title: "", status: "open", risk: "medium", tags: [], requesting_states: [], requested_states: [],
    tactics: [], current_situation: null, days_since_arrest: null, urgent: 0, updated_at: "", unreviewed: 0, proposals: 0, ...p,
  });
  const items = [
    item({ name: "B", requesting_states: ["EG"], requested_states: ["RS"], tactics: ["extradition_proceedings"], urgent: 2, risk: "critical", days_since_arrest: 81 }),
    item({ name: "A", status: "closed", risk: "low" }),
    item({ name: "C", requesting_states: ["TR"], tactics: ["kidnapping"], risk: "high", days_since_arrest: 5 }),
  ];
  const none = { status: "", requesting: "", requested: "", tactic: "", urgency: "", sort: "urgent" as const, desc: true };
  it("filters by status, states, tactic and urgency", () => {
    expect(filterCases(items, { ...none, status: "closed" }).map((c) => c.name)).toEqual(["A"]);
    expect(filterCases(items, { ...none, requesting: "EG" }).map((c) => c.name)).toEqual(["B"]);
    expect(filterCases(items, { ...none, requested: "RS" }).map((c) => c.name)).toEqual(["B"]);
    expect(filterCases(items, { ...none, tactic: "kidnapping" }).map((c) => c.name)).toEqual(["C"]);
    expect(filterCases(items, { ...none, urgency: "urgent" }).map((c) => c.name)).toEqual(["B"]);
    expect(filterCases(items, { ...none, urgency: "calm" }).map((c) => c.name)).toEqual(["A", "C"]);
  });
  it("sorts by risk, days and name", () => {
    expect(sortCases(items, "risk", true).map((c) => c.name)).toEqual(["B", "C", "A"]);
    expect(sortCases(items, "days", true).map((c) => c.name)).toEqual(["B", "C", "A"]);
    expect(sortCases(items, "name", false).map((c) => c.name)).toEqual(["A", "B", "C"]);
  });
});

describe("record forms", () => {
  it("paths and pruning drop empty optional objects", () => {
    const o: Record<string, unknown> = {};
    setPath(o, "place.country", undefined);
    setPath(o, "place.locality", undefined);
    setPath(o, "interim_measures.requested_on", "2024-01-02");
    expect(prune(o)).toEqual({ interim_measures: { requested_on: "2024-01-02" } });
  });

  it("an edit keeps fields the form does not show, and refuses impossible dates", () => {
    const form = buildForm(specsFor("situation"), { date: "2024-02", situation: "arrested", notes: "x", place: { country: "TR", locality: "Istanbul" } });
    document.body.appendChild(form.el);
    const date = form.el.querySelector<HTMLInputElement>('[data-testid="situation-date"]')!;
    date.value = "2023-02-29";
    expect(form.collect().ok).toBe(false);
    expect(form.el.textContent).toContain("This date does not exist.");
    date.value = "2023-02-28";
    const r = form.collect();
    expect(r.ok && r.data).toEqual({ date: "2023-02-28", situation: "arrested", notes: "x", place: { country: "TR", locality: "Istanbul" } });
    expect(form.dirty()).toBe(true);
  });

  it("a new case needs a name; the names keep their kinds", () => {
    const form = buildForm(specsFor("case"), { status: "open", risk: "medium", subject: { kind: "person", names: [] } });
    document.body.appendChild(form.el);
    expect(form.collect().ok).toBe(false);
    form.el.querySelector<HTMLInputElement>('[data-testid="case-form-name"]')!.value = "يوسف ناصر";
    const r = form.collect();
    expect(r.ok && (r.data as any).subject.names).toEqual([{ name: "يوسف ناصر", kind: "primary" }]);
  });

  it("a testimony in another language needs a language code", () => {
    const form = buildForm(specsFor("testimony"), { language: "ar" });
    document.body.appendChild(form.el);
    form.el.querySelector<HTMLTextAreaElement>('[data-testid="testimony-text"]')!.value = "نص\nmixed text";
    const lang = form.el.querySelector<HTMLSelectElement>('[data-testid="testimony-language"]')!;
    lang.value = "other";
    lang.dispatchEvent(new Event("change"));
    expect(form.collect().ok).toBe(false);
    form.el.querySelector<HTMLInputElement>('[data-testid="testimony-language-code"]')!.value = "fa";
    const r = form.collect();
    expect(r.ok && r.data).toEqual({ language: "fa", text: "نص\nmixed text" });
  });

  it("proceedings: decision before filing, outcome without decision", () => {
    expect(crossCheck("proceeding", { filed_on: "2024-05-01", decided_on: "2024-04-01" })[0].path).toBe("decided_on");
    expect(crossCheck("proceeding", { outcome: "granted" })[0].path).toBe("decided_on");
    expect(crossCheck("proceeding", { filed_on: "2024-05-01", decided_on: "2024-06-01", outcome: "granted" })).toEqual([]);
  });
});

describe("search snippet", () => {
  it("marks the matched Arabic word", () => {
    const s = "…اتصل بي أخي من مطار بلغراد وقال";
    const start = new TextEncoder().encode(s.slice(0, s.indexOf("بلغراد"))).length;
    const el = snippetNode({ snippet: s, highlights: [[start, start + new TextEncoder().encode("بلغراد").length]] });
    expect(el.querySelector("mark")!.textContent).toBe("بلغراد");
    expect(el.textContent).toBe(s);
    expect(el.getAttribute("dir")).toBe("auto");
  });
});

describe("proceeding badges", () => {
  it("colours deadlines by urgency", () => {
    const tone = (d: number) => proceedingBadges({ days_pending: 10, days_to_deadline: d, open: true })[1].className;
    expect(tone(-2)).toContain("deadline-overdue");
    expect(tone(3)).toContain("deadline-danger");
    expect(tone(10)).toContain("deadline-warning");
    expect(tone(40)).toContain("deadline-neutral");
    expect(proceedingBadges({ days_pending: 10, days_to_deadline: null, open: true })[0].textContent).toBe("Pending for 10 days");
  });
});
