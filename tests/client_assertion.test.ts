// Client authentication with signed assertions: private_key_jwt and client_secret_jwt
// (RFC 7523 s2.2, s3; RFC 7521 s4.2; RFC_CHECKLIST CJ-1..CJ-9, CA-2, App. B-5).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { MemoryReplayStore, type ServerEvent } from "../mod.ts";
import {
  assertOAuthError,
  assertToken,
  authServer,
  BASIC_CLIENT,
  fakeClock,
  INTROSPECT_URL,
  ISSUER,
  REVOKE_URL,
  SECRET,
  testServer,
  TOKEN_URL,
  tokenRequest,
} from "./helpers.ts";
import {
  assertionRequest,
  claims,
  clientKey,
  EDDSA_KEY,
  ES256_KEY,
  HS_CLIENT,
  IMPOSTOR_KEY,
  JWT_BEARER,
  JWT_SECRET,
  macAssertion,
  PK_CLIENT,
  RS256_KEY,
  rawJws,
  rawJwsSigned,
  signAssertion,
} from "./assertion_helpers.ts";

function server(overrides: Parameters<typeof testServer>[0] = {}) {
  const clock = fakeClock();
  const s = testServer({ clock: clock.now, ...overrides }, [BASIC_CLIENT, PK_CLIENT, HS_CLIENT]);
  return { ...s, clock };
}

const PK = PK_CLIENT.client_id;

describe("private_key_jwt and client_secret_jwt: valid assertions", () => {
  for (const key of [ES256_KEY, EDDSA_KEY, RS256_KEY]) {
    test(`private_key_jwt with an ${key.alg} key from the registered jwks -> 200`, async () => {
      const { fetch, clock } = server();
      const json = await assertToken(await fetch(assertionRequest(await signAssertion(key, claims(PK, clock.now())))));
      assert.equal(json.scope, "read");
    });
  }

  test("alg Ed25519 (RFC 9864, as oauth4webapi sends it) verifies as EdDSA, also with a JWK that says alg Ed25519", async () => {
    const clock = fakeClock();
    const jwk = { ...EDDSA_KEY.publicJwk, alg: "Ed25519" };
    const { fetch } = testServer({ clock: clock.now }, [{ ...PK_CLIENT, jwks: { keys: [jwk] } }]);
    await assertToken(await fetch(assertionRequest(await signAssertion(EDDSA_KEY, claims(PK, clock.now()), { alg: "Ed25519" }))));
    await assertToken(await fetch(assertionRequest(await signAssertion(EDDSA_KEY, claims(PK, clock.now())))));
    // Ed25519 never selects another key type.
    await assertOAuthError(
      await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now()), { alg: "ES256", kid: EDDSA_KEY.kid }))),
      400,
      "invalid_client",
    );
  });

  test("client_secret_jwt: HS256 keyed with the client secret -> 200", async () => {
    const { fetch, clock } = server();
    await assertToken(await fetch(assertionRequest(await macAssertion(JWT_SECRET, claims(HS_CLIENT.client_id, clock.now())))));
  });

  test("no kid: the one key that fits the algorithm is used", async () => {
    const { fetch, clock } = server();
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now()), { kid: undefined }))));
  });

  test("typ JWT and client-authentication+jwt are accepted; another typ is refused", async () => {
    const { fetch, clock } = server();
    for (const typ of ["JWT", "client-authentication+jwt", "application/client-authentication+jwt"]) {
      await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now()), { typ }))));
    }
    for (const typ of ["at+jwt", "dpop+jwt"]) {
      const res = await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now()), { typ })));
      await assertOAuthError(res, 400, "invalid_client");
    }
  });
});

