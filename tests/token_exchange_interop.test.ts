// Interop for token exchange (RFC 8693): independent client libraries make the exchanges
// (openid-client's genericGrantRequest, oauth4webapi's genericTokenEndpointRequest), read
// the response, introspect the result, and jose verifies an exchanged JWT and its act claim
// against the server's JWK Set. The libraries' fetch is routed to the server in-process.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as oauth from "oauth4webapi";
import * as client from "openid-client";
import * as jose from "jose";
import {
  ACCESS_TOKEN,
  AGENT,
  AGENT_CLIENT,
  CI,
  DB,
  DEPLOY,
  exchangeServer,
  ISSUER,
  JWT,
  JWT_AGENT,
  SECRET,
  TOKEN_EXCHANGE,
  TOOLS,
  TOOLS_CLIENT,
} from "./exchange_helpers.ts";

const metadata = {
  issuer: ISSUER,
  token_endpoint: `${ISSUER}/token`,
  introspection_endpoint: `${ISSUER}/introspect`,
  jwks_uri: `${ISSUER}/jwks`,
};

/** The server (its clock starts at the real time, which the libraries use) and a fetch routed to it. */
async function world() {
  const s = await exchangeServer();
  const fetch = ((input: RequestInfo | URL, init?: RequestInit) => s.fetch(new Request(input, init))) as typeof globalThis.fetch;
  return { s, fetch };
}

function config(id: string, fetch: typeof globalThis.fetch): client.Configuration {
  const c = new client.Configuration(metadata, id, {}, client.ClientSecretBasic(SECRET));
  c[client.customFetch] = fetch as unknown as client.CustomFetch;
  return c;
}

describe("openid-client: genericGrantRequest with the token-exchange grant", () => {
  test("the agent exchanges the CI job's token (got with clientCredentialsGrant) and introspects the result", async () => {
    const { fetch } = await world();
    const ci = await client.clientCredentialsGrant(config(CI.client_id, fetch), { scope: "deploy read", resource: AGENT });
    const agent = config(AGENT_CLIENT.client_id, fetch);
    const tokens = await client.genericGrantRequest(agent, TOKEN_EXCHANGE, {
      subject_token: ci.access_token,
      subject_token_type: ACCESS_TOKEN,
      resource: DEPLOY,
      scope: "deploy",
    });
    assert.equal(tokens.issued_token_type, ACCESS_TOKEN);
    assert.equal(tokens.token_type, "bearer");
    assert.equal(tokens.scope, "deploy");
    assert.ok(tokens.expiresIn()! > 0 && tokens.expiresIn()! <= 600);
    const info = await client.tokenIntrospection(agent, tokens.access_token);
    assert.equal(info.active, true);
    assert.equal(info.sub, CI.client_id);
    assert.equal(info.client_id, AGENT_CLIENT.client_id);
    assert.deepEqual(info.act, { sub: AGENT_CLIENT.client_id });
    assert.equal(info.aud, DEPLOY);
  });

  test("a chain of two exchanges gives a nested act", async () => {
    const { fetch } = await world();
    const ci = await client.clientCredentialsGrant(config(CI.client_id, fetch), { resource: AGENT });
    const first = await client.genericGrantRequest(config(AGENT_CLIENT.client_id, fetch), TOKEN_EXCHANGE, {
      subject_token: ci.access_token,
      subject_token_type: ACCESS_TOKEN,
      audience: TOOLS,
    });
    const tools = config(TOOLS_CLIENT.client_id, fetch);
    const second = await client.genericGrantRequest(tools, TOKEN_EXCHANGE, {
      subject_token: first.access_token,
      subject_token_type: ACCESS_TOKEN,
      resource: DB,
    });
    const info = await client.tokenIntrospection(tools, second.access_token);
    assert.equal(info.sub, CI.client_id);
    assert.deepEqual(info.act, { sub: TOOLS_CLIENT.client_id, act: { sub: AGENT_CLIENT.client_id } });
  });

  test("with a DPoP handle the exchanged token is DPoP-bound", async () => {
    const { fetch } = await world();
    const ci = await client.clientCredentialsGrant(config(CI.client_id, fetch), { resource: AGENT });
    const agent = config(AGENT_CLIENT.client_id, fetch);
    const keyPair = await client.randomDPoPKeyPair("ES256");
    const tokens = await client.genericGrantRequest(
      agent,
      TOKEN_EXCHANGE,
      { subject_token: ci.access_token, subject_token_type: ACCESS_TOKEN },
      { DPoP: client.getDPoPHandle(agent, keyPair) },
    );
    assert.equal(tokens.token_type, "dpop");
    const info = await client.tokenIntrospection(agent, tokens.access_token);
    assert.equal(info.token_type, "DPoP");
    assert.equal((info.cnf as { jkt: string }).jkt, await jose.calculateJwkThumbprint(await jose.exportJWK(keyPair.publicKey)));
  });

  test("an error surfaces as the RFC error: a revoked subject token is invalid_request", async () => {
    const { fetch, s } = await world();
    const ci = await client.clientCredentialsGrant(config(CI.client_id, fetch), { resource: AGENT });
    await s.post("/revoke", CI.client_id, { token: ci.access_token });
    await assert.rejects(
      client.genericGrantRequest(config(AGENT_CLIENT.client_id, fetch), TOKEN_EXCHANGE, {
        subject_token: ci.access_token,
        subject_token_type: ACCESS_TOKEN,
      }),
      (e: unknown) => {
        assert.ok(e instanceof client.ResponseBodyError, String(e));
        assert.equal(e.error, "invalid_request");
        assert.equal(e.status, 400);
        return true;
      },
    );
  });
});

