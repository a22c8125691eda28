// JWT responses from the introspection endpoint (RFC 9701): asked for with
// `Accept: application/token-introspection+jwt`, signed with the server's asymmetric key,
// verified by oauth4webapi (processIntrospectionResponse + validateApplicationLevelSignature)
// and by jose; plain RFC 7662 JSON otherwise.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as jose from "jose";
import * as oauth from "oauth4webapi";
import { type ClientRegistration, generateSigningKey, KeySet } from "../mod.ts";
import { assertToken, formPost } from "./helpers.ts";
import { authServer, ISSUER, routedFetch, SECRET } from "./support/fixtures.ts";

const CLIENT: ClientRegistration = {
  client_id: "svc",
  client_secret: SECRET,
  grant_types: ["client_credentials"],
  scope: "read",
};
const JWT_TYPE = "application/token-introspection+jwt";

async function setup(alg: "ES256" | "EdDSA" | "HS256" = "ES256") {
  const keys = new KeySet({ active: await generateSigningKey(alg, { kid: `${alg}-1` }) });
  const { server } = authServer({ signingKeys: keys }, [CLIENT]);
  const fetch = routedFetch({ [ISSUER]: server.fetch });
  const res = await server.fetch(formPost(server.endpoints.token, { grant_type: "client_credentials" }, ["svc", SECRET]));
  const token = (await assertToken(res)).access_token as string;
  const introspect = (body: Record<string, string>, accept?: string, basic: [string, string] = ["svc", SECRET]) => {
    const request = formPost(server.endpoints.introspection!, body, basic);
    if (accept !== undefined) request.headers.set("accept", accept);
    return server.fetch(request);
  };
  return { server, keys, fetch, token, introspect };
}

describe("RFC 9701 JWT introspection responses", () => {
  test("oauth4webapi: requestJwtResponse, processIntrospectionResponse and validateApplicationLevelSignature", async () => {
    const { fetch, token } = await setup("ES256");
    const url = new URL(ISSUER);
    const as = await oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { algorithm: "oauth2", [oauth.customFetch]: fetch }));
    assert.deepEqual(as.introspection_signing_alg_values_supported, ["ES256"]);
    const client: oauth.Client = { client_id: "svc" };
    const response = await oauth.introspectionRequest(as, client, oauth.ClientSecretBasic(SECRET), token, {
      requestJwtResponse: true,
      [oauth.customFetch]: fetch,
    });
    assert.equal(response.headers.get("content-type"), JWT_TYPE);
    const result = await oauth.processIntrospectionResponse(as, client, response);
    assert.equal(result.active, true);
    assert.equal(result.client_id, "svc");
    await oauth.validateApplicationLevelSignature(as, response, { [oauth.customFetch]: fetch });
  });

  for (const alg of ["ES256", "EdDSA"] as const) {
    test(`${alg}: jose verifies the response against the JWK Set: typ, iss, aud (the caller), iat, token_introspection`, async () => {
      const { keys, token, introspect } = await setup(alg);
      const res = await introspect({ token }, JWT_TYPE);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("cache-control"), "no-store");
      const { payload, protectedHeader } = await jose.jwtVerify(await res.text(), jose.createLocalJWKSet(keys.jwks() as jose.JSONWebKeySet), {
        issuer: ISSUER,
        audience: "svc",
        typ: "token-introspection+jwt",
      });
      assert.equal(protectedHeader.kid, `${alg}-1`);
      assert.equal(typeof payload.iat, "number");
      const answer = payload.token_introspection as Record<string, unknown>;
      assert.equal(answer.active, true);
      assert.equal(answer.client_id, "svc");
      assert.equal(answer.scope, "read");
    });
  }

  test("an unknown token: a signed { active: false }", async () => {
    const { keys, introspect } = await setup();
    const res = await introspect({ token: "no-such-token" }, `application/json;q=0.5, ${JWT_TYPE}`);
    assert.equal(res.headers.get("content-type"), JWT_TYPE);
    const { payload } = await jose.jwtVerify(await res.text(), jose.createLocalJWKSet(keys.jwks() as jose.JSONWebKeySet));
    assert.deepEqual(payload.token_introspection, { active: false });
  });

  test("plain JSON without the Accept, for */*, and when the only key is HS256 (no metadata member then)", async () => {
    const es = await setup("ES256");
    for (const accept of [undefined, "*/*", "application/json", "application/*"]) {
      const res = await es.introspect({ token: es.token }, accept);
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/, String(accept));
      assert.equal(((await res.json()) as { active: boolean }).active, true);
    }
    const hs = await setup("HS256");
    const res = await hs.introspect({ token: hs.token }, JWT_TYPE);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    assert.equal("introspection_signing_alg_values_supported" in hs.server.metadata, false);
  });

  test("errors stay RFC 7662 JSON: a bad caller with the JWT Accept -> 401 JSON with a challenge", async () => {
    const { token, introspect } = await setup();
    const res = await introspect({ token }, JWT_TYPE, ["svc", "wrong"]);
    assert.equal(res.status, 401);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    assert.equal(((await res.json()) as { error: string }).error, "invalid_client");
  });
});