describe("CJ-1: client_assertion_type and client_assertion", () => {
  test("another assertion type URN -> 400 invalid_client", async () => {
    const { fetch, clock } = server();
    const jwt = await signAssertion(ES256_KEY, claims(PK, clock.now()));
    for (const type of ["urn:ietf:params:oauth:client-assertion-type:saml2-bearer", `${JWT_BEARER} `, JWT_BEARER.toUpperCase()]) {
      const res = await fetch(tokenRequest({ body: { grant_type: "client_credentials", client_assertion_type: type, client_assertion: jwt } }));
      await assertOAuthError(res, 400, "invalid_client");
    }
  });

  test("either parameter alone -> 400 invalid_client", async () => {
    const { fetch, clock } = server();
    const jwt = await signAssertion(ES256_KEY, claims(PK, clock.now()));
    await assertOAuthError(await fetch(tokenRequest({ body: { grant_type: "client_credentials", client_assertion: jwt } })), 400, "invalid_client");
    await assertOAuthError(await fetch(tokenRequest({ body: { grant_type: "client_credentials", client_assertion_type: JWT_BEARER } })), 400, "invalid_client");
  });

  test("two client_assertion parameters -> 400 invalid_request (a repeated parameter)", async () => {
    const { fetch, clock } = server();
    const a = await signAssertion(ES256_KEY, claims(PK, clock.now()));
    const b = await signAssertion(ES256_KEY, claims(PK, clock.now()));
    const body = new URLSearchParams([["grant_type", "client_credentials"], ["client_assertion_type", JWT_BEARER], ["client_assertion", a], ["client_assertion", b]]);
    await assertOAuthError(await fetch(tokenRequest({ body: body.toString() })), 400, "invalid_request");
  });

  test("two JWTs in one client_assertion value -> 400 invalid_client", async () => {
    const { fetch, clock } = server();
    const a = await signAssertion(ES256_KEY, claims(PK, clock.now()));
    const b = await signAssertion(ES256_KEY, claims(PK, clock.now()));
    for (const value of [`${a}.${b}`, `${a} ${b}`, `${a},${b}`]) {
      await assertOAuthError(await fetch(assertionRequest(value)), 400, "invalid_client");
    }
  });

  test("Basic credentials plus client_assertion -> 400 invalid_request (CA-2)", async () => {
    const { fetch, clock } = server();
    const jwt = await signAssertion(ES256_KEY, claims(PK, clock.now()));
    const res = await fetch(tokenRequest({
      basic: [BASIC_CLIENT.client_id, SECRET],
      body: { grant_type: "client_credentials", client_assertion_type: JWT_BEARER, client_assertion: jwt },
    }));
    await assertOAuthError(res, 400, "invalid_request");
  });

  test("client_secret plus client_assertion -> 400 invalid_request (CA-2)", async () => {
    const { fetch, clock } = server();
    const jwt = await signAssertion(ES256_KEY, claims(PK, clock.now()));
    await assertOAuthError(await fetch(assertionRequest(jwt, { client_id: PK, client_secret: SECRET })), 400, "invalid_request");
  });
});

describe("CJ-2..CJ-4: the client the assertion names", () => {
  test("a body client_id equal to iss is accepted; another -> 400 invalid_client (CJ-2)", async () => {
    const { fetch, clock } = server();
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now())), { client_id: PK })));
    const res = await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now())), { client_id: HS_CLIENT.client_id }));
    await assertOAuthError(res, 400, "invalid_client");
  });

  test("iss missing, or not the client_id -> 400 invalid_client (CJ-3)", async () => {
    const { fetch, clock } = server();
    for (const iss of [undefined, "someone-else", 42]) {
      const res = await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { iss }))));
      await assertOAuthError(res, 400, "invalid_client");
    }
  });

  test("sub naming another client -> 400 invalid_client (CJ-4)", async () => {
    const { fetch, clock } = server();
    for (const sub of [HS_CLIENT.client_id, undefined]) {
      const res = await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { sub }))));
      await assertOAuthError(res, 400, "invalid_client");
    }
  });

  test("an unknown client and a bad assertion get byte-identical answers (CJ-9)", async () => {
    const { fetch, clock } = server();
    const unknown = await fetch(assertionRequest(await signAssertion(ES256_KEY, claims("no-such-client", clock.now()))));
    const badSignature = await fetch(assertionRequest(await signAssertion(IMPOSTOR_KEY, claims(PK, clock.now()))));
    const expired = await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { exp: 1 }))));
    const texts = await Promise.all([unknown, badSignature, expired].map((r) => r.text()));
    assert.equal(texts[0], texts[1]);
    assert.equal(texts[0], texts[2]);
    assert.equal(unknown.status, 400);
    for (const r of [badSignature, expired]) {
      assert.equal(r.status, unknown.status);
      assert.deepEqual([...r.headers], [...unknown.headers]);
    }
  });

  test("a client registered for another method cannot use an assertion, nor the reverse (CA-4)", async () => {
    const { fetch, clock } = server();
    // A Basic client "signing" with a key: never accepted.
    await assertOAuthError(
      await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(BASIC_CLIENT.client_id, clock.now())))),
      400,
      "invalid_client",
    );
    // A client_secret_jwt client's secret as Basic credentials: refused.
    await assertOAuthError(await fetch(tokenRequest({ basic: [HS_CLIENT.client_id, JWT_SECRET] })), 401, "invalid_client");
    // A private_key_jwt client presenting an HS256 assertion, and the reverse.
    await assertOAuthError(await fetch(assertionRequest(await macAssertion(JWT_SECRET, claims(PK, clock.now())))), 400, "invalid_client");
    await assertOAuthError(
      await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(HS_CLIENT.client_id, clock.now())))),
      400,
      "invalid_client",
    );
  });
});

