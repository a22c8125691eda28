// The Redis stores against a real redis-server (started on loopback for this file), through
// every client library the docs show: node-redis and ioredis on every runtime, Bun's
// built-in RedisClient under Bun. Each library is one simulated server instance: the
// exported conformance kit makes one store per library for every test.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "redis";
import { Redis } from "ioredis";
import { ConfigurationError, hashClientSecret, StoreFullError } from "../mod.ts";
import {
  RedisAttemptStore,
  RedisClientStore,
  type RedisLike,
  RedisReplayStore,
  RedisRevocationStore,
  type RedisStoreOptions,
  RedisTokenStore,
} from "../src/stores/redis/mod.ts";
import { testAttemptStore, testClientStore, testReplayStore, testRevocationStore, testTokenStore } from "../src/testing/mod.ts";
import { tokenRequest } from "./helpers.ts";
import { testServer } from "./support/fixtures.ts";
import { fuzzHostileClientIds, REAL_ID, SECRET as HOSTILE_SECRET } from "./support/fuzz_client_ids.ts";
import { serverSkip, startRedis, type TestDatabase } from "./servers.ts";

interface Connection {
  name: string;
  redis: RedisLike;
  close(): Promise<unknown>;
}

/** One connection per client library, each used as the docs show. */
async function connectAll(url: string): Promise<Connection[]> {
  const nodeRedis = await createClient({ url }).connect();
  const ioredis = new Redis(url);
  const connections: Connection[] = [
    // node-redis satisfies RedisLike as it is.
    { name: "node-redis", redis: nodeRedis, close: () => nodeRedis.close() },
    // ioredis: the two-line wrapper from the docs.
    {
      name: "ioredis",
      redis: { sendCommand: ([command, ...args]) => ioredis.call(command, args) },
      close: () => ioredis.quit(),
    },
  ];
  if ("Bun" in globalThis) {
    const { RedisClient } = await import("bun" as string);
    const client = new RedisClient(url);
    connections.push({
      name: "Bun RedisClient",
      redis: { sendCommand: ([command, ...args]) => client.send(command, args) },
      close: async () => client.close(),
    });
  }
  return connections;
}

/** A kit factory: each call makes a store on the next connection, so a test's instances span every library. */
function eachLibrary<S>(connections: () => Connection[], make: (redis: RedisLike) => S) {
  let i = 0;
  return () => {
    const all = connections();
    return make(all[i++ % all.length]!.redis);
  };
}

