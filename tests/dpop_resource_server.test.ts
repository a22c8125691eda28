// DPoP at the resource server (RFC 9449 s7, s9; RFC_CHECKLIST D-15..D-18, D-5..D-8 at the RS):
// the DPoP scheme, proof, ath and key binding for JWTs, stored opaque tokens and
// introspected ones, and the challenges.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  type AccessTokenVerification,
  type IntrospectionResponse,
  protectedResourceMetadata,
  type ResourceServerOptions,
  verifyAccessToken,
} from "../src/resource_server/mod.ts";
import { ConfigurationError, MemoryReplayStore, MemoryTokenStore, tokenKey, webCrypto } from "../mod.ts";
import { resolveResourceServerOptions } from "../src/resource_server/options.ts";
import { fakeClock, SECRET } from "./helpers.ts";
import { API, ISSUER, JWT_CLIENT, jwtServer, testKey } from "./rs_helpers.ts";
import { ath, type DpopKey, dpopKey, dpopTokenRequest, proof, type ProofInit } from "./dpop_helpers.ts";

const URL_ = `${API}/invoices`;
const ALGS = "ES256 ES384 EdDSA RS256 PS256";
const NONCE_SECRET = "a-secret-of-at-least-32-characters-for-nonces";

/** An AS issuing tokens in `format` and an RS (DPoP on) that verifies them, sharing a fake clock. */
async function setup(format: "jwt" | "opaque" = "jwt", rs: Partial<ResourceServerOptions> = {}) {
  const clock = fakeClock();
  const as = await jwtServer(await testKey("ES256"), { clock: clock.now, accessTokenFormat: format });
  const options: ResourceServerOptions = format === "jwt"
    ? { resource: API, issuer: ISSUER, jwks: as.keys, clock: clock.now, dpop: true, ...rs }
    : { resource: API, tokenStore: as.store, clock: clock.now, dpop: true, ...rs };
  /** A DPoP-bound token for `key` (or a Bearer token without one). */
  const token = async (key?: DpopKey): Promise<string> => {
    const p = key === undefined ? undefined : await proof(key, clock.now());
    const res = await as.fetch(dpopTokenRequest(p, { client: [JWT_CLIENT.client_id, SECRET] }));
    const body = await res.json() as Record<string, unknown>;
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.token_type, key === undefined ? "Bearer" : "DPoP");
    return body.access_token as string;
  };
  return { clock, as, options, token };
}

/** A GET to the API with `Authorization: <scheme> <token>` and, when given, a proof for it. */
async function apiCall(
  token: string,
  key: DpopKey | undefined,
  now: number,
  init: ProofInit & { scheme?: string; url?: string; headers?: Record<string, string>; method?: string } = {},
): Promise<Request> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `${init.scheme ?? "DPoP"} ${token}`);
  if (key !== undefined) {
    headers.set("dpop", await proof(key, now, { htm: init.method ?? "GET", htu: URL_, ath: await ath(token), ...init }));
  }
  return new Request(init.url ?? URL_, { method: init.method ?? "GET", headers });
}

function denied(result: AccessTokenVerification): Response {
  assert.equal(result.ok, false, "expected a refusal");
  return (result as { response: Response }).response;
}

/** 401 (or `status`) with `error` in the body and in a challenge of `scheme`; returns the header. */
async function refusedAs(result: AccessTokenVerification, error: string, scheme = "DPoP", status = 401): Promise<string> {
  const res = denied(result);
  const header = res.headers.get("www-authenticate") ?? "";
  assert.equal(res.status, status, header);
  assert.ok(header.startsWith(`${scheme} `), header);
  assert.ok(header.includes(`error="${error}"`), header);
  assert.equal((await res.json() as Record<string, unknown>).error, error);
  if (scheme === "DPoP") assert.ok(header.includes(`algs="${ALGS}"`), header);
  return header;
}

