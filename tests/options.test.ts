// Options and registrations are validated once, with errors that name the problem.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ConfigurationError, type TokenEndpointOptions } from "../mod.ts";
import { resolveServerConfig } from "../src/config/server_config.ts";
import { BASIC_CLIENT, SECRET } from "./helpers.ts";

const ok: TokenEndpointOptions = { issuer: "https://as.example.com", clients: [BASIC_CLIENT] };

function rejects(options: unknown, pattern: RegExp): void {
  assert.throws(() => resolveServerConfig(options as TokenEndpointOptions), (e) => e instanceof ConfigurationError && pattern.test(e.message));
}

describe("options", () => {
  test("valid options resolve once and are cached by identity", () => {
    assert.equal(resolveServerConfig(ok), resolveServerConfig(ok));
  });

  test("a misspelt option fails at start-up", () => {
    rejects({ ...ok, accessTokenLifeTime: 60 }, /unknown option 'accessTokenLifeTime'/);
  });

  test("issuer: https, no query, no fragment (RFC 8414 s2); http only on loopback", () => {
    rejects({ ...ok, issuer: "http://as.example.com" }, /https/);
    rejects({ ...ok, issuer: "https://as.example.com/?a=b" }, /query or fragment/);
    rejects({ ...ok, issuer: "https://as.example.com/#x" }, /query or fragment/);
    rejects({ ...ok, issuer: "as.example.com" }, /not a URL/);
    assert.equal(resolveServerConfig({ ...ok, issuer: "http://localhost:8787" }).issuer, "http://localhost:8787");
  });

  test("numbers out of range fail", () => {
    rejects({ ...ok, accessTokenLifetime: 0 }, /accessTokenLifetime/);
    rejects({ ...ok, accessTokenLifetime: 90_000 }, /accessTokenLifetime/);
    rejects({ ...ok, accessTokenLifetime: "600" }, /accessTokenLifetime/);
    rejects({ ...ok, maxBodyBytes: 1.5 }, /maxBodyBytes/);
  });

  test("clients must be an array or a store", () => {
    rejects({ ...ok, clients: {} }, /ClientStore/);
  });
});

describe("client registrations", () => {
  const reg = (extra: object) => ({ ...ok, clients: [{ client_id: "c", client_secret: SECRET, grant_types: ["client_credentials"], ...extra }] });

  test("an unknown token_endpoint_auth_method fails", () => rejects(reg({ token_endpoint_auth_method: "client_secret_basik" }), /not supported/));
  test("a secret method without a secret fails", () => rejects(reg({ client_secret: undefined }), /needs client_secret_hash/));
  test("a public client cannot be registered for client_credentials", () =>
    rejects(reg({ token_endpoint_auth_method: "none", client_secret: undefined }), /public client/));
  test("default_scope must lie within scope", () => rejects(reg({ scope: "a", default_scope: "b" }), /default_scope 'b'/));
  test("scope syntax is checked", () => rejects(reg({ scope: 'a "b"' }), /valid scope/));
  test("a malformed client_secret_hash fails", () => rejects(reg({ client_secret_hash: "sha256:abc" }), /client_secret_hash/));
  test("grant_types must be an array", () => rejects(reg({ grant_types: "client_credentials" }), /grant_types/));
  test("duplicate client_ids fail", () =>
    rejects({ ...ok, clients: [BASIC_CLIENT, BASIC_CLIENT] }, /registered twice/));
  test("an empty client_id fails", () => rejects(reg({ client_id: "" }), /client_id/));
});
