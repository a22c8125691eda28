// Brute-force protection of client secrets (RFC 6749 s2.3.1 MUST; RFC_CHECKLIST CA-5, S-4): limits,
// decay, who gets locked out and who must not, no enumeration, and the attempt store.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  type AttemptStore,
  MemoryAttemptStore,
  MemoryTokenStore,
  StoreFullError,
  type TokenEndpointOptions,
  webCrypto,
} from "../mod.ts";
import { resolveServerConfig } from "../src/config/server_config.ts";
import { createBruteForceGuard, type GuardedAttempt } from "../src/client_auth/brute_force.ts";
import {
  assertOAuthError,
  assertToken,
  BASIC_CLIENT,
  fakeClock,
  ISSUER,
  POST_CLIENT,
  SECRET,
  testServer,
  tokenRequest,
} from "./helpers.ts";

/** The test host's peer address travels in a header only tests set. */
const callerKey = (r: Request) => r.headers.get("x-test-peer") ?? undefined;
const OTHER: typeof BASIC_CLIENT = { ...BASIC_CLIENT, client_id: "other-client" };

function server(overrides: Partial<TokenEndpointOptions> = {}) {
  const clock = fakeClock();
  const s = testServer({
    clock: clock.now,
    tokenStore: new MemoryTokenStore({ clock: clock.now }),
    callerKey,
    ...overrides,
  }, [BASIC_CLIENT, POST_CLIENT, OTHER]);
  const as = (peer: string | undefined, id: string, secret: string) =>
    s.fetch(tokenRequest({ basic: [id, secret], headers: peer === undefined ? {} : { "x-test-peer": peer } }));
  return { ...s, clock, as };
}

async function answer(res: Response) {
  return { status: res.status, headers: [...res.headers], body: await res.text() };
}

