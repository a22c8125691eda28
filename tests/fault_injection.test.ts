// Fault injection: stores and a crypto provider that throw, reject, hang past the deadline,
// answer late, lose their reply, or return malformed values. The endpoint answers a clean
// JSON error, hands out no token that was not saved, leaves no record of a token it did not
// hand out, never issues a token for a wrong secret, and recovers when the fault clears.
// The long randomized run is `npm run faults` (tests/scripts/faults.ts).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  ATTEMPT_FAULTS,
  chaosRuns,
  chaosServer,
  CLIENT_FAULTS,
  COMPARE_FAULTS,
  DIGEST_FAULTS,
  type Faults,
  HEALTHY,
  RANDOM_FAULTS,
  TOKEN_FAULTS,
} from "./support/chaos.ts";
import {
  generateSigningKey,
  KeySet,
  MemoryReplayStore,
  MemoryTokenStore,
  OAuthError,
  type RevocationStore,
  type TokenStore,
} from "../mod.ts";
import { deadlineReplayStore } from "../src/stores/deadline.ts";
import { assertToken, formPost, tokenRequest } from "./helpers.ts";
import { authServer, BASIC_CLIENT, INTROSPECT_URL, REVOKE_URL, SECRET, testServer, TOKEN_URL } from "./support/fixtures.ts";

/** [component, fault, status with the right secret, status with a wrong secret] */
const EXPECTED: Array<[keyof Faults, string, number, number]> = [
  ["token", "throw", 500, 401],
  ["token", "reject", 500, 401],
  ["token", "hang", 503, 401],
  ["token", "late", 503, 401],
  ["token", "lostReply", 500, 401],
  ["client", "throw", 500, 500],
  ["client", "reject", 500, 500],
  ["client", "hang", 503, 503],
  ["client", "late", 503, 503],
  ["client", "null", 401, 401],
  ["client", "number", 401, 401],
  ["client", "otherId", 401, 401],
  ["client", "badShape", 500, 500],
  ["client", "trap", 500, 500],
  ["attempts", "throw", 500, 500],
  ["attempts", "reject", 500, 500],
  ["attempts", "hang", 503, 503],
  ["attempts", "malformed", 429, 429],
  ["attempts", "full", 200, 503],
  ["random", "throw", 500, 401],
  ["random", "short", 500, 401],
  ["random", "notBytes", 500, 401],
  ["digest", "throw", 500, 500],
  ["digest", "reject", 500, 500],
  ["digest", "hang", 503, 503],
  ["digest", "wrongLength", 500, 500],
  ["compare", "throw", 500, 500],
  ["compare", "truthyString", 401, 401],
  ["compare", "one", 401, 401],
];

describe("each fault alone", () => {
  test("every fault in the table has an expected answer", () => {
    const listed = new Set(EXPECTED.map(([c, f]) => `${c}:${f}`));
    const all = [
      ...TOKEN_FAULTS.map((f) => `token:${f}`),
      ...CLIENT_FAULTS.map((f) => `client:${f}`),
      ...ATTEMPT_FAULTS.map((f) => `attempts:${f}`),
      ...RANDOM_FAULTS.map((f) => `random:${f}`),
      ...DIGEST_FAULTS.map((f) => `digest:${f}`),
      ...COMPARE_FAULTS.map((f) => `compare:${f}`),
    ].filter((k) => !k.endsWith(":none"));
    assert.deepEqual(all.filter((k) => !listed.has(k)), []);
  });

  for (const [component, fault, right, wrong] of EXPECTED) {
    test(`${component} ${fault}: right secret -> ${right}, wrong secret -> ${wrong}, then recovery`, async () => {
      const server = chaosServer();
      await server.request("warm-up", true); // options resolved, client prepared
      (server.faults as unknown as Record<string, string>)[component] = fault;
      const peer = `${component}-${fault}`;
      assert.equal((await server.request(peer, true)).status, right);
      assert.equal((await server.request(`${peer}-w`, false)).status, wrong);
      await server.recover();
      await server.settle();
    });
  }
});

describe("random faults over concurrent traffic (seeded)", () => {
  test("no token lost, none unsaved, none for a wrong secret, only clean JSON errors, and recovery", async () => {
    const figures = await chaosRuns(40, 7);
    assert.ok(figures.faultsInjected > 100, `${figures.faultsInjected} faults injected`);
    assert.ok(figures.tokensIssued > 40, `${figures.tokensIssued} tokens`);
  });
});

