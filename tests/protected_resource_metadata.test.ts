// OAuth 2.0 Protected Resource Metadata (RFC 9728): the document, its well-known URL, and
// the resource_metadata parameter of the 401 challenge, as MCP clients use them.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  handleProtectedResourceMetadataRequest,
  protectedResourceMetadata,
  protectedResourceMetadataUrl,
  type ResourceServerOptions,
  verifyAccessToken,
} from "../src/resource_server/mod.ts";
import { resolveResourceServerOptions } from "../src/resource_server/options.ts";
import { API, apiRequest, ISSUER, JWKS_URI } from "./rs_helpers.ts";

const base: ResourceServerOptions = { resource: API, issuer: ISSUER, jwksUri: JWKS_URI, fetch: () => Promise.reject(new Error("unused")) };

describe("well-known URL (RFC 9728 s3.1)", () => {
  test("inserted between host and path, a terminating slash removed, a query kept", () => {
    assert.equal(protectedResourceMetadataUrl("https://api.example.com"), "https://api.example.com/.well-known/oauth-protected-resource");
    assert.equal(protectedResourceMetadataUrl("https://api.example.com/"), "https://api.example.com/.well-known/oauth-protected-resource");
    assert.equal(protectedResourceMetadataUrl("https://api.example.com/mcp"), "https://api.example.com/.well-known/oauth-protected-resource/mcp");
    assert.equal(protectedResourceMetadataUrl("https://api.example.com/t/1/"), "https://api.example.com/.well-known/oauth-protected-resource/t/1");
    assert.equal(protectedResourceMetadataUrl("https://api.example.com:8443/v1?x=1"), "https://api.example.com:8443/.well-known/oauth-protected-resource/v1?x=1");
  });
});

describe("the document (RFC 9728 s2, s3.2)", () => {
  test("GET -> 200 JSON whose resource equals the identifier the URL was built from (s3.3)", async () => {
    const rs: ResourceServerOptions = { ...base, resource: `${API}/mcp`, metadata: { scopes_supported: ["tools:call"], resource_name: "Billing" } };
    const res = await handleProtectedResourceMetadataRequest(new Request(protectedResourceMetadataUrl(rs.resource)), rs);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^application\/json/);
    assert.match(res.headers.get("cache-control")!, /^public, max-age=\d+$/);
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    const doc = await res.json() as Record<string, unknown>;
    assert.deepEqual(doc, {
      resource: `${API}/mcp`,
      authorization_servers: [ISSUER],
      bearer_methods_supported: ["header"],
      scopes_supported: ["tools:call"],
      resource_name: "Billing",
    });
  });

  test("bearer_methods_supported follows what the helper accepts; empty arrays are left out", () => {
    const doc = protectedResourceMetadata({ ...base, allowFormToken: true, allowQueryToken: true, metadata: { scopes_supported: [] } });
    assert.deepEqual(doc.bearer_methods_supported, ["header", "body", "query"]);
    assert.ok(!("scopes_supported" in doc));
  });

  test("POST -> 405 with Allow", async () => {
    const rs = { ...base, metadata: true };
    const res = await handleProtectedResourceMetadataRequest(new Request(protectedResourceMetadataUrl(API), { method: "POST" }), rs);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "GET, HEAD");
  });

  test("without metadata in the options -> 500, never a throw", async () => {
    const res = await handleProtectedResourceMetadataRequest(new Request(protectedResourceMetadataUrl(API)), base);
    assert.equal(res.status, 500);
  });

  test("configuration: a resource with metadata must be an https URL; resource is not repeated in metadata", () => {
    assert.throws(() => resolveResourceServerOptions({ ...base, resource: "urn:billing", metadata: true }), /https/);
    assert.throws(() => resolveResourceServerOptions({ ...base, metadata: { resource: "https://x.example" } }), /resource/);
    resolveResourceServerOptions({ ...base, resource: "urn:billing" }); // fine without metadata
  });
});

describe("resource_metadata in challenges (RFC 9728 s5.1)", () => {
  test("the 401 without a token names the metadata URL", async () => {
    const rs = { ...base, resource: `${API}/mcp`, metadata: true };
    const res = (await verifyAccessToken(apiRequest(undefined, { url: `${API}/mcp` }), rs) as { response: Response }).response;
    assert.equal(res.status, 401);
    assert.equal(
      res.headers.get("www-authenticate"),
      `Bearer realm="${API}/mcp", resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/mcp"`,
    );
  });

  test("an invalid_token 401 names it too, after the error", async () => {
    const rs = { ...base, metadata: true };
    const res = (await verifyAccessToken(apiRequest("bad"), rs) as { response: Response }).response;
    assert.match(res.headers.get("www-authenticate")!, /error="invalid_token".*, resource_metadata="https:\/\/api\.example\.com\/\.well-known\/oauth-protected-resource"$/);
  });

  test("without metadata, challenges carry no resource_metadata", async () => {
    const res = (await verifyAccessToken(apiRequest(), base) as { response: Response }).response;
    assert.ok(!res.headers.get("www-authenticate")!.includes("resource_metadata"));
  });
});
