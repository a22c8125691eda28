/**
 * The attempt store: counters of failed client authentications, each living for a fixed
 * window from its first failure. The brute-force guard (RFC 6749 s2.3.1) reads and bumps
 * them; the policy (which keys, which limits) lives in `client_auth/brute_force.ts`.
 *
 * @module
 */

import { ExpiringMap, type MemoryStoreOptions } from "./expiring_map.ts";

/** A live counter: how many failures, and until when they count. */
export interface AttemptCount {
  /** Failures counted since the window started. */
  readonly count: number;
  /** When the counter expires (and so resets), in seconds since the epoch. */
  readonly resetAt: number;
}

/** How an {@link AttemptStore.increment} may treat the counters it creates. */
export interface AttemptIncrementOptions {
  /**
   * The counters belong to a client_id that is not registered. They exist only so that an
   * unknown id is answered exactly like a known one (a lockout after as many failures), and
   * guard no secret: a store with a bound may forget the oldest of them to make room,
   * rather than refuse. It must still refuse (throw) whenever it would refuse to create a
   * counter without this flag, so that a full store answers the same for every client_id.
   * A store without a bound (Redis, SQL) ignores it. A counter first created forgettable
   * and then incremented without the flag is kept like any other from then on.
   */
  forgettable?: boolean;
}

/**
 * Counters with expiry, as two operations that every shared engine does atomically. Keys are
 * short printable ASCII strings made by the library (a client id or caller that is long or
 * not printable ASCII is hashed first), though a store should accept any string.
 *
 * - `get(keys)`: the live counters, in order; `undefined` for a key that has none (never
 *   set, or expired). Redis: `GET` + `PTTL` per key in one pipeline. SQL:
 *   `SELECT key, count, reset_at FROM attempts WHERE key = ANY($1) AND reset_at > now()`.
 * - `increment(keys, windowSeconds, options)`: adds one to each counter; a counter that
 *   does not exist (or has expired) starts at 1 and expires `windowSeconds` from now. The
 *   window is never extended by later increments, so a counter always decays. Redis:
 *   `INCR k` and, when the key has no TTL yet, `PEXPIRE k <window>`, in one script. SQL:
 *   the upsert in the example below. `options.forgettable` marks counters of an unknown
 *   client_id, which a bounded store may forget first (see {@link AttemptIncrementOptions}).
 *
 * The library ships `RedisAttemptStore`, `PostgresAttemptStore` and `DenoKvAttemptStore`;
 * `testAttemptStore` checks any implementation.
 *
 * Each increment must be atomic per key across every instance that shares the store. Both
 * methods may answer synchronously or with a promise, and may throw or reject when the
 * store fails: the token endpoint then refuses to verify secrets (503) rather than let
 * guesses go uncounted.
 *
 * @example A store over PostgreSQL
 * ```ts
 * // create table attempts (key text primary key, count int not null, reset_at timestamptz not null);
 * import type { AttemptCount, AttemptStore } from "./attempt_store.ts";
 *
 * declare const sql: (q: TemplateStringsArray, ...v: unknown[]) => Promise<Record<string, any>[]>;
 *
 * const attempts: AttemptStore = {
 *   async get(keys) {
 *     const rows = await sql`select key, count, extract(epoch from reset_at) as reset_at
 *       from attempts where key = any(${keys}) and reset_at > now()`;
 *     const byKey = new Map(rows.map((r) => [r.key, { count: r.count, resetAt: Number(r.reset_at) }]));
 *     return keys.map((k): AttemptCount | undefined => byKey.get(k));
 *   },
 *   async increment(keys, windowSeconds) {
 *     for (const key of keys) {
 *       await sql`insert into attempts values (${key}, 1, now() + make_interval(secs => ${windowSeconds}))
 *         on conflict (key) do update set
 *           count = case when attempts.reset_at <= now() then 1 else attempts.count + 1 end,
 *           reset_at = case when attempts.reset_at <= now() then excluded.reset_at else attempts.reset_at end`;
 *     }
 *   },
 * };
 * ```
 */
export interface AttemptStore {
  /** The live counters under `keys`, in the same order; `undefined` where there is none. */
  get(keys: readonly string[]): Promise<readonly (AttemptCount | undefined)[]> | readonly (AttemptCount | undefined)[];
  /** Adds one to each counter, starting a `windowSeconds` window for a new or expired one. */
  increment(keys: readonly string[], windowSeconds: number, options?: AttemptIncrementOptions): Promise<void> | void;
}

interface Counter {
  count: number;
  resetAt: number;
}

const byReset = (c: Counter) => c.resetAt;

