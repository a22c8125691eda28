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
  makeStores,
  randomKey,
  register,
  sameData,
  spread,
  type StoreFactory,
  swapCase,
  type TestRegistrar,
} from "./kit.ts";

function fullRecord(now: number): TokenRecord {
  return {
    client_id: "conformance-ç-客户",
    scope: "read write",
    iat: now,
    exp: now + 600,
    sub: "conformance-subject",
    aud: ["https://a.example", "https://b.example"],
    jti: randomKey(),
    // Both bindings: a DPoP key (RFC 9449 s6) and a TLS client certificate (RFC 8705 s3.1),
    // whose member name has a "#" a store must keep as it is.
    cnf: { jkt: "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I", "x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2" },
    // RFC 8693 s4.1, s4.4: a delegation chain three actors deep, one of another issuer.
    act: { sub: "tool-server", act: { sub: "agent-ü", act: { sub: "runner", iss: "https://ci.example.org" } } },
    may_act: { sub: "agent-ü", client_id: "agent-ü" },
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
 * A self-signed Ed25519 certificate (CN=m2m-oauth conformance kit), the TLS client
 * certificate of the kit's certificate-bound token, and its `x5t#S256` (RFC 8705 s3.1).
 */
const KIT_CERTIFICATE =
  ":MIIBCDCBu6ADAgECAgEBMAUGAytlcDAkMSIwIAYDVQQDDBltMm0tb2F1dGggY29uZm9ybWFuY2Uga2l0MB4XDTI2MDEwMTAwMDAwMFoXDTM2MDEwMTAwMDAwMFowJDEiMCAGA1UEAwwZbTJtLW9hdXRoIGNvbmZvcm1hbmNlIGtpdDAqMAUGAytlcAMhAE+M2SddBGtGPBg69+RF1lA4hwx87nvLb7/4deldS6CvoxIwEDAOBgNVHQ8BAf8EBAMCB4AwBQYDK2VwA0EAU7k9NJWNq8vnPCot/QnIfGpF2jrFkjcTexT58xxF/hlzEhOHD7RALzU4visbfDgvelZIskzQW2i43lxghR5gDA==:";
const KIT_CERTIFICATE_X5T = "h1Amp9hwnlla81S3TCvr-AQmz3uQImjg8F5ozoxboxE";

/**
 * Registers tests proving that a {@link TokenStore} keeps the contract the server relies on:
 *
 * - `save` then `find` gives the record back, every member intact (non-ASCII included, and
 *   the `x5t#S256` confirmation of a certificate-bound token with its `#`, and the nested
 *   objects of a delegated token: `act` chains and `may_act`);
 * - `find` of an unknown key is `undefined`;
 * - saving a key again replaces its record;
 * - keys are opaque: base64url strings compared byte for byte (a case-insensitive
 *   collation, as MySQL's default, would merge two tokens' records);
 * - `revoke` removes the record and answers whether there was one;
 * - a record is never returned at or after its `exp` (nor one saved already expired), and
 *   `revoke` does not count an expired record;
 * - concurrent saves, finds and revokes do not interfere;
 * - through a real server: the store receives only SHA-256 hashes of tokens, never a token,
 *   tokens issued through it introspect, and stop introspecting once revoked, and the
 *   record is found by the token's hash with the lifetime the response announced; a
 *   token bound to a TLS client certificate keeps its `cnf` `x5t#S256` through the store
 *   and shows it in introspection.
 * - through a real server: a token issued by token exchange (RFC 8693) keeps its `sub` and
 *   its nested `act` chain, read back by another instance and shown by introspection.
 *
 * Each test makes a fresh store with `factory` and uses fresh random keys, so a persistent
 * store shared by the tests is fine.
 *
 * @example node:test (Deno.test and bun:test's test work the same way)
 * ```ts
 * import { test } from "node:test";
 * import { MemoryTokenStore } from "../../../mod.ts";
 * import { testTokenStore } from "../../testing/mod.ts";
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
    const { time, stores } = await makeStores(
      factory,
      options,
      (s) => typeof s?.save === "function" && typeof s.find === "function" && typeof s.revoke === "function",
      "TokenStore (save, find, revoke)",
    );
    return { time, stores, store: stores[0]!, reader: stores[stores.length - 1]! };
  };

  register(test, options.name ?? "TokenStore", {
    "save then find gives the record back, every member intact, on every instance": async () => {
      const { time, stores } = await setup();
      const full = fullRecord(time.nowSeconds());
      const minimal: TokenRecord = { client_id: "c", scope: "", iat: time.nowSeconds(), exp: time.nowSeconds() + 60 };
      const single: TokenRecord = { ...minimal, aud: "https://only.example" };
      const certificateBound: TokenRecord = { ...minimal, cnf: { "x5t#S256": "A-_0bwcK0esc3ACC3DB2Y5lESsXE8o9ltc05O89jdNdg" } };
      for (const writer of stores) {
        for (const record of [full, minimal, single, certificateBound]) {
          const key = randomKey();
          await writer.save(key, record);
          for (const reader of stores) {
            const found = await reader.find(key);
            check(sameData(found, record), `find returned ${JSON.stringify(found)} for ${JSON.stringify(record)}`);
          }
        }
      }
    },

    "find of an unknown key is undefined": async () => {
      const { store } = await setup();
      const found = await store.find(randomKey());
      check(found === undefined || found === null, `find of an unknown key returned ${JSON.stringify(found)}`);
    },

    "saving a key again replaces its record": async () => {
      const { time, store, reader } = await setup();
      const key = randomKey();
      const now = time.nowSeconds();
      await store.save(key, { client_id: "first", scope: "", iat: now, exp: now + 600 });
      await reader.save(key, { client_id: "second", scope: "read", iat: now, exp: now + 60 });
      const found = await store.find(key);
      check(found?.client_id === "second" && found.exp === now + 60, `after a second save, find returned ${JSON.stringify(found)}`);
    },

    "keys are opaque base64url strings, compared byte for byte (case matters)": async () => {
      const { time, store, reader } = await setup();
      const key = `A-_${randomKey().slice(3)}`;
      const other = swapCase(key);
      const a: TokenRecord = { client_id: "a", scope: "", iat: time.nowSeconds(), exp: time.nowSeconds() + 60 };
      const b: TokenRecord = { ...a, client_id: "b" };
      await store.save(key, a);
      check((await reader.find(other)) == null, "a key differing only in case found another key's record");
      await store.save(other, b);
      check((await store.find(key))?.client_id === "a", "saving a key differing only in case replaced a record");
      check((await store.find(other))?.client_id === "b", "a key differing only in case was not stored on its own");
    },

    "revoke removes the record and answers whether there was one": async () => {
      const { time, stores, store, reader } = await setup();
      const key = randomKey();
      const keep = randomKey();
      const record: TokenRecord = { client_id: "c", scope: "", iat: time.nowSeconds(), exp: time.nowSeconds() + 60 };
      await store.save(key, record);
      await store.save(keep, record);
      check((await reader.revoke(key)) === true, "revoke of a stored record did not answer true");
      for (const s of stores) check((await s.find(key)) == null, "a revoked record is still found");
      check((await store.revoke(key)) === false, "a second revoke did not answer false");
      check((await store.revoke(randomKey())) === false, "revoke of an unknown key did not answer false");
      check((await reader.find(keep)) != null, "revoke removed another record");
    },

    "a record is never returned at or after its exp, nor counted by revoke": async () => {
      const { time, store, reader } = await setup();
      const now = time.nowSeconds();
      const exp = options.time === "real" ? now + 2 : now + 600;
      const key = randomKey();
      await store.save(key, { client_id: "c", scope: "", iat: now, exp });
      if (options.time !== "real") {
        await time.advanceTo(exp * 1000 - 1);
        check((await reader.find(key)) != null, "a record was forgotten before its exp");
      } else {
        check((await reader.find(key)) != null, "a record was forgotten at once (is exp read as milliseconds?)");
      }
      const stale = randomKey();
      await store.save(stale, { client_id: "c", scope: "", iat: now - 60, exp: time.nowSeconds() - 1 });
      check((await reader.find(stale)) == null, "a record saved already expired was returned");
      await time.advanceTo(exp * 1000 + (options.time === "real" ? 50 : 0));
      check((await reader.find(key)) == null, "a record was returned at or after its exp");
      check((await reader.revoke(key)) === false, "revoke of an expired record answered true, as if it were live");
    },

    "concurrent saves, finds and revokes do not interfere": async () => {
      const { time, stores, reader } = await setup();
      const now = time.nowSeconds();
      const entries = Array.from({ length: 50 }, (_, i) => ({
        key: randomKey(),
        record: { client_id: `client-${i}`, scope: `s${i}`, iat: now, exp: now + 600 } as TokenRecord,
      }));
      await Promise.all(entries.map((e, i) => spread(stores, i).save(e.key, e.record)));
      const found = await Promise.all(entries.map((e, i) => spread(stores, i + 1).find(e.key)));
      found.forEach((f, i) => check(sameData(f, entries[i]!.record), `concurrent save/find mixed up record ${i}`));
      const target = entries[0]!.key;
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => spread(stores, i).revoke(target)));
      check(answers.some((a) => a === true), "no concurrent revoke of a stored record answered true");
      check((await reader.find(target)) == null, "a record revoked concurrently is still found");
      check(sameData(await reader.find(entries[1]!.key), entries[1]!.record), "concurrent revokes removed another record");
    },

    "through a server: only token hashes reach the store, and tokens introspect until revoked": async () => {
      const { time, store, reader } = await setup();
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
        const body = await res.json() as { access_token?: string; expires_in?: number };
        check(res.status === 200 && typeof body.access_token === "string", `the server could not issue a token: ${JSON.stringify(body)}`);
        // Another instance finds it by its hash, as issued; never under the token itself.
        const record = await reader.find(await tokenKey(body.access_token, webCrypto));
        check(record?.client_id === "kit" && record.scope === "read" && record.exp - record.iat === body.expires_in,
          `another instance found ${JSON.stringify(record)} for a token issued with expires_in ${body.expires_in}`);
        check((await reader.find(body.access_token)) == null, "a token was found under itself, not its hash");
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

    "through a server: a certificate-bound token keeps its x5t#S256 and introspects with it": async () => {
      const { time, store, reader } = await setup();
      const issuer = "https://conformance.example";
      const server = createAuthorizationServer({
        issuer,
        clients: [{ client_id: "kit", client_secret: SECRET, grant_types: ["client_credentials"], scope: "read", tls_client_certificate_bound_access_tokens: true }],
        tokenStore: store,
        clock: time.clock,
        clientCertificate: () => KIT_CERTIFICATE,
      });
      const post = (path: string, body: string) =>
        server.fetch(
          new Request(`${issuer}${path}`, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${encodeBasicCredentials("kit", SECRET)}` },
            body,
          }),
        );
      const res = await post("/token", "grant_type=client_credentials");
      const body = await res.json() as { access_token?: string; token_type?: string };
      check(res.status === 200 && typeof body.access_token === "string", `the server could not issue a bound token: ${JSON.stringify(body)}`);
      const record = await reader.find(await tokenKey(body.access_token!, webCrypto));
      check(
        sameData(record?.cnf, { "x5t#S256": KIT_CERTIFICATE_X5T }),
        `the record of a certificate-bound token came back with cnf ${JSON.stringify(record?.cnf)}, not {"x5t#S256":"${KIT_CERTIFICATE_X5T}"}`,
      );
      const answer = await (await post("/introspect", `token=${encodeURIComponent(body.access_token!)}`)).json() as Record<string, unknown>;
      check(
        answer.active === true && answer.token_type === "Bearer" && sameData(answer.cnf, { "x5t#S256": KIT_CERTIFICATE_X5T }),
        `introspection of a certificate-bound token answered ${JSON.stringify(answer)}`,
      );
    },

    "through a server: an exchanged token keeps its subject and its act chain": async () => {
      const { time, store, reader } = await setup();
      const issuer = "https://conformance.example";
      const exchange = "urn:ietf:params:oauth:grant-type:token-exchange";
      const server = createAuthorizationServer({
        issuer,
        clients: [
          { client_id: "kit-ci", client_secret: SECRET, grant_types: ["client_credentials"], scope: "read", allowed_resources: ["https://agent.example"] },
          { client_id: "kit-agent", client_secret: SECRET, grant_types: [exchange], scope: "read", resource_server: "https://agent.example", allowed_resources: ["https://tools.example"] },
          { client_id: "kit-tools", client_secret: SECRET, grant_types: [exchange], scope: "read", resource_server: "https://tools.example" },
        ],
        tokenStore: store,
        clock: time.clock,
        tokenExchangePolicy: () => true,
      });
      const post = async (client_id: string, path: string, body: Record<string, string>) => {
        const res = await server.fetch(
          new Request(`${issuer}${path}`, {
            method: "POST",
            headers: {
              "content-type": "application/x-www-form-urlencoded",
              authorization: `Basic ${encodeBasicCredentials(client_id, SECRET)}`,
            },
            body: new URLSearchParams(body).toString(),
          }),
        );
        const json = await res.json() as Record<string, unknown>;
        check(res.status === 200, `${path} answered ${res.status}: ${JSON.stringify(json)}`);
        return json;
      };
      const type = "urn:ietf:params:oauth:token-type:access_token";
      const subject = (await post("kit-ci", "/token", { grant_type: "client_credentials", resource: "https://agent.example" })).access_token as string;
      const first = (await post("kit-agent", "/token", {
        grant_type: exchange,
        subject_token: subject,
        subject_token_type: type,
        resource: "https://tools.example",
      })).access_token as string;
      // The second exchange reads the first's record back through the store.
      const second = (await post("kit-tools", "/token", { grant_type: exchange, subject_token: first, subject_token_type: type })).access_token as string;
      const record = await reader.find(await tokenKey(second, webCrypto));
      const chain = { sub: "kit-tools", act: { sub: "kit-agent" } };
      check(record?.sub === "kit-ci" && record.client_id === "kit-tools" && sameData(record.act, chain),
        `another instance found ${JSON.stringify(record)} for a token exchanged twice`);
      const info = await post("kit-tools", "/introspect", { token: second });
      check(info.active === true && info.sub === "kit-ci" && sameData(info.act, chain), `introspection answered ${JSON.stringify(info)}`);
    },
  });
}