describe("bug fixes", () => {
  test("a store whose save writes and then rejects leaves no record of the token it did not hand out", async () => {
    const inner = new MemoryTokenStore();
    const tokenStore: TokenStore = {
      save: (k, r) => inner.save(k, r).then(() => Promise.reject(new Error("reply lost"))),
      find: (k) => inner.find(k),
      revoke: (k) => inner.revoke(k),
    };
    const { fetch } = testServer({ tokenStore }, [BASIC_CLIENT]);
    const res = await fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, SECRET] }));
    assert.equal(res.status, 500);
    assert.equal(inner.size, 0);
  });

  test("a crypto provider whose comparison answers a truthy non-boolean authenticates no one", async () => {
    const { webCrypto } = await import("../mod.ts");
    const { fetch } = testServer({ crypto: { ...webCrypto, timingSafeEqual: () => "false" as unknown as boolean } }, [BASIC_CLIENT]);
    const res = await fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, "wrong"] }));
    assert.equal(res.status, 401);
  });

  test("a crypto provider returning too few random bytes does not weaken tokens: no token", async () => {
    const { webCrypto } = await import("../mod.ts");
    let short = false;
    const { fetch } = testServer({ crypto: { ...webCrypto, randomBytes: (n: number) => webCrypto.randomBytes(short ? 8 : n) } }, [BASIC_CLIENT]);
    await fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, SECRET] }));
    short = true;
    const res = await fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, SECRET] }));
    assert.equal(res.status, 500);
  });

  test("a client store that never answers is cut off at storeTimeoutMs with 503", async () => {
    const { fetch } = testServer({ clients: { getClient: () => new Promise<undefined>(() => {}) }, storeTimeoutMs: 25 });
    const started = Date.now();
    const res = await fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, SECRET] }));
    assert.equal(res.status, 503);
    assert.equal((await res.json() as { error: string }).error, "temporarily_unavailable");
    assert.ok(Date.now() - started < 2_000);
  });
});

describe("shared stores that hang are cut off at storeTimeoutMs", () => {
  test("a revocation store that never answers: introspecting and revoking a JWT answer 503, not a hung request", async () => {
    const hang = <T>() => new Promise<T>(() => {});
    let hanging = false;
    const revoked = new Set<string>();
    const revocationStore: RevocationStore = {
      revoke: (jti) => hanging ? hang() : (revoked.add(jti), Promise.resolve()),
      isRevoked: (jti) => hanging ? hang() : Promise.resolve(revoked.has(jti)),
    };
    const keys = new KeySet({ active: await generateSigningKey("ES256", { kid: "k1" }) });
    const client = { ...BASIC_CLIENT, access_token_format: "jwt" as const, allowed_resources: ["https://api.example.com"], default_resource: "https://api.example.com" };
    const as = authServer({ signingKeys: keys, revocationStore, storeTimeoutMs: 30 }, [client]);
    const owner: [string, string] = [client.client_id, SECRET];
    const token = (await assertToken(await as.fetch(formPost(TOKEN_URL, { grant_type: "client_credentials" }, owner))))
      .access_token as string;
    hanging = true;
    const started = Date.now();
    const introspection = await as.fetch(formPost(INTROSPECT_URL, { token }, owner));
    assert.equal(introspection.status, 503);
    assert.equal((await introspection.json() as { error: string }).error, "temporarily_unavailable");
    const revocation = await as.fetch(formPost(REVOKE_URL, { token }, owner));
    assert.equal(revocation.status, 503);
    assert.ok(Date.now() - started < 2_000, `${Date.now() - started} ms`);
    hanging = false;
    assert.equal((await as.fetch(formPost(REVOKE_URL, { token }, owner))).status, 200, "recovers");
    assert.deepEqual(await (await as.fetch(formPost(INTROSPECT_URL, { token }, owner))).json(), { active: false });
  });

  test("a replay store that never answers rejects with 503 temporarily_unavailable; a late first use stays recorded", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inner = new MemoryReplayStore();
    const slow = { remember: (key: string, exp: number) => gate.then(() => inner.remember(key, exp)) };
    const replay = deadlineReplayStore(slow, 20);
    const exp = Math.floor(Date.now() / 1000) + 60;
    await assert.rejects(replay.remember("jti", exp), (e) => e instanceof OAuthError && e.status === 503);
    release();
    await gate;
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(await inner.remember("jti", exp), false, "the late first use was kept: no replay window reopens");
  });
});
