/**
 * An authorization server for a user's own tests: one call gives a running, in-memory
 * server built by `createAuthorizationServer` (the production code, nothing else), a client
 * with known credentials, a clock the test moves, and a fetch that reaches the server
 * without a port.
 *
 * Only the public API is used here, so nothing in this module can change how a production
 * server behaves: a token minted by a test went through the token endpoint like any other.
 *
 * @module
 */

import { encodeBasicCredentials } from "../client_auth/basic.ts";
import type { ClientRegistration } from "../clients/registration.ts";
import { generateClientSecret } from "../clients/secrets.ts";
import { KeySet } from "../crypto/key_set.ts";
import { generateSigningKey } from "../crypto/signing_key.ts";
import { ConfigurationError, OAuthError, type OAuthErrorCode } from "../errors.ts";
import { ASYMMETRIC_ALGORITHMS, type JwsAlgorithm } from "../jose/algorithms.ts";
import type { JwkSet } from "../jose/jwk.ts";
import type { ResourceServerOptions } from "../resource_server/options.ts";
import { type AuthorizationServer, createAuthorizationServer } from "../server.ts";
import type { ServerOptions } from "../server_options.ts";
import { MemoryTokenStore } from "../stores/memory_token_store.ts";
import { MemoryRevocationStore } from "../stores/revocation_store.ts";
import type { AccessTokenFormat } from "../tokens/access_token.ts";
import { createFakeClock, type FakeClock } from "./fake_clock.ts";
import { type FetchHandler, inProcessFetch, type InProcessFetch } from "./in_process_fetch.ts";

/** Server options the test server sets itself; they have options of their own here. */
const MANAGED: ReadonlySet<string> = new Set([
  "issuer",
  "clients",
  "clock",
  "signingKeys",
  "accessTokenFormat",
  "allowedResources",
  "defaultResource",
  "accessTokenLifetime",
  "tokenStore",
  "revocationStore",
]);

/**
 * Options of {@link createTestAuthorizationServer}; every one has a default.
 *
 * @example
 * ```ts
 * import type { TestAuthorizationServerOptions } from "./test_authorization_server.ts";
 * const options: TestAuthorizationServerOptions = {
 *   resources: ["https://invoices.example.test", "https://other.example.test"],
 *   scope: "invoices:read invoices:write",
 *   accessTokenLifetime: 300,
 * };
 * ```
 */
export interface TestAuthorizationServerOptions {
  /** The issuer; default `https://auth.example.test` (`.test` is reserved, RFC 2606: never a real host). */
  issuer?: string;
  /**
   * The resources (RFC 8707) the test client may ask tokens for; the first is the default
   * audience. Default `["https://api.example.test"]`.
   */
  resources?: readonly string[];
  /** The test client's identifier; default `"test-client"`. */
  client_id?: string;
  /** The scope the test client may be granted (and gets when it asks for none); default `"read write"`. */
  scope?: string;
  /** How the test client authenticates; default `client_secret_basic`. */
  tokenEndpointAuthMethod?: "client_secret_basic" | "client_secret_post";
  /** The format of access tokens; default `jwt` (RFC 9068), so resource servers and jose verify them offline. */
  accessTokenFormat?: AccessTokenFormat;
  /** The signing algorithm of the generated key; default `ES256`. Asymmetric algorithms only. */
  alg?: JwsAlgorithm;
  /** Access token lifetime in seconds; default 600. */
  accessTokenLifetime?: number;
  /**
   * More registered clients. Give them a plaintext `client_secret` to mint tokens for them
   * with `mintAccessToken({ client_id })`.
   */
  clients?: readonly ClientRegistration[];
  /** Where the fake clock starts; default the real time at creation. */
  now?: Date | number;
  /**
   * Any other option of `createAuthorizationServer` (`onEvent`, `endpoints`, `bruteForce`,
   * ...); `{ profile: "mcp" }` when the service under test is an MCP server, so that the MCP
   * SDK accepts the metadata, as in production.
   */
  serverOptions?: Omit<
    Partial<ServerOptions>,
    | "issuer"
    | "clients"
    | "clock"
    | "signingKeys"
    | "accessTokenFormat"
    | "allowedResources"
    | "defaultResource"
    | "accessTokenLifetime"
    | "tokenStore"
    | "revocationStore"
  >;
}

