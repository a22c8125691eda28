// JWT access tokens (RFC 9068) from the token endpoint: header and claims (RFC_CHECKLIST J-1..J-9),
// the per-server and per-client format choice, and interop: every algorithm verifies with
// oauth4webapi's validateJwtAccessToken and jose's jwtVerify against the served JWK Set.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as jose from "jose";
import * as oauth from "oauth4webapi";
import { ConfigurationError, exportJwk, KeySet, type Signer } from "../mod.ts";
import { verifyAccessToken } from "../src/resource_server/mod.ts";
import { resolveServerConfig } from "../src/config/server_config.ts";
import { fakeClock } from "./helpers.ts";
import { ALGORITHMS, API, apiRequest, decodeJwt, ISSUER, JWKS_URI, JWT_CLIENT, jwtServer, SECRET, testKey } from "./rs_helpers.ts";

describe("RFC 9068 token contents", () => {
  test("header: typ at+jwt, the active key's kid and alg; never none (J-1, J-2)", async () => {
    const key = await testKey("ES256");
    const { token } = await jwtServer(key);
    const { header } = decodeJwt(await token());
    assert.deepEqual(header, { alg: "ES256", typ: "at+jwt", kid: key.signer.kid });
  });

  test("claims: iss, sub = client_id, aud, client_id, scope as a string, iat, exp, jti (J-3, J-4, J-5, CC-5)", async () => {
    const clock = fakeClock();
    const { token } = await jwtServer(await testKey("ES256"), { clock: clock.now });
    const { claims } = decodeJwt(await token({ scope: "read write" }));
    const now = clock.now() / 1000;
    assert.deepEqual(Object.keys(claims).sort(), ["aud", "client_id", "exp", "iat", "iss", "jti", "scope", "sub"]);
    assert.equal(claims.iss, ISSUER);
    assert.equal(claims.sub, JWT_CLIENT.client_id);
    assert.equal(claims.client_id, JWT_CLIENT.client_id);
    assert.equal(claims.aud, API);
    assert.equal(claims.scope, "read write");
    assert.equal(claims.iat, now);
    assert.equal(claims.exp, now + 600);
    assert.match(claims.jti as string, /^[A-Za-z0-9_-]{32}$/);
  });

  test("expires_in equals exp - iat, and scope is in the response (R-4)", async () => {
    const { request } = await jwtServer(await testKey("ES256"), { accessTokenLifetime: 300 });
    const body = await (await request()).json() as Record<string, unknown>;
    const { claims } = decodeJwt(body.access_token as string);
    assert.equal(body.expires_in, (claims.exp as number) - (claims.iat as number));
    assert.equal(body.expires_in, 300);
    assert.equal(body.token_type, "Bearer");
    assert.equal(body.scope, "read");
  });

  test("nothing secret in the token: no client secret, no key material", async () => {
    const key = await testKey("RS256");
    const { token } = await jwtServer(key);
    const t = await token();
    const text = JSON.stringify(decodeJwt(t));
    assert.ok(!text.includes(SECRET));
    const priv = await exportJwk(key.privateKey);
    assert.ok(!text.includes(priv.d!));
  });

  test("jti is unique across many tokens", async () => {
    const { token } = await jwtServer(await testKey("EdDSA"));
    const jtis = new Set<unknown>();
    for (let i = 0; i < 500; i++) jtis.add(decodeJwt(await token()).claims.jti);
    assert.equal(jtis.size, 500);
  });

  test("JWTs are self-contained: nothing is written to the token store", async () => {
    const { token, store } = await jwtServer(await testKey("ES256"));
    await token();
    assert.equal(store.size, 0);
  });

  test("no scope granted -> no scope claim and no scope in the response", async () => {
    const client = { ...JWT_CLIENT, scope: undefined, default_scope: undefined };
    const { request } = await jwtServer(await testKey("ES256"), {}, [client]);
    const body = await (await request()).json() as Record<string, unknown>;
    assert.equal(body.scope, undefined);
    assert.equal(decodeJwt(body.access_token as string).claims.scope, undefined);
  });
});

