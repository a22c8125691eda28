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
    clock.advance(9_999);
    assert.ok(await store.find("k"));
    clock.advance(1);
    assert.equal(await store.find("k"), undefined);
  });

  test("expired records are dropped as new ones arrive, so size returns to baseline", async () => {
    const clock = fakeClock();
    const now = Math.floor(clock.now() / 1000);
    const store = new MemoryTokenStore({ clock: clock.now });
    for (let i = 0; i < 1000; i++) await store.save(`a${i}`, record(now + 60));
    clock.advance(61_000);
    for (let i = 0; i < 1000; i++) await store.save(`b${i}`, record(now + 600));
    assert.equal(store.size, 1000);
  });

  test("after a spike, a little new traffic clears every expired record (memory follows the live set)", async () => {
    const clock = fakeClock();
    const now = Math.floor(clock.now() / 1000);
    const store = new MemoryTokenStore({ clock: clock.now });
    for (let i = 0; i < 10_000; i++) await store.save(`a${i}`, record(now + 60));
    clock.advance(61_000);
    for (let i = 0; i < 200; i++) await store.save(`b${i}`, record(now + 600));
    assert.equal(store.size, 200);
  });

  test("full of live records -> StoreFullError; nothing live is evicted; space returns after expiry", async () => {
    const clock = fakeClock();
    const now = Math.floor(clock.now() / 1000);
    const store = new MemoryTokenStore({ maxEntries: 100, clock: clock.now });
    for (let i = 0; i < 100; i++) await store.save(`k${i}`, record(now + 60 + i));
    await assert.rejects(store.save("new", record(now + 60)), (e) => e instanceof StoreFullError && e.retryAfter === 60);
    for (let i = 0; i < 100; i++) assert.ok(await store.find(`k${i}`), `k${i} kept`);
    clock.advance(61_000);
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
});

describe("MemoryReplayStore", () => {
  test("the first remember wins; the key is forgotten only after it expires", async () => {
    const { MemoryReplayStore } = await import("../mod.ts");
    const clock = fakeClock();
    const now = Math.floor(clock.now() / 1000);
    const replay = new MemoryReplayStore({ clock: clock.now });
    assert.equal(await replay.remember("jti", now + 60), true);
    assert.equal(await replay.remember("jti", now + 60), false);
    clock.advance(59_000);
    assert.equal(await replay.remember("jti", now + 120), false);
    clock.advance(1_000);
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
    clock.advance(10_000);
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
