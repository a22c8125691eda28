// Token exchange (RFC 8693) at the token endpoint: the request's parameters and their
// errors (s2.1, s2.2.2), the response (s2.2.1), subject and actor tokens of this server
// (opaque and JWT; revoked, expired, forged, presented by the wrong client), delegation
// in act (s4.1) with chains, may_act (s4.4), a scope and audience never wider than allowed,
// a lifetime never longer than the subject token's, the policy hook and its safe default,
// DPoP, events and metadata.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  createAuthorizationServer,
  handleTokenRequest,
  OAuthError,
  type TokenExchangePolicy,
  type TokenRecord,
} from "../mod.ts";
import { assertOAuthError, assertToken, plantToken } from "./helpers.ts";
import { decodeJwt, signWith, testKey } from "./rs_helpers.ts";
import { dpopKey, proof } from "./dpop_helpers.ts";
import {
  ACCESS_TOKEN,
  AGENT,
  AGENT_CLIENT,
  CI,
  CLIENTS,
  DB,
  DEPLOY,
  type ExchangeServer,
  exchangeServer,
  formBody,
  ISSUER,
  JWT,
  JWT_AGENT,
  JWT_CI,
  NO_EXCHANGE,
  OUTSIDER,
  SECRET,
  SIDECAR_CLIENT,
  TOKEN_EXCHANGE,
  TOOLS,
  TOOLS_CLIENT,
} from "./exchange_helpers.ts";
import { encodeBasicCredentials } from "../mod.ts";
import { sha256 } from "../src/crypto/sha256.ts";
import { encodeBase64Url } from "../src/encoding/base64.ts";
import { issueCertificate } from "./support/certificates.ts";

const now = (s: ExchangeServer) => Math.floor(s.clock.now() / 1000);

/** A CI token meant for the agent (the usual subject token). */
function ciToken(s: ExchangeServer, scope?: string): Promise<string> {
  return s.token(CI.client_id, { resource: AGENT, ...(scope === undefined ? {} : { scope }) });
}

/** A record of a CI token for the agent, planted with whatever delegation claims the test needs. */
function plantCi(s: ExchangeServer, extra: Partial<TokenRecord> = {}): Promise<string> {
  return plantToken(s.store, { client_id: CI.client_id, scope: "deploy read", iat: now(s), exp: now(s) + 600, aud: AGENT, ...extra });
}

/** A JWT access token signed with the server's own key, with the claims the test chose. */
async function ownJwt(s: ExchangeServer, claims: Record<string, unknown>): Promise<string> {
  const key = await testKey("ES256");
  const t = now(s);
  return signWith(key.signer, { alg: "ES256", typ: "at+jwt", kid: key.signer.kid }, {
    iss: ISSUER,
    sub: CI.client_id,
    client_id: CI.client_id,
    aud: AGENT,
    scope: "deploy read",
    iat: t,
    exp: t + 600,
    jti: crypto.randomUUID(),
    ...claims,
  });
}

async function exchanged(res: Response): Promise<Record<string, unknown>> {
  return await assertToken(res);
}