describe("Redis stores on a real redis-server", { skip: serverSkip("redis") }, () => {
  let server: TestDatabase | undefined;
  let connections: Connection[] = [];
  const main = () => connections[0]!.redis;

  before(async () => {
    server = await startRedis();
    connections = await connectAll(server.url);
  });
  after(async () => {
    await Promise.allSettled(connections.map((c) => c.close()));
    await server?.stop();
  });

  test(`client libraries under test: node-redis, ioredis${"Bun" in globalThis ? ", Bun RedisClient" : ""}`, () => {
    assert.deepEqual(connections.map((c) => c.name), [
      "node-redis",
      "ioredis",
      ...("Bun" in globalThis ? ["Bun RedisClient"] : []),
    ]);
  });

  describe("the exported conformance kit, one instance per client library", () => {
    // Redis expires keys by its own clock, so the kit keeps real time (and waits for expiry).
    const instances = "Bun" in globalThis ? 3 : 2;
    const options = { time: "real", instances } as const;
    const all = () => connections;
    testTokenStore(eachLibrary(all, (r) => new RedisTokenStore(r)), test, { ...options, name: "RedisTokenStore" });
    testReplayStore(eachLibrary(all, (r) => new RedisReplayStore(r)), test, { ...options, name: "RedisReplayStore" });
    testRevocationStore(eachLibrary(all, (r) => new RedisRevocationStore(r)), test, { ...options, name: "RedisRevocationStore" });
    testAttemptStore(eachLibrary(all, (r) => new RedisAttemptStore(r)), test, { ...options, name: "RedisAttemptStore" });
    testClientStore(eachLibrary(all, (r) => new RedisClientStore(r)), test, {
      ...options,
      name: "RedisClientStore",
      sameObjectWhileUnchanged: true,
    });
  });

  test("expiry is Redis's own: every key is written with EXAT at the record's exp", async () => {
    const exp = Math.floor(Date.now() / 1000) + 300;
    await new RedisTokenStore(main()).save("ttl-token", { client_id: "c", scope: "", iat: exp - 300, exp });
    await new RedisReplayStore(main()).remember("ttl-replay", exp - 0.5); // rounded up, never down
    await new RedisRevocationStore(main()).revoke("ttl-jti", exp);
    for (const key of ["m2m-oauth:token:ttl-token", "m2m-oauth:replay:ttl-replay", "m2m-oauth:revoked:ttl-jti"]) {
      assert.equal(await main().sendCommand(["EXPIRETIME", key]), exp, key);
    }
    // A counter's window starts at its first increment and is Redis's own TTL.
    const attempts = new RedisAttemptStore(main());
    await attempts.increment(["ttl-attempt"], 900);
    await attempts.increment(["ttl-attempt"], 900);
    const ttl = Number(await main().sendCommand(["PTTL", "m2m-oauth:attempt:ttl-attempt"]));
    assert.ok(ttl > 899_000 && ttl <= 900_000, String(ttl));
    assert.equal(await main().sendCommand(["GET", "m2m-oauth:attempt:ttl-attempt"]), "2");
  });

  test("an attempt counter without expiry (not written by the store) reads as none, and the next increment gives it a window", async () => {
    await main().sendCommand(["SET", "m2m-oauth:attempt:no-ttl", "7"]);
    const attempts = new RedisAttemptStore(main());
    assert.deepEqual(await attempts.get(["no-ttl"]), [undefined]);
    await attempts.increment(["no-ttl"], 60);
    const [c] = await attempts.get(["no-ttl"]);
    assert.equal(c?.count, 8);
    assert.ok(c.resetAt > Date.now() / 1000 + 58 && c.resetAt <= Date.now() / 1000 + 60);
  });

  test("fuzz: odd client_ids (NUL, over-long, lone surrogates) are unknown clients, never a 5xx", async () => {
    for (const c of connections) {
      const clients = new RedisClientStore(c.redis, { prefix: `fuzz-${c.name}:` });
      await clients.saveClient({ client_id: REAL_ID, client_secret_hash: await hashClientSecret(HOSTILE_SECRET), grant_types: ["client_credentials"] });
      await fuzzHostileClientIds(clients, new RedisAttemptStore(c.redis, { prefix: `fuzz-${c.name}:` }), 60, 20261201);
    }
  });

  test("a token is stored under its hash: no Redis key or value holds the token itself", async () => {
    const clients = new RedisClientStore(main(), { prefix: "hash-only:" });
    const tokenStore = new RedisTokenStore(main(), { prefix: "hash-only:" });
    const secret = "q".repeat(43);
    await clients.saveClient({
      client_id: "svc",
      client_secret_hash: await hashClientSecret(secret),
      grant_types: ["client_credentials"],
    });
    const response = await testServer({ tokenStore }, clients).fetch(tokenRequest({ basic: ["svc", secret] }));
    const { access_token } = await response.json() as { access_token: string };
    const keys = await main().sendCommand(["KEYS", "hash-only:*"]) as string[];
    assert.equal(keys.length, 2); // the client and the token record
    for (const key of keys) {
      assert.ok(!key.includes(access_token));
      assert.ok(!String(await main().sendCommand(["GET", key])).includes(access_token));
    }
  });

  test("prefixes keep deployments apart in one Redis", async () => {
    const a = new RedisReplayStore(main(), { prefix: "a:" });
    const b = new RedisReplayStore(main(), { prefix: "b:" });
    const exp = Math.floor(Date.now() / 1000) + 60;
    assert.equal(await a.remember("same-jti", exp), true);
    assert.equal(await b.remember("same-jti", exp), true);
    assert.equal(await a.remember("same-jti", exp), false);
  });

  test("Redis full (maxmemory under noeviction) -> StoreFullError, and the endpoint answers 503 without a token", async () => {
    const exp = Math.floor(Date.now() / 1000) + 60;
    const clients = new RedisClientStore(main(), { prefix: "full:" });
    const secret = "f".repeat(43);
    await clients.saveClient({
      client_id: "svc",
      client_secret_hash: await hashClientSecret(secret),
      grant_types: ["client_credentials"],
    });
    await main().sendCommand(["CONFIG", "SET", "maxmemory", "1"]);
    try {
      await assert.rejects(
        new RedisTokenStore(main()).save("k", { client_id: "c", scope: "", iat: 0, exp }),
        StoreFullError,
      );
      await assert.rejects(new RedisReplayStore(main()).remember("k", exp), StoreFullError);
      await assert.rejects(new RedisRevocationStore(main()).revoke("k", exp), StoreFullError);
      await assert.rejects(new RedisAttemptStore(main()).increment(["k"], 60), StoreFullError);
      const response = await testServer({ tokenStore: new RedisTokenStore(main()) }, clients).fetch(tokenRequest({ basic: ["svc", secret] }));
      assert.equal(response.status, 503);
      assert.equal(((await response.json()) as { error: string }).error, "temporarily_unavailable");
    } finally {
      await main().sendCommand(["CONFIG", "SET", "maxmemory", "0"]);
    }
  });

  test("a closed connection makes save reject: no token is handed out for a write that did not happen", async () => {
    const client = await createClient({ url: server!.url }).connect();
    const store = new RedisTokenStore(client);
    client.destroy();
    await assert.rejects(store.save("k", { client_id: "c", scope: "", iat: 0, exp: 2 ** 31 }));
  });

  test("a client without sendCommand, or a bad prefix, is a ConfigurationError naming the fix", () => {
    assert.throws(() => new RedisTokenStore({} as RedisLike), /sendCommand/);
    assert.throws(() => new RedisReplayStore(main(), { prefix: 1 as unknown as string }), ConfigurationError);
  });
});
