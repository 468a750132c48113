// The auto-lock timer: fires `onIdle` once after `minutes` without activity.
// Activity only records a time stamp (mouse moves are frequent); the single
// timer checks that stamp when it fires and re-arms for the remainder. A
// laptop that slept past the limit locks as soon as it wakes.

/** The auto-lock settings' bounds, in minutes. */
export const AUTOLOCK_MIN = 1;
export const AUTOLOCK_MAX = 120;

/** A whole number of minutes within the bounds, or null. */
export function clampMinutes(v: number): number | null {
  if (!Number.isFinite(v)) return null;
  const m = Math.round(v);
  return m >= AUTOLOCK_MIN && m <= AUTOLOCK_MAX ? m : null;
}

export class IdleTimer {
  private last = 0;
  private handle: ReturnType<typeof setTimeout> | null = null;
  private ms: number;

  constructor(
    minutes: number,
    private readonly onIdle: () => void,
    private readonly now: () => number = () => Date.now(),
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
    this.arm(this.ms);
  }

  /** Stops without firing. */
  stop(): void {
    if (this.handle !== null) clearTimeout(this.handle);
    this.handle = null;
  }

  get running(): boolean {
    return this.handle !== null;
  }

  /** A key press, click or mouse move. */
  activity(): void {
    if (this.handle !== null) this.last = this.now();
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
    if (left <= 0) {
      this.stop();
      this.onIdle();
    } else {
      this.arm(left);
    }
  }
}

/** The panic shortcut: Ctrl+Shift+L, or Escape twice within `windowMs`. */
export class PanicDetector {
  private lastEscape = -Infinity;

  constructor(
    private readonly onPanic: () => void,
    private readonly windowMs = 600,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Returns true when the event triggered the panic lock. */
  handle(e: Pick<KeyboardEvent, "key" | "code" | "ctrlKey" | "shiftKey" | "altKey" | "metaKey" | "repeat">): boolean {
    // e.code is the physical key, so it works with an Arabic or French layout too.
    if (e.ctrlKey && e.shiftKey && !e.altKey && (e.code === "KeyL" || e.key === "L" || e.key === "l")) {
      this.lastEscape = -Infinity;
      this.onPanic();
      return true;
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