describe("token exchange: a successful exchange (RFC 8693 s2.2.1)", () => {
  test("the agent trades the CI job's token for one to the deployment API: issued_token_type, Bearer, expires_in, scope", async () => {
    const s = await exchangeServer();
    const subject = await ciToken(s);
    const body = await exchanged(await s.exchange(AGENT_CLIENT.client_id, subject, { resource: DEPLOY }));
    assert.deepEqual(Object.keys(body), ["access_token", "issued_token_type", "token_type", "expires_in", "scope"]);
    assert.equal(body.issued_token_type, ACCESS_TOKEN);
    assert.equal(body.token_type, "Bearer");
    assert.equal(body.expires_in, 600);
    assert.equal(body.scope, "deploy read");
    assert.notEqual(body.access_token, subject);
    assert.ok(!("refresh_token" in body));
  });

  test("introspection shows the new token: client_id the exchanging client, sub the subject's, act the actor, aud the new resource", async () => {
    const s = await exchangeServer();
    const body = await exchanged(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s), { resource: DEPLOY }));
    const info = await s.introspect(body.access_token as string);
    assert.equal(info.active, true);
    assert.equal(info.client_id, AGENT_CLIENT.client_id);
    assert.equal(info.sub, CI.client_id);
    assert.deepEqual(info.act, { sub: AGENT_CLIENT.client_id });
    assert.equal(info.aud, DEPLOY);
    assert.equal(info.scope, "deploy read");
  });

  test("the subject token keeps working after the exchange (it is not consumed)", async () => {
    const s = await exchangeServer();
    const subject = await ciToken(s);
    await exchanged(await s.exchange(AGENT_CLIENT.client_id, subject, { resource: DEPLOY }));
    assert.equal((await s.introspect(subject)).active, true);
  });

  test("handleTokenRequest alone exchanges too (no revocation endpoint there)", async () => {
    const s = await exchangeServer();
    const subject = await ciToken(s);
    const options = { ...s.options };
    delete (options as Record<string, unknown>).endpoints;
    const res = await handleTokenRequest(
      new Request(`${ISSUER}/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${encodeBasicCredentials(AGENT_CLIENT.client_id, SECRET)}` },
        body: formBody({ grant_type: TOKEN_EXCHANGE, subject_token: subject, subject_token_type: ACCESS_TOKEN }),
      }),
      options,
    );
    const body = await exchanged(res);
    assert.equal(body.issued_token_type, ACCESS_TOKEN);
  });

  test("the token_issued event names the grant, the subject and the actor, never a token", async () => {
    const s = await exchangeServer();
    const subject = await ciToken(s);
    const body = await exchanged(await s.exchange(AGENT_CLIENT.client_id, subject, { resource: DEPLOY }));
    const issued = s.events.filter((e) => e.type === "token_issued");
    assert.deepEqual(issued.map(({ time: _, ...e }) => e), [
      { type: "token_issued", endpoint: "token", grant_type: "client_credentials", client_id: CI.client_id, scope: "deploy read logs", expires_in: 600, token_type: "Bearer" },
      {
        type: "token_issued",
        endpoint: "token",
        grant_type: TOKEN_EXCHANGE,
        client_id: AGENT_CLIENT.client_id,
        sub: CI.client_id,
        act: { sub: AGENT_CLIENT.client_id },
        scope: "deploy read",
        expires_in: 600,
        token_type: "Bearer",
      },
    ]);
    assert.deepEqual(Object.keys(issued[1]!), ["type", "endpoint", "grant_type", "client_id", "sub", "act", "scope", "expires_in", "token_type", "time"]);
    const log = JSON.stringify(s.events);
    assert.ok(!log.includes(subject) && !log.includes(body.access_token as string), "an event carries a token");
  });

  test("a refused exchange emits token_refused with the error", async () => {
    const s = await exchangeServer();
    await s.exchange(AGENT_CLIENT.client_id, "not-a-token");
    const refused = s.events.filter((e) => e.type === "token_refused");
    assert.equal(refused.length, 1);
    assert.equal((refused[0] as { error: string }).error, "invalid_request");
  });
});

describe("token exchange: the policy and its safe default", () => {
  test("without tokenExchangePolicy the grant is unsupported, and the metadata does not list it", async () => {
    const s = await exchangeServer({ tokenExchangePolicy: undefined });
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s)), 400, "unsupported_grant_type");
    const meta = await (await s.fetch(new Request(`${ISSUER}/.well-known/oauth-authorization-server`))).json() as Record<string, unknown>;
    assert.deepEqual(meta.grant_types_supported, ["client_credentials"]);
  });

  test("with a policy, the metadata lists the grant type (RFC 8414 s2)", async () => {
    const s = await exchangeServer();
    const meta = await (await s.fetch(new Request(`${ISSUER}/.well-known/oauth-authorization-server`))).json() as Record<string, unknown>;
    assert.deepEqual(meta.grant_types_supported, ["client_credentials", TOKEN_EXCHANGE]);
  });

  test("a client whose registration lacks the grant type -> unauthorized_client (RFC 6749 s5.2), the policy not asked", async () => {
    const s = await exchangeServer();
    await assertOAuthError(await s.exchange(NO_EXCHANGE.client_id, await ciToken(s)), 400, "unauthorized_client");
    assert.equal(s.asked.length, 0);
  });

  test("the policy says false -> invalid_request (RFC 8693 s2.2.2: unacceptable by policy), and nothing is stored", async () => {
    const s = await exchangeServer({ tokenExchangePolicy: () => false });
    const subject = await ciToken(s);
    const before = s.store.size;
    const body = await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, subject), 400, "invalid_request");
    assert.match(body.error_description as string, /policy/);
    assert.equal(s.store.size, before);
  });

  for (const answer of ["yes", 1, undefined, null, {}]) {
    test(`only true allows: a policy answering ${JSON.stringify(answer)} refuses`, async () => {
      const s = await exchangeServer({ tokenExchangePolicy: (() => answer) as unknown as TokenExchangePolicy });
      await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s)), 400, "invalid_request");
    });
  }

  test("an asynchronous policy is awaited", async () => {
    const s = await exchangeServer({ tokenExchangePolicy: async (r) => (await Promise.resolve(r.client.client_id)) === "agent" });
    await exchanged(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s)));
    await assertOAuthError(await s.exchange(SIDECAR_CLIENT.client_id, await ciToken(s)), 400, "invalid_request");
  });

  test("the policy sees the verified tokens and the token that would be issued", async () => {
    const s = await exchangeServer();
    const subject = await ciToken(s, "deploy read");
    await exchanged(await s.exchange(AGENT_CLIENT.client_id, subject, { resource: DEPLOY, scope: "read" }));
    assert.equal(s.asked.length, 1);
    const r = s.asked[0]!;
    assert.equal(r.client.client_id, AGENT_CLIENT.client_id);
    assert.equal(r.subject_token_type, ACCESS_TOKEN);
    assert.equal(r.subject_token.iss, ISSUER);
    assert.equal(r.subject_token.sub, CI.client_id);
    assert.equal(r.subject_token.client_id, CI.client_id);
    assert.equal(r.subject_token.scope, "deploy read");
    assert.equal(r.subject_token.aud, AGENT);
    assert.equal(r.actor_token, undefined);
    assert.equal(r.requested_token_type, ACCESS_TOKEN);
    assert.equal(r.sub, CI.client_id);
    assert.equal(r.scope, "read");
    assert.deepEqual(r.resource, [DEPLOY]);
    assert.deepEqual(r.act, { sub: AGENT_CLIENT.client_id });
  });

  test("the policy is asked only once the built-in checks pass (a bad subject token never reaches it)", async () => {
    const s = await exchangeServer();
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, "bogus"), 400, "invalid_request");
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s), { scope: "admin" }), 400, "invalid_scope");
    assert.equal(s.asked.length, 0);
  });

  test("a policy that throws an OAuthError answers with it (e.g. invalid_target)", async () => {
    const s = await exchangeServer({
      tokenExchangePolicy: () => {
        throw new OAuthError("invalid_target", "not toward that API");
      },
    });
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s)), 400, "invalid_target");
  });

  test("a policy that throws anything else fails closed: 500 server_error, no token", async () => {
    const s = await exchangeServer({
      tokenExchangePolicy: () => {
        throw new Error("database down");
      },
    });
    const subject = await ciToken(s);
    const before = s.store.size;
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, subject), 500, "server_error");
    assert.equal(s.store.size, before);
  });

  test("a policy that never answers: 503 temporarily_unavailable after storeTimeoutMs, no token", async () => {
    const s = await exchangeServer({ tokenExchangePolicy: () => new Promise<boolean>(() => {}), storeTimeoutMs: 30 });
    const subject = await ciToken(s);
    const before = s.store.size;
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, subject), 503, "temporarily_unavailable");
    assert.equal(s.store.size, before);
  });

  test("a tokenExchangePolicy that is not a function is a ConfigurationError at start-up", () => {
    assert.throws(
      () => createAuthorizationServer({ issuer: ISSUER, clients: [CI], tokenExchangePolicy: true as unknown as TokenExchangePolicy }),
      { name: "ConfigurationError", message: /tokenExchangePolicy/ },
    );
  });
});

