/**
 * The brute-force guard's counters on Redis: one integer key per counter, expiring by
 * Redis's own TTL at the end of its window.
 *
 * @module
 */

import type { AttemptCount, AttemptStore } from "../attempt_store.ts";
import {
  type RedisLike,
  type RedisStoreConfig,
  redisStoreConfig,
  type RedisStoreOptions,
  replyText,
  send,
} from "./redis_like.ts";

/**
 * Adds one to the counter and starts its window if it has none. Redis runs a script as one
 * step, with no other client's command in between (EVAL: "atomic execution of scripts"), so
 * the increment and the expiry cannot be separated: a crash between an `INCR` and a later
 * `EXPIRE` would leave a counter that never decays (a lockout for good). An expired key is
 * absent to `INCR`, which so starts it again at 1. `PTTL` is -1 for a key without expiry (a
 * new one) and the window is then set; a live counter's window is never extended.
 * Only `INCR`, `PTTL` and `PEXPIRE` are used, so it runs on Redis 6.2 (no `EXPIRE ... NX`).
 */
const INCREMENT = `local n = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

/**
 * An {@link AttemptStore} on Redis, shared by every server instance that uses the same
 * Redis: the brute-force guard then counts failed client authentications across instances.
 *
 * Each counter is an integer under `<prefix>attempt:<key>`. `increment` runs a three-line
 * script per key (`INCR`, and `PEXPIRE <window>` when the key has no expiry yet) with
 * `EVAL`, which Redis executes atomically, so concurrent increments on any number of
 * instances are all counted and the window starts at the first. `get` sends `GET` and
 * `PTTL` per key (pipelined by the common clients): the reset time is this instance's clock
 * plus the TTL Redis reports, so clock skew between the instance and Redis does not move it.
 *
 * A key without expiry is not one this store wrote (its script always sets one); `get`
 * reports none there, and the next increment gives it a window.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { RedisAttemptStore } from "./attempt_store.ts";
 *
 * const redis = await createClient({ url: "redis://127.0.0.1:6379" }).connect();
 * const attempts = new RedisAttemptStore(redis); // ioredis, Bun: wrap the client as RedisLike shows
 * // createAuthorizationServer({ issuer, clients, bruteForce: { store: attempts }, callerKey })
 * ```
 */
export class RedisAttemptStore implements AttemptStore {
  readonly #redis: RedisLike;
  readonly #config: RedisStoreConfig;

  constructor(redis: RedisLike, options: RedisStoreOptions = {}) {
    this.#config = redisStoreConfig(redis, options);
    this.#redis = redis;
  }

  get(keys: readonly string[]): Promise<(AttemptCount | undefined)[]> {
    return Promise.all(keys.map(async (key) => {
      const k = this.#config.key("attempt", key);
      const [reply, ttl] = await Promise.all([send(this.#redis, ["GET", k]), send(this.#redis, ["PTTL", k])]);
      const count = replyText(reply); // a client set to return bytes gives a Uint8Array
      // PTTL: -2 when the key is gone (it may expire between the two commands), -1 without expiry.
      if (count === undefined || Number(ttl) < 0) return undefined;
      return { count: Number(count), resetAt: (this.#config.clock() + Number(ttl)) / 1000 };
    }));
  }

  async increment(keys: readonly string[], windowSeconds: number): Promise<void> {
    if (!(windowSeconds > 0) || !Number.isFinite(windowSeconds)) throw new RangeError("windowSeconds must be positive");
    const windowMs = String(Math.ceil(windowSeconds * 1000));
    await Promise.all(keys.map(async (key) => {
      const reply = await send(this.#redis, ["EVAL", INCREMENT, "1", this.#config.key("attempt", key), windowMs]);
      if (!(Number(reply) >= 1)) throw new Error(`unexpected Redis reply to the increment: ${JSON.stringify(reply)}`);
    }));
  }
}
