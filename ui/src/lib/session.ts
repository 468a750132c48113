// Everything the app holds in memory while the vault is unlocked, in one
// place, so that locking can wipe it all: cached records, search results,
// blob URLs of evidence being viewed, the DOM of every view.

export interface Session {
  /** Vault data caches (case list, open case, search results...). */
  data: Map<string, unknown>;
  /** Object URLs made from evidence bytes: revoked on close and on lock. */
  blobUrls: Set<string>;
  /** Forms with unsaved changes (by id), so locking can say they were discarded. */
  dirty: Set<string>;
  /** Things to run on wipe (close viewers, stop listeners). */
  cleanups: Set<() => void>;
}

export const session: Session = {
  data: new Map(),
  blobUrls: new Set(),
  dirty: new Set(),
  cleanups: new Set(),
};

export function remember<T>(key: string, value: T): T {
  session.data.set(key, value);
  return value;
}

export function recall<T>(key: string): T | undefined {
  return session.data.get(key) as T | undefined;
}

export function forget(key: string): void {
  session.data.delete(key);
}

/** Makes an object URL for bytes and tracks it. */
export function blobUrl(bytes: BlobPart, type: string): string {
  const url = URL.createObjectURL(new Blob([bytes], { type: type || "application/octet-stream" }));
  session.blobUrls.add(url);
  return url;
}

export function revokeBlobUrl(url: string): void {
  if (session.blobUrls.delete(url)) URL.revokeObjectURL(url);
}

export function onWipe(fn: () => void): () => void {
  session.cleanups.add(fn);
  return () => session.cleanups.delete(fn);
}

/**
 * Wipes every trace of vault content from memory and the DOM: runs the
 * cleanups, revokes every blob URL, empties the caches, closes dialogs and
 * empties the given roots. Returns whether unsaved changes were discarded.
 */
export function wipeSession(roots: Array<Element | null> = []): { discardedUnsaved: boolean } {
  const discardedUnsaved = session.dirty.size > 0;
  for (const fn of [...session.cleanups]) {
    try {
      fn();
    } catch {
      /* a cleanup must never stop the wipe */
    }
  }
  session.cleanups.clear();
  for (const url of session.blobUrls) {
    try {
      URL.revokeObjectURL(url);
    } catch {
      /* ignore */
    }
  }
  session.blobUrls.clear();
  session.data.clear();
  session.dirty.clear();
  if (typeof document !== "undefined") {
    for (const d of Array.from(document.querySelectorAll("dialog"))) {
      try {
        (d as HTMLDialogElement).close?.();
      } catch {
        /* ignore */
      }
      d.remove();
    }
    // Clear values of every field first, then the elements themselves.
    for (const root of roots) {
      if (!root) continue;
      for (const el of Array.from(root.querySelectorAll("input, textarea"))) {
        (el as HTMLInputElement).value = "";
      }
      root.replaceChildren();
    }
  }
  return { discardedUnsaved };
}