/**
 * The registered test client and its credentials.
 *
 * @example Basic credentials for a request of your own
 * ```ts
 * import { createTestAuthorizationServer } from "./test_authorization_server.ts";
 * const { client } = await createTestAuthorizationServer();
 * const authorization = `Basic ${btoa(`${client.client_id}:${client.client_secret}`)}`;
 * ```
 */
export interface TestClient {
  /** The client identifier. */
  readonly client_id: string;
  /** The client secret, in plain text (generated, 256 bits). */
  readonly client_secret: string;
  /** The registration the server was given (with `client_secret`, for tests only). */
  readonly registration: ClientRegistration;
}

/**
 * What to mint: every member is optional.
 *
 * @example
 * ```ts
 * import type { MintAccessTokenOptions } from "./test_authorization_server.ts";
 * const forOtherApi: MintAccessTokenOptions = { scope: ["read"], resource: "https://other.example.test", format: "opaque" };
 * ```
 */
export interface MintAccessTokenOptions {
  /** The scope to request; default the client's whole scope. A list or a space-separated string. */
  scope?: string | readonly string[];
  /** The resource(s) (RFC 8707), i.e. the token's `aud`; default the first of `resources`. */
  resource?: string | readonly string[];
  /** Mint for another registered client (one given with a plaintext `client_secret`). */
  client_id?: string;
  /** `jwt` or `opaque`; default the server's `accessTokenFormat`. */
  format?: AccessTokenFormat;
}

/**
 * A running test authorization server. See {@link createTestAuthorizationServer}.
 *
 * @example
 * ```ts
 * import { createTestAuthorizationServer } from "./test_authorization_server.ts";
 * const as = await createTestAuthorizationServer();
 * const token = await as.mintAccessToken({ scope: "read" });
 * ```
 */
export interface TestAuthorizationServer {
  /** The issuer identifier. */
  readonly issuer: string;
  /** The server itself, as `createAuthorizationServer` made it (endpoints, metadata, fetch handler). */
  readonly server: AuthorizationServer;
  /** The registered test client. */
  readonly client: TestClient;
  /** The clock of the server (and of the resource-server options it hands out). */
  readonly clock: FakeClock;
  /** The signing keys; rotate them with `publishNext`, `activate`, `remove`. */
  readonly signingKeys: KeySet;
  /** The current public JWK Set, as served at `server.endpoints.jwks`. */
  readonly jwks: JwkSet;
  /** Where opaque tokens are recorded (shared with the resource-server options). */
  readonly tokenStore: MemoryTokenStore;
  /** Revoked JWT ids (shared with the resource-server options). */
  readonly revocationStore: MemoryRevocationStore;
  /**
   * A fetch that answers requests for the issuer's origin from the server, in process, and
   * for origins added with {@link TestAuthorizationServer.route} from their handlers. Any
   * other origin rejects with a `TypeError`, as an unreachable host would: a test never
   * reaches the network by accident. Usable as oauth4webapi's and openid-client's
   * `customFetch`, the MCP SDK's `fetch`, and jose's `createRemoteJWKSet` `[customFetch]`.
   */
  readonly fetch: InProcessFetch;
  /** Lets {@link TestAuthorizationServer.fetch} reach another in-process handler, e.g. the API under test. */
  route(origin: string, handler: FetchHandler): void;
  /**
   * Gets a real access token from the token endpoint, in process (a `Request` to
   * `server.fetch`; no socket). Rejects with the server's {@link OAuthError} when it refuses.
   */
  mintAccessToken(options?: MintAccessTokenOptions): Promise<string>;
  /**
   * Options for `verifyAccessToken` in the service under test: this issuer, its keys (the
   * server's own `KeySet`, so rotations are seen at once), its token and revocation stores
   * (for opaque and revoked tokens) and its clock. `extra` adds or overrides options, e.g.
   * `{ metadata: true }` for RFC 9728 metadata. One new object per call: keep it.
   */
  resourceServerOptions(resource?: string, extra?: Partial<ResourceServerOptions>): ResourceServerOptions;
}

