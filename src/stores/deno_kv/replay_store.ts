/**
 * The replay store on Deno KV: first use is an atomic operation checked on a versionstamp.
 *
 * @module
 */

import type { ReplayStore } from "../replay_store.ts";
import {
  type DenoKvLike,
  type DenoKvStoreConfig,
  denoKvStoreConfig,
  type DenoKvStoreOptions,
  KV_ATTEMPTS,
  kvWrite,
} from "./kv_like.ts";

/**
 * A {@link ReplayStore} on Deno KV. `remember` reads `[...prefix, "replay", key]`; a live
 * entry means a replay. Otherwise it writes `expiresAt` in an atomic operation that checks
 * the versionstamp it read (`null`: still absent; or the expired entry's own): KV commits
 * exactly one of any number of concurrent writers, on any number of instances, and the
 * others fail the check, read again, and find the winner's live entry. An expired entry that
 * KV has not yet deleted is re-taken the same way.
 *
 * @example
 * ```ts
 * import { DenoKvReplayStore } from "./replay_store.ts";
 * const replay = new DenoKvReplayStore(await Deno.openKv());
 * await replay.remember("assertion-jti", Math.floor(Date.now() / 1000) + 60); // true, then false
 * ```
 */
export class DenoKvReplayStore implements ReplayStore {
  readonly #kv: DenoKvLike;
  readonly #config: DenoKvStoreConfig;

  constructor(kv: DenoKvLike, options: DenoKvStoreOptions = {}) {
    this.#config = denoKvStoreConfig(kv, options);
    this.#kv = kv;
  }

  async remember(key: string, expiresAt: number): Promise<boolean> {
    const k = this.#config.key("replay", key);
    for (let attempt = 0; attempt < KV_ATTEMPTS; attempt++) {
      const entry = await this.#kv.get(k);
      if (entry.versionstamp !== null && Number(entry.value) > this.#config.clock() / 1000) return false;
      const check = { key: k, versionstamp: entry.versionstamp };
      const result = await kvWrite(() =>
        this.#kv.atomic().check(check).set(k, expiresAt, { expireIn: this.#config.expireIn(expiresAt) }).commit()
      );
      if (result.ok) return true;
    }
    throw new Error("Deno KV: the replay key changed under every attempt to record it");
  }
}
