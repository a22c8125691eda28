/**
 * The conformance suite for {@link AttemptStore} implementations.
 *
 * @module
 */

import { encodeBasicCredentials } from "../../client_auth/basic.ts";
import { createAuthorizationServer } from "../../server.ts";
import type { AttemptCount, AttemptStore } from "../attempt_store.ts";
import {
  check,
  type ConformanceOptions,
  makeStores,
  randomKey,
  register,
  spread,
  type StoreFactory,
  swapCase,
  type TestRegistrar,
} from "./kit.ts";

const SECRET = "conformance-kit-secret-0123456789abcdefghij";

/**
 * A key shaped as the brute-force guard once made them, the client_id as sent, NUL included.
 * The guard now hashes such parts, but a store should still take any string.
 */
function guardLikeKey(): string {
  return `bf:p:9:127.0.0.1${"Zoë's client \u0000 #1 ✓ ".repeat(7)}:${randomKey()}`.slice(0, 210);
}

async function getOne(store: AttemptStore, key: string): Promise<AttemptCount | undefined> {
  const answer = await store.get([key]);
  check(Array.isArray(answer) && answer.length === 1, `get([key]) answered ${JSON.stringify(answer)}, not one answer`);
  const c = answer[0];
  if (c === undefined || c === null) return undefined;
  check(typeof c.count === "number" && typeof c.resetAt === "number",
    `a counter must be numbers { count, resetAt }, got ${JSON.stringify(c)}`);
  return c;
}

/**
 * Registers tests proving that an {@link AttemptStore} keeps the contract the brute-force
 * guard relies on (RFC 6749 s2.3.1):
 *
 * - `get` answers one entry per key, in order: `undefined` for a key never counted, and it
 *   never counts by itself;
 * - `increment` starts a counter at 1 whose window (`resetAt`, in seconds) runs from that
 *   first failure, adds one to a live counter, and never extends its window;
 * - keys are compared byte for byte and may hold any text the guard puts in them (the
 *   client_id as sent, NUL and non-ASCII included);
 * - a counter lapses when its window ends, and then starts again at 1;
 * - an increment marked `forgettable` (a client_id that does not exist) counts like any other,
 *   and a counter incremented both ways is one counter;
 * - increments are atomic: of many concurrent increments of a key, every one is counted;
 * - through a real server, failures counted in the store lock the caller out.
 *
 * @example node:test (Deno.test and bun:test's test work the same way)
 * ```ts
 * import { test } from "node:test";
 * import { MemoryAttemptStore } from "../../../mod.ts";
 * import { testAttemptStore } from "../../testing/mod.ts";
 *
 * testAttemptStore(({ clock }) => new MemoryAttemptStore({ clock }), test);
 * // Redis expires counters by its own clock, so it keeps real time:
 * // testAttemptStore(() => new RedisAttemptStore(redis), test, { time: "real", instances: 2 });
 * ```
 */
