// Federated client authentication under bad input: malformed, oversize, expired,
// not-yet-valid, wrong-audience, wrong-issuer and wrongly signed platform tokens, and
// issuers whose keys cannot be had (down, hanging, huge, not JSON, a discovery document that
// lies about its issuer or names an http jwks_uri, nothing listening). Every one is a clean
// 400 invalid_client: never a 5xx, never a hang, never a token; an issuer's failure is not
// counted against the caller, and once the issuer recovers its tokens are accepted again.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ClientRegistration, ServerOptions, TrustedIssuer } from "../mod.ts";
import { assertOAuthError, assertToken, authServer, fakeClock, ISSUER, tokenRequest } from "./helpers.ts";
import { freePort } from "./servers.ts";
import { githubClaims, type IssuerMode, type PlatformIssuer, signingKey, startIssuer } from "./support/platform_issuer.ts";

const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const JWT_SPIFFE = "urn:ietf:params:oauth:client-assertion-type:jwt-spiffe";

function platformRequest(token: string, type = JWT_BEARER, extra: Record<string, string> = {}): Request {
  return tokenRequest({ body: { grant_type: "client_credentials", client_assertion_type: type, client_assertion: token, ...extra } });
}

const b64u = (s: string) => btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

function deployClient(issuer: string): ClientRegistration {
  return {
    client_id: "deploy",
    token_endpoint_auth_method: "private_key_jwt",
    federated_credentials: [{ issuer, claims: { repository: "octo-org/octo-repo" } }],
    grant_types: ["client_credentials"],
  };
}

function server(issuer: PlatformIssuer | string, overrides: Partial<ServerOptions> = {}, trusted: Partial<TrustedIssuer> = {}) {
  const iss = typeof issuer === "string" ? issuer : issuer.issuer;
  const clock = fakeClock(Date.now());
  const s = authServer({
    clock: clock.now,
    trustedIssuers: [{ issuer: iss, ...trusted }],
    clientAssertion: { jwksTimeoutMs: 300 },
    ...overrides,
  }, [deployClient(iss)]);
  return { ...s, clock };
}

