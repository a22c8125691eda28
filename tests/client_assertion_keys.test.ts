// Where assertion keys come from: a client's jwks_uri fetched through the fetch option, with
// a cache, a cooldown, a deadline and a size cap (RFC 7591 s2, RFC 7523 s3), and the checks
// of registrations at start-up.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ClientRegistration, ConfigurationError, createAuthorizationServer } from "../mod.ts";
import { assertOAuthError, assertToken, fakeClock, ISSUER, testServer, tokenRequest } from "./helpers.ts";
import {
  assertionRequest,
  claims,
  CLIENT_JWKS_URI,
  EDDSA_KEY,
  ES256_KEY,
  HS_CLIENT,
  IMPOSTOR_KEY,
  JWT_BEARER,
  PK_CLIENT,
  REMOTE_CLIENT,
  rawJws,
  signAssertion,
  spyFetch,
} from "./assertion_helpers.ts";

const RC = REMOTE_CLIENT.client_id;

function remoteServer(keys = [ES256_KEY.publicJwk], cacheControl?: string, extra: Parameters<typeof testServer>[0] = {}) {
  const clock = fakeClock();
  const spy = spyFetch(keys, cacheControl);
  const s = testServer({ clock: clock.now, fetch: spy.fetch, ...extra }, [REMOTE_CLIENT, PK_CLIENT]);
  return { ...s, clock, spy };
}

