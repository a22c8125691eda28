// The settle budget of declared body reads (src/http/settle_budget.ts): when the turns stop
// being spent and when they come back, and that readForm answers the same whether a read is
// given its turns or sent straight to the deadline.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MISSES_BEFORE_SKIPPING, PROBE_EVERY, SettleBudget } from "../src/http/settle_budget.ts";
import { readForm, settleBudget } from "../src/http/form.ts";
import { OAuthError } from "../src/errors.ts";

test("the full budget while reads settle within it; a run of misses stops spending it", () => {
  const budget = new SettleBudget(10);
  for (let i = 0; i < 1000; i++) {
    const given = budget.turns();
    assert.equal(given, 10);
    // Misses short of the run, then a hit: the count starts again.
    budget.record(given, i % MISSES_BEFORE_SKIPPING === MISSES_BEFORE_SKIPPING - 2);
  }
  assert.equal(budget.skipping, false);
  budget.record(budget.turns(), true);
  for (let i = 0; i < MISSES_BEFORE_SKIPPING - 1; i++) budget.record(budget.turns(), false);
  assert.equal(budget.skipping, false);
  assert.equal(budget.turns(), 10);
  budget.record(10, false);
  assert.equal(budget.skipping, true);
  assert.equal(budget.turns(), 0);
});

test("while skipping, every PROBE_EVERY-th read gets the full budget; a probe that settles brings it back", () => {
  const budget = new SettleBudget(3);
  for (let i = 0; i < MISSES_BEFORE_SKIPPING; i++) budget.record(budget.turns(), false);
  assert.equal(budget.skipping, true);
  const given: number[] = [];
  for (let i = 0; i < 3 * PROBE_EVERY; i++) {
    const turns = budget.turns();
    given.push(turns);
    // A read given no turns tells nothing, whatever it did; probes keep missing.
    budget.record(turns, turns === 0);
  }
  const probes = given.flatMap((t, i) => (t === 0 ? [] : [i]));
  assert.deepEqual(probes, [PROBE_EVERY - 1, 2 * PROBE_EVERY - 1, 3 * PROBE_EVERY - 1]);
  assert.ok(probes.every((i) => given[i] === 3));
  assert.equal(budget.skipping, true);
  for (let i = 0; i < PROBE_EVERY - 1; i++) assert.equal(budget.turns(), 0);
  const probe = budget.turns();
  assert.equal(probe, 3);
  budget.record(probe, true);
  assert.equal(budget.skipping, false);
  assert.equal(budget.turns(), 3);
  // And skipping again takes a whole new run of misses.
  for (let i = 0; i < MISSES_BEFORE_SKIPPING - 1; i++) budget.record(budget.turns(), false);
  assert.equal(budget.skipping, false);
});

test("overlapping reads each report with the turns they were given", () => {
  const budget = new SettleBudget(10);
  for (let i = 0; i < MISSES_BEFORE_SKIPPING; i++) budget.record(budget.turns(), false);
  // Two reads handed out before either reports: the one given no turns cannot undo skipping,
  // and a probe's hit counts even when another read reported in between.
  for (let i = 0; i < PROBE_EVERY - 2; i++) budget.record(budget.turns(), false);
  const a = budget.turns();
  const probe = budget.turns();
  assert.deepEqual([a, probe], [0, 10]);
  budget.record(a, true);
  assert.equal(budget.skipping, true);
  budget.record(probe, true);
  assert.equal(budget.skipping, false);
});

test("a new budget, or reset(), starts with the full count", () => {
  const budget = new SettleBudget(8);
  for (let i = 0; i < MISSES_BEFORE_SKIPPING; i++) budget.record(budget.turns(), false);
  assert.equal(budget.turns(), 0);
  budget.reset();
  assert.equal(budget.skipping, false);
  assert.equal(budget.turns(), 8);
});

