// Availability under attack (issue 17; SECURITY.md "Availability"): each attack of the
// issue at reduced scale (small store bounds), with the legitimate client served throughout.
// 1. a flood of made-up client_ids cannot fill the attempt store (with and without callerKey);
// 2. junk assertions do not lock out a private_key_jwt client or a resource server's
//    introspection client;
// 3. one client cannot take every slot of the token store;
// 4. the resource server records no DPoP proof before the token checks out;
// 5. client_ids no store can hold are unknown clients (the same answer), never a 5xx.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  type ClientRegistration,
  ConfigurationError,
  encodeBasicCredentials,
  MemoryAttemptStore,
  MemoryReplayStore,
  MemoryTokenStore,
  type ReplayStore,
  type ServerOptions,
  StoreFullError,
} from "../mod.ts";
import { type ResourceServerOptions, verifyAccessToken } from "../src/resource_server/mod.ts";
import { MAX_CLIENT_ID_BYTES } from "../src/clients/client_id.ts";
import { resolveServerConfig } from "../src/config/server_config.ts";
import { assertOAuthError, assertToken, formPost, tokenRequest } from "./helpers.ts";
import {
  authServer,
  BASIC_CLIENT,
  fakeClock,
  INTROSPECT_URL,
  ISSUER,
  POST_CLIENT,
  REVOKE_URL,
  RS_CLIENT,
  SECRET,
  testServer,
} from "./support/fixtures.ts";
import { assertionRequest, claims, ES256_KEY, IMPOSTOR_KEY, PK_CLIENT, rawJws, signAssertion } from "./assertion_helpers.ts";
import { ath, dpopKey, proof } from "./dpop_helpers.ts";
import { API, JWT_CLIENT, jwtServer, testKey } from "./rs_helpers.ts";

const peerKey = (r: Request) => r.headers.get("x-test-peer") ?? undefined;
/** BASIC_CLIENT with tokens for API, so that API's introspection client may see them. */
const OWNER: ClientRegistration = { ...BASIC_CLIENT, allowed_resources: [API], default_resource: API };

/** A whole server (token, introspection, revocation) on a fake clock with a small attempt store. */
function server(
  overrides: Partial<ServerOptions> = {},
  clients: ClientRegistration[] = [OWNER, POST_CLIENT, RS_CLIENT],
  limits: { maxAttemptsPerClient?: number } = {},
) {
  const clock = fakeClock();
  const attempts = new MemoryAttemptStore({ maxEntries: 50, clock: clock.now });
  const { server: s } = authServer({
    clock: clock.now,
    tokenStore: new MemoryTokenStore({ clock: clock.now }),
    bruteForce: { store: attempts, ...limits },
    ...overrides,
  }, clients);
  const at = (request: Request, peer?: string) => {
    if (peer !== undefined) request.headers.set("x-test-peer", peer);
    return s.fetch(request);
  };
  return { clock, attempts, at, fetch: s.fetch };
}

/** The legitimate side: a token, its introspection by the resource server, its revocation. All must succeed. */
async function servedThroughout(at: (r: Request, peer?: string) => Promise<Response>, peer?: string, rsPeer = peer): Promise<void> {
  const token = (await assertToken(await at(tokenRequest({ basic: [BASIC_CLIENT.client_id, SECRET] }), peer))).access_token as string;
  const introspected = await at(formPost(INTROSPECT_URL, { token }, [RS_CLIENT.client_id, SECRET]), rsPeer);
  assert.equal(introspected.status, 200);
  assert.equal(((await introspected.json()) as { active: boolean }).active, true);
  const revoked = await at(formPost(REVOKE_URL, { token }, [BASIC_CLIENT.client_id, SECRET]), peer);
  assert.equal(revoked.status, 200, await revoked.text());
}

