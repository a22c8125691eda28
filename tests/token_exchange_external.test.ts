// Token exchange (RFC 8693) with JWTs of trusted external issuers as subject and actor
// tokens (subject_token_type urn:ietf:params:oauth:token-type:jwt), verified by the same
// federation code as federated client authentication, with the exchange policy deciding:
// a GitHub-Actions-shaped OIDC token and a Kubernetes service account token, minted by
// issuers the test starts on loopback (discovery + JWK Set, keys generated at start).
// Chains of exchanges give a nested act.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { TokenExchangePolicy, TrustedIssuer } from "../mod.ts";
import {
  ACCESS_TOKEN,
  AGENT_CLIENT,
  DEPLOY,
  type ExchangeServer,
  exchangeServer,
  ISSUER,
  JWT,
  TOOLS,
  TOOLS_CLIENT,
} from "./exchange_helpers.ts";
import { assertOAuthError, assertToken } from "./helpers.ts";
import { githubClaims, kubernetesClaims, type PlatformIssuer, signingKey, startIssuer } from "./support/platform_issuer.ts";

let github: PlatformIssuer;
let k8s: PlatformIssuer;
let stranger: PlatformIssuer;

before(async () => {
  [github, k8s, stranger] = await Promise.all([startIssuer(), startIssuer({ jwksPath: "/openid/v1/jwks" }), startIssuer()]);
});
after(async () => {
  await Promise.all([github.stop(), k8s.stop(), stranger.stop()]);
});

const trusted = (): TrustedIssuer[] => [
  { issuer: github.issuer },
  { issuer: k8s.issuer, jwksUri: k8s.jwksUri, allowReuse: true },
];

async function server(policy?: TokenExchangePolicy): Promise<ExchangeServer> {
  return await exchangeServer({ trustedIssuers: trusted(), ...(policy === undefined ? {} : { tokenExchangePolicy: policy }) });
}

const githubToken = (s: ExchangeServer, over: Record<string, unknown> = {}) => github.mint(githubClaims(github.issuer, ISSUER, s.clock.now(), over), { typ: "JWT" });
const k8sToken = (s: ExchangeServer, over: Record<string, unknown> = {}) => k8s.mint(kubernetesClaims(k8s.issuer, ISSUER, s.clock.now(), over));

describe("token exchange: a trusted issuer's JWT as the subject token", () => {
  test("a GitHub Actions token is exchanged by the agent: its subject, the agent as actor, the policy asked", async () => {
    const s = await server();
    const subject = await githubToken(s);
    const body = await assertToken(await s.exchange(AGENT_CLIENT.client_id, subject, { subject_token_type: JWT, resource: DEPLOY, scope: "deploy" }));
    assert.equal(body.issued_token_type, ACCESS_TOKEN);
    assert.equal(body.scope, "deploy");
    assert.ok((body.expires_in as number) <= 300, "never longer than the subject token");
    const asked = s.asked.at(-1)!;
    assert.equal(asked.subject_token.iss, github.issuer);
    assert.equal(asked.subject_token.sub, "repo:octo-org/octo-repo:environment:prod");
    assert.equal(asked.subject_token.claims.repository, "octo-org/octo-repo");
    assert.equal(asked.subject_token.client_id, undefined);
    assert.equal(asked.subject_token_type, JWT);
    assert.deepEqual(asked.act, { sub: "agent" });
    const info = await s.introspect(body.access_token as string, "agent");
    assert.equal(info.active, true);
    assert.equal(info.sub, "repo:octo-org/octo-repo:environment:prod");
    assert.deepEqual(info.act, { sub: "agent" });
  });

  test("without a scope of this server in the subject token, the client's registration bounds the scope", async () => {
    const s = await server();
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await githubToken(s), { subject_token_type: JWT, scope: "admin" }), 400, "invalid_scope");
    const body = await assertToken(await s.exchange(AGENT_CLIENT.client_id, await githubToken(s), { subject_token_type: JWT, scope: "read write" }));
    assert.equal(body.scope, "read write");
  });

  test("an exchange refused by the policy is invalid_request and does not use the token up", async () => {
    let allow = false;
    const s = await server(() => allow);
    const subject = await githubToken(s);
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, subject, { subject_token_type: JWT }), 400, "invalid_request");
    allow = true;
    await assertToken(await s.exchange(AGENT_CLIENT.client_id, subject, { subject_token_type: JWT }));
  });

  test("the policy decides who may present it: here only for repository octo-org/octo-repo, to the agent", async () => {
    const s = await server((r) => r.client.client_id === "agent" && r.subject_token.claims.repository === "octo-org/octo-repo");
    await assertToken(await s.exchange(AGENT_CLIENT.client_id, await githubToken(s), { subject_token_type: JWT }));
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await githubToken(s, { repository: "octo-org/other" }), { subject_token_type: JWT }), 400, "invalid_request");
    await assertOAuthError(await s.exchange(TOOLS_CLIENT.client_id, await githubToken(s), { subject_token_type: JWT }), 400, "invalid_request");
  });

  test("replay: a GitHub token is exchanged once; a Kubernetes token (allowReuse) again", async () => {
    const s = await server();
    const once = await githubToken(s);
    await assertToken(await s.exchange(AGENT_CLIENT.client_id, once, { subject_token_type: JWT }));
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, once, { subject_token_type: JWT }), 400, "invalid_request");
    const reused = await k8sToken(s);
    await assertToken(await s.exchange(AGENT_CLIENT.client_id, reused, { subject_token_type: JWT }));
    await assertToken(await s.exchange(AGENT_CLIENT.client_id, reused, { subject_token_type: JWT }));
  });

  test("may_act in the external token is honoured (RFC 8693 s4.4)", async () => {
    const s = await server();
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await githubToken(s, { may_act: { sub: "tools" } }), { subject_token_type: JWT }), 400, "invalid_request");
    await assertToken(await s.exchange(AGENT_CLIENT.client_id, await githubToken(s, { may_act: { sub: "agent", iss: ISSUER } }), { subject_token_type: JWT }));
  });

  const refusals: Array<[string, (s: ExchangeServer) => Promise<string>]> = [
    ["another audience", (s) => githubToken(s, { aud: "https://github.com/octo-org" })],
    ["expired", (s) => githubToken(s, { exp: Math.floor(s.clock.now() / 1000) - 120 })],
    ["an untrusted issuer", (s) => stranger.mint(githubClaims(stranger.issuer, ISSUER, s.clock.now()))],
    ["an unknown key", async (s) => github.mint(githubClaims(github.issuer, ISSUER, s.clock.now()), {}, await signingKey())],
    ["an ID-JAG (typ oauth-id-jag+jwt), which is for the JWT bearer grant", (s) => github.mint(githubClaims(github.issuer, ISSUER, s.clock.now()), { typ: "oauth-id-jag+jwt" })],
    ["no jti from an issuer that does not allow reuse", (s) => githubToken(s, { jti: undefined })],
  ];
  for (const [name, make] of refusals) {
    test(`${name} -> 400 invalid_request (RFC 8693 s2.2.2)`, async () => {
      const s = await server();
      await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await make(s), { subject_token_type: JWT }), 400, "invalid_request");
    });
  }

  test("an external JWT sent as an access_token type is not read as one -> invalid_request", async () => {
    const s = await server();
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await githubToken(s), { subject_token_type: ACCESS_TOKEN }), 400, "invalid_request");
  });

  test("an issuer whose keys cannot be fetched -> invalid_request, never a 5xx", async () => {
    const s = await server();
    const token = await githubToken(s);
    github.mode = "down";
    try {
      const fresh = await exchangeServer({ trustedIssuers: trusted() });
      await assertOAuthError(await fresh.exchange(AGENT_CLIENT.client_id, token, { subject_token_type: JWT }), 400, "invalid_request");
    } finally {
      github.mode = "ok";
    }
  });

  test("without trustedIssuers, a JWT of another issuer is not accepted", async () => {
    const s = await exchangeServer();
    await assertOAuthError(await s.exchange(AGENT_CLIENT.client_id, await githubToken(s), { subject_token_type: JWT }), 400, "invalid_request");
  });
});

