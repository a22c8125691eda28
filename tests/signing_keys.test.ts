// Signers, the key set and its rotation states, and the JWK Set endpoint (RFC 7517 s5,
// RFC_CHECKLIST M-14): public members only, never an HS256 secret, cacheable.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ConfigurationError, cryptoKeySigner, handleJwksRequest, KeySet, type Signer } from "../mod.ts";
import { ALGORITHMS, JWKS_URI, testKey } from "./rs_helpers.ts";

const PRIVATE = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

describe("signers", () => {
  test("cryptoKeySigner reads the algorithm from the key and refuses a contradicting alg", async () => {
    const key = await testKey("ES384");
    assert.equal(cryptoKeySigner(key.privateKey, { kid: "k" }).alg, "ES384");
    assert.throws(() => cryptoKeySigner(key.privateKey, { kid: "k", alg: "ES256" }), ConfigurationError);
  });

  test("cryptoKeySigner refuses a public key and a key without the sign usage", async () => {
    const key = await testKey("ES256");
    assert.throws(() => cryptoKeySigner(key.publicKey!, { kid: "k" }), /public key|sign/);
  });

  test("a KeySet refuses a signer with alg none or an unknown alg", async () => {
    const bad = { alg: "none", kid: "k", sign: async () => new Uint8Array(1) } as unknown as Signer;
    assert.throws(() => new KeySet({ active: { signer: bad } }), /not supported/);
  });

  test("an asymmetric signing key needs its public JWK, which must match its alg", async () => {
    const es = await testKey("ES256");
    assert.throws(() => new KeySet({ active: { signer: es.signer } }), /publicJwk/);
    const es384 = await testKey("ES384");
    assert.throws(() => new KeySet({ active: { signer: es.signer, publicJwk: es384.publicJwk } }), /ES384/);
  });

  test("a published key must not carry private members", async () => {
    const es = await testKey("ES256");
    const { exportJwk } = await import("../mod.ts");
    const priv = await exportJwk(es.privateKey);
    assert.throws(() => new KeySet({ active: es, next: [{ ...priv, kid: "n" }] }), /private/);
    assert.throws(() => new KeySet({ active: es, retiring: [{ ...priv, kid: "r" }] }), /private/);
  });

  test("kids must be distinct and unknown options fail", async () => {
    const es = await testKey("ES256");
    assert.throws(() => new KeySet({ active: es, retiring: [es.publicJwk!] }), /twice/);
    assert.throws(() => new KeySet({ active: es, maxAge: 300, nextKeys: [] } as never), /unknown KeySet option/);
  });
});

describe("key set rotation states", () => {
  test("publish next -> activate -> remove moves keys through next, active, retiring", async () => {
    const a = await testKey("ES256", "a");
    const b = await testKey("ES256", "b");
    const keys = new KeySet({ active: a });
    keys.publishNext(b);
    assert.deepEqual(keys.list().map((e) => [e.kid, e.status]), [["a", "active"], ["b", "next"]]);
    assert.equal(keys.active.kid, "a");
    keys.activate("b");
    assert.deepEqual(keys.list().map((e) => [e.kid, e.status]), [["a", "retiring"], ["b", "active"]]);
    assert.equal(keys.active.kid, "b");
    assert.deepEqual(keys.jwks().keys.map((k) => k.kid), ["a", "b"]);
    keys.remove("a");
    assert.deepEqual(keys.jwks().keys.map((k) => k.kid), ["b"]);
  });

  test("only a next key with a signer can be activated, and the active key cannot be removed", async () => {
    const a = await testKey("ES256", "a");
    const b = await testKey("ES256", "b");
    const keys = new KeySet({ active: a, next: [b.publicJwk!] });
    assert.throws(() => keys.activate("b"), /no signer/);
    assert.throws(() => keys.activate("zzz"), /not a next key/);
    assert.throws(() => keys.remove("a"), /active key cannot be removed/);
  });
});

describe("JWK Set endpoint", () => {
  test("serves every published key with kid, alg and use, and no private member, for every algorithm", async () => {
    const keys = await Promise.all(ALGORITHMS.filter((a) => a !== "HS256").map((a) => testKey(a)));
    const set = new KeySet({ active: keys[0]!, next: keys.slice(1) });
    const res = await handleJwksRequest(new Request(JWKS_URI), set);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^application\/json/);
    const body = await res.json() as { keys: Record<string, unknown>[] };
    assert.equal(body.keys.length, 5);
    for (const jwk of body.keys) {
      for (const m of PRIVATE) assert.equal(jwk[m], undefined, `${jwk.kid} has ${m}`);
      assert.equal(jwk.use, "sig");
      assert.ok(typeof jwk.kid === "string" && typeof jwk.alg === "string");
      assert.equal(jwk.ext, undefined);
      assert.equal(jwk.key_ops, undefined);
    }
    assert.deepEqual(body.keys.map((k) => k.alg), ["ES256", "ES384", "EdDSA", "RS256", "PS256"]);
  });

  test("an HS256 secret is never published", async () => {
    const hs = await testKey("HS256");
    const es = await testKey("ES256");
    const res = await handleJwksRequest(new Request(JWKS_URI), new KeySet({ active: hs, next: [es] }));
    const body = await res.json() as { keys: Record<string, unknown>[] };
    assert.deepEqual(body.keys.map((k) => k.kty), ["EC"]);
  });

  test("Cache-Control: public with the key set's max-age", async () => {
    const es = await testKey("ES256");
    const res = await handleJwksRequest(new Request(JWKS_URI), new KeySet({ active: es, maxAge: 120 }));
    assert.equal(res.headers.get("cache-control"), "public, max-age=120");
    const def = await handleJwksRequest(new Request(JWKS_URI), new KeySet({ active: es }));
    assert.equal(def.headers.get("cache-control"), "public, max-age=300");
  });

  test("the served set follows rotation", async () => {
    const a = await testKey("ES256", "a");
    const b = await testKey("ES256", "b");
    const keys = new KeySet({ active: a });
    const kids = async () => ((await (await handleJwksRequest(new Request(JWKS_URI), keys)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    assert.deepEqual(await kids(), ["a"]);
    keys.publishNext(b);
    assert.deepEqual(await kids(), ["a", "b"]);
    keys.activate("b");
    keys.remove("a");
    assert.deepEqual(await kids(), ["b"]);
  });

  test("POST -> 405 with Allow, as JSON with no-store", async () => {
    const es = await testKey("ES256");
    const res = await handleJwksRequest(new Request(JWKS_URI, { method: "POST" }), new KeySet({ active: es }));
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "GET, HEAD");
    assert.equal(res.headers.get("cache-control"), "no-store");
  });
});
