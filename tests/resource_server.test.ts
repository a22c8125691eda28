// The resource-server helper: RFC 6750 token transport and challenges (RFC_CHECKLIST B-1..B-8),
// RFC 9068 s4 validation (JV-1..JV-8) including tampered tokens, the remote JWK Set and its
// rate-limited refresh, opaque tokens by store and by introspection, revocation.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as jose from "jose";
import { Hono } from "hono";
import {
  type AccessTokenVerification,
  type IntrospectionResponse,
  type ResourceServerOptions,
  verifyAccessToken,
} from "../src/resource_server/mod.ts";
import { encodeBasicCredentials, exportJwk, MemoryRevocationStore } from "../mod.ts";
import { encodeBase64Url } from "../src/encoding/base64.ts";
import { resolveResourceServerOptions } from "../src/resource_server/options.ts";
import { fakeClock } from "./helpers.ts";
import {
  API,
  apiRequest,
  b64json,
  decodeJwt,
  ISSUER,
  JWKS_URI,
  JWT_CLIENT,
  jwtServer,
  OTHER_API,
  signWith,
  testKey,
  validClaims,
} from "./rs_helpers.ts";

/** A token server with an ES256 key and an RS that verifies against its served JWK Set. */
async function setup(rsOverrides: Partial<ResourceServerOptions> = {}) {
  const key = await testKey("ES256");
  const as = await jwtServer(key);
  let jwksFetches = 0;
  const countingFetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    jwksFetches++;
    return as.fetch(input, init);
  }) as typeof globalThis.fetch;
  const rs: ResourceServerOptions = { resource: API, issuer: ISSUER, jwksUri: JWKS_URI, fetch: countingFetch, ...rsOverrides };
  return { as, key, rs, fetches: () => jwksFetches };
}

function denied(result: AccessTokenVerification): Response {
  assert.equal(result.ok, false, "expected a refusal");
  return (result as { response: Response }).response;
}

/** Parses a Bearer challenge into its parameters, failing on a repeated one (RFC 6750 s3). */
function challenge(res: Response): Record<string, string> {
  const header = res.headers.get("www-authenticate");
  assert.ok(header, "a challenge is present");
  assert.match(header, /^Bearer /);
  const params: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)) {
    assert.ok(!(m[1]! in params), `parameter ${m[1]} is repeated`);
    params[m[1]!] = m[2]!.replace(/\\(.)/g, "$1");
  }
  return params;
}

async function refusedAs(result: AccessTokenVerification, status: number, error: string | undefined): Promise<Record<string, string>> {
  const res = denied(result);
  assert.equal(res.status, status);
  const params = challenge(res);
  assert.equal(params.error, error);
  if (error !== undefined) assert.equal((await res.json() as Record<string, unknown>).error, error);
  return params;
}

