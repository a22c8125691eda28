/**
 * The in-memory token store: the reference implementation of {@link TokenStore}, for tests
 * and single-process deployments.
 *
 * @module
 */

import { StoreFullError, type TokenRecord, type TokenStore } from "./token_store.ts";

/** Options for {@link MemoryTokenStore}. */
export interface MemoryTokenStoreOptions {
  /** The most records held at once; default 1,000,000. */
  maxEntries?: number;
  /** Milliseconds since the epoch; default `Date.now`. Share it with the server in tests. */
  clock?: () => number;
}

/**
 * Keeps token records in a `Map`, bounded in size.
 *
 * Expired records are dropped as new ones arrive (a few at a time from the oldest end, so
 * the cost is constant per save) and on lookup. When the store is full of live records it
 * throws {@link StoreFullError} instead of evicting one: forgetting a live token would make
 * a valid token stop working without anyone noticing.
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
  readonly #records = new Map<string, TokenRecord>();
  readonly #maxEntries: number;
  readonly #clock: () => number;
  /** No full sweep before this time (seconds): the last one found nothing expired earlier. */
  #nextSweep = 0;

  constructor(options: MemoryTokenStoreOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 1_000_000;
    if (!Number.isSafeInteger(this.#maxEntries) || this.#maxEntries < 1) {
      throw new RangeError("maxEntries must be a positive integer");
    }
    this.#clock = options.clock ?? Date.now;
  }

  /** The number of records held, expired ones not yet dropped included. */
  get size(): number {
    return this.#records.size;
  }

  save(key: string, record: TokenRecord): Promise<void> {
    const now = this.#clock() / 1000;
    this.#dropOldest(now);
    if (this.#records.size >= this.#maxEntries && !this.#records.has(key)) {
      this.#sweep(now);
      if (this.#records.size >= this.#maxEntries) {
        return Promise.reject(
          new StoreFullError("the token store is full of live tokens", Math.max(1, Math.ceil(this.#nextSweep - now))),
        );
      }
    }
    this.#records.set(key, record);
    return Promise.resolve();
  }

  find(key: string): Promise<TokenRecord | undefined> {
    const record = this.#records.get(key);
    if (record !== undefined && record.exp <= this.#clock() / 1000) {
      this.#records.delete(key);
      return Promise.resolve(undefined);
    }
    return Promise.resolve(record);
  }

  revoke(key: string): Promise<boolean> {
    return Promise.resolve(this.#records.delete(key));
  }

  /** Drops up to two expired records from the oldest end: records mostly expire in order. */
  #dropOldest(now: number): void {
    let n = 0;
    for (const [key, record] of this.#records) {
      if (record.exp > now || n++ === 2) break;
      this.#records.delete(key);
    }
  }

  /** Drops every expired record; remembers when the earliest live one expires. */
  #sweep(now: number): void {
    if (now < this.#nextSweep) return;
    let earliest = Infinity;
    for (const [key, record] of this.#records) {
      if (record.exp <= now) this.#records.delete(key);
      else if (record.exp < earliest) earliest = record.exp;
    }
    this.#nextSweep = earliest;
  }
}
