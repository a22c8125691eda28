// `npm run availability`: the availability attacks of SECURITY.md ("Availability"), run at
// full scale against default options, in process (the figures are counts of requests; the
// rate an attacker needs is that count over the window it must fit in). Each attack prints
// what the attacker sent and what a legitimate client got meanwhile. A measurement, not a
// test: tests/availability.test.ts runs each attack at reduced scale with assertions.
//
// AVAILABILITY_SCALE (default 1) scales the attacks' volume; AVAILABILITY_ONLY runs one
// attack by number (1-6). The engine part (attack 5) starts redis-server and PostgreSQL on
// loopback when they are installed, and runs itself again under Deno for Deno KV.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  type AttemptStore,
  type ClientRegistration,
  createAuthorizationServer,
  encodeBasicCredentials,
  generateSigningKey,
  handleTokenRequest,
  hashClientSecret,
  MemoryReplayStore,
  MemoryTokenStore,
  type ReplayStore,
  type ServerOptions,
  type TokenEndpointOptions,
} from "../../mod.ts";
import { type DenoKvLike } from "../../src/stores/deno_kv/mod.ts";
import { verifyAccessToken } from "../../src/resource_server/mod.ts";
import { encodeBase64Url } from "../../src/encoding/base64.ts";

const SCALE = Number(process.env.AVAILABILITY_SCALE ?? 1);
const ONLY = process.env.AVAILABILITY_ONLY;
const isDeno = "Deno" in globalThis;
const ISSUER = "https://as.example.com";
const API = "https://api.example.com";
const SECRET = "kq3v8Jx0Yb2nR5tWmZ7cL1pD9sF4hG6aQeUiOyTrEwX";
const enc = new TextEncoder();
const b64json = (v: unknown) => encodeBase64Url(enc.encode(JSON.stringify(v)));
const fmt = (n: number) => Math.round(n).toLocaleString("en");

const CLIENTS: ClientRegistration[] = [
  { client_id: "billing", client_secret: SECRET, grant_types: ["client_credentials"], scope: "read" },
  { client_id: "other", client_secret: SECRET, grant_types: ["client_credentials"], scope: "read" },
  { client_id: "rs", client_secret: SECRET, resource_server: API },
];

function form(url: string, body: Record<string, string>, basic?: [string, string], peer?: string): Request {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (basic) headers.authorization = `Basic ${encodeBasicCredentials(...basic)}`;
  if (peer !== undefined) headers["x-peer"] = peer;
  return new Request(url, { method: "POST", headers, body: new URLSearchParams(body).toString() });
}
const tokenReq = (id: string, secret: string, peer?: string) => form(`${ISSUER}/token`, { grant_type: "client_credentials" }, [id, secret], peer);

async function statusOf(p: Promise<Response>): Promise<string> {
  const res = await p;
  const body = await res.text();
  const retry = res.headers.get("retry-after");
  const error = res.status === 200 ? "" : ` ${(JSON.parse(body) as { error?: string }).error}`;
  return `${res.status}${error}${retry === null ? "" : ` (Retry-After ${retry})`}`;
}

function header(n: number, title: string): boolean {
  if (ONLY !== undefined && ONLY !== String(n)) return false;
  console.log(`\n${n}. ${title}`);
  return true;
}

/** The legitimate side of attacks 1: a token, an introspection and a revocation, each with the right secret. */
async function legitimate(server: { fetch: (r: Request) => Promise<Response> }, peer?: string) {
  const issued = await server.fetch(tokenReq("billing", SECRET, peer));
  const token = issued.status === 200 ? ((await issued.json()) as { access_token: string }).access_token : "none";
  if (issued.status !== 200) await issued.body?.cancel();
  return {
    token: issued.status === 200 ? "200" : await statusOf(server.fetch(tokenReq("billing", SECRET, peer))),
    introspection: await statusOf(server.fetch(form(`${ISSUER}/introspect`, { token }, ["rs", SECRET], peer))),
    revocation: await statusOf(server.fetch(form(`${ISSUER}/revoke`, { token }, ["billing", SECRET], peer))),
  };
}

console.log(`availability: scale ${SCALE}, ${isDeno ? "Deno" : `Node ${process.versions.node}`}`);