describe("RFC 6750 token transport and challenges", () => {
  test("a valid Bearer token -> ok with the claims", async () => {
    const { as, rs } = await setup();
    const result = await verifyAccessToken(apiRequest(await as.token({ scope: "read write" })), rs);
    assert.ok(result.ok);
    assert.equal(result.claims.client_id, JWT_CLIENT.client_id);
    assert.equal(result.claims.scope, "read write");
    assert.equal(result.location, "header");
  });

  test("the scheme is case-insensitive: 'bearer <token>' is accepted (B-1)", async () => {
    const { as, rs } = await setup();
    const t = await as.token();
    assert.ok((await verifyAccessToken(new Request(API, { headers: { authorization: `bearer ${t}` } }), rs)).ok);
    assert.ok((await verifyAccessToken(new Request(API, { headers: { authorization: `BEARER   ${t}` } }), rs)).ok);
  });

  test("no credentials -> 401 Bearer realm with no error code (B-4, B-5)", async () => {
    const { rs } = await setup();
    const params = await refusedAs(await verifyAccessToken(apiRequest(), rs), 401, undefined);
    assert.deepEqual(params, { realm: API });
  });

  test("another scheme (Basic) counts as no Bearer credentials -> 401 with no error", async () => {
    const { rs } = await setup();
    const request = new Request(API, { headers: { authorization: `Basic ${encodeBasicCredentials("a", "b")}` } });
    await refusedAs(await verifyAccessToken(request, rs), 401, undefined);
  });

  test("?access_token= with the default configuration -> treated as no credentials (B-2)", async () => {
    const { as, rs } = await setup();
    const t = await as.token();
    await refusedAs(await verifyAccessToken(new Request(`${API}/x?access_token=${t}`), rs), 401, undefined);
  });

  test("a query token is accepted only when allowQueryToken is on, and says so", async () => {
    const { as, rs } = await setup({ allowQueryToken: true });
    const result = await verifyAccessToken(new Request(`${API}/x?access_token=${await as.token()}`), rs);
    assert.ok(result.ok);
    assert.equal(result.location, "query");
  });

  test("a form body token is ignored by default and accepted with allowFormToken; the body stays readable", async () => {
    const { as, rs } = await setup();
    const t = await as.token();
    const post = () =>
      new Request(API, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `access_token=${t}&x=1` });
    await refusedAs(await verifyAccessToken(post(), rs), 401, undefined);
    const on = { ...rs, allowFormToken: true };
    const request = post();
    const result = await verifyAccessToken(request, on);
    assert.ok(result.ok);
    assert.equal(result.location, "body");
    assert.equal(await request.text(), `access_token=${t}&x=1`, "the application can still read the body");
  });

  test("header + body token -> 400 invalid_request (B-3)", async () => {
    const { as, rs } = await setup();
    const t = await as.token();
    const request = new Request(API, {
      method: "POST",
      headers: { authorization: `Bearer ${t}`, "content-type": "application/x-www-form-urlencoded" },
      body: `access_token=${t}`,
    });
    await refusedAs(await verifyAccessToken(request, rs), 400, "invalid_request");
  });

  test("header + query token -> 400 invalid_request (B-3)", async () => {
    const { as, rs } = await setup();
    const t = await as.token();
    await refusedAs(await verifyAccessToken(apiRequest(t, { url: `${API}/x?access_token=${t}` }), rs), 400, "invalid_request");
  });

  test("a header token with a JSON body is fine: only form bodies can carry a token", async () => {
    const { as, rs } = await setup();
    const request = apiRequest(await as.token(), { method: "POST", headers: { "content-type": "application/json" }, body: '{"access_token":"x"}' });
    assert.ok((await verifyAccessToken(request, rs)).ok);
  });

  test("two Authorization headers -> 400 invalid_request (T-8)", async () => {
    const { as, rs } = await setup();
    const t = await as.token();
    const headers = new Headers();
    headers.append("authorization", `Bearer ${t}`);
    headers.append("authorization", `Bearer ${t}`);
    await refusedAs(await verifyAccessToken(new Request(API, { headers }), rs), 400, "invalid_request");
  });

  test("'Bearer' with no token -> 400 invalid_request; a token outside b64token -> 401 invalid_token", async () => {
    const { rs } = await setup();
    await refusedAs(await verifyAccessToken(new Request(API, { headers: { authorization: "Bearer " } }), rs), 400, "invalid_request");
    await refusedAs(await verifyAccessToken(new Request(API, { headers: { authorization: "Bearer a\"b" } }), rs), 401, "invalid_token");
  });

  test("insufficient scope -> 403 insufficient_scope naming the scope needed (B-8, JV-7)", async () => {
    const { as, rs } = await setup();
    const t = await as.token({ scope: "read" });
    const params = await refusedAs(await verifyAccessToken(apiRequest(t), rs, { scope: "read write" }), 403, "insufficient_scope");
    assert.equal(params.scope, "read write");
    assert.ok((await verifyAccessToken(apiRequest(t), rs, { scope: ["read"] })).ok);
  });

  test("challenge parameters are never repeated and error_description stays in its character set (B-7)", async () => {
    const { rs } = await setup({ realm: 'api "v1"' });
    const res = denied(await verifyAccessToken(apiRequest("garbage.token.here"), rs));
    const params = challenge(res);
    assert.equal(params.realm, 'api "v1"');
    assert.match(params.error_description!, /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/);
  });

  test("every refusal has a challenge, no-store, and never a 5xx for hostile input", async () => {
    const { rs } = await setup();
    const inputs = ["", "a", "a.b", "a.b.c", "..", "e30.e30.e30", `${b64json({ alg: "ES256", typ: "at+jwt" })}.e30.AAAA`, "x".repeat(20_000), "é", "a b", "Bearer"];
    for (const token of inputs) {
      const res = denied(await verifyAccessToken(new Request(API, { headers: { authorization: `Bearer ${token}` } }), rs));
      assert.ok(res.status === 400 || res.status === 401, `${token.slice(0, 20)} -> ${res.status}`);
      assert.equal(res.headers.get("cache-control"), "no-store");
      challenge(res);
    }
  });
});

