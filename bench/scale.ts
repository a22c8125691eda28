// Cost per request as the deployment grows: 10 registered clients and an empty store, against
// 100k registered clients and 1M live tokens. Requests rotate over every client. The floor is
// measured in the same process for the ratio. Prints one JSON line.
// Usage: scale.ts --clients=10 --tokens=0 [--ms=400] [--rounds=5]
import process from "node:process";
import { type ClientRegistration, handleTokenRequest, MemoryTokenStore, type TokenEndpointOptions } from "../mod.ts";
import { clientStoreFromArray } from "../src/clients/client_store.ts";
import { sha256 } from "../src/crypto/sha256.ts";
import { encodeBase64Url } from "../src/encoding/base64.ts";
import { clientCredentialsGrant } from "../src/grants/client_credentials.ts";
import { parseForm } from "../src/http/form.ts";
import { resolveServerConfig } from "../src/config/server_config.ts";
import { issueAccessToken } from "../src/tokens/access_token.ts";
import { runtime } from "./contenders/index.ts";
import { floorFetch } from "./contenders/floor.ts";
import { BODY, CONTENT_TYPE, ORIGIN, TOKEN_URL, tokenRequest } from "./fixture.ts";
import { median, opsPerSecond } from "./lib/harness.ts";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("="))) as Record<string, string>;
const CLIENTS = Number(args.clients ?? 10);
const TOKENS = Number(args.tokens ?? 0);
const MS = Number(args.ms ?? 400);
const ROUNDS = Number(args.rounds ?? 5);
const encoder = new TextEncoder();

const registrations: ClientRegistration[] = [];
const authorizations: string[] = [];
for (let i = 0; i < CLIENTS; i++) {
  const client_id = `client-${i}`;
  const secret = `secret-${i}-${"x".repeat(40)}`;
  registrations.push({
    client_id,
    client_secret_hash: `$sha256$${encodeBase64Url(sha256(encoder.encode(secret)))}`,
    grant_types: ["client_credentials"],
    scope: "read",
  });
  authorizations.push(`Basic ${btoa(`${client_id}:${secret}`)}`);
}
const store = new MemoryTokenStore({ maxEntries: TOKENS + 1_000_000 });
const options: TokenEndpointOptions = { issuer: ORIGIN, clients: clientStoreFromArray(registrations), tokenStore: store };

// Live tokens, issued by the library's own issuing code for clients in turn.
const started = performance.now();
const ctx = resolveServerConfig(options);
for (let i = 0; i < TOKENS; i++) {
  const client = (await ctx.findClient(registrations[i % CLIENTS]!.client_id))!;
  await issueAccessToken(clientCredentialsGrant(parseForm(BODY), client, ctx.resources), ctx);
}
const fillSeconds = (performance.now() - started) / 1000;

let next = 0;
const length = String(encoder.encode(BODY).length);
async function libraryOp(): Promise<void> {
  const authorization = authorizations[next++ % CLIENTS]!;
  const res = await handleTokenRequest(
    new Request(TOKEN_URL, {
      method: "POST",
      headers: { "content-type": CONTENT_TYPE, "content-length": length, authorization },
      body: BODY,
    }),
    options,
  );
  await res.text();
  if (res.status !== 200) throw new Error(`status ${res.status}`);
}
async function floorOp(): Promise<void> {
  const res = await floorFetch(tokenRequest());
  await res.text();
}

// Every client once (its registration is prepared on first use), then interleaved samples.
for (let i = 0; i < CLIENTS; i++) await libraryOp();
await opsPerSecond(libraryOp, MS);
await opsPerSecond(floorOp, MS);
const library: number[] = [];
const floor: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  library.push(await opsPerSecond(libraryOp, MS));
  floor.push(await opsPerSecond(floorOp, MS));
}
console.log(JSON.stringify({
  kind: "scale",
  runtime,
  clients: CLIENTS,
  liveTokens: TOKENS,
  storeSize: store.size,
  fillSeconds,
  heapMB: process.memoryUsage().heapUsed / 2 ** 20,
  library: median(library),
  floor: median(floor),
}));
