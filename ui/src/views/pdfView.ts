// PDFs are drawn by PDF.js (bundled, offline) onto canvases inside the app,
// not by the webview's own PDF viewer: that viewer has Save and Print
// buttons that would write the evidence to disk in plaintext, and it keeps
// the keyboard focus away from the panic shortcut.

import { getDocument, GlobalWorkerOptions, type PDFDocumentProxy } from "pdfjs-dist";
import workerUrl from "pdfjs-dist/build/pdf.worker.min.mjs?url";

GlobalWorkerOptions.workerSrc = workerUrl;

export interface PdfHandle {
  pages: number;
  destroy(): void;
}

/** Draws every page of `bytes` into `host`, one canvas per page, fitted to the host's width. */
export async function renderPdf(bytes: ArrayBuffer, host: HTMLElement, alive: () => boolean, label: (page: number, pages: number) => string): Promise<PdfHandle> {
  // The worker receives its own copy; the caller's bytes stay usable.
  const task = getDocument({ data: new Uint8Array(bytes.slice(0)), enableXfa: false, stopAtErrors: false });
  let doc: PDFDocumentProxy | null = null;
  const handle: PdfHandle = {
    pages: 0,
    destroy: () => {
      void task.destroy();
      doc = null;
    },
  };
  doc = await task.promise;
  handle.pages = doc.numPages;
  const width = Math.max(320, host.clientWidth - 24);
  const ratio = Math.min(2, window.devicePixelRatio || 1);
  for (let i = 1; i <= doc.numPages && alive() && doc; i++) {
    const page = await doc.getPage(i);
    const base = page.getViewport({ scale: 1 });
    const viewport = page.getViewport({ scale: (width / base.width) * ratio });
    const canvas = document.createElement("canvas");
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    canvas.style.width = `${Math.floor(viewport.width / ratio)}px`;
    canvas.className = "pdf-page";
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", label(i, doc.numPages));
    host.appendChild(canvas);
    const ctx = canvas.getContext("2d");
    if (!ctx) break;
    await page.render({ canvas, canvasContext: ctx, viewport }).promise;
    page.cleanup();
  }
  return handle;
}
