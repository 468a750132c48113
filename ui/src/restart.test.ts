// @vitest-environment happy-dom
// The page loaded again after its web process died (src-tauri/src/lib.rs,
// guard_web_process): the shell locked the vault, and the unlock screen says
// why, in the language and with the auto-lock the user had set.
import { beforeEach, describe, expect, it, vi } from "vitest";

let restarted = false;
vi.mock("./api", () => ({
  api: {
    appStatus: vi.fn(async () => ({ unlocked: false, vault: { exists: true, wait_seconds: 0, remembered_on_this_device: false } })),
    takeWindowRestarted: vi.fn(async () => {
      const r = restarted;
      restarted = false;
      return r;
    }),
    countries: vi.fn(async () => []),
  },
  toApiError: (e: unknown) => e,
  URGENT_WITHIN_DAYS: 14,
}));

import { screens, settings, setAutoLockMinutes, start } from "./app";
import { lang, setLang } from "./i18n";
import { decodeCarried } from "./lib/carry";

beforeEach(() => {
  document.body.innerHTML = '<div id="app"></div><div id="toasts"></div>';
  history.replaceState(null, "", location.pathname);
});

describe("a page loaded again after its web process died", () => {
  it("says so on the unlock screen, in the language and with the auto-lock kept in the URL", async () => {
    // The page before: French, auto-lock 7 minutes, kept in the URL as they change.
    await start();
    setLang("fr");
    expect(decodeCarried(location.hash).lang).toBe("fr");
    setAutoLockMinutes(7);
    expect(decodeCarried(location.hash)).toEqual({ lang: "fr", autoLockMinutes: 7 });

    // It dies; the shell locks and loads the same URL again in a new page,
    // which starts with the defaults.
    const url = location.href;
    setLang("en");
    settings.autoLockMinutes = 5;
    history.replaceState(null, "", url);
    restarted = true;
    const unlock = vi.fn();
    screens.unlock = unlock;
    await start();
    expect(lang()).toBe("fr");
    expect(settings.autoLockMinutes).toBe(7);
    expect(unlock).toHaveBeenCalledWith(expect.anything(), { reason: "window", discardedUnsaved: false });

    // Said once: a later start (the user reloads) has nothing to say.
    unlock.mockClear();
    await start();
    expect(unlock).toHaveBeenCalledWith(expect.anything(), undefined);
  });

  it("shows the notice's words in each language", async () => {
    await import("./views/auth"); // registers the real unlock screen
    for (const [l, words] of [
      ["en", "stopped working"],
      ["fr", "cessé de fonctionner"],
      ["ar", "توقفت نافذة «أمانة»"],
    ] as const) {
      setLang(l);
      screens.unlock!({ unlocked: false, vault: { exists: true, wait_seconds: 0, remembered_on_this_device: false } } as never, { reason: "window", discardedUnsaved: false });
      const notice = document.querySelector('[data-testid="lock-notice"]');
      expect(notice?.textContent).toContain(words);
    }
  });
});
