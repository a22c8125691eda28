// Every option of the server and of the token endpoint is checked by its description
// (src/options.ts, src/server_options.ts) or by the one resolver's cross-field rules
// (src/config/server_config.ts), and a bad one is a ConfigurationError whose `path` names
// it, from either entry point (issue 20).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ConfigurationError, createAuthorizationServer, type ServerOptions, validateTokenEndpointOptions } from "../mod.ts";
import { API, BASIC_CLIENT, ISSUER } from "./helpers.ts";

const base: ServerOptions = { issuer: ISSUER, clients: [BASIC_CLIENT] };

/** [what, the options added to `base`, the path, what the message says]. */
const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
  ["an issuer that is not a string", { issuer: 42 }, "issuer", /^issuer must be a string URL/],
  ["an issuer that is not a URL", { issuer: "as.example.com" }, "issuer", /^issuer "as\.example\.com" is not a URL/],
  ["an http issuer on a public host", { issuer: "http://as.example.com" }, "issuer", /^issuer must be an https URL/],
  ["an issuer with a query", { issuer: "https://as.example.com/?x=1" }, "issuer", /^issuer must not have a query or fragment/],
  ["a token store without find", { tokenStore: { save() {}, revoke() {} } }, "tokenStore", /^tokenStore must be a TokenStore/],
  ["a clock that is a number", { clock: 0 }, "clock", /^clock must be a function returning milliseconds/],
  ["requireHttps as a string", { requireHttps: "false" }, "requireHttps", /^requireHttps must be a boolean/],
  ["a realm that is a number", { realm: 1 }, "realm", /^realm must be a string/],
  ["an access token format in capitals", { accessTokenFormat: "JWT" }, "accessTokenFormat", /^accessTokenFormat must be 'opaque' or 'jwt'/],
  ["signing keys that are not a KeySet", { signingKeys: [] }, "signingKeys", /^signingKeys must be a KeySet/],
  ["JWT access tokens without signing keys", { accessTokenFormat: "jwt" }, "signingKeys", /need the signingKeys option/],
  ["a relative allowed resource", { allowedResources: ["/api"] }, "allowedResources", /^allowedResources must be absolute URIs/],
  ["a default resource with a fragment", { defaultResource: `${API}/#x` }, "defaultResource", /^defaultResource must be an absolute URI/],
  ["resource scopes as an array", { resourceScopes: [] }, "resourceScopes", /^resourceScopes must map resource indicators/],
  ["resource scopes keyed by a path", { resourceScopes: { "/api": ["read"] } }, 'resourceScopes["/api"]', /^resourceScopes\["\/api"\] is keyed by a resource indicator/],
  ["a resource with no scopes", { resourceScopes: { [API]: [] } }, `resourceScopes["${API}"]`, /must be a non-empty list of scope tokens/],
  ["an event hook that is not a function", { onEvent: "log" }, "onEvent", /^onEvent must be a function/],
  ["a caller key that is a header name", { callerKey: "x-forwarded-for" }, "callerKey", /^callerKey must be a function \(request\)/],
  ["a replay store without remember", { replayStore: {} }, "replayStore", /^replayStore must be a ReplayStore/],
  ["a fetch that is not a function", { fetch: "https://proxy" }, "fetch", /^fetch must be a function/],
  ["a token exchange policy that is true", { tokenExchangePolicy: true }, "tokenExchangePolicy", /^tokenExchangePolicy must be a function/],
  ["a JWT bearer policy without trusted issuers", { jwtBearerPolicy: () => false }, "jwtBearerPolicy", /jwtBearerPolicy needs trustedIssuers/],
  ["tokenEndpoint and endpoints.token", { tokenEndpoint: "/a", endpoints: { token: "/b" } }, "tokenEndpoint", /tokenEndpoint or endpoints\.token, not both/],
  ["a token endpoint with a fragment", { tokenEndpoint: "/token#x" }, "tokenEndpoint", /^tokenEndpoint must not have a fragment/],
  ["a token endpoint with user information", { tokenEndpoint: "https://user:pw@as.example.com/token" }, "tokenEndpoint", /user information/],
  ["endpoints as a string", { endpoints: "/token" }, "endpoints", /^endpoints must be an object/],
  ["a misspelt endpoint", { endpoints: { revocaton: "/r" } }, "endpoints.revocaton", /unknown option 'endpoints\.revocaton' \(did you mean 'revocation'\?\)/],
  ["a plain-http endpoint", { endpoints: { introspection: "http://as.example.com/i" } }, "endpoints.introspection", /^endpoints\.introspection must be an https URL/],
  ["two endpoints on one path", { endpoints: { token: "/x", revocation: "https://other.example/x" } }, "endpoints.revocation", /token and revocation share the path \/x/],
  ["an endpoint on the metadata path", { endpoints: { token: "/.well-known/oauth-authorization-server" } }, "endpoints.token", /share the path/],
  ["a mount path without /", { mountPath: "oauth" }, "mountPath", /^mountPath must start with '\/'/],
  ["a mount path holding no endpoint", { mountPath: "/elsewhere" }, "mountPath", /contains none of the endpoints/],
  ["an introspection policy that is a function", { introspectionPolicy: () => true }, "introspectionPolicy", /^introspectionPolicy must be an object/],
  ["a misspelt introspection policy member", { introspectionPolicy: { allowCaler: () => true } }, "introspectionPolicy.allowCaler", /did you mean 'allowCaller'/],
  ["an introspection policy member that is not a function", { introspectionPolicy: { allowToken: true } }, "introspectionPolicy.allowToken", /must be a function/],
  ["an unknown foreign revocation answer", { foreignTokenRevocation: "ignore" }, "foreignTokenRevocation", /must be 'invalid_grant' or 'silent'/],
  ["a revocation store without isRevoked", { revocationStore: { revoke() {} } }, "revocationStore", /^revocationStore must have revoke and isRevoked/],
  ["an empty scopesSupported", { scopesSupported: [] }, "scopesSupported", /^scopesSupported must not be empty/],
  ["a scope with a space in scopesSupported", { scopesSupported: ["a b"] }, "scopesSupported", /^scopesSupported must be an array of valid strings/],
  ["an empty response type", { responseTypesSupported: [""] }, "responseTypesSupported", /^responseTypesSupported must be an array of valid strings/],
  ["a misspelt option", { accessTokenLifeTime: 60 }, "accessTokenLifeTime", /did you mean 'accessTokenLifetime'/],
];