describe("CJ-5 and App. B-5: aud", () => {
  test("aud = another AS -> 400 invalid_client; the issuer -> 200", async () => {
    const { fetch, clock } = server();
    await assertOAuthError(
      await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { aud: "https://other-as.example.com" })))),
      400,
      "invalid_client",
    );
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { aud: ISSUER })))));
  });

  test("aud missing, or an issuer with a trailing slash (simple string comparison) -> invalid_client", async () => {
    const { fetch, clock } = server();
    for (const aud of [undefined, `${ISSUER}/`, [], 7]) {
      await assertOAuthError(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { aud })))), 400, "invalid_client");
    }
  });

  // Issue 19: strictAudience is the default (draft-ietf-oauth-rfc7523bis); the lax rule of
  // RFC 7523 s3 is kept behind strictAudience: false.
  test("aud = the token endpoint URL -> invalid_client by default (strictAudience); 200 with strictAudience: false", async () => {
    const strict = server();
    await assertOAuthError(await strict.fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, strict.clock.now(), { aud: TOKEN_URL })))), 400, "invalid_client");
    const { fetch, clock } = server({ clientAssertion: { strictAudience: false } });
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { aud: TOKEN_URL })))));
  });

  test("strictAudience: false: an aud array of this server's identifiers -> 200; an array that also names another party -> invalid_client", async () => {
    const { fetch, clock } = server({ clientAssertion: { strictAudience: false } });
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { aud: [ISSUER] })))));
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { aud: [ISSUER, TOKEN_URL] })))));
    await assertOAuthError(
      await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { aud: [ISSUER, "https://other-as.example.com"] })))),
      400,
      "invalid_client",
    );
  });

  test("strictAudience (the default): the issuer as a single string only; the token endpoint URL and arrays -> invalid_client", async () => {
    for (const options of [{}, { clientAssertion: { strictAudience: true } }]) {
      const { fetch, clock } = server(options);
      await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { aud: ISSUER })))));
      for (const aud of [TOKEN_URL, [ISSUER]]) {
        await assertOAuthError(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { aud })))), 400, "invalid_client");
      }
    }
  });

  test("strictAudience: true, explicitly, is the same", async () => {
    const { fetch, clock } = server({ clientAssertion: { strictAudience: true } });
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { aud: ISSUER })))));
    for (const aud of [TOKEN_URL, [ISSUER]]) {
      await assertOAuthError(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { aud })))), 400, "invalid_client");
    }
  });

  test("aud is never taken from the request's Host (RFC_CHECKLIST T-9)", async () => {
    const { fetch, clock } = server({ requireHttps: false });
    const jwt = await signAssertion(ES256_KEY, claims(PK, clock.now(), { aud: "https://evil.example.com/token" }));
    const res = await fetch(assertionRequest(jwt, {}, "https://evil.example.com/token"));
    await assertOAuthError(res, 400, "invalid_client");
  });
});

