/**
 * The in-memory token store: the reference implementation of {@link TokenStore}, for tests
 * and single-process deployments.
 *
 * @module
 */

import { ExpiringMap, type MemoryStoreOptions } from "./expiring_map.ts";
import type { TokenRecord, TokenStore } from "./token_store.ts";

/** Options for {@link MemoryTokenStore}. */
export type MemoryTokenStoreOptions = MemoryStoreOptions;

const byExp = (record: TokenRecord) => record.exp;

/**
 * Keeps token records in memory, bounded in size (1,000,000 by default).
 *
 * Expired records are dropped as new ones arrive and on lookup. When the store is full of
 * live records, `save` rejects with `StoreFullError` instead of evicting one: forgetting a
 * live token would make a valid token stop working without anyone noticing.
 *
 * @example
 * ```ts
 * import { MemoryTokenStore } from "./memory_token_store.ts";
 * const store = new MemoryTokenStore({ maxEntries: 100_000 });
 * await store.save("k", { client_id: "c", scope: "", iat: 0, exp: 2 ** 31 });
 * (await store.find("k"))?.client_id; // "c"
 * ```
 */
export class MemoryTokenStore implements TokenStore {
  readonly #records: ExpiringMap<TokenRecord>;

  constructor(options: MemoryTokenStoreOptions = {}) {
    this.#records = new ExpiringMap(byExp, options);
  }

  /** The number of records held, expired ones not yet dropped included. */
  get size(): number {
    return this.#records.size;
  }

  save(key: string, record: TokenRecord): Promise<void> {
    try {
      this.#records.set(key, record);
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  find(key: string): Promise<TokenRecord | undefined> {
    return Promise.resolve(this.#records.get(key));
  }

  revoke(key: string): Promise<boolean> {
    return Promise.resolve(this.#records.delete(key));
  }
}
