// The resource server and delegated tokens (RFC 8693 s4.1): verifyAccessToken exposes the
// act claim and the actor chain, current actor first, for JWTs verified against the JWK Set,
// opaque tokens found in the token store and opaque tokens introspected; a token whose act
// cannot be read is refused.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  type AccessGranted,
  type AccessTokenVerification,
  type ResourceServerOptions,
  verifyAccessToken,
} from "../src/resource_server/mod.ts";
import { apiRequest, signWith, testKey } from "./rs_helpers.ts";
import {
  AGENT,
  AGENT_CLIENT,
  CI,
  DB,
  exchangeServer,
  ISSUER,
  JWT_AGENT,
  TOOLS,
  TOOLS_CLIENT,
} from "./exchange_helpers.ts";
import { assertToken } from "./helpers.ts";

function granted(result: AccessTokenVerification): AccessGranted {
  assert.equal(result.ok, true, result.ok ? "" : `refused: ${result.error?.error_description}`);
  return result as AccessGranted;
}

/** The CI token, exchanged by the agent for TOOLS, then by the tool server for DB: two actors. */
async function chain() {
  const s = await exchangeServer();
  const subject = await s.token(CI.client_id, { resource: AGENT });
  const first = await assertToken(await s.exchange(AGENT_CLIENT.client_id, subject, { resource: TOOLS }));
  const second = await assertToken(await s.exchange(TOOLS_CLIENT.client_id, first.access_token as string, { resource: DB }));
  return { s, subject, token: second.access_token as string };
}

const at = (resource: string, token: string) => apiRequest(token, { url: `${resource}/data` });

describe("verifyAccessToken exposes act", () => {
  test("an opaque token in the shared token store: claims.act nested, actors current first", async () => {
    const { s, token } = await chain();
    const rs: ResourceServerOptions = { resource: DB, issuer: ISSUER, tokenStore: s.store, clock: s.clock.now };
    const result = granted(await verifyAccessToken(at(DB, token), rs));
    assert.equal(result.claims.sub, CI.client_id);
    assert.equal(result.claims.client_id, TOOLS_CLIENT.client_id);
    assert.deepEqual(result.claims.act, { sub: TOOLS_CLIENT.client_id, act: { sub: AGENT_CLIENT.client_id } });
    assert.deepEqual(result.actors, [{ sub: TOOLS_CLIENT.client_id }, { sub: AGENT_CLIENT.client_id }]);
  });

  test("an opaque token checked by introspection at the server", async () => {
    const { s, token } = await chain();
    const rs: ResourceServerOptions = {
      resource: DB,
      issuer: ISSUER,
      clock: s.clock.now,
      introspect: async (t) => await (await s.post("/introspect", TOOLS_CLIENT.client_id, { token: t })).json(),
    };
    const result = granted(await verifyAccessToken(at(DB, token), rs));
    assert.deepEqual(result.actors.map((a) => a.sub), [TOOLS_CLIENT.client_id, AGENT_CLIENT.client_id]);
  });

  test("a JWT verified against the server's keys", async () => {
    const s = await exchangeServer();
    const subject = await s.token(CI.client_id, { resource: AGENT });
    const body = await assertToken(await s.exchange(JWT_AGENT.client_id, subject, { resource: TOOLS }));
    const rs: ResourceServerOptions = { resource: TOOLS, issuer: ISSUER, jwks: s.keys, clock: s.clock.now };
    const result = granted(await verifyAccessToken(at(TOOLS, body.access_token as string), rs));
    assert.equal(result.claims.sub, CI.client_id);
    assert.deepEqual(result.claims.act, { sub: JWT_AGENT.client_id });
    assert.deepEqual(result.actors, [{ sub: JWT_AGENT.client_id }]);
  });

  test("a token its subject uses itself has no act and no actors", async () => {
    const s = await exchangeServer();
    const token = await s.token(CI.client_id, { resource: AGENT });
    const result = granted(await verifyAccessToken(at(AGENT, token), { resource: AGENT, tokenStore: s.store, clock: s.clock.now }));
    assert.equal(result.claims.act, undefined);
    assert.deepEqual(result.actors, []);
  });

  test("a JWT whose act is malformed is refused as invalid_token", async () => {
    const key = await testKey("ES256");
    const t = Math.floor(Date.now() / 1000);
    const claims = { iss: ISSUER, sub: "ci", client_id: "agent", aud: TOOLS, iat: t, exp: t + 600, jti: crypto.randomUUID() };
    const rs: ResourceServerOptions = { resource: TOOLS, issuer: ISSUER, jwks: { keys: [key.publicJwk!] } };
    for (const act of ["agent", { iss: ISSUER }, { sub: "" }, { sub: "agent", act: [] }, { sub: "agent", iss: 1 }]) {
      const token = await signWith(key.signer, { alg: "ES256", typ: "at+jwt", kid: key.signer.kid }, { ...claims, act });
      const result = await verifyAccessToken(at(TOOLS, token), rs);
      assert.equal(result.ok, false, JSON.stringify(act));
      assert.equal(!result.ok && result.error?.error, "invalid_token");
    }
    const good = await signWith(key.signer, { alg: "ES256", typ: "at+jwt", kid: key.signer.kid }, { ...claims, act: { sub: "agent" } });
    assert.deepEqual(granted(await verifyAccessToken(at(TOOLS, good), rs)).actors, [{ sub: "agent" }]);
  });
});