describe("CJ-6: exp, nbf, iat", () => {
  test("exp missing, or not a number -> invalid_client", async () => {
    const { fetch, clock } = server();
    for (const exp of [undefined, "9999999999"]) {
      await assertOAuthError(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { exp })))), 400, "invalid_client");
    }
  });

  test("expired beyond the 30 s tolerance -> invalid_client; within it -> 200", async () => {
    const { fetch, clock } = server();
    const now = Math.floor(clock.now() / 1000);
    await assertOAuthError(
      await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { iat: now - 100, exp: now - 31 })))),
      400,
      "invalid_client",
    );
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { iat: now - 100, exp: now - 10 })))));
  });

  test("an assertion accepted now is refused once the fake clock passes exp + tolerance", async () => {
    const { fetch, clock } = server();
    const jwt = await signAssertion(ES256_KEY, claims(PK, clock.now()));
    clock.advance(91); // exp is now + 60; tolerance 30
    await assertOAuthError(await fetch(assertionRequest(jwt)), 400, "invalid_client");
  });

  test("a lifetime over maxLifetime (default 300 s) -> invalid_client, from iat or from now", async () => {
    const { fetch, clock } = server();
    const now = Math.floor(clock.now() / 1000);
    for (const over of [{ iat: now, exp: now + 301 }, { iat: undefined, exp: now + 400 }, { iat: now - 250, exp: now + 60 }]) {
      await assertOAuthError(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), over)))), 400, "invalid_client");
    }
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { iat: now, exp: now + 300 })))));
  });

  test("maxLifetime is an option", async () => {
    const { fetch, clock } = server({ clientAssertion: { maxLifetime: 30 } });
    const now = Math.floor(clock.now() / 1000);
    await assertOAuthError(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { exp: now + 60 })))), 400, "invalid_client");
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { exp: now + 30 })))));
  });

  test("nbf or iat in the future beyond the tolerance -> invalid_client", async () => {
    const { fetch, clock } = server();
    const now = Math.floor(clock.now() / 1000);
    for (const over of [{ nbf: now + 60, exp: now + 120 }, { iat: now + 60, exp: now + 120 }, { iat: "now" }, { nbf: null }]) {
      await assertOAuthError(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), over)))), 400, "invalid_client");
    }
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { nbf: now + 20, iat: now + 20 })))));
  });
});

describe("CJ-7: jti, single use", () => {
  test("jti missing or empty -> invalid_client", async () => {
    const { fetch, clock } = server();
    for (const jti of [undefined, "", 5]) {
      await assertOAuthError(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { jti })))), 400, "invalid_client");
    }
  });

  test("the same assertion twice: the second -> invalid_client", async () => {
    const { fetch, clock } = server();
    const jwt = await signAssertion(ES256_KEY, claims(PK, clock.now()));
    await assertToken(await fetch(assertionRequest(jwt)));
    await assertOAuthError(await fetch(assertionRequest(jwt)), 400, "invalid_client");
  });

  test("a new assertion reusing a jti (same client) -> invalid_client while the first could be valid", async () => {
    const { fetch, clock } = server();
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { jti: "once" })))));
    clock.advance(60);
    await assertOAuthError(await fetch(assertionRequest(await signAssertion(EDDSA_KEY, claims(PK, clock.now(), { jti: "once" })))), 400, "invalid_client");
  });

  test("50 concurrent requests with one valid assertion: exactly one token", async () => {
    const { fetch, clock } = server();
    const jwt = await signAssertion(ES256_KEY, claims(PK, clock.now()));
    const responses = await Promise.all(Array.from({ length: 50 }, () => fetch(assertionRequest(jwt))));
    const statuses = responses.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 200).length, 1, statuses.join(","));
    assert.equal(statuses.filter((s) => s === 400).length, 49);
    for (const r of responses.filter((r) => r.status === 400)) assert.equal(((await r.json()) as { error: string }).error, "invalid_client");
  });

  test("a forged assertion cannot burn a client's jti: the replay check follows the signature", async () => {
    const { fetch, clock } = server();
    const c = claims(PK, clock.now(), { jti: "precious" });
    await assertOAuthError(await fetch(assertionRequest(await signAssertion(IMPOSTOR_KEY, c))), 400, "invalid_client");
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, c))));
  });

  test("jtis are per client: two clients may use the same jti", async () => {
    const { fetch, clock } = server();
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { jti: "shared" })))));
    await assertToken(await fetch(assertionRequest(await macAssertion(JWT_SECRET, claims(HS_CLIENT.client_id, clock.now(), { jti: "shared" })))));
  });

  test("the jti is remembered in the replayStore option until exp + tolerance, under a bounded key", async () => {
    const clock = fakeClock();
    const seen: [string, number][] = [];
    const inner = new MemoryReplayStore({ clock: clock.now });
    const replayStore = { remember: (key: string, expiresAt: number) => (seen.push([key, expiresAt]), inner.remember(key, expiresAt)) };
    const { fetch } = testServer({ clock: clock.now, replayStore }, [PK_CLIENT]);
    const c = claims(PK, clock.now(), { jti: "x".repeat(1000) });
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, c))));
    assert.equal(seen.length, 1);
    assert.ok(seen[0]![0].length < 100, "a long jti is hashed");
    assert.equal(seen[0]![1], (c.exp as number) + 30);
    await assertOAuthError(await fetch(assertionRequest(await signAssertion(ES256_KEY, c))), 400, "invalid_client");
  });

  test("a replay store that is full -> 503, no token", async () => {
    const clock = fakeClock();
    const { fetch } = testServer({ clock: clock.now, replayStore: new MemoryReplayStore({ clock: clock.now, maxEntries: 1 }) }, [PK_CLIENT]);
    await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now())))));
    await assertOAuthError(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now())))), 503, "temporarily_unavailable");
  });
});