describe("token exchange: request parameters and their errors (RFC 8693 s2.1, s2.2.2)", () => {
  const cases: Array<[string, (subject: string) => Record<string, string | string[]>, string]> = [
    ["no subject_token", () => ({ subject_token_type: ACCESS_TOKEN }), "invalid_request"],
    ["an empty subject_token", () => ({ subject_token: "", subject_token_type: ACCESS_TOKEN }), "invalid_request"],
    ["no subject_token_type", (t) => ({ subject_token: t }), "invalid_request"],
    ["subject_token twice", (t) => ({ subject_token: [t, t], subject_token_type: ACCESS_TOKEN }), "invalid_request"],
    ["subject_token_type twice", (t) => ({ subject_token: t, subject_token_type: [ACCESS_TOKEN, ACCESS_TOKEN] }), "invalid_request"],
    ["actor_token without actor_token_type", (t) => ({ subject_token: t, subject_token_type: ACCESS_TOKEN, actor_token: t }), "invalid_request"],
    ["actor_token_type without actor_token", (t) => ({ subject_token: t, subject_token_type: ACCESS_TOKEN, actor_token_type: ACCESS_TOKEN }), "invalid_request"],
    ["subject_token_type id_token", (t) => ({ subject_token: t, subject_token_type: "urn:ietf:params:oauth:token-type:id_token" }), "invalid_request"],
    ["subject_token_type refresh_token", (t) => ({ subject_token: t, subject_token_type: "urn:ietf:params:oauth:token-type:refresh_token" }), "invalid_request"],
    ["subject_token_type saml2", (t) => ({ subject_token: t, subject_token_type: "urn:ietf:params:oauth:token-type:saml2" }), "invalid_request"],
    ["an unknown subject_token_type", (t) => ({ subject_token: t, subject_token_type: "urn:example:nope" }), "invalid_request"],
    ["an unknown actor_token_type", (t) => ({ subject_token: t, subject_token_type: ACCESS_TOKEN, actor_token: t, actor_token_type: "urn:example:nope" }), "invalid_request"],
    ["requested_token_type refresh_token", (t) => ({ subject_token: t, subject_token_type: ACCESS_TOKEN, requested_token_type: "urn:ietf:params:oauth:token-type:refresh_token" }), "invalid_request"],
    ["requested_token_type id_token", (t) => ({ subject_token: t, subject_token_type: ACCESS_TOKEN, requested_token_type: "urn:ietf:params:oauth:token-type:id_token" }), "invalid_request"],
    ["requested_token_type jwt for a client whose tokens are opaque", (t) => ({ subject_token: t, subject_token_type: ACCESS_TOKEN, requested_token_type: JWT }), "invalid_request"],
    ["a malformed scope", (t) => ({ subject_token: t, subject_token_type: ACCESS_TOKEN, scope: "read  deploy" }), "invalid_scope"],
    ["scope twice", (t) => ({ subject_token: t, subject_token_type: ACCESS_TOKEN, scope: ["read", "deploy"] }), "invalid_request"],
    ["a relative resource", (t) => ({ subject_token: t, subject_token_type: ACCESS_TOKEN, resource: "/deploy" }), "invalid_target"],
  ];
  for (const [name, params, error] of cases) {
    test(`${name} -> 400 ${error}, no token`, async () => {
      const s = await exchangeServer();
      const subject = await ciToken(s);
      const before = s.store.size;
      await assertOAuthError(await s.post("/token", AGENT_CLIENT.client_id, { grant_type: TOKEN_EXCHANGE, ...params(subject) }), 400, error);
      assert.equal(s.store.size, before);
      assert.equal(s.asked.length, 0);
    });
  }

  test("audience may repeat, like resource (one naming each of two allowed resources needs allow_multiple_resources)", async () => {
    const s = await exchangeServer();
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s), { audience: [DEPLOY, TOOLS] }), 400, "invalid_target");
    const multi = await exchangeServer({}, [CI, { ...AGENT_CLIENT, allow_multiple_resources: true }]);
    const body = await exchanged(await multi.exchange(AGENT_CLIENT.client_id, await ciToken(multi), { audience: [DEPLOY, TOOLS] }));
    assert.deepEqual((await multi.introspect(body.access_token as string)).aud, [DEPLOY, TOOLS]);
  });
});

