// JSON merge patch (RFC 7396) between two versions of a record's data: what
// `record_edit` takes. Keys removed become null; nested objects are diffed;
// arrays and scalars are replaced whole.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: unknown): v is { [k: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function equal(a: Json | undefined, b: Json | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function mergePatch(before: { [k: string]: Json }, after: { [k: string]: Json }): { [k: string]: Json } {
  const patch: { [k: string]: Json } = {};
  for (const k of Object.keys(before)) {
    if (!(k in after)) patch[k] = null;
  }
  for (const [k, v] of Object.entries(after)) {
    const old = before[k];
    if (equal(old, v)) continue;
    if (isObject(old) && isObject(v)) {
      const sub = mergePatch(old, v);
      if (Object.keys(sub).length) patch[k] = sub;
    } else {
      patch[k] = v;
    }
  }
  return patch;
}

/** Applies a merge patch (for tests and optimistic display). */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: { [k: string]: Json } = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k] ?? null, v);
  }
  return out;
}
