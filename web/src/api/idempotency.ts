import { useRef } from "react";

/** A random key for the Idempotency-Key header: a UUID where the browser makes one. */
function newKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  // (randomUUID needs a secure context; a plain-HTTP test stage still gets 128 random bits)
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The Idempotency-Key of a form's submissions (docs/api.md, "Retries and idempotency"): the same
 * key while the form sends the same thing (a double click, a retry after a lost answer), so the
 * API does it once; a new key once the form's content changes (the API refuses a key reused for
 * another body) or after `done()` (a second request on purpose).
 */
export function useSubmissionKey() {
  const last = useRef<{ body: string; key: string } | null>(null);
  return {
    keyFor(body: unknown): string {
      const text = JSON.stringify(body);
      if (last.current?.body !== text) last.current = { body: text, key: newKey() };
      return last.current.key;
    },
    done() {
      last.current = null;
    },
  };
}
