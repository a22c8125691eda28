// The PostgreSQL stores against a real PostgreSQL (initdb + pg_ctl on loopback for this
// file), through every client library the docs show: pg and postgres.js on every runtime,
// Bun's built-in SQL under Bun. Each library is one simulated server instance with its own
// connection pool: the exported conformance kit makes one store per library for every test.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import postgres from "postgres";
import { ConfigurationError, hashClientSecret } from "../mod.ts";
import {
  migratePostgres,
  POSTGRES_MIGRATION,
  PostgresAttemptStore,
  PostgresClientStore,
  type PostgresLike,
  postgresMigration,
  PostgresReplayStore,
  PostgresRevocationStore,
  type PostgresStoreOptions,
  PostgresTokenStore,
  sweepPostgres,
} from "../src/stores/postgres/mod.ts";
import { testAttemptStore, testClientStore, testReplayStore, testRevocationStore, testTokenStore } from "../src/testing/mod.ts";
import { tokenRequest } from "./helpers.ts";
import { testServer } from "./support/fixtures.ts";
import { fuzzHostileClientIds, REAL_ID, SECRET as HOSTILE_SECRET } from "./support/fuzz_client_ids.ts";
import { serverSkip, startPostgres, type TestDatabase } from "./servers.ts";

interface Connection {
  name: string;
  db: PostgresLike;
  close(): Promise<unknown>;
}

