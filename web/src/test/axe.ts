import axe from "axe-core";
import { expect } from "vitest";

/** axe's rules on what the page shows (colour contrast needs a real browser's layout). */
export async function expectAccessible(element: Element = document.body): Promise<void> {
  const found = await axe.run(element, { rules: { "color-contrast": { enabled: false } } });
  expect(found.violations.map((violation) => `${violation.id}: ${violation.nodes.map((n) => n.html).join(" | ")}`)).toEqual([]);
}