if (!isDeno && header(1, "flooding the attempt store with made-up client_ids (default options)")) {
  for (const withCaller of [false, true]) {
    const options: ServerOptions = {
      issuer: ISSUER,
      clients: CLIENTS,
      ...(withCaller ? { callerKey: (r: Request) => r.headers.get("x-peer") ?? undefined } : {}),
    };
    const server = createAuthorizationServer(options);
    // With a caller key the legitimate caller is known (it authenticated before the attack).
    if (withCaller) await (await server.fetch(tokenReq("billing", SECRET, "10.0.0.1"))).body?.cancel();
    const limit = Math.round(300_000 * SCALE);
    const t0 = performance.now();
    let sent = 0;
    let refusedAt: number | undefined;
    let refusal = "";
    while (sent < limit) {
      // 100 failures per address (its own ceiling), each with a new made-up client_id.
      const peer = withCaller ? `6.${(sent / 100) >> 16 & 255}.${(sent / 100) >> 8 & 255}.${(sent / 100) & 255}` : undefined;
      await (await server.fetch(tokenReq(`made-up-${sent}`, "guess", peer))).body?.cancel();
      sent++;
      if (sent % 1000 === 0) {
        const status = await statusOf(server.fetch(tokenReq("billing", SECRET, withCaller ? `10.1.${sent >> 16 & 255}.${sent >> 8 & 255}` : undefined)));
        if (!status.startsWith("200")) {
          refusedAt = sent;
          refusal = status;
          break;
        }
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    console.log(`  ${withCaller ? "with callerKey, 100 failures per address" : "no callerKey"}: ${fmt(sent)} failures sent in ${seconds.toFixed(1)} s`);
    if (refusedAt === undefined) {
      console.log(`    the client with its right secret was served throughout (checked every 1,000 failures, from a new address each time)`);
    } else {
      console.log(`    after ${fmt(refusedAt)} failures the client with its right secret got ${refusal}` +
        ` (an attacker needs ${(refusedAt / 900).toFixed(0)} failures/s to hold it for the 15-minute window)`);
    }
    console.log(`    then, from a new address: ${JSON.stringify(await legitimate(server, withCaller ? "10.2.0.1" : undefined))}`);
    if (withCaller) console.log(`    then, from its usual (known) address: ${JSON.stringify(await legitimate(server, "10.0.0.1"))}`);
  }
}

if (!isDeno && header(2, "junk assertions against a private_key_jwt client (no callerKey)")) {
  const key = await generateSigningKey("ES256", { kid: "k1" });
  const clients: ClientRegistration[] = [
    { client_id: "signer", token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [key.publicJwk!] }, grant_types: ["client_credentials"], scope: "read" },
    { client_id: "rs-signer", token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [key.publicJwk!] }, resource_server: API },
    { client_id: "billing", client_secret: SECRET, grant_types: ["client_credentials"], scope: "read", allowed_resources: [API], default_resource: API },
  ];
  let server = createAuthorizationServer({ issuer: ISSUER, clients });
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (id: string, over: Record<string, unknown> = {}) => ({ iss: id, sub: id, aud: ISSUER, iat: now(), exp: now() + 60, jti: crypto.randomUUID(), ...over });
  const signed = async (c: Record<string, unknown>) => {
    const input = `${b64json({ alg: "ES256", kid: "k1" })}.${b64json(c)}`;
    return `${input}.${encodeBase64Url(await key.signer.sign(enc.encode(input)))}`;
  };
  const assertion = (url: string, jwt: string, extra: Record<string, string> = {}) =>
    form(url, { client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: jwt, ...extra });
  const junk = [
    { name: "unsigned (alg none)", make: (id: string) => `${b64json({ alg: "none" })}.${b64json(claims(id))}.AAAA` },
    { name: "expired (claims only)", make: (id: string) => `${b64json({ alg: "ES256", kid: "k1" })}.${b64json(claims(id, { exp: now() - 3600, iat: now() - 3700 }))}.AAAA` },
    { name: "wrong audience", make: (id: string) => `${b64json({ alg: "ES256", kid: "k1" })}.${b64json(claims(id, { aud: "https://elsewhere.example" }))}.AAAA` },
  ];
  for (const kind of junk) {
    for (const target of ["signer", "rs-signer"]) {
      const url = target === "signer" ? `${ISSUER}/token` : `${ISSUER}/introspect`;
      const extra: Record<string, string> = target === "signer" ? { grant_type: "client_credentials" } : { token: "x" };
      let lockedAt: number | undefined;
      let status = "";
      for (let i = 1; i <= 1000; i++) {
        await (await server.fetch(assertion(url, kind.make(target), extra))).body?.cancel();
        if (i % 10 === 0) {
          status = await statusOf(server.fetch(assertion(url, await signed(claims(target)), extra)));
          if (!status.startsWith("200")) {
            lockedAt = i;
            break;
          }
        }
      }
      const who = target === "signer" ? "the client at the token endpoint" : "a resource server's introspection client";
      console.log(`  ${kind.name}, ${who}: ` + (lockedAt === undefined
        ? `1,000 sent, its valid assertions served throughout (${status})`
        : `locked out after ${lockedAt}: its valid assertion got ${status}`));
      if (target === "rs-signer" && lockedAt !== undefined) {
        // The resource server asks the authorization server about each token it is sent.
        const token = ((await (await server.fetch(tokenReq("billing", SECRET))).json()) as { access_token: string }).access_token;
        const rs = {
          resource: API,
          issuer: ISSUER,
          introspect: async (t: string) => (await server.fetch(assertion(`${ISSUER}/introspect`, await signed(claims("rs-signer")), { token: t }))).json(),
        };
        const verdict = await verifyAccessToken(new Request(`${API}/x`, { headers: { authorization: `Bearer ${token}` } }), rs);
        console.log(`    and a valid token at that resource server: ${verdict.ok ? "accepted" : `refused, ${verdict.response.status}`}`);
      }
      // A fresh server for the next case, so one lockout does not carry into the next.
      server = createAuthorizationServer({ issuer: ISSUER, clients });
    }
  }
}