describe("token exchange: subject and actor tokens of this server", () => {
  test("a JWT access token is a subject token, as access_token or as jwt", async () => {
    const s = await exchangeServer();
    const subject = await s.token(JWT_CI.client_id, { resource: AGENT });
    assert.equal(subject.split(".").length, 3);
    for (const type of [ACCESS_TOKEN, JWT]) {
      const body = await exchanged(await s.exchange(AGENT_CLIENT.client_id, subject, { subject_token_type: type, resource: DEPLOY }));
      const info = await s.introspect(body.access_token as string);
      assert.equal(info.sub, JWT_CI.client_id);
      assert.deepEqual(info.act, { sub: AGENT_CLIENT.client_id });
    }
  });

  test("an opaque token declared as jwt -> invalid_request", async () => {
    const s = await exchangeServer();
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s), { subject_token_type: JWT }), 400, "invalid_request");
  });

  test("a revoked opaque subject token -> invalid_request", async () => {
    const s = await exchangeServer();
    const subject = await ciToken(s);
    assert.equal((await s.post("/revoke", CI.client_id, { token: subject })).status, 200);
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, subject), 400, "invalid_request");
  });

  test("a revoked JWT subject token (its jti in the revocation store) -> invalid_request", async () => {
    const s = await exchangeServer();
    const subject = await s.token(JWT_CI.client_id, { resource: AGENT });
    await exchanged(await s.exchange(AGENT_CLIENT.client_id, subject));
    assert.equal((await s.post("/revoke", JWT_CI.client_id, { token: subject })).status, 200);
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, subject), 400, "invalid_request");
  });

  test("an expired subject token, opaque or JWT -> invalid_request", async () => {
    const s = await exchangeServer();
    const opaque = await ciToken(s);
    const jwt = await s.token(JWT_CI.client_id, { resource: AGENT });
    s.clock.advance(600);
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, opaque), 400, "invalid_request");
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, jwt), 400, "invalid_request");
  });

  test("a JWT signed by another key, or by no one, or another issuer's -> invalid_request", async () => {
    const s = await exchangeServer();
    const other = await testKey("ES256", "stranger");
    const t = now(s);
    const claims = { iss: ISSUER, sub: "ci", client_id: "ci", aud: AGENT, scope: "read", iat: t, exp: t + 600, jti: "j1" };
    const forged = await signWith(other.signer, { alg: "ES256", typ: "at+jwt", kid: (await testKey("ES256")).signer.kid }, claims);
    const unsigned = `${forged.split(".").slice(0, 2).join(".")}.`;
    const foreign = await ownJwt(s, { iss: "https://elsewhere.example.com" });
    for (const token of [forged, unsigned, foreign, "a.b.c", "x".repeat(43)]) {
      await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, token), 400, "invalid_request");
    }
  });

  test("a token meant neither for the exchanging client nor issued to it -> invalid_request, the same answer as for an unknown token", async () => {
    const s = await exchangeServer();
    const stolen = await ciToken(s);
    const a = await assertOAuthError(await s.exchange(OUTSIDER.client_id, stolen), 400, "invalid_request");
    const b = await assertOAuthError(await s.exchange(OUTSIDER.client_id, "x".repeat(43)), 400, "invalid_request");
    assert.deepEqual(a, b);
  });

  test("a client may exchange its own token: no act (it acts for itself), sub the client", async () => {
    const s = await exchangeServer();
    const own = await s.token(OUTSIDER.client_id, { resource: DEPLOY });
    const body = await exchanged(await s.exchange(OUTSIDER.client_id, own, { scope: "read" }));
    const info = await s.introspect(body.access_token as string, OUTSIDER.client_id);
    assert.equal(info.sub, OUTSIDER.client_id);
    assert.equal(info.act, undefined);
    assert.equal(info.scope, "read");
  });

  test("an actor_token that is the client's own token: the actor is its subject", async () => {
    const s = await exchangeServer();
    const own = await s.token(AGENT_CLIENT.client_id, { resource: DEPLOY });
    const body = await exchanged(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s), { actor_token: own, actor_token_type: ACCESS_TOKEN }));
    const info = await s.introspect(body.access_token as string);
    assert.deepEqual(info.act, { sub: AGENT_CLIENT.client_id });
    assert.equal(s.asked[0]!.actor_token?.sub, AGENT_CLIENT.client_id);
    assert.equal(s.asked[0]!.actor_token_type, ACCESS_TOKEN);
  });

  test("an actor_token issued to another client (even one meant for the exchanger) -> invalid_request", async () => {
    const s = await exchangeServer();
    const notMine = await ciToken(s);
    await assertOAuthError(
      await s.exchange(AGENT_CLIENT.client_id, await ciToken(s), { actor_token: notMine, actor_token_type: ACCESS_TOKEN }),
      400,
      "invalid_request",
    );
  });

  test("an actor_token that is itself delegated -> invalid_request", async () => {
    const s = await exchangeServer();
    const delegated = (await exchanged(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s)))).access_token as string;
    await assertOAuthError(
      await s.exchange(AGENT_CLIENT.client_id, await ciToken(s), { actor_token: delegated, actor_token_type: ACCESS_TOKEN }),
      400,
      "invalid_request",
    );
  });

  test("a revoked or expired actor_token -> invalid_request", async () => {
    const s = await exchangeServer();
    const own = await s.token(AGENT_CLIENT.client_id, { resource: DEPLOY });
    assert.equal((await s.post("/revoke", AGENT_CLIENT.client_id, { token: own })).status, 200);
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s), { actor_token: own, actor_token_type: ACCESS_TOKEN }), 400, "invalid_request");
  });

  test("a subject token with a malformed act or may_act is not accepted (JWT)", async () => {
    const s = await exchangeServer();
    for (const claims of [{ act: "agent" }, { act: { iss: ISSUER } }, { may_act: ["agent"] }, { may_act: {} }, { may_act: { sub: 7 } }]) {
      await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await ownJwt(s, claims)), 400, "invalid_request");
    }
  });
});

