// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from "vitest";
import { PhysicalPosition } from "@tauri-apps/api/dpi";
import type { DragDropEvent } from "@tauri-apps/api/webview";
import { onFilesDropped, type DragDropSource } from "./fileDrop";

const at = new PhysicalPosition(10, 20);

/** A drag and drop source driven by the test: `emit` sends an event, `resolve` finishes subscribing. */
function fakeSource() {
  let handler: ((e: DragDropEvent) => void) | null = null;
  let resolve: (fn: () => void) => void = () => undefined;
  const unlisten = vi.fn(() => {
    handler = null;
  });
  const source: DragDropSource = (h) => {
    handler = h;
    return new Promise((r) => (resolve = r));
  };
  return {
    source,
    unlisten,
    subscribed: () => handler !== null,
    resolve: () => resolve(unlisten),
    emit: (e: DragDropEvent) => handler?.(e),
  };
}

/** A view's `onLeave`: `leave()` runs what was registered. */
function fakeView() {
  const callbacks: Array<() => void> = [];
  return { onLeave: (fn: () => void) => void callbacks.push(fn), leave: () => callbacks.forEach((fn) => fn()) };
}

const dragging = () => document.body.classList.contains("is-dragging");

/** A view listening for drops, its listener set up. */
async function listening() {
  const src = fakeSource();
  const view = fakeView();
  const onDrop = vi.fn();
  const ready = onFilesDropped(view.onLeave, onDrop, src.source);
  src.resolve();
  await ready;
  return { src, view, onDrop };
}

beforeEach(() => {
  document.body.className = "";
  document.body.innerHTML = "";
});

describe("files dropped on a view", () => {
  it("marks the body while files are dragged over it and gives the dropped paths", async () => {
    const { src, onDrop } = await listening();

    src.emit({ type: "enter", paths: ["/home/r/a.pdf"], position: at });
    expect(dragging()).toBe(true);
    src.emit({ type: "leave" });
    expect(dragging()).toBe(false);
    src.emit({ type: "over", position: at });
    expect(dragging()).toBe(true);
    src.emit({ type: "drop", paths: ["/home/r/a.pdf", "/home/r/b.jpg"], position: at });
    expect(dragging()).toBe(false);
    expect(onDrop).toHaveBeenCalledTimes(1);
    expect(onDrop).toHaveBeenCalledWith(["/home/r/a.pdf", "/home/r/b.jpg"]);
  });

  it("ignores a drop with no files and a drop while a dialog is open", async () => {
    const { src, onDrop } = await listening();

    src.emit({ type: "drop", paths: [], position: at });
    document.body.innerHTML = "<dialog open></dialog>";
    src.emit({ type: "over", position: at });
    src.emit({ type: "drop", paths: ["/home/r/a.pdf"], position: at });
    expect(onDrop).not.toHaveBeenCalled();
    expect(dragging()).toBe(false);
  });

  it("leaving the view removes the listener once and clears the mark", async () => {
    const { src, view } = await listening();
    src.emit({ type: "enter", paths: ["/home/r/a.pdf"], position: at });

    view.leave();
    expect(src.unlisten).toHaveBeenCalledTimes(1);
    expect(src.subscribed()).toBe(false);
    expect(dragging()).toBe(false);
    view.leave();
    expect(src.unlisten).toHaveBeenCalledTimes(1);
  });

  it("a view left before the listener is set up removes it as soon as it is", async () => {
    const src = fakeSource();
    const view = fakeView();
    const onDrop = vi.fn();
    const ready = onFilesDropped(view.onLeave, onDrop, src.source);
    view.leave();
    expect(src.unlisten).not.toHaveBeenCalled();
    // An event already on its way reaches no one.
    src.emit({ type: "drop", paths: ["/home/r/a.pdf"], position: at });
    expect(onDrop).not.toHaveBeenCalled();
    expect(dragging()).toBe(false);

    src.resolve();
    await ready;
    expect(src.unlisten).toHaveBeenCalledTimes(1);
    expect(src.subscribed()).toBe(false);
  });

  it("outside the desktop app there is nothing to listen to, and no error", async () => {
    const onDrop = vi.fn();
    const view = fakeView();
    await expect(onFilesDropped(view.onLeave, onDrop, () => Promise.reject(new Error("no Tauri")))).resolves.toBeUndefined();
    // The real source: this test does not run inside Tauri.
    await expect(onFilesDropped(view.onLeave, onDrop)).resolves.toBeUndefined();
    view.leave();
    expect(onDrop).not.toHaveBeenCalled();
  });
});