if (!isDeno && header(3, "one client filling the token store (default in-memory store)")) {
  const store = new MemoryTokenStore();
  const options: TokenEndpointOptions = { issuer: ISSUER, clients: CLIENTS, tokenStore: store };
  const limit = Math.round(1_100_000 * SCALE);
  const t0 = performance.now();
  let issued = 0;
  let refused = 0;
  let firstRefusal = "";
  let otherDuring = "";
  let otherServed = 0;
  let otherRefused = 0;
  const inFlight = 64;
  let sent = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (sent < limit) {
      sent++;
      const res = await handleTokenRequest(tokenReq("billing", SECRET), options);
      await res.body?.cancel();
      if (res.status === 200) issued++;
      else {
        if (refused++ === 0) firstRefusal = `${res.status} (Retry-After ${res.headers.get("retry-after")}) after ${fmt(issued)} tokens, ${((performance.now() - t0) / 1000).toFixed(1)} s`;
      }
      if (sent % 10_000 === 0) {
        const other = await statusOf(handleTokenRequest(tokenReq("other", SECRET), options));
        if (other.startsWith("200")) otherServed++;
        else {
          otherRefused++;
          otherDuring ||= other;
        }
      }
    }
  }));
  console.log(`  ${fmt(sent)} token requests by one client in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${fmt(issued)} issued, ${fmt(refused)} refused` +
    (firstRefusal ? ` (first refusal: ${firstRefusal})` : ""));
  console.log(`  another client, every 10,000 requests: ${otherServed} served, ${otherRefused} refused${otherDuring ? ` (${otherDuring})` : ""}`);
  console.log(`  then another client: ${await statusOf(handleTokenRequest(tokenReq("other", SECRET), options))}; store holds ${fmt(store.size)} records`);
}

if (!isDeno && header(4, "anonymous DPoP proofs at a resource server")) {
  const remembered = new MemoryReplayStore();
  let writes = 0;
  const replayStore: ReplayStore = { remember: (k, e) => (writes++, remembered.remember(k, e)) };
  const rs = { resource: API, issuer: ISSUER, tokenStore: new MemoryTokenStore(), dpop: true, replayStore };
  const { privateKey, publicKey } = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const jwk = await crypto.subtle.exportKey("jwk", publicKey);
  const n = Math.round(10_000 * SCALE);
  let refused = 0;
  for (let i = 0; i < n; i++) {
    const token = `made-up-token-${i}`;
    const ath = encodeBase64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(token))));
    const input = `${b64json({ typ: "dpop+jwt", alg: "ES256", jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } })}.${
      b64json({ jti: crypto.randomUUID(), htm: "GET", htu: `${API}/x`, iat: Math.floor(Date.now() / 1000), ath })
    }`;
    const sig = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, privateKey, enc.encode(input)));
    const verdict = await verifyAccessToken(
      new Request(`${API}/x`, { headers: { authorization: `DPoP ${token}`, dpop: `${input}.${encodeBase64Url(sig)}` } }),
      rs,
    );
    if (!verdict.ok) refused++;
  }
  console.log(`  ${fmt(n)} requests with a made-up token and a valid proof by the caller's own key: ${fmt(refused)} refused, ${fmt(writes)} replay records written`);
}