export function testAttemptStore(
  factory: StoreFactory<AttemptStore>,
  test: TestRegistrar,
  options: ConformanceOptions = {},
): void {
  const real = options.time === "real";
  const setup = async () => {
    const { time, stores } = await makeStores(
      factory,
      options,
      (s) => typeof s?.get === "function" && typeof s.increment === "function",
      "AttemptStore (get, increment)",
    );
    return { time, stores, store: stores[0]!, reader: stores[stores.length - 1]! };
  };
  /** Seconds of slack when comparing a resetAt: real clocks move while the test runs. */
  const slack = real ? 1 : 0.001;

  register(test, options.name ?? "AttemptStore", {
    "get answers undefined for keys never counted, one answer per key, in order": async () => {
      const { store, reader } = await setup();
      const keys = [randomKey(), randomKey(), randomKey()];
      const none = await reader.get(keys);
      check(Array.isArray(none) && none.length === 3 && none.every((c) => c == null),
        `get of keys never counted answered ${JSON.stringify(none)}`);
      check(Array.isArray(await store.get([])) && (await store.get([])).length === 0, "get([]) is not []");
      await store.increment([keys[1]!], 900);
      const answers = await reader.get(keys);
      check(answers.length === 3 && answers[0] == null && answers[1]?.count === 1 && answers[2] == null,
        `get answered ${JSON.stringify(answers)} where only the middle key was counted once`);
    },

    "increment starts a counter at 1 with a window from now, counts on, and never extends the window": async () => {
      const { time, store, reader } = await setup();
      const key = randomKey();
      const before = time.clock() / 1000;
      await store.increment([key], 900);
      const after = time.clock() / 1000;
      const first = await getOne(reader, key);
      check(first?.count === 1, `a first increment gave ${JSON.stringify(first)}, not count 1`);
      check(first.resetAt >= before + 900 - slack && first.resetAt <= after + 900 + slack,
        `resetAt ${first.resetAt} is not 900 s from the increment (${before}); is it in milliseconds?`);
      await time.advanceTo(time.clock() + (real ? 300 : 100_000));
      await store.increment([key], 900);
      await reader.increment([key], 3600); // another window length does not move a live counter's
      const third = await getOne(store, key);
      check(third?.count === 3, `three increments gave ${JSON.stringify(third)}`);
      check(Math.abs(third.resetAt - first.resetAt) < (real ? 0.25 : 0.001),
        `a later increment moved the window's end from ${first.resetAt} to ${third.resetAt}: a counter must decay`);
    },

    "get only reads: it never counts, nor starts a counter": async () => {
      const { store, reader } = await setup();
      const key = randomKey();
      for (let i = 0; i < 3; i++) await reader.get([key]);
      check((await getOne(store, key)) === undefined, "get started a counter");
      await store.increment([key], 900);
      for (let i = 0; i < 3; i++) await reader.get([key]);
      check((await getOne(store, key))?.count === 1, "get changed a count");
    },

    "keys are compared byte for byte, and may hold any text the guard puts in them (NUL, non-ASCII)": async () => {
      const { store, reader } = await setup();
      const key = randomKey();
      const guardKey = guardLikeKey();
      const keys = [key, swapCase(key), guardKey, guardKey.replace("\u0000", "\u0001"), guardKey.normalize("NFD")];
      check(new Set(keys).size === keys.length, "the kit's keys must differ");
      for (let i = 0; i < keys.length; i++) {
        for (let n = 0; n <= i; n++) await store.increment([keys[i]!], 900);
      }
      const counts = (await reader.get(keys)).map((c) => c?.count);
      check(counts.every((c, i) => c === i + 1),
        `keys counted 1, 2, 3, 4, 5 times read back as ${JSON.stringify(counts)}: keys were merged or mangled`);
    },

    "a forgettable increment counts like any other, and one counter takes both kinds": async () => {
      const { store, reader } = await setup();
      const [a, b] = [randomKey(), randomKey()];
      await store.increment([a, b], 900, { forgettable: true });
      await store.increment([a], 900, { forgettable: true });
      await reader.increment([b], 900);
      await store.increment([b], 900, { forgettable: true });
      const counts = (await reader.get([a, b])).map((x) => x?.count);
      check(counts.join() === "2,3", `forgettable and plain increments read back as ${JSON.stringify(counts)}, not 2, 3`);
    },

    "increment of several keys bumps each of them": async () => {
      const { store, reader } = await setup();
      const [a, b, c] = [randomKey(), randomKey(), randomKey()];
      await store.increment([a, b], 900);
      await store.increment([b, c], 900);
      const counts = (await reader.get([a, b, c])).map((x) => x?.count);
      check(counts.join() === "1,2,1", `increments of [a, b] then [b, c] read back as ${JSON.stringify(counts)}`);
    },

    "a counter lapses when its window ends, then starts again at 1": async () => {
      const { time, store, reader } = await setup();
      const window = real ? 2 : 900;
      const key = randomKey();
      const other = randomKey();
      await store.increment([key], window);
      await store.increment([key], window);
      await store.increment([other], window * 10);
      const live = await getOne(reader, key);
      check(live?.count === 2, `two increments gave ${JSON.stringify(live)}`);
      await time.advanceTo(live.resetAt * 1000 - (real ? 500 : 1));
      check((await getOne(reader, key))?.count === 2, "a counter lapsed before its resetAt: guesses were forgotten");
      await time.advanceTo(live.resetAt * 1000 + (real ? 50 : 0));
      check((await getOne(reader, key)) === undefined, "a counter is still read after its resetAt");
      check((await getOne(reader, other))?.count === 1, "a counter with a longer window lapsed with another's");
      const restartedAt = time.clock() / 1000;
      await store.increment([key], window);
      const again = await getOne(reader, key);
      check(again?.count === 1, `an increment after the window gave ${JSON.stringify(again)}, not a new count of 1`);
      check(again.resetAt >= restartedAt + window - slack, "a restarted counter did not get a new window");
    },

    "increment is atomic: every one of many concurrent increments is counted": async () => {
      const { stores, reader } = await setup();
      const key = randomKey();
      await Promise.all(Array.from({ length: 60 }, (_, i) => spread(stores, i).increment([key], 900)));
      const one = await getOne(reader, key);
      check(one?.count === 60, `60 concurrent increments of one key counted ${one?.count}`);
      // Overlapping sets, as the guard sends them (pair, client, caller share the client key).
      const [a, b, shared] = [randomKey(), randomKey(), randomKey()];
      await Promise.all(Array.from({ length: 40 }, (_, i) =>
        spread(stores, i).increment(i % 2 === 0 ? [a, shared] : [shared, b], 900)
      ));
      const counts = (await reader.get([a, b, shared])).map((c) => c?.count);
      check(counts.join() === "20,20,40",
        `40 concurrent increments of [a, shared] and [shared, b] read back as ${JSON.stringify(counts)}, not 20, 20, 40`);
    },

    "through a server: failures counted in the store lock the caller out (429), on every instance": async () => {
      const { time, stores } = await setup();
      const issuer = "https://conformance.example";
      const client_id = `kit-${randomKey()}`;
      const servers = stores.map((store) =>
        createAuthorizationServer({
          issuer,
          clients: [{ client_id, client_secret: SECRET, grant_types: ["client_credentials"] }],
          bruteForce: { store, maxAttempts: 3 },
          callerKey: () => "kit-caller",
          clock: time.clock,
        })
      );
      const token = (i: number, secret: string) =>
        spread(servers, i).fetch(
          new Request(`${issuer}/token`, {
            method: "POST",
            headers: {
              "content-type": "application/x-www-form-urlencoded",
              authorization: `Basic ${encodeBasicCredentials(client_id, secret)}`,
            },
            body: "grant_type=client_credentials",
          }),
        );
      for (let i = 0; i < 3; i++) {
        const res = await token(i, "wrong-secret");
        check(res.status === 401, `a wrong secret was answered ${res.status}, not 401`);
      }
      for (let i = 0; i < stores.length; i++) {
        const res = await token(i, SECRET);
        check(res.status === 429, `after 3 counted failures, the right secret was answered ${res.status}, not 429`);
        check(Number(res.headers.get("retry-after")) > 0, "a 429 without Retry-After");
      }
    },
  });
}