describe("lockout per (client_id, caller)", () => {
  test("10 failures are answered 401; the 11th attempt, even with the right secret, is 429 with Retry-After", async () => {
    const { as, store } = server();
    for (let i = 0; i < 10; i++) await assertOAuthError(await as("10.0.0.1", BASIC_CLIENT.client_id, `wrong-${i}`), 401, "invalid_client");
    const res = await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET);
    assert.equal(res.headers.get("retry-after"), "900");
    assert.equal(res.headers.get("www-authenticate"), null);
    await assertOAuthError(res, 429, "temporarily_unavailable");
    assert.equal(store.size, 0, "no token while locked");
  });

  test("a locked attempt is refused without looking up the client or hashing the secret", async () => {
    let lookups = 0;
    let digests = 0;
    const { as } = server({
      clients: { getClient: (id) => (lookups++, id === BASIC_CLIENT.client_id ? BASIC_CLIENT : undefined) },
      crypto: { ...webCrypto, digest: (a, d) => (digests++, webCrypto.digest(a, d)) },
    });
    for (let i = 0; i < 10; i++) await as("10.0.0.1", BASIC_CLIENT.client_id, "wrong");
    lookups = digests = 0;
    assert.equal((await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET)).status, 429);
    assert.deepEqual({ lookups, digests }, { lookups: 0, digests: 0 });
  });

  test("the 429 is byte-identical for a known and an unknown client_id (no enumeration)", async () => {
    const { as } = server();
    for (let i = 0; i < 10; i++) {
      await as("10.0.0.1", BASIC_CLIENT.client_id, "wrong");
      await as("10.0.0.1", "no-such-client", "wrong");
    }
    const known = await answer(await as("10.0.0.1", BASIC_CLIENT.client_id, "wrong"));
    const unknown = await answer(await as("10.0.0.1", "no-such-client", "wrong"));
    assert.equal(known.status, 429);
    assert.deepEqual(unknown, known);
  });

  test("client_secret_post attempts are counted the same way", async () => {
    const { fetch } = server();
    const post = (secret: string) =>
      fetch(tokenRequest({
        headers: { "x-test-peer": "10.0.0.1" },
        body: { grant_type: "client_credentials", client_id: POST_CLIENT.client_id, client_secret: secret },
      }));
    for (let i = 0; i < 10; i++) await assertOAuthError(await post("wrong"), 400, "invalid_client");
    await assertOAuthError(await post(SECRET), 429, "temporarily_unavailable");
  });

  test("counters decay: Retry-After counts down, and the window's end unlocks", async () => {
    const { as, clock } = server();
    for (let i = 0; i < 10; i++) await as("10.0.0.1", BASIC_CLIENT.client_id, "wrong");
    clock.advance(600);
    const res = await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET);
    assert.equal(res.status, 429);
    assert.equal(res.headers.get("retry-after"), "300");
    clock.advance(300);
    await assertToken(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET));
  });

  test("the window starts at the first failure and is not extended by later ones", async () => {
    const { as, clock } = server();
    await as("10.0.0.1", BASIC_CLIENT.client_id, "wrong");
    clock.advance(899);
    for (let i = 0; i < 9; i++) await as("10.0.0.1", BASIC_CLIENT.client_id, "wrong");
    assert.equal((await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET)).headers.get("retry-after"), "1");
    clock.advance(1);
    await assertToken(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET));
  });

  test("9 failures then the right secret still succeeds (the limit is 10 failures)", async () => {
    const { as } = server();
    for (let i = 0; i < 9; i++) await as("10.0.0.1", BASIC_CLIENT.client_id, "wrong");
    await assertToken(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET));
    await assertOAuthError(await as("10.0.0.1", BASIC_CLIENT.client_id, "wrong"), 401, "invalid_client");
    await assertOAuthError(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET), 429, "temporarily_unavailable");
  });

  test("malformed credentials and requests without credentials are not counted", async () => {
    const { as, fetch } = server();
    for (let i = 0; i < 20; i++) {
      await fetch(tokenRequest({ headers: { "x-test-peer": "10.0.0.1", authorization: "Basic !!!" } }));
      await fetch(tokenRequest({ headers: { "x-test-peer": "10.0.0.1" } }));
    }
    await assertToken(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET));
  });

  test("maxAttempts and windowSeconds are configurable", async () => {
    const { as, clock } = server({ bruteForce: { maxAttempts: 3, windowSeconds: 60 } });
    for (let i = 0; i < 3; i++) await as("10.0.0.1", BASIC_CLIENT.client_id, "wrong");
    const res = await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET);
    assert.equal(res.headers.get("retry-after"), "60");
    assert.equal(res.status, 429);
    clock.advance(60);
    await assertToken(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET));
  });

  test("bruteForce: false turns the guard off", async () => {
    const { as } = server({ bruteForce: false });
    for (let i = 0; i < 200; i++) await assertOAuthError(await as("10.0.0.1", BASIC_CLIENT.client_id, "wrong"), 401, "invalid_client");
    await assertToken(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET));
  });
});