describe("1. flooding the attempt store with made-up client_ids", () => {
  test("no callerKey: 1,000 failures with made-up ids (20 times the store's bound); every client is served throughout", async () => {
    const { at, attempts } = server();
    for (let i = 0; i < 1000; i++) {
      await assertOAuthError(await at(tokenRequest({ basic: [`made-up-${i}`, "guess"] })), 401, "invalid_client");
      if (i % 100 === 99) await servedThroughout(at);
    }
    assert.ok(attempts.size <= 100, `${attempts.size} counters held: the made-up ids' bound holds`);
  });

  test("with callerKey: 1,000 made-up ids from 50 addresses; new and known callers are served throughout", async () => {
    const { at } = server({ callerKey: peerKey });
    await servedThroughout(at, "10.0.0.1"); // a caller known for both clients
    for (let i = 0; i < 1000; i++) {
      const res = await at(tokenRequest({ basic: [`made-up-${i}`, "guess"] }), `6.6.6.${i % 50}`);
      assert.equal(res.status, 401, await res.text());
      if (i % 100 === 99) {
        await servedThroughout(at, `10.1.0.${i}`); // a caller new to every client
        await servedThroughout(at, "10.0.0.1");
      }
    }
  });

  test("made-up ids are still locked out exactly like real ones: after 10 failures, the same 429 for both", async () => {
    const { at } = server({ callerKey: peerKey });
    for (let i = 0; i < 10; i++) {
      const known = await at(tokenRequest({ basic: [BASIC_CLIENT.client_id, "guess"] }), "6.6.6.6");
      const unknown = await at(tokenRequest({ basic: ["made-up", "guess"] }), "6.6.6.6");
      assert.deepEqual([unknown.status, await unknown.text()], [known.status, await known.text()]);
    }
    const known = await at(tokenRequest({ basic: [BASIC_CLIENT.client_id, SECRET] }), "6.6.6.6");
    const unknown = await at(tokenRequest({ basic: ["made-up", SECRET] }), "6.6.6.6");
    assert.equal(known.status, 429);
    assert.deepEqual([unknown.status, [...unknown.headers], await unknown.text()], [known.status, [...known.headers], await known.text()]);
  });

  test("a store full of real clients' counters: the uncountable failure is the same 503 for a made-up id and a real one", async () => {
    const { at } = server({ callerKey: peerKey }, [OWNER, POST_CLIENT, RS_CLIENT, ...Array.from({ length: 30 }, (_, i) => ({ ...BASIC_CLIENT, client_id: `real-${i}` }))]);
    // Guesses at real clients from many addresses: their counters are kept and fill the bound.
    let full: Response | undefined;
    for (let i = 0; i < 30 && full === undefined; i++) {
      const res = await at(tokenRequest({ basic: [`real-${i}`, "guess"] }), `6.6.6.${i}`);
      if (res.status !== 401) full = res;
    }
    assert.ok(full, "the store filled up");
    const real = await at(tokenRequest({ basic: ["real-29", "guess"] }), "6.6.7.1");
    const madeUp = await at(tokenRequest({ basic: ["made-up", "guess"] }), "6.6.7.2");
    assert.equal(real.status, 503);
    assert.deepEqual([madeUp.status, await madeUp.text()], [real.status, await real.text()]);
    // Clients whose failures were not refused carry on, new callers included.
    await servedThroughout(at, "10.0.0.9");
  });

  test("the memory store: forgettable counters have a bound of their own, oldest forgotten first; a real client's counter is kept", () => {
    const clock = fakeClock();
    const store = new MemoryAttemptStore({ maxEntries: 3, clock: clock.now });
    store.increment(["real"], 60);
    for (let i = 0; i < 100; i++) store.increment([`made-up-${i}`], 60, { forgettable: true });
    assert.equal(store.get(["real"])[0]?.count, 1);
    assert.deepEqual(store.get(["made-up-0", "made-up-99"]).map((c) => c?.count), [undefined, 1]);
    // Counted for a real client, a forgettable counter is kept from then on, with its count and window.
    store.increment(["made-up-98"], 60, { forgettable: true });
    store.increment(["made-up-98"], 60);
    for (let i = 0; i < 10; i++) store.increment([`later-${i}`], 60, { forgettable: true });
    assert.equal(store.get(["made-up-98"])[0]?.count, 3);
    // A forgettable increment is refused exactly when a real one would be.
    store.increment(["real-2"], 60);
    assert.throws(() => store.increment(["real-3"], 60), StoreFullError);
    assert.throws(() => store.increment(["made-up-new"], 60, { forgettable: true }), StoreFullError);
    clock.advance(60);
    store.increment(["made-up-new"], 60, { forgettable: true });
  });
});