const DEFAULT_ISSUER = "https://auth.example.test";
const DEFAULT_RESOURCE = "https://api.example.test";

interface Credentials {
  readonly secret: string;
  readonly method: string;
}

function list(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === "string" ? value.split(" ").filter((s) => s !== "") : value;
}

/** The credentials a test can use: every client registered with a plaintext secret. */
function credentialsOf(clients: readonly ClientRegistration[]): Map<string, Credentials> {
  const map = new Map<string, Credentials>();
  for (const c of clients) {
    if (typeof c.client_secret === "string") {
      map.set(c.client_id, { secret: c.client_secret, method: c.token_endpoint_auth_method ?? "client_secret_basic" });
    }
  }
  return map;
}

/**
 * Creates an in-memory authorization server for tests, built with `createAuthorizationServer`
 * exactly as a production server is: a registered client with a generated secret, a fresh
 * ES256 signing key, JWT access tokens (RFC 9068) by default, an in-memory token store, and
 * a {@link FakeClock}. Nothing listens on a port: `mintAccessToken` and `fetch` call the
 * server's fetch handler in process.
 *
 * @example In a test: mint, verify, expire
 * ```ts
 * import { createTestAuthorizationServer } from "./test_authorization_server.ts";
 * import { verifyAccessToken } from "../resource_server/verify_access_token.ts";
 *
 * const as = await createTestAuthorizationServer({ scope: "invoices:read" });
 * const rs = as.resourceServerOptions(); // for https://api.example.test
 * const token = await as.mintAccessToken({ scope: "invoices:read" });
 * const request = new Request("https://api.example.test/invoices", { headers: { authorization: `Bearer ${token}` } });
 * const result = await verifyAccessToken(request, rs, { scope: "invoices:read" });
 * result.ok; // true
 * as.clock.advance(606); // past the 600 s lifetime and the 5 s tolerance
 * (await verifyAccessToken(request, rs)).ok; // false: 401 invalid_token
 * ```
 *
 * @example For an MCP server under test: the metadata the MCP SDK requires, and the MCP server in process
 * ```ts
 * import { createTestAuthorizationServer } from "./test_authorization_server.ts";
 *
 * const as = await createTestAuthorizationServer({
 *   resources: ["https://mcp.example.test/mcp"],
 *   scope: "mcp:tools",
 *   serverOptions: { profile: "mcp" },
 * });
 * declare const mcpServer: (request: Request) => Promise<Response>; // your MCP server's fetch handler
 * as.route("https://mcp.example.test", mcpServer);
 * // Give the MCP SDK's transport `{ authProvider, fetch: as.fetch }` and `expectedIssuer: as.issuer`.
 * ```
 */
