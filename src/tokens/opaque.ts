/**
 * Opaque access tokens: random strings whose meaning lives in the token store.
 *
 * @module
 */

import { type CryptoProvider, webCrypto } from "../crypto/provider.ts";
import { sha256Text } from "../crypto/sha256.ts";
import { encodeBase64Url } from "../encoding/base64.ts";
import { utf8 } from "../encoding/utf8.ts";

/** Token bytes drawn from the default provider in batches of this many (128 tokens). */
const POOL_BYTES = 4096;
let pool: Uint8Array = new Uint8Array(0);
let poolOffset = 0;
/** Where {@link tokenKey} writes a digest before encoding it (a store key: nothing secret). */
const keyDigest = new Uint8Array(32);

/**
 * `length` random bytes (at most 256) as base64url. With the default provider the bytes
 * come from `crypto.getRandomValues` 4 KiB at a time: on Node each call costs about 2 µs
 * whatever its size, more than the rest of issuing. Each value's bytes are used once and
 * zeroed as soon as they are encoded. A provider passed in the options is asked for
 * `length` bytes each time.
 */
export function randomBase64Url(crypto: CryptoProvider, length: number): string {
  if (crypto !== webCrypto || length > 256) return encodeBase64Url(crypto.randomBytes(length));
  if (poolOffset + length > pool.length) {
    pool = webCrypto.randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + length);
  poolOffset += length;
  const value = encodeBase64Url(bytes);
  bytes.fill(0);
  return value;
}

/**
 * A new opaque token: 32 random bytes (256 bits; RFC 6749 s10.10 asks for at least 128) as
 * base64url, which stays inside RFC 6750 s2.1's b64token alphabet. See
 * {@link randomBase64Url} for where the bytes come from.
 */
export function generateOpaqueToken(crypto: CryptoProvider): string {
  return randomBase64Url(crypto, 32);
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
  return await tokenKeyOf(token, crypto);
}

/**
 * {@link tokenKey}, answered without a promise when the digest is synchronous (the default
 * provider's always is): issuing a token then spends no turn of the microtask queue on it.
 *
 * @example
 * ```ts
 * import { tokenKeyOf } from "./opaque.ts";
 * import { webCrypto } from "../crypto/provider.ts";
 * typeof tokenKeyOf("some-token", webCrypto); // "string"
 * ```
 */
export function tokenKeyOf(token: string, crypto: CryptoProvider): string | Promise<string> {
  // The default provider's digest is this library's SHA-256: hashed from the string into a
  // reused buffer, without a byte array for the token or for the digest.
  if (crypto === webCrypto) return encodeBase64Url(sha256Text(token, keyDigest));
  const d = crypto.digest("SHA-256", utf8(token));
  return d instanceof Uint8Array ? encodeBase64Url(d) : d.then(encodeBase64Url);
}
