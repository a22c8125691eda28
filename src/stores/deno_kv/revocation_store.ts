/**
 * The revocation list on Deno KV: one expiring entry per revoked token id.
 *
 * @module
 */

import type { RevocationStore } from "../revocation_store.ts";
import {
  type DenoKvLike,
  type DenoKvStoreConfig,
  denoKvStoreConfig,
  type DenoKvStoreOptions,
  kvWrite,
} from "./kv_like.ts";

/**
 * A {@link RevocationStore} on Deno KV: `revoke` writes `expiresAt` under
 * `[...prefix, "revoked", jti]` with `expireIn`; `isRevoked` reads it and compares it with
 * the clock (KV deletes expired entries only some time later).
 *
 * @example
 * ```ts
 * import { DenoKvRevocationStore } from "./revocation_store.ts";
 * const revoked = new DenoKvRevocationStore(await Deno.openKv());
 * await revoked.revoke("token-jti", Math.floor(Date.now() / 1000) + 600);
 * await revoked.isRevoked("token-jti"); // true
 * ```
 */
export class DenoKvRevocationStore implements RevocationStore {
  readonly #kv: DenoKvLike;
  readonly #config: DenoKvStoreConfig;

  constructor(kv: DenoKvLike, options: DenoKvStoreOptions = {}) {
    this.#config = denoKvStoreConfig(kv, options);
    this.#kv = kv;
  }

  async revoke(jti: string, expiresAt: number): Promise<void> {
    const k = this.#config.key("revoked", jti);
    const result = await kvWrite(() => this.#kv.set(k, expiresAt, { expireIn: this.#config.expireIn(expiresAt) }));
    if (result?.ok !== true) throw new Error("Deno KV did not record the revocation");
  }

  async isRevoked(jti: string): Promise<boolean> {
    const { value } = await this.#kv.get(this.#config.key("revoked", jti));
    return typeof value === "number" && value > this.#config.clock() / 1000;
  }
}
