// Issue 20: a per-client access_token_lifetime (registration metadata), end to end.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ConfigurationError, type TokenEndpointOptions } from "../mod.ts";
import { resolveServerConfig } from "../src/config/server_config.ts";
import { decodeJwt } from "./rs_helpers.ts";
import { JWT_CLIENT, jwtServer, testKey, testServer } from "./support/fixtures.ts";

const ISSUER = "https://auth.example.com";
const client = (extra: object) => ({ client_id: "c", client_secret: "s", grant_types: ["client_credentials"], ...extra });

async function expiresIn(options: TokenEndpointOptions): Promise<number> {
  const response = await testServer(options).fetch(
    new Request(`${ISSUER}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${btoa("c:s")}` },
      body: "grant_type=client_credentials",
    }),
  );
  assert.equal(response.status, 200);
  return (await response.json() as { expires_in: number }).expires_in;
}

describe("per-client access_token_lifetime", () => {
  test("an opaque token's expires_in is the client's lifetime when set", async () => {
    assert.equal(await expiresIn({ issuer: ISSUER, clients: [client({ access_token_lifetime: 120 })] }), 120);
  });

  test("without it, the server's accessTokenLifetime (or its default) decides", async () => {
    assert.equal(await expiresIn({ issuer: ISSUER, clients: [client({})] }), 600);
    assert.equal(await expiresIn({ issuer: ISSUER, clients: [client({})], accessTokenLifetime: 300 }), 300);
    // The client's wins over the server's, longer or shorter.
    assert.equal(await expiresIn({ issuer: ISSUER, clients: [client({ access_token_lifetime: 900 })], accessTokenLifetime: 300 }), 900);
  });

  test("a JWT access token's exp is iat plus the client's lifetime", async () => {
    const { request } = await jwtServer(await testKey("ES256"), {}, [{ ...JWT_CLIENT, access_token_lifetime: 90 }]);
    const body = await (await request()).json() as { access_token: string; expires_in: number };
    assert.equal(body.expires_in, 90);
    const { claims } = decodeJwt(body.access_token);
    assert.equal((claims.exp as number) - (claims.iat as number), 90);
  });

  test("it is an integer from 1 to 86400, refused with the option's path", () => {
    for (const bad of [0, 86_401, 1.5, "60"]) {
      assert.throws(
        () => resolveServerConfig({ issuer: ISSUER, clients: [client({ access_token_lifetime: bad })] }),
        (e: unknown) => e instanceof ConfigurationError && e.path === "clients[0].access_token_lifetime",
      );
    }
  });
});
