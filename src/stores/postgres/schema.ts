/**
 * The PostgreSQL schema of the stores: table names, the migration that creates them, and the
 * sweep that deletes expired rows.
 *
 * @module
 */

import { ConfigurationError } from "../../errors.ts";
import { checkPostgresLike, type PostgresLike, queryRows } from "./postgres_like.ts";

/**
 * Options of the PostgreSQL stores, of {@link migratePostgres} and of {@link sweepPostgres}:
 * give them all the same `tablePrefix`.
 *
 * @example
 * ```ts
 * import type { PostgresStoreOptions } from "./schema.ts";
 * const options: PostgresStoreOptions = { tablePrefix: "auth_" }; // auth_tokens, auth_replay, ...
 * ```
 */
export interface PostgresStoreOptions {
  /**
   * Put before every table name; default `"m2m_oauth_"`. Lower-case letters, digits and `_`,
   * at most 40 characters. To use another schema, set the connection's `search_path`.
   */
  tablePrefix?: string;
  /**
   * Milliseconds since the epoch; default `Date.now`. Rows are live while `expires_at` is
   * after this clock's now: reads filter on it and {@link sweepPostgres} deletes by it.
   */
  clock?: () => number;
}

/** The table names for a prefix. */
export interface PostgresTables {
  readonly tokens: string;
  readonly replay: string;
  readonly revoked: string;
  readonly clients: string;
  readonly attempts: string;
}

/** Options checked once. */
export interface PostgresStoreConfig {
  readonly tables: PostgresTables;
  /** Now, in seconds since the epoch (fractional). */
  readonly now: () => number;
}

/** Checks the options of a PostgreSQL store (and its client). */
export function postgresStoreConfig(
  db: PostgresLike | undefined,
  options: PostgresStoreOptions = {},
): PostgresStoreConfig {
  if (db !== undefined) checkPostgresLike(db);
  const prefix = options.tablePrefix ?? "m2m_oauth_";
  // Identifiers are spliced into SQL, so only plain lower-case names are accepted.
  if (typeof prefix !== "string" || !/^(?:[a-z_][a-z0-9_]{0,39})?$/.test(prefix)) {
    throw new ConfigurationError(
      "tablePrefix must be lower-case letters, digits and _ (at most 40), not starting with a digit",
    );
  }
  const clock = options.clock ?? Date.now;
  if (typeof clock !== "function") throw new ConfigurationError("clock must be a function");
  return {
    tables: {
      tokens: `${prefix}tokens`,
      replay: `${prefix}replay`,
      revoked: `${prefix}revoked`,
      clients: `${prefix}clients`,
      attempts: `${prefix}attempts`,
    },
    now: () => clock() / 1000,
  };
}

function statements(t: PostgresTables): string[] {
  return [
    `-- Opaque access tokens by the base64url SHA-256 of the token (never the token itself).
CREATE TABLE IF NOT EXISTS ${t.tokens} (
  key text PRIMARY KEY,
  record jsonb NOT NULL,
  expires_at timestamptz NOT NULL
)`,
    `CREATE INDEX IF NOT EXISTS ${t.tokens}_expires_at ON ${t.tokens} (expires_at)`,
    `-- Single-use keys (assertion jti, DPoP proof jti), each until its expiry.
CREATE TABLE IF NOT EXISTS ${t.replay} (
  key text PRIMARY KEY,
  expires_at timestamptz NOT NULL
)`,
    `CREATE INDEX IF NOT EXISTS ${t.replay}_expires_at ON ${t.replay} (expires_at)`,
    `-- Revoked JWT access token ids, each until the token would have expired.
CREATE TABLE IF NOT EXISTS ${t.revoked} (
  jti text PRIMARY KEY,
  expires_at timestamptz NOT NULL
)`,
    `CREATE INDEX IF NOT EXISTS ${t.revoked}_expires_at ON ${t.revoked} (expires_at)`,
    `-- Client registrations (RFC 7591 metadata; secrets as hashes only).
CREATE TABLE IF NOT EXISTS ${t.clients} (
  client_id text PRIMARY KEY,
  registration jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
)`,
    // Added after the first release: last, and IF NOT EXISTS like the rest, so running the
    // migration again on a database made by an earlier version only adds what is missing.
    `-- Counters of failed client authentications (the brute-force guard), each until its window ends.
CREATE TABLE IF NOT EXISTS ${t.attempts} (
  key text PRIMARY KEY,
  count bigint NOT NULL,
  expires_at timestamptz NOT NULL
)`,
    `CREATE INDEX IF NOT EXISTS ${t.attempts}_expires_at ON ${t.attempts} (expires_at)`,
  ];
}

