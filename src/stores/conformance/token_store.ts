/**
 * The conformance suite for {@link TokenStore} implementations.
 *
 * @module
 */

import { encodeBasicCredentials } from "../../client_auth/basic.ts";
import { webCrypto } from "../../crypto/provider.ts";
import { createAuthorizationServer } from "../../server.ts";
import { tokenKey } from "../../tokens/opaque.ts";
import type { TokenRecord, TokenStore } from "../token_store.ts";
import {
  check,
  type ConformanceOptions,
  randomKey,
  register,
  sameData,
  type StoreFactory,
  swapCase,
  type TestRegistrar,
  testTime,
} from "./kit.ts";

function fullRecord(now: number): TokenRecord {
  return {
    client_id: "conformance-client",
    scope: "read write",
    iat: now,
    exp: now + 600,
    sub: "conformance-subject",
    aud: ["https://a.example", "https://b.example"],
    jti: randomKey(),
    cnf: { jkt: "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I" },
  };
}

/** A store that records every key it is given, around the store under test. */
function recording(store: TokenStore): { store: TokenStore; keys: string[]; records: TokenRecord[] } {
  const keys: string[] = [];
  const records: TokenRecord[] = [];
  return {
    keys,
    records,
    store: {
      save: (key, record) => (keys.push(key), records.push(record), store.save(key, record)),
      find: (key) => (keys.push(key), store.find(key)),
      revoke: (key) => (keys.push(key), store.revoke(key)),
    },
  };
}

const SECRET = "conformance-kit-secret-0123456789abcdefghij";

/**
 * Registers tests proving that a {@link TokenStore} keeps the contract the server relies on:
 *
 * - `save` then `find` gives the record back, every member intact;
 * - `find` of an unknown key is `undefined`;
 * - keys are opaque: base64url strings compared byte for byte (a case-insensitive
 *   collation, as MySQL's default, would merge two tokens' records);
 * - `revoke` removes the record and answers whether there was one;
 * - a record is never returned at or after its `exp`;
 * - concurrent saves, finds and revokes do not interfere;
 * - through a real server: the store receives only SHA-256 hashes of tokens, never a token,
 *   and tokens issued through it introspect, and stop introspecting once revoked.
 *
 * Each test makes a fresh store with `factory` and uses fresh random keys, so a persistent
 * store shared by the tests is fine.
 *
 * @example node:test (Deno.test and bun:test's test work the same way)
 * ```ts
 * import { test } from "node:test";
 * import { MemoryTokenStore, testTokenStore } from "m2m-oauth";
 *
 * testTokenStore(({ clock }) => new MemoryTokenStore({ clock }), test);
 * // A store with server-side expiry (Redis EXAT, SQL now()) keeps real time:
 * // testTokenStore(() => new RedisTokenStore(redis), test, { time: "real" });
 * ```
 */
