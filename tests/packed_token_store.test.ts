// The packed token store (src/stores/packed_token_store.ts; MemoryTokenStore's layout, on Bun
// since 2026-12-04 and on every runtime since 2026-12-06)
// against MemoryTokenStore as it was before it (tests/support/memory_token_store_reference.ts):
// the same long random sequences of saves (new keys, overwrites, by several clients, in and out
// of expiry order), finds, revokes, quota refusals, full-store refusals and clock moves on both
// must give the same answers, records, sizes and retryAfter values. Small slot arrays make every
// sequence grow them; keys of other forms and records with optional members take the fallback.
// Run on every runtime, and MemoryTokenStore itself against the reference too.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { PackedTokenStore } from "../src/stores/packed_token_store.ts";
import { MemoryTokenStore } from "../src/stores/memory_token_store.ts";
import { StoreFullError, type TokenRecord, type TokenStore } from "../src/stores/token_store.ts";
import { ReferenceMemoryTokenStore } from "./support/memory_token_store_reference.ts";

/** A small deterministic generator (mulberry32), so a failure can be replayed from its seed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function outcome(p: () => Promise<unknown>): Promise<unknown> {
  try {
    return { value: await p() };
  } catch (e) {
    if (e instanceof StoreFullError) return { full: e.retryAfter, message: e.message };
    throw e;
  }
}

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Keys as the endpoint makes them (43 base64url characters), and a few of other forms. */
function makeKeys(next: () => number, n: number): string[] {
  const keys: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = next();
    if (r < 0.85) keys.push(Array.from({ length: 43 }, () => B64URL[Math.floor(next() * 64)]).join(""));
    else if (r < 0.9) keys.push(`k${i}`);
    else if (r < 0.95) keys.push("é".repeat(42) + String(i % 10));
    else keys.push("x".repeat(42 - String(i).length) + "\u0080" + String(i));
  }
  return keys;
}

const CLIENTS = ["client-a", "client-b", "client-c", "client-d"];
const SCOPES = ["", "read", "read write", "admin"];

/** Mostly the four members; sometimes optional ones, or a member present as undefined. */
function makeRecord(next: () => number, nowMs: number): TokenRecord {
  const client_id = CLIENTS[Math.floor(next() * CLIENTS.length)]!;
  const scope = SCOPES[Math.floor(next() * SCOPES.length)]!;
  const iat = Math.floor(nowMs / 1000);
  // Mostly in expiry order, sometimes out of it; sometimes fractional.
  const exp = iat + (next() < 0.7 ? 10 : next() < 0.5 ? Math.floor(next() * 30) : next() * 30);
  const r = next();
  if (r < 0.8) return { client_id, scope, iat, exp };
  if (r < 0.85) return { exp, iat, scope, client_id };
  if (r < 0.9) return { client_id, scope, iat, exp, sub: "user-1", aud: ["https://api.example", "https://b.example"] };
  if (r < 0.93) return { client_id, scope, iat, exp, cnf: { jkt: "thumb" } };
  if (r < 0.96) return { client_id, scope, iat, exp, sub: undefined } as TokenRecord;
  return { client_id, scope: `scope-${Math.floor(next() * 1000)}`, iat, exp, jti: String(next()) };
}

async function run(seed: number, make: (o: { maxEntries: number; maxEntriesPerClient: number; clock: () => number }) => TokenStore & { size: number }, steps: number, scale = 1): Promise<void> {
  const next = random(seed);
  let nowMs = 1_000_000;
  const clock = () => nowMs;
  const maxEntries = (20 + Math.floor(next() * 40)) * scale;
  const maxEntriesPerClient = 3 + Math.floor(next() * maxEntries);
  const a = make({ maxEntries, maxEntriesPerClient, clock });
  const b = new ReferenceMemoryTokenStore({ maxEntries, maxEntriesPerClient, clock });
  const keys = makeKeys(next, maxEntries * 3);
  for (let step = 0; step < steps; step++) {
    const r = next();
    const key = keys[Math.floor(next() * keys.length)]!;
    const where = `seed ${seed}, step ${step}`;
    if (r < 0.5) {
      const record = makeRecord(next, nowMs);
      assert.deepStrictEqual(await outcome(() => a.save(key, record)), await outcome(() => b.save(key, record)), where);
    } else if (r < 0.75) {
      assert.deepStrictEqual(await a.find(key), await b.find(key), where);
    } else if (r < 0.88) {
      assert.equal(await a.revoke(key), await b.revoke(key), where);
    } else {
      nowMs += Math.floor(next() * 4000);
    }
    assert.equal(a.size, b.size, where);
  }
  for (const key of keys) assert.deepStrictEqual(await a.find(key), await b.find(key), `seed ${seed}: final ${key}`);
  assert.equal(a.size, b.size, `seed ${seed}: final`);
}

