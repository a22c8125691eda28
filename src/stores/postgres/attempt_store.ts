/**
 * The brute-force guard's counters on PostgreSQL: one row per counter, bumped by one
 * `INSERT ... ON CONFLICT DO UPDATE` statement.
 *
 * @module
 */

import type { AttemptCount, AttemptStore } from "../attempt_store.ts";
import { sha256 } from "../../crypto/sha256.ts";
import { encodeBase64Url } from "../../encoding/base64.ts";
import { type PostgresLike, queryRows } from "./postgres_like.ts";
import { type PostgresStoreConfig, postgresStoreConfig, type PostgresStoreOptions } from "./schema.ts";

/**
 * What PostgreSQL `text` cannot hold: U+0000, and (once encoded as UTF-8) lone surrogates. The
 * guard's keys contain the client_id as sent, and a request may carry `%00` in it.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const HASHED = "~sha256:";

/**
 * The key as stored: itself when `text` can hold it, otherwise a hash of its UTF-16 code
 * units under a marker. A key that itself starts with the marker is hashed too, so no two
 * keys share a row.
 */
function storedKey(key: string): string {
  if (!UNSTORABLE.test(key) && !key.startsWith(HASHED)) return key;
  const units = new Uint8Array(key.length * 2);
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    units[2 * i] = c >> 8;
    units[2 * i + 1] = c & 0xff;
  }
  return HASHED + encodeBase64Url(sha256(units));
}

/**
 * An {@link AttemptStore} on PostgreSQL (table `<prefix>attempts`, created by
 * `migratePostgres`), shared by every server instance on the same database: the brute-force
 * guard then counts failed client authentications across instances.
 *
 * `increment` is one statement for all its keys: `INSERT ... ON CONFLICT (key) DO UPDATE`
 * that starts a counter at 1 with `expires_at` a window from now, adds one to a live
 * counter without moving its `expires_at`, and restarts a counter whose window has ended.
 * PostgreSQL guarantees that statement an atomic insert-or-update outcome under concurrency
 * (it locks the conflicting row and updates its latest version), so concurrent increments
 * on any number of connections are all counted. Keys are taken in sorted order, so two
 * statements never wait on each other's rows in opposite orders. `get` reads live rows
 * only; `sweepPostgres` deletes expired ones. Times are by the store's clock, as for the
 * other PostgreSQL stores.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { PostgresAttemptStore } from "./attempt_store.ts";
 * import { migratePostgres } from "./schema.ts";
 *
 * const db = new pg.Pool({ connectionString: "postgres://127.0.0.1/app" });
 * await migratePostgres(db);
 * const attempts = new PostgresAttemptStore(db); // postgres.js, Bun: wrap the client as PostgresLike shows
 * // createAuthorizationServer({ issuer, clients, bruteForce: { store: attempts }, callerKey })
 * ```
 */
export class PostgresAttemptStore implements AttemptStore {
  readonly #db: PostgresLike;
  readonly #config: PostgresStoreConfig;

  constructor(db: PostgresLike, options: PostgresStoreOptions = {}) {
    this.#config = postgresStoreConfig(db, options);
    this.#db = db;
  }

  async get(keys: readonly string[]): Promise<(AttemptCount | undefined)[]> {
    if (keys.length === 0) return [];
    const stored = keys.map(storedKey);
    // Keys travel as one JSON array: PostgresLike sends strings and numbers only.
    const rows = await queryRows(
      this.#db,
      `SELECT key, count::text AS count, extract(epoch FROM expires_at)::text AS reset_at FROM ${this.#config.tables.attempts}
WHERE key IN (SELECT json_array_elements_text($1::text::json)) AND expires_at > to_timestamp($2::float8)`,
      [JSON.stringify(stored), this.#config.now()],
    );
    const byKey = new Map(rows.map((r) => [String(r.key), { count: Number(r.count), resetAt: Number(r.reset_at) }]));
    return stored.map((k) => byKey.get(k));
  }

  async increment(keys: readonly string[], windowSeconds: number): Promise<void> {
    if (!(windowSeconds > 0) || !Number.isFinite(windowSeconds)) throw new RangeError("windowSeconds must be positive");
    if (keys.length === 0) return;
    const t = this.#config.tables.attempts;
    // A key given twice is counted twice, in one row: ON CONFLICT may not touch a row twice
    // in one statement.
    const rows = await queryRows(
      this.#db,
      `INSERT INTO ${t} AS a (key, count, expires_at)
SELECT k, n, to_timestamp($2::float8 + $3::float8)
FROM (SELECT value AS k, count(*) AS n FROM json_array_elements_text($1::text::json) GROUP BY value ORDER BY value) AS i
ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN a.expires_at <= to_timestamp($2::float8) THEN EXCLUDED.count ELSE a.count + EXCLUDED.count END,
  expires_at = CASE WHEN a.expires_at <= to_timestamp($2::float8) THEN EXCLUDED.expires_at ELSE a.expires_at END
RETURNING 1 AS counted`,
      [JSON.stringify(keys.map(storedKey)), this.#config.now(), windowSeconds],
    );
    if (rows.length !== new Set(keys).size) throw new Error("PostgreSQL did not count every attempt");
  }
}