describe("token exchange: delegation recorded in act (RFC 8693 s4.1)", () => {
  test("two exchanges give a nested act: the current actor outside, the first inside", async () => {
    const s = await exchangeServer();
    const first = await exchanged(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s), { resource: TOOLS }));
    const second = await exchanged(await s.exchange(TOOLS_CLIENT.client_id, first.access_token as string, { resource: DB }));
    const info = await s.introspect(second.access_token as string, TOOLS_CLIENT.client_id);
    assert.equal(info.sub, CI.client_id);
    assert.equal(info.client_id, TOOLS_CLIENT.client_id);
    assert.deepEqual(info.act, { sub: TOOLS_CLIENT.client_id, act: { sub: AGENT_CLIENT.client_id } });
    assert.equal(info.aud, DB);
  });

  test("the same actor exchanging its delegated token again is not named twice", async () => {
    const s = await exchangeServer();
    const first = await exchanged(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s), { resource: TOOLS }));
    const again = await exchanged(await s.exchange(AGENT_CLIENT.client_id, first.access_token as string, { resource: DEPLOY, scope: "read" }));
    assert.deepEqual((await s.introspect(again.access_token as string)).act, { sub: AGENT_CLIENT.client_id });
  });

  test("the chain of a subject token is kept with identity claims only; other issuers' actors keep their iss", async () => {
    const s = await exchangeServer();
    const subject = await plantCi(s, {
      act: { sub: "runner", iss: "https://ci.example.org", exp: 1, aud: "x", act: { sub: "scheduler", nbf: 2 } },
    });
    const body = await exchanged(await s.exchange(AGENT_CLIENT.client_id, subject));
    assert.deepEqual((await s.introspect(body.access_token as string)).act, {
      sub: AGENT_CLIENT.client_id,
      act: { sub: "runner", iss: "https://ci.example.org", act: { sub: "scheduler" } },
    });
  });

  test("a chain is refused past 10 actors rather than grown", async () => {
    const s = await exchangeServer();
    const chain = (n: number): TokenRecord["act"] => {
      let act: TokenRecord["act"] = undefined;
      for (let i = n; i >= 1; i--) act = { sub: `actor-${i}`, ...(act === undefined ? {} : { act }) };
      return act;
    };
    const nine = await exchanged(await s.exchange(AGENT_CLIENT.client_id, await plantCi(s, { act: chain(9) })));
    let depth = 0;
    for (let a = (await s.introspect(nine.access_token as string)).act as { act?: unknown } | undefined; a; a = a.act as typeof a) depth++;
    assert.equal(depth, 10);
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await plantCi(s, { act: chain(10) })), 400, "invalid_request");
  });
});

