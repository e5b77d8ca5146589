import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * The browser the tests drive: PORTAL_CHROMIUM, else chromium on the PATH (Debian's package,
 * which `make test` installs). Playwright's own browser downloads are not used.
 */
export function chromiumPath(): string | undefined {
  if (process.env.PORTAL_CHROMIUM) return process.env.PORTAL_CHROMIUM;
  const directories = (process.env.PATH ?? "").split(delimiter).filter(Boolean);
  for (const name of ["chromium", "chromium-browser"]) {
    const found = directories.map((directory) => join(directory, name)).find((path) => existsSync(path));
    if (found) return found;
  }
  return undefined;
}