/** One pool per client library, each used as the docs show. */
function connectAll(url: string): Connection[] {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle pooled connection that the server closes (when it stops after the tests, before
  // Bun has seen the connection end) is reported as an 'error' event on the pool; pg's docs
  // say to always listen for it, or it is an unhandled error between tests. Failed queries
  // still reject as before: pg reports those to the query.
  pool.on("error", () => {});
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  const connections: Connection[] = [
    // pg satisfies PostgresLike as it is.
    { name: "pg", db: pool, close: () => pool.end() },
    // postgres.js: the one-line wrapper from the docs.
    { name: "postgres.js", db: { query: (text, values) => sql.unsafe(text, values) }, close: () => sql.end() },
  ];
  return connections;
}

async function connectBun(url: string): Promise<Connection[]> {
  if (!("Bun" in globalThis)) return [];
  const { SQL } = await import("bun" as string);
  const sql = new SQL(url, { max: 4 });
  return [{ name: "Bun SQL", db: { query: (text, values) => sql.unsafe(text, values) }, close: () => sql.close() }];
}

function storeSet(c: Connection, options?: PostgresStoreOptions) {
  return {
    tokens: new PostgresTokenStore(c.db, options),
    replay: new PostgresReplayStore(c.db, options),
    revocation: new PostgresRevocationStore(c.db, options),
    attempts: new PostgresAttemptStore(c.db, options),
  };
}

/** A kit factory: each call makes a store on the next pool, so a test's instances span every library. */
function eachLibrary<S>(
  connections: () => Connection[],
  make: (db: PostgresLike, options: PostgresStoreOptions) => S,
) {
  let i = 0;
  return ({ clock }: { clock: () => number }) => {
    const all = connections();
    return make(all[i++ % all.length]!.db, { clock });
  };
}

async function rows(db: PostgresLike, text: string, values?: (string | number)[]): Promise<Record<string, unknown>[]> {
  const result = await db.query(text, values);
  return Array.isArray(result) ? result : result.rows;
}

describe("PostgreSQL stores on a real PostgreSQL", { skip: serverSkip("postgres") }, () => {
  let server: TestDatabase | undefined;
  let connections: Connection[] = [];
  const main = () => connections[0]!.db;

  before(async () => {
    server = await startPostgres();
    connections = [...connectAll(server.url), ...await connectBun(server.url)];
    await migratePostgres(main());
  });
  after(async () => {
    await Promise.allSettled(connections.map((c) => c.close()));
    await server?.stop();
  });

  test(`client libraries under test: pg, postgres.js${"Bun" in globalThis ? ", Bun SQL" : ""}`, () => {
    assert.deepEqual(connections.map((c) => c.name), [
      "pg",
      "postgres.js",
      ...("Bun" in globalThis ? ["Bun SQL"] : []),
    ]);
  });

  describe("the exported conformance kit, one instance per client library", () => {
    // The PostgreSQL stores decide expiry by the clock they are given (expires_at against
    // it), so the kit moves that clock instead of waiting.
    const instances = "Bun" in globalThis ? 3 : 2;
    const all = () => connections;
    testTokenStore(eachLibrary(all, (db, o) => new PostgresTokenStore(db, o)), test, { instances, name: "PostgresTokenStore" });
    testReplayStore(eachLibrary(all, (db, o) => new PostgresReplayStore(db, o)), test, { instances, name: "PostgresReplayStore" });
    testRevocationStore(eachLibrary(all, (db, o) => new PostgresRevocationStore(db, o)), test, {
      instances,
      name: "PostgresRevocationStore",
    });
    testAttemptStore(eachLibrary(all, (db, o) => new PostgresAttemptStore(db, o)), test, {
      instances,
      name: "PostgresAttemptStore",
    });
    testClientStore(eachLibrary(all, (db, o) => new PostgresClientStore(db, o)), test, {
      instances,
      name: "PostgresClientStore",
      sameObjectWhileUnchanged: true,
    });
  });

  test("expiry in real time: with the default clock, rows lapse at their expiry", async () => {
    const s = storeSet(connections[0]!);
    const exp = Math.ceil(Date.now() / 1000 + 0.3);
    await s.tokens.save("real-time", { client_id: "c", scope: "", iat: exp - 1, exp });
    await s.revocation.revoke("real-time", exp);
    assert.equal(await s.replay.remember("real-time", exp), true);
    await s.attempts.increment(["real-time"], 1);
    assert.ok(await s.tokens.find("real-time"));
    assert.equal(await s.revocation.isRevoked("real-time"), true);
    const [counter] = await s.attempts.get(["real-time"]);
    assert.equal(counter?.count, 1);
    await new Promise((r) => setTimeout(r, Math.max(exp, counter.resetAt) * 1000 + 50 - Date.now()));
    assert.equal(await s.tokens.find("real-time"), undefined);
    assert.equal(await s.revocation.isRevoked("real-time"), false);
    assert.equal(await s.replay.remember("real-time", exp + 60), true);
    assert.deepEqual(await s.attempts.get(["real-time"]), [undefined]);
  });

  test("migratePostgres runs again, and from every instance at once, without error", async () => {
    await Promise.all(
      connections.flatMap((c) => [migratePostgres(c.db), migratePostgres(c.db, { tablePrefix: "concurrent_" })]),
    );
    const tables = await rows(
      main(),
      "SELECT tablename FROM pg_tables WHERE tablename LIKE 'concurrent\\_%' ORDER BY 1",
    );
    assert.deepEqual(tables.map((r) => r.tablename), [
      "concurrent_attempts",
      "concurrent_clients",
      "concurrent_replay",
      "concurrent_revoked",
      "concurrent_tokens",
    ]);
  });

  test("the shipped migration SQL, run as a script, creates the five tables and their expiry indexes", async () => {
    assert.match(POSTGRES_MIGRATION, /CREATE TABLE IF NOT EXISTS m2m_oauth_tokens \(/);
    assert.match(POSTGRES_MIGRATION, /CREATE TABLE IF NOT EXISTS m2m_oauth_attempts \(/);
    await rows(main(), postgresMigration({ tablePrefix: "script_" })); // pg sends a script without parameters as is
    const indexes = await rows(main(), "SELECT indexname FROM pg_indexes WHERE tablename LIKE 'script\\_%' ORDER BY 1");
    assert.deepEqual(indexes.map((r) => r.indexname), [
      "script_attempts_expires_at",
      "script_attempts_pkey",
      "script_clients_pkey",
      "script_replay_expires_at",
      "script_replay_pkey",
      "script_revoked_expires_at",
      "script_revoked_pkey",
      "script_tokens_expires_at",
      "script_tokens_pkey",
    ]);
  });

  test("sweepPostgres deletes expired rows only, and reports how many", async () => {
    const options = { tablePrefix: "sweep_" };
    await migratePostgres(main(), options);
    const s = storeSet(connections[0]!, options);
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 3; i++) {
      await s.tokens.save(`old-${i}`, { client_id: "c", scope: "", iat: now - 60, exp: now - 1 });
    }
    await s.tokens.save("live", { client_id: "c", scope: "", iat: now, exp: now + 60 });
    await s.replay.remember("old", now - 1);
    await s.replay.remember("live", now + 60);
    await s.revocation.revoke("old", now - 1);
    await s.revocation.revoke("live", now + 60);
    await new PostgresAttemptStore(main(), { ...options, clock: () => (now - 120) * 1000 }).increment(["old"], 60);
    await s.attempts.increment(["live"], 60);
    assert.equal(await sweepPostgres(main(), options), 6);
    assert.equal(await sweepPostgres(main(), options), 0);
    const left = await rows(
      main(),
      "SELECT (SELECT count(*) FROM sweep_tokens) + (SELECT count(*) FROM sweep_replay) + " +
        "(SELECT count(*) FROM sweep_revoked) + (SELECT count(*) FROM sweep_attempts) AS n",
    );
    assert.equal(Number(left[0]!.n), 4);
    assert.ok(await s.tokens.find("live"));
  });

  test("a database migrated before the attempts table existed gets it from migratePostgres, its data kept", async () => {
    const options = { tablePrefix: "upgrade_" };
    // The schema as the first release made it: four tables, no attempts.
    await rows(main(), postgresMigration(options).split(/;\n(?=\n?-- Counters)/)[0]!);
    assert.deepEqual(await rows(main(), "SELECT 1 FROM pg_tables WHERE tablename = 'upgrade_attempts'"), []);
    const s = storeSet(connections[0]!, options);
    const exp = Math.floor(Date.now() / 1000) + 600;
    await s.tokens.save("kept", { client_id: "c", scope: "", iat: exp - 600, exp });
    await assert.rejects(s.attempts.increment(["k"], 60), /upgrade_attempts/);
    await migratePostgres(main(), options);
    assert.ok(await s.tokens.find("kept"));
    await s.attempts.increment(["k"], 60);
    assert.equal((await s.attempts.get(["k"]))[0]?.count, 1);
  });

  test("attempt keys PostgreSQL text cannot hold (NUL, lone surrogates) are stored as hashes, each apart", async () => {
    const options = { tablePrefix: "unstorable_" };
    await migratePostgres(main(), options);
    const attempts = new PostgresAttemptStore(main(), options);
    const keys = ["bf:c:3:a\u0000b", "bf:c:3:a\u0000c", "bf:c:1:\uD800", "bf:c:1:\uDFFF", "~sha256:plain"];
    for (let i = 0; i < keys.length; i++) {
      for (let n = 0; n <= i; n++) await attempts.increment([keys[i]!], 60);
    }
    assert.deepEqual((await attempts.get(keys)).map((c) => c?.count), [1, 2, 3, 4, 5]);
    const stored = await rows(main(), "SELECT key FROM unstorable_attempts WHERE key LIKE '~sha256:%'");
    assert.equal(stored.length, 5);
  });

  test("fuzz: client_ids PostgreSQL cannot hold (NUL, over-long, lone surrogates) are unknown clients, never a 5xx", async () => {
    for (const c of connections) {
      const clients = new PostgresClientStore(c.db);
      await clients.saveClient({ client_id: REAL_ID, client_secret_hash: await hashClientSecret(HOSTILE_SECRET), grant_types: ["client_credentials"] });
      await fuzzHostileClientIds(clients, new PostgresAttemptStore(c.db), 60, 20261201);
    }
  });

  test("a token is stored under its hash: no row holds the token itself", async () => {
    const options = { tablePrefix: "hash_only_" };
    await migratePostgres(main(), options);
    const clients = new PostgresClientStore(main(), options);
    const tokenStore = new PostgresTokenStore(main(), options);
    const secret = "q".repeat(43);
    await clients.saveClient({
      client_id: "svc",
      client_secret_hash: await hashClientSecret(secret),
      grant_types: ["client_credentials"],
    });
    const response = await testServer({ tokenStore }, clients).fetch(tokenRequest({ basic: ["svc", secret] }));
    const { access_token } = await response.json() as { access_token: string };
    const all = await rows(main(), "SELECT key, record::text AS record FROM hash_only_tokens");
    assert.equal(all.length, 1);
    assert.ok(!JSON.stringify(all).includes(access_token));
  });

  test("save rejects when the write cannot happen (no such table): no token for a lost write", async () => {
    const store = new PostgresTokenStore(main(), { tablePrefix: "never_migrated_" });
    await assert.rejects(store.save("k", { client_id: "c", scope: "", iat: 0, exp: 2 ** 31 }), /never_migrated_tokens/);
  });

  test("an invalid table prefix or a client without query is a ConfigurationError", () => {
    for (const tablePrefix of ["Bad", "x; DROP TABLE y; --", "1abc", "a".repeat(41), "public.x_"]) {
      assert.throws(() => new PostgresTokenStore(main(), { tablePrefix }), ConfigurationError, tablePrefix);
      assert.throws(() => postgresMigration({ tablePrefix }), ConfigurationError, tablePrefix);
    }
    assert.throws(() => new PostgresReplayStore({} as PostgresLike), /query/);
  });
});