describe("token exchange: may_act (RFC 8693 s4.4)", () => {
  test("an opaque subject token whose may_act names the agent: the agent may exchange it, another resource server may not", async () => {
    const s = await exchangeServer();
    const subject = await plantCi(s, { may_act: { sub: AGENT_CLIENT.client_id } });
    const body = await exchanged(await s.exchange(AGENT_CLIENT.client_id, subject));
    assert.deepEqual((await s.introspect(body.access_token as string)).act, { sub: AGENT_CLIENT.client_id });
    const refused = await assertOAuthError(await s.exchange(SIDECAR_CLIENT.client_id, subject), 400, "invalid_request");
    assert.match(refused.error_description as string, /may_act/);
  });

  test("a JWT subject token's may_act is honoured and refused alike", async () => {
    const s = await exchangeServer();
    const subject = await ownJwt(s, { may_act: { sub: AGENT_CLIENT.client_id } });
    await exchanged(await s.exchange(AGENT_CLIENT.client_id, subject));
    await assertOAuthError(await s.exchange(SIDECAR_CLIENT.client_id, subject), 400, "invalid_request");
  });

  test("introspection shows may_act", async () => {
    const s = await exchangeServer();
    const subject = await plantCi(s, { may_act: { sub: AGENT_CLIENT.client_id } });
    assert.deepEqual((await s.introspect(subject)).may_act, { sub: AGENT_CLIENT.client_id });
  });

  test("every member must match: iss (default the subject token's issuer) and client_id", async () => {
    const s = await exchangeServer();
    await exchanged(await s.exchange(AGENT_CLIENT.client_id, await plantCi(s, { may_act: { sub: "agent", iss: ISSUER, client_id: "agent" } })));
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await plantCi(s, { may_act: { sub: "agent", iss: "https://other.example.com" } })), 400, "invalid_request");
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await plantCi(s, { may_act: { client_id: "sidecar" } })), 400, "invalid_request");
  });

  test("a member this server cannot check fails closed", async () => {
    const s = await exchangeServer();
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await plantCi(s, { may_act: { sub: "agent", email: "agent@example.com" } })), 400, "invalid_request");
  });

  test("may_act is matched against the actor_token's subject when one is presented", async () => {
    const s = await exchangeServer();
    const subject = await plantCi(s, { may_act: { sub: AGENT_CLIENT.client_id } });
    const own = await s.token(AGENT_CLIENT.client_id, { resource: DEPLOY });
    await exchanged(await s.exchange(AGENT_CLIENT.client_id, subject, { actor_token: own, actor_token_type: ACCESS_TOKEN }));
  });

  test("the subject exchanging its own token needs no may_act permission", async () => {
    const s = await exchangeServer();
    const own = await plantToken(s.store, {
      client_id: OUTSIDER.client_id, scope: "read", iat: now(s), exp: now(s) + 600, may_act: { sub: "someone-else" },
    });
    const body = await exchanged(await s.exchange(OUTSIDER.client_id, own));
    assert.equal((await s.introspect(body.access_token as string, OUTSIDER.client_id)).act, undefined);
  });
});

describe("token exchange: the scope is never wider", () => {
  test("requested beyond the subject token's scope (though registered for the client) -> invalid_scope", async () => {
    const s = await exchangeServer();
    const body = await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s, "read"), { scope: "deploy" }), 400, "invalid_scope");
    assert.match(body.error_description as string, /subject token/);
  });

  test("requested beyond the client's registration (though the subject token has it) -> invalid_scope", async () => {
    const s = await exchangeServer();
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s), { scope: "logs" }), 400, "invalid_scope");
  });

  test("no scope requested: the subject token's scope narrowed to the client's registration", async () => {
    const s = await exchangeServer();
    const body = await exchanged(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s, "deploy read logs")));
    assert.equal(body.scope, "deploy read");
  });

  test("no scope requested: never the client's own default or registered scope beyond the subject token's", async () => {
    const s = await exchangeServer();
    const body = await exchanged(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s, "read")));
    assert.equal(body.scope, "read");
  });

  test("nothing in common -> invalid_scope, not a token without scope", async () => {
    const s = await exchangeServer();
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s, "logs")), 400, "invalid_scope");
  });

  test("a subject token without scope gives a token without scope, and asking for one is invalid_scope", async () => {
    const s = await exchangeServer();
    const none = await plantCi(s, { scope: "" });
    const body = await exchanged(await s.exchange(AGENT_CLIENT.client_id, none));
    assert.ok(!("scope" in body));
    assert.equal((await s.introspect(body.access_token as string)).scope, undefined);
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, none, { scope: "read" }), 400, "invalid_scope");
  });

  test("a second exchange cannot win back scope the first dropped", async () => {
    const s = await exchangeServer();
    const first = await exchanged(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s), { resource: TOOLS, scope: "read" }));
    await assertOAuthError(await s.exchange(TOOLS_CLIENT.client_id, first.access_token as string, { scope: "deploy" }), 400, "invalid_scope");
    const second = await exchanged(await s.exchange(TOOLS_CLIENT.client_id, first.access_token as string));
    assert.equal(second.scope, "read");
  });

  test("a wider actor_token does not widen it", async () => {
    const s = await exchangeServer();
    const own = await s.token(AGENT_CLIENT.client_id, { resource: DEPLOY, scope: "deploy read write" });
    const params = { actor_token: own, actor_token_type: ACCESS_TOKEN };
    const body = await exchanged(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s, "read"), params));
    assert.equal(body.scope, "read");
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s, "read"), { ...params, scope: "write" }), 400, "invalid_scope");
  });

  test("the audience narrows it further (resourceScopes, RFC 8707 s2.2), and the response says so", async () => {
    const s = await exchangeServer({ resourceScopes: { [DEPLOY]: ["deploy"] } });
    const body = await exchanged(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s, "deploy read"), { resource: DEPLOY }));
    assert.equal(body.scope, "deploy");
  });
});