describe("PackedTokenStore", () => {
  test("answers as MemoryTokenStore over ExpiringMap does: records, refusals, retryAfter, sizes", async () => {
    for (const slots of [1, 2, 8, 1024]) {
      for (let seed = 1; seed <= 40; seed++) await run(seed, (o) => new PackedTokenStore(o, slots), 2000);
    }
  });

  test("more than 64 expired at once: the same bounded drops per save, the same sweeps", async () => {
    for (let seed = 200; seed <= 212; seed++) await run(seed, (o) => new PackedTokenStore(o, 16), 4000, 8);
  });

  test("thousands of records: the arrays grown many times over, long probe chains, the same answers", async () => {
    for (let seed = 300; seed <= 302; seed++) await run(seed, (o) => new PackedTokenStore(o, 1), 30_000, 100);
  });

  test("MemoryTokenStore, on this runtime's layout, answers as before", async () => {
    for (let seed = 100; seed <= 120; seed++) await run(seed, (o) => new MemoryTokenStore(o), 2000);
  });

  test("a found record equals the saved one, member for member", async () => {
    const store = new PackedTokenStore({ clock: () => 0 });
    const plain = { client_id: "c", scope: "read", iat: -0, exp: 600.5 };
    const full: TokenRecord = { client_id: "c", scope: "", iat: 0, exp: 600, sub: "s", aud: "https://api", cnf: { "x5t#S256": "t" } };
    await store.save("A".repeat(43), plain);
    await store.save("short", full);
    assert.deepStrictEqual(await store.find("A".repeat(43)), plain);
    assert.ok(Object.is((await store.find("A".repeat(43)))!.iat, -0));
    assert.deepStrictEqual(await store.find("short"), full);
  });

  test("slots and interned strings are reused: churn around a long-lived token keeps the arrays small", async () => {
    let nowMs = 0;
    const store = new PackedTokenStore({ maxEntries: 100, maxEntriesPerClient: 100, clock: () => nowMs }, 4);
    await store.save("L".repeat(43), { client_id: "keep", scope: "s", iat: 0, exp: 1e9 });
    for (let i = 0; i < 20_000; i++) {
      const key = String(i).padStart(43, "k");
      await store.save(key, { client_id: `c${i % 7}`, scope: `scope ${i}`, iat: 0, exp: 1e9 });
      if (i % 3 === 0) nowMs += 1;
      assert.equal(await store.revoke(key), true);
    }
    assert.equal(store.size, 1);
    assert.ok(store.slotCapacity <= 256, `slot capacity ${store.slotCapacity}`);
    assert.ok(store.internedStrings <= 64, `interned ${store.internedStrings}`);
    assert.deepStrictEqual(await store.find("L".repeat(43)), { client_id: "keep", scope: "s", iat: 0, exp: 1e9 });
  });

  test("after a spike has expired, the arrays shrink back (memory follows the live set)", async () => {
    let nowMs = 0;
    const store = new PackedTokenStore({ maxEntries: 100_000, maxEntriesPerClient: 100_000, clock: () => nowMs }, 16);
    const live = { client_id: "keep", scope: "s", iat: 0, exp: 1e9 };
    for (let i = 0; i < 20_000; i++) await store.save(String(i).padStart(43, "s"), { client_id: "spike", scope: "", iat: 0, exp: 10 });
    await store.save("L".repeat(43), live);
    const peak = store.slotCapacity;
    assert.ok(peak >= 20_000);
    nowMs = 11_000;
    // Each save drops up to 64 expired records; the spike's share is released with its last.
    for (let i = 0; i < 400; i++) await store.save(String(i).padStart(43, "n"), { client_id: "new", scope: "", iat: 11, exp: 20 });
    assert.equal(store.size, 401);
    assert.ok(store.slotCapacity <= 2048, `slot capacity ${store.slotCapacity} after a peak of ${peak}`);
    assert.deepStrictEqual(await store.find("L".repeat(43)), live);
    assert.deepStrictEqual(await store.find("0".padStart(43, "n")), { client_id: "new", scope: "", iat: 11, exp: 20 });
  });
});
