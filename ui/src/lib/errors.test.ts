import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ERROR_CODES, errorMessage } from "./errors";
import { setLang, t } from "../i18n";

const repo = join(__dirname, "..", "..", "..");

/**
 * The codes the core and the desktop commands can reject with, read from the
 * Rust sources: the arms of every `code()` (`Variant => "area.what"`) and the
 * app's `error("area.what", …)`. The CLI's own codes (src/cli) are printed on a
 * terminal, not shown in the app, so they are left out.
 */
function rustCodes(): Set<string> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) {
        if (p !== join(repo, "src", "cli")) walk(p);
      } else if (p.endsWith(".rs")) files.push(p);
    }
  };
  walk(join(repo, "src"));
  walk(join(repo, "src-tauri", "src"));
  const codes = new Set<string>();
  for (const f of files) {
    const src = readFileSync(f, "utf8");
    for (const m of src.matchAll(/=>\s*"([a-z]+\.[a-z_]+)"/g)) codes.add(m[1]);
    for (const m of src.matchAll(/\berror\(\s*"([a-z]+\.[a-z_]+)"/g)) codes.add(m[1]);
  }
  return codes;
}

describe("error codes", () => {
  it("every code the Rust sources can reject with is listed, so it gets its own sentence", () => {
    const codes = rustCodes();
    // The scan found the codes at all (there were 77 when this was written).
    expect(codes.size).toBeGreaterThan(60);
    expect(codes.has("restore.drive_top")).toBe(true);
    const known = new Set<string>(ERROR_CODES);
    expect([...codes].filter((c) => !known.has(c)).sort()).toEqual([]);
  });

  it("a restore onto the top of a drive says so, not that the disk failed", () => {
    setLang("en");
    const msg = errorMessage({ code: "restore.drive_top", message: "/media/usb is the top folder of a drive" });
    expect(msg).toBe(t("error.restore.drive_top"));
    expect(msg).toMatch(/top of a drive/);
    expect(msg).not.toBe(t("error.io.failed"));
    expect(errorMessage({ code: "no.such_code", message: "" })).toBe(t("error.generic"));
  });
});
