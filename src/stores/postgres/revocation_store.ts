/**
 * The revocation list on PostgreSQL: one row per revoked token id.
 *
 * @module
 */

import type { RevocationStore } from "../revocation_store.ts";
import { type PostgresLike, queryRows } from "./postgres_like.ts";
import { type PostgresStoreConfig, postgresStoreConfig, type PostgresStoreOptions } from "./schema.ts";

/**
 * A {@link RevocationStore} on PostgreSQL (table `<prefix>revoked`, created by
 * `migratePostgres`). A revocation is kept until `expiresAt` (revoking again keeps the later
 * time); `isRevoked` ignores expired rows, which `sweepPostgres` deletes.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { PostgresRevocationStore } from "./revocation_store.ts";
 *
 * const db = new pg.Pool({ connectionString: "postgres://127.0.0.1/app" });
 * const revoked = new PostgresRevocationStore(db); // postgres.js, Bun: wrap the client as PostgresLike shows
 * await revoked.revoke("token-jti", Math.floor(Date.now() / 1000) + 600);
 * await revoked.isRevoked("token-jti"); // true
 * ```
 */
export class PostgresRevocationStore implements RevocationStore {
  readonly #db: PostgresLike;
  readonly #config: PostgresStoreConfig;

  constructor(db: PostgresLike, options: PostgresStoreOptions = {}) {
    this.#config = postgresStoreConfig(db, options);
    this.#db = db;
  }

  async revoke(jti: string, expiresAt: number): Promise<void> {
    const t = this.#config.tables.revoked;
    const rows = await queryRows(
      this.#db,
      `INSERT INTO ${t} AS v (jti, expires_at) VALUES ($1, to_timestamp($2::float8))
ON CONFLICT (jti) DO UPDATE SET expires_at = greatest(v.expires_at, EXCLUDED.expires_at)
RETURNING 1 AS revoked`,
      [jti, expiresAt],
    );
    if (rows.length !== 1) throw new Error("PostgreSQL did not record the revocation");
  }

  async isRevoked(jti: string): Promise<boolean> {
    const rows = await queryRows(
      this.#db,
      `SELECT 1 AS revoked FROM ${this.#config.tables.revoked} WHERE jti = $1 AND expires_at > to_timestamp($2::float8)`,
      [jti, this.#config.now()],
    );
    return rows.length > 0;
  }
}
