// A request that carries no client authentication at all (no Authorization header, no
// client_secret, no client_assertion; at most a client_id) gets the same answer at the token,
// introspection and revocation endpoints: 401 invalid_client with a challenge naming the
// scheme the server accepts (RFC 6749 s5.2, RFC 7662 s2.3, RFC 9110 s15.5.2), JSON with
// no-store, and nothing issued or revoked. Everything else keeps its RFC status.
// Shown with raw requests and with oauth4webapi's and openid-client's `None()`.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as oauth from "oauth4webapi";
import * as client from "openid-client";
import type { ServerEvent } from "../mod.ts";
import {
  assertOAuthError,
  authServer,
  BASIC_CLIENT,
  formPost,
  INTROSPECT_URL,
  ISSUER,
  issueToken,
  POST_CLIENT,
  REVOKE_URL,
  SECRET,
  TOKEN_URL,
  tokenRequest,
} from "./helpers.ts";

const OWNER: [string, string] = [BASIC_CLIENT.client_id, SECRET];
const CHALLENGE = `Basic realm="${ISSUER}"`;

type Endpoint = "token" | "introspection" | "revocation";
const ENDPOINTS: ReadonlyArray<[Endpoint, string, (token: string) => Record<string, string>]> = [
  ["token", TOKEN_URL, () => ({ grant_type: "client_credentials", scope: "read" })],
  ["introspection", INTROSPECT_URL, (token) => ({ token })],
  ["revocation", REVOKE_URL, (token) => ({ token })],
];

/** The bodies of requests without client authentication, each added to an endpoint's own parameters. */
const UNAUTHENTICATED: ReadonlyArray<[string, Record<string, string> | string]> = [
  ["no client parameters at all", {}],
  ["only the client_id of a client_secret_basic client", { client_id: BASIC_CLIENT.client_id }],
  ["only the client_id of a client_secret_post client", { client_id: POST_CLIENT.client_id }],
  ["only the client_id of an unknown client", { client_id: "no-such-client" }],
  // RFC 6749 s3.2 (RFC_CHECKLIST TE-3): an empty parameter is treated as absent.
  ["an empty client_secret= and empty client_assertion=", `client_id=${POST_CLIENT.client_id}&client_secret=&client_assertion=`],
];

function body(params: Record<string, string>, extra: Record<string, string> | string): string {
  const own = new URLSearchParams(params).toString();
  return typeof extra === "string" ? `${own}&${extra}` : new URLSearchParams({ ...params, ...extra }).toString();
}

async function isActive(fetch: (r: Request) => Promise<Response>, token: string): Promise<boolean> {
  const res = await fetch(formPost(INTROSPECT_URL, { token }, OWNER));
  assert.equal(res.status, 200);
  return ((await res.json()) as { active: boolean }).active;
}

/** The one answer: 401 invalid_client, exactly the Basic challenge, JSON with no-store (checked by assertOAuthError). */
async function assertUnauthenticated(res: Response, challenge = CHALLENGE): Promise<Record<string, unknown>> {
  const json = await assertOAuthError(res, 401, "invalid_client");
  assert.equal(res.headers.get("www-authenticate"), challenge);
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.deepEqual(Object.keys(json).sort(), ["error", "error_description"]);
  return json;
}

describe("no client authentication: raw requests at every endpoint", () => {
  for (const [endpoint, url, params] of ENDPOINTS) {
    for (const [name, extra] of UNAUTHENTICATED) {
      test(`${endpoint}: ${name} -> 401 invalid_client + Basic challenge; nothing issued or revoked`, async () => {
        const events: ServerEvent[] = [];
        const { fetch, store } = authServer({ onEvent: (e) => void events.push(e) });
        const token = await issueToken(fetch);
        const before = store.size;
        const res = await fetch(tokenRequest({ url, body: body(params(token), extra) }));
        const json = await assertUnauthenticated(res);
        assert.ok(!("active" in json));
        assert.equal(store.size, before, "no token issued");
        assert.equal(await isActive(fetch, token), true, "the token was not revoked");
        const failed = events.filter((e) => e.type === "client_authentication_failed");
        assert.equal(failed.length, 1);
        assert.equal(failed[0]!.endpoint, endpoint);
        const sentId = new URLSearchParams(body({}, extra)).get("client_id");
        assert.equal((failed[0] as { client_id?: string }).client_id, sentId ?? undefined);
      });
    }
  }

  test("the three endpoints give byte-identical answers, whichever client_id (or none) was sent", async () => {
    const { fetch } = authServer();
    const token = await issueToken(fetch);
    const answers = new Set<string>();
    for (const [, url, params] of ENDPOINTS) {
      for (const [, extra] of UNAUTHENTICATED) {
        const res = await fetch(tokenRequest({ url, body: body(params(token), extra) }));
        answers.add(JSON.stringify({ status: res.status, headers: [...res.headers], body: await res.text() }));
      }
    }
    assert.equal(answers.size, 1, [...answers].join("\n"));
  });

  test("the challenge carries the configured realm", async () => {
    const { fetch } = authServer({ realm: "m2m \"prod\"" });
    for (const [, url, params] of ENDPOINTS) {
      await assertUnauthenticated(await fetch(tokenRequest({ url, body: params("x") })), 'Basic realm="m2m \\"prod\\""');
    }
  });

  test("not counted by the brute-force guard: a client is not locked out by requests that carry no secret", async () => {
    const { fetch } = authServer({ bruteForce: { maxAttempts: 2, maxAttemptsPerClient: 2 } });
    for (let i = 0; i < 5; i++) {
      await assertUnauthenticated(await fetch(tokenRequest({ body: { grant_type: "client_credentials", client_id: BASIC_CLIENT.client_id } })));
    }
    await issueToken(fetch);
  });

  test("with CORS on, a browser can read the challenge", async () => {
    const { fetch } = authServer({ cors: { origins: ["https://console.example.com"] } });
    const res = await fetch(tokenRequest({ headers: { origin: "https://console.example.com" } }));
    await assertUnauthenticated(res);
    assert.match(res.headers.get("access-control-expose-headers") ?? "", /www-authenticate/i);
  });
});

