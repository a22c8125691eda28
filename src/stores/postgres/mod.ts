/**
 * The stores on PostgreSQL, so several instances of the authorization server act as one:
 * issued tokens, replay records (client assertions, DPoP proofs), revocations, clients and
 * the brute-force guard's attempt counters, in tables that {@link migratePostgres} creates.
 * The library depends on no PostgreSQL package: any client that runs a parameterised query
 * satisfies {@link PostgresLike} (pg as it is; postgres.js and Bun's SQL with a small
 * wrapper). Import it from `m2m-oauth/stores/postgres` (npm) or `@m2m/oauth/stores/postgres`
 * (JSR).
 *
 * @example Every store of one server on one database
 * ```ts
 * import pg from "pg";
 * import { createAuthorizationServer } from "../../../mod.ts";
 * import {
 *   migratePostgres,
 *   PostgresAttemptStore,
 *   PostgresClientStore,
 *   PostgresReplayStore,
 *   PostgresTokenStore,
 * } from "./mod.ts";
 *
 * const db = new pg.Pool({ connectionString: "postgres://127.0.0.1/app" });
 * await migratePostgres(db);
 * const server = createAuthorizationServer({
 *   issuer: "https://auth.example.com",
 *   clients: new PostgresClientStore(db),
 *   tokenStore: new PostgresTokenStore(db),
 *   replayStore: new PostgresReplayStore(db),
 *   bruteForce: { store: new PostgresAttemptStore(db) },
 * });
 * // Deno.serve(server.fetch);
 * ```
 *
 * @module
 */

export type { PostgresLike, PostgresRow } from "./postgres_like.ts";
export {
  migratePostgres,
  POSTGRES_MIGRATION,
  postgresMigration,
  type PostgresStoreOptions,
  sweepPostgres,
} from "./schema.ts";
export { PostgresTokenStore } from "./token_store.ts";
export { PostgresReplayStore } from "./replay_store.ts";
export { PostgresRevocationStore } from "./revocation_store.ts";
export { PostgresClientStore } from "./client_store.ts";
export { PostgresAttemptStore } from "./attempt_store.ts";
