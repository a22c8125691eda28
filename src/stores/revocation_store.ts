/**
 * The revocation list for self-contained (JWT) access tokens: a JWT cannot be deleted, so
 * its `jti` is remembered as revoked until the token would have expired anyway (RFC 7009
 * s2; RFC 9068 tokens carry `jti`).
 *
 * @module
 */

import { ExpiringMap, type MemoryStoreOptions } from "./expiring_map.ts";

/**
 * Revoked token identifiers, each kept until `expiresAt`. Shared by every instance that
 * introspects or verifies tokens, so a revocation seen by one is seen by all.
 *
 * @example A revocation list over a Redis-like client
 * ```ts
 * import type { RevocationStore } from "./revocation_store.ts";
 *
 * declare const redis: {
 *   set(k: string, v: string, o: { EXAT: number }): Promise<unknown>;
 *   exists(k: string): Promise<number>;
 * };
 *
 * const revoked: RevocationStore = {
 *   async revoke(jti, expiresAt) {
 *     await redis.set(`revoked:${jti}`, "1", { EXAT: expiresAt });
 *   },
 *   async isRevoked(jti) {
 *     return (await redis.exists(`revoked:${jti}`)) > 0;
 *   },
 * };
 * ```
 */
export interface RevocationStore {
  /** Records `jti` as revoked until `expiresAt` (seconds since the epoch). */
  revoke(jti: string, expiresAt: number): Promise<void>;
  /** Whether `jti` is revoked. */
  isRevoked(jti: string): Promise<boolean>;
}

/**
 * The in-memory {@link RevocationStore}: bounded (1,000,000 ids by default); when full of
 * unexpired revocations it rejects new ones rather than forgetting any.
 */
export class MemoryRevocationStore implements RevocationStore {
  readonly #ids: ExpiringMap<number>;

  constructor(options: MemoryStoreOptions = {}) {
    this.#ids = new ExpiringMap((expiresAt: number) => expiresAt, options);
  }

  revoke(jti: string, expiresAt: number): Promise<void> {
    try {
      this.#ids.set(jti, expiresAt);
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  isRevoked(jti: string): Promise<boolean> {
    return Promise.resolve(this.#ids.get(jti) !== undefined);
  }
}