// 5. client_ids a store cannot hold, through the whole token endpoint.
const hostile: Array<[string, string]> = [
  ["a NUL in the client_id", "billing\u0000x"],
  ["a client_id of 3,000 characters", "x".repeat(3000)],
  ["a client_id of 1,000 two-byte characters", "é".repeat(1000)],
];

async function probeStore(name: string, clients: TokenEndpointOptions["clients"], attempts?: AttemptStore) {
  const options: TokenEndpointOptions = { issuer: ISSUER, clients, ...(attempts ? { bruteForce: { store: attempts } } : {}) };
  for (const [what, id] of hostile) {
    const viaBasic = await statusOf(handleTokenRequest(tokenReq(id, SECRET), options));
    const viaBody = await statusOf(handleTokenRequest(
      form(`${ISSUER}/token`, { grant_type: "client_credentials", client_id: id, client_secret: SECRET }),
      options,
    ));
    console.log(`  ${name}, ${what}: Basic ${viaBasic}, body ${viaBody}`);
  }
}

if (isDeno && (ONLY === undefined || ONLY === "5")) {
  const m = await import("../../src/stores/deno_kv/mod.ts");
  const kv = await (globalThis as unknown as { Deno: { openKv(path?: string): Promise<DenoKvLike & { close(): void }> } }).Deno.openKv(":memory:");
  const clients = new m.DenoKvClientStore(kv);
  await clients.saveClient({ client_id: "billing", client_secret_hash: await hashClientSecret(SECRET), grant_types: ["client_credentials"] });
  await probeStore("Deno KV client and attempt stores", clients, new m.DenoKvAttemptStore(kv));
  kv.close();
} else if (header(5, "client_ids a store cannot hold (NUL, over-long), Basic and body")) {
  const m = { ...await import("../../src/stores/postgres/mod.ts"), ...await import("../../src/stores/redis/mod.ts") };
  const { serverSkip, startPostgres, startRedis } = await import("../servers.ts");
  if (!serverSkip("postgres")) {
    const pg = (await import("pg")).default;
    const db = await startPostgres();
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    pool.on("error", () => {});
    try {
      await m.migratePostgres(pool);
      const clients = new m.PostgresClientStore(pool);
      await clients.saveClient({ client_id: "billing", client_secret_hash: await hashClientSecret(SECRET), grant_types: ["client_credentials"] });
      await probeStore("PostgreSQL client and attempt stores", clients, new m.PostgresAttemptStore(pool));
    } finally {
      await pool.end();
      await db.stop();
    }
  }
  if (!serverSkip("redis")) {
    const { createClient } = await import("redis");
    const db = await startRedis();
    const redis = await createClient({ url: db.url }).connect();
    try {
      const clients = new m.RedisClientStore(redis);
      await clients.saveClient({ client_id: "billing", client_secret_hash: await hashClientSecret(SECRET), grant_types: ["client_credentials"] });
      await probeStore("Redis client and attempt stores", clients, new m.RedisAttemptStore(redis));
    } finally {
      await redis.close();
      await db.stop();
    }
  }
  const deno = fileURLToPath(new URL("../../node_modules/.bin/deno", import.meta.url));
  if (existsSync(deno)) {
    const run = spawnSync(deno, ["run", "-A", "--unstable-kv", fileURLToPath(import.meta.url)], {
      env: { ...process.env, AVAILABILITY_ONLY: "5" },
      encoding: "utf8",
    });
    process.stdout.write(run.stdout.split("\n").filter((l) => l.startsWith("  ")).map((l) => `${l}\n`).join(""));
    if (run.status !== 0) console.log(`  (Deno run failed: ${run.stderr.trim().split("\n").slice(-3).join(" / ")})`);
  }
}

if (!isDeno && header(6, "Vary: Origin with a CORS origin list")) {
  const signingKeys = new (await import("../../mod.ts")).KeySet({ active: await generateSigningKey("ES256") });
  const server = createAuthorizationServer({ issuer: ISSUER, clients: CLIENTS, signingKeys, cors: { origins: ["https://console.example.com"] } });
  for (const path of ["/.well-known/oauth-authorization-server", "/jwks"]) {
    const seen: string[] = [];
    for (const origin of ["https://console.example.com", "https://other.example", undefined]) {
      const res = await server.fetch(new Request(`${ISSUER}${path}`, { headers: origin === undefined ? {} : { origin } }));
      await res.body?.cancel();
      seen.push(`${origin ?? "no Origin"}: Vary ${res.headers.get("vary") ?? "absent"}, cache-control ${res.headers.get("cache-control")}`);
    }
    console.log(`  ${path}\n    ${seen.join("\n    ")}`);
  }
}