export async function createTestAuthorizationServer(
  options: TestAuthorizationServerOptions = {},
): Promise<TestAuthorizationServer> {
  for (const key of Object.keys(options.serverOptions ?? {})) {
    if (MANAGED.has(key)) throw new ConfigurationError(`serverOptions.${key} is set by the test server; use its own option`);
  }
  const issuer = options.issuer ?? DEFAULT_ISSUER;
  const resources = options.resources ?? [DEFAULT_RESOURCE];
  if (!Array.isArray(resources) || resources.length === 0) throw new ConfigurationError("resources must list at least one resource");
  const alg = options.alg ?? "ES256";
  if (!ASYMMETRIC_ALGORITHMS.includes(alg)) {
    throw new ConfigurationError(`alg must be one of ${ASYMMETRIC_ALGORITHMS.join(", ")}: resource servers verify with the public key`);
  }
  const clock = createFakeClock(options.now);
  const format = options.accessTokenFormat ?? "jwt";

  const client: TestClient = (() => {
    const client_secret = generateClientSecret();
    const registration: ClientRegistration = {
      client_id: options.client_id ?? "test-client",
      client_secret,
      token_endpoint_auth_method: options.tokenEndpointAuthMethod ?? "client_secret_basic",
      grant_types: ["client_credentials"],
      scope: options.scope ?? "read write",
    };
    return Object.freeze({ client_id: registration.client_id, client_secret, registration });
  })();
  const clients = [client.registration, ...(options.clients ?? [])];
  const credentials = credentialsOf(clients);

  const signingKeys = new KeySet({ active: await generateSigningKey(alg) });
  const tokenStore = new MemoryTokenStore({ clock: clock.now });
  const revocationStore = new MemoryRevocationStore({ clock: clock.now });
  const serverOptions = (accessTokenFormat: AccessTokenFormat): ServerOptions => ({
    ...options.serverOptions,
    issuer,
    clients,
    clock: clock.now,
    signingKeys,
    accessTokenFormat,
    allowedResources: resources,
    defaultResource: resources[0],
    accessTokenLifetime: options.accessTokenLifetime,
    tokenStore,
    revocationStore,
  });
  const server = createAuthorizationServer(serverOptions(format));
  // A token of the other format comes from a twin server: the same production code, the
  // same clients, keys, stores and clock, so introspection and revocation at `server` see
  // its tokens. Created on first use.
  const twins = new Map<AccessTokenFormat, AuthorizationServer>([[format, server]]);
  const serverFor = (f: AccessTokenFormat): AuthorizationServer => {
    let s = twins.get(f);
    if (s === undefined) twins.set(f, s = createAuthorizationServer(serverOptions(f)));
    return s;
  };

  const issuerOrigin = new URL(issuer).origin;
  const routes = new Map<string, FetchHandler>([[issuerOrigin, server.fetch]]);

  const mintAccessToken = async (mint: MintAccessTokenOptions = {}): Promise<string> => {
    const client_id = mint.client_id ?? client.client_id;
    const creds = credentials.get(client_id);
    if (creds === undefined) {
      throw new ConfigurationError(`no client ${JSON.stringify(client_id)} with a plaintext client_secret is registered`);
    }
    const f = mint.format ?? format;
    if (f !== "jwt" && f !== "opaque") throw new ConfigurationError("format must be 'jwt' or 'opaque'");
    const body = new URLSearchParams({ grant_type: "client_credentials" });
    const scope = list(mint.scope);
    if (scope.length > 0) body.set("scope", scope.join(" "));
    // A resource is a URI, never split on spaces (unlike a scope).
    const asked = mint.resource === undefined ? [] : typeof mint.resource === "string" ? [mint.resource] : mint.resource;
    for (const r of asked) body.append("resource", r);
    const headers = new Headers({ "content-type": "application/x-www-form-urlencoded" });
    if (creds.method === "client_secret_post") {
      body.set("client_id", client_id);
      body.set("client_secret", creds.secret);
    } else {
      headers.set("authorization", `Basic ${encodeBasicCredentials(client_id, creds.secret)}`);
    }
    const response = await serverFor(f).fetch(new Request(server.endpoints.token, { method: "POST", headers, body }));
    const json = await response.json() as Record<string, unknown>;
    if (response.status !== 200 || typeof json.access_token !== "string") {
      const description = typeof json.error_description === "string" ? json.error_description : undefined;
      throw new OAuthError((json.error ?? "server_error") as OAuthErrorCode, description, { status: response.status });
    }
    return json.access_token;
  };

  const resourceServerOptions = (resource: string = resources[0]!, extra: Partial<ResourceServerOptions> = {}): ResourceServerOptions => ({
    resource,
    issuer,
    jwks: signingKeys,
    tokenStore,
    revocationStore,
    clock: clock.now,
    ...extra,
  });

  return Object.freeze({
    issuer,
    server,
    client,
    clock,
    signingKeys,
    get jwks(): JwkSet {
      return signingKeys.jwks();
    },
    tokenStore,
    revocationStore,
    fetch: inProcessFetch(routes),
    route(origin: string, handler: FetchHandler): void {
      const o = new URL(origin).origin;
      if (o === issuerOrigin) throw new ConfigurationError(`${o} is the authorization server's origin`);
      if (typeof handler !== "function") throw new ConfigurationError("a route needs a fetch handler (request) => Response");
      routes.set(o, handler);
    },
    mintAccessToken,
    resourceServerOptions,
  });
}
