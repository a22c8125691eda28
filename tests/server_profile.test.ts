// The `profile: "mcp"` preset of createAuthorizationServer: the metadata members the MCP
// TypeScript SDK's parser requires (authorization_endpoint, response_types_supported), the
// refusing endpoint behind the first, and nothing else changed. Without the profile both
// members stay omitted (RFC 8414 s2; RFC_CHECKLIST App. B-1). The SDK's own discovery is the judge.
//
// The @ts-types comments are for Deno's type check only (see tests/mcp.test.ts).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as oauth from "oauth4webapi";
// @ts-types="../node_modules/@modelcontextprotocol/sdk/dist/esm/client/auth.d.ts"
import { discoverAuthorizationServerMetadata } from "@modelcontextprotocol/sdk/client/auth.js";
// @ts-types="../node_modules/@modelcontextprotocol/sdk/dist/esm/shared/auth.d.ts"
import { OAuthMetadataSchema } from "@modelcontextprotocol/sdk/shared/auth.js";
import { ConfigurationError, type ServerOptions } from "../mod.ts";
import { assertOAuthError, authServer, BASIC_CLIENT, ISSUER, METADATA_URL, SECRET, tokenRequest } from "./helpers.ts";

async function document(fetch: (r: Request) => Promise<Response>, url = METADATA_URL): Promise<Record<string, unknown>> {
  const res = await fetch(new Request(url));
  assert.equal(res.status, 200);
  return await res.json() as Record<string, unknown>;
}

/** The SDK's discovery, over the server's fetch handler in process. */
function sdkDiscovery(fetch: (r: Request) => Promise<Response>, issuer = ISSUER) {
  return discoverAuthorizationServerMetadata(issuer, { fetchFn: (url, init) => fetch(new Request(url, init)) });
}

describe('profile: "mcp" (metadata the MCP SDK accepts)', () => {
  test("without it: no authorization_endpoint, no response_types_supported, and the SDK refuses the document", async () => {
    const { fetch, server } = authServer();
    const doc = await document(fetch);
    assert.ok(!("authorization_endpoint" in doc));
    assert.ok(!("response_types_supported" in doc));
    assert.equal(server.endpoints.authorization, undefined);
    const parsed = OAuthMetadataSchema.safeParse(doc);
    assert.equal(parsed.success, false);
    assert.deepEqual(parsed.error?.issues.map((i) => i.path.join(".")).sort(), ["authorization_endpoint", "response_types_supported"]);
    await assert.rejects(sdkDiscovery(fetch), /authorization_endpoint/);
    // Nothing is served at /authorize.
    await assertOAuthError(await fetch(new Request(`${ISSUER}/authorize`)), 404, "invalid_request");
  });

  test("with it: both members published, the SDK's discovery accepts the document", async () => {
    const { fetch, server } = authServer({ profile: "mcp" });
    const doc = await document(fetch);
    assert.equal(doc.authorization_endpoint, `${ISSUER}/authorize`);
    assert.deepEqual(doc.response_types_supported, ["code"]);
    assert.equal(server.endpoints.authorization, `${ISSUER}/authorize`);
    assert.equal(OAuthMetadataSchema.safeParse(doc).success, true);
    const discovered = await sdkDiscovery(fetch);
    assert.equal(discovered?.issuer, ISSUER);
    assert.equal(discovered?.token_endpoint, `${ISSUER}/token`);
    // oauth4webapi still accepts it too.
    const as = await oauth.processDiscoveryResponse(new URL(ISSUER), await fetch(new Request(METADATA_URL)));
    assert.equal(as.authorization_endpoint, `${ISSUER}/authorize`);
  });

  test("nothing else in the document changes", async () => {
    const plain = await document(authServer().fetch);
    const { authorization_endpoint: _a, response_types_supported: _r, ...rest } = await document(authServer({ profile: "mcp" }).fetch);
    assert.deepEqual(rest, plain);
  });

  test("the published authorization endpoint refuses every request, never a redirect, and issues nothing", async () => {
    const { fetch, store } = authServer({ profile: "mcp" });
    const get = await fetch(new Request(`${ISSUER}/authorize?response_type=code&client_id=${BASIC_CLIENT.client_id}&redirect_uri=https://evil.example/cb`));
    const body = await assertOAuthError(get, 400, "unsupported_response_type");
    assert.match(String(body.error_description), /client credentials grant only/);
    assert.equal(get.headers.get("location"), null);
    const post = await fetch(tokenRequest({ url: `${ISSUER}/authorize`, basic: [BASIC_CLIENT.client_id, SECRET], body: { response_type: "code" } }));
    await assertOAuthError(post, 400, "unsupported_response_type");
    await assertOAuthError(await fetch(new Request(`${ISSUER}/authorize`, { method: "PUT" })), 405, "invalid_request");
    assert.equal(store.size, 0);
  });

  test("client authentication is unchanged: no credentials still 401, a Basic client still gets a token", async () => {
    const { fetch } = authServer({ profile: "mcp" });
    await assertOAuthError(await fetch(tokenRequest()), 401, "invalid_client");
    const res = await fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, SECRET] }));
    assert.equal(res.status, 200);
  });

  test("an issuer with a path: the endpoint lives under it, and the SDK finds the document", async () => {
    const issuer = "https://as.example.com/tenants/t1";
    const { fetch, server } = authServer({ issuer, profile: "mcp" });
    assert.equal(server.endpoints.authorization, `${issuer}/authorize`);
    const discovered = await sdkDiscovery(fetch, issuer);
    assert.equal(discovered?.authorization_endpoint, `${issuer}/authorize`);
    await assertOAuthError(await fetch(new Request(`${issuer}/authorize`)), 400, "unsupported_response_type");
  });

  test("under a mountPath, the endpoint is reached with and without the prefix", async () => {
    const issuer = "https://api.example.com/oauth";
    const { fetch } = authServer({ issuer, profile: "mcp", mountPath: "/oauth" });
    await assertOAuthError(await fetch(new Request(`${issuer}/authorize`)), 400, "unsupported_response_type");
    await assertOAuthError(await fetch(new Request("https://api.example.com/authorize")), 400, "unsupported_response_type");
  });
});

