// Fuzz property of the JWT bearer grant (RFC 7523 s2.1) with ID-JAGs: the token endpoint
// under mutated assertions of an identity provider with static keys (no fetch involved):
// claims and headers changed, assertions cut, signed by a stranger's key, sent with a
// second assertion, scope or resource, or by another client, replayed. Never a 5xx or a
// throw; a token exactly when the assertion is whole, signed by its issuer, meets every
// check of RFC 7523 s3 and of the ID-JAG profile, names the client that authenticated, and
// was not used before; an intact assertion always gets one, and the granted scope is within
// the assertion's and the policy's.
import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeBasicCredentials, generateSigningKey } from "../../mod.ts";
import { authServer, ISSUER, SECRET } from "./fixtures.ts";
import { encodeBase64Url } from "../../src/encoding/base64.ts";
import type { FuzzProperty } from "./fuzz_properties.ts";

const enc = new TextEncoder();
const GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const IDP = "https://acme.idp.example";
const API = "https://api.chat.example/";
const POLICY_SCOPE = new Set(["chat.read", "chat.history"]);

function count(statuses: Record<string, number>, key: string | number): void {
  statuses[key] = (statuses[key] ?? 0) + 1;
}

/** The token endpoint under mutated ID-JAGs. */
export const idJagAssertions: FuzzProperty = {
  name: "JWT bearer grant: mutated ID-JAGs at the token endpoint",
  async run(numRuns, seed) {
    const idp = await generateSigningKey("ES256", { kid: "idp" });
    const stranger = await generateSigningKey("ES256", { kid: "idp" });
    const client = (client_id: string) => ({
      client_id,
      client_secret: SECRET,
      grant_types: [GRANT],
      scope: "chat.read chat.history chat.write",
      allowed_resources: [API],
      default_resource: API,
    });
    const server = authServer({
      issuer: ISSUER,
      trustedIssuers: [{ issuer: IDP, jwks: { keys: [idp.publicJwk!] } }],
      clients: [client("wiki"), client("other")],
      jwtBearerPolicy: (r) => (r.subject === "blocked" ? false : { scope: [...POLICY_SCOPE].join(" "), resource: [API] }),
      bruteForce: false,
    }).server;
    const b64 = (o: unknown) => encodeBase64Url(enc.encode(JSON.stringify(o)));
    let n = 0;
    const claimChanges = fc.dictionary(
      fc.constantFrom("iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "scope", "resource", "__proto__"),
      fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.constantFrom(IDP, `${IDP}/`, ISSUER, [ISSUER], [ISSUER, "https://evil.example"], `${ISSUER}/token`, "wiki", "other", "blocked", "chat.read", "chat.write", "chat.read chat.write", "", API, [API, "https://evil.example/"], "no-uri", 2 ** 31, -1),
      ),
      { maxKeys: 2 },
    );
    const headerChanges = fc.dictionary(
      fc.constantFrom("alg", "kid", "typ", "crit", "jwk"),
      fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constantFrom("none", "HS256", "RS256", "ES384", "idp", "JWT", "at+jwt", "oauth-id-jag+jwt", "application/oauth-id-jag+jwt")),
      { maxKeys: 2 },
    );
    const sometimes = <T>(arb: fc.Arbitrary<T>, weight = 1) => fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight, arbitrary: arb });
    const rarely = fc.integer({ min: 0, max: 9 }).map((i) => i === 0);
    const form = fc.record({
      claims: sometimes(claimChanges, 2),
      header: sometimes(headerChanges),
      cut: sometimes(fc.nat()),
      strangerSigns: rarely,
      resend: fc.boolean(),
      presenter: fc.constantFrom("wiki", "wiki", "wiki", "other"),
      extra: fc.constantFrom("", "", "", "&scope=chat.read", "&scope=chat.write", "&resource=https%3A%2F%2Fapi.chat.example%2F", "&resource=https%3A%2F%2Fevil.example%2F", "&assertion=x", "&client_secret=x"),
    });
    const statuses: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(form, async (f) => {
        const now = Math.floor(Date.now() / 1000);
        const valid = {
          claims: { iss: IDP, sub: "U019488227", aud: ISSUER, client_id: "wiki", jti: `j${++n}`, iat: now, exp: now + 300, resource: API, scope: "chat.read chat.history" },
          header: { alg: "ES256", kid: "idp", typ: "oauth-id-jag+jwt" },
        };
        const claims: Record<string, unknown> = { ...valid.claims, ...f.claims };
        const header: Record<string, unknown> = { ...valid.header, ...f.header };
        const input = `${b64(header)}.${b64(claims)}`;
        let jwt = `${input}.${encodeBase64Url(await (f.strangerSigns ? stranger : idp).signer.sign(enc.encode(input)))}`;
        const intact = JSON.stringify(claims) === JSON.stringify(valid.claims) && JSON.stringify(header) === JSON.stringify(valid.header);
        if (f.cut !== null) jwt = jwt.slice(0, f.cut % jwt.length);
        const body = `grant_type=${encodeURIComponent(GRANT)}&assertion=${jwt}${f.extra}`;
        const send = () =>
          server.fetch(
            new Request(`${ISSUER}/token`, {
              method: "POST",
              headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${encodeBasicCredentials(f.presenter, SECRET)}` },
              body,
            }),
          );
        const res = await send();
        const text = await res.text();
        assert.ok(res.status < 500, `${res.status}: ${text}`);
        count(statuses, res.status);
        // The presenter is checked against the assertion's client_id below: "other" may present
        // an ID-JAG naming "other".
        const clean = f.cut === null && !f.strangerSigns && ["", "&scope=chat.read", "&resource=https%3A%2F%2Fapi.chat.example%2F"].includes(f.extra);
        if (res.status === 200) {
          const why = JSON.stringify(f);
          assert.ok(clean, `a token for a damaged request: ${why}`);
          assert.equal(claims.iss, IDP, `iss: ${why}`);
          assert.ok(claims.aud === ISSUER || (Array.isArray(claims.aud) && claims.aud.length === 1 && claims.aud[0] === ISSUER), `aud: ${why}`);
          assert.equal(claims.client_id, f.presenter, `client_id: ${why}`);
          assert.ok(typeof claims.exp === "number" && claims.exp > now - 30 && claims.exp - now <= 3_600 + 30, `exp: ${why}`);
          assert.ok(typeof claims.iat === "number" && claims.iat <= now + 30, `iat: ${why}`);
          assert.ok(typeof claims.jti === "string" && claims.jti !== "", `jti: ${why}`);
          assert.ok(typeof claims.sub === "string" && claims.sub !== "" && claims.sub !== "blocked", `sub: ${why}`);
          assert.ok(typeof header.typ === "string" && /^(application\/)?oauth-id-jag\+jwt$/i.test(header.typ), `typ: ${why}`);
          assert.ok(header.alg === "ES256" && (header.kid === "idp" || header.kid === undefined) && header.crit === undefined, `header: ${why}`);
          // Narrower or equal: within the assertion's scope (when it has one) and the policy's.
          const granted = ((JSON.parse(text) as { scope?: string }).scope ?? "").split(" ").filter((s) => s !== "");
          const held = typeof claims.scope === "string" ? new Set(claims.scope.split(" ")) : undefined;
          for (const s of granted) {
            assert.ok(POLICY_SCOPE.has(s) && (held === undefined || held.has(s)), `scope ${s}: ${why}`);
          }
          if (intact) count(statuses, "intact accepted");
        } else if (intact && clean && f.presenter === "wiki") {
          assert.fail(`an intact ID-JAG was refused (${res.status}): ${text}`);
        }
        if (f.resend) {
          const again = await send();
          assert.ok(again.status < 500);
          if (res.status === 200) assert.notEqual(again.status, 200, "a replayed ID-JAG got a token");
          await again.body?.cancel();
        }
      }),
      { numRuns, seed },
    );
    return { cases: numRuns, statuses };
  },
};
