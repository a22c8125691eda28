// Fuzz properties of the JOSE layer and of what reads tokens: the strict JSON parser against
// JSON.parse, compact JWS parsing of random and mutated tokens, and the resource-server
// helper and introspection under mutated JWT access tokens (never a 5xx, never a throw,
// never accepted unless it is the token that was issued).
import assert from "node:assert/strict";
import fc from "fast-check";
import { type AuthorizationServer, generateSigningKey, KeySet } from "../../mod.ts";
import { API, authServer } from "./fixtures.ts";
import { type ResourceServerOptions, verifyAccessToken } from "../../src/resource_server/mod.ts";
import { encodeBase64Url } from "../../src/encoding/base64.ts";
import { parseJsonObject } from "../../src/jose/json.ts";
import { parseCompact } from "../../src/jose/jws.ts";
import type { FuzzProperty } from "./fuzz_properties.ts";

const enc = new TextEncoder();

function count(statuses: Record<string, number>, key: string | number): void {
  statuses[key] = (statuses[key] ?? 0) + 1;
}

/** JSON text: mostly valid (objects with awkward members), sometimes broken or odd. */
const jsonText: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.dictionary(fc.constantFrom("alg", "kid", "__proto__", "constructor", "toString", "a", "é", ""), fc.jsonValue({ maxDepth: 2 }))
    .map((o) => JSON.stringify(o)),
  fc.constantFrom(
    '{"a":1,"a":2}',
    '{"__proto__":{"polluted":1}}',
    '\ufeff{"a":1}',
    '{"a":1}garbage',
    '{"a":"\\ud800"}',
    '{"a":01}',
    '{"a":1,}',
    "[1]",
    "null",
    '{"a":' + "[".repeat(200) + "]".repeat(200) + "}",
  ),
  fc.string({ unit: "binary", maxLength: 40 }),
);

/** The strict JSON parser accepts a subset of what JSON.parse accepts, with the same meaning. */
const jsonParser: FuzzProperty = {
  name: "JOSE JSON: parseJsonObject agrees with JSON.parse, refuses duplicates, pollutes nothing",
  // deno-lint-ignore require-await
  async run(numRuns, seed) {
    const statuses: Record<string, number> = {};
    fc.assert(
      fc.property(jsonText, (text) => {
        const ours = parseJsonObject(enc.encode(text));
        assert.equal(({} as Record<string, unknown>).polluted, undefined, "Object.prototype was polluted");
        if (ours === undefined) return void count(statuses, "refused");
        count(statuses, "parsed");
        const theirs = JSON.parse(text) as unknown;
        assert.ok(typeof theirs === "object" && theirs !== null && !Array.isArray(theirs));
        assert.equal(JSON.stringify(ours), JSON.stringify(theirs));
      }),
      { numRuns, seed },
    );
    return { cases: numRuns, statuses };
  },
};

/** Random segments and random text: parseCompact never throws, and what it returns is strict. */
const compactParser: FuzzProperty = {
  name: "JOSE compact JWS: parseCompact on random and near-valid input",
  // deno-lint-ignore require-await
  async run(numRuns, seed) {
    const statuses: Record<string, number> = {};
    const segment = fc.oneof(
      jsonText.map((t) => encodeBase64Url(enc.encode(t))),
      fc.uint8Array({ maxLength: 40 }).map(encodeBase64Url),
      fc.string({ unit: "binary", maxLength: 12 }),
      fc.constantFrom("", "=", "e30", "e30=", "eyJhbGciOiJub25lIn0"),
    );
    // Near-valid: a header object with an alg (sometimes crit, duplicates or junk around it).
    const header = fc.tuple(
      fc.dictionary(fc.constantFrom("alg", "typ", "kid", "crit", "__proto__", "b64"), fc.jsonValue({ maxDepth: 1 })),
      fc.string({ maxLength: 6 }),
      fc.constantFrom("", " ", "\n", ',"alg":"x"', "x"),
    ).map(([o, alg, tail]) => {
      const text = JSON.stringify({ ...o, alg });
      return encodeBase64Url(enc.encode(tail === "x" ? text + tail : text.slice(0, -1) + tail + "}"));
    });
    const nearValid = fc.tuple(header, segment, fc.uint8Array({ maxLength: 64 }).map(encodeBase64Url)).map((p) => p.join("."));
    const token = fc.oneof(
      fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join(".")),
      nearValid,
      nearValid,
      fc.string({ unit: "binary", maxLength: 60 }),
    );
    fc.assert(
      fc.property(token, (t) => {
        const jws = parseCompact(t);
        if (jws === undefined) return void count(statuses, "refused");
        count(statuses, "parsed");
        assert.equal(t.split(".").length, 3);
        assert.equal(typeof jws.header.alg, "string");
        assert.equal(jws.header.crit, undefined);
        assert.ok(jws.signature.length > 0);
        assert.equal(new TextDecoder().decode(jws.signingInput), t.slice(0, t.lastIndexOf(".")));
      }),
      { numRuns, seed },
    );
    return { cases: numRuns, statuses };
  },
};