describe("federation: bad platform tokens", () => {
  let issuer: PlatformIssuer;
  before(async () => {
    issuer = await startIssuer();
  });
  after(() => issuer.stop());

  test("malformed assertions, as jwt-bearer and as jwt-spiffe -> 400 invalid_client", async () => {
    const { fetch } = server(issuer, { trustedIssuers: [{ issuer: issuer.issuer }, { issuer: "spiffe://example.org", jwksUri: issuer.jwksUri }] });
    const header = b64u(JSON.stringify({ alg: "RS256", kid: issuer.keys[0]!.kid }));
    const payload = b64u(JSON.stringify({ iss: issuer.issuer, sub: "x" }));
    const malformed = [
      "",
      "not-a-jwt",
      "a.b",
      `${header}.${payload}`,
      `${header}.${payload}.`,
      `${header}.${payload}.sig.extra`,
      `${header}.${b64u("[1,2]")}.c2ln`,
      `${header}.${b64u('{"iss":"a","iss":"b"}')}.c2ln`,
      `${b64u('{"alg":"RS256","crit":["exp"]}')}.${payload}.c2ln`,
      `${b64u('{"alg":"none"}')}.${payload}.`,
      `${header}.${payload}.!!!`,
      "\u0000\u0001.\u0002.\u0003",
    ];
    for (const type of [JWT_BEARER, JWT_SPIFFE]) {
      for (const value of malformed) {
        if (value === "") continue; // an empty parameter is absent: tested as "missing" elsewhere
        await assertOAuthError(await fetch(platformRequest(value, type)), 400, "invalid_client");
      }
    }
  });

  test("an oversize platform token (past 16 KiB, within a raised body limit) -> 400 invalid_client", async () => {
    const { fetch, clock } = server(issuer, { maxBodyBytes: 131_072 });
    const big = await issuer.mint(githubClaims(issuer.issuer, ISSUER, clock.now(), { padding: "x".repeat(20_000) }));
    assert.ok(big.length > 16_384);
    await assertOAuthError(await fetch(platformRequest(big)), 400, "invalid_client");
    // With the default body limit the form itself is refused first: 413, still JSON.
    const { fetch: small } = server(issuer);
    await assertOAuthError(await small(platformRequest(big)), 413, "invalid_request");
  });

  const claimFaults: Array<[string, (now: number) => Record<string, unknown>]> = [
    ["expired", (now) => ({ iat: now - 600, nbf: now - 600, exp: now - 31 })],
    ["expired, exp a string", () => ({ exp: "9999999999" })],
    ["no exp", () => ({ exp: undefined })],
    ["not valid yet (nbf)", (now) => ({ nbf: now + 120 })],
    ["issued in the future (iat)", (now) => ({ iat: now + 120, exp: now + 300 })],
    ["wrong audience", () => ({ aud: "https://other.example.com" })],
    ["an audience array naming another party too", () => ({ aud: [ISSUER, "https://other.example.com"] })],
    ["no audience", () => ({ aud: undefined })],
    ["an empty audience array", () => ({ aud: [] })],
    ["no sub", () => ({ sub: undefined })],
    ["a jti that is not a string", () => ({ jti: 42 })],
    ["too long a lifetime (exp - iat over maxLifetime)", (now) => ({ iat: now, exp: now + 3_601 })],
  ];
  for (const [name, over] of claimFaults) {
    test(`a token ${name} -> 400 invalid_client`, async () => {
      const { fetch, clock } = server(issuer);
      const now = Math.floor(clock.now() / 1000);
      await assertOAuthError(await fetch(platformRequest(await issuer.mint(githubClaims(issuer.issuer, ISSUER, clock.now(), over(now))))), 400, "invalid_client");
    });
  }

  test("wrong issuer: an iss that is not trusted, or differs by a trailing slash or case -> 400 invalid_client", async () => {
    const { fetch, clock } = server(issuer);
    for (const iss of ["https://token.actions.githubusercontent.com", `${issuer.issuer}/`, issuer.issuer.toUpperCase(), undefined, 7]) {
      const token = await issuer.mint(githubClaims(issuer.issuer, ISSUER, clock.now(), { iss }));
      await assertOAuthError(await fetch(platformRequest(token, JWT_BEARER, { client_id: "deploy" })), 400, "invalid_client");
    }
  });

  test("wrong key or algorithm: another key under the issuer's kid, an alg the issuer does not allow, typ at+jwt -> 400", async () => {
    const { fetch, clock } = server(issuer, {}, { algorithms: ["RS256"] });
    const impostor = { ...(await signingKey("RS256")), kid: issuer.keys[0]!.kid };
    await assertOAuthError(await fetch(platformRequest(await issuer.mint(githubClaims(issuer.issuer, ISSUER, clock.now()), {}, impostor))), 400, "invalid_client");
    const es = await signingKey("ES256");
    await assertOAuthError(await fetch(platformRequest(await issuer.mint(githubClaims(issuer.issuer, ISSUER, clock.now()), {}, es))), 400, "invalid_client");
    await assertOAuthError(await fetch(platformRequest(await issuer.mint(githubClaims(issuer.issuer, ISSUER, clock.now()), { typ: "at+jwt" }))), 400, "invalid_client");
    // An HS256 "signature" keyed with the issuer's public key material (RFC 8725 s2.1).
    const mac = await crypto.subtle.importKey("raw", new TextEncoder().encode(JSON.stringify(issuer.keys[0]!.publicJwk)), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const input = `${b64u(JSON.stringify({ alg: "HS256", kid: issuer.keys[0]!.kid }))}.${b64u(JSON.stringify(githubClaims(issuer.issuer, ISSUER, clock.now())))}`;
    const sig = new Uint8Array(await crypto.subtle.sign("HMAC", mac, new TextEncoder().encode(input)));
    await assertOAuthError(await fetch(platformRequest(`${input}.${b64u(String.fromCharCode(...sig))}`)), 400, "invalid_client");
    // The right token still works.
    await assertToken(await fetch(platformRequest(await issuer.mint(githubClaims(issuer.issuer, ISSUER, clock.now())))));
  });
});

describe("federation: issuers whose keys cannot be had", () => {
  const modes: Array<[IssuerMode, string]> = [
    ["down", "answers 503"],
    ["hang", "sends headers and never finishes the body (past jwksTimeoutMs)"],
    ["huge", "answers a body past jwksMaxBytes"],
    ["not-json", "answers HTML"],
    ["lying-discovery", "publishes a discovery document naming another issuer"],
    ["bad-jwks-uri", "publishes a jwks_uri that is not https"],
  ];
  for (const [mode, what] of modes) {
    test(`an issuer that ${what} -> 400 invalid_client, not counted against the caller; recovers after the cooldown`, async () => {
      const issuer = await startIssuer();
      try {
        issuer.mode = mode;
        const { fetch, clock } = server(issuer, { callerKey: () => "203.0.113.9", bruteForce: { maxAttempts: 1 } });
        for (let i = 0; i < 3; i++) {
          const res = await fetch(platformRequest(await issuer.mint(githubClaims(issuer.issuer, ISSUER, clock.now()))));
          await assertOAuthError(res, 400, "invalid_client");
        }
        // Asked at most once per cooldown, however many tokens arrive.
        const asked = [...issuer.hits.values()].reduce((a, b) => a + b, 0);
        assert.ok(asked <= 1, `asked ${asked} times`);
        issuer.mode = "ok";
        clock.advance(31);
        await assertToken(await fetch(platformRequest(await issuer.mint(githubClaims(issuer.issuer, ISSUER, clock.now())))));
      } finally {
        await issuer.stop();
      }
    });
  }

  test("an issuer where nothing listens -> 400 invalid_client", async () => {
    const port = await freePort();
    const { fetch, clock } = server(`http://127.0.0.1:${port}`);
    const key = await signingKey();
    const claims = githubClaims(`http://127.0.0.1:${port}`, ISSUER, clock.now());
    const { SignJWT } = await import("jose");
    const token = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: key.kid }).sign(key.privateKey);
    await assertOAuthError(await fetch(platformRequest(token)), 400, "invalid_client");
  });

  test("a failed refresh keeps the keys already known", async () => {
    const issuer = await startIssuer();
    try {
      const { fetch, clock } = server(issuer);
      await assertToken(await fetch(platformRequest(await issuer.mint(githubClaims(issuer.issuer, ISSUER, clock.now())))));
      issuer.mode = "down";
      clock.advance(3700); // past the JWK Set's and the discovery document's cache
      await assertToken(await fetch(platformRequest(await issuer.mint(githubClaims(issuer.issuer, ISSUER, clock.now())))));
    } finally {
      await issuer.stop();
    }
  });
});