describe("oauth4webapi: genericTokenEndpointRequest with the token-exchange grant", () => {
  const as: oauth.AuthorizationServer = metadata;

  async function exchange(fetch: typeof globalThis.fetch, id: string, params: Record<string, string>) {
    const c: oauth.Client = { client_id: id };
    const response = await oauth.genericTokenEndpointRequest(as, c, oauth.ClientSecretBasic(SECRET), TOKEN_EXCHANGE, params, {
      [oauth.customFetch]: fetch,
    });
    return oauth.processGenericTokenEndpointResponse(as, c, response);
  }

  test("an exchange with an actor_token: issued_token_type, scope, and act naming the actor", async () => {
    const { fetch, s } = await world();
    const subject = await s.token(CI.client_id, { resource: AGENT });
    const actor = await s.token(AGENT_CLIENT.client_id, { resource: DEPLOY });
    const result = await exchange(fetch, AGENT_CLIENT.client_id, {
      subject_token: subject,
      subject_token_type: ACCESS_TOKEN,
      actor_token: actor,
      actor_token_type: ACCESS_TOKEN,
      scope: "read",
    });
    assert.equal(result.issued_token_type, ACCESS_TOKEN);
    assert.equal(result.token_type, "bearer");
    assert.equal(result.scope, "read");
    const info = await s.introspect(result.access_token);
    assert.deepEqual(info.act, { sub: AGENT_CLIENT.client_id });
  });

  test("a JWT requested as jwt: issued_token_type jwt, and jose verifies it and its act against the JWK Set", async () => {
    const { fetch, s } = await world();
    const subject = await s.token(CI.client_id, { resource: AGENT });
    const result = await exchange(fetch, JWT_AGENT.client_id, {
      subject_token: subject,
      subject_token_type: ACCESS_TOKEN,
      requested_token_type: JWT,
      resource: DEPLOY,
    });
    assert.equal(result.issued_token_type, JWT);
    const jwks = await (await fetch(`${ISSUER}/jwks`)).json() as jose.JSONWebKeySet;
    const { payload, protectedHeader } = await jose.jwtVerify(result.access_token, jose.createLocalJWKSet(jwks), {
      issuer: ISSUER,
      audience: DEPLOY,
      typ: "at+jwt",
      currentDate: new Date(s.clock.now()),
    });
    assert.equal(protectedHeader.typ, "at+jwt");
    assert.equal(payload.sub, CI.client_id);
    assert.equal(payload.client_id, JWT_AGENT.client_id);
    assert.deepEqual(payload.act, { sub: JWT_AGENT.client_id });
  });

  test("a scope beyond the subject token's surfaces as invalid_scope", async () => {
    const { fetch, s } = await world();
    const subject = await s.token(CI.client_id, { resource: AGENT, scope: "read" });
    await assert.rejects(exchange(fetch, AGENT_CLIENT.client_id, { subject_token: subject, subject_token_type: ACCESS_TOKEN, scope: "deploy" }), (e: unknown) => {
      assert.ok(e instanceof oauth.ResponseBodyError, String(e));
      assert.equal(e.error, "invalid_scope");
      return true;
    });
  });
});