/**
 * The SQL that creates the stores' tables and indexes, for your migration tool. Every
 * statement is `IF NOT EXISTS`, so it can run again; {@link migratePostgres} runs the same
 * statements for you.
 *
 * @example Write the migration for the default prefix to a file
 * ```ts
 * import { postgresMigration } from "./schema.ts";
 * const sql = postgresMigration({ tablePrefix: "auth_" });
 * // Deno.writeTextFile("migrations/001_oauth.sql", sql)
 * ```
 */
export function postgresMigration(options: Pick<PostgresStoreOptions, "tablePrefix"> = {}): string {
  return statements(postgresStoreConfig(undefined, options).tables).map((s) => `${s};\n`).join("\n");
}

/**
 * The migration for the default table prefix (`m2m_oauth_`): tables `m2m_oauth_tokens`,
 * `m2m_oauth_replay`, `m2m_oauth_revoked`, `m2m_oauth_clients` and `m2m_oauth_attempts`, with
 * an index on each `expires_at` for the sweep. A database migrated by an earlier version
 * gets the tables it lacks when this runs again; existing tables are left as they are.
 *
 * @example
 * ```ts
 * import { POSTGRES_MIGRATION } from "./schema.ts";
 * console.log(POSTGRES_MIGRATION); // psql -f, Flyway, sqitch, ...
 * ```
 */
export const POSTGRES_MIGRATION: string = postgresMigration();

/**
 * Creates the stores' tables and indexes if they are missing. It runs as one statement
 * under a transaction-level advisory lock, so several instances starting at once neither
 * collide nor see half a schema. Needs the right to create tables.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { migratePostgres } from "./schema.ts";
 *
 * const db = new pg.Pool({ connectionString: "postgres://127.0.0.1/app" });
 * await migratePostgres(db); // at start-up, or once from a deploy step
 * ```
 */
export async function migratePostgres(
  db: PostgresLike,
  options: Pick<PostgresStoreOptions, "tablePrefix"> = {},
): Promise<void> {
  const { tables } = postgresStoreConfig(db, options);
  const body = statements(tables).map((s) => s.replace(/^--.*\n/, "")).join(";\n");
  await queryRows(
    db,
    `DO $m2m_oauth$ BEGIN\nPERFORM pg_advisory_xact_lock(hashtext('m2m-oauth migration'));\n${body};\nEND $m2m_oauth$`,
  );
}

/**
 * Deletes expired rows from the token, replay, revocation and attempt tables; resolves with
 * how many.
 * Reads already ignore expired rows, so the sweep only reclaims space: run it every few
 * minutes from one instance, a scheduled job, or pg_cron.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { sweepPostgres } from "./schema.ts";
 *
 * const db = new pg.Pool({ connectionString: "postgres://127.0.0.1/app" });
 * setInterval(() => sweepPostgres(db).catch(console.error), 5 * 60_000);
 * ```
 */
export async function sweepPostgres(db: PostgresLike, options: PostgresStoreOptions = {}): Promise<number> {
  const { tables: t, now } = postgresStoreConfig(db, options);
  const [row] = await queryRows(
    db,
    `WITH a AS (DELETE FROM ${t.tokens} WHERE expires_at <= to_timestamp($1::float8) RETURNING 1),
b AS (DELETE FROM ${t.replay} WHERE expires_at <= to_timestamp($1::float8) RETURNING 1),
c AS (DELETE FROM ${t.revoked} WHERE expires_at <= to_timestamp($1::float8) RETURNING 1),
d AS (DELETE FROM ${t.attempts} WHERE expires_at <= to_timestamp($1::float8) RETURNING 1)
SELECT ((SELECT count(*) FROM a) + (SELECT count(*) FROM b) + (SELECT count(*) FROM c) + (SELECT count(*) FROM d))::text
  AS swept`,
    [now()],
  );
  return Number(row?.swept ?? 0);
}
