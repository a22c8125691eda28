/**
 * The in-memory token store: the reference implementation of {@link TokenStore}, for tests
 * and single-process deployments.
 *
 * @module
 */

import type { MemoryStoreOptions } from "./expiring_map.ts";
import type { TokenRecord, TokenStore } from "./token_store.ts";
import { PackedTokenStore } from "./packed_token_store.ts";

/** Options for {@link MemoryTokenStore}. */
export interface MemoryTokenStoreOptions extends MemoryStoreOptions {
  /**
   * The most live records one client may hold; default a tenth of `maxEntries` (100,000 of
   * the default 1,000,000). A client at its quota is refused (`StoreFullError`, so `503
   * temporarily_unavailable` with `Retry-After`) while every other client is served.
   */
  maxEntriesPerClient?: number;
}

/**
 * Keeps token records in memory, bounded in size (1,000,000 by default) and per client (a
 * tenth of that by default), so that one client issuing tokens as fast as it can cannot take
 * every slot and starve the others.
 *
 * Expired records are dropped as new ones arrive and on lookup. When the store is full of
 * live records, or the client of a new record holds its quota, `save` rejects with
 * `StoreFullError` instead of evicting one: forgetting a live token would make a valid token
 * stop working without anyone noticing.
 *
 * The records live in typed arrays (`PackedTokenStore`, src/stores/packed_token_store.ts),
 * not as one object per token in a Map: every runtime's collector then has nothing to copy
 * or mark per token, and a save touches a few cache lines rather than a hash table's chains.
 * Over loopback HTTP a request cost about 1.8 µs less server CPU on Deno.serve and on
 * `@hono/node-server` with the typed arrays, and 2.3 µs less on Bun.serve (bench/ANALYSIS.md,
 * issue 15, 2026-12-06 and third pass); the answers are the Map of records' exactly
 * (tests/packed_token_store.test.ts).
 *
 * @example
 * ```ts
 * import { MemoryTokenStore } from "./memory_token_store.ts";
 * const store = new MemoryTokenStore({ maxEntries: 100_000, maxEntriesPerClient: 20_000 });
 * await store.save("k", { client_id: "c", scope: "", iat: 0, exp: 2 ** 31 });
 * (await store.find("k"))?.client_id; // "c"
 * ```
 */
export class MemoryTokenStore implements TokenStore {
  readonly #packed: PackedTokenStore;

  constructor(options: MemoryTokenStoreOptions = {}) {
    this.#packed = new PackedTokenStore(options);
  }

  /** The number of records held, expired ones not yet dropped included. */
  get size(): number {
    return this.#packed.size;
  }

  /** Records `record` under `key`; rejects with `StoreFullError` when the store or the client's quota is full of live records. */
  save(key: string, record: TokenRecord): Promise<void> {
    return this.#packed.save(key, record);
  }

  /** The live record under `key`, if any. */
  find(key: string): Promise<TokenRecord | undefined> {
    return this.#packed.find(key);
  }

  /** Forgets the record under `key`; resolves whether a live one was there. */
  revoke(key: string): Promise<boolean> {
    return this.#packed.revoke(key);
  }
}
