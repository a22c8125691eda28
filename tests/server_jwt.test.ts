// JWT access tokens through createAuthorizationServer: the JWK Set route and jwks_uri in
// the metadata, introspection of a JWT (RFC 7662 with RFC 9068 tokens), revocation of a JWT
// by its jti (RFC 7009 s2: "the token is no longer valid"), seen by introspection and by
// the resource-server helper sharing the revocation store.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as jose from "jose";
import {
  type ClientRegistration,
  generateSigningKey,
  type JwsAlgorithm,
  KeySet,
  MemoryRevocationStore,
} from "../mod.ts";
import { verifyAccessToken } from "../src/resource_server/mod.ts";
import { decodeJwt, signWith } from "./rs_helpers.ts";
import {
  API,
  assertToken,
  authServer,
  BASIC_CLIENT,
  fakeClock,
  formPost,
  INTROSPECT_URL,
  ISSUER,
  METADATA_URL,
  RS_CLIENT,
  SECRET,
  TOKEN_URL,
} from "./helpers.ts";

const JWT_CLIENT: ClientRegistration = {
  client_id: "jwt-client",
  client_secret: SECRET,
  grant_types: ["client_credentials"],
  scope: "read write",
  access_token_format: "jwt",
  allowed_resources: [API],
  default_resource: API,
};
const OWNER: [string, string] = [JWT_CLIENT.client_id, SECRET];
const JWKS_URL = `${ISSUER}/jwks`;

async function jwtAuthServer(alg: JwsAlgorithm = "ES256", clock = fakeClock()) {
  const keys = new KeySet({ active: await generateSigningKey(alg, { kid: `${alg}-1` }) });
  const revocationStore = new MemoryRevocationStore({ clock: clock.now });
  const as = authServer({ signingKeys: keys, revocationStore, clock: clock.now }, [JWT_CLIENT, BASIC_CLIENT, RS_CLIENT]);
  const token = async (): Promise<string> => {
    const res = await as.fetch(formPost(TOKEN_URL, { grant_type: "client_credentials", scope: "read" }, OWNER));
    return (await assertToken(res)).access_token as string;
  };
  const introspect = async (token: string, caller: [string, string] = OWNER): Promise<Record<string, unknown>> => {
    const res = await as.fetch(formPost(INTROSPECT_URL, { token }, caller));
    assert.equal(res.status, 200);
    return await res.json() as Record<string, unknown>;
  };
  const revoke = (token: string, caller: [string, string] = OWNER): Promise<Response> =>
    as.fetch(formPost(`${ISSUER}/revoke`, { token }, caller));
  return { ...as, keys, revocationStore, clock, token, introspect, revoke };
}