describe("a bad option names its path, from either entry point", () => {
  for (const [what, extra, path, message] of cases) {
    test(`${what} -> ${path}`, () => {
      const options = { ...base, ...extra } as ServerOptions;
      for (const resolve of [() => validateTokenEndpointOptions(options), () => createAuthorizationServer(options)]) {
        assert.throws(resolve, (e: unknown) => {
          assert.ok(e instanceof ConfigurationError, String(e));
          assert.equal(e.path, path, e.message);
          assert.match(e.message, message);
          return true;
        });
      }
    });
  }
});

test("requireHttps: only a boolean (a string \"false\" used to be taken, and meant true)", () => {
  assert.doesNotThrow(() => validateTokenEndpointOptions({ ...base, requireHttps: false }));
  assert.throws(() => validateTokenEndpointOptions({ ...base, requireHttps: "false" as never }), /requireHttps must be a boolean/);
});

test("no fetch given on a runtime without a global fetch is named at start-up, not at the first jwks_uri", () => {
  const global = globalThis as { fetch?: unknown };
  const real = global.fetch;
  global.fetch = undefined;
  try {
    assert.throws(() => validateTokenEndpointOptions({ ...base }), (e: unknown) => e instanceof ConfigurationError && e.path === "fetch");
  } finally {
    global.fetch = real;
  }
});
