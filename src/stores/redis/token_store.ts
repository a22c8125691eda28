/**
 * The token store on Redis: one key per token hash, expiring by Redis's own TTL.
 *
 * @module
 */

import type { TokenRecord, TokenStore } from "../token_store.ts";
import {
  exat,
  type RedisLike,
  type RedisStoreConfig,
  redisStoreConfig,
  type RedisStoreOptions,
  replyText,
  send,
} from "./redis_like.ts";

/**
 * A {@link TokenStore} on Redis, shared by every server instance that uses the same Redis.
 *
 * Each record is a JSON string under `<prefix>token:<hash>`, written with
 * `SET key json EXAT exp`: Redis deletes it at `exp`, and `find` also checks `exp` against
 * the server's clock. `save` rejects unless Redis answered `OK`.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { RedisTokenStore } from "./token_store.ts";
 *
 * const redis = await createClient({ url: "redis://127.0.0.1:6379" }).connect();
 * const tokenStore = new RedisTokenStore(redis); // ioredis, Bun: wrap the client as RedisLike shows
 * // handleTokenRequest(request, { issuer, clients, tokenStore })
 * ```
 */
export class RedisTokenStore implements TokenStore {
  readonly #redis: RedisLike;
  readonly #config: RedisStoreConfig;

  constructor(redis: RedisLike, options: RedisStoreOptions = {}) {
    this.#config = redisStoreConfig(redis, options);
    this.#redis = redis;
  }

  async save(key: string, record: TokenRecord): Promise<void> {
    const reply = await send(this.#redis, [
      "SET",
      this.#config.key("token", key),
      JSON.stringify(record),
      "EXAT",
      exat(record.exp),
    ]);
    if (reply !== "OK") throw new Error(`Redis did not store the token (reply ${JSON.stringify(reply)})`);
  }

  async find(key: string): Promise<TokenRecord | undefined> {
    const json = replyText(await send(this.#redis, ["GET", this.#config.key("token", key)]));
    if (json === undefined) return undefined;
    const record = JSON.parse(json) as TokenRecord;
    return record.exp > this.#config.clock() / 1000 ? record : undefined;
  }

  async revoke(key: string): Promise<boolean> {
    return Number(await send(this.#redis, ["DEL", this.#config.key("token", key)])) > 0;
  }
}
