// Fuzzing client_ids that no store can hold (issue 17): NULs, ids past the 512-byte limit
// (ASCII and multi-byte), lone surrogates, control characters, next to real ids. Through the
// whole token endpoint (Basic header, body, assertion iss/sub) each is an unknown client,
// never a 5xx, and the guard counts it in the attempt store; asked directly, a client store
// answers unknown.
// Used by `npm run fuzz` (in-memory stores) and by the engine store tests (Redis,
// PostgreSQL, Deno KV on real servers).
import assert from "node:assert/strict";
import fc from "fast-check";
import { type AttemptStore, type ClientStore, encodeBasicCredentials } from "../../mod.ts";
import { clientIdProblem, MAX_CLIENT_ID_BYTES } from "../../src/clients/client_id.ts";
import { encodeBase64Url } from "../../src/encoding/base64.ts";
import { ISSUER, testServer } from "./fixtures.ts";

/** A client registered in the store under test, whose secret is `SECRET`. */
export const REAL_ID = "fuzz-real-client";
export const SECRET = "Qw3rTy8uIo0pAs2dFg4hJk6lZx9cVb1nM7-_Lp5";

const unit = fc.oneof(
  fc.constantFrom("a", "Z", "-", ":", " ", "%", "+", "é", "€", "😀", "\u0000", "\u0001", "\u007f", "\uFFFD", "\uFEFF"),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), // lone surrogates included
);

/** Ids that no store can hold, and odd ones that it can, next to the real one. */
export const hostileClientId: fc.Arbitrary<string> = fc.oneof(
  fc.nat({ max: REAL_ID.length }).map((at) => `${REAL_ID.slice(0, at)}\u0000${REAL_ID.slice(at)}`),
  fc.integer({ min: MAX_CLIENT_ID_BYTES - 2, max: 3000 }).map((n) => "x".repeat(n)),
  fc.integer({ min: MAX_CLIENT_ID_BYTES / 2 - 2, max: 1500 }).map((n) => "é".repeat(n)),
  fc.integer({ min: MAX_CLIENT_ID_BYTES / 4 - 2, max: 700 }).map((n) => "😀".repeat(n)),
  fc.array(unit, { minLength: 1, maxLength: 40 }).map((a) => a.join("")),
  fc.constantFrom(REAL_ID + "\uD800", "\uDC00" + REAL_ID, REAL_ID.toUpperCase(), REAL_ID + " "),
);

/** Whether the id can travel in a request at all (UTF-8 has no lone surrogates). */
const sendable = (id: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(id);

const b64json = (v: unknown) => encodeBase64Url(new TextEncoder().encode(JSON.stringify(v)));

function request(id: string, via: "basic" | "body" | "assertion"): Request {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  const body = new URLSearchParams({ grant_type: "client_credentials" });
  if (via === "basic") headers.authorization = `Basic ${encodeBasicCredentials(id, SECRET)}`;
  else if (via === "body") {
    body.set("client_id", id);
    body.set("client_secret", SECRET);
  } else {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: id, sub: id, aud: ISSUER, iat: now, exp: now + 60, jti: crypto.randomUUID() };
    body.set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    body.set("client_assertion", `${b64json({ alg: "ES256" })}.${b64json(claims)}.${"A".repeat(86)}`);
  }
  return new Request(`${ISSUER}/token`, { method: "POST", headers, body: body.toString() });
}

/**
 * Runs `numRuns` hostile ids against `clients` (which must hold `REAL_ID` with `SECRET`)
 * and, when given, `attempts` as the brute-force guard's store (which then counts each
 * failure under the guard's keys for that id): through the endpoint every answer is a JSON
 * 400/401 `invalid_client` (or the guard's 429), never a 5xx; the real client still gets a
 * token afterwards; asked directly, `clients` answers unknown for an id no store can hold.
 * Returns the statuses seen.
 */
export async function fuzzHostileClientIds(
  clients: ClientStore,
  attempts: AttemptStore | undefined,
  numRuns: number,
  seed: number,
): Promise<Record<string, number>> {
  const statuses: Record<string, number> = {};
  const { fetch: endpoint } = testServer({
    issuer: ISSUER,
    clients,
    maxBodyBytes: 65_536,
    // A caller per case, so the guard's ceilings never close the real client; its keys for
    // each hostile id still reach the store.
    callerKey: (r) => r.headers.get("x-peer") ?? undefined,
    bruteForce: attempts === undefined ? false : { store: attempts },
  });
  let n = 0;
  await fc.assert(
    fc.asyncProperty(hostileClientId, fc.constantFrom("basic", "body", "assertion"), async (id, via) => {
      if (clientIdProblem(id) !== undefined) {
        const found = await clients.getClient(id);
        assert.equal(found ?? undefined, undefined, `getClient of an id no store can hold answered ${JSON.stringify(found)}`);
      }
      if (!sendable(id)) return;
      const req = request(id, via);
      req.headers.set("x-peer", `10.9.${(n >> 8) & 255}.${n++ & 255}`);
      const res = await endpoint(req);
      const text = await res.text();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      assert.ok(res.status < 500, `${res.status} for ${JSON.stringify(id.slice(0, 40))} (${id.length} characters) via ${via}: ${text}`);
      const body = JSON.parse(text) as { error?: string };
      if (res.status === 429) assert.equal(body.error, "temporarily_unavailable");
      else {
        assert.equal(body.error, "invalid_client", `${res.status} ${text} via ${via}`);
        assert.equal(res.status, via === "basic" ? 401 : 400);
      }
    }),
    { numRuns, seed },
  );
  const res = await endpoint(request(REAL_ID, "basic"));
  assert.equal(res.status, 200, `the real client afterwards: ${res.status} ${await res.text()}`);
  return statuses;
}