// A recorded set of bodies, each read by readForm with its turns and straight to the deadline:
// the outcomes (the parameters, or the error's code, status and description) must be the same.
const LIMITS = { maxBytes: 64, timeoutMs: 200, repeatable: new Set(["resource"]) };
const enc = new TextEncoder();
type Case = { name: string; body: () => BodyInit; length: number; limits?: typeof LIMITS };
const later = (bytes: Uint8Array | undefined, ms: number) =>
  new ReadableStream<Uint8Array>({
    async pull(c) {
      await new Promise((done) => setTimeout(done, ms));
      if (bytes === undefined) c.error(new Error("connection reset"));
      else {
        c.enqueue(bytes);
        c.close();
      }
    },
  });
const CASES: Case[] = [
  { name: "a held body", body: () => "grant_type=client_credentials&scope=read", length: 40 },
  { name: "repeated resource", body: () => "resource=https%3A%2F%2Fa&resource=https%3A%2F%2Fb", length: 50 },
  { name: "a repeated single parameter", body: () => "scope=a&scope=b", length: 15 },
  { name: "a BOM", body: () => new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode("a=1")]), length: 6 },
  { name: "invalid UTF-8", body: () => new Uint8Array([0x61, 0x3d, 0xff, 0xfe]), length: 4 },
  { name: "a malformed escape", body: () => "a=%zz", length: 5 },
  { name: "an empty declared body", body: () => "", length: 0 },
  { name: "more than declared, over the cap", body: () => "a=" + "b".repeat(100), length: 10 },
  { name: "a body that arrives later", body: () => later(enc.encode("grant_type=client_credentials"), 5), length: 29 },
  { name: "a body that fails later", body: () => later(undefined, 5), length: 29 },
  { name: "a body that stalls", body: () => later(enc.encode("a=1"), 1000), length: 3, limits: { ...LIMITS, timeoutMs: 30 } },
];

async function outcome(c: Case): Promise<unknown> {
  const request = new Request("https://as.example/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "content-length": String(c.length) },
    body: c.body(),
    duplex: "half",
  } as RequestInit);
  try {
    const form = await readForm(request, c.limits ?? LIMITS);
    return ["grant_type", "scope", "resource", "a", "\ufeffa"].map((n) => [n, form.has(n), form.get(n), form.getAll(n)]);
  } catch (e) {
    assert.ok(e instanceof OAuthError, String(e));
    return { error: e.error, status: e.status, description: e.error_description };
  }
}

test("readForm answers a recorded set of bodies the same with its turns and without them", async () => {
  try {
    for (const c of CASES) {
      settleBudget.reset();
      const withTurns = await outcome(c);
      for (let i = 0; i < MISSES_BEFORE_SKIPPING; i++) settleBudget.record(settleBudget.turns(), false);
      assert.equal(settleBudget.skipping, true);
      const straight = await outcome(c);
      assert.equal(settleBudget.skipping, true, c.name);
      assert.deepEqual(straight, withTurns, c.name);
    }
  } finally {
    settleBudget.reset();
  }
});

test("readForm stops spending turns on bodies that never settle within them, and gets them back", async () => {
  const onBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
  const slow = { name: "later", body: () => later(enc.encode("a=1"), 1), length: 3 };
  const held = { name: "held", body: () => "a=1", length: 3 };
  try {
    settleBudget.reset();
    for (let i = 0; i < MISSES_BEFORE_SKIPPING; i++) assert.equal(((await outcome(slow)) as unknown[][])[3]![2], "1");
    assert.equal(settleBudget.skipping, true);
    // Bun's in-process bodies need not settle within its three turns, so only the others are
    // held to coming back (see form.ts).
    if (onBun) return;
    for (let i = 0; i < PROBE_EVERY; i++) assert.equal(((await outcome(held)) as unknown[][])[3]![2], "1");
    assert.equal(settleBudget.skipping, false);
  } finally {
    settleBudget.reset();
  }
});
