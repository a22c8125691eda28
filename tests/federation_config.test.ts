// Federation configuration: claim rules (exact values, lists, anchored * globs, nested
// claims, missing and non-string claims), the exact overlap test that makes two
// registrations accepting one token a start-up error, and the ConfigurationErrors of
// trustedIssuers and federated_credentials; per-issuer defaults.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ClientRegistration, ConfigurationError, createAuthorizationServer, type TrustedIssuer } from "../mod.ts";
import { claimRulesOverlap, compileClaimRules, matchClaimRules } from "../src/federation/claim_rules.ts";
import { resolveTrustedIssuers } from "../src/federation/trusted_issuer.ts";
import { resolveAssertionSettings } from "../src/client_auth/assertion_options.ts";
import { parseSpiffeId } from "../src/federation/spiffe_id.ts";
import { discoveryUrl } from "../src/federation/issuer_keys.ts";
import { ISSUER } from "./helpers.ts";

const GITHUB = "https://token.actions.githubusercontent.com";
const CLUSTER = "https://oidc.cluster.example.com";

const rules = (r: Parameters<typeof compileClaimRules>[0]) => compileClaimRules(r, "test");

describe("claim rules", () => {
  test("exact values, lists of values, and anchored * globs", () => {
    const r = rules({ repository: "octo-org/app", ref: ["refs/heads/main", "refs/heads/release"], workflow_ref: { pattern: "octo-org/app/.github/workflows/*.yml@refs/heads/*" } });
    const ok = { repository: "octo-org/app", ref: "refs/heads/main", workflow_ref: "octo-org/app/.github/workflows/deploy.yml@refs/heads/main" };
    assert.equal(matchClaimRules(r, ok), true);
    assert.equal(matchClaimRules(r, { ...ok, repository: "octo-org/app2" }), false);
    assert.equal(matchClaimRules(r, { ...ok, repository: "Octo-org/app" }), false, "case matters");
    assert.equal(matchClaimRules(r, { ...ok, ref: "refs/heads/release/1" }), false);
    assert.equal(matchClaimRules(r, { ...ok, workflow_ref: "x/octo-org/app/.github/workflows/deploy.yml@refs/heads/main" }), false, "anchored at the start");
    assert.equal(matchClaimRules(r, { ...ok, workflow_ref: "octo-org/app/.github/workflows/deploy.yml@refs/heads/main " }), true, "* takes the trailing space");
    assert.equal(matchClaimRules(r, { ...ok, workflow_ref: "octo-org/app/.github/workflows/deploy.yaml@refs/heads/main" }), false);
  });

  test("a glob: * matches any run (none included, / included); every other character is literal", () => {
    const g = (pattern: string, value: string) => matchClaimRules(rules({ c: { pattern } }), { c: value });
    assert.equal(g("a*b", "ab"), true);
    assert.equal(g("a*b", "a/x/y/b"), true);
    assert.equal(g("a*b", "a/x/y/bc"), false);
    assert.equal(g("*b*b*", "abab"), true);
    assert.equal(g("*b*b*", "ab"), false);
    assert.equal(g("a*a", "a"), false, "first and last literal parts may not overlap");
    assert.equal(g("a.b", "axb"), false, "no regex: . is a dot");
    assert.equal(g("refs/heads/[main]", "refs/heads/m"), false);
    assert.equal(g("x?", "xy"), false);
    assert.equal(g("spiffe://example.org/ns/*", "spiffe://example.org/ns/payments/sa/billing"), true);
    assert.equal(g("spiffe://example.org/ns/*", "spiffe://example.org/nsx"), false, "a path-segment prefix, as draft-ietf-oauth-spiffe-client-auth s5.1 asks");
    assert.equal(matchClaimRules(rules({ c: { pattern: ["a*", "*z"] } }), { c: "xyz" }), true);
  });

  test("a glob on a long claim stays linear: no backtracking blow-up", () => {
    const r = rules({ c: { pattern: "*a*a*a*a*a*a*a*a*a*a*b" } });
    assert.equal(matchClaimRules(r, { c: "a".repeat(100_000) }), false);
  });

  test("missing, non-string, array and object claims fail their rule; nested rules walk own members only", () => {
    const r = rules({ sub: "x" });
    for (const sub of [undefined, 1, true, null, ["x"], { x: "x" }]) assert.equal(matchClaimRules(r, sub === undefined ? {} : { sub }), false);
    const nested = rules({ "kubernetes.io": { namespace: "payments", serviceaccount: { name: "billing" } } });
    const k8s = { "kubernetes.io": { namespace: "payments", serviceaccount: { name: "billing", uid: "u" } } };
    assert.equal(matchClaimRules(nested, k8s), true);
    assert.equal(matchClaimRules(nested, { "kubernetes.io": { namespace: "payments" } }), false);
    assert.equal(matchClaimRules(nested, { "kubernetes.io": "payments" }), false);
    assert.equal(matchClaimRules(nested, { "kubernetes.io": [k8s["kubernetes.io"]] }), false);
    // Inherited members are not claims.
    const proto = rules({ constructor: { name: "Object" } });
    assert.equal(matchClaimRules(proto, {}), false);
    assert.equal(matchClaimRules(rules({ toString: { pattern: "*function*" } }), {}), false);
  });

  test("invalid rules are ConfigurationErrors naming where they are", () => {
    const bad: Array<[unknown, RegExp]> = [
      [{}, /at least one rule/],
      [[], /object of rules/],
      ["repo", /object of rules/],
      [{ iss: "x" }, /'iss' is checked by the server/],
      [{ aud: "x" }, /'aud'/],
      [{ exp: "1" }, /'exp'/],
      [{ jti: "1" }, /'jti'/],
      [{ ref: [] }, /non-empty list of strings/],
      [{ ref: ["a", 1] }, /non-empty list of strings/],
      [{ ref: 1 }, /must be a string, a list/],
      [{ ref: null }, /must be a string, a list/],
      [{ ref: { pattern: "*" } }, /matches any value/],
      [{ ref: { pattern: "**" } }, /matches any value/],
      [{ ref: { pattern: [] } }, /non-empty list/],
      [{ ref: { pattern: "x".repeat(1001) } }, /longer than 1000/],
      [{ "kubernetes.io": {} }, /at least one rule/],
      [{ a: { b: { c: { d: { e: { f: { g: { h: { i: "x" } } } } } } } } }, /nested more than 8/],
      [{ "": "x" }, /must not be empty/],
    ];
    for (const [value, message] of bad) {
      assert.throws(() => compileClaimRules(value as never, "client \"x\": federated_credentials[0]"), (e: unknown) =>
        e instanceof ConfigurationError && message.test(e.message) && e.message.startsWith("client \"x\": federated_credentials[0]"), JSON.stringify(value));
    }
  });

  test("overlap is exact: rules that some token satisfies both overlap; provably disjoint ones do not", () => {
    const o = (a: Parameters<typeof rules>[0], b: Parameters<typeof rules>[0]) => claimRulesOverlap(rules(a), rules(b));
    assert.equal(o({ repository: "a/b" }, { repository: "a/b" }), true);
    assert.equal(o({ repository: "a/b" }, { repository: "a/c" }), false);
    assert.equal(o({ repository: "a/b", ref: "refs/heads/main" }, { repository: "a/b", environment: "prod" }), true, "a token may carry both claims");
    assert.equal(o({ repository: "a/b", ref: "refs/heads/main" }, { repository: "a/b", ref: { pattern: "refs/tags/*" } }), false);
    assert.equal(o({ ref: { pattern: "refs/heads/*" } }, { ref: { pattern: "*/main" } }), true);
    assert.equal(o({ ref: { pattern: "a*b" } }, { ref: { pattern: "b*a" } }), false);
    assert.equal(o({ ref: { pattern: "*x*" } }, { ref: { pattern: "y*" } }), true);
    assert.equal(o({ ref: ["a", "b"] }, { ref: ["c", "b"] }), true);
    assert.equal(o({ ref: ["a", "b"] }, { ref: { pattern: "c*" } }), false);
    assert.equal(o({ ref: "a*b" }, { ref: { pattern: "a*" } }), true, "an exact value with a star is literal, and the glob takes it");
    assert.equal(o({ ref: "ab" }, { ref: "a*b" }), false, "two exact values: equal or not");
    assert.equal(o({ "kubernetes.io": { namespace: "a" } }, { "kubernetes.io": { namespace: "b" } }), false);
    assert.equal(o({ "kubernetes.io": { namespace: "a" } }, { "kubernetes.io": "a" }), false, "a claim cannot be a string and an object");
    assert.equal(o({ sub: "x" }, { "kubernetes.io": { namespace: "a" } }), true);
  });
});