describe("token exchange: the audience is among the allowed resources (RFC 8707, RFC 8693 s2.2.2)", () => {
  test("a resource outside the client's allowed_resources -> invalid_target", async () => {
    const s = await exchangeServer();
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s), { resource: DB }), 400, "invalid_target");
  });

  test("the subject token's own audience is not inherited: the agent cannot ask for AGENT", async () => {
    const s = await exchangeServer();
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s), { resource: AGENT }), 400, "invalid_target");
  });

  test("audience names a resource by its indicator; a logical name that is none -> invalid_target", async () => {
    const s = await exchangeServer();
    const body = await exchanged(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s), { audience: TOOLS }));
    assert.equal((await s.introspect(body.access_token as string)).aud, TOOLS);
    for (const audience of ["deploy-api", "urn:example:unknown", DB]) {
      await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s), { audience }), 400, "invalid_target");
    }
  });

  test("without resource or audience: the client's default_resource", async () => {
    const s = await exchangeServer();
    const body = await exchanged(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s)));
    assert.equal((await s.introspect(body.access_token as string)).aud, DEPLOY);
  });
});

describe("token exchange: lifetime (never longer than the tokens it rests on)", () => {
  test("expires_in is cut to the subject token's remaining life, and exp is the subject's", async () => {
    const s = await exchangeServer();
    const subject = await ciToken(s);
    const subjectExp = (await s.introspect(subject)).exp;
    s.clock.advance(500);
    const body = await exchanged(await s.exchange(AGENT_CLIENT.client_id, subject));
    assert.equal(body.expires_in, 100);
    assert.equal((await s.introspect(body.access_token as string)).exp, subjectExp);
  });

  test("and to the actor token's, when that ends sooner", async () => {
    const s = await exchangeServer();
    const own = await s.token(AGENT_CLIENT.client_id, { resource: DEPLOY });
    s.clock.advance(300);
    const subject = await ciToken(s);
    s.clock.advance(100);
    const body = await exchanged(await s.exchange(AGENT_CLIENT.client_id, subject, { actor_token: own, actor_token_type: ACCESS_TOKEN }));
    assert.equal(body.expires_in, 200);
  });

  test("a longer subject token does not lengthen it past accessTokenLifetime", async () => {
    const s = await exchangeServer({ accessTokenLifetime: 60 });
    const body = await exchanged(await s.exchange(AGENT_CLIENT.client_id, await plantCi(s, { exp: now(s) + 3600 })));
    assert.equal(body.expires_in, 60);
  });
});

describe("token exchange: JWT access tokens (RFC 9068 with act)", () => {
  test("requested_token_type jwt for a JWT client: issued_token_type jwt, and the JWT carries sub, client_id, act", async () => {
    const s = await exchangeServer();
    const subject = await ciToken(s);
    const body = await exchanged(await s.exchange(JWT_AGENT.client_id, subject, { requested_token_type: JWT, resource: DEPLOY }));
    assert.equal(body.issued_token_type, JWT);
    const { header, claims } = decodeJwt(body.access_token as string);
    assert.equal(header.typ, "at+jwt");
    assert.equal(claims.sub, CI.client_id);
    assert.equal(claims.client_id, JWT_AGENT.client_id);
    assert.deepEqual(claims.act, { sub: JWT_AGENT.client_id });
    assert.equal(claims.aud, DEPLOY);
    assert.equal(claims.scope, "deploy read");
    assert.equal((claims.exp as number) - (claims.iat as number), body.expires_in);
  });

  test("a JWT client asking for an access_token gets a JWT described as an access token", async () => {
    const s = await exchangeServer();
    const body = await exchanged(await s.exchange(JWT_AGENT.client_id, await ciToken(s)));
    assert.equal(body.issued_token_type, ACCESS_TOKEN);
    assert.equal((body.access_token as string).split(".").length, 3);
  });

  test("an exchanged JWT introspects with its act, and can itself be exchanged: nested act", async () => {
    const s = await exchangeServer();
    const first = await exchanged(await s.exchange(JWT_AGENT.client_id, await ciToken(s), { resource: TOOLS }));
    assert.deepEqual((await s.introspect(first.access_token as string, JWT_AGENT.client_id)).act, { sub: JWT_AGENT.client_id });
    const second = await exchanged(await s.exchange(TOOLS_CLIENT.client_id, first.access_token as string, { subject_token_type: JWT }));
    assert.deepEqual((await s.introspect(second.access_token as string, TOOLS_CLIENT.client_id)).act, {
      sub: TOOLS_CLIENT.client_id,
      act: { sub: JWT_AGENT.client_id },
    });
  });
});

