/**
 * The brute-force guard's counters on Deno KV: one entry per counter, bumped by an atomic
 * operation checked on versionstamps.
 *
 * @module
 */

import type { AttemptCount, AttemptStore } from "../attempt_store.ts";
import { webCrypto } from "../../crypto/provider.ts";
import {
  type DenoKvLike,
  type DenoKvStoreConfig,
  denoKvStoreConfig,
  type DenoKvStoreOptions,
  type KvEntryLike,
  type KvKey,
  kvWrite,
} from "./kv_like.ts";

/**
 * Check-and-write rounds before giving up. Another instance's increment of the same counter
 * fails a round; within one store, increments of a key wait for each other, so only other
 * instances contend.
 */
const ATTEMPTS = 32;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An {@link AttemptStore} on Deno KV, shared by every instance on the same KV (Deno Deploy,
 * or processes on one KV file): the brute-force guard then counts failed client
 * authentications across instances.
 *
 * Each counter is `{ count, resetAt }` under `[...prefix, "attempt", key]`, written with
 * `expireIn` up to `resetAt`. `increment` reads its keys and commits the new counts in one
 * atomic operation that checks every versionstamp it read: KV commits it only if no other
 * writer changed any of them, and otherwise it reads again and retries (after a short random
 * pause), so no increment is lost. KV's `sum` would need no retry, but it takes no
 * `expireIn`, and a window must start at the first failure and never move. A counter past
 * `resetAt` that KV has not yet deleted is read as absent and restarted.
 *
 * @example
 * ```ts
 * import { DenoKvAttemptStore } from "./attempt_store.ts";
 * const attempts = new DenoKvAttemptStore(await Deno.openKv());
 * // createAuthorizationServer({ issuer, clients, bruteForce: { store: attempts }, callerKey })
 * ```
 */
export class DenoKvAttemptStore implements AttemptStore {
  readonly #kv: DenoKvLike;
  readonly #config: DenoKvStoreConfig;
  /** The last increment queued per key: increments in this store run one after another per key. */
  readonly #tails = new Map<string, Promise<void>>();

  constructor(kv: DenoKvLike, options: DenoKvStoreOptions = {}) {
    this.#config = denoKvStoreConfig(kv, options);
    this.#kv = kv;
  }

  async get(keys: readonly string[]): Promise<(AttemptCount | undefined)[]> {
    const entries = await Promise.all(keys.map((key) => this.#kv.get(this.#config.key("attempt", key))));
    return entries.map((entry) => this.#live(entry));
  }

  increment(keys: readonly string[], windowSeconds: number): Promise<void> {
    if (!(windowSeconds > 0) || !Number.isFinite(windowSeconds)) {
      return Promise.reject(new RangeError("windowSeconds must be positive"));
    }
    // Without the queue, N concurrent increments in one process would all read the same
    // versionstamp and N-1 of them retry, N times over.
    const distinct = [...new Set(keys)];
    const before = distinct.map((k) => this.#tails.get(k)).filter((p) => p !== undefined);
    const run = Promise.all(before).then(() => this.#commit(keys, windowSeconds));
    const tail = run.catch(() => {});
    for (const k of distinct) this.#tails.set(k, tail);
    void tail.then(() => {
      for (const k of distinct) if (this.#tails.get(k) === tail) this.#tails.delete(k);
    });
    return run;
  }

  async #commit(keys: readonly string[], windowSeconds: number): Promise<void> {
    const kvKeys = new Map<string, KvKey>(keys.map((key) => [key, this.#config.key("attempt", key)]));
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      // A random pause, so instances that collided do not collide again in step. (The
      // library draws no randomness from Math.random; see tests/source_rules.test.ts.)
      if (attempt > 0) await sleep((webCrypto.randomBytes(1)[0]! / 256) * Math.min(50, 2 ** attempt));
      const entries = await Promise.all([...kvKeys.values()].map((k) => this.#kv.get(k)));
      const now = this.#config.clock() / 1000;
      const counters = new Map<string, AttemptCount>();
      [...kvKeys.keys()].forEach((key, i) => {
        counters.set(key, this.#live(entries[i]!) ?? { count: 0, resetAt: now + windowSeconds });
      });
      for (const key of keys) {
        const c = counters.get(key)!;
        counters.set(key, { count: c.count + 1, resetAt: c.resetAt });
      }
      const checks = [...kvKeys.values()].map((key, i) => ({ key, versionstamp: entries[i]!.versionstamp }));
      const commit = () => {
        let op = this.#kv.atomic().check(...checks);
        for (const [key, c] of counters) op = op.set(kvKeys.get(key)!, c, { expireIn: this.#config.expireIn(c.resetAt) });
        return op.commit();
      };
      if ((await kvWrite(commit)).ok) return;
    }
    throw new Error("Deno KV: the counters changed under every attempt to increment them");
  }

  #live(entry: KvEntryLike): AttemptCount | undefined {
    const v = entry.value as Partial<AttemptCount> | null;
    if (entry.versionstamp === null || typeof v?.count !== "number" || typeof v.resetAt !== "number") return undefined;
    return v.resetAt > this.#config.clock() / 1000 ? { count: v.count, resetAt: v.resetAt } : undefined;
  }
}