describe("format choice", () => {
  test("server opaque, client access_token_format jwt -> that client gets a JWT, others opaque", async () => {
    const key = await testKey("ES256");
    const opaqueClient = { ...JWT_CLIENT, client_id: "opaque-client" };
    const jwtClient = { ...JWT_CLIENT, access_token_format: "jwt" as const };
    const { token, store } = await jwtServer(key, { accessTokenFormat: "opaque" }, [jwtClient, opaqueClient]);
    assert.equal((await token()).split(".").length, 3);
    const opaque = await token({}, "opaque-client");
    assert.match(opaque, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(store.size, 1);
  });

  test("server jwt, client access_token_format opaque -> that client gets an opaque token with aud in its record", async () => {
    const { token, store } = await jwtServer(await testKey("ES256"), {}, [{ ...JWT_CLIENT, access_token_format: "opaque" }]);
    assert.match(await token(), /^[A-Za-z0-9_-]{43}$/);
    assert.equal(store.size, 1);
  });

  test("JWT format without signingKeys fails at start-up; a bad format value fails", () => {
    assert.throws(() => resolveServerConfig({ issuer: ISSUER, clients: [JWT_CLIENT], accessTokenFormat: "jwt" }), /signingKeys/);
    assert.throws(() => resolveServerConfig({ issuer: ISSUER, clients: [{ ...JWT_CLIENT, access_token_format: "jwt" }] }), /signingKeys/);
    assert.throws(() => resolveServerConfig({ issuer: ISSUER, clients: [JWT_CLIENT], accessTokenFormat: "JWT" as "jwt" }), ConfigurationError);
    assert.throws(() => resolveServerConfig({ issuer: ISSUER, clients: [{ ...JWT_CLIENT, access_token_format: "paseto" as "jwt" }] }), /access_token_format/);
  });
});

describe("interop: every algorithm verifies with independent libraries", () => {
  for (const alg of ALGORITHMS) {
    test(`${alg}: jose jwtVerify ${alg === "HS256" ? "with the shared secret" : "against the served JWK Set (createRemoteJWKSet)"}`, async () => {
      const key = await testKey(alg);
      const { token, fetch } = await jwtServer(key);
      const t = await token({ scope: "read write" });
      const verifyKey = alg === "HS256"
        ? key.privateKey
        : jose.createRemoteJWKSet(new URL(JWKS_URI), { [jose.customFetch]: fetch as jose.FetchImplementation });
      const { payload, protectedHeader } = await jose.jwtVerify(t, verifyKey as Parameters<typeof jose.jwtVerify>[1], {
        issuer: ISSUER,
        audience: API,
        typ: "at+jwt",
        algorithms: [alg],
        requiredClaims: ["iss", "exp", "aud", "sub", "client_id", "iat", "jti"],
      });
      assert.equal(protectedHeader.alg, alg);
      assert.equal(payload.scope, "read write");
    });

    if (alg === "HS256") continue; // oauth4webapi verifies against a JWK Set, which never holds secrets.
    test(`${alg}: oauth4webapi validateJwtAccessToken against the served JWK Set`, async () => {
      const { token, fetch } = await jwtServer(await testKey(alg));
      const t = await token();
      const request = new Request(`${API}/invoices`, { headers: { authorization: `Bearer ${t}` } });
      const claims = await oauth.validateJwtAccessToken({ issuer: ISSUER, jwks_uri: JWKS_URI }, request, API, {
        [oauth.customFetch]: fetch,
        signingAlgorithms: [alg],
      });
      assert.equal(claims.client_id, JWT_CLIENT.client_id);
      assert.equal(claims.sub, JWT_CLIENT.client_id);
    });
  }

  test("our resource-server helper verifies every algorithm (HS256 with a local oct key)", async () => {
    for (const alg of ALGORITHMS) {
      const key = await testKey(alg);
      const { token, fetch } = await jwtServer(key);
      const rs = alg === "HS256"
        ? { resource: API, issuer: ISSUER, jwks: { keys: [{ ...await exportJwk(key.privateKey), kid: key.signer.kid }] }, algorithms: ["HS256" as const] }
        : { resource: API, issuer: ISSUER, jwksUri: JWKS_URI, fetch };
      const result = await verifyAccessToken(apiRequest(await token()), rs);
      assert.ok(result.ok, alg);
    }
  });
});

describe("a signer that is not a CryptoKey (standing for a KMS)", () => {
  test("issues tokens that verify with jose and oauth4webapi against the published public key", async () => {
    const backing = await testKey("PS256", "kms-backing");
    let calls = 0;
    // The "KMS": signs bytes it is handed; the library never sees a CryptoKey or private JWK.
    const kms = { sign: (data: Uint8Array) => backing.signer.sign(data) };
    const signer: Signer = {
      alg: "PS256",
      kid: "kms-key-1",
      sign: (data) => {
        calls++;
        return kms.sign(data);
      },
    };
    const keys = new KeySet({ active: { signer, publicJwk: { ...backing.publicJwk!, kid: "kms-key-1" } } });
    const { token, fetch } = await jwtServer(keys);
    const t = await token();
    assert.equal(calls, 1);
    assert.equal(decodeJwt(t).header.kid, "kms-key-1");
    const jwks = jose.createRemoteJWKSet(new URL(JWKS_URI), { [jose.customFetch]: fetch as jose.FetchImplementation });
    await jose.jwtVerify(t, jwks, { issuer: ISSUER, audience: API, typ: "at+jwt" });
    const request = new Request(`${API}/x`, { headers: { authorization: `Bearer ${t}` } });
    await oauth.validateJwtAccessToken({ issuer: ISSUER, jwks_uri: JWKS_URI }, request, API, { [oauth.customFetch]: fetch });
  });

  test("a signer that fails -> 500 server_error and no token", async () => {
    const es = await testKey("ES256");
    const signer: Signer = { alg: "ES256", kid: es.signer.kid, sign: () => Promise.reject(new Error("KMS down")) };
    const { request } = await jwtServer(new KeySet({ active: { signer, publicJwk: es.publicJwk } }));
    const res = await request();
    assert.equal(res.status, 500);
    assert.equal((await res.json() as Record<string, unknown>).error, "server_error");
  });
});