describe("an attacker cannot lock out others", () => {
  test("guessing client A's secret from one address slows neither A elsewhere nor B anywhere", async () => {
    const { as } = server();
    for (let i = 0; i < 50; i++) await as("6.6.6.6", BASIC_CLIENT.client_id, `guess-${i}`);
    assert.equal((await as("6.6.6.6", BASIC_CLIENT.client_id, SECRET)).status, 429, "the attacker's address is locked for A");
    await assertToken(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET));
    await assertToken(await as("10.0.0.2", OTHER.client_id, SECRET));
    await assertToken(await as("6.6.6.6", OTHER.client_id, SECRET));
  });

  test("a distributed attack closes A to new addresses at 100 failures; A's known callers keep getting tokens", async () => {
    const { as } = server();
    await assertToken(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET)); // A's usual caller
    for (let i = 0; i < 100; i++) {
      await assertOAuthError(await as(`6.6.${i >> 8}.${i & 255}`, BASIC_CLIENT.client_id, `guess-${i}`), 401, "invalid_client");
    }
    await assertOAuthError(await as("6.6.9.9", BASIC_CLIENT.client_id, SECRET), 429, "temporarily_unavailable");
    await assertOAuthError(await as("10.0.0.99", BASIC_CLIENT.client_id, SECRET), 429, "temporarily_unavailable");
    for (let i = 0; i < 5; i++) await assertToken(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET));
    await assertToken(await as("6.6.9.9", OTHER.client_id, SECRET));
  });

  test("an address spraying many client ids is closed at 100 failures, except for the clients it is known for", async () => {
    const { as } = server();
    await assertToken(await as("10.9.9.9", OTHER.client_id, SECRET)); // B is known at this (shared) address
    for (let i = 0; i < 100; i++) await as("10.9.9.9", `sprayed-${i}`, "guess");
    await assertOAuthError(await as("10.9.9.9", BASIC_CLIENT.client_id, SECRET), 429, "temporarily_unavailable");
    await assertToken(await as("10.9.9.9", OTHER.client_id, SECRET));
    await assertToken(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET));
  });

  test("a known caller is still limited per pair: sharing its address does not give unlimited guesses", async () => {
    const { as } = server();
    await assertToken(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET));
    for (let i = 0; i < 10; i++) await as("10.0.0.1", BASIC_CLIENT.client_id, "wrong");
    assert.equal((await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET)).status, 429);
  });

  test("a caller that keeps authenticating stays known through a long attack", async () => {
    const { as, clock } = server({ bruteForce: { knownCallerSeconds: 3600, windowSeconds: 86_400 } });
    await assertToken(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET));
    for (let i = 0; i < 100; i++) await as(`6.6.6.${i}`, BASIC_CLIENT.client_id, "guess");
    for (let hour = 0; hour < 30; hour++) {
      clock.advance(50 * 60);
      // The attack goes on: its guesses are refused, or counted again once a window ends.
      for (let i = 0; i < 100; i++) await as(`6.6.${hour}.${i}`, BASIC_CLIENT.client_id, "guess");
      await assertToken(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET));
      assert.equal((await as("10.0.0.77", BASIC_CLIENT.client_id, SECRET)).status, 429, "a new caller waits");
    }
  });

  test("a caller that stops authenticating is no longer known after two periods of knownCallerSeconds", async () => {
    const { as, clock } = server({ bruteForce: { knownCallerSeconds: 3600, windowSeconds: 86_400 } });
    await assertToken(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET));
    for (let i = 0; i < 100; i++) await as(`6.6.6.${i}`, BASIC_CLIENT.client_id, "guess");
    clock.advance(3600);
    await assertToken(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET), ); // still known (last period's mark)
    clock.advance(7200);
    assert.equal((await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET)).status, 429, "no longer known, ceiling still on");
  });

  test("without a callerKey, failures are counted per client: 100 lock the client for everyone", async () => {
    const { as } = server({ callerKey: undefined });
    for (let i = 0; i < 99; i++) await as(undefined, BASIC_CLIENT.client_id, "wrong");
    await assertToken(await as(undefined, BASIC_CLIENT.client_id, SECRET));
    await as(undefined, BASIC_CLIENT.client_id, "wrong");
    await assertOAuthError(await as(undefined, BASIC_CLIENT.client_id, SECRET), 429, "temporarily_unavailable");
    await assertToken(await as(undefined, OTHER.client_id, SECRET));
  });

  test("a callerKey that answers nothing (or not a string) is the same as no caller", async () => {
    const { as } = server({ callerKey: (r) => (r.headers.get("x-test-peer") === "num" ? 42 as unknown as string : "") });
    for (let i = 0; i < 100; i++) await as(i % 2 ? "num" : "empty", BASIC_CLIENT.client_id, "wrong");
    assert.equal((await as("num", BASIC_CLIENT.client_id, SECRET)).status, 429);
  });
});

