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

import { StoreFullError } from "./token_store.ts";
import { runtimeAgent } from "../runtime_agent.ts";

/**
 * Expired entries dropped per `set` at most. Two would keep pace with steady traffic but
 * leave a spike's expired entries in memory until as much traffic again had passed; 64
 * bounds the work of one call (a few microseconds) and clears a spike quickly.
 */
const DROP_PER_SET = 64;

/** Options of the in-memory stores. */
export interface MemoryStoreOptions {
  /** The most entries held at once; default 1,000,000. */
  maxEntries?: number;
  /** Milliseconds since the epoch; default `Date.now`. Share the server's clock in tests. */
  clock?: () => number;
}

/**
 * Entries per segment on JavaScriptCore (Bun); one segment, of any size, elsewhere. New keys
 * go into the newest segment, and a full one is sealed: JavaScriptCore pays for a large Map
 * that is still being written at every collection of the young generation, and V8 does not.
 * Over Bun.serve at a few hundred thousand live tokens, segments of 16,384 took the library
 * from about 23-27 to 21-22 µs of server CPU per request when its token store was a map of
 * this kind (bench/ANALYSIS.md, "second pass"; the token store now keeps typed arrays, and
 * the replay, revocation and attempt stores keep these maps);
 * the price is a hash and a bit per segment on each lookup, and on Bun at 1,000,000 entries
 * a lookup of the oldest key or of an absent one costs about 0.4 µs more. Bun says who it is
 * in `navigator.userAgent` (see `runtime_agent.ts`); the choice changes what a lookup costs,
 * never what it answers.
 */
const SEGMENT_ENTRIES: number = runtimeAgent.startsWith("Bun/") ? 16_384 : Infinity;

/**
 * A membership filter per segment once there are several (2^18 bits, 32 KiB, one bit per key:
 * about 6% false positives for a full segment), so a key that is absent, the common case of
 * `set`, costs one hash and a bit per segment rather than a Map probe per segment.
 */
const FILTER_WORDS = 1 << 13;

/** FNV-1a over the key's UTF-16 code units: 32 bits, for the filters only. */
function hashOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function mark(filter: Uint32Array, h: number): void {
  filter[(h >>> 5) & (FILTER_WORDS - 1)]! |= 1 << (h & 31);
}

function mayHold(filter: Uint32Array, h: number): boolean {
  return (filter[(h >>> 5) & (FILTER_WORDS - 1)]! & (1 << (h & 31))) !== 0;
}

/** One segment: its entries, and (once the map has sealed a segment) the filter of its keys. */
interface Segment<V> {
  readonly entries: Map<string, V>;
  filter: Uint32Array | undefined;
}

/**
 * Entries expire at `expiresAt(value)` (seconds since the epoch). Expired entries are dropped
 * from the oldest end as new ones arrive, up to 64 per `set` (entries mostly expire in
 * insertion order, so this is constant amortized work, bounded per call; after a spike of
 * N entries, about N/64 new ones clear the expired rest), on lookup, and by a full sweep when the map is
 * full; after a sweep that freed nothing, no other sweep runs until the earliest entry is due.
 *
 * On Bun the entries live in segments of at most 16,384 (see `SEGMENT_ENTRIES`), oldest
 * first; a key is in one segment at most, and replacing its value keeps it where it is, so
 * the segments in order hold the entries in insertion order, as one Map would.
 */
export class ExpiringMap<V> {
  /** Oldest first; never empty; only the last one takes new keys. */
  readonly #segments: Segment<V>[] = [{ entries: new Map(), filter: undefined }];
  #size = 0;
  readonly #segmentEntries: number;
  readonly #expiresAt: (value: V) => number;
  readonly #maxEntries: number;
  readonly #clock: () => number;
  readonly #onRemove: ((value: V) => void) | undefined;
  #nextSweep = 0;
  /** When the oldest entry last looked at expires: until then `set` need not look again. */
  #oldestExpires = -Infinity;

  /**
   * `onRemove` is told of every value that leaves the map (expired, deleted or replaced),
   * once: the Map-of-records token store kept its per-client counts with it (its copy in
   * tests/support is the reference the typed-array store is checked against).
   * `segmentEntries` is for tests (small segments, to drive the segment boundaries).
   */
  constructor(expiresAt: (value: V) => number, options: MemoryStoreOptions = {}, onRemove?: (value: V) => void, segmentEntries: number = SEGMENT_ENTRIES) {
    this.#expiresAt = expiresAt;
    this.#maxEntries = options.maxEntries ?? 1_000_000;
    if (!Number.isSafeInteger(this.#maxEntries) || this.#maxEntries < 1) {
      throw new RangeError("maxEntries must be a positive integer");
    }
    this.#clock = options.clock ?? Date.now;
    this.#onRemove = onRemove;
    this.#segmentEntries = segmentEntries;
  }

  /** The most entries held at once. */
  get maxEntries(): number {
    return this.#maxEntries;
  }

  /** Entries held, including expired ones not yet dropped. */
  get size(): number {
    return this.#size;
  }

  /**
   * The segment holding `key`, newest first (recent keys are the ones looked up most); `h` is
   * the key's hash when the segments have filters.
   */
  #segmentOf(key: string, h: number): Segment<V> | undefined {
    const segments = this.#segments;
    if (segments.length === 1) return segments[0]!.entries.has(key) ? segments[0] : undefined;
    for (let i = segments.length - 1; i >= 0; i--) {
      const segment = segments[i]!;
      if ((segment.filter === undefined || mayHold(segment.filter, h)) && segment.entries.has(key)) return segment;
    }
    return undefined;
  }

