// One endpoint skeleton (src/http/endpoint.ts) for token, introspection and revocation, and
// one "store unavailable" mapping (src/stores/store_unavailable.ts). The answers themselves
// are pinned byte for byte by recorded_requests.test.ts and recorded_server_requests.test.ts.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { OAuthError, type ServerEvent, StoreFullError } from "../mod.ts";
import { introspectionEndpoint } from "../src/introspection.ts";
import { revocationEndpoint } from "../src/revocation.ts";
import { resolveServerConfig } from "../src/config/server_config.ts";
import { storeFailure, storeUnavailable } from "../src/stores/store_unavailable.ts";
import { tokenEndpoint } from "../src/token_endpoint.ts";
import { BASIC_CLIENT, formPost, INTROSPECT_URL, ISSUER, POST_CLIENT, REVOKE_URL, SECRET, TOKEN_URL } from "./helpers.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const code = (file: string) =>
  readFileSync(`${root}${file}`, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");

function config(events: ServerEvent[] = []) {
  return resolveServerConfig({ issuer: ISSUER, clients: [BASIC_CLIENT, POST_CLIENT], onEvent: (e) => void events.push(e) });
}

const ENDPOINTS = [
  ["token", TOKEN_URL, tokenEndpoint],
  ["introspection", INTROSPECT_URL, introspectionEndpoint],
  ["revocation", REVOKE_URL, revocationEndpoint],
] as const;

describe("the endpoint skeleton", () => {
  for (const [name, url, handle] of ENDPOINTS) {
    test(`${name}: GET -> 405 invalid_request with Allow: POST, no-store, and a refusal event`, async () => {
      const events: ServerEvent[] = [];
      const res = await handle(new Request(url), config(events));
      assert.equal(res.status, 405);
      assert.equal(res.headers.get("allow"), "POST");
      assert.equal(res.headers.get("cache-control"), "no-store");
      assert.deepEqual(await res.json(), { error: "invalid_request", error_description: `the ${name} endpoint accepts POST only` });
      assert.equal(events.length, 1);
      assert.equal((events[0] as { status?: number }).status, 405);
      assert.equal((events[0] as { error?: string }).error, "invalid_request");
      assert.equal((events[0] as { client_id?: string }).client_id, undefined);
    });

    test(`${name}: plain http -> 400 invalid_request before the form is read`, async () => {
      const res = await handle(formPost(url.replace("https:", "http:"), { token: "x", grant_type: "client_credentials" }), config());
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: string }).error, "invalid_request");
    });

    test(`${name}: a refusal after authentication names the client in its event`, async () => {
      const events: ServerEvent[] = [];
      // No token (introspection, revocation) or no grant_type (token): invalid_request.
      const res = await handle(formPost(url, {}, [BASIC_CLIENT.client_id, SECRET]), config(events));
      assert.equal(res.status, 400);
      const refused = events.find((e) => (e as { error?: string }).error !== undefined) as { client_id?: string; status: number };
      assert.equal(refused.client_id, BASIC_CLIENT.client_id);
      assert.equal(refused.status, 400);
    });
  }

  test("the three endpoints run the shared steps only through the skeleton", () => {
    for (const file of ["src/token_endpoint.ts", "src/introspection.ts", "src/revocation.ts"]) {
      const text = code(file);
      assert.match(text, /= endpoint\(\{/, file);
      for (const step of ["readForm(", "authenticateClient(", "requireTls(", "refuseQueryCredentials(", "errorResponse("]) {
        assert.ok(!text.slice(0, text.indexOf("export function handleTokenRequest")).includes(step), `${file} calls ${step}`);
      }
    }
  });
});

describe("one store-unavailable mapping", () => {
  test("a full store with a known delay -> 503 temporarily_unavailable with Retry-After", () => {
    const full = new StoreFullError("full", 7);
    const e = storeFailure(full, "the server cannot record more tokens now");
    assert.ok(e instanceof OAuthError);
    assert.equal(e.status, 503);
    assert.deepEqual(e.headers, { "retry-after": "7" });
    assert.deepEqual(e.toJSON(), { error: "temporarily_unavailable", error_description: "the server cannot record more tokens now" });
    assert.equal(e.cause, full);
  });

  test("a full store with no delay -> 503 without Retry-After", () => {
    const e = storeFailure(new StoreFullError("full"), "x") as OAuthError;
    assert.equal(e.status, 503);
    assert.equal(e.headers, undefined);
  });

  test("any other store failure is returned unchanged (a fault: 500 server_error)", () => {
    const fault = new Error("connection reset");
    assert.equal(storeFailure(fault, "x"), fault);
  });

  test("storeUnavailable: 503 with the given delay", () => {
    const e = storeUnavailable("the server could not complete the request in time");
    assert.equal(e.status, 503);
    assert.equal(e.error, "temporarily_unavailable");
    assert.equal(e.headers, undefined);
  });

  test("no module but the mapping builds a 503 temporarily_unavailable itself", () => {
    const offenders: string[] = [];
    for (const f of readdirSync(`${root}src`, { recursive: true }) as string[]) {
      const file = `src/${String(f).replaceAll("\\", "/")}`;
      if (!file.endsWith(".ts") || file === "src/stores/store_unavailable.ts") continue;
      const text = code(file);
      if (/instanceof StoreFullError[\s\S]{0,400}new OAuthError\("temporarily_unavailable"/.test(text)) offenders.push(file);
      if (/new OAuthError\("temporarily_unavailable"[^)]*status: 503/s.test(text)) offenders.push(file);
    }
    assert.deepEqual(offenders, []);
  });
});