/** Expired forgettable counters dropped per increment at most (as the expiring map does). */
const DROP_PER_INCREMENT = 64;

/**
 * The forgettable counters of one window length, with their insertion order (also expiry
 * order) kept in an array beside the map: the oldest is first both to expire and to be
 * forgotten. (Taking the oldest from the map itself would cost time that grows with the
 * entries deleted before it, which V8 skips one by one; the array makes it constant.)
 * Entries of the array whose counter the map no longer holds are skipped when reached.
 */
class ForgettableCounters {
  readonly #counters = new Map<string, Counter>();
  #keys: string[] = [];
  #order: Counter[] = [];
  #head = 0;
  readonly #max: number;
  readonly #clock: () => number;

  constructor(max: number, clock: () => number) {
    this.#max = max;
    this.#clock = clock;
  }

  get size(): number {
    return this.#counters.size;
  }

  get(key: string): Counter | undefined {
    const c = this.#counters.get(key);
    if (c !== undefined && c.resetAt <= this.#clock() / 1000) {
      this.#counters.delete(key);
      return undefined;
    }
    return c;
  }

  delete(key: string): void {
    this.#counters.delete(key);
  }

  /** Adds a counter, dropping expired ones and then, when at the bound, the oldest live one. */
  add(key: string, counter: Counter): void {
    const now = this.#clock() / 1000;
    for (let n = 0; this.#head < this.#keys.length && n < DROP_PER_INCREMENT; n++) {
      const held = this.#counters.get(this.#keys[this.#head]!) === this.#order[this.#head];
      if (held && this.#order[this.#head]!.resetAt > now) break;
      if (held) this.#counters.delete(this.#keys[this.#head]!);
      this.#head++;
    }
    while (this.#counters.size >= this.#max && this.#head < this.#keys.length) {
      const k = this.#keys[this.#head]!;
      if (this.#counters.get(k) === this.#order[this.#head++]) this.#counters.delete(k);
    }
    this.#counters.set(key, counter);
    this.#keys.push(key);
    this.#order.push(counter);
    const queued = this.#keys.length - this.#head;
    if (queued > 2 * this.#max + 64) {
      // Entries deleted out of order (counters moved to the kept ones) piled up: keep the held ones.
      const live = [];
      for (let i = this.#head; i < this.#keys.length; i++) if (this.#counters.get(this.#keys[i]!) === this.#order[i]) live.push(i);
      this.#keys = live.map((i) => this.#keys[i]!);
      this.#order = live.map((i) => this.#order[i]!);
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#keys.length) {
      this.#keys = this.#keys.slice(this.#head);
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    }
  }
}

let countOf: (store: MemoryAttemptStore, key: string) => AttemptCount | undefined;
let isMemoryStore: (store: object) => boolean;
/** `MemoryAttemptStore.prototype.get` as this module defines it. */
let ownGet: AttemptStore["get"];

/**
 * The in-memory {@link AttemptStore}: atomic within one process and bounded (100,000
 * counters per window length by default, and as many again for counters of unknown client
 * ids). Counters with different window lengths live in separate maps, so each map expires
 * in insertion order, and the long-lived "known caller" marks of the brute-force guard
 * cannot be crowded out by an attacker's short-lived counters.
 *
 * When full of live counters, `increment` throws `StoreFullError` rather than forget one
 * (forgetting would hand an attacker fresh guesses). Counters of client ids that do not
 * exist (`forgettable`, see {@link AttemptIncrementOptions}) guard no secret: they live in a
 * bound of their own, where the oldest is forgotten to make room, so a flood of made-up
 * client ids can neither fill the store nor crowd out the counters of real clients. (A
 * forgettable increment still throws whenever a plain one would, so the answers stay the
 * same for every client_id.)
 *
 * @example
 * ```ts
 * import { MemoryAttemptStore } from "./attempt_store.ts";
 * const attempts = new MemoryAttemptStore({ maxEntries: 10_000 });
 * attempts.increment(["k"], 900);
 * attempts.get(["k", "other"]); // [{ count: 1, resetAt: <now + 900> }, undefined]
 * ```
 */
export class MemoryAttemptStore implements AttemptStore {
  readonly #windows = new Map<number, ExpiringMap<Counter>>();
  /** The maps of `#windows`, in the same (insertion) order. */
  readonly #maps: ExpiringMap<Counter>[] = [];
  readonly #forgettable = new Map<number, ForgettableCounters>();
  readonly #options: MemoryStoreOptions;
  readonly #maxEntries: number;
  readonly #clock: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#options = { ...options, maxEntries: this.#maxEntries };
    this.#clock = options.clock ?? Date.now;
    // Fail at construction, not at the first failed login.
    new ExpiringMap(byReset, this.#options);
  }

  /** Counters held, expired ones not yet dropped included. */
  get size(): number {
    let n = 0;
    for (const map of this.#maps) n += map.size;
    for (const map of this.#forgettable.values()) n += map.size;
    return n;
  }

  get(keys: readonly string[]): (AttemptCount | undefined)[] {
    const counts: (AttemptCount | undefined)[] = [];
    for (let i = 0; i < keys.length; i++) counts.push(this.#count(keys[i]!));
    return counts;
  }

  /** The live counter under `key`: `get([key])[0]`, without the array. */
  #count(key: string): Counter | undefined {
    return this.#find(key) ?? (this.#forgettable.size === 0 ? undefined : this.#forgettableCounter(key));
  }

  static {
    // The guard's read of one counter (see `memoryCounterReader`): a private method,
    // reachable from this module only.
    countOf = (store, key) => store.#count(key);
    isMemoryStore = (store) => #count in store;
  }

  increment(keys: readonly string[], windowSeconds: number, options?: AttemptIncrementOptions): void {
    const now = this.#clock() / 1000;
    const forgettable = options?.forgettable === true;
    for (const key of keys) {
      const live = this.#find(key);
      if (live !== undefined) {
        live.count++;
        continue;
      }
      const kept = this.#findForgettable(key);
      if (kept !== undefined && forgettable) {
        kept.counter.count++;
        continue;
      }
      if (kept !== undefined) {
        // A counter of an unknown id now counted for a real one (a client registered since, or
        // a caller's counter): it is kept from now on, its count and window unchanged.
        this.#map(kept.window).set(key, { count: kept.counter.count + 1, resetAt: kept.counter.resetAt });
        kept.from.delete(key);
        continue;
      }
      const map = this.#map(windowSeconds);
      if (forgettable) {
        // Refused exactly when a counter of a real client would be: the answers do not depend
        // on whether the client_id exists.
        map.assertRoom();
        let counters = this.#forgettable.get(windowSeconds);
        if (counters === undefined) this.#forgettable.set(windowSeconds, counters = new ForgettableCounters(this.#maxEntries, this.#clock));
        counters.add(key, { count: 1, resetAt: now + windowSeconds });
      } else {
        map.set(key, { count: 1, resetAt: now + windowSeconds });
      }
    }
  }

  #map(windowSeconds: number): ExpiringMap<Counter> {
    let map = this.#windows.get(windowSeconds);
    if (map === undefined) {
      this.#windows.set(windowSeconds, map = new ExpiringMap(byReset, this.#options));
      this.#maps.push(map);
    }
    return map;
  }

  #find(key: string): Counter | undefined {
    // An index loop over the array, not an iterator over the Map: a read allocates nothing.
    const maps = this.#maps;
    for (let i = 0; i < maps.length; i++) {
      const c = maps[i]!.get(key);
      if (c !== undefined) return c;
    }
    return undefined;
  }

  #forgettableCounter(key: string): Counter | undefined {
    for (const from of this.#forgettable.values()) {
      const counter = from.get(key);
      if (counter !== undefined) return counter;
    }
    return undefined;
  }

  #findForgettable(key: string): { counter: Counter; from: ForgettableCounters; window: number } | undefined {
    for (const [window, from] of this.#forgettable) {
      const counter = from.get(key);
      if (counter !== undefined) return { counter, from, window };
    }
    return undefined;
  }
}

ownGet = MemoryAttemptStore.prototype.get;

/**
 * For the brute-force guard: when `store` is a {@link MemoryAttemptStore} itself (not a
 * subclass, a wrapper or a proxy, and its `get` not replaced), a read of one key that
 * answers what `store.get([key])[0]` would, without an array per read (issue 15); else
 * `undefined`, and the guard reads through `get`. Checked once, when the guard is made.
 *
 * @example
 * ```ts
 * import { MemoryAttemptStore, memoryCounterReader } from "./attempt_store.ts";
 * const store = new MemoryAttemptStore();
 * store.increment(["k"], 900);
 * memoryCounterReader(store)?.("k"); // { count: 1, resetAt: <now + 900> }
 * memoryCounterReader({ get: (keys) => keys.map(() => undefined), increment() {} }); // undefined
 * ```
 */
export function memoryCounterReader(store: AttemptStore): ((key: string) => AttemptCount | undefined) | undefined {
  if (!isMemoryStore(store) || Object.getPrototypeOf(store) !== MemoryAttemptStore.prototype || store.get !== ownGet) return undefined;
  const memory = store as MemoryAttemptStore;
  return (key) => countOf(memory, key);
}
