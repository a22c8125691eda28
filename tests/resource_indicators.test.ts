// Resource indicators at the token endpoint (RFC 8707; RFC_CHECKLIST RI-1..RI-8, J-6, J-7, App. B-6):
// the resource parameter becomes the token's audience, within what the client may ask for.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ClientRegistration, ConfigurationError, tokenKey, webCrypto } from "../mod.ts";
import { resolveServerConfig } from "../src/config/server_config.ts";
import { assertOAuthError, assertToken } from "./helpers.ts";
import { API, decodeJwt, ISSUER, JWT_CLIENT, jwtServer, OTHER_API, testKey } from "./rs_helpers.ts";

async function server(overrides = {}, clients?: ClientRegistration[]) {
  return jwtServer(await testKey("ES256"), overrides, clients);
}

describe("resource parameter", () => {
  test("an allowed resource becomes aud, the same value (J-6, RI-5)", async () => {
    const { token } = await server();
    assert.equal(decodeJwt(await token({ resource: OTHER_API })).claims.aud, OTHER_API);
  });

  test("a relative URI -> 400 invalid_target (RI-1)", async () => {
    const { request } = await server();
    await assertOAuthError(await request({ resource: "/api" }), 400, "invalid_target");
  });

  test("a URI with a fragment, even an empty one -> 400 invalid_target (RI-2)", async () => {
    const { request } = await server({}, [{ ...JWT_CLIENT, allowed_resources: undefined }]);
    await assertOAuthError(await request({ resource: `${API}/#x` }), 400, "invalid_target");
    await assertOAuthError(await request({ resource: `${API}#` }), 400, "invalid_target");
  });

  test("a URI with a query is accepted when allowed (RI-3)", async () => {
    const withQuery = `${API}/v1?tenant=a`;
    const { token } = await server({}, [{ ...JWT_CLIENT, allowed_resources: [withQuery], default_resource: withQuery }]);
    assert.equal(decodeJwt(await token({ resource: withQuery })).claims.aud, withQuery);
  });

  test("a resource the client may not ask for -> 400 invalid_target (RI-7)", async () => {
    const { request } = await server();
    await assertOAuthError(await request({ resource: "https://evil.example.com" }), 400, "invalid_target");
  });

  test("comparison is exact: a trailing slash or another case is another resource", async () => {
    const { request } = await server();
    await assertOAuthError(await request({ resource: `${API}/` }), 400, "invalid_target");
    await assertOAuthError(await request({ resource: API.toUpperCase() }), 400, "invalid_target");
  });

  test("the server's allowedResources apply to clients that list none of their own", async () => {
    const client = { ...JWT_CLIENT, allowed_resources: undefined, default_resource: undefined };
    const { token, request } = await server({ allowedResources: [OTHER_API] }, [client]);
    assert.equal(decodeJwt(await token({ resource: OTHER_API })).claims.aud, OTHER_API);
    await assertOAuthError(await request({ resource: API }), 400, "invalid_target");
  });

  test("the client's own list replaces the server's", async () => {
    const { request } = await server({ allowedResources: ["https://server-wide.example.com"] });
    await assertOAuthError(await request({ resource: "https://server-wide.example.com" }), 400, "invalid_target");
  });
});

describe("several resources (RI-4, RFC_CHECKLIST App. B-6)", () => {
  test("refused with invalid_target (never invalid_request) unless the client enables them", async () => {
    const { request } = await server();
    await assertOAuthError(await request({ resource: [API, OTHER_API] }), 400, "invalid_target");
  });

  test("with allow_multiple_resources: one token whose aud lists both", async () => {
    const { token } = await server({}, [{ ...JWT_CLIENT, allow_multiple_resources: true }]);
    assert.deepEqual(decodeJwt(await token({ resource: [API, OTHER_API] })).claims.aud, [API, OTHER_API]);
  });

  test("the same resource twice is one resource", async () => {
    const { token } = await server();
    assert.equal(decodeJwt(await token({ resource: [API, API] })).claims.aud, API);
  });

  test("any one bad resource refuses the whole request", async () => {
    const { request } = await server({}, [{ ...JWT_CLIENT, allow_multiple_resources: true }]);
    await assertOAuthError(await request({ resource: [API, "https://evil.example.com"] }), 400, "invalid_target");
  });
});

describe("default audience (RI-6, J-7)", () => {
  test("no resource -> the client's default_resource", async () => {
    const { token } = await server();
    assert.equal(decodeJwt(await token()).claims.aud, API);
  });

  test("no resource and no client default -> the server's defaultResource", async () => {
    const { token } = await server({ defaultResource: OTHER_API }, [{ ...JWT_CLIENT, default_resource: undefined }]);
    assert.equal(decodeJwt(await token()).claims.aud, OTHER_API);
  });

  test("a JWT with no resource and no default anywhere -> 400 invalid_target (aud is required)", async () => {
    const { request } = await server({}, [{ ...JWT_CLIENT, default_resource: undefined }]);
    await assertOAuthError(await request(), 400, "invalid_target");
  });

  test("an opaque token with no resource and no default is issued without an audience", async () => {
    const { request, store } = await server({ accessTokenFormat: "opaque" }, [{ ...JWT_CLIENT, default_resource: undefined }]);
    const body = await assertToken(await request());
    const record = await store.find(await tokenKey(body.access_token as string, webCrypto));
    assert.equal(record?.aud, undefined);
  });

  test("an opaque token carries the audience in its token record", async () => {
    const { request, store } = await server({ accessTokenFormat: "opaque" });
    const body = await assertToken(await request({ resource: OTHER_API }));
    const record = await store.find(await tokenKey(body.access_token as string, webCrypto));
    assert.equal(record?.aud, OTHER_API);
  });
});

