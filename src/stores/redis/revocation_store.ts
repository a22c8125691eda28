/**
 * The revocation list on Redis: one expiring key per revoked token id.
 *
 * @module
 */

import type { RevocationStore } from "../revocation_store.ts";
import {
  exat,
  type RedisLike,
  type RedisStoreConfig,
  redisStoreConfig,
  type RedisStoreOptions,
  send,
} from "./redis_like.ts";

/**
 * A {@link RevocationStore} on Redis: `revoke` sets `<prefix>revoked:<jti>` with
 * `EXAT expiresAt` (Redis forgets it once the token would have expired anyway), and
 * `isRevoked` asks `EXISTS`. Every instance on the same Redis sees a revocation at once.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { RedisRevocationStore } from "./revocation_store.ts";
 *
 * const redis = await createClient({ url: "redis://127.0.0.1:6379" }).connect();
 * const revoked = new RedisRevocationStore(redis); // ioredis, Bun: wrap the client as RedisLike shows
 * await revoked.revoke("token-jti", Math.floor(Date.now() / 1000) + 600);
 * await revoked.isRevoked("token-jti"); // true
 * ```
 */
export class RedisRevocationStore implements RevocationStore {
  readonly #redis: RedisLike;
  readonly #config: RedisStoreConfig;

  constructor(redis: RedisLike, options: RedisStoreOptions = {}) {
    this.#config = redisStoreConfig(redis, options);
    this.#redis = redis;
  }

  async revoke(jti: string, expiresAt: number): Promise<void> {
    const reply = await send(this.#redis, ["SET", this.#config.key("revoked", jti), "1", "EXAT", exat(expiresAt)]);
    if (reply !== "OK") throw new Error(`Redis did not record the revocation (reply ${JSON.stringify(reply)})`);
  }

  async isRevoked(jti: string): Promise<boolean> {
    return Number(await send(this.#redis, ["EXISTS", this.#config.key("revoked", jti)])) > 0;
  }
}
