// The brute-force guard's fast path (issue 15): with the library's own MemoryAttemptStore the
// guard reads one counter at a time and admits the common attempt without the store's `get`;
// with any other store it reads through `get` as before. The same random sequences of
// attempts (successes, failures, attempts in flight and waiting, a store that fills up) and
// clock moves are replayed through both, and every decision, every outcome and the counters
// must be the same (RFC 6749 s2.3.1: what the guard refuses, when, and how, does not change).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type AttemptStore, MemoryAttemptStore, OAuthError } from "../mod.ts";
import { type BruteForceOptions, createBruteForceGuard, type GuardedAttempt } from "../src/client_auth/brute_force.ts";
import { memoryCounterReader } from "../src/stores/attempt_store.ts";
import { fakeClock } from "./helpers.ts";

/** A small deterministic generator (mulberry32), so a failure can be replayed from its seed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const turns = async () => {
  for (let i = 0; i < 8; i++) await undefined;
};

function outcome(e: unknown): string {
  if (e instanceof OAuthError) return `${e.status} ${e.error} retry-after=${e.headers?.["retry-after"]}`;
  return `error ${(e as Error)?.message}`;
}

/** One guard and everything it did, in order. */
interface Side {
  readonly guard: ReturnType<typeof createBruteForceGuard> & object;
  /** The counters, read without the guard (a read also drops expired counters: done on both sides alike). */
  readonly counters: (keys: readonly string[]) => unknown;
  readonly size: () => number;
  /** Calls of the store's `get`. */
  gets: number;
  readonly log: string[];
  /** Admitted attempts by the number of their `begin`, until they end. */
  readonly held: Map<number, GuardedAttempt>;
  /** Per `begin`, whether it read through the store's `get`, or was admitted (or refused) without. */
  readonly readThroughGet: string[];
}

const CLIENTS = ["client-a", "client-b", "unknown-1", "unknown-2"];
const CALLERS = [undefined, "10.0.0.1", "10.0.0.2", "6.6.6.6", "6.6.6.7"];
const LIMITS: BruteForceOptions = { maxAttempts: 3, maxAttemptsPerClient: 5, maxAttemptsPerCaller: 6, windowSeconds: 60, knownCallerSeconds: 300 };
const MOVES = [0.5, 1, 5, 10, 30, 59, 61, 150, 301, 601];

/** The fast side: the library's memory store itself; its `get` counted (it is read through `get` only off the fast path). */
function fastSide(now: () => number, maxEntries: number, keys: Set<string>): Side {
  const store = new MemoryAttemptStore({ maxEntries, clock: now });
  const guard = createBruteForceGuard({ ...LIMITS, store }, now, 5_000)!;
  const side: Side = {
    guard,
    counters: (k) => MemoryAttemptStore.prototype.get.call(store, k),
    size: () => store.size,
    gets: 0,
    log: [],
    held: new Map(),
    readThroughGet: [],
  };
  // Replaced after the guard was made (it chose its path then): counts the reads through `get`.
  store.get = (k) => {
    side.gets++;
    for (const key of k) keys.add(key);
    return MemoryAttemptStore.prototype.get.call(store, k);
  };
  return side;
}

/** The path as before: the same memory store behind a wrapper, so the guard reads it through `get`. */
function slowSide(now: () => number, maxEntries: number, keys: Set<string>): Side {
  const inner = new MemoryAttemptStore({ maxEntries, clock: now });
  const side: Side = { guard: undefined!, counters: (k) => inner.get(k), size: () => inner.size, gets: 0, log: [], held: new Map(), readThroughGet: [] };
  const store: AttemptStore = {
    get: (k) => {
      side.gets++;
      for (const key of k) keys.add(key);
      return inner.get(k);
    },
    increment: (k, w, o) => {
      for (const key of k) keys.add(key);
      return inner.increment(k, w, o);
    },
  };
  assert.equal(memoryCounterReader(store), undefined);
  return Object.assign(side, { guard: createBruteForceGuard({ ...LIMITS, store }, now, 5_000)! });
}

function begin(side: Side, n: number, client_id: string, caller: string | undefined): void {
  const before = side.gets;
  let begun: GuardedAttempt | Promise<GuardedAttempt>;
  try {
    begun = side.guard.begin(client_id, caller);
  } catch (e) {
    side.log.push(`#${n} ${outcome(e)}`);
    side.readThroughGet.push(side.gets !== before ? "get" : `refused without get: ${outcome(e).replace(/ retry-after.*/, "")}`);
    return;
  }
  if (begun instanceof Promise) {
    side.log.push(`#${n} waits`);
    begun.then((a) => {
      side.log.push(`#${n} admitted later`);
      side.held.set(n, a);
    }, (e) => side.log.push(`#${n} later ${outcome(e)}`));
  } else {
    side.log.push(`#${n} admitted`);
    side.held.set(n, begun);
  }
  // On the fast side, read through `get` exactly when the attempt was not admitted at once.
  side.readThroughGet.push(side.gets !== before ? "get" : begun instanceof Promise ? "waits without get" : "at once");
}

function act(side: Side, n: number, action: "failed" | "failed-unknown" | "succeeded" | "end" | "end-twice"): void {
  const attempt = side.held.get(n)!;
  if (action === "end" || action === "end-twice") {
    attempt.end();
    if (action === "end-twice") attempt.end();
    side.held.delete(n);
    side.log.push(`#${n} ended`);
    return;
  }
  if (action === "succeeded") {
    const recorded = attempt.succeeded();
    side.log.push(`#${n} succeeded: ${recorded === undefined ? "nothing to record" : "recording"}`);
    recorded?.then(() => side.log.push(`#${n} recorded`));
    return;
  }
  attempt.failed(action === "failed").then(() => side.log.push(`#${n} failure counted`), (e) => side.log.push(`#${n} failure ${outcome(e)}`));
}

