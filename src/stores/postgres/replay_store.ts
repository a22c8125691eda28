/**
 * The replay store on PostgreSQL: first use is one `INSERT ... ON CONFLICT` statement.
 *
 * @module
 */

import type { ReplayStore } from "../replay_store.ts";
import { type PostgresLike, queryRows } from "./postgres_like.ts";
import { type PostgresStoreConfig, postgresStoreConfig, type PostgresStoreOptions } from "./schema.ts";

/**
 * A {@link ReplayStore} on PostgreSQL (table `<prefix>replay`, created by `migratePostgres`).
 *
 * `remember` is one statement:
 * `INSERT ... ON CONFLICT (key) DO UPDATE SET expires_at = ... WHERE <row>.expires_at <= now
 * RETURNING 1`. A new key is inserted; a key whose row has expired is taken over in place; a
 * live key is left alone and returns no row. The primary key and the row lock that
 * `ON CONFLICT` takes make the check and the write one atomic step, so of any number of
 * concurrent callers on any number of connections exactly one sees a row (first use),
 * also when they race to re-take the same expired key. (A plain `ON CONFLICT DO NOTHING`
 * could not re-take an expired row before the sweep deletes it.)
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { PostgresReplayStore } from "./replay_store.ts";
 *
 * const db = new pg.Pool({ connectionString: "postgres://127.0.0.1/app" });
 * const replay = new PostgresReplayStore(db); // postgres.js, Bun: wrap the client as PostgresLike shows
 * await replay.remember("assertion-jti", Math.floor(Date.now() / 1000) + 60); // true, then false
 * ```
 */
export class PostgresReplayStore implements ReplayStore {
  readonly #db: PostgresLike;
  readonly #config: PostgresStoreConfig;

  constructor(db: PostgresLike, options: PostgresStoreOptions = {}) {
    this.#config = postgresStoreConfig(db, options);
    this.#db = db;
  }

  async remember(key: string, expiresAt: number): Promise<boolean> {
    const t = this.#config.tables.replay;
    const rows = await queryRows(
      this.#db,
      `INSERT INTO ${t} AS r (key, expires_at) VALUES ($1, to_timestamp($2::float8))
ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE r.expires_at <= to_timestamp($3::float8)
RETURNING 1 AS first_use`,
      [key, expiresAt, this.#config.now()],
    );
    return rows.length === 1;
  }
}
