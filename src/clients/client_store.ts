/**
 * Where client registrations come from: a plain array in configuration, or a store the
 * user implements over their own database.
 *
 * @module
 */

import { ConfigurationError } from "../errors.ts";
import { type ClientRegistration, validateRegistration } from "./registration.ts";

/**
 * A source of client registrations, looked up by `client_id`. Return `undefined` for an
 * unknown client; throw (or reject) only when the lookup itself failed, which the token
 * endpoint answers with a 500 `server_error`.
 *
 * Registrations returned are validated on first use and cached by object identity, so
 * returning the same object for the same client is cheapest.
 *
 * @example A store over a SQL table
 * ```ts
 * import type { ClientStore } from "./client_store.ts";
 * import type { ClientRegistration } from "./registration.ts";
 *
 * declare const sql: (q: TemplateStringsArray, ...v: unknown[]) => Promise<Record<string, unknown>[]>;
 *
 * const clients: ClientStore = {
 *   async getClient(client_id) {
 *     const [row] = await sql`select metadata from oauth_clients where client_id = ${client_id}`;
 *     return row?.metadata as ClientRegistration | undefined;
 *   },
 * };
 * ```
 */
export interface ClientStore {
  /** The registration of `client_id`, or `undefined` when there is none. */
  getClient(client_id: string): Promise<ClientRegistration | undefined> | ClientRegistration | undefined;
}

/**
 * A client store that can also be written to, as the Redis, PostgreSQL and Deno KV client
 * stores are. `saveClient` adds or replaces a registration; it rejects with a
 * {@link ConfigurationError} (writing nothing) when the registration is invalid or carries a
 * plaintext `client_secret` (a database keeps `client_secret_hash` only). `deleteClient`
 * answers whether there was one. `testClientStore` checks an implementation.
 *
 * @example
 * ```ts
 * import type { WritableClientStore } from "./client_store.ts";
 * declare const clients: WritableClientStore;
 * await clients.saveClient({
 *   client_id: "billing",
 *   client_secret_hash: "$sha256$Z2yN1q0o0mRlJ1uWjQk0t8eN7w5h5u4Qm6kH9rVb1aY",
 *   grant_types: ["client_credentials"],
 * });
 * await clients.deleteClient("billing"); // true
 * ```
 */
export interface WritableClientStore extends ClientStore {
  /** Adds or replaces a registration. */
  saveClient(registration: ClientRegistration): Promise<void>;
  /** Removes a registration; answers whether there was one. */
  deleteClient(client_id: string): Promise<boolean>;
}

/**
 * A client store over a fixed list, validated at once: a duplicate `client_id` or an invalid
 * registration throws a {@link ConfigurationError} here rather than at the first request.
 *
 * @example
 * ```ts
 * import { clientStoreFromArray } from "./client_store.ts";
 * const store = clientStoreFromArray([
 *   { client_id: "demo", client_secret: "demo-secret-for-tests-only", grant_types: ["client_credentials"] },
 * ]);
 * ```
 */
export function clientStoreFromArray(registrations: readonly ClientRegistration[]): ClientStore {
  const byId = new Map<string, ClientRegistration>();
  for (const [i, registration] of registrations.entries()) {
    validateRegistration(registration, `clients[${i}]`);
    if (byId.has(registration.client_id)) {
      throw new ConfigurationError(`client ${JSON.stringify(registration.client_id)} is registered twice`, `clients[${i}]`);
    }
    byId.set(registration.client_id, registration);
  }
  return { getClient: (client_id) => byId.get(client_id) };
}