describe('profile: "mcp" with explicit options (explicit values win; a contradiction is refused)', () => {
  test("endpoints.authorization as a URL or path wins over <issuer>/authorize", async () => {
    const { fetch, server } = authServer({ profile: "mcp", endpoints: { authorization: "/oauth2/authorize" } });
    assert.equal(server.endpoints.authorization, `${ISSUER}/oauth2/authorize`);
    assert.equal((await document(fetch)).authorization_endpoint, `${ISSUER}/oauth2/authorize`);
    await assertOAuthError(await fetch(new Request(`${ISSUER}/oauth2/authorize`)), 400, "unsupported_response_type");
    await assertOAuthError(await fetch(new Request(`${ISSUER}/authorize`)), 404, "invalid_request");
  });

  test("responseTypesSupported wins over ['code'] (and is still validated)", async () => {
    const doc = await document(authServer({ profile: "mcp", responseTypesSupported: ["code", "token"] }).fetch);
    assert.deepEqual(doc.response_types_supported, ["code", "token"]);
    assert.throws(() => authServer({ profile: "mcp", responseTypesSupported: [] }), /responseTypesSupported/);
  });

  test("the pre-profile configuration (both set by hand) gives the same document as the profile alone", async () => {
    const byHand = await document(authServer({ endpoints: { authorization: "/authorize" }, responseTypesSupported: ["code"] }).fetch);
    const both = await document(authServer({ profile: "mcp", endpoints: { authorization: "/authorize" }, responseTypesSupported: ["code"] }).fetch);
    assert.deepEqual(await document(authServer({ profile: "mcp" }).fetch), byHand);
    assert.deepEqual(both, byHand);
  });

  test("endpoints.authorization: false contradicts the profile -> ConfigurationError naming both", () => {
    assert.throws(
      () => authServer({ profile: "mcp", endpoints: { authorization: false } }),
      (e: unknown) => e instanceof ConfigurationError && /profile "mcp"/.test(e.message) && /endpoints\.authorization/.test(e.message),
    );
  });

  test("the profile's path is checked like any endpoint's: a clash is a ConfigurationError", () => {
    assert.throws(() => authServer({ profile: "mcp", endpoints: { token: "/authorize" } }), /share the path/);
  });

  test("an unknown profile -> ConfigurationError at start-up", () => {
    for (const profile of ["MCP", "oidc", "", true, {}]) {
      assert.throws(() => authServer({ profile } as unknown as Partial<ServerOptions>), (e: unknown) => e instanceof ConfigurationError && /profile/.test(e.message));
    }
  });
});
