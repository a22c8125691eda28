/**
 * Opaque access tokens: random strings whose meaning lives in the token store.
 *
 * @module
 */

import type { CryptoProvider } from "../crypto/provider.ts";
import { encodeBase64Url } from "../encoding/base64.ts";

const encoder = new TextEncoder();

/**
 * A new opaque token: 32 random bytes (256 bits; RFC 6749 s10.10 asks for at least 128) as
 * base64url, which stays inside RFC 6750 s2.1's b64token alphabet.
 */
export function generateOpaqueToken(crypto: CryptoProvider): string {
  return encodeBase64Url(crypto.randomBytes(32));
}

/**
 * The key a token is stored under: base64url(SHA-256(token)). Stores never see the token,
 * and a 256-bit random token needs no salt or slow hash to be safe from inversion.
 *
 * @example
 * ```ts
 * import { tokenKey } from "./opaque.ts";
 * import { webCrypto } from "../crypto/provider.ts";
 * await tokenKey("some-token", webCrypto); // 43 base64url characters
 * ```
 */
export async function tokenKey(token: string, crypto: CryptoProvider): Promise<string> {
  const d = crypto.digest("SHA-256", encoder.encode(token));
  return encodeBase64Url(d instanceof Uint8Array ? d : await d);
}
