/**
 * The conformance suite for {@link ReplayStore} implementations.
 *
 * @module
 */

import type { ReplayStore } from "../replay_store.ts";
import {
  check,
  type ConformanceOptions,
  randomKey,
  register,
  type StoreFactory,
  swapCase,
  type TestRegistrar,
  testTime,
} from "./kit.ts";

/**
 * Registers tests proving that a {@link ReplayStore} keeps the contract single-use
 * credentials rely on (RFC 7523 s3 `jti`, RFC 9449 s11.1):
 *
 * - the first `remember` of a key answers `true`, every later one `false`;
 * - keys are compared byte for byte (case matters);
 * - a key is not forgotten before its `expiresAt`;
 * - `remember` is atomic: of many concurrent calls with one key, exactly one answers `true`.
 *
 * @example node:test (Deno.test and bun:test's test work the same way)
 * ```ts
 * import { test } from "node:test";
 * import { MemoryReplayStore, testReplayStore } from "m2m-oauth";
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
    const time = testTime(options.time);
    const store = await factory({ clock: time.clock });
    check(typeof store?.remember === "function", "the factory must return a ReplayStore (remember)");
    return { time, store };
  };

  register(test, options.name ?? "ReplayStore", {
    "the first remember answers true, every later one false": async () => {
      const { time, store } = await setup();
      const key = randomKey();
      const exp = time.nowSeconds() + 300;
      check((await store.remember(key, exp)) === true, "the first remember of a key did not answer true");
      check((await store.remember(key, exp)) === false, "a second remember of a key did not answer false");
      check((await store.remember(key, exp + 300)) === false, "a remember with a later expiry was accepted as new");
      check((await store.remember(randomKey(), exp)) === true, "another key was not accepted as new");
    },

    "keys are compared byte for byte (case matters)": async () => {
      const { time, store } = await setup();
      const key = randomKey();
      const exp = time.nowSeconds() + 300;
      await store.remember(key, exp);
      check((await store.remember(swapCase(key), exp)) === true, "a key differing only in case was taken for a replay");
    },

    "a key is not forgotten before its expiresAt": async () => {
      const { time, store } = await setup();
      const real = options.time === "real";
      const exp = time.nowSeconds() + (real ? 2 : 300);
      const key = randomKey();
      await store.remember(key, exp);
      check((await store.remember(key, exp)) === false, "a key was forgotten at once (is expiresAt read as milliseconds?)");
      await time.advanceTo(exp * 1000 - (real ? 500 : 1));
      check((await store.remember(key, exp)) === false, "a key was forgotten before its expiresAt: a replay would pass");
    },

    "remember is atomic: of concurrent calls with one key, exactly one answers true": async () => {
      const { time, store } = await setup();
      const key = randomKey();
      const exp = time.nowSeconds() + 300;
      const answers = await Promise.all(Array.from({ length: 25 }, () => store.remember(key, exp)));
      const firsts = answers.filter((a) => a === true).length;
      check(firsts === 1, `${firsts} of 25 concurrent remembers of one key answered true`);
      const distinct = await Promise.all(Array.from({ length: 25 }, () => store.remember(randomKey(), exp)));
      check(distinct.every((a) => a === true), "a concurrent remember of a new key answered false");
    },
  });
}