describe("RFC 9068 s4 validation and tampered tokens", () => {
  test("a flipped signature bit -> 401 invalid_token", async () => {
    const { as, rs } = await setup();
    const t = await as.token();
    const [h, p, s] = t.split(".");
    const sig = Uint8Array.from(atob(s!.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
    sig[0]! ^= 1;
    await refusedAs(await verifyAccessToken(apiRequest(`${h}.${p}.${encodeBase64Url(sig)}`), rs), 401, "invalid_token");
  });

  test("changed claims under the original signature -> 401 invalid_token (S-2)", async () => {
    const { as, rs } = await setup();
    const [h, , s] = (await as.token()).split(".");
    const claims = { ...decodeJwt(await as.token()).claims, scope: "read write admin" };
    await refusedAs(await verifyAccessToken(apiRequest(`${h}.${b64json(claims)}.${s}`), rs), 401, "invalid_token");
  });

  test("alg none, with or without a signature -> 401 (JV-5)", async () => {
    const { key, rs } = await setup();
    const header = b64json({ alg: "none", typ: "at+jwt", kid: key.signer.kid });
    const body = b64json(validClaims());
    await refusedAs(await verifyAccessToken(apiRequest(`${header}.${body}.`), rs), 401, "invalid_token");
    await refusedAs(await verifyAccessToken(apiRequest(`${header}.${body}.AAAA`), rs), 401, "invalid_token");
  });

  test("alg swapped to HS256 with the public key as the HMAC secret -> 401, even when HS256 is allowed (JV-5)", async () => {
    const rsa = await testKey("RS256");
    const as = await jwtServer(rsa);
    const header = { alg: "HS256", typ: "at+jwt", kid: rsa.signer.kid };
    for (const secret of [JSON.stringify(rsa.publicJwk), rsa.publicJwk!.n!]) {
      const forged = await new jose.SignJWT(validClaims()).setProtectedHeader(header).sign(new TextEncoder().encode(secret));
      for (const algorithms of [undefined, ["RS256", "HS256"] as const]) {
        const rs: ResourceServerOptions = { resource: API, issuer: ISSUER, jwks: rsa.publicJwk ? { keys: [rsa.publicJwk] } : undefined, algorithms };
        await refusedAs(await verifyAccessToken(apiRequest(forged), rs), 401, "invalid_token");
      }
      const remote: ResourceServerOptions = { resource: API, issuer: ISSUER, jwksUri: JWKS_URI, fetch: as.fetch, algorithms: ["RS256", "HS256"] };
      await refusedAs(await verifyAccessToken(apiRequest(forged), remote), 401, "invalid_token");
    }
  });

  test("typ JWT, no typ -> 401; at+jwt and application/at+jwt in any case -> ok (JV-1)", async () => {
    const { key, rs } = await setup();
    for (const typ of ["JWT", undefined, "at+jwt+x", "dpop+jwt"]) {
      const t = await signWith(key.signer, { alg: "ES256", typ, kid: key.signer.kid }, validClaims());
      await refusedAs(await verifyAccessToken(apiRequest(t), rs), 401, "invalid_token");
    }
    for (const typ of ["at+jwt", "application/at+jwt", "AT+JWT", "Application/At+Jwt"]) {
      const t = await signWith(key.signer, { alg: "ES256", typ, kid: key.signer.kid }, validClaims());
      assert.ok((await verifyAccessToken(apiRequest(t), rs)).ok, typ);
    }
  });

  test("another issuer -> 401 (JV-3)", async () => {
    const { key, rs } = await setup();
    for (const iss of ["https://evil.example.com", `${ISSUER}/`, undefined]) {
      const t = await signWith(key.signer, { alg: "ES256", typ: "at+jwt", kid: key.signer.kid }, { ...validClaims(), iss });
      await refusedAs(await verifyAccessToken(apiRequest(t), rs), 401, "invalid_token");
    }
  });

  test("a token for another audience -> 401; an aud array that includes this resource -> ok (JV-4, S-8)", async () => {
    const { as, key, rs } = await setup();
    await refusedAs(await verifyAccessToken(apiRequest(await as.token({ resource: OTHER_API })), rs), 401, "invalid_token");
    const header = { alg: "ES256", typ: "at+jwt", kid: key.signer.kid };
    assert.ok((await verifyAccessToken(apiRequest(await signWith(key.signer, header, { ...validClaims(), aud: [OTHER_API, API] })), rs)).ok);
    await refusedAs(await verifyAccessToken(apiRequest(await signWith(key.signer, header, { ...validClaims(), aud: undefined })), rs), 401, "invalid_token");
  });

  test("expired: exp = now - 1 with no leeway -> 401; within the leeway -> ok (JV-6)", async () => {
    const { key, rs } = await setup();
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: "ES256", typ: "at+jwt", kid: key.signer.kid };
    const t = await signWith(key.signer, header, { ...validClaims(now - 600), exp: now - 1 });
    const params = await refusedAs(await verifyAccessToken(apiRequest(t), { ...rs, clockTolerance: 0 }), 401, "invalid_token");
    assert.match(params.error_description!, /expired/);
    assert.ok((await verifyAccessToken(apiRequest(t), { ...rs, clockTolerance: 30 })).ok);
  });

  test("not yet valid: nbf in the future, or iat in the future, beyond the leeway -> 401", async () => {
    const { key, rs } = await setup();
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: "ES256", typ: "at+jwt", kid: key.signer.kid };
    await refusedAs(await verifyAccessToken(apiRequest(await signWith(key.signer, header, { ...validClaims(), nbf: now + 60 })), rs), 401, "invalid_token");
    await refusedAs(await verifyAccessToken(apiRequest(await signWith(key.signer, header, { ...validClaims(now + 60) })), rs), 401, "invalid_token");
    assert.ok((await verifyAccessToken(apiRequest(await signWith(key.signer, header, { ...validClaims(), nbf: now + 2 })), rs)).ok);
  });

  test("a missing required claim (sub, client_id, jti, iat, exp) -> 401 (RFC 9068 s2.2)", async () => {
    const { key, rs } = await setup();
    const header = { alg: "ES256", typ: "at+jwt", kid: key.signer.kid };
    for (const claim of ["sub", "client_id", "jti", "iat", "exp"]) {
      const t = await signWith(key.signer, header, { ...validClaims(), [claim]: undefined });
      await refusedAs(await verifyAccessToken(apiRequest(t), rs), 401, "invalid_token");
    }
    const arrayScope = await signWith(key.signer, header, { ...validClaims(), scope: ["read"] });
    await refusedAs(await verifyAccessToken(apiRequest(arrayScope), rs), 401, "invalid_token");
  });

  test("an algorithm outside the allow-list -> 401, even with a valid signature", async () => {
    const { as, rs } = await setup({ algorithms: ["RS256"] });
    await refusedAs(await verifyAccessToken(apiRequest(await as.token()), rs), 401, "invalid_token");
  });

  test("an unknown kid -> 401", async () => {
    const { key, rs } = await setup();
    const t = await signWith(key.signer, { alg: "ES256", typ: "at+jwt", kid: "nobody" }, validClaims());
    await refusedAs(await verifyAccessToken(apiRequest(t), rs), 401, "invalid_token");
  });

  test("a token signed by a key the server never published -> 401", async () => {
    const { rs } = await setup();
    const stranger = await testKey("ES256", "stranger");
    const t = await signWith(stranger.signer, { alg: "ES256", typ: "at+jwt", kid: (await testKey("ES256")).signer.kid }, validClaims());
    await refusedAs(await verifyAccessToken(apiRequest(t), rs), 401, "invalid_token");
  });

  test("a duplicate member in the header or claims -> 401", async () => {
    const { key, rs } = await setup();
    const enc = new TextEncoder();
    const claims = JSON.stringify(validClaims()).replace(/}$/, `,"aud":"${OTHER_API}"}`);
    const input = `${b64json({ alg: "ES256", typ: "at+jwt", kid: key.signer.kid })}.${encodeBase64Url(enc.encode(claims))}`;
    const t = `${input}.${encodeBase64Url(await key.signer.sign(enc.encode(input)))}`;
    await refusedAs(await verifyAccessToken(apiRequest(t), rs), 401, "invalid_token");
  });

  test("a revoked jti -> 401 (the revocation list is read, RFC 7009 via issue 4)", async () => {
    const revocationStore = new MemoryRevocationStore();
    const { as, rs } = await setup({ revocationStore });
    const t = await as.token();
    assert.ok((await verifyAccessToken(apiRequest(t), rs)).ok);
    const { claims } = decodeJwt(t);
    await revocationStore.revoke(claims.jti as string, claims.exp as number);
    const params = await refusedAs(await verifyAccessToken(apiRequest(t), rs), 401, "invalid_token");
    assert.match(params.error_description!, /revoked/);
  });

  test("a DPoP-bound token (cnf) presented as Bearer -> 401 (RFC_CHECKLIST D-16)", async () => {
    const { key, rs } = await setup();
    const t = await signWith(key.signer, { alg: "ES256", typ: "at+jwt", kid: key.signer.kid }, { ...validClaims(), cnf: { jkt: "x" } });
    await refusedAs(await verifyAccessToken(apiRequest(t), rs), 401, "invalid_token");
  });
});