describe("SPIFFE IDs and discovery URLs", () => {
  test("parseSpiffeId is strict", () => {
    assert.deepEqual(parseSpiffeId("spiffe://example.org/ns/payments/sa/billing"), { trustDomain: "example.org", path: "/ns/payments/sa/billing" });
    assert.deepEqual(parseSpiffeId("spiffe://example.org"), { trustDomain: "example.org", path: "" });
    for (const bad of ["spiffe://Example.org/x", "spiffe://example.org/", "spiffe://example.org/a//b", "spiffe://example.org/a/../b", "spiffe://example.org:443/x", "spiffe://u@example.org/x", "spiffe://example.org/x?y", "SPIFFE://example.org/x", "spiffe:///x", `spiffe://example.org/${"a".repeat(2100)}`]) {
      assert.equal(parseSpiffeId(bad), undefined, bad);
    }
  });

  test("the discovery document is at <issuer>/.well-known/openid-configuration (OpenID Connect Discovery s4)", () => {
    assert.equal(discoveryUrl(GITHUB), `${GITHUB}/.well-known/openid-configuration`);
    assert.equal(discoveryUrl("https://login.example.com/tenant/v2.0/"), "https://login.example.com/tenant/v2.0/.well-known/openid-configuration");
  });
});

const ctx = { serverIssuer: ISSUER, fetch: globalThis.fetch, clock: Date.now, settings: resolveAssertionSettings(undefined) };

