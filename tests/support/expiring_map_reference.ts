// The one-Map ExpiringMap as it was before segments (src/stores/expiring_map.ts at 8490937),
// kept as the reference that tests/expiring_map.test.ts compares the segmented map against.
/**
 * A bounded map whose entries expire: the engine of every in-memory store.
 *
 * The bound is a promise never to forget live data: when the map is full of unexpired
 * entries, `set` throws {@link StoreFullError} instead of evicting one. (A peer server kept
 * replay records in an LRU shared with tokens; under load it forgot them and accepted
 * replays. Refusing new work is the safe failure.)
 *
 * @module
 */

import { StoreFullError } from "../../src/stores/token_store.ts";

/**
 * Expired entries dropped per `set` at most. Two would keep pace with steady traffic but
 * leave a spike's expired entries in memory until as much traffic again had passed; 64
 * bounds the work of one call (a few microseconds) and clears a spike quickly.
 */
const DROP_PER_SET = 64;

/** Options of the in-memory stores. */
interface MemoryStoreOptions {
  /** The most entries held at once; default 1,000,000. */
  maxEntries?: number;
  /** Milliseconds since the epoch; default `Date.now`. Share the server's clock in tests. */
  clock?: () => number;
}

/**
 * Entries expire at `expiresAt(value)` (seconds since the epoch). Expired entries are dropped
 * from the oldest end as new ones arrive, up to 64 per `set` (entries mostly expire in
 * insertion order, so this is constant amortized work, bounded per call; after a spike of
 * N entries, about N/64 new ones clear the expired rest), on lookup, and by a full sweep when the map is
 * full; after a sweep that freed nothing, no other sweep runs until the earliest entry is due.
 */
export class ReferenceExpiringMap<V> {
  readonly #entries = new Map<string, V>();
  readonly #expiresAt: (value: V) => number;
  readonly #maxEntries: number;
  readonly #clock: () => number;
  readonly #onRemove: ((value: V) => void) | undefined;
  #nextSweep = 0;
  /** When the oldest entry last looked at expires: until then `set` need not look again. */
  #oldestExpires = -Infinity;

  /**
   * `onRemove` is told of every value that leaves the map (expired, deleted or replaced),
   * once: the token store keeps its per-client counts with it.
   */
  constructor(expiresAt: (value: V) => number, options: MemoryStoreOptions = {}, onRemove?: (value: V) => void) {
    this.#expiresAt = expiresAt;
    this.#maxEntries = options.maxEntries ?? 1_000_000;
    if (!Number.isSafeInteger(this.#maxEntries) || this.#maxEntries < 1) {
      throw new RangeError("maxEntries must be a positive integer");
    }
    this.#clock = options.clock ?? Date.now;
    this.#onRemove = onRemove;
  }

  /** The most entries held at once. */
  get maxEntries(): number {
    return this.#maxEntries;
  }

  /** Entries held, including expired ones not yet dropped. */
  get size(): number {
    return this.#entries.size;
  }

  /** The live value under `key`. */
  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined && this.#expiresAt(value) <= this.#clock() / 1000) {
      this.#entries.delete(key);
      this.#onRemove?.(value);
      return undefined;
    }
    return value;
  }

  /** Stores `value` under `key`; throws {@link StoreFullError} when full of live entries. */
  set(key: string, value: V): void {
    const now = this.#clock() / 1000;
    this.#dropOldest(now);
    if (this.#entries.size >= this.#maxEntries && !this.#entries.has(key)) {
      this.#sweep(now);
      if (this.#entries.size >= this.#maxEntries) throw this.#full(now);
    }
    if (this.#onRemove !== undefined) {
      const old = this.#entries.get(key);
      if (old !== undefined) this.#onRemove(old);
    }
    this.#entries.set(key, value);
  }

  /**
   * Throws the {@link StoreFullError} that `set` of a new key would throw now, or returns:
   * for a caller that must refuse exactly when this map would (the attempt store's
   * forgettable counters).
   */
  assertRoom(): void {
    if (this.#entries.size < this.#maxEntries) return;
    const now = this.#clock() / 1000;
    this.#dropOldest(now);
    if (this.#entries.size < this.#maxEntries) return;
    this.#sweep(now);
    if (this.#entries.size >= this.#maxEntries) throw this.#full(now);
  }

  #full(now: number): StoreFullError {
    return new StoreFullError("the store is full of live entries", Math.max(1, Math.ceil(this.#nextSweep - now)));
  }

  /**
   * Stores `value` under `key` unless a live entry is there: the check and the write happen
   * in one synchronous step, so concurrent callers in this process cannot both win.
   * Returns whether `value` was stored.
   */
  setIfAbsent(key: string, value: V): boolean {
    if (this.get(key) !== undefined) return false;
    this.set(key, value);
    return true;
  }

  /** Removes `key`; returns whether a live entry was there. */
  delete(key: string): boolean {
    const live = this.get(key);
    if (live === undefined) return false;
    this.#entries.delete(key);
    this.#onRemove?.(live);
    return true;
  }

  #dropOldest(now: number): void {
    // Opportunistic only (lookups and the sweep enforce expiry): while the oldest entry seen
    // is live, skip the iterator, which costs more than the rest of a `set`.
    if (now < this.#oldestExpires) return;
    let n = 0;
    for (const [key, value] of this.#entries) {
      const exp = this.#expiresAt(value);
      if (exp > now) {
        this.#oldestExpires = exp;
        return;
      }
      if (n++ === DROP_PER_SET) break;
      this.#entries.delete(key);
      this.#onRemove?.(value);
    }
    this.#oldestExpires = -Infinity;
  }

  #sweep(now: number): void {
    if (now < this.#nextSweep) return;
    let earliest = Infinity;
    for (const [key, value] of this.#entries) {
      const exp = this.#expiresAt(value);
      if (exp <= now) {
        this.#entries.delete(key);
        this.#onRemove?.(value);
      } else if (exp < earliest) earliest = exp;
    }
    this.#nextSweep = earliest;
  }
}