describe("remote JWK Set", () => {
  test("fetched once and cached across many verifications", async () => {
    const { as, rs, fetches } = await setup();
    const t = await as.token();
    for (let i = 0; i < 50; i++) assert.ok((await verifyAccessToken(apiRequest(t), rs)).ok);
    assert.equal(fetches(), 1);
  });

  test("concurrent first requests share one fetch", async () => {
    const { as, rs, fetches } = await setup();
    const t = await as.token();
    const results = await Promise.all(Array.from({ length: 20 }, () => verifyAccessToken(apiRequest(t), rs)));
    assert.ok(results.every((r) => r.ok));
    assert.equal(fetches(), 1);
  });

  test("an unknown kid refetches once, then not again within the cooldown, however many tokens try", async () => {
    const clock = fakeClock();
    const { key, rs, fetches } = await setup({ clock: clock.now, jwksCooldown: 30 });
    const now = Math.floor(clock.now() / 1000);
    const good = await signWith(key.signer, { alg: "ES256", typ: "at+jwt", kid: key.signer.kid }, validClaims(now));
    assert.ok((await verifyAccessToken(apiRequest(good), rs)).ok);
    clock.advance(31);
    for (let i = 0; i < 100; i++) {
      const t = await signWith(key.signer, { alg: "ES256", typ: "at+jwt", kid: `made-up-${i}` }, validClaims(now));
      await refusedAs(await verifyAccessToken(apiRequest(t), rs), 401, "invalid_token");
    }
    assert.equal(fetches(), 2, "one initial fetch, one refresh for the first unknown kid");
    clock.advance(31);
    const t = await signWith(key.signer, { alg: "ES256", typ: "at+jwt", kid: "made-up-again" }, validClaims(now));
    await refusedAs(await verifyAccessToken(apiRequest(t), rs), 401, "invalid_token");
    assert.equal(fetches(), 3, "after the cooldown, one more");
  });

  test("a new key published by the server is found on its first token (refresh on unknown kid)", async () => {
    const clock = fakeClock();
    const { as, key, rs } = await setup({ clock: clock.now });
    const now = () => Math.floor(clock.now() / 1000);
    const first = await signWith(key.signer, { alg: "ES256", typ: "at+jwt", kid: key.signer.kid }, validClaims(now()));
    assert.ok((await verifyAccessToken(apiRequest(first), rs)).ok);
    clock.advance(31);
    const b = await testKey("ES256", "fresh");
    as.keys.publishNext(b); // jwtServer makes a KeySet per call, so this one is the test's own
    as.keys.activate("fresh");
    const t = await signWith(b.signer, { alg: "ES256", typ: "at+jwt", kid: "fresh" }, validClaims(now()));
    assert.ok((await verifyAccessToken(apiRequest(t), rs)).ok);
  });

  test("the JWK Set unreachable and nothing cached -> 503 temporarily_unavailable, asked again only after the cooldown", async () => {
    let calls = 0;
    const down = (() => {
      calls++;
      return Promise.reject(new TypeError("connection refused"));
    }) as unknown as typeof globalThis.fetch;
    const { as } = await setup();
    const rs: ResourceServerOptions = { resource: API, issuer: ISSUER, jwksUri: JWKS_URI, fetch: down };
    const t = await as.token();
    for (let i = 0; i < 5; i++) {
      const res = denied(await verifyAccessToken(apiRequest(t), rs));
      assert.equal(res.status, 503);
    }
    assert.equal(calls, 1);
  });

  test("the JWK Set unreachable later -> the cached keys keep working", async () => {
    const clock = fakeClock();
    const { as } = await setup();
    let up = true;
    const flaky = ((input: RequestInfo | URL, init?: RequestInit) => up ? as.fetch(input, init) : Promise.reject(new TypeError("down"))) as typeof globalThis.fetch;
    const rs: ResourceServerOptions = { resource: API, issuer: ISSUER, jwksUri: JWKS_URI, fetch: flaky, clock: clock.now };
    const key = await testKey("ES256");
    const header = { alg: "ES256", typ: "at+jwt", kid: key.signer.kid };
    assert.ok((await verifyAccessToken(apiRequest(await signWith(key.signer, header, validClaims(clock.now() / 1000))), rs)).ok);
    up = false;
    clock.advance(600); // past the set's max-age
    assert.ok((await verifyAccessToken(apiRequest(await signWith(key.signer, header, validClaims(clock.now() / 1000))), rs)).ok);
  });

  test("symmetric keys in a remote JWK Set are ignored", async () => {
    const hs = await testKey("HS256");
    const secret = await exportJwk(hs.privateKey);
    const evilFetch = (() => Promise.resolve(Response.json({ keys: [{ ...secret, kid: hs.signer.kid, alg: "HS256" }] }))) as unknown as typeof globalThis.fetch;
    const rs: ResourceServerOptions = { resource: API, issuer: ISSUER, jwksUri: JWKS_URI, fetch: evilFetch, algorithms: ["HS256"] };
    const t = await signWith(hs.signer, { alg: "HS256", typ: "at+jwt", kid: hs.signer.kid }, validClaims());
    await refusedAs(await verifyAccessToken(apiRequest(t), rs), 401, "invalid_token");
  });
});

