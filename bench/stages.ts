// What one token request costs, stage by stage, on the runtime this runs on (mitata): the
// fetch objects every fetch-style handler pays for, and each step of the library's path.
// Prints one JSON line: { stage: nanoseconds per call (median) }.
import { measure } from "mitata";
import { webCrypto } from "../src/crypto/provider.ts";
import { readForm } from "../src/http/form.ts";
import { jsonResponse } from "../src/http/response.ts";
import { authenticateClient } from "../src/client_auth/authenticate.ts";
import { resolveServerConfig } from "../src/config/server_config.ts";
import { issueAccessToken } from "../src/tokens/access_token.ts";
import { tokenKey } from "../src/tokens/opaque.ts";
import { sha256 } from "../src/crypto/sha256.ts";
import { runtime } from "./contenders/index.ts";
import { libraryFetch } from "./contenders/library.ts";
import { floorFetch } from "./contenders/floor.ts";
import { BODY, tokenRequest } from "./fixture.ts";

const { options, fetch } = libraryFetch();
const ctx = resolveServerConfig(options);
const form = await readForm(tokenRequest(), ctx.form);
const { client } = await authenticateClient(tokenRequest(), form, ctx);
const secret = new TextEncoder().encode("q7Vb2nR5tWmZ7cL1pD9sF4hG6aQeUiOyTrEwXkJ0Y3M");
const prebuilt = tokenRequest();

const stages: Array<[string, () => unknown]> = [
  ["new Request (POST, 2 headers, string body)", () => tokenRequest()],
  ["Request + text()", () => tokenRequest().text()],
  ["Request + body.getReader() read loop", async () => {
    const r = tokenRequest().body!.getReader();
    while (!(await r.read()).done);
  }],
  ["new Response(json) + text()", () => new Response('{"a":1}', { headers: { "content-type": "application/json" } }).text()],
  ["headers.get x1", () => prebuilt.headers.get("authorization")],
  ["setTimeout + clearTimeout", () => clearTimeout(setTimeout(() => {}, 10_000))],
  ["Promise.race of 2", () => Promise.race([Promise.resolve(1), new Promise(() => {})])],
  ["readForm (library)", () => readForm(tokenRequest(), ctx.form)],
  ["authenticateClient (library, Basic, SHA-256)", () => authenticateClient(prebuilt, form, ctx)],
  ["sha256 of a 43-byte secret", () => sha256(secret)],
  ["randomBytes(32)", () => webCrypto.randomBytes(32)],
  ["tokenKey (SHA-256 + base64url)", () => tokenKey("q7Vb2nR5tWmZ7cL1pD9sF4hG6aQeUiOyTrEwXkJ0Y3M", webCrypto)],
  ["issueAccessToken (library, incl. store.save)", () => issueAccessToken({ client, scope: "read", resource: [] }, ctx)],
  ["jsonResponse + text() (library)", () => jsonResponse(200, { access_token: "x", token_type: "Bearer", expires_in: 600, scope: "read" }).text()],
  ["whole request: floor", async () => (await floorFetch(tokenRequest())).text()],
  ["whole request: library", async () => (await fetch(tokenRequest())).text()],
];

const out: Record<string, number> = {};
for (const [name, fn] of stages) {
  const quick = (globalThis as { process?: { argv: string[] } }).process?.argv.includes("--quick");
  const stats = await measure(fn as () => Promise<unknown>, { min_cpu_time: quick ? 20e6 : 300e6 } as never);
  out[name] = stats.p50;
}
console.log(JSON.stringify({ kind: "stages", runtime, body: BODY, nsPerCall: out }));