describe("jwks_uri: fetching the client's keys", () => {
  test("keys are fetched once and cached; the fetch asks for JSON, refuses redirects and has a deadline", async () => {
    const { fetch, clock, spy } = remoteServer();
    let init: RequestInit | undefined;
    let url: string | undefined;
    const respond = spy.respond;
    spy.respond = (u, i) => ((url = u), (init = i), respond(u, i));
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(RC, clock.now())))));
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(RC, clock.now())))));
    assert.equal(spy.calls, 1);
    assert.equal(url, CLIENT_JWKS_URI);
    assert.equal(init?.redirect, "error");
    assert.ok(init?.signal instanceof AbortSignal);
  });

  test("Cache-Control max-age is respected: the set is refetched once it is stale", async () => {
    const { fetch, clock, spy } = remoteServer([ES256_KEY.publicJwk], "public, max-age=120");
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(RC, clock.now())))));
    clock.advance(100);
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(RC, clock.now())))));
    assert.equal(spy.calls, 1);
    clock.advance(30);
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(RC, clock.now())))));
    assert.equal(spy.calls, 2);
  });

  test("a huge max-age is capped (one hour)", async () => {
    const { fetch, clock, spy } = remoteServer([ES256_KEY.publicJwk], "max-age=31536000");
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(RC, clock.now())))));
    clock.advance(3601);
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(RC, clock.now())))));
    assert.equal(spy.calls, 2);
  });

  test("a rotated key (unknown kid): one refresh, then the new key verifies", async () => {
    const { fetch, clock, spy } = remoteServer();
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(RC, clock.now())))));
    spy.respond = () => Response.json({ keys: [ES256_KEY.publicJwk, EDDSA_KEY.publicJwk] });
    clock.advance(31); // past the cooldown, within max-age
    await assertToken(await fetch(assertionRequest(await signAssertion(EDDSA_KEY, claims(RC, clock.now())))));
    assert.equal(spy.calls, 2);
  });

  test("an unknown kid: one refresh, then invalid_client", async () => {
    const { fetch, clock, spy } = remoteServer();
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(RC, clock.now())))));
    clock.advance(31);
    await assertOAuthError(await fetch(assertionRequest(await signAssertion({ ...ES256_KEY, kid: "nope" }, claims(RC, clock.now())))), 400, "invalid_client");
    assert.equal(spy.calls, 2);
  });

  test("a flood of unknown kids: at most one fetch per cooldown (30 s by default)", async () => {
    const { fetch, clock, spy } = remoteServer();
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(RC, clock.now())))));
    clock.advance(31);
    const flood = await Promise.all(Array.from({ length: 40 }, async (_, i) =>
      fetch(assertionRequest(await signAssertion({ ...ES256_KEY, kid: `made-up-${i}` }, claims(RC, clock.now()))))
    ));
    for (const r of flood) await assertOAuthError(r, 400, "invalid_client");
    for (let i = 0; i < 20; i++) {
      clock.advance(1);
      await assertOAuthError(await fetch(assertionRequest(await signAssertion({ ...ES256_KEY, kid: `more-${i}` }, claims(RC, clock.now())))), 400, "invalid_client");
    }
    assert.equal(spy.calls, 2, "the initial fetch and one refresh");
    clock.advance(11);
    await assertOAuthError(await fetch(assertionRequest(await signAssertion({ ...ES256_KEY, kid: "later" }, claims(RC, clock.now())))), 400, "invalid_client");
    assert.equal(spy.calls, 3);
  });

  test("jwksCooldown is an option", async () => {
    const { fetch, clock, spy } = remoteServer([ES256_KEY.publicJwk], undefined, { clientAssertion: { jwksCooldown: 300 } });
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(RC, clock.now())))));
    clock.advance(100);
    await assertOAuthError(await fetch(assertionRequest(await signAssertion({ ...ES256_KEY, kid: "x" }, claims(RC, clock.now())))), 400, "invalid_client");
    assert.equal(spy.calls, 1);
  });

  test("no fetch before the assertion is well-formed and its claims pass", async () => {
    const { fetch, clock, spy } = remoteServer();
    const now = Math.floor(clock.now() / 1000);
    const bad = [
      "not-a-jwt",
      await rawJws({ alg: "none" }, claims(RC, clock.now())),
      await signAssertion(ES256_KEY, claims(RC, clock.now(), { aud: "https://other-as.example.com" })),
      await signAssertion(ES256_KEY, claims(RC, clock.now(), { exp: now - 600, iat: now - 700 })),
      await signAssertion(ES256_KEY, claims(RC, clock.now(), { iss: undefined })),
      await signAssertion(ES256_KEY, claims(RC, clock.now(), { sub: "other" })),
      await signAssertion(ES256_KEY, claims(RC, clock.now(), { jti: undefined })),
      await signAssertion(ES256_KEY, claims(RC, clock.now()), { typ: "at+jwt" }),
      await signAssertion(ES256_KEY, claims(RC, clock.now()), { kid: 7 }),
    ];
    for (const jwt of bad) await assertOAuthError(await fetch(assertionRequest(jwt)), 400, "invalid_client");
    assert.equal(spy.calls, 0);
    // A client that is not registered, and the wrong assertion type around a good assertion.
    const good = await signAssertion(ES256_KEY, claims(RC, clock.now()));
    await assertOAuthError(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims("unknown-client", clock.now())))), 400, "invalid_client");
    const wrongType = { grant_type: "client_credentials", client_assertion_type: `${JWT_BEARER}x`, client_assertion: good };
    await assertOAuthError(await fetch(tokenRequest({ body: wrongType })), 400, "invalid_client");
    // The assertion in the URL query (RFC 6749 s2.3.1: never credentials in the URI).
    await assertOAuthError(await fetch(assertionRequest(good, {}, `${ISSUER}/token?client_assertion=${good}`)), 400, "invalid_request");
    assert.equal(spy.calls, 0);
    // The same assertion, well-formed and properly sent, is the first to fetch.
    await assertToken(await fetch(assertionRequest(good)));
    assert.equal(spy.calls, 1);
  });

  for (const [name, respond] of [
    ["a non-200 answer", () => new Response("{}", { status: 500 })],
    ["a 404", () => new Response("not found", { status: 404 })],
    ["garbage", () => new Response("<html>hello</html>")],
    ["JSON that is not a JWK Set", () => Response.json({ keys: "none" })],
    ["duplicate members", () => new Response('{"keys":[],"keys":[]}')],
    ["a network error", () => Promise.reject(new TypeError("fetch failed"))],
    ["an oversized body", () => Response.json({ keys: [ES256_KEY.publicJwk], padding: "x".repeat(70_000) })],
    ["an oversized Content-Length", () => new Response(JSON.stringify({ keys: [ES256_KEY.publicJwk] }), { headers: { "content-length": "999999" } })],
    ["only private or symmetric keys", () => Response.json({ keys: [{ kty: "oct", k: "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA", alg: "HS256" }] })],
  ] as const) {
    test(`jwks_uri answering ${name} -> 400 invalid_client, never 5xx`, async () => {
      const { fetch, clock, spy } = remoteServer();
      spy.respond = respond as () => Response;
      await assertOAuthError(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(RC, clock.now())))), 400, "invalid_client");
      assert.equal(spy.calls, 1);
    });
  }

  test("a jwks_uri that never answers: the fetch is aborted after jwksTimeoutMs -> invalid_client", async () => {
    const { fetch, clock, spy } = remoteServer([], undefined, { clientAssertion: { jwksTimeoutMs: 50 } });
    let aborted = false;
    spy.respond = (_u, init) =>
      new Promise<Response>((_, reject) => {
        init?.signal?.addEventListener("abort", () => ((aborted = true), reject(init.signal!.reason)));
      });
    const started = Date.now();
    await assertOAuthError(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(RC, clock.now())))), 400, "invalid_client");
    assert.ok(aborted);
    assert.ok(Date.now() - started < 5_000);
  });

  test("a body trickled forever is cut off by the same deadline", async () => {
    const { fetch, clock, spy } = remoteServer([], undefined, { clientAssertion: { jwksTimeoutMs: 50 } });
    spy.respond = () => new Response(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('{"keys":[')); } }));
    await assertOAuthError(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(RC, clock.now())))), 400, "invalid_client");
  });

  test("after a failure the keys are not refetched until the cooldown passes; then they work", async () => {
    const { fetch, clock, spy } = remoteServer();
    const good = spy.respond;
    spy.respond = () => new Response("down", { status: 503 });
    await assertOAuthError(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(RC, clock.now())))), 400, "invalid_client");
    spy.respond = good;
    await assertOAuthError(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(RC, clock.now())))), 400, "invalid_client");
    assert.equal(spy.calls, 1);
    clock.advance(31);
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(RC, clock.now())))));
    assert.equal(spy.calls, 2);
  });

  test("a jwks_uri that is down does not lock the caller out (not counted as a guess)", async () => {
    const { fetch, clock, spy } = remoteServer([ES256_KEY.publicJwk], undefined, { callerKey: () => "198.51.100.1" });
    const good = spy.respond;
    spy.respond = () => new Response("down", { status: 503 });
    for (let i = 0; i < 15; i++) {
      clock.advance(31);
      await assertOAuthError(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(RC, clock.now())))), 400, "invalid_client");
    }
    spy.respond = good;
    clock.advance(31);
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(RC, clock.now())))));
  });

  test("a wrong key from jwks_uri is a plain invalid_client", async () => {
    const { fetch, clock } = remoteServer();
    await assertOAuthError(await fetch(assertionRequest(await signAssertion(IMPOSTOR_KEY, claims(RC, clock.now())))), 400, "invalid_client");
  });

  test("clients sharing a jwks_uri share one cache", async () => {
    const clock = fakeClock();
    const spy = spyFetch([ES256_KEY.publicJwk]);
    const twin = { ...REMOTE_CLIENT, client_id: "twin" };
    const { fetch } = testServer({ clock: clock.now, fetch: spy.fetch }, [REMOTE_CLIENT, twin]);
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(RC, clock.now())))));
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims("twin", clock.now())))));
    assert.equal(spy.calls, 1);
  });
});

