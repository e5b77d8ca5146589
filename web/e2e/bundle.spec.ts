import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { expect, test } from "@playwright/test";

const DIST = join(import.meta.dirname, "..", "dist");
const BUDGET_BYTES = 250 * 1000;

interface Chunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
}

test("the first page's JavaScript is at most 250 KB gzipped", () => {
  // Vite's manifest (build.manifest) names the entry chunk and the chunks it imports statically:
  // what the browser must fetch before the first page can run. Lazy chunks come later.
  const manifest: Record<string, Chunk> = JSON.parse(readFileSync(join(DIST, ".vite", "manifest.json"), "utf8"));
  const entries = Object.keys(manifest).filter((key) => manifest[key]!.isEntry);
  expect(entries, "the build's entry chunks").toHaveLength(1);
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key]!;
    if (files.has(chunk.file)) return;
    files.add(chunk.file);
    chunk.imports?.forEach(visit);
  };
  visit(entries[0]!);
  const gzipped = [...files].reduce((sum, file) => sum + gzipSync(readFileSync(join(DIST, file))).length, 0);
  console.log(`first page's JavaScript: ${files.size} file(s), ${(gzipped / 1000).toFixed(1)} KB gzipped (budget 250 KB)`);
  expect(gzipped).toBeLessThanOrEqual(BUDGET_BYTES);
});
