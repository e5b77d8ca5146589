import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The local stack (make run) serves the built app and the API on one origin. For frontend work,
// `npm run dev` serves the sources with hot reload and passes the API's paths to the running stack;
// changeOrigin sends the stack's own Host, which it requires (it refuses other names).
const api = { target: "http://127.0.0.1:8000", changeOrigin: true };

export default defineConfig({
  plugins: [react()],
  server: { host: "127.0.0.1", port: 5173, strictPort: true, proxy: { "/v1": api, "/dev": api, "^/shl/.+": api } },
  // The manifest names the entry chunk and its imports, for the test of the first page's size.
  build: { sourcemap: false, manifest: true },
  test: {
    environment: "jsdom",
    // web/e2e/ holds Playwright's browser tests, which Playwright runs (make browser).
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
    restoreMocks: true,
    // Each file's stubs (fetch, window.open) end with the file.
    unstubGlobals: true,
    // One jsdom and one module graph per worker, not per file: building them for each of the files
    // was over half of the run (measured: 135 s against 50 s on this 2-core machine, 126 s against
    // 39 s of CPU). What a file could leave behind is reset before every test (src/test/setup.ts),
    // and the suite passes in shuffled orders.
    isolate: false,
    // These tests assert what a person sees, not how fast: on a busy 2-core machine the first test
    // of a file (a lazy chunk loaded, an axe pass) can take over the 5 s default.
    testTimeout: 20_000,
  },
});
