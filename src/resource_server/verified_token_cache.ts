/**
 * A memo of JWT signatures already verified, so that a token presented again skips the one
 * expensive step of its verification: a WebCrypto signature check costs 60-100 µs of CPU on
 * Node 20 (ES256 or EdDSA), while everything else a resource server checks costs a few.
 *
 * What it remembers is only this: "the token whose SHA-256 is H was signed by key K". On a
 * hit the token is still taken apart and every claim is checked again as on a miss (`iss`,
 * `aud`, `exp`/`nbf`/`iat` against the clock now, required claims, scope, the revocation
 * list), so expiry and revocation are never served from the memo. The entry is used only
 * when the key found for the token now is the very `CryptoKey` that verified it: a key
 * removed from a rotating `KeySet` or from a refreshed remote JWK Set is a new index with
 * new key objects, so its tokens are verified afresh (and then refused). Tokens are kept as
 * their SHA-256, never in the clear; failures are never remembered; an entry goes when its
 * token expires, and the oldest goes first when the memo is full.
 *
 * @module
 */

import { sha256 } from "../crypto/sha256.ts";

const encoder = new TextEncoder();

/** Latin-1 string of a digest: a compact Map key (32 characters, one byte each). */
function keyOf(token: string): string {
  return String.fromCharCode(...sha256(encoder.encode(token)));
}

interface Entry {
  readonly key: CryptoKey;
  /** Seconds since the epoch after which the entry is useless (the token's exp plus leeway). */
  readonly until: number;
}

/** A bounded memo of verified JWT signatures; see the module comment. */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;

  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  /** How many tokens are remembered. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Whether `token` was verified before with exactly `key` and has not expired (`now` and
   * `until` in seconds). Computes the token's hash once; pass it on to {@link remember}.
   */
  lookup(token: string, key: CryptoKey, now: number): { hit: boolean; hash: string } {
    const hash = keyOf(token);
    const entry = this.#entries.get(hash);
    if (entry === undefined) return { hit: false, hash };
    if (now >= entry.until) {
      this.#entries.delete(hash);
      return { hit: false, hash };
    }
    return { hit: entry.key === key, hash };
  }

  /** Remembers that the token with this hash was verified by `key`, until `until` (seconds). */
  remember(hash: string, key: CryptoKey, until: number): void {
    if (this.#max === 0) return;
    this.#entries.delete(hash);
    while (this.#entries.size >= this.#max) {
      // Map iteration is insertion order: the first entry is the oldest.
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(hash, { key, until });
  }
}