describe("opaque tokens", () => {
  async function opaque() {
    const as = await jwtServer(await testKey("ES256"), { accessTokenFormat: "opaque" });
    return as;
  }

  test("looked up in the shared token store -> ok with the record's claims", async () => {
    const as = await opaque();
    const rs: ResourceServerOptions = { resource: API, issuer: ISSUER, tokenStore: as.store };
    const result = await verifyAccessToken(apiRequest(await as.token({ scope: "write" })), rs);
    assert.ok(result.ok);
    assert.equal(result.claims.client_id, JWT_CLIENT.client_id);
    assert.equal(result.claims.sub, JWT_CLIENT.client_id);
    assert.equal(result.claims.scope, "write");
    assert.equal(result.claims.iss, ISSUER);
  });

  test("unknown, other-audience, and audience-less opaque tokens -> 401", async () => {
    const as = await opaque();
    const rs: ResourceServerOptions = { resource: API, tokenStore: as.store };
    await refusedAs(await verifyAccessToken(apiRequest("A".repeat(43)), rs), 401, "invalid_token");
    await refusedAs(await verifyAccessToken(apiRequest(await as.token({ resource: OTHER_API })), rs), 401, "invalid_token");
    const noAud = await jwtServer(await testKey("ES256"), { accessTokenFormat: "opaque" }, [{ ...JWT_CLIENT, default_resource: undefined }]);
    await refusedAs(await verifyAccessToken(apiRequest(await noAud.token()), { resource: API, tokenStore: noAud.store }), 401, "invalid_token");
  });

  test("JWTs and opaque tokens side by side: each goes its own way", async () => {
    const as = await opaque();
    const jwt = await jwtServer(await testKey("ES256"));
    const rs: ResourceServerOptions = { resource: API, issuer: ISSUER, tokenStore: as.store, jwksUri: JWKS_URI, fetch: jwt.fetch };
    assert.ok((await verifyAccessToken(apiRequest(await as.token()), rs)).ok);
    assert.ok((await verifyAccessToken(apiRequest(await jwt.token()), rs)).ok);
  });

  test("a user-supplied introspection: active with this audience -> ok; inactive or other audience -> 401", async () => {
    const answers: Record<string, IntrospectionResponse> = {
      good: { active: true, client_id: "c", scope: "read", aud: API, exp: Math.floor(Date.now() / 1000) + 60 },
      off: { active: false },
      other: { active: true, client_id: "c", aud: OTHER_API },
      expired: { active: true, client_id: "c", aud: API, exp: 1 },
      foreign: { active: true, client_id: "c", aud: API, iss: "https://evil.example.com" },
      dpop: { active: true, client_id: "c", aud: API, token_type: "DPoP", cnf: { jkt: "x" } },
    };
    const rs: ResourceServerOptions = { resource: API, issuer: ISSUER, introspect: (token) => Promise.resolve(answers[token] ?? { active: false }) };
    const ok = await verifyAccessToken(apiRequest("good"), rs);
    assert.ok(ok.ok);
    assert.equal(ok.claims.sub, "c");
    for (const token of ["off", "other", "expired", "foreign", "dpop", "unknown"]) {
      await refusedAs(await verifyAccessToken(apiRequest(token), rs), 401, "invalid_token");
    }
  });

  test("a failing token store or introspection -> 500 server_error, not a verdict on the token", async () => {
    const broken: ResourceServerOptions = { resource: API, introspect: () => Promise.reject(new Error("AS down")) };
    const res = denied(await verifyAccessToken(apiRequest("whatever"), broken));
    assert.equal(res.status, 500);
  });
});