describe("trustedIssuers", () => {
  test("defaults: audience this server's issuer, the asymmetric algorithms, maxLifetime 600 for GitHub and 3,600 otherwise, no reuse", () => {
    const set = resolveTrustedIssuers([{ issuer: GITHUB }, { issuer: CLUSTER, allowReuse: true }, { issuer: "spiffe://example.org", jwksUri: "https://spire.example.org/bundle" }], ctx);
    const github = set.byIssuer(GITHUB)!;
    assert.deepEqual([...github.audiences], [ISSUER]);
    assert.deepEqual([...github.algorithms], ["ES256", "ES384", "EdDSA", "RS256", "PS256"]);
    assert.equal(github.maxLifetime, 600);
    assert.equal(github.allowReuse, false);
    assert.equal(set.byIssuer(CLUSTER)!.maxLifetime, 3_600);
    assert.equal(set.byIssuer(CLUSTER)!.allowReuse, true);
    assert.equal(set.byIssuer("spiffe://example.org"), undefined, "a trust domain is never matched by iss");
    assert.equal(set.byTrustDomain("example.org")!.issuer, "spiffe://example.org");
    assert.equal(set.hasSpiffe, true);
  });

  const bad: Array<[unknown, RegExp]> = [
    [{ issuer: GITHUB, jwks_uri: "https://x" }, /unknown option 'jwks_uri'/],
    [{ issuer: "token.actions.githubusercontent.com" }, /not a URL/],
    [{ issuer: "http://issuer.example.com" }, /https URL/],
    [{ issuer: `${GITHUB}?tenant=1` }, /query/],
    [{ issuer: `${GITHUB}#x` }, /fragment/],
    [{ issuer: "https://user:pw@issuer.example.com" }, /user information/],
    [{ issuer: "" }, /non-empty string/],
    [{ issuer: GITHUB, jwks: { keys: [] }, jwksUri: "https://x.example.com/jwks" }, /jwks or jwksUri, not both/],
    [{ issuer: GITHUB, jwksUri: "http://keys.example.com/jwks" }, /https URL/],
    [{ issuer: GITHUB, jwks: { keys: [{ kty: "EC", crv: "P-256", x: "x", y: "y", d: "d" }] } }, /public keys only/],
    [{ issuer: GITHUB, jwks: { keys: [{ kty: "oct", k: "AAAA" }] } }, /public keys only/],
    [{ issuer: GITHUB, jwks: { keys: [] } }, /no key for/],
    [{ issuer: GITHUB, jwks: [] }, /JWK Set/],
    [{ issuer: "spiffe://Example.org" }, /trust domain/],
    [{ issuer: "spiffe://example.org/path", jwksUri: "https://x.example.com" }, /trust domain/],
    [{ issuer: "spiffe://example.org" }, /needs jwksUri/],
    [{ issuer: "spiffe://example.org", jwks: { keys: [{ kty: "EC", crv: "P-256", x: "x", y: "y", use: "x509-svid" }] } }, /no jwt-svid key/],
    [{ issuer: GITHUB, audience: [] }, /audience/],
    [{ issuer: GITHUB, audience: [""] }, /audience/],
    [{ issuer: GITHUB, algorithms: ["HS256"] }, /algorithms/],
    [{ issuer: GITHUB, algorithms: ["none"] }, /algorithms/],
    [{ issuer: GITHUB, algorithms: [] }, /algorithms/],
    [{ issuer: GITHUB, maxLifetime: 0 }, /maxLifetime/],
    [{ issuer: GITHUB, maxLifetime: 86_401 }, /maxLifetime/],
    [{ issuer: GITHUB, maxLifetime: 1.5 }, /maxLifetime/],
    [{ issuer: GITHUB, allowReuse: "yes" }, /allowReuse/],
    [null, /must be an object/],
    [{ issuer: ISSUER }, /server's own issuer/],
  ];
  for (const [value, message] of bad) {
    test(`refused: ${JSON.stringify(value)}`, () => {
      assert.throws(() => resolveTrustedIssuers([value], ctx), (e: unknown) => e instanceof ConfigurationError && message.test(e.message) && e.message.startsWith("trustedIssuers[0]"));
    });
  }

  test("the same issuer twice, or not an array -> ConfigurationError", () => {
    assert.throws(() => resolveTrustedIssuers([{ issuer: GITHUB }, { issuer: GITHUB }], ctx), /trustedIssuers\[1\].*listed twice/);
    assert.throws(() => resolveTrustedIssuers({ issuer: GITHUB }, ctx), /must be an array/);
  });
});

function federated(client_id: string, issuer: string, claims: Record<string, unknown>, method: ClientRegistration["token_endpoint_auth_method"] = "private_key_jwt"): ClientRegistration {
  return { client_id, token_endpoint_auth_method: method, federated_credentials: [{ issuer, claims: claims as never }], grant_types: ["client_credentials"] };
}

const start = (clients: ClientRegistration[], trustedIssuers: TrustedIssuer[] = [{ issuer: GITHUB }, { issuer: "spiffe://example.org", jwksUri: "https://spire.example.org/bundle" }]) =>
  createAuthorizationServer({ issuer: ISSUER, clients, trustedIssuers });

describe("federated_credentials at start-up", () => {
  test("two clients whose rules could both accept one token -> ConfigurationError naming both", () => {
    assert.throws(
      () => start([federated("a", GITHUB, { repository: "o/r", ref: "refs/heads/main" }), federated("b", GITHUB, { repository: "o/r", environment: "prod" })]),
      (e: unknown) => e instanceof ConfigurationError && /clients "a" \(federated_credentials\[0\]\) and "b" \(federated_credentials\[0\]\) could both accept one token/.test(e.message),
    );
    assert.throws(() => start([federated("a", GITHUB, { repository: { pattern: "o/*" } }), federated("b", GITHUB, { repository: "o/r" })]), /could both accept/);
    // Told apart by a rule on the same claim: fine; and one client may have overlapping credentials of its own.
    start([federated("a", GITHUB, { repository: "o/r", ref: "refs/heads/main" }), federated("b", GITHUB, { repository: "o/r", ref: { pattern: "refs/tags/*" } })]);
    start([{ ...federated("a", GITHUB, { repository: "o/r" }), federated_credentials: [{ issuer: GITHUB, claims: { repository: "o/r" } }, { issuer: GITHUB, claims: { repository: { pattern: "o/*" } } }] }]);
  });

  test("the same rules on two issuers do not overlap", () => {
    start([federated("a", GITHUB, { sub: "x" }), federated("b", CLUSTER, { sub: "x" })], [{ issuer: GITHUB }, { issuer: CLUSTER }]);
  });

  const bad: Array<[string, ClientRegistration[], RegExp]> = [
    ["an issuer that is not trusted", [federated("a", CLUSTER, { sub: "x" })], /names https:\/\/oidc\.cluster\.example\.com, which is not in trustedIssuers/],
    ["no rules", [federated("a", GITHUB, {})], /at least one rule/],
    ["no claims member", [{ ...federated("a", GITHUB, {}), federated_credentials: [{ issuer: GITHUB } as never] }], /needs claims/],
    ["an unknown member", [{ ...federated("a", GITHUB, {}), federated_credentials: [{ issuer: GITHUB, claims: { sub: "x" }, subject: "x" } as never] }], /unknown member 'subject'/],
    ["an empty list", [{ ...federated("a", GITHUB, {}), federated_credentials: [] }], /non-empty array/],
    ["a method that takes no assertion", [{ ...federated("a", GITHUB, { sub: "x" }, "client_secret_basic"), client_secret: "x".repeat(43) }], /need token_endpoint_auth_method private_key_jwt/],
    ["a SPIFFE trust domain under private_key_jwt", [federated("a", "spiffe://example.org", { sub: "spiffe://example.org/x" })], /needs token_endpoint_auth_method spiffe_jwt/],
    ["spiffe_jwt with an OIDC issuer", [federated("a", GITHUB, { sub: "x" }, "spiffe_jwt")], /JWT-SVIDs only/],
    ["spiffe_jwt with keys of its own", [{ ...federated("a", "spiffe://example.org", { sub: "spiffe://example.org/x" }, "spiffe_jwt"), jwks_uri: "https://x.example.com/jwks" }], /no keys or secret of its own/],
    ["spiffe_jwt without credentials", [{ client_id: "a", token_endpoint_auth_method: "spiffe_jwt", grant_types: ["client_credentials"] }], /spiffe_jwt needs federated_credentials/],
    ["a client_id that is a trusted issuer", [{ client_id: GITHUB, client_secret: "x".repeat(43), grant_types: ["client_credentials"] }], /may not be a trusted issuer/],
  ];
  for (const [name, clients, message] of bad) {
    test(`refused: ${name}`, () => {
      assert.throws(() => start(clients), (e: unknown) => e instanceof ConfigurationError && message.test(e.message), name);
    });
  }

  test("federated_credentials without trustedIssuers are reported at start-up too", () => {
    assert.throws(() => createAuthorizationServer({ issuer: ISSUER, clients: [federated("a", GITHUB, { sub: "x" })] }), /not in trustedIssuers/);
  });

  test("private_key_jwt needs keys or federated credentials", () => {
    assert.throws(
      () => start([{ client_id: "a", token_endpoint_auth_method: "private_key_jwt", grant_types: ["client_credentials"] }]),
      /jwks or jwks_uri\) or federated_credentials/,
    );
  });
});
