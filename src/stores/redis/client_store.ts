/**
 * Client registrations on Redis, for deployments that keep them there.
 *
 * @module
 */

import { clientIdProblem } from "../../clients/client_id.ts";
import type { WritableClientStore } from "../../clients/client_store.ts";
import type { ClientRegistration } from "../../clients/registration.ts";
import { checkStorableRegistration, RegistrationCache } from "../../clients/stored_registration.ts";
import {
  type RedisLike,
  type RedisStoreConfig,
  redisStoreConfig,
  type RedisStoreOptions,
  replyText,
  send,
} from "./redis_like.ts";

/**
 * A {@link WritableClientStore} on Redis: each registration is a JSON string under
 * `<prefix>client:<client_id>`, with no expiry. `saveClient` and `deleteClient` manage them;
 * `saveClient` validates the registration and refuses a plaintext `client_secret`.
 *
 * While a stored registration is unchanged, `getClient` returns the same object, so the
 * server prepares it (parses its hashes) once.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { RedisClientStore } from "./client_store.ts";
 *
 * const redis = await createClient({ url: "redis://127.0.0.1:6379" }).connect();
 * const clients = new RedisClientStore(redis); // ioredis, Bun: wrap the client as RedisLike shows
 * await clients.saveClient({
 *   client_id: "billing",
 *   client_secret_hash: "$sha256$Z2yN1q0o0mRlJ1uWjQk0t8eN7w5h5u4Qm6kH9rVb1aY",
 *   grant_types: ["client_credentials"],
 *   scope: "invoices:read",
 * });
 * // handleTokenRequest(request, { issuer, clients })
 * ```
 */
export class RedisClientStore implements WritableClientStore {
  readonly #redis: RedisLike;
  readonly #config: RedisStoreConfig;
  readonly #cache = new RegistrationCache();

  constructor(redis: RedisLike, options: RedisStoreOptions = {}) {
    this.#config = redisStoreConfig(redis, options);
    this.#redis = redis;
  }

  async getClient(client_id: string): Promise<ClientRegistration | undefined> {
    // No registration can have such an id (see client_id.ts), and the engine might not take it.
    if (clientIdProblem(client_id) !== undefined) return undefined;
    const json = replyText(await send(this.#redis, ["GET", this.#config.key("client", client_id)]));
    if (json === undefined) {
      this.#cache.delete(client_id);
      return undefined;
    }
    return this.#cache.get(client_id, json, () => JSON.parse(json) as ClientRegistration);
  }

  /** Adds or replaces a registration. */
  async saveClient(registration: ClientRegistration): Promise<void> {
    checkStorableRegistration(registration);
    const key = this.#config.key("client", registration.client_id);
    const reply = await send(this.#redis, ["SET", key, JSON.stringify(registration)]);
    if (reply !== "OK") throw new Error(`Redis did not store the client (reply ${JSON.stringify(reply)})`);
  }

  /** Removes a registration; answers whether there was one. */
  async deleteClient(client_id: string): Promise<boolean> {
    if (clientIdProblem(client_id) !== undefined) return false;
    this.#cache.delete(client_id);
    return Number(await send(this.#redis, ["DEL", this.#config.key("client", client_id)])) > 0;
  }
}
