// Issue 20: the resource server's options follow one description (src/config/describe.ts):
// the known keys with "did you mean", the integer ranges with the option's path.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ConfigurationError, createAuthorizationServer, type ServerOptions } from "../mod.ts";
import { resolveServerConfig } from "../src/config/server_config.ts";
import { tokenEndpointDescription } from "../src/options.ts";
import { resolveResourceServerOptions, resourceServerDescription, type ResourceServerOptions } from "../src/resource_server/options.ts";

const ok: ResourceServerOptions = { resource: "https://api.example.com", issuer: "https://as.example.com", jwksUri: "https://as.example.com/jwks" };

function refused(options: unknown, path: string, message: RegExp): void {
  assert.throws(() => resolveResourceServerOptions(options as ResourceServerOptions), (e: unknown) => {
    assert.ok(e instanceof ConfigurationError, String(e));
    assert.equal(e.path, path);
    assert.match(e.message, message);
    return true;
  });
}

describe("resource-server options follow their description", () => {
  test("a misspelt key is refused with a 'did you mean'", () => {
    refused({ ...ok, jwksURI: "https://as.example.com/jwks" }, "jwksURI", /unknown option 'jwksURI' \(did you mean 'jwksUri'\?\)/);
    refused({ ...ok, clockTolerence: 5 }, "clockTolerence", /did you mean 'clockTolerance'/);
  });

  test("integers out of range name the option", () => {
    refused({ ...ok, clockTolerance: 301 }, "clockTolerance", /clockTolerance must be an integer from 0 to 300/);
    refused({ ...ok, storeTimeoutMs: 0 }, "storeTimeoutMs", /storeTimeoutMs/);
    refused({ ...ok, verifiedTokenCache: -1 }, "verifiedTokenCache", /verifiedTokenCache/);
  });

  test("defaults come from the description", () => {
    const ctx = resolveResourceServerOptions({ ...ok });
    assert.equal(ctx.clockTolerance, resourceServerDescription.clockTolerance.fallback);
    assert.equal(ctx.clockTolerance, 5);
  });
});

describe("token endpoint options follow their description", () => {
  const base = { issuer: "https://as.example.com", clients: [] };
  test("a misspelt key is refused with a 'did you mean'", () => {
    assert.throws(() => resolveServerConfig({ ...base, accessTokenLifeTime: 60 } as never), (e: unknown) =>
      e instanceof ConfigurationError && e.path === "accessTokenLifeTime" && /did you mean 'accessTokenLifetime'\?/.test(e.message));
  });
  test("integer defaults and ranges come from the description", () => {
    const ctx = resolveServerConfig({ ...base });
    assert.equal(ctx.accessTokenLifetime, tokenEndpointDescription.accessTokenLifetime.fallback);
    assert.equal(ctx.form.maxBytes, tokenEndpointDescription.maxBodyBytes.fallback);
    assert.throws(() => resolveServerConfig({ ...base, bodyTimeoutMs: 0 }), (e: unknown) => e instanceof ConfigurationError && e.path === "bodyTimeoutMs");
  });
});

describe("server options follow their description", () => {
  const base: ServerOptions = { issuer: "https://as.example.com", clients: [] };
  const refusedAt = (options: unknown, path: string, message: RegExp) =>
    assert.throws(() => createAuthorizationServer(options as ServerOptions), (e: unknown) =>
      e instanceof ConfigurationError && e.path === path && message.test(e.message));
  test("misspelt keys at every level get a 'did you mean'", () => {
    refusedAt({ ...base, mountpath: "/oauth" }, "mountpath", /did you mean 'mountPath'/);
    refusedAt({ ...base, endpoints: { revokation: false } }, "endpoints.revokation", /did you mean 'revocation'/);
    refusedAt({ ...base, introspectionPolicy: { allowcaller: () => true } }, "introspectionPolicy.allowcaller", /did you mean 'allowCaller'/);
  });
  test("a policy member that is not a function names its path", () => {
    refusedAt({ ...base, introspectionPolicy: { allowToken: true } }, "introspectionPolicy.allowToken", /must be a function/);
  });
});
