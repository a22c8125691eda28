// Fuzzing token exchange (RFC 8693): requests built from choices along each dimension of an
// exchange (client, subject token and its type, actor token and its type, requested type,
// scope, resource and audience, repeated parameters), each choice valid or not, plus byte
// damage to the body. The model says whether the exchange is valid; the server must issue a
// token exactly then, never answer a 5xx, and any token it issues must be narrower than or
// equal to what the subject token and the client allow.
import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeBasicCredentials, KeySet, MemoryTokenStore, tokenKey, webCrypto } from "../../mod.ts";
import { authServer, fakeClock } from "./fixtures.ts";
import {
  ACCESS_TOKEN,
  AGENT,
  AGENT_CLIENT,
  CI,
  CLIENTS,
  DB,
  DEPLOY,
  formBody,
  ISSUER,
  JWT,
  JWT_CI,
  NO_EXCHANGE,
  OUTSIDER,
  SECRET,
  TOKEN_EXCHANGE,
  TOOLS,
} from "../exchange_helpers.ts";
import { testKey } from "../rs_helpers.ts";
import type { FuzzFigures, FuzzProperty } from "./fuzz_properties.ts";

/** A choice along one dimension: what to send, and whether it keeps the exchange valid. */
interface Choice<T> {
  value: T;
  valid: boolean;
}
const ok = <T>(value: T): Choice<T> => ({ value, valid: true });
const bad = <T>(value: T): Choice<T> => ({ value, valid: false });

type TokenName = "ci" | "ciJwt" | "revoked" | "agentOwn" | "strangerOwn" | "tamperedOpaque" | "tamperedJwt" | "garbage";

interface World {
  fetch: (request: Request) => Promise<Response>;
  store: MemoryTokenStore;
  tokens: Record<TokenName, string>;
  /** The expiry of each live subject token. */
  exp: Map<string, number>;
}

async function world(): Promise<World> {
  // The suite's one fake clock, at its usual start (2026-11-25 12:00 UTC); it never moves here.
  const clock = fakeClock().now;
  const store = new MemoryTokenStore({ clock });
  const server = authServer({
    issuer: ISSUER,
    clients: CLIENTS,
    tokenStore: store,
    clock,
    signingKeys: new KeySet({ active: await testKey("ES256") }),
    bruteForce: false,
    // The policy refuses one audience, so that its refusals are fuzzed too.
    tokenExchangePolicy: (r) => !r.resource.includes(TOOLS),
  }).server;
  const post = (client: string, body: Record<string, string>) =>
    server.fetch(
      new Request(`${ISSUER}${body.token === undefined ? "/token" : "/revoke"}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${encodeBasicCredentials(client, SECRET)}` },
        body: formBody(body),
      }),
    );
  const exp = new Map<string, number>();
  const token = async (client: string, resource: string) => {
    const res = await post(client, { grant_type: "client_credentials", resource });
    const body = await res.json() as { access_token: string; expires_in: number };
    assert.equal(res.status, 200);
    exp.set(body.access_token, Math.floor(clock() / 1000) + body.expires_in);
    return body.access_token;
  };
  const flip = (t: string) => t.slice(0, -3) + (t.at(-3) === "A" ? "B" : "A") + t.slice(-2);
  const ci = await token(CI.client_id, AGENT);
  const ciJwt = await token(JWT_CI.client_id, AGENT);
  const revoked = await token(CI.client_id, AGENT);
  assert.equal((await post(CI.client_id, { token: revoked })).status, 200);
  const tokens: Record<TokenName, string> = {
    ci,
    ciJwt,
    revoked,
    agentOwn: await token(AGENT_CLIENT.client_id, DEPLOY),
    strangerOwn: await token(NO_EXCHANGE.client_id, DEPLOY),
    tamperedOpaque: flip(ci),
    tamperedJwt: flip(ciJwt),
    garbage: "eyJhbGciOiJub25lIn0.e30.",
  };
  return { fetch: server.fetch, store, tokens, exp };
}

/**
 * Each dimension has valid choices and invalid ones. A request starts valid and deviates in
 * a few dimensions (none in about a third of cases), so that valid exchanges, and requests
 * one step from valid, are common rather than rare.
 */
