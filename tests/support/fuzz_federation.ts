// Fuzz property of federated client authentication: the token endpoint under mutated
// platform tokens (GitHub-Actions- and Kubernetes-shaped, issuers with static keys so no
// fetch is involved): claims and headers changed, tokens cut, signed by a stranger's key,
// sent with a second credential or another client_id, replayed. Never a 5xx or a throw; a
// token exactly when the platform token is whole, signed by its issuer, meets every check
// and rule, and (for an issuer that does not allow reuse) was not used before; an intact
// token always gets one.
import assert from "node:assert/strict";
import fc from "fast-check";
import { generateSigningKey } from "../../mod.ts";
import { authServer, ISSUER } from "./fixtures.ts";
import { encodeBase64Url } from "../../src/encoding/base64.ts";
import type { FuzzProperty } from "./fuzz_properties.ts";

const enc = new TextEncoder();
const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const GITHUB = "https://token.actions.githubusercontent.com";
const CLUSTER = "https://oidc.cluster.example.com";

function count(statuses: Record<string, number>, key: string | number): void {
  statuses[key] = (statuses[key] ?? 0) + 1;
}

/** The token endpoint under mutated platform tokens. */
export const platformTokens: FuzzProperty = {
  name: "federation: mutated platform tokens at the token endpoint",
  async run(numRuns, seed) {
    const github = await generateSigningKey("ES256", { kid: "gh" });
    const cluster = await generateSigningKey("ES256", { kid: "k8s" });
    const stranger = await generateSigningKey("ES256", { kid: "gh" });
    const server = authServer({
      issuer: ISSUER,
      trustedIssuers: [
        { issuer: GITHUB, jwks: { keys: [github.publicJwk!] } },
        { issuer: CLUSTER, jwks: { keys: [cluster.publicJwk!] }, allowReuse: true },
      ],
      clients: [
        {
          client_id: "deploy",
          token_endpoint_auth_method: "private_key_jwt",
          federated_credentials: [{ issuer: GITHUB, claims: { repository: "octo-org/app", ref: { pattern: "refs/heads/*" }, environment: "prod" } }],
          grant_types: ["client_credentials"],
        },
        {
          client_id: "billing",
          token_endpoint_auth_method: "private_key_jwt",
          federated_credentials: [{ issuer: CLUSTER, claims: { sub: "system:serviceaccount:payments:billing", "kubernetes.io": { namespace: "payments" } } }],
          grant_types: ["client_credentials"],
        },
      ],
      bruteForce: false,
    }).server;
    const b64 = (o: unknown) => encodeBase64Url(enc.encode(JSON.stringify(o)));
    let n = 0;
    const claimChanges = fc.dictionary(
      fc.constantFrom("iss", "sub", "aud", "exp", "iat", "nbf", "jti", "repository", "ref", "environment", "kubernetes.io", "__proto__"),
      fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.constantFrom(GITHUB, CLUSTER, `${GITHUB}/`, ISSUER, [ISSUER], [ISSUER, "https://evil.example"], "octo-org/app", "refs/heads/x", "refs/tags/v1", "prod", { namespace: "payments" }, { namespace: "default" }, 2 ** 31, -1),
      ),
      { maxKeys: 2 },
    );
    const headerChanges = fc.dictionary(
      fc.constantFrom("alg", "kid", "typ", "crit", "jwk"),
      fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constantFrom("none", "HS256", "RS256", "ES384", "gh", "k8s", "JWT", "at+jwt")),
      { maxKeys: 2 },
    );
    // Each damage is rare, so that many cases are whole tokens and a few damages combine.
    const sometimes = <T>(arb: fc.Arbitrary<T>, weight = 1) => fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight, arbitrary: arb });
    const rarely = fc.integer({ min: 0, max: 9 }).map((i) => i === 0);
    const form = fc.record({
      platform: fc.constantFrom("github", "cluster"),
      claims: sometimes(claimChanges, 2),
      header: sometimes(headerChanges),
      cut: sometimes(fc.nat()),
      strangerSigns: rarely,
      resend: fc.boolean(),
      extra: fc.constantFrom("", "", "", "&client_id=deploy", "&client_id=billing", "&client_id=other", "&client_secret=x", "&client_assertion_type=urn%3Ax"),
      basic: rarely,
    });
    const statuses: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(form, async (f) => {
        const now = Math.floor(Date.now() / 1000);
        const isGithub = f.platform === "github";
        const valid = isGithub
          ? {
            claims: { iss: GITHUB, sub: "repo:octo-org/app:environment:prod", aud: ISSUER, repository: "octo-org/app", ref: "refs/heads/main", environment: "prod", iat: now, nbf: now - 5, exp: now + 300, jti: `j${++n}` },
            header: { alg: "ES256", kid: "gh", typ: "JWT" },
          }
          : {
            claims: { iss: CLUSTER, sub: "system:serviceaccount:payments:billing", aud: [ISSUER], "kubernetes.io": { namespace: "payments" }, iat: now, nbf: now, exp: now + 3600, jti: `k${++n}` },
            header: { alg: "ES256", kid: "k8s" },
          };
        const claims: Record<string, unknown> = { ...valid.claims, ...f.claims };
        const header: Record<string, unknown> = { ...valid.header, ...f.header };
        const input = `${b64(header)}.${b64(claims)}`;
        const signer = f.strangerSigns ? stranger : isGithub ? github : cluster;
        let jwt = `${input}.${encodeBase64Url(await signer.signer.sign(enc.encode(input)))}`;
        const intact = JSON.stringify(claims) === JSON.stringify(valid.claims) && JSON.stringify(header) === JSON.stringify(valid.header);
        if (f.cut !== null) jwt = jwt.slice(0, f.cut % jwt.length);
        const body = `grant_type=client_credentials&client_assertion_type=${encodeURIComponent(JWT_BEARER)}&client_assertion=${jwt}${f.extra}`;
        const send = () =>
          server.fetch(
            new Request(`${ISSUER}/token`, {
              method: "POST",
              headers: { "content-type": "application/x-www-form-urlencoded", ...(f.basic ? { authorization: `Basic ${btoa("deploy:x")}` } : {}) },
              body,
            }),
          );
        const res = await send();
        assert.ok(res.status < 500, `${res.status}: ${await res.clone().text()}`);
        count(statuses, res.status);
        const own = isGithub ? "&client_id=deploy" : "&client_id=billing";
        const clean = f.cut === null && !f.basic && !f.strangerSigns && (f.extra === "" || f.extra === own);
        if (res.status === 200) {
          assert.ok(clean, `a token for a damaged request: ${JSON.stringify(f)}`);
          assert.equal(claims.iss, isGithub ? GITHUB : CLUSTER, `iss: ${JSON.stringify(f)}`);
          assert.ok(claims.aud === ISSUER || (Array.isArray(claims.aud) && claims.aud.length > 0 && claims.aud.every((a) => a === ISSUER)), `aud: ${JSON.stringify(f)}`);
          assert.ok(typeof claims.exp === "number" && claims.exp > now - 30, `exp: ${JSON.stringify(f)}`);
          assert.ok(typeof claims.sub === "string" && claims.sub !== "", `sub: ${JSON.stringify(f)}`);
          assert.ok(header.alg === "ES256" && (header.kid === valid.header.kid || header.kid === undefined) && header.crit === undefined, `header: ${JSON.stringify(f)}`);
          if (isGithub) {
            assert.ok(claims.repository === "octo-org/app" && claims.environment === "prod" && typeof claims.ref === "string" && claims.ref.startsWith("refs/heads/"), `rules: ${JSON.stringify(f)}`);
            assert.ok(typeof claims.jti === "string" && claims.jti !== "", `jti: ${JSON.stringify(f)}`);
          } else {
            assert.equal(claims.sub, "system:serviceaccount:payments:billing", `sub rule: ${JSON.stringify(f)}`);
            assert.equal((claims["kubernetes.io"] as { namespace?: unknown } | null)?.namespace, "payments", `nested rule: ${JSON.stringify(f)}`);
          }
          if (intact) count(statuses, "intact accepted");
        } else if (intact && clean) {
          assert.fail(`an intact platform token was refused (${res.status}): ${await res.clone().text()}`);
        }
        await res.body?.cancel();
        if (f.resend) {
          const again = await send();
          assert.ok(again.status < 500);
          // Single use unless the issuer allows reuse (the cluster does).
          if (isGithub) assert.notEqual(again.status, 200, "a replayed GitHub token got a token");
          else if (res.status === 200) assert.equal(again.status, 200, "a reusable cluster token was refused the second time");
          await again.body?.cancel();
        }
      }),
      { numRuns, seed },
    );
    return { cases: numRuns, statuses };
  },
};
