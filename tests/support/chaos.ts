// Fault injection: a token store, a client store, an attempt store and a crypto provider
// whose faults can be switched per call, and a server built over them that checks its own
// invariants (no token that was not saved, no record of a token not handed out, no token for
// a wrong secret, only clean JSON errors). Used by tests/fault_injection.test.ts (a small
// seeded run) and tests/scripts/faults.ts (the long run).
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type AttemptStore,
  type ClientRegistration,
  type ClientStore,
  type CryptoProvider,
  encodeBasicCredentials,
  MemoryAttemptStore,
  MemoryTokenStore,
  StoreFullError,
  tokenKey,
  type TokenStore,
  webCrypto,
} from "../../mod.ts";
import { fakeClock, testServer } from "./fixtures.ts";

export const STORE_TIMEOUT_MS = 20;
/** A late store answers after its deadline has passed. */
export const LATE_MS = 35;

export const TOKEN_FAULTS = ["none", "throw", "reject", "hang", "late", "lostReply"] as const;
export const CLIENT_FAULTS = ["none", "throw", "reject", "hang", "late", "null", "number", "otherId", "badShape", "trap"] as const;
export const ATTEMPT_FAULTS = ["none", "throw", "reject", "hang", "malformed", "full"] as const;
export const RANDOM_FAULTS = ["none", "throw", "short", "notBytes"] as const;
export const DIGEST_FAULTS = ["none", "throw", "reject", "hang", "wrongLength"] as const;
export const COMPARE_FAULTS = ["none", "throw", "truthyString", "one"] as const;

export interface Faults {
  token: (typeof TOKEN_FAULTS)[number];
  client: (typeof CLIENT_FAULTS)[number];
  attempts: (typeof ATTEMPT_FAULTS)[number];
  random: (typeof RANDOM_FAULTS)[number];
  digest: (typeof DIGEST_FAULTS)[number];
  compare: (typeof COMPARE_FAULTS)[number];
}

export const HEALTHY: Faults = { token: "none", client: "none", attempts: "none", random: "none", digest: "none", compare: "none" };

export const SECRET = "Zk4r9Qm2Vx7Lp0Ns5Bt8Hc3Jd6Wf1Gy-Ua_Ee";
export const CLIENT: ClientRegistration = {
  client_id: "chaos-client",
  client_secret: SECRET,
  grant_types: ["client_credentials"],
  scope: "read",
};

const never = <T>() => new Promise<T>(() => {});

/** What the chaos server saw; the figures a run reports. */
export interface ChaosStats {
  requests: number;
  faultsInjected: number;
  tokensIssued: number;
  statuses: Record<number, number>;
}

export interface ChaosServer {
  /** Faults applied to the next calls; change at will. */
  faults: Faults;
  stats: ChaosStats;
  /** Sends a Basic request as `peer`, with the right secret or not, and checks the answer. */
  request(peer: string, rightSecret: boolean): Promise<Response>;
  /**
   * Clears every fault and gets a token as a new caller: at once, or after the Retry-After
   * a 503 asks for (a full attempt store serves only known callers until it has room).
   */
  recover(): Promise<void>;
  /** Waits for late store answers, then checks the store against the tokens handed out. */
  settle(): Promise<void>;
}

