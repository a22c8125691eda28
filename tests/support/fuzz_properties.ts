// The fuzz properties, shared by tests/fuzz.test.ts (a small seeded set in the suite) and
// tests/scripts/fuzz.ts (`npm run fuzz`, 100,000+ cases). Each property returns its figures.
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type ClientRegistration,
  clientStoreFromArray,
  decodeBasicCredentials,
  encodeBasicCredentials,
  MemoryAttemptStore,
  MemoryTokenStore,
  OAuthError,
  tokenKey,
  webCrypto,
} from "../../mod.ts";
import { parseForm, readForm } from "../../src/http/form.ts";
import { parseAuthorizationHeader } from "../../src/http/authorization.ts";
import { grantScope, isScopeToken, parseScope } from "../../src/scope.ts";
import { decodeBase64, decodeBase64Url, encodeBase64, encodeBase64Url } from "../../src/encoding/base64.ts";
import { platformTokens } from "./fuzz_federation.ts";
import { idJagAssertions } from "./fuzz_jwt_bearer.ts";
import { fuzzHostileClientIds, REAL_ID, SECRET as HOSTILE_SECRET } from "./fuzz_client_ids.ts";
import { EXCHANGE_PROPERTIES } from "./fuzz_exchange.ts";
import { JWS_PROPERTIES } from "./fuzz_jws.ts";
import { X509_PROPERTIES } from "./fuzz_x509.ts";
import { AWKWARD_ID, BASIC_ID, fuzzRequest, ISSUER, POST_ID, SECRET, toRequest } from "./fuzz_requests.ts";
import { fakeClock, testServer } from "./fixtures.ts";

export interface FuzzFigures {
  cases: number;
  statuses: Record<string, number>;
  notes?: string;
}

export interface FuzzProperty {
  name: string;
  run(numRuns: number, seed: number): Promise<FuzzFigures>;
}

const CLIENTS: ClientRegistration[] = [
  { client_id: BASIC_ID, client_secret: SECRET, grant_types: ["client_credentials"], scope: "read write", default_scope: "read" },
  { client_id: POST_ID, client_secret: SECRET, token_endpoint_auth_method: "client_secret_post", grant_types: ["client_credentials"], scope: "read write" },
  { client_id: AWKWARD_ID, client_secret: SECRET, grant_types: ["client_credentials"], scope: "read" },
];

/** A request must settle well within this, whatever its body does (bodyTimeoutMs is 20). */
const HANG_MS = 3_000;

function count(statuses: Record<string, number>, key: string | number): void {
  statuses[key] = (statuses[key] ?? 0) + 1;
}

