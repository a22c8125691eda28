// DPoP at the token endpoint (RFC 9449 s4.3, s5, s6, s8; RFC_CHECKLIST D-1..D-14, T-8, T-9, J-10,
// I-10, R-3, TE-6) with proofs crafted by jose, valid and hostile, and a fake clock.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as jose from "jose";
import {
  type ClientRegistration,
  ConfigurationError,
  jwkThumbprint,
  MemoryReplayStore,
  type ReplayStore,
  type TokenEndpointOptions,
  tokenKey,
  webCrypto,
} from "../mod.ts";
import { normalizeHtu } from "../src/dpop/htu.ts";
import {
  assertOAuthError,
  assertToken,
  authServer,
  BASIC_CLIENT,
  fakeClock,
  INTROSPECT_URL,
  formPost,
  ISSUER,
  METADATA_URL,
  RS_CLIENT,
  SECRET,
  testServer,
  TOKEN_URL,
} from "./helpers.ts";
import { decodeJwt, JWT_CLIENT, jwtServer, testKey } from "./rs_helpers.ts";
import { dpopKey, dpopTokenRequest, proof } from "./dpop_helpers.ts";

const NONCE_SECRET = "a-secret-of-at-least-32-characters-for-nonces";

function setup(overrides: Partial<TokenEndpointOptions> = {}, clients?: ClientRegistration[]) {
  const clock = fakeClock();
  const server = testServer({ clock: clock.now, ...overrides }, clients);
  return { clock, ...server };
}

async function refused(res: Response, error = "invalid_dpop_proof"): Promise<Record<string, unknown>> {
  return assertOAuthError(res, 400, error);
}

describe("DPoP token requests: a valid proof binds the token (RFC 9449 s5, s6)", () => {
  test("ES256 proof -> token_type DPoP; the record's cnf.jkt is the RFC 7638 thumbprint of the proof key (D-10, D-11, R-3)", async () => {
    const { clock, fetch, store } = setup();
    const key = await dpopKey("ES256");
    const body = await assertToken(await fetch(dpopTokenRequest(await proof(key, clock.now()))));
    assert.equal(body.token_type, "DPoP");
    const record = await store.find(await tokenKey(body.access_token as string, webCrypto));
    assert.deepEqual(record?.cnf, { jkt: key.jkt });
  });

  test("EdDSA, ES384, RS256 and PS256 proofs are accepted too", async () => {
    for (const alg of ["EdDSA", "ES384", "RS256", "PS256"] as const) {
      const { clock, fetch } = setup();
      const key = await dpopKey(alg);
      const body = await assertToken(await fetch(dpopTokenRequest(await proof(key, clock.now()))));
      assert.equal(body.token_type, "DPoP", alg);
    }
  });

  test("no DPoP header -> an unbound Bearer token, as before", async () => {
    const { fetch, store } = setup();
    const body = await assertToken(await fetch(dpopTokenRequest(undefined)));
    assert.equal(body.token_type, "Bearer");
    assert.equal((await store.find(await tokenKey(body.access_token as string, webCrypto)))?.cnf, undefined);
  });

  test("a JWT access token carries cnf.jkt (J-10)", async () => {
    const clock = fakeClock();
    const as = await jwtServer(await testKey("ES256"), { clock: clock.now });
    const key = await dpopKey("EdDSA");
    const res = await as.fetch(dpopTokenRequest(await proof(key, clock.now()), { client: [JWT_CLIENT.client_id, SECRET] }));
    const body = await assertToken(res);
    assert.equal(body.token_type, "DPoP");
    assert.deepEqual(decodeJwt(body.access_token as string).claims.cnf, { jkt: key.jkt });
  });

  test("introspection reports token_type DPoP and cnf.jkt, for an opaque and for a JWT token (D-11, I-10)", async () => {
    const clock = fakeClock();
    const signingKeys = (await jwtServer(await testKey("ES256"))).keys;
    const opaque = authServer({ clock: clock.now });
    const jwt = authServer({ clock: clock.now, accessTokenFormat: "jwt", signingKeys, defaultResource: "https://api.example.com" });
    for (const server of [opaque, jwt]) {
      const key = await dpopKey("ES256");
      const body = await assertToken(await server.fetch(dpopTokenRequest(await proof(key, clock.now()))));
      const answer = await (await server.fetch(formPost(INTROSPECT_URL, { token: body.access_token as string }, [BASIC_CLIENT.client_id, SECRET]))).json() as Record<string, unknown>;
      assert.equal(answer.active, true);
      assert.equal(answer.token_type, "DPoP");
      assert.deepEqual(answer.cnf, { jkt: key.jkt });
    }
  });
});