describe("2. junk assertions cannot lock out a private_key_jwt client", () => {
  const RS_PK: ClientRegistration = {
    client_id: "rs-signer",
    token_endpoint_auth_method: "private_key_jwt",
    jwks: { keys: [ES256_KEY.publicJwk] },
    resource_server: API,
  };

  function junk(id: string, now: number): Promise<string>[] {
    return [
      rawJws({ alg: "none" }, claims(id, now)).then((j) => `${j}AAAA`), // unsigned
      signAssertion(ES256_KEY, claims(id, now, { exp: Math.floor(now / 1000) - 3600, iat: Math.floor(now / 1000) - 3700 })), // expired
      signAssertion(ES256_KEY, claims(id, now, { aud: "https://elsewhere.example" })), // another audience
      signAssertion(ES256_KEY, claims(id, now, { jti: undefined })), // no jti
      signAssertion(ES256_KEY, claims(id, now), { typ: "at+jwt" }), // an access token's type
      rawJws({ alg: "ES256" }, { iss: id, sub: "someone-else" }), // iss and sub differ
      Promise.resolve(`${btoa(JSON.stringify({ alg: "ES256" }))}.not-json.AAAA`), // malformed
    ];
  }

  test("no callerKey: 700 junk assertions at the token endpoint; the client's valid assertions are served throughout", async () => {
    const { at, clock } = server({}, [PK_CLIENT]);
    for (let round = 0; round < 100; round++) {
      for (const j of junk(PK_CLIENT.client_id, clock.now())) {
        await assertOAuthError(await at(assertionRequest(await j)), 400, "invalid_client");
      }
      if (round % 10 === 9) await assertToken(await at(assertionRequest(await signAssertion(ES256_KEY, claims(PK_CLIENT.client_id, clock.now())))));
    }
  });

  test("no callerKey: junk against a resource server's introspection client; valid tokens keep introspecting active", async () => {
    const { at, clock, fetch } = server({}, [OWNER, RS_PK]);
    const token = (await assertToken(await at(tokenRequest({ basic: [OWNER.client_id, SECRET] })))).access_token as string;
    const introspect = async (t: string) => {
      const res = await fetch(assertionRequest(await signAssertion(ES256_KEY, claims(RS_PK.client_id, clock.now())), { token: t }, INTROSPECT_URL));
      return res.json();
    };
    const rs: ResourceServerOptions = { resource: API, issuer: ISSUER, introspect, clock: clock.now };
    for (let round = 0; round < 100; round++) {
      for (const j of junk(RS_PK.client_id, clock.now())) {
        await assertOAuthError(await at(assertionRequest(await j, { token }, INTROSPECT_URL)), 401, "invalid_client");
      }
      if (round % 10 === 9) {
        const verdict = await verifyAccessToken(new Request(`${API}/x`, { headers: { authorization: `Bearer ${token}` } }), rs);
        assert.ok(verdict.ok, "a valid token is accepted at the resource server");
      }
    }
  });

  test("a replayed assertion is refused but not counted; a forged signature is counted (it could be a guess)", async () => {
    const { at, clock } = server({}, [PK_CLIENT], { maxAttemptsPerClient: 5 });
    const once = await signAssertion(ES256_KEY, claims(PK_CLIENT.client_id, clock.now()));
    await assertToken(await at(assertionRequest(once)));
    for (let i = 0; i < 20; i++) await assertOAuthError(await at(assertionRequest(once)), 400, "invalid_client");
    await assertToken(await at(assertionRequest(await signAssertion(ES256_KEY, claims(PK_CLIENT.client_id, clock.now())))));
    for (let i = 0; i < 5; i++) {
      await assertOAuthError(await at(assertionRequest(await signAssertion(IMPOSTOR_KEY, claims(PK_CLIENT.client_id, clock.now())))), 400, "invalid_client");
    }
    const locked = await at(assertionRequest(await signAssertion(ES256_KEY, claims(PK_CLIENT.client_id, clock.now()))));
    await assertOAuthError(locked, 429, "temporarily_unavailable");
  });
});