function withinTime<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${HANG_MS} ms (a hang)`)), HANG_MS);
  });
  return Promise.race([p, hang]).finally(() => clearTimeout(timer));
}

const prototypeNames = () => Object.getOwnPropertyNames(Object.prototype).sort().join(",");

/** Checks what every token endpoint answer must be: JSON, never cached, never a 5xx. */
async function checkAnswer(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  assert.ok(res.status < 500, `a ${res.status}: ${text}`);
  assert.ok([200, 400, 401, 405, 408, 413, 429].includes(res.status), `unexpected status ${res.status}: ${text}`);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.equal(res.headers.get("pragma"), "no-cache");
  const body = JSON.parse(text) as Record<string, unknown>;
  if (res.status === 401) assert.ok(res.headers.get("www-authenticate"), "a 401 without a challenge");
  if (res.status === 405) assert.equal(res.headers.get("allow"), "POST");
  if (res.status === 429) assert.ok(Number(res.headers.get("retry-after")) >= 1);
  if (res.status !== 200) {
    assert.equal(typeof body.error, "string");
    assert.ok(!("access_token" in body));
    if (body.error_description !== undefined) assert.match(body.error_description as string, /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/);
  }
  return body;
}

/** The whole endpoint under random and mutated requests. */
const endpointMutated: FuzzProperty = {
  name: "token endpoint: random and mutated requests",
  async run(numRuns, seed) {
    const store = new MemoryTokenStore();
    const { fetch: endpoint } = testServer({
      issuer: ISSUER,
      tokenStore: store,
      bodyTimeoutMs: 20,
      // A header stands in for the peer address (sometimes absent, repeated or odd), so the
      // brute-force guard runs too; its ceilings are raised so that, over a long run, the
      // guessing it sees does not close the clients to everyone (the model property below
      // checks the guard's rules).
      callerKey: (r) => r.headers.get("x-test-peer") ?? undefined,
      bruteForce: { maxAttemptsPerClient: 1_000_000, maxAttemptsPerCaller: 1_000_000 },
    }, CLIENTS);
    const statuses: Record<string, number> = {};
    const before = prototypeNames();
    let skipped = 0;
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async (r) => {
        const request = toRequest(r);
        if (request === undefined) return void skipped++;
        const res = await withinTime(endpoint(request), r.label);
        const body = await checkAnswer(res);
        count(statuses, res.status);
        if (res.status === 200) {
          assert.ok(r.carriesRightSecret, `a token for a request without the right secret: ${r.label}`);
          const token = body.access_token as string;
          assert.ok(await store.find(await tokenKey(token, webCrypto)), "a token that was not saved");
        }
        assert.equal(prototypeNames(), before, "Object.prototype was changed");
        assert.equal(({} as Record<string, unknown>).client_id, undefined);
      }),
      { numRuns, seed },
    );
    return { cases: numRuns, statuses, notes: `${skipped} requests the platform refused to construct` };
  },
};

/** Well-formed requests: a token exactly when the secret and the method are right. */
const endpointWellFormed: FuzzProperty = {
  name: "token endpoint: well-formed requests (token iff right secret and method)",
  async run(numRuns, seed) {
    const store = new MemoryTokenStore();
    const { fetch: endpoint } = testServer({ issuer: ISSUER, tokenStore: store, bruteForce: false }, CLIENTS);
    const statuses: Record<string, number> = {};
    const arb = fc.record({
      client: fc.constantFrom(BASIC_ID, POST_ID, AWKWARD_ID),
      via: fc.constantFrom("basic", "post"),
      right: fc.boolean(),
      scope: fc.option(fc.array(fc.constantFrom("read", "write"), { minLength: 1, maxLength: 4 }), { nil: undefined }),
      extra: fc.array(fc.tuple(fc.constantFrom("__proto__", "constructor", "toString", "foo", "resource_x", "x y"), fc.string({ maxLength: 10 })), { maxLength: 3 }),
      contentType: fc.constantFrom("application/x-www-form-urlencoded", "Application/X-WWW-Form-Urlencoded; charset=utf-8", "application/x-www-form-urlencoded;charset=\"UTF-8\""),
      order: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(arb, async (g) => {
        const secret = g.right ? SECRET : SECRET.slice(1);
        const params: Array<[string, string]> = [["grant_type", "client_credentials"]];
        if (g.scope) params.push(["scope", g.scope.join(" ")]);
        for (const [k, v] of g.extra) if (v !== "") params.push([k, v]);
        const seen = new Set<string>();
        const unique = params.filter(([k]) => !seen.has(k) && seen.add(k));
        if (g.via === "post") unique.push(["client_id", g.client], ["client_secret", secret]);
        if (g.order) unique.reverse();
        const headers: Record<string, string> = { "content-type": g.contentType };
        if (g.via === "basic") headers.authorization = `Basic ${encodeBasicCredentials(g.client, secret)}`;
        const res = await endpoint(
          new Request(`${ISSUER}/token`, { method: "POST", headers, body: new URLSearchParams(unique).toString() }),
        );
        const body = await checkAnswer(res);
        count(statuses, res.status);
        const registered = g.client === POST_ID ? "post" : "basic";
        if (g.right && g.via === registered) {
          const wantedScope = g.client === AWKWARD_ID ? "read" : "read write";
          if (g.scope && g.scope.some((s) => !wantedScope.split(" ").includes(s))) {
            assert.equal(body.error, "invalid_scope");
          } else {
            assert.equal(res.status, 200, JSON.stringify(body));
            assert.equal(body.scope, g.scope ? [...new Set(g.scope)].join(" ") : (g.client === BASIC_ID ? "read" : wantedScope));
            assert.ok(await store.find(await tokenKey(body.access_token as string, webCrypto)));
          }
        } else {
          assert.equal(body.error, "invalid_client");
          assert.equal(res.status, g.via === "basic" ? 401 : 400);
        }
      }),
      { numRuns, seed },
    );
    return { cases: numRuns, statuses };
  },
};

/** The brute-force guard against an independent model of its rules. */
const bruteForceModel: FuzzProperty = {
  name: "brute-force guard: matches a model of its rules",
  async run(numRuns, seed) {
    const statuses: Record<string, number> = {};
    const limits = { pair: 3, client: 5, caller: 4, window: 60, known: 120 };
    const action = fc.record({
      peer: fc.integer({ min: 0, max: 3 }),
      client: fc.constantFrom(BASIC_ID, AWKWARD_ID, "nobody"),
      right: fc.boolean(),
      advance: fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(5, 30, 61, 130) }),
    });
    let steps = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 40 }), async (actions) => {
        const clock = fakeClock(Date.UTC(2026, 0, 1));
        const { fetch: endpoint } = testServer({
          issuer: ISSUER,
          clock: clock.now,
          tokenStore: new MemoryTokenStore({ clock: clock.now }),
          callerKey: (r) => r.headers.get("x-peer") ?? undefined,
          bruteForce: {
            maxAttempts: limits.pair,
            maxAttemptsPerClient: limits.client,
            maxAttemptsPerCaller: limits.caller,
            windowSeconds: limits.window,
            knownCallerSeconds: limits.known,
          },
        }, CLIENTS);
        // The model: counters {count, resetAt} by name, and known marks by name.
        const counters = new Map<string, { count: number; resetAt: number }>();
        const marks = new Map<string, number>();
        const live = (k: string, t: number) => {
          const c = counters.get(k);
          return c !== undefined && c.resetAt > t ? c.count : 0;
        };
        const bump = (k: string, t: number) => {
          const c = counters.get(k);
          if (c !== undefined && c.resetAt > t) c.count++;
          else counters.set(k, { count: 1, resetAt: t + limits.window });
        };
        for (const a of actions) {
          clock.advance(a.advance);
          steps++;
          const t = clock.now() / 1000;
          const pair = `${a.peer}|${a.client}`;
          // Marks per period of `known` seconds, each living two periods.
          const period = Math.floor(t / limits.known);
          const markedNow = (marks.get(`${period}|${pair}`) ?? 0) > t;
          const known = markedNow || (marks.get(`${period - 1}|${pair}`) ?? 0) > t;
          let expected: number;
          if (
            live(`p${pair}`, t) >= limits.pair ||
            (!known && (live(`c${a.client}`, t) >= limits.client || live(`a${a.peer}`, t) >= limits.caller))
          ) {
            expected = 429;
          } else if (a.right && a.client !== "nobody") {
            expected = 200;
            if (!markedNow) marks.set(`${period}|${pair}`, t + 2 * limits.known);
          } else {
            expected = 401;
            bump(`p${pair}`, t);
            bump(`c${a.client}`, t);
            bump(`a${a.peer}`, t);
          }
          const res = await endpoint(
            new Request(`${ISSUER}/token`, {
              method: "POST",
              headers: {
                "content-type": "application/x-www-form-urlencoded",
                authorization: `Basic ${encodeBasicCredentials(a.client, a.right ? SECRET : "nope")}`,
                "x-peer": `10.0.0.${a.peer}`,
              },
              body: "grant_type=client_credentials",
            }),
          );
          await checkAnswer(res);
          count(statuses, res.status);
          assert.equal(res.status, expected, `step ${JSON.stringify(a)}`);
        }
      }),
      { numRuns, seed },
    );
    return { cases: numRuns, statuses, notes: `${steps} requests` };
  },
};

const FORM_UNITS = ["a", "b", "=", "&", "+", "%", "%2", "%zz", "%C3", "%A9", "%C3%A9", "%00", "%FF", "é", "\uD800", "\uDC00", "😀", " ", "__proto__", "constructor", "grant_type", "resource"];
const formText = fc.oneof(
  fc.array(fc.constantFrom(...FORM_UNITS), { maxLength: 30 }).map((a) => a.join("")),
  fc.string({ unit: "binary", maxLength: 60 }),
);

/** parseForm and readForm: a form or an invalid_request, nothing else; encoded values round-trip. */
const formParser: FuzzProperty = {
  name: "form parser: parseForm and readForm",
  async run(numRuns, seed) {
    const statuses: Record<string, number> = {};
    const repeatable = new Set(["resource"]);
    fc.assert(
      fc.property(formText, (text) => {
        try {
          parseForm(text, repeatable);
          count(statuses, "parsed");
        } catch (e) {
          assert.ok(e instanceof OAuthError && e.error === "invalid_request", String(e));
          count(statuses, "invalid_request");
        }
      }),
      { numRuns, seed },
    );
    // Any set of distinct names and well-formed values round-trips through URLSearchParams encoding.
    const wellFormed = fc.string({ unit: "grapheme", maxLength: 12 });
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(wellFormed, wellFormed), { selector: ([k]) => k, maxLength: 8 }), (pairs) => {
        const form = parseForm(new URLSearchParams(pairs).toString());
        for (const [k, v] of pairs) assert.equal(form.get(k), v === "" ? undefined : v);
      }),
      { numRuns, seed },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 200 }),
        fc.constantFrom("application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=latin1", "text/plain", null),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom("whole", "chunks", "error", "stall"),
        async (bytes, contentType, sizes, delivery) => {
          let offset = 0;
          let i = 0;
          const body = new ReadableStream<Uint8Array>({
            pull(c) {
              if (offset >= bytes.length) {
                if (delivery === "stall") return new Promise(() => {});
                return c.close();
              }
              const n = delivery === "whole" ? bytes.length : sizes[i++ % sizes.length]!;
              c.enqueue(bytes.slice(offset, offset += n));
              if (delivery === "error") c.error(new Error("reset"));
            },
          });
          const headers: Record<string, string> = contentType === null ? {} : { "content-type": contentType };
          const request = new Request(`${ISSUER}/token`, { method: "POST", headers, body, duplex: "half" } as RequestInit);
          if (contentType === null) request.headers.delete("content-type");
          try {
            await withinTime(readForm(request, { maxBytes: 100, timeoutMs: 10, repeatable }), "readForm");
            count(statuses, "read");
          } catch (e) {
            assert.ok(e instanceof OAuthError && e.error === "invalid_request", String(e));
            assert.ok([400, 408, 413].includes(e.status));
            count(statuses, `readForm ${e.status}`);
          }
        },
      ),
      { numRuns, seed },
    );
    return { cases: numRuns * 3, statuses };
  },
};

/** Basic credentials and the Authorization header: never an exception but the documented one. */
const basicParser: FuzzProperty = {
  name: "Basic header: parseAuthorizationHeader and decodeBasicCredentials",
  // deno-lint-ignore require-await
  async run(numRuns, seed) {
    const statuses: Record<string, number> = {};
    const b64ish = fc.oneof(
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.uint8Array({ maxLength: 40 }).map((b) => encodeBase64(b)),
      fc.uint8Array({ maxLength: 40 }).map((b) => encodeBase64(b).replace(/=+$/, "")),
      fc.string({ maxLength: 40 }).map((s) => btoa(s.replace(/[^\x00-\xff]/g, ""))),
      // Structured: base64 of "<id>:<secret>" with escapes, valid or not.
      fc.tuple(formText, formText).map(([a, b]) => encodeBase64(new TextEncoder().encode(`${a}:${b}`))),
    );
    fc.assert(
      fc.property(b64ish, (s) => {
        const d = decodeBasicCredentials(s);
        count(statuses, d === undefined ? "refused" : "decoded");
        if (d !== undefined) {
          assert.equal(typeof d.client_id, "string");
          assert.equal(typeof d.client_secret, "string");
          assert.notEqual(d.client_id, "");
        }
      }),
      { numRuns, seed },
    );
    // Every well-formed id and secret survives the RFC 6749 App. B encoding.
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }), fc.string({ unit: "grapheme", maxLength: 30 }), (id, secret) => {
        assert.deepEqual(decodeBasicCredentials(encodeBasicCredentials(id, secret)), { client_id: id, client_secret: secret });
      }),
      { numRuns, seed },
    );
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 60 }), (value) => {
        try {
          const h = parseAuthorizationHeader(value);
          assert.equal(h.scheme, h.scheme.toLowerCase());
          assert.ok(!value.includes(","));
        } catch (e) {
          assert.ok(e instanceof OAuthError && e.error === "invalid_request");
          assert.ok(value.includes(","));
        }
      }),
      { numRuns, seed },
    );
    return { cases: numRuns * 3, statuses };
  },
};

/** Scope: tokens per RFC 6749 s3.3 or invalid_scope; a grant never exceeds the registration. */
const scopeParser: FuzzProperty = {
  name: "scope: parseScope and grantScope",
  // deno-lint-ignore require-await
  async run(numRuns, seed) {
    const statuses: Record<string, number> = {};
    const scopeText = fc.oneof(
      fc.array(fc.constantFrom("read", "write", "admin", " ", "  ", "\t", "\"", "\\", "é", "a:b", "", "\u0000"), { maxLength: 8 }).map((a) => a.join("")),
      fc.string({ unit: "binary", maxLength: 30 }),
    );
    const registered = new Set(["read", "write"]);
    fc.assert(
      fc.property(scopeText, (s) => {
        try {
          const tokens = parseScope(s);
          assert.ok(tokens.length > 0 && tokens.every(isScopeToken));
          assert.equal(new Set(tokens).size, tokens.length);
          assert.deepEqual([...new Set(s.split(" "))], tokens);
        } catch (e) {
          assert.ok(e instanceof OAuthError && e.error === "invalid_scope");
        }
        try {
          const granted = grantScope(s === "" ? undefined : s, registered, "read");
          assert.ok(granted.split(" ").every((t) => registered.has(t)));
          count(statuses, "granted");
        } catch (e) {
          assert.ok(e instanceof OAuthError && e.error === "invalid_scope");
          count(statuses, "invalid_scope");
        }
      }),
      { numRuns, seed },
    );
    return { cases: numRuns, statuses };
  },
};

/** base64 and base64url: strict decoding is the exact inverse of encoding. */
const base64Codec: FuzzProperty = {
  name: "base64 / base64url: strict decode is the inverse of encode",
  // deno-lint-ignore require-await
  async run(numRuns, seed) {
    const statuses: Record<string, number> = {};
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        assert.deepEqual(decodeBase64(encodeBase64(bytes)), bytes);
        assert.deepEqual(decodeBase64Url(encodeBase64Url(bytes)), bytes);
      }),
      { numRuns, seed },
    );
    const alphabetText = fc.array(fc.constantFrom(..."AQgw+/-_=aZ09 \n".split("")), { maxLength: 16 }).map((a) => a.join(""));
    fc.assert(
      fc.property(fc.oneof(alphabetText, fc.string({ unit: "binary", maxLength: 20 })), (s) => {
        const std = decodeBase64(s);
        if (std !== undefined) assert.equal(encodeBase64(std).replace(/=+$/, ""), s.replace(/=+$/, ""));
        const url = decodeBase64Url(s);
        if (url !== undefined) assert.equal(encodeBase64Url(url), s);
        count(statuses, std === undefined && url === undefined ? "refused" : "decoded");
      }),
      { numRuns, seed },
    );
    return { cases: numRuns * 2, statuses };
  },
};

/** Client ids no store can hold (NUL, over-long, lone surrogates) against the in-memory stores. */
const hostileClientIds: FuzzProperty = {
  name: "client_ids no store can hold: unknown clients, never a 5xx (in-memory stores)",
  async run(numRuns, seed) {
    const clients = clientStoreFromArray([{ client_id: REAL_ID, client_secret: HOSTILE_SECRET, grant_types: ["client_credentials"] }]);
    const statuses = await fuzzHostileClientIds(clients, new MemoryAttemptStore({ maxEntries: 1_000 }), numRuns, seed);
    return { cases: numRuns, statuses };
  },
};

export const PROPERTIES: readonly FuzzProperty[] = [
  endpointMutated,
  endpointWellFormed,
  bruteForceModel,
  hostileClientIds,
  formParser,
  basicParser,
  scopeParser,
  base64Codec,
  ...JWS_PROPERTIES,
  platformTokens,
  idJagAssertions,
  ...X509_PROPERTIES,
  ...EXCHANGE_PROPERTIES,
];
