// The store conformance kit: the in-memory stores pass it, and it catches the mistakes a
// user's Redis or SQL store is likely to make. (The engine stores run it in
// tests/{redis,postgres,deno_kv}_stores.test.ts, against real servers.)
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  type AttemptCount,
  type AttemptStore,
  type ClientRegistration,
  MemoryAttemptStore,
  MemoryReplayStore,
  MemoryRevocationStore,
  MemoryTokenStore,
  type ReplayStore,
  type RevocationStore,
  type TokenRecord,
  type TokenStore,
  type WritableClientStore,
} from "../mod.ts";
import {
  type TestRegistrar,
  testAttemptStore,
  testClientStore,
  testReplayStore,
  testRevocationStore,
  testTokenStore,
} from "../src/testing/mod.ts";
import { checkStorableRegistration } from "../src/clients/stored_registration.ts";

const isNode = typeof (globalThis as { Deno?: unknown }).Deno === "undefined" &&
  typeof (globalThis as { Bun?: unknown }).Bun === "undefined";

/** A writable client store in memory, holding a copy of each registration. */
function memoryClientStore(): WritableClientStore {
  const byId = new Map<string, ClientRegistration>();
  return {
    getClient: (client_id) => Promise.resolve(byId.get(client_id)),
    saveClient(registration) {
      try {
        checkStorableRegistration(registration);
      } catch (e) {
        return Promise.reject(e);
      }
      byId.set(registration.client_id, structuredClone(registration));
      return Promise.resolve();
    },
    deleteClient: (client_id) => Promise.resolve(byId.delete(client_id)),
  };
}

describe("the in-memory stores pass the kit", () => {
  testTokenStore(({ clock }) => new MemoryTokenStore({ clock }), test);
  testReplayStore(({ clock }) => new MemoryReplayStore({ clock }), test);
  testRevocationStore(({ clock }) => new MemoryRevocationStore({ clock }), test);
  testAttemptStore(({ clock }) => new MemoryAttemptStore({ clock }), test);
  testClientStore(memoryClientStore, test, { sameObjectWhileUnchanged: true });
});

/** Collects the kit's tests instead of registering them, to run them here. */
function collect(register: (t: TestRegistrar) => void): Map<string, () => Promise<void>> {
  const tests = new Map<string, () => Promise<void>>();
  register((name, fn) => tests.set(name, fn));
  return tests;
}

/** Runs every collected test; returns the names of those that failed. */
async function failures(tests: Map<string, () => Promise<void>>): Promise<string[]> {
  const failed: string[] = [];
  for (const [name, fn] of tests) {
    try {
      await fn();
    } catch (e) {
      assert.ok(e instanceof Error && e.message.length > 0, "a failure is a plain Error with a message");
      failed.push(name);
    }
  }
  return failed;
}

/** A token store over a map, with a flaw. */
function tokenStore(
  clock: () => number,
  flaw: { key?: (k: string) => string; ignoreExp?: boolean; jsonLossy?: boolean; dropsHashMembers?: boolean; shallowAct?: boolean } = {},
): TokenStore {
  const map = new Map<string, TokenRecord>();
  const k = flaw.key ?? ((x: string) => x);
  return {
    save: (key, record) => {
      if (flaw.dropsHashMembers && record.cnf !== undefined) {
        // A store that cannot keep a member name with "#" in it (x5t#S256), and drops it.
        record = { ...record, cnf: Object.fromEntries(Object.entries(record.cnf).filter(([name]) => !name.includes("#"))) };
      }
      const kept = flaw.jsonLossy
        ? { client_id: record.client_id, scope: record.scope, iat: record.iat, exp: record.exp }
        // A store that flattens nested objects one level deep: the act chain loses its earlier actors.
        : flaw.shallowAct && record.act !== undefined
        ? { ...record, act: { sub: record.act.sub } }
        : record;
      map.set(k(key), kept);
      return Promise.resolve();
    },
    find: (key) => {
      const r = map.get(k(key));
      return Promise.resolve(r !== undefined && (flaw.ignoreExp || r.exp > clock() / 1000) ? r : undefined);
    },
    revoke: (key) => {
      // An expired record is not there any more: revoking it answers false.
      const r = map.get(k(key));
      map.delete(k(key));
      return Promise.resolve(r !== undefined && (flaw.ignoreExp || r.exp > clock() / 1000));
    },
  };
}