describe("what keeps its own status (RFC 6749 s2.3, s5.2; RFC 7662 s2.3)", () => {
  for (const [endpoint, url, params] of ENDPOINTS) {
    test(`${endpoint}: two methods -> 400 invalid_request; a bad Basic header -> 401 + challenge`, async () => {
      const { fetch } = authServer();
      await assertOAuthError(
        await fetch(tokenRequest({ url, basic: OWNER, body: { ...params("x"), client_id: POST_CLIENT.client_id, client_secret: SECRET } })),
        400,
        "invalid_request",
      );
      const res = await fetch(tokenRequest({ url, basic: [BASIC_CLIENT.client_id, "wrong"], body: params("x") }));
      await assertUnauthenticated(res);
    });

    // RFC 6749 s5.2 lets a failed body attempt be 400; RFC 7662 s2.3 makes it 401 at introspection.
    const status = endpoint === "introspection" ? 401 : 400;
    test(`${endpoint}: a wrong body secret, a client_secret without client_id, a bad assertion -> ${status} invalid_client`, async () => {
      const { fetch } = authServer();
      const attempts: Array<Record<string, string>> = [
        { client_id: POST_CLIENT.client_id, client_secret: "wrong" },
        { client_secret: SECRET },
        { client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: "not.a.jwt" },
        { client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" },
      ];
      for (const extra of attempts) {
        const res = await fetch(tokenRequest({ url, body: { ...params("x"), ...extra } }));
        await assertOAuthError(res, status, "invalid_client");
        assert.equal(res.headers.get("www-authenticate"), status === 401 ? CHALLENGE : null, JSON.stringify(extra));
      }
    });
  }
});

describe("no client authentication: oauth4webapi's None() (sends only client_id)", () => {
  const as: oauth.AuthorizationServer = {
    issuer: ISSUER,
    token_endpoint: TOKEN_URL,
    introspection_endpoint: INTROSPECT_URL,
    revocation_endpoint: REVOKE_URL,
  };
  const c: oauth.Client = { client_id: BASIC_CLIENT.client_id };

  /** The client surfaces the 401 as a parsed Basic challenge with our realm; the body is still the RFC error. */
  async function assertChallenge(processing: Promise<unknown>): Promise<void> {
    const e = await processing.then(() => assert.fail("the response was accepted"), (e: unknown) => e);
    assert.ok(e instanceof oauth.WWWAuthenticateChallengeError, String(e));
    assert.equal(e.response.status, 401);
    assert.equal(e.cause.length, 1);
    assert.equal(e.cause[0]!.scheme, "basic");
    assert.equal(e.cause[0]!.parameters.realm, ISSUER);
    await assertUnauthenticated(e.response);
  }

  /** oauth4webapi's fetch: it calls fetch(url, init). */
  const options = (fetch: (r: Request) => Promise<Response>) => ({
    [oauth.customFetch]: ((input: string, init?: RequestInit) => fetch(new Request(input, init))) as unknown as typeof globalThis.fetch,
  });

  test("token endpoint: no token; the client sees a Basic challenge", async () => {
    const { fetch, store } = authServer();
    const response = await oauth.clientCredentialsGrantRequest(as, c, oauth.None(), new URLSearchParams({ scope: "read" }), options(fetch));
    await assertChallenge(oauth.processClientCredentialsResponse(as, c, response));
    assert.equal(store.size, 0);
  });

  test("introspection: the token is not answered", async () => {
    const { fetch } = authServer();
    const token = await issueToken(fetch);
    const response = await oauth.introspectionRequest(as, c, oauth.None(), token, options(fetch));
    await assertChallenge(oauth.processIntrospectionResponse(as, c, response));
  });

  test("revocation: the token is not revoked", async () => {
    const { fetch } = authServer();
    const token = await issueToken(fetch);
    const response = await oauth.revocationRequest(as, c, oauth.None(), token, options(fetch));
    await assertChallenge(oauth.processRevocationResponse(response));
    assert.equal(await isActive(fetch, token), true);
  });
});

describe("no client authentication: openid-client's None(), after discovery", () => {
  async function configuration(fetch: (r: Request) => Promise<Response>): Promise<client.Configuration> {
    const config = await client.discovery(new URL(ISSUER), POST_CLIENT.client_id, undefined, client.None(), {
      algorithm: "oauth2",
      [client.customFetch]: ((input: string, init?: RequestInit) => fetch(new Request(input, init))) as unknown as client.CustomFetch,
    });
    return config;
  }

  function assertChallenge(e: unknown): true {
    assert.ok(e instanceof client.WWWAuthenticateChallengeError, String(e));
    assert.equal(e.status, 401);
    assert.equal(e.cause[0]!.scheme, "basic");
    assert.equal(e.cause[0]!.parameters.realm, ISSUER);
    return true;
  }

  test("token, introspection and revocation all answer the same challenge; nothing issued or revoked", async () => {
    const { fetch, store } = authServer();
    const token = await issueToken(fetch);
    const config = await configuration(fetch);
    await assert.rejects(client.clientCredentialsGrant(config, { scope: "read" }), assertChallenge);
    assert.equal(store.size, 1, "no token issued");
    await assert.rejects(client.tokenIntrospection(config, token), assertChallenge);
    await assert.rejects(client.tokenRevocation(config, token), assertChallenge);
    assert.equal(await isActive(fetch, token), true);
  });
});
