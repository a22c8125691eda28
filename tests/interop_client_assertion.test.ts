// Interop: real clients authenticating with signed assertions (RFC 7523). oauth4webapi's
// PrivateKeyJwt and ClientSecretJwt, and openid-client's PrivateKeyJwt, get tokens from the
// server, with keys made by jose; their fetch is routed to the handler in-process. With the
// default strictAudience (issue 19, draft-ietf-oauth-rfc7523bis) each of them is shown to
// send the issuer identifier, as one string, as the assertion's aud.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as oauth from "oauth4webapi";
import * as client from "openid-client";
import type { ClientRegistration } from "../mod.ts";
import { clientKey, JWT_SECRET } from "./assertion_helpers.ts";
import { authServer, INTROSPECT_URL as INTROSPECTION_ENDPOINT, ISSUER, routedFetch, TOKEN_URL as TOKEN_ENDPOINT } from "./support/fixtures.ts";

const KEYS = {
  ES256: await clientKey("ES256", "interop-es256"),
  EdDSA: await clientKey("EdDSA", "interop-eddsa"),
  RS256: await clientKey("RS256", "interop-rs256"),
};

/** The `aud` of every client assertion the server was sent, in order. */
const audiences: unknown[] = [];

function audienceOf(body: string): unknown {
  const assertion = new URLSearchParams(body).get("client_assertion");
  if (assertion === null) return undefined;
  const payload = assertion.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/");
  return (JSON.parse(atob(payload)) as { aud?: unknown }).aud;
}

/** The server with the default assertion rules, or `strictAudience: false` when `lax`. */
function server(lax = false): typeof globalThis.fetch {
  const clients: ClientRegistration[] = [
    ...Object.entries(KEYS).map(([alg, key]): ClientRegistration => ({
      client_id: `pk-${alg}`,
      token_endpoint_auth_method: "private_key_jwt",
      jwks: { keys: [key.publicJwk] },
      grant_types: ["client_credentials"],
      scope: "read",
    })),
    {
      client_id: "hs",
      token_endpoint_auth_method: "client_secret_jwt",
      client_secret: JWT_SECRET,
      grant_types: ["client_credentials"],
      scope: "read",
    },
  ];
  const s = authServer(lax ? { clientAssertion: { strictAudience: false } } : {}, clients);
  return routedFetch({
    [ISSUER]: async (request) => {
      audiences.push(audienceOf(await request.clone().text()));
      return s.fetch(request);
    },
  });
}

/** The audience of the last assertion sent is exactly the issuer, a single string. */
function assertIssuerAudience(): void {
  assert.equal(audiences.at(-1), ISSUER);
}

describe("oauth4webapi assertions", () => {
  const as: oauth.AuthorizationServer = { issuer: ISSUER, token_endpoint: TOKEN_ENDPOINT, introspection_endpoint: INTROSPECTION_ENDPOINT };

  async function grant(clientId: string, auth: oauth.ClientAuth, fetch: typeof globalThis.fetch) {
    const c: oauth.Client = { client_id: clientId };
    const response = await oauth.clientCredentialsGrantRequest(as, c, auth, new URLSearchParams(), { [oauth.customFetch]: fetch });
    return oauth.processClientCredentialsResponse(as, c, response);
  }

  for (const [alg, key] of Object.entries(KEYS)) {
    test(`PrivateKeyJwt with an ${alg} key sends aud = the issuer and gets a token (strict by default, and lax)`, async () => {
      for (const lax of [false, true]) {
        const fetch = server(lax);
        const result = await grant(`pk-${alg}`, oauth.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }), fetch);
        assertIssuerAudience();
        assert.equal(result.token_type, "bearer");
        assert.equal(result.scope, "read");
      }
    });
  }

  test("ClientSecretJwt gets a token", async () => {
    const result = await grant("hs", oauth.ClientSecretJwt(JWT_SECRET), server());
    assertIssuerAudience();
    assert.ok(result.access_token);
  });

  test("PrivateKeyJwt at the introspection endpoint", async () => {
    const fetch = server();
    const auth = oauth.PrivateKeyJwt({ key: KEYS.ES256.privateKey, kid: KEYS.ES256.kid });
    const { access_token } = await grant("pk-ES256", auth, fetch);
    const c: oauth.Client = { client_id: "pk-ES256" };
    const response = await oauth.introspectionRequest(as, c, auth, access_token, { [oauth.customFetch]: fetch });
    // At the introspection endpoint too: the issuer, not the endpoint's URL.
    assertIssuerAudience();
    const result = await oauth.processIntrospectionResponse(as, c, response);
    assert.equal(result.active, true);
    assert.equal(result.client_id, "pk-ES256");
  });

  test("a key the server does not know surfaces as invalid_client", async () => {
    const stranger = await clientKey("ES256", KEYS.ES256.kid);
    await assert.rejects(grant("pk-ES256", oauth.PrivateKeyJwt({ key: stranger.privateKey, kid: stranger.kid }), server()), (e: unknown) => {
      assert.ok(e instanceof oauth.ResponseBodyError, String(e));
      assert.equal(e.error, "invalid_client");
      return true;
    });
  });
});

describe("openid-client assertions", () => {
  test("clientCredentialsGrant with PrivateKeyJwt (EdDSA) sends aud = the issuer", async () => {
    const config = new client.Configuration(
      { issuer: ISSUER, token_endpoint: TOKEN_ENDPOINT },
      "pk-EdDSA",
      {},
      client.PrivateKeyJwt({ key: KEYS.EdDSA.privateKey, kid: KEYS.EdDSA.kid }),
    );
    config[client.customFetch] = server() as unknown as client.CustomFetch;
    const tokens = await client.clientCredentialsGrant(config);
    assertIssuerAudience();
    assert.equal(tokens.scope, "read");
  });
});
