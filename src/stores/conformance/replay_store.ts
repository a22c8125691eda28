/**
 * The conformance suite for {@link ReplayStore} implementations.
 *
 * @module
 */

import type { ReplayStore } from "../replay_store.ts";
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

/**
 * Registers tests proving that a {@link ReplayStore} keeps the contract single-use
 * credentials rely on (RFC 7523 s3 `jti`, RFC 9449 s11.1):
 *
 * - the first `remember` of a key answers `true`, every later one `false`;
 * - keys are compared byte for byte (case matters);
 * - a key is not forgotten before its `expiresAt`;
 * - `remember` is atomic: of many concurrent calls with one key, exactly one answers `true`;
 * - once its `expiresAt` has passed, a key can be taken again, by exactly one of many
 *   concurrent callers.
 *
 * @example node:test (Deno.test and bun:test's test work the same way)
 * ```ts
 * import { test } from "node:test";
 * import { MemoryReplayStore } from "../../../mod.ts";
 * import { testReplayStore } from "../../testing/mod.ts";
 *
 * testReplayStore(({ clock }) => new MemoryReplayStore({ clock }), test);
 * ```
 */
export function testReplayStore(
  factory: StoreFactory<ReplayStore>,
  test: TestRegistrar,
  options: ConformanceOptions = {},
): void {
  const setup = async () => {
    const { time, stores } = await makeStores(
      factory,
      options,
      (s) => typeof s?.remember === "function",
      "ReplayStore (remember)",
    );
    return { time, stores, store: stores[0]! };
  };

  register(test, options.name ?? "ReplayStore", {
    "the first remember answers true, every later one false (on every instance)": async () => {
      const { time, stores, store } = await setup();
      const key = randomKey();
      const exp = time.nowSeconds() + 300;
      check((await store.remember(key, exp)) === true, "the first remember of a key did not answer true");
      for (const other of stores) {
        check((await other.remember(key, exp)) === false, "a second remember of a key did not answer false");
        check((await other.remember(key, exp + 300)) === false, "a remember with a later expiry was accepted as new");
      }
      check((await store.remember(randomKey(), exp)) === true, "another key was not accepted as new");
    },

    "keys are compared byte for byte (case matters)": async () => {
      const { time, stores, store } = await setup();
      const key = randomKey();
      const exp = time.nowSeconds() + 300;
      await store.remember(key, exp);
      check((await spread(stores, 1).remember(swapCase(key), exp)) === true, "a key differing only in case was taken for a replay");
    },

    "a key is not forgotten before its expiresAt": async () => {
      const { time, stores, store } = await setup();
      const real = options.time === "real";
      const exp = time.nowSeconds() + (real ? 2 : 300);
      const key = randomKey();
      await store.remember(key, exp);
      check((await spread(stores, 1).remember(key, exp)) === false, "a key was forgotten at once (is expiresAt read as milliseconds?)");
      await time.advanceTo(exp * 1000 - (real ? 500 : 1));
      check((await spread(stores, 1).remember(key, exp)) === false, "a key was forgotten before its expiresAt: a replay would pass");
    },

    "once its expiresAt has passed, a key is taken again by exactly one of many concurrent callers": async () => {
      const { time, stores, store } = await setup();
      const real = options.time === "real";
      const exp = time.nowSeconds() + (real ? 1 : 300);
      const key = randomKey();
      check((await store.remember(key, exp)) === true, "the first remember of a key did not answer true");
      await time.advanceTo(exp * 1000 + (real ? 50 : 0));
      const answers = await Promise.all(
        Array.from({ length: 60 }, (_, i) => spread(stores, i).remember(key, exp + 300)),
      );
      const firsts = answers.filter((a) => a === true).length;
      check(firsts === 1, `${firsts} of 60 concurrent remembers of an expired key answered true, not exactly one`);
    },

    "remember is atomic: of concurrent calls with one key, exactly one answers true": async () => {
      const { time, stores } = await setup();
      const exp = time.nowSeconds() + 300;
      const keys = [randomKey(), randomKey(), randomKey()];
      const results = await Promise.all(keys.map((key) =>
        Promise.all(Array.from({ length: 150 }, (_, i) => spread(stores, i).remember(key, exp)))
      ));
      for (const answers of results) {
        const firsts = answers.filter((a) => a === true).length;
        check(firsts === 1, `${firsts} of 150 concurrent remembers of one key answered true`);
      }
      const distinct = await Promise.all(Array.from({ length: 25 }, (_, i) => spread(stores, i).remember(randomKey(), exp)));
      check(distinct.every((a) => a === true), "a concurrent remember of a new key answered false");
    },
  });
}