describe("token exchange: a trusted issuer's JWT as the actor token, and chains", () => {
  test("a Kubernetes service account token as actor_token: act names it with its issuer", async () => {
    const s = await server();
    const body = await assertToken(await s.exchange(AGENT_CLIENT.client_id, await githubToken(s), {
      subject_token_type: JWT,
      actor_token: await k8sToken(s),
      actor_token_type: JWT,
    }));
    assert.ok(typeof body.access_token === "string");
    assert.deepEqual(s.asked.at(-1)!.act, { sub: "system:serviceaccount:payments:billing", iss: k8s.issuer });
  });

  test("two exchanges: external token -> agent -> tools gives a nested act", async () => {
    const s = await server();
    const first = await assertToken(await s.exchange(AGENT_CLIENT.client_id, await githubToken(s), { subject_token_type: JWT, resource: TOOLS }));
    assert.deepEqual(s.asked.at(-1)!.act, { sub: "agent" });
    // The tool server, TOOLS' resource server, exchanges the agent's token to call DEPLOY.
    const second = await assertToken(await s.exchange(TOOLS_CLIENT.client_id, first.access_token as string, { resource: DEPLOY }));
    assert.deepEqual(s.asked.at(-1)!.act, { sub: "tools", act: { sub: "agent" } });
    assert.equal(s.asked.at(-1)!.sub, "repo:octo-org/octo-repo:environment:prod");
    const info = await s.introspect(second.access_token as string, "tools");
    assert.equal(info.active, true);
    assert.deepEqual(info.act, { sub: "tools", act: { sub: "agent" } });
  });

  test("the chain also holds in a JWT access token", async () => {
    const s = await server();
    const first = await assertToken(await s.exchange("jwt-agent", await githubToken(s), { subject_token_type: JWT, resource: TOOLS }));
    const payload = JSON.parse(atob((first.access_token as string).split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
    assert.equal(payload.sub, "repo:octo-org/octo-repo:environment:prod");
    assert.deepEqual(payload.act, { sub: "jwt-agent" });
    await assertToken(await s.exchange(TOOLS_CLIENT.client_id, first.access_token as string, { subject_token_type: JWT, resource: DEPLOY }));
    assert.deepEqual(s.asked.at(-1)!.act, { sub: "tools", act: { sub: "jwt-agent" } });
  });
});