describe("token exchange: DPoP (RFC 9449)", () => {
  const htu = `${ISSUER}/token`;

  test("an exchange with a DPoP proof gives a DPoP-bound token", async () => {
    const s = await exchangeServer();
    const key = await dpopKey("ES256", "exchange");
    const body = await exchanged(await s.exchange(AGENT_CLIENT.client_id, await ciToken(s), {}, { dpop: await proof(key, s.clock.now(), { htu }) }));
    assert.equal(body.token_type, "DPoP");
    const info = await s.introspect(body.access_token as string);
    assert.equal(info.token_type, "DPoP");
    assert.deepEqual(info.cnf, { jkt: key.jkt });
  });

  test("a DPoP-bound subject token is exchanged only with a proof by its key", async () => {
    const s = await exchangeServer();
    const key = await dpopKey("ES256", "holder");
    const other = await dpopKey("ES256", "thief");
    const res = await s.post("/token", OUTSIDER.client_id, { grant_type: "client_credentials" }, { dpop: await proof(key, s.clock.now(), { htu }) });
    const bound = (await exchanged(res)).access_token as string;
    await assertOAuthError(await s.exchange(OUTSIDER.client_id, bound), 400, "invalid_request");
    await assertOAuthError(await s.exchange(OUTSIDER.client_id, bound, {}, { dpop: await proof(other, s.clock.now(), { htu }) }), 400, "invalid_request");
    const body = await exchanged(await s.exchange(OUTSIDER.client_id, bound, {}, { dpop: await proof(key, s.clock.now(), { htu }) }));
    assert.equal(body.token_type, "DPoP");
    assert.deepEqual((await s.introspect(body.access_token as string, OUTSIDER.client_id)).cnf, { jkt: key.jkt });
  });

  test("with DPoP off, a bound subject token cannot be exchanged at all", async () => {
    const s = await exchangeServer({ dpop: false });
    const bound = await plantToken(s.store, { client_id: OUTSIDER.client_id, scope: "read", iat: now(s), exp: now(s) + 600, cnf: { jkt: "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I" } });
    await assertOAuthError(await s.exchange(OUTSIDER.client_id, bound), 400, "invalid_request");
  });
});

const certificates = {
  holder: await issueCertificate({ subject: [["CN", "holder"]], alg: "ES256" }),
  thief: await issueCertificate({ subject: [["CN", "thief"]], alg: "ES256" }),
};

describe("token exchange: certificate-bound subject tokens (RFC 8705 s3)", () => {
  const x5t = encodeBase64Url(sha256(certificates.holder.der));
  // The test's TLS layer: the header names which certificate the connection presented.
  const clientCertificate = (r: Request) => {
    const which = r.headers.get("x-test-connection-certificate");
    return which === "holder" ? certificates.holder.der : which === "thief" ? certificates.thief.der : undefined;
  };
  const planted = (s: ExchangeServer) =>
    plantToken(s.store, { client_id: OUTSIDER.client_id, scope: "read", iat: now(s), exp: now(s) + 600, cnf: { "x5t#S256": x5t } });

  test("exchanged only over the certificate it is bound to; the new token is bound to it as well", async () => {
    const s = await exchangeServer({ clientCertificate });
    const bound = await planted(s);
    // Without a certificate, or over another one: a stolen bound token cannot become a bearer one.
    await assertOAuthError(await s.exchange(OUTSIDER.client_id, bound), 400, "invalid_request");
    await assertOAuthError(await s.exchange(OUTSIDER.client_id, bound, {}, { "x-test-connection-certificate": "thief" }), 400, "invalid_request");
    const body = await exchanged(await s.exchange(OUTSIDER.client_id, bound, {}, { "x-test-connection-certificate": "holder" }));
    assert.equal(body.token_type, "Bearer");
    assert.deepEqual((await s.introspect(body.access_token as string, OUTSIDER.client_id)).cnf, { "x5t#S256": x5t });
  });

  test("a server that reads no certificates cannot exchange a certificate-bound token at all", async () => {
    const s = await exchangeServer();
    await assertOAuthError(await s.exchange(OUTSIDER.client_id, await planted(s), {}, { "x-test-connection-certificate": "holder" }), 400, "invalid_request");
  });
});
