// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from "vitest";

const calls: string[] = [];
vi.mock("./api", () => ({
  api: {
    lock: vi.fn(async () => {
      calls.push("lock");
    }),
    appStatus: vi.fn(async () => ({ unlocked: false, vault: { exists: true, wait_seconds: 0, remembered_on_this_device: false } })),
    countries: vi.fn(async () => [["SA", "Saudi Arabia"]]),
    urgent: vi.fn(async () => []),
  },
  toApiError: (e: unknown) => e,
  URGENT_WITHIN_DAYS: 14,
}));

import { app, enterMain, lock, screens, settings } from "./app";
import { blobUrl, recall, remember, session, onWipe } from "./lib/session";
import { api } from "./api";

beforeEach(() => {
  document.body.innerHTML = '<div id="app"></div><div id="toasts"></div>';
  calls.length = 0;
});

describe("locking", () => {
  it("wipes every view, cache, blob URL and dialog, then locks the vault and shows the unlock screen", async () => {
    const unlockScreen = vi.fn();
    screens.unlock = unlockScreen;
    screens.shell = () => {
      document.getElementById("app")!.innerHTML = '<main id="view"><h1>Idris Mansour</h1><textarea>a testimony being typed</textarea></main>';
    };
    screens.route = () => {};
    await enterMain();
    expect(app.unlocked).toBe(true);

    remember("case", { name: "Idris Mansour" });
    remember("search", { hits: [1, 2, 3] });
    const revoke = vi.spyOn(URL, "revokeObjectURL");
    const url = blobUrl(new Uint8Array([1, 2, 3]), "image/png");
    const cleanup = vi.fn();
    onWipe(cleanup);
    session.dirty.add("form-1");
    const d = document.createElement("dialog");
    d.textContent = "source identity";
    document.body.appendChild(d);
    const toast = document.createElement("div");
    toast.textContent = "Saved";
    document.getElementById("toasts")!.appendChild(toast);

    app.route = { name: "search", query: "Idris", offset: 0 };
    await lock("panic");
    expect(app.route).toEqual({ name: "cases" });

    expect(api.lock).toHaveBeenCalled();
    expect(app.unlocked).toBe(false);
    expect(document.getElementById("app")!.textContent).toBe("");
    expect(document.getElementById("toasts")!.childElementCount).toBe(0);
    expect(document.querySelectorAll("dialog").length).toBe(0);
    expect(document.body.textContent).not.toContain("Idris");
    expect(recall("case")).toBeUndefined();
    expect(recall("search")).toBeUndefined();
    expect(session.data.size).toBe(0);
    expect(session.blobUrls.size).toBe(0);
    expect(revoke).toHaveBeenCalledWith(url);
    expect(cleanup).toHaveBeenCalledTimes(1);
    expect(session.dirty.size).toBe(0);
    expect(unlockScreen).toHaveBeenCalledWith(expect.anything(), { reason: "panic", discardedUnsaved: true });
    // The page the shell reloads after the lock gets the notice, and nothing of the vault.
    const { takeCarried } = await import("./lib/carry");
    const hash = location.hash;
    expect(hash).not.toContain("Idris");
    expect(takeCarried()).toEqual({ notice: { reason: "panic", discardedUnsaved: true }, lang: "en", autoLockMinutes: settings.autoLockMinutes });
  });

  it("the panic shortcut and idle timeout both lock", async () => {
    vi.useFakeTimers();
    try {
      screens.unlock = vi.fn();
      screens.shell = () => {};
      screens.route = () => {};
      const { installGlobalHandlers } = await import("./app");
      installGlobalHandlers();

      await enterMain();
      window.dispatchEvent(new KeyboardEvent("keydown", { key: "L", code: "KeyL", ctrlKey: true, shiftKey: true }));
      await vi.runOnlyPendingTimersAsync();
      expect(app.unlocked).toBe(false);
      expect(screens.unlock).toHaveBeenLastCalledWith(expect.anything(), { reason: "panic", discardedUnsaved: false });

      settings.autoLockMinutes = 2;
      await enterMain();
      expect(app.unlocked).toBe(true);
      await vi.advanceTimersByTimeAsync(2 * 60_000 + 10);
      expect(app.unlocked).toBe(false);
      expect(screens.unlock).toHaveBeenLastCalledWith(expect.anything(), { reason: "idle", discardedUnsaved: false });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("context menu", () => {
  it("is refused on evidence and on the page, kept in text fields and on selected text", async () => {
    const { allowContextMenu } = await import("./app");
    document.body.innerHTML = '<div class="viewer"><img id="i"></div><p id="p">x</p><textarea id="t"></textarea>';
    const $ = (id: string) => document.getElementById(id);
    expect(allowContextMenu($("i"), "")).toBe(false);
    expect(allowContextMenu($("i"), "some text")).toBe(false);
    expect(allowContextMenu($("p"), "")).toBe(false);
    expect(allowContextMenu($("p"), "copied words")).toBe(true);
    expect(allowContextMenu($("t"), "")).toBe(true);
  });
});
