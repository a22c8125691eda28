// Shared helpers for the test suite: a server with known clients, request builders, and
// assertions on RFC 6749 s5.2 error responses.
import assert from "node:assert/strict";
import {
  type AuthorizationServer,
  type ClientRegistration,
  createAuthorizationServer,
  encodeBasicCredentials,
  generateClientSecret,
  handleTokenRequest,
  MemoryTokenStore,
  type ServerOptions,
  type TokenEndpointOptions,
  tokenKey,
  type TokenRecord,
  webCrypto,
} from "../mod.ts";

export const ISSUER = "https://as.example.com";
export const TOKEN_URL = `${ISSUER}/token`;

/** A generated-looking secret (form-safe, long enough for a fast hash). */
export const SECRET = "kq3v8Jx0Yb2nR5tWmZ7cL1pD9sF4hG6aQeUiOyTrEwX";

export const BASIC_CLIENT: ClientRegistration = {
  client_id: "basic-client",
  client_secret: SECRET,
  grant_types: ["client_credentials"],
  scope: "read write admin",
  default_scope: "read",
};

export const POST_CLIENT: ClientRegistration = {
  client_id: "post-client",
  client_secret: SECRET,
  token_endpoint_auth_method: "client_secret_post",
  grant_types: ["client_credentials"],
  scope: "read",
};

/** The one fake clock of the suite (the public `createFakeClock`; `advance` takes seconds). */
export { fakeClock } from "./support/fixtures.ts";

export interface TestServer {
  options: TokenEndpointOptions;
  store: MemoryTokenStore;
  fetch(request: Request): Promise<Response>;
}

export function testServer(overrides: Partial<TokenEndpointOptions> = {}, clients?: ClientRegistration[]): TestServer {
  const store = overrides.tokenStore instanceof MemoryTokenStore
    ? overrides.tokenStore
    : new MemoryTokenStore({ clock: overrides.clock });
  const options: TokenEndpointOptions = {
    issuer: ISSUER,
    clients: clients ?? [BASIC_CLIENT, POST_CLIENT],
    tokenStore: store,
    ...overrides,
  };
  return { options, store, fetch: (request) => handleTokenRequest(request, options) };
}

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

// The whole server (createAuthorizationServer): introspection, revocation, metadata.

export const INTROSPECT_URL = `${ISSUER}/introspect`;
export const REVOKE_URL = `${ISSUER}/revoke`;
export const METADATA_URL = `${ISSUER}/.well-known/oauth-authorization-server`;
export const API = "https://api.example.com";

/** A client registered as the resource server `API` (it gets no tokens itself). */
export const RS_CLIENT: ClientRegistration = {
  client_id: "rs-client",
  client_secret: SECRET,
  resource_server: API,
};

export interface TestAuthServer {
  options: ServerOptions;
  store: MemoryTokenStore;
  server: AuthorizationServer;
  fetch(request: Request): Promise<Response>;
}

/** A server with BASIC_CLIENT, POST_CLIENT and RS_CLIENT (unless `clients` is given). */
export function authServer(overrides: Partial<ServerOptions> = {}, clients?: ClientRegistration[]): TestAuthServer {
  const store = overrides.tokenStore instanceof MemoryTokenStore
    ? overrides.tokenStore
    : new MemoryTokenStore({ clock: overrides.clock });
  const options: ServerOptions = {
    issuer: ISSUER,
    clients: clients ?? [BASIC_CLIENT, POST_CLIENT, RS_CLIENT],
    tokenStore: store,
    ...overrides,
  };
  const server = createAuthorizationServer(options);
  return { options, store, server, fetch: server.fetch };
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