export function chaosServer(): ChaosServer {
  const faults: Faults = { ...HEALTHY };
  // The suite's one fake clock, at its usual start (2026-11-25 12:00 UTC).
  const fake = fakeClock();
  const clock = fake.now;
  const pendingLate = new Set<Promise<unknown>>();
  const later = <T>(f: () => T) => {
    const p = new Promise<T>((resolve, reject) => setTimeout(() => {
      try {
        resolve(f());
      } catch (e) {
        reject(e);
      }
    }, LATE_MS));
    pendingLate.add(p);
    p.catch(() => {}).finally(() => pendingLate.delete(p));
    return p;
  };
  const stats: ChaosStats = { requests: 0, faultsInjected: 0, tokensIssued: 0, statuses: {} };
  const inner = new MemoryTokenStore({ clock });
  const injected = () => void stats.faultsInjected++;

  const tokenStore: TokenStore = {
    save(key, record) {
      const f = faults.token;
      if (f !== "none") injected();
      if (f === "throw") throw new Error("token store down");
      if (f === "reject") return Promise.reject(new Error("token store down"));
      if (f === "hang") return never();
      if (f === "late") return later(() => void inner.save(key, record));
      if (f === "lostReply") return inner.save(key, record).then(() => Promise.reject(new Error("connection reset")));
      return inner.save(key, record);
    },
    find: (key) => inner.find(key),
    revoke: (key) => inner.revoke(key),
  };

  const clients: ClientStore = {
    getClient(id) {
      const f = faults.client;
      const found = id === CLIENT.client_id ? CLIENT : undefined;
      if (f !== "none") injected();
      switch (f) {
        case "throw":
          throw new Error("client store down");
        case "reject":
          return Promise.reject(new Error("client store down"));
        case "hang":
          return never();
        case "late":
          return later(() => found);
        case "null":
          return null as never;
        case "number":
          return 42 as never;
        case "otherId":
          return { ...CLIENT, client_id: "someone-else" };
        case "badShape":
          return { ...CLIENT, client_id: id, client_secret: 12345 as never, scope: ["read"] as never };
        case "trap":
          return new Proxy({}, { get: () => { throw new Error("trap"); } }) as never;
      }
      return found;
    },
  };

  const attemptsInner = new MemoryAttemptStore({ clock });
  const attempts: AttemptStore = {
    get(keys) {
      const f = faults.attempts;
      if (f !== "none" && f !== "full") injected();
      if (f === "throw") throw new Error("attempt store down");
      if (f === "reject") return Promise.reject(new Error("attempt store down"));
      if (f === "hang") return never();
      if (f === "malformed") return keys.map(() => ({ count: "many", resetAt: null })) as never;
      return attemptsInner.get(keys);
    },
    increment(keys, window) {
      const f = faults.attempts;
      if (f !== "none") injected();
      if (f === "throw") throw new Error("attempt store down");
      if (f === "reject") return Promise.reject(new Error("attempt store down"));
      if (f === "hang") return never();
      if (f === "full") throw new StoreFullError("attempt store full", 1);
      return attemptsInner.increment(keys, window);
    },
  };

  const crypto: CryptoProvider = {
    randomBytes(length) {
      const f = faults.random;
      if (f !== "none") injected();
      if (f === "throw") throw new Error("no entropy");
      if (f === "short") return webCrypto.randomBytes(length >> 1);
      if (f === "notBytes") return Array.from(webCrypto.randomBytes(length)) as never;
      return webCrypto.randomBytes(length);
    },
    digest(algorithm, data) {
      const f = faults.digest;
      if (f !== "none") injected();
      if (f === "throw") throw new Error("digest failed");
      if (f === "reject") return Promise.reject(new Error("digest failed"));
      if (f === "hang") return never();
      if (f === "wrongLength") return new Uint8Array(31);
      return webCrypto.digest(algorithm, data);
    },
    pbkdf2Sha256: (...args) => webCrypto.pbkdf2Sha256(...args),
    timingSafeEqual(a, b) {
      const f = faults.compare;
      if (f !== "none") injected();
      if (f === "throw") throw new Error("compare failed");
      if (f === "truthyString") return "false" as never;
      if (f === "one") return 1 as never;
      return webCrypto.timingSafeEqual(a, b);
    },
  };

  const { fetch } = testServer({
    issuer: "https://as.example.com",
    tokenStore,
    crypto,
    storeTimeoutMs: STORE_TIMEOUT_MS,
    clock,
    callerKey: (r) => r.headers.get("x-test-peer") ?? undefined,
    bruteForce: { store: attempts, maxAttemptsPerClient: 1_000_000, maxAttemptsPerCaller: 1_000_000 },
  }, clients);
  const issued = new Set<string>();

  async function request(peer: string, rightSecret: boolean): Promise<Response> {
    stats.requests++;
    const secret = rightSecret ? SECRET : SECRET.slice(0, -1) + "x";
    const res = await fetch(
      new Request("https://as.example.com/token", {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${encodeBasicCredentials(CLIENT.client_id, secret)}`,
          "x-test-peer": peer,
        },
        body: "grant_type=client_credentials",
      }),
    );
    stats.statuses[res.status] = (stats.statuses[res.status] ?? 0) + 1;
    const text = await res.clone().text();
    const body = JSON.parse(text) as Record<string, unknown>;
    assert.equal(res.headers.get("cache-control"), "no-store", text);
    assert.ok([200, 401, 429, 500, 503].includes(res.status), `status ${res.status}: ${text}`);
    if (res.status === 200) {
      assert.ok(rightSecret, "a token for a wrong secret");
      const token = body.access_token as string;
      assert.match(token, /^[A-Za-z0-9_-]{43}$/);
      assert.ok(!issued.has(token), "a token handed out twice");
      issued.add(token);
      stats.tokensIssued++;
      // Handed out only after the save resolved: it is in the store right now.
      assert.ok(await inner.find(await tokenKey(token, webCrypto)), "a token handed out but not saved");
    } else {
      assert.ok(!("access_token" in body));
      if (res.status >= 500) assert.ok(body.error === "server_error" || body.error === "temporarily_unavailable", text);
    }
    return res;
  }

  async function settle(): Promise<void> {
    while (pendingLate.size > 0) await Promise.allSettled([...pendingLate]);
    // A late save is revoked as soon as it lands; let that finish.
    await new Promise((r) => setTimeout(r, 5));
    for (const token of issued) {
      assert.ok(await inner.find(await tokenKey(token, webCrypto)), "an issued token was lost");
    }
    // Every record in the store belongs to a token that was handed out: no partial records.
    assert.equal(inner.size, issued.size, `${inner.size} records for ${issued.size} tokens handed out`);
  }

  async function recover(): Promise<void> {
    Object.assign(faults, HEALTHY);
    const peer = `recovery-${stats.requests}`;
    const first = await request(peer, true);
    if (first.status === 200) return;
    assert.equal(first.status, 503, "after the fault clears only a 503 with Retry-After may delay recovery");
    const wait = Number(first.headers.get("retry-after"));
    assert.ok(wait >= 1 && wait <= 2, `Retry-After ${wait}`);
    fake.advance(wait);
    assert.equal((await request(peer, true)).status, 200, "recovered after Retry-After");
  }

  return { faults, stats, request, recover, settle };
}

/** Figures of a randomized fault run. */
export interface ChaosFigures {
  runs: number;
  requests: number;
  faultsInjected: number;
  tokensIssued: number;
  statuses: Record<number, number>;
}

const faultArb = fc.record({
  token: fc.constantFrom(...TOKEN_FAULTS),
  client: fc.constantFrom(...CLIENT_FAULTS),
  attempts: fc.constantFrom(...ATTEMPT_FAULTS),
  random: fc.constantFrom(...RANDOM_FAULTS),
  digest: fc.constantFrom(...DIGEST_FAULTS),
  compare: fc.constantFrom(...COMPARE_FAULTS),
});
// Mostly healthy, so tokens are issued between faults.
const stepArb = fc.record({
  faults: fc.oneof({ weight: 3, arbitrary: fc.constant(HEALTHY) }, { weight: 2, arbitrary: faultArb }),
  burst: fc.array(fc.record({ peer: fc.integer({ min: 0, max: 5 }), right: fc.boolean() }), { minLength: 1, maxLength: 8 }),
});

/**
 * Random faults over concurrent traffic: each run is a fresh server, a few steps of (faults,
 * a burst of parallel requests), then recovery and the store check. Throws on the first
 * broken invariant (fast-check shrinks it to a minimal case).
 */
export async function chaosRuns(numRuns: number, seed: number): Promise<ChaosFigures> {
  const figures: ChaosFigures = { runs: numRuns, requests: 0, faultsInjected: 0, tokensIssued: 0, statuses: {} };
  await fc.assert(
    fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 6 }), async (steps) => {
      const server = chaosServer();
      for (const { faults, burst } of steps) {
        Object.assign(server.faults, faults);
        await Promise.all(burst.map(({ peer, right }) => server.request(`p${peer}`, right)));
      }
      await server.recover();
      await server.settle();
      figures.requests += server.stats.requests;
      figures.faultsInjected += server.stats.faultsInjected;
      figures.tokensIssued += server.stats.tokensIssued;
      for (const [k, v] of Object.entries(server.stats.statuses)) figures.statuses[Number(k)] = (figures.statuses[Number(k)] ?? 0) + v;
    }),
    { numRuns, seed },
  );
  return figures;
}