describe("the proof checks (RFC 9449 s4.3; RFC_CHECKLIST D-1..D-7)", () => {
  test("App. A.3: the thumbprint of RFC 9449's example key", async () => {
    const jwk = {
      crv: "P-256",
      kty: "EC",
      x: "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
      y: "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA",
    };
    assert.equal(await jwkThumbprint(jwk), "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I");
  });

  test("two DPoP headers -> invalid_dpop_proof, even when both are valid (D-1, T-8)", async () => {
    const { clock, fetch } = setup();
    const key = await dpopKey();
    const res = await fetch(dpopTokenRequest([await proof(key, clock.now()), await proof(key, clock.now())]));
    assert.match(String((await refused(res)).error_description), /repeated/);
  });

  test("not a compact JWS -> invalid_dpop_proof (D-1)", async () => {
    const { fetch } = setup();
    for (const bad of ["", "abc", "a.b", "a.b.c.d", "eyJhbGciOiJub25lIn0.e30."]) {
      await refused(await fetch(dpopTokenRequest(bad)));
    }
  });

  test("typ JWT, or none -> invalid_dpop_proof (D-2)", async () => {
    const { clock, fetch } = setup();
    const key = await dpopKey();
    await refused(await fetch(dpopTokenRequest(await proof(key, clock.now(), { header: { typ: "JWT" } }))));
    await refused(await fetch(dpopTokenRequest(await proof(key, clock.now(), { header: { typ: undefined } }))));
  });

  test("HS256 (a MAC) -> invalid_dpop_proof, whatever the jwk (D-3)", async () => {
    const { clock, fetch } = setup();
    const key = await dpopKey();
    const secret = new TextEncoder().encode("a-shared-secret-of-32-bytes-or-more!!");
    const hs = await proof(key, clock.now(), { header: { alg: "HS256" }, signingKey: secret });
    await refused(await fetch(dpopTokenRequest(hs)));
    const oct = await proof(key, clock.now(), { header: { alg: "HS256", jwk: { kty: "oct", k: jose.base64url.encode(secret) } }, signingKey: secret });
    await refused(await fetch(dpopTokenRequest(oct)));
  });

  test("an alg outside the configured allow-list -> invalid_dpop_proof (D-3)", async () => {
    const { clock, fetch } = setup({ dpop: { algorithms: ["ES256"] } });
    await refused(await fetch(dpopTokenRequest(await proof(await dpopKey("EdDSA"), clock.now()))));
    await refused(await fetch(dpopTokenRequest(await proof(await dpopKey("EdDSA"), clock.now(), { header: { alg: "Ed25519" } }))));
    await assertToken(await fetch(dpopTokenRequest(await proof(await dpopKey("ES256"), clock.now()))));
  });

  test("Ed25519 (RFC 9864's name for EdDSA over Ed25519) is accepted wherever EdDSA is, and only with an Ed25519 key", async () => {
    const { clock, fetch } = setup({ dpop: { algorithms: ["EdDSA"] } });
    await assertToken(await fetch(dpopTokenRequest(await proof(await dpopKey("EdDSA"), clock.now(), { header: { alg: "Ed25519" } }))));
    const ed = await dpopKey("EdDSA");
    await refused(await fetch(dpopTokenRequest(await proof(ed, clock.now(), { header: { alg: "Ed25519", jwk: (await dpopKey("ES256")).jwk } }))));
  });

  test("a jwk holding the private key (d) -> invalid_dpop_proof (D-4)", async () => {
    const { clock, fetch } = setup();
    const key = await dpopKey();
    const privateJwk = await jose.exportJWK(key.privateKey);
    assert.ok(privateJwk.d);
    await refused(await fetch(dpopTokenRequest(await proof(key, clock.now(), { header: { jwk: privateJwk } }))));
  });

  test("a signature by another key than the jwk, a jwk of another type than alg, no jwk -> invalid_dpop_proof (D-4)", async () => {
    const { clock, fetch } = setup();
    const key = await dpopKey("ES256");
    const other = await dpopKey("ES256", "b");
    await refused(await fetch(dpopTokenRequest(await proof(key, clock.now(), { signingKey: other.privateKey }))));
    await refused(await fetch(dpopTokenRequest(await proof(key, clock.now(), { header: { jwk: (await dpopKey("RS256")).jwk } }))));
    await refused(await fetch(dpopTokenRequest(await proof(key, clock.now(), { header: { jwk: undefined } }))));
  });

  test("jti, htm, htu and iat are each required (D-5)", async () => {
    const { clock, fetch } = setup();
    const key = await dpopKey();
    for (const claim of ["jti", "htm", "htu", "iat"]) {
      const body = await refused(await fetch(dpopTokenRequest(await proof(key, clock.now(), { omit: [claim] }))));
      assert.match(String(body.error_description), new RegExp(claim));
    }
  });

  test("htm other than the request method -> invalid_dpop_proof (D-5)", async () => {
    const { clock, fetch } = setup();
    await refused(await fetch(dpopTokenRequest(await proof(await dpopKey(), clock.now(), { htm: "GET" }))));
    await refused(await fetch(dpopTokenRequest(await proof(await dpopKey(), clock.now(), { htm: "post" }))));
  });

  test("htu naming another path or host -> invalid_dpop_proof (D-5)", async () => {
    const { clock, fetch } = setup();
    for (const htu of [`${ISSUER}/other`, `${ISSUER}/token/`, "https://evil.example/token", "http://as.example.com/token", "/token"]) {
      await refused(await fetch(dpopTokenRequest(await proof(await dpopKey(), clock.now(), { htu }))));
    }
  });

  test("htu: query and fragment ignored, RFC 3986 s6.2.2/s6.2.3 normalisation applied (D-5)", async () => {
    const { clock, fetch } = setup();
    const equivalent = [
      `${TOKEN_URL}?a=1#frag`,
      "HTTPS://AS.Example.COM/token",
      "https://as.example.com:443/token",
      "https://as.example.com/%74oken",
      "https://as.example.com/./x/../token",
    ];
    for (const htu of equivalent) {
      await assertToken(await fetch(dpopTokenRequest(await proof(await dpopKey(), clock.now(), { htu }), { url: `${TOKEN_URL}?b=2` })));
    }
    assert.equal(normalizeHtu("https://a.example/%7e%2f%2F"), "https://a.example/~%2F%2F");
  });

  test("htu is checked against the configured public URL, never Host or X-Forwarded-* (T-9)", async () => {
    // Behind a TLS-terminating proxy the Request URL is the internal one.
    const { clock, fetch } = setup({ requireHttps: false });
    const internal = "http://10.0.0.7:8080/token";
    const spoofed = { "x-forwarded-host": "evil.example", "x-forwarded-proto": "https", host: "evil.example" };
    const ok = await proof(await dpopKey(), clock.now(), { htu: TOKEN_URL });
    await assertToken(await fetch(dpopTokenRequest(ok, { url: internal, headers: spoofed })));
    for (const htu of [internal, "https://evil.example/token"]) {
      const p = await proof(await dpopKey(), clock.now(), { htu });
      await refused(await fetch(dpopTokenRequest(p, { url: internal, headers: spoofed })));
    }
  });

  test("tokenEndpoint (and the server's endpoints.token) is the URL htu must name", async () => {
    const clock = fakeClock();
    const standalone = testServer({ clock: clock.now, tokenEndpoint: "/oauth2/token" });
    const server = authServer({ clock: clock.now, endpoints: { token: "/oauth2/token" } });
    for (const fetch of [standalone.fetch, server.fetch]) {
      const url = `${ISSUER}/oauth2/token`;
      await refused(await fetch(dpopTokenRequest(await proof(await dpopKey(), clock.now(), { htu: TOKEN_URL }), { url })));
      await assertToken(await fetch(dpopTokenRequest(await proof(await dpopKey(), clock.now(), { htu: url }), { url })));
    }
    assert.throws(() => authServer({ tokenEndpoint: "/a", endpoints: { token: "/b" } }), ConfigurationError);
  });

  test("iat an hour old, or a minute ahead -> invalid_dpop_proof; within the window -> OK (D-6)", async () => {
    const { clock, fetch } = setup();
    const now = Math.floor(clock.now() / 1000);
    for (const iat of [now - 3600, now - 61, now + 60, now + 6]) {
      await refused(await fetch(dpopTokenRequest(await proof(await dpopKey(), clock.now(), { iat }))));
    }
    for (const iat of [now - 60, now + 5]) {
      await assertToken(await fetch(dpopTokenRequest(await proof(await dpopKey(), clock.now(), { iat }))));
    }
  });

  test("a proof used twice -> the second is invalid_dpop_proof (D-7)", async () => {
    const { clock, fetch } = setup();
    const p = await proof(await dpopKey(), clock.now());
    await assertToken(await fetch(dpopTokenRequest(p)));
    const body = await refused(await fetch(dpopTokenRequest(p)));
    assert.match(String(body.error_description), /used before/);
  });

  test("50 concurrent requests with one proof -> exactly one token (D-7)", async () => {
    const { clock, fetch } = setup();
    const p = await proof(await dpopKey(), clock.now());
    const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(dpopTokenRequest(p))));
    assert.equal(answers.filter((r) => r.status === 200).length, 1);
    for (const r of answers.filter((r) => r.status !== 200)) await refused(r);
  });

  test("replay records are keyed 'dpop:' + a hash, and live until the proof's window closes", async () => {
    const seen: [string, number][] = [];
    const memory = new MemoryReplayStore();
    const replayStore: ReplayStore = { remember: (key, expiresAt) => (seen.push([key, expiresAt]), memory.remember(key, expiresAt)) };
    const { clock, fetch } = setup({ replayStore });
    const jti = "x".repeat(2000);
    await assertToken(await fetch(dpopTokenRequest(await proof(await dpopKey(), clock.now(), { jti }))));
    assert.equal(seen.length, 1);
    assert.match(seen[0]![0], /^dpop:[A-Za-z0-9_-]{43}$/);
    assert.equal(seen[0]![1], Math.floor(clock.now() / 1000) + 61);
  });

  test("a replay store that does not answer within storeTimeoutMs -> 503, no token", async () => {
    const hanging: ReplayStore = { remember: () => new Promise(() => {}) };
    const { clock, fetch } = setup({ replayStore: hanging, storeTimeoutMs: 50 });
    await assertOAuthError(await fetch(dpopTokenRequest(await proof(await dpopKey(), clock.now()))), 503, "temporarily_unavailable");
  });

  test("a replay store that is full -> 503, never an accepted replay", async () => {
    const { clock, fetch } = setup({ replayStore: new MemoryReplayStore({ maxEntries: 1, clock: fakeClock().now }) });
    await assertToken(await fetch(dpopTokenRequest(await proof(await dpopKey(), clock.now()))));
    await assertOAuthError(await fetch(dpopTokenRequest(await proof(await dpopKey(), clock.now()))), 503, "temporarily_unavailable");
  });
});