const DIMENSIONS = {
  client: [
    [ok({ id: AGENT_CLIENT.client_id, secret: SECRET })],
    [
      bad({ id: AGENT_CLIENT.client_id, secret: SECRET + "x" }),
      bad({ id: OUTSIDER.client_id, secret: SECRET }),
      bad({ id: NO_EXCHANGE.client_id, secret: SECRET }),
      bad({ id: "nobody", secret: SECRET }),
    ],
  ],
  // The subject token and its type, together: a JWT type is valid only for a JWT.
  subject: [
    [ok({ token: "ci", type: ACCESS_TOKEN }), ok({ token: "ciJwt", type: ACCESS_TOKEN }), ok({ token: "ciJwt", type: JWT })],
    [
      bad({ token: "ci", type: JWT }),
      bad({ token: "ci" }),
      bad({ type: ACCESS_TOKEN }),
      bad({ token: "empty", type: ACCESS_TOKEN }),
      bad({ token: "ci", type: "urn:ietf:params:oauth:token-type:id_token" }),
      bad({ token: "ci", type: "urn:example:what" }),
      bad({ token: "revoked", type: ACCESS_TOKEN }),
      // Issued to a client no fuzzed caller may present it for.
      bad({ token: "strangerOwn", type: ACCESS_TOKEN }),
      bad({ token: "tamperedOpaque", type: ACCESS_TOKEN }),
      bad({ token: "tamperedJwt", type: JWT }),
      bad({ token: "garbage", type: JWT }),
    ],
  ],
  actor: [
    [ok({}), ok({ token: "agentOwn", type: ACCESS_TOKEN })],
    [
      bad({ token: "agentOwn" }),
      bad({ type: ACCESS_TOKEN }),
      bad({ token: "ci", type: ACCESS_TOKEN }),
      bad({ token: "revoked", type: ACCESS_TOKEN }),
      bad({ token: "agentOwn", type: "urn:example:what" }),
      bad({ token: "tamperedOpaque", type: ACCESS_TOKEN }),
    ],
  ],
  requested: [
    [ok(undefined), ok(ACCESS_TOKEN)],
    [bad(JWT), bad("urn:ietf:params:oauth:token-type:refresh_token"), bad("nonsense")],
  ],
  // The subject tokens carry "deploy read logs"; the agent may get "deploy read write".
  scope: [
    [ok(undefined), ok("read"), ok("deploy read"), ok("read read")],
    [bad("logs"), bad("write"), bad("admin"), bad("read  deploy"), bad("re\"ad")],
  ],
  target: [
    [ok({}), ok({ resource: [DEPLOY] }), ok({ audience: [DEPLOY] }), ok({ resource: [DEPLOY], audience: [DEPLOY] })],
    [
      // Allowed for the agent, but the policy refuses it.
      bad({ resource: [TOOLS] }),
      bad({ resource: [DB] }),
      bad({ resource: [AGENT] }),
      bad({ audience: ["deploy-api"] }),
      bad({ resource: [DEPLOY], audience: [TOOLS] }),
      bad({ resource: ["/deploy"] }),
    ],
  ],
  repeat: [
    [ok(undefined), ok("foo")],
    [bad("subject_token"), bad("subject_token_type"), bad("grant_type"), bad("requested_token_type_twice")],
  ],
} as const;

type Dimension = keyof typeof DIMENSIONS;
const NAMES = Object.keys(DIMENSIONS) as Dimension[];

