// @vitest-environment happy-dom
// The evidence viewer plays audio and video only where the page's process
// runs in WebKit's sandbox (src-tauri/src/sandbox.rs): GStreamer's player may
// write what it plays to a temporary file, which stays in that process's
// memory only there. Elsewhere the recording is not even decrypted for the
// page, and the viewer says why.
import { beforeEach, describe, expect, it, vi } from "vitest";

const { evidenceRead, sandbox } = vi.hoisted(() => ({
  evidenceRead: vi.fn(async () => new Uint8Array([82, 73, 70, 70]).buffer),
  sandbox: { isolated: false },
}));
vi.mock("../api", () => ({
  api: {
    mediaPlaybackIsolated: vi.fn(async () => sandbox.isolated),
    evidenceRead,
  },
  toApiError: (e: unknown) => e,
  URGENT_WITHIN_DAYS: 14,
}));
vi.mock("@tauri-apps/plugin-dialog", () => ({ open: vi.fn(), save: vi.fn() }));

import { setLang } from "../i18n";
import { viewEvidence } from "./evidence";
import type { EvidenceData, StoredRecord } from "../model";

const recording = (media_type: string): StoredRecord<EvidenceData> =>
  ({
    id: "e1",
    kind: "evidence",
    case_id: "c",
    version: 1,
    created_at: "",
    updated_at: "",
    data: { file_name: "hearing.ogg", media_type, size: 4, sha256: "00" },
  }) as unknown as StoredRecord<EvidenceData>;

const settled = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  document.body.innerHTML = '<div id="app"></div><div id="toasts"></div>';
  evidenceRead.mockClear();
  setLang("en");
});

describe("audio and video in the viewer", () => {
  it("are refused, undecrypted, where the page is not sandboxed, with the reason", async () => {
    sandbox.isolated = false;
    for (const type of ["audio/ogg", "video/mp4"]) {
      document.body.innerHTML = '<div id="app"></div><div id="toasts"></div>';
      await viewEvidence(recording(type));
      await settled();
      const refused = document.querySelector('[data-testid="viewer-media-refused"]');
      expect(refused?.textContent).toContain("not played inside Amana");
      expect(document.querySelector("audio, video")).toBeNull();
    }
    expect(evidenceRead).not.toHaveBeenCalled();
    setLang("ar");
    document.body.innerHTML = '<div id="app"></div><div id="toasts"></div>';
    await viewEvidence(recording("audio/ogg"));
    await settled();
    expect(document.querySelector('[data-testid="viewer-media-refused"]')?.textContent).toContain("لا تُشغَّل التسجيلات");
  });

  it("are played where it is", async () => {
    sandbox.isolated = true;
    await viewEvidence(recording("audio/ogg"));
    await settled();
    expect(evidenceRead).toHaveBeenCalledOnce();
    expect(document.querySelector("audio")).not.toBeNull();
    expect(document.querySelector('[data-testid="viewer-media-refused"]')).toBeNull();
  });
});
