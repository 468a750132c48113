// The app: start screen, unlocking, the main layout and its router, locking
// (manual, idle, panic) and language switching.

import { api, toApiError, type ApiError } from "./api";
import { detectLang, lang, onLangChange, setLang, t } from "./i18n";
import { IdleTimer, PanicDetector, isTextField } from "./lib/idle";
import { wipeSession } from "./lib/session";
import { carryAcrossReload, takeCarried } from "./lib/carry";
import { loadCountries } from "./lib/format";
import type { AppStatus } from "./model";

export type Route =
  | { name: "cases" }
  | { name: "case"; id: string; tab?: string }
  | { name: "urgent" }
  | { name: "search"; query?: string; offset?: number }
  | { name: "audit" }
  | { name: "settings" }
  | { name: "export"; caseId?: string }
  | { name: "bundle" }
  | { name: "inbox" }
  | { name: "contacts" }
  | { name: "identity" }
  | { name: "backup" }
  | { name: "stats" };

/** Why the vault was locked; "window": the page stopped working and the app locked and loaded it again. */
export type LockReason = "manual" | "idle" | "panic" | "backend" | "window";

export interface LockNotice {
  reason: LockReason;
  discardedUnsaved: boolean;
}

/** Settings live in memory only: nothing about the user is written by the UI. */
export const settings = { autoLockMinutes: 5 };

type Screen = "none" | "create" | "recovery" | "unlock" | "recover" | "main";

export const app = {
  screen: "none" as Screen,
  route: { name: "cases" } as Route,
  unlocked: false,
  renderSeq: 0,
};

const idle = new IdleTimer(settings.autoLockMinutes, () => void lock("idle"), undefined, showIdleWarning, hideIdleWarning);

/** The countdown before the auto-lock: a banner read out by screen readers. */
function showIdleWarning(seconds: number): void {
  let el = document.getElementById("idle-warning");
  if (!el) {
    el = document.createElement("div");
    el.id = "idle-warning";
    el.className = "idle-warning";
    el.setAttribute("role", "alert");
    el.setAttribute("data-testid", "idle-warning");
    document.body.appendChild(el);
  }
  el.textContent = t("lock.idle_warning", { n: seconds });
}

function hideIdleWarning(): void {
  document.getElementById("idle-warning")?.remove();
}
const panic = new PanicDetector(() => {
  if (app.screen !== "none") void lock("panic");
});

export function appRoot(): HTMLElement {
  return document.getElementById("app")!;
}

// Views register themselves here to avoid import cycles.
export const screens: {
  create?: (status: AppStatus) => void;
  unlock?: (status: AppStatus, notice?: LockNotice) => void;
  fatal?: (e: ApiError) => void;
  shell?: () => void;
  route?: (r: Route) => void;
} = {};

export function setScreen(s: Screen): void {
  app.screen = s;
  document.body.dataset.screen = s;
}

export async function showStart(notice?: LockNotice): Promise<void> {
  let status: AppStatus;
  try {
    status = await api.appStatus();
  } catch (e) {
    screens.fatal?.(toApiError(e));
    return;
  }
  if (status.unlocked) {
    await enterMain();
  } else if (!status.vault.exists) {
    screens.create?.(status);
  } else {
    screens.unlock?.(status, notice);
  }
}

/** After unlocking or creating: start the idle timer and show the cases. */
export async function enterMain(): Promise<void> {
  app.unlocked = true;
  try {
    await loadCountries(lang());
  } catch {
    /* names fall back to codes */
  }
  idle.setMinutes(settings.autoLockMinutes);
  idle.start();
  setScreen("main");
  screens.shell?.();
  navigate(takeRouteAfterUnlock() ?? { name: "cases" });
}

// Where to go once unlocked instead of the case list (a bundle opened from
// the file manager while the vault was locked). Not vault content: kept
// across a lock.
let routeAfterUnlock: Route | null = null;
export function openAfterUnlock(r: Route): void {
  routeAfterUnlock = r;
}
function takeRouteAfterUnlock(): Route | null {
  const r = routeAfterUnlock;
  routeAfterUnlock = null;
  return r;
}