describe("a backend that hangs (storeTimeoutMs)", () => {
  const hang = () => new Promise<never>(() => {});
  const expect503 = async (result: AccessTokenVerification, started: number) => {
    const res = denied(result);
    assert.equal(res.status, 503);
    assert.equal(((await res.json()) as { error: string }).error, "temporarily_unavailable");
    assert.ok(Date.now() - started < 2_000, "answered by the deadline");
  };

  test("a token store, an introspection call or a revocation store that never answers -> 503 by the deadline", async () => {
    const stuckStore = { save: hang, find: hang, revoke: hang };
    let started = Date.now();
    await expect503(await verifyAccessToken(apiRequest("opaque-token"), { resource: API, tokenStore: stuckStore, storeTimeoutMs: 50 }), started);
    started = Date.now();
    await expect503(await verifyAccessToken(apiRequest("opaque-token"), { resource: API, introspect: hang, storeTimeoutMs: 50 }), started);
    const { as, rs } = await setup({ revocationStore: { revoke: hang, isRevoked: hang }, storeTimeoutMs: 50 });
    started = Date.now();
    await expect503(await verifyAccessToken(apiRequest(await as.token()), rs), started);
  });

  test("storeTimeoutMs is checked at start-up", () => {
    assert.throws(() => resolveResourceServerOptions({ resource: API, introspect: hang, storeTimeoutMs: 0 }), /storeTimeoutMs/);
    assert.throws(() => resolveResourceServerOptions({ resource: API, introspect: hang, storeTimeoutMs: -1 }), /storeTimeoutMs/);
  });
});