describe("when a proof is required (RFC 9449 s5.2; RFC_CHECKLIST D-12)", () => {
  const bound: ClientRegistration = { ...BASIC_CLIENT, client_id: "bound-client", dpop_bound_access_tokens: true };

  test("a client registered with dpop_bound_access_tokens and no proof -> 400 invalid_dpop_proof; with one -> DPoP", async () => {
    const { clock, fetch } = setup({}, [BASIC_CLIENT, bound]);
    await refused(await fetch(dpopTokenRequest(undefined, { client: [bound.client_id, SECRET] })));
    const body = await assertToken(await fetch(dpopTokenRequest(await proof(await dpopKey(), clock.now()), { client: [bound.client_id, SECRET] })));
    assert.equal(body.token_type, "DPoP");
    // Other clients still get Bearer tokens without a proof.
    assert.equal((await assertToken(await fetch(dpopTokenRequest(undefined)))).token_type, "Bearer");
  });

  test("dpop.required: every client needs a proof", async () => {
    const { fetch } = setup({ dpop: { required: true } });
    await refused(await fetch(dpopTokenRequest(undefined)));
  });

  test("dpop_bound_access_tokens must be a boolean", () => {
    assert.throws(() => authServer({}, [{ ...bound, dpop_bound_access_tokens: "yes" as unknown as boolean }]), /dpop_bound_access_tokens/);
  });
});