describe("registrations and options are checked at start-up", () => {
  const base = { client_id: "c", grant_types: ["client_credentials"] };
  const cases: [string, RegExp, ClientRegistration][] = [
    ["private_key_jwt without keys", /jwks or jwks_uri/, { ...base, token_endpoint_auth_method: "private_key_jwt" }],
    ["both jwks and jwks_uri", /not both/, { ...base, token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [ES256_KEY.publicJwk] }, jwks_uri: CLIENT_JWKS_URI }],
    ["a private key in jwks", /public keys only/, { ...base, token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [{ ...ES256_KEY.publicJwk, d: "AAAA" }] } }],
    ["a symmetric key in jwks", /public keys only/, { ...base, token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [{ kty: "oct", k: "AAAA" }] } }],
    ["jwks with no usable key", /no key for/, { ...base, token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [{ kty: "EC", crv: "P-521", x: "A", y: "B" }] } }],
    ["jwks that is not a JWK Set", /JWK Set/, { ...base, token_endpoint_auth_method: "private_key_jwt", jwks: [ES256_KEY.publicJwk] as never }],
    ["an http jwks_uri", /https/, { ...base, token_endpoint_auth_method: "private_key_jwt", jwks_uri: "http://client.example.com/jwks" }],
    ["a jwks_uri with a fragment", /fragment/, { ...base, token_endpoint_auth_method: "private_key_jwt", jwks_uri: `${CLIENT_JWKS_URI}#k` }],
    ["client_secret_jwt without a readable secret", /plaintext client_secret/, { ...base, token_endpoint_auth_method: "client_secret_jwt", client_secret_hash: "$sha256$Z2yN1q0o0mRlJ1uWjQk0t8eN7w5h5u4Qm6kH9rVb1aY" }],
    ["client_secret_jwt with a short secret", /32 bytes/, { ...base, token_endpoint_auth_method: "client_secret_jwt", client_secret: "too-short" }],
    ["client_secret_jwt with a hash as well", /client_secret_hash cannot/, { ...HS_CLIENT, client_secret_hash: "$sha256$Z2yN1q0o0mRlJ1uWjQk0t8eN7w5h5u4Qm6kH9rVb1aY" }],
    ["HS256 for private_key_jwt", /not supported for private_key_jwt/, { ...PK_CLIENT, token_endpoint_auth_signing_alg: "HS256" }],
    ["ES256 for client_secret_jwt", /not supported for client_secret_jwt/, { ...HS_CLIENT, token_endpoint_auth_signing_alg: "ES256" }],
    ["none as signing alg", /not supported/, { ...PK_CLIENT, token_endpoint_auth_signing_alg: "none" as never }],
    ["a signing alg for a Basic client", /applies to private_key_jwt/, { ...base, client_secret: "x".repeat(43), token_endpoint_auth_signing_alg: "ES256" }],
  ];
  for (const [name, message, registration] of cases) {
    test(`${name} -> ConfigurationError`, () => {
      assert.throws(
        () => createAuthorizationServer({ issuer: ISSUER, clients: [registration] }),
        (e) => e instanceof ConfigurationError && message.test(e.message),
      );
    });
  }

  test("a local loopback jwks_uri over http is allowed (development)", async () => {
    const { fetch } = testServer({}, [{ ...REMOTE_CLIENT, jwks_uri: "http://127.0.0.1:9999/jwks" }]);
    const res = await fetch(assertionRequest("x.y.z"));
    await assertOAuthError(res, 400, "invalid_client");
  });

  for (const [name, clientAssertion] of [
    ["a typo", { strictAudiance: true }],
    ["maxLifetime 0", { maxLifetime: 0 }],
    ["a huge clockTolerance", { clockTolerance: 3_600 }],
    ["a string strictAudience", { strictAudience: "yes" }],
  ] as const) {
    test(`clientAssertion with ${name} -> ConfigurationError`, async () => {
      const res = await testServer({ clientAssertion: clientAssertion as never }, [PK_CLIENT]).fetch(assertionRequest("x.y.z"));
      await assertOAuthError(res, 500, "server_error");
    });
  }

  test("replayStore and fetch are checked", () => {
    for (const bad of [{ replayStore: {} }, { fetch: "no" }]) {
      assert.throws(() => createAuthorizationServer({ issuer: ISSUER, clients: [PK_CLIENT], ...(bad as object) }), ConfigurationError);
    }
  });
});
