// The in-memory token store: expiry, bounds, and refusing rather than forgetting.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { MemoryTokenStore, StoreFullError, type TokenRecord } from "../mod.ts";
import { fakeClock } from "./helpers.ts";

const record = (exp: number): TokenRecord => ({ client_id: "c", scope: "read", iat: exp - 60, exp });

describe("MemoryTokenStore", () => {
  test("save, find, revoke", async () => {
    const clock = fakeClock();
    const now = Math.floor(clock.now() / 1000);
    const store = new MemoryTokenStore({ clock: clock.now });
    await store.save("k", record(now + 60));
    assert.deepEqual(await store.find("k"), record(now + 60));
    assert.equal(await store.revoke("k"), true);
    assert.equal(await store.revoke("k"), false);
    assert.equal(await store.find("k"), undefined);
  });

  test("a record is not returned at or after its exp", async () => {
    const clock = fakeClock();
    const now = Math.floor(clock.now() / 1000);
    const store = new MemoryTokenStore({ clock: clock.now });
    await store.save("k", record(now + 10));
    clock.advance(9.999);
    assert.ok(await store.find("k"));
    clock.advance(0.001);
    assert.equal(await store.find("k"), undefined);
  });

  test("expired records are dropped as new ones arrive, so size returns to baseline", async () => {
    const clock = fakeClock();
    const now = Math.floor(clock.now() / 1000);
    const store = new MemoryTokenStore({ clock: clock.now });
    for (let i = 0; i < 1000; i++) await store.save(`a${i}`, record(now + 60));
    clock.advance(61);
    for (let i = 0; i < 1000; i++) await store.save(`b${i}`, record(now + 600));
    assert.equal(store.size, 1000);
  });

  test("after a spike, a little new traffic clears every expired record (memory follows the live set)", async () => {
    const clock = fakeClock();
    const now = Math.floor(clock.now() / 1000);
    const store = new MemoryTokenStore({ clock: clock.now });
    for (let i = 0; i < 10_000; i++) await store.save(`a${i}`, record(now + 60));
    clock.advance(61);
    for (let i = 0; i < 200; i++) await store.save(`b${i}`, record(now + 600));
    assert.equal(store.size, 200);
  });

  test("full of live records -> StoreFullError; nothing live is evicted; space returns after expiry", async () => {
    const clock = fakeClock();
    const now = Math.floor(clock.now() / 1000);
    const store = new MemoryTokenStore({ maxEntries: 100, maxEntriesPerClient: 100, clock: clock.now });
    for (let i = 0; i < 100; i++) await store.save(`k${i}`, record(now + 60 + i));
    await assert.rejects(store.save("new", record(now + 60)), (e) => e instanceof StoreFullError && e.retryAfter === 60);
    for (let i = 0; i < 100; i++) assert.ok(await store.find(`k${i}`), `k${i} kept`);
    clock.advance(61);
    await store.save("new", record(now + 600));
    assert.ok(await store.find("new"));
  });

  test("overwriting an existing key does not need room", async () => {
    const clock = fakeClock();
    const now = Math.floor(clock.now() / 1000);
    const store = new MemoryTokenStore({ maxEntries: 1, clock: clock.now });
    await store.save("k", record(now + 60));
    await store.save("k", record(now + 120));
    assert.equal((await store.find("k"))?.exp, now + 120);
  });

  test("maxEntries must be a positive integer", () => {
    assert.throws(() => new MemoryTokenStore({ maxEntries: 0 }), RangeError);
  });

  test("per-client quota: a client holding its quota is refused with its oldest record's Retry-After; others are served", async () => {
    const clock = fakeClock();
    const now = Math.floor(clock.now() / 1000);
    const store = new MemoryTokenStore({ maxEntries: 100, maxEntriesPerClient: 3, clock: clock.now });
    const of = (client_id: string, exp: number): TokenRecord => ({ client_id, scope: "", iat: now, exp });
    for (let i = 0; i < 3; i++) await store.save(`a${i}`, of("a", now + 60 + i));
    await assert.rejects(store.save("a3", of("a", now + 600)), (e) => e instanceof StoreFullError && e.retryAfter === 60);
    for (let i = 0; i < 3; i++) await store.save(`b${i}`, of("b", now + 60));
    for (let i = 0; i < 3; i++) assert.ok(await store.find(`a${i}`), "nothing live was evicted");
    await store.save("a0", of("a", now + 90)); // overwriting its own record takes no more room
    // Revoking one frees a slot at once; so does expiry.
    assert.equal(await store.revoke("a1"), true);
    await store.save("a3", of("a", now + 600));
    await assert.rejects(store.save("a4", of("a", now + 600)), StoreFullError);
    clock.advance(63);
    await store.save("a4", of("a", now + 600));
    assert.equal(store.size, 6);
  });

  test("per-client quota: the default is a tenth of maxEntries; the option is checked", async () => {
    const clock = fakeClock();
    const now = Math.floor(clock.now() / 1000);
    const store = new MemoryTokenStore({ maxEntries: 50, clock: clock.now });
    for (let i = 0; i < 5; i++) await store.save(`k${i}`, record(now + 60));
    await assert.rejects(store.save("k5", record(now + 60)), StoreFullError);
    assert.throws(() => new MemoryTokenStore({ maxEntriesPerClient: 0 }), RangeError);
    assert.throws(() => new MemoryTokenStore({ maxEntriesPerClient: 1.5 }), RangeError);
  });

  test("per-client quota: counts follow records dropped by expiry in bulk (no drift over many windows)", async () => {
    const clock = fakeClock();
    const store = new MemoryTokenStore({ maxEntries: 1000, maxEntriesPerClient: 100, clock: clock.now });
    for (let round = 0; round < 50; round++) {
      const now = Math.floor(clock.now() / 1000);
      for (let i = 0; i < 100; i++) await store.save(`r${round}-${i}`, record(now + 10));
      await assert.rejects(store.save(`r${round}-x`, record(now + 10)), StoreFullError);
      clock.advance(11);
    }
  });
});

