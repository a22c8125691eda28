// Helpers for the JWT access token and resource-server tests: an authorization server that
// issues RFC 9068 tokens and serves its JWK Set, requests to a protected API, and a way to
// forge tokens for the tampering tests.
import {
  type ClientRegistration,
  encodeBasicCredentials,
  type GeneratedSigningKey,
  generateSigningKey,
  handleJwksRequest,
  handleTokenRequest,
  type JwsAlgorithm,
  KeySet,
  MemoryTokenStore,
  type TokenEndpointOptions,
} from "../mod.ts";
import { encodeBase64Url } from "../src/encoding/base64.ts";
import { ISSUER, SECRET } from "./helpers.ts";

export { ISSUER, SECRET };
export const JWKS_URI = `${ISSUER}/jwks`;
export const API = "https://api.example.com";
export const OTHER_API = "https://other.example.com";
export const ALGORITHMS: readonly JwsAlgorithm[] = ["ES256", "ES384", "EdDSA", "RS256", "PS256", "HS256"];

export const JWT_CLIENT: ClientRegistration = {
  client_id: "jwt-client",
  client_secret: SECRET,
  grant_types: ["client_credentials"],
  scope: "read write",
  default_scope: "read",
  allowed_resources: [API, OTHER_API],
  default_resource: API,
};

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

export async function jwtServer(
  active: { signer: GeneratedSigningKey["signer"]; publicJwk?: GeneratedSigningKey["publicJwk"] } | KeySet,
  overrides: Partial<TokenEndpointOptions> = {},
  clients: ClientRegistration[] = [JWT_CLIENT],
): Promise<JwtServer> {
  const keys = active instanceof KeySet ? active : new KeySet({ active });
  const store = new MemoryTokenStore({ clock: overrides.clock });
  const options: TokenEndpointOptions = {
    issuer: ISSUER,
    clients,
    tokenStore: store,
    accessTokenFormat: "jwt",
    signingKeys: keys,
    ...overrides,
  };
  const fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    return new URL(request.url).pathname === "/jwks" ? handleJwksRequest(request, keys) : handleTokenRequest(request, options);
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

/** A request to the protected API carrying `token` as a Bearer header (when given). */
export function apiRequest(token?: string, init: RequestInit & { url?: string } = {}): Request {
  const headers = new Headers(init.headers);
  if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
  return new Request(init.url ?? `${API}/invoices`, { ...init, headers });
}

const enc = new TextEncoder();
export const b64json = (value: unknown): string => encodeBase64Url(enc.encode(JSON.stringify(value)));

/** Splits a compact JWS into its decoded header and claims. */
export function decodeJwt(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [h, p] = token.split(".");
  const dec = (s: string) => JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))));
  return { header: dec(h!), claims: dec(p!) };
}

/** Re-signs `header` and `claims` with a key's signer: a validly signed token whose content the test chose. */
export async function signWith(
  signer: GeneratedSigningKey["signer"],
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
): Promise<string> {
  const input = `${b64json(header)}.${b64json(claims)}`;
  return `${input}.${encodeBase64Url(await signer.sign(enc.encode(input)))}`;
}

/** Claims of a valid token for API at `now` (seconds). */
export function validClaims(now = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  return {
    iss: ISSUER,
    sub: JWT_CLIENT.client_id,
    aud: API,
    client_id: JWT_CLIENT.client_id,
    scope: "read",
    iat: now,
    exp: now + 600,
    jti: crypto.randomUUID(),
  };
}