describe("CJ-8: signature and algorithm", () => {
  test("alg none (with or without a signature) -> invalid_client", async () => {
    const { fetch, clock } = server();
    const c = claims(PK, clock.now());
    await assertOAuthError(await fetch(assertionRequest(await rawJws({ alg: "none" }, c))), 400, "invalid_client");
    await assertOAuthError(await fetch(assertionRequest(`${await rawJws({ alg: "none" }, c)}AAAA`)), 400, "invalid_client");
  });

  test("HS256 MACed with the client's public key as the secret -> invalid_client", async () => {
    const { fetch, clock } = server();
    for (const secret of [JSON.stringify(ES256_KEY.publicJwk), JSON.stringify(RS256_KEY.publicJwk)]) {
      const jwt = await rawJws({ alg: "HS256", kid: ES256_KEY.kid }, claims(PK, clock.now()), new TextEncoder().encode(secret));
      await assertOAuthError(await fetch(assertionRequest(jwt)), 400, "invalid_client");
    }
  });

  test("signed by another key under a known kid -> invalid_client", async () => {
    const { fetch, clock } = server();
    await assertOAuthError(await fetch(assertionRequest(await signAssertion(IMPOSTOR_KEY, claims(PK, clock.now())))), 400, "invalid_client");
  });

  test("a header alg that the key does not fix -> invalid_client (ES256 key, ES384 or PS256 header)", async () => {
    const { fetch, clock } = server();
    for (const alg of ["ES384", "PS256", "RS256"]) {
      const jwt = await signAssertion(ES256_KEY, claims(PK, clock.now()));
      const [, payload, signature] = jwt.split(".");
      const header = btoa(JSON.stringify({ alg, kid: ES256_KEY.kid })).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
      await assertOAuthError(await fetch(assertionRequest(`${header}.${payload}.${signature}`)), 400, "invalid_client");
    }
  });

  test("an RSA key under 2048 bits in the registered jwks never verifies (RFC 7518 s3.3)", async () => {
    const clock = fakeClock();
    const pair = await crypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["sign", "verify"],
    ) as CryptoKeyPair;
    const { kty, n, e } = await crypto.subtle.exportKey("jwk", pair.publicKey);
    const weak = { alg: "RS256" as const, kid: "weak", privateKey: pair.privateKey, publicJwk: { kty: kty!, n, e, kid: "weak" } };
    const { fetch } = testServer({ clock: clock.now }, [{ ...PK_CLIENT, jwks: { keys: [weak.publicJwk] } }]);
    const jwt = await rawJwsSigned(weak.privateKey, { alg: "RS256", kid: "weak" }, claims(PK, clock.now()));
    await assertOAuthError(await fetch(assertionRequest(jwt)), 400, "invalid_client");
  });

  test("a tampered payload -> invalid_client", async () => {
    const { fetch, clock } = server();
    const [h, , s] = (await signAssertion(ES256_KEY, claims(PK, clock.now()))).split(".");
    const p = btoa(JSON.stringify(claims(PK, clock.now()))).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    await assertOAuthError(await fetch(assertionRequest(`${h}.${p}.${s}`)), 400, "invalid_client");
  });

  test("client_secret_jwt with a wrong secret, or an expired secret -> invalid_client", async () => {
    const clock = fakeClock();
    const expired = { ...HS_CLIENT, client_id: "hs-expired", client_secret_expires_at: Math.floor(clock.now() / 1000) - 1 };
    const { fetch } = testServer({ clock: clock.now }, [HS_CLIENT, expired]);
    await assertOAuthError(await fetch(assertionRequest(await macAssertion(`${JWT_SECRET}x`, claims(HS_CLIENT.client_id, clock.now())))), 400, "invalid_client");
    await assertOAuthError(await fetch(assertionRequest(await macAssertion(JWT_SECRET, claims("hs-expired", clock.now())))), 400, "invalid_client");
  });

  test("token_endpoint_auth_signing_alg narrows the accepted algorithms", async () => {
    const clock = fakeClock();
    const { fetch } = testServer({ clock: clock.now }, [{ ...PK_CLIENT, token_endpoint_auth_signing_alg: "EdDSA" }]);
    await assertOAuthError(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now())))), 400, "invalid_client");
    await assertToken(await fetch(assertionRequest(await signAssertion(EDDSA_KEY, claims(PK, clock.now())))));
  });
});

