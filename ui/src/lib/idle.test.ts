// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { IdleTimer, PanicDetector, isTextField } from "./idle";

describe("auto-lock timer", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("fires once after N idle minutes", () => {
    const onIdle = vi.fn();
    const timer = new IdleTimer(5, onIdle);
    timer.start();
    vi.advanceTimersByTime(5 * 60_000 - 1);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60 * 60_000);
    expect(onIdle).toHaveBeenCalledTimes(1);
    expect(timer.running).toBe(false);
  });

  it("activity postpones locking", () => {
    const onIdle = vi.fn();
    const timer = new IdleTimer(5, onIdle);
    timer.start();
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(4 * 60_000);
      timer.activity();
    }
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(5 * 60_000);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it("changing the minutes applies from the last activity", () => {
    const onIdle = vi.fn();
    const timer = new IdleTimer(10, onIdle);
    timer.start();
    vi.advanceTimersByTime(3 * 60_000);
    timer.setMinutes(2);
    expect(onIdle).toHaveBeenCalledTimes(1);

    const later = vi.fn();
    const t2 = new IdleTimer(1, later);
    t2.start();
    t2.setMinutes(30);
    vi.advanceTimersByTime(29 * 60_000);
    expect(later).not.toHaveBeenCalled();
    vi.advanceTimersByTime(60_000);
    expect(later).toHaveBeenCalledTimes(1);
  });

  it("stop() prevents locking; activity while stopped does nothing", () => {
    const onIdle = vi.fn();
    const timer = new IdleTimer(1, onIdle);
    timer.start();
    timer.stop();
    timer.activity();
    vi.advanceTimersByTime(10 * 60_000);
    expect(onIdle).not.toHaveBeenCalled();
  });

  it("a laptop that slept past the limit locks as soon as the timer runs", () => {
    const onIdle = vi.fn();
    let now = 0;
    const timer = new IdleTimer(5, onIdle, () => now);
    timer.start();
    now = 60 * 60_000; // an hour of sleep: the clock jumped, timers did not run
    vi.advanceTimersByTime(5 * 60_000);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it("bad minute values fall back to 5", () => {
    expect(IdleTimer.toMs(NaN)).toBe(300_000);
    expect(IdleTimer.toMs(0)).toBe(300_000);
    expect(IdleTimer.toMs(2)).toBe(120_000);
  });
});

describe("panic shortcut", () => {
  const key = (k: Partial<KeyboardEvent>) => ({ key: "", code: "", ctrlKey: false, shiftKey: false, altKey: false, metaKey: false, repeat: false, ...k });

  it("Ctrl+Shift+L locks, whatever the keyboard layout", () => {
    const onPanic = vi.fn();
    const p = new PanicDetector(onPanic);
    expect(p.handle(key({ key: "L", code: "KeyL", ctrlKey: true, shiftKey: true }))).toBe(true);
    expect(p.handle(key({ key: "م", code: "KeyL", ctrlKey: true, shiftKey: true }))).toBe(true); // Arabic layout
    expect(p.handle(key({ key: "l", code: "KeyL", ctrlKey: true }))).toBe(false);
    expect(onPanic).toHaveBeenCalledTimes(2);
  });

  it("Escape twice quickly locks; twice slowly does not", () => {
    let now = 0;
    const onPanic = vi.fn();
    const p = new PanicDetector(onPanic, 600, () => now);
    p.handle(key({ key: "Escape" }));
    now = 1000;
    expect(p.handle(key({ key: "Escape" }))).toBe(false);
    now = 1300;
    expect(p.handle(key({ key: "Escape" }))).toBe(true);
    expect(onPanic).toHaveBeenCalledTimes(1);
    // A held-down key (auto-repeat) is not a double press.
    now = 5000;
    p.handle(key({ key: "Escape" }));
    now = 5100;
    expect(p.handle(key({ key: "Escape", repeat: true }))).toBe(false);
  });

  it("Escape twice in a text field is editing, not a lock; Ctrl+Shift+L still locks there", () => {
    let now = 0;
    const onPanic = vi.fn();
    const p = new PanicDetector(onPanic, 600, () => now);
    expect(p.handle(key({ key: "Escape" }), true)).toBe(false);
    now = 100;
    expect(p.handle(key({ key: "Escape" }), true)).toBe(false);
    // One in the field, one outside: not a pair either.
    now = 200;
    expect(p.handle(key({ key: "Escape" }), false)).toBe(false);
    expect(onPanic).not.toHaveBeenCalled();
    now = 300;
    expect(p.handle(key({ key: "Escape" }), false)).toBe(true);
    expect(p.handle(key({ key: "l", code: "KeyL", ctrlKey: true, shiftKey: true }), true)).toBe(true);
    expect(onPanic).toHaveBeenCalledTimes(2);
  });

  it("knows a text field when it sees one", () => {
    const el = (html: string) => {
      const d = document.createElement("div");
      d.innerHTML = html;
      return d.firstElementChild;
    };
    expect(isTextField(el("<textarea></textarea>"))).toBe(true);
    expect(isTextField(el('<input type="text">'))).toBe(true);
    expect(isTextField(el('<input type="password">'))).toBe(true);
    expect(isTextField(el("<input>"))).toBe(true);
    expect(isTextField(el('<input type="checkbox">'))).toBe(false);
    expect(isTextField(el("<button>x</button>"))).toBe(false);
    expect(isTextField(el("<div>x</div>"))).toBe(false);
    expect(isTextField(null)).toBe(false);
  });
});

describe("the warning before the auto-lock", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("counts down the last 30 s, second by second, then locks", () => {
    const onIdle = vi.fn();
    const warned: number[] = [];
    const ended = vi.fn();
    const timer = new IdleTimer(5, onIdle, undefined, (s) => warned.push(s), ended);
    timer.start();
    vi.advanceTimersByTime(5 * 60_000 - 30_001);
    expect(warned).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(warned).toEqual([30]);
    expect(timer.warned).toBe(true);
    vi.advanceTimersByTime(29_000);
    expect(warned.slice(-3)).toEqual([3, 2, 1]);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1000);
    expect(onIdle).toHaveBeenCalledTimes(1);
    expect(ended).toHaveBeenCalledTimes(1); // the warning goes with the lock
    expect(warned.length).toBe(30);
  });

  it("activity during the warning ends it and starts the count again", () => {
    const onIdle = vi.fn();
    const warned: number[] = [];
    const ended = vi.fn();
    const timer = new IdleTimer(1, onIdle, undefined, (s) => warned.push(s), ended);
    timer.start();
    // A 1-minute limit warns 15 s ahead.
    vi.advanceTimersByTime(45_000);
    expect(warned).toEqual([15]);
    timer.activity();
    expect(ended).toHaveBeenCalledTimes(1);
    expect(timer.warned).toBe(false);
    vi.advanceTimersByTime(44_999);
    expect(warned).toEqual([15]);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(15_001);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });
});