describe("bound tokens with the DPoP scheme (RFC 9449 s7.1; RFC_CHECKLIST D-15)", () => {
  for (const format of ["jwt", "opaque"] as const) {
    test(`${format}: DPoP <token> with a valid proof by the bound key -> ok, scheme dpop, cnf in the claims`, async () => {
      const { clock, options, token } = await setup(format);
      const key = await dpopKey("ES256");
      const t = await token(key);
      const result = await verifyAccessToken(await apiCall(t, key, clock.now()), options, { scope: "read" });
      assert.ok(result.ok, result.ok ? "" : String(result.error));
      assert.equal(result.scheme, "dpop");
      assert.deepEqual(result.claims.cnf, { jkt: key.jkt });
    });
  }

  test("introspection: cnf.jkt from the answer binds the token", async () => {
    const clock = fakeClock();
    const key = await dpopKey("EdDSA");
    const answer = (jkt: string): IntrospectionResponse => ({
      active: true, client_id: "c", aud: API, scope: "read", token_type: "DPoP", cnf: { jkt }, exp: Math.floor(clock.now() / 1000) + 60,
    });
    const options = (jkt: string): ResourceServerOptions => ({ resource: API, introspect: () => Promise.resolve(answer(jkt)), clock: clock.now, dpop: true });
    assert.ok((await verifyAccessToken(await apiCall("opaque-token", key, clock.now()), options(key.jkt))).ok);
    const other = await dpopKey("EdDSA", "b");
    await refusedAs(await verifyAccessToken(await apiCall("opaque-token", key, clock.now()), options(other.jkt)), "invalid_token");
  });

  test("App. A.3: RFC 9449's ath for its example token is accepted", async () => {
    const clock = fakeClock();
    const store = new MemoryTokenStore({ clock: clock.now });
    const key = await dpopKey();
    const token = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
    const now = Math.floor(clock.now() / 1000);
    await store.save(await tokenKey(token, webCrypto), { client_id: "c", scope: "", iat: now, exp: now + 60, aud: API, cnf: { jkt: key.jkt } });
    const request = await apiCall(token, key, clock.now(), { ath: "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo" });
    assert.ok((await verifyAccessToken(request, { resource: API, tokenStore: store, clock: clock.now, dpop: true })).ok);
    assert.equal(await ath(token), "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
  });

  test("wrong ath, or none -> 401 invalid_dpop_proof with a DPoP challenge (D-15)", async () => {
    const { clock, options, token } = await setup();
    const key = await dpopKey();
    const t = await token(key);
    await refusedAs(await verifyAccessToken(await apiCall(t, key, clock.now(), { ath: await ath("another token") }), options), "invalid_dpop_proof");
    await refusedAs(await verifyAccessToken(await apiCall(t, key, clock.now(), { omit: ["ath"] }), options), "invalid_dpop_proof");
  });

  test("a valid proof by another key than the token's -> 401 invalid_token (D-15)", async () => {
    const { clock, options, token } = await setup();
    const t = await token(await dpopKey("ES256"));
    const header = await refusedAs(await verifyAccessToken(await apiCall(t, await dpopKey("ES256", "b"), clock.now()), options), "invalid_token");
    assert.match(header, /another key/);
  });

  test("the DPoP scheme without a DPoP header -> 401 invalid_dpop_proof", async () => {
    const { clock, options, token } = await setup();
    const t = await token(await dpopKey());
    await refusedAs(await verifyAccessToken(await apiCall(t, undefined, clock.now()), options), "invalid_dpop_proof");
  });

  test("an unbound token with the DPoP scheme -> 401 invalid_token (decided: s7.1 needs a key to match)", async () => {
    const { clock, options, token } = await setup();
    const t = await token();
    const header = await refusedAs(await verifyAccessToken(await apiCall(t, await dpopKey(), clock.now()), options), "invalid_token");
    assert.match(header, /not bound to a key/);
  });

  test("htm, htu path, iat and the proof checks apply at the RS too (D-2..D-6)", async () => {
    const { clock, options, token } = await setup();
    const key = await dpopKey();
    const t = await token(key);
    const now = Math.floor(clock.now() / 1000);
    for (const bad of [{ htm: "POST" }, { htu: `${API}/other` }, { iat: now - 3600 }, { header: { typ: "JWT" } }] as ProofInit[]) {
      await refusedAs(await verifyAccessToken(await apiCall(t, key, clock.now(), bad), options), "invalid_dpop_proof");
    }
    const two = await apiCall(t, key, clock.now());
    two.headers.append("dpop", two.headers.get("dpop")!);
    await refusedAs(await verifyAccessToken(two, options), "invalid_dpop_proof");
  });

  test("htu is the configured origin plus the request path, never Host or X-Forwarded-* (T-9)", async () => {
    const { clock, options, token } = await setup();
    const key = await dpopKey();
    const t = await token(key);
    const internal = "http://10.0.0.7:8080/invoices?page=2";
    const spoofed = { "x-forwarded-host": "evil.example", "x-forwarded-proto": "https", host: "evil.example" };
    assert.ok((await verifyAccessToken(await apiCall(t, key, clock.now(), { url: internal, headers: spoofed }), options)).ok);
    for (const htu of ["http://10.0.0.7:8080/invoices", "https://evil.example/invoices"]) {
      await refusedAs(await verifyAccessToken(await apiCall(t, key, clock.now(), { url: internal, headers: spoofed, htu }), options), "invalid_dpop_proof");
    }
  });

  test("dpop.origin: for a resource that is not an https URL it is required, and htu names it", async () => {
    const clock = fakeClock();
    assert.throws(() => resolveResourceServerOptions({ resource: "urn:example:api", tokenStore: new MemoryTokenStore(), dpop: true }), /dpop.origin/);
    const store = new MemoryTokenStore({ clock: clock.now });
    const key = await dpopKey();
    const now = Math.floor(clock.now() / 1000);
    const token = "an-opaque-token-for-the-urn-resource";
    await store.save(await tokenKey(token, webCrypto), { client_id: "c", scope: "", iat: now, exp: now + 60, aud: "urn:example:api", cnf: { jkt: key.jkt } });
    const options: ResourceServerOptions = { resource: "urn:example:api", tokenStore: store, clock: clock.now, dpop: { origin: API } };
    assert.ok((await verifyAccessToken(await apiCall(token, key, clock.now()), options)).ok);
  });

  test("a proof used twice at the RS -> the second is refused; 20 concurrent uses -> one passes (D-7)", async () => {
    const { clock, options, token } = await setup();
    const key = await dpopKey();
    const t = await token(key);
    const request = await apiCall(t, key, clock.now());
    const again = () => new Request(request.url, { headers: request.headers });
    assert.ok((await verifyAccessToken(again(), options)).ok);
    await refusedAs(await verifyAccessToken(again(), options), "invalid_dpop_proof");
    const fresh = await apiCall(t, key, clock.now());
    const results = await Promise.all(Array.from({ length: 20 }, () => verifyAccessToken(new Request(fresh.url, { headers: fresh.headers }), options)));
    assert.equal(results.filter((r) => r.ok).length, 1);
  });

  test("instances sharing a replayStore refuse a proof another instance accepted", async () => {
    const { clock, options, token } = await setup();
    const replayStore = new MemoryReplayStore({ clock: clock.now });
    const one: ResourceServerOptions = { ...options, replayStore };
    const two: ResourceServerOptions = { ...options, replayStore };
    const key = await dpopKey();
    const request = await apiCall(await token(key), key, clock.now());
    assert.ok((await verifyAccessToken(new Request(request.url, { headers: request.headers }), one)).ok);
    await refusedAs(await verifyAccessToken(new Request(request.url, { headers: request.headers }), two), "invalid_dpop_proof");
  });

  test("dpop.origin must be an origin: a path or another scheme fails at start-up", () => {
    for (const origin of [`${API}/v1`, "ftp://api.example.com", "not a url"]) {
      assert.throws(() => resolveResourceServerOptions({ resource: API, tokenStore: new MemoryTokenStore(), dpop: { origin } }), /dpop.origin/, origin);
    }
    for (const dpop of [{ algorithms: ["HS256"] }, { nonce: { secret: "short" } }, { origni: API }]) {
      assert.throws(() => resolveResourceServerOptions({ resource: API, tokenStore: new MemoryTokenStore(), dpop } as ResourceServerOptions), ConfigurationError);
    }
  });

  test("insufficient scope with DPoP -> 403 with the DPoP challenge naming the scope", async () => {
    const { clock, options, token } = await setup();
    const key = await dpopKey();
    const header = await refusedAs(await verifyAccessToken(await apiCall(await token(key), key, clock.now()), options, { scope: "admin" }), "insufficient_scope", "DPoP", 403);
    assert.match(header, /scope="admin"/);
  });
});

describe("Bearer next to DPoP (RFC 9449 s7.2; RFC_CHECKLIST D-16..D-18)", () => {
  test("a bound token sent as Bearer -> 401 invalid_token; the error is in the Bearer challenge, DPoP offered without one (D-16, D-18)", async () => {
    for (const format of ["jwt", "opaque"] as const) {
      const { clock, options, token } = await setup(format);
      const t = await token(await dpopKey());
      const header = await refusedAs(await verifyAccessToken(await apiCall(t, await dpopKey(), clock.now(), { scheme: "Bearer" }), options), "invalid_token", "Bearer");
      assert.match(header, /, DPoP algs="ES256 ES384 EdDSA RS256 PS256"$/);
    }
  });

  test("...and also with DPoP off at the RS (the rule predates this issue and stays)", async () => {
    const { clock, options, token } = await setup("jwt", { dpop: false });
    const t = await token(await dpopKey());
    const res = denied(await verifyAccessToken(await apiCall(t, undefined, clock.now(), { scheme: "Bearer" }), options));
    assert.equal(res.status, 401);
    assert.match(res.headers.get("www-authenticate")!, /^Bearer realm="[^"]+", error="invalid_token"/);
  });

  test("an unbound Bearer token is still accepted when DPoP is on", async () => {
    const { clock, options, token } = await setup();
    const result = await verifyAccessToken(await apiCall(await token(), undefined, clock.now(), { scheme: "Bearer" }), options);
    assert.ok(result.ok);
    assert.equal(result.scheme, "bearer");
  });

  test("no credentials, both schemes accepted -> 401 'Bearer realm=..., DPoP algs=...' with no error (D-17, D-18)", async () => {
    const { options } = await setup();
    const res = denied(await verifyAccessToken(new Request(URL_), options));
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("www-authenticate"), `Bearer realm="${API}", DPoP algs="${ALGS}"`);
  });

  test("dpop.required: no credentials -> a DPoP challenge alone; a Bearer token -> 401 invalid_token in a DPoP challenge", async () => {
    const { clock, options, token } = await setup("jwt", { dpop: { required: true, algorithms: ["ES256", "EdDSA"] } });
    const res = denied(await verifyAccessToken(new Request(URL_), options));
    assert.equal(res.headers.get("www-authenticate"), `DPoP realm="${API}", algs="ES256 EdDSA"`);
    const bearer = denied(await verifyAccessToken(await apiCall(await token(), undefined, clock.now(), { scheme: "Bearer" }), options));
    assert.equal(bearer.status, 401);
    assert.match(bearer.headers.get("www-authenticate")!, /^DPoP realm="[^"]+", algs="ES256 EdDSA", error="invalid_token"/);
  });

  test("with DPoP off, the DPoP scheme is not understood: no credentials, a Bearer challenge without error", async () => {
    const { clock, options, token } = await setup("jwt", { dpop: false });
    const key = await dpopKey();
    const res = denied(await verifyAccessToken(await apiCall(await token(key), key, clock.now()), options));
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("www-authenticate"), `Bearer realm="${API}"`);
  });

  test("protected resource metadata lists the DPoP algorithms, and whether DPoP is required", () => {
    const base = { resource: API, issuer: ISSUER, jwksUri: `${ISSUER}/jwks`, metadata: true };
    assert.deepEqual(protectedResourceMetadata({ ...base, dpop: true }).dpop_signing_alg_values_supported, ALGS.split(" "));
    assert.equal(protectedResourceMetadata({ ...base, dpop: { required: true } }).dpop_bound_access_tokens_required, true);
    assert.ok(!("dpop_signing_alg_values_supported" in protectedResourceMetadata(base)));
  });
});