interface Fixture {
  server: AuthorizationServer;
  rs: ResourceServerOptions;
  tokens: string[];
}


let fixture: Promise<Fixture> | undefined;
/** One server, two issued JWTs (ES256 and EdDSA keys in one key set), and an RS over its keys. */
function setup(): Promise<Fixture> {
  return fixture ??= (async () => {
    const issuer = "https://as.example.com";
    const keys = new KeySet({ active: await generateSigningKey("ES256", { kid: "es" }), next: [await generateSigningKey("EdDSA", { kid: "ed" })] });
    const options = {
      issuer,
      accessTokenFormat: "jwt" as const,
      signingKeys: keys,
      clients: [{ client_id: "c", client_secret: "s".repeat(32), grant_types: ["client_credentials"], scope: "read", allowed_resources: [API], default_resource: API }],
    };
    const server = authServer(options).server;
    const tokens: string[] = [];
    for (const kid of ["es", "ed"]) {
      if (kid === "ed") keys.activate("ed");
      const res = await server.fetch(
        new Request(`${issuer}/token`, {
          method: "POST",
          headers: { authorization: `Basic ${btoa(`c:${"s".repeat(32)}`)}`, "content-type": "application/x-www-form-urlencoded" },
          body: "grant_type=client_credentials",
        }),
      );
      tokens.push(((await res.json()) as { access_token: string }).access_token);
    }
    return { server, tokens, rs: { resource: API, issuer, jwks: keys } };
  })();
}

/** A mutation of a valid token: a flipped character, segments swapped or re-encoded, ... */
function mutation(tokens: readonly string[]): fc.Arbitrary<{ token: string; label: string }> {
  const base = fc.constantFrom(...tokens);
  const b64 = (o: unknown) => encodeBase64Url(enc.encode(JSON.stringify(o)));
  return fc.oneof(
    fc.tuple(base, fc.nat(), fc.constantFrom(..."AZaz09-_.=+/ ~%".split(""))).map(([t, i, c]) => {
      const at = i % t.length;
      return { token: t.slice(0, at) + c + t.slice(at + 1), label: `char ${at} -> ${c}` };
    }),
    fc.tuple(base, fc.nat(), fc.nat()).map(([t, i, n]) => {
      const at = i % t.length;
      return { token: t.slice(0, at) + t.slice(at + 1 + (n % 8)), label: `cut at ${at}` };
    }),
    fc.tuple(base, fc.constantFrom("none", "HS256", "RS256", "ES384", "EdDSA", "", "ES256"), fc.constantFrom("at+jwt", "JWT", undefined), fc.boolean())
      .map(([t, alg, typ, dropSig]) => {
        const [h, p, s] = t.split(".") as [string, string, string];
        const header = { ...JSON.parse(atob(h.replace(/-/g, "+").replace(/_/g, "/"))), alg, typ };
        return { token: `${b64(header)}.${p}.${dropSig ? "" : s}`, label: `header alg ${alg} typ ${typ}` };
      }),
    fc.tuple(base, fc.dictionary(fc.constantFrom("aud", "exp", "iss", "scope", "client_id", "cnf", "__proto__"), fc.jsonValue({ maxDepth: 1 })))
      .map(([t, changes]) => {
        const [h, p, s] = t.split(".") as [string, string, string];
        const claims = { ...JSON.parse(atob(p.replace(/-/g, "+").replace(/_/g, "/"))), ...changes };
        return { token: `${h}.${b64(claims)}.${s}`, label: `claims ${JSON.stringify(changes)}` };
      }),
    fc.tuple(base, base).map(([a, b]) => {
      const [h] = a.split(".");
      const [, p, s] = b.split(".");
      return { token: `${h}.${p}.${s}`, label: "header of one token on another" };
    }),
  );
}

/** The resource-server helper and introspection under mutated tokens. */
const tokenReaders: FuzzProperty = {
  name: "JWT readers: verifyAccessToken and introspection under mutated tokens",
  async run(numRuns, seed) {
    const { server, rs, tokens } = await setup();
    const statuses: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(mutation(tokens), async ({ token, label }) => {
        const issued = tokens.includes(token);
        let request: Request;
        try {
          request = new Request(API, { headers: { authorization: `Bearer ${token}` } });
        } catch {
          return void count(statuses, "unsendable");
        }
        const result = await verifyAccessToken(request, rs);
        if (result.ok) {
          assert.ok(issued, `accepted a mutated token (${label})`);
        } else {
          assert.ok(result.response.status === 400 || result.response.status === 401, `${result.response.status} for ${label}`);
        }
        count(statuses, result.ok ? "accepted (unchanged token)" : result.response.status);
        const res = await server.fetch(
          new Request(server.endpoints.introspection!, {
            method: "POST",
            headers: { authorization: `Basic ${btoa(`c:${"s".repeat(32)}`)}`, "content-type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({ token }),
          }),
        );
        assert.equal(res.status, 200, label);
        const body = (await res.json()) as { active: boolean };
        assert.equal(body.active, issued, `introspection of ${label}`);
      }),
      { numRuns, seed },
    );
    return { cases: numRuns, statuses };
  },
};

