import { useSyncExternalStore } from "react";

// When this tab last called the API with its session: every such call moves the session's idle
// deadline on (the API's session check does it), so this is what the idle warning counts from.
let lastCall = Date.now();
const listeners = new Set<() => void>();

export function noteApiCall(at: number = Date.now()): void {
  lastCall = at;
  listeners.forEach((listener) => listener());
}

export function lastApiCall(): number {
  return lastCall;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useLastApiCall(): number {
  return useSyncExternalStore(subscribe, lastApiCall);
}

// Set when the idle timeout ends the session, for the sign-in page to say why. Kept here, not in
// the navigation's state: the pages that see the token gone send the person to sign in too, and
// may get there first.
let idleSignOut: number | null = null;

export function noteIdleSignOut(minutes: number | null): void {
  idleSignOut = minutes;
}

export function idleSignOutMinutes(): number | null {
  return idleSignOut;
}

// A call refused because the session must first accept the terms or set up a second factor: the
// session watch reads GET /v1/me again and sends the person to the page that does it.
const RESTRICTION_CODES = new Set(["terms_acceptance_required", "second_factor_setup_required"]);
const restrictionListeners = new Set<() => void>();

export async function noteRefusal(response: Response): Promise<void> {
  if (response.status !== 403 || restrictionListeners.size === 0) return;
  const body = (await response.clone().json().catch(() => null)) as { error?: { code?: string } } | null;
  if (RESTRICTION_CODES.has(body?.error?.code ?? "")) restrictionListeners.forEach((listener) => listener());
}

export function onRestricted(listener: () => void): () => void {
  restrictionListeners.add(listener);
  return () => restrictionListeners.delete(listener);
}
