/**
 * Reading a SMART Health Link in the browser: its payload from the page's fragment
 * (`#shlink:/<base64url JSON>`), and its file, a compact JWE (alg "dir", enc "A256GCM"), decrypted
 * with WebCrypto. The key comes only from the fragment, which a browser never sends to a server.
 */

export interface ShlPayload {
  url: string;
  key: string;
  exp?: number;
  flag?: string;
  label?: string;
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  const binary = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(0 + i);
  return bytes;
}

/** The payload of a `shlink:/...` (alone, or after a viewer's `#`), or null when it is not one. */
export function readShlink(text: string): ShlPayload | null {
  const at = text.indexOf("shlink:/");
  if (at < 0) return null;
  try {
    const payload = JSON.parse(new TextDecoder().decode(fromBase64url(text.slice(at + "shlink:/".length))));
    if (typeof payload?.url !== "string" || typeof payload?.key !== "string" || payload.key.length !== 43) return null;
    return payload as ShlPayload;
  } catch {
    return null;
  }
}

/** Whether the link asks for a passcode (its flags hold "P"). */
export function needsPasscode(payload: ShlPayload): boolean {
  return (payload.flag ?? "").includes("P");
}

/** Whether the link's own expiry (seconds since the epoch) has passed. */
export function expired(payload: ShlPayload, now: number = Date.now()): boolean {
  return payload.exp !== undefined && payload.exp * 1000 <= now;
}

/**
 * The plaintext of a compact JWE under a "dir" A256GCM key: the protected header (as sent, in
 * base64url) is the additional authenticated data; WebCrypto takes the tag after the ciphertext.
 * Throws on anything else, or when the key or the data do not match.
 */
export async function decryptJwe(token: string, key: string): Promise<string> {
  const parts = token.trim().split(".");
  if (parts.length !== 5) throw new Error("not a compact JWE");
  const [header = "", encryptedKey, iv = "", ciphertext = "", tag = ""] = parts;
  const protectedHeader = JSON.parse(new TextDecoder().decode(fromBase64url(header)));
  if (protectedHeader.alg !== "dir" || protectedHeader.enc !== "A256GCM" || encryptedKey !== "")
    throw new Error("unsupported JWE");
  const cryptoKey = await crypto.subtle.importKey("raw", fromBase64url(key), { name: "AES-GCM" }, false, ["decrypt"]);
  const sealed = new Uint8Array([...fromBase64url(ciphertext), ...fromBase64url(tag)]);
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64url(iv), additionalData: new TextEncoder().encode(header), tagLength: 128 },
    cryptoKey,
    sealed,
  );
  return new TextDecoder().decode(plain);
}
