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

/**
 * Counters with expiry, as two operations that every shared engine does atomically. Keys are
 * short printable strings made by the library (long client ids are hashed first).
 *
 * - `get(keys)`: the live counters, in order; `undefined` for a key that has none (never
 *   set, or expired). Redis: `GET` + `PTTL` per key in one pipeline. SQL:
 *   `SELECT key, count, reset_at FROM attempts WHERE key = ANY($1) AND reset_at > now()`.
 * - `increment(keys, windowSeconds)`: adds one to each counter; a counter that does not
 *   exist (or has expired) starts at 1 and expires `windowSeconds` from now. The window is
 *   never extended by later increments, so a counter always decays. Redis: `INCR k` and,
 *   when the key has no TTL yet, `PEXPIRE k <window>`, in one script. SQL: the upsert in
 *   the example below.
 *
 * Keys hold the client_id as the request sent it, so they may contain any character (NUL
 * included). The library ships `RedisAttemptStore`, `PostgresAttemptStore` and
 * `DenoKvAttemptStore`; `testAttemptStore` checks any implementation.
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
  increment(keys: readonly string[], windowSeconds: number): Promise<void> | void;
}

interface Counter {
  count: number;
  resetAt: number;
}

const byReset = (c: Counter) => c.resetAt;

/**
 * The in-memory {@link AttemptStore}: atomic within one process and bounded (100,000
 * counters per window length by default). Counters with different window lengths live in
 * separate maps, so each map expires in insertion order, and the long-lived "known caller"
 * marks of the brute-force guard cannot be crowded out by an attacker's short-lived
 * counters. When full of live counters, `increment` throws `StoreFullError` rather than
 * forget one (forgetting would hand an attacker fresh guesses).
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
  readonly #options: MemoryStoreOptions;
  readonly #clock: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    this.#options = { ...options, maxEntries: options.maxEntries ?? 100_000 };
    this.#clock = options.clock ?? Date.now;
    // Fail at construction, not at the first failed login.
    new ExpiringMap(byReset, this.#options);
  }

  /** Counters held, expired ones not yet dropped included. */
  get size(): number {
    let n = 0;
    for (const map of this.#windows.values()) n += map.size;
    return n;
  }

  get(keys: readonly string[]): (AttemptCount | undefined)[] {
    return keys.map((key) => this.#find(key));
  }

  increment(keys: readonly string[], windowSeconds: number): void {
    const now = this.#clock() / 1000;
    for (const key of keys) {
      const live = this.#find(key);
      if (live !== undefined) {
        live.count++;
        continue;
      }
      let map = this.#windows.get(windowSeconds);
      if (map === undefined) this.#windows.set(windowSeconds, map = new ExpiringMap(byReset, this.#options));
      map.set(key, { count: 1, resetAt: now + windowSeconds });
    }
  }

  #find(key: string): Counter | undefined {
    for (const map of this.#windows.values()) {
      const c = map.get(key);
      if (c !== undefined) return c;
    }
    return undefined;
  }
}
