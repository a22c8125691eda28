/**
 * The conformance suite for {@link RevocationStore} implementations.
 *
 * @module
 */

import type { RevocationStore } from "../revocation_store.ts";
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
 * Registers tests proving that a {@link RevocationStore} keeps the contract revoked JWTs
 * rely on (RFC 7009 s2):
 *
 * - an id never revoked is not revoked;
 * - a revoked id is revoked, and revoking it again is harmless;
 * - ids are compared byte for byte (case matters);
 * - a revocation is not forgotten before its `expiresAt`, and lapses after it (the token
 *   has expired anyway, so the list does not grow for ever);
 * - concurrent revocations are all kept.
 *
 * @example node:test (Deno.test and bun:test's test work the same way)
 * ```ts
 * import { test } from "node:test";
 * import { MemoryRevocationStore } from "../../../mod.ts";
 * import { testRevocationStore } from "../../testing/mod.ts";
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
    const { time, stores } = await makeStores(
      factory,
      options,
      (s) => typeof s?.revoke === "function" && typeof s.isRevoked === "function",
      "RevocationStore (revoke, isRevoked)",
    );
    return { time, stores, store: stores[0]!, reader: stores[stores.length - 1]! };
  };

  register(test, options.name ?? "RevocationStore", {
    "an id never revoked is not revoked": async () => {
      const { store } = await setup();
      check((await store.isRevoked(randomKey())) === false, "an unknown id is reported revoked");
    },

    "a revoked id is revoked on every instance, and revoking it again is harmless": async () => {
      const { time, stores, store, reader } = await setup();
      const jti = randomKey();
      const exp = time.nowSeconds() + 300;
      await store.revoke(jti, exp);
      for (const s of stores) check((await s.isRevoked(jti)) === true, "a revoked id is not reported revoked");
      await reader.revoke(jti, exp);
      check((await store.isRevoked(jti)) === true, "revoking an id twice un-revoked it");
      check((await reader.isRevoked(randomKey())) === false, "revoking one id revoked another");
    },

    "ids are compared byte for byte (case matters)": async () => {
      const { time, store, reader } = await setup();
      const jti = randomKey();
      await store.revoke(jti, time.nowSeconds() + 300);
      check((await reader.isRevoked(swapCase(jti))) === false, "an id differing only in case is reported revoked");
    },

    "a revocation is not forgotten before its expiresAt, and lapses after it": async () => {
      const { time, store, reader } = await setup();
      const real = options.time === "real";
      const exp = time.nowSeconds() + (real ? 2 : 300);
      const jti = randomKey();
      await store.revoke(jti, exp);
      check((await reader.isRevoked(jti)) === true, "a revocation was forgotten at once (is expiresAt read as milliseconds?)");
      await time.advanceTo(exp * 1000 - (real ? 500 : 1));
      check((await reader.isRevoked(jti)) === true, "a revocation was forgotten before its expiresAt: the token works again");
      await time.advanceTo(exp * 1000 + (real ? 50 : 0));
      check((await reader.isRevoked(jti)) === false, "a revocation is still reported after its expiresAt");
    },

    "concurrent revocations are all kept": async () => {
      const { time, stores, reader } = await setup();
      const exp = time.nowSeconds() + 300;
      const ids = Array.from({ length: 50 }, () => randomKey());
      await Promise.all(ids.map((jti, i) => spread(stores, i).revoke(jti, exp)));
      const answers = await Promise.all(ids.map((jti) => reader.isRevoked(jti)));
      check(answers.every((a) => a === true), "a concurrent revocation was lost");
    },
  });
}
