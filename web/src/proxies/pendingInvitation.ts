// An invitation opened while signed out: its code waits in this tab's sessionStorage (never the
// address, where it would stay in the history and be sent on in a Referer) until the visitor has
// signed in, and the page that accepts it is opened again. It goes once it is used or refused.
const KEY = "portal.pendingInvitation";

export function keepInvitation(code: string): void {
  try {
    window.sessionStorage.setItem(KEY, code);
  } catch {
    // storage refused (private mode): the visitor follows the email's link again instead
  }
}

export function pendingInvitation(): string {
  try {
    return window.sessionStorage.getItem(KEY) ?? "";
  } catch {
    return "";
  }
}

export function forgetInvitation(): void {
  try {
    window.sessionStorage.removeItem(KEY);
  } catch {
    // nothing kept
  }
}

/** Where a sign-in goes next while an invitation waits; null when none does. */
export function pendingInvitationPage(): string | null {
  return pendingInvitation() ? "/proxy-invitation" : null;
}
