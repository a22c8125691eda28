// The suite's fixtures: the one place that builds a test server, on the public testing
// export (`m2m-oauth/testing`, src/testing/mod.ts) where it fits.
//
// - `fakeClock`: the one fake clock of every test, the public `createFakeClock` (milliseconds
//   out, `advance` in seconds), started at one fixed instant so that recorded times read the same.
// - `testServer`: the token endpoint on its own (`handleTokenRequest`).
// - `authServer`: the whole server (`createAuthorizationServer`): token, introspection,
//   revocation, metadata, JWKS.
// - `jwtServer`: the token endpoint issuing RFC 9068 JWTs, with its JWK Set at /jwks.
// - `routedFetch`: a fetch for client libraries, on the public `inProcessFetch`.
// Each server takes overrides (any option, spread last) and the registered clients. Built on
// them: `exchangeServer` (tests/exchange_helpers.ts), `chaosServer` (tests/support/chaos.ts),
// the fuzz and load fixtures, and per-file wrappers that only add options or requests.
// Left calling `createAuthorizationServer`/`handleTokenRequest` by hand, on purpose: tests of
// those calls themselves (start-up refusals, configuration errors, handleTokenRequest given
// the server's options), the recorded-answer tests (their options are the record), programs
// run in another process or bundle (tests/fixtures/), the packed-tarball quick start, and
// the measurement scripts in tests/scripts/.
//
// Why not `createTestAuthorizationServer` itself: it registers a client of its own with a
// generated secret and sets the issuer, keys, resources and token format, so a test built on
// it would send other requests and get other answers than the ones its assertions (and the
// recorded answers) were written for. The fixtures share its parts instead: the clock, and
// `inProcessFetch` where a library is handed a fetch.
import {
  type AuthorizationServer,
  type ClientRegistration,
  createAuthorizationServer,
  encodeBasicCredentials,
  type GeneratedSigningKey,
  generateSigningKey,
  handleJwksRequest,
  handleTokenRequest,
  type JwsAlgorithm,
  KeySet,
  MemoryTokenStore,
  type ServerOptions,
  type TokenEndpointOptions,
} from "../../mod.ts";
import { createFakeClock, type FakeClock, type FetchHandler, inProcessFetch } from "../../src/testing/mod.ts";

export type { FakeClock };

/** The instant every fake clock starts at unless a test says otherwise: 2026-11-25 12:00 UTC. */
export const START = Date.UTC(2026, 10, 25, 12, 0, 0);

/** A fake clock a test can move: `now()` in milliseconds, `advance(seconds)`, `set(time)`. */
export function fakeClock(start: Date | number = START): FakeClock {
  return createFakeClock(start);
}

// The shared constants: issuer, endpoints, resources, secret and clients.

export const ISSUER = "https://as.example.com";
export const TOKEN_URL = `${ISSUER}/token`;
export const INTROSPECT_URL = `${ISSUER}/introspect`;
export const REVOKE_URL = `${ISSUER}/revoke`;
export const METADATA_URL = `${ISSUER}/.well-known/oauth-authorization-server`;
export const JWKS_URI = `${ISSUER}/jwks`;
export const API = "https://api.example.com";
export const OTHER_API = "https://other.example.com";

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

/** A client registered as the resource server `API` (it gets no tokens itself). */
export const RS_CLIENT: ClientRegistration = {
  client_id: "rs-client",
  client_secret: SECRET,
  resource_server: API,
};

/** The client of `jwtServer`: tokens for API (default) or OTHER_API. */
export const JWT_CLIENT: ClientRegistration = {
  client_id: "jwt-client",
  client_secret: SECRET,
  grant_types: ["client_credentials"],
  scope: "read write",
  default_scope: "read",
  allowed_resources: [API, OTHER_API],
  default_resource: API,
};

export const ALGORITHMS: readonly JwsAlgorithm[] = ["ES256", "ES384", "EdDSA", "RS256", "PS256", "HS256"];

/** Generated keys are cached per algorithm: RSA generation is slow, and tests only read them. */
const keyCache = new Map<string, Promise<GeneratedSigningKey>>();
export function testKey(alg: JwsAlgorithm, kid = `${alg}-1`): Promise<GeneratedSigningKey> {
  const id = `${alg}/${kid}`;
  let key = keyCache.get(id);
  if (key === undefined) {
    key = generateSigningKey(alg, { kid, extractable: true });
    keyCache.set(id, key);
  }
  return key;
}

/** The token store of a fixture: the one in the overrides when it is a MemoryTokenStore, else a new one on the overrides' clock. */
function memoryStoreOf(overrides: { tokenStore?: unknown; clock?: () => number }): MemoryTokenStore {
  return overrides.tokenStore instanceof MemoryTokenStore ? overrides.tokenStore : new MemoryTokenStore({ clock: overrides.clock });
}

