// Shared helpers for the test suite: request builders and
// assertions on RFC 6749 s5.2 error responses.
import assert from "node:assert/strict";
import { encodeBasicCredentials, generateClientSecret, MemoryTokenStore, tokenKey, type TokenRecord, webCrypto } from "../mod.ts";
import { BASIC_CLIENT, SECRET, TOKEN_URL } from "./support/fixtures.ts";

// The servers, the fake clock and the shared constants live in the one fixture module.
export {
  API,
  authServer,
  BASIC_CLIENT,
  fakeClock,
  INTROSPECT_URL,
  ISSUER,
  METADATA_URL,
  POST_CLIENT,
  REVOKE_URL,
  RS_CLIENT,
  SECRET,
  type TestAuthServer,
  type TestServer,
  testServer,
  TOKEN_URL,
} from "./support/fixtures.ts";

export interface TokenRequestInit {
  body?: string | Record<string, string>;
  basic?: [string, string];
  headers?: Record<string, string>;
  method?: string;
  url?: string;
}

export function tokenRequest(init: TokenRequestInit = {}): Request {
  const headers = new Headers({ "content-type": "application/x-www-form-urlencoded", ...init.headers });
  if (init.basic) headers.set("authorization", `Basic ${encodeBasicCredentials(...init.basic)}`);
  const body = init.body === undefined
    ? "grant_type=client_credentials"
    : typeof init.body === "string"
    ? init.body
    : new URLSearchParams(init.body).toString();
  const method = init.method ?? "POST";
  return new Request(init.url ?? TOKEN_URL, {
    method,
    headers,
    body: method === "GET" || method === "HEAD" ? undefined : body,
  });
}

export function basicRequest(body: Record<string, string> = { grant_type: "client_credentials" }): Request {
  return tokenRequest({ basic: [BASIC_CLIENT.client_id, SECRET], body });
}

export function assertNoStore(res: Response): void {
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.equal(res.headers.get("pragma"), "no-cache");
}

export async function assertOAuthError(
  res: Response,
  status: number,
  error: string,
): Promise<Record<string, unknown>> {
  const text = await res.text();
  assert.equal(res.status, status, `status ${res.status} with body ${text}`);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  assertNoStore(res);
  const body = JSON.parse(text) as Record<string, unknown>;
  assert.equal(body.error, error, text);
  assert.ok(!("access_token" in body));
  if (typeof body.error_description === "string") {
    // RFC 6749 s5.2: %x20-21 / %x23-5B / %x5D-7E only.
    assert.match(body.error_description, /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/);
  }
  if (status === 401) assert.ok(res.headers.get("www-authenticate"), "every 401 carries a challenge");
  return body;
}

export async function assertToken(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assertNoStore(res);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  return JSON.parse(text) as Record<string, unknown>;
}

/** A form POST to `url`, with Basic credentials when given. */
export function formPost(url: string, body: Record<string, string>, basic?: [string, string]): Request {
  return tokenRequest({ url, body, basic });
}

/** Gets a token for `client` (Basic) through `fetch`. */
export async function issueToken(
  fetch: (request: Request) => Promise<Response>,
  basic: [string, string] = [BASIC_CLIENT.client_id, SECRET],
  scope?: string,
): Promise<string> {
  const body: Record<string, string> = { grant_type: "client_credentials" };
  if (scope !== undefined) body.scope = scope;
  const res = await fetch(formPost(TOKEN_URL, body, basic));
  const json = await assertToken(res);
  return json.access_token as string;
}

/** Stores a token record directly (for tokens with `aud`, `jti`, `cnf`, which issuing does not set yet). */
export async function plantToken(store: MemoryTokenStore, record: TokenRecord): Promise<string> {
  const token = generateClientSecret();
  await store.save(await tokenKey(token, webCrypto), record);
  return token;
}