describe("MemoryReplayStore", () => {
  test("the first remember wins; the key is forgotten only after it expires", async () => {
    const { MemoryReplayStore } = await import("../mod.ts");
    const clock = fakeClock();
    const now = Math.floor(clock.now() / 1000);
    const replay = new MemoryReplayStore({ clock: clock.now });
    assert.equal(await replay.remember("jti", now + 60), true);
    assert.equal(await replay.remember("jti", now + 60), false);
    clock.advance(59);
    assert.equal(await replay.remember("jti", now + 120), false);
    clock.advance(1);
    assert.equal(await replay.remember("jti", now + 120), true);
  });

  test("many concurrent remembers of one key: exactly one wins", async () => {
    const { MemoryReplayStore } = await import("../mod.ts");
    const replay = new MemoryReplayStore();
    const results = await Promise.all(Array.from({ length: 500 }, () => replay.remember("k", 2 ** 31)));
    assert.equal(results.filter(Boolean).length, 1);
  });

  test("full of live keys -> rejects with StoreFullError; never forgets a live key", async () => {
    const { MemoryReplayStore } = await import("../mod.ts");
    const clock = fakeClock();
    const now = Math.floor(clock.now() / 1000);
    const replay = new MemoryReplayStore({ maxEntries: 10, clock: clock.now });
    for (let i = 0; i < 10; i++) assert.equal(await replay.remember(`k${i}`, now + 60), true);
    await assert.rejects(replay.remember("other", now + 60), StoreFullError);
    for (let i = 0; i < 10; i++) assert.equal(await replay.remember(`k${i}`, now + 60), false, "still remembered");
  });
});

describe("MemoryRevocationStore", () => {
  test("revoked until expiresAt, then forgotten", async () => {
    const { MemoryRevocationStore } = await import("../mod.ts");
    const clock = fakeClock();
    const now = Math.floor(clock.now() / 1000);
    const revoked = new MemoryRevocationStore({ clock: clock.now });
    assert.equal(await revoked.isRevoked("j"), false);
    await revoked.revoke("j", now + 10);
    assert.equal(await revoked.isRevoked("j"), true);
    clock.advance(10);
    assert.equal(await revoked.isRevoked("j"), false);
  });

  test("full of live revocations -> rejects rather than forgetting", async () => {
    const { MemoryRevocationStore } = await import("../mod.ts");
    const clock = fakeClock();
    const now = Math.floor(clock.now() / 1000);
    const revoked = new MemoryRevocationStore({ maxEntries: 2, clock: clock.now });
    await revoked.revoke("a", now + 60);
    await revoked.revoke("b", now + 60);
    await assert.rejects(revoked.revoke("c", now + 60), StoreFullError);
    assert.equal(await revoked.isRevoked("a"), true);
  });
});
