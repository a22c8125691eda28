// What each piece of client authentication (client_secret_basic) costs in-process, per runtime:
// a tight loop per piece, interleaved rounds, medians of ns per call. Diagnostic only (issue 15:
// Bun spent more on authentication over HTTP than its in-process stage suggested).
// Usage: {bun,deno run -A,tsx} bench/diag/micro_auth.ts
import { libraryFetch } from "../contenders/library.ts";
import { resolveServerConfig } from "../../src/config/server_config.ts";
import { authenticateClient } from "../../src/client_auth/authenticate.ts";
import { decodeBasicCredentials } from "../../src/client_auth/basic.ts";
import { parseAuthorizationHeader } from "../../src/http/authorization.ts";
import { verifySecret } from "../../src/clients/secrets.ts";
import { sha256Text } from "../../src/crypto/sha256.ts";
import { parseForm } from "../../src/http/form.ts";
import { AUTHORIZATION, CLIENT_ID, CLIENT_SECRET } from "../fixture.ts";
import { micro } from "./micro.ts";

const ctx = resolveServerConfig(libraryFetch().options);
const ctxNoGuard = resolveServerConfig(libraryFetch({ bruteForce: false }).options);
const form = parseForm("grant_type=client_credentials&scope=read");
const request = new Request("https://as.example/token", { method: "POST", headers: { authorization: AUTHORIZATION, "content-type": "application/x-www-form-urlencoded" }, body: "x" });
const client = await ctx.findClient(CLIENT_ID);
const out = new Uint8Array(32);
const pieces: Record<string, () => unknown> = {
  "authenticateClient": () => authenticateClient(request, form, ctx, "token"),
  "authenticateClient, no guard": () => authenticateClient(request, form, ctxNoGuard, "token"),
  "headers.get(authorization)": () => request.headers.get("authorization"),
  "parseAuthorizationHeader": () => parseAuthorizationHeader(AUTHORIZATION),
  "decodeBasicCredentials": () => decodeBasicCredentials(AUTHORIZATION.slice(6)),
  "findClient": () => ctx.findClient(CLIENT_ID),
  "sha256Text(secret)": () => sha256Text(CLIENT_SECRET, out),
  "verifySecret": () => verifySecret(CLIENT_SECRET, client!.secrets, ctx.crypto),
  "guard begin+succeeded+end": () => {
    const a = ctx.bruteForce!.begin(CLIENT_ID, undefined) as { succeeded(): unknown; end(): void };
    a.succeeded();
    a.end();
  },
};
// The shared harness of bench/diag/micro.ts: each piece warmed, then interleaved rounds.
const ns = await micro(pieces, { batch: 100_000, rounds: 7 });
for (const [name, value] of Object.entries(ns)) console.log(`${name.padEnd(30)} ${String(value).padStart(6)} ns`);
