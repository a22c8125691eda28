/**
 * The conformance suite for {@link RevocationStore} implementations.
 *
 * @module
 */

import type { RevocationStore } from "../revocation_store.ts";
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
 * Registers tests proving that a {@link RevocationStore} keeps the contract revoked JWTs
 * rely on (RFC 7009 s2):
 *
 * - an id never revoked is not revoked;
 * - a revoked id is revoked, and revoking it again is harmless;
 * - ids are compared byte for byte (case matters);
 * - a revocation is not forgotten before its `expiresAt`;
 * - concurrent revocations are all kept.
 *
 * @example node:test (Deno.test and bun:test's test work the same way)
 * ```ts
 * import { test } from "node:test";
 * import { MemoryRevocationStore, testRevocationStore } from "m2m-oauth";
 *
 * testRevocationStore(({ clock }) => new MemoryRevocationStore({ clock }), test);
 * ```
 */
export function testRevocationStore(
  factory: StoreFactory<RevocationStore>,
  test: TestRegistrar,
  options: ConformanceOptions = {},
): void {
  const setup = async () => {
    const time = testTime(options.time);
    const store = await factory({ clock: time.clock });
    check(typeof store?.revoke === "function" && typeof store.isRevoked === "function",
      "the factory must return a RevocationStore (revoke, isRevoked)");
    return { time, store };
  };

  register(test, options.name ?? "RevocationStore", {
    "an id never revoked is not revoked": async () => {
      const { store } = await setup();
      check((await store.isRevoked(randomKey())) === false, "an unknown id is reported revoked");
    },

    "a revoked id is revoked, and revoking it again is harmless": async () => {
      const { time, store } = await setup();
      const jti = randomKey();
      const exp = time.nowSeconds() + 300;
      await store.revoke(jti, exp);
      check((await store.isRevoked(jti)) === true, "a revoked id is not reported revoked");
      await store.revoke(jti, exp);
      check((await store.isRevoked(jti)) === true, "revoking an id twice un-revoked it");
    },

    "ids are compared byte for byte (case matters)": async () => {
      const { time, store } = await setup();
      const jti = randomKey();
      await store.revoke(jti, time.nowSeconds() + 300);
      check((await store.isRevoked(swapCase(jti))) === false, "an id differing only in case is reported revoked");
    },

    "a revocation is not forgotten before its expiresAt": async () => {
      const { time, store } = await setup();
      const real = options.time === "real";
      const exp = time.nowSeconds() + (real ? 2 : 300);
      const jti = randomKey();
      await store.revoke(jti, exp);
      check((await store.isRevoked(jti)) === true, "a revocation was forgotten at once (is expiresAt read as milliseconds?)");
      await time.advanceTo(exp * 1000 - (real ? 500 : 1));
      check((await store.isRevoked(jti)) === true, "a revocation was forgotten before its expiresAt: the token works again");
    },

    "concurrent revocations are all kept": async () => {
      const { time, store } = await setup();
      const exp = time.nowSeconds() + 300;
      const ids = Array.from({ length: 50 }, () => randomKey());
      await Promise.all(ids.map((jti) => store.revoke(jti, exp)));
      const answers = await Promise.all(ids.map((jti) => store.isRevoked(jti)));
      check(answers.every((a) => a === true), "a concurrent revocation was lost");
    },
  });
}
