// The ExpiringMap in segments (src/stores/expiring_map.ts; segments are the default on Bun only)
// against the one-Map map it grew from (tests/support/expiring_map_reference.ts): the same
// operations on both, with small segments so that every sequence crosses segment boundaries and
// asks the segments' filters, must give the same answers, the same sizes, the same values
// removed in the same order, and the same refusals. Run on every runtime, segments included.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ExpiringMap } from "../src/stores/expiring_map.ts";
import { StoreFullError } from "../src/stores/token_store.ts";
import { ReferenceExpiringMap } from "./support/expiring_map_reference.ts";

interface Entry {
  id: number;
  exp: number;
}

/** A small deterministic generator (mulberry32), so a failure can be replayed from its seed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function outcome(f: () => unknown): unknown {
  try {
    return { value: f() };
  } catch (e) {
    if (e instanceof StoreFullError) return { full: e.retryAfter };
    throw e;
  }
}

function run(seed: number, segmentEntries: number, maxEntries: number, steps: number): void {
  const next = random(seed);
  let nowMs = 1_000_000;
  const clock = () => nowMs;
  const removedA: number[] = [];
  const removedB: number[] = [];
  const a = new ExpiringMap<Entry>((e) => e.exp, { maxEntries, clock }, (e) => void removedA.push(e.id), segmentEntries);
  const b = new ReferenceExpiringMap<Entry>((e) => e.exp, { maxEntries, clock }, (e) => void removedB.push(e.id));
  const keys = Array.from({ length: maxEntries * 3 }, (_, i) => `k${i}`);
  let id = 0;
  for (let step = 0; step < steps; step++) {
    const r = next();
    const key = keys[Math.floor(next() * keys.length)]!;
    const where = `seed ${seed}, segments of ${segmentEntries}, step ${step}`;
    if (r < 0.45) {
      // Mostly in expiry order, sometimes out of it (a per-client lifetime).
      const entry = { id: id++, exp: nowMs / 1000 + (next() < 0.8 ? 10 : Math.floor(next() * 30)) };
      assert.deepEqual(outcome(() => a.set(key, entry)), outcome(() => b.set(key, entry)), where);
    } else if (r < 0.6) {
      const entry = { id: id++, exp: nowMs / 1000 + 10 };
      assert.deepEqual(outcome(() => a.setIfAbsent(key, entry)), outcome(() => b.setIfAbsent(key, entry)), where);
    } else if (r < 0.75) {
      assert.deepEqual(a.get(key), b.get(key), where);
    } else if (r < 0.85) {
      assert.equal(a.delete(key), b.delete(key), where);
    } else if (r < 0.9) {
      assert.deepEqual(outcome(() => a.assertRoom()), outcome(() => b.assertRoom()), where);
    } else {
      nowMs += Math.floor(next() * 4000);
    }
    assert.equal(a.size, b.size, where);
    assert.deepEqual(removedA, removedB, where);
  }
  for (const key of keys) assert.deepEqual(a.get(key), b.get(key), `seed ${seed}: final ${key}`);
  assert.deepEqual(removedA, removedB, `seed ${seed}: final`);
}

describe("ExpiringMap in segments", () => {
  test("answers as the one-Map map does, across segment boundaries, expiry, replacement and a full map", () => {
    for (const segmentEntries of [1, 2, 3, 7, 64, Infinity]) {
      for (let seed = 1; seed <= 12; seed++) run(seed, segmentEntries, 40, 1500);
    }
  });

  test("a map of several 16,384-entry segments: every live key found, the oldest dropped first", () => {
    const removed: number[] = [];
    let nowMs = 0;
    const map = new ExpiringMap<Entry>((e) => e.exp, { maxEntries: 200_000, clock: () => nowMs }, (e) => void removed.push(e.id), 16_384);
    for (let i = 0; i < 150_000; i++) map.set(`k${i}`, { id: i, exp: 10 + Math.floor(i / 1000) });
    assert.equal(map.size, 150_000);
    for (const i of [0, 16_383, 16_384, 65_536, 131_072, 149_999]) assert.equal(map.get(`k${i}`)?.id, i);
    for (const absent of ["k150000", "k-1", "", "K0"]) assert.equal(map.get(absent), undefined);
    // Replacing a key of an old segment keeps it in place: one entry, the old value removed.
    map.set("k1", { id: -1, exp: 10 });
    assert.equal(map.size, 150_000);
    assert.deepEqual(removed, [1]);
    nowMs = 80_000; // entries with exp <= 80 (i < 71,000) are due
    map.set("n0", { id: 1_000_000, exp: 1000 });
    assert.equal(removed.length, 1 + 64);
    for (let i = 1; i < 2000; i++) map.set(`n${i}`, { id: 1_000_000 + i, exp: 1000 });
    // Up to 64 dropped per set, oldest first (the replaced k1 in k1's place), across the
    // first segment's end: after 2,000 sets every one of the 71,000 due entries is gone.
    assert.equal(removed.length, 1 + 71_000);
    assert.deepEqual(removed.slice(1, 5), [0, -1, 2, 3]);
    assert.equal(map.size, 150_000 - 71_000 + 2000);
    assert.equal(map.get("k70999"), undefined);
    assert.equal(map.get("k71000")?.id, 71_000);
    assert.equal(map.get("n1999")?.id, 1_001_999);
  });
});