describe("parallel attempts", () => {
  test("a burst of 60 parallel guesses from one address gets at most 10 verified", async () => {
    let digests = 0;
    const { as } = server({ crypto: { ...webCrypto, digest: (a, d) => (digests++, webCrypto.digest(a, d)) } });
    await as("10.0.0.5", "warm-up", "x"); // one failure, so the client store and caches are warm
    digests = 0;
    const statuses = await Promise.all(
      Array.from({ length: 60 }, (_, i) => as("6.6.6.6", BASIC_CLIENT.client_id, `guess-${i}`).then((r) => r.status)),
    );
    assert.equal(statuses.filter((s) => s === 401).length, 10);
    assert.equal(statuses.filter((s) => s === 429).length, 50);
    assert.ok(digests <= 10, `${digests} secrets hashed`);
  });

  test("a burst of 60 parallel requests with the right secret all succeed (they wait, they are not refused)", async () => {
    const { as } = server();
    const bodies = await Promise.all(Array.from({ length: 60 }, () => as("10.0.0.1", BASIC_CLIENT.client_id, SECRET).then(assertToken)));
    assert.equal(new Set(bodies.map((b) => b.access_token)).size, 60);
  });
});

describe("attempts in flight, counted by the guard itself", () => {
  /** Begins an attempt; `undefined` while it waits for a slot (its promise has not settled). */
  function begin(guard: ReturnType<typeof createBruteForceGuard>, client_id: string): { attempt: () => GuardedAttempt | undefined; admitted: Promise<GuardedAttempt> } {
    const begun = guard!.begin(client_id, undefined);
    let settled: GuardedAttempt | undefined = begun instanceof Promise ? undefined : begun;
    const admitted = Promise.resolve(begun).then((a) => (settled = a));
    return { attempt: () => settled, admitted };
  }
  const turns = async () => {
    for (let i = 0; i < 5; i++) await undefined;
  };

  test("at most the per-client allowance is admitted at once, the next waits for one to end; also while thousands of other keys come and go", async () => {
    const guard = createBruteForceGuard({ maxAttemptsPerClient: 3 }, Date.now, 5_000);
    for (let round = 0; round < 3; round++) {
      const held = [begin(guard, "c"), begin(guard, "c"), begin(guard, "c")];
      assert.ok(held.every((h) => h.attempt() !== undefined), `round ${round}: three admitted at once`);
      // Other client ids come and go meanwhile (past the idle slots the guard keeps for reuse).
      for (let i = 0; i < 1500 * (round + 1); i++) (guard!.begin(`other-${round}-${i}`, undefined) as GuardedAttempt).end();
      const fourth = begin(guard, "c");
      await turns();
      assert.equal(fourth.attempt(), undefined, `round ${round}: the fourth waits`);
      held[0]!.attempt()!.end();
      held[0]!.attempt()!.end(); // a second end changes nothing
      await fourth.admitted;
      const fifth = begin(guard, "c");
      await turns();
      assert.equal(fifth.attempt(), undefined, `round ${round}: still three in flight`);
      for (const h of [held[1]!, held[2]!, fourth]) h.attempt()!.end();
      (await fifth.admitted).end();
    }
  });
});

