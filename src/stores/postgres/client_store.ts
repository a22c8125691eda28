/**
 * Client registrations on PostgreSQL, for deployments that keep them in their database.
 *
 * @module
 */

import { clientIdProblem } from "../../clients/client_id.ts";
import type { WritableClientStore } from "../../clients/client_store.ts";
import type { ClientRegistration } from "../../clients/registration.ts";
import { checkStorableRegistration, RegistrationCache } from "../../clients/stored_registration.ts";
import { type PostgresLike, queryRows } from "./postgres_like.ts";
import { type PostgresStoreConfig, postgresStoreConfig, type PostgresStoreOptions } from "./schema.ts";

/**
 * A {@link WritableClientStore} on PostgreSQL (table `<prefix>clients`, created by
 * `migratePostgres`): one `jsonb` registration per `client_id`. `saveClient` and
 * `deleteClient` manage them; `saveClient` validates the registration and refuses a
 * plaintext `client_secret`.
 *
 * While a stored registration is unchanged, `getClient` returns the same object, so the
 * server prepares it (parses its hashes) once.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { PostgresClientStore } from "./client_store.ts";
 *
 * const db = new pg.Pool({ connectionString: "postgres://127.0.0.1/app" });
 * const clients = new PostgresClientStore(db); // postgres.js, Bun: wrap the client as PostgresLike shows
 * await clients.saveClient({
 *   client_id: "billing",
 *   client_secret_hash: "$sha256$Z2yN1q0o0mRlJ1uWjQk0t8eN7w5h5u4Qm6kH9rVb1aY",
 *   grant_types: ["client_credentials"],
 *   scope: "invoices:read",
 * });
 * // handleTokenRequest(request, { issuer, clients })
 * ```
 */
export class PostgresClientStore implements WritableClientStore {
  readonly #db: PostgresLike;
  readonly #config: PostgresStoreConfig;
  readonly #cache = new RegistrationCache();

  constructor(db: PostgresLike, options: PostgresStoreOptions = {}) {
    this.#config = postgresStoreConfig(db, options);
    this.#db = db;
  }

  async getClient(client_id: string): Promise<ClientRegistration | undefined> {
    // No registration can have such an id (see client_id.ts), and the engine might not take it.
    if (clientIdProblem(client_id) !== undefined) return undefined;
    const [row] = await queryRows(
      this.#db,
      `SELECT registration::text AS registration FROM ${this.#config.tables.clients} WHERE client_id = $1`,
      [client_id],
    );
    if (row === undefined) {
      this.#cache.delete(client_id);
      return undefined;
    }
    const json = String(row.registration);
    return this.#cache.get(client_id, json, () => JSON.parse(json) as ClientRegistration);
  }

  /** Adds or replaces a registration. */
  async saveClient(registration: ClientRegistration): Promise<void> {
    checkStorableRegistration(registration);
    const rows = await queryRows(
      this.#db,
      `INSERT INTO ${this.#config.tables.clients} AS c (client_id, registration) VALUES ($1, $2::text::jsonb)
ON CONFLICT (client_id) DO UPDATE SET registration = EXCLUDED.registration, updated_at = now()
RETURNING 1 AS saved`,
      [registration.client_id, JSON.stringify(registration)],
    );
    if (rows.length !== 1) throw new Error("PostgreSQL did not store the client");
  }

  /** Removes a registration; answers whether there was one. */
  async deleteClient(client_id: string): Promise<boolean> {
    if (clientIdProblem(client_id) !== undefined) return false;
    this.#cache.delete(client_id);
    const rows = await queryRows(
      this.#db,
      `DELETE FROM ${this.#config.tables.clients} WHERE client_id = $1 RETURNING 1 AS deleted`,
      [client_id],
    );
    return rows.length > 0;
  }
}