describe("resource server nonces (RFC 9449 s9; RFC_CHECKLIST D-8, D-17)", () => {
  test("no nonce -> 401 use_dpop_nonce + DPoP-Nonce in a DPoP challenge; the retry with it -> ok", async () => {
    const { clock, options, token } = await setup("jwt", { dpop: { nonce: { secret: NONCE_SECRET } } });
    const key = await dpopKey();
    const t = await token(key);
    const first = await verifyAccessToken(await apiCall(t, key, clock.now()), options);
    const nonce = denied(first).headers.get("dpop-nonce");
    assert.match(nonce ?? "", /^[A-Za-z0-9_-]{43}$/);
    await refusedAs(first, "use_dpop_nonce");
    assert.ok((await verifyAccessToken(await apiCall(t, key, clock.now(), { nonce: nonce! }), options)).ok);
  });

  test("the authorization server's nonce is not the resource server's, even with one secret", async () => {
    const { clock, options, token } = await setup("jwt", { dpop: { nonce: { secret: NONCE_SECRET } } });
    const key = await dpopKey();
    const t = await token(key);
    const nonceAs = await jwtServer(await testKey("ES256"), { clock: clock.now, dpop: { nonce: { secret: NONCE_SECRET } } });
    const res = await nonceAs.fetch(dpopTokenRequest(await proof(key, clock.now()), { client: [JWT_CLIENT.client_id, SECRET] }));
    const asNonce = res.headers.get("dpop-nonce")!;
    assert.ok(asNonce);
    await refusedAs(await verifyAccessToken(await apiCall(t, key, clock.now(), { nonce: asNonce }), options), "use_dpop_nonce");
  });
});