describe("when the attempt store fails", () => {
  function faulty(mode: { fault: "none" | "throw" | "reject" | "hang" | "malformed" }): AttemptStore {
    const inner = new MemoryAttemptStore();
    const act = <T>(ok: () => T): T | Promise<T> => {
      if (mode.fault === "throw") throw new Error("attempt store down");
      if (mode.fault === "reject") return Promise.reject(new Error("attempt store down"));
      if (mode.fault === "hang") return new Promise<T>(() => {});
      return ok();
    };
    return {
      get: (keys) => act(() => (mode.fault === "malformed" ? [{ count: "x" }] as never : inner.get(keys))),
      increment: (keys, w) => act(() => inner.increment(keys, w)),
    };
  }

  for (const fault of ["throw", "reject", "hang", "malformed"] as const) {
    test(`a store that ${fault}s: no secret is verified, a clean JSON 5xx, and recovery once it heals`, async () => {
      const mode: { fault: "none" | typeof fault } = { fault };
      const { as, store } = server({ bruteForce: { store: faulty(mode) }, storeTimeoutMs: 30 });
      const res = await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET);
      assert.ok(res.status >= 500 && res.status <= 503, String(res.status));
      await assertOAuthError(res, res.status, res.status === 503 ? "temporarily_unavailable" : "server_error");
      assert.equal(store.size, 0);
      mode.fault = "none";
      await assertToken(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET));
    });
  }

  test("a store that reads but cannot count: that failure is a 5xx, then that client is served to its known callers only for 30 s", async () => {
    const inner = new MemoryAttemptStore();
    let broken = false;
    const store: AttemptStore = {
      get: (keys) => inner.get(keys),
      increment: (keys, w) => (broken && !keys[0]!.startsWith("bf:k") ? Promise.reject(new Error("write failed")) : inner.increment(keys, w)),
    };
    const { as, clock } = server({ bruteForce: { store } });
    await assertToken(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET)); // known caller
    broken = true;
    await assertOAuthError(await as("6.6.6.6", BASIC_CLIENT.client_id, "guess"), 500, "server_error");
    const held = await as("6.6.6.6", BASIC_CLIENT.client_id, SECRET);
    assert.equal(held.headers.get("retry-after"), "30");
    await assertOAuthError(held, 503, "temporarily_unavailable");
    await assertToken(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET));
    await assertToken(await as("10.0.0.2", OTHER.client_id, SECRET)); // another client, a new caller: served
    broken = false;
    clock.advance(30);
    await assertToken(await as("6.6.6.6", BASIC_CLIENT.client_id, SECRET));
  });

  test("a full store: the failure that cannot be counted is a 503, then that client is served to its known callers only until room returns; other clients carry on", async () => {
    const clock = fakeClock();
    const attempts = new MemoryAttemptStore({ maxEntries: 12, clock: clock.now });
    const { as } = server({ clock: clock.now, tokenStore: new MemoryTokenStore({ clock: clock.now }), bruteForce: { store: attempts } });
    await assertToken(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET)); // known caller
    // Guesses at a real client from many addresses: their counters are kept, and fill the store.
    let full: Response | undefined;
    for (let i = 0; i < 20 && full === undefined; i++) {
      const res = await as(`6.6.6.${i}`, BASIC_CLIENT.client_id, "guess");
      if (res.status !== 401) full = res;
    }
    assert.ok(full, "the store filled up");
    await assertOAuthError(full, 503, "temporarily_unavailable");
    assert.ok(Number(full.headers.get("retry-after")) > 0);
    await assertOAuthError(await as("10.0.0.2", BASIC_CLIENT.client_id, SECRET), 503, "temporarily_unavailable");
    await assertToken(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET));
    await assertToken(await as("10.0.0.2", OTHER.client_id, SECRET)); // another client, a new caller
    clock.advance(900);
    await assertToken(await as("10.0.0.2", BASIC_CLIENT.client_id, SECRET));
  });
});

describe("MemoryAttemptStore", () => {
  test("counts per key, starts a window at the first increment, forgets at its end", () => {
    const clock = fakeClock();
    const store = new MemoryAttemptStore({ clock: clock.now });
    const t0 = clock.now() / 1000;
    assert.deepEqual(store.get(["a", "b"]), [undefined, undefined]);
    store.increment(["a", "b"], 60);
    clock.advance(30);
    store.increment(["a"], 60);
    assert.deepEqual(store.get(["a", "b"]), [{ count: 2, resetAt: t0 + 60 }, { count: 1, resetAt: t0 + 60 }]);
    clock.advance(30);
    assert.deepEqual(store.get(["a", "b"]), [undefined, undefined]);
    store.increment(["a"], 60);
    assert.deepEqual(store.get(["a"]), [{ count: 1, resetAt: t0 + 120 }]);
  });

  test("full of live counters: increment throws StoreFullError instead of forgetting one", () => {
    const store = new MemoryAttemptStore({ maxEntries: 2 });
    store.increment(["a", "b"], 60);
    assert.throws(() => store.increment(["c"], 60), StoreFullError);
    store.increment(["a"], 60);
    assert.equal(store.get(["a"])[0]?.count, 2);
  });

  test("counters of different window lengths are bounded separately", () => {
    const store = new MemoryAttemptStore({ maxEntries: 2 });
    store.increment(["a", "b"], 60);
    store.increment(["k"], 86_400);
    assert.equal(store.size, 3);
  });
});

