// Load: many clients asking one server for tokens at once, in-process or over loopback HTTP
// (srvx: node:http on Node, Deno.serve on Deno, Bun.serve on Bun). Shared by
// tests/load.test.ts (10,000 requests) and tests/scripts/load.ts (larger runs, heap figures).
import assert from "node:assert/strict";
import { Agent, request as httpRequest } from "node:http";
import { serve, type ServerRequest } from "srvx";
import {
  type ClientRegistration,
  encodeBasicCredentials,
  generateClientSecret,
  hashClientSecret,
  MemoryAttemptStore,
  MemoryTokenStore,
  type TokenEndpointOptions,
  tokenKey,
  webCrypto,
} from "../../mod.ts";
import { fakeClock, type FakeClock, type TestServer, testServer } from "./fixtures.ts";

export interface LoadSetup {
  options: TokenEndpointOptions;
  /** The token endpoint (`handleTokenRequest` with `options`). */
  fetch: TestServer["fetch"];
  store: MemoryTokenStore;
  attempts: MemoryAttemptStore;
  clock: FakeClock;
  credentials: Array<{ id: string; secret: string }>;
}

export async function loadSetup(clientCount: number, issuer = "https://as.example.com"): Promise<LoadSetup> {
  const clock = fakeClock();
  const credentials: Array<{ id: string; secret: string }> = [];
  const clients: ClientRegistration[] = [];
  for (let i = 0; i < clientCount; i++) {
    const secret = generateClientSecret();
    const id = `svc-${i}`;
    credentials.push({ id, secret });
    clients.push({ client_id: id, client_secret_hash: await hashClientSecret(secret), grant_types: ["client_credentials"], scope: "read write" });
  }
  const store = new MemoryTokenStore({ clock: clock.now });
  const attempts = new MemoryAttemptStore({ clock: clock.now });
  const { options, fetch } = testServer({
    issuer,
    tokenStore: store,
    clock: clock.now,
    requireHttps: false,
    // srvx gives every request the peer address as `ip`, on every runtime.
    callerKey: (r) => (r as ServerRequest).ip ?? r.headers.get("x-test-peer") ?? undefined,
    bruteForce: { store: attempts },
  }, clients);
  return { options, fetch, store, attempts, clock, credentials };
}

export interface LoadResult {
  requests: number;
  ms: number;
  /** token -> client it was issued to */
  tokens: Map<string, string>;
  failures: string[];
}

/** Sends one token request (Basic credentials, form body) and reads the answer. */
export type Send = (authorization: string, peer: string, body: string) => Promise<{ status: number; json: string }>;

/**
 * `requests` token requests from every client at once (each client sends its share one after
 * another), through `send`.
 */
export async function runLoad(setup: LoadSetup, requests: number, send: Send): Promise<LoadResult> {
  const tokens = new Map<string, string>();
  const failures: string[] = [];
  const perClient = Math.ceil(requests / setup.credentials.length);
  let sent = 0;
  const started = performance.now();
  await Promise.all(setup.credentials.map(async ({ id, secret }, n) => {
    const authorization = `Basic ${encodeBasicCredentials(id, secret)}`;
    for (let i = 0; i < perClient && sent < requests; i++) {
      sent++;
      const { status, json } = await send(authorization, `10.1.0.${n}`, "grant_type=client_credentials&scope=read");
      const body = JSON.parse(json) as { access_token?: string };
      if (status !== 200 || body.access_token === undefined) failures.push(`${status} ${json}`);
      else if (tokens.has(body.access_token)) failures.push("a token issued twice");
      else tokens.set(body.access_token, id);
    }
  }));
  return { requests: sent, ms: performance.now() - started, tokens, failures };
}

/** Every issued token is in the store, under its key, for the client it was issued to. */
export async function checkAllStored(setup: LoadSetup, result: LoadResult): Promise<void> {
  for (const [token, client_id] of result.tokens) {
    const record = await setup.store.find(await tokenKey(token, webCrypto));
    assert.ok(record, "an issued token is missing from the store");
    assert.equal(record.client_id, client_id);
    assert.equal(record.scope, "read");
  }
}

/** The handler in-process. */
export function inProcess(setup: LoadSetup): Send {
  return async (authorization, peer, body) => {
    const res = await setup.fetch(
      new Request("https://as.example.com/token", {
        method: "POST",
        headers: { authorization, "content-type": "application/x-www-form-urlencoded", "x-test-peer": peer },
        body,
      }),
    );
    return { status: res.status, json: await res.text() };
  };
}

/**
 * The handler behind srvx on 127.0.0.1, and a node:http keep-alive client for it (on Node it
 * is several times cheaper than fetch, so the figures are the server's, not the client's).
 * The peer address the server sees is srvx's `request.ip`: 127.0.0.1 for every client.
 */
export async function overLoopback(setup: LoadSetup): Promise<{ url: string; send: Send; close(): Promise<void> }> {
  const server = serve({
    hostname: "127.0.0.1",
    port: 0,
    silent: true,
    fetch: (request) => setup.fetch(request),
  });
  await server.ready();
  const url = new URL("/token", server.url!).href;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const send: Send = (authorization, _peer, body) =>
    new Promise((resolve, reject) => {
      const req = httpRequest(url, {
        method: "POST",
        headers: { authorization, "content-type": "application/x-www-form-urlencoded", "content-length": String(body.length) },
        agent,
      }, (res) => {
        let json = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (json += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, json }));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });
  return {
    url,
    send,
    close: async () => {
      agent.destroy();
      await server.close(true);
    },
  };
}