describe("audience from scope, and scope narrowed to the audience (resourceScopes; J-7, RI-8)", () => {
  const resourceScopes = { [API]: ["read"], [OTHER_API]: ["write"] };
  const client = { ...JWT_CLIENT, default_resource: undefined, default_scope: "read" };

  test("no resource: the audience is the resource the scope belongs to (RFC 9068 s3)", async () => {
    const { request } = await server({ resourceScopes }, [client]);
    const body = await assertToken(await request({ scope: "write" }));
    assert.equal(decodeJwt(body.access_token as string).claims.aud, OTHER_API);
    assert.equal(body.scope, "write");
    const defaulted = await assertToken(await request());
    assert.equal(decodeJwt(defaulted.access_token as string).claims.aud, API);
  });

  test("no resource and scopes of two resources -> 400 invalid_scope (J-7), even with a default resource", async () => {
    const { request } = await server({ resourceScopes }, [client]);
    await assertOAuthError(await request({ scope: "read write" }), 400, "invalid_scope");
    const withDefault = await server({ resourceScopes }, [{ ...client, default_resource: API }]);
    await assertOAuthError(await withDefault.request({ scope: "read write" }), 400, "invalid_scope");
  });

  test("a resource named: the scope is narrowed to what it understands, and the response says so (RI-8, SC-4)", async () => {
    const { request } = await server({ resourceScopes }, [client]);
    const body = await assertToken(await request({ scope: "read write", resource: OTHER_API }));
    assert.equal(body.scope, "write");
    const { claims } = decodeJwt(body.access_token as string);
    assert.equal(claims.scope, "write");
    assert.equal(claims.aud, OTHER_API);
  });

  test("nothing of the requested scope is meant for the named resource -> 400 invalid_scope", async () => {
    const { request } = await server({ resourceScopes }, [client]);
    await assertOAuthError(await request({ scope: "read", resource: OTHER_API }), 400, "invalid_scope");
  });

  test("a scope that belongs to a resource the client may not ask for -> 400 invalid_target", async () => {
    const { request } = await server({ resourceScopes }, [{ ...client, allowed_resources: [API] }]);
    await assertOAuthError(await request({ scope: "write" }), 400, "invalid_target");
  });

  test("scopes no resource claims fall back to the default resource, unnarrowed when it is not in the map", async () => {
    const third = "https://third.example.com";
    const { request } = await server({ resourceScopes: { [third]: ["other"] } }, [{ ...client, default_resource: API }]);
    const body = await assertToken(await request({ scope: "read write" }));
    assert.equal(decodeJwt(body.access_token as string).claims.aud, API);
    assert.equal(body.scope, "read write");
  });

  test("without resourceScopes, scope and audience stay independent", async () => {
    const { request } = await server({}, [{ ...client, default_resource: API }]);
    const body = await assertToken(await request({ scope: "read write", resource: OTHER_API }));
    assert.equal(body.scope, "read write");
  });

  test("resourceScopes is checked at start-up", () => {
    const base = { issuer: ISSUER, clients: [JWT_CLIENT] };
    assert.throws(() => resolveServerConfig({ ...base, resourceScopes: { "/api": ["read"] } }), ConfigurationError);
    assert.throws(() => resolveServerConfig({ ...base, resourceScopes: { [API]: [] } }), ConfigurationError);
    assert.throws(() => resolveServerConfig({ ...base, resourceScopes: { [API]: ["a b"] } }), ConfigurationError);
    assert.throws(() => resolveServerConfig({ ...base, resourceScopes: [] as never }), ConfigurationError);
  });
});

describe("order of checks (RFC_CHECKLIST TE-6)", () => {
  test("client authentication before resource: a bad secret with a bad resource -> invalid_client", async () => {
    const { fetch } = await server();
    const res = await fetch(`${ISSUER}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${btoa("jwt-client:wrong")}` },
      body: "grant_type=client_credentials&resource=%2Fapi",
    });
    await assertOAuthError(res, 401, "invalid_client");
  });

  test("scope before resource: a bad scope with a bad resource -> invalid_scope", async () => {
    const { request } = await server();
    await assertOAuthError(await request({ scope: "admin", resource: "/api" }), 400, "invalid_scope");
  });
});

describe("configuration", () => {
  const base = { issuer: ISSUER, clients: [JWT_CLIENT] };
  test("allowedResources and defaultResource must be absolute URIs without fragment", () => {
    assert.throws(() => resolveServerConfig({ ...base, allowedResources: ["/api"] }), /allowedResources/);
    assert.throws(() => resolveServerConfig({ ...base, defaultResource: "https://a.example/#x" }), /defaultResource/);
  });

  test("a registration's resources are checked at start-up", () => {
    const reg = (extra: Partial<ClientRegistration>) => ({ ...base, clients: [{ ...JWT_CLIENT, ...extra }] });
    assert.throws(() => resolveServerConfig(reg({ allowed_resources: ["api"] })), /allowed_resources/);
    assert.throws(() => resolveServerConfig(reg({ default_resource: "https://x.example.com" })), /one of allowed_resources/);
    assert.throws(() => resolveServerConfig(reg({ allow_multiple_resources: "yes" as unknown as boolean })), ConfigurationError);
  });
});
