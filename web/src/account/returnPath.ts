// A page that needs a session sends a signed-out visitor to sign in with the page to come back to
// (`/sign-in?next=/apps/authorize?request=…`): once signed in, the second factor included, the
// visitor is taken back there. Only a path of this portal is followed: it must start with one "/"
// (not "//" nor "/\", which a browser reads as another site), so a link made elsewhere cannot use
// the sign-in page to send a patient to a look-alike site.

/** The path to come back to, if it is one of this portal's; null otherwise. */
export function safeReturnPath(value: string | null | undefined): string | null {
  if (!value || !value.startsWith("/") || value.startsWith("//")) return null;
  // (a backslash or a control character could be read as the start of another host)
  if (/[\\\u0000-\u001f\u007f]/.test(value)) return null;
  return value;
}

/** The sign-in page, coming back to `path` (this portal's path and query) afterwards. */
export function signInThenBack(path: string): string {
  return `/sign-in?next=${encodeURIComponent(path)}`;
}