const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** The token endpoint under mutated private_key_jwt assertions: a token only for an intact, unused one. */
const clientAssertions: FuzzProperty = {
  name: "client assertions: mutated private_key_jwt assertions at the token endpoint",
  async run(numRuns, seed) {
    const issuer = "https://as.example.com";
    const key = await generateSigningKey("ES256", { kid: "k" });
    const server = authServer({
      issuer,
      clients: [{ client_id: "pk", token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [key.publicJwk!] }, grant_types: ["client_credentials"] }],
      bruteForce: false,
    }).server;
    const b64 = (o: unknown) => encodeBase64Url(enc.encode(JSON.stringify(o)));
    let n = 0;
    const sign = async (header: Record<string, unknown>, claims: Record<string, unknown>) => {
      const input = `${b64(header)}.${b64(claims)}`;
      return `${input}.${encodeBase64Url(await key.signer.sign(enc.encode(input)))}`;
    };
    const claimChanges = fc.dictionary(
      fc.constantFrom("iss", "sub", "aud", "exp", "iat", "nbf", "jti", "__proto__"),
      fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constantFrom("pk", issuer, `${issuer}/token`, [issuer, "https://evil.example"], 2 ** 31, -1)),
      { maxKeys: 2 },
    );
    const headerChanges = fc.dictionary(
      fc.constantFrom("alg", "kid", "typ", "crit", "jwk"),
      fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constantFrom("none", "HS256", "ES384", "Ed25519", "k", "JWT")),
      { maxKeys: 2 },
    );
    const form = fc.record({
      claims: fc.option(claimChanges, { freq: 2 }),
      header: fc.option(headerChanges, { freq: 3 }),
      cut: fc.option(fc.nat(), { freq: 4 }),
      resend: fc.boolean(),
      extra: fc.constantFrom("", "&client_id=pk", "&client_id=other", "&client_secret=x", "&client_assertion_type=urn%3Ax"),
      basic: fc.option(fc.constant(true), { freq: 10 }).map((b) => b === true),
    });
    const statuses: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(form, async (f) => {
        const now = Math.floor(Date.now() / 1000);
        const valid = { claims: { iss: "pk", sub: "pk", aud: issuer, iat: now, exp: now + 60, jti: `j${++n}` }, header: { alg: "ES256", kid: "k" } };
        const claims: Record<string, unknown> = { ...valid.claims, ...f.claims };
        const header: Record<string, unknown> = { ...valid.header, ...f.header };
        let jwt = await sign(header, claims);
        // Intact: the changes, if any, set what was there already.
        const intact = JSON.stringify(claims) === JSON.stringify(valid.claims) && JSON.stringify(header) === JSON.stringify(valid.header);
        if (f.cut !== null) jwt = jwt.slice(0, f.cut % jwt.length);
        const body = `grant_type=client_credentials&client_assertion_type=${encodeURIComponent(JWT_BEARER)}&client_assertion=${jwt}${f.extra}`;
        const send = () =>
          server.fetch(
            new Request(`${issuer}/token`, {
              method: "POST",
              headers: { "content-type": "application/x-www-form-urlencoded", ...(f.basic ? { authorization: `Basic ${btoa("pk:x")}` } : {}) },
              body,
            }),
          );
        const res = await send();
        assert.ok(res.status < 500, `${res.status}: ${await res.clone().text()}`);
        count(statuses, res.status);
        if (res.status === 200) {
          // A token only for an assertion that is whole, alone, and says what RFC 7523 s3 needs.
          assert.ok(f.cut === null && !f.basic && (f.extra === "" || f.extra === "&client_id=pk"), `a token for a damaged request: ${JSON.stringify(f)}`);
          const audOk = (a: unknown) => a === issuer || a === `${issuer}/token`;
          assert.ok(claims.iss === "pk" && claims.sub === "pk", `iss/sub: ${JSON.stringify(f)}`);
          assert.ok(audOk(claims.aud) || (Array.isArray(claims.aud) && claims.aud.length > 0 && claims.aud.every(audOk)), `aud: ${JSON.stringify(f)}`);
          assert.ok(typeof claims.exp === "number" && claims.exp > now - 30 && claims.exp <= now + 330, `exp: ${JSON.stringify(f)}`);
          assert.ok(typeof claims.jti === "string" && claims.jti !== "", `jti: ${JSON.stringify(f)}`);
          assert.ok((header.alg === "ES256") && (header.kid === "k" || header.kid === undefined) && header.crit === undefined, `header: ${JSON.stringify(f)}`);
          if (intact) count(statuses, "intact accepted");
        } else if (intact && f.cut === null && !f.basic && f.extra === "") {
          assert.fail(`an intact assertion was refused (${res.status}): ${await res.clone().text()}`);
        }
        await res.body?.cancel();
        if (f.resend) {
          const again = await send();
          assert.notEqual(again.status, 200, "a replayed assertion got a token");
          await again.body?.cancel();
        }
      }),
      { numRuns, seed },
    );
    return { cases: numRuns, statuses };
  },
};

export const JWS_PROPERTIES: readonly FuzzProperty[] = [jsonParser, compactParser, tokenReaders, clientAssertions];
