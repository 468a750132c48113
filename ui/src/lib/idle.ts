// The auto-lock timer: fires `onIdle` once after `minutes` without activity.
// Activity only records a time stamp (mouse moves are frequent); the single
// timer checks that stamp when it fires and re-arms for the remainder. A
// laptop that slept past the limit locks as soon as it wakes. Before it
// fires, it warns (`onWarn`, every second with the seconds left), so a
// person listening to a witness without typing can keep the vault open;
// activity ends the warning (`onWarnEnd`).

/** The auto-lock settings' bounds, in minutes. */
export const AUTOLOCK_MIN = 1;
export const AUTOLOCK_MAX = 120;

/** A whole number of minutes within the bounds, or null. */
export function clampMinutes(v: number): number | null {
  if (!Number.isFinite(v)) return null;
  const m = Math.round(v);
  return m >= AUTOLOCK_MIN && m <= AUTOLOCK_MAX ? m : null;
}

/** How long before the lock the warning shows: 30 s, or a quarter of a short limit. */
export function warnAheadMs(limitMs: number): number {
  return Math.min(30_000, Math.floor(limitMs / 4));
}

export class IdleTimer {
  private last = 0;
  private handle: ReturnType<typeof setTimeout> | null = null;
  private ms: number;
  private warning = false;

  constructor(
    minutes: number,
    private readonly onIdle: () => void,
    private readonly now: () => number = () => Date.now(),
    private readonly onWarn: (secondsLeft: number) => void = () => {},
    private readonly onWarnEnd: () => void = () => {},
  ) {
    this.ms = IdleTimer.toMs(minutes);
  }

  static toMs(minutes: number): number {
    const m = Number.isFinite(minutes) && minutes > 0 ? minutes : 5;
    return Math.round(m * 60_000);
  }

  /** Starts (or restarts) counting from now. */
  start(): void {
    this.last = this.now();
    this.endWarning();
    this.check();
  }

  /** Stops without firing. */
  stop(): void {
    if (this.handle !== null) clearTimeout(this.handle);
    this.handle = null;
    this.endWarning();
  }

  get running(): boolean {
    return this.handle !== null;
  }

  /** A key press, click or mouse move. */
  activity(): void {
    if (this.handle === null) return;
    this.last = this.now();
    if (this.warning) {
      this.endWarning();
      this.check();
    }
  }

  /** Whether the warning is showing. */
  get warned(): boolean {
    return this.warning;
  }

  private endWarning(): void {
    if (this.warning) {
      this.warning = false;
      this.onWarnEnd();
    }
  }

  /** Changes the limit; counts from the last activity. */
  setMinutes(minutes: number): void {
    this.ms = IdleTimer.toMs(minutes);
    if (this.handle !== null) this.check();
  }

  /** Milliseconds left before locking (for display). */
  remaining(): number {
    return Math.max(0, this.last + this.ms - this.now());
  }

  private arm(delay: number): void {
    if (this.handle !== null) clearTimeout(this.handle);
    this.handle = setTimeout(() => this.check(), Math.max(0, delay));
  }

  private check(): void {
    const left = this.last + this.ms - this.now();
    const ahead = warnAheadMs(this.ms);
    if (left <= 0) {
      this.stop();
      this.onIdle();
    } else if (left <= ahead) {
      this.warning = true;
      this.onWarn(Math.ceil(left / 1000));
      // Again at the next whole second left (the countdown), the last one at the lock.
      this.arm(left % 1000 || 1000);
    } else {
      this.endWarning();
      this.arm(left - ahead);
    }
  }
}

/**
 * The panic shortcut: Ctrl+Shift+L anywhere, or Escape twice within
 * `windowMs` outside a text field. In a text field Escape is ordinary
 * editing (closing a suggestion, leaving the field), and a double press
 * there locked the vault with a half-typed testimony; Ctrl+Shift+L stays
 * the panic key there.
 */
/** Whether `target` takes typed text (a text input, a textarea, an editable element). */
export function isTextField(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).tagName !== "string") return false;
  const el = target as HTMLElement;
  if (el.isContentEditable) return true;
  const tag = el.tagName.toLowerCase();
  if (tag === "textarea") return true;
  if (tag !== "input") return false;
  const type = ((el as HTMLInputElement).type || "text").toLowerCase();
  return !["button", "checkbox", "radio", "submit", "reset", "file", "range", "color", "image"].includes(type);
}

export class PanicDetector {
  private lastEscape = -Infinity;

  constructor(
    private readonly onPanic: () => void,
    private readonly windowMs = 600,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Returns true when the event triggered the panic lock; `inTextField`: the key went to a text field. */
  handle(e: Pick<KeyboardEvent, "key" | "code" | "ctrlKey" | "shiftKey" | "altKey" | "metaKey" | "repeat">, inTextField = false): boolean {
    // e.code is the physical key, so it works with an Arabic or French layout too.
    if (e.ctrlKey && e.shiftKey && !e.altKey && (e.code === "KeyL" || e.key === "L" || e.key === "l")) {
      this.lastEscape = -Infinity;
      this.onPanic();
      return true;
    }
    if (e.key === "Escape" && inTextField) {
      // Neither a press of the pair nor a half of one.
      this.lastEscape = -Infinity;
      return false;
    }
    if (e.key === "Escape" && !e.repeat) {
      const t = this.now();
      if (t - this.lastEscape <= this.windowMs) {
        this.lastEscape = -Infinity;
        this.onPanic();
        return true;
      }
      this.lastEscape = t;
    }
    return false;
  }
}