describe("keys and options", () => {
  test("keys are short whatever the client id and caller; the known mark is written once, not per success", async () => {
    const inner = new MemoryAttemptStore();
    const seen: string[] = [];
    const increments: string[][] = [];
    const store: AttemptStore = {
      get: (keys) => (seen.push(...keys), inner.get(keys)),
      increment: (keys, w) => (increments.push([...keys]), inner.increment(keys, w)),
    };
    const { as } = server({ bruteForce: { store } });
    await as("x".repeat(5000), "y".repeat(5000), "wrong");
    for (let i = 0; i < 3; i++) await assertToken(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET));
    assert.ok(seen.every((k) => k.length <= 220), "long inputs are hashed");
    assert.equal(increments.length, 2, "one failure, one known mark");
  });

  test("the keys of a repeated attempt follow the period of knownCallerSeconds (remembered keys are not stale)", async () => {
    const inner = new MemoryAttemptStore();
    const reads: string[][] = [];
    const store: AttemptStore = { get: (keys) => (reads.push([...keys]), inner.get(keys)), increment: (keys, w) => inner.increment(keys, w) };
    const { as, clock } = server({ bruteForce: { store, knownCallerSeconds: 3600 } });
    await assertToken(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET));
    await assertToken(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET));
    clock.advance(3600);
    await assertToken(await as("10.0.0.1", BASIC_CLIENT.client_id, SECRET));
    assert.equal(reads.length, 3);
    assert.deepEqual(reads[1], reads[0], "the same keys within a period");
    // [pair, client, caller, known, lastKnown]: this period's mark is the last period's now.
    assert.deepEqual(reads[2]!.slice(0, 3), reads[0]!.slice(0, 3));
    assert.equal(reads[2]![4], reads[0]![3]);
    assert.notEqual(reads[2]![3], reads[0]![3]);
  });

  test("a caller's counter is one key whatever the client ids it tried (ASCII or not, short or long)", async () => {
    const { as } = server({ bruteForce: { maxAttemptsPerCaller: 4 } });
    await as("10.0.0.1", BASIC_CLIENT.client_id, "wrong");
    await as("10.0.0.1", "clïent-é", "wrong");
    await as("10.0.0.1", "x".repeat(300), "wrong");
    await as("10.0.0.1", "a\u0000b", "wrong");
    await assertOAuthError(await as("10.0.0.1", OTHER.client_id, SECRET), 429, "temporarily_unavailable");
  });

  test("an unknown bruteForce setting or a bad number fails at start-up", () => {
    const base = { issuer: ISSUER, clients: [BASIC_CLIENT] };
    assert.throws(() => resolveServerConfig({ ...base, bruteForce: { maxAttempt: 5 } as never }), /unknown bruteForce option 'maxAttempt'/);
    assert.throws(() => resolveServerConfig({ ...base, bruteForce: { maxAttempts: 0 } }), /bruteForce.maxAttempts/);
    assert.throws(() => resolveServerConfig({ ...base, bruteForce: { windowSeconds: 1.5 } }), /bruteForce.windowSeconds/);
    assert.throws(() => resolveServerConfig({ ...base, bruteForce: { store: {} as never } }), /AttemptStore/);
    assert.throws(() => resolveServerConfig({ ...base, callerKey: "ip" as never }), /callerKey/);
    assert.throws(() => resolveServerConfig({ ...base, storeTimeoutMs: 0 }), /storeTimeoutMs/);
  });
});