describe("the kit catches broken stores", () => {
  test("a sound map-based store passes every test (so the failures below are the flaws')", async () => {
    assert.deepEqual(await failures(collect((t) => testTokenStore(({ clock }) => tokenStore(clock), t))), []);
  });

  test("keys compared case-insensitively (a MySQL-style collation)", async () => {
    const tests = collect((t) => testTokenStore(({ clock }) => tokenStore(clock, { key: (k) => k.toLowerCase() }), t));
    assert.deepEqual(await failures(tests), ["TokenStore: keys are opaque base64url strings, compared byte for byte (case matters)"]);
  });

  test("records returned after their exp", async () => {
    const tests = collect((t) => testTokenStore(({ clock }) => tokenStore(clock, { ignoreExp: true }), t));
    assert.deepEqual(await failures(tests), ["TokenStore: a record is never returned at or after its exp, nor counted by revoke"]);
  });

  test("optional members dropped on the way to storage", async () => {
    const tests = collect((t) => testTokenStore(({ clock }) => tokenStore(clock, { jsonLossy: true }), t));
    assert.deepEqual(await failures(tests), [
      "TokenStore: save then find gives the record back, every member intact, on every instance",
      "TokenStore: through a server: a certificate-bound token keeps its x5t#S256 and introspects with it",
      "TokenStore: through a server: an exchanged token keeps its subject and its act chain",
    ]);
  });

  test("the x5t#S256 confirmation of a certificate-bound token dropped (a member name with #)", async () => {
    const tests = collect((t) => testTokenStore(({ clock }) => tokenStore(clock, { dropsHashMembers: true }), t));
    assert.deepEqual(await failures(tests), [
      "TokenStore: save then find gives the record back, every member intact, on every instance",
      "TokenStore: through a server: a certificate-bound token keeps its x5t#S256 and introspects with it",
    ]);
  });

  test("a delegation chain cut short on the way to storage (RFC 8693 s4.1 act)", async () => {
    const tests = collect((t) => testTokenStore(({ clock }) => tokenStore(clock, { shallowAct: true }), t));
    assert.deepEqual(await failures(tests), [
      "TokenStore: save then find gives the record back, every member intact, on every instance",
      "TokenStore: through a server: an exchanged token keeps its subject and its act chain",
    ]);
  });

  test("a replay store that checks, then writes, across an await (not atomic)", async () => {
    const racy = ({ clock }: { clock: () => number }): ReplayStore => {
      const seen = new Map<string, number>();
      return {
        async remember(key, expiresAt) {
          const known = (seen.get(key) ?? 0) > clock() / 1000;
          await new Promise((resolve) => setTimeout(resolve, 1));
          seen.set(key, expiresAt);
          return !known;
        },
      };
    };
    const tests = collect((t) => testReplayStore(racy, t, { name: "Racy" }));
    assert.deepEqual(await failures(tests), [
      "Racy: once its expiresAt has passed, a key is taken again by exactly one of many concurrent callers",
      "Racy: remember is atomic: of concurrent calls with one key, exactly one answers true",
    ]);
  });

  test("a replay store that reads expiresAt as milliseconds forgets at once", async () => {
    const tests = collect((t) => testReplayStore(({ clock }) => {
      const inner = new MemoryReplayStore({ clock });
      return { remember: (key, expiresAt) => inner.remember(key, expiresAt / 1000) };
    }, t));
    const failed = await failures(tests);
    assert.ok(failed.includes("ReplayStore: a key is not forgotten before its expiresAt"), failed.join("; "));
  });

  test("a revocation store that forgets early, or matches ids case-insensitively", async () => {
    const early = collect((t) => testRevocationStore(({ clock }) => {
      const inner = new MemoryRevocationStore({ clock });
      return { revoke: (jti, exp) => inner.revoke(jti, exp - 60), isRevoked: (jti) => inner.isRevoked(jti) };
    }, t));
    assert.deepEqual(await failures(early), ["RevocationStore: a revocation is not forgotten before its expiresAt, and lapses after it"]);
    const folded = collect((t) => testRevocationStore(({ clock }): RevocationStore => {
      const inner = new MemoryRevocationStore({ clock });
      return { revoke: (jti, exp) => inner.revoke(jti.toLowerCase(), exp), isRevoked: (jti) => inner.isRevoked(jti.toLowerCase()) };
    }, t));
    assert.deepEqual(await failures(folded), ["RevocationStore: ids are compared byte for byte (case matters)"]);
  });

  test("an attempt store that reads, then writes, across an await loses concurrent increments", async () => {
    const racy = ({ clock }: { clock: () => number }): AttemptStore => {
      const counts = new Map<string, AttemptCount>();
      return {
        get: (keys) => keys.map((k) => {
          const c = counts.get(k);
          return c !== undefined && c.resetAt > clock() / 1000 ? c : undefined;
        }),
        async increment(keys, windowSeconds) {
          const now = clock() / 1000;
          const before = keys.map((k) => counts.get(k));
          await new Promise((resolve) => setTimeout(resolve, 1));
          keys.forEach((k, i) => {
            const c = before[i];
            counts.set(k, c !== undefined && c.resetAt > now ? { count: c.count + 1, resetAt: c.resetAt } : { count: 1, resetAt: now + windowSeconds });
          });
        },
      };
    };
    const tests = collect((t) => testAttemptStore(racy, t, { name: "Racy" }));
    assert.deepEqual(await failures(tests), ["Racy: increment is atomic: every one of many concurrent increments is counted"]);
  });

  test("an attempt store that extends the window on each failure, or counts in milliseconds", async () => {
    const sliding = collect((t) => testAttemptStore(({ clock }): AttemptStore => {
      const counts = new Map<string, AttemptCount>();
      const live = (k: string) => {
        const c = counts.get(k);
        return c !== undefined && c.resetAt > clock() / 1000 ? c : undefined;
      };
      return {
        get: (keys) => keys.map(live),
        increment(keys, windowSeconds) {
          // Each failure restarts the window: a counter under steady guessing never decays.
          for (const k of keys) counts.set(k, { count: (live(k)?.count ?? 0) + 1, resetAt: clock() / 1000 + windowSeconds });
        },
      };
    }, t));
    const failed = await failures(sliding);
    assert.ok(failed.includes("AttemptStore: increment starts a counter at 1 with a window from now, counts on, and never extends the window"), failed.join("; "));
    const millis = collect((t) => testAttemptStore(({ clock }): AttemptStore => {
      const inner = new MemoryAttemptStore({ clock });
      return {
        get: (keys) => inner.get(keys).map((c) => c && { count: c.count, resetAt: c.resetAt * 1000 }),
        increment: (keys, w) => inner.increment(keys, w),
      };
    }, t));
    assert.ok((await failures(millis)).includes("AttemptStore: increment starts a counter at 1 with a window from now, counts on, and never extends the window"));
  });

  test("stores that do not share a backend fail the cross-instance checks (instances: 2)", async () => {
    const tests = collect((t) => testTokenStore(({ clock }) => new MemoryTokenStore({ clock }), t, { instances: 2 }));
    const failed = await failures(tests);
    assert.ok(failed.includes("TokenStore: save then find gives the record back, every member intact, on every instance"), failed.join("; "));
    const attempts = collect((t) => testAttemptStore(({ clock }) => new MemoryAttemptStore({ clock }), t, { instances: 2 }));
    assert.ok((await failures(attempts)).includes("AttemptStore: increment is atomic: every one of many concurrent increments is counted"));
  });

  test("a token store that keeps real time passes with time: 'real' (waits about two seconds)", { skip: !isNode && "runtime-neutral; run once" }, async () => {
    const tests = collect((t) => testTokenStore(() => new MemoryTokenStore(), t, { time: "real" }));
    const expiry = new Map([...tests].filter(([name]) => name.includes("exp")));
    assert.equal(expiry.size, 1);
    assert.deepEqual(await failures(expiry), []);
  });
});
