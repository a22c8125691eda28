/**
 * The replay store: one atomic "have I seen this before?" used to make client assertions
 * (RFC 7523 s3 `jti`) and DPoP proofs (RFC 9449 s11.1) single-use.
 *
 * @module
 */

import { ExpiringMap, type MemoryStoreOptions } from "./expiring_map.ts";

/**
 * Remembers keys until a time. `remember` must be atomic across every server instance that
 * shares the store (Redis `SET key 1 NX EXAT exp`; SQL `INSERT ... ON CONFLICT DO NOTHING`),
 * or two concurrent requests could both see "first use".
 *
 * It must never forget a key before `expiresAt`: a store that is full rejects (the request
 * then fails with 503) rather than dropping records.
 *
 * @example A replay store over a Redis-like client
 * ```ts
 * import type { ReplayStore } from "./replay_store.ts";
 *
 * declare const redis: { set(k: string, v: string, o: { NX: true; EXAT: number }): Promise<string | null> };
 *
 * const replay: ReplayStore = {
 *   async remember(key, expiresAt) {
 *     return (await redis.set(`replay:${key}`, "1", { NX: true, EXAT: expiresAt })) === "OK";
 *   },
 * };
 * ```
 */
export interface ReplayStore {
  /**
   * Records `key` until `expiresAt` (seconds since the epoch). Resolves `true` when the key
   * was not already recorded (first use), `false` when it was (a replay).
   */
  remember(key: string, expiresAt: number): Promise<boolean>;
}

/**
 * The in-memory {@link ReplayStore}: atomic within one process, bounded (1,000,000 keys by
 * default), never forgets an unexpired key.
 *
 * @example
 * ```ts
 * import { MemoryReplayStore } from "./replay_store.ts";
 * const replay = new MemoryReplayStore();
 * await replay.remember("jti-1", 2 ** 31); // true
 * await replay.remember("jti-1", 2 ** 31); // false: a replay
 * ```
 */
export class MemoryReplayStore implements ReplayStore {
  readonly #keys: ExpiringMap<number>;

  constructor(options: MemoryStoreOptions = {}) {
    this.#keys = new ExpiringMap((expiresAt: number) => expiresAt, options);
  }

  /** Keys held, expired ones not yet dropped included. */
  get size(): number {
    return this.#keys.size;
  }

  remember(key: string, expiresAt: number): Promise<boolean> {
    try {
      return Promise.resolve(this.#keys.setIfAbsent(key, expiresAt));
    } catch (e) {
      return Promise.reject(e);
    }
  }
}
