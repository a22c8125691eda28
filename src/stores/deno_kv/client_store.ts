/**
 * Client registrations on Deno KV.
 *
 * @module
 */

import { clientIdProblem } from "../../clients/client_id.ts";
import type { WritableClientStore } from "../../clients/client_store.ts";
import type { ClientRegistration } from "../../clients/registration.ts";
import { checkStorableRegistration, RegistrationCache } from "../../clients/stored_registration.ts";
import {
  type DenoKvLike,
  type DenoKvStoreConfig,
  denoKvStoreConfig,
  type DenoKvStoreOptions,
  KV_ATTEMPTS,
  kvWrite,
} from "./kv_like.ts";

/**
 * A {@link WritableClientStore} on Deno KV: each registration is the value under
 * `[...prefix, "client", client_id]`, with no expiry. `saveClient` and `deleteClient` manage
 * them; `saveClient` validates the registration and refuses a plaintext `client_secret`.
 *
 * While an entry's versionstamp is unchanged, `getClient` returns the same object, so the
 * server prepares it (parses its hashes) once.
 *
 * @example
 * ```ts
 * import { DenoKvClientStore } from "./client_store.ts";
 * const clients = new DenoKvClientStore(await Deno.openKv());
 * await clients.saveClient({
 *   client_id: "billing",
 *   client_secret_hash: "$sha256$Z2yN1q0o0mRlJ1uWjQk0t8eN7w5h5u4Qm6kH9rVb1aY",
 *   grant_types: ["client_credentials"],
 *   scope: "invoices:read",
 * });
 * ```
 */
export class DenoKvClientStore implements WritableClientStore {
  readonly #kv: DenoKvLike;
  readonly #config: DenoKvStoreConfig;
  readonly #cache = new RegistrationCache();

  constructor(kv: DenoKvLike, options: DenoKvStoreOptions = {}) {
    this.#config = denoKvStoreConfig(kv, options);
    this.#kv = kv;
  }

  async getClient(client_id: string): Promise<ClientRegistration | undefined> {
    // No registration can have such an id (see client_id.ts), and the engine might not take it.
    if (clientIdProblem(client_id) !== undefined) return undefined;
    const { value, versionstamp } = await this.#kv.get(this.#config.key("client", client_id));
    if (versionstamp === null || typeof value !== "object" || value === null) {
      this.#cache.delete(client_id);
      return undefined;
    }
    return this.#cache.get(client_id, versionstamp, () => value as ClientRegistration);
  }

  /** Adds or replaces a registration. */
  async saveClient(registration: ClientRegistration): Promise<void> {
    checkStorableRegistration(registration);
    // A plain copy: KV stores data, and a class instance or a getter would not round-trip.
    const value = JSON.parse(JSON.stringify(registration)) as ClientRegistration;
    const k = this.#config.key("client", registration.client_id);
    const result = await kvWrite(() => this.#kv.set(k, value));
    if (result?.ok !== true) throw new Error("Deno KV did not store the client");
  }

  /** Removes a registration; answers whether there was one. */
  async deleteClient(client_id: string): Promise<boolean> {
    if (clientIdProblem(client_id) !== undefined) return false;
    this.#cache.delete(client_id);
    const k = this.#config.key("client", client_id);
    for (let attempt = 0; attempt < KV_ATTEMPTS; attempt++) {
      const entry = await this.#kv.get(k);
      if (entry.versionstamp === null) return false;
      const check = { key: k, versionstamp: entry.versionstamp };
      if ((await kvWrite(() => this.#kv.atomic().check(check).delete(k).commit())).ok) return true;
    }
    throw new Error("Deno KV: the client changed under every attempt to delete it");
  }
}
