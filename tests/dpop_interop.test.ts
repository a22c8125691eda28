// Interop for DPoP (RFC 9449): oauth4webapi's DPoP handle gets a bound token from the
// authorization server, handles use_dpop_nonce by retrying, and calls a resource server
// built with verifyAccessToken. The libraries' fetch is routed to the handlers in-process.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as oauth from "oauth4webapi";
import * as jose from "jose";
import { type DpopOptions, KeySet, MemoryTokenStore } from "../mod.ts";
import { type ResourceServerOptions, verifyAccessToken } from "../src/resource_server/mod.ts";
import { API, authServer, ISSUER, routedFetch, SECRET, testKey } from "./support/fixtures.ts";
const NONCE = { secret: "a-secret-of-at-least-32-characters-for-nonces" };

async function world(format: "opaque" | "jwt", asDpop: DpopOptions = {}, rsDpop: ResourceServerOptions["dpop"] = true) {
  const signingKeys = new KeySet({ active: await testKey("ES256") });
  const tokenStore = new MemoryTokenStore();
  const { server } = authServer(
    { accessTokenFormat: format, signingKeys, tokenStore, dpop: asDpop },
    [{ client_id: "svc", client_secret: SECRET, grant_types: ["client_credentials"], scope: "read", allowed_resources: [API], default_resource: API }],
  );
  const rs: ResourceServerOptions = format === "jwt"
    ? { resource: API, issuer: ISSUER, jwks: signingKeys, dpop: rsDpop }
    : { resource: API, tokenStore, dpop: rsDpop };
  let calls = 0;
  const api = async (request: Request): Promise<Response> => {
    calls++;
    const result = await verifyAccessToken(request, rs, { scope: "read" });
    return result.ok ? Response.json({ client: result.claims.client_id, scheme: result.scheme }) : result.response;
  };
  const fetch = routedFetch({ [ISSUER]: server.fetch, [API]: api });
  return { fetch, apiCalls: () => calls };
}

const as: oauth.AuthorizationServer = { issuer: ISSUER, token_endpoint: `${ISSUER}/token` };
const client: oauth.Client = { client_id: "svc" };

async function getToken(fetch: typeof globalThis.fetch, DPoP: oauth.DPoPHandle) {
  const response = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(SECRET), new URLSearchParams(), {
    DPoP,
    [oauth.customFetch]: fetch,
  });
  return oauth.processClientCredentialsResponse(as, client, response);
}

/** Options of a protected resource request through `fetch` (its fetch type is narrower than globalThis.fetch). */
function resourceOptions(fetch: typeof globalThis.fetch, DPoP?: oauth.DPoPHandle): oauth.ProtectedResourceRequestOptions {
  return { ...(DPoP === undefined ? {} : { DPoP }), [oauth.customFetch]: fetch as unknown as oauth.ProtectedResourceRequestOptions[typeof oauth.customFetch] };
}

/** Retries once when the server asks for a nonce, as oauth4webapi's docs show. */
async function withNonceRetry<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (!oauth.isDPoPNonceError(e)) throw e;
    return call();
  }
}

describe("oauth4webapi DPoP against the server and verifyAccessToken", () => {
  for (const alg of ["ES256", "EdDSA", "RS256"] as const) {
    for (const format of ["opaque", "jwt"] as const) {
      test(`${alg} proof key, ${format} token: a DPoP-bound token, then an accepted protected resource request`, async () => {
        const { fetch } = await world(format);
        const keyPair = await jose.generateKeyPair(alg, { extractable: true }) as CryptoKeyPair;
        const DPoP = oauth.DPoP(client, keyPair);
        const tokens = await getToken(fetch, DPoP);
        assert.equal(tokens.token_type, "dpop");
        if (format === "jwt") {
          const claims = jose.decodeJwt(tokens.access_token) as { cnf?: { jkt?: string } };
          assert.equal(claims.cnf?.jkt, await DPoP.calculateThumbprint());
        }
        const response = await oauth.protectedResourceRequest(tokens.access_token, "GET", new URL(`${API}/invoices?page=1`), new Headers(), null, resourceOptions(fetch, DPoP));
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { client: "svc", scheme: "dpop" });
      });
    }
  }

  test("EdDSA by its RFC 9864 name Ed25519 (oauth4webapi's default) and by the name EdDSA (its remapEd25519 option)", async () => {
    const { fetch } = await world("jwt");
    const keyPair = await jose.generateKeyPair("Ed25519", { extractable: true }) as CryptoKeyPair;
    const remapEd25519: oauth.ModifyAssertionOptions = {
      [oauth.modifyAssertion]: (header) => {
        assert.equal(header.alg, "Ed25519");
        header.alg = "EdDSA";
      },
    };
    for (const DPoP of [oauth.DPoP(client, keyPair), oauth.DPoP(client, keyPair, remapEd25519)]) {
      const tokens = await getToken(fetch, DPoP);
      assert.equal(tokens.token_type, "dpop");
    }
  });

  test("use_dpop_nonce at the token endpoint and at the resource server: oauth4webapi retries with the nonce", async () => {
    const { fetch, apiCalls } = await world("jwt", { nonce: NONCE }, { nonce: NONCE });
    const keyPair = await jose.generateKeyPair("ES256", { extractable: true }) as CryptoKeyPair;
    const DPoP = oauth.DPoP(client, keyPair);
    await assert.rejects(getToken(fetch, DPoP), (e: unknown) => oauth.isDPoPNonceError(e));
    const tokens = await getToken(fetch, DPoP); // the handle kept the nonce from the refusal
    assert.equal(tokens.token_type, "dpop");
    const call = () =>
      oauth.protectedResourceRequest(tokens.access_token, "GET", new URL(`${API}/invoices`), new Headers(), null, resourceOptions(fetch, DPoP));
    const response = await withNonceRetry(call);
    assert.equal(response.status, 200);
    assert.equal(apiCalls(), 2, "the first call was refused with use_dpop_nonce, the retry accepted");
  });

  test("a DPoP-bound token used without the DPoP handle (as Bearer) is refused by the resource server", async () => {
    const { fetch } = await world("opaque");
    const DPoP = oauth.DPoP(client, await jose.generateKeyPair("ES256", { extractable: true }) as CryptoKeyPair);
    const tokens = await getToken(fetch, DPoP);
    await assert.rejects(
      oauth.protectedResourceRequest(tokens.access_token, "GET", new URL(`${API}/invoices`), new Headers(), null, resourceOptions(fetch)),
      (e: unknown) => {
        assert.ok(e instanceof oauth.WWWAuthenticateChallengeError);
        assert.equal(e.cause.find((c) => c.scheme === "bearer")?.parameters.error, "invalid_token");
        assert.ok(e.cause.some((c) => c.scheme === "dpop"));
        return true;
      },
    );
  });
});
