/**
 * The replay store on Redis: first use is one `SET NX` with an expiry.
 *
 * @module
 */

import type { ReplayStore } from "../replay_store.ts";
import {
  exat,
  type RedisLike,
  type RedisStoreConfig,
  redisStoreConfig,
  type RedisStoreOptions,
  send,
} from "./redis_like.ts";

/**
 * A {@link ReplayStore} on Redis. `remember` is a single command,
 * `SET <prefix>replay:<key> 1 NX EXAT <expiresAt>`: Redis runs commands one at a time, so of
 * any number of concurrent callers on any number of server instances exactly one gets `OK`
 * (first use) and the rest get nil (a replay). The key lives until `expiresAt` (rounded up
 * to the second), by Redis's own expiry.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { RedisReplayStore } from "./replay_store.ts";
 *
 * const redis = await createClient({ url: "redis://127.0.0.1:6379" }).connect();
 * const replay = new RedisReplayStore(redis); // ioredis, Bun: wrap the client as RedisLike shows
 * await replay.remember("assertion-jti", Math.floor(Date.now() / 1000) + 60); // true, then false
 * ```
 */
export class RedisReplayStore implements ReplayStore {
  readonly #redis: RedisLike;
  readonly #config: RedisStoreConfig;

  constructor(redis: RedisLike, options: RedisStoreOptions = {}) {
    this.#config = redisStoreConfig(redis, options);
    this.#redis = redis;
  }

  async remember(key: string, expiresAt: number): Promise<boolean> {
    const reply = await send(this.#redis, ["SET", this.#config.key("replay", key), "1", "NX", "EXAT", exat(expiresAt)]);
    if (reply === "OK") return true;
    if (reply === null || reply === undefined) return false;
    throw new Error(`unexpected Redis reply to SET NX: ${JSON.stringify(reply)}`);
  }
}