async function replay(seed: number, steps: number, maxEntries: number): Promise<{ fastAdmits: number; begins: number }> {
  const rand = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const clock = fakeClock(Date.UTC(2026, 11, 4));
  const keys = new Set<string>();
  const fast = fastSide(clock.now, maxEntries, keys);
  const slow = slowSide(clock.now, maxEntries, keys);
  let begins = 0;
  const step = async (what: (side: Side) => void, label: string) => {
    what(fast);
    what(slow);
    await turns();
    assert.deepEqual(fast.log, slow.log, `seed ${seed}, ${label}`);
    assert.equal(fast.size(), slow.size(), `seed ${seed}, ${label}: counters held`);
  };
  for (let s = 0; s < steps; s++) {
    const r = rand();
    if (r < 0.45 || slow.held.size === 0) {
      const n = begins++;
      const client = pick(CLIENTS);
      const caller = pick(CALLERS);
      await step((side) => begin(side, n, client, caller), `step ${s}: begin #${n} ${client} ${caller}`);
    } else if (r < 0.88) {
      const n = pick([...slow.held.keys()]);
      const action = pick(["failed", "failed", "failed", "failed-unknown", "failed-unknown", "succeeded", "succeeded", "end", "end", "end", "end-twice"] as const);
      await step((side) => act(side, n, action), `step ${s}: ${action} #${n}`);
    } else {
      const seconds = pick(MOVES);
      await step(() => {}, `step ${s}: clock +${seconds}s`);
      clock.advance(seconds);
    }
    // Now and then, everything in flight ends (the waiting attempts get their turn).
    if (rand() < 0.03) {
      for (const n of [...slow.held.keys()]) await step((side) => act(side, n, "end"), `step ${s}: end all, #${n}`);
    }
  }
  for (const n of [...slow.held.keys()]) await step((side) => act(side, n, "end"), `the end: #${n}`);
  const all = [...keys];
  assert.deepEqual(fast.counters(all), slow.counters(all), `seed ${seed}: the counters`);
  // The fast side read through `get` exactly for the attempts it did not admit at once; the
  // other side, always.
  const admittedAtOnce = fast.log.filter((l) => / admitted$/.test(l)).map((l) => l.split(" ")[0]);
  const fastAtOnce = fast.readThroughGet.flatMap((how, n) => (how === "at once" ? [`#${n}`] : []));
  assert.deepEqual(fastAtOnce, admittedAtOnce, `seed ${seed}: admitted at once, and only those, without get`);
  // And the 503 of a client whose failures could not be counted needs no `get` either.
  const refusedAtOnce = fast.readThroughGet.filter((how) => how !== "at once" && how !== "get");
  assert.deepEqual(refusedAtOnce, refusedAtOnce.map(() => "refused without get: 503 temporarily_unavailable"), `seed ${seed}`);
  assert.deepEqual(slow.readThroughGet.filter((how) => how !== "get"), [], `seed ${seed}`);
  return { fastAdmits: fastAtOnce.length, begins };
}

describe("the guard's fast path on the library's own memory store", () => {
  test("the same random attempts, failures, waits and clock moves get the same decisions and leave the same counters", async () => {
    let fastAdmits = 0;
    let begins = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const r = await replay(seed, 700, seed % 3 === 0 ? 8 : 100_000);
      fastAdmits += r.fastAdmits;
      begins += r.begins;
    }
    // The fast path was taken, and not for everything: refusals, waits and the uncounted
    // clients went the way they always went.
    assert.ok(fastAdmits > begins / 4, `${fastAdmits} of ${begins} admitted at once`);
    assert.ok(fastAdmits < begins, `${fastAdmits} of ${begins} admitted at once`);
  });

  test("a success of a known client is admitted without the store's get, with and without a caller", () => {
    const store = new MemoryAttemptStore();
    const guard = createBruteForceGuard({ store }, Date.now, 5_000)!;
    let gets = 0;
    store.get = (k) => {
      gets++;
      return MemoryAttemptStore.prototype.get.call(store, k);
    };
    for (const caller of [undefined, "10.0.0.1"]) {
      for (let i = 0; i < 3; i++) {
        const attempt = guard.begin("client-a", caller);
        assert.ok(!(attempt instanceof Promise));
        void attempt.succeeded();
        attempt.end();
      }
    }
    assert.equal(gets, 0);
  });

  test("only the library's memory store itself is read directly: a subclass, a proxy or a replaced get is read through get", () => {
    class Counted extends MemoryAttemptStore {}
    const replaced = new MemoryAttemptStore();
    replaced.get = (k) => MemoryAttemptStore.prototype.get.call(replaced, k);
    const own = new MemoryAttemptStore();
    assert.notEqual(memoryCounterReader(own), undefined);
    assert.equal(memoryCounterReader(new Counted()), undefined);
    assert.equal(memoryCounterReader(new Proxy(new MemoryAttemptStore(), {})), undefined);
    assert.equal(memoryCounterReader(replaced), undefined);
    own.increment(["k"], 900);
    own.increment(["f"], 900, { forgettable: true });
    const read = memoryCounterReader(own)!;
    for (const key of ["k", "f", "none"]) assert.deepEqual(read(key), own.get([key])[0]);
  });
});
