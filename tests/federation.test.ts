// Federated client authentication with real platform tokens: a GitHub-Actions-shaped OIDC
// token, a Kubernetes projected service account token and a SPIFFE JWT-SVID, each minted by
// an issuer the test starts on loopback (discovery document, JWK Set or SPIFFE bundle,
// keys generated at start). Each rule refuses a token that differs in that one claim; keys
// rotate without a restart; a flood of unknown kids costs one fetch per cooldown; replay,
// the brute-force guard, events and metadata behave as for private_key_jwt.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ClientRegistration, ServerEvent, ServerOptions, TrustedIssuer } from "../mod.ts";
import { assertOAuthError, assertToken, authServer, fakeClock, INTROSPECT_URL, ISSUER, METADATA_URL, TOKEN_URL, tokenRequest } from "./helpers.ts";
import { githubClaims, kubernetesClaims, type PlatformIssuer, signingKey, spiffeClaims, startIssuer } from "./support/platform_issuer.ts";

const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const JWT_SPIFFE = "urn:ietf:params:oauth:client-assertion-type:jwt-spiffe";
const TRUST_DOMAIN = "spiffe://example.org";

/** A token request authenticated by a platform token. */
function platformRequest(token: string, extra: Record<string, string> = {}, type = JWT_BEARER, url = TOKEN_URL): Request {
  return tokenRequest({ url, body: { grant_type: "client_credentials", client_assertion_type: type, client_assertion: token, ...extra } });
}

interface Platforms {
  github: PlatformIssuer;
  k8s: PlatformIssuer;
  spire: PlatformIssuer;
}

async function startPlatforms(): Promise<Platforms> {
  const [github, k8s, spire] = await Promise.all([
    startIssuer(),
    startIssuer({ jwksPath: "/openid/v1/jwks" }),
    startIssuer({ alg: "ES256", jwksPath: "/bundle" }),
  ]);
  // A SPIFFE bundle (SPIFFE Trust Domain and Bundle s4): JWT-SVID keys say use jwt-svid;
  // an X.509 authority (use x509-svid) sits beside them and must never verify a JWT.
  spire.keyMembers = { use: "jwt-svid" };
  spire.extraSetKeys = [{ ...spire.keys[0]!.publicJwk, kid: "x509-authority", use: "x509-svid" }];
  return { github, k8s, spire };
}

function trustedIssuers(p: Platforms): TrustedIssuer[] {
  return [
    { issuer: p.github.issuer }, // keys through its discovery document
    { issuer: p.k8s.issuer, jwksUri: p.k8s.jwksUri, allowReuse: true },
    { issuer: TRUST_DOMAIN, jwksUri: p.spire.jwksUri, allowReuse: true },
  ];
}

const DEPLOY_RULES = {
  repository: "octo-org/octo-repo",
  repository_id: "74",
  ref: "refs/heads/main",
  environment: "prod",
  job_workflow_ref: { pattern: "octo-org/octo-automation/.github/workflows/*@refs/heads/main" },
};

function clients(p: Platforms): ClientRegistration[] {
  return [
    {
      client_id: "deploy",
      token_endpoint_auth_method: "private_key_jwt",
      federated_credentials: [{ issuer: p.github.issuer, claims: DEPLOY_RULES }],
      grant_types: ["client_credentials"],
      scope: "deploy",
    },
    {
      client_id: "billing",
      token_endpoint_auth_method: "private_key_jwt",
      federated_credentials: [{
        issuer: p.k8s.issuer,
        claims: {
          sub: "system:serviceaccount:payments:billing",
          "kubernetes.io": { namespace: "payments", serviceaccount: { uid: "0f3b2a6c-7d41-4c47-9c1e-3b1c2d4e5f60" } },
        },
      }],
      grant_types: ["client_credentials"],
      scope: "invoices:read",
    },
    {
      client_id: "ledger",
      token_endpoint_auth_method: "spiffe_jwt",
      federated_credentials: [{ issuer: TRUST_DOMAIN, claims: { sub: { pattern: "spiffe://example.org/ns/payments/*" } } }],
      grant_types: ["client_credentials"],
      scope: "ledger:write",
    },
  ];
}