describe("brute force and events", () => {
  test("failed assertions count: the 11th bad signature from one caller -> 429 before any check", async () => {
    const { fetch, clock } = server({ callerKey: () => "203.0.113.7" });
    for (let i = 0; i < 10; i++) {
      await assertOAuthError(await fetch(assertionRequest(await signAssertion(IMPOSTOR_KEY, claims(PK, clock.now())))), 400, "invalid_client");
    }
    const res = await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now()))));
    await assertOAuthError(res, 429, "temporarily_unavailable");
    assert.ok(Number(res.headers.get("retry-after")) > 0);
  });

  test("client_authentication_failed names the client and the method presented, never the assertion", async () => {
    const events: ServerEvent[] = [];
    const { fetch, clock } = server({ onEvent: (e) => void events.push(e) });
    const jwt = await signAssertion(IMPOSTOR_KEY, claims(PK, clock.now()));
    await fetch(assertionRequest(jwt));
    await fetch(assertionRequest(await macAssertion("wrong-secret-wrong-secret-wrong-secret", claims(HS_CLIENT.client_id, clock.now()))));
    const failed = events.filter((e) => e.type === "client_authentication_failed");
    assert.deepEqual(failed.map((e) => [e.endpoint, "client_id" in e ? e.client_id : undefined, "method" in e ? e.method : undefined]), [
      ["token", PK, "private_key_jwt"],
      ["token", HS_CLIENT.client_id, "client_secret_jwt"],
    ]);
    assert.ok(!JSON.stringify(events).includes(jwt.split(".")[2]!));
  });
});

describe("introspection and revocation authenticate callers with assertions too (RFC 7662 s2.1, RFC 7009 s2.1)", () => {
  function whole(overrides: Parameters<typeof authServer>[0] = {}) {
    const clock = fakeClock();
    return { ...authServer({ clock: clock.now, ...overrides }, [PK_CLIENT, HS_CLIENT]), clock };
  }

  async function tokenFor(fetch: (r: Request) => Promise<Response>, nowMs: number): Promise<string> {
    const json = await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, nowMs)))));
    return json.access_token as string;
  }

  test("strictAudience: false: introspect with aud = the issuer, the introspection URL or the token endpoint URL", async () => {
    const { fetch, clock } = whole({ clientAssertion: { strictAudience: false } });
    const token = await tokenFor(fetch, clock.now());
    for (const aud of [ISSUER, INTROSPECT_URL, TOKEN_URL]) {
      const jwt = await signAssertion(ES256_KEY, claims(PK, clock.now(), { aud }));
      const res = await fetch(assertionRequest(jwt, { token }, INTROSPECT_URL));
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { active: boolean }).active, true);
    }
  });

  test("an assertion addressed to the introspection endpoint is refused at the token endpoint and at revocation", async () => {
    const { fetch, clock } = whole({ clientAssertion: { strictAudience: false } });
    const token = await tokenFor(fetch, clock.now());
    const toIntrospection = () => signAssertion(ES256_KEY, claims(PK, clock.now(), { aud: INTROSPECT_URL }));
    await assertOAuthError(await fetch(assertionRequest(await toIntrospection())), 400, "invalid_client");
    // Revocation answers as the token endpoint does: 400 when no Authorization header was used.
    await assertOAuthError(await fetch(assertionRequest(await toIntrospection(), { token }, REVOKE_URL)), 400, "invalid_client");
  });

  test("a bad assertion at introspection -> 401 invalid_client with a challenge (RFC 7662 s2.3)", async () => {
    const { fetch, clock } = whole();
    const token = await tokenFor(fetch, clock.now());
    const res = await fetch(assertionRequest(await signAssertion(IMPOSTOR_KEY, claims(PK, clock.now())), { token }, INTROSPECT_URL));
    await assertOAuthError(res, 401, "invalid_client");
  });

  test("strictAudience (the default) applies at introspection too: only the issuer", async () => {
    const { fetch, clock } = whole();
    const token = await tokenFor(fetch, clock.now());
    const ok = await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now())), { token }, INTROSPECT_URL));
    assert.equal(ok.status, 200);
    const res = await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { aud: INTROSPECT_URL })), { token }, INTROSPECT_URL));
    await assertOAuthError(res, 401, "invalid_client");
  });

  test("revoke with client_secret_jwt and private_key_jwt; an assertion is single-use across endpoints", async () => {
    const { fetch, clock } = whole();
    const token = await tokenFor(fetch, clock.now());
    const jwt = await signAssertion(ES256_KEY, claims(PK, clock.now(), { aud: ISSUER }));
    assert.equal((await fetch(assertionRequest(jwt, { token }, REVOKE_URL))).status, 200);
    await assertOAuthError(await fetch(assertionRequest(jwt, { token }, REVOKE_URL)), 400, "invalid_client");
    const hs = await macAssertion(JWT_SECRET, claims(HS_CLIENT.client_id, clock.now()));
    assert.equal((await fetch(assertionRequest(hs, { token: "unknown" }, REVOKE_URL))).status, 200);
  });
});

