/**
 * A user-supplied crypto provider, checked on every call: asynchronous answers end by the
 * `storeTimeoutMs` deadline, results of the wrong type or length are refused (a short
 * random buffer would silently weaken every token), and a comparison counts as a match only
 * when it answers exactly `true` (a provider that returned `"false"`, a truthy string, must
 * not authenticate anyone).
 *
 * @module
 */

import { withDeadline } from "../stores/deadline.ts";
import type { CryptoProvider, DigestAlgorithm } from "./provider.ts";

const DIGEST_LENGTH: Record<DigestAlgorithm, number> = { "SHA-256": 32, "SHA-384": 48, "SHA-512": 64 };

function bytes(what: string, value: unknown, length: number): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== length) {
    throw new TypeError(`the crypto provider's ${what} did not return ${length} bytes`);
  }
  return value;
}

/**
 * Wraps `provider` so that its answers are checked and its asynchronous calls bounded by
 * `ms` milliseconds. Faults become exceptions, which the token endpoint answers with a 5xx
 * and no token.
 *
 * @example
 * ```ts
 * import { checkedCryptoProvider } from "./checked_provider.ts";
 * import { webCrypto } from "./provider.ts";
 * const crypto = checkedCryptoProvider({ ...webCrypto }, 5_000);
 * crypto.randomBytes(32).length; // 32
 * ```
 */
export function checkedCryptoProvider(provider: CryptoProvider, ms: number): CryptoProvider {
  return {
    randomBytes(length: number): Uint8Array {
      return bytes("randomBytes", provider.randomBytes(length), length);
    },
    digest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array | Promise<Uint8Array> {
      const length = DIGEST_LENGTH[algorithm];
      const d = provider.digest(algorithm, data);
      if (d instanceof Uint8Array) return bytes("digest", d, length);
      return withDeadline("crypto digest", ms, () => d).then((v) => bytes("digest", v, length));
    },
    pbkdf2Sha256(password: Uint8Array, salt: Uint8Array, iterations: number, length: number): Promise<Uint8Array> {
      return withDeadline("crypto pbkdf2Sha256", ms, () => provider.pbkdf2Sha256(password, salt, iterations, length))
        .then((v) => bytes("pbkdf2Sha256", v, length));
    },
    timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
      return provider.timingSafeEqual(a, b) === true;
    },
  };
}