export function navigate(r: Route): void {
  app.route = r;
  app.renderSeq += 1;
  screens.route?.(r);
}

/** Locks at once: wipes every view and all in-memory state first, then tells the core. */
export async function lock(reason: LockReason): Promise<void> {
  idle.stop();
  app.renderSeq += 1;
  const wasUnlocked = app.unlocked;
  app.unlocked = false;
  const { discardedUnsaved } = wipeSession([appRoot(), document.getElementById("toasts"), document.getElementById("live")]);
  // The route can hold a case id or a search query: forget it too.
  app.route = { name: "cases" };
  setScreen("none");
  const notice = wasUnlocked || reason !== "backend" ? { reason, discardedUnsaved } : undefined;
  // The shell reloads this page in a new web process once locked (lib/carry.ts).
  carryAcrossReload({ notice, lang: lang(), autoLockMinutes: settings.autoLockMinutes });
  try {
    await api.lock();
  } catch {
    /* the vault is dropped with the window anyway */
  }
  await showStart(notice);
}

/** A command said the vault is locked (e.g. locked elsewhere): go back to the unlock screen. */
export function handleLockedError(e: ApiError): boolean {
  if (e.code === "vault.locked" && app.unlocked) {
    void lock("backend");
    return true;
  }
  return false;
}

export function setAutoLockMinutes(m: number): void {
  settings.autoLockMinutes = m;
  idle.setMinutes(m);
  keepForRestart();
}

/**
 * Keeps the language and the auto-lock minutes in the URL fragment at all
 * times (lib/carry.ts): if the page stops working, the app loads it again
 * from this URL, and the lock screen comes back as the user had set it.
 */
function keepForRestart(): void {
  carryAcrossReload({ lang: lang(), autoLockMinutes: settings.autoLockMinutes });
}

/** Key presses count as activity and may be the panic shortcut. */
export function onGlobalKey(e: KeyboardEvent): void {
  idle.activity();
  if (panic.handle(e, isTextField(e.target))) {
    e.preventDefault();
    e.stopPropagation();
  }
}

/**
 * The webview's own context menu offers "Save Image As", "Open in New Window", "Reload":
 * ways to write evidence to disk in plaintext or lose the page. It stays available only
 * where it helps (text fields, selected text) and never on evidence being viewed.
 */
export function allowContextMenu(target: EventTarget | null, selection: string): boolean {
  const el = target instanceof Element ? target : null;
  if (!el || el.closest(".viewer")) return false;
  if (el.closest("input, textarea, [contenteditable]")) return true;
  return selection.trim().length > 0;
}

export function installGlobalHandlers(): void {
  window.addEventListener("keydown", onGlobalKey, true);
  for (const ev of ["mousedown", "mousemove", "wheel", "touchstart", "pointerdown"]) {
    window.addEventListener(ev, () => idle.activity(), { passive: true, capture: true });
  }
  window.addEventListener(
    "contextmenu",
    (e) => {
      if (!allowContextMenu(e.target, window.getSelection()?.toString() ?? "")) e.preventDefault();
    },
    true,
  );
  onLangChange(async (l) => {
    if (app.screen === "main") {
      try {
        await loadCountries(l);
      } catch {
        /* fall back to codes */
      }
      screens.shell?.();
      screens.route?.(app.route);
    }
  });
}

export async function start(): Promise<void> {
  const carried = takeCarried();
  setLang(carried.lang ?? detectLang());
  if (carried.autoLockMinutes !== undefined) setAutoLockMinutes(carried.autoLockMinutes);
  installGlobalHandlers();
  onLangChange(keepForRestart);
  keepForRestart();
  let restarted = false;
  try {
    restarted = await api.takeWindowRestarted();
  } catch {
    /* an older shell without the command: nothing to say */
  }
  await showStart(restarted ? { reason: "window", discardedUnsaved: false } : carried.notice);
}
