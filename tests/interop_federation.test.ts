// Interop: independent clients send a platform token as their client assertion. Neither
// oauth4webapi nor openid-client signs assertions with someone else's key, but both take a
// client authentication function (oauth4webapi's ClientAuth), which is where a workload puts
// the token its platform gave it; the rest of the request (the grant, the form, the
// response handling) is theirs. The platform is a loopback issuer minting GitHub-Actions-
// shaped tokens; the clients' fetch is routed to the server in-process.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as oauth from "oauth4webapi";
import * as client from "openid-client";
import type { AuthorizationServer } from "../mod.ts";
import { authServer, ISSUER, routedFetch } from "./support/fixtures.ts";
import { githubClaims, type PlatformIssuer, startIssuer } from "./support/platform_issuer.ts";
const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** A ClientAuth that presents `token` (and the client_id, unless told not to). */
function platformToken(token: () => Promise<string>, withClientId = true): oauth.ClientAuth {
  return async (_as, c, body) => {
    if (withClientId) body.set("client_id", c.client_id);
    body.set("client_assertion_type", JWT_BEARER);
    body.set("client_assertion", await token());
  };
}

describe("interop: federated client authentication from independent clients", () => {
  let platform: PlatformIssuer;
  let server: AuthorizationServer;
  let fetch: typeof globalThis.fetch;
  const mint = () => platform.mint(githubClaims(platform.issuer, ISSUER, Date.now()));

  before(async () => {
    platform = await startIssuer();
    server = authServer({ trustedIssuers: [{ issuer: platform.issuer }] }, [{
      client_id: "deploy",
      token_endpoint_auth_method: "private_key_jwt",
      federated_credentials: [{ issuer: platform.issuer, claims: { repository: "octo-org/octo-repo", environment: "prod" } }],
      grant_types: ["client_credentials"],
      scope: "deploy",
    }]).server;
    fetch = routedFetch({ [ISSUER]: server.fetch });
  });
  after(() => platform.stop());

  test("oauth4webapi: clientCredentialsGrantRequest with the platform token, with and without client_id", async () => {
    const as: oauth.AuthorizationServer = { issuer: ISSUER, token_endpoint: `${ISSUER}/token`, introspection_endpoint: `${ISSUER}/introspect` };
    const c: oauth.Client = { client_id: "deploy" };
    for (const withClientId of [true, false]) {
      const response = await oauth.clientCredentialsGrantRequest(as, c, platformToken(mint, withClientId), new URLSearchParams(), { [oauth.customFetch]: fetch });
      const result = await oauth.processClientCredentialsResponse(as, c, response);
      assert.equal(result.token_type, "bearer");
      assert.equal(result.scope, "deploy");
      // The same authentication at introspection (RFC 7662 s2.1).
      const introspection = await oauth.introspectionRequest(as, c, platformToken(mint, withClientId), result.access_token, { [oauth.customFetch]: fetch });
      const active = await oauth.processIntrospectionResponse(as, c, introspection);
      assert.equal(active.active, true);
      assert.equal(active.client_id, "deploy");
    }
  });

  test("oauth4webapi: a token of another repository surfaces as invalid_client", async () => {
    const as: oauth.AuthorizationServer = { issuer: ISSUER, token_endpoint: `${ISSUER}/token` };
    const c: oauth.Client = { client_id: "deploy" };
    const other = () => platform.mint(githubClaims(platform.issuer, ISSUER, Date.now(), { repository: "octo-org/fork" }));
    const response = await oauth.clientCredentialsGrantRequest(as, c, platformToken(other), new URLSearchParams(), { [oauth.customFetch]: fetch });
    await assert.rejects(oauth.processClientCredentialsResponse(as, c, response), (e: unknown) => {
      assert.ok(e instanceof oauth.ResponseBodyError);
      assert.equal(e.error, "invalid_client");
      return true;
    });
  });

  test("openid-client: discovery of the metadata (private_key_jwt listed), then clientCredentialsGrant with the platform token", async () => {
    const config = await client.discovery(new URL(ISSUER), "deploy", { token_endpoint_auth_method: "private_key_jwt" }, platformToken(mint), {
      [client.customFetch]: fetch as unknown as client.CustomFetch,
      algorithm: "oauth2",
    });
    assert.ok(config.serverMetadata().token_endpoint_auth_methods_supported?.includes("private_key_jwt"));
    const tokens = await client.clientCredentialsGrant(config, { scope: "deploy" });
    assert.equal(tokens.token_type, "bearer");
    assert.equal(tokens.scope, "deploy");
  });
});
