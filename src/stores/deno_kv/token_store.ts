/**
 * The token store on Deno KV: one entry per token hash, with KV's `expireIn`.
 *
 * @module
 */

import type { TokenRecord, TokenStore } from "../token_store.ts";
import {
  type DenoKvLike,
  type DenoKvStoreConfig,
  denoKvStoreConfig,
  type DenoKvStoreOptions,
  KV_ATTEMPTS,
  kvWrite,
} from "./kv_like.ts";

/**
 * A {@link TokenStore} on Deno KV: the record is the value under `[...prefix, "token", hash]`,
 * written with `expireIn` up to its `exp`. KV deletes expired entries only some time
 * later, so `find` also checks `exp` against the clock. `revoke` deletes with a versionstamp
 * check, so it answers truthfully whether it removed a live record.
 *
 * @example
 * ```ts
 * import { DenoKvTokenStore } from "./token_store.ts";
 * // deno run --unstable-kv server.ts
 * const tokenStore = new DenoKvTokenStore(await Deno.openKv());
 * // Deno.serve((request) => handleTokenRequest(request, { issuer, clients, tokenStore }))
 * ```
 */
export class DenoKvTokenStore implements TokenStore {
  readonly #kv: DenoKvLike;
  readonly #config: DenoKvStoreConfig;

  constructor(kv: DenoKvLike, options: DenoKvStoreOptions = {}) {
    this.#config = denoKvStoreConfig(kv, options);
    this.#kv = kv;
  }

  async save(key: string, record: TokenRecord): Promise<void> {
    const k = this.#config.key("token", key);
    const result = await kvWrite(() => this.#kv.set(k, record, { expireIn: this.#config.expireIn(record.exp) }));
    if (result?.ok !== true) throw new Error("Deno KV did not store the token");
  }

  async find(key: string): Promise<TokenRecord | undefined> {
    const { value } = await this.#kv.get(this.#config.key("token", key));
    return this.#live(value) ? value : undefined;
  }

  async revoke(key: string): Promise<boolean> {
    const k = this.#config.key("token", key);
    for (let attempt = 0; attempt < KV_ATTEMPTS; attempt++) {
      const entry = await this.#kv.get(k);
      if (entry.versionstamp === null) return false;
      const check = { key: k, versionstamp: entry.versionstamp };
      if ((await kvWrite(() => this.#kv.atomic().check(check).delete(k).commit())).ok) {
        return this.#live(entry.value);
      }
    }
    throw new Error("Deno KV: the token changed under every attempt to revoke it");
  }

  #live(value: unknown): value is TokenRecord {
    return typeof value === "object" && value !== null && (value as TokenRecord).exp > this.#config.clock() / 1000;
  }
}