describe("JWT access tokens through the server", () => {
  test("the JWK Set is served at endpoints.jwks and named as jwks_uri; jose verifies the token with it", async () => {
    const as = await jwtAuthServer("ES256");
    assert.equal(as.server.endpoints.jwks, JWKS_URL);
    const metadata = await (await as.fetch(new Request(METADATA_URL))).json() as Record<string, unknown>;
    assert.equal(metadata.jwks_uri, JWKS_URL);
    const res = await as.fetch(new Request(JWKS_URL));
    assert.equal(res.status, 200);
    assert.match(res.headers.get("cache-control") ?? "", /max-age=\d+/);
    const post = await as.fetch(new Request(JWKS_URL, { method: "POST" }));
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, HEAD");
    const fetch = (url: string, init: RequestInit) => as.fetch(new Request(url, init));
    const jwks = jose.createRemoteJWKSet(new URL(JWKS_URL), { [jose.customFetch]: fetch as jose.FetchImplementation });
    const { payload, protectedHeader } = await jose.jwtVerify(await as.token(), jwks, {
      issuer: ISSUER,
      audience: API,
      typ: "at+jwt",
      currentDate: new Date(as.clock.now()),
    });
    assert.equal(protectedHeader.kid, "ES256-1");
    assert.equal(payload.client_id, JWT_CLIENT.client_id);
  });

  test("without signingKeys there is no JWK Set route and no jwks_uri", async () => {
    const as = authServer();
    assert.equal(as.server.endpoints.jwks, undefined);
    assert.equal((await as.fetch(new Request(JWKS_URL))).status, 404);
    assert.equal("jwks_uri" in as.server.metadata, false);
  });

  for (const alg of ["ES256", "EdDSA", "HS256"] as const) {
    test(`${alg}: introspection answers an issued JWT with its claims`, async () => {
      const as = await jwtAuthServer(alg);
      const token = await as.token();
      const { claims } = decodeJwt(token);
      assert.deepEqual(await as.introspect(token), {
        active: true,
        client_id: JWT_CLIENT.client_id,
        scope: "read",
        token_type: "Bearer",
        exp: claims.exp,
        iat: claims.iat,
        iss: ISSUER,
        sub: JWT_CLIENT.client_id,
        aud: API,
        jti: claims.jti,
      });
      // The resource server the token is for sees it too (default introspection policy).
      assert.equal((await as.introspect(token, [RS_CLIENT.client_id, SECRET])).active, true);
    });
  }

  test("revoking a JWT: 200, then inactive at introspection and refused by the resource server", async () => {
    const as = await jwtAuthServer("ES256");
    const token = await as.token();
    const rs = { resource: API, issuer: ISSUER, jwks: as.keys, revocationStore: as.revocationStore, clock: as.clock.now };
    const api = () => new Request(API, { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await verifyAccessToken(api(), rs)).ok, true);
    const res = await as.revoke(token);
    assert.equal(res.status, 200);
    assert.deepEqual(await as.introspect(token), { active: false });
    const denied = await verifyAccessToken(api(), rs);
    assert.equal(denied.ok, false);
    if (!denied.ok) assert.match(denied.response.headers.get("www-authenticate") ?? "", /invalid_token/);
    // Revoking again is still 200 (RFC 7009 s2.2).
    assert.equal((await as.revoke(token)).status, 200);
  });

  test("another client cannot revoke a JWT it was not issued (RFC 7009 s2.1)", async () => {
    const as = await jwtAuthServer("ES256");
    const token = await as.token();
    const res = await as.revoke(token, [BASIC_CLIENT.client_id, SECRET]);
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, "invalid_grant");
    assert.equal((await as.introspect(token)).active, true);
  });

  test("the revocation is remembered until the token's exp, then forgotten with it", async () => {
    const as = await jwtAuthServer("ES256");
    const token = await as.token();
    const jti = decodeJwt(token).claims.jti as string;
    assert.equal(await as.revocationStore.isRevoked(jti), false);
    await as.revoke(token);
    assert.equal(await as.revocationStore.isRevoked(jti), true);
    as.clock.advance(599);
    assert.equal(await as.revocationStore.isRevoked(jti), true);
    as.clock.advance(2);
    assert.equal(await as.revocationStore.isRevoked(jti), false);
    assert.deepEqual(await as.introspect(token), { active: false }); // expired anyway
  });

  test("inactive: expired, signed by another key under the same kid, tampered, truncated, another iss, missing claims, wrong typ", async () => {
    const as = await jwtAuthServer("ES256");
    const token = await as.token();
    const { header, claims } = decodeJwt(token);
    const [h, p, sig] = token.split(".") as [string, string, string];
    const inactive = async (t: string) => assert.deepEqual(await as.introspect(t), { active: false }, t);
    // Same kid, different key: the signature does not verify.
    await inactive(await (await jwtAuthServer("ES256")).token());
    // A payload swapped under the original signature, and a token cut short.
    await inactive(`${h}.${(await as.token()).split(".")[1]}.${sig}`);
    await inactive(`${h}.${p}`);
    // Validly signed by the server's own key, but not what it issues.
    const signer = as.keys.active;
    await inactive(await signWith(signer, header, { ...claims, iss: "https://evil.example.com" }));
    for (const missing of ["client_id", "sub", "jti", "iat", "exp"]) {
      const { [missing]: _, ...rest } = claims;
      await inactive(await signWith(signer, header, rest));
    }
    await inactive(await signWith(signer, { ...header, typ: "JWT" }, claims));
    // The control: the same claims, re-signed as issued, are active.
    assert.equal((await as.introspect(await signWith(signer, header, claims))).active, true);
    as.clock.advance(601);
    await inactive(token);
  });
});
