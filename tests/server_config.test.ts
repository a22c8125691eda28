// One resolver, one resolved configuration (issue 20): `handleTokenRequest` is the server's
// token endpoint, resolved by the same rules, and given the same options object the two
// share one configuration whichever is called first.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  ConfigurationError,
  createAuthorizationServer,
  encodeBasicCredentials,
  handleTokenRequest,
  type ServerOptions,
  validateTokenEndpointOptions,
} from "../mod.ts";
import { resolveServerConfig } from "../src/config/server_config.ts";
import { assertOAuthError, assertToken, BASIC_CLIENT, basicRequest, fakeClock, INTROSPECT_URL, ISSUER, SECRET, tokenRequest } from "./helpers.ts";
import { assertionRequest, claims, ES256_KEY, PK_CLIENT, signAssertion } from "./assertion_helpers.ts";
import { ACCESS_TOKEN, AGENT, AGENT_CLIENT, exchangeServer, formBody, JWT_CI, TOKEN_EXCHANGE } from "./exchange_helpers.ts";

const options = (extra: Partial<ServerOptions> = {}): ServerOptions => ({ issuer: ISSUER, clients: [BASIC_CLIENT], ...extra });

describe("one configuration per options object", () => {
  test("the server and handleTokenRequest resolve the same object to the same configuration, in either order", async () => {
    const first = options();
    const res = await handleTokenRequest(basicRequest(), first);
    const token = (await assertToken(res)).access_token as string;
    const server = createAuthorizationServer(first);
    assert.equal(resolveServerConfig(first), resolveServerConfig(first));
    const introspection = await server.fetch(
      new Request(INTROSPECT_URL, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${encodeBasicCredentials(BASIC_CLIENT.client_id, SECRET)}` },
        body: new URLSearchParams({ token }),
      }),
    );
    assert.equal(((await introspection.json()) as { active: boolean }).active, true);
  });

  test("a JWT revoked at the server's revocation endpoint is refused as a subject token by handleTokenRequest given the same options", async () => {
    const s = await exchangeServer();
    const subject = await s.token(JWT_CI.client_id, { resource: AGENT });
    const exchange = () =>
      handleTokenRequest(
        new Request(`${ISSUER}/token`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${encodeBasicCredentials(AGENT_CLIENT.client_id, SECRET)}` },
          body: formBody({ grant_type: TOKEN_EXCHANGE, subject_token: subject, subject_token_type: ACCESS_TOKEN }),
        }),
        s.options,
      );
    assert.equal((await exchange()).status, 200);
    assert.equal((await s.post("/revoke", JWT_CI.client_id, { token: subject })).status, 200);
    await assertOAuthError(await exchange(), 400, "invalid_request");
  });
});

describe("handleTokenRequest reads the server's options by the server's rules", () => {
  test("endpoints.token is the token endpoint's URL there too (DPoP htu, assertion aud)", async () => {
    const clock = fakeClock();
    const o = options({ clients: [BASIC_CLIENT, PK_CLIENT], clock: clock.now, endpoints: { token: "/oauth2/token" }, clientAssertion: { strictAudience: false } });
    assert.equal(resolveServerConfig(o).endpoints.token, `${ISSUER}/oauth2/token`);
    await assertToken(await handleTokenRequest(tokenRequest({ url: `${ISSUER}/oauth2/token`, basic: [BASIC_CLIENT.client_id, SECRET] }), o));
    const assertion = await signAssertion(ES256_KEY, claims(PK_CLIENT.client_id, clock.now(), { aud: `${ISSUER}/oauth2/token` }));
    await assertToken(await handleTokenRequest(assertionRequest(assertion, {}, `${ISSUER}/oauth2/token`), o));
  });

  test("the token endpoint accepts no more audiences than before: an assertion to the introspection URL is refused (strictAudience: false)", async () => {
    const clock = fakeClock();
    const o = options({ clients: [PK_CLIENT], clock: clock.now, clientAssertion: { strictAudience: false } });
    assert.equal(resolveServerConfig(o).endpointUrls.introspection, INTROSPECT_URL);
    const assertion = await signAssertion(ES256_KEY, claims(PK_CLIENT.client_id, clock.now(), { aud: INTROSPECT_URL }));
    await assertOAuthError(await handleTokenRequest(assertionRequest(assertion), o), 400, "invalid_client");
  });

  test("a misspelt server option is named, with its path, whichever entry point is given it", () => {
    for (const [bad, path, pattern] of [
      [{ endpoints: { tokn: "/t" } }, "endpoints.tokn", /did you mean 'token'/],
      [{ mountPth: "/oauth" }, "mountPth", /did you mean 'mountPath'/],
    ] as const) {
      const o = options(bad as unknown as Partial<ServerOptions>);
      for (const resolve of [() => validateTokenEndpointOptions(o), () => createAuthorizationServer(o)]) {
        assert.throws(resolve, (e: unknown) => e instanceof ConfigurationError && e.path === path && pattern.test(e.message));
      }
    }
  });

  test("tokenEndpoint and endpoints.token together are refused by both entry points", () => {
    const o = options({ tokenEndpoint: "/a", endpoints: { token: "/b" } });
    assert.throws(() => validateTokenEndpointOptions(o), /tokenEndpoint or endpoints\.token, not both/);
    assert.throws(() => createAuthorizationServer(o), /tokenEndpoint or endpoints\.token, not both/);
  });
});

test("a bad options object is validated once: every later resolution, from either entry point, throws the same error", () => {
  const bad = options({ accessTokenLifetime: 0 });
  let first: unknown;
  assert.throws(() => validateTokenEndpointOptions(bad), (e: unknown) => (first = e) instanceof ConfigurationError);
  assert.throws(() => resolveServerConfig(bad), (e: unknown) => e === first);
  assert.throws(() => createAuthorizationServer(bad), (e: unknown) => e === first);
});
