import { defineConfig } from "vitest/config";

// Offline desktop build: every asset (scripts, styles, fonts) is bundled into
// dist/ and served by Tauri's custom protocol. No inline scripts (strict CSP).
export default defineConfig({
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2021",
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