describe("3. one client cannot take every slot of the token store", () => {
  test("a client issuing as fast as it can gets 503 at its quota (a tenth of the store); the others are served", async () => {
    const clock = fakeClock();
    const store = new MemoryTokenStore({ maxEntries: 100, clock: clock.now });
    const others: ClientRegistration[] = Array.from({ length: 9 }, (_, i) => ({ ...BASIC_CLIENT, client_id: `other-${i}` }));
    const { fetch } = testServer({ clock: clock.now, tokenStore: store, accessTokenLifetime: 600 }, [BASIC_CLIENT, ...others]);
    const greedy = () => fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, SECRET] }));
    for (let i = 0; i < 10; i++) await assertToken(await greedy());
    for (let i = 0; i < 200; i++) {
      const res = await greedy();
      assert.equal(res.headers.get("retry-after"), "600");
      await assertOAuthError(res, 503, "temporarily_unavailable");
      if (i % 20 === 0) {
        for (const o of others) await assertToken(await fetch(tokenRequest({ basic: [o.client_id, SECRET] })));
      }
    }
    assert.equal(store.size, 100, "the store is full, one tenth of it the greedy client's");
    clock.advance(600);
    await assertToken(await greedy());
  });

  test("the default token store's quota is 100,000 of its 1,000,000 slots", async () => {
    const ctx = resolveServerConfig({ issuer: ISSUER, clients: [BASIC_CLIENT] });
    const store = ctx.tokenStore as MemoryTokenStore;
    assert.ok(store instanceof MemoryTokenStore);
    const exp = 2 ** 31;
    for (let i = 0; i < 100_000; i++) await store.save(`k${i}`, { client_id: "greedy", scope: "", iat: 0, exp });
    await assert.rejects(store.save("one-more", { client_id: "greedy", scope: "", iat: 0, exp }), StoreFullError);
    await store.save("another-client", { client_id: "other", scope: "", iat: 0, exp });
  });
});

describe("4. the resource server records a DPoP proof only once its token checks out", () => {
  async function setup() {
    const clock = fakeClock();
    const as = await jwtServer(await testKey("ES256"), { clock: clock.now, accessTokenFormat: "opaque" });
    const remembered = new MemoryReplayStore({ clock: clock.now });
    let writes = 0;
    const replayStore: ReplayStore = { remember: (k, e) => (writes++, remembered.remember(k, e)) };
    const options: ResourceServerOptions = { resource: API, tokenStore: as.store, clock: clock.now, dpop: true, replayStore };
    const call = async (token: string, key = undefined as Awaited<ReturnType<typeof dpopKey>> | undefined, p?: string) => {
      const k = key ?? await dpopKey("ES256");
      const dpop = p ?? await proof(k, clock.now(), { htm: "GET", htu: `${API}/invoices`, ath: await ath(token) });
      return { dpop, verdict: await verifyAccessToken(new Request(`${API}/invoices`, { headers: { authorization: `DPoP ${token}`, dpop } }), options) };
    };
    return { clock, as, call, writes: () => writes };
  }

  test("made-up tokens with valid proofs of the caller's own key: refused, and no replay record written", async () => {
    const { call, writes } = await setup();
    for (let i = 0; i < 200; i++) {
      const { verdict } = await call(`made-up-${i}`);
      assert.equal(verdict.ok, false);
      assert.equal(verdict.response.status, 401);
    }
    assert.equal(writes(), 0);
  });

  test("a real token bound to another key: refused, no record; the bound key's proof is recorded once and a replay refused", async () => {
    const { as, clock, call, writes } = await setup();
    const key = await dpopKey("ES256");
    const issued = await as.fetch(new Request(`${ISSUER}/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${encodeBasicCredentials(JWT_CLIENT.client_id, SECRET)}`,
        dpop: await proof(key, clock.now()),
      },
      body: "grant_type=client_credentials",
    }));
    const token = ((await issued.json()) as { access_token: string }).access_token;
    const other = await call(token, await dpopKey("ES256", "b"));
    assert.equal(other.verdict.ok, false);
    assert.equal(writes(), 0);
    const first = await call(token, key);
    assert.ok(first.verdict.ok);
    assert.equal(writes(), 1);
    const replay = await call(token, key, first.dpop);
    assert.equal(replay.verdict.ok, false);
  });
});