describe("configuration", () => {
  const rejects = (options: unknown, pattern: RegExp) => assert.throws(() => resolveResourceServerOptions(options as ResourceServerOptions), pattern);
  test("validated once: typos, missing key sources, JWT without issuer, bad resource, bad algorithms", () => {
    rejects({ resource: API, issuer: ISSUER, jwksUri: JWKS_URI, jwksURI: "x" }, /unknown option 'jwksURI'/);
    rejects({ resource: API }, /give jwks or jwksUri/);
    rejects({ resource: API, jwksUri: JWKS_URI }, /issuer/);
    rejects({ resource: "/api", issuer: ISSUER, jwksUri: JWKS_URI }, /resource/);
    rejects({ resource: API, issuer: ISSUER, jwksUri: JWKS_URI, algorithms: ["none"] }, /never 'none'/);
    rejects({ resource: API, issuer: ISSUER, jwksUri: "http://as.example.com/jwks" }, /https/);
    rejects({ resource: API, issuer: ISSUER, jwksUri: JWKS_URI, clockTolerance: 3600 }, /clockTolerance/);
  });

  test("invalid options -> 500 server_error from verifyAccessToken, never a throw", async () => {
    const result = await verifyAccessToken(apiRequest("x"), { resource: API } as ResourceServerOptions);
    assert.equal(denied(result).status, 500);
  });
});

describe("frameworks", () => {
  test("Hono: a middleware built on verifyAccessToken protects a route", async () => {
    const { as, rs } = await setup();
    const app = new Hono<{ Variables: { client: string } }>();
    app.use("/api/*", async (c, next) => {
      const result = await verifyAccessToken(c.req.raw, rs, { scope: "read" });
      if (!result.ok) return result.response;
      c.set("client", result.claims.client_id);
      await next();
    });
    app.get("/api/invoices", (c) => c.json({ client: c.get("client") }));
    const ok = await app.request("/api/invoices", { headers: { authorization: `Bearer ${await as.token()}` } });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { client: JWT_CLIENT.client_id });
    const no = await app.request("/api/invoices");
    assert.equal(no.status, 401);
    assert.match(no.headers.get("www-authenticate")!, /^Bearer realm=/);
  });
});
