// The store conformance kit: the in-memory stores pass it, and it catches the mistakes a
// user's Redis or SQL store is likely to make.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  MemoryReplayStore,
  MemoryRevocationStore,
  MemoryTokenStore,
  type ReplayStore,
  type RevocationStore,
  type TestRegistrar,
  testReplayStore,
  testRevocationStore,
  testTokenStore,
  type TokenRecord,
  type TokenStore,
} from "../mod.ts";

const isNode = typeof (globalThis as { Deno?: unknown }).Deno === "undefined" &&
  typeof (globalThis as { Bun?: unknown }).Bun === "undefined";

describe("the in-memory stores pass the kit", () => {
  testTokenStore(({ clock }) => new MemoryTokenStore({ clock }), test);
  testReplayStore(({ clock }) => new MemoryReplayStore({ clock }), test);
  testRevocationStore(({ clock }) => new MemoryRevocationStore({ clock }), test);
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
  flaw: { key?: (k: string) => string; ignoreExp?: boolean; jsonLossy?: boolean } = {},
): TokenStore {
  const map = new Map<string, TokenRecord>();
  const k = flaw.key ?? ((x: string) => x);
  return {
    save: (key, record) => {
      map.set(k(key), flaw.jsonLossy ? { client_id: record.client_id, scope: record.scope, iat: record.iat, exp: record.exp } : record);
      return Promise.resolve();
    },
    find: (key) => {
      const r = map.get(k(key));
      return Promise.resolve(r !== undefined && (flaw.ignoreExp || r.exp > clock() / 1000) ? r : undefined);
    },
    revoke: (key) => Promise.resolve(map.delete(k(key))),
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
    assert.deepEqual(await failures(tests), ["TokenStore: a record is never returned at or after its exp"]);
  });

  test("optional members dropped on the way to storage", async () => {
    const tests = collect((t) => testTokenStore(({ clock }) => tokenStore(clock, { jsonLossy: true }), t));
    assert.deepEqual(await failures(tests), ["TokenStore: save then find gives the record back, every member intact"]);
  });

  test("a replay store that checks, then writes, across an await (not atomic)", async () => {
    const racy = (): ReplayStore => {
      const seen = new Set<string>();
      return {
        async remember(key) {
          const known = seen.has(key);
          await new Promise((resolve) => setTimeout(resolve, 1));
          seen.add(key);
          return !known;
        },
      };
    };
    const tests = collect((t) => testReplayStore(racy, t, { name: "Racy" }));
    assert.deepEqual(await failures(tests), ["Racy: remember is atomic: of concurrent calls with one key, exactly one answers true"]);
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
    assert.deepEqual(await failures(early), ["RevocationStore: a revocation is not forgotten before its expiresAt"]);
    const folded = collect((t) => testRevocationStore(({ clock }): RevocationStore => {
      const inner = new MemoryRevocationStore({ clock });
      return { revoke: (jti, exp) => inner.revoke(jti.toLowerCase(), exp), isRevoked: (jti) => inner.isRevoked(jti.toLowerCase()) };
    }, t));
    assert.deepEqual(await failures(folded), ["RevocationStore: ids are compared byte for byte (case matters)"]);
  });

  test("a token store that keeps real time passes with time: 'real' (waits about two seconds)", { skip: !isNode && "runtime-neutral; run once" }, async () => {
    const tests = collect((t) => testTokenStore(() => new MemoryTokenStore(), t, { time: "real" }));
    const expiry = new Map([...tests].filter(([name]) => name.includes("exp")));
    assert.equal(expiry.size, 1);
    assert.deepEqual(await failures(expiry), []);
  });
});