export function testTokenStore(
  factory: StoreFactory<TokenStore>,
  test: TestRegistrar,
  options: ConformanceOptions = {},
): void {
  const setup = async () => {
    const time = testTime(options.time);
    const store = await factory({ clock: time.clock });
    check(typeof store?.save === "function" && typeof store.find === "function" && typeof store.revoke === "function",
      "the factory must return a TokenStore (save, find, revoke)");
    return { time, store };
  };

  register(test, options.name ?? "TokenStore", {
    "save then find gives the record back, every member intact": async () => {
      const { time, store } = await setup();
      const full = fullRecord(time.nowSeconds());
      const minimal: TokenRecord = { client_id: "c", scope: "", iat: time.nowSeconds(), exp: time.nowSeconds() + 60 };
      const single: TokenRecord = { ...minimal, aud: "https://only.example" };
      for (const record of [full, minimal, single]) {
        const key = randomKey();
        await store.save(key, record);
        const found = await store.find(key);
        check(sameData(found, record), `find returned ${JSON.stringify(found)} for ${JSON.stringify(record)}`);
      }
    },

    "find of an unknown key is undefined": async () => {
      const { store } = await setup();
      const found = await store.find(randomKey());
      check(found === undefined || found === null, `find of an unknown key returned ${JSON.stringify(found)}`);
    },

    "keys are opaque base64url strings, compared byte for byte (case matters)": async () => {
      const { time, store } = await setup();
      const key = `A-_${randomKey().slice(3)}`;
      const other = swapCase(key);
      const a: TokenRecord = { client_id: "a", scope: "", iat: time.nowSeconds(), exp: time.nowSeconds() + 60 };
      const b: TokenRecord = { ...a, client_id: "b" };
      await store.save(key, a);
      check((await store.find(other)) == null, "a key differing only in case found another key's record");
      await store.save(other, b);
      check((await store.find(key))?.client_id === "a", "saving a key differing only in case replaced a record");
      check((await store.find(other))?.client_id === "b", "a key differing only in case was not stored on its own");
    },

    "revoke removes the record and answers whether there was one": async () => {
      const { time, store } = await setup();
      const key = randomKey();
      const keep = randomKey();
      const record: TokenRecord = { client_id: "c", scope: "", iat: time.nowSeconds(), exp: time.nowSeconds() + 60 };
      await store.save(key, record);
      await store.save(keep, record);
      check((await store.revoke(key)) === true, "revoke of a stored record did not answer true");
      check((await store.find(key)) == null, "a revoked record is still found");
      check((await store.revoke(key)) === false, "a second revoke did not answer false");
      check((await store.revoke(randomKey())) === false, "revoke of an unknown key did not answer false");
      check((await store.find(keep)) !== undefined, "revoke removed another record");
    },

    "a record is never returned at or after its exp": async () => {
      const { time, store } = await setup();
      const now = time.nowSeconds();
      const exp = options.time === "real" ? now + 2 : now + 600;
      const key = randomKey();
      await store.save(key, { client_id: "c", scope: "", iat: now, exp });
      if (options.time !== "real") {
        await time.advanceTo(exp * 1000 - 1);
        check((await store.find(key)) !== undefined, "a record was forgotten before its exp");
      } else {
        check((await store.find(key)) !== undefined, "a record was forgotten at once (is exp read as milliseconds?)");
      }
      await time.advanceTo(exp * 1000 + (options.time === "real" ? 50 : 0));
      check((await store.find(key)) == null, "a record was returned at or after its exp");
    },

    "concurrent saves, finds and revokes do not interfere": async () => {
      const { time, store } = await setup();
      const now = time.nowSeconds();
      const entries = Array.from({ length: 50 }, (_, i) => ({
        key: randomKey(),
        record: { client_id: `client-${i}`, scope: `s${i}`, iat: now, exp: now + 600 } as TokenRecord,
      }));
      await Promise.all(entries.map((e) => store.save(e.key, e.record)));
      const found = await Promise.all(entries.map((e) => store.find(e.key)));
      found.forEach((f, i) => check(sameData(f, entries[i]!.record), `concurrent save/find mixed up record ${i}`));
      const target = entries[0]!.key;
      const answers = await Promise.all(Array.from({ length: 10 }, () => store.revoke(target)));
      check(answers.some((a) => a === true), "no concurrent revoke of a stored record answered true");
      check((await store.find(target)) == null, "a record revoked concurrently is still found");
      check(sameData(await store.find(entries[1]!.key), entries[1]!.record), "concurrent revokes removed another record");
    },

    "through a server: only token hashes reach the store, and tokens introspect until revoked": async () => {
      const { time, store } = await setup();
      const rec = recording(store);
      const issuer = "https://conformance.example";
      const server = createAuthorizationServer({
        issuer,
        clients: [{ client_id: "kit", client_secret: SECRET, grant_types: ["client_credentials"], scope: "read" }],
        tokenStore: rec.store,
        clock: time.clock,
      });
      const post = (path: string, body: string) =>
        server.fetch(
          new Request(`${issuer}${path}`, {
            method: "POST",
            headers: {
              "content-type": "application/x-www-form-urlencoded",
              authorization: `Basic ${encodeBasicCredentials("kit", SECRET)}`,
            },
            body,
          }),
        );
      const tokens = await Promise.all(Array.from({ length: 5 }, async () => {
        const res = await post("/token", "grant_type=client_credentials");
        const body = await res.json() as { access_token?: string };
        check(res.status === 200 && typeof body.access_token === "string", `the server could not issue a token: ${JSON.stringify(body)}`);
        return body.access_token;
      }));
      const introspect = async (token: string) =>
        (await (await post("/introspect", `token=${encodeURIComponent(token)}`)).json() as { active?: boolean }).active;
      for (const token of tokens) check((await introspect(token)) === true, "an issued token does not introspect as active");
      const revoked = await post("/revoke", `token=${encodeURIComponent(tokens[0]!)}`);
      check(revoked.status === 200, `revocation answered ${revoked.status}`);
      check((await introspect(tokens[0]!)) === false, "a revoked token still introspects as active");
      check((await introspect(tokens[1]!)) === true, "revoking one token revoked another");

      const hashes = new Set(await Promise.all(tokens.map((t) => tokenKey(t, webCrypto))));
      for (const key of rec.keys) {
        check(!tokens.includes(key), "the store received a token itself as a key");
        check(hashes.has(key), "the store received a key that is not a token's hash");
      }
      const stored = JSON.stringify(rec.records);
      check(!tokens.some((t) => stored.includes(t)), "a stored record contains a token");
    },
  });
}