describe("server nonces (RFC 9449 s8; RFC_CHECKLIST D-8, D-13)", () => {
  test("no nonce -> 400 use_dpop_nonce with DPoP-Nonce; the retry with it -> 200 with a fresh DPoP-Nonce", async () => {
    const { clock, fetch } = setup({ dpop: { nonce: { secret: NONCE_SECRET } } });
    const key = await dpopKey();
    const first = await fetch(dpopTokenRequest(await proof(key, clock.now())));
    const nonce = first.headers.get("dpop-nonce");
    await refused(first, "use_dpop_nonce");
    assert.match(nonce ?? "", /^[A-Za-z0-9_-]{43}$/);
    const second = await fetch(dpopTokenRequest(await proof(key, clock.now(), { nonce: nonce! })));
    assert.equal((await assertToken(second)).token_type, "DPoP");
    assert.equal(second.headers.get("dpop-nonce"), nonce, "the same window: the same nonce");
  });

  test("a nonce is accepted in its window and the next, then refused with a new one", async () => {
    const { clock, fetch } = setup({ dpop: { nonce: { secret: NONCE_SECRET, windowSeconds: 60 } } });
    const key = await dpopKey();
    const nonce = (await fetch(dpopTokenRequest(await proof(key, clock.now())))).headers.get("dpop-nonce")!;
    clock.advance(60);
    const ok = await fetch(dpopTokenRequest(await proof(key, clock.now(), { nonce })));
    await assertToken(ok);
    assert.notEqual(ok.headers.get("dpop-nonce"), nonce, "a success hands out the current nonce");
    clock.advance(60);
    const stale = await fetch(dpopTokenRequest(await proof(key, clock.now(), { nonce })));
    await refused(stale, "use_dpop_nonce");
    assert.ok(stale.headers.get("dpop-nonce") !== nonce);
  });

  test("nonces are unpredictable without the secret, and shared by instances with it", async () => {
    const clock = fakeClock();
    const a = testServer({ clock: clock.now, dpop: { nonce: { secret: NONCE_SECRET } } });
    const b = testServer({ clock: clock.now, dpop: { nonce: { secret: NONCE_SECRET } } });
    const other = testServer({ clock: clock.now, dpop: { nonce: { secret: "another-secret-of-at-least-32-characters" } } });
    const key = await dpopKey();
    const nonce = (await a.fetch(dpopTokenRequest(await proof(key, clock.now())))).headers.get("dpop-nonce")!;
    await assertToken(await b.fetch(dpopTokenRequest(await proof(key, clock.now(), { nonce }))));
    await refused(await other.fetch(dpopTokenRequest(await proof(key, clock.now(), { nonce }))), "use_dpop_nonce");
    await refused(await a.fetch(dpopTokenRequest(await proof(key, clock.now(), { nonce: "made-up" }))), "use_dpop_nonce");
  });

  test("two token endpoints sharing a secret still have their own nonces (the label is the endpoint URL)", async () => {
    const clock = fakeClock();
    const a = testServer({ clock: clock.now, dpop: { nonce: { secret: NONCE_SECRET } } });
    const b = testServer({ clock: clock.now, tokenEndpoint: "/other/token", dpop: { nonce: { secret: NONCE_SECRET } } });
    const key = await dpopKey();
    const nonce = (await a.fetch(dpopTokenRequest(await proof(key, clock.now())))).headers.get("dpop-nonce")!;
    const url = `${ISSUER}/other/token`;
    await refused(await b.fetch(dpopTokenRequest(await proof(key, clock.now(), { nonce, htu: url }), { url })), "use_dpop_nonce");
  });

  test("a short nonce secret fails at start-up", () => {
    assert.throws(() => resolveDpop({ nonce: { secret: "short" } }), /at least 32/);
  });
});

