/**
 * What the PostgreSQL stores need from a PostgreSQL client: run one parameterised statement,
 * get its rows. The library depends on no driver; the user's own client satisfies
 * {@link PostgresLike}.
 *
 * @module
 */

import { ConfigurationError } from "../../errors.ts";

/** A result row: column name to value. */
export type PostgresRow = Record<string, unknown>;

/**
 * A PostgreSQL client, structurally: `query(text, values)` runs one statement with `$1`,
 * `$2`, ... parameters and resolves with the rows, either as `{ rows }` (pg) or as an array
 * (postgres.js, Bun). The stores send strings and numbers only, cast in SQL, read text and
 * booleans only, and use one statement per call, so any pool works; no session state is kept.
 *
 * @example pg (node-postgres): a Pool or a Client satisfies it as it is
 * ```ts
 * import pg from "pg";
 * import type { PostgresLike } from "./postgres_like.ts";
 *
 * const db: PostgresLike = new pg.Pool({ connectionString: "postgres://127.0.0.1/app" });
 * ```
 *
 * @example postgres.js: a one-line wrapper over unsafe (parameters are still sent apart from the SQL)
 * ```ts
 * import postgres from "postgres";
 * import type { PostgresLike } from "./postgres_like.ts";
 *
 * const sql = postgres("postgres://127.0.0.1/app");
 * const db: PostgresLike = { query: (text, values) => sql.unsafe(text, values) };
 * ```
 *
 * @example Bun's built-in SQL: the same wrapper
 * ```ts
 * import { SQL } from "bun";
 * import type { PostgresLike } from "./postgres_like.ts";
 *
 * const sql = new SQL("postgres://127.0.0.1/app");
 * const db: PostgresLike = { query: (text, values) => sql.unsafe(text, values) };
 * ```
 */
export interface PostgresLike {
  /** Runs one statement with positional parameters; resolves with its rows. */
  query(text: string, values?: (string | number)[]): Promise<{ rows: PostgresRow[] } | PostgresRow[]>;
}

/** Runs `text` and returns its rows, whichever shape the client answers in. */
export async function queryRows(db: PostgresLike, text: string, values?: (string | number)[]): Promise<PostgresRow[]> {
  const result = await db.query(text, values);
  const rows = Array.isArray(result) ? result : result?.rows;
  if (!Array.isArray(rows)) throw new TypeError("a PostgreSQL client answered without rows; see PostgresLike");
  return rows;
}

/** Throws unless `db` looks like a {@link PostgresLike}. */
export function checkPostgresLike(db: PostgresLike): void {
  if (typeof db?.query !== "function") {
    throw new ConfigurationError(
      "a PostgreSQL store needs a client with query(text, values); see PostgresLike for wrappers",
    );
  }
}
