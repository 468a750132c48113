// What crosses the reload that follows a lock.
//
// Locking ends the WebKit web process and loads this page again in a fresh
// one (src-tauri/src/lib.rs, restart_web_process), so nothing the pages
// showed outlives the lock in that process's memory. The little the new page
// needs, none of it vault content, travels in the URL fragment: why the vault
// was locked and whether unsaved text was discarded (the unlock screen says
// so), the language and the auto-lock setting (kept in memory only, never
// written by the UI). The notice is read once and removed; the language and
// the auto-lock minutes stay in the fragment as they change, for the reload
// the shell makes if the page's web process dies (src-tauri/src/lib.rs,
// guard_web_process).

import type { LockNotice, LockReason } from "../app";
import { LANGS, type Lang } from "../i18n";
import { clampMinutes } from "./idle";

const REASONS: readonly LockReason[] = ["manual", "idle", "panic", "backend"];

export interface Carried {
  notice?: LockNotice;
  lang?: Lang;
  autoLockMinutes?: number;
}

/** The fragment (without '#') that carries `c`. */
export function encodeCarried(c: Carried): string {
  const p = new URLSearchParams();
  if (c.notice) {
    p.set("locked", c.notice.reason);
    if (c.notice.discardedUnsaved) p.set("discarded", "1");
  }
  if (c.lang) p.set("lang", c.lang);
  if (c.autoLockMinutes !== undefined) p.set("autolock", String(c.autoLockMinutes));
  return p.toString();
}

/** What a fragment carries; anything unknown or out of range is ignored. */
export function decodeCarried(fragment: string): Carried {
  const p = new URLSearchParams(fragment.replace(/^#/, ""));
  const out: Carried = {};
  const reason = p.get("locked");
  if (reason && (REASONS as readonly string[]).includes(reason)) {
    out.notice = { reason: reason as LockReason, discardedUnsaved: p.get("discarded") === "1" };
  }
  const l = p.get("lang");
  if (l && (LANGS as readonly string[]).includes(l)) out.lang = l as Lang;
  const m = p.get("autolock");
  const minutes = m !== null && /^\d+$/.test(m) ? clampMinutes(Number(m)) : null;
  if (minutes !== null) out.autoLockMinutes = minutes;
  return out;
}

/** Puts `c` in this page's URL, for the reload after a lock. */
export function carryAcrossReload(c: Carried): void {
  history.replaceState(null, "", `${location.pathname}${location.search}#${encodeCarried(c)}`);
}

/** Reads what the previous page carried, and removes it from the URL. */
export function takeCarried(): Carried {
  const c = decodeCarried(location.hash);
  if (location.hash) history.replaceState(null, "", `${location.pathname}${location.search}`);
  return c;
}