function resolveDpop(dpop: TokenEndpointOptions["dpop"]): void {
  authServer({ dpop });
}

describe("order and configuration", () => {
  test("TE-6: client authentication, then grant, scope and resource, then the proof", async () => {
    const { clock, fetch } = setup();
    const bad = await proof(await dpopKey(), clock.now(), { htm: "GET" });
    await assertOAuthError(await fetch(dpopTokenRequest(bad, { client: [BASIC_CLIENT.client_id, "wrong"] })), 401, "invalid_client");
    await refused(await fetch(dpopTokenRequest(bad, { body: { grant_type: "password" } })), "unsupported_grant_type");
    await refused(await fetch(dpopTokenRequest(bad, { body: { grant_type: "client_credentials", scope: "nope" } })), "invalid_scope");
    await refused(await fetch(dpopTokenRequest(bad, { body: { grant_type: "client_credentials", resource: "https://x.example" } })), "invalid_target");
    await refused(await fetch(dpopTokenRequest(bad)), "invalid_dpop_proof");
    // A proof sent with a request refused before the DPoP step is not spent.
    const good = await proof(await dpopKey(), clock.now());
    await refused(await fetch(dpopTokenRequest(good, { body: { grant_type: "client_credentials", scope: "nope" } })), "invalid_scope");
    await assertToken(await fetch(dpopTokenRequest(good)));
  });

  test("dpop: false -> the header is ignored, tokens are Bearer, the metadata lists no DPoP algorithms", async () => {
    const clock = fakeClock();
    const { fetch } = authServer({ clock: clock.now, dpop: false });
    const body = await assertToken(await fetch(dpopTokenRequest(await proof(await dpopKey(), clock.now(), { htm: "GET" }))));
    assert.equal(body.token_type, "Bearer");
    const doc = await (await fetch(new Request(METADATA_URL))).json() as Record<string, unknown>;
    assert.ok(!("dpop_signing_alg_values_supported" in doc));
  });

  test("metadata lists the configured algorithms as dpop_signing_alg_values_supported (D-3, M-12)", async () => {
    const { fetch } = authServer({ dpop: { algorithms: ["EdDSA", "ES256"] } }, [BASIC_CLIENT, RS_CLIENT]);
    const doc = await (await fetch(new Request(METADATA_URL))).json() as Record<string, unknown>;
    assert.deepEqual(doc.dpop_signing_alg_values_supported, ["EdDSA", "ES256"]);
  });

  test("bad DPoP options fail at start-up: HS256, an unknown alg or member, out-of-range numbers", () => {
    for (const dpop of [
      { algorithms: ["HS256"] },
      { algorithms: ["none"] },
      { algorithms: [] },
      { maxAge: 0 },
      { clockTolerance: 301 },
      { requird: true },
      { required: "yes" },
    ]) {
      assert.throws(() => resolveDpop(dpop as TokenEndpointOptions["dpop"]), ConfigurationError, JSON.stringify(dpop));
    }
    assert.throws(() => authServer({ replayStore: {} as ReplayStore }), ConfigurationError);
  });
});
