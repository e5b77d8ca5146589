import { useSyncExternalStore } from "react";

// The session token lives in sessionStorage: it survives a reload of the tab but not the tab
// itself, and is not shared with other tabs. Never localStorage, which outlives the browser
// session on a shared computer.
const KEY = "portal.session";
const listeners = new Set<() => void>();

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage disabled: the session lasts as long as the page
  }
}

let memory: string | null = storage()?.getItem(KEY) ?? null;

export function getToken(): string | null {
  return memory;
}

export function setToken(token: string | null): void {
  memory = token;
  const store = storage();
  if (token === null) store?.removeItem(KEY);
  else store?.setItem(KEY, token);
  listeners.forEach((listener) => listener());
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useToken(): string | null {
  return useSyncExternalStore(subscribe, getToken);
}
