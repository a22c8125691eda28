// Interop: tokens obtained by independent client libraries (oauth4webapi, openid-client),
// not by requests we built ourselves. The libraries' fetch is routed to the handler
// in-process, so the full HTTP semantics (headers, encoding, status) are theirs.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as oauth from "oauth4webapi";
import * as client from "openid-client";
import { type ClientRegistration, generateClientSecret, hashClientSecret } from "../mod.ts";
import { ISSUER, routedFetch, testServer, TOKEN_URL as TOKEN_ENDPOINT } from "./support/fixtures.ts";

/** An id and secret that need form-encoding: `:` `+` `%` space `&` `=` and non-ASCII. */
const AWKWARD_ID = "svc:a+b %c&d=é";
const AWKWARD_SECRET = "s3:cr+et %25 &x=y ünï€ " + generateClientSecret();

async function server(): Promise<{ secret: string; fetch: typeof globalThis.fetch }> {
  const secret = generateClientSecret();
  const clients: ClientRegistration[] = [
    { client_id: "basic", client_secret_hash: await hashClientSecret(secret), grant_types: ["client_credentials"], scope: "read write" },
    {
      client_id: "post",
      client_secret_hash: await hashClientSecret(secret),
      token_endpoint_auth_method: "client_secret_post",
      grant_types: ["client_credentials"],
      scope: "read",
    },
    { client_id: AWKWARD_ID, client_secret: AWKWARD_SECRET, grant_types: ["client_credentials"], scope: "read" },
    {
      client_id: AWKWARD_ID + "-post",
      client_secret: AWKWARD_SECRET,
      token_endpoint_auth_method: "client_secret_post",
      grant_types: ["client_credentials"],
      scope: "read",
    },
  ];
  const fetch = routedFetch({ [ISSUER]: testServer({}, clients).fetch });
  return { secret, fetch };
}

describe("oauth4webapi", () => {
  const as: oauth.AuthorizationServer = { issuer: ISSUER, token_endpoint: TOKEN_ENDPOINT };

  async function grant(clientId: string, auth: oauth.ClientAuth, fetch: typeof globalThis.fetch, scope?: string) {
    const c: oauth.Client = { client_id: clientId };
    const params = new URLSearchParams(scope ? { scope } : {});
    const response = await oauth.clientCredentialsGrantRequest(as, c, auth, params, { [oauth.customFetch]: fetch });
    return oauth.processClientCredentialsResponse(as, c, response);
  }

  test("ClientSecretBasic gets a Bearer token with scope and expires_in", async () => {
    const { fetch, secret } = await server();
    const result = await grant("basic", oauth.ClientSecretBasic(secret), fetch, "write");
    assert.equal(result.token_type, "bearer");
    assert.equal(result.scope, "write");
    assert.equal(result.expires_in, 600);
    assert.match(result.access_token, /^[A-Za-z0-9_-]{43}$/);
  });

  test("ClientSecretPost gets a token", async () => {
    const { fetch, secret } = await server();
    const result = await grant("post", oauth.ClientSecretPost(secret), fetch);
    assert.equal(result.scope, "read");
  });

  test("an id and secret that need form-encoding work with both methods", async () => {
    const { fetch } = await server();
    assert.ok((await grant(AWKWARD_ID, oauth.ClientSecretBasic(AWKWARD_SECRET), fetch)).access_token);
    assert.ok((await grant(AWKWARD_ID + "-post", oauth.ClientSecretPost(AWKWARD_SECRET), fetch)).access_token);
  });

  test("a wrong secret surfaces as the RFC error invalid_client with the Basic challenge", async () => {
    const { fetch } = await server();
    await assert.rejects(grant("basic", oauth.ClientSecretBasic("wrong"), fetch), (e: unknown) => {
      assert.ok(e instanceof oauth.ResponseBodyError || e instanceof oauth.WWWAuthenticateChallengeError, String(e));
      if (e instanceof oauth.WWWAuthenticateChallengeError) {
        assert.equal(e.cause[0]?.scheme, "basic");
        assert.equal(e.response.status, 401);
      } else {
        assert.equal((e as oauth.ResponseBodyError).error, "invalid_client");
      }
      return true;
    });
  });

  test("a scope beyond the registration surfaces as invalid_scope", async () => {
    const { fetch, secret } = await server();
    await assert.rejects(grant("basic", oauth.ClientSecretBasic(secret), fetch, "admin"), (e: unknown) => {
      assert.ok(e instanceof oauth.ResponseBodyError);
      assert.equal(e.error, "invalid_scope");
      return true;
    });
  });
});

describe("openid-client", () => {
  function config(clientId: string, auth: client.ClientAuth, fetch: typeof globalThis.fetch): client.Configuration {
    const c = new client.Configuration({ issuer: ISSUER, token_endpoint: TOKEN_ENDPOINT }, clientId, {}, auth);
    c[client.customFetch] = fetch as unknown as client.CustomFetch;
    return c;
  }

  test("clientCredentialsGrant with ClientSecretBasic", async () => {
    const { fetch, secret } = await server();
    const tokens = await client.clientCredentialsGrant(config("basic", client.ClientSecretBasic(secret), fetch), { scope: "read write" });
    assert.equal(tokens.token_type, "bearer");
    assert.equal(tokens.scope, "read write");
    assert.ok(tokens.expiresIn()! > 0);
  });

  test("clientCredentialsGrant with ClientSecretPost", async () => {
    const { fetch, secret } = await server();
    const tokens = await client.clientCredentialsGrant(config("post", client.ClientSecretPost(secret), fetch));
    assert.equal(tokens.scope, "read");
  });

  test("an id and secret that need form-encoding work with Basic", async () => {
    const { fetch } = await server();
    const tokens = await client.clientCredentialsGrant(config(AWKWARD_ID, client.ClientSecretBasic(AWKWARD_SECRET), fetch));
    assert.ok(tokens.access_token);
  });
});
