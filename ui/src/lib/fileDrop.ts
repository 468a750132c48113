// Files dropped on the window while one view is shown (Tauri's drag and drop
// event), for the views that take files: a case (evidence) and "Open a
// bundle". The listener lives only as long as the view: it is removed when the
// view is left, also when that happens before the listener was set up.

import type { DragDropEvent } from "@tauri-apps/api/webview";

/** Subscribes `handler` to drag and drop events; resolves to the function that unsubscribes it. */
export type DragDropSource = (handler: (event: DragDropEvent) => void) => Promise<() => void>;

/** The window's own events (rejects outside the desktop app). */
const webviewSource: DragDropSource = async (handler) => {
  const { getCurrentWebview } = await import("@tauri-apps/api/webview");
  return getCurrentWebview().onDragDropEvent((ev) => handler(ev.payload));
};

/**
 * Until `onLeave` runs its callback, files dropped on the window are given to
 * `onDrop` (never while a dialog is open), and the body has the class
 * `is-dragging` while files are dragged over it. Resolves once the listener is
 * set up, or is known to be unavailable (not running inside the desktop app).
 */
export function onFilesDropped(
  onLeave: (fn: () => void) => void,
  onDrop: (paths: string[]) => void,
  source: DragDropSource = webviewSource,
): Promise<void> {
  let unlisten: (() => void) | null = null;
  let left = false;
  const dragging = (on: boolean) => document.body.classList.toggle("is-dragging", on);
  onLeave(() => {
    left = true;
    dragging(false);
    unlisten?.();
    unlisten = null;
  });
  return source((p) => {
    if (left) return; // an event already on its way when the view was left
    if (p.type === "enter" || p.type === "over") dragging(true);
    else if (p.type === "leave") dragging(false);
    else if (p.type === "drop") {
      dragging(false);
      if (p.paths.length && !document.querySelector("dialog[open]")) onDrop(p.paths);
    }
  })
    .then((fn) => {
      if (left) fn();
      else unlisten = fn;
    })
    .catch(() => {
      /* not running inside the desktop app */
    });
}
