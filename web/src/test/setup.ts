import { cleanup, configure } from "@testing-library/react";
import { afterEach, beforeEach, vi } from "vitest";
import i18next from "../i18n";
import { setToken } from "../session";

// findBy* waits up to 5 s, not 1: on a busy 2-core machine (the suite's layers and workers side
// by side) a page that loads its chunk and its data can take longer than a second to appear.
configure({ asyncUtilTimeout: 5000 });

// A string missing from the catalogue fails the test that renders it, instead of showing its key.
const missing: string[] = [];
i18next.options.saveMissing = true;
i18next.options.missingKeyHandler = (_lngs, _ns, key) => {
  missing.push(key);
};

beforeEach(() => {
  missing.length = 0;
  setToken(null);
  window.sessionStorage.clear();
  window.localStorage.clear();
  // Files share one jsdom (isolate: false in vite.config.ts): nothing a page set stays for the next.
  document.title = "";
  window.history.replaceState(null, "", "/");
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  if (missing.length) throw new Error(`not in src/locales/en.json: ${missing.join(", ")}`);
});
