import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The local stack (make run) serves the built app and the API on one origin. For frontend work,
// `npm run dev` serves the sources with hot reload and passes the API's paths to the running stack;
// changeOrigin sends the stack's own Host, which it requires (it refuses other names).
const api = { target: "http://127.0.0.1:8000", changeOrigin: true };

export default defineConfig({
  plugins: [react()],
  server: { host: "127.0.0.1", port: 5173, strictPort: true, proxy: { "/v1": api, "/dev": api } },
  // The manifest names the entry chunk and its imports, for the test of the first page's size.
  build: { sourcemap: false, manifest: true },
  test: {
    environment: "jsdom",
    // web/e2e/ holds Playwright's browser tests, which Playwright runs (make browser).
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
    restoreMocks: true,
    // These tests assert what a person sees, not how fast: on a busy 2-core machine the first test
    // of a file (a lazy chunk loaded, an axe pass) can take over the 5 s default.
    testTimeout: 20_000,
  },
});
