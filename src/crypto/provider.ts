/**
 * The crypto provider: the one place the library gets randomness, digests, key derivation
 * and constant-time comparison from. The default is WebCrypto; pass your own (a KMS-backed
 * random source, a FIPS module, a deterministic stub in tests) as the `crypto` option.
 *
 * @module
 */

import { sha256 } from "./sha256.ts";

/** Digest algorithms the library asks for. */
export type DigestAlgorithm = "SHA-256" | "SHA-384" | "SHA-512";

/**
 * What the library needs from cryptography, apart from signing (see `Signer`).
 *
 * Methods may answer synchronously or with a promise; the library awaits either. A
 * provider that wraps WebCrypto except for one method can spread {@link webCrypto}:
 *
 * @example
 * ```ts
 * import { webCrypto, type CryptoProvider } from "./provider.ts";
 *
 * let calls = 0;
 * const counting: CryptoProvider = {
 *   ...webCrypto,
 *   randomBytes(length) {
 *     calls++;
 *     return webCrypto.randomBytes(length);
 *   },
 * };
 * ```
 */
export interface CryptoProvider {
  /** Returns `length` bytes from a cryptographically secure source. */
  randomBytes(length: number): Uint8Array;
  /** Returns the digest of `data`. */
  digest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** PBKDF2-HMAC-SHA-256 (RFC 8018 s5.2), for slow hashes of human-chosen secrets. */
  pbkdf2Sha256(password: Uint8Array, salt: Uint8Array, iterations: number, length: number): Promise<Uint8Array>;
  /**
   * Compares two byte strings in time that depends only on their lengths. Callers compare
   * fixed-length digests, so lengths carry no secret.
   */
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
}

/**
 * Constant-time equality of two byte arrays: every byte is visited whatever the content.
 *
 * @example
 * ```ts
 * import { timingSafeEqual } from "./provider.ts";
 * timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])); // true
 * ```
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * The default provider: `crypto.getRandomValues`, `crypto.subtle`, and a synchronous
 * SHA-256 (same result as WebCrypto; see `sha256.ts` for why it is not `subtle.digest`).
 */
export const webCrypto: CryptoProvider = {
  randomBytes(length: number): Uint8Array {
    return crypto.getRandomValues(new Uint8Array(length));
  },
  digest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array | Promise<Uint8Array> {
    if (algorithm === "SHA-256") return sha256(data);
    return crypto.subtle.digest(algorithm, data as Uint8Array<ArrayBuffer>).then((d) => new Uint8Array(d));
  },
  async pbkdf2Sha256(password: Uint8Array, salt: Uint8Array, iterations: number, length: number): Promise<Uint8Array> {
    const key = await crypto.subtle.importKey("raw", password as Uint8Array<ArrayBuffer>, "PBKDF2", false, [
      "deriveBits",
    ]);
    const bits = await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt: salt as Uint8Array<ArrayBuffer>, iterations },
      key,
      length * 8,
    );
    return new Uint8Array(bits);
  },
  timingSafeEqual,
};
