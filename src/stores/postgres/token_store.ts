/**
 * The token store on PostgreSQL: one row per token hash, with an `expires_at` column.
 *
 * @module
 */

import type { TokenRecord, TokenStore } from "../token_store.ts";
import { type PostgresLike, queryRows } from "./postgres_like.ts";
import { type PostgresStoreConfig, postgresStoreConfig, type PostgresStoreOptions } from "./schema.ts";

/**
 * A {@link TokenStore} on PostgreSQL (table `<prefix>tokens`, created by `migratePostgres`).
 *
 * `save` upserts the record as `jsonb` with `expires_at = exp` and rejects unless the row
 * was written; `find` returns only a row whose `expires_at` is still ahead; expired rows are
 * deleted by `sweepPostgres`.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { migratePostgres } from "./schema.ts";
 * import { PostgresTokenStore } from "./token_store.ts";
 *
 * const db = new pg.Pool({ connectionString: "postgres://127.0.0.1/app" });
 * await migratePostgres(db);
 * const tokenStore = new PostgresTokenStore(db); // postgres.js, Bun: wrap the client as PostgresLike shows
 * // handleTokenRequest(request, { issuer, clients, tokenStore })
 * ```
 */
export class PostgresTokenStore implements TokenStore {
  readonly #db: PostgresLike;
  readonly #config: PostgresStoreConfig;

  constructor(db: PostgresLike, options: PostgresStoreOptions = {}) {
    this.#config = postgresStoreConfig(db, options);
    this.#db = db;
  }

  async save(key: string, record: TokenRecord): Promise<void> {
    const t = this.#config.tables.tokens;
    const rows = await queryRows(
      this.#db,
      `INSERT INTO ${t} (key, record, expires_at) VALUES ($1, $2::text::jsonb, to_timestamp($3::float8))
ON CONFLICT (key) DO UPDATE SET record = EXCLUDED.record, expires_at = EXCLUDED.expires_at
RETURNING 1 AS saved`,
      [key, JSON.stringify(record), record.exp],
    );
    if (rows.length !== 1) throw new Error("PostgreSQL did not store the token");
  }

  async find(key: string): Promise<TokenRecord | undefined> {
    const [row] = await queryRows(
      this.#db,
      `SELECT record::text AS record FROM ${this.#config.tables.tokens} WHERE key = $1 AND expires_at > to_timestamp($2::float8)`,
      [key, this.#config.now()],
    );
    return row === undefined ? undefined : JSON.parse(String(row.record)) as TokenRecord;
  }

  async revoke(key: string): Promise<boolean> {
    const [row] = await queryRows(
      this.#db,
      `DELETE FROM ${this.#config.tables.tokens} WHERE key = $1 RETURNING expires_at > to_timestamp($2::float8) AS live`,
      [key, this.#config.now()],
    );
    return row?.live === true;
  }
}
