// Interop for the endpoints around the token endpoint: independent clients discover the
// server (RFC 8414), introspect (RFC 7662) and revoke (RFC 7009) with their own request
// building and response checks. Their fetch is routed to server.fetch in-process.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as oauth from "oauth4webapi";
import * as client from "openid-client";
import { type ClientRegistration, generateClientSecret, hashClientSecret } from "../mod.ts";
import { authServer, routedFetch } from "./support/fixtures.ts";

async function setup(issuer = "https://as.example.com") {
  const secret = generateClientSecret();
  const hash = await hashClientSecret(secret);
  const clients: ClientRegistration[] = [
    { client_id: "svc", client_secret_hash: hash, grant_types: ["client_credentials"], scope: "read write" },
    {
      client_id: "svc-post",
      client_secret_hash: hash,
      token_endpoint_auth_method: "client_secret_post",
      grant_types: ["client_credentials"],
      scope: "read",
    },
    { client_id: "other", client_secret_hash: hash, grant_types: ["client_credentials"], scope: "read" },
  ];
  const { server } = authServer({ issuer }, clients);
  const fetch = routedFetch({ [issuer]: server.fetch });
  return { secret, server, fetch };
}

describe("oauth4webapi", () => {
  async function discover(issuer: string, fetch: typeof globalThis.fetch): Promise<oauth.AuthorizationServer> {
    const url = new URL(issuer);
    const response = await oauth.discoveryRequest(url, { algorithm: "oauth2", [oauth.customFetch]: fetch });
    return oauth.processDiscoveryResponse(url, response);
  }

  async function token(as: oauth.AuthorizationServer, c: oauth.Client, auth: oauth.ClientAuth, fetch: typeof globalThis.fetch) {
    const response = await oauth.clientCredentialsGrantRequest(as, c, auth, new URLSearchParams(), { [oauth.customFetch]: fetch });
    return (await oauth.processClientCredentialsResponse(as, c, response)).access_token;
  }

  for (const issuer of ["https://as.example.com", "https://as.example.com/tenants/t1", "https://as.example.com/tenants/t1/"]) {
    test(`discoveryRequest(algorithm 'oauth2') + processDiscoveryResponse for ${issuer}`, async () => {
      const { fetch } = await setup(issuer);
      const as = await discover(issuer, fetch);
      assert.equal(as.issuer, issuer);
      assert.ok(as.grant_types_supported?.includes("client_credentials"));
      assert.equal(as.token_endpoint, `${issuer.replace(/\/$/, "")}/token`);
    });
  }

  test("discovered endpoints: token, then introspectionRequest + processIntrospectionResponse -> active with its claims", async () => {
    const { fetch, secret } = await setup();
    const as = await discover("https://as.example.com", fetch);
    const c: oauth.Client = { client_id: "svc" };
    const auth = oauth.ClientSecretBasic(secret);
    const at = await token(as, c, auth, fetch);
    const response = await oauth.introspectionRequest(as, c, auth, at, { [oauth.customFetch]: fetch });
    const result = await oauth.processIntrospectionResponse(as, c, response);
    assert.equal(result.active, true);
    assert.equal(result.client_id, "svc");
    assert.equal(result.scope, "read write");
    assert.equal(result.token_type, "Bearer");
    assert.equal(result.iss, "https://as.example.com");
    assert.equal(result.sub, "svc");
    assert.equal(typeof result.exp, "number");
  });

  test("revocationRequest + processRevocationResponse, then the token introspects inactive", async () => {
    const { fetch, secret } = await setup();
    const as = await discover("https://as.example.com", fetch);
    const c: oauth.Client = { client_id: "svc-post" };
    const auth = oauth.ClientSecretPost(secret);
    const at = await token(as, c, auth, fetch);
    const revoked = await oauth.revocationRequest(as, c, auth, at, { [oauth.customFetch]: fetch });
    assert.equal(await oauth.processRevocationResponse(revoked), undefined);
    const response = await oauth.introspectionRequest(as, c, auth, at, { [oauth.customFetch]: fetch });
    assert.deepEqual({ ...(await oauth.processIntrospectionResponse(as, c, response)) }, { active: false });
  });

  test("revoking an unknown token succeeds; revoking another client's token surfaces invalid_grant", async () => {
    const { fetch, secret } = await setup();
    const as = await discover("https://as.example.com", fetch);
    const svc: oauth.Client = { client_id: "svc" };
    const other: oauth.Client = { client_id: "other" };
    const auth = oauth.ClientSecretBasic(secret);
    const unknown = await oauth.revocationRequest(as, svc, auth, "never-issued", { [oauth.customFetch]: fetch });
    await oauth.processRevocationResponse(unknown);
    const at = await token(as, svc, auth, fetch);
    const foreign = await oauth.revocationRequest(as, other, auth, at, { [oauth.customFetch]: fetch });
    await assert.rejects(oauth.processRevocationResponse(foreign), (e: unknown) => {
      assert.ok(e instanceof oauth.ResponseBodyError, String(e));
      assert.equal(e.error, "invalid_grant");
      return true;
    });
  });

  test("introspection with a wrong secret is refused with 401 and the Basic challenge", async () => {
    const { fetch } = await setup();
    const as = await discover("https://as.example.com", fetch);
    const c: oauth.Client = { client_id: "svc" };
    const response = await oauth.introspectionRequest(as, c, oauth.ClientSecretBasic("wrong"), "x", { [oauth.customFetch]: fetch });
    await assert.rejects(oauth.processIntrospectionResponse(as, c, response), (e: unknown) => {
      assert.ok(e instanceof oauth.WWWAuthenticateChallengeError, String(e));
      assert.equal(e.response.status, 401);
      assert.equal(e.cause[0]?.scheme, "basic");
      return true;
    });
  });
});

describe("openid-client", () => {
  test("discovery(algorithm 'oauth2'), clientCredentialsGrant, tokenIntrospection, tokenRevocation", async () => {
    const { fetch, secret } = await setup();
    const config = await client.discovery(new URL("https://as.example.com"), "svc", undefined, client.ClientSecretBasic(secret), {
      algorithm: "oauth2",
      [client.customFetch]: fetch as unknown as client.CustomFetch,
    });
    config[client.customFetch] = fetch as unknown as client.CustomFetch;
    const tokens = await client.clientCredentialsGrant(config, { scope: "read" });
    const introspection = await client.tokenIntrospection(config, tokens.access_token);
    assert.equal(introspection.active, true);
    assert.equal(introspection.scope, "read");
    await client.tokenRevocation(config, tokens.access_token);
    assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, false);
  });
});