const deviations = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Dimension[]>([]) },
  { weight: 4, arbitrary: fc.subarray(NAMES, { minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.subarray(NAMES, { minLength: 2, maxLength: 3 }) },
);

const pick = <T>(dimension: Dimension, deviate: readonly Dimension[]): fc.Arbitrary<T> =>
  fc.constantFrom(...(DIMENSIONS[dimension][deviate.includes(dimension) ? 1 : 0] as unknown as T[]));

/** Byte damage to the body, in one case out of six. */
const damageArb = fc.oneof(
  { weight: 5, arbitrary: fc.constant(null) },
  {
    weight: 1,
    arbitrary: fc.record({ at: fc.nat(), bytes: fc.constantFrom([0xff], [0x25], [0x26], [0x3d], [0x25, 0x7a], [0x2b], [0x00]), truncate: fc.boolean() }),
  },
);

const requestArb = deviations.chain((deviate) =>
  fc.record({
    client: pick<Choice<{ id: string; secret: string }>>("client", deviate),
    subject: pick<Choice<{ token?: TokenName | "empty"; type?: string }>>("subject", deviate),
    actor: pick<Choice<{ token?: TokenName; type?: string }>>("actor", deviate),
    requested: pick<Choice<string | undefined>>("requested", deviate),
    scope: pick<Choice<string | undefined>>("scope", deviate),
    target: pick<Choice<Record<string, readonly string[]>>>("target", deviate),
    repeat: pick<Choice<string | undefined>>("repeat", deviate),
    damage: damageArb,
  })
);

async function checkAnswer(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  assert.ok(res.status < 500, `a ${res.status}: ${text}`);
  assert.ok([200, 400, 401].includes(res.status), `unexpected status ${res.status}: ${text}`);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  assert.equal(res.headers.get("cache-control"), "no-store");
  const body = JSON.parse(text) as Record<string, unknown>;
  if (res.status !== 200) {
    assert.equal(typeof body.error, "string");
    assert.ok(!("access_token" in body));
  }
  return body;
}

const exchangeFuzz: FuzzProperty = {
  name: "token exchange: generated and damaged exchange requests (a token iff the exchange is valid)",
  async run(numRuns, seed): Promise<FuzzFigures> {
    const w = await world();
    const statuses: Record<string, number> = {};
    let damaged = 0;
    let validCases = 0;
    await fc.assert(
      fc.asyncProperty(requestArb, async (g) => {
        const pairs: Array<[string, string]> = [["grant_type", TOKEN_EXCHANGE]];
        const subject = g.subject.value.token === undefined ? undefined : g.subject.value.token === "empty" ? "" : w.tokens[g.subject.value.token];
        if (subject !== undefined) pairs.push(["subject_token", subject]);
        if (g.subject.value.type !== undefined) pairs.push(["subject_token_type", g.subject.value.type]);
        if (g.actor.value.token !== undefined) pairs.push(["actor_token", w.tokens[g.actor.value.token]]);
        if (g.actor.value.type !== undefined) pairs.push(["actor_token_type", g.actor.value.type]);
        if (g.requested.value !== undefined) pairs.push(["requested_token_type", g.requested.value]);
        if (g.scope.value !== undefined) pairs.push(["scope", g.scope.value]);
        for (const [name, values] of Object.entries(g.target.value)) for (const v of values) pairs.push([name, v]);
        const repeat = g.repeat.value;
        if (repeat === "requested_token_type_twice") {
          pairs.push(["requested_token_type", ACCESS_TOKEN], ["requested_token_type", ACCESS_TOKEN]);
        } else if (repeat !== undefined) {
          const again = pairs.find(([k]) => k === repeat);
          // Repeating a parameter that was not sent is no repeat: the case proves nothing.
          if (again === undefined && repeat !== "foo") return;
          pairs.push([repeat, again?.[1] ?? "x"]);
        }
        let body = new TextEncoder().encode(new URLSearchParams(pairs).toString());
        if (g.damage !== null) {
          damaged++;
          const at = g.damage.at % (body.length + 1);
          body = g.damage.truncate ? body.slice(0, at) : new Uint8Array([...body.slice(0, at), ...g.damage.bytes, ...body.slice(at)]);
        }
        const res = await w.fetch(
          new Request(`${ISSUER}/token`, {
            method: "POST",
            headers: {
              "content-type": "application/x-www-form-urlencoded",
              authorization: `Basic ${encodeBasicCredentials(g.client.value.id, g.client.value.secret)}`,
            },
            body,
          }),
        );
        const answer = await checkAnswer(res);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        const valid = [g.client, g.subject, g.actor, g.requested, g.scope, g.target, g.repeat].every((c) => c.valid);
        if (valid && g.damage === null) validCases++;
        if (g.damage === null) {
          assert.equal(res.status === 200, valid, `expected ${valid ? "a token" : "a refusal"}, got ${res.status} ${JSON.stringify(answer)} for ${JSON.stringify(g)}`);
        }
        if (res.status !== 200) return;
        // Whatever was sent, a token is never wider than the exchange allows.
        const record = await w.store.find(await tokenKey(answer.access_token as string, webCrypto));
        assert.ok(record, "an issued token is in the store");
        assert.equal(record.client_id, AGENT_CLIENT.client_id);
        assert.ok(record.sub === CI.client_id || record.sub === JWT_CI.client_id, `sub ${record.sub}`);
        assert.deepEqual(record.act, { sub: AGENT_CLIENT.client_id });
        for (const s of record.scope.split(" ")) assert.ok(["deploy", "read"].includes(s), `scope ${record.scope}`);
        assert.equal(record.aud, DEPLOY);
        assert.equal(answer.issued_token_type, ACCESS_TOKEN);
        const subjectExp = w.exp.get(record.sub === CI.client_id ? w.tokens.ci : w.tokens.ciJwt)!;
        assert.ok(record.exp <= subjectExp, "the token outlives its subject token");
      }),
      { numRuns, seed },
    );
    assert.ok(validCases > numRuns / 10, `only ${validCases} valid exchanges in ${numRuns} cases`);
    return { cases: numRuns, statuses, notes: `${validCases} valid exchanges, ${damaged} bodies damaged` };
  },
};

export const EXCHANGE_PROPERTIES: readonly FuzzProperty[] = [exchangeFuzz];