  /** The key's hash when some segment has a filter to ask or to mark, or -1 (one segment without one). */
  #hash(key: string): number {
    return this.#segments.length === 1 && this.#segments[0]!.filter === undefined ? -1 : hashOf(key);
  }

  /** Removes `key` from `segment`, and the segment too once it is empty (unless it is the newest). */
  #remove(segment: Segment<V>, key: string): void {
    segment.entries.delete(key);
    this.#size--;
    if (segment.entries.size === 0 && segment !== this.#segments[this.#segments.length - 1]) {
      this.#segments.splice(this.#segments.indexOf(segment), 1);
    }
  }

  /** The live value under `key`. */
  get(key: string): V | undefined {
    // One segment (every runtime but Bun, and any small map): one Map lookup, as before segments.
    const segment = this.#segments.length === 1 ? this.#segments[0]! : this.#segmentOf(key, this.#hash(key));
    if (segment === undefined) return undefined;
    const value = segment.entries.get(key);
    if (value !== undefined && this.#expiresAt(value) <= this.#clock() / 1000) {
      this.#remove(segment, key);
      this.#onRemove?.(value);
      return undefined;
    }
    return value;
  }

  /** Stores `value` under `key`; throws {@link StoreFullError} when full of live entries. */
  set(key: string, value: V): void {
    const now = this.#clock() / 1000;
    this.#dropOldest(now);
    const h = this.#hash(key);
    let segment = this.#segmentOf(key, h);
    if (segment === undefined && this.#size >= this.#maxEntries) {
      this.#sweep(now);
      if (this.#size >= this.#maxEntries) throw this.#full(now);
    }
    if (segment !== undefined) {
      if (this.#onRemove !== undefined) {
        const old = segment.entries.get(key);
        if (old !== undefined) this.#onRemove(old);
      }
      segment.entries.set(key, value);
      return;
    }
    segment = this.#segments[this.#segments.length - 1]!;
    if (segment.entries.size >= this.#segmentEntries) {
      // Sealed: the first segment gets its filter now (once in the map's life); every later
      // one is born with one and marked as it fills.
      if (segment.filter === undefined) {
        const filter = segment.filter = new Uint32Array(FILTER_WORDS);
        for (const k of segment.entries.keys()) mark(filter, hashOf(k));
      }
      this.#segments.push(segment = { entries: new Map(), filter: new Uint32Array(FILTER_WORDS) });
    }
    if (segment.filter !== undefined) mark(segment.filter, h === -1 ? hashOf(key) : h);
    segment.entries.set(key, value);
    this.#size++;
  }

  /**
   * Throws the {@link StoreFullError} that `set` of a new key would throw now, or returns:
   * for a caller that must refuse exactly when this map would (the attempt store's
   * forgettable counters).
   */
  assertRoom(): void {
    if (this.#size < this.#maxEntries) return;
    const now = this.#clock() / 1000;
    this.#dropOldest(now);
    if (this.#size < this.#maxEntries) return;
    this.#sweep(now);
    if (this.#size >= this.#maxEntries) throw this.#full(now);
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
    this.#remove(this.#segmentOf(key, this.#hash(key))!, key);
    this.#onRemove?.(live);
    return true;
  }

  #dropOldest(now: number): void {
    // Opportunistic only (lookups and the sweep enforce expiry): while the oldest entry seen
    // is live, skip the iterator, which costs more than the rest of a `set`.
    if (now < this.#oldestExpires) return;
    let n = 0;
    for (;;) {
      const segment = this.#segments[0]!;
      for (const [key, value] of segment.entries) {
        const exp = this.#expiresAt(value);
        if (exp > now) {
          this.#oldestExpires = exp;
          return;
        }
        if (n++ === DROP_PER_SET) {
          this.#oldestExpires = -Infinity;
          return;
        }
        this.#remove(segment, key);
        this.#onRemove?.(value);
      }
      // The oldest segment is empty now: gone from the list, unless it is the only one.
      if (this.#segments[0] === segment) break;
    }
    this.#oldestExpires = -Infinity;
  }

  #sweep(now: number): void {
    if (now < this.#nextSweep) return;
    let earliest = Infinity;
    for (const segment of [...this.#segments]) {
      for (const [key, value] of segment.entries) {
        const exp = this.#expiresAt(value);
        if (exp <= now) {
          this.#remove(segment, key);
          this.#onRemove?.(value);
        } else if (exp < earliest) earliest = exp;
      }
    }
    this.#nextSweep = earliest;
  }
}