// The token endpoint on its own.

export interface TestServer {
  options: TokenEndpointOptions;
  store: MemoryTokenStore;
  fetch(request: Request): Promise<Response>;
}

/** `handleTokenRequest` with ISSUER, BASIC_CLIENT and POST_CLIENT (unless `clients`, a list or a ClientStore, is given) and a MemoryTokenStore. */
export function testServer(overrides: Partial<TokenEndpointOptions> = {}, clients?: TokenEndpointOptions["clients"]): TestServer {
  const store = memoryStoreOf(overrides);
  const options: TokenEndpointOptions = {
    issuer: ISSUER,
    clients: clients ?? [BASIC_CLIENT, POST_CLIENT],
    tokenStore: store,
    ...overrides,
  };
  return { options, store, fetch: (request) => handleTokenRequest(request, options) };
}

// The whole server.

export interface TestAuthServer {
  options: ServerOptions;
  store: MemoryTokenStore;
  server: AuthorizationServer;
  fetch(request: Request): Promise<Response>;
}

/** `createAuthorizationServer` with ISSUER, BASIC_CLIENT, POST_CLIENT and RS_CLIENT (unless `clients` is given) and a MemoryTokenStore. */
export function authServer(overrides: Partial<ServerOptions> = {}, clients?: ServerOptions["clients"]): TestAuthServer {
  const store = memoryStoreOf(overrides);
  const options: ServerOptions = {
    issuer: ISSUER,
    clients: clients ?? [BASIC_CLIENT, POST_CLIENT, RS_CLIENT],
    tokenStore: store,
    ...overrides,
  };
  const server = createAuthorizationServer(options);
  return { options, store, server, fetch: server.fetch };
}

/**
 * A fetch for libraries (oauth4webapi's and openid-client's `customFetch`, jose's remote JWK
 * Set) on the public `inProcessFetch`: each request goes to the handler of its origin (the
 * keys are URLs; only their origin counts), in process, and any other origin is refused as
 * an unreachable host would be.
 */
export function routedFetch(routes: Record<string, FetchHandler>): typeof globalThis.fetch {
  const byOrigin = new Map(Object.entries(routes).map(([url, handler]) => [new URL(url).origin, handler]));
  return inProcessFetch(byOrigin) as typeof globalThis.fetch;
}

// The token endpoint issuing JWTs (RFC 9068), with its JWK Set.

export interface JwtServer {
  options: TokenEndpointOptions;
  keys: KeySet;
  store: MemoryTokenStore;
  /** Routes /jwks to the JWK Set and everything else to the token endpoint. */
  fetch: typeof globalThis.fetch;
  /** A token for JWT_CLIENT (or `client`), failing the test when none is issued. */
  token(params?: Record<string, string | string[]>, client?: string): Promise<string>;
  /** The raw token endpoint answer. */
  request(params?: Record<string, string | string[]>, client?: string): Promise<Response>;
}

/** `testServer` issuing JWTs signed by `active` (a key or a KeySet), for JWT_CLIENT unless `clients` is given. */
export async function jwtServer(
  active: { signer: GeneratedSigningKey["signer"]; publicJwk?: GeneratedSigningKey["publicJwk"] } | KeySet,
  overrides: Partial<TokenEndpointOptions> = {},
  clients: ClientRegistration[] = [JWT_CLIENT],
): Promise<JwtServer> {
  const keys = active instanceof KeySet ? active : new KeySet({ active });
  const endpoint = testServer({ accessTokenFormat: "jwt", signingKeys: keys, ...overrides }, clients);
  const { options, store } = endpoint;
  const fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    return new URL(request.url).pathname === "/jwks" ? handleJwksRequest(request, keys) : endpoint.fetch(request);
  }) as typeof globalThis.fetch;
  const request = (params: Record<string, string | string[]> = {}, client = JWT_CLIENT.client_id) => {
    const body = new URLSearchParams({ grant_type: "client_credentials" });
    for (const [k, v] of Object.entries(params)) for (const x of [v].flat()) body.append(k, x);
    return fetch(`${ISSUER}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${encodeBasicCredentials(client, SECRET)}` },
      body: body.toString(),
    });
  };
  const token = async (params: Record<string, string | string[]> = {}, client?: string) => {
    const res = await request(params, client);
    const body = await res.json() as Record<string, unknown>;
    if (res.status !== 200) throw new Error(`no token: ${res.status} ${JSON.stringify(body)}`);
    return body.access_token as string;
  };
  return { options, keys, store, fetch, token, request };
}
