// The library's issuance with its shared token stores (issue 8): RedisTokenStore and
// PostgresTokenStore against a real redis-server and PostgreSQL on loopback, started in a
// temporary directory the way the test suite starts them (tests/servers.ts). The clients are
// the root devDependencies the tests use: node-redis, pg and postgres.js.
import { createClient } from "redis";
import pg from "pg";
import postgres from "postgres";
import { migratePostgres, PostgresTokenStore } from "../../src/stores/postgres/mod.ts";
import { RedisTokenStore } from "../../src/stores/redis/mod.ts";
import { type TokenStore } from "../../mod.ts";
import { serverSkip, startPostgres, startRedis, type TestDatabase } from "../../tests/servers.ts";
import type { Contender } from "./index.ts";
import { libraryFetch } from "./library.ts";

export interface StoreBench {
  contenders: Contender[];
  /** Why an engine's rows are missing (its server is not installed). */
  skipped: string[];
  close(): Promise<void>;
}

function row(name: string, via: string, store: () => TokenStore): Contender {
  return { name, via, fetch: async () => libraryFetch({ tokenStore: store() }).fetch };
}

/** Starts the engines that are installed and returns one contender per store and client. */
export async function startStores(): Promise<StoreBench> {
  const closers: Array<() => Promise<unknown>> = [];
  const contenders: Contender[] = [];
  const skipped: string[] = [];
  const servers: TestDatabase[] = [];
  try {
    const redisSkip = serverSkip("redis");
    if (redisSkip) skipped.push(redisSkip);
    else {
      const redis = await startRedis();
      servers.push(redis);
      const client = await createClient({ url: redis.url }).connect();
      closers.push(() => client.close());
      contenders.push(row("m2m-oauth, opaque, RedisTokenStore", "fetch; node-redis, 1 connection, loopback", () => new RedisTokenStore(client)));
    }
    const pgSkip = serverSkip("postgres");
    if (pgSkip) skipped.push(pgSkip);
    else {
      const db = await startPostgres();
      servers.push(db);
      const pool = new pg.Pool({ connectionString: db.url, max: 8 });
      closers.push(() => pool.end());
      await migratePostgres(pool);
      contenders.push(row("m2m-oauth, opaque, PostgresTokenStore (pg)", "fetch; pg Pool of 8, loopback", () => new PostgresTokenStore(pool)));
      const sql = postgres(db.url, { max: 8, onnotice: () => {} });
      closers.push(() => sql.end());
      const wrapped = { query: (text: string, values?: unknown[]) => sql.unsafe(text, values as never[]) };
      contenders.push(row("m2m-oauth, opaque, PostgresTokenStore (postgres.js)", "fetch; postgres.js, 8 connections, loopback", () => new PostgresTokenStore(wrapped)));
    }
  } catch (e) {
    for (const c of closers) await c().catch(() => {});
    for (const s of servers) await s.stop().catch(() => {});
    throw e;
  }
  return {
    contenders,
    skipped,
    async close() {
      for (const c of closers) await c().catch(() => {});
      for (const s of servers) await s.stop().catch(() => {});
    },
  };
}