describe("5. client_ids no store can hold are unknown clients", () => {
  const hostile = ["basic-client\u0000", "x".repeat(MAX_CLIENT_ID_BYTES + 1), "é".repeat(MAX_CLIENT_ID_BYTES / 2 + 1), "x".repeat(3000)];

  test("through Basic, the body and an assertion's iss/sub: the same invalid_client as an unknown id, and no store is asked", async () => {
    const asked: string[] = [];
    const registrations = new Map([BASIC_CLIENT, POST_CLIENT, PK_CLIENT].map((c) => [c.client_id, c]));
    const { fetch } = testServer({
      clients: { getClient: (id: string) => (asked.push(id), registrations.get(id)) },
      bruteForce: false as const,
      maxBodyBytes: 65_536, // room for an assertion naming a 3,000-character id twice
    });
    const answer = async (res: Response) => [res.status, [...res.headers], await res.text()];
    const now = Date.now();
    for (const id of hostile) {
      const viaBasic = await answer(await fetch(tokenRequest({ basic: [id, SECRET] })));
      assert.deepEqual(viaBasic, await answer(await fetch(tokenRequest({ basic: ["no-such-client", SECRET] }))));
      const post = (client_id: string) => tokenRequest({ body: { grant_type: "client_credentials", client_id, client_secret: SECRET } });
      const viaBody = await answer(await fetch(post(id)));
      assert.deepEqual(viaBody, await answer(await fetch(post("no-such-client"))));
      const signed = (client_id: string) => signAssertion(ES256_KEY, claims(client_id, now));
      const viaAssertion = await answer(await fetch(assertionRequest(await signed(id))));
      assert.deepEqual(viaAssertion, await answer(await fetch(assertionRequest(await signed("no-such-client")))));
      assert.equal(viaBasic[0], 401);
      assert.equal(viaBody[0], 400);
    }
    assert.deepEqual(new Set(asked), new Set(["no-such-client"]), "only the plain unknown id reached the client store");
  });

  test("a registration with such an id is refused at start-up; the longest id allowed (512 bytes of UTF-8) works", async () => {
    for (const client_id of [...hostile, "a\uD800b"]) {
      assert.throws(() => resolveServerConfig({ issuer: ISSUER, clients: [{ ...BASIC_CLIENT, client_id }] }), ConfigurationError);
    }
    for (const client_id of ["x".repeat(MAX_CLIENT_ID_BYTES), "é".repeat(MAX_CLIENT_ID_BYTES / 2), "😀".repeat(MAX_CLIENT_ID_BYTES / 4)]) {
      const { fetch } = testServer({}, [{ ...BASIC_CLIENT, client_id }]);
      await assertToken(await fetch(tokenRequest({ basic: [client_id, SECRET] })));
    }
  });
});