function server(p: Platforms, overrides: Partial<ServerOptions> = {}) {
  const clock = fakeClock(Date.now());
  const events: ServerEvent[] = [];
  const s = authServer({ clock: clock.now, trustedIssuers: trustedIssuers(p), onEvent: (e) => void events.push(e), ...overrides }, clients(p));
  return { ...s, clock, events };
}

describe("federated client authentication with platform tokens", () => {
  let p: Platforms;
  before(async () => {
    p = await startPlatforms();
  });
  after(async () => {
    await Promise.all([p.github.stop(), p.k8s.stop(), p.spire.stop()]);
  });

  describe("GitHub Actions", () => {
    test("a job's OIDC token gets a token for the client whose rules it meets, with or without client_id", async () => {
      const { fetch, clock, events } = server(p);
      const json = await assertToken(await fetch(platformRequest(await p.github.mint(githubClaims(p.github.issuer, ISSUER, clock.now()), { typ: "JWT", x5t: "example-thumbprint" }))));
      assert.equal(json.scope, "deploy");
      await assertToken(await fetch(platformRequest(await p.github.mint(githubClaims(p.github.issuer, ISSUER, clock.now())), { client_id: "deploy" })));
      const ok = events.filter((e) => e.type === "federated_client_authenticated");
      assert.equal(ok.length, 2);
      assert.deepEqual({ ...ok[0], time: 0 }, {
        type: "federated_client_authenticated",
        time: 0,
        endpoint: "token",
        client_id: "deploy",
        method: "private_key_jwt",
        issuer: p.github.issuer,
        subject: "repo:octo-org/octo-repo:environment:prod",
      });
      // Keys came from the discovery document, fetched once each.
      assert.equal(p.github.fetches("/.well-known/openid-configuration") >= 1, true);
    });

    // Each rule of DEPLOY_RULES refuses a token that differs in that one claim (and only there).
    const differing: Array<[string, Record<string, unknown>]> = [
      ["repository", { repository: "octo-org/octo-repo-fork" }],
      ["repository_id", { repository_id: "75" }],
      ["ref", { ref: "refs/heads/feature" }],
      ["environment", { environment: "staging" }],
      ["job_workflow_ref (pattern)", { job_workflow_ref: "octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/dev" }],
      ["job_workflow_ref from another repository", { job_workflow_ref: "evil-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main" }],
      ["environment missing", { environment: undefined }],
      ["repository_id a number, not the string GitHub sends", { repository_id: 74 }],
    ];
    for (const [name, over] of differing) {
      test(`a token that differs in ${name} -> 400 invalid_client`, async () => {
        const { fetch, clock, events } = server(p);
        const token = await p.github.mint(githubClaims(p.github.issuer, ISSUER, clock.now(), over));
        await assertOAuthError(await fetch(platformRequest(token)), 400, "invalid_client");
        await assertOAuthError(await fetch(platformRequest(token, { client_id: "deploy" })), 400, "invalid_client");
        const failed = events.filter((e) => e.type === "client_authentication_failed");
        assert.deepEqual(failed.map((e) => e.type === "client_authentication_failed" && [e.method, e.issuer]), [
          ["private_key_jwt", p.github.issuer],
          ["private_key_jwt", p.github.issuer],
        ]);
        // The same token with the claim as the rule wants it passes: only that claim was wrong.
        await assertToken(await fetch(platformRequest(await p.github.mint(githubClaims(p.github.issuer, ISSUER, clock.now())))));
      });
    }

    test("each token is accepted once: a replay, and a token without jti, are refused (allowReuse off)", async () => {
      const { fetch, clock } = server(p);
      const token = await p.github.mint(githubClaims(p.github.issuer, ISSUER, clock.now()));
      await assertToken(await fetch(platformRequest(token)));
      await assertOAuthError(await fetch(platformRequest(token)), 400, "invalid_client");
      await assertOAuthError(await fetch(platformRequest(await p.github.mint(githubClaims(p.github.issuer, ISSUER, clock.now(), { jti: undefined })))), 400, "invalid_client");
    });

    test("a refused token does not use up its jti: the same token is accepted once the client may take it", async () => {
      const { fetch, clock } = server(p);
      const token = await p.github.mint(githubClaims(p.github.issuer, ISSUER, clock.now()));
      // Named for another client first: refused, and not remembered.
      await assertOAuthError(await fetch(platformRequest(token, { client_id: "billing" })), 400, "invalid_client");
      await assertToken(await fetch(platformRequest(token)));
    });

    test("the default audience is this server's issuer; GitHub's default audience (the owner's URL) is refused", async () => {
      const { fetch, clock } = server(p);
      for (const aud of ["https://github.com/octo-org", [ISSUER, "https://github.com/octo-org"], `${ISSUER}/`, TOKEN_URL]) {
        const token = await p.github.mint(githubClaims(p.github.issuer, ISSUER, clock.now(), { aud }));
        await assertOAuthError(await fetch(platformRequest(token)), 400, "invalid_client");
      }
      await assertToken(await fetch(platformRequest(await p.github.mint(githubClaims(p.github.issuer, ISSUER, clock.now(), { aud: [ISSUER] })))));
    });

    test("a configured audience replaces the default", async () => {
      const issuers = trustedIssuers(p);
      issuers[0] = { ...issuers[0]!, audience: ["https://as.example.com/github", "urn:example:deploy"] };
      const { fetch, clock } = server(p, { trustedIssuers: issuers });
      await assertOAuthError(await fetch(platformRequest(await p.github.mint(githubClaims(p.github.issuer, ISSUER, clock.now())))), 400, "invalid_client");
      await assertToken(await fetch(platformRequest(await p.github.mint(githubClaims(p.github.issuer, "urn:example:deploy", clock.now())))));
    });

    test("the token also authenticates at introspection (RFC 7662 s2.1)", async () => {
      const { fetch, clock } = server(p);
      const { access_token } = await assertToken(await fetch(platformRequest(await p.github.mint(githubClaims(p.github.issuer, ISSUER, clock.now())))));
      const token = await p.github.mint(githubClaims(p.github.issuer, ISSUER, clock.now()));
      const res = await fetch(platformRequest(token, { token: access_token as string }, JWT_BEARER, INTROSPECT_URL));
      const body = await assertToken(res);
      assert.equal(body.active, true);
      assert.equal(body.client_id, "deploy");
    });
  });

  describe("Kubernetes", () => {
    test("a pod's projected token authenticates, again and again until it expires (allowReuse)", async () => {
      const { fetch, clock } = server(p);
      const token = await p.k8s.mint(kubernetesClaims(p.k8s.issuer, ISSUER, clock.now()));
      for (let i = 0; i < 3; i++) assert.equal((await assertToken(await fetch(platformRequest(token)))).scope, "invoices:read");
      clock.advance(3600 + 31);
      await assertOAuthError(await fetch(platformRequest(token)), 400, "invalid_client");
    });

    const differing: Array<[string, Record<string, unknown>]> = [
      ["sub (another service account)", { sub: "system:serviceaccount:payments:other" }],
      ["sub (another namespace)", { sub: "system:serviceaccount:default:billing" }],
      ["kubernetes.io.namespace", { "kubernetes.io": { ...(kubernetesClaims("", "", 0)["kubernetes.io"] as object), namespace: "default" } }],
      ["kubernetes.io.serviceaccount.uid (the account was deleted and recreated)", {
        "kubernetes.io": { ...(kubernetesClaims("", "", 0)["kubernetes.io"] as object), serviceaccount: { name: "billing", uid: "11111111-2222-4333-8444-555555555555" } },
      }],
      ["kubernetes.io missing", { "kubernetes.io": undefined }],
      ["kubernetes.io a string", { "kubernetes.io": "payments" }],
    ];
    for (const [name, over] of differing) {
      test(`a token that differs in ${name} -> 400 invalid_client`, async () => {
        const { fetch, clock } = server(p);
        await assertOAuthError(await fetch(platformRequest(await p.k8s.mint(kubernetesClaims(p.k8s.issuer, ISSUER, clock.now(), over)))), 400, "invalid_client");
      });
    }

    test("a token longer-lived than maxLifetime (one hour by default) is refused", async () => {
      const { fetch, clock } = server(p);
      const iat = Math.floor(clock.now() / 1000);
      const long = await p.k8s.mint(kubernetesClaims(p.k8s.issuer, ISSUER, clock.now(), { exp: iat + 7200 }));
      await assertOAuthError(await fetch(platformRequest(long)), 400, "invalid_client");
      const issuers = trustedIssuers(p);
      issuers[1] = { ...issuers[1]!, maxLifetime: 7200 };
      const longer = server(p, { trustedIssuers: issuers });
      await assertToken(await longer.fetch(platformRequest(long)));
    });
  });

  describe("SPIFFE", () => {
    test("a JWT-SVID as jwt-spiffe (draft-ietf-oauth-spiffe-client-auth s3.1), keys from the trust domain's bundle", async () => {
      const { fetch, clock, events } = server(p);
      const svid = await p.spire.mint(spiffeClaims(ISSUER, clock.now()), { typ: "JWT" });
      const json = await assertToken(await fetch(platformRequest(svid, {}, JWT_SPIFFE)));
      assert.equal(json.scope, "ledger:write");
      // SPIFFE workloads reuse a cached SVID: allowed for this trust domain.
      await assertToken(await fetch(platformRequest(svid, { client_id: "ledger" }, JWT_SPIFFE)));
      const ok = events.find((e) => e.type === "federated_client_authenticated");
      assert.deepEqual(ok && ok.type === "federated_client_authenticated" && [ok.method, ok.issuer, ok.subject], [
        "spiffe_jwt",
        TRUST_DOMAIN,
        "spiffe://example.org/ns/payments/sa/billing",
      ]);
    });

    test("a JWT-SVID is refused as jwt-bearer, another trust domain or path is refused, and an X.509 authority key never verifies", async () => {
      const { fetch, clock } = server(p);
      const now = clock.now();
      await assertOAuthError(await fetch(platformRequest(await p.spire.mint(spiffeClaims(ISSUER, now)))), 400, "invalid_client");
      for (const sub of ["spiffe://example.com/ns/payments/sa/billing", "spiffe://example.org/ns/other/sa/billing", "spiffe://example.org/ns/payments", "spiffe://example.org/ns/payments/", "https://example.org/ns/payments/sa/billing"]) {
        await assertOAuthError(await fetch(platformRequest(await p.spire.mint(spiffeClaims(ISSUER, now, { sub })), {}, JWT_SPIFFE)), 400, "invalid_client");
      }
      // Signed by the right key but naming the x509-svid authority's kid.
      const underX509Kid = await p.spire.mint(spiffeClaims(ISSUER, now), { kid: "x509-authority" });
      await assertOAuthError(await fetch(platformRequest(underX509Kid, {}, JWT_SPIFFE)), 400, "invalid_client");
      // draft-ietf-oauth-spiffe-client-auth s3.1 item 3: aud is this server's issuer only.
      await assertOAuthError(await fetch(platformRequest(await p.spire.mint(spiffeClaims(TOKEN_URL, now)), {}, JWT_SPIFFE)), 400, "invalid_client");
    });

    test("a spiffe_jwt client cannot authenticate with a GitHub token, nor a private_key_jwt client with a JWT-SVID", async () => {
      const { fetch, clock } = server(p);
      const github = await p.github.mint(githubClaims(p.github.issuer, ISSUER, clock.now()));
      await assertOAuthError(await fetch(platformRequest(github, { client_id: "ledger" })), 400, "invalid_client");
      const svid = await p.spire.mint(spiffeClaims(ISSUER, clock.now()));
      await assertOAuthError(await fetch(platformRequest(svid, { client_id: "deploy" }, JWT_SPIFFE)), 400, "invalid_client");
    });
  });

  describe("keys", () => {
    test("key rotation at the issuer (a new kid) works without a restart", async () => {
      const clock = fakeClock(Date.now());
      const issuer = await startIssuer();
      try {
        const s = authServer({ clock: clock.now, trustedIssuers: [{ issuer: issuer.issuer }] }, [{
          client_id: "deploy",
          token_endpoint_auth_method: "private_key_jwt",
          federated_credentials: [{ issuer: issuer.issuer, claims: DEPLOY_RULES }],
          grant_types: ["client_credentials"],
        }]);
        await assertToken(await s.fetch(platformRequest(await issuer.mint(githubClaims(issuer.issuer, ISSUER, clock.now())))));
        await issuer.rotate(true);
        clock.advance(31); // past the refresh cooldown
        await assertToken(await s.fetch(platformRequest(await issuer.mint(githubClaims(issuer.issuer, ISSUER, clock.now())))));
        assert.equal(issuer.fetches("/.well-known/jwks"), 2);
        assert.equal(issuer.fetches("/.well-known/openid-configuration"), 1);
      } finally {
        await issuer.stop();
      }
    });

    test("a flood of unknown kids costs one JWK Set fetch per cooldown, shared by every registration naming the issuer", async () => {
      const clock = fakeClock(Date.now());
      const issuer = await startIssuer();
      try {
        const registration = (client_id: string, repository: string): ClientRegistration => ({
          client_id,
          token_endpoint_auth_method: "private_key_jwt",
          federated_credentials: [{ issuer: issuer.issuer, claims: { repository } }],
          grant_types: ["client_credentials"],
        });
        const s = authServer({ clock: clock.now, trustedIssuers: [{ issuer: issuer.issuer }], bruteForce: false }, [
          registration("a", "octo-org/octo-repo"),
          registration("b", "octo-org/other"),
        ]);
        await assertToken(await s.fetch(platformRequest(await issuer.mint(githubClaims(issuer.issuer, ISSUER, clock.now())))));
        assert.equal(issuer.fetches("/.well-known/jwks"), 1);
        const forged = await Promise.all(Array.from({ length: 50 }, (_, i) =>
          issuer.mint(githubClaims(issuer.issuer, ISSUER, clock.now(), { repository: i % 2 ? "octo-org/other" : "octo-org/octo-repo" }), { kid: `made-up-${i}` })
        ));
        clock.advance(31);
        const answers = await Promise.all(forged.map((t, i) => s.fetch(platformRequest(t, { client_id: i % 2 ? "b" : "a" }))));
        for (const a of answers) await assertOAuthError(a, 400, "invalid_client");
        assert.equal(issuer.fetches("/.well-known/jwks"), 2, "one refresh for the whole flood");
        for (const t of forged.slice(0, 10)) await assertOAuthError(await s.fetch(platformRequest(t)), 400, "invalid_client");
        assert.equal(issuer.fetches("/.well-known/jwks"), 2, "none within the cooldown");
        assert.equal(issuer.fetches("/.well-known/openid-configuration"), 1);
      } finally {
        await issuer.stop();
      }
    });

    test("a static JWK Set in the configuration: nothing is fetched", async () => {
      const clock = fakeClock(Date.now());
      const issuer = await startIssuer();
      try {
        const s = authServer({ clock: clock.now, trustedIssuers: [{ issuer: issuer.issuer, jwks: { keys: [issuer.keys[0]!.publicJwk as never] } }] }, [{
          client_id: "deploy",
          token_endpoint_auth_method: "private_key_jwt",
          federated_credentials: [{ issuer: issuer.issuer, claims: { repository: "octo-org/octo-repo" } }],
          grant_types: ["client_credentials"],
        }]);
        await assertToken(await s.fetch(platformRequest(await issuer.mint(githubClaims(issuer.issuer, ISSUER, clock.now())))));
        assert.equal(issuer.hits.size, 0);
      } finally {
        await issuer.stop();
      }
    });
  });

  describe("as private_key_jwt is checked", () => {
    test("the brute-force guard counts forged platform tokens per client (and per workload without client_id)", async () => {
      const { fetch, clock } = server(p, { callerKey: () => "198.51.100.7", bruteForce: { maxAttempts: 3 } });
      // Junk and genuine tokens of other workloads are no guess at the client's credential:
      // not counted (issue 17), however many.
      const otherWorkload = () => p.github.mint(githubClaims(p.github.issuer, ISSUER, clock.now(), { ref: "refs/heads/feature" }));
      const expired = () => p.github.mint(githubClaims(p.github.issuer, ISSUER, clock.now(), { exp: 1 }));
      for (let i = 0; i < 10; i++) {
        await assertOAuthError(await fetch(platformRequest(await otherWorkload(), { client_id: "deploy" })), 400, "invalid_client");
        await assertOAuthError(await fetch(platformRequest(await expired(), { client_id: "deploy" })), 400, "invalid_client");
      }
      await assertToken(await fetch(platformRequest(await p.github.mint(githubClaims(p.github.issuer, ISSUER, clock.now())), { client_id: "deploy" })));
      // A token signed by a key the issuer does not hold is a forgery: counted.
      const stranger = await signingKey();
      const forged = () => p.github.mint(githubClaims(p.github.issuer, ISSUER, clock.now()), { kid: p.github.keys[0]!.kid }, { ...stranger, kid: p.github.keys[0]!.kid });
      for (let i = 0; i < 3; i++) await assertOAuthError(await fetch(platformRequest(await forged(), { client_id: "deploy" })), 400, "invalid_client");
      const locked = await fetch(platformRequest(await p.github.mint(githubClaims(p.github.issuer, ISSUER, clock.now())), { client_id: "deploy" }));
      assert.equal(locked.status, 429);
      assert.ok(Number(locked.headers.get("retry-after")) >= 1);
      // Other workloads and clients are not affected.
      await assertToken(await fetch(platformRequest(await p.k8s.mint(kubernetesClaims(p.k8s.issuer, ISSUER, clock.now())))));
    });

    test("no registration for the issuer's workload, or a client that is not federated -> invalid_client, identical answers", async () => {
      const { fetch, clock } = server(p);
      const answers = [
        await fetch(platformRequest(await p.github.mint(githubClaims(p.github.issuer, ISSUER, clock.now(), { repository: "someone/else" })))),
        await fetch(platformRequest(await p.github.mint(githubClaims(p.github.issuer, ISSUER, clock.now())), { client_id: "basic-client" })),
        await fetch(platformRequest(await p.github.mint(githubClaims(p.github.issuer, ISSUER, clock.now())), { client_id: "no-such-client" })),
        await fetch(platformRequest(await p.github.mint(githubClaims(p.github.issuer, ISSUER, clock.now(), { exp: 1 })))),
      ];
      const texts = await Promise.all(answers.map((a) => a.text()));
      for (const [i, a] of answers.entries()) {
        assert.equal(a.status, 400);
        assert.equal(texts[i], texts[0]);
        assert.deepEqual([...a.headers], [...answers[0]!.headers]);
      }
    });

    test("events never carry the token", async () => {
      const { fetch, clock, events } = server(p);
      const token = await p.github.mint(githubClaims(p.github.issuer, ISSUER, clock.now()));
      await fetch(platformRequest(token));
      await fetch(platformRequest(token));
      const text = JSON.stringify(events);
      for (const part of token.split(".")) assert.ok(!text.includes(part));
    });

    test("metadata lists private_key_jwt and spiffe_jwt with their algorithms (RFC 8414 s2)", async () => {
      const { fetch } = server(p);
      const doc = await (await fetch(new Request(METADATA_URL))).json() as Record<string, unknown>;
      assert.deepEqual(doc.token_endpoint_auth_methods_supported, ["private_key_jwt", "spiffe_jwt"]);
      assert.deepEqual(doc.token_endpoint_auth_signing_alg_values_supported, ["ES256", "ES384", "EdDSA", "RS256", "PS256"]);
      const store = authServer({ trustedIssuers: trustedIssuers(p), clients: { getClient: () => undefined } });
      const fromStore = await (await store.fetch(new Request(METADATA_URL))).json() as Record<string, unknown>;
      assert.ok((fromStore.token_endpoint_auth_methods_supported as string[]).includes("spiffe_jwt"));
    });
  });

  describe("with a client store", () => {
    test("client_id is required; with it, a stored federated registration authenticates", async () => {
      const clock = fakeClock(Date.now());
      const registrations = new Map(clients(p).map((c) => [c.client_id, c]));
      const s = authServer({ clock: clock.now, trustedIssuers: trustedIssuers(p), clients: { getClient: (id) => registrations.get(id) } });
      const token = () => p.github.mint(githubClaims(p.github.issuer, ISSUER, clock.now()));
      await assertOAuthError(await s.fetch(platformRequest(await token())), 400, "invalid_client");
      assert.equal((await assertToken(await s.fetch(platformRequest(await token(), { client_id: "deploy" })))).scope, "deploy");
      // A stored registration naming an issuer that is not trusted never authenticates.
      registrations.set("stray", {
        client_id: "stray",
        token_endpoint_auth_method: "private_key_jwt",
        federated_credentials: [{ issuer: "https://issuer.example.net", claims: { repository: "octo-org/octo-repo" } }],
        grant_types: ["client_credentials"],
      });
      await assertOAuthError(await s.fetch(platformRequest(await token(), { client_id: "stray" })), 400, "invalid_client");
    });
  });
});
