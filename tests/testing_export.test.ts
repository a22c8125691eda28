// The testing export as a user meets it in node:test (this file also runs under deno test
// and bun test, like the rest of the suite): one call, then tokens that verify with the
// resource-server helper, jose, oauth4webapi and openid-client, all with no port opened.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as jose from "jose";
import * as oauth from "oauth4webapi";
import * as client from "openid-client";
import { OAuthError } from "../mod.ts";
import { verifyAccessToken } from "../src/resource_server/mod.ts";
import { createFakeClock, createTestAuthorizationServer } from "../src/testing/mod.ts";

const API = "https://api.example.test";

function call(token: string, url = `${API}/invoices`): Request {
  return new Request(url, { headers: { authorization: `Bearer ${token}` } });
}

describe("createTestAuthorizationServer", () => {
  test("a minted JWT verifies with verifyAccessToken and carries the client, audience and scope", async () => {
    const as = await createTestAuthorizationServer({ scope: "invoices:read invoices:write" });
    const rs = as.resourceServerOptions();
    const token = await as.mintAccessToken({ scope: "invoices:read" });
    const result = await verifyAccessToken(call(token), rs, { scope: "invoices:read" });
    assert.ok(result.ok);
    assert.equal(result.claims.client_id, "test-client");
    assert.equal(result.claims.scope, "invoices:read");
    assert.equal(result.claims.iss, "https://auth.example.test");
    assert.deepEqual([result.claims.aud].flat(), [API]);
  });

  test("the fake clock moves in seconds: a token is refused once its lifetime has passed", async () => {
    const as = await createTestAuthorizationServer({ now: Date.UTC(2030, 0, 1), accessTokenLifetime: 300 });
    const rs = as.resourceServerOptions();
    const token = await as.mintAccessToken();
    as.clock.advance(299);
    assert.ok((await verifyAccessToken(call(token), rs)).ok);
    as.clock.advance(300); // well past exp, beyond the 5 s tolerance
    const late = await verifyAccessToken(call(token), rs);
    assert.ok(!late.ok);
    assert.equal(late.response.status, 401);
    assert.match(late.response.headers.get("www-authenticate")!, /error="invalid_token"/);
    assert.equal(new Date(as.clock.now()).toISOString(), "2030-01-01T00:09:59.000Z");
    assert.throws(() => as.clock.advance(-1));
  });

  test("another audience is refused with invalid_token; a missing scope with 403 insufficient_scope", async () => {
    const as = await createTestAuthorizationServer({ resources: [API, "https://other.example.test"] });
    const other = await as.mintAccessToken({ resource: "https://other.example.test" });
    const wrongAudience = await verifyAccessToken(call(other), as.resourceServerOptions(API));
    assert.ok(!wrongAudience.ok);
    assert.equal(wrongAudience.response.status, 401);
    const readOnly = await as.mintAccessToken({ scope: "read" });
    const noScope = await verifyAccessToken(call(readOnly), as.resourceServerOptions(), { scope: "write" });
    assert.ok(!noScope.ok);
    assert.equal(noScope.response.status, 403);
    assert.match(noScope.response.headers.get("www-authenticate")!, /error="insufficient_scope".*scope="write"/);
  });

  test("a refused mint rejects with the server's OAuthError", async () => {
    const as = await createTestAuthorizationServer();
    await assert.rejects(as.mintAccessToken({ scope: "admin" }), (e: unknown) => e instanceof OAuthError && e.error === "invalid_scope");
    await assert.rejects(as.mintAccessToken({ resource: "https://elsewhere.example" }), { error: "invalid_target" });
    await assert.rejects(as.mintAccessToken({ client_id: "nobody" }), /no client "nobody"/);
  });

  test("opaque tokens: minted by format, verified through the shared token store, introspectable", async () => {
    const as = await createTestAuthorizationServer();
    const token = await as.mintAccessToken({ format: "opaque", scope: "read" });
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    const result = await verifyAccessToken(call(token), as.resourceServerOptions());
    assert.ok(result.ok);
    assert.equal(result.claims.client_id, "test-client");
    // The server behind as.fetch introspects it (the twin that minted it shares the store).
    const res = await as.fetch(as.server.endpoints.introspection!, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${btoa(`${as.client.client_id}:${as.client.client_secret}`)}`,
      },
      body: new URLSearchParams({ token }),
    });
    assert.equal((await res.json() as { active: boolean }).active, true);
  });

  test("extra clients with a plaintext secret can be minted for, with their own auth method", async () => {
    const as = await createTestAuthorizationServer({
      clients: [{ client_id: "reports", client_secret: "a".repeat(43), token_endpoint_auth_method: "client_secret_post", grant_types: ["client_credentials"], scope: "read" }],
    });
    const token = await as.mintAccessToken({ client_id: "reports" });
    const result = await verifyAccessToken(call(token), as.resourceServerOptions());
    assert.ok(result.ok);
    assert.equal(result.claims.client_id, "reports");
  });

  test("a revoked JWT is refused by the resource-server options (shared revocation store)", async () => {
    const as = await createTestAuthorizationServer();
    const rs = as.resourceServerOptions();
    const token = await as.mintAccessToken();
    const revoke = await as.fetch(as.server.endpoints.revocation!, {
      method: "POST",
      headers: { authorization: `Basic ${btoa(`${as.client.client_id}:${as.client.client_secret}`)}` },
      body: new URLSearchParams({ token }),
    });
    assert.equal(revoke.status, 200);
    assert.ok(!(await verifyAccessToken(call(token), rs)).ok);
  });

  test("fetch: the issuer's origin in process, routed origins, and a TypeError for any other", async () => {
    const as = await createTestAuthorizationServer();
    const meta = await (await as.fetch(as.server.endpoints.metadata)).json() as Record<string, unknown>;
    assert.equal(meta.issuer, as.issuer);
    assert.deepEqual(meta.token_endpoint_auth_methods_supported, ["client_secret_basic"]);
    await assert.rejects(as.fetch("https://example.com/"), TypeError);
    as.route(API, (request) => Response.json({ path: new URL(request.url).pathname }));
    assert.deepEqual(await (await as.fetch(new URL(`${API}/x`))).json(), { path: "/x" });
    assert.throws(() => as.route(as.issuer, () => new Response()));
  });

  test("key rotation is seen by the resource-server options at once", async () => {
    const as = await createTestAuthorizationServer();
    const rs = as.resourceServerOptions();
    assert.ok((await verifyAccessToken(call(await as.mintAccessToken()), rs)).ok);
    const { generateSigningKey } = await import("../mod.ts");
    as.signingKeys.publishNext(await generateSigningKey("ES256", { kid: "next" }));
    as.signingKeys.activate("next");
    const token = await as.mintAccessToken();
    assert.equal(JSON.parse(atob(token.split(".")[0]!.replace(/-/g, "+").replace(/_/g, "/"))).kid, "next");
    assert.ok((await verifyAccessToken(call(token), rs)).ok);
    assert.equal(as.jwks.keys.length, 2);
  });

  test("createFakeClock alone: starts where asked, moves in seconds", () => {
    const clock = createFakeClock(new Date("2026-01-01T00:00:00Z"));
    clock.advance(1.5);
    assert.equal(clock.now(), Date.parse("2026-01-01T00:00:01.500Z"));
    clock.set(0);
    assert.equal(clock.now(), 0);
  });
});

describe("tokens from the testing export verify with jose", () => {
  test("jwtVerify with createLocalJWKSet(as.jwks)", async () => {
    const as = await createTestAuthorizationServer();
    const token = await as.mintAccessToken({ scope: "read" });
    const { payload, protectedHeader } = await jose.jwtVerify(token, jose.createLocalJWKSet(as.jwks), {
      issuer: as.issuer,
      audience: API,
      typ: "at+jwt",
      currentDate: new Date(as.clock.now()),
    });
    assert.equal(protectedHeader.alg, "ES256");
    assert.equal(payload.client_id, "test-client");
    assert.equal(payload.scope, "read");
  });

  test("jwtVerify with createRemoteJWKSet over the in-process fetch", async () => {
    const as = await createTestAuthorizationServer({ alg: "EdDSA" });
    const token = await as.mintAccessToken();
    const jwks = jose.createRemoteJWKSet(new URL(as.server.endpoints.jwks!), { [jose.customFetch]: as.fetch });
    const { payload } = await jose.jwtVerify(token, jwks, { issuer: as.issuer, audience: API, currentDate: new Date(as.clock.now()) });
    assert.equal(payload.sub, "test-client");
  });
});

describe("the in-process fetch as a client library's custom fetch", () => {
  test("oauth4webapi: discovery, then the client credentials grant", async () => {
    const as = await createTestAuthorizationServer();
    const options = { [oauth.customFetch]: as.fetch };
    const issuer = new URL(as.issuer);
    const server = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...options, algorithm: "oauth2" }));
    const c: oauth.Client = { client_id: as.client.client_id };
    const response = await oauth.clientCredentialsGrantRequest(
      server,
      c,
      oauth.ClientSecretBasic(as.client.client_secret),
      new URLSearchParams({ scope: "read", resource: API }),
      options,
    );
    const tokens = await oauth.processClientCredentialsResponse(server, c, response);
    assert.ok((await verifyAccessToken(call(tokens.access_token), as.resourceServerOptions())).ok);
  });

  test("openid-client: discovery (oauth2) and clientCredentialsGrant", async () => {
    const as = await createTestAuthorizationServer();
    const config = await client.discovery(
      new URL(as.issuer),
      as.client.client_id,
      undefined,
      client.ClientSecretBasic(as.client.client_secret),
      { algorithm: "oauth2", [client.customFetch]: as.fetch as unknown as client.CustomFetch },
    );
    const tokens = await client.clientCredentialsGrant(config, { scope: "write" });
    assert.equal(tokens.scope, "write");
    assert.ok((await verifyAccessToken(call(tokens.access_token), as.resourceServerOptions(), { scope: "write" })).ok);
  });
});
