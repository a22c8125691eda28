// MemoryTokenStore as it was before the packed store for Bun (src/stores/memory_token_store.ts at d5d17f8),
// kept as the reference that tests/packed_token_store.test.ts compares the packed store against.
/**
 * The in-memory token store: the reference implementation of {@link TokenStore}, for tests
 * and single-process deployments.
 *
 * @module
 */

import { ExpiringMap, type MemoryStoreOptions } from "../../src/stores/expiring_map.ts";
import { StoreFullError, type TokenRecord, type TokenStore } from "../../src/stores/token_store.ts";

/** Options for {@link MemoryTokenStore}. */
export interface ReferenceMemoryTokenStoreOptions extends MemoryStoreOptions {
  /**
   * The most live records one client may hold; default a tenth of `maxEntries` (100,000 of
   * the default 1,000,000). A client at its quota is refused (`StoreFullError`, so `503
   * temporarily_unavailable` with `Retry-After`) while every other client is served.
   */
  maxEntriesPerClient?: number;
}

const byExp = (record: TokenRecord) => record.exp;

/**
 * One client's share: how many live records it holds, and the records it saved (with their
 * keys, in parallel arrays), oldest first from `head`. Records already gone are dropped
 * lazily: an entry is live while the map still holds that very record under its key.
 * `ordered` says the entries are in expiry order (records saved with one lifetime always
 * are), so the first live one is the next to expire.
 */
interface Share {
  count: number;
  keys: string[];
  records: TokenRecord[];
  head: number;
  lastExp: number;
  ordered: boolean;
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
 * @example
 * ```ts
 * import { MemoryTokenStore } from "./memory_token_store.ts";
 * const store = new MemoryTokenStore({ maxEntries: 100_000, maxEntriesPerClient: 20_000 });
 * await store.save("k", { client_id: "c", scope: "", iat: 0, exp: 2 ** 31 });
 * (await store.find("k"))?.client_id; // "c"
 * ```
 */
export class ReferenceMemoryTokenStore implements TokenStore {
  readonly #records: ExpiringMap<TokenRecord>;
  readonly #shares = new Map<string, Share>();
  readonly #quota: number;
  readonly #clock: () => number;

  constructor(options: ReferenceMemoryTokenStoreOptions = {}) {
    this.#records = new ExpiringMap(byExp, options, (record) => this.#released(record));
    const quota = options.maxEntriesPerClient ?? Math.max(1, Math.floor(this.#records.maxEntries / 10));
    if (!Number.isSafeInteger(quota) || quota < 1) throw new RangeError("maxEntriesPerClient must be a positive integer");
    this.#quota = quota;
    this.#clock = options.clock ?? Date.now;
  }

  /** The number of records held, expired ones not yet dropped included. */
  get size(): number {
    return this.#records.size;
  }

  save(key: string, record: TokenRecord): Promise<void> {
    try {
      const id = record.client_id;
      const held = this.#shares.get(id);
      // Overwriting one of the client's own records takes no more of its quota.
      if (held !== undefined && held.count >= this.#quota && this.#records.get(key)?.client_id !== id) {
        this.#refuseOverQuota(held, id);
      }
      this.#records.set(key, record);
      // After the set: dropping expired records may have released this client's share.
      let share = this.#shares.get(id);
      if (share === undefined) {
        this.#shares.set(id, share = { count: 0, keys: [], records: [], head: 0, lastExp: -Infinity, ordered: true });
      }
      share.count++;
      share.keys.push(key);
      share.records.push(record);
      if (record.exp < share.lastExp) share.ordered = false;
      else share.lastExp = record.exp;
      if (share.keys.length - share.head > 2 * share.count + 64) this.#compact(share);
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

  /** A record left the map (expired, revoked, replaced): it no longer counts against its client. */
  #released(record: TokenRecord): void {
    const share = this.#shares.get(record.client_id);
    if (share !== undefined && --share.count <= 0) this.#shares.delete(record.client_id);
  }

  /**
   * The client holds its quota: drop its records that have expired, and if it still holds
   * the quota, throw with the time until its oldest live record expires. In expiry order
   * only the oldest entries need a look (amortized constant work per save); otherwise the
   * share is compacted and sorted once, and is in order again.
   */
  #refuseOverQuota(share: Share, id: string): void {
    if (!share.ordered) this.#compact(share, true);
    while (share.head < share.keys.length && !this.#live(share, share.head)) share.head++;
    if (share.count < this.#quota || this.#shares.get(id) !== share) return;
    const oldest = share.records[share.head];
    const retryAfter = oldest === undefined ? 1 : Math.max(1, Math.ceil(oldest.exp - this.#clock() / 1000));
    throw new StoreFullError("this client holds as many live tokens as it may", retryAfter);
  }

  /** Whether entry `i` of a share is still held (a lookup drops it if it has expired). */
  #live(share: Share, i: number): boolean {
    return this.#records.get(share.keys[i]!) === share.records[i];
  }

  /** Keeps only a share's live entries, so its arrays stay near its count; `sort` puts them in expiry order. */
  #compact(share: Share, sort = false): void {
    const live: number[] = [];
    for (let i = share.head; i < share.keys.length; i++) if (this.#live(share, i)) live.push(i);
    if (sort) live.sort((a, b) => share.records[a]!.exp - share.records[b]!.exp);
    share.keys = live.map((i) => share.keys[i]!);
    share.records = live.map((i) => share.records[i]!);
    share.head = 0;
    if (sort) {
      share.ordered = true;
      share.lastExp = share.records.at(-1)?.exp ?? -Infinity;
    }
  }
}