describe("an unusable client costs a signature check too (no timing oracle for client ids)", () => {
  /** Runs `fn` counting crypto.subtle.verify calls. */
  async function countVerifies(fn: () => Promise<unknown>): Promise<number> {
    const subtle = crypto.subtle as SubtleCrypto & { verify: SubtleCrypto["verify"] };
    const original = subtle.verify;
    let calls = 0;
    subtle.verify = function (this: SubtleCrypto, ...args: Parameters<SubtleCrypto["verify"]>) {
      calls++;
      return original.apply(this, args);
    } as SubtleCrypto["verify"];
    try {
      await fn();
    } finally {
      subtle.verify = original;
    }
    return calls;
  }

  for (const key of [ES256_KEY, EDDSA_KEY, RS256_KEY]) {
    test(`${key.alg}: unknown client, a client of another method, and a bad signature each verify once`, async () => {
      const { fetch, clock } = server();
      const send = async (assertion: string) => await assertOAuthError(await fetch(assertionRequest(assertion)), 400, "invalid_client");
      const unknown = await signAssertion(key, claims("nobody", clock.now()));
      const otherMethod = await signAssertion(key, claims(BASIC_CLIENT.client_id, clock.now()));
      // Another key under the same kid: a signature that does not verify.
      const forged = await signAssertion(await clientKey(key.alg, key.kid), claims(PK, clock.now()));
      assert.equal(await countVerifies(() => send(unknown)), 1, "unknown client");
      assert.equal(await countVerifies(() => send(otherMethod)), 1, "client registered for another method");
      assert.equal(await countVerifies(() => send(forged)), 1, "known client, bad signature");
    });
  }

  test("client_secret_jwt: an unknown client's HS256 assertion is checked too", async () => {
    const { fetch, clock } = server();
    const unknown = await macAssertion(JWT_SECRET, claims("nobody", clock.now()));
    const wrong = await macAssertion("x".repeat(48), claims(HS_CLIENT.client_id, clock.now()));
    const n1 = await countVerifies(async () => assertOAuthError(await fetch(assertionRequest(unknown)), 400, "invalid_client"));
    const n2 = await countVerifies(async () => assertOAuthError(await fetch(assertionRequest(wrong)), 400, "invalid_client"));
    assert.equal(n1, n2);
  });
});

describe("the replay record", () => {
  test("reaches the replay store hashed, whatever the jti holds (a NUL, a long one)", async () => {
    const keys: string[] = [];
    const replayStore = { remember: (key: string) => (keys.push(key), Promise.resolve(true)) };
    const { fetch, clock } = server({ replayStore });
    for (const jti of ["a\u0000b", "x".repeat(5000), "plain"]) {
      await assertToken(await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(PK, clock.now(), { jti })))));
    }
    assert.equal(keys.length, 3);
    for (const key of keys) assert.match(key, /^ca#[A-Za-z0-9_-]{43}$/);
    assert.equal(new Set(keys).size, 3);
  });
});
